#!/usr/bin/env node
// Argo CD CMP benchmark (run after `npm run build`): p50/p95 per example app through
//  (a) the warm native sidecar (`syncgate serve`, gRPC over its unix socket, 1 KiB chunks), called
//      the way argocd-repo-server calls a plugin: by argocd-cmp-client (scripts/cluster.sh builds it
//      from Argo CD's own cmpserver/apiclient and util/cmp, Go gRPC like the repo-server; built here
//      when missing), and, for reference, by a grpc-js client in this process,
//  (b) a fresh `syncgate generate` process per request (the stock argocd-cmp-server model),
//  (c) the bare `helm template` / `kustomize build` with the same arguments,
// plus a generated 50-resource plain app (native must be >= 3x faster than (b)) and the
// sidecar's RSS after 100 vs 1,000 requests (within 20%).
// Targets: native adds at most 10 ms p50 over the bare tool (issue 14), judged on (a) with Argo CD's
// client, timed here from writing the request line to reading its answer. The grpc-js client's
// figure is printed beside it: grpc-js costs the caller ~3 ms more per call than Go's gRPC (its
// writes go out one message per event-loop turn), a cost Argo CD never pays.  BENCH_N=<runs>
// (default 160: helm's own run time here spreads over tens of ms, and at 80 rounds five runs put
// helm-app's native - bare p50 anywhere from 7.0 to 12.3 ms while the median of the per-round
// differences stayed at 6.2-9.2 ms (syncgate on Node 20 and on 24); at 40, 9.5 to 14.8 ms).
// The sidecar is measured warm, as it serves in production: BENCH_WARMUP (default 30) requests per
// app before the timed rounds, at its production log level (info), on the image's Node.js and
// NODE_OPTIONS (cmp-harness.mjs syncgateNode: fetched by `scripts/tools.sh image-node`;
// BENCH_NODE=system runs syncgate on this process's node instead). Its own per-stage timings (from
// its `request served` log lines) are printed beside the client-side figures.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { appEnv as env, apps, argoClient, benchRepo, PATH, root, runBare, startSidecar, syncgateNode, tgzOf } from './cmp-harness.mjs';

const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('bench: run `npm run build` first');
  process.exit(2);
}
const { pluginServiceDefinition } = await import(join(root, 'dist', 'cmp', 'service.js'));
const N = Number(process.env.BENCH_N ?? 160);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);

// --- fixtures: the examples plus a generated 50-resource plain app -----------------------------
const { work, repo } = benchRepo();
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.on('uncaughtException', (e) => {
  console.error(e);
  process.exit(1);
});

// --- the native sidecar ------------------------------------------------------------------------
const sidecar = await startSidecar({ cli, work });
const { server, socket, sidecarWork } = sidecar;
const Client = grpc.makeGenericClientConstructor(pluginServiceDefinition(), 'ConfigManagementPluginService');
const client = new Client(`unix://${socket}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 100 * 1024 * 1024 });

// argocd-cmp-client: Argo CD's own plugin client, one request per stdin line, one answer per line.
const argo = argoClient(socket, work);
const generateArgo = async (tgz, rel) => (await argo.call(tgz, rel)).manifests;

function generateNative(tgz, rel) {
  return new Promise((ok, fail) => {
    const call = client.GenerateManifest({ deadline: new Date(Date.now() + 60000) }, (err, res) => (err ? fail(err) : ok(res.manifests.length)));
    call.write({
      metadata: {
        appName: rel.split('/').pop(),
        appRelPath: rel,
        checksum: createHash('sha256').update(tgz).digest('hex'),
        size: tgz.length,
        env: Object.entries(env(rel)).map(([name, value]) => ({ name, value })),
      },
    });
    for (let o = 0; o < tgz.length; o += 1024) call.write({ file: { chunk: tgz.subarray(o, o + 1024) } });
    call.end();
  });
}

function generateProcess(appDir, rel) {
  const r = spawnSync(syncgateNode().path, [cli, 'generate'], { cwd: appDir, env: { PATH, HOME: work, ...env(rel) }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`syncgate generate failed: ${r.stderr}`);
}

const bare = (app, appDir) => runBare(app, appDir, work);

// The three ways run interleaved (one of each per round), so load changes on the machine hit
// them alike and the ratios stay meaningful.
let timedFrom = 0; // where the sidecar's log of the timed rounds starts
let lastRounds = []; // the timed samples of the last timeAll, in round order
async function timeAll(fns) {
  const xs = fns.map(() => []);
  for (let i = 1; i < WARMUP; i++) await fns[0](); // the native server: JIT and caches warm
  for (const fn of fns) await fn(); // warm-up
  timedFrom = sidecar.logs().length;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < fns.length; j++) {
      const t0 = performance.now();
      await fns[j]();
      xs[j].push(performance.now() - t0);
    }
  }
  lastRounds = xs.map((v) => [...v]);
  return xs.map((v) => {
    v.sort((a, b) => a - b);
    const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
    return { p50: q(0.5), p95: q(0.95) };
  });
}

const fmt = (x) => (x === undefined ? '-' : `${x.toFixed(1)}`);
const median = (v) => {
  const xs = v.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return xs.length === 0 ? NaN : xs[Math.floor(xs.length / 2)];
};
// The sidecar's own view of the requests logged since `from`: median per stage.
function serverStages(from) {
  const lines = sidecar.logs()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const served = lines.filter((l) => l.msg === 'request served');
  const st = (k) => median(served.map((l) => l.stages?.[k]));
  const t = (k) => median(served.map((l) => l.timings?.[k])); // gate's stage timings ride on the same line
  return `total ${median(served.map((l) => l.durationMs))} = receive ${st('receive')} + extract ${st('extract')} + gate (prepare ${t('prepare')}, render ${t('render')}, decrypt ${t('decrypt')}, scan ${t('scan')}); the request dir is removed after the reply went out`;
}
const stageRows = [];
const rows = [];
const verdicts = [];
const tgz = await tgzOf(repo);
// BENCH_BIG_ONLY=1: only the big-repo section below.
for (const app of process.env.BENCH_BIG_ONLY ? [] : apps) {
  const appDir = join(repo, app.rel);
  const fns = [() => generateArgo(tgz, app.rel), () => generateNative(tgz, app.rel), async () => generateProcess(appDir, app.rel)];
  if (app.bare) fns.push(async () => bare(app, appDir));
  const [native, js, proc, tool] = await timeAll(fns);
  stageRows.push(`${app.name}: ${serverStages(timedFrom)}`);
  rows.push([app.name, fmt(native.p50), fmt(native.p95), fmt(js.p50), fmt(proc.p50), fmt(proc.p95), fmt(tool?.p50), fmt(tool?.p95), `${(proc.p50 / native.p50).toFixed(1)}x`]);
  if (tool) {
    const overhead = native.p50 - tool.p50;
    const allowed = 10; // issue 14: at most +10 ms p50 over the bare tool
    // Also the median of the per-round differences (same round, same machine state), for reference.
    const paired = median(lastRounds[0].map((x, i) => x - lastRounds[3][i]));
    verdicts.push(
      `${app.name}: native p50 adds ${overhead.toFixed(1)} ms over bare tool (allowed ${allowed.toFixed(1)} ms) -> ${overhead <= allowed ? 'PASS' : 'FAIL'} (median per-round difference ${paired.toFixed(1)} ms; with the grpc-js client +${(js.p50 - tool.p50).toFixed(1)} ms)`,
    );
  }
  if (app.name === 'plain-50') {
    const ratio = proc.p50 / native.p50;
    verdicts.push(`plain-50: native is ${ratio.toFixed(1)}x faster than a process per request (target >= 3x) -> ${ratio >= 3 ? 'PASS' : 'FAIL'}`);
  }
}

// --- a big monorepo: 50 MB, 5,000 files, 1 KiB chunks (issue 14) ---------------------------------
// The app is one privileged Pod among 5,000 other files, so the answer is a refusal. Printed: the
// sidecar's receive (which now extracts as it receives) against GNU tar extracting the same .tgz
// onto the same tmpfs; the extractor alone (dist/cmp/extract.js on the same bytes, in this
// process) against GNU tar; and the sidecar's RSS growth per in-flight request (1 and 4 at once).
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
const bigVerdicts = [];
{
  const big = join(work, 'big');
  mkdirSync(join(big, 'app'), { recursive: true });
  writeFileSync(
    join(big, 'app', 'pod.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-pod\n  namespace: demo\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n',
  );
  const { randomBytes } = await import('node:crypto');
  for (let d = 0; d < 50; d++) {
    mkdirSync(join(big, `svc-${d}`));
    // base64 of random bytes: text that gzip shrinks by ~25%, as source trees do less than YAML
    for (let f = 0; f < 100; f++) writeFileSync(join(big, `svc-${d}`, `f${f}.txt`), randomBytes(7500).toString('base64'));
  }
  const bigTgz = await tgzOf(big);
  const bigFile = join(work, 'big.tgz');
  writeFileSync(bigFile, bigTgz);
  const shm = existsSync('/dev/shm') ? '/dev/shm' : work;
  const gnu = () => {
    const d = mkdtempSync(join(shm, 'syncgate-bench-tar-'));
    const t0 = performance.now();
    const r = spawnSync('tar', ['-xzf', bigFile, '-C', d]);
    const ms = performance.now() - t0;
    rmSync(d, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    return ms;
  };
  const { extractTgz } = await import(join(root, 'dist', 'cmp', 'extract.js'));
  const ours = async () => {
    const d = mkdtempSync(join(shm, 'syncgate-bench-x-'));
    const t0 = performance.now();
    await extractTgz(bigTgz, d, { maxBytes: 1024 ** 3 });
    const ms = performance.now() - t0;
    rmSync(d, { recursive: true, force: true });
    return ms;
  };
  const rounds = Number(process.env.BENCH_BIG_N ?? 5);
  const gnuMs = [];
  const oursMs = [];
  const sidecarMs = [];
  const receiveMs = [];
  for (let i = 0; i < rounds; i++) {
    gnuMs.push(gnu());
    oursMs.push(await ours());
    const from = sidecar.logs().length;
    const t0 = performance.now();
    const answer = await generateNative(bigTgz, 'app').then(
      () => 'manifests',
      (e) => (String(e.details).startsWith('syncgate refused') ? 'refused' : String(e.details)),
    );
    sidecarMs.push(performance.now() - t0);
    // The sidecar removes the 50 MB request dir after its reply: let it finish before the next round.
    for (let w = 0; w < 200 && readdirSync(sidecarWork).length > 0; w++) await new Promise((r) => setTimeout(r, 25));
    if (answer !== 'refused') throw new Error(`big repo: expected a refusal, got ${answer}`);
    const line = sidecar.logs().slice(from).split('\n').find((l) => l.includes('render refused'));
    // receive + extract: the stream's wall time, first message to the repo on disk.
    const stages = line ? JSON.parse(line).stages : undefined;
    receiveMs.push(stages ? stages.receive + stages.extract : NaN);
  }
  const g = median(gnuMs);
  const o = median(oursMs);
  const r = median(receiveMs);
  // RSS growth: peak while 1, then 4, big requests are in flight, over the RSS before.
  const peakDuring = async (n) => {
    const before = rss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, rss())), 10);
    await Promise.all(Array.from({ length: n }, () => generateNative(bigTgz, 'app').catch(() => undefined)));
    clearInterval(timer);
    return (peak - before) / n;
  };
  const one = await peakDuring(1);
  const four = await peakDuring(4);
  console.log(`big repo: ${(bigTgz.length / 1e6).toFixed(1)} MB .tgz, 5,000 files, 50 MB of content, 1 KiB chunks, ${rounds} rounds (median ms)`);
  console.log(`  GNU tar -xzf (tmpfs) ${g.toFixed(0)}; syncgate extractor alone ${o.toFixed(0)}; sidecar receive+extract ${r.toFixed(0)} (client-side whole request ${median(sidecarMs).toFixed(0)})`);
  bigVerdicts.push(`big repo: extraction ${(o / g).toFixed(2)}x GNU tar (target <= 1.5x) -> ${o / g <= 1.5 ? 'PASS' : 'FAIL'}; receive+extract of the 1 KiB-chunk stream ${(r / g).toFixed(2)}x GNU tar`);
  bigVerdicts.push(`big repo: sidecar RSS growth ${one.toFixed(1)} MiB for 1 request, ${four.toFixed(1)} MiB per request with 4 in flight (target <= 32 MiB) -> ${Math.max(one, four) <= 32 ? 'PASS' : 'FAIL'}`);
}

// --- RSS after 100 vs 1,000 requests -------------------------------------------------------------
const burst = async (n) => {
  for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: Math.min(8, n - i) }, () => generateNative(tgz, 'plain-50')));
};
if (!process.env.BENCH_BIG_ONLY) await burst(100);
const rss100 = rss();
if (!process.env.BENCH_BIG_ONLY) await burst(900);
const rss1000 = rss();
const growth = (rss1000 - rss100) / rss100;
if (!process.env.BENCH_BIG_ONLY) verdicts.push(`RSS: ${rss100.toFixed(1)} MiB after 100 requests, ${rss1000.toFixed(1)} MiB after 1,000 (${(growth * 100).toFixed(1)}%, target within 20%) -> ${Math.abs(growth) <= 0.2 ? 'PASS' : 'FAIL'}`);

client.close();
argo.end();
const onTmpfs = sidecarWork.startsWith('/dev/shm');
await sidecar.stop();
rmSync(work, { recursive: true, force: true });

const header = ['app', 'native p50', 'p95', 'grpc-js p50', 'process p50', 'p95', 'bare tool p50', 'p95', 'process/native'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(`CMP benchmark, ${N} interleaved runs per cell (ms) after ${WARMUP} warm-up requests to the sidecar; native = Argo CD's own plugin client (argocd-cmp-client), grpc-js = this process's client; syncgate on node ${syncgateNode().version}${syncgateNode().image ? " (the image's)" : ''}, the bench on ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${cpus().length} CPUs, sidecar work dir ${onTmpfs ? 'tmpfs (/dev/shm)' : 'disk'}, tools ${sidecar.launcher() ? 'started by its launcher' : 'spawned (no syncgate-launcher)'}`);
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log('');
console.log('sidecar-side medians (ms, from its logs, to 0.1 ms; receive is the stream\'s wall time less the extractor\'s):');
for (const r of stageRows) console.log(`  ${r}`);
console.log('');
for (const v of [...verdicts, ...bigVerdicts]) console.log(v);
