// Pod Security Standards side by side: namespaces labelled enforce/warn = baseline and restricted
// on the real API server (its PodSecurity admission at v1.37 "latest"), and `syncgate scan` with
// only that level's pack. Every object of the table (the fields of test/unit/policy/pss.test.ts,
// each passing and failing, in every container list the API accepts on create and in a Pod and a
// workload) and of the rendered examples is sent with server-side dry-run; a Pod the API server
// refuses, or a workload it warns about, must be exactly the objects syncgate refuses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { cluster, create, namespace, type Json } from './kube.js';

const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');
type Level = 'baseline' | 'restricted';
const LEVELS: Level[] = ['baseline', 'restricted'];
const nsOf = (level: Level): string => `pss-${level}`;

const sc = (s: Json): Json => ({ securityContext: s });

/** Container-level fields: a passing and a failing value each (from test/unit/policy/pss.test.ts). */
const CONTAINER_CASES: [string, Json, Json][] = [
  // API validation refuses privileged with allowPrivilegeEscalation false.
  ['privileged', sc({ privileged: false }), sc({ privileged: true, allowPrivilegeEscalation: true })],
  ['capabilities.add', sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }), sc({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } })],
  ['capabilities.add SYS_ADMIN', sc({ capabilities: { drop: ['ALL'] } }), sc({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } })],
  ['ports.hostPort', { ports: [{ containerPort: 80, hostPort: 0 }] }, { ports: [{ containerPort: 80, hostPort: 8080 }] }],
  ['appArmorProfile.type', sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }), sc({ appArmorProfile: { type: 'Unconfined' } })],
  ['seLinuxOptions.type', sc({ seLinuxOptions: { type: 'container_init_t' } }), sc({ seLinuxOptions: { type: 'spc_t' } })],
  ['seLinuxOptions.user', sc({ seLinuxOptions: { level: 's0:c1' } }), sc({ seLinuxOptions: { user: 'system_u' } })],
  ['seLinuxOptions.role', sc({ seLinuxOptions: { type: 'container_engine_t' } }), sc({ seLinuxOptions: { role: 'sysadm_r' } })],
  ['seccompProfile.type', sc({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }), sc({ seccompProfile: { type: 'Unconfined' } })],
  ['livenessProbe.httpGet.host', { livenessProbe: { httpGet: { port: 80, host: '' } } }, { livenessProbe: { httpGet: { port: 80, host: '10.0.0.1' } } }],
  ['readinessProbe.tcpSocket.host', { readinessProbe: { tcpSocket: { port: 80 } } }, { readinessProbe: { tcpSocket: { port: 80, host: 'metadata' } } }],
  ['startupProbe.httpGet.host', { startupProbe: { httpGet: { port: 80 } } }, { startupProbe: { httpGet: { port: 80, host: 'x' } } }],
  ['lifecycle.preStop.httpGet.host', { lifecycle: { preStop: { httpGet: { port: 80 } } } }, { lifecycle: { preStop: { httpGet: { port: 80, host: '169.254.169.254' } } } }],
  ['lifecycle.postStart.tcpSocket.host', { lifecycle: { postStart: { tcpSocket: { port: 80 } } } }, { lifecycle: { postStart: { tcpSocket: { port: 80, host: 'db' } } } }],
  ['allowPrivilegeEscalation', sc({ allowPrivilegeEscalation: false }), sc({ allowPrivilegeEscalation: true })],
  ['allowPrivilegeEscalation unset', sc({ allowPrivilegeEscalation: false }), sc({ allowPrivilegeEscalation: null })],
  ['runAsNonRoot', sc({ runAsNonRoot: true }), sc({ runAsNonRoot: false })],
  ['runAsUser', sc({ runAsUser: 1000 }), sc({ runAsUser: 0 })],
  ['capabilities.drop', sc({ capabilities: { drop: ['ALL'] } }), sc({ capabilities: { drop: ['NET_RAW'] } })],
];

type Mutate = (spec: Json, meta: Json) => void;
const podSC = (spec: Json): Json => spec['securityContext'] as Json;

/** Pod-level fields (from test/unit/policy/pss.test.ts). */
const POD_CASES: [string, Mutate, Mutate][] = [
  ...['hostNetwork', 'hostPID', 'hostIPC'].map((f): [string, Mutate, Mutate] => [f, (s) => void (s[f] = false), (s) => void (s[f] = true)]),
  ['volumes.hostPath', (s) => void (s['volumes'] = [{ name: 'v', emptyDir: {} }]), (s) => void (s['volumes'] = [{ name: 'v', hostPath: { path: '/etc' } }])],
  ['volumes.nfs', (s) => void (s['volumes'] = [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }]), (s) => void (s['volumes'] = [{ name: 'v', nfs: { server: 'n', path: '/' } }])],
  ['volumes.gitRepo', (s) => void (s['volumes'] = [{ name: 'v', image: { reference: 'r/x:1' } }]), (s) => void (s['volumes'] = [{ name: 'v', gitRepo: { repository: 'x' } }])],
  ['sysctls', (s) => void (podSC(s)['sysctls'] = [{ name: 'net.ipv4.tcp_notsent_lowat', value: '1' }]), (s) => void (podSC(s)['sysctls'] = [{ name: 'kernel.msgmax', value: '1' }])],
  ['pod appArmorProfile', (s) => void (podSC(s)['appArmorProfile'] = { type: 'RuntimeDefault' }), (s) => void (podSC(s)['appArmorProfile'] = { type: 'Unconfined' })],
  ['apparmor annotation', (_s, m) => void (m['annotations'] = { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/prof' }), (_s, m) => void (m['annotations'] = { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' })],
  ['pod seLinuxOptions', (s) => void (podSC(s)['seLinuxOptions'] = { type: 'container_t' }), (s) => void (podSC(s)['seLinuxOptions'] = { type: 'unconfined_t' })],
  ['pod seccompProfile', (s) => void (podSC(s)['seccompProfile'] = { type: 'RuntimeDefault' }), (s) => void (podSC(s)['seccompProfile'] = { type: 'Unconfined' })],
  ['pod runAsNonRoot', (s) => void (podSC(s)['runAsNonRoot'] = true), (s) => void (podSC(s)['runAsNonRoot'] = false)],
  ['pod runAsUser', (s) => void (podSC(s)['runAsUser'] = 10001), (s) => void (podSC(s)['runAsUser'] = 0)],
  ['runAsNonRoot and seccomp unset everywhere', () => undefined, (s) => void (s['securityContext'] = {})],
];

function baseContainer(extra: Json = {}): Json {
  const { securityContext, ...rest } = extra as { securityContext?: Json };
  return { name: 'c', image: 'registry.example.com/app:1.0', ...rest, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...securityContext } };
}

/** A pod spec with `container` in `list` (an init container beside a plain main container). */
function basePod(list: 'containers' | 'initContainers', container: Json): { spec: Json; meta: Json } {
  const spec: Json = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [] };
  if (list === 'containers') spec['containers'] = [container];
  else {
    // Probes and lifecycle hooks are valid only on restartable init containers (sidecars).
    const sidecar = ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'].some((k) => k in container);
    spec['initContainers'] = [sidecar ? { ...container, restartPolicy: 'Always' } : container];
    spec['containers'] = [baseContainer({ name: 'main' })];
  }
  return { spec, meta: { labels: { app: 'w' } } };
}

/** A Pod or a Deployment around the pod spec. */
function workload(kind: 'Pod' | 'Deployment', name: string, meta: Json, spec: Json, ns: string): Json {
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace: ns, ...meta }, spec };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: meta, spec } },
  };
}

interface Row {
  name: string;
  object: Json;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 50);
}

/** The whole table for one namespace. */
function table(ns: string): Row[] {
  const rows: Row[] = [];
  let n = 0;
  for (const kind of ['Pod', 'Deployment'] as const) {
    for (const [name, pass, fail] of CONTAINER_CASES) {
      for (const list of ['containers', 'initContainers'] as const) {
        for (const [which, patch] of [['pass', pass], ['fail', fail]] as const) {
          const p = basePod(list, baseContainer(patch));
          rows.push({ name: `${kind} ${list} ${name} ${which}`, object: workload(kind, `t${++n}-${slug(name)}-${which}`, p.meta, p.spec, ns) });
        }
      }
    }
    for (const [name, pass, fail] of POD_CASES) {
      for (const [which, mutate] of [['pass', pass], ['fail', fail]] as const) {
        const p = basePod('containers', baseContainer());
        mutate(p.spec, p.meta);
        rows.push({ name: `${kind} ${name} ${which}`, object: workload(kind, `t${++n}-${slug(name)}-${which}`, p.meta, p.spec, ns) });
      }
    }
  }
  return rows;
}

/** Everything `syncgate render` emits for the bundled examples (scripts/examples.sh's list). */
function renderedExamples(ns: string): Row[] {
  const apps: [string, string[]][] = [
    ['plain-app', ['examples/plain-app', '--app', 'demo', '--namespace', ns, '--repo-root', 'examples/plain-app']],
    ['helm-app', ['examples/helm-app', '--app', 'demo', '--namespace', ns, '--repo-root', 'examples/helm-app']],
    ['kustomize-app', ['examples/kustomize-app/overlays/prod', '--app', 'demo', '--namespace', ns, '--repo-root', 'examples/kustomize-app']],
  ];
  const rows: Row[] = [];
  for (const [app, args] of apps) {
    const out = execFileSync(process.execPath, [CLI, 'render', ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${join(process.cwd(), '.tools', 'bin')}:${process.env['PATH'] ?? ''}` } });
    for (const o of loadAll(out) as (Json | null)[]) {
      if (!o || !['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet'].includes(String(o['kind']))) continue;
      o['metadata'] = { ...o['metadata'], namespace: ns };
      rows.push({ name: `example ${app} ${String(o['kind'])}/${String(o['metadata']['name'])}`, object: o });
    }
  }
  return rows;
}

/** `syncgate scan --format json` with only the level's pack: the `Kind/ns/name`s it refuses. */
function syncgateRefuses(level: Level, rows: Row[], dir: string): Set<string> {
  const cfg = join(dir, `config-${level}.yaml`);
  writeFileSync(cfg, `apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  policies:\n    packs: [pss-${level}]\n    enforce: {severityAtLeast: low}\n`);
  const file = join(dir, `objects-${level}.yaml`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r.object)).join('\n---\n'));
  let out: string;
  try {
    out = execFileSync(process.execPath, [CLI, '--config', cfg, 'scan', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    // Exit 1: refused; the report is still on stdout.
    const err = e as { status?: number; stdout?: string; stderr?: string };
    if (err.status !== 1 || !err.stdout) throw new Error(`syncgate scan failed (exit ${err.status}): ${err.stderr ?? ''}`);
    out = err.stdout;
  }
  const report = JSON.parse(out) as { scanned: number; findings: { policy: string; object: string; mode: string }[] };
  if (report.scanned !== rows.length) throw new Error(`syncgate scan read ${report.scanned} objects, expected ${rows.length}`);
  return new Set(report.findings.filter((f) => f.policy.startsWith('pss-') && f.mode === 'enforce').map((f) => f.object));
}

let dir: string;
describe('PodSecurity side by side', () => {
  beforeAll(async () => {
    cluster();
    dir = mkdtempSync(join(tmpdir(), 'syncgate-cluster-pss-'));
    for (const level of LEVELS) {
      const l = `pod-security.kubernetes.io`;
      await namespace(nsOf(level), { [`${l}/enforce`]: level, [`${l}/enforce-version`]: 'latest', [`${l}/warn`]: level, [`${l}/warn-version`]: 'latest' });
    }
    await namespace('pss-none');
  }, 150_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe.each(LEVELS)('PodSecurity %s: the API server and syncgate scan refuse the same objects', (level) => {
    test('the PSS table and the rendered examples', async () => {
      const ns = nsOf(level);
      const rows = [...table(ns), ...renderedExamples(ns)];
      // Objects that API validation refuses before PodSecurity looks (none expected): listed, not judged.
      const invalid: string[] = [];
      const apiRefuses = new Set<string>();
      const judged: Row[] = [];
      for (const r of rows) {
        const plain = await create({ ...r.object, metadata: { ...r.object['metadata'], namespace: 'pss-none' } }, { dryRun: true });
        if (plain.status !== 201) {
          invalid.push(`${r.name}: ${String(plain.body['message'])}`);
          continue;
        }
        judged.push(r);
        const a = await create(r.object, { dryRun: true });
        const id = `${String(r.object['kind'])}/${ns}/${String(r.object['metadata']['name'])}`;
        if (r.object['kind'] === 'Pod') {
          if (a.status === 403 && String(a.body['message']).includes('violates PodSecurity')) apiRefuses.add(id);
          else if (a.status !== 201) throw new Error(`${r.name}: unexpected answer HTTP ${a.status}: ${String(a.body['message'])}`);
        } else {
          expect(a.status).toBe(201);
          if (a.warnings.some((w) => w.includes(`would violate PodSecurity "${level}:latest"`))) apiRefuses.add(id);
        }
      }
      const ours = syncgateRefuses(level, judged, dir);
      const disagree = judged
        .map((r) => ({ name: r.name, id: `${String(r.object['kind'])}/${ns}/${String(r.object['metadata']['name'])}` }))
        .filter((r) => apiRefuses.has(r.id) !== ours.has(r.id))
        .map((r) => `${r.name}: API server ${apiRefuses.has(r.id) ? 'refuses' : 'admits'}, syncgate ${ours.has(r.id) ? 'refuses' : 'admits'}`);
      console.log(`PodSecurity ${level}: ${judged.length} objects judged (${apiRefuses.size} refused by the API server), ${disagree.length} disagreements; not sendable: ${invalid.length ? invalid.join('; ') : 'none'}`);
      expect(disagree).toEqual([]);
      expect(invalid).toEqual([]);
      // Both verdicts occur: the table cannot pass by admitting (or refusing) everything.
      expect(apiRefuses.size).toBeGreaterThan(10);
      expect(judged.length - apiRefuses.size).toBeGreaterThan(10);
    }, 600_000);
  });
});
