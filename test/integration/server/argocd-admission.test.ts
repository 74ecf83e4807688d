// Argo CD Applications and ApplicationSets through the real express app over real HTTP, as the
// API server sends them (AdmissionReview v1): in the projects spec.argocd.applications names,
// every source must name the syncgate plugin and none may select Argo CD's own renderer.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { addValidateRoute, createHttpApp } from '../../../src/server/index.js';

type Obj = Record<string, unknown>;

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
});

async function start(argocd: Obj): Promise<number> {
  const config = parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { argocd: { applications: argocd } } });
  const app = createHttpApp();
  addValidateRoute(app, { config, logger: silentLogger() });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise<void>((ok) => server.once('listening', () => ok()));
  return (server.address() as AddressInfo).port;
}

let port: number;
let discoveryPort: number;
beforeAll(async () => {
  port = await start({ projects: ['team-*', 'default'] });
  discoveryPort = await start({ projects: ['team-*'], discovery: 'allow', pluginNames: ['syncgate-v1', 'syncgate-v2'] });
});

let uid = 0;
async function admit(object: Obj, opts: { operation?: string; port?: number } = {}): Promise<{ allowed: boolean; message: string }> {
  const kind = object['kind'] as string;
  const md = object['metadata'] as Obj;
  const body = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `u-${++uid}`,
      kind: { group: 'argoproj.io', version: 'v1alpha1', kind },
      resource: { group: 'argoproj.io', version: 'v1alpha1', resource: kind === 'Application' ? 'applications' : 'applicationsets' },
      operation: opts.operation ?? 'CREATE',
      namespace: md['namespace'],
      name: md['name'],
      userInfo: { username: 'alice' },
      object: opts.operation === 'DELETE' ? null : object,
      oldObject: opts.operation === 'DELETE' ? object : null,
    },
  };
  const res = await fetch(`http://127.0.0.1:${opts.port ?? port}/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  const review = (await res.json()) as { response: { uid: string; allowed: boolean; status?: { code: number; message: string } } };
  expect(review.response.uid).toBe(`u-${uid}`);
  if (!review.response.allowed) expect(review.response.status?.code).toBe(403);
  return { allowed: review.response.allowed, message: review.response.status?.message ?? '' };
}

const plugin = { name: 'syncgate-v1', env: [{ name: 'RELEASE_NAME', value: 'web' }] };
const src = (extra: Obj = {}): Obj => ({ repoURL: 'https://git.example.com/team-a/apps.git', targetRevision: 'HEAD', path: 'apps/web', ...extra });
const app = (spec: Obj, project = 'team-a'): Obj => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web', namespace: 'argocd' },
  spec: { project, destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, ...spec },
});
const appSet = (template: Obj, extra: Obj = {}): Obj => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'ApplicationSet',
  metadata: { name: 'apps', namespace: 'argocd' },
  spec: {
    generators: [{ list: { elements: [{ name: 'web' }] } }],
    template: { metadata: { name: '{{.name}}' }, spec: { project: 'team-a', destination: { namespace: '{{.name}}' }, ...template } },
    ...extra,
  },
});

describe('allowed', () => {
  test.each<[string, Obj, { operation?: string; discovery?: boolean }?]>([
    ['single source naming the plugin', app({ source: src({ plugin }) })],
    ['multi-source: every source names the plugin, plus a ref-only values source', app({ sources: [src({ plugin }), src({ path: 'apps/api', plugin: { name: 'syncgate-v1' } }), { repoURL: 'https://git.example.com/values.git', ref: 'values' }] })],
    ['a project the config does not name, Helm and all', app({ source: src({ helm: { valueFiles: ['values.yaml'] } }) }, 'legacy')],
    ['sourceHydrator dry source naming the plugin', app({ sourceHydrator: { drySource: src({ plugin }), syncSource: { targetBranch: 'env/prod', path: 'web' } } })],
    ['ApplicationSet whose template names the plugin', appSet({ source: src({ plugin }) })],
    ['ApplicationSet for another project', appSet({ project: 'legacy', source: src({ helm: {} }) })],
    ['DELETE of an app that uses Helm', app({ source: src({ helm: {} }) }), { operation: 'DELETE' }],
    ['discovery (plugin: {}) where the config allows it', app({ source: src({ plugin: {} }) }), { discovery: true }],
    ['a second accepted plugin name', app({ source: src({ plugin: { name: 'syncgate-v2' } }) }), { discovery: true }],
  ])('%s', async (_n, obj, o = {}) => {
    const r = await admit(obj, { ...(o.operation ? { operation: o.operation } : {}), ...(o.discovery ? { port: discoveryPort } : {}) });
    expect(r).toEqual({ allowed: true, message: '' });
  });
});

describe('denied, naming the object and every offending source', () => {
  const head = (kind: string, name: string, projects: string): string =>
    `${kind}/argocd/${name}: every source must render through the syncgate plugin (project ${projects})`;
  test.each<[string, Obj, string[]]>([
    ['no plugin: Argo CD detects Helm/Kustomize itself', app({ source: src() }), ['spec.source: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['explicit helm block beside the plugin', app({ source: src({ plugin, helm: { parameters: [{ name: 'a', value: 'b' }] } }) }), ["spec.source.helm: Argo CD's own helm renderer bypasses syncgate"]],
    ['explicit kustomize block', app({ source: src({ kustomize: { namePrefix: 'x-' } }) }), ["spec.source.kustomize: Argo CD's own kustomize renderer bypasses syncgate", 'spec.source: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['explicit directory block', app({ source: src({ directory: { recurse: true } }) }), ["spec.source.directory: Argo CD's own directory renderer bypasses syncgate", 'spec.source: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['discovery: plugin {} without a name', app({ source: src({ plugin: {} }) }), ['spec.source.plugin: no name: discovery may pick another plugin (set plugin.name: syncgate-v1)']],
    ['another plugin', app({ source: src({ plugin: { name: 'kustomized-helm' } }) }), ['spec.source.plugin.name: "kustomized-helm" is not the syncgate plugin (syncgate-v1)']],
    ['the plugin name without the version suffix (no such socket)', app({ source: src({ plugin: { name: 'syncgate' } }) }), ['spec.source.plugin.name: "syncgate" is not the syncgate plugin (syncgate-v1)']],
    ['multi-source: one Helm chart source among plugin sources', app({ sources: [src({ plugin }), { repoURL: 'https://charts.example.com', chart: 'redis', targetRevision: '1.0.0' }] }), ['spec.sources[1]: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['multi-source: a ref source that also has a path renders', app({ sources: [src({ plugin }), src({ ref: 'values' })] }), ['spec.sources[1]: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['sourceHydrator dry source with Helm', app({ sourceHydrator: { drySource: src({ helm: {} }), syncSource: { targetBranch: 'env/prod', path: 'web' } } }), ["spec.sourceHydrator.drySource.helm: Argo CD's own helm renderer bypasses syncgate", 'spec.sourceHydrator.drySource: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['empty project means default', app({ source: src() }, ''), ['spec.source: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['no source at all', app({}), ['spec: no source']],
  ])('Application: %s', async (_n, obj, lines) => {
    const r = await admit(obj);
    const spec = obj['spec'] as Obj;
    const project = typeof spec['project'] === 'string' && spec['project'] !== '' ? spec['project'] : 'default';
    expect(r).toEqual({ allowed: false, message: [head('Application', 'web', JSON.stringify(project)), ...lines].join('\n') });
  });

  test.each<[string, Obj, string[]]>([
    ['template with a Helm source', appSet({ source: src({ helm: {} }) }), ["spec.template.spec.source.helm: Argo CD's own helm renderer bypasses syncgate", 'spec.template.spec.source: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    ['templated project (known per generated app only)', appSet({ project: '{{.project}}', sources: [src()] }), ['spec.template.spec.sources[0]: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)']],
    [
      'a generator template overriding the source',
      appSet({ source: src({ plugin }) }, { generators: [{ matrix: { generators: [{ list: { elements: [], template: { metadata: {}, spec: { source: src({ kustomize: {} }) } } } }] } }] }),
      ["spec.generators[0].matrix.generators[0].list.template.spec.source.kustomize: Argo CD's own kustomize renderer bypasses syncgate", 'spec.generators[0].matrix.generators[0].list.template.spec.source: no plugin: Argo CD would pick its renderer itself (set plugin.name: syncgate-v1)'],
    ],
    ['templatePatch', appSet({ source: src({ plugin }) }, { templatePatch: 'spec:\n  source:\n    helm: {}\n' }), ['spec.templatePatch: may rewrite the sources of every generated Application (not allowed in enforced projects)']],
  ])('ApplicationSet: %s', async (_n, obj, lines) => {
    const r = await admit(obj);
    const tspec = ((obj['spec'] as Obj)['template'] as Obj)['spec'] as Obj;
    expect(r.allowed).toBe(false);
    expect(r.message.split('\n')).toEqual([head('ApplicationSet', 'apps', JSON.stringify(tspec['project'])), ...lines]);
  });

  test('UPDATE that switches a plugin app to Helm is denied', async () => {
    const r = await admit(app({ source: src({ helm: {} }) }), { operation: 'UPDATE' });
    expect(r.allowed).toBe(false);
  });
});

describe('the existing Flux path is unchanged', () => {
  test('a Flux-labelled Deployment is still judged by the policy engine', async () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'web', labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] } } },
    };
    const r = await admit(deploy);
    expect(r.allowed).toBe(false);
    expect(r.message).toMatch(/^Deployment\/web\/web: syncgate refused the object: .*pss-baseline\/privileged/);
  });
});
