// The scalar table of Kubernetes' YAML decoder: go-yaml v2's resolver (go.yaml.in/yaml/v2
// resolve.go, as vendored by sigs.k8s.io/yaml v1.6.0) followed by sigs.k8s.io/yaml's conversion
// to JSON. Every row is checked against the upstream library in test/fixtures/codec/upstream.json.
//
// The traps this table encodes (a plain scalar, i.e. unquoted and untagged):
// - ints are Go's strconv.ParseInt(s, 0, 64) after removing every `_`: 0o17, 0O17, 017, 0x1F,
//   0b101 are all 15/31/5; `08` is not octal, so it becomes the float 8;
// - integers keep their exact value: beyond ±(2^53-1) they are bigints (never rounded); past
//   uint64 they become floats, as upstream does;
// - y/Y/yes/Yes/YES/n/N/no/No/NO/on/On/ON/off/Off/OFF/true/True/TRUE/false/False/FALSE are bools;
// - ~, null, Null, NULL and the empty scalar are null;
// - .inf/.nan spellings are floats, which JSON cannot hold: the document is refused;
// - timestamps (2001-12-14) and sexagesimal numbers (1:0, 190:20:30) stay strings.

/** Thrown for a scalar Kubernetes' decoder refuses; the caller adds file and position. */
export class ScalarError extends Error {}

export const TAG = 'tag:yaml.org,2002:';
const STR = `${TAG}str`;
const INT = `${TAG}int`;
const FLOAT = `${TAG}float`;
const BOOL = `${TAG}bool`;
const NULL = `${TAG}null`;
const TIMESTAMP = `${TAG}timestamp`;
const BINARY = `${TAG}binary`;

/** What go-yaml v2 resolved a scalar to; `int`/`uint` values are bigints. */
export type Resolved =
  | { kind: 'str'; value: string }
  | { kind: 'null'; value: null }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int' | 'uint'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'timestamp'; value: string };

const MAP = new Map<string, Resolved>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) MAP.set(s, { kind: 'bool', value: true });
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) MAP.set(s, { kind: 'bool', value: false });
for (const s of ['', '~', 'null', 'Null', 'NULL']) MAP.set(s, { kind: 'null', value: null });
for (const s of ['.nan', '.NaN', '.NAN']) MAP.set(s, { kind: 'float', value: NaN });
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) MAP.set(s, { kind: 'float', value: Infinity });
for (const s of ['-.inf', '-.Inf', '-.INF']) MAP.set(s, { kind: 'float', value: -Infinity });

const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);
const MAX_UINT64 = 2n ** 64n - 1n;

// strconv.ParseInt/ParseUint with base 0: an optional sign (ParseInt only), then 0x/0o/0b (any
// case), a leading 0 (octal) or decimal digits.
const GO_INT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// strconv.ParseFloat of a decimal that starts with `.`: `_` only between digits.
const DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;
const TIMESTAMP_RE = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$/;

function parseGoInt(s: string): Resolved | undefined {
  const m = GO_INT.exec(s);
  if (!m) return undefined;
  const [, sign, hex, oct, bin, legacyOct, dec] = m;
  const mag =
    hex !== undefined ? BigInt(`0x${hex}`)
    : oct !== undefined ? BigInt(`0o${oct}`)
    : bin !== undefined ? BigInt(`0b${bin}`)
    : legacyOct !== undefined ? (legacyOct === '' ? 0n : BigInt(`0o${legacyOct}`))
    : BigInt(dec ?? '0');
  const v = sign === '-' ? -mag : mag;
  if (v >= MIN_INT64 && v <= MAX_INT64) return { kind: 'int', value: v };
  // ParseUint takes no sign.
  if (sign === '' && v <= MAX_UINT64) return { kind: 'uint', value: v };
  return undefined;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** go-yaml v2's parseTimestamp: the formats it tries with time.Parse, ranges checked. */
function isTimestamp(s: string): boolean {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return false;
  const [, y, mo, d, sep, h, mi, se, zone] = m;
  if (sep === ' ' && zone !== undefined) return false; // "2006-1-2 15:4:5.999999999" has no zone
  if ((sep === 'T' || sep === 't') && zone === undefined) return false;
  const month = Number(mo);
  if (month < 1 || month > 12 || Number(d) < 1 || Number(d) > daysIn(Number(y), month)) return false;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(se) > 59)) return false;
  if (zone !== undefined && zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return false;
  return true;
}

function resolvable(tag: string): boolean {
  return tag === '' || tag === STR || tag === BOOL || tag === INT || tag === FLOAT || tag === NULL || tag === TIMESTAMP;
}

function shortTag(tag: string): string {
  return tag.startsWith(TAG) ? `!!${tag.slice(TAG.length)}` : tag;
}

function resolveUntyped(tag: string, s: string): Resolved {
  const c = s.charCodeAt(0);
  const hint =
    s === '' ? 'N'
    : c === 0x2b || c === 0x2d ? 'S'
    : c >= 0x30 && c <= 0x39 ? 'D'
    : c === 0x2e ? '.'
    : 'yYnNtTfFoO~'.includes(s[0] ?? '') ? 'M'
    : '';
  if (hint === '' || tag === STR) return { kind: 'str', value: s };
  const known = MAP.get(s);
  if (known) return known;
  if (hint === '.') {
    if (DOT_FLOAT.test(s)) {
      const f = Number(s.replace(/_/g, ''));
      if (Number.isFinite(f)) return { kind: 'float', value: f };
    }
  } else if (hint === 'D' || hint === 'S') {
    if ((tag === '' || tag === TIMESTAMP) && isTimestamp(s)) return { kind: 'timestamp', value: s };
    const plain = s.replace(/_/g, '');
    const i = parseGoInt(plain);
    if (i) return i;
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = Number(plain);
      // ParseFloat fails with ErrRange past float64's range (1e400).
      if (Number.isFinite(f)) return { kind: 'float', value: f };
    }
  }
  return { kind: 'str', value: s };
}

function decodeBase64(s: string): string {
  // Go's base64.StdEncoding ignores \r and \n, and nothing else.
  const b = s.replace(/[\r\n]/g, '');
  if (b.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b)) throw new ScalarError('!!binary value contains invalid base64 data');
  return Buffer.from(b, 'base64').toString('utf8');
}

/**
 * Resolves one scalar the way go-yaml v2 does when decoding into `interface{}`: `plain` is
 * false for quoted and block scalars, `tag` is the explicit tag in long form
 * (`tag:yaml.org,2002:int`, `!custom`) or '' when there is none. Throws ScalarError where
 * upstream fails (`!!int abc`, bad `!!binary`).
 */
export function resolveTyped(text: string, plain: boolean, tag = ''): Resolved {
  if (tag === '' && !plain) return { kind: 'str', value: text };
  if (tag === BINARY) return { kind: 'str', value: decodeBase64(text) };
  // Unknown tags (`!foo`, `!!map` on a scalar, `!!merge`) keep the text as a string.
  if (!resolvable(tag)) return { kind: 'str', value: text };
  const r = resolveUntyped(tag, text);
  const rtag = r.kind === 'uint' ? INT : `${TAG}${r.kind}`;
  if (tag === '' || tag === rtag || tag === STR) return tag === STR ? { kind: 'str', value: text } : r;
  if (tag === FLOAT && r.kind === 'int') return { kind: 'float', value: Number(r.value) };
  throw new ScalarError(`cannot decode ${shortTag(rtag)} \`${text}\` as a ${shortTag(tag)}`);
}

/** A resolved scalar as a JSON value: numbers, or bigints outside ±(2^53-1); timestamps as their text. */
export function scalarValue(r: Resolved): unknown {
  switch (r.kind) {
    case 'int':
    case 'uint':
      return r.value >= -9007199254740991n && r.value <= 9007199254740991n ? Number(r.value) : r.value;
    case 'float':
      // sigs.k8s.io/yaml's json.Marshal refuses these.
      if (!Number.isFinite(r.value)) throw new ScalarError(`json: unsupported value: ${Number.isNaN(r.value) ? 'NaN' : r.value > 0 ? '+Inf' : '-Inf'}`);
      return r.value;
    default:
      return r.value;
  }
}

/**
 * The value Kubernetes reads for one scalar (see resolveTyped for `plain` and `tag`): string,
 * number, bigint (integers beyond ±(2^53-1), exact), boolean or null.
 */
export function resolveScalar(text: string, plain = true, tag = ''): unknown {
  return scalarValue(resolveTyped(text, plain, tag));
}

/** strconv.FormatFloat(f, 'g', -1, 32): how sigs.k8s.io/yaml turns a float map key into a string. */
function formatFloat32(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  const f32 = Math.fround(f);
  if (f32 === 0) return Object.is(f32, -0) ? '-0' : '0';
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = Math.abs(f32).toExponential(p - 1);
    if (Math.fround(Number(s)) === Math.abs(f32)) {
      const [mant = '', e = '0'] = s.split('e');
      digits = mant.replace('.', '');
      exp = Number(e);
      break;
    }
  }
  const sign = f32 < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    // %e with at least two exponent digits
    const m = digits.length > 1 ? `${digits[0] ?? ''}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** The JSON object key sigs.k8s.io/yaml makes of a resolved scalar key; throws where it refuses (null, uint64). */
export function keyString(r: Resolved): string {
  switch (r.kind) {
    case 'str':
    case 'timestamp':
      return r.value;
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'int':
      return r.value.toString();
    case 'float':
      return formatFloat32(r.value);
    case 'null':
      throw new ScalarError('unsupported map key: null');
    case 'uint':
      throw new ScalarError(`unsupported map key of type uint64: ${r.value.toString()}`);
  }
}
