// A port of github.com/fluxcd/pkg/envsubst (itself a fork of drone/envsubst), the expander
// kustomize-controller runs for postBuild. It is ported scanner-for-scanner on purpose: the
// odd corners (`$$` anywhere becomes `$`, `${v-d}` and `${v:-d}` both default on empty, `+`/`?`
// act like defaults) must match what Flux applies, not what bash would do.

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

type Node = { t: 'text'; v: string } | { t: 'func'; param: string; name: string; args: Node[] } | { t: 'list'; nodes: Node[] };

const EMPTY: Node = { t: 'text', v: '' };

const enum Tok {
  Illegal,
  EOF,
  Ident,
  Lbrack,
  Rbrack,
}
const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;
const ESC_DOLLAR = 1;
const ESC_BACKSLASH = 2;
const ESC_ALL = ESC_DOLLAR | ESC_BACKSLASH;

type Accept = (r: string, i: number) => boolean;

const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => /^[\p{L}\p{Nd}_]$/u.test(r);
const acceptColon: Accept = (r) => r === ':';
const acceptOneHash: Accept = (r, i) => r === '#' && i === 1;
const acceptNotClosing: Accept = (r) => r !== '}';
const acceptHashFunc: Accept = (r, i) => r === '#' && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === '%' && i < 3;
const acceptDefaultFunc: Accept = (r, i) => (i === 1 && r === ':') || (i === 2 && '=-?+'.includes(r));
const acceptReplaceFunc: Accept = (r, i) => (i === 1 && r === '/') || (i === 2 && '/#%'.includes(r));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === '=';
const acceptOneColon: Accept = (r, i) => i === 1 && r === ':';
const rejectColonClose: Accept = (r) => r !== ':' && r !== '}';
const acceptSlash: Accept = (r) => r === '/';
const acceptNotSlash: Accept = (r) => r !== '/';
const acceptCasingFunc: Accept = (r, i) => (r === ',' || r === '^') && i < 3;

/** The scanner works on code points of `buf`, which `skip` edits in place like the Go one. */
class Scanner {
  buf: string[] = [];
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = acceptRune;

  init(s: string): void {
    this.buf = Array.from(s);
    this.pos = 0;
    this.start = 0;
    this.width = 0;
  }
  read(): string {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return '';
    }
    this.width = 1;
    return this.buf[this.pos++]!;
  }
  unread(): void {
    this.pos -= this.width;
  }
  skip(): void {
    this.buf.splice(this.pos - 1, 1);
  }
  peek(): string {
    const r = this.read();
    this.unread();
    return r;
  }
  string(): string {
    return this.buf.slice(this.start, this.pos).join('');
  }
  scan(): Tok {
    this.start = this.pos;
    const r = this.read();
    if (r === '') return Tok.EOF;
    if (this.scanLbrack(r)) return Tok.Lbrack;
    if (this.scanRbrack(r)) return Tok.Rbrack;
    if (this.scanIdent(r)) return Tok.Ident;
    return Tok.Illegal;
  }
  private scanIdent(first: string): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(first)) this.skip();
    else if (!this.accept(first, this.pos - this.start)) return false;
    for (;;) {
      const r = this.read();
      if (r === '') {
        this.unread();
        break;
      }
      if (this.scanLbrack(r)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(r)) {
        this.skip();
        continue;
      }
      if (!this.accept(r, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }
  private scanLbrack(r: string): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === '$') {
      if (this.read() === '{') return true;
      this.unread();
    }
    return false;
  }
  private scanRbrack(r: string): boolean {
    return (this.mode & SCAN_RBRACK) !== 0 && r === '}';
  }
  private scanEscaped(r: string): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === '$' && (this.escapeChars & ESC_DOLLAR) !== 0 && this.peek() === '$') return true;
    if (r === '\\' && (this.escapeChars & ESC_BACKSLASH) !== 0) {
      const p = this.peek();
      return p === '/' || p === '\\';
    }
    return false;
  }
}

const ERR_BAD = 'bad substitution';
const ERR_BRACE = 'missing closing brace';
const ERR_NAME = 'unable to parse variable name';
const ERR_FUNC = 'unable to parse substitution within function';
const ERR_DEFAULT = 'unable to parse default function';

class Parser {
  private readonly s = new Scanner();

  parse(buf: string): Node {
    this.s.init(buf);
    return this.parseAny();
  }

  private parseAny(): Node {
    const s = this.s;
    s.accept = acceptRune;
    s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
    s.escapeChars = ESC_DOLLAR;
    switch (s.scan()) {
      case Tok.Ident: {
        const left: Node = { t: 'text', v: s.string() };
        const right = this.parseAny();
        return right === EMPTY ? left : { t: 'list', nodes: [left, right] };
      }
      case Tok.EOF:
        return EMPTY;
      case Tok.Lbrack: {
        const left = this.parseFunc();
        const right = this.parseAny();
        return right === EMPTY ? left : { t: 'list', nodes: [left, right] };
      }
      default:
        throw new EnvsubstError(ERR_BAD);
    }
  }

  private parseFunc(): Node {
    const s = this.s;
    s.escapeChars = ESC_ALL;
    if (s.peek() === '#') return this.parseLenFunc();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_NAME);
    const name = s.string();
    switch (s.peek()) {
      case ':':
        return this.parseDefaultOrSubstr(name);
      case '=':
        return this.parseDefaultFunc(name);
      case ',':
      case '^':
        return this.parseCasingFunc(name);
      case '/':
        return this.parseReplaceFunc(name);
      case '#':
        return this.parseRemoveFunc(name, acceptHashFunc);
      case '%':
        return this.parseRemoveFunc(name, acceptPercentFunc);
    }
    s.accept = acceptIdent;
    s.mode = SCAN_RBRACK;
    if (s.scan() === Tok.Rbrack) return { t: 'func', param: name, name: '', args: [] };
    throw new EnvsubstError(ERR_BRACE);
  }

  private parseParam(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    switch (s.scan()) {
      case Tok.Lbrack:
        return this.parseFunc();
      case Tok.Ident:
      case Tok.Rbrack:
        return { t: 'text', v: s.string() };
      default:
        throw new EnvsubstError(ERR_FUNC);
    }
  }

  private parseDefaultOrSubstr(name: string): Node {
    const s = this.s;
    s.read();
    const r = s.peek();
    s.unread();
    return '=-?+'.includes(r) && r !== '' ? this.parseDefaultFunc(name) : this.parseSubstrFunc(name);
  }

  private parseSubstrFunc(param: string): Node {
    const s = this.s;
    s.accept = acceptOneColon;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    const node = { t: 'func' as const, param, name: s.string(), args: [] as Node[] };
    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));
    s.accept = acceptColon;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    const t = s.scan();
    if (t === Tok.Rbrack) return node;
    if (t !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseRemoveFunc(param: string, accept: Accept): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    const node = { t: 'func' as const, param, name: s.string(), args: [] as Node[] };
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseReplaceFunc(param: string): Node {
    const s = this.s;
    s.accept = acceptReplaceFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    const node = { t: 'func' as const, param, name: s.string(), args: [] as Node[] };
    if (s.peek() === '/') node.args.push({ t: 'text', v: '' });
    else node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    s.accept = acceptSlash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    if (s.peek() === '}') {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  private parseDefaultFunc(param: string): Node {
    const s = this.s;
    s.accept = s.peek() === '=' ? acceptOneEqual : acceptDefaultFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_DEFAULT);
    const node = { t: 'func' as const, param, name: s.string(), args: [] as Node[] };
    for (;;) {
      if (s.peek() === '}') {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }

  private parseCasingFunc(param: string): Node {
    const s = this.s;
    s.accept = acceptCasingFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    const node = { t: 'func' as const, param, name: s.string(), args: [] };
    this.consumeRbrack();
    return node;
  }

  private parseLenFunc(): Node {
    const s = this.s;
    s.accept = acceptOneHash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    const name = s.string();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Tok.Ident) throw new EnvsubstError(ERR_BAD);
    const node = { t: 'func' as const, param: s.string(), name, args: [] };
    this.consumeRbrack();
    return node;
  }

  private consumeRbrack(): void {
    this.s.mode = SCAN_RBRACK;
    if (this.s.scan() !== Tok.Rbrack) throw new EnvsubstError(ERR_BAD);
  }
}

// Go strings are byte strings: lengths and offsets of ${#v} and ${v:n:m} count UTF-8 bytes.
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

function toSubstr(s: string, args: string[]): string {
  const b = utf8(s);
  const atoi = (a: string): number | undefined => (/^[+-]?\d+$/.test(a) ? Number(a) : undefined);
  let pos = atoi(args[0] ?? '');
  if (pos === undefined) return s;
  if (pos < 0) pos = Math.max(0, b.length + pos);
  if (args.length === 1) return pos < b.length ? b.subarray(pos).toString('utf8') : '';
  const length = atoi(args[1] ?? '');
  if (length === undefined) return s;
  if (length < 0) {
    const end = b.length + length;
    return end < pos ? '' : b.subarray(pos, end).toString('utf8');
  }
  if (pos + length >= b.length) return pos < b.length ? b.subarray(pos).toString('utf8') : '';
  return b.subarray(pos, pos + length).toString('utf8');
}

/** fluxcd/pkg envsubst/path.Match: a shell glob where `*` also matches `/`. */
function globMatch(pattern: string, name: string): boolean | undefined {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\') {
      const n = pattern[++i];
      if (n === undefined) return undefined;
      re += n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/\\/g, '\\\\');
      else cls = cls.replace(/\\/g, '\\\\');
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(re + '$').test(name);
  } catch {
    return undefined;
  }
}

function trimShortest(s: string, arg: string): string {
  let shortest = '';
  for (let i = 0; i < s.length; i++) {
    const m = globMatch(arg, s.slice(0, s.length - i));
    if (m === undefined) return s;
    if (m) shortest = s.slice(0, s.length - i);
  }
  return shortest !== '' ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, arg: string): string {
  for (let i = 0; i < s.length; i++) {
    const m = globMatch(arg, s.slice(0, s.length - i));
    if (m === undefined) return s;
    if (m) return s.slice(s.length - i);
  }
  return s;
}

const reverse = (s: string): string => Array.from(s).reverse().join('');

function applyFunc(name: string, v: string, args: string[]): string {
  switch (name) {
    case ',':
      return v === '' ? v : Array.from(v)[0]!.toLowerCase() + Array.from(v).slice(1).join('');
    case ',,':
      return v.toLowerCase();
    case '^':
      return v === '' ? v : Array.from(v)[0]!.toUpperCase() + Array.from(v).slice(1).join('');
    case '^^':
      return v.toUpperCase();
    case '#':
      return args.length === 0 ? String(utf8(v).length) : trimShortest(v, args[0]!);
    case '##':
      return args.length ? trimLongest(v, args[0]!) : v;
    case '%':
      return args.length ? reverse(trimShortest(reverse(v), reverse(args[0]!))) : v;
    case '%%':
      return args.length ? reverse(trimLongest(reverse(v), reverse(args[0]!))) : v;
    case ':':
      return args.length ? toSubstr(v, args) : v;
    case '/#':
      return args.length === 2 && v.startsWith(args[0]!) ? args[1]! + v.slice(args[0]!.length) : v;
    case '/%':
      return args.length === 2 && v.endsWith(args[0]!) ? v.slice(0, v.length - args[0]!.length) + args[1]! : v;
    case '/':
      return args.length === 0 ? v : v.replace(args[0]!, () => args[1] ?? '');
    case '//':
      return args.length === 0 ? v : v.split(args[0]!).join(args[1] ?? '');
    default:
      // `=`, `:=`, `-`, `:-`, and also `+`, `:+`, `?`, `:?` (Flux maps them all to the default).
      return v.length === 0 && args.length > 0 ? args.join('') : v;
  }
}

const DEFAULT_OPS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

function evaluate(node: Node, mapping: Mapping, out: string[]): void {
  switch (node.t) {
    case 'text':
      out.push(node.v);
      return;
    case 'list':
      for (const n of node.nodes) evaluate(n, mapping, out);
      return;
    case 'func': {
      const args = node.args.map((a) => {
        const buf: string[] = [];
        evaluate(a, mapping, buf);
        return buf.join('');
      });
      const [v, exists] = mapping(node.param);
      if (!exists && !DEFAULT_OPS.has(node.name)) {
        throw new EnvsubstError(`variable not set (strict mode): ${JSON.stringify(node.param)}`, node.param);
      }
      out.push(applyFunc(node.name, v, args));
    }
  }
}

/** Expands `${...}` in `text` the way Flux's envsubst does. Throws EnvsubstError. */
export function envsubst(text: string, mapping: Mapping): string {
  const tree = new Parser().parse(text);
  const out: string[] = [];
  evaluate(tree, mapping, out);
  return out.join('');
}
