import { SyncgateError } from '../errors/index.js';
import type { GateRequest } from '../request/index.js';
import { identity, isClusterScoped, type Resource } from '../k8s/index.js';
import { LiteralSet, base64Forms } from '../log/redact.js';
import { loadKeyStore, namespaceGranted } from './keystore.js';

/**
 * Shortest decrypted value (or line of one) followed through the render. Shorter values (`true`,
 * a port, `admin`) occur in manifests by chance and would refuse renders they never reached.
 */
export const MIN_TRACKED_LENGTH = 8;

/** Every decrypted value of a request, with the keys that opened it, as one literal set. */
export class DecryptedMaterial {
  private readonly literals = new LiteralSet();
  /** Per literal index: the keys whose files held the value. */
  private readonly keys: Set<string>[] = [];
  private readonly index = new Map<string, number>();

  /** Records a decrypted value, its lines and their base64 forms as material of `keyNames`. */
  add(value: string, keyNames: readonly string[]): void {
    const forms = new Set<string>();
    const parts = value.includes('\n') ? [value, ...value.split(/\r?\n/).map((l) => l.trim())] : [value];
    for (const p of parts) {
      if (p.length < MIN_TRACKED_LENGTH) continue;
      forms.add(p);
      for (const f of base64Forms(p, MIN_TRACKED_LENGTH)) forms.add(f);
    }
    for (const f of forms) {
      let i = this.index.get(f);
      if (i === undefined) {
        this.literals.add(f);
        i = this.keys.length;
        this.keys.push(new Set());
        this.index.set(f, i);
      }
      for (const k of keyNames) this.keys[i]!.add(k);
    }
  }

  get size(): number {
    return this.keys.length;
  }

  /** The keys whose decrypted material occurs in `text` (empty when none). */
  keysIn(text: string, into: Set<string>): boolean {
    let hit = false;
    this.literals.scan(text, (_s, _e, i) => {
      const lit = this.literals.at(i);
      const ks = this.keys[this.index.get(lit) ?? -1];
      if (ks) for (const k of ks) into.add(k);
      hit = true;
      return false;
    });
    return hit;
  }
}

/** Paths (`data.password`, `metadata.annotations["a"]`) of an object's strings holding material. */
function tainted(obj: unknown, m: DecryptedMaterial, keys: Set<string>): string[] {
  const paths: string[] = [];
  const seg = (k: string): string => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      if (m.keysIn(v, keys)) paths.push(path);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${String(i)}]`));
    } else if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
      for (const [k, x] of Object.entries(v)) {
        // A key that holds material is itself named by a mask: paths reach errors and reports.
        const isMaterial = m.keysIn(k, keys);
        const p = `${path}${isMaterial ? '[*****]' : seg(k)}`;
        if (isMaterial) paths.push(`${p} (key)`);
        walk(x, p);
      }
    }
  };
  walk(obj, '');
  return paths.map((p) => p.replace(/^\./, ''));
}

/**
 * Follows decrypted material (each value of at least MIN_TRACKED_LENGTH characters, its lines and
 * base64 forms) into every rendered object, whatever its kind or field. An object holding
 * material of a key must land in a namespace that key grants (cluster-scoped objects have none):
 * otherwise the render is refused. Each object that holds material is marked with where, so the
 * `secrets/decrypted-in-plain-object` policy can report the non-Secret ones.
 */
export async function trackDecrypted(resources: Resource[], req: GateRequest, m: DecryptedMaterial): Promise<Resource[]> {
  if (m.size === 0) return resources;
  let store: Awaited<ReturnType<typeof loadKeyStore>> | undefined;
  const out: Resource[] = [];
  for (const r of resources) {
    const keys = new Set<string>();
    const paths = tainted(r.object, m, keys);
    if (paths.length === 0) {
      out.push(r);
      continue;
    }
    const o = r.object;
    const ns = isClusterScoped(o.kind) ? '' : (o.metadata.namespace ?? req.context.namespace);
    store ??= await loadKeyStore(req.config);
    for (const name of [...keys].sort()) {
      const key = store.keys.find((k) => k.name === name);
      if (!key || ns === '' || !namespaceGranted(key, ns)) {
        throw new SyncgateError(
          'SOPS_NAMESPACE_NOT_GRANTED',
          `${identity(o)}: ${paths[0]!} holds a value decrypted with key ${name}, which is not granted ${ns === '' ? 'cluster-scoped objects' : `namespace ${ns}`}; granted: ${key?.grants.namespaces.join(', ') ?? 'none'}`,
          { details: { key: name, namespace: ns, paths } },
        );
      }
    }
    out.push({ ...r, decryptedMaterialAt: paths });
  }
  return out;
}
