// Custom policies, differentially: every case of vap-cases.ts is applied to the real API server and
// loaded by syncgate; each object is sent to the API server with server-side dry-run and checked
// offline by syncgate. The API server's verdict, denial message and warnings must equal what
// syncgate's findings say it would answer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { defaultConfig } from '../../src/config/index.js';
import type { K8sObject, Resource } from '../../src/k8s/index.js';
import { loadCustomPolicies } from '../../src/policy/cel/index.js';
import type { CheckContext } from '../../src/policy/types.js';
import { api, apply, cluster, create, forgetDiscovery, namespace, remove, waitFor, type Answer, type Json } from './kube.js';
import { REPLICA_LIMIT_CRD, vapCases, WIDGET_CRD, type VapCase } from './vap-cases.js';

const NAMESPACES: Record<string, Record<string, string>> = { 'team-a': {}, 'team-b': {}, 'team-c': {}, 'team-prod': { env: 'prod' }, platform: {}, 'vap-sentinel': {} };

const KEEPER: Json[] = [
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'zz-param-informer-keeper' },
    spec: {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: { resourceRules: [{ apiGroups: ['example.com'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['nothings'] }] },
      validations: [{ expression: 'true' }],
    },
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'zz-param-informer-keeper' },
    spec: { policyName: 'zz-param-informer-keeper', validationActions: ['Deny'], paramRef: { selector: {}, namespace: 'team-a', parameterNotFoundAction: 'Allow' } },
  },
];

/** What the API server answered, reduced to what a policy decides. */
interface Verdict {
  denied: string | null;
  warnings: string[];
}

let dir: string;
let sentinelSeq = 0;
const installed: Json[] = [];

describe('custom ValidatingAdmissionPolicies, differentially', () => {
  beforeAll(async () => {
    cluster();
    dir = mkdtempSync(join(tmpdir(), 'syncgate-cluster-vap-'));
    for (const [name, labels] of Object.entries(NAMESPACES)) await namespace(name, labels);
    for (const crd of [WIDGET_CRD, REPLICA_LIMIT_CRD]) await apply(crd);
    // The API server shares one param informer per paramKind between policies and stops it when
    // the last policy using it goes away; a selector paramRef reads only that informer's cache. A
    // policy that keeps a ConfigMap paramKind for the whole suite (matching no real resource)
    // keeps the informer running across cases.
    for (const d of KEEPER) await apply(d);
    forgetDiscovery();
    await waitFor('the Widget and ReplicaLimit CRDs to be served', async () => {
      const a = await api('GET', '/apis/example.com/v1');
      const kinds = ((a.body['resources'] ?? []) as { kind: string }[]).map((r) => r.kind);
      return kinds.includes('Widget') && kinds.includes('ReplicaLimit') ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    for (const o of [...installed.splice(0).reverse(), ...KEEPER.slice().reverse()]) await remove(o, 'team-a').catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 150_000);

  /** The parsed documents of a case; namespaced params without a namespace land in team-a. */
  function documents(c: VapCase): Json[] {
    return (loadAll(c.yaml) as (Json | null)[])
      .filter((d): d is Json => d !== null)
      .map((d) => (d['kind'] === 'ConfigMap' && !d['metadata']['namespace'] ? { ...d, metadata: { ...d['metadata'], namespace: 'team-a' } } : d));
  }

  /** A policy that warns on a probe ConfigMap: once it answers, every earlier policy is in effect. */
  function sentinel(n: number): Json[] {
    return [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: `zz-sentinel-${n}` },
        spec: {
          matchConstraints: {
            resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vap-sentinel' } },
          },
          validations: [{ expression: 'false', message: `sentinel ${n}` }],
        },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: `zz-sentinel-${n}` },
        spec: { policyName: `zz-sentinel-${n}`, validationActions: ['Warn'] },
      },
    ];
  }

  const SENTINEL_WARNING = /^Validation failed for ValidatingAdmissionPolicy 'zz-sentinel-\d+'/;

  /** Installs the documents and waits until the API server applies them. */
  async function install(docs: Json[]): Promise<void> {
    // Params first, then policies, then bindings: a binding never refers to a missing policy.
    const order = (d: Json): number => (d['kind'] === 'ValidatingAdmissionPolicy' ? 1 : d['kind'] === 'ValidatingAdmissionPolicyBinding' ? 2 : 0);
    const n = ++sentinelSeq;
    for (const d of [...[...docs].sort((a, b) => order(a) - order(b)), ...sentinel(n)]) {
      await apply(d, 'team-a');
      installed.push(d);
    }
    const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: 'vap-sentinel' } };
    await waitFor(`sentinel ${n} to take effect`, async () => {
      const a = await create(probe, { dryRun: true });
      return a.warnings.some((w) => w.endsWith(`: sentinel ${n}`)) ? true : undefined;
    });
  }

  /**
   * Removes a case's documents, then its sentinel, and waits until the sentinel is gone: the policy
   * and binding informers have then seen every earlier deletion, so the next case starts clean.
   */
  async function uninstall(): Promise<void> {
    const all = installed.splice(0);
    const isSentinel = (d: Json): boolean => String(d['metadata']['name']).startsWith('zz-sentinel-');
    for (const o of all.filter((d) => !isSentinel(d)).reverse()) await remove(o, 'team-a');
    for (const o of all.filter(isSentinel)) await remove(o);
    const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: 'vap-sentinel' } };
    await waitFor(`sentinel ${sentinelSeq} to be gone`, async () => {
      const a = await create(probe, { dryRun: true });
      return a.warnings.some((w) => w.endsWith(`: sentinel ${sentinelSeq}`)) ? undefined : true;
    });
  }

  function verdictOf(a: Answer): Verdict {
    const warnings = a.warnings.filter((w) => !SENTINEL_WARNING.test(w)).sort();
    if (a.status === 201) return { denied: null, warnings };
    // The last cause carries the policy's message without the `<kind> "<name>" is forbidden: ` prefix.
    const causes = (a.body['details']?.['causes'] ?? []) as { message?: string }[];
    const msg = causes.at(-1)?.message ?? String(a.body['message']);
    return { denied: `${a.status} ${msg}`, warnings };
  }

  /** What syncgate's findings say the API server answers (the dispatcher's message formats). */
  function expected(docs: Json[], file: string, object: Json, ns: string | undefined, nsObject: Json | undefined): { denials: string[]; warnings: string[] } {
    const policies = loadCustomPolicies([file]);
    const bindings = docs.filter((d) => d['kind'] === 'ValidatingAdmissionPolicyBinding');
    const r: Resource = { object: object as K8sObject, source: 'admission', doc: 0 };
    // Params come with the policies (the loaded file); the live Namespace is what the API server
    // matches namespaceSelector against and binds as namespaceObject.
    const resources: Resource[] = [r, ...(nsObject ? [{ object: nsObject as K8sObject, source: 'cluster', doc: 1 }] : [])];
    const ctx: CheckContext = {
      context: { appName: 'app', namespace: ns ?? '', project: 'default', repoURL: '', sourcePath: '.', revision: '', kubeVersion: '1.37.2', apiVersions: [] },
      config: defaultConfig(),
      resources,
      scope: 'app',
    };
    const denials: string[] = [];
    const warnings: string[] = [];
    for (const p of policies) {
      // `custom/<policy>` or `custom/<policy>/<binding>` (Policy.name carries the binding too).
      const vapName = p.id.split('/')[1]!;
      const forPolicy = bindings.filter((b) => b['spec']['policyName'] === vapName);
      const bindingName = p.id.split('/')[2] ?? forPolicy[0]?.['metadata']['name'];
      const binding = forPolicy.find((b) => b['metadata']['name'] === bindingName);
      const actions = (binding?.['spec']['validationActions'] ?? []) as string[];
      for (const v of p.check(r, ctx)) {
        if (actions.includes('Deny')) denials.push(`ValidatingAdmissionPolicy '${vapName}' with binding '${bindingName}' denied request: ${v.message}`);
        if (actions.includes('Warn')) warnings.push(`Validation failed for ValidatingAdmissionPolicy '${vapName}' with binding '${bindingName}': ${v.message}`);
      }
    }
    return { denials, warnings: warnings.sort() };
  }

  const cases = vapCases();
  let agreed = 0;
  let compared = 0;
  const disagreements: string[] = [];
  let deliberate = 0;

  describe('custom policies: syncgate offline equals the API server', () => {
    afterAll(() => {
      console.log(`custom policies: ${compared} objects in ${cases.length} cases compared with the API server: ${agreed} agree exactly, ${deliberate} differ on purpose, ${disagreements.length} known disagreements: ${disagreements.join('; ') || 'none'}`);
    });

    test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const docs = documents(c);
      const file = join(dir, `case-${sentinelSeq + 1}.yaml`);
      writeFileSync(file, docs.map((d) => dump(d)).join('---\n'));
      if (c.refusedAtCreation) {
        const vapDoc = docs.find((d) => d['kind'] === 'ValidatingAdmissionPolicy')!;
        const a = await create(vapDoc, { dryRun: true });
        expect({ status: a.status, message: String(a.body['message']) }).toEqual({ status: 422, message: expect.stringMatching(c.refusedAtCreation.apiMessage) });
        const req = c.requests[0]!;
        const nsObject = (await api('GET', `/api/v1/namespaces/${req.namespace ?? 'team-a'}`)).body;
        const want = expected(docs, file, req.object, req.namespace, nsObject);
        // syncgate loads the policy; its answer on the object is asserted as it is today.
        const messages = [...want.denials.map((d) => d.replace(/^.*? denied request: /, '')), ...want.warnings.map((w) => w.replace(/^.*?': /, ''))];
        expect(messages).toEqual(c.refusedAtCreation.syncgateMessage ? [c.refusedAtCreation.syncgateMessage] : []);
        compared++;
        disagreements.push(`${c.name}: ${c.refusedAtCreation.why}`);
        return;
      }
      // The object as the API server admits it (defaults applied), before the case's policies exist.
      const admitted: { object: Json; ns: string | undefined; nsObject: Json | undefined }[] = [];
      for (const req of c.requests) {
        const a = await create(req.object, { dryRun: true, ...(req.namespace ? { namespace: req.namespace } : {}) });
        if (a.status !== 201) throw new Error(`${c.name}: the API server refuses the object without any policy: HTTP ${a.status}: ${String(a.body['message'])}`);
        const nsObject = req.namespace ? (await api('GET', `/api/v1/namespaces/${req.namespace}`)).body : undefined;
        admitted.push({ object: a.body, ns: req.namespace, nsObject });
      }
      await install(docs);
      try {
        for (const [i, req] of c.requests.entries()) {
          const { object, ns, nsObject } = admitted[i]!;
          const want = expected(docs, file, object, ns, nsObject);
          const send = async (): Promise<Verdict> => verdictOf(await create(req.object, { dryRun: true, ...(req.namespace ? { namespace: req.namespace } : {}) }));
          // A new paramKind informer may not list its objects yet: while syncgate finds params,
          // wait for the API server to find them too (it says `no params found` until then).
          const unsynced = (v: Verdict): boolean => (v.denied ?? '').includes('no params found') && !want.denials.some((d) => d.includes('no params found'));
          let got = await send();
          if (unsynced(got)) got = await waitFor('the params informer to sync', async () => { const v = await send(); return unsynced(v) ? undefined : v; }, 10_000).catch(() => got);
          compared++;
          const where = `${c.name}: ${String(req.object['kind'])}/${ns ?? ''}/${String(req.object['metadata']['name'])}`;
          if (c.deliberate) {
            // Asserted apart: the API server's own answer and syncgate's, each exactly.
            expect({ where, denied: got.denied }).toEqual({ where, denied: expect.stringMatching(c.deliberate.apiMessage) });
            expect({ where, denials: want.denials.map((d) => d.replace(/^.*denied request: /, '')) }).toEqual({ where, denials: c.deliberate.syncgateMessage ? [c.deliberate.syncgateMessage] : [] });
            if (c.deliberate.why.startsWith('syncgate')) deliberate++;
            else disagreements.push(`${c.name}: ${c.deliberate.why}`);
            continue;
          }
          // The API server reports the first denial only: it must be one syncgate found.
          const wantDenied = want.denials.length > 0;
          expect({ where, denied: got.denied }).toEqual({ where, denied: wantDenied ? expect.any(String) : null });
          if (got.denied !== null) {
            const msg = got.denied.replace(/^\d+ /, '');
            expect({ where, denial: msg }).toEqual({ where, denial: want.denials.includes(msg) ? msg : want.denials });
          }
          expect({ where, warnings: got.warnings }).toEqual({ where, warnings: want.warnings });
          agreed++;
        }
      } finally {
        await uninstall();
      }
    }, 90_000);
  });
});
