// Kinds that are never namespaced (built-in APIs); other kinds without a namespace land in the
// destination namespace, as Argo CD and Flux apply them.
/** Built-in kinds that are never namespaced. */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'CSIDriver', 'CSINode',
  'VolumeAttachment', 'PriorityClass', 'RuntimeClass', 'IngressClass', 'APIService', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'CertificateSigningRequest',
  'PodSecurityPolicy', 'ComponentStatus', 'FlowSchema', 'PriorityLevelConfiguration', 'ClusterIssuer', 'GatewayClass', 'DeviceClass', 'ClusterTrustBundle',
]);

/** The namespace an object lands in: its own, else (namespaced kinds) the destination namespace. */
export function effectiveNamespace(obj: { kind: string; metadata: { namespace?: string } }, destination: string): string | undefined {
  const ns = obj.metadata.namespace;
  if (ns !== undefined && ns !== '') return ns;
  return CLUSTER_SCOPED.has(obj.kind) || destination === '' ? undefined : destination;
}

/** `Kind/namespace/name` with the effective namespace (how findings name objects). */
export function effectiveIdentity(obj: { kind: string; metadata: { name: string; namespace?: string } }, destination: string): string {
  const ns = effectiveNamespace(obj, destination);
  return ns === undefined ? `${obj.kind}/${obj.metadata.name}` : `${obj.kind}/${ns}/${obj.metadata.name}`;
}
