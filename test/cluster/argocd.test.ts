// The sidecar through Argo CD's own code: a real argocd-repo-server v3.6.2 (built by
// scripts/cluster.sh) receives GenerateManifest for apps in a local git repository (file URL),
// checks it out and streams it to the plugin exactly as in production: to `syncgate serve`
// (native mode) and to the real argocd-cmp-server running our plugin.yaml, which runs
// `syncgate generate` (stock mode). The request is sent with Argo CD's repo-server client
// (argocd-generate, built from the same module), standing in for the application controller.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { startSidecar, type Sidecar } from '../helpers/sidecar.js';
import { waitFor } from './kube.js';

const ROOT = process.cwd();
const BIN = join(ROOT, '.tools', 'bin');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
type Json = Record<string, any>;

interface Proc {
  name: string;
  child: ChildProcess;
  log: () => string;
  exited: Promise<void>;
}
const procs: Proc[] = [];

function start(name: string, cmd: string, args: string[], env: Record<string, string>, cwd: string): Proc {
  let out = '';
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const p = { name, child, log: () => out, exited };
  procs.push(p);
  return p;
}

/** SIGTERM the process group, SIGKILL after a grace period (argocd-cmp-server keeps serving after SIGTERM). */
async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null || p.child.pid === undefined) return;
  const kill = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-p.child.pid!, sig);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const t = setTimeout(() => kill('SIGKILL'), 3_000);
  await p.exited;
  clearTimeout(t);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let base: string;
let repoURL: string;
let revision: string;
let native: Sidecar;
let cmpServer: Proc;
const repoServers: Record<'native' | 'stock', { addr: string; proc: Proc }> = {} as never;

/** A git repository (file URL) holding the examples and a non-compliant app. */
function makeRepo(dir: string): { url: string; sha: string } {
  const work = join(dir, 'work');
  mkdirSync(work);
  cpSync(join(ROOT, 'examples'), join(work, 'examples'), { recursive: true });
  mkdirSync(join(work, 'apps', 'privileged'), { recursive: true });
  writeFileSync(
    join(work, 'apps', 'privileged', 'pod.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-shell\nspec:\n  hostPID: true\n  containers:\n    - name: sh\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n',
  );
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: work, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid', HOME: dir } }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'apps');
  return { url: `file://${work}`, sha: git('rev-parse', 'HEAD') };
}

let redis = '';

async function startRepoServer(mode: 'native' | 'stock', pluginsDir: string): Promise<void> {
  const port = await freePort();
  const metrics = await freePort();
  const home = join(base, `repo-server-${mode}`);
  mkdirSync(join(home, 'tmp'), { recursive: true });
  const proc = start(
    `argocd-repo-server (${mode})`,
    join(BIN, 'argocd-repo-server'),
    ['--address', '127.0.0.1', '--port', String(port), '--metrics-address', '127.0.0.1', '--metrics-port', String(metrics), '--disable-tls', '--client-ca-path=', '--redis', redis, '--loglevel', 'info', '--logformat', 'json'],
    // BIN holds git-verify-wrapper.sh, which the repo-server runs for every revision.
    // ARGOCD_ASK_PASS_SOCK: the git credentials socket is /tmp/reposerver-ask-pass.sock by default,
    // one path for both repo-servers and left behind in /tmp.
    {
      PATH: `${BIN}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      HOME: home,
      TMPDIR: join(home, 'tmp'),
      ARGOCD_ASK_PASS_SOCK: join(home, 'ask-pass.sock'),
      ARGOCD_PLUGINSOCKFILEPATH: pluginsDir,
      ARGOCD_GPG_ENABLED: 'false',
    },
    home,
  );
  await waitFor(`${proc.name} to become healthy`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited: ${proc.log().slice(-2000)}`);
    const r = await fetch(`http://127.0.0.1:${metrics}/healthz`).catch(() => undefined);
    return r?.status === 200 ? true : undefined;
  }, 60_000, 200);
  repoServers[mode] = { addr: `127.0.0.1:${port}`, proc };
}

beforeAll(async () => {
  for (const b of ['argocd-repo-server', 'argocd-cmp-server', 'argocd-generate', 'argocd-redis', 'git-verify-wrapper.sh']) {
    if (!existsSync(join(BIN, b))) throw new Error(`${b} is not built: run scripts/cluster.sh build`);
  }
  base = mkdtempSync(join(tmpdir(), 'syncgate-argocd-'));
  // The repo-server's manifest cache (and its generation lock) lives in Redis.
  redis = `127.0.0.1:${await freePort()}`;
  const r = start('argocd-redis', join(BIN, 'argocd-redis'), [redis], { PATH: process.env['PATH'] ?? '' }, base);
  await waitFor('argocd-redis to listen', () => Promise.resolve(r.log().includes('listening') ? true : undefined), 20_000);
  ({ url: repoURL, sha: revision } = makeRepo(base));

  // native: syncgate serve on its own plugins dir
  native = await startSidecar();
  await startRepoServer('native', native.pluginsDir);

  // stock: argocd-cmp-server with our plugin.yaml, running `syncgate` (the built CLI) per request
  const stockPlugins = join(base, 'stock-plugins');
  const stockConfig = join(base, 'stock-config');
  const shim = join(base, 'shim');
  for (const d of [stockPlugins, stockConfig, shim, join(base, 'cmp-tmp')]) mkdirSync(d);
  cpSync(join(ROOT, 'plugin.yaml'), join(stockConfig, 'plugin.yaml'));
  writeFileSync(join(shim, 'syncgate'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  chmodSync(join(shim, 'syncgate'), 0o755);
  cmpServer = start(
    'argocd-cmp-server',
    join(BIN, 'argocd-cmp-server'),
    ['--config-dir-path', stockConfig, '--loglevel', 'info', '--logformat', 'json'],
    // TMPDIR: argocd-cmp-server unpacks each request under $TMPDIR/_cmp_server (/tmp by default).
    { PATH: `${shim}:${BIN}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: base, TMPDIR: join(base, 'cmp-tmp'), ARGOCD_PLUGINSOCKFILEPATH: stockPlugins },
    base,
  );
  await waitFor('argocd-cmp-server to bind its socket', () => {
    if (cmpServer.child.exitCode !== null) throw new Error(`argocd-cmp-server exited: ${cmpServer.log().slice(-2000)}`);
    return Promise.resolve(existsSync(join(stockPlugins, 'syncgate-v1.sock')) ? true : undefined);
  }, 30_000);
  await startRepoServer('stock', stockPlugins);
}, 180_000);

afterAll(async () => {
  for (const p of procs.splice(0).reverse()) await stop(p);
  await native?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
}, 60_000);

interface App {
  path: string;
  env?: { name: string; value: string }[];
  parameters?: Json[];
}

/** GenerateManifest through Argo CD's client: manifests, or the gRPC error. */
function generate(mode: 'native' | 'stock', app: App): { manifests?: Json[]; error?: { code: string; message: string } } {
  const req = {
    repo: { repo: repoURL },
    revision,
    appName: 'demo',
    namespace: 'demo',
    projectName: 'default',
    projectSourceRepos: ['*'],
    kubeVersion: '1.37.2',
    applicationSource: { repoURL, path: app.path, targetRevision: revision, plugin: { name: 'syncgate-v1', ...(app.env ? { env: app.env } : {}), ...(app.parameters ? { parameters: app.parameters } : {}) } },
  };
  const r = spawnSync(join(BIN, 'argocd-generate'), [repoServers[mode].addr], { input: JSON.stringify(req), encoding: 'utf8', timeout: 150_000 });
  if (r.status === 3) return { error: JSON.parse(r.stdout) as { code: string; message: string } };
  if (r.status !== 0) throw new Error(`argocd-generate exited ${r.status}: ${r.stderr}\nrepo-server log: ${repoServers[mode].proc.log().slice(-3000)}`);
  const resp = JSON.parse(r.stdout) as { manifests?: string[] };
  return { manifests: (resp.manifests ?? []).map((m) => JSON.parse(m) as Json) };
}

/** `syncgate render` of the same app, as CI would run it. */
function render(args: string[]): Json[] {
  const out = execFileSync(process.execPath, [CLI, 'render', ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${BIN}:${process.env['PATH'] ?? ''}` } });
  return (loadAll(out) as (Json | null)[]).filter((o): o is Json => o !== null);
}

const EXAMPLES: [string, App, string[]][] = [
  ['plain-app', { path: 'examples/plain-app' }, ['examples/plain-app', '--app', 'demo', '--namespace', 'demo']],
  ['helm-app', { path: 'examples/helm-app' }, ['examples/helm-app', '--app', 'demo', '--namespace', 'demo']],
  ['kustomize-app (prod overlay)', { path: 'examples/kustomize-app/overlays/prod' }, ['examples/kustomize-app/overlays/prod', '--app', 'demo', '--namespace', 'demo', '--repo-root', 'examples/kustomize-app']],
];

describe.each(['native', 'stock'] as const)('Argo CD repo-server → %s mode', (mode) => {
  test.each(EXAMPLES)('%s: the manifests equal `syncgate render`', (_name, app, args) => {
    const got = generate(mode, app);
    expect(got.error).toBeUndefined();
    expect(got.manifests).toEqual(render(args));
  }, 180_000);

  test('a non-compliant app: the refusal reaches the repo-server answer with our code and report', () => {
    const got = generate(mode, { path: 'apps/privileged' });
    expect(got.manifests).toBeUndefined();
    expect(got.error!.code).toBe('Unknown');
    expect(got.error!.message).toContain('Pod/demo/root-shell');
    expect(got.error!.message).toContain('pss-baseline/privileged');
    expect(got.error!.message).toContain('pss-baseline/host-namespaces');
  }, 180_000);

  test('plugin env and parameters arrive as Argo CD passes them (ARGOCD_ENV_RELEASE_NAME, the set map)', () => {
    const got = generate(mode, {
      path: 'examples/helm-app',
      env: [{ name: 'RELEASE_NAME', value: 'shop' }],
      parameters: [{ name: 'set', map: { replicaCount: '3' } }],
    });
    expect(got.error).toBeUndefined();
    expect(got.manifests).toEqual(render(['examples/helm-app', '--app', 'demo', '--namespace', 'demo', '--release-name', 'shop', '-p', 'set=replicaCount=3']));
  }, 180_000);
});
