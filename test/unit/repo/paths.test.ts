import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSymlinks, isRemoteReference, resolveInsideRepo } from '../../../src/repo/index.js';
import { checkKustomization } from '../../../src/render/check-kustomization.js';
import { checkHelmDependencies } from '../../../src/render/helm-dependencies.js';

let root: string;
let outside: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'paths-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'outside-')));
  mkdirSync(join(root, 'apps', 'web'), { recursive: true });
  writeFileSync(join(root, 'apps', 'web', 'values.yaml'), 'a: 1\n');
  writeFileSync(join(root, 'shared.yaml'), 'b: 2\n');
  writeFileSync(join(outside, 'secret.yaml'), 'c: 3\n');
  symlinkSync(join(outside, 'secret.yaml'), join(root, 'apps', 'web', 'link-out.yaml'));
  symlinkSync('../../shared.yaml', join(root, 'apps', 'web', 'link-in.yaml'));
  symlinkSync(join(root, 'nope.yaml'), join(root, 'apps', 'web', 'dangling.yaml'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** The checks are synchronous; as a promise they read like the other path tests. */
const settle = (f: () => void): Promise<void> => Promise.resolve().then(f);

describe('resolveInsideRepo', () => {
  test.each([
    ['values.yaml', undefined],
    ['./values.yaml', undefined],
    ['../../shared.yaml', undefined],
    ['link-in.yaml', undefined],
    ['/etc/passwd', 'RENDER_PATH_OUTSIDE_REPO'],
    ['../../../etc/passwd', 'RENDER_PATH_OUTSIDE_REPO'],
    ['sub/../../../../x.yaml', 'RENDER_PATH_OUTSIDE_REPO'],
    ['link-out.yaml', 'RENDER_PATH_OUTSIDE_REPO'],
    ['missing.yaml', 'RENDER_PATH_NOT_FOUND'],
    ['dangling.yaml', 'RENDER_PATH_NOT_FOUND'],
    ['', 'RENDER_PATH_NOT_FOUND'],
  ])('%s → %s', async (p, code) => {
    const r = Promise.resolve().then(() => resolveInsideRepo(root, join(root, 'apps', 'web'), p, 'values file'));
    if (code === undefined) await expect(r).resolves.toMatch(new RegExp(`^${root}/`));
    else await expect(r).rejects.toMatchObject({ code, message: expect.stringContaining(`values file ${p}`.trim()) });
  });
});

describe('isRemoteReference', () => {
  test.each([
    ['https://github.com/org/repo//deploy?ref=v1', true],
    ['http://example.com/x.yaml', true],
    ['git@github.com:org/repo.git', true],
    ['git::https://example.com/repo', true],
    ['ssh://git@example.com/repo', true],
    ['github.com/org/repo/deploy?ref=main', true],
    ['github.com/org/repo', true],
    ['gitlab.com/org/repo', true],
    ['example.com/org/repo.git', true],
    ['example.com/org/repo//sub', true],
    ['dev.azure.com/org/proj/_git/repo', true],
    ['file:///etc', true],
    ['../base', false],
    ['../../base', false],
    ['deployment.yaml', false],
    ['sub/dir', false],
    ['app.v1/deploy.yaml', false],
  ])('%s → %s', (p, remote) => {
    expect(isRemoteReference(p)).toBe(remote);
  });
});

describe('checkKustomization', () => {
  const k = (dir: string, text: string): void => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'kustomization.yaml'), text);
  };
  beforeEach(() => {
    k('base', 'resources: [cm.yaml]\n');
    writeFileSync(join(root, 'base', 'cm.yaml'), 'kind: ConfigMap\n');
  });

  test('local bases and files inside the repo pass', async () => {
    k('overlay', 'resources: [../base]\npatches: [{path: p.yaml}]\nconfigMapGenerator: [{name: x, files: [k=f.txt]}]\n');
    writeFileSync(join(root, 'overlay', 'p.yaml'), '');
    writeFileSync(join(root, 'overlay', 'f.txt'), '');
    await expect(settle(() => checkKustomization(join(root, 'overlay'), root, { enableHelm: false }))).resolves.toBeUndefined();
  });

  test.each([
    ['remote resource in the app', 'resources: [https://github.com/org/repo//x?ref=v1]\n', 'RENDER_KUSTOMIZE_REMOTE_BASE', 'overlay/kustomization.yaml: resources https://github.com/org/repo//x?ref=v1'],
    ['remote base', 'bases: [github.com/org/repo/base]\n', 'RENDER_KUSTOMIZE_REMOTE_BASE', 'overlay/kustomization.yaml: bases'],
    ['remote component', 'components: [git@github.com:org/repo.git]\n', 'RENDER_KUSTOMIZE_REMOTE_BASE', 'components'],
    ['remote patch file', 'patches: [{path: "https://example.com/p.yaml"}]\n', 'RENDER_KUSTOMIZE_REMOTE_BASE', 'patches'],
    ['remote helm chart', 'helmCharts: [{name: x, repo: "https://charts.example.com"}]\n', 'RENDER_TYPE_DISABLED', 'enableHelm'],
    ['base outside the repo', `resources: [${'../'.repeat(12)}tmp]\n`, 'RENDER_PATH_OUTSIDE_REPO', 'resolves outside the repo root'],
    ['absolute resource', 'resources: [/etc]\n', 'RENDER_PATH_OUTSIDE_REPO', 'absolute paths'],
    ['missing resource', 'resources: [nothere.yaml]\n', 'RENDER_PATH_NOT_FOUND', 'nothere.yaml'],
    ['unknown host-like path that does not exist', 'resources: [example.com/org/repo]\n', 'RENDER_PATH_NOT_FOUND', 'example.com/org/repo'],
    ['resources not a list', 'resources: x.yaml\n', 'RENDER_KUSTOMIZE_INVALID', 'resources must be a list of strings'],
    ['helm chartHome outside the repo', `helmGlobals: {chartHome: ${'../'.repeat(12)}etc}\n`, 'RENDER_PATH_OUTSIDE_REPO', 'helmGlobals.chartHome'],
  ])('%s → %s', async (_n, text, code, message) => {
    k('overlay', text);
    await expect(settle(() => checkKustomization(join(root, 'overlay'), root, { enableHelm: false }))).rejects.toMatchObject({
      code,
      message: expect.stringContaining(message),
    });
  });

  test('a remote base two levels down is found and named', async () => {
    k('base', 'resources: [cm.yaml, "https://example.com/x.yaml"]\n');
    k('overlay', 'resources: [../base]\n');
    await expect(settle(() => checkKustomization(join(root, 'overlay'), root, { enableHelm: false }))).rejects.toMatchObject({
      code: 'RENDER_KUSTOMIZE_REMOTE_BASE',
      message: expect.stringMatching(/^base\/kustomization\.yaml: resources https:\/\/example\.com\/x\.yaml/),
    });
  });

  test('a base symlinked out of the repo is refused', async () => {
    mkdirSync(join(outside, 'evil'));
    writeFileSync(join(outside, 'evil', 'kustomization.yaml'), 'resources: []\n');
    symlinkSync(join(outside, 'evil'), join(root, 'evil'));
    k('overlay', 'resources: [../evil]\n');
    await expect(settle(() => checkKustomization(join(root, 'overlay'), root, { enableHelm: false }))).rejects.toMatchObject({ code: 'RENDER_PATH_OUTSIDE_REPO' });
  });

  test('helmCharts valuesFile outside the repo is refused when --enable-helm is allowed', async () => {
    k('overlay', 'helmCharts: [{name: x, valuesFile: /etc/passwd}]\n');
    await expect(settle(() => checkKustomization(join(root, 'overlay'), root, { enableHelm: true }))).rejects.toMatchObject({
      code: 'RENDER_PATH_OUTSIDE_REPO',
      message: 'overlay/kustomization.yaml: helmCharts.valuesFile /etc/passwd: absolute paths are not allowed, use a relative path',
    });
  });

  test('helmCharts with a remote repo is refused even when --enable-helm is allowed', async () => {
    k('overlay', 'helmCharts: [{name: x, repo: "oci://r.example.com/charts"}]\n');
    await expect(settle(() => checkKustomization(join(root, 'overlay'), root, { enableHelm: true }))).rejects.toMatchObject({
      code: 'RENDER_KUSTOMIZE_REMOTE_BASE',
    });
  });

  test('a resource file symlinked out of the repo is refused', async () => {
    writeFileSync(join(outside, 'cm.yaml'), 'kind: ConfigMap\n');
    k('overlay', 'resources: [cm.yaml]\n');
    symlinkSync(join(outside, 'cm.yaml'), join(root, 'overlay', 'cm.yaml'));
    await expect(settle(() => checkKustomization(join(root, 'overlay'), root, { enableHelm: false }))).rejects.toMatchObject({
      code: 'RENDER_PATH_OUTSIDE_REPO',
      message: 'overlay/kustomization.yaml: resources cm.yaml: is a symlink that resolves outside the repo root',
    });
  });

  test('cycles terminate', async () => {
    k('a', 'resources: [../b]\n');
    k('b', 'resources: [../a]\n');
    await expect(settle(() => checkKustomization(join(root, 'a'), root, { enableHelm: false }))).resolves.toBeUndefined();
  });
});

describe('checkHelmDependencies', () => {
  const chart = (deps: string): string => {
    const d = join(root, 'chart');
    mkdirSync(join(d, 'charts'), { recursive: true });
    writeFileSync(join(d, 'Chart.yaml'), `apiVersion: v2\nname: c\nversion: 0.1.0\n${deps}`);
    return d;
  };

  test('no dependencies', async () => {
    await expect(settle(() => checkHelmDependencies(chart(''), root))).resolves.toBeUndefined();
  });

  test('vendored as a dir (also via alias) or an archive', async () => {
    const d = chart('dependencies:\n  - {name: a, version: 1.0.0, repository: "https://charts.example.com"}\n  - {name: b, version: 2.0.0, repository: "oci://r.example.com/x"}\n');
    mkdirSync(join(d, 'charts', 'a'));
    writeFileSync(join(d, 'charts', 'a', 'Chart.yaml'), 'apiVersion: v2\nname: a\nversion: 1.0.0\n');
    writeFileSync(join(d, 'charts', 'b-2.0.0.tgz'), '');
    await expect(settle(() => checkHelmDependencies(d, root))).resolves.toBeUndefined();
  });

  test.each([
    ['remote https repository', '  - {name: redis, version: 18.0.0, repository: "https://charts.bitnami.com/bitnami"}\n', /chart\/Chart\.yaml: dependency redis 18\.0\.0 from https:\/\/charts\.bitnami\.com\/bitnami is not vendored under charts\/ \(syncgate never downloads charts\)/],
    ['oci repository', '  - {name: pg, version: 1.0.0, repository: "oci://registry.example.com/charts"}\n', /dependency pg 1\.0\.0 from oci:\/\/registry\.example\.com\/charts is not vendored/],
    ['file repository', '  - {name: common, version: 1.0.0, repository: "file://../common"}\n', /dependency common 1\.0\.0 from file:\/\/\.\.\/common is not vendored/],
    ['prefix-only archive name does not count', '  - {name: red, version: 1.0.0}\n', /dependency red 1\.0\.0 is not vendored/],
  ])('%s → RENDER_HELM_DEPENDENCY_MISSING', async (_n, deps, message) => {
    const d = chart(`dependencies:\n${deps}`);
    writeFileSync(join(d, 'charts', 'redis-x.tgz'), '');
    await expect(settle(() => checkHelmDependencies(d, root))).rejects.toMatchObject({ code: 'RENDER_HELM_DEPENDENCY_MISSING', message: expect.stringMatching(message) });
  });

  test('a vendored subchart with its own missing dependency', async () => {
    const d = chart('dependencies:\n  - {name: a, version: 1.0.0}\n');
    mkdirSync(join(d, 'charts', 'a'));
    writeFileSync(join(d, 'charts', 'a', 'Chart.yaml'), 'apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies: [{name: z, version: 1.0.0, repository: "oci://x"}]\n');
    await expect(settle(() => checkHelmDependencies(d, root))).rejects.toMatchObject({
      code: 'RENDER_HELM_DEPENDENCY_MISSING',
      message: expect.stringMatching(/^chart\/charts\/a\/Chart\.yaml: dependency z/),
    });
  });

  test('apiVersion v1 charts: requirements.yaml dependencies are checked too', async () => {
    const d = chart('');
    writeFileSync(join(d, 'requirements.yaml'), 'dependencies:\n  - {name: mysql, version: 1.0.0, repository: "https://charts.example.com"}\n');
    await expect(settle(() => checkHelmDependencies(d, root))).rejects.toMatchObject({
      code: 'RENDER_HELM_DEPENDENCY_MISSING',
      message: expect.stringMatching(/^chart\/requirements\.yaml: dependency mysql/),
    });
  });

  test.each([
    ['dependencies not a list', 'dependencies: {a: 1}\n'],
    ['dependency without name', 'dependencies: [{version: 1.0.0}]\n'],
  ])('%s → RENDER_HELM_CHART_INVALID', async (_n, deps) => {
    await expect(settle(() => checkHelmDependencies(chart(deps), root))).rejects.toMatchObject({ code: 'RENDER_HELM_CHART_INVALID' });
  });
});

describe('checkSymlinks', () => {
  test('inside links pass; a link out of the repo or dangling is refused', async () => {
    const d = join(root, 'chart');
    mkdirSync(join(d, 'templates'), { recursive: true });
    symlinkSync('../../shared.yaml', join(d, 'templates', 'in.yaml'));
    await expect(settle(() => checkSymlinks(d, root))).resolves.toBeUndefined();
    symlinkSync('/etc/passwd', join(d, 'templates', 'out.yaml'));
    await expect(settle(() => checkSymlinks(d, root))).rejects.toMatchObject({
      code: 'RENDER_PATH_OUTSIDE_REPO',
      message: 'symlink chart/templates/out.yaml: resolves outside the repo root',
    });
  });
});
