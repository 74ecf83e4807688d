import { stringify } from 'yaml';
import { SyncgateError } from '../errors/index.js';
import { loadDocuments } from './load-yaml.js';
import type { K8sObject, Resource } from './types.js';

/**
 * Parses a YAML (or JSON) multi-document stream into plain values, skipping empty and null
 * documents, with YAML 1.1 rules (see parse-exact.ts); a fast loader that falls back to the
 * exact one for anything it cannot mirror.
 */
export const parseDocuments = loadDocuments;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
  for (const [i, v] of loadDocuments(text, source).entries()) {
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
