import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { SyncgateError } from '../errors/index.js';
import { Redactor } from '../log/redact.js';
import { launch, replaceSpareLater, stopSpareLauncher } from './launcher.js';
import { killMarked, lastPid, RUN_TOKEN_VAR } from './sweep.js';

/** What to run. Commands never go through a shell. */
export interface RunOptions {
  /** Absolute path or name of the binary. */
  file: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child (nothing is inherited). */
  env: Readonly<Record<string, string>>;
  /** Absolute deadline (ms since epoch). */
  deadline?: number;
  /** Cancellation from the caller (gRPC cancel, client disconnect). */
  signal?: AbortSignal;
  /** Bytes of stdout kept before the run fails with EXEC_OUTPUT_LIMIT. */
  maxStdout?: number;
  /** Bytes of stderr kept (a tail); more is dropped, not an error. */
  maxStderr?: number;
  /** Data written to stdin (default: none, stdin is /dev/null). */
  input?: string | Buffer;
  /** Masks secrets in the stderr tail and argv carried by errors. */
  redactor?: Redactor;
  /** Grace period between SIGTERM and SIGKILL (default {@link KILL_GRACE_MS}). */
  killGraceMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** SIGTERM → SIGKILL grace of a tool that has to stop. */
export const KILL_GRACE_MS = 500;
/**
 * How long before a caller's deadline its tools must be stopped so the coded EXEC_TIMEOUT still
 * reaches it: the SIGKILL grace, the sweep of escaped descendants, the pipes' close and the reply.
 */
export const DEADLINE_MARGIN_MS = 1000;
// After the tool exits, how long its pipes may stay open (a descendant holding them) before the
// escaped processes are swept, and how long after that before the pipes are simply dropped.
const CLOSE_WAIT_MS = 50;
const CLOSE_GIVE_UP_MS = 200;
// After a successful run, when the escaped-descendant sweep runs: after the reply has gone out.
const SWEEP_AFTER_SUCCESS_MS = 100;

const DEFAULT_MAX_STDOUT = 64 * 1024 * 1024;
const DEFAULT_MAX_STDERR = 64 * 1024;

/** Error text of Argo CD's cmp server: argv joined, args with whitespace quoted. */
export function formatArgv(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (a === '' ? '""' : /\s|"/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

/**
 * Signals the tool's process group. A launched tool has none for the microseconds between the
 * launcher's wake-up and its setsid: while the tool is not reaped (its pid still ours), signal it.
 */
function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // group already gone, or not there yet
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(pid, sig);
    } catch {
      // gone
    }
  }
}

/**
 * A running tool: its token, and the pid its descendants' pids follow (the sweep reads only
 * higher ones until pids wrap): its own when spawned; for a launched tool, the last pid handed
 * out when it was launched (the launcher's own pid may be much older).
 */
interface Live {
  child: ChildProcess;
  token: string;
  since: number | undefined;
}

// Tools running now, by pid: a signal handler kills them all before exit.
const live = new Map<number, Live>();

/**
 * Kills every running tool, its process group and every process carrying its token, and the idle
 * launcher (exit paths).
 */
export function killAllRuns(): number {
  stopSpareLauncher();
  const runs = [...live.values()];
  for (const { child, token, since } of runs) {
    killGroup(child, 'SIGKILL');
    killMarked(token, since);
  }
  live.clear();
  return runs.length;
}
process.on('exit', () => killAllRuns());

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: NodeJS.ErrnoException;
}

/** Resolves when the tool exited and its pipes closed, sweeping whatever outlives it. */
function waitForTool({ child, token, since }: Live): Promise<Outcome> {
  return new Promise((resolve) => {
    let exit: Outcome | undefined;
    let timer: NodeJS.Timeout | undefined;
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, error: e });
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // The tool is gone: its process group goes with it (a background child it left).
      killGroup(child, 'SIGKILL');
      timer = setTimeout(() => {
        // Still a pipe open: a descendant that left the group (setsid) holds it.
        killMarked(token, since);
        timer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          resolve(exit ?? { code, signal });
        }, CLOSE_GIVE_UP_MS);
      }, CLOSE_WAIT_MS);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve(exit ?? { code, signal });
    });
  });
}

/**
 * Runs one tool: own process group, scrubbed env plus a per-run token, deadline and
 * cancellation that kill the whole group (SIGTERM, then SIGKILL after the grace period), and
 * every process carrying the token (descendants that left the group with setsid), capped
 * stdout/stderr. Throws a coded SyncgateError carrying argv, cwd, exit code, signal, timed-out
 * flag, duration and a redacted stderr tail.
 */
export async function run(opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const maxStdout = opts.maxStdout ?? DEFAULT_MAX_STDOUT;
  const maxStderr = opts.maxStderr ?? DEFAULT_MAX_STDERR;
  const redactor = opts.redactor ?? new Redactor();
  const grace = opts.killGraceMs ?? KILL_GRACE_MS;
  const argv = formatArgv(opts.file, opts.args);

  if (opts.signal?.aborted) {
    throw new SyncgateError('EXEC_CANCELLED', `${redactor.mask(argv)}: cancelled before start`);
  }
  const remaining = opts.deadline === undefined ? undefined : opts.deadline - started;
  if (remaining !== undefined && remaining <= 0) {
    throw new SyncgateError('EXEC_TIMEOUT', `${redactor.mask(argv)}: deadline exceeded before start`, {
      details: { argv: redactor.mask(argv), cwd: opts.cwd, timedOut: true, durationMs: 0 },
    });
  }

  // Every process the tool starts inherits the token, unless it clears its env on purpose.
  const token = randomUUID();
  const env = { ...opts.env, [RUN_TOKEN_VAR]: token };
  // The idle launcher becomes the tool when there is one (a long-lived server keeps one ready).
  const launched = opts.input === undefined ? launch({ file: opts.file, args: opts.args, cwd: opts.cwd, env }) : undefined;
  let child: ChildProcess;
  try {
    child =
      launched?.child ??
      spawn(opts.file, [...opts.args], {
        cwd: opts.cwd,
        env,
        shell: false,
        detached: true, // own process group, so a deadline kills grandchildren too
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
  } catch (e) {
    throw new SyncgateError('EXEC_FAILED', `\`${redactor.mask(argv)}\` cannot start: ${(e as Error).message}`, {
      cause: e,
      details: { argv: redactor.mask(argv), cwd: opts.cwd },
    });
  }
  const pid = child.pid;
  const tool: Live = { child, token, since: launched === undefined ? pid : lastPid() };
  if (pid !== undefined) live.set(pid, tool);
  const done = waitForTool(tool);

  let reason: 'timeout' | 'cancel' | 'stdout-limit' | undefined;
  let termTimer: NodeJS.Timeout | undefined;
  const stop = (why: typeof reason): void => {
    if (reason !== undefined) return;
    reason = why;
    killGroup(child, 'SIGTERM');
    termTimer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      killMarked(token, tool.since);
    }, grace);
  };

  const deadlineTimer = remaining === undefined ? undefined : setTimeout(() => stop('timeout'), remaining);
  const onAbort = (): void => stop('cancel');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const out: Buffer[] = [];
  let outBytes = 0;
  child.stdout?.on('data', (b: Buffer) => {
    if (reason === 'stdout-limit') return;
    outBytes += b.length;
    if (outBytes > maxStdout) {
      stop('stdout-limit');
      return;
    }
    out.push(b);
  });
  const errParts: Buffer[] = [];
  let errBytes = 0;
  child.stderr?.on('data', (b: Buffer) => {
    errParts.push(b);
    errBytes += b.length;
    while (errBytes - (errParts[0]?.length ?? 0) >= maxStderr && errParts.length > 1) errBytes -= errParts.shift()?.length ?? 0;
  });
  if (opts.input !== undefined && child.stdin) {
    child.stdin.on('error', () => undefined); // a tool that exits without reading its input
    child.stdin.end(opts.input);
  }

  const exited = await done;
  // A launcher that could not exec reports spawn()'s error (it exits 127 after).
  const launchError = await launched?.started;
  const result: Outcome = launchError === undefined ? exited : { code: null, signal: null, error: launchError };
  replaceSpareLater();
  if (deadlineTimer) clearTimeout(deadlineTimer);
  if (termTimer) clearTimeout(termTimer);
  opts.signal?.removeEventListener('abort', onAbort);
  if (pid !== undefined) live.delete(pid);
  // A clean run leaves nothing behind in the group (swept at exit); whatever left the group is
  // swept now on failure, and a moment later (off the reply's path) when the tool succeeded.
  if (reason !== undefined || result.code !== 0) killMarked(token, tool.since);
  else setTimeout(() => killMarked(token, tool.since), SWEEP_AFTER_SUCCESS_MS).unref();

  const durationMs = Date.now() - started;
  const errAll = Buffer.concat(errParts);
  // A tail cut inside a secret keeps only its end, which the mask cannot recognise: when the tail
  // was cut, drop its partial first line.
  const cut = errAll.length > maxStderr;
  const errTail = errAll.subarray(Math.max(0, errAll.length - maxStderr));
  const kept = cut ? errTail.subarray(errTail.indexOf(10) + 1 || errTail.length) : errTail;
  const stderr = redactor.mask(kept.toString('utf8'));
  const tail = stderr.trim().split('\n').slice(-20).join('\n');
  const details = {
    argv: redactor.mask(argv),
    cwd: opts.cwd,
    exitCode: result.code ?? undefined,
    signal: result.signal ?? undefined,
    timedOut: reason === 'timeout',
    durationMs,
    stderrTail: tail,
  };
  const maskedArgv = details.argv;
  if (reason === 'timeout') {
    throw new SyncgateError('EXEC_TIMEOUT', `\`${maskedArgv}\` timed out after ${durationMs}ms`, { details });
  }
  if (reason === 'cancel') {
    throw new SyncgateError('EXEC_CANCELLED', `\`${maskedArgv}\` cancelled after ${durationMs}ms`, { details });
  }
  if (reason === 'stdout-limit') {
    throw new SyncgateError('EXEC_OUTPUT_LIMIT', `\`${maskedArgv}\` wrote more than ${maxStdout} bytes`, { details });
  }
  if (result.error !== undefined) {
    if (result.error.code === 'ENOENT') {
      throw new SyncgateError('EXEC_TOOL_MISSING', `${opts.file}: not found (run scripts/tools.sh)`, { details });
    }
    throw new SyncgateError('EXEC_FAILED', `\`${maskedArgv}\` cannot start: ${result.error.code ?? result.error.message}`, { details });
  }
  if (result.code !== 0) {
    const cause = result.signal ? `signal: ${result.signal}` : `exit status ${result.code ?? '?'}`;
    throw new SyncgateError('EXEC_FAILED', `\`${maskedArgv}\` failed ${cause}${tail ? `: ${tail}` : ''}`, { details });
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr, durationMs };
}
