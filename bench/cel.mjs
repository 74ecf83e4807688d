#!/usr/bin/env node
// Custom-policy (CEL) benchmark: the same six expressions over the same 10,000 generated
// Deployments, evaluated three ways in one run:
//   1. syncgate raw: compileExpression() from dist/ (@bufbuild/cel + the Kubernetes libraries);
//   2. syncgate VAP: the expressions as ValidatingAdmissionPolicy + Binding, loaded with
//      loadCustomPolicies() and run through Policy.check() (matching, variables, messages);
//   3. google/cel-go v0.26.1 (what the API server runs), built from bench/cel-go with `go build`.
// Prints evaluations/s for each and the ratios. Run `npm run build` first; Go must be installed.
//
//   npm run build && node bench/cel.mjs
//   BENCH_RESOURCES=2000 node bench/cel.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'bench', 'out');
const TOTAL = Number(process.env.BENCH_RESOURCES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const EXPRESSIONS = [
  'object.spec.replicas <= 5',
  'object.spec.template.spec.containers.all(c, has(c.securityContext) && has(c.securityContext.runAsNonRoot) && c.securityContext.runAsNonRoot == true)',
  "object.spec.template.spec.containers.all(c, c.image.contains(':') && !c.image.endsWith(':latest'))",
  "has(object.metadata.labels) && 'team' in object.metadata.labels",
  "object.spec.template.spec.containers.all(c, c.image.matches('^registry\\\\.example\\\\.com/'))",
  'object.spec.template.spec.containers.map(c, c.name).all(n, n.lowerAscii() == n)',
];

function deployment(i) {
  const bad = i % 3 === 0;
  const container = (n) => ({
    name: `app${n}`,
    image: bad && n === 0 ? 'nginx:latest' : `registry.example.com/team/app:${1 + (i % 9)}.0.${i % 17}`,
    ...(bad ? {} : { securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }),
    resources: { requests: { cpu: '100m', memory: '128Mi' } },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `app-${i}`, namespace: `team-${i % 10}`, labels: bad ? { app: `app-${i}` } : { app: `app-${i}`, team: `t${i % 10}` } },
    spec: {
      replicas: 1 + (i % 8),
      selector: { matchLabels: { app: `app-${i}` } },
      template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [container(0), container(1)] } },
    },
  };
}

function vapYaml() {
  return EXPRESSIONS.map(
    (e, i) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: bench-${i}}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
    - expression: ${JSON.stringify(e)}
      messageExpression: "'bench ${i} failed for ' + object.metadata.name"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: bench-${i}}
spec: {policyName: bench-${i}, validationActions: [Deny]}
`,
  ).join('---\n');
}

const cel = await import(join(root, 'dist', 'policy', 'cel', 'index.js'));
const { defaultConfig } = await import(join(root, 'dist', 'config', 'index.js'));
mkdirSync(out, { recursive: true });
const objects = Array.from({ length: TOTAL }, (_, i) => deployment(i));

// 3. cel-go
const input = join(out, 'cel-input.json');
writeFileSync(input, JSON.stringify({ expressions: EXPRESSIONS, objects, rounds: ROUNDS }));
const bin = join(out, 'celgo-bench');
execFileSync('go', ['build', '-o', bin, '.'], { cwd: join(root, 'bench', 'cel-go'), stdio: 'inherit' });
const go = JSON.parse(execFileSync(bin, [input], { env: { ...process.env, GOMAXPROCS: '1' }, encoding: 'utf8' }));

// 1. syncgate raw expressions (fresh copies, so the JSON → CEL conversion is measured too)
const fresh = () => JSON.parse(JSON.stringify(objects));
const programs = EXPRESSIONS.map((e) => cel.compileExpression(e));
let rawFalse = 0;
let rawEvals = 0;
let rawMs = 0;
for (let r = 0; r < ROUNDS; r++) {
  const objs = fresh();
  const t0 = performance.now();
  for (const o of objs) {
    const vars = { object: cel.toCel(o), oldObject: null, request: null, params: null, namespaceObject: null, variables: new Map() };
    for (const p of programs) {
      rawEvals++;
      let ok = false;
      try {
        ok = p.run(vars) === true;
      } catch {
        ok = false;
      }
      if (!ok) rawFalse++;
    }
  }
  rawMs += performance.now() - t0;
}

// 2. syncgate VAP policies through Policy.check
const vapFile = join(out, 'cel-policies.yaml');
writeFileSync(vapFile, vapYaml());
const policies = cel.loadCustomPolicies([vapFile]);
const config = defaultConfig();
let vapViolations = 0;
let vapMs = 0;
for (let r = 0; r < ROUNDS; r++) {
  const resources = fresh().map((object, doc) => ({ object, source: 'bench.yaml', doc }));
  const ctx = {
    context: { appName: 'bench', namespace: 'team-0', project: 'default', repoURL: '', sourcePath: '.', revision: 'HEAD', kubeVersion: '', apiVersions: [] },
    config,
    resources,
    scope: 'app',
  };
  const t0 = performance.now();
  for (const res of resources) for (const p of policies) vapViolations += p.check(res, ctx).length;
  vapMs += performance.now() - t0;
}

if (rawFalse !== go.falses || vapViolations !== go.falses) {
  console.error(`result mismatch: cel-go ${go.falses} false, syncgate raw ${rawFalse}, syncgate VAP ${vapViolations}`);
  process.exit(1);
}
const perSec = (n, ms) => Math.round(n / (ms / 1000));
const goRate = Math.round(go.evals / go.seconds);
const rawRate = perSec(rawEvals, rawMs);
const vapRate = perSec(rawEvals, vapMs);
console.log(`CEL policy benchmark: ${TOTAL} Deployments x ${EXPRESSIONS.length} expressions x ${ROUNDS} rounds = ${go.evals} evaluations (${go.falses} false, same in all three)`);
console.log(`  cel-go v0.26.1 (GOMAXPROCS=1)          ${String(goRate).padStart(9)} evals/s`);
console.log(`  syncgate raw (@bufbuild/cel)           ${String(rawRate).padStart(9)} evals/s   ${(rawRate / goRate).toFixed(2)}x cel-go`);
console.log(`  syncgate VAP policies (Policy.check)   ${String(vapRate).padStart(9)} evals/s   ${(vapRate / goRate).toFixed(2)}x cel-go   ${perSec(TOTAL * ROUNDS, vapMs)} resources/s with ${EXPRESSIONS.length} policies`);
