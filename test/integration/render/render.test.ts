// Renderers against the real helm and kustomize (.tools/bin): golden output of the bundled
// examples, and every refusal at the render trust boundary with its code. gate() runs each
// request in a work dir under SYNCGATE_WORKDIR; after every test that dir must be empty.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { defaultConfig, type GateConfig } from '../../../src/config/index.js';
import { gate, type AppContext, type RenderOptions } from '../../../src/gate/index.js';
import { toYamlStream } from '../../../src/k8s/index.js';
import { createLogger } from '../../../src/log/index.js';

const project = resolve(import.meta.dirname, '..', '..', '..');
const fixtures = join(project, 'test', 'fixtures', 'render');
const examples = join(project, 'examples');

const context: AppContext = {
  appName: 'demo',
  namespace: 'demo',
  project: 'default',
  repoURL: 'https://git.example.com/demo.git',
  sourcePath: '.',
  revision: '',
  kubeVersion: '',
  apiVersions: [],
};

let work: string;
let scratch: string;
const savedWorkdir = process.env['SYNCGATE_WORKDIR'];
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'render-it-work-'));
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'render-it-repo-')));
  process.env['SYNCGATE_WORKDIR'] = work;
});
afterEach(() => {
  // gate() removes its work dir in `finally`, on success and on every error path.
  expect(readdirSync(work)).toEqual([]);
  rmSync(work, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  if (savedWorkdir === undefined) delete process.env['SYNCGATE_WORKDIR'];
  else process.env['SYNCGATE_WORKDIR'] = savedWorkdir;
});

interface Case {
  appDir: string;
  repoRoot: string;
  options?: RenderOptions;
  context?: Partial<AppContext>;
  config?: GateConfig;
  signal?: AbortSignal;
  deadline?: number;
}

async function run(c: Case) {
  return gate({
    appDir: c.appDir,
    repoRoot: c.repoRoot,
    context: { ...context, ...c.context },
    options: c.options ?? {},
    config: c.config ?? defaultConfig(),
    logger: createLogger({ level: 'silent' }),
    ...(c.signal ? { signal: c.signal } : {}),
    ...(c.deadline ? { deadline: c.deadline } : {}),
  });
}

function golden(name: string, text: string): void {
  const file = join(fixtures, name, 'expected.yaml');
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('bundled examples render to their golden files', () => {
  test.each([
    ['helm-app', 'helm-app', 'helm-app', ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'NetworkPolicy']],
    ['kustomize-app', 'kustomize-app/overlays/prod', 'kustomize-app', ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'NetworkPolicy']],
    ['plain-app', 'plain-app', 'plain-app', ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'NetworkPolicy']],
  ])('%s', async (name, app, root, kinds) => {
    const result = await run({ appDir: join(examples, app), repoRoot: join(examples, root) });
    expect(result.decision.refused).toBe(false);
    expect(new Set(result.resources.map((r) => r.object.kind))).toEqual(new Set(kinds));
    for (const r of result.resources) expect(r.object.metadata.namespace).toBe('demo');
    golden(name, toYamlStream(result.resources.map((r) => r.object)));
  });

  test('helm objects are named by their template file; kustomize ones by the build', async () => {
    const helm = await run({ appDir: join(examples, 'helm-app'), repoRoot: join(examples, 'helm-app') });
    expect(helm.resources.find((r) => r.object.kind === 'Deployment')?.source).toBe('web/templates/deployment.yaml');
    const k = await run({ appDir: join(examples, 'kustomize-app/overlays/prod'), repoRoot: join(examples, 'kustomize-app') });
    expect(k.resources[0]?.source).toBe('kustomize build overlays/prod');
  });
});

describe('helm', () => {
  const chart = join(fixtures, 'charts', 'params');

  test('release name, namespace, KUBE_VERSION, API versions, values files, --set, --set-string, inline values, CRDs', async () => {
    const result = await run({
      appDir: chart,
      repoRoot: fixtures,
      context: { appName: 'argocd_my-app', namespace: 'team-a', kubeVersion: '1.29.4', apiVersions: ['example.com/v1/Widget', 'apps/v1'] },
      options: {
        valueFiles: ['env/prod.yaml'],
        set: { tag: '2.0', replicas: '5' },
        setString: { zip: '0099' },
        values: 'fromInline: inline\n',
      },
    });
    const objects = result.resources.map((r) => r.object);
    expect(objects.map((o) => o.kind)).toEqual(['CustomResourceDefinition', 'ConfigMap']);
    expect(objects[1]?.['data']).toEqual({
      release: 'my-app',
      namespace: 'team-a',
      kubeVersion: 'v1.29.4',
      hasWidget: 'true',
      replicas: '5',
      replicasKind: 'int64',
      tag: '2.0',
      fromFile: 'prod',
      fromInline: 'inline',
      zip: '0099',
      zipKind: 'string',
    });
    golden('helm-params', toYamlStream(objects));
  });

  test('release-name option, skip-crds, defaults without values', async () => {
    const result = await run({ appDir: chart, repoRoot: fixtures, options: { releaseName: 'custom', skipCrds: true } });
    expect(result.resources.map((r) => r.object.kind)).toEqual(['ConfigMap']);
    expect(result.resources[0]?.object['data']).toMatchObject({ release: 'custom', replicas: '1', fromFile: 'base', hasWidget: 'false' });
  });

  test('a kubeVersion below the chart constraint is helm’s error', async () => {
    await expect(run({ appDir: chart, repoRoot: fixtures, context: { kubeVersion: '1.18.0' } })).rejects.toMatchObject({
      code: 'RENDER_HELM_FAILED',
      message: expect.stringContaining('incompatible with Kubernetes v1.18.0'),
    });
  });

  test('a vendored dependency renders with no network', async () => {
    const result = await run({ appDir: join(fixtures, 'charts', 'with-dep'), repoRoot: fixtures });
    expect(result.resources.map((r) => `${r.source}:${r.object.metadata.name}`).sort()).toEqual([
      'with-dep/charts/sub/templates/cm.yaml:child',
      'with-dep/templates/cm.yaml:parent',
    ]);
  });

  // The SOPS stage looks at the values files before the renderer; both ask the repo filesystem
  // (src/repo), so either way the one code RENDER_PATH_OUTSIDE_REPO names the file.
  const escaping = 'RENDER_PATH_OUTSIDE_REPO';

  test('values file outside the repo: symlink out', async () => {
    cpSync(chart, join(scratch, 'chart'), { recursive: true });
    symlinkSync('/etc/passwd', join(scratch, 'chart', 'evil.yaml'));
    await expect(run({ appDir: join(scratch, 'chart'), repoRoot: scratch, options: { valueFiles: ['evil.yaml'] } })).rejects.toMatchObject({
      code: escaping,
      message: 'values file evil.yaml: is a symlink that resolves outside the repo root',
    });
  });

  test.each([
    ['absolute', '/etc/passwd'],
    ['.. escape', '../../../../../../etc/passwd'],
    ['.. escape just above the repo root', '../../../x.yaml'],
  ])('values file %s → refused', async (_n, file) => {
    await expect(run({ appDir: chart, repoRoot: fixtures, options: { valueFiles: [file] } })).rejects.toMatchObject({
      code: escaping,
      message: expect.stringMatching(new RegExp(`^values file ${file.replace(/\./g, '\\.')}: `)),
    });
  });

  test('a template symlinked out of the repo is refused (helm would follow it)', async () => {
    cpSync(chart, join(scratch, 'chart'), { recursive: true });
    symlinkSync('/etc/hostname', join(scratch, 'chart', 'templates', 'leak.yaml'));
    await expect(run({ appDir: join(scratch, 'chart'), repoRoot: scratch })).rejects.toMatchObject({
      code: 'RENDER_PATH_OUTSIDE_REPO',
      message: 'symlink chart/templates/leak.yaml: resolves outside the repo root',
    });
  });

  test('missing chart dependency → RENDER_HELM_DEPENDENCY_MISSING, no network call', async () => {
    await expect(run({ appDir: join(fixtures, 'charts', 'missing-dep'), repoRoot: fixtures })).rejects.toMatchObject({
      code: 'RENDER_HELM_DEPENDENCY_MISSING',
      message:
        'charts/missing-dep/Chart.yaml: dependency postgresql 15.5.0 from oci://registry-1.docker.io/bitnamicharts is not vendored under charts/ (syncgate never downloads charts): run `helm dependency build` and commit charts/',
    });
  });

  test('helm template failure: stderr tail in the message, nothing emitted', async () => {
    const err = await run({ appDir: join(fixtures, 'charts', 'broken'), repoRoot: fixtures }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'RENDER_HELM_FAILED', message: expect.stringMatching(/^helm template charts\/broken: .*boom: this chart is broken on purpose/s) });
    expect((err as { details: Record<string, unknown> }).details).toMatchObject({ exitCode: 1, timedOut: false });
  });

  test('duplicate identity across template files → K8S_DUPLICATE_OBJECT naming both', async () => {
    await expect(run({ appDir: join(fixtures, 'charts', 'dup'), repoRoot: fixtures })).rejects.toMatchObject({
      code: 'K8S_DUPLICATE_OBJECT',
      message: 'ConfigMap/demo/same: duplicate object in dup/templates/b.yaml (first seen in dup/templates/a.yaml)',
    });
  });

  test('object without metadata.name → K8S_OBJECT_INVALID naming the template', async () => {
    await expect(run({ appDir: join(fixtures, 'charts', 'invalid-object'), repoRoot: fixtures })).rejects.toMatchObject({
      code: 'K8S_OBJECT_INVALID',
      message: 'invalid-object/templates/noname.yaml: document 1: missing metadata.name',
    });
  });

  test.each([
    ['flag-like', '--post-renderer=/bin/sh'],
    ['upper case', 'MyApp'],
    ['too long', 'a'.repeat(54)],
  ])('hostile release name (%s) is refused before helm runs', async (_n, releaseName) => {
    await expect(run({ appDir: chart, repoRoot: fixtures, options: { releaseName } })).rejects.toMatchObject({ code: 'RENDER_HELM_FAILED' });
  });

  test('manifest bytes limit caps helm output', async () => {
    const config = { ...defaultConfig(), spec: { ...defaultConfig().spec, limits: { ...defaultConfig().spec.limits, manifestBytes: 200 } } };
    await expect(run({ appDir: chart, repoRoot: fixtures, config })).rejects.toMatchObject({ code: 'EXEC_OUTPUT_LIMIT' });
  });
});

describe('directory', () => {
  test('duplicate identity across files → K8S_DUPLICATE_OBJECT naming both files', async () => {
    await expect(run({ appDir: join(fixtures, 'dir-dup'), repoRoot: fixtures })).rejects.toMatchObject({
      code: 'K8S_DUPLICATE_OBJECT',
      message: 'ConfigMap/demo/same: duplicate object in b.json (first seen in a.yaml)',
    });
  });
});

describe('helm deadline and cancel (a fake helm that hangs and forks)', () => {
  let fake: string;
  const saved = process.env['SYNCGATE_HELM'];
  beforeEach(() => {
    fake = join(scratch, 'fake-helm');
    writeFileSync(fake, `#!/bin/sh\nsleep 30 &\necho $! > ${scratch}/child.pid\nwait\n`);
    chmodSync(fake, 0o755);
    process.env['SYNCGATE_HELM'] = fake;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['SYNCGATE_HELM'];
    else process.env['SYNCGATE_HELM'] = saved;
  });
  // A killed child whose parent died may linger as a zombie until init reaps it: that is gone too.
  const alive = (pid: number): boolean => {
    try {
      return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  };

  test('deadline → EXEC_TIMEOUT, the forked child is gone', async () => {
    const chart = join(fixtures, 'charts', 'params');
    const t0 = Date.now();
    await expect(run({ appDir: chart, repoRoot: fixtures, deadline: Date.now() + 700 })).rejects.toMatchObject({ code: 'EXEC_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(5000);
    const pid = Number(readFileSync(join(scratch, 'child.pid'), 'utf8'));
    expect(alive(pid)).toBe(false);
  });

  test('cancel → EXEC_CANCELLED', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await expect(run({ appDir: join(fixtures, 'charts', 'params'), repoRoot: fixtures, signal: ac.signal })).rejects.toMatchObject({
      code: 'EXEC_CANCELLED',
    });
    expect(existsSync(join(scratch, 'child.pid'))).toBe(true);
    expect(alive(Number(readFileSync(join(scratch, 'child.pid'), 'utf8')))).toBe(false);
  });
});

describe('kustomize', () => {
  const enableHelm = (on: boolean): GateConfig => {
    const d = defaultConfig();
    return { ...d, spec: { ...d.spec, render: { ...d.spec.render, kustomize: { ...d.spec.render.kustomize, enableHelm: on } } } };
  };

  test('helmCharts need spec.render.kustomize.enableHelm; with it, a vendored chart inflates', async () => {
    const appDir = join(fixtures, 'kustomize', 'helm-chart', 'app');
    await expect(run({ appDir, repoRoot: fixtures })).rejects.toMatchObject({
      code: 'RENDER_TYPE_DISABLED',
      message: expect.stringContaining('kustomize/helm-chart/app/kustomization.yaml: helmCharts needs kustomize --enable-helm'),
    });
    const result = await run({ appDir, repoRoot: fixtures, config: enableHelm(true) });
    expect(result.resources.map((r) => `${r.object.kind}/${r.object.metadata.name}`)).toEqual(['ConfigMap/child']);
  });

  test('remote base → RENDER_KUSTOMIZE_REMOTE_BASE naming the kustomization file', async () => {
    await expect(run({ appDir: join(fixtures, 'kustomize', 'remote-base', 'app'), repoRoot: fixtures })).rejects.toMatchObject({
      code: 'RENDER_KUSTOMIZE_REMOTE_BASE',
      message:
        'kustomize/remote-base/app/kustomization.yaml: resources https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.7.1: remote bases and resources are not allowed, vendor them into the repo',
    });
  });

  test('a patch file outside its kustomization root fails under LoadRestrictionsRootOnly', async () => {
    await expect(run({ appDir: join(fixtures, 'kustomize', 'file-outside-root', 'app'), repoRoot: fixtures })).rejects.toMatchObject({
      code: 'RENDER_KUSTOMIZE_FAILED',
      message: expect.stringMatching(/^kustomize build kustomize\/file-outside-root\/app: .*is not in or below/s),
    });
  });

  test('an overlay base symlinked out of the repo is refused', async () => {
    cpSync(join(examples, 'kustomize-app'), join(scratch, 'outside-copy'), { recursive: true });
    mkdirSync(join(scratch, 'repo', 'overlays', 'prod'), { recursive: true });
    symlinkSync(join(scratch, 'outside-copy', 'base'), join(scratch, 'repo', 'base'));
    cpSync(join(examples, 'kustomize-app', 'overlays', 'prod'), join(scratch, 'repo', 'overlays', 'prod'), { recursive: true });
    await expect(run({ appDir: join(scratch, 'repo', 'overlays', 'prod'), repoRoot: join(scratch, 'repo') })).rejects.toMatchObject({
      code: 'RENDER_PATH_OUTSIDE_REPO',
      message: 'overlays/prod/kustomization.yaml: resources ../../base: is a symlink that resolves outside the repo root',
    });
  });

  test('the overlay with the repo root at the overlay itself: ../../base leaves the repo', async () => {
    await expect(
      run({ appDir: join(examples, 'kustomize-app', 'overlays', 'prod'), repoRoot: join(examples, 'kustomize-app', 'overlays', 'prod') }),
    ).rejects.toMatchObject({ code: 'RENDER_PATH_OUTSIDE_REPO' });
  });
});
