import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepSpareLauncher, resolveLauncher, run, spareLauncherPid } from '../../../src/exec/index.js';
import { SyncgateError } from '../../../src/errors/index.js';
import { Redactor } from '../../../src/log/index.js';
import { alive, until } from '../../helpers/proc.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-exec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a fake executable (a shell script) and returns its path. */
function fake(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

async function codeOf(p: Promise<unknown>): Promise<SyncgateError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SyncgateError) return e;
    throw e;
  }
  throw new Error('expected a SyncgateError');
}

// Every test runs both ways a tool starts: spawned from this process, and through the idle
// launcher a long-lived server keeps (src/exec/launcher.ts); each launcher-mode test checks that
// its run did take the launcher.
describe.each([['spawn'], ['launcher']])('exec.run (%s)', (mode) => {
  let spare: number | undefined;
  beforeAll(() => {
    if (mode !== 'launcher') return;
    const bin = resolveLauncher();
    if (bin === undefined) throw new Error('syncgate-launcher is not built: run scripts/tools.sh');
    keepSpareLauncher(bin);
  });
  afterAll(() => keepSpareLauncher(undefined));
  beforeEach(async () => {
    if (mode !== 'launcher') return;
    expect(await until(() => spareLauncherPid() !== undefined)).toBe(true);
    spare = spareLauncherPid();
  });
  afterEach(() => {
    if (mode === 'launcher') expect(spareLauncherPid()).not.toBe(spare); // the run took it
  });

  test('returns stdout and sees only the given env', async () => {
    const f = fake('envdump', 'echo "out:$FOO:$SECRET_FROM_PARENT"; echo err >&2');
    process.env['SECRET_FROM_PARENT'] = 'leak';
    const r = await run({ file: f, args: [], cwd: dir, env: { FOO: 'bar', PATH: '/usr/bin:/bin' } });
    delete process.env['SECRET_FROM_PARENT'];
    expect(r.stdout).toBe('out:bar:\n');
    expect(r.stderr).toBe('err\n');
  });

  test('non-zero exit carries argv, exit code and a redacted stderr tail', async () => {
    const f = fake('fail', 'echo "value s3cr3t-value leaked" >&2; exit 3');
    const redactor = new Redactor();
    redactor.add('s3cr3t-value');
    const e = await codeOf(run({ file: f, args: ['template', 'my chart'], cwd: dir, env: {}, redactor }));
    expect(e.code).toBe('EXEC_FAILED');
    expect(e.message).toBe(`\`${f} template "my chart"\` failed exit status 3: value ***** leaked`);
    expect(e.details).toMatchObject({ exitCode: 3, timedOut: false, cwd: dir });
    expect(JSON.stringify(e.details)).not.toContain('s3cr3t-value');
  });

  test('deadline kills the whole process group, grandchildren included', async () => {
    const pidFile = join(dir, 'child.pid');
    const f = fake('hang', `sleep 30 & echo $! > ${pidFile}; wait`);
    const e = await codeOf(
      run({ file: f, args: [], cwd: dir, env: { PATH: '/usr/bin:/bin' }, deadline: Date.now() + 300, killGraceMs: 200 }),
    );
    expect(e.code).toBe('EXEC_TIMEOUT');
    expect(e.details['timedOut']).toBe(true);
    const child = Number(readFileSync(pidFile, 'utf8').trim());
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(child)).toBe(false);
  });

  test('cancellation kills the process group', async () => {
    const f = fake('hang2', 'sleep 30');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const e = await codeOf(run({ file: f, args: [], cwd: dir, env: { PATH: '/usr/bin:/bin' }, signal: ac.signal }));
    expect(e.code).toBe('EXEC_CANCELLED');
  });

  test('stdout over the limit fails instead of truncating', async () => {
    const f = fake('flood', 'head -c 200000 /dev/zero');
    const e = await codeOf(run({ file: f, args: [], cwd: dir, env: { PATH: '/usr/bin:/bin' }, maxStdout: 1000 }));
    expect(e.code).toBe('EXEC_OUTPUT_LIMIT');
  });

  const pidsIn = (f: string): number[] => readFileSync(f, 'utf8').trim().split(/\s+/).map(Number);
  const P = { PATH: '/usr/bin:/bin' };

  test('a descendant that left the process group (setsid) dies with a successful tool', async () => {
    const pidFile = join(dir, 'escaped.pid');
    rmSync(pidFile, { force: true });
    // setsid forks (the shell's child is a group leader): the sleeper gets its own session.
    const f = fake('escape-ok', `setsid sh -c 'echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; exec sleep 300' < /dev/null > /dev/null 2>&1 &\nwhile [ ! -s ${pidFile} ]; do sleep 0.01; done\necho done`);
    const r = await run({ file: f, args: [], cwd: dir, env: P });
    expect(r.stdout).toBe('done\n');
    const [escaped] = pidsIn(pidFile);
    expect(await until(() => !alive(escaped as number))).toBe(true);
  });

  test('on a deadline, a setsid descendant holding stdout is swept too: EXEC_TIMEOUT well within deadline + grace', async () => {
    const pidFile = join(dir, 'holder.pid');
    rmSync(pidFile, { force: true });
    const f = fake('escape-hold', `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' &\nsleep 300`);
    const t0 = Date.now();
    const e = await codeOf(run({ file: f, args: [], cwd: dir, env: P, deadline: t0 + 300 }));
    expect(e.code).toBe('EXEC_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(300 + 500 + 400);
    const [holder] = pidsIn(pidFile);
    expect(await until(() => !alive(holder as number))).toBe(true);
  });

  test('a tool that ignores SIGTERM is SIGKILLed after the grace and still reports EXEC_TIMEOUT', async () => {
    const f = fake('stubborn', `trap '' TERM\nwhile :; do sleep 0.05; done`);
    const t0 = Date.now();
    const e = await codeOf(run({ file: f, args: [], cwd: dir, env: P, deadline: t0 + 200 }));
    expect(e.code).toBe('EXEC_TIMEOUT');
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(200 + 500 + 400);
  });

  test('a tool that exits while a grandchild keeps its stdout open returns promptly', async () => {
    const pidFile = join(dir, 'bg.pid');
    rmSync(pidFile, { force: true });
    const f = fake('leaves-bg', `sleep 300 &\necho $! > ${pidFile}\necho out`);
    const t0 = Date.now();
    const r = await run({ file: f, args: [], cwd: dir, env: P, deadline: t0 + 10_000 });
    expect(r.stdout).toBe('out\n');
    expect(Date.now() - t0).toBeLessThan(2000);
    const [bg] = pidsIn(pidFile);
    expect(await until(() => !alive(bg as number))).toBe(true);
  });

  test('a missing binary is EXEC_TOOL_MISSING', async () => {
    const e = await codeOf(run({ file: join(dir, 'nope'), args: [], cwd: dir, env: {} }));
    expect(e.code).toBe('EXEC_TOOL_MISSING');
  });
});
