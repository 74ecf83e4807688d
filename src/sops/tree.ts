/** A scalar as sops sees it after go-yaml/encoding-json decoding (the Go type decides MAC bytes). */
export type Scalar =
  | { t: 'str'; s: string }
  | { t: 'int'; n: bigint }
  | { t: 'float'; f: number }
  | { t: 'bool'; b: boolean }
  | { t: 'time'; s: string }
  | { t: 'bytes'; buf: Buffer };

/** A comment line (`#` stripped), kept because comment selection rules depend on it. */
export interface CommentNode {
  kind: 'comment';
  text: string;
}

/** One node of a sops tree, in document order (a JS object would reorder numeric keys). */
export type TreeNode =
  | { kind: 'map'; items: (MapItem | CommentNode)[] }
  | { kind: 'seq'; items: TreeNode[] }
  | { kind: 'leaf'; value: Scalar }
  | { kind: 'null' }
  | CommentNode;

export interface MapItem {
  kind: 'item';
  key: string;
  value: TreeNode;
}

export type MapNode = Extract<TreeNode, { kind: 'map' }>;

/** A parsed sops file: the data branches (one per YAML document) and the raw `sops` block. */
export interface SopsDocument {
  format: SopsFormat;
  branches: MapNode[];
  metadata: unknown;
  /** YAML: which branches are non-empty documents (empty ones are not objects). */
  present?: boolean[];
}

export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';
