import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmTemplateArgs, kustomizeBuildArgs, releaseNameFor } from '../../../src/render/index.js';
import { configWith, renderInput } from './input.js';

let root: string;
let chart: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'helmargs-')));
  chart = join(root, 'apps', 'web');
  mkdirSync(join(chart, 'env'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'env', 'prod.yaml'), 'a: 1\n');
  writeFileSync(join(root, 'shared.yaml'), 'b: 1\n');
  symlinkSync('/etc/passwd', join(chart, 'link-out.yaml'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('helmTemplateArgs', () => {
  test('every input in --flag=value form, values files real paths inside the repo, extras last', async () => {
    const input = renderInput({
      appDir: chart,
      repoRoot: root,
      workDir: root,
      context: { ...renderInput({ appDir: chart, repoRoot: root }).context, appName: 'argocd_web', namespace: 'team-a', kubeVersion: '1.30.2', apiVersions: ['apps/v1', 'x.io/v1/Y'] },
      options: { valueFiles: ['env/prod.yaml', '../../shared.yaml'], set: { 'image.tag': '1.2' }, setString: { zip: '007' }, values: 'a: 2\n' },
      extraValueFiles: ['/work/sops-values/000-secrets.yaml'],
      config: configWith({ render: { helm: { extraArgs: ['--skip-tests'] } } }),
    });
    expect(await helmTemplateArgs(input)).toEqual([
      'template',
      'web',
      chart,
      '--namespace=team-a',
      '--kube-version=1.30.2',
      '--api-versions=apps/v1,x.io/v1/Y',
      '--include-crds',
      `--values=${join(chart, 'env', 'prod.yaml')}`,
      `--values=${join(root, 'shared.yaml')}`,
      `--values=${join(root, 'inline-values.yaml')}`,
      '--set=image.tag=1.2',
      '--set-string=zip=007',
      '--values=/work/sops-values/000-secrets.yaml',
      '--skip-tests',
    ]);
  });

  test('skip-crds and no context', async () => {
    const base = renderInput({ appDir: chart, repoRoot: root });
    const args = await helmTemplateArgs({ ...base, context: { ...base.context, namespace: '' }, options: { skipCrds: true } });
    expect(args).toEqual(['template', 'demo', chart]);
  });

  test.each([
    ['absolute', '/etc/passwd', 'RENDER_PATH_OUTSIDE_REPO', 'values file /etc/passwd: absolute paths are not allowed, use a relative path'],
    ['.. escape', '../../../etc/passwd', 'RENDER_PATH_OUTSIDE_REPO', 'values file ../../../etc/passwd: resolves outside the repo root'],
    ['symlink out', 'link-out.yaml', 'RENDER_PATH_OUTSIDE_REPO', 'values file link-out.yaml: is a symlink that resolves outside the repo root'],
    ['missing', 'env/nope.yaml', 'RENDER_PATH_NOT_FOUND', 'values file env/nope.yaml: no such file or directory'],
  ])('values file %s → %s naming the path', async (_n, file, code, message) => {
    await expect(helmTemplateArgs(renderInput({ appDir: chart, repoRoot: root, options: { valueFiles: [file] } }))).rejects.toMatchObject({ code, message });
  });
});

describe('releaseNameFor', () => {
  const ctx = renderInput({ appDir: '/x', repoRoot: '/x' }).context;
  test.each([
    ['web', undefined, 'web'],
    ['argocd_web', undefined, 'web'],
    ['web', 'custom.v2', 'custom.v2'],
  ])('app %s, option %s → %s', (appName, releaseName, expected) => {
    expect(releaseNameFor({ context: { ...ctx, appName }, options: releaseName ? { releaseName } : {} })).toBe(expected);
  });
  test.each([['--post-renderer=/bin/sh'], ['-x'], ['Web'], ['a_b'], ['a'.repeat(54)], ['']])('%s → RENDER_HELM_FAILED', (releaseName) => {
    expect(() => releaseNameFor({ context: ctx, options: { releaseName } })).toThrow(expect.objectContaining({ code: 'RENDER_HELM_FAILED' }));
  });
});

describe('kustomizeBuildArgs', () => {
  test('root-only restrictor; never exec or alpha plugins', () => {
    const args = kustomizeBuildArgs({ appDir: '/r/app', config: configWith({}) });
    expect(args).toEqual(['build', '/r/app', '--load-restrictor=LoadRestrictionsRootOnly']);
    expect(args.join(' ')).not.toMatch(/enable-(exec|alpha-plugins|helm)/);
  });
  test('--enable-helm only when the platform allows it', () => {
    expect(kustomizeBuildArgs({ appDir: '/r/app', config: configWith({ render: { kustomize: { enableHelm: true } } }) }, '/bin/helm')).toEqual([
      'build',
      '/r/app',
      '--load-restrictor=LoadRestrictionsRootOnly',
      '--enable-helm',
      '--helm-command=/bin/helm',
    ]);
  });
});

describe('helmTemplateArgs with a large KUBE_API_VERSIONS', () => {
  test('split into several --api-versions flags, each well below MAX_ARG_STRLEN, none lost', async () => {
    const apiVersions = Array.from({ length: 3000 }, (_, i) => `group${i}.example.com/v1/Kind${i}`);
    const base = renderInput({ appDir: chart, repoRoot: root });
    const args = await helmTemplateArgs({ ...base, context: { ...base.context, apiVersions } });
    const flags = args.filter((a) => a.startsWith('--api-versions='));
    expect(flags.length).toBeGreaterThan(3);
    for (const f of flags) expect(f.length).toBeLessThan(20 * 1024);
    expect(flags.flatMap((f) => f.slice('--api-versions='.length).split(','))).toEqual(apiVersions);
  });
});
