// The golden renders (test/fixtures/render/*/expected.yaml, written by syncgate itself with
// UPDATE_GOLDEN=1) checked against the raw upstream tools: for each golden, the real helm or
// kustomize (.tools/bin) runs with the arguments Argo CD's repo-server would give it for the same
// app, and the objects it produces must be the golden's objects. Both sides are read the way the
// API server reads them, by the Go oracle (.tools/bin/k8s-yaml-oracle, scripts/k8s-yaml-oracle:
// k8s.io/apimachinery's YAMLOrJSONDecoder + sigs.k8s.io/yaml), never by syncgate's own codec, so
// this test does not depend on the code it checks. A difference is allowed only when it is one of
// the transforms in ALLOWED, applied to the upstream side; anything else fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..', '..', '..');
const tools = join(project, '.tools', 'bin');
const oracle = join(tools, 'k8s-yaml-oracle');
const fixtures = join(project, 'test', 'fixtures', 'render');
const examples = join(project, 'examples');

/** A decoded document in the oracle's notation: numbers {n: text}, mappings {m: {...}}. */
type Doc = unknown;
interface OracleResult {
  name: string;
  docs?: Doc[];
  error?: string;
}

let scratch: string;
beforeAll(() => {
  if (!existsSync(oracle)) throw new Error(`${oracle} is missing: run npm run setup (or bash scripts/k8s-yaml-oracle.sh build)`);
  for (const t of ['helm', 'kustomize']) if (!existsSync(join(tools, t))) throw new Error(`${join(tools, t)} is missing: run npm run setup`);
  scratch = mkdtempSync(join(tmpdir(), 'upstream-golden-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function run(cmd: string, args: string[], cwd: string, input?: string): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
    // helm's home in a throwaway dir, as Argo CD's helm.Cmd sets XDG_*_HOME to a temp helm home.
    env: {
      PATH: `${tools}:${process.env['PATH'] ?? ''}`,
      HOME: scratch,
      XDG_CACHE_HOME: join(scratch, 'cache'),
      XDG_CONFIG_HOME: join(scratch, 'config'),
      XDG_DATA_HOME: join(scratch, 'data'),
      HELM_CONFIG_HOME: join(scratch, 'config'),
    },
    ...(input !== undefined ? { input } : {}),
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${String(r.status)}: ${r.stderr}`);
  return r.stdout;
}

/** Decodes each stream as Kubernetes does (the Go oracle); fails on any stream it refuses. */
function decode(streams: { name: string; input: string }[]): Map<string, Doc[]> {
  const out = JSON.parse(run(oracle, [], scratch, JSON.stringify(streams))) as OracleResult[];
  const docs = new Map<string, Doc[]>();
  for (const r of out) {
    if (r.docs === undefined) throw new Error(`k8s-yaml-oracle: ${r.name}: ${r.error ?? 'no documents'}`);
    docs.set(r.name, r.docs);
  }
  return docs;
}

const mapping = (d: Doc): Record<string, Doc> | undefined =>
  typeof d === 'object' && d !== null && 'm' in d ? (d as { m: Record<string, Doc> }).m : undefined;

/**
 * The transforms syncgate applies between a tool's output and what it emits, each one that Argo CD
 * itself applies to the same output (so the objects Argo CD ends up with are the same either way).
 * They are applied to the upstream side only. Nothing else may differ: in particular syncgate does
 * not set metadata.namespace (Argo CD's controller defaults it later, for namespaced kinds, from the
 * Application's destination — syncgate's output must leave that to it), does not reorder objects
 * (helm's install order, kustomize's output order and the directory walk's lexical file order are
 * kept, as Argo CD keeps them) and does not add Argo CD's tracking label or annotation.
 */
const ALLOWED = {
  // A `*List` document (v1/List, ConfigMapList…) becomes its items: Argo CD's kube.SplitYAML
  // (gitops-engine pkg/utils/kube) and the repo-server's directory reader expand lists
  // (UnstructuredList.EachListItem), and so does syncgate's parseResources (src/k8s/codec.ts;
  // documented in docs/yaml.md, Streams).
  expandLists: (docs: Doc[]): Doc[] =>
    docs.flatMap((d) => {
      const m = mapping(d);
      const kind = m?.['kind'];
      return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(m?.['items']) ? (m['items'] as Doc[]) : [d];
    }),
} as const satisfies Record<string, (docs: Doc[]) => Doc[]>;
type Transform = keyof typeof ALLOWED;

interface Case {
  /** test/fixtures/render/<golden>/expected.yaml */
  golden: string;
  /** What produced the golden (render.test.ts / cli.test.ts), as Argo CD would run the tool for it: manifest streams. */
  upstream: () => { name: string; input: string }[];
  transforms: Transform[];
}

/**
 * `helm template` as Argo CD's repo-server runs it (reposerver/repository/repository.go helmTemplate,
 * util/helm/cmd.go template): in the chart dir, `helm template . --name-template <release>`, where
 * the release is the app name without its `<namespace>_` prefix (argo.ParseInstanceName) unless
 * spec.source.helm.releaseName is set; `--namespace` the destination namespace; `--kube-version`
 * the cluster's version as text.SemVer (`v` prefix); each --set and --set-string (commas escaped);
 * the values files, then spec.source.helm.values as a temp values file; one `--api-versions` per
 * API version; `--include-crds` unless skipCrds.
 */
function helmTemplate(chart: string, o: {
  app: string;
  namespace: string;
  kubeVersion: string;
  apiVersions: string[];
  set?: Record<string, string>;
  setString?: Record<string, string>;
  valueFiles?: string[];
  values?: string;
}): string {
  const release = o.app.split('_').pop() ?? o.app;
  const args = ['template', '.', '--name-template', release, '--namespace', o.namespace, '--kube-version', `v${o.kubeVersion}`];
  for (const [k, v] of Object.entries(o.set ?? {})) args.push('--set', `${k}=${v.replaceAll(',', '\\,')}`);
  for (const [k, v] of Object.entries(o.setString ?? {})) args.push('--set-string', `${k}=${v.replaceAll(',', '\\,')}`);
  for (const f of o.valueFiles ?? []) args.push('--values', join(chart, f));
  if (o.values !== undefined) {
    const extra = join(scratch, `extra-values-${String(Date.now())}.yaml`);
    writeFileSync(extra, o.values);
    args.push('--values', extra);
  }
  for (const v of o.apiVersions) args.push('--api-versions', v);
  args.push('--include-crds');
  return run('helm', args, chart);
}

// The env cli.test.ts sends for the bundled examples (KUBE_VERSION, KUBE_API_VERSIONS).
const KUBE_VERSION = '1.30.2';
const API_VERSIONS = ['apps/v1', 'apps/v1/Deployment', 'networking.k8s.io/v1', 'v1'];

const cases: Case[] = [
  {
    golden: 'helm-app',
    upstream: () => [
      { name: 'helm', input: helmTemplate(join(examples, 'helm-app'), { app: 'demo', namespace: 'demo', kubeVersion: KUBE_VERSION, apiVersions: API_VERSIONS }) },
    ],
    transforms: ['expandLists'],
  },
  {
    // render.test.ts "release name, namespace, KUBE_VERSION, API versions, values files, --set, --set-string, inline values, CRDs"
    golden: 'helm-params',
    upstream: () => [
      {
        name: 'helm',
        input: helmTemplate(join(fixtures, 'charts', 'params'), {
          app: 'argocd_my-app',
          namespace: 'team-a',
          kubeVersion: '1.29.4',
          apiVersions: ['example.com/v1/Widget', 'apps/v1'],
          set: { tag: '2.0', replicas: '5' },
          setString: { zip: '0099' },
          valueFiles: ['env/prod.yaml'],
          values: 'fromInline: inline\n',
        }),
      },
    ],
    transforms: ['expandLists'],
  },
  {
    // Argo CD's kustomize source (util/kustomize/kustomize.go Build): `kustomize build <app path>`
    // with the default (empty) kustomize.buildOptions; the overlay sets its own namespace, so no
    // `kustomize edit set namespace` runs.
    golden: 'kustomize-app',
    upstream: () => [{ name: 'kustomize', input: run('kustomize', ['build', join(examples, 'kustomize-app', 'overlays', 'prod')], join(examples, 'kustomize-app')) }],
    transforms: ['expandLists'],
  },
  {
    // Argo CD's directory source (repository.go findManifests): every *.yaml, *.yml, *.json file of
    // the app dir, not recursive, in filepath.Walk's lexical order, each decoded on its own.
    golden: 'plain-app',
    upstream: () =>
      readdirSync(join(examples, 'plain-app'))
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort()
        .map((f) => ({ name: `file ${f}`, input: readFileSync(join(examples, 'plain-app', f), 'utf8') })),
    transforms: ['expandLists'],
  },
];

/** The upstream objects (after the case's allowed transforms) and the golden objects, as Kubernetes reads both. */
function compare(c: Case, goldenText: string): { upstream: Doc[]; golden: Doc[] } {
  const streams = c.upstream();
  const decoded = decode([...streams, { name: 'golden', input: goldenText }]);
  let upstream = streams.flatMap((s) => decoded.get(s.name) ?? []);
  for (const t of c.transforms) upstream = ALLOWED[t](upstream);
  return { upstream, golden: decoded.get('golden') ?? [] };
}

const goldenText = (name: string): string => readFileSync(join(fixtures, name, 'expected.yaml'), 'utf8');

describe('each golden render holds exactly the objects the raw upstream tool produces', () => {
  test.each(cases.map((c) => [c.golden, c] as const))('%s', (_name, c) => {
    const { upstream, golden } = compare(c, goldenText(c.golden));
    expect(upstream.length).toBeGreaterThan(0);
    expect(golden).toEqual(upstream);
  });
});

describe('the comparison can fail', () => {
  const helmApp = cases[0] as Case;

  test.each([
    ['a changed value', (t: string) => t.replace('replicas: 2\n', 'replicas: 3\n')],
    ['a number that Kubernetes reads as a string', (t: string) => t.replace('port: 80\n', 'port: "80"\n')],
    ['a string that Kubernetes reads as a bool', (t: string) => t.replace('automountServiceAccountToken: false\n---', 'automountServiceAccountToken: "false"\n---')],
    ['a dropped object', (t: string) => t.split('---\n').slice(1).join('---\n')],
    ['two objects swapped', (t: string) => { const d = t.split('---\n'); return [d[1], d[0], ...d.slice(2)].join('---\n'); }],
    ['a namespace syncgate does not set', (t: string) => t.replace('kind: Deployment\nmetadata:\n  name: demo\n  namespace: demo\n', 'kind: Deployment\nmetadata:\n  name: demo\n  namespace: other\n')],
  ])('%s in a copy of the helm-app golden is caught', (_what, plant) => {
    const original = goldenText('helm-app');
    const planted = plant(original);
    expect(planted).not.toBe(original);
    const { upstream, golden } = compare(helmApp, planted);
    expect(golden).not.toEqual(upstream);
  });

  test('a copy that differs only in YAML spelling (flow style, quoting, comments) still matches', () => {
    const respelled = goldenText('helm-app')
      .replace('policyTypes:\n    - Ingress\n    - Egress\n', 'policyTypes: [Ingress, "Egress"]  # flow style\n')
      .replace('app.kubernetes.io/version: 6.7.1', "app.kubernetes.io/version: '6.7.1'")
      .replace('replicas: 2\n', 'replicas: 0x2\n');
    expect(respelled).not.toBe(goldenText('helm-app'));
    const { upstream, golden } = compare(helmApp, respelled);
    expect(golden).toEqual(upstream);
  });

  test('a List from the tool matches its items only through the allowed expandLists transform', () => {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'demo' }, data: { k: 'v' } });
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cm('a'), cm('b')] });
    const items = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: demo}\ndata: {k: v}\n---\n' +
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: demo}\ndata: {k: v}\n';
    const listCase = (transforms: Transform[]): Case => ({ golden: 'list', upstream: () => [{ name: 'file list.json', input: list }], transforms });
    const expanded = compare(listCase(['expandLists']), items);
    expect(expanded.golden).toHaveLength(2);
    expect(expanded.golden).toEqual(expanded.upstream);
    const without = compare(listCase([]), items);
    expect(without.golden).not.toEqual(without.upstream);
  });
});
