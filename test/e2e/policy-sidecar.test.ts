// The policy gate through the built sidecar, driven as argocd-repo-server drives it: a compliant
// app renders; one privileged container refuses the whole render with the finding in the
// message and nothing emitted; in warn mode the same app renders and the warning is reported.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, callGenerate, repoRoot, startSidecar, type Sidecar } from '../helpers/sidecar.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'policy', 'app');
const env = { ...baseEnv({ name: 'shop', namespace: 'shop', project: 'team-a' }), KUBE_VERSION: '1.30.2' };
const config = (policies = '') => `apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  policies:\n    enforce: {severityAtLeast: high}\n${policies}`;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'syncgate-policy-e2e-'));
  cpSync(fixture, join(work, 'ok'), { recursive: true });
  cpSync(fixture, join(work, 'bad'), { recursive: true });
  const bad = join(work, 'bad', 'deployment.yaml');
  writeFileSync(bad, readFileSync(bad, 'utf8').replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('policy gate in the sidecar (enforce)', () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startSidecar({ config: config() });
  }, 20_000);
  afterAll(async () => sidecar.stop());

  test('a compliant app renders', async () => {
    const manifests = await callGenerate(sidecar.socket, join(work, 'ok'), { env });
    expect(manifests.map((m) => (JSON.parse(m) as { kind: string }).kind).sort()).toEqual(['Deployment', 'NetworkPolicy']);
  }, 20_000);

  test('one privileged container refuses the render with the finding; nothing is emitted', async () => {
    let manifests: string[] | undefined;
    let err: (Error & { details?: string }) | undefined;
    try {
      manifests = await callGenerate(sidecar.socket, join(work, 'bad'), { env });
    } catch (e) {
      err = e as Error & { details?: string };
    }
    expect(manifests).toBeUndefined();
    const text = `${err?.details ?? ''} ${err?.message ?? ''}`;
    expect(text).toContain('syncgate refused the render: 1 finding in 1 object (pss-baseline/privileged)');
    expect(text).toContain('Deployment/shop/shop: pss-baseline/privileged — spec.template.spec.containers[0].securityContext.privileged');
    await sidecar.settled();
    expect(sidecar.leftovers()).toEqual([]);
  }, 20_000);
});

describe('policy gate in the sidecar (warn mode)', () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startSidecar({ config: config('    modes: {"pss-baseline/privileged": warn}\n') });
  }, 20_000);
  afterAll(async () => sidecar.stop());

  test('the privileged app renders and the finding is reported as a warning', async () => {
    const manifests = await callGenerate(sidecar.socket, join(work, 'bad'), { env });
    const deploy = manifests.map((m) => JSON.parse(m) as { kind: string; spec?: unknown }).find((o) => o.kind === 'Deployment');
    expect(JSON.stringify(deploy)).toContain('"privileged":true');
    // The warning is logged after the reply is sent: poll for it with a deadline.
    const end = Date.now() + 10_000;
    while (!sidecar.logs().includes('pss-baseline/privileged') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(sidecar.logs()).toContain('pss-baseline/privileged');
  }, 20_000);
});
