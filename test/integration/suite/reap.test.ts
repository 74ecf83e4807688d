// The suite's own safety net: a test that times out while its child still runs must neither leave
// the child alive nor keep jest from exiting (the reaping environment and --forceExit).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, until } from '../../helpers/proc.js';
import { repoRoot } from '../../helpers/sidecar.js';

test('a timed-out test file: jest fails and exits, and the child it started is killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-reap-'));
  const pidFile = join(dir, 'pid');
  const config = JSON.stringify({
    rootDir: repoRoot,
    testEnvironment: '<rootDir>/test/setup/reaping-environment.mjs',
    testMatch: ['<rootDir>/test/fixtures/suite/leaky.fixture.mjs'],
    transform: {},
  });
  const jest = spawn(process.execPath, ['--experimental-vm-modules', join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--forceExit', '--config', config], {
    cwd: repoRoot,
    env: { ...process.env, LEAK_PID_FILE: pidFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  jest.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  try {
    const code = await new Promise<number | null>((ok) => jest.once('exit', ok));
    expect(code).toBe(1);
    expect(stderr).toMatch(/Exceeded timeout of 1000 ms/);
    expect(stderr).toMatch(/reap: .*leaky\.fixture\.mjs left 1 process\(es\) running/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    // SIGKILLed by the worker's teardown; jest's exit can come before the kernel has it gone
    // (alive() counts a zombie, not yet reaped by whoever inherited it, as gone).
    expect(await until(() => !alive(pid), 10_000)).toBe(true);
  } finally {
    if (jest.exitCode === null) jest.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

test("the project's testTimeout (jest.config.js) applies, not jest's 5 s default", async () => {
  // Runs in the integration project: 60 s. Under the default this test would fail at 5 s.
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 5500));
  expect(Date.now() - t0).toBeGreaterThanOrEqual(5500);
});
