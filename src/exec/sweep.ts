import { readdirSync, readFileSync } from 'node:fs';

/** The env var that marks every process a tool run starts (its value is the run's token). */
export const RUN_TOKEN_VAR = 'SYNCGATE_RUN_TOKEN';

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The last pid the kernel handed out in this pid namespace (undefined without procfs). */
export function lastPid(): number | undefined {
  return readNumber('/proc/sys/kernel/ns_last_pid');
}

/**
 * The lowest pid a sweep for a tool started as `sincePid` has to read, given the last pid the
 * kernel handed out (`lastPid`, /proc/sys/kernel/ns_last_pid). Pids are handed out in increasing
 * order and wrap at pid_max, so while the last one is still at or above the tool's, every process
 * the tool started has a higher pid than the tool; once they wrapped (the last is below the
 * tool's) a descendant may have any pid and the sweep reads every process. Without `lastPid`
 * (no procfs) the sweep reads every process too.
 */
export function sweepFloor(sincePid: number, lastPid: number | undefined): number {
  return lastPid !== undefined && sincePid > 0 && lastPid >= sincePid ? sincePid : 0;
}

/**
 * SIGKILLs every process whose environment carries `token`: the descendants of a tool that left
 * its process group (setsid, a double fork) and so escape a group kill. Node has no subreaper
 * (prctl) and a container's cgroup is rarely writable, so /proc is the one place to find them;
 * a process can only hide by clearing its own env, which render tools do not do. Descendants are
 * younger than the tool, so with `sincePid` (the tool's pid) only processes with a higher pid are
 * read (see {@link sweepFloor}): a sweep then reads a handful of files instead of every process's
 * env. Returns how many were killed.
 */
export function killMarked(token: string, sincePid = 0): number {
  // Read before the listing: a pid handed out after this is higher still, and so read.
  const floor = sweepFloor(sincePid, lastPid());
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
