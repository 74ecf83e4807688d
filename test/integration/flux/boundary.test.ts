// The trust boundary of the Flux build: the generated kustomization and LoadRestrictionsNone may
// read anywhere in the source root and nowhere else; every refusal is coded, names the path, writes
// nothing into the repo and leaves no work dir behind; the tree build orders by dependsOn.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/index.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import {
  dependencyOrder,
  diffBuilds,
  fluxBuild,
  fluxBuildTree,
  formatDiff,
  treeReport,
  type FluxKustomization,
} from '../../../src/flux/index.js';
import type { K8sObject } from '../../../src/k8s/index.js';
import { Redactor, silentLogger } from '../../../src/log/index.js';

let dir: string;
let work: string;
const saved = process.env['SYNCGATE_WORKDIR'];
const config = parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { policies: { packs: [] } } });
const CM = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-flux-boundary-'));
  work = mkdtempSync(join(tmpdir(), 'syncgate-flux-work-'));
  process.env['SYNCGATE_WORKDIR'] = work;
});
afterEach(() => {
  if (saved === undefined) delete process.env['SYNCGATE_WORKDIR'];
  else process.env['SYNCGATE_WORKDIR'] = saved;
  // Nothing of a build may stay in the work base, pass or fail.
  expect(readdirSync(work)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function write(rel: string, text: string): void {
  mkdirSync(join(dir, 'repo', rel, '..'), { recursive: true });
  writeFileSync(join(dir, 'repo', rel), text);
}

const ks = (over: Partial<FluxKustomization> = {}): FluxKustomization => ({ name: 'apps', namespace: 'flux-system', path: './app', decryption: false, ...over });

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isSyncgateError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
}

const build = (k: FluxKustomization) => fluxBuild({ kustomization: k, repoRoot: join(dir, 'repo'), sources: [], config, logger: silentLogger() });

describe('paths stay inside the source root', () => {
  test('a symlinked manifest leaving the root is refused when Flux would generate the kustomization', async () => {
    writeFileSync(join(dir, 'outside.yaml'), CM('stolen'));
    write('app/a.yaml', CM('a'));
    symlinkSync(join(dir, 'outside.yaml'), join(dir, 'repo', 'app', 'b.yaml'));
    expect(await errorOf(build(ks()))).toBe('RENDER_PATH_OUTSIDE_REPO: resource ./b.yaml: is a symlink that resolves outside the repo root');
    expect(readdirSync(join(dir, 'repo', 'app')).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  test('LoadRestrictionsNone reaches outside the kustomization dir but not outside the root', async () => {
    writeFileSync(join(dir, 'outside.yaml'), CM('stolen'));
    write('app/kustomization.yaml', 'resources:\n  - ../../outside.yaml\n');
    expect(await errorOf(build(ks()))).toMatch(/^RENDER_PATH_OUTSIDE_REPO: app\/kustomization.yaml: resources \.\.\/\.\.\/outside.yaml: resolves outside the repo root$/);
  });

  test('a spec.patches path leaving the root is refused', async () => {
    writeFileSync(join(dir, 'patch.yaml'), CM('a'));
    write('app/a.yaml', CM('a'));
    write('app/kustomization.yaml', 'resources: [a.yaml]\npatches:\n  - path: ../../patch.yaml\n');
    expect(await errorOf(build(ks()))).toMatch(/^RENDER_PATH_OUTSIDE_REPO: app\/kustomization.yaml: patches \.\.\/\.\.\/patch.yaml: resolves outside the repo root$/);
  });

  test('spec.path leaving the root names the resolved path', async () => {
    write('app/a.yaml', CM('a'));
    const msg = await errorOf(build(ks({ path: '../elsewhere' })));
    expect(msg).toBe(
      `FLUX_PATH_INVALID: spec.path ../elsewhere: ${join(dir, 'elsewhere')} is outside the source root (spec.path is relative to the source root ${join(dir, 'repo')}; set it with --repo-root)`,
    );
  });
});

describe("where Flux's generator fails, syncgate fails", () => {
  test('a .yaml file that is not YAML', async () => {
    write('app/a.yaml', CM('a'));
    write('app/broken.yaml', 'key: [unclosed\n');
    expect(await errorOf(build(ks()))).toMatch(/^FLUX_GENERATE_FAILED: failed to decode Kubernetes YAML from app\/broken.yaml: /);
  });

  test('a component that is not a local relative path', async () => {
    write('app/a.yaml', CM('a'));
    expect(await errorOf(build(ks({ generator: { components: ['https://github.com/acme/components//privileged'] } })))).toBe(
      "FLUX_GENERATE_FAILED: component path 'https://github.com/acme/components//privileged' must be local and relative",
    );
  });

  test('the repo is never written: the generated kustomization lives in the private copy', async () => {
    write('app/a.yaml', CM('a'));
    write('other/kustomization.yaml', 'resources: [b.yaml]\n');
    write('other/b.yaml', CM('b'));
    const r = await build(ks({ generator: { namePrefix: 'p-' } }));
    expect(r.gate.resources.map((x) => x.object.metadata.name)).toEqual(['p-a']);
    expect(readdirSync(join(dir, 'repo', 'app'))).toEqual(['a.yaml']);
    expect(readFileSync(join(dir, 'repo', 'other', 'kustomization.yaml'), 'utf8')).toBe('resources: [b.yaml]\n');
  });
});

describe('a cluster tree', () => {
  const k = (name: string, deps: string[] = []): FluxKustomization => ({
    name,
    namespace: 'flux-system',
    path: `./${name}`,
    decryption: false,
    dependsOn: deps.map((d) => ({ name: d, namespace: 'flux-system' })),
  });

  test('dependsOn order, notices for dependencies outside the tree, cycles refused', () => {
    const { ordered, notices } = dependencyOrder([k('apps', ['infra', 'crds']), k('infra', ['crds']), k('crds'), k('monitoring', ['elsewhere'])]);
    expect(ordered.map((x) => x.name)).toEqual(['crds', 'infra', 'apps', 'monitoring']);
    expect(notices).toEqual(['Kustomization/flux-system/monitoring: dependsOn flux-system/elsewhere, which is not in the tree']);
    expect(() => dependencyOrder([k('a', ['b']), k('b', ['c']), k('c', ['a'])])).toThrow(
      expect.objectContaining({ code: 'FLUX_TREE_INVALID', message: 'Kustomization/flux-system/a: dependsOn cycle: flux-system/a -> flux-system/b -> flux-system/c -> flux-system/a' }) as Error,
    );
  });

  test('two Kustomizations over the same directory with different spec fields each get their own build; one failure does not stop the others', async () => {
    write('shared/a.yaml', CM('a'));
    const manifest = (name: string, spec: string): string =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ./shared\n${spec}`;
    write('clusters/x/one.yaml', manifest('one', '  namePrefix: one-\n'));
    write('clusters/x/two.yaml', `${manifest('two', '  namePrefix: two-\n  dependsOn: [{name: one}]\n')}---\n${manifest('three', '  path: ./missing\n')}`);
    const r = await fluxBuildTree({
      tree: join(dir, 'repo', 'clusters', 'x'),
      repoRoot: join(dir, 'repo'),
      sources: [],
      config,
      logger: silentLogger(),
      redactor: new Redactor(),
    });
    expect(r.builds.map((b) => [b.kustomization.name, b.result?.gate.resources.map((x) => x.object.metadata.name), b.error?.code])).toEqual([
      ['one', ['one-a'], undefined],
      ['two', ['two-a'], undefined],
      ['three', undefined, 'FLUX_PATH_INVALID'],
    ]);
    expect(r.failed).toBe(true);
    expect(treeReport(r).split('\n')[0]).toBe('flux build: 3 Kustomizations: 2 allowed, 0 refused, 1 failed');
  });

  test('--source: Kustomizations reading another repository are listed, not built', async () => {
    write('app/a.yaml', CM('a'));
    const manifest = (name: string, source: string): string =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ./app\n  sourceRef: {kind: GitRepository, name: ${source}}\n`;
    write('clusters/y/ks.yaml', `${manifest('mine', 'fleet')}---\n${manifest('theirs', 'podinfo')}`);
    const r = await fluxBuildTree({
      tree: join(dir, 'repo', 'clusters', 'y'),
      repoRoot: join(dir, 'repo'),
      source: 'GitRepository/flux-system/fleet',
      sources: [],
      config,
      logger: silentLogger(),
      redactor: new Redactor(),
    });
    expect(r.builds.map((b) => b.kustomization.name)).toEqual(['mine']);
    expect(r.notices).toEqual(['Kustomization/flux-system/theirs: not built, its source is GitRepository/flux-system/podinfo']);
  });
});

describe('flux diff', () => {
  const obj = (kind: string, name: string, extra: Record<string, unknown> = {}): K8sObject =>
    ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'team-a' }, ...extra });

  test('added, removed, changed with field paths; Secret values never shown, known secrets masked', () => {
    const redactor = new Redactor();
    redactor.add('hunter2-very-secret');
    const before = [obj('ConfigMap', 'a', { data: { k: 'v', token: 'hunter2-very-secret' } }), obj('Secret', 's', { data: { p: 'b2xk' } }), obj('ConfigMap', 'gone')];
    const after = [obj('ConfigMap', 'a', { data: { k: 'w' } }), obj('Secret', 's', { data: { p: 'bmV3' } }), obj('Service', 'new')];
    expect(formatDiff(diffBuilds(before, after), redactor)).toBe(
      [
        '1 added, 1 removed, 2 changed',
        '~ ConfigMap/team-a/a',
        '    data.k: "v" -> "w"',
        '    data.token: "*****" -> (none)',
        '- ConfigMap/team-a/gone',
        '~ Secret/team-a/s',
        '    data.p: changed',
        '+ Service/team-a/new',
      ].join('\n'),
    );
    expect(formatDiff(diffBuilds(after, after), redactor)).toBe('no changes');
  });
});
