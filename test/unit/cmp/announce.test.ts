import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announceParameters, announcementsJson, flattenValues, syncgateParameters } from '../../../src/cmp/announce.js';
import { parsePluginConfig, type PluginConfig } from '../../../src/cmp/plugin-config.js';

function plugin(parameters: string): PluginConfig {
  return parsePluginConfig(`kind: ConfigManagementPlugin\nmetadata: {name: p}\nspec:\n  generate: {command: [x]}\n  parameters:\n${parameters}`, 'test');
}

let root: string;
let app: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'announce-'));
  app = join(root, 'apps', 'web');
  mkdirSync(app, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('flattenValues', () => {
  test('like Argo CD util/helm flatVals', () => {
    expect(
      flattenValues({ image: { repository: 'r', tag: '1.0' }, replicas: 2, on: true, list: [{ a: 1 }, 'x'], empty: {}, nil: null }),
    ).toEqual({ 'image.repository': 'r', 'image.tag': '1.0', replicas: '2', on: 'true', 'list[0].a': '1', 'list[1]': 'x' });
  });
});

describe('syncgateParameters', () => {
  test('helm chart: options + helm-parameters from values.yaml; release-name defaults to the app name', async () => {
    writeFileSync(join(app, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    writeFileSync(join(app, 'values.yaml'), 'image:\n  tag: "1.2"\nreplicaCount: 3\n');
    const list = await syncgateParameters(app, root, 'argocd_web');
    expect(list.map((a) => a.name)).toEqual(['values-files', 'set', 'set-string', 'values', 'release-name', 'skip-crds', 'helm-parameters']);
    expect(list.find((a) => a.name === 'release-name')?.string).toBe('web');
    expect(list.at(-1)).toMatchObject({ collectionType: 'map', map: { 'image.tag': '1.2', replicaCount: '3' } });
  });

  test('a values.yaml symlinked out of the repo is refused, never read', async () => {
    writeFileSync(join(app, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    symlinkSync('/etc/passwd', join(app, 'values.yaml'));
    await expect(syncgateParameters(app, root)).rejects.toMatchObject({ code: 'RENDER_PATH_OUTSIDE_REPO' });
  });

  test('chart without values.yaml: empty helm-parameters map', async () => {
    writeFileSync(join(app, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    expect((await syncgateParameters(app, root)).at(-1)).toMatchObject({ name: 'helm-parameters', map: {} });
  });

  test('plain dir: recurse/include/exclude; kustomize: none; empty dir: none', async () => {
    writeFileSync(join(app, 'cm.yaml'), '');
    expect((await syncgateParameters(app, root)).map((a) => a.name)).toEqual(['recurse', 'include', 'exclude']);
    writeFileSync(join(app, 'kustomization.yaml'), '');
    expect(await syncgateParameters(app, root)).toEqual([]);
    expect(await syncgateParameters(root, root)).toEqual([]);
  });

  test('JSON output drops empty fields like Go omitempty', () => {
    expect(announcementsJson([{ name: 'a', title: '', required: false, map: {} }])).toBe('[{"name":"a","map":{}}]');
  });
});

describe('announceParameters', () => {
  test('dynamic ++ static, not de-duplicated; syncgate parameters in-process', async () => {
    writeFileSync(join(app, 'cm.yaml'), '');
    const cfg = plugin('    dynamic: {command: [syncgate, parameters]}\n    static: [{name: recurse, title: static one}]\n');
    const list = await announceParameters(app, cfg, { repoRoot: root });
    expect(list.map((a) => a.name)).toEqual(['recurse', 'include', 'exclude', 'recurse']);
    expect(list.at(-1)?.title).toBe('static one');
  });

  test('static only', async () => {
    const cfg = plugin('    static: [{name: a}]\n');
    await expect(announceParameters(app, cfg)).resolves.toEqual([{ name: 'a' }]);
  });

  test('an external dynamic command: Go json rules (case-insensitive keys, unknown keys ignored)', async () => {
    const cfg = plugin(`    dynamic: {command: [sh, -c], args: ['echo "[{\\"NAME\\":\\"x\\",\\"collectionType\\":\\"map\\",\\"map\\":{\\"k\\":\\"v\\"},\\"extra\\":1}]"']}\n`);
    await expect(announceParameters(app, cfg)).resolves.toEqual([{ name: 'x', collectionType: 'map', map: { k: 'v' } }]);
  });

  test.each([
    ['empty output', 'true'],
    ['not JSON', 'echo nope'],
    ['not an array', 'echo "{}"'],
    ['wrong type', 'echo "[{\\"required\\":\\"yes\\"}]"'],
    ['command fails', 'exit 1'],
  ])('%s → CMP_PARAMETERS_ANNOUNCE_FAILED', async (_n, script) => {
    const cfg = plugin(`    dynamic: {command: [sh, -c], args: [${JSON.stringify(script)}]}\n`);
    await expect(announceParameters(app, cfg)).rejects.toMatchObject({ code: 'CMP_PARAMETERS_ANNOUNCE_FAILED' });
  });

  test('null output is an empty list', async () => {
    const cfg = plugin('    dynamic: {command: [sh, -c], args: ["echo null"]}\n');
    await expect(announceParameters(app, cfg)).resolves.toEqual([]);
  });
});
