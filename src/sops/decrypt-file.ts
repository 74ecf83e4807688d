import { extname } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import type { AppContext } from '../request/index.js';
import { unwrapDataKey } from './data-key.js';
import { looksSopsEncrypted } from './detect.js';
import { TreeError, decryptTree } from './decrypt-tree.js';
import { MetadataError, parseMetadata, type SopsMetadata } from './metadata.js';
import { parseDotenvTree, parseIniTree } from './parse-flat.js';
import { FormatError, parseYamlTree } from './parse-yaml.js';
import type { KeyStore, LoadedKey } from './keystore.js';
import type { MapNode, SopsDocument, SopsFormat } from './tree.js';

/** The sops store a file name selects (sops: by extension; anything else is binary). */
export function formatOf(file: string): SopsFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (ext === '.env') return 'dotenv';
  if (ext === '.ini') return 'ini';
  return 'binary';
}

/** Parses a sops file of the given format; `undefined` metadata means the file is not SOPS-encrypted. */
export function parseSops(name: string, text: string, format: SopsFormat): SopsDocument {
  try {
    switch (format) {
      case 'yaml':
        return parseYamlTree(text, false);
      case 'json':
      case 'binary':
        return { ...parseYamlTree(text, true), format };
      case 'dotenv':
        return parseDotenvTree(text);
      case 'ini':
        return parseIniTree(text);
    }
  } catch (e) {
    if (e instanceof FormatError) throw new SyncgateError('SOPS_FORMAT_INVALID', `${name}: not a valid ${format} file: ${e.message}`);
    throw e;
  }
}

/** Cheap check before parsing: does this text carry a sops metadata block at all? */
export const looksEncrypted = looksSopsEncrypted;

/** Who asks and with which keys: the trusted context and the keys granted to it. */
export interface KeyChoice {
  store: KeyStore;
  granted: readonly LoadedKey[];
  context: AppContext;
}

/** A decrypted file: cleartext branches, the keys used and every plaintext string for the redactor. */
export interface DecryptedDocument {
  format: SopsFormat;
  branches: MapNode[];
  meta: SopsMetadata;
  keyNames: string[];
  plaintexts: string[];
}

const TREE_CODES = {
  'not-encrypted': 'SOPS_NOT_ENCRYPTED',
  failed: 'SOPS_DECRYPT_FAILED',
  'bad-type': 'SOPS_DECRYPT_FAILED',
  'mac-missing': 'SOPS_MAC_MISSING',
  'mac-mismatch': 'SOPS_MAC_MISMATCH',
} as const;

/**
 * Decrypts a parsed sops document: metadata, data key (granted keys only), every value with its
 * path AAD, then the MAC, which is always verified. Throws coded errors naming `name`.
 */
export async function decryptDocument(name: string, doc: SopsDocument, keys: KeyChoice): Promise<DecryptedDocument> {
  if (doc.metadata === undefined || doc.metadata === null) {
    throw new SyncgateError('SOPS_FORMAT_INVALID', `${name}: no sops metadata`);
  }
  let meta: SopsMetadata;
  try {
    meta = parseMetadata(doc.metadata);
  } catch (e) {
    if (e instanceof MetadataError) throw new SyncgateError('SOPS_FORMAT_INVALID', `${name}: ${e.message}`);
    throw e;
  }
  const dk = await unwrapDataKey(name, meta, keys.store, keys.granted, keys.context);
  try {
    const out = decryptTree(doc.branches, meta, dk.key);
    return { format: doc.format, branches: out.branches, meta, keyNames: dk.keyNames, plaintexts: out.plaintexts };
  } catch (e) {
    if (e instanceof TreeError) {
      const where = e.path !== undefined ? `${e.path === '' ? '(root)' : e.path}: ` : '';
      throw new SyncgateError(TREE_CODES[e.reason], `${name}: ${where}${e.message}`, { details: { keys: dk.keyNames } });
    }
    throw e;
  } finally {
    dk.key.fill(0);
  }
}
