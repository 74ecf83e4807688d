#!/usr/bin/env node
// Whole-tree Flux build benchmark: generates a fleet repo under bench/out/flux-tree with
// BENCH_KUSTOMIZATIONS (default 24) Flux Kustomizations in clusters/bench (a third plain
// directories that Flux generates a kustomization for, a third kustomize dirs with spec.patches,
// images and namePrefix, a third with secretGenerator and postBuild substitution; every app
// dependsOn infra), then times `syncgate flux build clusters/bench` (every Kustomization, one
// report, every pack) against the floor a CI script pays without syncgate: one
// `kustomize build --load-restrictor LoadRestrictionsNone` per Kustomization, run one after the
// other. Prints the median of BENCH_RUNS (default 3) runs of each and the ratio. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(root, 'bench', 'out', 'flux-tree');
const N = Number(process.env.BENCH_KUSTOMIZATIONS ?? 24);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const kustomize = join(root, '.tools', 'bin', 'kustomize');

const yaml = (...docs) => docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');

function workload(name, ns) {
  const labels = { app: name };
  const container = {
    name,
    image: `registry.example.com/team/${name}:1.0.0`,
    ports: [{ containerPort: 8080 }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '64Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
  };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [container] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-settings`, namespace: ns }, data: { mode: 'prod', level: 'info' } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: ns },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] },
    },
  ];
}

function kustomization(name, path, spec) {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'fleet' }, path, ...spec },
  };
}

function generate() {
  rmSync(repo, { recursive: true, force: true });
  const clusters = join(repo, 'clusters', 'bench');
  mkdirSync(clusters, { recursive: true });
  mkdirSync(join(repo, 'infra'), { recursive: true });
  writeFileSync(join(repo, 'infra', 'namespaces.yaml'), yaml(...Array.from({ length: N }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${i}` } }))));
  writeFileSync(join(clusters, 'infra.yaml'), yaml(kustomization('infra', './infra', {})));
  const dirs = ['infra'];
  for (let i = 1; i < N; i++) {
    const name = `app-${i}`;
    const ns = `team-${i}`;
    const dir = join(repo, 'apps', name);
    mkdirSync(join(dir, 'manifests'), { recursive: true });
    dirs.push(`apps/${name}`);
    const spec = { dependsOn: [{ name: 'infra' }], targetNamespace: ns };
    if (i % 3 === 0) {
      // A plain directory: Flux generates the kustomization (nested dir included).
      const [dep, svc, cm, np] = workload(name, ns);
      writeFileSync(join(dir, 'deployment.yaml'), yaml(dep));
      writeFileSync(join(dir, 'manifests', 'rest.yaml'), yaml(svc, cm, np));
    } else if (i % 3 === 1) {
      writeFileSync(join(dir, 'manifests', 'all.yaml'), yaml(...workload(name, ns)));
      writeFileSync(join(dir, 'kustomization.yaml'), yaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['manifests/all.yaml'] }));
      Object.assign(spec, {
        namePrefix: 'prod-',
        images: [{ name: `registry.example.com/team/${name}`, newTag: '1.2.3' }],
        patches: [{ patch: '- op: replace\n  path: /spec/replicas\n  value: 3\n', target: { kind: 'Deployment' } }],
        commonMetadata: { labels: { owner: ns } },
      });
    } else {
      const docs = workload(name, ns);
      docs[2].data.region = '${REGION}';
      docs[2].data.tier = '${TIER:=gold}';
      writeFileSync(join(dir, 'manifests', 'all.yaml'), yaml(...docs));
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        yaml({
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: ['manifests/all.yaml'],
          configMapGenerator: [{ name: `${name}-generated`, literals: ['a=1', 'b=2'] }],
        }),
      );
      Object.assign(spec, { postBuild: { substitute: { REGION: 'eu-west-1' } } });
    }
    writeFileSync(join(clusters, `${name}.yaml`), yaml(kustomization(name, `./apps/${name}`, spec)));
  }
  return dirs;
}

// CPU time of waited-for children (and theirs), from /proc: the machine may be shared, and wall
// time then measures the neighbours too.
function childCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
}

function time(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const c0 = childCpuMs();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, cpu: childCpuMs() - c0, r };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dirs = generate();
const cli = join(root, 'dist', 'cli', 'main.js');
const syncgateRuns = [];
const syncgateCpu = [];
let report = '';
for (let i = 0; i < RUNS; i++) {
  const { ms, cpu, r } = time(process.execPath, [cli, '--log-level', 'warn', 'flux', 'build', join(repo, 'clusters', 'bench'), '--repo-root', repo], {
    env: { ...process.env, PATH: `${join(root, '.tools', 'bin')}:${process.env.PATH}` },
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`syncgate flux build exited ${r.status}`);
  }
  report = r.stderr;
  syncgateRuns.push(ms);
  syncgateCpu.push(cpu);
}

// The floor: kustomize alone, once per Kustomization; the plain directories get, before timing,
// the kustomization Flux would generate for them (kustomize cannot build a directory without one).
for (const d of dirs) {
  const dir = join(repo, d);
  if (d === 'infra' || Number(d.split('-')[1]) % 3 === 0) {
    const files = d === 'infra' ? ['namespaces.yaml'] : ['deployment.yaml', 'manifests/rest.yaml'];
    writeFileSync(join(dir, 'kustomization.yaml'), yaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files }));
  }
}
const floorRuns = [];
const floorCpu = [];
for (let i = 0; i < RUNS; i++) {
  let wall = 0;
  let cpu = 0;
  for (const d of dirs) {
    const t = time(kustomize, ['build', '--load-restrictor', 'LoadRestrictionsNone', join(repo, d)]);
    if (t.r.status !== 0) throw new Error(`kustomize build ${d}: ${t.r.stderr}`);
    wall += t.ms;
    cpu += t.cpu;
  }
  floorRuns.push(wall);
  floorCpu.push(cpu);
}

const s = median(syncgateRuns);
const k = median(floorRuns);
const sc = median(syncgateCpu);
const kc = median(floorCpu);
const list = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(report.split('\n')[0]);
console.log(`Kustomizations: ${N}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log(`syncgate flux build (tree, every pack, CLI start-up included): wall median ${s.toFixed(0)} ms (${list(syncgateRuns)}), CPU median ${sc.toFixed(0)} ms (${list(syncgateCpu)}), ${(s / N).toFixed(0)} ms wall per Kustomization`);
console.log(`kustomize build x${N} (floor):                                wall median ${k.toFixed(0)} ms (${list(floorRuns)}), CPU median ${kc.toFixed(0)} ms (${list(floorCpu)})`);
console.log(`ratio syncgate / kustomize floor: wall ${(s / k).toFixed(2)}, CPU ${(sc / kc).toFixed(2)}`);
