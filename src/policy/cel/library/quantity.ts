import { CelScalar, celFunc, celMethod, isCelMap, mapType, type CelFunc, type CelValue } from '@bufbuild/cel';

// k8s.io/apiserver/pkg/cel/library/quantity.go over resource.Quantity. The CEL library has no
// custom object types without protobuf descriptors, so a quantity is a one-entry map holding its
// exact value as a reduced fraction: `==` then compares values (`1Gi == 1024Mi`), as Kubernetes does.
const KEY = '@k8s.quantity';
const QTY = mapType(CelScalar.STRING, CelScalar.DYN);
const FORMAT =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** An exact quantity value num/den with den > 0, reduced. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

function reduce(num: bigint, den: bigint): Fraction {
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** Parses a Kubernetes quantity string (`500m`, `1Gi`, `1e3`); undefined when malformed. */
export function parseQuantity(s: string): Fraction | undefined {
  const m = FORMAT.exec(s);
  if (!m?.[1]) return undefined;
  const [whole = '', frac = ''] = m[1].replace(/^[+-]/, '').split('.');
  let num = BigInt((whole || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  if (m[1].startsWith('-')) num = -num;
  const suffix = m[2] ?? '';
  let exp10 = 0;
  if (suffix in BINARY) num *= 2n ** BigInt(BINARY[suffix] ?? 0);
  else if (suffix in DECIMAL) exp10 = DECIMAL[suffix] ?? 0;
  else if (suffix !== '') exp10 = Number(suffix.slice(1));
  if (Math.abs(exp10) > 1000) return undefined;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den *= 10n ** BigInt(-exp10);
  return reduce(num, den);
}

function make(f: Fraction): Map<string, string> {
  return new Map([[KEY, `${String(f.num)}/${String(f.den)}`]]);
}

function read(v: CelValue): Fraction {
  const raw = isCelMap(v) ? v.get(KEY) : undefined;
  if (typeof raw !== 'string') throw new Error('no such overload: not a quantity');
  const [n = '0', d = '1'] = raw.split('/');
  return { num: BigInt(n), den: BigInt(d) };
}

function cmp(a: Fraction, b: Fraction): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

function plus(a: Fraction, b: Fraction, sign: 1n | -1n): Fraction {
  return reduce(a.num * b.den + sign * b.num * a.den, a.den * b.den);
}

function arg(v: CelValue): Fraction {
  return typeof v === 'bigint' ? { num: v, den: 1n } : read(v);
}

/** The Kubernetes CEL `quantity` library. */
export const quantityFuncs: CelFunc[] = [
  celFunc('quantity', [CelScalar.STRING], QTY, (s) => {
    const f = parseQuantity(s);
    // resource.ErrFormatWrong, the error Kubernetes returns for any malformed quantity.
    if (!f) throw new Error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    return make(f);
  }),
  celFunc('isQuantity', [CelScalar.STRING], CelScalar.BOOL, (s) => parseQuantity(s) !== undefined),
  // A global function in Kubernetes (cel.Overload, not MemberOverload): `sign(q)`; the API
  // server refuses `q.sign()` when the policy is created.
  celFunc('sign', [QTY], CelScalar.INT, (q) => {
    const f = read(q);
    return f.num > 0n ? 1n : f.num < 0n ? -1n : 0n;
  }),
  celMethod('isInteger', QTY, [], CelScalar.BOOL, function () {
    const f = read(this);
    return f.den === 1n && f.num <= INT64_MAX && f.num >= INT64_MIN;
  }),
  celMethod('asInteger', QTY, [], CelScalar.INT, function () {
    const f = read(this);
    if (f.den !== 1n || f.num > INT64_MAX || f.num < INT64_MIN) {
      throw new Error('cannot convert value to integer');
    }
    return f.num;
  }),
  celMethod('asApproximateFloat', QTY, [], CelScalar.DOUBLE, function () {
    const f = read(this);
    return Number(f.num) / Number(f.den);
  }),
  celMethod('isLessThan', QTY, [QTY], CelScalar.BOOL, function (o) {
    return cmp(read(this), read(o)) < 0;
  }),
  celMethod('isGreaterThan', QTY, [QTY], CelScalar.BOOL, function (o) {
    return cmp(read(this), read(o)) > 0;
  }),
  celMethod('compareTo', QTY, [QTY], CelScalar.INT, function (o) {
    return BigInt(cmp(read(this), read(o)));
  }),
  celMethod('add', QTY, [CelScalar.DYN], QTY, function (o) {
    return make(plus(read(this), arg(o), 1n));
  }),
  celMethod('sub', QTY, [CelScalar.DYN], QTY, function (o) {
    return make(plus(read(this), arg(o), -1n));
  }),
];
