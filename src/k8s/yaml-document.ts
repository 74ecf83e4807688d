import jsyaml from 'js-yaml';
import { isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Node } from 'yaml';
import { keyString, resolveTyped, scalarValue, ScalarError, TAG, type Resolved } from './resolve.js';
import type { ParseLimits } from './limits.js';

// One YAML document, decoded with go-yaml v2's semantics (resolve.ts) and bounded by ParseLimits.
//
// js-yaml reads every document (it is ~15× faster than the `yaml` package's document model),
// with a schema whose only implicit type is go-yaml v2's resolver, so every plain scalar gets
// Kubernetes' value. js-yaml differs from go-yaml v2 in what it does with the *tree* in three
// places, and a document that uses one of them is decoded again from the `yaml` package's node
// tree (exactTree below), which follows go-yaml v2's decoder step by step:
// - merge keys: go-yaml v2 applies `<<` where it stands, overriding keys set before it
//   (decode.go `mapping`/`merge`); js-yaml never overrides;
// - non-string keys: sigs.k8s.io/yaml turns float keys into float32 `%g` strings and refuses
//   null and uint64 keys; js-yaml uses String();
// - collection keys, which go-yaml v2 refuses and js-yaml stringifies.
// Aliases are expanded into copies (Kubernetes objects never share structure), bounded like
// go-yaml v2 bounds them (decode.go `allowedAliasRatio`), and an alias inside its own anchor is
// refused as upstream does ("anchor 'a' value contains itself").

/** A problem at a place in a document; decode.ts adds file, document number and line. */
export class DocumentError extends Error {
  constructor(
    message: string,
    readonly limit: boolean,
    /** 0-based line and column within the document text, when known. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

interface Flags {
  merge: boolean;
  odd: boolean;
  nonFinite: boolean;
}
// The schema's constructors run synchronously inside one js-yaml call, which resets these.
const flags: Flags = { merge: false, odd: false, nonFinite: false };
const MERGE_TAG = `${TAG}merge`;

function constructPlain(s: string): unknown {
  // go-yaml v2 treats a plain `<<` key as a merge (decode.go isMerge), not through the resolver.
  if (s === '<<') flags.merge = true;
  const r = resolveTyped(s, true, '');
  switch (r.kind) {
    case 'float':
      flags.odd = true;
      if (!Number.isFinite(r.value)) flags.nonFinite = true;
      // As a key, 1e7 is "1e+07" upstream but String() gives "10000000".
      else if (Number.isInteger(r.value) && Math.abs(r.value) >= 1e6) flags.merge = true;
      return r.value;
    case 'null':
    case 'uint':
      flags.odd = true;
      return scalarValue(r);
    default:
      return scalarValue(r);
  }
}

function constructTagged(data: unknown, tag: string | null | undefined): unknown {
  if (tag === MERGE_TAG) flags.merge = true;
  const r = resolveTyped(typeof data === 'string' ? data : '', false, tag ?? '');
  if (r.kind === 'float' && !Number.isFinite(r.value)) flags.nonFinite = true;
  return r.kind === 'float' ? r.value : scalarValue(r);
}

const SCHEMA = new jsyaml.Schema({
  implicit: [new jsyaml.Type('tag:syncgate.dev,2026:plain', { kind: 'scalar', resolve: () => true, construct: constructPlain })],
  explicit: [
    new jsyaml.Type('', { kind: 'scalar', multi: true, resolve: () => true, construct: constructTagged }),
    // go-yaml v2 decodes a tagged mapping or sequence into interface{} as if untagged.
    new jsyaml.Type('', { kind: 'mapping', multi: true, resolve: () => true, construct: (d: unknown) => d }),
    new jsyaml.Type('', { kind: 'sequence', multi: true, resolve: () => true, construct: (d: unknown) => d }),
  ],
});

// Collection keys (explicit `? ` keys, a flow collection used as a key): js-yaml stringifies
// them, go-yaml v2 refuses them, so such documents take the exact path.
const COMPLEX_KEY = [/^[ \t]*(?:- +)*\?(?:\s|$)/m, /^[ \t]*(?:- +)*(?:\{[^\n]*\}|\[[^\n]*\])[ \t]*:(?:\s|$)/m, /[{,][ \t]*[{[]/];

// A key js-yaml may have made with String() from a float, null, uint64 or ±Inf/NaN.
function oddKey(k: string): boolean {
  if (k === 'null' || k === 'NaN' || k === 'Infinity' || k === '-Infinity') return true;
  const c = k.charCodeAt(0);
  if (!(c === 0x2d || (c >= 0x30 && c <= 0x39))) return false;
  if (!/^-?[0-9]+$/.test(k)) return true;
  return k.length >= 19 && BigInt(k) > 2n ** 63n - 1n;
}

interface Budget {
  decode: number;
  alias: number;
  chars: number;
  readonly maxChars: number;
  readonly maxDepth: number;
}

// go-yaml v2 decode.go: past 1,000 nodes and 100 alias-made ones, the share of alias-made
// nodes may not exceed 99%, falling to 10% between 400,000 and 4,000,000 nodes.
function countNode(b: Budget, inAlias: boolean): void {
  b.decode++;
  if (inAlias) b.alias++;
  if (b.alias > 100 && b.decode > 1000) {
    const ratio = b.decode <= 400_000 ? 0.99 : b.decode >= 4_000_000 ? 0.1 : 0.99 - 0.89 * ((b.decode - 400_000) / 3_600_000);
    if (b.alias / b.decode > ratio) throw new DocumentError('document contains excessive aliasing', true);
  }
}

function countChars(b: Budget, s: string): void {
  b.chars += s.length;
  if (b.chars > b.maxChars) throw new DocumentError(`aliases expand the document past ${b.maxChars} characters`, true);
}

function tooDeep(b: Budget): DocumentError {
  return new DocumentError(`nesting deeper than ${b.maxDepth} levels`, true);
}

function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * Walks js-yaml's result: copies every collection reached a second time (an alias), refuses
 * cycles (an alias inside its own anchor), ±Inf/NaN values, and enforces the budgets.
 */
function finalize(root: unknown, b: Budget): unknown {
  const seen = new Set<object>();
  const path = new Set<object>();
  const walk = (v: unknown, depth: number, inAlias: boolean): unknown => {
    countNode(b, inAlias);
    if (typeof v === 'string') {
      countChars(b, v);
      return v;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new DocumentError(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`, false);
      return v;
    }
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= b.maxDepth) throw tooDeep(b);
    if (path.has(v)) throw new DocumentError('an alias refers to a node that contains it (anchor value contains itself)', false);
    const copy = seen.has(v);
    seen.add(v);
    path.add(v);
    const alias = inAlias || copy;
    let out: unknown;
    if (Array.isArray(v)) {
      const arr: unknown[] = copy ? new Array<unknown>(v.length) : v;
      for (let i = 0; i < v.length; i++) arr[i] = walk(v[i], depth + 1, alias);
      out = arr;
    } else {
      const src = v as Record<string, unknown>;
      const obj: Record<string, unknown> = copy ? {} : src;
      for (const k of Object.keys(src)) {
        countNode(b, alias);
        countChars(b, k);
        setKey(obj, k, walk(src[k], depth + 1, alias));
      }
      out = obj;
    }
    path.delete(v);
    return out;
  };
  return walk(root, 0, false);
}

/** go-yaml v2's decoder over the `yaml` package's node tree (merge keys, key conversion, aliases). */
function exactTree(text: string, b: Budget): unknown {
  const doc = parseDocument(text, { schema: 'failsafe', merge: false, uniqueKeys: false, version: '1.1', prettyErrors: false, strict: false });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new DocumentError(err.message.split('\n')[0] ?? 'invalid YAML', false, pos ? pos.line - 1 : undefined, pos ? pos.col - 1 : undefined);
  }
  const anchors = new Map<string, Node>();
  const building = new Set<Node>();
  let aliasDepth = 0;

  const target = (n: unknown): unknown => {
    if (!isAlias(n)) return n;
    const t = anchors.get(n.source);
    if (!t) throw new DocumentError(`unknown anchor '${n.source}' referenced`, false);
    if (building.has(t)) throw new DocumentError(`anchor '${n.source}' value contains itself`, false);
    return t;
  };

  const scalar = (n: unknown): Resolved => {
    if (!isScalar(n)) throw new DocumentError('invalid map key: a mapping or sequence', false);
    const tag = n.tag ?? '';
    // The failsafe schema leaves every scalar's value a string (null for an empty node).
    const text = typeof n.value === 'string' ? n.value : '';
    return resolveTyped(text, n.type === 'PLAIN' || n.type === undefined, tag === '!' ? TAG + 'str' : tag);
  };

  const build = (n: unknown, depth: number): unknown => {
    countNode(b, aliasDepth > 0);
    if (n === null || n === undefined) return null;
    if (isAlias(n)) {
      const t = target(n) as Node;
      aliasDepth++;
      const v = build(t, depth);
      aliasDepth--;
      return v;
    }
    const node = n as Node;
    if (node.anchor && aliasDepth === 0) anchors.set(node.anchor, node);
    if (isScalar(node)) {
      const r = scalar(node);
      const v = r.kind === 'float' ? r.value : scalarValue(r);
      if (typeof v === 'number' && !Number.isFinite(v)) throw new DocumentError(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`, false);
      if (typeof v === 'string') countChars(b, v);
      return v;
    }
    if (depth >= b.maxDepth) throw tooDeep(b);
    building.add(node);
    let out: unknown;
    if (isSeq(node)) {
      out = node.items.map((x) => build(x, depth + 1));
    } else if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const p of node.items) {
        const key = p.key;
        if (isScalar(key) && key.value === '<<' && ((key.type === 'PLAIN' && !key.tag) || key.tag === MERGE_TAG)) {
          merge(p.value, obj, depth);
          continue;
        }
        countNode(b, aliasDepth > 0);
        if (key === null || key === undefined) throw new DocumentError('unsupported map key: null', false);
        const k = keyString(scalar(target(key)));
        countChars(b, k);
        setKey(obj, k, build(p.value, depth + 1));
      }
      out = obj;
    } else {
      out = null;
    }
    building.delete(node);
    return out;
  };

  // decode.go `merge`: a mapping, an alias of one, or a sequence of those applied last to first.
  const merge = (v: unknown, into: Record<string, unknown>, depth: number): void => {
    const want = (): DocumentError => new DocumentError('map merge requires map or sequence of maps as the value', false);
    const one = (x: unknown): void => {
      const t = target(x);
      if (!isMap(t)) throw want();
      const m = build(x, depth) as Record<string, unknown>;
      for (const k of Object.keys(m)) setKey(into, k, m[k]);
    };
    if (isSeq(v)) {
      for (let i = v.items.length - 1; i >= 0; i--) one(v.items[i]);
    } else {
      one(v);
    }
  };

  return build(doc.contents, 0);
}

/**
 * libyaml (go-yaml v2) knows no `\/` escape in double-quoted scalars; js-yaml accepts it. Only
 * called when the text contains `\/`: finds a double-quoted scalar that uses it.
 */
function slashEscape(text: string): DocumentError | undefined {
  const doc = parseDocument(text, { keepSourceTokens: true, schema: 'failsafe', version: '1.1', strict: false, uniqueKeys: false });
  let found: DocumentError | undefined;
  visit(doc, {
    Scalar(_k, node) {
      const src = node.srcToken && 'source' in node.srcToken ? node.srcToken.source : '';
      if (node.type !== 'QUOTE_DOUBLE' || !src.includes('\\/')) return undefined;
      for (let i = 0; i < src.length; i++) {
        if (src[i] !== '\\') continue;
        if (src[i + 1] === '/') {
          const at = (node.range?.[0] ?? 0) + i;
          const before = text.slice(0, at);
          found = new DocumentError('found unknown escape character', false, before.split('\n').length - 1, at - (before.lastIndexOf('\n') + 1));
          return visit.BREAK;
        }
        i++;
      }
      return undefined;
    },
  });
  return found;
}

/** Decodes one YAML document (the text between two `---` lines); `json` marks a JSON value read as YAML. */
export function decodeYamlDocument(text: string, limits: ParseLimits, json = false): unknown {
  flags.merge = false;
  flags.odd = false;
  flags.nonFinite = false;
  // js-yaml counts one level per node it composes (scalars and keys too, and two per block
  // sequence level): a first pass allows limits.maxDepth, so what it accepts needs no depth
  // walk; a document it refuses is read again allowing twice that plus two, and its real depth
  // (mappings and sequences) is checked by finalize. Node's default stack holds ~1,800 js-yaml
  // levels, so 2 × 500 + 2 keeps a wide margin.
  let v: unknown;
  let deep = false;
  try {
    v = loadJs(text, limits.maxDepth, limits);
  } catch (e) {
    if (!(e instanceof DocumentError && e.limit && e.message.startsWith('nesting'))) throw e;
    flags.merge = false;
    flags.odd = false;
    flags.nonFinite = false;
    v = loadJs(text, 2 * limits.maxDepth + 2, limits);
    deep = true;
  }
  if (!json && text.includes('\\/')) {
    const err = slashEscape(text);
    if (err) throw err;
  }
  const b: Budget = { decode: 0, alias: 0, chars: 0, maxChars: text.length + limits.maxExpansion, maxDepth: limits.maxDepth };
  const anchors = text.includes('&');
  if (flags.merge || COMPLEX_KEY.some((re) => re.test(text))) return exactTree(text, b);
  if (flags.odd && hasOddKey(v, 2 * limits.maxDepth + 2)) return exactTree(text, b);
  if (!anchors && !flags.nonFinite && !deep) return v;
  return finalize(v, b);
}

function loadJs(text: string, maxDepth: number, limits: ParseLimits): unknown {
  try {
    // js-yaml 4.3 takes maxDepth (default 100); @types/js-yaml does not list it yet.
    return jsyaml.load(text, { schema: SCHEMA, json: true, maxDepth } as jsyaml.LoadOptions);
  } catch (e) {
    if (e instanceof jsyaml.YAMLException) {
      const limit = e.reason.startsWith('nesting exceeded maxDepth');
      throw new DocumentError(limit ? `nesting deeper than ${limits.maxDepth} levels` : e.reason, limit, e.mark.line, e.mark.column);
    }
    if (e instanceof ScalarError) throw new DocumentError(e.message, false);
    throw e;
  }
}

function hasOddKey(root: unknown, maxDepth: number): boolean {
  // Runs before finalize, so it must survive cycles and stop at the depth limit.
  const seen = new Set<object>();
  const visit = (v: unknown, depth: number): boolean => {
    if (typeof v !== 'object' || v === null || seen.has(v) || depth > maxDepth) return false;
    seen.add(v);
    if (Array.isArray(v)) return v.some((x) => visit(x, depth + 1));
    for (const k of Object.keys(v)) if (oddKey(k) || visit((v as Record<string, unknown>)[k], depth + 1)) return true;
    return false;
  };
  return visit(root, 0);
}

/** Bounds a parsed JSON value like a YAML document (depth); JSON has no aliases. */
export function checkJsonValue(v: unknown, limits: ParseLimits): unknown {
  return finalize(v, { decode: 0, alias: 0, chars: 0, maxChars: Infinity, maxDepth: limits.maxDepth });
}
