#!/usr/bin/env node
// Parse benchmark: the manifest codec on render-output-shaped streams, in-process on one core,
// beside js-yaml's own loadAll (the fast loader a tool would otherwise use, without Kubernetes'
// scalar rules, aliases copies or bounds) and the `yaml` package. Prints MB/s, documents/s and
// the ratio to js-yaml. Run `npm run build` first. BENCH_BEFORE=<dir with a built dist/> adds the
// codec of another build (e.g. the commit before this codec) for a before/after figure.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = Number(process.env.BENCH_DOCS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function container(i) {
  return {
    name: `app-${i % 7}`,
    image: `registry.example.com/team/app:1.${i % 9}.0`,
    args: ['--port', '8080', `--replica=${i}`, '--log-level=info'],
    ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
    env: [{ name: 'MODE', value: 'prod' }, { name: 'FLAG', value: 'yes' }, { name: 'RATIO', value: '0.5' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000 + (i % 50), capabilities: { drop: ['ALL'] } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 5 },
  };
}

function dashboard(i) {
  const panels = [];
  for (let p = 0; p < 12; p++) panels.push({ id: p, type: 'graph', title: `Panel ${p}`, gridPos: { h: 8, w: 12, x: (p % 2) * 12, y: p * 8 }, targets: [{ expr: `sum(rate(http_requests_total{job="app-${i}"}[5m])) by (code)`, refId: 'A' }] });
  return JSON.stringify({ title: `Dashboard ${i}`, uid: `d${i}`, panels, schemaVersion: 39 }, null, 2);
}

// Written as helm writes it (`# Source:` comments, block style, quoted strings where needed).
function stream(yaml) {
  const docs = [];
  for (let i = 0; i < DOCS; i++) {
    const md = { name: `obj-${i}`, namespace: `team-${i % 20}`, labels: { 'app.kubernetes.io/name': `app-${i % 50}`, 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'checksum/config': 'a'.repeat(64) } };
    let o;
    switch (i % 8) {
      case 0: case 1: case 2:
        o = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: md, spec: { replicas: 2, selector: { matchLabels: md.labels }, template: { metadata: { labels: md.labels }, spec: { containers: [container(i), container(i + 1)], volumes: [{ name: 'tmp', emptyDir: {} }] } } } };
        break;
      case 3:
        o = { apiVersion: 'v1', kind: 'Service', metadata: md, spec: { selector: md.labels, ports: [{ port: 80, targetPort: 'http' }] } };
        break;
      case 4:
        // BENCH_NO_JSON=1 leaves out the ConfigMaps that embed dashboard JSON.
        o = { apiVersion: 'v1', kind: 'ConfigMap', metadata: md, data: process.env.BENCH_NO_JSON ? { a: 'b' } : { [`dashboard-${i}.json`]: dashboard(i) } };
        break;
      case 5:
        o = { apiVersion: 'v1', kind: 'ConfigMap', metadata: md, data: { 'app.properties': 'a=1\nb=2\n', enabled: 'true', port: '8080', mode: '0o755' } };
        break;
      case 6:
        o = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: md, rules: [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
        break;
      default:
        o = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: md, spec: { rules: [{ host: `app-${i}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: md.name, port: { number: 80 } } } }] } }] } };
    }
    docs.push(`# Source: chart/templates/t${i % 8}.yaml\n${yaml.stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`);
  }
  return `---\n${docs.join('---\n')}`;
}

async function measure(which) {
  const yaml = await import('yaml');
  const jsyaml = (await import('js-yaml')).default;
  const text = stream(yaml);
  const mb = Buffer.byteLength(text) / 1024 / 1024;
  let parse;
  if (which === 'js-yaml') parse = () => jsyaml.loadAll(text);
  else if (which === 'yaml') parse = () => yaml.parseAllDocuments(text).map((d) => d.toJS());
  else {
    const { parseResources } = await import(pathToFileURL(join(which, 'k8s', 'index.js')).href);
    parse = () => parseResources(text, 'helm template');
  }
  const n = parse().length;
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    parse();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const s = times[Math.floor(times.length / 2)];
  process.stdout.write(JSON.stringify({ which, docs: n, mb: +mb.toFixed(2), s, mbps: +(mb / s).toFixed(1), docsps: Math.round(n / s) }) + '\n');
}

function run(which) {
  const args = [fileURLToPath(import.meta.url), '--measure', which];
  const taskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const r = spawnSync(taskset ? 'taskset' : process.execPath, taskset ? ['-c', '0', process.execPath, ...args] : args, { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(`bench ${which} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

if (process.argv[2] === '--measure') {
  await measure(process.argv[3]);
} else {
  const rows = [['syncgate codec', run(join(root, 'dist'))]];
  if (process.env.BENCH_BEFORE) rows.push(['before (BENCH_BEFORE)', run(join(resolve(process.env.BENCH_BEFORE), 'dist'))]);
  rows.push(['js-yaml loadAll', run('js-yaml')], ['yaml parseAllDocuments', run('yaml')]);
  const base = rows.find(([n]) => n === 'js-yaml loadAll')[1];
  console.log(`${DOCS} documents, ${rows[0][1].mb} MB, median of ${ROUNDS} rounds, one core`);
  for (const [name, r] of rows) console.log(`${name.padEnd(24)} ${String(r.mbps).padStart(6)} MB/s ${String(r.docsps).padStart(8)} docs/s  ${(base.s / r.s).toFixed(2)}× js-yaml`);
}
