#!/usr/bin/env node
// Parse benchmark: the YAML syncgate reads from `helm template` (a chart whose ConfigMaps embed
// Grafana dashboard JSON, as kube-prometheus-stack and grafana ship them, plus ordinary
// workloads) parsed by syncgate's loader (dist/k8s parseDocuments, what the gate runs on helm
// output) and, side by side in the same run, by js-yaml's loadAll (the fastest JS loader) and the
// `yaml` package's parseAllDocuments (a document model), with JSON.parse of the same objects as
// the floor. Prints the median of each and the ratios. Run `npm run build` first.
//   node bench/parse.mjs [configmaps=40] [dashboardKiB=120] [rounds=9]
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import { parseAllDocuments, stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const k8s = join(root, 'dist', 'k8s', 'index.js');
if (!existsSync(k8s)) {
  console.error('bench/parse: run `npm run build` first');
  process.exit(2);
}
const { parseDocuments } = await import(k8s);
const [cms = 40, kib = 120, rounds = 9] = process.argv.slice(2).map(Number);

function dashboard(i, bytes) {
  const panels = [];
  for (let p = 0; JSON.stringify(panels).length < bytes; p++) {
    panels.push({
      id: p, type: 'timeseries', title: `panel ${i}.${p}`, gridPos: { h: 8, w: 12, x: (p % 2) * 12, y: p * 8 },
      targets: [{ expr: `sum(rate(http_requests_total{job="app-${i}",code=~"5.."}[5m])) by (instance)`, legendFormat: '{{instance}}', refId: 'A' }],
      fieldConfig: { defaults: { unit: 'reqps', thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 80 }] } }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'single' } },
    });
  }
  return JSON.stringify({ title: `dashboard ${i}`, uid: `d${i}`, schemaVersion: 39, panels }, null, 2);
}

const objects = [];
for (let i = 0; i < cms; i++) {
  objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `dashboard-${i}`, namespace: 'monitoring', labels: { grafana_dashboard: '1' } }, data: { [`dashboard-${i}.json`]: dashboard(i, kib * 1024) } });
  objects.push({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `app-${i}`, namespace: 'monitoring', labels: { app: `app-${i}` } },
    spec: { replicas: 2, selector: { matchLabels: { app: `app-${i}` } }, template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } } }] } } },
  });
}
// helm prints each document after `---` and a `# Source:` comment; block scalars keep the JSON's lines.
const text = objects.map((o, i) => `---\n# Source: chart/templates/${o.kind.toLowerCase()}-${i}.yaml\n${stringify(o, { lineWidth: 0 })}`).join('');
const json = objects.map((o) => JSON.stringify(o));

const cases = {
  'syncgate parseDocuments': () => parseDocuments(text, 'helm template'),
  'js-yaml loadAll': () => jsyaml.loadAll(text),
  'yaml parseAllDocuments': () => parseAllDocuments(text).map((d) => d.toJS()),
  'JSON.parse (floor)': () => json.map((s) => JSON.parse(s)),
};
const check = cases['syncgate parseDocuments']();
if (check.length !== objects.length || check[0].data[`dashboard-0.json`] !== objects[0].data['dashboard-0.json']) throw new Error('syncgate parsed something else');

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    const t = process.hrtime.bigint();
    fn();
    times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (Buffer.byteLength(text) / 1024 / 1024).toFixed(1);
console.log(`node ${process.version}: ${objects.length} documents (${cms} ConfigMaps with ~${kib} KiB of dashboard JSON each), ${mb} MiB of YAML, ${rounds} rounds`);
const js = median(times['js-yaml loadAll']);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${name.padEnd(26)} ${m.toFixed(1).padStart(8)} ms  ${(Buffer.byteLength(text) / 1024 / 1024 / (m / 1000)).toFixed(0).padStart(5)} MiB/s  ${(m / js).toFixed(2).padStart(6)}x js-yaml`);
}
