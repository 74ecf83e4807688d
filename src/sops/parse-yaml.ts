import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Pair } from 'yaml';
import { resolvePlain } from './scalar.js';
import type { CommentNode, MapItem, MapNode, Scalar, SopsDocument, TreeNode } from './tree.js';

/** A file that is not valid input for the sops stores; the caller names the file. */
export class FormatError extends Error {}

const STR_TAG = 'tag:yaml.org,2002:str';
const BINARY_TAG = 'tag:yaml.org,2002:binary';

function comments(text: string | null | undefined): CommentNode[] {
  if (!text) return [];
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ({ kind: 'comment', text: l }));
}

function scalarOf(node: Node, json: boolean): Scalar | null {
  if (!isScalar(node)) throw new FormatError('unexpected node');
  const tag = node.tag;
  if (tag === BINARY_TAG && node.value instanceof Uint8Array) return { t: 'bytes', buf: Buffer.from(node.value) };
  if (node.type !== 'PLAIN' || tag === STR_TAG) {
    return { t: 'str', s: typeof node.value === 'string' ? node.value : String(node.value) };
  }
  const source = node.source ?? String(node.value);
  const v = resolvePlain(source);
  // encoding/json (sops <= 3.13.1) reads every JSON number as float64.
  if (json && v?.t === 'int') return { t: 'float', f: Number(v.n) };
  if (json && v?.t === 'time') return { t: 'str', s: source };
  return v;
}

function keyOf(node: unknown): string {
  if (!isScalar(node)) throw new FormatError('only string keys are supported (complex key)');
  if (node.type !== 'PLAIN' || node.tag === STR_TAG) return String(node.value);
  const v = resolvePlain(node.source ?? String(node.value));
  if (v?.t !== 'str') {
    throw new FormatError(`only string keys are supported (key ${JSON.stringify(String(node.source ?? node.value).slice(0, 40))} is not a string)`);
  }
  return v.s;
}

interface Ctx {
  doc: Document;
  json: boolean;
  depth: number;
}

function toNode(node: Node | null, ctx: Ctx, commentsHandled: boolean): TreeNode {
  if (ctx.depth > 200) throw new FormatError('nesting is too deep');
  if (node === null) return { kind: 'null' };
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    if (!target) throw new FormatError(`unresolved alias ${node.source}`);
    return toNode(target, { ...ctx, depth: ctx.depth + 1 }, false);
  }
  if (isMap(node)) return toMap(node.items, node, ctx, commentsHandled);
  if (isSeq(node)) {
    const items: TreeNode[] = [];
    if (!commentsHandled) items.push(...comments(node.commentBefore));
    for (const it of node.items as (Node | null)[]) {
      if (it !== null && !isAlias(it)) {
        items.push(...comments(it.commentBefore), ...comments(isScalar(it) ? it.comment : undefined));
      }
      items.push(toNode(it, { ...ctx, depth: ctx.depth + 1 }, true));
      if (it !== null && !isScalar(it) && !isAlias(it)) items.push(...comments(it.comment));
    }
    if (!commentsHandled) items.push(...comments(node.comment));
    return { kind: 'seq', items };
  }
  const v = scalarOf(node, ctx.json);
  return v === null ? { kind: 'null' } : { kind: 'leaf', value: v };
}

function toMap(pairs: Pair[], node: Node | null, ctx: Ctx, commentsHandled: boolean): MapNode {
  const items: (MapItem | CommentNode)[] = [];
  if (!commentsHandled && node) items.push(...comments(node.commentBefore));
  for (const p of pairs) {
    const k = p.key as Node | null;
    if (k && !isAlias(k)) items.push(...comments(k.commentBefore), ...comments(k.comment));
    const v = p.value as Node | null;
    const scalarValue = v === null || isScalar(v) || isAlias(v);
    if (v && !isAlias(v) && scalarValue) items.push(...comments(v.commentBefore), ...comments(v.comment));
    // go-yaml hands a collection value's own head/line comments to the nested branch.
    items.push({ kind: 'item', key: keyOf(k), value: toNode(v, { ...ctx, depth: ctx.depth + 1 }, scalarValue) });
  }
  if (!commentsHandled && node) items.push(...comments(node.comment));
  return { kind: 'map', items };
}

/**
 * Parses a sops YAML (multi-document) or JSON file into document-ordered branches and the `sops`
 * block of the first document (later documents' blocks are dropped, as sops does).
 */
export function parseYamlTree(text: string, json: boolean): SopsDocument {
  const docs = parseAllDocuments(text, { version: '1.2', schema: 'core', intAsBigInt: true, uniqueKeys: false, merge: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const branches: MapNode[] = [];
  const present: boolean[] = [];
  let metadata: unknown;
  for (const [i, doc] of list.entries()) {
    const err = doc.errors[0];
    if (err) throw new FormatError(`document ${i + 1}: ${err.message.split('\n')[0] ?? ''}`);
    const contents = doc.contents as Node | null;
    if (contents === null || (isScalar(contents) && contents.value === null)) {
      branches.push({ kind: 'map', items: comments(doc.commentBefore) });
      present.push(false);
      continue;
    }
    if (!isMap(contents)) throw new FormatError(`document ${i + 1}: the top level must be a mapping`);
    const ctx: Ctx = { doc, json, depth: 0 };
    const pairs: Pair[] = [];
    for (const p of contents.items) {
      if (isScalar(p.key) && p.key.value === 'sops') {
        if (metadata === undefined && i === 0) metadata = (p.value as Node | null)?.toJSON() ?? null;
        continue;
      }
      pairs.push(p);
    }
    const branch = toMap(pairs, contents, ctx, false);
    branch.items.unshift(...comments(doc.commentBefore));
    branch.items.push(...comments(doc.comment));
    branches.push(branch);
    present.push(true);
  }
  return { format: json ? 'json' : 'yaml', branches, metadata, present };
}
