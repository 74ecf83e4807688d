#!/usr/bin/env node
// A/B of two builds of the sidecar against the bare tool, in one run: two `syncgate serve`
// processes (build A and build B, each a dist/ directory), both called by Argo CD's own plugin
// client (argocd-cmp-client), and the bare `helm template` / `kustomize build`, interleaved per
// round (A and B alternate which goes first). The machine's speed drifts by tens of percent over
// minutes here; measured side by side, a change's effect on the overhead over the bare tool shows
// where two separate `bench/cmp.mjs` runs cannot tell it from the drift.
//   node bench/ab.mjs <dist-A> <dist-B> [helm-app|kustomize-app] [rounds]     (default helm-app, 100)
// Both sidecars run on the image's Node.js, as bench/cmp.mjs does (BENCH_NODE=system: this process's).
// AB_ENV_A / AB_ENV_B add env to one sidecar, e.g. the same build with and without its launcher:
//   AB_ENV_A=SYNCGATE_LAUNCHER=off node bench/ab.mjs dist dist
// Build A from another commit with, e.g.:
//   git worktree add /tmp/old <commit> && ln -s "$PWD/node_modules" /tmp/old/ && (cd /tmp/old && npm run build)
// Prints each p50, each minus the bare tool's, the median of the paired per-round differences
// (A - B), the same measured inside the Go client (no pipe to this process), and each sidecar's
// own per-stage medians from its log.
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apps, argoClient, benchRepo, runBare, startSidecar, syncgateNode, tgzOf } from './cmp-harness.mjs';

const [distA, distB, appName = 'helm-app', roundsArg = '100'] = process.argv.slice(2);
const app = apps.find((a) => a.name === appName && a.bare !== undefined);
if (distA === undefined || distB === undefined || app === undefined) {
  console.error('usage: node bench/ab.mjs <dist-A> <dist-B> [helm-app|kustomize-app] [rounds]');
  process.exit(2);
}
const clis = [distA, distB].map((d) => join(resolve(d), 'cli', 'main.js'));
for (const c of clis) {
  if (!existsSync(c)) {
    console.error(`bench/ab: ${c} is missing (build that dist first)`);
    process.exit(2);
  }
}
const rounds = Number(roundsArg);
const WARMUP = 30;

const { work, repo } = benchRepo();
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const appDir = join(repo, app.rel);
const tgz = await tgzOf(repo);
const sides = [];
for (const [i, cli] of clis.entries()) {
  const extra = process.env[i === 0 ? 'AB_ENV_A' : 'AB_ENV_B'] ?? '';
  const env = Object.fromEntries(extra.split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const sidecar = await startSidecar({ cli, work, tag: i === 0 ? 'a' : 'b', env });
  sides.push({ sidecar, client: argoClient(sidecar.socket, work), wall: [], inGo: [] });
}
for (let i = 0; i < WARMUP; i++) for (const s of sides) await s.client.call(tgz, app.rel);

const bare = [];
for (let r = 0; r < rounds; r++) {
  for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
    const t0 = performance.now();
    const a = await s.client.call(tgz, app.rel);
    s.wall.push(performance.now() - t0);
    s.inGo.push(a.ms);
  }
  const t0 = performance.now();
  runBare(app, appDir, work);
  bare.push(performance.now() - t0);
}

const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const f = (x) => x.toFixed(2);
const [A, B] = sides;
const b = median(bare);
console.log(`${app.name}, ${rounds} rounds after ${WARMUP} warm-up requests each, sidecars on node ${syncgateNode().version}; bare tool p50 ${f(b)} ms`);
for (const [name, s] of [['A', A], ['B', B]]) {
  console.log(`  ${name}: p50 ${f(median(s.wall))} ms, +${f(median(s.wall) - b)} over the bare tool (inside the Go client +${f(median(s.inGo) - b)}); tools ${s.sidecar.launcher() ? 'launched' : 'spawned'}`);
}
console.log(`  paired per-round difference A - B: median ${f(median(A.wall.map((x, i) => x - B.wall[i])))} ms`);
for (const [name, s] of [['A', A], ['B', B]]) {
  const served = s.sidecar
    .logs()
    .split('\n')
    .filter((l) => l.includes('"request served"'))
    .map((l) => JSON.parse(l))
    .slice(-rounds);
  const st = (g) => median(served.map(g));
  console.log(
    `  ${name} sidecar medians: total ${st((l) => l.durationMs)} = receive ${st((l) => l.stages.receive)} + extract ${st((l) => l.stages.extract)} + prepare ${st((l) => l.timings.prepare)} + render ${st((l) => l.timings.render)} + scan ${st((l) => l.timings.scan)}`,
  );
}
for (const s of sides) {
  s.client.end();
  await s.sidecar.stop();
}
process.exit(0);
