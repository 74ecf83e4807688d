// Without a cluster to ask, scope comes from this table: the built-in cluster-scoped kinds plus
// the common add-ons. Every other kind is taken as namespaced, as the API server's discovery
// would report for a namespaced CRD.
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  // core/v1
  'Namespace', 'Node', 'PersistentVolume', 'ComponentStatus',
  // rbac, apiextensions, apiregistration
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService',
  // admissionregistration
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  // storage
  'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'VolumeAttributesClass', 'StorageVersionMigration',
  // scheduling, node, networking
  'PriorityClass', 'RuntimeClass', 'IngressClass', 'IPAddress', 'ServiceCIDR',
  // certificates, policy, flowcontrol
  'CertificateSigningRequest', 'ClusterTrustBundle', 'PodSecurityPolicy', 'FlowSchema', 'PriorityLevelConfiguration',
  // resource (dynamic resource allocation)
  'DeviceClass', 'ResourceSlice',
  // common add-ons: Gateway API, cert-manager, Kyverno, CSI external-snapshotter
  'GatewayClass', 'ClusterIssuer', 'ClusterPolicy', 'VolumeSnapshotClass',
]);

/** True for the kinds that are never namespaced (everything else is taken as namespaced). */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}
