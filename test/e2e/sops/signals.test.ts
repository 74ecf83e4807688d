// A real `syncgate render`/`generate` process stopped by a signal while a tool runs (what
// argocd-cmp-server does on timeout): no decrypted file may stay in the work dir, no tool may
// outlive it, and nothing it printed may hold plaintext.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshKey, sopsEncryptFor, type FreshKey } from '../../integration/sops/support.js';

const root = join(import.meta.dirname, '..', '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');
const PLAIN = 'CANARY-signal-plaintext-5e5e';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

async function until(what: string, f: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('signals to a rendering syncgate leave no plaintext and no process behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-signals-'));
  let key: FreshKey;
  const started: ChildProcess[] = [];
  const toolPids: number[] = [];
  beforeAll(() => {
    key = freshKey(dir, 'team-a');
    const repo = join(dir, 'repo');
    // A kustomize app whose generator input is encrypted (decrypted into a private copy on disk)…
    mkdirSync(join(repo, 'kust'), { recursive: true });
    writeFileSync(join(dir, 'db.env'), `password=${PLAIN}\n`);
    writeFileSync(join(repo, 'kust', 'db.env'), sopsEncryptFor([key], join(dir, 'db.env')));
    writeFileSync(join(repo, 'kust', 'kustomization.yaml'), 'secretGenerator:\n  - name: db\n    envs: [db.env]\n');
    // …and a chart with an encrypted values file (given to helm on stdin, never on disk).
    mkdirSync(join(repo, 'chart', 'templates'), { recursive: true });
    writeFileSync(join(repo, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
    writeFileSync(join(repo, 'chart', 'templates', 's.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  p: {{ .Values.password | quote }}\n');
    writeFileSync(join(dir, 'secrets.yaml'), `password: ${PLAIN}\n`);
    writeFileSync(join(repo, 'chart', 'secrets.yaml'), sopsEncryptFor([key], join(dir, 'secrets.yaml')));
    rmSync(join(dir, 'db.env'));
    rmSync(join(dir, 'secrets.yaml'));
    writeFileSync(
      join(dir, 'config.yaml'),
      `apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  keys:\n    - name: team-a\n      ageIdentityFile: ${key.file}\n      grants: {projects: [team-a], namespaces: [team-a]}\n`,
    );
  });
  afterEach(() => {
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const p of toolPids.splice(0)) if (alive(p)) process.kill(p, 'SIGKILL');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).flatMap((sig) => [
    [sig, 'render', 'kust'] as const,
    [sig, 'render', 'chart'] as const,
    [sig, 'generate', 'kust'] as const,
  ]);

  test.each(cases)('%s to `syncgate %s` of the %s app', async (sig, command, app) => {
    const run = mkdtempSync(join(dir, `run-${command}-${app}-${sig}-`));
    const work = join(run, 'work');
    mkdirSync(work);
    const pidFile = join(run, 'tool.pid');
    // A slow tool: drains stdin (helm's values), says it runs, then waits to be killed.
    const tool = join(run, 'slow-tool');
    writeFileSync(tool, `#!/bin/sh\ncat > /dev/null\necho $$ > ${pidFile}\nexec sleep 30\n`);
    chmodSync(tool, 0o755);
    const repo = join(dir, 'repo');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '',
      HOME: run,
      SYNCGATE_WORKDIR: work,
      SYNCGATE_HELM: tool,
      SYNCGATE_KUSTOMIZE: tool,
      SYNCGATE_CONFIG: join(dir, 'config.yaml'),
      SYNCGATE_LOG_LEVEL: 'debug',
    };
    const args =
      command === 'render'
        ? [main, 'render', join(repo, app), '--repo-root', repo, '--project', 'team-a', '--namespace', 'team-a', '--app', 'app']
        : [main, 'generate', '--repo-root', repo];
    const genEnv = command === 'generate' ? { ARGOCD_APP_NAME: 'app', ARGOCD_APP_NAMESPACE: 'team-a', ARGOCD_APP_PROJECT_NAME: 'team-a', ARGOCD_APP_SOURCE_PATH: app } : {};
    const child = spawn(process.execPath, args, { cwd: join(repo, app), env: { ...env, ...genEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const exited = new Promise<NodeJS.Signals | number | null>((res) => child.on('exit', (code, s) => res(s ?? code)));

    await until('the tool to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'));
    const toolPid = Number(readFileSync(pidFile, 'utf8').trim());
    toolPids.push(toolPid);
    const during = files(work).map((f) => readFileSync(f, 'utf8')).join('\n');
    // The kustomize app's decrypted input is on (memory-backed) disk while kustomize runs; helm's values never are.
    expect(during.includes(PLAIN)).toBe(app === 'kust');

    child.kill(sig);
    expect(await exited).toBe(sig);
    await until('the tool to be killed', () => !alive(toolPid));
    expect(readdirSync(work)).toEqual([]);
    expect(out).not.toContain(PLAIN);
  }, 40_000);
});
