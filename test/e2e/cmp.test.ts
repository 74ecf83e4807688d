// The built `syncgate serve` on a temp socket, driven exactly as argocd-repo-server drives a
// CMP sidecar; the same apps through `syncgate generate` run as the stock cmp-server runs it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { baseEnv, callCheck, callGenerate, callMatch, callParameters, cliPath, expectClean, parameterEnv, repoRoot, startSidecar, type Sidecar } from '../helpers/sidecar.js';

const examples = join(repoRoot, 'examples');
let sidecar: Sidecar;

beforeAll(async () => {
  sidecar = await startSidecar();
}, 20_000);
afterAll(async () => {
  await sidecar.stop();
});
afterEach(() => expectClean(sidecar));

/** `syncgate generate` as argocd-cmp-server runs it: cwd = the app dir of an extracted copy, env = own env + request env. */
function stockGenerate(appRelPath: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const copy = mkdtempSync(join(tmpdir(), 'syncgate-stock-'));
  try {
    cpSync(examples, copy, { recursive: true });
    const r = spawnSync(process.execPath, [cliPath, 'generate'], {
      cwd: join(copy, appRelPath),
      env: { PATH: `${join(repoRoot, '.tools', 'bin')}:${process.env['PATH'] ?? ''}`, HOME: copy, ...env },
      encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const apps: [kind: string, appRelPath: string, expectKinds: string[]][] = [
  ['helm chart', 'helm-app', ['Deployment', 'Service']],
  ['kustomize overlay', 'kustomize-app/overlays/prod', ['Deployment']],
  ['plain directory', 'plain-app', ['ConfigMap', 'Deployment', 'NetworkPolicy', 'Service']],
];

describe('GenerateManifest', () => {
  test.each(apps)('%s: manifests equal to the stock-server run of `syncgate generate`', async (_kind, appRelPath, expectKinds) => {
    const env = { ...baseEnv({ name: 'demo', namespace: 'demo', sourcePath: appRelPath }), KUBE_VERSION: '1.30.2', ...parameterEnv(undefined) };
    const manifests = await callGenerate(sidecar.socket, examples, { appRelPath, env });
    const objects = manifests.map((m) => JSON.parse(m) as { kind: string; metadata: { name: string } });
    for (const k of expectKinds) expect(objects.map((o) => o.kind)).toContain(k);

    const stock = stockGenerate(appRelPath, env);
    expect(stock.stderr).not.toMatch(/error/i);
    expect(stock.status).toBe(0);
    const cliObjects = parseAllDocuments(stock.stdout)
      .map((d) => d.toJS() as unknown)
      .filter((o) => o !== null);
    expect(objects).toEqual(cliObjects);
  }, 20_000);

  test('helm parameters arrive through ARGOCD_APP_PARAMETERS and through PARAM_* alone', async () => {
    const env = baseEnv({ name: 'demo', namespace: 'demo', sourcePath: 'helm-app' });
    const params = [{ name: 'release-name', string: 'custom' }];
    for (const paramsForm of ['both', 'env'] as const) {
      const manifests = await callGenerate(sidecar.socket, examples, { appRelPath: 'helm-app', env, params, paramsForm });
      const names = manifests.map((m) => (JSON.parse(m) as { metadata: { name: string } }).metadata.name);
      expect(names.some((n) => n.includes('custom'))).toBe(true);
    }
  }, 20_000);

  test('chunk sizes other than 1 KiB are accepted', async () => {
    const env = baseEnv({ sourcePath: 'plain-app' });
    const a = await callGenerate(sidecar.socket, examples, { appRelPath: 'plain-app', env, chunkSize: 7 });
    const b = await callGenerate(sidecar.socket, examples, { appRelPath: 'plain-app', env, chunkSize: 64 * 1024 });
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(0);
  });
});

describe('discovery and parameters', () => {
  test('CheckPluginConfiguration reports discovery configured, no git creds', async () => {
    await expect(callCheck(sidecar.socket)).resolves.toEqual({ isDiscoveryConfigured: true, provideGitCreds: false });
  });

  test.each(apps)('MatchRepository matches the %s', async (_kind, appRelPath) => {
    await expect(callMatch(sidecar.socket, examples, { appRelPath, env: baseEnv() })).resolves.toEqual({ isSupported: true, isDiscoveryEnabled: true });
  });

  test('MatchRepository does not match a directory without manifests', async () => {
    // examples/kustomize-app/overlays has only sub-directories: nothing to render at that level.
    const r = await callMatch(sidecar.socket, examples, { appRelPath: 'kustomize-app/overlays', env: baseEnv() });
    expect(r).toEqual({ isSupported: false, isDiscoveryEnabled: true });
  });

  test('GetParametersAnnouncement announces the render options and, for Helm, the chart values', async () => {
    const announced = await callParameters(sidecar.socket, examples, { appRelPath: 'helm-app', env: baseEnv() });
    const names = announced.map((a) => a['name']);
    expect(names).toEqual(expect.arrayContaining(['values-files', 'release-name']));
    const values = announced.find((a) => a['collectionType'] === 'map' && Object.keys((a['map'] as Record<string, string> | undefined) ?? {}).length > 0);
    expect(values).toBeDefined();
  });
});

describe('HTTP', () => {
  test('/healthz, /readyz and /metrics with per-rpc request counts', async () => {
    const base = `http://127.0.0.1:${sidecar.httpPort}`;
    // One request of its own, so the counts below do not depend on the other tests having run first.
    await callGenerate(sidecar.socket, examples, { appRelPath: 'plain-app', env: baseEnv({ sourcePath: 'plain-app' }) });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(await ready.text()).toBe('ok\n');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/syncgate_requests_total\{rpc="GenerateManifest",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/syncgate_request_duration_seconds_count\{rpc="GenerateManifest"\} [1-9]/);
    expect(metrics).toMatch(/syncgate_requests_in_flight\{rpc="GenerateManifest"\} 0/);
  });
});
