import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverApp, isDiscoveryConfigured, matchRepository } from '../../../src/cmp/discover.js';
import { parsePluginConfig, type PluginConfig } from '../../../src/cmp/plugin-config.js';

function plugin(discover: string): PluginConfig {
  return parsePluginConfig(
    `kind: ConfigManagementPlugin\nmetadata: {name: p}\nspec:\n  generate: {command: [x]}\n${discover ? `  discover:\n${discover}` : ''}`,
    'test',
  );
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'discover-'));
  mkdirSync(join(dir, 'sub', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'main.cue'), '');
  writeFileSync(join(dir, '.hidden.jsonnet'), '');
  writeFileSync(join(dir, 'sub', 'deep', 'app.libsonnet'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('matchRepository', () => {
  test.each([
    ['fileName match', '    fileName: "*.cue"', true],
    ['fileName matches dotfiles like Go filepath.Glob', '    fileName: "*.jsonnet"', true],
    ['fileName is single-level', '    fileName: "*.libsonnet"', false],
    ['fileName with a dir segment', '    fileName: "sub/*"', true],
    ['fileName no match', '    fileName: "Chart.yaml"', false],
    ['find.glob with **', '    find: {glob: "**/*.libsonnet"}', true],
    ['find.glob no match', '    find: {glob: "**/*.tf"}', false],
    ['only the first rule counts (fileName before glob)', '    fileName: "nope"\n    find: {glob: "**/*.cue"}', false],
    ['find.command prints → supported', '    find: {command: [sh, -c], args: ["test -f main.cue && echo yes"]}', true],
    ['find.command prints only a newline → not supported', '    find: {command: [sh, -c], args: ["echo"]}', false],
    ['find.command runs in the app dir', '    find: {command: [sh, -c], args: ["ls sub >/dev/null && echo yes"]}', true],
  ])('%s', async (_n, discover, supported) => {
    await expect(matchRepository(dir, plugin(discover))).resolves.toEqual({ isSupported: supported, isDiscoveryEnabled: true });
  });

  test('no rule: not supported, discovery disabled', async () => {
    const cfg = plugin('');
    expect(isDiscoveryConfigured(cfg)).toBe(false);
    await expect(matchRepository(dir, cfg)).resolves.toEqual({ isSupported: false, isDiscoveryEnabled: false });
  });

  test('find.command sees the request env', async () => {
    const cfg = plugin('    find: {command: [sh, -c], args: ["test \\"$ARGOCD_ENV_X\\" = on && echo yes"]}');
    await expect(matchRepository(dir, cfg, { env: { ARGOCD_ENV_X: 'on' } })).resolves.toEqual({ isSupported: true, isDiscoveryEnabled: true });
    await expect(matchRepository(dir, cfg, { env: { ARGOCD_ENV_X: 'off' } })).rejects.toMatchObject({ code: 'CMP_DISCOVER_FAILED' });
  });

  test('a failing find.command is CMP_DISCOVER_FAILED with its stderr', async () => {
    const cfg = plugin('    find: {command: [sh, -c], args: ["echo broken >&2; exit 3"]}');
    await expect(matchRepository(dir, cfg)).rejects.toMatchObject({
      code: 'CMP_DISCOVER_FAILED',
      message: expect.stringMatching(/^match repository error: error running find command: .*exit status 3: broken$/),
    });
  });

  test('a missing find.command binary is CMP_DISCOVER_FAILED', async () => {
    const cfg = plugin('    find: {command: [/nonexistent/bin/tool]}');
    await expect(matchRepository(dir, cfg)).rejects.toMatchObject({ code: 'CMP_DISCOVER_FAILED' });
  });

  test('`syncgate discover` is evaluated in-process (syncgate is not on PATH here)', async () => {
    const cfg = plugin('    find: {command: [syncgate, discover]}');
    expect(isDiscoveryConfigured(cfg)).toBe(true);
    await expect(matchRepository(dir, cfg)).resolves.toEqual({ isSupported: false, isDiscoveryEnabled: true });
    writeFileSync(join(dir, 'cm.yaml'), 'kind: ConfigMap\n');
    await expect(matchRepository(dir, cfg)).resolves.toEqual({ isSupported: true, isDiscoveryEnabled: true });
  });
});

describe('discoverApp', () => {
  test.each([
    ['Chart.yaml', 'helm'],
    ['kustomization.yaml', 'kustomize'],
    ['kustomization.yml', 'kustomize'],
    ['Kustomization', 'kustomize'],
    ['deploy.yaml', 'directory'],
    ['deploy.json', 'directory'],
    ['README.md', undefined],
  ])('%s → %s', async (file, type) => {
    writeFileSync(join(dir, file), '');
    await expect(discoverApp(dir)).resolves.toBe(type);
  });

  test('helm wins over kustomize', async () => {
    writeFileSync(join(dir, 'Chart.yaml'), '');
    writeFileSync(join(dir, 'kustomization.yaml'), '');
    await expect(discoverApp(dir)).resolves.toBe('helm');
  });

  test('manifests only in subdirectories do not make an app', async () => {
    writeFileSync(join(dir, 'sub', 'x.yaml'), '');
    await expect(discoverApp(dir)).resolves.toBeUndefined();
  });

  test('a symlinked manifest counts', async () => {
    writeFileSync(join(dir, 'sub', 'x.yaml'), '');
    symlinkSync('sub/x.yaml', join(dir, 'x.yaml'));
    await expect(discoverApp(dir)).resolves.toBe('directory');
  });
});
