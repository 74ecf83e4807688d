// Parameters the way Argo CD's UI and Helm source use them, against the built sidecar and the
// real helm:
// - the UI lists the announced parameters and, once one entry of the `helm-parameters` map is
//   edited, saves every announced entry back (ui/src/app/shared/components/array-input
//   MapValueField); saving unchanged must render what no parameters render, and an edit keeps
//   the type of the chart default;
// - `set`/`set-string` values render what Argo CD's own Helm source renders: its argv
//   (util/helm/cmd.go template: `template . --name-template <app> --namespace <ns> --set k=v
//   … --include-crds`, values through cleanSetParameters) run with the same helm.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { baseEnv, callGenerate, callParameters, cliPath, expectClean, parameterEnv, repoRoot, startSidecar, type ArgoParameter, type Sidecar } from '../helpers/sidecar.js';

const chart = join(repoRoot, 'test', 'fixtures', 'cmp', 'params-chart');
const tools = join(repoRoot, '.tools', 'bin');
let sidecar: Sidecar;

beforeAll(async () => {
  sidecar = await startSidecar();
}, 20_000);
afterAll(async () => {
  await sidecar.stop();
});
afterEach(() => expectClean(sidecar));

type Announcement = { name: string; collectionType?: string; string?: string; array?: string[]; map?: Record<string, string> };

/** What the UI saves when one entry is edited: every announced parameter with its announced value, `edit` applied to helm-parameters. */
function savedForm(list: readonly Announcement[], edit: Record<string, string> = {}): ArgoParameter[] {
  return list.map((a) => {
    if (a.collectionType === 'map') return { name: a.name, map: a.name === 'helm-parameters' ? { ...a.map, ...edit } : { ...a.map } };
    if (a.collectionType === 'array') return { name: a.name, array: [...(a.array ?? [])] };
    return { name: a.name, string: a.string ?? '' };
  });
}

/** The chart's values as rendered (the ConfigMap holds `toJson .Values`). */
function renderedValues(manifests: readonly string[]): Record<string, unknown> {
  expect(manifests).toHaveLength(1);
  const cm = JSON.parse(manifests[0] ?? '') as { data: { 'values.json': string } };
  return JSON.parse(cm.data['values.json']) as Record<string, unknown>;
}

const env = baseEnv({ name: 'demo', namespace: 'demo' });

async function nativeRender(params?: ArgoParameter[]): Promise<Record<string, unknown>> {
  return renderedValues(await callGenerate(sidecar.socket, chart, { env, ...(params ? { params } : {}) }));
}

/** `syncgate <cmd>` as argocd-cmp-server runs it: cwd = the app dir of an extracted copy. */
function stock(cmd: 'generate' | 'parameters', params?: ArgoParameter[]): { status: number | null; stdout: string; stderr: string } {
  const copy = mkdtempSync(join(tmpdir(), 'syncgate-params-'));
  try {
    cpSync(chart, copy, { recursive: true });
    const r = spawnSync(process.execPath, [cliPath, cmd, '-o', 'json'].slice(0, cmd === 'generate' ? 4 : 2), {
      cwd: copy,
      env: { PATH: `${tools}:${process.env['PATH'] ?? ''}`, HOME: copy, ...env, ...parameterEnv(params) },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function stockRender(params?: ArgoParameter[]): Record<string, unknown> {
  const r = stock('generate', params);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return renderedValues(r.stdout.trim().split('\n'));
}

/** The real helm with the argv Argo CD's Helm source builds, run in the chart dir as the repo-server does. */
function argoHelmSource(setArgs: readonly string[]): Record<string, unknown> {
  const r = spawnSync(join(tools, 'helm'), ['template', '.', '--name-template', 'demo', '--namespace', 'demo', ...setArgs, '--include-crds'], {
    cwd: chart,
    env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir() },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.stderr).toBe('');
  const docs = parseAllDocuments(r.stdout).map((d) => JSON.stringify(d.toJS()));
  return renderedValues(docs);
}

describe('helm-parameters round trip (announce, send every entry back, compare)', () => {
  test('native: saving the announced form unchanged renders exactly the no-parameter render', async () => {
    const list = (await callParameters(sidecar.socket, chart, { env })) as Announcement[];
    const hp = list.find((a) => a.name === 'helm-parameters');
    // Keys with dots, brackets, commas, `=` and backslashes are listed in --set key syntax.
    expect(hp?.map).toMatchObject({ flag: 'true', 'dotted\\.key': 'dot', 'br\\[0\\]acket': 'bracket', 'com\\,ma': 'comma', 'back\\\\slash': 'backslash', 'eq\\=ual': 'equal', 'list[1]': 'b,c' });
    const none = await nativeRender();
    expect(await nativeRender(savedForm(list))).toEqual(none);
    expect(none['flag']).toBe('true');
  });

  test('stock: `syncgate parameters` then `syncgate generate` with every entry back renders the no-parameter render', () => {
    const ann = stock('parameters');
    expect(ann.status).toBe(0);
    const list = JSON.parse(ann.stdout) as Announcement[];
    expect(stockRender(savedForm(list))).toEqual(stockRender());
  });

  test('an edited entry keeps the type of the chart default; special keys and values survive', async () => {
    const list = (await callParameters(sidecar.socket, chart, { env })) as Announcement[];
    const edit = {
      flag: 'false',
      enabled: 'false',
      replicas: '5',
      ratio: '1.25',
      zip: '0042',
      greeting: 'hi, there \\o/',
      winPath: 'D:\\x,y',
      braces: '{c,d}',
      'dotted\\.key': 'a.b[0]',
      'br\\[0\\]acket': '[1]',
      'com\\,ma': 'x,y',
      'back\\\\slash': 'c:\\d',
      'eq\\=ual': 'a=b',
      'list[1]': 'x,y',
      'nested.deep.count': '7',
      'containers[0].args[0]': '--y=3,4',
    };
    const none = await nativeRender();
    const want = {
      ...none,
      flag: 'false',
      enabled: false,
      replicas: 5,
      ratio: 1.25,
      zip: '0042',
      greeting: 'hi, there \\o/',
      winPath: 'D:\\x,y',
      braces: '{c,d}',
      'dotted.key': 'a.b[0]',
      'br[0]acket': '[1]',
      'com,ma': 'x,y',
      'back\\slash': 'c:\\d',
      'eq=ual': 'a=b',
      list: ['a', 'x,y', 3, true],
      nested: { deep: { zip: '010', count: 7 } },
      containers: [{ name: 'web', port: 80, args: ['--y=3,4'] }],
    };
    expect(await nativeRender(savedForm(list, edit))).toEqual(want);
    expect(stockRender(savedForm(list, edit))).toEqual(want);
  });

  test('a number default edited to text is refused, naming the key', async () => {
    const list = (await callParameters(sidecar.socket, chart, { env })) as Announcement[];
    await expect(nativeRender(savedForm(list, { replicas: 'many' }))).rejects.toMatchObject({
      details: expect.stringContaining('CMP_PARAMETERS_INVALID') as unknown,
    });
    const r = stock('generate', savedForm(list, { replicas: 'many' }));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('parameter helm-parameters: replicas: the chart default is a number, got "many"');
  });
});

describe('set / set-string render what Argo CD\'s Helm source renders', () => {
  // [case, syncgate parameter, the argv Argo CD builds for it (cleanSetParameters applied)]
  const cases: [string, ArgoParameter, string[]][] = [
    ['comma in a value', { name: 'set', map: { greeting: 'hello, world' } }, ['--set', 'greeting=hello\\, world']],
    ['several commas', { name: 'set', map: { 'nested.deep.zip': 'a,b,c' } }, ['--set', 'nested.deep.zip=a\\,b\\,c']],
    ['a brace list stays a list', { name: 'set', map: { list: '{x,y}' } }, ['--set', 'list={x,y}']],
    ['an escaped comma is left as is', { name: 'set', map: { greeting: 'a\\,b' } }, ['--set', 'greeting=a\\,b']],
    ['a backslash reaches helm as is', { name: 'set', map: { winPath: 'C:\\temp' } }, ['--set', 'winPath=C:\\temp']],
    ['set-string with a comma', { name: 'set-string', map: { zip: '1,2' } }, ['--set-string', 'zip=1\\,2']],
    ['escaped key with a comma value', { name: 'set', map: { 'dotted\\.key': 'x,y' } }, ['--set', 'dotted\\.key=x\\,y']],
    ['typed values', { name: 'set', map: { replicas: '4', flag: 'false' } }, ['--set', 'replicas=4', '--set', 'flag=false']],
  ];
  test.each(cases)('%s', async (_n, param, argv) => {
    const argo = argoHelmSource(argv);
    expect(await nativeRender([param])).toEqual(argo);
    expect(stockRender([param])).toEqual(argo);
  });
});
