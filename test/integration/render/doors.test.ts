// One repo filesystem behind every door: the same escaping values file (a symlink out of the repo)
// and the same escaping generator input get the same code naming the path from `syncgate render`,
// `syncgate generate` (the stock CMP command) and `syncgate flux build`, with real helm and
// kustomize, nothing on stdout and nothing left in the work dir.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(project, 'dist', 'cli', 'main.js');
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n';

let base: string;
let root: string;
let work: string;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
});
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'sg-doors-'));
  root = join(base, 'repo');
  work = join(base, 'work');
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'values.yaml'), 'leak: outside-value-7171\n');
  writeFileSync(join(base, 'outside', 'app.env'), 'LEAK=outside-env-7272\n');
  mkdirSync(work);
  const put = (p: string, text: string): void => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  put('chart/Chart.yaml', 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
  put('chart/templates/cm.yaml', CM);
  put('kust/kustomization.yaml', 'resources: [cm.yaml]\nconfigMapGenerator: [{name: g, envs: [app.env]}]\n');
  put('kust/cm.yaml', CM);
  symlinkSync(join(base, 'outside', 'values.yaml'), join(root, 'chart', 'evil.yaml'));
  symlinkSync(join(base, 'outside', 'app.env'), join(root, 'kust', 'app.env'));
});
afterEach(() => {
  expect(readdirSync(work)).toEqual([]);
  rmSync(base, { recursive: true, force: true });
});

function syncgate(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env: { PATH: `${join(project, '.tools', 'bin')}:${process.env['PATH'] ?? ''}`, SYNCGATE_WORKDIR: work, HOME: base, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/outside-(value|env)-7/);
  return { code: r.status, stderr: r.stderr };
}

const argoEnv = (sourcePath: string, params: unknown = null): Record<string, string> => ({
  ARGOCD_APP_NAME: 'demo',
  ARGOCD_APP_NAMESPACE: 'demo',
  ARGOCD_APP_PROJECT_NAME: 'default',
  ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/demo.git',
  ARGOCD_APP_SOURCE_PATH: sourcePath,
  ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
  KUBE_VERSION: '1.30.2',
  ARGOCD_APP_PARAMETERS: JSON.stringify(params),
});

const VALUES = /^RENDER_PATH_OUTSIDE_REPO: values file evil\.yaml: is a symlink that resolves outside the repo root$/m;
const GENERATOR = /^RENDER_PATH_OUTSIDE_REPO: kust\/kustomization\.yaml: configMapGenerator\.envs app\.env: is a symlink that resolves outside the repo root$/m;

describe('a values file symlinked out of the repo', () => {
  test('syncgate render -f', () => {
    const r = syncgate(['render', 'chart', '--repo-root', '.', '-f', 'evil.yaml'], root);
    expect(r.stderr).toMatch(VALUES);
    expect(r.code).toBe(3);
  });

  test('syncgate generate (values-files parameter)', () => {
    const r = syncgate(['generate'], join(root, 'chart'), argoEnv('chart', [{ name: 'values-files', array: ['evil.yaml'] }]));
    expect(r.stderr).toMatch(VALUES);
    expect(r.code).toBe(3);
  });
});

describe('a generator input symlinked out of the repo', () => {
  test('syncgate render', () => {
    const r = syncgate(['render', 'kust', '--repo-root', '.'], root);
    expect(r.stderr).toMatch(GENERATOR);
    expect(r.code).toBe(3);
  });

  test('syncgate generate', () => {
    const r = syncgate(['generate'], join(root, 'kust'), argoEnv('kust'));
    expect(r.stderr).toMatch(GENERATOR);
    expect(r.code).toBe(3);
  });

  test('syncgate flux build', () => {
    const r = syncgate(['flux', 'build', '--path', 'kust', '--namespace', 'flux-system', '--repo-root', '.'], root);
    expect(r.stderr).toMatch(/^RENDER_PATH_OUTSIDE_REPO: kust\/kustomization\.yaml: configMapGenerator\.envs app\.env: is a symlink that resolves outside the repo root$/m);
    expect(r.code).toBe(3);
  });
});
