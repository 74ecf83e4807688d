// Flux postBuild `${...}` expansion, written from kustomize-controller's documented behaviour and
// pinned by test/unit/flux/expand.test.ts. A small recursive-descent parser turns the text into
// thunks (`document` for text, `expression` for one `${...}`) and evaluates them once all of it
// parsed. Where Flux differs from bash (no bare `-`, `$$` anywhere, empty values take defaults) we
// follow Flux: the gate must judge the text Flux applies, not a variant of it.

/** Thrown for a malformed `${...}` expression or, in strict mode, an unset variable. */
export class EnvsubstError extends Error {
  /** The unset variable, for strict-mode errors. */
  readonly variable: string | undefined;
  constructor(message: string, variable?: string) {
    super(message);
    this.name = 'EnvsubstError';
    this.variable = variable;
  }
}

/** Resolves a variable: its value and whether it exists (strict mode fails on `false`). */
export type Mapping = (name: string) => [value: string, exists: boolean];

const BAD = 'bad substitution';
const NO_BRACE = 'missing closing brace';
const NO_NAME = 'unable to parse variable name';
const BAD_ARG = 'unable to parse substitution within function';
const TOO_DEEP = 'expression nested too deeply';
const NAME = /[\p{L}\p{Nd}_]*/uy;
// Go's stack grows, ours does not: refuse absurd nesting with a coded error instead of a RangeError.
const MAX_DEPTH = 200;

/** Expands every `${...}` in `text`; `$$` becomes `$` and `$name` is left as it is. */
export function envsubst(text: string, mapping: Mapping): string {
  return new Expander(text, mapping).document();
}

/** A parsed piece of text, evaluated once the whole input has parsed (syntax errors win over unset variables). */
type Thunk = () => string;

class Expander {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly mapping: Mapping,
  ) {}

  document(): string {
    const parts: Thunk[] = [];
    for (let at = this.src.indexOf('$'); at >= 0; at = this.src.indexOf('$', this.i)) {
      const text = this.src.slice(this.i, at);
      parts.push(() => text);
      const next = this.src[at + 1];
      this.i = at + (next === '$' || next === '{' ? 2 : 1);
      parts.push(next === '{' ? this.expression() : () => '$');
    }
    const rest = this.src.slice(this.i);
    return parts.map((f) => f()).join('') + rest;
  }

  /** Parses one expression; the cursor is just past `${` and ends past its `}`. */
  private expression(): Thunk {
    if (this.depth >= MAX_DEPTH) throw new EnvsubstError(TOO_DEEP);
    this.depth++;
    try {
      return this.operator();
    } finally {
      this.depth--;
    }
  }

  private operator(): Thunk {
    if (this.eat('#')) {
      const name = this.name();
      if (name === '' || !this.eat('}')) throw new EnvsubstError(BAD);
      return () => String(Buffer.byteLength(this.value(name)));
    }
    const name = this.name();
    if (name === '') throw new EnvsubstError(NO_NAME);
    const op = this.src[this.i++];
    switch (op) {
      case '}':
        return () => this.value(name);
      case '^':
      case ',': {
        const twice = this.src[this.i] === '^' || this.src[this.i] === ',' ? this.src[this.i++] : undefined;
        if (!this.eat('}')) throw new EnvsubstError(BAD);
        return () =>
          changeCase(
            this.value(name),
            op === '^',
            twice === undefined ? 'first' : twice === op ? 'all' : 'none',
          );
      }
      case '=':
        return this.orDefault(name, this.defaultArg());
      case ':':
        if (this.eat('-') || this.eat('=') || this.eat('+') || this.eat('?'))
          return this.orDefault(name, this.defaultArg());
        return this.substring(name);
      case '#':
      case '%': {
        const longest = this.eat(op);
        const pattern = this.operand('}');
        if (pattern === null) throw new EnvsubstError(BAD_ARG);
        this.i++;
        const strip = op === '#' ? stripPrefix : stripSuffix;
        return () => {
          const p = pattern();
          return strip(this.value(name), p, longest);
        };
      }
      case '/': {
        const anchor = this.eat('/') ? 'all' : this.eat('#') ? 'prefix' : this.eat('%') ? 'suffix' : 'first';
        const pattern = this.operand('/}', true);
        if (!this.eat('/')) throw new EnvsubstError(BAD);
        const replacement = this.operand('}', true);
        this.i++;
        return () => {
          const [p, r] = [pattern?.() ?? '', replacement?.() ?? ''];
          return replace(this.value(name), p, r, anchor);
        };
      }
      default:
        throw new EnvsubstError(NO_BRACE);
    }
  }

  /** `${name:offset}` / `${name:offset:length}`; arguments that are not integers leave the value as is. */
  private substring(name: string): Thunk {
    const args: Thunk[] = [];
    do {
      const arg = this.operand(':}');
      if (arg === null) throw new EnvsubstError(BAD_ARG);
      args.push(arg);
    } while (this.src[this.i++] === ':');
    return () => {
      const nums = args.map((a) => a()).map((a) => (/^[+-]?\d+$/.test(a) ? Number(a) : NaN));
      const value = this.value(name);
      const [from, len] = nums;
      if (nums.length > 2 || from === undefined || Number.isNaN(from) || Number.isNaN(len)) return value;
      // Flux counts bytes, not characters: a cut inside a multi-byte character yields U+FFFD.
      const bytes = Buffer.from(value);
      const start = from < 0 ? Math.max(0, bytes.length + from) : from;
      const end = len === undefined ? bytes.length : len < 0 ? bytes.length + len : start + len;
      return start >= bytes.length || end <= start ? '' : bytes.subarray(start, end).toString();
    };
  }

  /** A default-operator argument: text up to the matching `}`, with nested `${...}` expanded. */
  private defaultArg(): Thunk {
    const parts: Thunk[] = [];
    let text = '';
    while (this.i < this.src.length) {
      const c = this.src[this.i++];
      if (c === '}') {
        return () => parts.map((f) => f()).join('') + text;
      } else if (c === '$' && this.eat('{')) {
        const literal = text;
        parts.push(() => literal, this.expression());
        text = '';
      } else text += c ?? '';
    }
    throw new EnvsubstError(BAD_ARG);
  }

  /**
   * An operator argument: either plain text or one whole `${...}`, ending before one of `stops`;
   * null when empty. With `escapes` (replace operands), `\/`, `\\` and `$$` stand for `/`, `\` and `$`.
   */
  private operand(stops: string, escapes = false): Thunk | null {
    let arg: Thunk | null = null;
    if (this.src.startsWith('${', this.i)) {
      this.i += 2;
      arg = this.expression();
    } else {
      let text = '';
      while (
        this.i < this.src.length &&
        !stops.includes(this.src[this.i] ?? '') &&
        !this.src.startsWith('${', this.i)
      ) {
        const pair = this.src.slice(this.i, this.i + 2);
        const escaped = escapes && (pair === '\\/' || pair === '\\\\' || pair === '$$');
        text += escaped ? pair.slice(1) : pair.slice(0, 1);
        this.i += escaped ? 2 : 1;
      }
      // An operand that is empty because the input ended reads as a missing argument.
      if (this.i >= this.src.length && text === '') throw new EnvsubstError(BAD_ARG);
      if (text !== '') arg = () => text;
    }
    // Mixing text and `${...}` in one operand, or running off the end, is malformed.
    if (this.i >= this.src.length || !stops.includes(this.src[this.i] ?? '')) throw new EnvsubstError(BAD);
    return arg;
  }

  private name(): string {
    NAME.lastIndex = this.i;
    const name = NAME.exec(this.src)?.[0] ?? '';
    this.i += name.length;
    return name;
  }

  private eat(c: string): boolean {
    if (this.src[this.i] !== c) return false;
    this.i++;
    return true;
  }

  private value(name: string): string {
    const [value, exists] = this.mapping(name);
    if (!exists) throw new EnvsubstError(`variable not set (strict mode): ${JSON.stringify(name)}`, name);
    return value;
  }

  /** Every default operator (`=`, `:=`, `:-`, `:+`, `:?`) substitutes when the value is empty or unset. */
  private orDefault(name: string, fallback: Thunk): Thunk {
    return () => {
      const alt = fallback();
      const [value] = this.mapping(name);
      return value === '' ? alt : value;
    };
  }
}

/** Go walks strings by rune (code point), not by grapheme; so do the operators below. */
function runes(s: string): string[] {
  return Array.from(s);
}

/** `^`/`,` (first character) and `^^`/`,,` (all); mixed `^,` leaves the value alone, as in Flux. */
function changeCase(value: string, upper: boolean, scope: 'first' | 'all' | 'none'): string {
  // Go maps one code point to one code point (ß stays ß); JS may expand it, so keep the original then.
  const one = (c: string): string => {
    const m = runes(upper ? c.toUpperCase() : c.toLowerCase());
    return m.length === 1 ? (m[0] ?? c) : upper ? c : (m[0] ?? c);
  };
  const chars = runes(value);
  if (scope === 'none' || chars.length === 0) return value;
  if (scope === 'first') return one(chars[0] ?? '') + chars.slice(1).join('');
  return chars.map(one).join('');
}

function replace(
  value: string,
  pattern: string,
  replacement: string,
  anchor: 'first' | 'all' | 'prefix' | 'suffix',
): string {
  switch (anchor) {
    case 'first':
      return value.replace(pattern, () => replacement);
    case 'all':
      return pattern === '' ? runes(value).join(replacement) : value.split(pattern).join(replacement);
    // Flux leaves the value alone when an anchored replacement is empty (`${v/#prefix/}`).
    case 'prefix':
      return replacement !== '' && value.startsWith(pattern)
        ? replacement + value.slice(pattern.length)
        : value;
    case 'suffix':
      return replacement !== '' && value.endsWith(pattern)
        ? value.slice(0, value.length - pattern.length) + replacement
        : value;
  }
}

/** `#`/`##`: drops the shortest/longest non-empty leading run of characters that the glob matches. */
function stripPrefix(value: string, pattern: string, longest: boolean): string {
  const chars = runes(value);
  const cut = matchPrefix(pattern, chars, longest);
  return cut === 0 ? value : chars.slice(cut).join('');
}

/** `%`/`%%`: Flux matches the mirrored pattern against the mirrored value, so `[...]` and `\` read backwards. */
function stripSuffix(value: string, pattern: string, longest: boolean): string {
  const chars = runes(value).reverse();
  const cut = matchPrefix(runes(pattern).reverse().join(''), chars, longest);
  return cut === 0 ? value : chars.slice(cut).reverse().join('');
}

type Token = { star: true } | { star: false; test: (c: string) => boolean };

/**
 * Runs the glob as a set of pattern positions over `chars` (linear in the value, no backtracking),
 * returning the length of the shortest or longest matching prefix, or 0 for none.
 */
function matchPrefix(pattern: string, chars: readonly string[], longest: boolean): number {
  const tokens = compileGlob(pattern);
  if (tokens === null) return 0;
  const close = (set: Set<number>): Set<number> => {
    for (const j of set) if (tokens[j]?.star === true) set.add(j + 1);
    return set;
  };
  let states = close(new Set([0]));
  let best = 0;
  for (let n = 0; n < chars.length && states.size > 0; n++) {
    const c = chars[n] ?? '';
    const next = new Set<number>();
    for (const j of states) {
      const t = tokens[j];
      if (t === undefined) continue;
      if (t.star) next.add(j);
      else if (t.test(c)) next.add(j + 1);
    }
    states = close(next);
    if (states.has(tokens.length)) {
      best = n + 1;
      if (!longest) break;
    }
  }
  return best;
}

/** `*` any run, `?` one character, `[...]`/`[^...]` a class with ranges, `\x` a literal x; null when malformed. */
function compileGlob(pattern: string): Token[] | null {
  const p = runes(pattern);
  const tokens: Token[] = [];
  for (let k = 0; k < p.length; k++) {
    const c = p[k] ?? '';
    if (c === '*') tokens.push({ star: true });
    else if (c === '?') tokens.push({ star: false, test: () => true });
    else if (c === '\\') {
      const lit = p[++k];
      if (lit === undefined) return null;
      tokens.push({ star: false, test: (x) => x === lit });
    } else if (c === '[') {
      const negate = p[k + 1] === '^';
      const ranges: [number, number][] = [];
      for (k += negate ? 2 : 1; p[k] !== ']'; k++) {
        let lo = p[k];
        if (lo === '\\') lo = p[++k];
        if (lo === undefined) return null;
        let hi = lo;
        if (p[k + 1] === '-' && p[k + 2] !== ']' && p[k + 2] !== undefined) {
          hi = p[k + 2] === '\\' ? (p[k + 3] ?? '') : (p[k + 2] ?? '');
          k += p[k + 2] === '\\' ? 3 : 2;
        }
        ranges.push([lo.codePointAt(0) ?? 0, hi.codePointAt(0) ?? 0]);
      }
      tokens.push({
        star: false,
        test: (x) =>
          ranges.some(([lo, hi]) => lo <= (x.codePointAt(0) ?? -1) && (x.codePointAt(0) ?? -1) <= hi) !==
          negate,
      });
    } else tokens.push({ star: false, test: (x) => x === c });
  }
  return tokens;
}
