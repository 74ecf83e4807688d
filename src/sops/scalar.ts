import type { Scalar } from './tree.js';

// go-yaml v3 resolves plain scalars with YAML 1.2 core rules plus Go's ParseInt(base 0);
// sops hashes the *Go* value, so a cleartext value must be typed exactly as go-yaml types it.
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const FLOATS: Record<string, number> = {
  '.inf': Infinity, '.Inf': Infinity, '.INF': Infinity,
  '+.inf': Infinity, '+.Inf': Infinity, '+.INF': Infinity,
  '-.inf': -Infinity, '-.Inf': -Infinity, '-.INF': -Infinity,
  '.nan': NaN, '.NaN': NaN, '.NAN': NaN,
};
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// go-yaml v3 allowedTimestampFormats: RFC 3339 (`T` or `t`, zone `Z` or `±hh:mm`), a single space
// with no zone, or a date; fields may be short (`2006-1-2T15:4:5`); Go's time.Parse checks ranges.
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[-+]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?))?$/;

function parseGoInt(text: string): bigint | undefined {
  if (!GO_INT.test(text)) return undefined;
  const neg = text.startsWith('-');
  let body = text.replace(/^[-+]/, '');
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (/^0[bB]/.test(body)) v = BigInt(body);
  else if (/^0[oO]/.test(body)) v = BigInt(body.toLowerCase());
  else if (/^0[0-7]+$/.test(body)) {
    body = body.slice(1);
    v = BigInt(`0o${body}`);
  } else v = BigInt(body);
  if (neg) v = -v;
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** Go `strconv.Atoi` (what sops reads an `int` ciphertext with): decimal, optional sign, int64 range. */
export function parseGoInt10(s: string): bigint | undefined {
  if (!/^[-+]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

/**
 * Go `strconv.ParseFloat(s, 64)` (what sops reads a `float` ciphertext with): decimal and hex
 * floats, `Inf`/`Infinity`/`NaN` in any case with a sign; sops writes `+Inf`, `-Inf`, `NaN`.
 */
export function parseGoFloat(s: string): number | undefined {
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return special[1] === '' ? NaN : undefined;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const body = s.replace(/^[-+]/, '');
  const neg = s.startsWith('-');
  // Underscores are allowed between digits (Go 1.13 literal syntax) only with a base prefix.
  const hex = /^0[xX]((?:[0-9a-fA-F]_?)*[0-9a-fA-F]?)(?:\.((?:[0-9a-fA-F]_?)*))?[pP]([-+]?[0-9]+)$/.exec(body);
  if (hex) {
    const mant = `${hex[1] ?? ''}${hex[2] ?? ''}`.replace(/_/g, '');
    if (mant === '') return undefined;
    const v = Number.parseInt(mant, 16) * 2 ** (Number(hex[3]) - 4 * (hex[2] ?? '').replace(/_/g, '').length);
    return neg ? -v : v;
  }
  if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(body)) return undefined;
  const v = Number(body);
  return neg ? -v : v;
}

/** Go `strconv.ParseBool` (what sops reads a `bool` ciphertext with). */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Canonical `time.Time.MarshalText` (RFC 3339 with trimmed nanoseconds) of a YAML timestamp. */
export function goTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const h = m[4] ?? m[9];
  const mi = m[5] ?? m[10];
  const sec = m[6] ?? m[11];
  const frac = m[7] ?? m[12];
  const zone = m[8];
  const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > days) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)) return undefined;
  if (zone !== undefined && zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return undefined;
  const p2 = (v: string | undefined): string => (v ?? '0').padStart(2, '0');
  const date = `${y}-${p2(mo)}-${p2(d)}`;
  if (h === undefined) return `${date}T00:00:00Z`;
  const fr = frac ? frac.slice(0, 9).replace(/0+$/, '') : '';
  const z = zone === undefined || zone === 'Z' || zone.slice(1) === '00:00' ? 'Z' : zone;
  return `${date}T${p2(h)}:${p2(mi)}:${p2(sec)}${fr ? `.${fr}` : ''}${z}`;
}

/** Types a plain (unquoted, untagged) YAML scalar the way go-yaml v3 does; `null` for nulls. */
export function resolvePlain(text: string): Scalar | null {
  if (NULLS.has(text)) return null;
  const b = BOOLS[text];
  if (b !== undefined) return { t: 'bool', b };
  const f = FLOATS[text];
  if (f !== undefined) return { t: 'float', f };
  const c = text.charAt(0);
  if ((c >= '0' && c <= '9') || c === '-' || c === '+' || c === '.') {
    if (c >= '0' && c <= '9') {
      const ts = goTimestamp(text);
      if (ts !== undefined) return { t: 'time', s: ts };
    }
    const plain = text.replace(/_/g, '');
    const n = parseGoInt(plain);
    if (n !== undefined) return { t: 'int', n };
    if (YAML_FLOAT.test(plain)) return { t: 'float', f: Number(plain) };
  }
  return { t: 'str', s: text };
}

/** Go `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (Object.is(f, -0)) return '-0';
  const s = String(f);
  const m = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, rest = '', expS] = m;
  const digits = `${lead}${rest}`;
  const exp = Number(expS);
  if (exp >= 0) {
    const intLen = 1 + exp;
    return digits.length <= intLen ? `${sign}${digits.padEnd(intLen, '0')}` : `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** The bytes sops' `ToBytes` feeds into the MAC for a value. */
export function macBytes(v: Scalar): Buffer {
  switch (v.t) {
    case 'str':
      return Buffer.from(v.s, 'utf8');
    case 'int':
      return Buffer.from(v.n.toString(), 'utf8');
    case 'float':
      return Buffer.from(goFloat(v.f), 'utf8');
    case 'bool':
      return Buffer.from(v.b ? 'True' : 'False', 'utf8');
    case 'time':
      return Buffer.from(v.s, 'utf8');
    case 'bytes':
      return v.buf;
  }
}

/**
 * A scalar as a JS value for output objects: an int beyond ±(2^53−1) is a bigint, as the shared
 * codec (src/k8s) reads one, so the emitted object holds the integer sops gives, exactly.
 */
export function scalarToJs(v: Scalar): string | number | bigint | boolean {
  switch (v.t) {
    case 'str':
      return v.s;
    case 'int':
      return v.n >= BigInt(Number.MIN_SAFE_INTEGER) && v.n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.n) : v.n;
    case 'float':
      return v.f;
    case 'bool':
      return v.b;
    case 'time':
      return v.s;
    case 'bytes':
      return v.buf.toString('utf8');
  }
}

/** Text of a scalar as dotenv/INI write it (sops `ValToString`). */
export function scalarToText(v: Scalar): string {
  if (v.t === 'bool') return v.b ? 'true' : 'false';
  if (v.t === 'bytes') return v.buf.toString('utf8');
  return macBytes(v).toString('utf8');
}
