// Every non-PSS built-in policy: a passing and a failing object each, plus the exception,
// expired-exception and inline-waiver paths run against each policy's failing object.
import type { Resource } from '../../../src/k8s/index.js';
import { WAIVER_ANNOTATION } from '../../../src/policy/index.js';
import { config, hits, res, scanObjects } from './harness.js';

type Json = Record<string, unknown>;

const safeSC = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
function deploy(name: string, container: Json = {}, spec: Json = {}, meta: Json = {}): Json {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'team-a', labels: { tier: 'web' }, ...meta },
    spec: { template: { metadata: { labels: { app: name } }, spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'app', image: 'registry.example.com/app:1.2.3', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } }, securityContext: safeSC, ...container }], ...spec } } },
  };
}
const role = (kind: string, rules: Json[], name = 'r'): Json => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(kind === 'Role' ? { namespace: 'team-a' } : {}) }, rules });
const binding = (kind: string, roleRef: Json, subjects: Json[]): Json => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'b', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects });
const netpol = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'team-a' }, spec: { podSelector: {} } };
// Assembled at run time so no credential-shaped literal sits in the repo.
const AWS_KEY = ['AKIA', 'Z3MSJV4WZRUTQ7HP'].join('');
const GH_TOKEN = ['ghp', '_', 'Q7vX2kLm9PzR4tYw8NcB1sDf6GhJ3aEo5uIq'].join('');
const PEM = ['-----BEGIN RSA PRIVATE', ' KEY-----\n', 'MIIEpAIBAAKCAQEA7x'.repeat(6), '\n-----END RSA PRIVATE', ' KEY-----'].join('');
const SLACK = ['xoxb', '-123456789012-1234567890123-', 'aB3dE5fG7hJ9kL1mN3pQ5rS7'].join('');

interface Case {
  policy: string;
  pass: (Json | Resource)[];
  fail: (Json | Resource)[];
  /** Paths of the expected findings of `policy` on the failing set. */
  paths: string[];
  cfg?: Record<string, unknown>;
}

const CASES: Case[] = [
  { policy: 'rbac/wildcard-verbs', pass: [role('Role', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }])], fail: [role('Role', [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }])], paths: ['rules[0].verbs'] },
  { policy: 'rbac/wildcard-resources', pass: [role('ClusterRole', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }])], fail: [role('ClusterRole', [{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }])], paths: ['rules[0].resources'] },
  { policy: 'rbac/cluster-admin-binding', pass: [binding('ClusterRoleBinding', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'Group', name: 'devs' }])], fail: [binding('ClusterRoleBinding', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'Group', name: 'devs' }])], paths: ['roleRef.name'] },
  { policy: 'rbac/system-masters-subject', pass: [binding('RoleBinding', { kind: 'Role', name: 'x' }, [{ kind: 'Group', name: 'masters' }])], fail: [binding('RoleBinding', { kind: 'Role', name: 'x' }, [{ kind: 'User', name: 'a' }, { kind: 'Group', name: 'system:masters' }])], paths: ['subjects[1].name'] },
  { policy: 'rbac/anonymous-subject', pass: [binding('RoleBinding', { kind: 'Role', name: 'x' }, [{ kind: 'User', name: 'anonymous' }])], fail: [binding('RoleBinding', { kind: 'Role', name: 'x' }, [{ kind: 'User', name: 'system:anonymous' }, { kind: 'Group', name: 'system:unauthenticated' }])], paths: ['subjects[0].name', 'subjects[1].name'] },
  { policy: 'rbac/authenticated-subject', pass: [binding('RoleBinding', { kind: 'Role', name: 'x' }, [{ kind: 'ServiceAccount', name: 'app', namespace: 'team-a' }])], fail: [binding('ClusterRoleBinding', { kind: 'ClusterRole', name: 'x' }, [{ kind: 'Group', name: 'system:authenticated' }])], paths: ['subjects[0].name'] },
  { policy: 'rbac/escalate-bind', pass: [role('ClusterRole', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get'] }])], fail: [role('ClusterRole', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }])], paths: ['rules[0]', 'rules[1]'] },
  { policy: 'rbac/impersonate', pass: [role('ClusterRole', [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] }])], fail: [role('ClusterRole', [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/secrets-read-cluster-wide', pass: [role('Role', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]), role('ClusterRole', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }], 'r2')], fail: [role('ClusterRole', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/pods-exec', pass: [role('Role', [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }])], fail: [role('Role', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/nodes-proxy', pass: [role('ClusterRole', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }])], fail: [role('ClusterRole', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/authenticated-subject', pass: [binding('RoleBinding', { kind: 'Role', name: 'proxy-cert' }, [{ kind: 'Group', name: 'system:authenticated' }]), role('Role', [{ apiGroups: [''], resources: ['services/proxy'], resourceNames: ['http:sealed-secrets:'], verbs: ['get'] }], 'proxy-cert')], fail: [binding('RoleBinding', { kind: 'Role', name: 'proxy-any' }, [{ kind: 'Group', name: 'system:authenticated' }]), role('Role', [{ apiGroups: [''], resources: ['services/proxy'], verbs: ['get'] }], 'proxy-any')], paths: ['subjects[0].name'] },
  { policy: 'rbac/pods-exec', pass: [role('Role', [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }])], fail: [role('Role', [{ apiGroups: [''], resources: ['pods/attach'], verbs: ['create'] }]), role('ClusterRole', [{ apiGroups: [''], resources: ['pods/*'], verbs: ['get'] }], 'r2')], paths: ['rules[0]', 'rules[0]'] },
  { policy: 'rbac/pods-portforward', pass: [role('Role', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }])], fail: [role('Role', [{ apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/admission-control', pass: [role('ClusterRole', [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'], verbs: ['get', 'list', 'watch'] }])], fail: [role('ClusterRole', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }, { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['update', 'patch'] }, { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingadmissionpolicybindings'], verbs: ['delete'] }])], paths: ['rules[1]', 'rules[2]'] },
  { policy: 'rbac/serviceaccount-token', pass: [role('Role', [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] }])], fail: [role('Role', [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/csr-approval', pass: [role('ClusterRole', [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] }])], fail: [role('ClusterRole', [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/persistent-volume-create', pass: [role('ClusterRole', [{ apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create'] }])], fail: [role('ClusterRole', [{ apiGroups: [''], resources: ['persistentvolumes'], verbs: ['create'] }])], paths: ['rules[0]'] },
  { policy: 'rbac/create-workloads', pass: [role('Role', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }])], fail: [role('Role', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }, { apiGroups: [''], resources: ['pods'], verbs: ['*'] }])], paths: ['rules[0]', 'rules[1]'] },
  { policy: 'rbac/delete-events', pass: [role('Role', [{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }])], fail: [role('Role', [{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['deletecollection'] }])], paths: ['rules[0]'] },
  { policy: 'hygiene/probes', pass: [deploy('a', { livenessProbe: { tcpSocket: { port: 80 } }, readinessProbe: { httpGet: { port: 80 } } }), { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'team-a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }], fail: [deploy('a', { readinessProbe: { httpGet: { port: 80 } } }, { initContainers: [{ name: 'init', image: 'x' }] })], paths: ['spec.template.spec.containers[0].livenessProbe'] },
  { policy: 'secrets/plaintext-secret', pass: [res({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team-a' }, data: { p: 'aHVudGVyMg==' } }, { decryptedBy: 'team-a' }), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e', namespace: 'team-a' }, type: 'kubernetes.io/service-account-token' }], fail: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team-a' }, data: { p: 'aHVudGVyMg==' } }], paths: ['data'] },
  { policy: 'secrets/credential-in-env', pass: [deploy('a', { env: [{ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' }, { name: 'T', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })], fail: [deploy('a', { env: [{ name: 'X', value: 'plain' }, { name: 'AWS_ACCESS_KEY_ID', value: AWS_KEY }] })], paths: ['spec.template.spec.containers[0].env[1].value'] },
  { policy: 'secrets/credential-in-configmap', pass: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a' }, data: { 'app.conf': 'token = ${GITHUB_TOKEN}\nlevel=debug' } }], fail: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a' }, data: { 'key.pem': PEM, 'gh': `token: ${GH_TOKEN}` } }], paths: ['data["gh"]', 'data["key.pem"]'] },
  { policy: 'secrets/credential-in-annotation', pass: [deploy('a', {}, {}, { annotations: { note: 'see https://hooks.example.com/x' } })], fail: [deploy('a', {}, {}, { annotations: { hook: `https://hooks.slack.com/services/T0000000/B0000000/${'x'.repeat(30)}`, bot: SLACK } })], paths: ['metadata.annotations["bot"]', 'metadata.annotations["hook"]'] },
  { policy: 'supply-chain/image-tag', pass: [deploy('a', { image: 'nginx@sha256:' + 'a'.repeat(64) })], fail: [deploy('a', { image: 'nginx:latest' }), deploy('b', { image: 'localhost:5000/app' })], paths: ['spec.template.spec.containers[0].image', 'spec.template.spec.containers[0].image'] },
  { policy: 'supply-chain/image-digest', cfg: { options: { 'supply-chain': { requireDigest: true } } }, pass: [deploy('a', { image: 'ghcr.io/acme/app:1@sha256:' + 'b'.repeat(64) })], fail: [deploy('a', { image: 'ghcr.io/acme/app:1' })], paths: ['spec.template.spec.containers[0].image'] },
  { policy: 'supply-chain/allowed-registries', cfg: { options: { 'supply-chain': { allowedRegistries: ['ghcr.io/acme/', 'nginx'] } } }, pass: [deploy('a', { image: 'ghcr.io/acme/app:1' }), deploy('b', { image: 'nginx:1.27' })], fail: [deploy('a', { image: 'ghcr.io/acmeevil/app:1' }), deploy('b', { image: 'docker.io/library/redis:7' })], paths: ['spec.template.spec.containers[0].image', 'spec.template.spec.containers[0].image'] },
  { policy: 'network/missing-network-policy', pass: [deploy('a'), netpol], fail: [deploy('a'), { ...netpol, spec: { podSelector: { matchLabels: { app: 'other' } } } }, { ...netpol, metadata: { name: 'np2', namespace: 'team-b' } }], paths: ['spec.template.metadata.labels'] },
  { policy: 'network/service-type', pass: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'team-a' }, spec: { ports: [{ port: 80 }] } }], fail: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'team-a' }, spec: { type: 'LoadBalancer' } }], paths: ['spec.type'] },
  { policy: 'hygiene/resources', pass: [deploy('a')], fail: [deploy('a', { resources: { requests: { cpu: '1' } } })], paths: ['spec.template.spec.containers[0].resources'] },
  { policy: 'hygiene/read-only-root-filesystem', pass: [deploy('a')], fail: [deploy('a', { securityContext: { ...safeSC, readOnlyRootFilesystem: false } })], paths: ['spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem'] },
  { policy: 'hygiene/automount-service-account-token', pass: [deploy('a'), deploy('b', {}, { automountServiceAccountToken: undefined, serviceAccountName: 'quiet' }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet', namespace: 'team-a' }, automountServiceAccountToken: false }], fail: [deploy('a', {}, { automountServiceAccountToken: true })], paths: ['spec.template.spec.automountServiceAccountToken'] },
  { policy: 'hygiene/default-namespace', pass: [deploy('a'), role('ClusterRole', [])], fail: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } }], paths: ['metadata.namespace'] },
  { policy: 'hygiene/naked-pod', pass: [deploy('a')], fail: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a' }, spec: { containers: [] } }], paths: ['kind'] },
];

function only(policy: string, r: ReturnType<typeof scanObjects>): string[] {
  return r.findings.filter((f) => f.policy === policy).map((f) => f.path);
}

describe.each(CASES)('$policy', (c) => {
  const cfg = (extra: Record<string, unknown> = {}, exceptions: unknown[] = []) => config({ ...c.cfg, ...extra }, exceptions);
  const failObj = (): Json => {
    const first = c.fail.find((x) => !('object' in x)) as Json;
    return first;
  };

  test('passes a compliant set', () => {
    expect(only(c.policy, scanObjects(c.pass, cfg()))).toEqual([]);
  });

  test('fails with exact field paths', () => {
    const r = scanObjects(c.fail, cfg());
    expect(only(c.policy, r).sort()).toEqual([...c.paths].sort());
    for (const f of r.findings.filter((x) => x.policy === c.policy)) {
      expect(f.object).toMatch(/^[A-Za-z]+\//);
      expect(f.remediation).not.toBe('');
      expect(f.waived).toBeUndefined();
    }
  });

  test('an exception waives it, an expired exception does not (notice)', () => {
    const obj = failObj();
    const kind = obj['kind'] as string;
    const name = (obj['metadata'] as Json)['name'] as string;
    const ok = scanObjects(c.fail, cfg({}, [{ policies: [c.policy.replace(/\/.*/, '/*')], match: { projects: ['team-*'], kinds: [kind], names: [`${name.slice(0, 1)}*`] }, reason: 'SEC-1', expires: '2027-01-01' }]));
    const mine = ok.findings.filter((f) => f.policy === c.policy && f.kind === kind && f.name === name);
    expect(mine.length).toBeGreaterThan(0);
    for (const f of mine) expect(f.waived).toEqual({ by: 'exception', reason: 'SEC-1', expires: '2027-01-01T00:00:00.000Z' });

    const old = scanObjects(c.fail, cfg({}, [{ policies: [c.policy], match: { kinds: [kind] }, reason: 'SEC-2', expires: '2026-01-01' }]));
    expect(old.findings.filter((f) => f.policy === c.policy && f.waived)).toEqual([]);
    expect(old.notices.map((n) => n.message).join('\n')).toContain('exception #1 (SEC-2) expired on 2026-01-01');
  });

  test('an inline waiver counts only where the platform allows it', () => {
    const obj = structuredClone(failObj());
    const md = obj['metadata'] as Json;
    md['annotations'] = { ...(md['annotations'] as Json), [WAIVER_ANNOTATION]: JSON.stringify([{ policy: c.policy, reason: 'migrating, JIRA-9', expires: '2026-07-01' }]) };
    const set = c.fail.map((x) => (x === failObj() ? obj : x)) as Json[];
    const kind = obj['kind'] as string;
    const pick = (r: ReturnType<typeof scanObjects>) => r.findings.filter((f) => f.policy === c.policy && f.kind === kind && f.name === md['name']);

    const denied = scanObjects(set, cfg());
    expect(pick(denied).length).toBeGreaterThan(0);
    expect(pick(denied).every((f) => f.waived === undefined)).toBe(true);
    expect(denied.notices.map((n) => n.message).join('\n')).toContain(`inline waiver for ${c.policy} ignored: the platform config does not allow`);

    const allowed = scanObjects(set, cfg({ inlineWaivers: [{ policies: [c.policy], maxDays: 60 }] }));
    expect(pick(allowed).length).toBeGreaterThan(0);
    for (const f of pick(allowed)) expect(f.waived).toMatchObject({ by: 'annotation', reason: 'migrating, JIRA-9' });

    const tooLong = scanObjects(set, cfg({ inlineWaivers: [{ policies: [c.policy], maxDays: 10 }] }));
    expect(pick(tooLong).length).toBeGreaterThan(0);
    expect(pick(tooLong).every((f) => f.waived === undefined)).toBe(true);
    expect(tooLong.notices.map((n) => n.message).join('\n')).toContain('more than 10 days away');
  });
});

describe('inline waiver rules', () => {
  const pod = (waivers: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a', annotations: { [WAIVER_ANNOTATION]: waivers } }, spec: { containers: [] } });
  const cfg = config({ packs: ['hygiene'], inlineWaivers: [{ policies: ['hygiene/*'] }] });
  test.each([
    ['no reason', JSON.stringify([{ policy: 'hygiene/naked-pod', expires: '2026-07-01' }]), 'a reason is required'],
    ['no expiry', JSON.stringify([{ policy: 'hygiene/naked-pod', reason: 'r' }]), 'an expires date (YYYY-MM-DD) is required'],
    ['expired', JSON.stringify([{ policy: 'hygiene/naked-pod', reason: 'r', expires: '2026-05-01' }]), 'it expired on 2026-05-01'],
    ['bad JSON', '[{policy:', 'is not valid JSON'],
    ['no policy', JSON.stringify([{ reason: 'r' }]), 'every entry needs a policy'],
  ])('%s: the finding stands and a notice says why', (_n, waivers, why) => {
    const r = scanObjects([pod(waivers)], cfg);
    const naked = r.findings.find((f) => f.policy === 'hygiene/naked-pod');
    expect(naked).toBeDefined();
    expect(naked?.waived).toBeUndefined();
    expect(r.notices.map((n) => n.message).join('\n')).toContain(why);
  });
  test('a glob in the annotation waives every allowed policy it names', () => {
    const r = scanObjects([pod(JSON.stringify([{ policy: 'hygiene/*', reason: 'r', expires: '2026-06-30' }]))], cfg);
    const hygiene = r.findings.filter((f) => f.policy.startsWith('hygiene/'));
    expect(hygiene.length).toBeGreaterThan(0);
    expect(hygiene.every((f) => f.waived?.by === 'annotation')).toBe(true);
  });
});

describe('credential findings never carry the value', () => {
  test('message holds rule and fingerprint only', () => {
    const r = scanObjects([deploy('a', { env: [{ name: 'GH', value: GH_TOKEN }, { name: 'K', value: AWS_KEY }] })], config({ packs: ['secrets'] }));
    const text = JSON.stringify(r);
    expect(text).not.toContain(GH_TOKEN);
    expect(text).not.toContain(AWS_KEY);
    expect(r.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^credential \(rule github-pat\) in env "GH" of container "app" \(sha256:[0-9a-f]{12}\)$/),
      expect.stringMatching(/^credential \(rule aws-access-token\) in env "K" of container "app" \(sha256:[0-9a-f]{12}\)$/),
    ]);
  });
  test('low-entropy and placeholder values are not credentials', () => {
    const r = scanObjects([deploy('a', { env: [{ name: 'A', value: 'AKIAAAAAAAAAAAAAAAAA' }, { name: 'B', value: '{{ .Values.token }}' }, { name: 'C', value: 'ghp_' + 'a'.repeat(36) }] })], config({ packs: ['secrets'] }));
    expect(hits(r)).toEqual([]);
  });
});

describe('app scope', () => {
  test('the webhook (object scope) skips app-scope policies', () => {
    const r = scanObjects([deploy('a')], config({ packs: ['network'] }), undefined, 'object');
    expect(hits(r)).toEqual([]);
    expect(hits(scanObjects([deploy('a')], config({ packs: ['network'] })))).toEqual(['network/missing-network-policy spec.template.metadata.labels']);
  });
  test('requireNetworkPolicy: false turns the check off', () => {
    expect(hits(scanObjects([deploy('a')], config({ packs: ['network'], options: { network: { requireNetworkPolicy: false } } })))).toEqual([]);
  });
  // An empty metadata.namespace is unset (Argo CD gives such an object the destination namespace).
  test('an empty namespace is the destination namespace', () => {
    const dest = { appName: 'a', namespace: 'default', project: 'p', repoURL: '', sourcePath: '', revision: '', kubeVersion: '', apiVersions: [] };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: '' } };
    expect(hits(scanObjects([cm], config({ packs: ['hygiene'] }), dest))).toEqual(['hygiene/default-namespace metadata.namespace']);
    const quiet = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet', namespace: '' }, automountServiceAccountToken: false };
    const pod = deploy('a', {}, { automountServiceAccountToken: undefined, serviceAccountName: 'quiet' }, { namespace: undefined });
    expect(hits(scanObjects([quiet, pod], config({ packs: ['hygiene'] })), 'hygiene/automount')).toEqual([]);
    expect(hits(scanObjects([{ ...netpol, metadata: { name: 'np', namespace: '' } }, { ...deploy('a'), metadata: { name: 'a' } }], config({ packs: ['network'] })))).toEqual([]);
  });
  test('a cluster-scoped object is in no namespace, even one written in its YAML', () => {
    const cr = { ...role('ClusterRole', []), metadata: { name: 'r', namespace: 'default' } };
    expect(hits(scanObjects([cr], config({ packs: ['hygiene'] })))).toEqual([]);
  });
  test('objects without a namespace use the destination namespace', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(hits(scanObjects([cm], config({ packs: ['hygiene'] }), { appName: 'a', namespace: 'default', project: 'p', repoURL: '', sourcePath: '', revision: '', kubeVersion: '', apiVersions: [] }))).toEqual(['hygiene/default-namespace metadata.namespace']);
  });
});

describe('rbac/authenticated-subject judges the permissions granted', () => {
  const everyone = [{ kind: 'Group', name: 'system:authenticated' }];
  const msgs = (objs: Json[]) => scanObjects(objs, config()).findings.filter((f) => f.policy === 'rbac/authenticated-subject').map((f) => f.message);
  test('sealed-secrets: get on one named services/proxy is fine', () => {
    expect(msgs([
      binding('RoleBinding', { kind: 'Role', name: 'sealed-secrets-service-proxier' }, everyone),
      role('Role', [{ apiGroups: [''], resources: ['services'], resourceNames: ['sealed-secrets'], verbs: ['get'] }, { apiGroups: [''], resources: ['services/proxy'], resourceNames: ['http:sealed-secrets:', 'sealed-secrets'], verbs: ['get'] }], 'sealed-secrets-service-proxier'),
    ])).toEqual([]);
  });
  test.each([
    ['ClusterRole', 'system:public-info-viewer', [], []],
    ['ClusterRole', 'view', [], ['ClusterRoleBinding gives Group "system:authenticated" ClusterRole "view" which is not in the render, so its permissions cannot be judged']],
    ['ClusterRole', 'c', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, { apiGroups: [''], resources: ['pods'], verbs: ['create'] }, { apiGroups: ['*'], resources: ['configmaps'], verbs: ['list'] }], ['ClusterRoleBinding gives Group "system:authenticated" ClusterRole "c" rules[0] allows read on secrets; rules[1] allows create; rules[2] allows read on every resource (*)']],
    ['ClusterRole', 'n', [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }, { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }], []],
  ])('%s %s', (kind, name, rules, expected) => {
    const b = { ...binding('ClusterRoleBinding', { kind, name }, everyone), metadata: { name: 'b' } };
    expect(msgs([b, ...(rules.length ? [role(kind, rules, name)] : [])])).toEqual(expected);
  });
  test('a Role of another namespace does not count', () => {
    const r = { ...role('Role', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }], 'x'), metadata: { name: 'x', namespace: 'team-b' } };
    expect(msgs([binding('RoleBinding', { kind: 'Role', name: 'x' }, everyone), r])).toHaveLength(1);
  });
});
