import { parseAllDocuments, stringify } from 'yaml';
import { SyncgateError } from '../errors/index.js';
import type { K8sObject, Resource } from './types.js';

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a YAML (or JSON) multi-document stream into plain values, skipping empty and null
 * documents. YAML 1.1 rules are used on purpose: Kubernetes and Argo CD parse manifests with
 * sigs.k8s.io/yaml (go-yaml v2, YAML 1.1), where `on`/`yes` are booleans and `0755` is octal,
 * so we must read the same values the cluster will get.
 */
export function parseDocuments(text: string, source: string): unknown[] {
  const docs = parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: false, prettyErrors: false });
  const out: unknown[] = [];
  for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const err = d.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      throw new SyncgateError(
        'K8S_YAML_INVALID',
        `${source}: document ${i + 1}${line ? ` line ${line}` : ''}: ${err.message.split('\n')[0] ?? ''}`,
      );
    }
    const v: unknown = d.toJS({ maxAliasCount: 1000 });
    if (v === null || v === undefined) continue;
    out.push(v);
  }
  return out;
}

/** Checks the envelope of one parsed document; throws K8S_OBJECT_INVALID naming the file. */
export function asObject(v: unknown, source: string, doc: number): K8sObject {
  if (!isMap(v)) throw new SyncgateError('K8S_OBJECT_INVALID', `${source}: document ${doc + 1}: not a mapping`);
  const md = v['metadata'];
  const missing: string[] = [];
  if (typeof v['apiVersion'] !== 'string' || v['apiVersion'] === '') missing.push('apiVersion');
  if (typeof v['kind'] !== 'string' || v['kind'] === '') missing.push('kind');
  if (!isMap(md) || typeof md['name'] !== 'string' || md['name'] === '') {
    // generateName-only objects cannot be tracked by Argo CD or Flux either.
    missing.push('metadata.name');
  }
  if (missing.length > 0) {
    throw new SyncgateError('K8S_OBJECT_INVALID', `${source}: document ${doc + 1}: missing ${missing.join(', ')}`);
  }
  return v as K8sObject;
}

/**
 * Parses a manifest stream into resources, expanding `*List` kinds (`v1/List`, `ConfigMapList`…)
 * the way Argo CD does.
 */
export function parseResources(text: string, source: string): Resource[] {
  const out: Resource[] = [];
  for (const [i, v] of parseDocuments(text, source).entries()) {
    if (isMap(v) && typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items'])) {
      for (const item of v['items']) out.push({ object: asObject(item, source, i), source, doc: i });
      continue;
    }
    out.push({ object: asObject(v, source, i), source, doc: i });
  }
  return out;
}

/** Serialises objects as one YAML stream (`---` separated). */
export function toYamlStream(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, version: '1.1' })).join('---\n');
}
