// The launcher a long-lived server keeps ready (src/exec/launcher.ts, launcher.c): the tool it
// becomes must be indistinguishable from one spawn() starts (pid, group, session, argv, env, cwd,
// fds, signal state, limits, errors), and the launcher must never outlive its owner's intent.
// test/unit/exec/run.test.ts runs the whole exec.run suite through it as well.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepSpareLauncher, killAllRuns, resolveLauncher, run, spareLauncherPid, type RunOptions } from '../../../src/exec/index.js';
import { SyncgateError } from '../../../src/errors/index.js';
import { alive, until } from '../../helpers/proc.js';

let dir: string;
let bin: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-launcher-'));
  const found = resolveLauncher();
  if (found === undefined) throw new Error('syncgate-launcher is not built: run scripts/tools.sh');
  bin = found;
});
afterAll(() => {
  keepSpareLauncher(undefined);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => keepSpareLauncher(undefined));

function fake(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

/** A spare is ready: its pid. */
async function readySpare(): Promise<number> {
  keepSpareLauncher(bin);
  expect(await until(() => spareLauncherPid() !== undefined)).toBe(true);
  return spareLauncherPid() as number;
}

/** `opts` run once spawned from this process and once through the launcher. */
async function bothWays(opts: RunOptions): Promise<{ spawned: unknown; launched: unknown; spare: number }> {
  keepSpareLauncher(undefined);
  const outcome = (p: Promise<{ stdout: string }>): Promise<unknown> =>
    p.then(
      (r) => ({ stdout: r.stdout }),
      (e: unknown) => (e instanceof SyncgateError ? { code: e.code, message: e.message } : { thrown: String(e) }),
    );
  const spawned = await outcome(run(opts));
  const spare = await readySpare();
  const launched = await outcome(run(opts));
  expect(spareLauncherPid()).not.toBe(spare); // the second run took the launcher
  return { spawned, launched, spare };
}

const P = { PATH: '/usr/bin:/bin' };

describe('exec launcher', () => {
  test('the tool is the launcher: same pid, its own process group and session, a child of this process', async () => {
    const f = fake('ids', 'read -r _ _ _ ppid pgrp sid _ < /proc/$$/stat; echo "$$ $ppid $pgrp $sid"');
    const spare = await readySpare();
    const r = await run({ file: f, args: [], cwd: dir, env: P });
    // /proc/<pid>/stat: "pid (comm) state ppid pgrp session ..."; comm is "ids" here.
    expect(r.stdout.trim().split(' ').map(Number)).toEqual([spare, process.pid, spare, spare]);
  });

  test('argv, env and cwd arrive byte for byte as spawn() passes them', async () => {
    // The run token differs per run; that it reaches the tool is checked below.
    const f = fake('show', `printf '[%s]\\n' "$0" "$@"; pwd; env | LC_ALL=C sort | sed 's/^SYNCGATE_RUN_TOKEN=.*/SYNCGATE_RUN_TOKEN=<token>/'`);
    const cwd = join(dir, 'a dir with spaces');
    mkdirSync(cwd, { recursive: true });
    const args = ['', ' ', "it's", '"quoted"', '$(id) `id` ${HOME}', 'multi\nline', 'tab\there', '--set=a\\,b', 'ünïcødé ✓', '*', '-'];
    const env = { ...P, EMPTY: '', 'WITH=EQUALS': 'x=y', SPACES: ' a b ', NEWLINE: 'one\ntwo' };
    const { spawned, launched } = await bothWays({ file: f, args, cwd, env });
    expect(launched).toEqual(spawned);
    expect((launched as { stdout: string }).stdout).toContain(`[multi\nline]\n`);
    expect((launched as { stdout: string }).stdout).toContain('SYNCGATE_RUN_TOKEN=<token>\n');
  });

  test('the tool holds only stdio, and the same signal state and limits as a spawned one', async () => {
    const f = fake(
      'state',
      [
        'ls -1 /proc/$$/fd', // no pipeline: the shell holds no pipe of its own while ls looks
        'echo --',
        'grep -E "^(SigBlk|SigIgn|SigCgt|NoNewPrivs|Seccomp|Cpus_allowed_list|Mems_allowed_list):" /proc/self/status',
        'cat /proc/self/limits',
        'umask',
        'cat /proc/self/timerslack_ns 2>/dev/null || true',
      ].join('\n'),
    );
    const { spawned, launched } = await bothWays({ file: f, args: [], cwd: dir, env: P });
    expect(launched).toEqual(spawned);
    // dash keeps its script open on fd 10: the tool itself holds 0, 1 and 2 only.
    const out = (launched as { stdout: string }).stdout;
    const fds = out.slice(0, out.indexOf('--\n')).split('\n').filter((fd) => fd !== '' && Number(fd) < 10);
    expect(fds.sort()).toEqual(['0', '1', '2']);
  });

  test.each([
    ['a missing binary', () => join(dir, 'nope'), () => dir],
    ['a file that is not executable', () => join(dir, 'plain.txt'), () => dir],
    ['a directory', () => dir, () => dir],
    ['a missing cwd', () => fake('ok', 'echo ok'), () => join(dir, 'no-such-dir')],
  ])('%s fails the same way as spawn() (code and message)', async (_what, file, cwd) => {
    writeFileSync(join(dir, 'plain.txt'), 'not a program');
    const { spawned, launched } = await bothWays({ file: file(), args: ['x'], cwd: cwd(), env: P });
    expect(launched).toEqual(spawned);
    expect(launched).toMatchObject({ code: expect.stringMatching(/^EXEC_(TOOL_MISSING|FAILED)$/) });
  });

  test('what only spawn() can do (a PATH search, its own argument checks) bypasses the launcher', async () => {
    const spare = await readySpare();
    expect((await run({ file: 'echo', args: ['from PATH'], cwd: dir, env: P })).stdout).toBe('from PATH\n');
    const e = await run({ file: '/bin/echo', args: ['nul\0byte'], cwd: dir, env: P }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SyncgateError);
    expect((e as SyncgateError).code).toBe('EXEC_FAILED');
    expect(spareLauncherPid()).toBe(spare); // neither took it
  });

  test('a launcher killed while idle is replaced; the run in between is spawned', async () => {
    const spare = await readySpare();
    process.kill(spare, 'SIGKILL');
    expect(await until(() => spareLauncherPid() === undefined)).toBe(true);
    expect((await run({ file: '/bin/echo', args: ['still works'], cwd: dir, env: P })).stdout).toBe('still works\n');
    expect(await until(() => spareLauncherPid() !== undefined)).toBe(true);
    expect(spareLauncherPid()).not.toBe(spare);
  });

  test('a cancel right after the launch kills the tool; nothing is left', async () => {
    const pidFile = join(dir, 'started.pid');
    rmSync(pidFile, { force: true });
    const f = fake('slow', `echo $$ > ${pidFile}; sleep 30`);
    const spare = await readySpare();
    const ac = new AbortController();
    const p = run({ file: f, args: [], cwd: dir, env: P, signal: ac.signal, killGraceMs: 200 });
    ac.abort();
    const e = await p.catch((x: unknown) => x);
    expect((e as SyncgateError).code).toBe('EXEC_CANCELLED');
    expect(await until(() => !alive(spare))).toBe(true);
  });

  test('stopping, and the exit paths (killAllRuns), leave no launcher running', async () => {
    const a = await readySpare();
    keepSpareLauncher(undefined);
    expect(await until(() => !alive(a))).toBe(true);
    expect(spareLauncherPid()).toBeUndefined();
    const b = await readySpare();
    killAllRuns();
    expect(await until(() => !alive(b))).toBe(true);
    expect(spareLauncherPid()).toBeUndefined();
  });

  test('a launcher path that cannot start: tools are spawned, and it is not tried again', async () => {
    const path = join(dir, 'launcher-later');
    rmSync(path, { force: true });
    keepSpareLauncher(path);
    expect((await run({ file: '/bin/echo', args: ['direct'], cwd: dir, env: P })).stdout).toBe('direct\n');
    // A launcher there now would be started by the next run's replacement if the failure had not
    // turned the launcher off: none may appear.
    copyFileSync(bin, path);
    chmodSync(path, 0o755);
    expect((await run({ file: '/bin/echo', args: ['again'], cwd: dir, env: P })).stdout).toBe('again\n');
    expect(await until(() => spareLauncherPid() !== undefined, 500)).toBe(false);
  });

  test('SYNCGATE_LAUNCHER=off turns it off; a path names it', () => {
    expect(resolveLauncher({ ...process.env, SYNCGATE_LAUNCHER: 'off' })).toBeUndefined();
    expect(resolveLauncher({ ...process.env, SYNCGATE_LAUNCHER: bin })).toBe(bin);
    expect(resolveLauncher({ ...process.env, SYNCGATE_LAUNCHER: join(dir, 'missing') })).toBeUndefined();
  });
});

// The C program on its own: what it answers on fd 3 and how it exits, for each request shape.
describe('syncgate-launcher protocol', () => {
  async function talk(request: Buffer | undefined): Promise<{ code: number | null; reply: string; stdout: string }> {
    const child = spawn(bin, [], { cwd: '/', env: {}, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const ctl = child.stdio[3] as Socket;
    let reply = '';
    let stdout = '';
    ctl.on('data', (b: Buffer) => (reply += b.toString()));
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    if (request === undefined) ctl.end();
    else ctl.end(request);
    // A launcher that never answers must not outlive the test.
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((ok) => child.once('close', (c) => ok(c)));
    clearTimeout(guard);
    return { code, reply, stdout };
  }
  const req = (...fields: string[]): Buffer => Buffer.from(`${fields.join('\0')}\0`);
  const V = 'syncgate-launcher/1';

  test('EOF without a request: exits 0 quietly', async () => {
    expect(await talk(undefined)).toEqual({ code: 0, reply: '', stdout: '' });
  });

  test('a request execs the file with exactly that argv and env', async () => {
    expect(await talk(req(V, '/tmp', '/bin/sh', '3', 'sh', '-c', 'printf "%s|%s|%s" "$0" "$X" "$(pwd)"', 'X=y z'))).toEqual({ code: 0, reply: '', stdout: 'sh|y z|/tmp' });
  });

  test.each([
    ['another protocol version', req('syncgate-launcher/0', '/', '/bin/true', '1', 'true')],
    ['a request without its final NUL', Buffer.from(`${V}\0/\0/bin/true\x001\0true`)],
    ['too few fields', req(V, '/', '/bin/true', '1')],
    ['argc beyond the fields', req(V, '/', '/bin/true', '3', 'true', 'x')],
    ['argc zero', req(V, '/', '/bin/true', '0', 'true')],
    ['argc not a number', req(V, '/', '/bin/true', '1x', 'true')],
    ['argc negative', req(V, '/', '/bin/true', '-1', 'true')],
  ])('%s is refused: EPROTO on fd 3, exit 127, nothing run', async (_what, request) => {
    expect(await talk(request)).toEqual({ code: 127, reply: '71', stdout: '' });
  });

  test('chdir and exec failures report their errno', async () => {
    expect(await talk(req(V, '/no/such/dir', '/bin/true', '1', 'true'))).toMatchObject({ code: 127, reply: '2' }); // ENOENT
    expect(await talk(req(V, '/', '/no/such/tool', '1', 'tool'))).toMatchObject({ code: 127, reply: '2' });
    writeFileSync(join(dir, 'data.txt'), 'not a program');
    expect(await talk(req(V, '/', join(dir, 'data.txt'), '1', 'data'))).toMatchObject({ code: 127, reply: '13' }); // EACCES
  });
});
