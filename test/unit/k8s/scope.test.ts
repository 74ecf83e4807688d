import { isClusterScoped } from '../../../src/k8s/index.js';

describe('isClusterScoped', () => {
  // Every member the three former lists (policy scope, CEL request, flux targetNamespace) had.
  test.each([
    'Namespace', 'Node', 'PersistentVolume', 'ComponentStatus',
    'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService',
    'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
    'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
    'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'VolumeAttributesClass',
    'PriorityClass', 'RuntimeClass', 'IngressClass',
    'CertificateSigningRequest', 'ClusterTrustBundle', 'PodSecurityPolicy', 'FlowSchema', 'PriorityLevelConfiguration',
    'DeviceClass', 'GatewayClass', 'ClusterIssuer', 'ClusterPolicy', 'VolumeSnapshotClass',
    // built-ins none of them had
    'StorageVersionMigration', 'IPAddress', 'ServiceCIDR', 'ResourceSlice',
  ])('%s is cluster-scoped', (kind) => {
    expect(isClusterScoped(kind)).toBe(true);
  });

  test.each([
    'Pod', 'Deployment', 'Service', 'Secret', 'ConfigMap', 'ServiceAccount', 'Role', 'RoleBinding', 'NetworkPolicy',
    'PersistentVolumeClaim', 'Ingress', 'Gateway', 'Issuer', 'Policy', 'VolumeSnapshot', 'ResourceClaim', 'Lease', 'Event',
    'LocalSubjectAccessReview', 'MyCustomThing',
  ])('%s is namespaced', (kind) => {
    expect(isClusterScoped(kind)).toBe(false);
  });

  test('kinds are case-sensitive, as the API server matches them', () => {
    expect(isClusterScoped('clusterrole')).toBe(false);
    expect(isClusterScoped('')).toBe(false);
  });
});
