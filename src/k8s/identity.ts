import type { K8sObject } from './types.js';

/** `Kind/namespace/name` (`Kind/name` when cluster-scoped or unset): how messages name an object. */
export function identity(obj: Pick<K8sObject, 'kind' | 'metadata'>): string {
  const ns = obj.metadata.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata.name}` : `${obj.kind}/${obj.metadata.name}`;
}

/** API group of an apiVersion (`''` for the core group). */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The key used for duplicate detection: group, kind, namespace and name. */
export function identityKey(obj: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${apiGroup(obj.apiVersion)}|${obj.kind}|${obj.metadata.namespace ?? ''}|${obj.metadata.name}`;
}
