import { SyncgateError } from '../errors/index.js';
import type { AppContext } from '../request/index.js';
import { decryptAgeArmored } from './age-decrypt.js';
import type { KeyStore, LoadedKey } from './keystore.js';
import type { AgeEntry, SopsMetadata } from './metadata.js';
import { shamirCombine } from './shamir.js';

/** The recovered data key and the names of the granted keys that opened it. */
export interface DataKey {
  key: Buffer;
  keyNames: string[];
}

async function tryUnwrap(entry: AgeEntry, key: LoadedKey): Promise<Uint8Array | undefined> {
  try {
    return await decryptAgeArmored(key.decrypter, entry.enc, key.native);
  } catch {
    return undefined;
  }
}

function appText(ctx: AppContext): string {
  return ctx.fluxKustomization ? `Kustomization ${ctx.fluxKustomization}` : `app ${ctx.appName || '(unnamed)'} (project ${ctx.project || '(none)'})`;
}

/**
 * Unwraps the data key with the granted keys only (one share per key group, Shamir-combined when
 * there are several groups). A file for someone else's key is refused as SOPS_KEY_NOT_GRANTED,
 * even when the store holds that key: messages name keys, never key material.
 */
export async function unwrapDataKey(
  name: string,
  meta: SopsMetadata,
  store: KeyStore,
  granted: readonly LoadedKey[],
  ctx: AppContext,
): Promise<DataKey> {
  const allAge = meta.keyGroups.flatMap((g) => g.age);
  if (allAge.length === 0) {
    throw new SyncgateError('SOPS_KEY_UNSUPPORTED', `${name}: encrypted for no age recipient (pgp/kms/vault keys only); syncgate decrypts with age keys`);
  }
  const parts: Uint8Array[] = [];
  const used = new Set<string>();
  const corrupt = new Set<string>();
  for (const group of meta.keyGroups) {
    let part: Uint8Array | undefined;
    // First the granted keys whose recipient the entry names, then (like sops, which does not match
    // recipient strings) every granted key on every entry.
    outer: for (const pass of [true, false]) {
      for (const entry of group.age) {
        for (const k of granted) {
          if (k.recipients.includes(entry.recipient) !== pass) continue;
          const p = await tryUnwrap(entry, k);
          if (p) {
            part = p;
            used.add(k.name);
            break outer;
          }
          if (pass) corrupt.add(k.name);
        }
      }
    }
    if (part) parts.push(part);
  }
  const groups = meta.keyGroups.length;
  const needed = groups > 1 ? Math.max(2, meta.shamirThreshold || groups) : 1;
  if (parts.length < needed) {
    if (corrupt.size > 0) {
      throw new SyncgateError('SOPS_DATA_KEY_FAILED', `${name}: the age stanza for key ${[...corrupt].join(', ')} does not decrypt (corrupt file or wrong identity)`);
    }
    const named = [...new Set(allAge.map((e) => store.nameOf.get(e.recipient) ?? 'an unknown age key'))];
    const grantedNames = granted.map((k) => k.name);
    const shamir = groups > 1 ? `; it needs ${needed} of ${groups} key groups and granted keys open ${parts.length}` : '';
    throw new SyncgateError(
      'SOPS_KEY_NOT_GRANTED',
      `${name}: encrypted for ${named.join(', ')}, not granted to ${appText(ctx)}${shamir}; keys granted to it: ${grantedNames.length ? grantedNames.join(', ') : 'none'}`,
      { details: { file: name, recipients: named, granted: grantedNames } },
    );
  }
  let key: Buffer;
  if (groups > 1) {
    try {
      key = shamirCombine(parts);
    } catch (e) {
      throw new SyncgateError('SOPS_DATA_KEY_FAILED', `${name}: cannot combine Shamir shares: ${(e as Error).message}`);
    }
  } else key = Buffer.from(parts[0]!);
  if (key.length !== 32) throw new SyncgateError('SOPS_DATA_KEY_FAILED', `${name}: the data key has ${key.length} bytes, expected 32`);
  return { key, keyNames: [...used] };
}
