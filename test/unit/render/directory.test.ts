import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from '../../../src/render/index.js';
import { parseHelmOutput } from '../../../src/render/parse-helm-output.js';
import { configWith, renderInput } from './input.js';

const cm = (name: string, ns = ''): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}`;

let root: string;
let app: string;
let outside: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dir-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'outside-')));
  app = join(root, 'app');
  mkdirSync(join(app, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(app, '.hidden'));
  writeFileSync(join(app, 'a.yaml'), `${cm('a')}---\n${cm('b')}\n---\n`);
  writeFileSync(join(app, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
  writeFileSync(
    join(app, 'list.yml'),
    'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: s1}}\n  - {apiVersion: v1, kind: Secret, metadata: {name: s2}}\n',
  );
  writeFileSync(join(app, 'README.md'), '# not a manifest\n');
  writeFileSync(join(app, 'sub', 'd.yaml'), cm('d'));
  writeFileSync(join(app, 'sub', 'deeper', 'e.yaml'), cm('e'));
  writeFileSync(join(app, '.hidden', 'h.yaml'), cm('h'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const names = async (over: Parameters<typeof renderInput>[0]): Promise<string[]> =>
  (await render(renderInput(over))).map((r) => `${r.source}:${r.object.metadata.name}`);

describe('directory renderer', () => {
  test('top level: YAML multi-doc, JSON, List expanded, lexical order', async () => {
    await expect(names({ appDir: app, repoRoot: root })).resolves.toEqual(['a.yaml:a', 'a.yaml:b', 'c.json:c', 'list.yml:s1', 'list.yml:s2']);
  });

  test('recurse (hidden dirs skipped)', async () => {
    const got = await names({ appDir: app, repoRoot: root, options: { recurse: true } });
    expect(got).toEqual(['a.yaml:a', 'a.yaml:b', 'c.json:c', 'list.yml:s1', 'list.yml:s2', 'sub/d.yaml:d', 'sub/deeper/e.yaml:e']);
  });

  test('include and exclude globs on relative paths', async () => {
    await expect(names({ appDir: app, repoRoot: root, options: { recurse: true, include: ['**/*.yaml'], exclude: ['sub/deeper/**'] } })).resolves.toEqual([
      'a.yaml:a',
      'a.yaml:b',
      'sub/d.yaml:d',
    ]);
  });

  test('platform config defaults apply when the app says nothing', async () => {
    const config = configWith({ render: { directory: { recurse: true, exclude: ['*.json', 'list.yml'] } } });
    await expect(names({ appDir: app, repoRoot: root, config })).resolves.toEqual(['a.yaml:a', 'a.yaml:b', 'sub/d.yaml:d', 'sub/deeper/e.yaml:e']);
  });

  test('a symlink inside the repo is read; a symlinked dir is not followed', async () => {
    writeFileSync(join(root, 'shared.yaml'), cm('shared'));
    symlinkSync('../shared.yaml', join(app, 'z.yaml'));
    symlinkSync('sub', join(app, 'linkdir'));
    const got = await names({ appDir: app, repoRoot: root, options: { recurse: true } });
    expect(got).toContain('z.yaml:shared');
    expect(got.filter((n) => n.startsWith('linkdir'))).toEqual([]);
  });

  test.each([
    ['absolute symlink out of the repo', () => symlinkSync(join(outside, 'x.yaml'), join(app, 'z.yaml')), 'symlink app/z.yaml: resolves outside the repo root'],
    ['relative symlink out of the repo', () => symlinkSync('../../' + outside.split('/').pop()! + '/x.yaml', join(app, 'z.yaml')), 'symlink app/z.yaml: resolves outside the repo root'],
    ['dangling symlink', () => symlinkSync('nothere.yaml', join(app, 'z.yaml')), 'symlink app/z.yaml: target does not exist'],
  ])('%s → RENDER_PATH_OUTSIDE_REPO', async (_n, make, message) => {
    writeFileSync(join(outside, 'x.yaml'), cm('stolen'));
    make();
    await expect(render(renderInput({ appDir: app, repoRoot: root }))).rejects.toMatchObject({ code: 'RENDER_PATH_OUTSIDE_REPO', message });
  });

  test('an excluded escaping symlink is never touched', async () => {
    symlinkSync('/etc/passwd', join(app, 'z.yaml'));
    await expect(names({ appDir: app, repoRoot: root, options: { exclude: ['z.yaml'] } })).resolves.toHaveLength(5);
  });

  test.each([
    ['missing kind', 'apiVersion: v1\nmetadata: {name: x}\n', 'bad.yaml: document 1: missing kind'],
    ['missing name', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', 'bad.yaml: document 1: missing metadata.name'],
    ['missing apiVersion in the 2nd doc', `${cm('ok')}---\nkind: ConfigMap\nmetadata: {name: other}\n`, 'bad.yaml: document 2: missing apiVersion'],
    ['not a mapping', '- a\n', 'bad.yaml: document 1: not a mapping'],
  ])('%s → K8S_OBJECT_INVALID naming the file', async (_n, text, message) => {
    writeFileSync(join(app, 'bad.yaml'), text);
    await expect(render(renderInput({ appDir: app, repoRoot: root }))).rejects.toMatchObject({ code: 'K8S_OBJECT_INVALID', message });
  });

  test('invalid YAML → K8S_YAML_INVALID naming the file', async () => {
    writeFileSync(join(app, 'bad.yaml'), 'a: [b\n');
    await expect(render(renderInput({ appDir: app, repoRoot: root }))).rejects.toMatchObject({
      code: 'K8S_YAML_INVALID',
      message: expect.stringMatching(/^bad\.yaml: document 1/),
    });
  });

  test('manifest bytes limit', async () => {
    const config = configWith({ limits: { manifestBytes: 100 } });
    await expect(render(renderInput({ appDir: app, repoRoot: root, config }))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  test.each([
    ['app dir outside the repo root', () => ({ appDir: outside, repoRoot: root })],
    ['app dir missing', () => ({ appDir: join(root, 'nope'), repoRoot: root })],
    ['app dir is a file', () => ({ appDir: join(app, 'a.yaml'), repoRoot: root })],
  ])('%s → RENDER_APP_DIR_INVALID', async (_n, dirs) => {
    await expect(render(renderInput(dirs()))).rejects.toMatchObject({ code: 'RENDER_APP_DIR_INVALID' });
  });

  test('disabled renderers', async () => {
    writeFileSync(join(app, 'Chart.yaml'), 'apiVersion: v2\nname: x\nversion: 0.1.0\n');
    const config = configWith({ render: { helm: { enabled: false } } });
    await expect(render(renderInput({ appDir: app, repoRoot: root, config }))).rejects.toMatchObject({ code: 'RENDER_TYPE_DISABLED' });
    // options.type forces the renderer
    await expect(names({ appDir: app, repoRoot: root, config, options: { type: 'directory', include: ['a.yaml'] } })).resolves.toEqual(['a.yaml:a', 'a.yaml:b']);
  });
});

describe('parseHelmOutput', () => {
  test('objects are named by their # Source: template; docs without one keep the previous source', () => {
    const out = `---\n# Source: web/templates/a.yaml\n${cm('a')}---\n${cm('a2')}---\n# Source: web/templates/b.yaml\n${cm('b')}`;
    expect(parseHelmOutput(out, 'helm template web').map((r) => `${r.source}:${r.object.metadata.name}`)).toEqual([
      'web/templates/a.yaml:a',
      'web/templates/a.yaml:a2',
      'web/templates/b.yaml:b',
    ]);
  });

  test('an invalid object is reported with its template file', () => {
    const out = `---\n# Source: web/templates/bad.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n`;
    expect(() => parseHelmOutput(out, 'helm template web')).toThrow('web/templates/bad.yaml: document 1: missing metadata.name');
  });

  test('block scalars containing --- indented are kept', () => {
    const out = `# Source: web/templates/a.yaml\n${cm('a')}data:\n  x: |\n    ---\n    y\n`;
    expect(parseHelmOutput(out, 'x')[0]?.object['data']).toEqual({ x: '---\ny\n' });
  });
});
