#!/usr/bin/env node
// Hostile-input bench (issue 12; run after `npm run build`, opt-in, not part of CI): the built
// sidecar on a tmpfs work dir with the shipped limits (deploy/argocd/sidecar/gateconfig.yaml),
// driven the way the repo-server drives it, while a separate process polls /healthz back to back.
// For each worst case it prints the code, the slowest /healthz answer (the event-loop stall
// bound) and the sidecar's peak RSS; then a soak of BENCH_SOAK (default 1,500) mixed requests,
// 8 at a time, printing RSS and open fds every 250 requests and what is left behind at the end.
// BENCH_PROF=1 writes a CPU profile of the sidecar to the current directory.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, lstatSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { imageNodeOptions } from './node-options.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('bench: run `npm run build` first');
  process.exit(2);
}
const { pluginServiceDefinition } = await import(join(root, 'dist', 'cmp', 'service.js'));
const SOAK = Number(process.env.BENCH_SOAK ?? 1500);
const PATH = `${join(root, '.tools', 'bin')}:${process.env.PATH ?? ''}`;

// --- tar writing (ustar headers, as Go's archive/tar for short names) ----------------------------
function header(name, size, type = '0', mode = 0o644) {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100);
  const oct = (off, len, v) => b.write(v.toString(8).padStart(len - 1, '0') + '\0', off, len, 'ascii');
  oct(100, 8, mode);
  oct(108, 8, 1000);
  oct(116, 8, 1000);
  oct(124, 12, size);
  oct(136, 12, 1_700_000_000);
  b.fill(' ', 148, 156);
  b.write(type, 156, 1);
  b.write('ustar\x0000', 257, 8, 'binary');
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return b;
}
function tgz(entries, level = 6) {
  const parts = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    parts.push(header(e.name, data.length, e.type ?? (e.dir ? '5' : '0'), e.dir ? 0o755 : 0o644));
    if (data.length > 0) parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level });
}
function tgzOfDir(dir) {
  const entries = [];
  const walk = (abs, rel) => {
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      entries.push({ name: rel === '' ? '.' : rel, dir: true });
      for (const n of readdirSync(abs).sort()) walk(join(abs, n), rel === '' ? n : `${rel}/${n}`);
    } else if (st.isFile()) entries.push({ name: rel, data: readFileSync(abs) });
  };
  walk(dir, '');
  return tgz(entries);
}

// --- the sidecar ---------------------------------------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'syncgate-hostile-bench-'));
const sidecarWork = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/syncgate-hostile-bench-') : join(work, 'tmp');
mkdirSync(sidecarWork, { recursive: true });
const pluginsDir = join(work, 'plugins');
mkdirSync(pluginsDir);
const config = join(root, 'deploy', 'argocd', 'sidecar', 'gateconfig.yaml');
const configCopy = join(work, 'gateconfig.yaml');
// The shipped config names a key file the bench does not have: keep its limits, drop its keys.
writeFileSync(configCopy, readFileSync(config, 'utf8').replace(/\n  keys:[\s\S]*?(?=\n  limits:)/, ''));
const args = [cli, 'serve', '--config', configCopy, '--plugins-dir', pluginsDir, '--plugin-config', join(root, 'plugin.yaml'), '--http-port', '0', '--http-host', '127.0.0.1', '--log-level', 'info'];
const nodeArgs = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}`] : [];
const server = spawn(process.execPath, [...nodeArgs, ...args], {
  env: { PATH, HOME: work, SYNCGATE_WORKDIR: sidecarWork, NODE_OPTIONS: imageNodeOptions(root), SYNCGATE_MEMORY_LIMIT: String(1024 ** 3) },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let log = '';
server.stderr.on('data', (b) => (log += b));
const cleanup = () => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  rmSync(sidecarWork, { recursive: true, force: true });
};
process.on('exit', cleanup);
const { socket, httpPort } = await new Promise((ok, fail) => {
  const t = setInterval(() => {
    const m = /"httpPort":(\d+),"socket":"([^"]+)"/.exec(log);
    if (m) {
      clearInterval(t);
      ok({ httpPort: Number(m[1]), socket: m[2] });
    }
  }, 20);
  setTimeout(() => fail(new Error(`sidecar did not start: ${log}`)), 20000);
});
const Client = grpc.makeGenericClientConstructor(pluginServiceDefinition(), 'ConfigManagementPluginService');
const client = new Client(`unix://${socket}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 100 * 1024 * 1024 });

const env = (rel) => ({
  ARGOCD_APP_NAME: 'demo', ARGOCD_APP_NAMESPACE: 'demo', ARGOCD_APP_PROJECT_NAME: 'default',
  ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567', ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/apps.git',
  ARGOCD_APP_SOURCE_PATH: rel, ARGOCD_APP_SOURCE_TARGET_REVISION: 'HEAD', ARGOCD_APP_PARAMETERS: 'null',
});
function generate(gz, rel = '.', chunk = 1024) {
  return new Promise((ok) => {
    const call = client.GenerateManifest({ deadline: new Date(Date.now() + 120000) }, (err, res) =>
      ok(err ? (/^([A-Z][A-Z0-9_]+):/.exec(err.details ?? '')?.[1] ?? (err.details?.startsWith('syncgate refused') ? 'REFUSED' : `grpc ${err.code}`)) : `OK ${res.manifests.length}`),
    );
    call.write({ metadata: { appName: 'demo', appRelPath: rel, checksum: createHash('sha256').update(gz).digest('hex'), size: gz.length, env: Object.entries(env(rel)).map(([name, value]) => ({ name, value })) } });
    let o = 0;
    const pump = () => {
      while (o < gz.length) {
        const ok2 = call.write({ file: { chunk: gz.subarray(o, o + chunk) } });
        o += chunk;
        if (!ok2) return call.once('drain', pump);
      }
      call.end();
    };
    pump();
  });
}

const status = () => readFileSync(`/proc/${server.pid}/status`, 'utf8');
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(status())[1]) / 1024;
const fds = () => readdirSync(`/proc/${server.pid}/fd`).length;
const PROBE = `let worst=0,stop=false;process.on('SIGTERM',()=>{stop=true});(async()=>{process.stdout.write('ready\\n');while(!stop){const t=performance.now();await fetch('http://127.0.0.1:'+process.argv[1]+'/healthz');worst=Math.max(worst,performance.now()-t);await new Promise(r=>setTimeout(r,5))}process.stdout.write('worst '+worst.toFixed(0)+'\\n')})()`;

// The sidecar's own view: prom-client's event-loop lag max, reset at every scrape.
const loopLagMs = async () => {
  // A fresh connection each time: a kept-alive one may be closed by the server under us.
  const get = () => fetch(`http://127.0.0.1:${httpPort}/metrics`, { headers: { connection: 'close' } }).then((r) => r.text());
  const m = await get().catch(get);
  return Number(/^syncgate_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(m)?.[1] ?? NaN) * 1000;
};

async function measure(label, gz, rel, chunk) {
  await loopLagMs();
  const probe = spawn(process.execPath, ['-e', PROBE, String(httpPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  probe.stdout.on('data', (b) => (out += b));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  const base = rssMiB();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 20);
  const t0 = performance.now();
  const code = await generate(gz, rel, chunk);
  const ms = performance.now() - t0;
  clearInterval(sampler);
  probe.kill('SIGTERM');
  await new Promise((r) => probe.once('exit', r));
  const worst = /worst (\d+)/.exec(out)?.[1];
  const lag = await loopLagMs();
  rows.push([label, code, `${ms.toFixed(0)}`, worst, lag.toFixed(0), base.toFixed(0), peak.toFixed(0)]);
}

// --- worst cases ---------------------------------------------------------------------------------
const rows = [];
const files = (n, data = Buffer.alloc(0)) => [{ name: '.', dir: true }, ...Array.from({ length: n }, (_, i) => ({ name: `f${i}`, data }))];
const repo = join(work, 'repo');
cpSync(join(root, 'examples'), repo, { recursive: true });
const examples = tgzOfDir(repo);
await generate(examples, 'plain-app'); // warm
await measure('idle baseline (a plain app)', examples, 'plain-app', 1024);
await measure('200,000 empty files (repoFiles)', tgz(files(200_000)), '.', 64 * 1024);
await measure('200,000 empty files, 1 KiB chunks', tgz(files(200_000)), '.', 1024);
await measure('gzip bomb: one 1 GiB file (fileBytes)', tgz([{ name: '.', dir: true }, { name: 'z.bin', data: Buffer.alloc(300 * 1024 * 1024) }], 9), '.', 64 * 1024);
await measure('gzip bomb: 40 × 8 MiB files (repoBytes)', tgz([{ name: '.', dir: true }, ...Array.from({ length: 40 }, (_, i) => ({ name: `z${i}`, data: Buffer.alloc(8 * 1024 * 1024) }))], 9), '.', 64 * 1024);
await measure('9,000 small files (accepted)', tgz([...files(9_000, Buffer.from('x: 1\n')), { name: 'app', dir: true }, { name: 'app/cm.yaml', data: Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: demo\n') }]), 'app', 64 * 1024);

// --- soak ----------------------------------------------------------------------------------------
const evil = tgz([{ name: '.', dir: true }, { name: '../evil', data: Buffer.from('x') }]);
const bomb = tgz([{ name: '.', dir: true }, ...Array.from({ length: 12 }, (_, i) => ({ name: `z${i}`, data: Buffer.alloc(8 * 1024 * 1024) }))], 9);
const flood = tgz(files(25_000));
const mixed = [
  () => generate(examples, 'helm-app'),
  () => generate(examples, 'kustomize-app/overlays/prod'),
  () => generate(examples, 'plain-app'),
  () => generate(evil),
  () => generate(bomb, '.', 64 * 1024),
  () => generate(flood, '.', 64 * 1024),
  () => generate(Buffer.from('not gzip')),
  () => generate(examples, 'nope'),
];
const soak = [];
const rss0 = rssMiB();
const fd0 = fds();
const codes = new Map();
let done = 0;
const t0 = performance.now();
while (done < SOAK) {
  const batch = Array.from({ length: Math.min(8, SOAK - done) }, (_, i) => mixed[(done + i) % mixed.length]());
  for (const c of await Promise.all(batch)) codes.set(c.replace(/ \d+$/, ''), (codes.get(c.replace(/ \d+$/, '')) ?? 0) + 1);
  done += batch.length;
  if (done % 248 === 0 || done >= SOAK) soak.push(`${String(done).padStart(5)} requests: RSS ${rssMiB().toFixed(1)} MiB, fds ${fds()}`);
}
const soakMs = performance.now() - t0;
let left = [];
for (let i = 0; i < 100; i++) {
  left = readdirSync(sidecarWork);
  if (left.length === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
const kids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
  try {
    return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(server.pid);
  } catch {
    return false;
  }
});
const unexpected = [...codes.keys()].filter((c) => c === 'INTERNAL' || c.startsWith('grpc'));

client.close();
server.kill('SIGTERM');
await new Promise((ok) => server.once('exit', ok));

console.log(`hostile bench: node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${cpus().length} CPUs, work dir ${sidecarWork.startsWith('/dev/shm') ? 'tmpfs' : 'disk'}, limits of deploy/argocd/sidecar/gateconfig.yaml`);
const header2 = ['case', 'code', 'ms', '/healthz worst ms', 'loop lag max ms', 'RSS before MiB', 'RSS peak MiB'];
const w = header2.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
for (const r of [header2, ...rows]) console.log(r.map((c, i) => String(c).padEnd(w[i])).join('  '));
console.log('');
console.log(`soak: ${done} mixed requests (8 in flight) in ${(soakMs / 1000).toFixed(1)} s; RSS ${rss0.toFixed(1)} MiB and ${fd0} fds before`);
for (const s of soak) console.log(`  ${s}`);
console.log(`  codes: ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`);
console.log(`  left behind: ${left.length} request dirs, ${kids.length} child processes; unexpected answers: ${unexpected.length === 0 ? 'none' : unexpected.join(', ')}`);
