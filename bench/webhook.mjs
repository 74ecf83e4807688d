#!/usr/bin/env node
// Admission webhook latency under a steady load: the built `syncgate webhook` (every built-in
// pack) and, as the floor, a no-op HTTPS webhook in the same Node that allows everything,
// each driven by autocannon at a fixed rate over loopback HTTPS with a realistic Deployment
// AdmissionReview. Prints p50/p99, errors, syncgate's RSS at start/middle/end and the ratio.
//
//   npm run build && node bench/webhook.mjs            # 200 req/s for 60 s each
//   BENCH_RATE=200 BENCH_SECONDS=10 node bench/webhook.mjs
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

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

async function drive(port, label, onHalf, seconds = SECONDS) {
  const half = setTimeout(onHalf, (seconds * 1000) / 2);
  const result = await autocannon({
    url: `https://127.0.0.1:${port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    overallRate: RATE,
    duration: seconds,
    servername: 'localhost',
    tlsOptions: { ca },
    timeout: 10,
  });
  clearTimeout(half);
  const l = result.latency;
  return {
    label,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: l.p50,
    p90: l.p90,
    p99: l.p99,
    max: l.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

// The floor: a webhook that parses the review and allows it, nothing else.
async function baseline() {
  const server = createServer({ cert, key }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await drive(server.address().port, 'no-op https webhook', () => undefined);
  } finally {
    server.close();
  }
}

const child = spawn(
  process.execPath,
  [join(root, 'dist/cli/main.js'), '-c', join(dir, 'config.yaml'), '--log-level', 'info', 'webhook', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--port', '0', '--host', '127.0.0.1'],
  { stdio: ['ignore', 'ignore', 'pipe'] },
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

  console.log(`webhook bench: ${RATE} req/s for ${SECONDS} s, ${CONNECTIONS} connections, loopback HTTPS, ${body.length}-byte Deployment AdmissionReview, packs: ${packs.join(',')}`);
  console.log('                               requests  req/s   p50 ms  p90 ms  p99 ms  max ms  errors timeouts non2xx');
  for (const r of [sg, floor]) {
    console.log(
      `${r.label.padEnd(30)} ${String(r.requests).padStart(8)} ${String(r.rps).padStart(6)} ${String(r.p50).padStart(8)} ${String(r.p90).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.max).padStart(7)} ${String(r.errors).padStart(7)} ${String(r.timeouts).padStart(8)} ${String(r.non2xx).padStart(6)}`,
    );
  }
  console.log(`syncgate RSS MiB: cold ${rss.cold}, after ${WARMUP} s warm-up (start) ${rss.start}, middle ${rss.middle}, end ${rss.end}`);
  console.log(`load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  console.log(`server-side: ${bucket('0.005')}/${count} reviews under 5 ms, ${bucket('0.01')}/${count} under 10 ms`);
  console.log(`ratio p99 syncgate / no-op: ${(sg.p99 / Math.max(floor.p99, 1)).toFixed(2)}x (p50 ${(sg.p50 / Math.max(floor.p50, 1)).toFixed(2)}x)`);
  const ok = sg.p99 < 10 && sg.errors === 0 && sg.timeouts === 0 && sg.non2xx === 0;
  console.log(`target p99 < 10 ms, no errors: ${ok ? 'met' : 'NOT met'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
