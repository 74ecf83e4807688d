#!/usr/bin/env node
// Admission webhook latency under a steady load: the built `syncgate webhook` (every built-in
// pack) and, as the floor, a no-op HTTPS webhook (its own Node process) that parses the review
// and allows it. Each is driven by wrk (Debian package `wrk`: a C load generator in its own
// process, so the generator's event loop and GC do not land in the measured tail) over loopback
// HTTPS with a realistic Deployment AdmissionReview. The rate is held by a Lua think time per
// connection, exponentially distributed (Poisson arrivals, no lock-step bursts), with the mean
// chosen so that CONNECTIONS connections together send RATE requests/s. Prints p50/p90/p99/p99.9,
// errors, the achieved rate, syncgate's RSS at start/middle/end and the ratio to the floor.
//
//   apt-get install wrk                                  # once; the bench starts it itself
//   npm run build && node bench/webhook.mjs              # 200 req/s for 60 s each
//   BENCH_RATE=200 BENCH_SECONDS=10 node bench/webhook.mjs
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageNodeOptions } from './node-options.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'syncgate-bench-webhook-'));

function openssl(...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=bench-ca');
writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=localhost');
openssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '7', '-days', '1', '-out', 'tls.crt', '-extfile', 'ext.cnf');
const ca = readFileSync(join(dir, 'ca.crt'));
const cert = readFileSync(join(dir, 'tls.crt'));
const key = readFileSync(join(dir, 'tls.key'));

const packs = ['pss-baseline', 'pss-restricted', 'rbac', 'secrets', 'supply-chain', 'network', 'hygiene'];
writeFileSync(
  join(dir, 'config.yaml'),
  `apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  policies:\n    packs: [${packs.join(', ')}]\n`,
);

const deployment = JSON.parse(readFileSync(join(root, 'test/fixtures/flux/webhook/deployment-compliant.json'), 'utf8'));
const body = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    requestKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    requestResource: { group: 'apps', version: 'v1', resource: 'deployments' },
    name: 'web',
    namespace: 'team-a',
    operation: 'UPDATE',
    userInfo: { username: 'system:serviceaccount:flux-system:kustomize-controller', groups: ['system:serviceaccounts'] },
    object: deployment,
    oldObject: deployment,
    dryRun: true,
    options: { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kustomize-controller' },
  },
});

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : NaN;
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    })
      .on('error', reject)
      .end();
  });
}

function post(port) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// wrk's Lua hooks: the body, a think time per connection, and a machine-readable summary.
const script = join(dir, 'review.lua');
writeFileSync(join(dir, 'review.json'), body);
writeFileSync(
  script,
  `local f = assert(io.open(${JSON.stringify(join(dir, 'review.json'))}, "rb"))
local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body; wrk.headers["Content-Type"] = "application/json"
local mean = tonumber(os.getenv("WRK_THINK_MS"))
function init(args) math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6) + math.random(1, 1e6)) end
function delay() return math.floor(-math.log(1 - math.random()) * mean + 0.5) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
`,
);

function wrk(port, seconds) {
  // Each connection waits one think time after each response; the mean is the per-connection
  // period minus ~2 ms (service time plus wrk's millisecond timer slack), so the connections
  // together land on RATE.
  const think = Math.max((CONNECTIONS * 1000) / RATE - 2, 0);
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', ['-t', '1', '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '10s', '-s', script, `https://127.0.0.1:${port}/validate`], {
      env: { ...process.env, WRK_THINK_MS: String(think) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (out += b));
    p.once('error', (e) => reject(e.code === 'ENOENT' ? new Error('wrk not found: install the Debian package (apt-get install wrk)') : e));
    p.once('exit', (code) => {
      const line = /^RESULT (.*)$/m.exec(out);
      if (code !== 0 || !line) return reject(new Error(`wrk exited ${code}: ${out}`));
      resolve(Object.fromEntries(line[1].split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)])));
    });
  });
}

async function drive(port, label, onHalf, seconds = SECONDS) {
  const half = setTimeout(onHalf, (seconds * 1000) / 2);
  const r = await wrk(port, seconds);
  clearTimeout(half);
  // wrk counts a non-2xx/3xx answer under errors.status; every other error is a transport one.
  return {
    label,
    requests: r.requests,
    rps: Math.round(r.requests / (r.duration_us / 1e6)),
    p50: r.p50,
    p90: r.p90,
    p99: r.p99,
    p999: r.p999,
    max: r.max,
    errors: r.connect + r.read + r.write,
    timeouts: r.timeout,
    non2xx: r.status,
  };
}

// The floor: a webhook in its own Node process that parses the review and allows it.
const NOOP = `
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
const server = createServer({ cert: readFileSync(process.argv[1]), key: readFileSync(process.argv[2]) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function baseline() {
  const p = spawn(process.execPath, ['--input-type=module', '-e', NOOP, join(dir, 'tls.crt'), join(dir, 'tls.key')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      p.stdout.once('data', (b) => resolve(Number(String(b).trim())));
      p.once('exit', (c) => reject(new Error(`no-op webhook exited ${c}`)));
    });
    if (WARMUP > 0) await drive(port, 'warm-up', () => undefined, Math.min(WARMUP, 5));
    return await drive(port, 'no-op https webhook', () => undefined);
  } finally {
    p.kill('SIGTERM');
  }
}

const child = spawn(
  process.execPath,
  [join(root, 'dist/cli/main.js'), '-c', join(dir, 'config.yaml'), '--log-level', 'info', 'webhook', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--port', '0', '--host', '127.0.0.1'],
  // As the image runs it (deploy/Dockerfile NODE_OPTIONS).
  { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: imageNodeOptions(root) } },
);
let log = '';
try {
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`webhook did not start: ${log}`)), 20_000);
    child.stderr.on('data', (b) => {
      log += b;
      const m = /"port":(\d+),"msg":"webhook listening"/.exec(log);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (c) => reject(new Error(`webhook exited ${c}: ${log}`)));
  });
  const first = await post(port);
  if (first.response?.allowed !== true) throw new Error(`sanity check failed: ${JSON.stringify(first)}`);
  // Warm-up at the same rate (JIT, heap growth to its working size), then measure.
  const rss = { cold: rssMiB(child.pid) };
  if (WARMUP > 0) await drive(port, 'warm-up', () => undefined, WARMUP);
  rss.start = rssMiB(child.pid);
  const sg = await drive(port, 'syncgate webhook (all packs)', () => (rss.middle = rssMiB(child.pid)));
  rss.end = rssMiB(child.pid);
  const metrics = (await get(port, '/metrics')).text;
  const bucket = (le) => Number(new RegExp(`syncgate_request_duration_seconds_bucket\\{le="${le}",rpc="validate"\\} (\\d+)`).exec(metrics)?.[1] ?? NaN);
  const count = Number(/syncgate_request_duration_seconds_count\{rpc="validate"\} (\d+)/.exec(metrics)?.[1] ?? NaN);
  const floor = await baseline();

  console.log(`webhook bench (wrk): ${RATE} req/s for ${SECONDS} s, ${CONNECTIONS} connections with Poisson think time, loopback HTTPS, ${body.length}-byte Deployment AdmissionReview, packs: ${packs.join(',')}`);
  console.log('                               requests  req/s   p50 ms  p90 ms  p99 ms p99.9 ms  max ms  errors timeouts non2xx');
  for (const r of [sg, floor]) {
    console.log(
      `${r.label.padEnd(30)} ${String(r.requests).padStart(8)} ${String(r.rps).padStart(6)} ${String(r.p50).padStart(8)} ${String(r.p90).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.p999).padStart(8)} ${String(r.max).padStart(7)} ${String(r.errors).padStart(7)} ${String(r.timeouts).padStart(8)} ${String(r.non2xx).padStart(6)}`,
    );
  }
  console.log(`syncgate RSS MiB: cold ${rss.cold}, after ${WARMUP} s warm-up (start) ${rss.start}, middle ${rss.middle}, end ${rss.end}`);
  console.log(`load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  console.log(`server-side: ${bucket('0.005')}/${count} reviews under 5 ms, ${bucket('0.01')}/${count} under 10 ms`);
  console.log(`ratio p99 syncgate / no-op: ${(sg.p99 / floor.p99).toFixed(2)}x (p50 ${(sg.p50 / floor.p50).toFixed(2)}x)`);
  // Flat: the second half of the run grows the RSS by no more than 10% (heap at its working size).
  const flat = rss.end <= rss.middle * 1.1 && rss.end <= rss.start * 1.15;
  const rateOk = Math.abs(sg.rps - RATE) <= RATE * 0.05;
  const ok = sg.p99 < 10 && sg.errors === 0 && sg.timeouts === 0 && sg.non2xx === 0 && flat && rateOk;
  console.log(`achieved rate ${sg.rps} req/s (target ${RATE} +-5%): ${rateOk ? 'ok' : 'OFF'}; RSS ${flat ? 'flat' : 'GROWING'}`);
  console.log(`target p99 < 10 ms, no errors, RSS flat: ${ok ? 'met' : 'NOT met'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
