/**
 * Multi-pattern literal search (Aho–Corasick) over UTF-16 code units: every occurrence of any
 * registered string in one pass over the text, for any number and size of strings. Masking and
 * the SOPS stage's taint tracking both use it; nothing here builds a RegExp from its patterns
 * (V8 refuses an alternation of a 70 KB value and its error message quotes the pattern).
 */
interface Automaton {
  /** The trie child of state `s` for code unit `c`, -1 for none. */
  child: (s: number, c: number) => number;
  fail: Int32Array;
  /** Longest pattern ending at this state (own or through fail links); 0 for none. */
  longest: Int32Array;
  /** Index of that longest pattern, -1 for none. */
  which: Int32Array;
}

export class LiteralSet {
  private readonly patterns: string[] = [];
  private readonly seen = new Set<string>();
  private built: Automaton | undefined;

  /** Adds a literal; returns false when it was already there. */
  add(s: string): boolean {
    if (s === '' || this.seen.has(s)) return false;
    this.seen.add(s);
    this.patterns.push(s);
    this.built = undefined;
    return true;
  }

  get size(): number {
    return this.patterns.length;
  }

  has(s: string): boolean {
    return this.seen.has(s);
  }

  private build(): Automaton {
    let total = 1;
    for (const p of this.patterns) total += p.length;
    // A trie in flat arrays: children as a linked list per state, the root's as a direct table.
    const label = new Uint16Array(total);
    const firstChild = new Int32Array(total).fill(-1);
    const sibling = new Int32Array(total).fill(-1);
    const root = new Int32Array(65536).fill(-1);
    const longest = new Int32Array(total);
    const which = new Int32Array(total).fill(-1);
    // States near the root have many children (every base64 character) and are visited most:
    // states of depth 1 and 2 get a direct table for ASCII as well.
    const depth = new Uint8Array(total);
    const denseOf = new Int32Array(total).fill(-1);
    const dense: Int32Array[] = [];
    let states = 1;
    const child = (s: number, c: number): number => {
      if (s === 0) return root[c]!;
      if (c < 128) {
        const d = denseOf[s]!;
        if (d !== -1) return dense[d]![c]!;
      }
      for (let t = firstChild[s]!; t !== -1; t = sibling[t]!) if (label[t] === c) return t;
      return -1;
    };
    for (const [idx, p] of this.patterns.entries()) {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let t = child(s, c);
        if (t === -1) {
          t = states++;
          label[t] = c;
          depth[t] = Math.min(255, depth[s]! + 1);
          if (depth[t]! <= 2) {
            denseOf[t] = dense.length;
            dense.push(new Int32Array(128).fill(-1));
          }
          if (s === 0) root[c] = t;
          else if (c < 128 && denseOf[s] !== -1) dense[denseOf[s]!]![c] = t;
          sibling[t] = firstChild[s]!;
          firstChild[s] = t;
        }
        s = t;
      }
      if (p.length > longest[s]!) {
        longest[s] = p.length;
        which[s] = idx;
      }
    }
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    let qn = 0;
    for (let t = firstChild[0]!; t !== -1; t = sibling[t]!) queue[qn++] = t;
    for (let qi = 0; qi < qn; qi++) {
      const s = queue[qi]!;
      for (let t = firstChild[s]!; t !== -1; t = sibling[t]!) {
        const c = label[t]!;
        let f = fail[s]!;
        let g = child(f, c);
        while (g === -1 && f !== 0) {
          f = fail[f]!;
          g = child(f, c);
        }
        const ft = g === -1 ? 0 : g;
        fail[t] = ft;
        if (longest[ft]! > longest[t]!) {
          longest[t] = longest[ft]!;
          which[t] = which[ft]!;
        }
        queue[qn++] = t;
      }
    }
    return { child, fail, longest, which };
  }

  /**
   * Calls `hit(start, end, index)` for the longest literal ending at each position of `text`
   * where one ends (shorter ones ending there lie inside it). Stops when `hit` returns true.
   */
  scan(text: string, hit: (start: number, end: number, index: number) => boolean | undefined): void {
    if (this.patterns.length === 0 || text.length === 0) return;
    const a = (this.built ??= this.build());
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let t = a.child(s, c);
      while (t === -1 && s !== 0) {
        s = a.fail[s]!;
        t = a.child(s, c);
      }
      s = t === -1 ? 0 : t;
      const len = a.longest[s]!;
      if (len > 0 && hit(i + 1 - len, i + 1, a.which[s]!) === true) return;
    }
  }

  /** The registered literal at `index` (as scan reports it). */
  at(index: number): string {
    return this.patterns[index] ?? '';
  }

  /** Whether any literal occurs in `text`. */
  occursIn(text: string): boolean {
    let found = false;
    this.scan(text, () => (found = true));
    return found;
  }
}

/**
 * The base64 forms in which a value may appear: its own encoding (padded and not), and the parts
 * of the encoding that stay the same whatever the value's byte offset inside a longer encoded
 * text (a Secret's `data` of a whole config file that contains the value).
 */
export function base64Forms(value: string, minLength: number): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out = new Set<string>();
  const std = bytes.toString('base64');
  out.add(std);
  out.add(std.replace(/=+$/, ''));
  out.add(bytes.toString('base64url'));
  // Value at byte offset k (mod 3) of a longer encoded text: its characters from ceil(4k/3) up to
  // floor(4(k+n)/3) depend on the value's bytes only.
  for (let k = 0; k <= 2; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    out.add(enc.slice(Math.ceil((4 * k) / 3), Math.floor((4 * (k + bytes.length)) / 3)));
  }
  return [...out].filter((f) => f.length >= minLength);
}

const MASK = '*****';
// Masked spans this close, with only base64 characters between them, are masked as one: the
// base64 of a multi-line value leaves a few characters between its lines' forms (the newline's
// bits and its neighbours), which are still the value's.
const JOIN_GAP = 6;
const B64_GAP = /^[A-Za-z0-9+/=_-]+$/;
/** What a masked text becomes when masking itself fails: nothing of the original survives. */
export const MASK_FAILED = '[message withheld: masking failed]';

/**
 * A per-request mask of secret values (Flux `masktoken`): every plaintext the pipeline learns
 * (decrypted values, substituted secret values) is added with its base64 forms, and any text
 * that may echo input (tool stderr, error messages, reports) is passed through `mask` before it
 * leaves the process. The one masker of the project: no other module masks text.
 */
export class Redactor {
  private readonly literals = new LiteralSet();
  private readonly values = new Set<string>();

  /** Minimum length of a value worth masking; shorter values (`1`, `ab`) would mangle text. */
  static readonly MIN_LENGTH = 4;

  /**
   * Registers a secret value, its trimmed lines (so multi-line values mask line by line) and the
   * base64 forms of each.
   */
  add(value: string): void {
    if (value.length < Redactor.MIN_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    const candidates = value.includes('\n') ? [value, ...value.split(/\r?\n/)] : [value];
    for (const c of candidates) {
      const v = c.trim();
      if (v.length < Redactor.MIN_LENGTH) continue;
      this.literals.add(v);
      // Base64 forms shorter than 8 characters would mask ordinary words.
      for (const f of base64Forms(v, 8)) this.literals.add(f);
    }
  }

  /** Registers a value that arrived base64-encoded (Secret `data`): the text and what it decodes to. */
  addEncoded(encoded: string): void {
    this.add(encoded);
    const decoded = Buffer.from(encoded, 'base64');
    // Binary data decodes to text with replacement characters: mask its UTF-8 lines only when clean.
    const text = decoded.toString('utf8');
    if (!text.includes('\uFFFD')) this.add(text);
  }

  /**
   * Registers every value of a Secret-shaped object: `stringData` as is, `data` and
   * `binaryData` both encoded and decoded. Other objects: every string under `data`.
   */
  addSecretObject(obj: Record<string, unknown>): void {
    const strings = (v: unknown, f: (s: string) => void): void => {
      if (typeof v === 'string') f(v);
      else if (Array.isArray(v)) for (const x of v) strings(x, f);
      else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) strings(x, f);
    };
    if (obj['kind'] === 'Secret') {
      strings(obj['stringData'], (s) => this.add(s));
      for (const field of ['data', 'binaryData']) strings(obj[field], (s) => this.addEncoded(s));
    } else strings(obj['data'], (s) => this.add(s));
  }

  /** Number of registered values. */
  get size(): number {
    return this.values.size;
  }

  /**
   * Replaces every registered value (any overlap of them) in `text` with `*****`. Never throws
   * and never returns unmasked text: if masking fails, the whole text is withheld.
   */
  mask(text: string): string {
    if (this.literals.size === 0 || text.length === 0) return text;
    try {
      const spans: [number, number][] = [];
      this.literals.scan(text, (start, end) => {
        // A long match may cover several earlier spans (a certificate and its own lines).
        let s = start;
        let e = end;
        for (let last = spans.at(-1); last && (s <= last[1] || (s - last[1] <= JOIN_GAP && B64_GAP.test(text.slice(last[1], s)))); last = spans.at(-1)) {
          s = Math.min(s, last[0]);
          e = Math.max(e, last[1]);
          spans.pop();
        }
        spans.push([s, e]);
        return false;
      });
      if (spans.length === 0) return text;
      let out = '';
      let pos = 0;
      for (const [s, e] of spans) {
        out += text.slice(pos, s) + MASK;
        pos = e;
      }
      return out + text.slice(pos);
    } catch {
      return MASK_FAILED;
    }
  }

  /**
   * `mask` applied to every string inside plain data (error details, log fields), keys included.
   * Masking a JSON serialisation instead misses a secret holding a quote or a backslash (escaped
   * there) and breaks the JSON where a secret happens to match its punctuation.
   */
  maskValue(value: unknown): unknown {
    if (this.literals.size === 0) return value;
    try {
      return this.maskDeep(value, 0);
    } catch {
      return MASK_FAILED;
    }
  }

  private maskDeep(value: unknown, depth: number): unknown {
    if (depth > 100) return MASK_FAILED;
    if (typeof value === 'string') return this.mask(value);
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v, depth + 1));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.mask(k), this.maskDeep(v, depth + 1)]));
    }
    return value;
  }
}
