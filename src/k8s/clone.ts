/**
 * A deep copy of parsed data that keeps each object's prototype (the YAML codec builds
 * null-prototype maps, which structuredClone would turn into plain objects) and copies Dates.
 */
export function cloneParsed<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => cloneParsed(x)) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (typeof v === 'object' && v !== null) {
    const out = Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: cloneParsed(x), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return v;
}
