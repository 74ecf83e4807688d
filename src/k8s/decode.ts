import { SyncgateError } from '../errors/index.js';
import { DEFAULT_LIMITS, type ParseLimits } from './limits.js';
import { checkJsonValue, decodeYamlDocument, DocumentError } from './yaml-document.js';

// A manifest stream, split the way kubectl and Argo CD split it: k8s.io/apimachinery
// pkg/util/yaml YAMLOrJSONDecoder. A stream whose first non-space character is `{` is read as
// concatenated JSON values (`kubectl get -o json` pipes); if its first value fails to parse, or
// its second does and only one came before, the rest is read as YAML, as upstream does. Any other
// stream is cut into documents at every line that starts with `---` (upstream's YAMLReader: the
// rest of such a line may only be a comment), and each document is decoded on its own.

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function fail(source: string, e: DocumentError, doc: number, line?: number): never {
    // Without a position inside the document, name the line the document starts on.
  const where = line !== undefined && e.line !== undefined ? ` line ${line + e.line} column ${(e.column ?? 0) + 1}` : line !== undefined ? ` (from line ${line})` : '';
  throw new SyncgateError(e.limit ? 'LIMIT_EXCEEDED' : 'K8S_YAML_INVALID', `${source}: document ${doc}${where}: ${e.message}`);
}

function tooMany(source: string, limits: ParseLimits): never {
  throw new SyncgateError('LIMIT_EXCEEDED', `${source}: more than ${limits.maxDocuments} documents`);
}

/** Cuts a YAML stream at `---` lines and decodes each document; `base` numbers documents and lines after a JSON prefix. */
function decodeYamlStream(text: string, source: string, limits: ParseLimits, out: unknown[], base: { doc: number; line: number }): void {
  // bufio.Reader.ReadLine drops the \r of \r\n, so upstream documents never contain one.
  const t = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  let doc = base.doc;
  let chunks = 0;
  let start = 0;
  const take = (end: number): void => {
    if (end <= start) return;
    if (++doc > limits.maxDocuments) tooMany(source, limits);
    const body = t.slice(start, end);
    let v: unknown;
    try {
      v = decodeYamlDocument(body, limits);
    } catch (e) {
      if (e instanceof DocumentError) fail(source, e, doc, base.line + lineOf(t, start) - 1);
      throw e;
    }
    if (v !== null && v !== undefined) out.push(v);
  };
  // Refuse a stream with too many documents before decoding any of them.
  if (t.length >= limits.maxDocuments * 4) {
    let n = t.startsWith('---') ? 1 : 0;
    for (let p = t.indexOf('\n---'); p !== -1; p = t.indexOf('\n---', p + 4)) if (++n > limits.maxDocuments) tooMany(source, limits);
  }
  for (let p = t.startsWith('---') ? 0 : t.indexOf('\n---'); p !== -1; p = t.indexOf('\n---', p + 1)) {
    const sep = t[p] === '\n' ? p + 1 : p;
    if (++chunks > limits.maxDocuments) tooMany(source, limits);
    take(sep);
    const eol = t.indexOf('\n', sep);
    const rest = t.slice(sep + 3, eol === -1 ? t.length : eol).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      fail(source, new DocumentError(`invalid document separator: ${rest.slice(0, 40)}`, false, 0, 0), doc + 1, base.line + lineOf(t, sep) - 1);
    }
    start = eol === -1 ? t.length : eol + 1;
    p = sep;
  }
  take(t.length);
}

const JSON_WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The end of the JSON value starting at `i` (after whitespace), or -1 when it is not one. */
function jsonValueEnd(t: string, i: number): number {
  const first = t.charCodeAt(i);
  if (first !== 0x7b && first !== 0x5b) {
    // Scalars: let JSON.parse judge the token.
    let j = i;
    if (first === 0x22) {
      for (j = i + 1; j < t.length; j++) {
        const c = t.charCodeAt(j);
        if (c === 0x5c) j++;
        else if (c === 0x22) return j + 1;
      }
      return -1;
    }
    while (j < t.length && !JSON_WS.has(t.charCodeAt(j)) && !'{}[],"'.includes(t.charAt(j))) j++;
    return j === i ? -1 : j;
  }
  let depth = 0;
  for (let j = i; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === 0x22) {
      for (j++; j < t.length; j++) {
        const d = t.charCodeAt(j);
        if (d === 0x5c) j++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

// JSON.parse rounds integers past 2^53; such documents are decoded by the YAML path, which
// keeps them exact and reads JSON's syntax the same way.
const LONG_DIGITS = /[0-9]{16}/;

function parseJsonValue(slice: string, limits: ParseLimits): unknown {
  if (LONG_DIGITS.test(slice)) return decodeYamlDocument(slice, limits, true);
  return checkJsonValue(JSON.parse(slice), limits);
}

function decodeJsonStream(t: string, source: string, limits: ParseLimits, out: unknown[]): void {
  let pos = 0;
  let count = 0;
  for (;;) {
    while (pos < t.length && JSON_WS.has(t.charCodeAt(pos))) pos++;
    if (pos >= t.length) return;
    const end = jsonValueEnd(t, pos);
    let v: unknown;
    let ok = false;
    if (end !== -1) {
      try {
        v = parseJsonValue(t.slice(pos, end), limits);
        ok = true;
      } catch (e) {
        if (e instanceof DocumentError && e.limit) fail(source, e, count + 1);
        if (!(e instanceof SyntaxError || e instanceof DocumentError)) throw e;
      }
    }
    if (!ok) {
      // More than one JSON value makes it a JSON stream: no switching to YAML then.
      if (count > 1) fail(source, new DocumentError('invalid JSON', false, 0, pos - t.lastIndexOf('\n', pos - 1) - 1), count + 1, lineOf(t, pos));
      // Upstream eats whitespace up to and including the first newline before switching.
      let y = pos;
      while (y < t.length && /\s/.test(t.charAt(y))) {
        if (t.charAt(y++) === '\n') break;
      }
      decodeYamlStream(t.slice(y), source, limits, out, { doc: count, line: lineOf(t, y) });
      return;
    }
    if (++count > limits.maxDocuments) tooMany(source, limits);
    if (v !== null) out.push(v);
    pos = end;
  }
}

/**
 * Decodes a YAML or JSON manifest stream into plain values with Kubernetes' semantics,
 * skipping empty and null documents. Throws K8S_YAML_INVALID (`<source>: document N line L
 * column C: <reason>`) or LIMIT_EXCEEDED, and nothing else for any input.
 */
export function decodeStream(text: string, source: string, limits: Partial<ParseLimits> = {}): unknown[] {
  const l: ParseLimits = { ...DEFAULT_LIMITS, ...limits };
  if (text.length > l.maxBytes || (text.length * 3 > l.maxBytes && Buffer.byteLength(text) > l.maxBytes)) {
    throw new SyncgateError('LIMIT_EXCEEDED', `${source}: more than ${l.maxBytes} bytes`);
  }
  const out: unknown[] = [];
  try {
    if (text.charCodeAt(0) === 0xfeff) {
      decodeYamlStream(text.slice(1), source, l, out, { doc: 0, line: 1 });
    } else if (/^\s*\{/.test(text)) {
      decodeJsonStream(text, source, l, out);
    } else {
      decodeYamlStream(text, source, l, out, { doc: 0, line: 1 });
    }
  } catch (e) {
    if (e instanceof SyncgateError) throw e;
    // A parser bug must still be a coded refusal naming the file, never a crash.
    const msg = e instanceof RangeError ? 'too deeply nested or too large' : e instanceof Error ? e.message : String(e);
    throw new SyncgateError('K8S_YAML_INVALID', `${source}: ${msg}`, { cause: e });
  }
  return out;
}

/**
 * Decodes one JSON value (an AdmissionReview body) with the same bounds and exact integers as
 * decodeStream. Throws K8S_YAML_INVALID or LIMIT_EXCEEDED.
 */
export function decodeJson(text: string, source: string, limits: Partial<ParseLimits> = {}): unknown {
  const l: ParseLimits = { ...DEFAULT_LIMITS, ...limits };
  if (text.length > l.maxBytes || (text.length * 3 > l.maxBytes && Buffer.byteLength(text) > l.maxBytes)) {
    throw new SyncgateError('LIMIT_EXCEEDED', `${source}: more than ${l.maxBytes} bytes`);
  }
  let v: unknown;
  try {
    // V8's JSON.parse is iterative: it validates any depth without recursion.
    v = JSON.parse(text);
  } catch (e) {
    throw new SyncgateError('K8S_YAML_INVALID', `${source}: invalid JSON: ${e instanceof Error ? e.message.slice(0, 200) : 'syntax error'}`);
  }
  try {
    return LONG_DIGITS.test(text) ? decodeYamlDocument(text, l, true) : checkJsonValue(v, l);
  } catch (e) {
    if (e instanceof DocumentError) throw new SyncgateError(e.limit ? 'LIMIT_EXCEEDED' : 'K8S_YAML_INVALID', `${source}: ${e.message}`);
    throw new SyncgateError('K8S_YAML_INVALID', `${source}: ${e instanceof RangeError ? 'too deeply nested or too large' : 'invalid JSON'}`, { cause: e });
  }
}
