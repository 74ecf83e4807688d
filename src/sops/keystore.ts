import { readFileSync } from 'node:fs';
import { Decrypter, identityToRecipient, type Identity } from 'age-encryption';
import picomatch from 'picomatch';
import type { GateConfig } from '../config/index.js';
import { SyncgateError } from '../errors/index.js';
import type { AppContext } from '../request/index.js';
import { normalizeRepoURL } from './repo-url.js';
import { NativeIdentities, NativeX25519Identity } from './x25519-identity.js';

type KeyConfig = GateConfig['spec']['keys'][number];

/** A configured key with its identities loaded: name, public recipients, grants. Never logged. */
export interface LoadedKey {
  name: string;
  recipients: readonly string[];
  grants: KeyConfig['grants'];
  decrypter: Decrypter;
  /** The same identities done natively, when every one is X25519 (the fast path). */
  native?: Identity;
}

/** Every key of the platform config, loaded once per config. */
export interface KeyStore {
  keys: readonly LoadedKey[];
  /** Recipient string → key name (for messages: which tenant a file is for). */
  nameOf: ReadonlyMap<string, string>;
  /** Keys whose identity file could not be loaded: refused only for apps they are granted to. */
  failed: readonly { name: string; grants: KeyConfig['grants']; error: SyncgateError }[];
}

const cache = new WeakMap<object, Promise<KeyStore>>();

const IDENTITY = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/;

async function loadKey(k: KeyConfig): Promise<LoadedKey> {
  let text: string;
  try {
    text = readFileSync(k.ageIdentityFile, 'utf8');
  } catch (e) {
    throw new SyncgateError(
      'SOPS_KEY_FILE_INVALID',
      `key ${k.name}: ${k.ageIdentityFile}: cannot read identity file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const decrypter = new Decrypter();
  const recipients: string[] = [];
  const natives: NativeX25519Identity[] = [];
  let allNative = true;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!IDENTITY.test(line)) {
      // Never echo the line: it may be key material in a format we do not read.
      throw new SyncgateError('SOPS_KEY_FILE_INVALID', `key ${k.name}: ${k.ageIdentityFile}: line ${i + 1} is not an age identity`);
    }
    try {
      recipients.push(await identityToRecipient(line));
      decrypter.addIdentity(line);
      if (line.startsWith('AGE-SECRET-KEY-1')) natives.push(new NativeX25519Identity(line));
      else allNative = false;
    } catch {
      throw new SyncgateError('SOPS_KEY_FILE_INVALID', `key ${k.name}: ${k.ageIdentityFile}: line ${i + 1} is not a valid age identity`);
    }
  }
  if (recipients.length === 0) {
    throw new SyncgateError('SOPS_KEY_FILE_INVALID', `key ${k.name}: ${k.ageIdentityFile}: no age identity in file`);
  }
  return { name: k.name, recipients, grants: k.grants, decrypter, ...(allNative ? { native: new NativeIdentities(natives) } : {}) };
}

async function build(keys: readonly KeyConfig[]): Promise<KeyStore> {
  const results = await Promise.all(
    keys.map((k) =>
      loadKey(k).then(
        (key) => ({ key }),
        (error: unknown) => ({ error: error instanceof SyncgateError ? error : new SyncgateError('SOPS_KEY_FILE_INVALID', `key ${k.name}: cannot load`), k }),
      ),
    ),
  );
  const loaded: LoadedKey[] = [];
  const failed: KeyStore['failed'][number][] = [];
  for (const r of results) {
    if ('key' in r) loaded.push(r.key);
    else failed.push({ name: r.k.name, grants: r.k.grants, error: r.error });
  }
  const nameOf = new Map<string, string>();
  for (const k of loaded) for (const r of k.recipients) nameOf.set(r, k.name);
  return { keys: loaded, nameOf, failed };
}

/** Loads (once per config object, then cached) the age identities of `spec.keys`. */
export function loadKeyStore(config: GateConfig): Promise<KeyStore> {
  const keys = config.spec.keys;
  let p = cache.get(keys);
  if (!p) {
    p = build(keys);
    cache.set(keys, p);
    // A store with unreadable key files is not kept: a fixed mount is picked up by the next request.
    void p.then((s) => {
      if (s.failed.length > 0) cache.delete(keys);
    });
  }
  return p;
}

// Grant patterns come from the platform config (a bounded set): compile each once, not per check.
const compiled = new Map<string, (value: string) => boolean>();
function glob(pattern: string): (value: string) => boolean {
  let m = compiled.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    compiled.set(pattern, m);
  }
  return m;
}

function matches(patterns: readonly string[], value: string): boolean {
  return value !== '' && patterns.some((p) => glob(p)(value));
}

function repoMatches(patterns: readonly string[], url: string): boolean {
  if (patterns.length === 0) return true;
  // Both sides in one normal form: `team-a/*` must not match `team-a/..%2fteam-b/apps`.
  const n = normalizeRepoURL(url);
  if (n === undefined) return false;
  return patterns.some((p) => {
    const np = normalizeRepoURL(p);
    return np !== undefined && glob(np)(n);
  });
}

/**
 * Whether a key's grant admits this app. Only the trusted AppContext is read: Argo CD apps match
 * on project (required), app name, repo URL and source path; Flux apps on the Kustomization
 * (required), repo URL and path. Empty `apps`, `repos`, `paths` mean any.
 */
export function isGranted(key: Pick<LoadedKey, 'grants'>, ctx: AppContext): boolean {
  const g = key.grants;
  if (ctx.fluxKustomization !== undefined && ctx.fluxKustomization !== '') {
    if (!matches(g.fluxKustomizations, ctx.fluxKustomization)) return false;
  } else {
    if (!matches(g.projects, ctx.project)) return false;
    if (g.apps.length > 0 && !matches(g.apps, ctx.appName)) return false;
  }
  if (!repoMatches(g.repos, ctx.repoURL)) return false;
  const path = ctx.sourcePath.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
  if (g.paths.length > 0 && !matches(g.paths, path)) return false;
  return true;
}

/** Whether a decrypted object may land in `namespace` under this key's grant. */
export function namespaceGranted(key: Pick<LoadedKey, 'grants'>, namespace: string): boolean {
  return matches(key.grants.namespaces, namespace);
}
