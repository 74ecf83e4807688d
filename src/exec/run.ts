import { execa } from 'execa';
import { SyncgateError } from '../errors/index.js';
import { Redactor } from '../log/redact.js';

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
  /** Grace period between SIGTERM and SIGKILL to the process group. */
  killGraceMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

const DEFAULT_MAX_STDOUT = 64 * 1024 * 1024;
const DEFAULT_MAX_STDERR = 64 * 1024;

/** Error text of Argo CD's cmp server: argv joined, args with whitespace quoted. */
export function formatArgv(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (a === '' ? '""' : /\s|"/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // group already gone
  }
}

// Process groups of running tools, one set per process (jest loads modules once per test file).
const RUNNING = Symbol.for('syncgate.exec.running');
const running = ((globalThis as Record<symbol, unknown>)[RUNNING] ??= new Set<number>()) as Set<number>;

/**
 * Kills (SIGKILL) the process group of every tool still running: for a process that is about to
 * end on a signal, whose tools run in their own groups and would outlive it.
 */
export function killRunningTools(): void {
  for (const pid of running) killGroup(pid, 'SIGKILL');
  running.clear();
}

/**
 * Runs one tool: own process group, scrubbed env, deadline and cancellation that kill the whole
 * group (SIGTERM, then SIGKILL after the grace period), capped stdout/stderr. Throws a coded
 * SyncgateError carrying argv, cwd, exit code, signal, timed-out flag, duration and a redacted
 * stderr tail.
 */
export async function run(opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const maxStdout = opts.maxStdout ?? DEFAULT_MAX_STDOUT;
  const maxStderr = opts.maxStderr ?? DEFAULT_MAX_STDERR;
  const redactor = opts.redactor ?? new Redactor();
  const grace = opts.killGraceMs ?? 2000;
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

  const child = execa(opts.file, [...opts.args], {
    cwd: opts.cwd,
    env: { ...opts.env },
    extendEnv: false,
    shell: false,
    detached: true, // own process group, so a deadline kills grandchildren too
    reject: false,
    stripFinalNewline: false,
    buffer: false,
    encoding: 'buffer',
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    cleanup: true,
    windowsHide: true,
  });

  if (child.pid !== undefined) running.add(child.pid);
  let reason: 'timeout' | 'cancel' | 'stdout-limit' | undefined;
  let termTimer: NodeJS.Timeout | undefined;
  const stop = (why: typeof reason): void => {
    if (reason !== undefined) return;
    reason = why;
    killGroup(child.pid, 'SIGTERM');
    termTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
    termTimer.unref();
  };

  const deadlineTimer = remaining === undefined ? undefined : setTimeout(() => stop('timeout'), remaining);
  const onAbort = (): void => stop('cancel');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const out: Buffer[] = [];
  let outBytes = 0;
  child.stdout.on('data', (b: Buffer) => {
    if (reason === 'stdout-limit') return;
    outBytes += b.length;
    if (outBytes > maxStdout) {
      stop('stdout-limit');
      return;
    }
    out.push(b);
  });
  let err = Buffer.alloc(0);
  let errCut = false;
  child.stderr.on('data', (b: Buffer) => {
    err = Buffer.concat([err, b]);
    if (err.length > maxStderr) {
      err = err.subarray(err.length - maxStderr);
      errCut = true;
    }
  });
  if (opts.input !== undefined) child.stdin?.end(opts.input);

  const result = await child;
  if (deadlineTimer) clearTimeout(deadlineTimer);
  opts.signal?.removeEventListener('abort', onAbort);
  // The leader may have exited while children of its group live on: sweep the group.
  killGroup(child.pid, 'SIGKILL');
  if (child.pid !== undefined) running.delete(child.pid);
  if (termTimer) clearTimeout(termTimer);

  const durationMs = Date.now() - started;
  // A tail cut inside a secret keeps only its end, which the mask cannot recognise: drop the
  // partial first line.
  const kept = errCut ? err.subarray(err.indexOf(10) + 1 || err.length) : err;
  const stderr = redactor.mask(kept.toString('utf8'));
  const tail = stderr.trim().split('\n').slice(-20).join('\n');
  const details = {
    argv: redactor.mask(argv),
    cwd: opts.cwd,
    exitCode: result.exitCode,
    signal: result.signal,
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
  if (result.failed || result.exitCode !== 0) {
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new SyncgateError('EXEC_TOOL_MISSING', `${opts.file}: not found (run scripts/tools.sh)`, { details });
    }
    const cause = result.signal ? `signal: ${result.signal}` : `exit status ${result.exitCode ?? '?'}`;
    throw new SyncgateError('EXEC_FAILED', `\`${maskedArgv}\` failed ${cause}${tail ? `: ${tail}` : ''}`, { details });
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr, durationMs };
}
