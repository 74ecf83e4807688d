/** A codec value in the Go oracle's notation (scripts/k8s-yaml-oracle): numbers as {n: text}, mappings as {m: {...}}. */
export function canon(v: unknown): unknown {
  if (typeof v === 'bigint') return { n: v.toString() };
  if (typeof v === 'number') return { n: Object.is(v, -0) ? '0' : String(v) };
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'object' && v !== null) {
    const m: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) m[k] = canon(x);
    return { m };
  }
  return v;
}
