// What bench/cmp.mjs and bench/ab.mjs share: the bench repo (the examples plus a generated
// 50-resource plain app) as Argo CD tars it, the apps and their bare tool, the ARGOCD_* env of a
// request, the node syncgate runs on (the image's), a sidecar (`syncgate serve` as the image runs
// it) and Argo CD's own plugin client.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { imageNodeOptions } from './node-options.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const toolsBin = join(root, '.tools', 'bin');
export const PATH = `${toolsBin}:${process.env.PATH ?? ''}`;
export const tool = (name) => (existsSync(join(toolsBin, name)) ? join(toolsBin, name) : name);

/** A temp dir holding `repo`: the examples plus a generated 50-resource plain app. */
export function benchRepo() {
  const work = mkdtempSync(join(tmpdir(), 'syncgate-bench-'));
  const repo = join(work, 'repo');
  cpSync(join(root, 'examples'), repo, { recursive: true });
  const plain50 = join(repo, 'plain-50');
  mkdirSync(plain50);
  for (let i = 0; i < 50; i++) {
    writeFileSync(
      join(plain50, `cm-${String(i).padStart(2, '0')}.yaml`),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: demo\n  labels:\n    app.kubernetes.io/name: bench\ndata:\n  key: value-${i}\n`,
    );
  }
  return { work, repo };
}

export async function tgzOf(dir) {
  // Go archive/tar style: `.` first, lexical walk, dirs without a trailing slash.
  const p = pack();
  const chunks = [];
  p.on('data', (c) => chunks.push(c));
  const done = new Promise((ok) => p.on('end', ok));
  const walk = (abs, rel) => {
    const st = lstatSync(abs);
    const name = rel === '' ? '.' : rel;
    if (st.isDirectory()) {
      p.entry({ name, type: 'directory', mode: 0o755 });
      for (const n of readdirSync(abs).sort()) walk(join(abs, n), rel === '' ? n : `${rel}/${n}`);
    } else if (st.isFile()) {
      p.entry({ name, type: 'file', mode: 0o644 }, readFileSync(abs));
    }
  };
  walk(dir, '');
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export const apps = [
  { name: 'helm-app', rel: 'helm-app', bare: (d) => [tool('helm'), ['template', 'demo', d, '--namespace=demo', '--include-crds']] },
  { name: 'kustomize-app', rel: 'kustomize-app/overlays/prod', bare: (d) => [tool('kustomize'), ['build', d, '--load-restrictor=LoadRestrictionsRootOnly']] },
  { name: 'plain-app', rel: 'plain-app', bare: undefined },
  { name: 'plain-50', rel: 'plain-50', bare: undefined },
];

export const appEnv = (rel) => ({
  ARGOCD_APP_NAME: 'demo',
  ARGOCD_APP_NAMESPACE: 'demo',
  ARGOCD_APP_PROJECT_NAME: 'default',
  ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
  ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/apps.git',
  ARGOCD_APP_SOURCE_PATH: rel,
  ARGOCD_APP_SOURCE_TARGET_REVISION: 'HEAD',
  ARGOCD_APP_PARAMETERS: 'null',
});

/** The bare tool of `app` on `appDir`, the way the bench compares it (synchronous). */
export function runBare(app, appDir, home) {
  const [file, args] = app.bare(appDir);
  const r = spawnSync(file, args, { cwd: appDir, env: { PATH, HOME: home }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} failed: ${r.stderr}`);
}

/**
 * The node that runs syncgate in the benches: the image's (deploy/Dockerfile's Node, which
 * `scripts/tools.sh image-node` fetches into .tools/image-node, or leaves as it is when current),
 * so the sidecar is measured on the runtime it ships with. BENCH_NODE=system, or a failed fetch
 * (said on stderr), runs it on this process's node instead.
 */
let chosenNode;
export function syncgateNode() {
  if (chosenNode !== undefined) return chosenNode;
  chosenNode = { path: process.execPath, version: process.version, image: false };
  if (process.env.BENCH_NODE === 'system') return chosenNode;
  const r = spawnSync('bash', [join(root, 'scripts', 'tools.sh'), 'image-node'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const bin = join(root, '.tools', 'image-node', 'bin', 'node');
  if (r.status !== 0 || !existsSync(bin)) {
    console.error(`bench: the image's node could not be fetched (scripts/tools.sh image-node): syncgate runs on this machine's ${process.version}`);
    return chosenNode;
  }
  chosenNode = { path: bin, version: spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout.trim(), image: true };
  return chosenNode;
}

/**
 * Starts `node <cli> serve` in `work` as the image runs it (its node, {@link syncgateNode}, and
 * deploy/Dockerfile's NODE_OPTIONS unless `nodeOptions`), its work dir on tmpfs where there is one
 * (deploy/argocd gives the sidecar a memory-backed /tmp), and waits for its socket. `logs()` is its stderr so far.
 */
export async function startSidecar({ cli, work, tag = 'sidecar', nodeOptions = imageNodeOptions(root), env = {} }) {
  const pluginsDir = join(work, `plugins-${tag}`);
  const sidecarWork = existsSync('/dev/shm') ? mkdtempSync(`/dev/shm/syncgate-bench-${tag}-`) : join(work, `${tag}-tmp`);
  mkdirSync(pluginsDir);
  mkdirSync(sidecarWork, { recursive: true });
  const server = spawn(syncgateNode().path, [cli, 'serve', '--plugins-dir', pluginsDir, '--plugin-config', join(root, 'plugin.yaml'), '--http-port', '0', '--http-host', '127.0.0.1'], {
    env: { PATH, HOME: work, SYNCGATE_WORKDIR: sidecarWork, NODE_OPTIONS: nodeOptions, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Never leave the sidecar or its temp dir behind, whatever happens after.
  const stopNow = () => {
    if (server.exitCode === null) server.kill('SIGTERM');
    rmSync(sidecarWork, { recursive: true, force: true });
  };
  process.on('exit', stopNow);
  let err = '';
  server.stderr.on('data', (b) => (err += b));
  const socket = await new Promise((ok, fail) => {
    const t = setInterval(() => {
      const s = readdirSync(pluginsDir).find((n) => n.endsWith('.sock'));
      if (s) {
        clearInterval(t);
        clearTimeout(giveUp);
        ok(join(pluginsDir, s));
      }
    }, 20);
    const giveUp = setTimeout(() => {
      clearInterval(t);
      fail(new Error(`sidecar did not start: ${err}`));
    }, 15000);
  });
  return {
    server,
    socket,
    sidecarWork,
    logs: () => err,
    /** Whether it starts tools from its launcher (src/exec/launcher.ts) or spawns them. */
    launcher: () => !err.includes('no syncgate-launcher'),
    async stop() {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((ok) => server.once('exit', ok));
      }
      rmSync(sidecarWork, { recursive: true, force: true });
    },
  };
}

/**
 * argocd-cmp-client on `socket`: Argo CD's own plugin client, one request per stdin line, one
 * answer per line (built by scripts/cluster.sh when missing). `generate(tgz, rel)` resolves to
 * the manifests' count; `ms` on the answer is the call's time inside the Go client.
 */
export function argoClient(socket, work) {
  const bin = join(toolsBin, 'argocd-cmp-client');
  if (!existsSync(bin)) {
    const b = spawnSync('bash', [join(root, 'scripts', 'cluster.sh'), 'build', 'argocd-cmp-client'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('bench: could not build argocd-cmp-client (scripts/cluster.sh build argocd-cmp-client)');
  }
  const child = spawn(bin, [socket], { stdio: ['pipe', 'pipe', 'inherit'] });
  process.on('exit', () => child.kill());
  const waiting = [];
  let out = '';
  child.stdout.on('data', (b) => {
    out += b;
    for (let i; (i = out.indexOf('\n')) >= 0; out = out.slice(i + 1)) waiting.shift()?.(JSON.parse(out.slice(0, i)));
  });
  const files = new Map(); // tgz buffer -> its file
  return {
    /** Resolves to the answer: { ms, manifests }. */
    call(tgz, rel) {
      let file = files.get(tgz);
      if (file === undefined) {
        file = join(work, `repo-${process.pid}-${files.size}-${Math.random().toString(36).slice(2)}.tgz`);
        writeFileSync(file, tgz);
        files.set(tgz, file);
      }
      const line = { tgz: file, appName: rel.split('/').pop(), appRelPath: rel, env: Object.entries(appEnv(rel)).map(([k, v]) => `${k}=${v}`) };
      return new Promise((ok, fail) => {
        waiting.push((a) => (a.code ? fail(new Error(`argocd-cmp-client: ${a.code}: ${a.message}`)) : ok(a)));
        child.stdin.write(`${JSON.stringify(line)}\n`);
      });
    },
    end: () => child.stdin.end(),
  };
}
