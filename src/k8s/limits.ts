/**
 * Bounds of one parse. Every manifest parse is bounded by these, and a breach is a coded
 * LIMIT_EXCEEDED error, never a crash. Alias expansion is bounded as go-yaml v2 bounds it (the
 * share of alias-made nodes, see decode-walk.ts) and by `maxExpansion`.
 */
export interface ParseLimits {
  /** Max UTF-8 bytes of the text. */
  maxBytes: number;
  /** Max YAML documents (`---` separated chunks) or JSON values in one stream. */
  maxDocuments: number;
  /** Max nesting of mappings and sequences in one document. */
  maxDepth: number;
  /** Max characters of strings one document may expand to through aliases, beyond its own size. */
  maxExpansion: number;
}

/**
 * Defaults: real manifests nest < 100 levels (the deepest CRD schemas we know of ~60), and a
 * render of `limits.resources` (20,000) objects stays far below 100,000 documents. 500 levels
 * also keeps the recursive parsers an order of magnitude away from Node's stack limit.
 */
export const DEFAULT_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxBytes: 256 * 1024 * 1024,
  maxDocuments: 100_000,
  maxDepth: 500,
  maxExpansion: 16 * 1024 * 1024,
});
