import { CelScalar, celMethod, listType, type CelFunc } from '@bufbuild/cel';

// cel-go ext strings `split(sep, limit)`: at most `limit` parts, the last one holding the rest.
// @bufbuild/cel 0.6.1 passes the limit to String.prototype.split, which drops the rest instead.
function split(s: string, sep: string, limit: bigint): string[] {
  if (limit === 0n) return [];
  if (limit === 1n) return [s];
  // cel-go splits on code points for an empty separator; Array.from does the same.
  const parts = sep === '' ? Array.from(s) : s.split(sep);
  if (limit < 0n || BigInt(parts.length) <= limit) return parts;
  const n = Number(limit);
  const head = parts.slice(0, n - 1);
  return [...head, parts.slice(n - 1).join(sep)];
}

/** `split` with Kubernetes (cel-go) semantics, replacing the @bufbuild/cel one. */
export const splitFuncs: CelFunc[] = [
  celMethod('split', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (sep) {
    return split(this, sep, -1n);
  }),
  celMethod(
    'split',
    CelScalar.STRING,
    [CelScalar.STRING, CelScalar.INT],
    listType(CelScalar.STRING),
    function (sep, limit) {
      return split(this, sep, limit);
    },
  ),
];
