// `syncgate generate|discover|parameters` run the way the stock argocd-cmp-server runs them:
// the built CLI (dist/cli/main.js, `npm run build` first), cwd = the app dir inside a throwaway
// copy of the repo under _cmp_server/<uuid>/, the request in env vars (spec §2.4, §3.9).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(project, 'dist', 'cli', 'main.js');
const fixtures = join(project, 'test', 'fixtures', 'render');

let base: string;
let repo: string;
let work: string;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
});
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'cmp-stock-'));
  repo = join(base, '_cmp_server', randomUUID());
  work = join(base, 'work');
  mkdirSync(repo, { recursive: true });
  mkdirSync(work);
  cpSync(join(project, 'examples'), join(repo, 'examples'), { recursive: true });
  cpSync(join(fixtures, 'charts'), join(repo, 'charts'), { recursive: true });
});
afterEach(() => {
  expect(readdirSync(work)).toEqual([]);
  rmSync(base, { recursive: true, force: true });
});

function argoEnv(sourcePath: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ARGOCD_APP_NAME: 'demo',
    ARGOCD_APP_NAMESPACE: 'demo',
    ARGOCD_APP_PROJECT_NAME: 'default',
    ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
    ARGOCD_APP_REVISION_SHORT: '0123456',
    ARGOCD_APP_REVISION_SHORT_8: '01234567',
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/demo.git',
    ARGOCD_APP_SOURCE_PATH: sourcePath,
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'HEAD',
    KUBE_VERSION: '1.30.2',
    KUBE_API_VERSIONS: 'apps/v1,apps/v1/Deployment,networking.k8s.io/v1,v1',
    ARGOCD_APP_PARAMETERS: 'null',
    ...extra,
  };
}

function syncgate(args: string[], cwd: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env: { PATH: `${join(project, '.tools', 'bin')}:${process.env['PATH'] ?? ''}`, SYNCGATE_WORKDIR: work, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('syncgate generate (stock server mode)', () => {
  test.each([
    ['helm-app', 'examples/helm-app'],
    ['kustomize-app', 'examples/kustomize-app/overlays/prod'],
    ['plain-app', 'examples/plain-app'],
  ])('%s: manifests on stdout equal the golden render', (name, path) => {
    const r = syncgate(['generate'], join(repo, path), argoEnv(path));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(fixtures, name, 'expected.yaml'), 'utf8'));
  });

  test('parameters (JSON and PARAM_* forms), ARGOCD_ENV_*, KUBE_VERSION and KUBE_API_VERSIONS reach helm', () => {
    const params = [
      { name: 'values-files', array: ['env/prod.yaml'] },
      { name: 'set', map: { tag: '3.1' } },
      { name: 'set-string', map: { zip: '0042' } },
    ];
    const r = syncgate(
      ['generate', '--output', 'json'],
      join(repo, 'charts', 'params'),
      argoEnv('charts/params', {
        ARGOCD_APP_PARAMETERS: JSON.stringify(params),
        PARAM_VALUES_FILES_0: 'env/prod.yaml',
        PARAM_SET_TAG: '3.1',
        PARAM_SET_STRING_ZIP: '0042',
        ARGOCD_ENV_RELEASE_NAME: 'from-env',
        KUBE_API_VERSIONS: 'example.com/v1/Widget,v1',
      }),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const objects = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const cm = objects.find((o) => o.kind === 'ConfigMap');
    expect(cm.data).toMatchObject({ release: 'from-env', kubeVersion: 'v1.30.2', hasWidget: 'true', tag: '3.1', fromFile: 'prod', replicas: '2', zip: '0042' });
  });

  test('helm template failure: non-zero exit, short report with the stderr tail, nothing on stdout', () => {
    const r = syncgate(['generate'], join(repo, 'charts', 'broken'), argoEnv('charts/broken'));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^RENDER_HELM_FAILED: helm template charts\/broken: .*boom: this chart is broken on purpose/s);
  });

  test('values file escaping the extracted repo is refused', () => {
    const params = [{ name: 'values-files', array: ['../../../../etc/passwd'] }];
    const r = syncgate(['generate'], join(repo, 'charts', 'params'), argoEnv('charts/params', { ARGOCD_APP_PARAMETERS: JSON.stringify(params) }));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^RENDER_PATH_OUTSIDE_REPO: values file \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd: resolves outside the repo root\n/);
  });

  test('malformed ARGOCD_APP_PARAMETERS: exit 2, CMP_PARAMETERS_INVALID', () => {
    const r = syncgate(['generate'], join(repo, 'examples', 'plain-app'), argoEnv('examples/plain-app', { ARGOCD_APP_PARAMETERS: '[{' }));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^CMP_PARAMETERS_INVALID: ARGOCD_APP_PARAMETERS: not JSON/);
  });

  test('a parameter that tries to pick a key is refused, not ignored', () => {
    const params = [{ name: 'sops-key', string: 'other-team' }];
    const r = syncgate(['generate'], join(repo, 'examples', 'plain-app'), argoEnv('examples/plain-app', { ARGOCD_APP_PARAMETERS: JSON.stringify(params) }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^CMP_PARAMETERS_INVALID: unknown parameter "sops-key"/);
  });
});

describe('syncgate discover (find.command)', () => {
  test.each([
    ['examples/helm-app', 'helm\n'],
    ['examples/kustomize-app/overlays/prod', 'kustomize\n'],
    ['examples/plain-app', 'directory\n'],
    ['examples', ''],
  ])('%s → %j', (path, out) => {
    const r = syncgate(['discover'], join(repo, path), argoEnv(path));
    expect(r).toEqual({ code: 0, stdout: out, stderr: '' });
  });
});

describe('syncgate parameters (parameters.dynamic)', () => {
  test('helm app: options and the chart values as helm-parameters', () => {
    const r = syncgate(['parameters'], join(repo, 'examples', 'helm-app'), argoEnv('examples/helm-app'));
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.map((a: { name: string }) => a.name)).toEqual(['values-files', 'set', 'set-string', 'values', 'release-name', 'skip-crds', 'helm-parameters']);
    expect(list.find((a: { name: string }) => a.name === 'release-name').string).toBe('demo');
    expect(list.at(-1)).toMatchObject({ collectionType: 'map', map: { 'image.tag': '6.7.1', replicaCount: '2', 'resources.limits.memory': '128Mi' } });
  });

  test.each([
    ['examples/plain-app', ['recurse', 'include', 'exclude']],
    ['examples/kustomize-app/overlays/prod', []],
  ])('%s', (path, names) => {
    const r = syncgate(['parameters'], join(repo, path), argoEnv(path));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((a: { name: string }) => a.name)).toEqual(names);
  });
});
