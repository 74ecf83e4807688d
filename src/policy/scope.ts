import { isClusterScoped } from '../k8s/index.js';

// Objects of namespaced kinds without a namespace land in the destination namespace, as Argo CD
// and Flux apply them.
/** The namespace an object lands in: its own, else (namespaced kinds) the destination namespace. */
export function effectiveNamespace(obj: { kind: string; metadata: { namespace?: string } }, destination: string): string | undefined {
  const ns = obj.metadata.namespace;
  if (ns !== undefined && ns !== '') return ns;
  return isClusterScoped(obj.kind) || destination === '' ? undefined : destination;
}

/** `Kind/namespace/name` with the effective namespace (how findings name objects). */
export function effectiveIdentity(obj: { kind: string; metadata: { name: string; namespace?: string } }, destination: string): string {
  const ns = effectiveNamespace(obj, destination);
  return ns === undefined ? `${obj.kind}/${obj.metadata.name}` : `${obj.kind}/${ns}/${obj.metadata.name}`;
}
