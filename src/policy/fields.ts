import { toJson } from '../k8s/index.js';

/** A JSON object as parsed from YAML. */
export type Obj = Record<string, unknown>;

/** The value as an object, or undefined when it is not a mapping. */
export function asMap(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The value as an array, or an empty one. */
export function asList(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : EMPTY;
}

/** The value as a string, or undefined. */
export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A string-valued map (labels, annotations, ConfigMap data), non-string values dropped. */
export function asStringMap(v: unknown): Readonly<Record<string, string>> {
  const m = asMap(v);
  if (!m) return EMPTY_MAP;
  for (const k in m) if (typeof m[k] !== 'string') return Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return m as Record<string, string>;
}

const EMPTY: readonly unknown[] = Object.freeze([]);
const EMPTY_MAP: Readonly<Record<string, string>> = Object.freeze({});

/** A field value as message text (strings as they are, anything else as JSON). */
export function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return toJson(v) ?? '';
}
