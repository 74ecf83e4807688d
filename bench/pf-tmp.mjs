// scratch: perf stat on the sidecar over N requests
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { apps, argoClient, benchRepo, runBare, startSidecar, tgzOf, root } from './cmp-harness.mjs';
const cli = process.env.CLI ?? join(root, 'dist', 'cli', 'main.js');
const app = apps.find((a) => a.name === (process.env.APP ?? 'helm-app'));
const N = Number(process.env.N ?? 100);
const { work, repo } = benchRepo();
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const tgz = await tgzOf(repo);
const sc = await startSidecar({ cli, work, ...(process.env.NODEOPTS ? { nodeOptions: process.env.NODEOPTS } : {}) });
const argo = argoClient(sc.socket, work);
for (let i = 0; i < 40; i++) await argo.call(tgz, app.rel);
const ev = process.env.EV ?? 'page-faults,context-switches,task-clock,cpu-migrations';
const perf = spawn('perf', process.env.REC ? ['record', '-i', '-g', '-o', '/tmp/exp/perf.data', '-t', String(sc.server.pid)] : ['stat', '-i', '--per-thread', '-e', ev, '-p', String(sc.server.pid)], { stdio: ['ignore', 'inherit', 'inherit'] });
await new Promise((r) => setTimeout(r, 300));
const ts = [], bs = [];
for (let i = 0; i < N; i++) {
  const t0 = performance.now(); await argo.call(tgz, app.rel); ts.push(performance.now() - t0);
  const t1 = performance.now(); runBare(app, join(repo, app.rel), work); bs.push(performance.now() - t1);
}
perf.kill('SIGINT');
await new Promise((r) => perf.on('exit', r));
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(`N=${N} sidecar p50 ${med(ts).toFixed(2)} bare p50 ${med(bs).toFixed(2)} diff ${(med(ts)-med(bs)).toFixed(2)} paired ${med(ts.map((x,i)=>x-bs[i])).toFixed(2)}`);
argo.end(); await sc.stop(); process.exit(0);
