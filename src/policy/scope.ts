import { isClusterScoped } from '../k8s/index.js';

/**
 * The namespace an object lands in: none for a cluster-scoped kind, else its own, else the
 * destination namespace.
 */
export function effectiveNamespace(obj: { kind: string; metadata: { namespace?: string } }, destination: string): string | undefined {
  // Argo CD clears the namespace of a cluster-scoped object and gives the destination namespace to
  // a namespaced one without one (controller/state.go DeduplicateTargetObjects); Flux and the API
  // server do the same, so a namespace written on a ClusterRole names nothing.
  if (isClusterScoped(obj.kind)) return undefined;
  const ns = obj.metadata.namespace;
  if (ns !== undefined && ns !== '') return ns;
  return destination === '' ? undefined : destination;
}

/** `Kind/namespace/name` with the effective namespace (how findings name objects). */
export function effectiveIdentity(obj: { kind: string; metadata: { name: string; namespace?: string } }, destination: string): string {
  const ns = effectiveNamespace(obj, destination);
  return ns === undefined ? `${obj.kind}/${obj.metadata.name}` : `${obj.kind}/${ns}/${obj.metadata.name}`;
}
