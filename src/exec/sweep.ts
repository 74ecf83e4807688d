import { readdirSync, readFileSync } from 'node:fs';

/** The env var that marks every process a tool run starts (its value is the run's token). */
export const RUN_TOKEN_VAR = 'SYNCGATE_RUN_TOKEN';

let pidMax: number | undefined;
function maxPid(): number {
  if (pidMax === undefined) {
    try {
      pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 4_194_304;
    } catch {
      pidMax = 4_194_304;
    }
  }
  return pidMax;
}
// When the tool's pid is this close to pid_max, its descendants may get wrapped-around pids.
const WRAP_MARGIN = 100_000;

/**
 * SIGKILLs every process whose environment carries `token`: the descendants of a tool that left
 * its process group (setsid, a double fork) and so escape a group kill. Node has no subreaper
 * (prctl) and a container's cgroup is rarely writable, so /proc is the one place to find them;
 * a process can only hide by clearing its own env, which render tools do not do. Descendants are
 * younger than the tool, so with `sincePid` (the tool's pid) only processes with a higher pid are
 * read, unless pids may have wrapped: a sweep then reads a handful of files instead of every
 * process's env. Returns how many were killed.
 */
export function killMarked(token: string, sincePid = 0): number {
  const floor = sincePid > maxPid() - WRAP_MARGIN ? 0 : sincePid;
  const needle = Buffer.from(`${RUN_TOKEN_VAR}=${token}\0`);
  let killed = 0;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return 0; // no procfs (not Linux): the group kill is all there is
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (pid < floor || pid === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue; // gone, or another user's
    }
    if (env.indexOf(needle) < 0) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
