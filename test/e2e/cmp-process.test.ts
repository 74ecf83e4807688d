// Deadlines, cancellation and load at the CMP socket: a fake helm that hangs and forks a
// child must be gone (both processes) after the deadline or a cancel; 16 concurrent requests
// all answer correctly; a full queue is refused with CMP_QUEUE_FULL.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { alive, baseEnv, callCheck, callGenerate, cliPath, expectClean, repoRoot, startSidecar, type Sidecar } from '../helpers/sidecar.js';

const examples = join(repoRoot, 'examples');

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('a hanging helm (fake, forks a sleep child)', () => {
  let sidecar: Sidecar;
  let dir: string;
  const pids = (): { helm: number; sleep: number } | undefined => {
    const f = join(dir, 'pids');
    if (!existsSync(f)) return undefined;
    const [helm, sleep] = readFileSync(f, 'utf8').trim().split(' ').map(Number);
    return helm && sleep ? { helm, sleep } : undefined;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'syncgate-fakehelm-'));
    const helm = join(dir, 'helm');
    // The env of a render tool is scrubbed, so the pid file path is baked into the script.
    writeFileSync(helm, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > ${dir}/pids.tmp && mv ${dir}/pids.tmp ${dir}/pids\nwait\n`);
    chmodSync(helm, 0o755);
    sidecar = await startSidecar({
      env: { SYNCGATE_HELM: helm },
      config: 'apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  limits:\n    concurrency: 1\n    queue: 0\n',
    });
  }, 20_000);
  afterAll(async () => {
    await sidecar.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => rmSync(join(dir, 'pids'), { force: true }));
  afterEach(() => expectClean(sidecar));

  test('deadline exceeded: EXEC_TIMEOUT just before the caller gives up, helm and its child are killed', async () => {
    const t0 = Date.now();
    const err = (await callGenerate(sidecar.socket, examples, { appRelPath: 'helm-app', env: baseEnv(), deadlineMs: 1500 }).catch((e: unknown) => e)) as ServiceError;
    // The server stops 100 ms before the caller's deadline, so its own message arrives in time.
    expect(err.code).toBe(status.UNKNOWN);
    expect(err.details).toMatch(/^EXEC_TIMEOUT: `\S+\/helm template demo \S+\/helm-app [^`]*` timed out after \d+ms$/);
    expect(Date.now() - t0).toBeLessThan(2500);
    const p = pids();
    expect(p).toBeDefined();
    const { helm, sleep } = p as { helm: number; sleep: number };
    expect(await until(() => !alive(helm) && !alive(sleep), 5000)).toBe(true);
  }, 15_000);

  test('client cancel during the render kills helm and its child', async () => {
    const call = callGenerate(sidecar.socket, examples, { appRelPath: 'helm-app', env: baseEnv(), cancelAfterMs: 800 });
    const err = (await call.catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.CANCELLED);
    const p = pids();
    expect(p).toBeDefined();
    const { helm, sleep } = p as { helm: number; sleep: number };
    expect(await until(() => !alive(helm) && !alive(sleep), 5000)).toBe(true);
  }, 15_000);

  test('a full queue (concurrency 1, queue 0) refuses with CMP_QUEUE_FULL', async () => {
    const first = callGenerate(sidecar.socket, examples, { appRelPath: 'helm-app', env: baseEnv(), deadlineMs: 2500 }).catch((e: unknown) => e as ServiceError);
    expect(await until(() => pids() !== undefined, 3000)).toBe(true);
    const err = (await callGenerate(sidecar.socket, examples, { appRelPath: 'plain-app', env: baseEnv() }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.UNKNOWN);
    expect(err.details).toBe('CMP_QUEUE_FULL: server busy: 1 requests running and 0 queued (limits.concurrency, limits.queue); retry later');
    expect(((await first) as ServiceError).details).toMatch(/^EXEC_TIMEOUT: /);
  }, 15_000);
});

describe('real tools under load', () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startSidecar({ concurrency: 4 });
  }, 20_000);
  afterAll(() => sidecar.stop());
  afterEach(() => expectClean(sidecar));

  test('client cancel mid-stream: the half-sent request is dropped, its temp dir removed', async () => {
    const err = (await callGenerate(sidecar.socket, examples, { appRelPath: 'plain-app', env: baseEnv(), chunkSize: 256, stallAfterChunks: 3, cancelAfterMs: 300 }).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(err.code).toBe(status.CANCELLED);
    expect(await until(() => sidecar.logs().includes('request cancelled by the client'), 3000)).toBe(true);
  });

  test('16 concurrent requests over the three example kinds all answer like a lone request', async () => {
    const apps = ['helm-app', 'kustomize-app/overlays/prod', 'plain-app'];
    const expected = new Map<string, string[]>();
    for (const a of apps) expected.set(a, await callGenerate(sidecar.socket, examples, { appRelPath: a, env: baseEnv({ sourcePath: a }) }));
    const jobs = Array.from({ length: 16 }, (_, i) => apps[i % apps.length] as string);
    const results = await Promise.all(jobs.map((a) => callGenerate(sidecar.socket, examples, { appRelPath: a, env: baseEnv({ sourcePath: a }) })));
    results.forEach((r, i) => expect(r).toEqual(expected.get(jobs[i] as string)));
    expect(results.every((r) => r.length > 0)).toBe(true);
  }, 30_000);
});

describe('socket lifecycle', () => {
  test('SIGTERM during a render: the request still gets its manifests, then the sidecar exits 0 with no request dir left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncgate-slowhelm-'));
    const helm = join(dir, 'helm');
    const realHelm = join(repoRoot, '.tools', 'bin', 'helm');
    // The env of a render tool is scrubbed, so the marker path and the real helm are baked in.
    writeFileSync(helm, `#!/bin/sh\ntouch ${dir}/started\nsleep 0.5\nexec ${realHelm} "$@"\n`);
    chmodSync(helm, 0o755);
    const sidecar = await startSidecar({ env: { SYNCGATE_HELM: helm } });
    try {
      const expected = await callGenerate(sidecar.socket, examples, { appRelPath: 'helm-app', env: baseEnv() });
      rmSync(join(dir, 'started'));
      const call = callGenerate(sidecar.socket, examples, { appRelPath: 'helm-app', env: baseEnv() });
      expect(await until(() => existsSync(join(dir, 'started')), 5000)).toBe(true);
      const exited = sidecar.signal('SIGTERM');
      expect(await call).toEqual(expected);
      expect(await exited).toBe(0);
      expect(sidecar.leftovers()).toEqual([]);
    } finally {
      await sidecar.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  test('a stale socket is replaced at start; SIGTERM removes the socket and exits 0', async () => {
    let stale = '';
    const sidecar = await startSidecar({
      beforeStart: async (dir) => {
        stale = join(dir, 'syncgate-v1.sock');
        // A server killed with SIGKILL leaves its socket file behind.
        const killed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
        await new Promise((r) => killed.once('exit', r));
        expect(lstatSync(stale).isSocket()).toBe(true);
      },
    });
    try {
      expect(sidecar.socket).toBe(stale);
      expect(basename(sidecar.socket)).toBe('syncgate-v1.sock');
      // uid 999 (argocd) must be able to connect whatever uid the sidecar runs as
      expect(statSync(sidecar.socket).mode & 0o777).toBe(0o777);
      await expect(callCheck(sidecar.socket)).resolves.toEqual({ isDiscoveryConfigured: true, provideGitCreds: false });
      expect(await sidecar.signal('SIGTERM')).toBe(0);
      expect(existsSync(sidecar.socket)).toBe(false);
    } finally {
      await sidecar.stop();
    }
  });
});

test.each<[string, string[], RegExp]>([
  ['a malformed --http-port', ['--http-port', 'abc'], /^USAGE_INVALID: --http-port: expected an integer from 0 to 65535, got "abc"$/m],
  ['a missing plugin.yaml', ['--plugin-config', '/nonexistent/plugin.yaml'], /^CMP_PLUGIN_CONFIG_NOT_FOUND: \/nonexistent\/plugin\.yaml: cannot read plugin config: ENOENT$/m],
])('serve refuses to start with %s (exit 2, no socket left)', (_label, args, message) => {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-serve-'));
  try {
    const r = spawnSync(process.execPath, [cliPath, 'serve', '--plugins-dir', dir, '--plugin-config', join(repoRoot, 'plugin.yaml'), ...args], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve exits 2 and removes its socket when the HTTP port is taken', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-serve-'));
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const r = spawnSync(process.execPath, [cliPath, 'serve', '--plugins-dir', dir, '--plugin-config', join(repoRoot, 'plugin.yaml'), '--http-host', '127.0.0.1', '--http-port', String(port)], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`USAGE_INVALID: --http-port ${port}: cannot listen on 127.0.0.1: EADDRINUSE`);
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
