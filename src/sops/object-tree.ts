import { isEncrypted } from './cipher.js';
import { scalarToJs } from './scalar.js';
import type { MapNode, Scalar, TreeNode } from './tree.js';

/** Ciphertext → the key path it was verified at, its plaintext and the keys that opened its file. */
export type VerifiedValues = Map<string, { path: string; value: Scalar; keys: readonly string[] }>;

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

/**
 * Like mergeDecrypted, but only when every ciphertext in the object is the very ciphertext the
 * file holds at that path (the file, whose MAC was verified, is the source of the values);
 * undefined when the object does not match the file document.
 */
export function mergeFromFile(orig: unknown, dec: TreeNode, enc: TreeNode): unknown {
  const MISMATCH = Symbol('mismatch');
  const walk = (o: unknown, d: TreeNode | undefined, e: TreeNode | undefined): unknown => {
    if (Array.isArray(o)) {
      if (d?.kind !== 'seq' || e?.kind !== 'seq') return o.some((v) => containsCiphertext(v)) ? MISMATCH : o;
      const di = d.items.filter((i) => i.kind !== 'comment');
      const ei = e.items.filter((i) => i.kind !== 'comment');
      const out = (o as unknown[]).map((v, i) => walk(v, di[i], ei[i]));
      return out.includes(MISMATCH) ? MISMATCH : out;
    }
    if (typeof o === 'object' && o !== null && !(o instanceof Date)) {
      const dm = d?.kind === 'map' ? new Map(d.items.flatMap((i) => (i.kind === 'item' ? [[i.key, i.value] as const] : []))) : undefined;
      const em = e?.kind === 'map' ? new Map(e.items.flatMap((i) => (i.kind === 'item' ? [[i.key, i.value] as const] : []))) : undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) {
        const r = walk(v, dm?.get(k), em?.get(k));
        if (r === MISMATCH) return MISMATCH;
        out[k] = r;
      }
      return out;
    }
    if (typeof o === 'string' && isEncrypted(o)) {
      if (e?.kind !== 'leaf' || e.value.t !== 'str' || e.value.s !== o || d?.kind !== 'leaf') return MISMATCH;
      return scalarToJs(d.value);
    }
    return o;
  };
  const r = walk(orig, dec, enc);
  return r === MISMATCH ? undefined : r;
}

function containsCiphertext(v: unknown): boolean {
  if (typeof v === 'string') return isEncrypted(v);
  if (Array.isArray(v)) return v.some(containsCiphertext);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(containsCiphertext);
  return false;
}

/** Records every ciphertext leaf of a verified file with its path and plaintext. */
export function collectCiphertexts(enc: TreeNode, dec: TreeNode, path: string[], keys: readonly string[], out: VerifiedValues): void {
  if (enc.kind === 'map' && dec.kind === 'map') {
    const dm = new Map(dec.items.flatMap((i) => (i.kind === 'item' ? [[i.key, i.value] as const] : [])));
    for (const it of enc.items) {
      const d = it.kind === 'item' ? dm.get(it.key) : undefined;
      if (it.kind === 'item' && d) collectCiphertexts(it.value, d, [...path, it.key], keys, out);
    }
  } else if (enc.kind === 'seq' && dec.kind === 'seq') {
    const ei = enc.items.filter((i) => i.kind !== 'comment');
    const di = dec.items.filter((i) => i.kind !== 'comment');
    if (ei.length === di.length) ei.forEach((e, i) => collectCiphertexts(e, di[i]!, path, keys, out));
  } else if (enc.kind === 'leaf' && dec.kind === 'leaf' && enc.value.t === 'str' && isEncrypted(enc.value.s)) {
    out.set(enc.value.s, { path: path.join(':'), value: dec.value, keys });
  }
}

/**
 * Replaces every ciphertext of a rendered object by the plaintext recorded for it, when each one
 * was verified at the same key path; undefined when any is unknown (the MAC path then decides).
 */
export function substituteVerified(obj: Record<string, unknown>, verified: VerifiedValues | undefined): { object: unknown; keys: string[]; plaintexts: string[] } | undefined {
  if (!verified) return undefined;
  const keys = new Set<string>();
  const plaintexts: string[] = [];
  let found = 0;
  let unknown = false;
  const walk = (v: unknown, path: string[]): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, path));
    if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    }
    if (typeof v === 'string' && isEncrypted(v)) {
      const hit = verified.get(v);
      if (hit?.path !== path.join(':')) {
        unknown = true;
        return v;
      }
      found++;
      for (const k of hit.keys) keys.add(k);
      const out = scalarToJs(hit.value);
      if (typeof out === 'string') plaintexts.push(out);
      return out;
    }
    return v;
  };
  const { sops, ...rest } = obj;
  const object = walk(rest, []) as Record<string, unknown>;
  if (unknown || found === 0) return undefined;
  return { object: { ...object, sops }, keys: [...keys], plaintexts };
}
