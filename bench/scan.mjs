#!/usr/bin/env node
// Scan benchmark: generates 10,000 mixed Kubernetes resources under bench/out/corpus, scans them
// with every built-in pack in-process on one core (taskset -c 0, dist/ build), then runs Checkov
// (pinned, installed into bench/out/checkov-venv by this script) on the same files, and prints
// resources/s, peak RSS and the ratio. Run `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const corpus = join(out, 'corpus');
const CHECKOV = '3.3.30';
const TOTAL = Number(process.env.BENCH_RESOURCES ?? 10_000);
const PER_FILE = 10;

if (process.argv[2] === '--measure') await measure(process.argv[3]);
else await main();

function container(i, bad) {
  return {
    name: `app${i % 3}`,
    image: bad ? (i % 2 ? 'nginx' : 'nginx:latest') : `registry.example.com/team/app:${1 + (i % 9)}.0.${i % 17}`,
    ports: [{ containerPort: 8080, ...(bad && i % 5 === 0 ? { hostPort: 8080 } : {}) }],
    env: [{ name: 'MODE', value: 'prod' }, ...(bad && i % 7 === 0 ? [{ name: 'AWS_KEY', value: `AKIA${'Z3MSJV4WZRUTQ7HP'}` }] : [])],
    resources: bad ? {} : { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
    securityContext: bad
      ? { privileged: i % 4 === 0, capabilities: { add: ['NET_ADMIN'] } }
      : { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
  };
}

function podSpec(i) {
  const bad = i % 3 === 0;
  return {
    ...(bad ? { hostNetwork: i % 2 === 0 } : { automountServiceAccountToken: false }),
    securityContext: bad ? {} : { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: i % 4 === 0 ? [container(i + 1, bad)] : [],
    containers: [container(i, bad), container(i + 2, false)],
    volumes: bad && i % 6 === 0 ? [{ name: 'host', hostPath: { path: '/var/run/docker.sock' } }] : [{ name: 'tmp', emptyDir: {} }],
  };
}

function resource(i) {
  const ns = `team-${i % 20}`;
  const md = { name: `obj-${i}`, namespace: ns, labels: { app: `app-${i % 50}` } };
  const tpl = { metadata: { labels: md.labels }, spec: podSpec(i) };
  switch (i % 10) {
    case 0: case 1: case 2:
      return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: md, spec: { replicas: 2, selector: { matchLabels: md.labels }, template: tpl } };
    case 3:
      return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: md, spec: { serviceName: md.name, selector: { matchLabels: md.labels }, template: tpl } };
    case 4:
      return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: md, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { ...tpl, spec: { ...tpl.spec, restartPolicy: 'OnFailure' } } } } } };
    case 5:
      return { apiVersion: 'v1', kind: 'Service', metadata: md, spec: { type: i % 20 === 5 ? 'LoadBalancer' : 'ClusterIP', selector: md.labels, ports: [{ port: 80, targetPort: 8080 }] } };
    case 6:
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: md, data: { 'app.properties': `mode=prod\nlevel=info\nurl=https://api.example.com/${i}`, ...(i % 30 === 6 ? { token: `ghp_${'Q7vX2kLm9PzR4tYw8NcB1sDf6GhJ3aEo5uIq'}` } : {}) } };
    case 7:
      return i % 20 === 7
        ? { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: md.name }, rules: [{ apiGroups: [''], resources: ['secrets', 'pods/exec'], verbs: ['get', 'list', 'create'] }, { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }
        : { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: md, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: i % 40 === 17 ? 'cluster-admin' : 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: ns }] };
    case 8:
      return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: md, spec: { podSelector: { matchLabels: md.labels }, policyTypes: ['Ingress'] } };
    default:
      return i % 20 === 9
        ? { apiVersion: 'v1', kind: 'Pod', metadata: md, spec: podSpec(i) }
        : { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: md, spec: { selector: { matchLabels: md.labels }, template: tpl } };
  }
}

function generate() {
  rmSync(corpus, { recursive: true, force: true });
  mkdirSync(corpus, { recursive: true });
  for (let f = 0; f * PER_FILE < TOTAL; f++) {
    const docs = [];
    for (let j = 0; j < PER_FILE && f * PER_FILE + j < TOTAL; j++) docs.push(JSON.stringify(resource(f * PER_FILE + j)));
    // JSON is valid YAML; one document per `---` as in real repos.
    writeFileSync(join(corpus, `m-${String(f).padStart(4, '0')}.yaml`), docs.map((d) => `---\n${d}\n`).join(''));
  }
}

async function measure(dir) {
  const { readManifests, scanSync } = await import(join(root, 'dist', 'policy', 'index.js'));
  const { defaultConfig } = await import(join(root, 'dist', 'config', 'index.js'));
  const config = defaultConfig();
  const context = { appName: 'bench', namespace: 'bench', project: 'bench', repoURL: '', sourcePath: '.', revision: '', kubeVersion: '', apiVersions: [] };
  const t0 = performance.now();
  const set = await readManifests(dir, { bytes: 1 << 30, resources: 1e6 });
  const t1 = performance.now();
  // Warm-up on a copy-free slice, then the measured scans (best of 3).
  scanSync({ resources: set.resources.slice(0, 500), config, context, scope: 'app' });
  let best = Infinity;
  let result;
  for (let k = 0; k < 3; k++) {
    const s = performance.now();
    result = scanSync({ resources: set.resources, config, context, scope: 'app' });
    best = Math.min(best, performance.now() - s);
  }
  process.stdout.write(JSON.stringify({
    resources: set.resources.length,
    readParseMs: t1 - t0,
    scanMs: best,
    findings: result.findings.length,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }));
}

function checkovBin() {
  const venv = join(out, 'checkov-venv');
  const bin = join(venv, 'bin', 'checkov');
  if (!existsSync(bin)) {
    console.log(`installing checkov==${CHECKOV} into ${venv} …`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(join(venv, 'bin', 'pip'), ['install', '-q', `checkov==${CHECKOV}`], { stdio: 'inherit' });
  }
  return bin;
}

async function main() {
  generate();
  console.log(`corpus: ${TOTAL} resources in ${Math.ceil(TOTAL / PER_FILE)} files under ${corpus}`);
  const r = spawnSync('taskset', ['-c', '0', process.execPath, fileURLToPath(import.meta.url), '--measure', corpus], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`measure failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout);
  const scanRate = m.resources / (m.scanMs / 1000);
  const e2eMs = m.readParseMs + m.scanMs;
  const e2eRate = m.resources / (e2eMs / 1000);
  console.log(`syncgate (all packs, 1 core): scan ${m.scanMs.toFixed(0)} ms = ${Math.round(scanRate)} resources/s; read+parse+scan ${e2eMs.toFixed(0)} ms = ${Math.round(e2eRate)} resources/s; ${m.findings} findings; peak RSS ${m.maxRssMB.toFixed(0)} MB`);

  const bin = checkovBin();
  const c0 = performance.now();
  const c = spawnSync(bin, ['-d', corpus, '--framework', 'kubernetes', '--quiet', '--compact', '-o', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000 });
  const checkovMs = performance.now() - c0;
  if (c.error) throw c.error;
  let failed = '?';
  try {
    const j = JSON.parse(c.stdout);
    failed = (Array.isArray(j) ? j : [j]).reduce((n, x) => n + (x.summary?.failed ?? 0), 0);
  } catch { /* non-JSON output: keep '?' */ }
  console.log(`checkov ${CHECKOV} (--framework kubernetes): ${checkovMs.toFixed(0)} ms = ${Math.round(m.resources / (checkovMs / 1000))} resources/s; ${failed} failed checks; exit ${c.status}`);
  console.log(`ratio: syncgate end-to-end is ${(checkovMs / e2eMs).toFixed(1)}× faster than checkov (scan only: ${(checkovMs / m.scanMs).toFixed(1)}×)`);
  console.log(`targets: ≥20000 resources/s ${scanRate >= 20000 ? 'MET' : 'MISSED'} (scan), ${e2eRate >= 20000 ? 'MET' : 'MISSED'} (end-to-end); ≥50× ${checkovMs / e2eMs >= 50 ? 'MET' : 'MISSED'}; RSS <300 MB ${m.maxRssMB < 300 ? 'MET' : 'MISSED'}`);
}
