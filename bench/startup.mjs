#!/usr/bin/env node
// Start-up benchmark: every generate/discover/parameters/--version is a fresh Node process (the
// stock argocd-cmp-server starts one per request), so start-up is paid per request. Runs, side by
// side and interleaved in one run, `node -e 0`, the bundled CLI (dist/bin/syncgate.cjs) for
// each command on small apps, and `syncgate render` against `helm template` on the bundled chart;
// prints median and p90 wall time, the difference to `node -e 0` and the ratio. Target: each
// command within `node -e 0` + 150 ms. Run `npm run build` first (helm on PATH or in .tools/bin).
//   node bench/startup.mjs [rounds]      (default 15)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'bin', 'syncgate.cjs');
const rounds = Number(process.argv[2] ?? 15);
const TARGET_MS = 150;
if (!existsSync(cli)) {
  console.error('bench/startup: run `npm run build` first (no dist/bin/syncgate.cjs)');
  process.exit(2);
}
const tools = join(root, '.tools', 'bin');
const PATH = `${tools}:${process.env.PATH ?? ''}`;

// A plain app: one ConfigMap, so generate is start-up plus a tiny render and scan.
const work = mkdtempSync(join(tmpdir(), 'syncgate-startup-'));
const plain = join(work, 'plain');
mkdirSync(plain);
writeFileSync(join(plain, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: demo, namespace: demo}\ndata: {a: b}\n');
const chart = join(root, 'examples', 'helm-app');
const argoEnv = { ARGOCD_APP_NAME: 'demo', ARGOCD_APP_NAMESPACE: 'demo', ARGOCD_APP_PROJECT_NAME: 'default', ARGOCD_APP_SOURCE_PATH: '.' };

const cases = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'], cwd: work },
  { name: 'syncgate --version', argv: [process.execPath, cli, '--version'], cwd: work, startup: true },
  { name: 'syncgate discover', argv: [process.execPath, cli, 'discover'], cwd: chart, startup: true },
  { name: 'syncgate parameters', argv: [process.execPath, cli, 'parameters'], cwd: chart, env: argoEnv, startup: true },
  { name: 'syncgate generate (plain)', argv: [process.execPath, cli, 'generate'], cwd: plain, env: argoEnv, startup: true },
  { name: 'helm template (chart)', argv: ['helm', 'template', 'demo', chart, '--namespace', 'demo'], cwd: work },
  { name: 'syncgate render (chart)', argv: [process.execPath, cli, 'render', chart, '--app', 'demo', '--namespace', 'demo'], cwd: work },
];

// CPU time (user + sys, from GNU time) is printed beside wall time: on a shared machine it is the
// steadier figure.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
function once(c) {
  const argv = gnuTime ? [gnuTime, '-f', '@cpu %U %S', ...c.argv] : c.argv;
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: c.cwd, env: { ...process.env, PATH, ...(c.env ?? {}) }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const err = r.stderr.toString();
  if (r.status !== 0) throw new Error(`${c.name}: exit ${r.status}: ${err.slice(0, 500)}`);
  const m = /@cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
  return { ms, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
try {
  for (const c of cases) once(c); // warm the page cache (and the compile cache on Node >= 22.1)
  const times = new Map(cases.map((c) => [c.name, []]));
  const cpuTimes = new Map(cases.map((c) => [c.name, []]));
  for (let i = 0; i < rounds; i++)
    for (const c of cases) {
      const r = once(c);
      times.get(c.name).push(r.ms);
      cpuTimes.get(c.name).push(r.cpu);
    }
  const base = q(times.get('node -e 0'), 0.5);
  const helm = q(times.get('helm template (chart)'), 0.5);
  const baseCpu = q(cpuTimes.get('node -e 0'), 0.5);
  const helmCpu = q(cpuTimes.get('helm template (chart)'), 0.5);
  const load = loadavg()[0] ?? 0;
  const busy = load > cpus().length;
  console.log(`node ${process.version}, ${rounds} interleaved rounds, wall and CPU (user+sys) time per process; load average ${load.toFixed(1)} on ${cpus().length} CPUs`);
  if (busy) console.log('the machine is busy: wall times include waiting for a CPU; the verdict uses CPU time');
  console.log(`${'case'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'vs node -e 0'.padStart(14)} ${'ratio'.padStart(7)} ${'cpu ms'.padStart(8)} ${'cpu diff'.padStart(9)}`);
  let missed = 0;
  for (const c of cases) {
    const xs = times.get(c.name);
    const p50 = q(xs, 0.5);
    const ref = c.name === 'syncgate render (chart)' ? helm : base;
    const refName = c.name === 'syncgate render (chart)' ? 'helm' : 'node';
    const diff = p50 - ref;
    const cpu = q(cpuTimes.get(c.name), 0.5);
    const cpuDiff = cpu - (refName === 'helm' ? helmCpu : baseCpu);
    // On a loaded machine wall time mostly measures the run queue; CPU time is what the process costs.
    const over = busy ? cpuDiff > TARGET_MS : diff > TARGET_MS;
    const verdict = c.startup ? (over ? `  MISSED (target +${TARGET_MS} ms)` : `  ok (${busy ? 'cpu' : 'wall'})`) : '';
    if (c.startup && over) missed++;
    console.log(
      `${c.name.padEnd(28)} ${p50.toFixed(0).padStart(8)} ${q(xs, 0.9).toFixed(0).padStart(8)} ${`${diff >= 0 ? '+' : ''}${diff.toFixed(0)} ms${refName === 'helm' ? ' (helm)' : ''}`.padStart(14)} ${`${(p50 / ref).toFixed(2)}x`.padStart(7)} ${cpu.toFixed(0).padStart(8)} ${`${cpuDiff >= 0 ? '+' : ''}${cpuDiff.toFixed(0)}`.padStart(9)}${verdict}`,
    );
  }
  console.log(missed === 0 ? `start-up: every command within node -e 0 + ${TARGET_MS} ms` : `start-up: ${missed} command(s) over node -e 0 + ${TARGET_MS} ms`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
