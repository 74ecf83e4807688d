import { isCelList, isCelMap, isCelUint, type CelInput, type CelValue } from '@bufbuild/cel';

// Kubernetes decodes JSON integers as CEL `int` and other numbers as `double`; YAML gives us JS
// numbers, so integers become bigint here or `spec.replicas + 1` would be a double/int mismatch.
// Maps convert lazily (LazyMap below) and only whole objects are cached: a WeakMap entry per
// nested map cost more than converting the few fields a policy reads.
const cache = new WeakMap<object, CelInput>();

function convert(v: unknown): CelInput {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return v;
    case 'number':
      return Number.isInteger(v) && Number.isSafeInteger(v) ? BigInt(v) : v;
    case 'object':
      break;
    default:
      return null;
  }
  if (Array.isArray(v)) return v.map((x) => convert(x));
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return new LazyMap(v as Record<string, unknown>);
}

// A read-only view of a plain object that converts a field only when an expression reads it, so
// a policy that looks at three fields of a large object does not copy the whole object.
class LazyMap extends Map<string, CelInput> {
  readonly #src: Record<string, unknown>;

  constructor(src: Record<string, unknown>) {
    super();
    this.#src = src;
  }

  override get size(): number {
    return Object.keys(this.#src).length;
  }

  override get(key: string): CelInput | undefined {
    return typeof key === 'string' && Object.hasOwn(this.#src, key) ? convert(this.#src[key]) : undefined;
  }

  override has(key: string): boolean {
    return typeof key === 'string' && Object.hasOwn(this.#src, key);
  }

  override keys(): MapIterator<string> {
    return Object.keys(this.#src)[Symbol.iterator]();
  }

  override values(): MapIterator<CelInput> {
    return Object.values(this.#src)
      .map((x) => convert(x))
      [Symbol.iterator]();
  }

  override entries(): MapIterator<[string, CelInput]> {
    return Object.entries(this.#src)
      .map(([k, x]): [string, CelInput] => [k, convert(x)])
      [Symbol.iterator]();
  }

  override [Symbol.iterator](): MapIterator<[string, CelInput]> {
    return this.entries();
  }

  override forEach(
    cb: (value: CelInput, key: string, map: Map<string, CelInput>) => void,
    thisArg?: unknown,
  ): void {
    for (const [k, x] of Object.entries(this.#src)) cb.call(thisArg, convert(x), k, this);
  }
}

/** Converts a parsed YAML/JSON value into a CEL input (maps, bigint ints, doubles), cached per object. */
export function toCel(v: unknown): CelInput {
  if (typeof v !== 'object' || v === null) return convert(v);
  const hit = cache.get(v);
  if (hit !== undefined) return hit;
  const out = convert(v);
  cache.set(v, out);
  return out;
}

/** Converts a CEL result back into plain JSON-like data (for messages and tests). */
export function fromCel(v: CelValue): unknown {
  if (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    typeof v === 'number' ||
    typeof v === 'bigint'
  ) {
    return v;
  }
  if (isCelUint(v)) return v.value;
  if (isCelList(v)) return [...v].map((x) => fromCel(x));
  if (isCelMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) out[String(isCelUint(k) ? k.value : k)] = fromCel(x);
    return out;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  // Types, timestamps and durations: their CEL spelling is not needed by any caller.
  return Object.prototype.toString.call(v);
}
