import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { killMarked, RUN_TOKEN_VAR, sweepFloor } from '../../../src/exec/sweep.js';

describe('sweepFloor: which pids a sweep for a tool has to read', () => {
  test('pids not wrapped since the tool started: only the ones above the tool', () => {
    expect(sweepFloor(28_000, 28_050)).toBe(28_000);
    expect(sweepFloor(28_000, 28_000)).toBe(28_000);
    // pid_max 32768 (the kernel default): a tool near the top is still read from its own pid on.
    expect(sweepFloor(32_700, 32_760)).toBe(32_700);
  });

  test('pids wrapped (the last one is below the tool): every process', () => {
    expect(sweepFloor(32_700, 310)).toBe(0);
    expect(sweepFloor(4_000_000, 12)).toBe(0);
  });

  test('no last pid (no procfs) or no tool pid: every process', () => {
    expect(sweepFloor(28_000, undefined)).toBe(0);
    expect(sweepFloor(0, 28_050)).toBe(0);
  });
});

describe('killMarked', () => {
  const alive = (pid: number): boolean => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const until = async (f: () => boolean, ms = 5_000): Promise<boolean> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (f()) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return f();
  };

  test('kills the marked processes started after the floor pid, and nothing unmarked', async () => {
    const token = `t-${process.pid}-${Date.now()}`;
    const marked = spawn('sleep', ['300'], { env: { PATH: '/usr/bin:/bin', [RUN_TOKEN_VAR]: token }, stdio: 'ignore', detached: true });
    const other = spawn('sleep', ['300'], { env: { PATH: '/usr/bin:/bin', [RUN_TOKEN_VAR]: `${token}-other` }, stdio: 'ignore', detached: true });
    try {
      const pid = marked.pid as number;
      expect(killMarked(token, pid - 1)).toBe(1);
      expect(await until(() => !alive(pid))).toBe(true);
      expect(alive(other.pid as number)).toBe(true);
    } finally {
      marked.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });
});
