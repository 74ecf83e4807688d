import { readFile } from 'node:fs/promises';
import { SyncgateError } from '../errors/index.js';
import { isMap, parseDocuments, type K8sObject } from '../k8s/index.js';
import type { Redactor } from '../log/index.js';
import type { SubstituteReference } from './kustomization.js';

/** A ConfigMap or Secret given with `--substitute-from`, as read from its file. */
export interface VariableSource {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  object: K8sObject;
  file: string;
}

/** Decrypts a SOPS-encrypted Secret with the tenant's granted key (the SOPS stage's job). */
export type SecretDecryptor = (object: K8sObject, file: string) => Promise<K8sObject>;

/** Reads `--substitute-from` files: every ConfigMap and Secret document in them. */
export async function readVariableSources(files: readonly string[]): Promise<VariableSource[]> {
  const out: VariableSource[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new SyncgateError('FLUX_SUBSTITUTE_FROM_INVALID', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const docs = parseDocuments(text, file);
    for (const [i, d] of docs.entries()) {
      const kind = isMap(d) ? d['kind'] : undefined;
      const md = isMap(d) ? d['metadata'] : undefined;
      const name = isMap(md) ? md['name'] : undefined;
      if ((kind !== 'ConfigMap' && kind !== 'Secret') || typeof name !== 'string' || name === '') {
        throw new SyncgateError(
          'FLUX_SUBSTITUTE_FROM_INVALID',
          `${file}: document ${i + 1}: expected a ConfigMap or Secret with metadata.name`,
        );
      }
      out.push({ kind, name, object: d as K8sObject, file });
    }
  }
  return out;
}

function stripNewlines(v: string): string {
  return v.replace(/\n/g, '');
}

/** The data of a ConfigMap/Secret as variables (Secret `data` base64-decoded, `stringData` wins). */
async function dataOf(src: VariableSource, decrypt: SecretDecryptor | undefined, redactor: Redactor): Promise<Map<string, string>> {
  const id = `${src.kind}/${src.name}`;
  let obj = src.object;
  if (src.kind === 'Secret' && isMap(obj['sops'])) {
    if (!decrypt) {
      throw new SyncgateError('FLUX_SUBSTITUTE_FROM_INVALID', `${src.file}: ${id}: is SOPS-encrypted and no decryption is available`);
    }
    obj = await decrypt(obj, src.file);
  }
  const vars = new Map<string, string>();
  const bad = (field: string): SyncgateError =>
    new SyncgateError('FLUX_SUBSTITUTE_FROM_INVALID', `${src.file}: ${id}: ${field} must map strings to strings`);
  const data = obj['data'];
  if (data !== undefined && data !== null) {
    if (!isMap(data)) throw bad('data');
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string') throw bad('data');
      if (src.kind === 'Secret') {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v.replace(/\s/g, ''))) {
          throw new SyncgateError('FLUX_SUBSTITUTE_FROM_INVALID', `${src.file}: ${id}: data.${k} is not base64`);
        }
        const plain = Buffer.from(v, 'base64').toString('utf8');
        redactor.add(plain);
        vars.set(k, stripNewlines(plain));
      } else vars.set(k, stripNewlines(v));
    }
  }
  const stringData = obj['stringData'];
  if (src.kind === 'Secret' && stringData !== undefined && stringData !== null) {
    if (!isMap(stringData)) throw bad('stringData');
    for (const [k, v] of Object.entries(stringData)) {
      if (typeof v !== 'string') throw bad('stringData');
      redactor.add(v);
      vars.set(k, stripNewlines(v));
    }
  }
  return vars;
}

/**
 * Builds the postBuild variables as kustomize-controller does: each `substituteFrom` in order
 * (later ones overwrite; a missing optional one counts as empty), then the inline `substitute`,
 * which wins. Newlines in values are stripped. Secret values are registered with the redactor.
 */
export async function loadVariables(
  refs: readonly SubstituteReference[],
  inline: Readonly<Record<string, string>>,
  sources: readonly VariableSource[],
  redactor: Redactor,
  decrypt?: SecretDecryptor,
): Promise<Map<string, string>> {
  const vars = new Map<string, string>();
  for (const ref of refs) {
    const src = sources.find((s) => s.kind === ref.kind && s.name === ref.name);
    if (!src) {
      if (ref.optional) continue;
      throw new SyncgateError(
        'FLUX_SUBSTITUTE_FROM_MISSING',
        `substitute from '${ref.kind}/${ref.name}' error: not found (pass it with --substitute-from)`,
      );
    }
    for (const [k, v] of await dataOf(src, decrypt, redactor)) vars.set(k, v);
  }
  for (const [k, v] of Object.entries(inline)) vars.set(k, stripNewlines(v));
  return vars;
}
