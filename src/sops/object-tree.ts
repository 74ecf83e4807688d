import { isEncrypted } from './cipher.js';
import { scalarToJs } from './scalar.js';
import type { MapNode, Scalar, TreeNode } from './tree.js';

function scalarOfJs(v: unknown): Scalar | null {
  if (typeof v === 'string') return { t: 'str', s: v };
  if (typeof v === 'boolean') return { t: 'bool', b: v };
  if (typeof v === 'bigint') return { t: 'int', n: v };
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? { t: 'int', n: BigInt(v) } : { t: 'float', f: v };
  if (v instanceof Date) return { t: 'time', s: v.toISOString().replace('.000Z', 'Z') };
  return null;
}

/**
 * A tree from an already-parsed object (tool output). Key order is the object's, so integer-like
 * keys may have moved: the MAC then fails and the object is refused (fail closed).
 */
export function treeFromJs(v: unknown): TreeNode {
  if (Array.isArray(v)) return { kind: 'seq', items: v.map(treeFromJs) };
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
    return { kind: 'map', items: Object.entries(v).map(([key, value]) => ({ kind: 'item', key, value: treeFromJs(value) })) };
  }
  const s = scalarOfJs(v);
  return s === null ? { kind: 'null' } : { kind: 'leaf', value: s };
}

/** The object (without its `sops` block) as a branch. */
export function branchFromObject(obj: Record<string, unknown>): MapNode {
  const { sops: _sops, ...rest } = obj;
  return treeFromJs(rest) as MapNode;
}

/**
 * Puts decrypted values into the object as the pipeline parsed it: only leaves that were
 * ciphertext change, so cleartext keeps the Kubernetes (YAML 1.1) reading of the manifest.
 */
export function mergeDecrypted(orig: unknown, dec: TreeNode): unknown {
  if (dec.kind === 'map' && typeof orig === 'object' && orig !== null && !Array.isArray(orig)) {
    const o = { ...(orig as Record<string, unknown>) };
    for (const it of dec.items) if (it.kind === 'item' && it.key in o) o[it.key] = mergeDecrypted(o[it.key], it.value);
    return o;
  }
  if (dec.kind === 'seq' && Array.isArray(orig)) {
    const items = dec.items.filter((i) => i.kind !== 'comment');
    return (orig as unknown[]).map((v, i) => (items[i] ? mergeDecrypted(v, items[i]) : v));
  }
  if (dec.kind === 'leaf' && typeof orig === 'string' && isEncrypted(orig)) return scalarToJs(dec.value);
  return orig;
}
