// deploy/flux must pass syncgate's own packs: render it with the real kustomize and scan it.
import { parseConfig } from '../../../src/config/index.js';
import { resolveTool, run, toolEnv } from '../../../src/exec/index.js';
import { gateObjects } from '../../../src/gate/index.js';
import { parseResources, type K8sObject, type Resource } from '../../../src/k8s/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let resources: Resource[];
const byKind = (kind: string): K8sObject[] => resources.filter((r) => r.object.kind === kind).map((r) => r.object);
const context = { appName: 'syncgate', namespace: 'syncgate', project: 'platform', repoURL: '', sourcePath: 'deploy/flux', revision: '', kubeVersion: '', apiVersions: [] };

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'syncgate-deploy-'));
  try {
    const kustomize = resolveTool('kustomize');
    if (!kustomize) throw new Error('kustomize not installed (run scripts/tools.sh)');
    const out = await run({ file: kustomize, args: ['build', join(process.cwd(), 'deploy', 'flux')], cwd: work, env: toolEnv(work), deadline: Date.now() + 20_000 });
    resources = parseResources(out.stdout, 'kustomize build deploy/flux');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

const config = (packs: string[]) =>
  parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { policies: { packs } } });

describe('deploy/flux', () => {
  test.each([[['pss-restricted']], [['pss-baseline', 'pss-restricted', 'rbac', 'secrets', 'supply-chain', 'network', 'hygiene']]])(
    'passes %j with no finding at all',
    async (packs) => {
      const result = await gateObjects(resources, { context, config: config(packs), logger: silentLogger() });
      expect(result.scan.findings.map((f) => `${f.object}: ${f.policy}`)).toEqual([]);
      expect(result.decision.refused).toBe(false);
      expect(result.scan.scanned).toBe(resources.length);
    },
  );

  test('the scan can fail: a privileged variant of the Deployment is refused by pss-restricted', async () => {
    const bad = structuredClone(resources);
    const dep = bad.find((r) => r.object.kind === 'Deployment')!.object as any;
    dep.spec.template.spec.containers[0].securityContext = { privileged: true };
    const result = await gateObjects(bad, { context, config: config(['pss-restricted']), logger: silentLogger() });
    expect(result.decision.refused).toBe(true);
  });

  test('webhook wiring: 2 replicas with a PDB, fail-closed webhooks scoped to Flux objects', () => {
    const [dep] = byKind('Deployment') as any[];
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(dep.spec.template.spec.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect((byKind('PodDisruptionBudget')[0] as any).spec.minAvailable).toBe(1);
    const [vwc] = byKind('ValidatingWebhookConfiguration') as any[];
    expect(vwc.metadata.annotations['cert-manager.io/inject-ca-from']).toBe('syncgate/syncgate-webhook');
    const labels = vwc.webhooks.map((w: any) => w.objectSelector.matchExpressions[0].key);
    expect(labels).toEqual(['kustomize.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/name']);
    for (const w of vwc.webhooks) {
      expect(w).toMatchObject({ failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'] });
      expect(w.timeoutSeconds).toBeLessThanOrEqual(30);
      expect(w.clientConfig.service).toEqual({ namespace: 'syncgate', name: 'syncgate-webhook', path: '/validate', port: 443 });
      expect(w.namespaceSelector.matchExpressions[0]).toMatchObject({ key: 'kubernetes.io/metadata.name', operator: 'NotIn' });
      expect(w.namespaceSelector.matchExpressions[0].values).toEqual(expect.arrayContaining(['flux-system', 'syncgate']));
    }
    const cert = byKind('Certificate')[0] as any;
    expect(cert.spec.secretName).toBe('syncgate-webhook-tls');
    expect(cert.spec.dnsNames).toContain('syncgate-webhook.syncgate.svc');
    expect(byKind('NetworkPolicy')).toHaveLength(1);
    // The webhook's own config parses with the real schema, and its review budget fits the timeout.
    const cfg = parseConfig(parseYaml((byKind('ConfigMap')[0] as any).data['config.yaml']));
    expect(cfg.spec.webhook.timeout).toBeLessThan(vwc.webhooks[0].timeoutSeconds * 1000);
  });
});
