import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/exec/index.js';
import { SyncgateError } from '../../../src/errors/index.js';
import { Redactor } from '../../../src/log/index.js';

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

/** True while the process exists and is not a zombie (an unreaped orphan is dead for us). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
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

describe('exec.run', () => {
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

  test('a missing binary is EXEC_TOOL_MISSING', async () => {
    const e = await codeOf(run({ file: join(dir, 'nope'), args: [], cwd: dir, env: {} }));
    expect(e.code).toBe('EXEC_TOOL_MISSING');
  });
});
