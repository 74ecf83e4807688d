import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/**
 * A spare launcher (src/exec/launcher/launcher.c): a small process started while the server is
 * idle that becomes the next tool when it is sent the tool's cwd, argv and env. Node's spawn()
 * forks the whole server (its page tables) and blocks the event loop until the child has exec'd:
 * 2-3 ms of every request of a long-lived sidecar. The launcher moves that fork off the request.
 *
 * Only long-lived servers keep a spare (`keepSpareLauncher`); a one-shot command spawns directly.
 * A tool started through the launcher has the same pid, process group, session, env, cwd, stdio,
 * signal dispositions and rlimits as one spawned directly (test/unit/exec/launcher.test.ts).
 */

// Must match PROTOCOL in launcher.c (a launcher from another build refuses the request: EPROTO).
const PROTOCOL = 'syncgate-launcher/1';
// After a run, when the next spare is started: after the reply has gone out, before most next requests.
const SPARE_AFTER_MS = 20;

let binary: string | undefined;
/** The idle launcher, and what forgets it should it die idle. */
let spare: { child: ChildProcess; forget: () => void; broken: () => void } | undefined;
let spareTimer: NodeJS.Timeout | undefined;

/** One tool as the launcher receives it. */
export interface Launch {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
}

/**
 * From now on, keep one idle launcher ready (`path`: the syncgate-launcher binary); `undefined`
 * stops doing so and kills the idle one.
 */
export function keepSpareLauncher(path: string | undefined): void {
  binary = path;
  if (path === undefined) {
    stopSpareLauncher();
    return;
  }
  startSpare();
}

/** Kills the idle launcher, if any (exit paths). A running tool's launcher is a run, not a spare. */
export function stopSpareLauncher(): void {
  clearTimeout(spareTimer);
  spareTimer = undefined;
  const s = spare?.child;
  spare = undefined;
  if (s?.pid !== undefined && s.exitCode === null && s.signalCode === null) {
    try {
      process.kill(s.pid, 'SIGKILL'); // not reaped yet: the pid is still this child's
    } catch {
      // already gone
    }
  }
}

/** The pid of the idle launcher, when one is ready. */
export function spareLauncherPid(): number | undefined {
  return spare?.child.pid;
}

function startSpare(): void {
  clearTimeout(spareTimer);
  spareTimer = undefined;
  if (binary === undefined || spare !== undefined) return;
  let child: ChildProcess;
  try {
    child = spawn(binary, [], {
      cwd: '/',
      env: {},
      shell: false,
      // Idle, it stays in the server's process group; it starts the tool's session itself, right
      // before the exec (as spawn()'s `detached` does in the child).
      detached: false,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch {
    binary = undefined; // not startable (spawn() threw): tools are spawned directly from now on
    return;
  }
  const forget = (): void => {
    if (spare?.child === child) spare = undefined;
  };
  const broken = (): void => {
    forget();
    binary = undefined; // not startable (an 'error' event): the same
  };
  child.once('error', broken);
  child.once('exit', forget);
  // Idle, it must not keep a finishing process alive: neither it nor its pipes.
  child.unref();
  for (const pipe of child.stdio) (pipe as Socket | null)?.unref();
  if (child.pid !== undefined) spare = { child, forget, broken };
}

/** After a run: a spare for the next one, off the reply's path. */
export function replaceSpareLater(): void {
  if (binary === undefined || spare !== undefined || spareTimer !== undefined) return;
  spareTimer = setTimeout(startSpare, SPARE_AFTER_MS);
  spareTimer.unref();
}

function encodable(l: Launch): boolean {
  const ok = (s: string): boolean => !s.includes('\0');
  return (
    l.file.startsWith('/') &&
    ok(l.file) &&
    ok(l.cwd) &&
    l.args.every(ok) &&
    Object.entries(l.env).every(([k, v]) => ok(k) && ok(v))
  );
}

/**
 * Hands `l` to the idle launcher, which becomes the tool. Returns undefined when there is none
 * ready or `l` needs what only spawn() does (a PATH search, its own argument checks): spawn it.
 * `started` resolves once the tool has exec'd, or to the error spawn() would have reported.
 */
export function launch(l: Launch): { child: ChildProcess; started: Promise<NodeJS.ErrnoException | undefined> } | undefined {
  if (spare === undefined || !encodable(l)) return undefined;
  const { child, forget, broken } = spare;
  if (child.exitCode !== null || child.signalCode !== null) return undefined;
  spare = undefined;
  child.off('exit', forget);
  child.off('error', broken);
  child.ref();
  for (const pipe of child.stdio) (pipe as Socket | null)?.ref();
  const ctl = child.stdio[3] as Socket;
  const started = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    let reply = '';
    ctl.setEncoding('utf8');
    ctl.on('data', (s: string) => (reply += s));
    ctl.on('error', () => undefined); // the launcher gone: its exit reports it
    ctl.once('close', () => {
      const errno = Number.parseInt(reply, 10);
      if (reply === '' || !Number.isInteger(errno)) return resolve(undefined);
      const code = getSystemErrorName(-errno);
      resolve(Object.assign(new Error(`spawn ${l.file} ${code}`), { code, errno: -errno, syscall: `spawn ${l.file}`, path: l.file }));
    });
  });
  const fields = [PROTOCOL, l.cwd, l.file, String(l.args.length + 1), l.file, ...l.args, ...Object.entries(l.env).map(([k, v]) => `${k}=${v}`)];
  ctl.end(`${fields.join('\0')}\0`);
  return { child, started };
}
