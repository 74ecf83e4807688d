// The repo filesystem at the SOPS stage and the renderers, with real sops-encrypted inputs,
// kustomize and helm: every path that leaves the repo (a `..`, an absolute path, a symlink to a
// file or directory outside, a symlink loop) gets the one code RENDER_PATH_OUTSIDE_REPO (or
// RENDER_PATH_NOT_FOUND for a loop) naming the path, no plaintext in the error, nothing left in
// the work dir, and the encrypted file outside is never decrypted.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSyncgateError } from '../../../src/errors/index.js';
import { gate } from '../../../src/gate/index.js';
import type { GateRequest } from '../../../src/gate/types.js';
import { silentLogger } from '../../../src/log/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { FIXTURES, testConfig } from './support.js';

const ctx: AppContext = { appName: 'app-a', namespace: 'team-a', project: 'team-a', repoURL: 'https://git.example.com/team-a/app', sourcePath: 'app', revision: 'HEAD', kubeVersion: '', apiVersions: [] };
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n';
const CHART = { 'app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n', 'app/templates/cm.yaml': CM };

let base: string;
let root: string;
let outside: string;
let work: string;
const saved = process.env['SYNCGATE_WORKDIR'];
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'sg-repo-boundary-'));
  root = join(base, 'repo');
  outside = join(base, 'outside');
  work = join(base, 'work');
  for (const d of [root, outside, work]) mkdirSync(d);
  process.env['SYNCGATE_WORKDIR'] = work;
  // Encrypted for team-a, whose key the app holds: reading it would decrypt it.
  for (const f of ['generator.env', 'generator-file.txt', 'values-secrets.yaml']) copyFileSync(join(FIXTURES, 'enc', f), join(outside, f));
  writeFileSync(join(outside, 'cm.yaml'), CM);
  mkdirSync(join(outside, 'dir'));
  writeFileSync(join(outside, 'dir', 'kustomization.yaml'), 'resources: []\n');
});
afterEach(() => {
  if (saved === undefined) Reflect.deleteProperty(process.env, 'SYNCGATE_WORKDIR');
  else process.env['SYNCGATE_WORKDIR'] = saved;
  rmSync(base, { recursive: true, force: true });
});

function files(fs: Record<string, string>): void {
  for (const [p, text] of Object.entries(fs)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

const req = (extra: Partial<GateRequest> = {}): GateRequest => ({
  appDir: join(root, 'app'),
  repoRoot: root,
  context: ctx,
  options: {},
  config: testConfig({}, { render: { kustomize: { enableHelm: true } } }),
  logger: silentLogger(),
  workDir: join(work, 'req'),
  ...extra,
});

async function refusal(r: GateRequest): Promise<string> {
  mkdirSync(r.workDir!, { recursive: true });
  try {
    await gate(r);
  } catch (e) {
    if (!isSyncgateError(e)) throw e;
    const text = `${e.code}: ${e.message}`;
    expect(text).not.toMatch(/CANARY/);
    return text;
  } finally {
    rmSync(r.workDir!, { recursive: true, force: true });
    expect(readdirSync(work)).toEqual([]);
  }
  return 'no error';
}

const K = 'app/kustomization.yaml';

describe("the render checks the kustomization tree the SOPS stage walked", () => {
  test('helmCharts in a base while enableHelm is off → RENDER_TYPE_DISABLED naming the base, before kustomize runs', async () => {
    files({ [K]: 'resources: [../base]\n', 'base/kustomization.yaml': 'helmCharts: [{name: c}]\n' });
    expect(await refusal(req({ config: testConfig({}, { render: { kustomize: { enableHelm: false } } }) }))).toMatch(
      /^RENDER_TYPE_DISABLED: base\/kustomization\.yaml: helmCharts needs kustomize --enable-helm/,
    );
  });
});

describe('every kind of kustomization path, with real kustomize', () => {
  test.each([
    ['resources', 'resources: [../../outside/cm.yaml]'],
    ['components', 'components: [../../outside/dir]'],
    ['patches', 'resources: [cm.yaml]\npatches: [{path: ../../outside/cm.yaml}]'],
    ['patchesStrategicMerge', 'resources: [cm.yaml]\npatchesStrategicMerge: [../../outside/cm.yaml]'],
    ['replacements', 'resources: [cm.yaml]\nreplacements: [{path: ../../outside/cm.yaml}]'],
    ['crds', 'resources: [cm.yaml]\ncrds: [../../outside/cm.yaml]'],
    ['configurations', 'resources: [cm.yaml]\nconfigurations: [../../outside/cm.yaml]'],
    ['openapi.path', 'resources: [cm.yaml]\nopenapi: {path: ../../outside/cm.yaml}'],
    ['secretGenerator.envs', 'secretGenerator: [{name: s, envs: [../../outside/generator.env]}]'],
    ['secretGenerator.files', 'secretGenerator: [{name: s, files: [t=../../outside/generator-file.txt]}]'],
    ['configMapGenerator.env', 'configMapGenerator: [{name: s, env: ../../outside/generator.env}]'],
    ['helmCharts.valuesFile', 'helmCharts: [{name: c, valuesFile: ../../outside/values-secrets.yaml}]'],
  ])('%s out of the repo → RENDER_PATH_OUTSIDE_REPO naming it', async (field, text) => {
    files({ [K]: `${text}\n`, 'app/cm.yaml': CM });
    expect(await refusal(req())).toMatch(new RegExp(`^RENDER_PATH_OUTSIDE_REPO: app/kustomization\\.yaml: ${field.replace('.', '\\.')} \\.\\./\\.\\./outside/[\\w.-]+: resolves outside the repo root$`));
  });

  test.each([
    ['a SOPS env file', 'secretGenerator: [{name: s, envs: [link.env]}]', 'link.env', 'generator.env'],
    ['a SOPS file source', 'secretGenerator: [{name: s, files: [link.txt]}]', 'link.txt', 'generator-file.txt'],
    ['a resource', 'resources: [link.yaml]', 'link.yaml', 'cm.yaml'],
    ['a base directory', 'resources: [linkdir]', 'linkdir', 'dir'],
  ])('%s symlinked out of the repo → refused before it is decrypted or built', async (_n, text, link, target) => {
    files({ [K]: `${text}\n` });
    symlinkSync(join(outside, target), join(root, 'app', link));
    expect(await refusal(req())).toBe(`RENDER_PATH_OUTSIDE_REPO: app/kustomization.yaml: ${text.includes('envs') ? 'secretGenerator.envs' : text.includes('files') ? 'secretGenerator.files' : 'resources'} ${link}: is a symlink that resolves outside the repo root`);
  });

  test('an absolute generator path and a symlink loop', async () => {
    files({ [K]: `secretGenerator: [{name: s, envs: [${join(outside, 'generator.env')}]}]\n` });
    expect(await refusal(req())).toMatch(/^RENDER_PATH_OUTSIDE_REPO: app\/kustomization\.yaml: secretGenerator\.envs \/.*generator\.env: absolute paths are not allowed/);
    files({ [K]: 'resources: [loop]\n' });
    symlinkSync('loop', join(root, 'app', 'loop'));
    expect(await refusal(req())).toBe('RENDER_PATH_NOT_FOUND: app/kustomization.yaml: resources loop: no such file or directory');
  });

  test('a remote generator input → RENDER_KUSTOMIZE_REMOTE_BASE', async () => {
    files({ [K]: 'configMapGenerator: [{name: s, files: ["https://example.com/x.env"]}]\n' });
    expect(await refusal(req())).toMatch(/^RENDER_KUSTOMIZE_REMOTE_BASE: app\/kustomization\.yaml: configMapGenerator\.files https:\/\/example\.com\/x\.env: /);
  });
});

describe('Helm values files, with real helm', () => {
  test.each([
    ['.. escape', '../../outside/values-secrets.yaml', 'resolves outside the repo root'],
    ['absolute', '/etc/passwd', 'absolute paths are not allowed, use a relative path'],
  ])('%s → RENDER_PATH_OUTSIDE_REPO naming it', async (_n, file, why) => {
    files(CHART);
    expect(await refusal(req({ options: { valueFiles: [file] } }))).toBe(`RENDER_PATH_OUTSIDE_REPO: values file ${file}: ${why}`);
  });

  test.each([
    ['file', 'values-secrets.yaml'],
    ['directory', 'dir'],
  ])('an encrypted values file reached through a symlinked %s out of the repo is not decrypted', async (kind, target) => {
    files(CHART);
    symlinkSync(join(outside, target), join(root, 'app', 'link'));
    const file = kind === 'file' ? 'link' : 'link/../values-secrets.yaml';
    const text = await refusal(req({ options: { valueFiles: [file] } }));
    if (kind === 'file') expect(text).toBe('RENDER_PATH_OUTSIDE_REPO: values file link: is a symlink that resolves outside the repo root');
    // `link/..` is lexical (as filepath.Join in kustomize and helm): app/values-secrets.yaml does not
    // exist, so the values file is left to helm; the chart's symlink check refuses the link itself.
    else expect(text).toBe('RENDER_PATH_OUTSIDE_REPO: symlink app/link: resolves outside the repo root');
  });

  test('a values file matching the SOPS patterns that links out of the repo is refused, not decrypted', async () => {
    files(CHART);
    symlinkSync(join(outside, 'values-secrets.yaml'), join(root, 'app', 'secrets.yaml'));
    expect(await refusal(req())).toBe('RENDER_PATH_OUTSIDE_REPO: symlink app/secrets.yaml: resolves outside the repo root');
  });
});
