// The confused deputy, end to end through the built gRPC sidecar: team B's app carries team A's
// encrypted Secret. Both keys are mounted in the sidecar; only team A's app may use team A's key.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, callGenerate, expectClean, repoRoot, startSidecar, type Sidecar } from '../helpers/sidecar.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'sops');
const key = (t: string): string => join(fixtures, 'keys', `TEST-ONLY-${t}.agekey`);
const config = `apiVersion: syncgate.dev/v1alpha1
kind: GateConfig
spec:
  keys:
    - name: team-a
      ageIdentityFile: ${key('team-a')}
      grants: {projects: [team-a], namespaces: [team-a]}
    - name: team-b
      ageIdentityFile: ${key('team-b')}
      grants: {projects: [team-b], namespaces: [team-b]}
`;

let sidecar: Sidecar;
let repo: string;

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'sg-tenants-repo-'));
  for (const app of ['team-a/app', 'team-b/app']) mkdirSync(join(repo, app), { recursive: true });
  // team A's own Secret, and the same encrypted file copied into team B's app
  copyFileSync(join(fixtures, 'enc', 'secret-nons.yaml'), join(repo, 'team-a/app/secret.yaml'));
  copyFileSync(join(fixtures, 'enc', 'secret-nons.yaml'), join(repo, 'team-b/app/stolen.yaml'));
  writeFileSync(join(repo, 'team-b/app/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  a: b\n');
  sidecar = await startSidecar({ config });
}, 30_000);
afterAll(async () => {
  await sidecar.stop();
  rmSync(repo, { recursive: true, force: true });
});
afterEach(() => expectClean(sidecar));

const SECRET = 'CANARY-nons-apikey-8d8d';

describe('SOPS keys are scoped per tenant through the gRPC sidecar', () => {
  test("team B's app carrying team A's encrypted Secret is refused, even asking for team-a via ARGOCD_ENV_*", async () => {
    const env = {
      ...baseEnv({ name: 'b-app', namespace: 'team-b', project: 'team-b', sourcePath: 'team-b/app' }),
      ARGOCD_ENV_SOPS_KEY: 'team-a',
      ARGOCD_ENV_ARGOCD_APP_PROJECT_NAME: 'team-a',
      ARGOCD_ENV_SOPS_AGE_KEY_FILE: key('team-a'),
    };
    const err = (await callGenerate(sidecar.socket, repo, { appRelPath: 'team-b/app', env }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('SOPS_KEY_NOT_GRANTED');
    expect(err.message).toContain('stolen.yaml: encrypted for team-a, not granted to app b-app (project team-b); keys granted to it: team-b');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toMatch(/AGE-SECRET-KEY/);
  }, 20_000);

  test("team A's own app gets its Secret decrypted in the manifests", async () => {
    const env = baseEnv({ name: 'a-app', namespace: 'team-a', project: 'team-a', sourcePath: 'team-a/app' });
    const manifests = await callGenerate(sidecar.socket, repo, { appRelPath: 'team-a/app', env });
    const objs = manifests.map((m) => JSON.parse(m) as { kind: string; stringData?: Record<string, string>; sops?: unknown });
    expect(objs).toHaveLength(1);
    expect(objs[0]!.kind).toBe('Secret');
    expect(objs[0]!.stringData).toEqual({ 'api-key': SECRET });
    expect(objs[0]!.sops).toBeUndefined();
  }, 20_000);

  test('team A deploying its Secret into team B’s namespace is refused', async () => {
    const env = baseEnv({ name: 'a-app', namespace: 'team-b', project: 'team-a', sourcePath: 'team-a/app' });
    const err = (await callGenerate(sidecar.socket, repo, { appRelPath: 'team-a/app', env }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('SOPS_NAMESPACE_NOT_GRANTED');
    expect(err.message).toContain('Secret/no-namespace: decrypted with key team-a, which is not granted namespace team-b');
  }, 20_000);

  test('the sidecar logs an audit line per decryption and never the plaintext', async () => {
    // Its own two requests (one refused, one decrypted), so it does not rely on the tests above.
    const stolen = { ...baseEnv({ name: 'b-app', namespace: 'team-b', project: 'team-b', sourcePath: 'team-b/app' }), ARGOCD_ENV_SOPS_KEY: 'team-a' };
    await callGenerate(sidecar.socket, repo, { appRelPath: 'team-b/app', env: stolen }).catch(() => undefined);
    await callGenerate(sidecar.socket, repo, { appRelPath: 'team-a/app', env: baseEnv({ name: 'a-app', namespace: 'team-a', project: 'team-a', sourcePath: 'team-a/app' }) });
    const end = Date.now() + 10_000;
    while (!/"outcome":"sops_key_not_granted"[\s\S]*"app":"a-app"[^\n]*"outcome":"ok"|"app":"a-app"[^\n]*"outcome":"ok"[\s\S]*"outcome":"sops_key_not_granted"/.test(sidecar.logs()) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const logs = sidecar.logs();
    const audit = logs.split('\n').filter((l) => l.includes('"audit":true')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ app: 'b-app', project: 'team-b', target: 'stolen.yaml', key: 'none', outcome: 'sops_key_not_granted' }),
        expect.objectContaining({ app: 'a-app', project: 'team-a', key: 'team-a', outcome: 'ok' }),
      ]),
    );
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toMatch(/AGE-SECRET-KEY|ENC\[AES256_GCM/);
    expect(readFileSync(key('team-a'), 'utf8')).toContain('TEST-ONLY');
  }, 20_000);
});
