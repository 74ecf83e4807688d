#!/usr/bin/env node
// Scan benchmark: generates 10,000 mixed Kubernetes resources under bench/out/corpus, scans them
// with every built-in pack in-process on one core (taskset -c 0, dist/ build), then runs Checkov
// (pinned, installed into bench/out/checkov-venv by this script) on the same files, and prints
// resources/s, peak RSS and the ratio. Run `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

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
    for (let j = 0; j < PER_FILE && f * PER_FILE + j < TOTAL; j++) docs.push(stringify(JSON.parse(JSON.stringify(resource(f * PER_FILE + j))), { lineWidth: 0 }));
    // Block-style YAML, several documents per file, as in real repos.
    writeFileSync(join(corpus, `m-${String(f).padStart(4, '0')}.yaml`), docs.map((d) => `---\n${d}`).join(''));
  }
}

async function measure(dir) {
  const { readManifests, scanSync } = await import(join(root, 'dist', 'policy', 'index.js'));
  const { defaultConfig } = await import(join(root, 'dist', 'config', 'index.js'));
  const config = defaultConfig();
  const context = { appName: 'bench', namespace: 'bench', project: 'bench', repoURL: '', sourcePath: '.', revision: '', kubeVersion: '', apiVersions: [] };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const set = await readManifests(dir, { bytes: 1 << 30, resources: 1e6 });
  const t1 = performance.now();
  const parseCpu = process.cpuUsage(c0);
  // Warm-up on a copy-free slice, then the measured scans (best of 3).
  scanSync({ resources: set.resources.slice(0, 500), config, context, scope: 'app' });
  let best = Infinity;
  let bestCpu = Infinity;
  let result;
  for (let k = 0; k < 3; k++) {
    const s = performance.now();
    const c = process.cpuUsage();
    result = scanSync({ resources: set.resources, config, context, scope: 'app' });
    best = Math.min(best, performance.now() - s);
    const u = process.cpuUsage(c);
    bestCpu = Math.min(bestCpu, (u.user + u.system) / 1000);
  }
  process.stdout.write(JSON.stringify({
    resources: set.resources.length,
    readParseMs: t1 - t0,
    scanMs: best,
    scanCpuMs: bestCpu,
    e2eCpuMs: (parseCpu.user + parseCpu.system) / 1000 + bestCpu,
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
  // The machine may be shared (load average above the core count): rates are given per CPU
  // second (the throughput of one core) and per wall second.
  const rate = (ms) => Math.round(m.resources / (ms / 1000));
  const e2eMs = m.readParseMs + m.scanMs;
  const scanRate = rate(m.scanCpuMs);
  const e2eRate = rate(m.e2eCpuMs);
  console.log(`syncgate (all packs, pinned to 1 core): scan ${m.scanCpuMs.toFixed(0)} ms CPU / ${m.scanMs.toFixed(0)} ms wall = ${scanRate} resources/CPU-s (${rate(m.scanMs)}/wall-s); read+parse+scan ${m.e2eCpuMs.toFixed(0)} ms CPU / ${e2eMs.toFixed(0)} ms wall = ${e2eRate} resources/CPU-s (${rate(e2eMs)}/wall-s); ${m.findings} findings; peak RSS ${m.maxRssMB.toFixed(0)} MB`);
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  console.log(`machine: ${(await import('node:os')).cpus().length} cores, load average ${load}`);

  const bin = checkovBin();
  // Run through the venv's python so the child's CPU time and peak RSS are measured too (the
  // machine may be shared: CPU seconds are the fairer figure, wall time is printed beside it).
  const wrapper = [
    'import resource, subprocess, sys, time, json',
    't = time.monotonic()',
    'try:',
    '    p = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=float(sys.argv[1]))',
    '    code, out, done = p.returncode, p.stdout, True',
    'except subprocess.TimeoutExpired as e:',
    '    code, out, done = None, b"", False',
    'wall = time.monotonic() - t',
    'r = resource.getrusage(resource.RUSAGE_CHILDREN)',
    'failed = None',
    'try:',
    '    j = json.loads(out)',
    '    failed = sum(x.get("summary", {}).get("failed", 0) for x in (j if isinstance(j, list) else [j]))',
    'except Exception:',
    '    pass',
    'print(json.dumps({"done": done, "code": code, "wall": wall, "cpu": r.ru_utime + r.ru_stime, "maxRssMB": r.ru_maxrss / 1024, "failed": failed}))',
  ].join('\n');
  const cap = Number(process.env.BENCH_CHECKOV_TIMEOUT ?? 900);
  const py = join(out, 'checkov-venv', 'bin', 'python');
  const c = spawnSync(py, ['-c', wrapper, String(cap), bin, '-d', corpus, '--framework', 'kubernetes', '--quiet', '--compact', '-o', 'json', '--skip-download'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (c.status !== 0) throw new Error(`checkov wrapper failed: ${c.stderr}`);
  const k = JSON.parse(c.stdout);
  const checkovMs = k.wall * 1000;
  const cpuMs = k.cpu * 1000;
  const bound = k.done ? '' : ' at least (killed at the cap)';
  console.log(`checkov ${CHECKOV} (--framework kubernetes --skip-download): wall ${checkovMs.toFixed(0)} ms${k.done ? '' : ' (did not finish)'}, CPU ${cpuMs.toFixed(0)} ms = ${Math.round(m.resources / (cpuMs / 1000))} resources/CPU-s; ${k.failed ?? '?'} failed checks; peak RSS ${k.maxRssMB.toFixed(0)} MB`);
  const wallRatio = checkovMs / e2eMs;
  const cpuRatio = cpuMs / (m.e2eCpuMs);
  console.log(`ratio (syncgate read+parse+scan vs checkov): wall ${wallRatio.toFixed(1)}×, CPU ${cpuRatio.toFixed(1)}×${bound}; scan only: CPU ${(cpuMs / m.scanCpuMs).toFixed(1)}×, wall ${(checkovMs / m.scanMs).toFixed(1)}×`);
  console.log(`targets: ≥20000 resources/s per core ${scanRate >= 20000 ? 'MET' : 'MISSED'} (scan), ${e2eRate >= 20000 ? 'MET' : 'MISSED'} (read+parse+scan); ≥50× ${Math.min(wallRatio, cpuRatio) >= 50 ? 'MET' : 'MISSED'} (wall and CPU); RSS <300 MB ${m.maxRssMB < 300 ? 'MET' : 'MISSED'}`);
}
