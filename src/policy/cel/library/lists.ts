import {
  CelScalar,
  celMethod,
  isCelUint,
  listType,
  type CelFunc,
  type CelList,
  type CelValue,
} from '@bufbuild/cel';

// k8s.io/apiserver/pkg/cel/library/lists.go: isSorted, sum, min, max, indexOf, lastIndexOf on
// lists of comparable scalars (int, uint, double, string, bool).
const LIST = listType(CelScalar.DYN);

type Scalar = bigint | number | string | boolean;

function scalar(v: CelValue): Scalar {
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    return v;
  if (isCelUint(v)) return v.value;
  throw new Error('no such overload: list element is not comparable');
}

function compare(a: Scalar, b: Scalar): number {
  if (
    typeof a !== typeof b &&
    !(typeof a !== 'string' && typeof a !== 'boolean' && typeof b !== 'string' && typeof b !== 'boolean')
  ) {
    throw new Error('no such overload: list elements of different types');
  }
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function items(list: CelList): Scalar[] {
  return [...list].map((x) => scalar(x));
}

function extreme(list: CelList, sign: 1 | -1): Scalar {
  const xs = items(list);
  const first = xs[0];
  if (first === undefined)
    throw new Error(sign === 1 ? 'max called on empty list' : 'min called on empty list');
  return xs.reduce((best, x) => (compare(x, best) * sign > 0 ? x : best), first);
}

function sum(list: CelList): Scalar {
  const xs = items(list);
  if (xs.length === 0) return 0n;
  if (xs.every((x) => typeof x === 'bigint')) {
    const total = xs.reduce((a, b) => a + b, 0n);
    if (total > 9223372036854775807n || total < -9223372036854775808n) throw new Error('integer overflow');
    return total;
  }
  if (xs.every((x) => typeof x === 'number')) return xs.reduce((a, b) => a + b, 0);
  throw new Error('no such overload: sum needs a list of int or double');
}

function indexOf(list: CelList, x: CelValue, last: boolean): bigint {
  const xs = items(list);
  const want = scalar(x);
  const order = last ? [...xs.keys()].reverse() : [...xs.keys()];
  for (const i of order) {
    const v = xs[i];
    if (v !== undefined && typeof v === typeof want && v === want) return BigInt(i);
  }
  return -1n;
}

/** The Kubernetes CEL `lists` library. */
export const listFuncs: CelFunc[] = [
  celMethod('isSorted', LIST, [], CelScalar.BOOL, function () {
    const xs = items(this);
    for (let i = 1; i < xs.length; i++) {
      const a = xs[i - 1];
      const b = xs[i];
      if (a !== undefined && b !== undefined && compare(a, b) > 0) return false;
    }
    return true;
  }),
  celMethod('sum', LIST, [], CelScalar.DYN, function () {
    return sum(this);
  }),
  celMethod('min', LIST, [], CelScalar.DYN, function () {
    return extreme(this, -1);
  }),
  celMethod('max', LIST, [], CelScalar.DYN, function () {
    return extreme(this, 1);
  }),
  celMethod('indexOf', LIST, [CelScalar.DYN], CelScalar.INT, function (x) {
    return indexOf(this, x, false);
  }),
  celMethod('lastIndexOf', LIST, [CelScalar.DYN], CelScalar.INT, function (x) {
    return indexOf(this, x, true);
  }),
];
