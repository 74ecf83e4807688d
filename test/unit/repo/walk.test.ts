import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { isSyncgateError } from '../../../src/errors/index.js';
import { isInside, realPathInside, resolveInsideRepo, symlinkTarget, walkKustomization } from '../../../src/repo/index.js';
import { mulberry32 } from '../../helpers/prng.js';

let base: string;
let root: string;
let outside: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'repo-walk-')));
  root = join(base, 'repo');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'app'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'top secret\n');
  mkdirSync(join(outside, 'dir'));
  writeFileSync(join(outside, 'dir', 'kustomization.yaml'), 'resources: []\n');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const kust = (text: string): void => writeFileSync(join(root, 'app', 'kustomization.yaml'), text);
const codeOf = (f: () => unknown): { code: string; message: string } => {
  try {
    f();
  } catch (e) {
    if (isSyncgateError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('no error');
};

// One entry per kind of path kustomize reads (api/types: kustomization.go, kvpairsources.go,
// helmchartargs.go, patch.go, replacementfield.go), each pointing out of the repo.
const OUT = '../../outside/secret.txt';
const FIELDS: [string, string][] = [
  ['resources', `resources: [${OUT}]`],
  ['bases', `bases: [../../outside/dir]`],
  ['components', `components: [../../outside/dir]`],
  ['crds', `crds: [${OUT}]`],
  ['configurations', `configurations: [${OUT}]`],
  ['generators', `generators: [${OUT}]`],
  ['transformers', `transformers: [${OUT}]`],
  ['validators', `validators: [${OUT}]`],
  ['patchesStrategicMerge', `patchesStrategicMerge: [${OUT}]`],
  ['patches', `patches: [{path: ${OUT}}]`],
  ['patchesJson6902', `patchesJson6902: [{path: ${OUT}, target: {kind: X, name: y}}]`],
  ['replacements', `replacements: [{path: ${OUT}}]`],
  ['configMapGenerator.files', `configMapGenerator: [{name: x, files: [k=${OUT}]}]`],
  ['configMapGenerator.envs', `configMapGenerator: [{name: x, envs: [${OUT}]}]`],
  ['configMapGenerator.env', `configMapGenerator: [{name: x, env: ${OUT}}]`],
  ['secretGenerator.files', `secretGenerator: [{name: x, files: [${OUT}]}]`],
  ['secretGenerator.envs', `secretGenerator: [{name: x, envs: [${OUT}]}]`],
  ['secretGenerator.ageIdentities', `secretGenerator: [{name: x, ageIdentities: [${OUT}]}]`],
  ['openapi.path', `openapi: {path: ${OUT}}`],
  ['helmGlobals.chartHome', `helmGlobals: {chartHome: ../../outside/dir}`],
  ['helmCharts.valuesFile', `helmCharts: [{name: c, valuesFile: ${OUT}}]`],
  ['helmCharts.additionalValuesFiles', `helmCharts: [{name: c, additionalValuesFiles: [${OUT}]}]`],
  ['helmChartInflationGenerator.values', `helmChartInflationGenerator: [{chartName: c, values: ${OUT}}]`],
];

describe('walkKustomization: every field kind that reads a file', () => {
  test.each(FIELDS)('%s outside the repo → RENDER_PATH_OUTSIDE_REPO naming the file', (field, text) => {
    kust(`${text}\n`);
    const e = codeOf(() => walkKustomization(join(root, 'app'), root));
    expect(e.code).toBe('RENDER_PATH_OUTSIDE_REPO');
    expect(e.message).toMatch(new RegExp(`^app/kustomization.yaml: ${field.replace(/\./g, '\\.')} \\.\\./\\.\\./outside/(secret\\.txt|dir): resolves outside the repo root$`));
  });

  test.each(FIELDS)('%s through a symlink out of the repo → RENDER_PATH_OUTSIDE_REPO', (_field, text) => {
    symlinkSync(join(outside, 'secret.txt'), join(root, 'app', 'link.txt'));
    symlinkSync(join(outside, 'dir'), join(root, 'app', 'linkdir'));
    kust(`${text.replace(OUT, 'link.txt').replace('../../outside/dir', 'linkdir')}\n`);
    const e = codeOf(() => walkKustomization(join(root, 'app'), root));
    expect(e).toEqual({ code: 'RENDER_PATH_OUTSIDE_REPO', message: expect.stringMatching(/ (link\.txt|linkdir): is a symlink that resolves outside the repo root$/) });
  });

  test('the same fields inside the repo are all returned, a base walked once', () => {
    writeFileSync(join(root, 'f.txt'), 'x\n');
    mkdirSync(join(root, 'base'));
    writeFileSync(join(root, 'base', 'kustomization.yaml'), 'resources: [../app]\n'); // a cycle back to app
    kust(`resources: [../f.txt, ../base]\ncomponents: [../base]\ncrds: [../f.txt]\nconfigurations: [../f.txt]\npatches: [{path: ../f.txt}]\nsecretGenerator: [{name: x, files: [k=../f.txt], envs: [../f.txt]}]\nhelmCharts: [{name: c, valuesFile: ../f.txt}]\nopenapi: {path: ../f.txt}\n`);
    const tree = walkKustomization(join(root, 'app'), root);
    expect(tree.kustomizations.map(({ file }) => relative(root, file))).toEqual([join('app', 'kustomization.yaml'), join('base', 'kustomization.yaml')]);
    expect(new Set(tree.refs.map((r) => r.field))).toEqual(
      new Set(['resources', 'components', 'crds', 'configurations', 'patches', 'secretGenerator.files', 'secretGenerator.envs', 'helmCharts.valuesFile', 'openapi.path']),
    );
    expect(tree.refs.every((r) => isInside(root, r.real))).toBe(true);
  });

  test.each([
    ['resources', 'resources: [https://github.com/org/repo//x?ref=v1]'],
    ['components', 'components: [git@github.com:org/repo.git]'],
    ['patches', 'patches: [{path: "https://example.com/p.yaml"}]'],
    ['configMapGenerator.files', 'configMapGenerator: [{name: x, files: ["https://example.com/f"]}]'],
    ['helmCharts.valuesFile', 'helmCharts: [{name: c, valuesFile: "https://example.com/v.yaml"}]'],
  ])('remote %s → RENDER_KUSTOMIZE_REMOTE_BASE naming the kustomization', (field, text) => {
    kust(`${text}\n`);
    const e = codeOf(() => walkKustomization(join(root, 'app'), root));
    expect(e.code).toBe('RENDER_KUSTOMIZE_REMOTE_BASE');
    expect(e.message.startsWith(`app/kustomization.yaml: ${field} `)).toBe(true);
  });

  test('a kustomization file that is itself a symlink out of the repo is refused', () => {
    writeFileSync(join(outside, 'k.yaml'), 'resources: []\n');
    symlinkSync(join(outside, 'k.yaml'), join(root, 'app', 'kustomization.yaml'));
    expect(codeOf(() => walkKustomization(join(root, 'app'), root)).code).toBe('RENDER_PATH_OUTSIDE_REPO');
  });

  test('a symlink loop is RENDER_PATH_NOT_FOUND naming the link, not a hang', () => {
    symlinkSync('loop-b', join(root, 'app', 'loop-a'));
    symlinkSync('loop-a', join(root, 'app', 'loop-b'));
    kust('resources: [loop-a]\n');
    expect(codeOf(() => walkKustomization(join(root, 'app'), root))).toEqual({
      code: 'RENDER_PATH_NOT_FOUND',
      message: 'app/kustomization.yaml: resources loop-a: no such file or directory',
    });
  });

  test('a missing helm config home is allowed (helm creates it), one outside is not', () => {
    kust('helmGlobals: {configHome: nothere}\n');
    expect(walkKustomization(join(root, 'app'), root).refs).toEqual([]);
    kust('helmGlobals: {configHome: ../../outside}\n');
    expect(codeOf(() => walkKustomization(join(root, 'app'), root)).code).toBe('RENDER_PATH_OUTSIDE_REPO');
  });
});

describe('symlinkTarget', () => {
  test.each([
    ['file out', () => symlinkSync(join(outside, 'secret.txt'), join(root, 'l')), 'symlink l: resolves outside the repo root'],
    ['dir out', () => symlinkSync(outside, join(root, 'l')), 'symlink l: resolves outside the repo root'],
    ['loop', () => symlinkSync('l', join(root, 'l')), 'symlink l: target does not exist'],
    ['dangling', () => symlinkSync('nope', join(root, 'l')), 'symlink l: target does not exist'],
  ])('%s → RENDER_PATH_OUTSIDE_REPO', (_n, make, message) => {
    make();
    expect(codeOf(() => symlinkTarget(root, join(root, 'l')))).toEqual({ code: 'RENDER_PATH_OUTSIDE_REPO', message });
  });
});

/** The reference: realpath, then `relative` must not climb out (what securejoin-style checks mean). */
function reference(rootReal: string, baseDir: string, p: string): string | undefined {
  if (p === '' || p.startsWith('/')) return undefined;
  const lexical = resolve(baseDir, p);
  const lr = relative(rootReal, lexical);
  if (lr === '..' || lr.startsWith(`..${sep}`)) return undefined;
  let real: string;
  try {
    real = realpathSync.native(lexical);
  } catch {
    return undefined;
  }
  const rel = relative(rootReal, real);
  return rel === '..' || rel.startsWith(`..${sep}`) ? undefined : real;
}

describe('property: resolveInsideRepo agrees with realpath + relative', () => {
  test('on random paths through a tree with links in and out (seeded)', () => {
    const seed = Number(process.env['SEED'] ?? 20261207);
    const rand = mulberry32(seed);
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'a', 'f'), '');
    writeFileSync(join(root, 'a', 'b', 'g'), '');
    writeFileSync(join(base, 'repo-sibling'), ''); // a name sharing the root's prefix
    symlinkSync('..', join(root, 'a', 'up'));
    symlinkSync('../..', join(root, 'a', 'b', 'up2'));
    symlinkSync(outside, join(root, 'a', 'out'));
    symlinkSync('b/g', join(root, 'a', 'lg'));
    symlinkSync('self', join(root, 'a', 'self'));
    const parts = ['a', 'b', 'f', 'g', 'up', 'up2', 'out', 'lg', 'self', '..', '.', 'dir', 'secret.txt', 'repo-sibling', 'nope'];
    const bases = [root, join(root, 'a'), join(root, 'a', 'b')];
    for (let i = 0; i < 3000; i++) {
      const n = 1 + Math.floor(rand() * 5);
      const p = Array.from({ length: n }, () => parts[Math.floor(rand() * parts.length)]).join('/');
      const baseDir = bases[Math.floor(rand() * bases.length)]!;
      const expected = reference(root, baseDir, p);
      let got: string | undefined;
      try {
        got = resolveInsideRepo(root, baseDir, p, 'path');
      } catch (e) {
        if (!isSyncgateError(e) || !['RENDER_PATH_OUTSIDE_REPO', 'RENDER_PATH_NOT_FOUND'].includes(e.code)) throw e;
        got = undefined;
      }
      if (got !== expected) throw new Error(`seed ${seed}, case ${i}: ${p} from ${relative(root, baseDir) || '.'}: got ${got} expected ${expected}`);
      expect(realPathInside(root, resolve(baseDir, p)) === undefined || isInside(root, realPathInside(root, resolve(baseDir, p))!)).toBe(true);
    }
    expect(readdirSync(root).sort()).toEqual(['a', 'app']);
  });
});
