import { isCelList, isCelMap, isCelUint, type CelInput, type CelValue } from '@bufbuild/cel';

// Kubernetes decodes JSON integers as CEL `int` and other numbers as `double`; YAML gives us JS
// numbers, so integers become bigint here or `spec.replicas + 1` would be a double/int mismatch.
// Only whole objects are cached: a WeakMap entry per nested map cost more than converting again.
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
  const m = new Map<string, CelInput>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, convert(x));
  return m;
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
