import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncgateError } from '../errors/index.js';

/**
 * Base folder for per-request work dirs. In the sidecar this is a memory-backed emptyDir
 * (`/tmp`), so decrypted files written there never reach persistent disk.
 */
export function workBase(): string {
  return process.env['SYNCGATE_WORKDIR'] ?? tmpdir();
}

// Work dirs this process holds now: a signal handler removes them before the process exits.
const live = new Set<string>();

/**
 * Creates a fresh 0700 work dir for one request, named `<prefix><pid>-XXXXXX` so a later start
 * can tell its own leftovers from another live process's dirs. Synchronous: one mkdir, where the
 * thread-pool round trip of `mkdtemp` cost the sidecar 0.39 ms per request.
 */
export function createWorkDir(prefix = 'syncgate-'): string {
  const dir = mkdtempSync(join(workBase(), `${prefix}${process.pid}-`));
  live.add(dir);
  return dir;
}

/** Removes a work dir; never throws. */
export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  live.delete(dir);
}

/** Removes a work dir now, on the calling thread (small dirs, and exit paths); never throws. */
export function removeWorkDirSync(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // a leftover is reported by the next start-up's sweep
  }
  live.delete(dir);
}

/** Removes every work dir this process still holds (signal handlers, before exit). */
export function removeLiveWorkDirs(): number {
  const dirs = [...live];
  for (const d of dirs) removeWorkDirSync(d);
  return dirs.length;
}

const OWNED = /^syncgate-(?:[a-z]+-)?(\d+)-[A-Za-z0-9]{6}$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the request dirs a crashed or SIGKILLed predecessor left in the work dir (an emptyDir
 * survives container restarts, and may hold decrypted values): every `syncgate-[kind-]<pid>-XXXXXX`
 * dir whose pid is dead or is this process's own (a restarted container reuses its pids). Dirs of
 * other live processes sharing the folder are left alone. Returns the names removed.
 */
export function removeStaleWorkDirs(base = workBase()): string[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = OWNED.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    rmSync(join(base, name), { recursive: true, force: true, maxRetries: 3 });
    removed.push(name);
  }
  return removed;
}

/** The page a tmpfs charges for the smallest entry. */
const PAGE = 4096;
/** What one request may hold in the work dir at most: its content, plus a page per entry for rounding. */
export function repoWorkBytes(limits: { repoBytes: number; repoFiles: number }): number {
  return limits.repoBytes + limits.repoFiles * PAGE;
}

/**
 * Memory the sidecar itself needs at rest. bench/cmp.mjs measures its RSS after 1,000 requests
 * (50 MB repos among them): 106–113 MiB on Node 20, 146–167 MiB on the image's Node 24. The
 * little above this that Node 24 may keep is within REQUEST_RSS's slack (measured growth per
 * in-flight request: under 3 MiB).
 */
export const BASE_RSS = 160 * 1024 ** 2;
/** Sidecar memory one in-flight request may add (bench/cmp.mjs measures it). */
export const REQUEST_RSS = 32 * 1024 ** 2;
/** Memory one render tool (helm, kustomize) may take beside it, in the same container. */
export const TOOL_RSS = 64 * 1024 ** 2;
// statfs f_type of a tmpfs (linux/magic.h): an emptyDir with medium Memory.
const TMPFS_MAGIC = 0x01021994;

/** What the start-up check looked at. */
export interface WorkCapacity {
  base: string;
  /** concurrency × repoWorkBytes. */
  needBytes: number;
  freeBytes: number;
  memoryBacked: boolean;
  /** The container's memory limit, when there is one. */
  memoryLimit?: number;
  /** What the limits may take of it: BASE_RSS + concurrency × (REQUEST_RSS + TOOL_RSS) (+ the work dir when memory-backed). */
  memoryNeed: number;
}

/** The cgroup memory limit (SYNCGATE_MEMORY_LIMIT overrides it; "unlimited" is undefined). */
export function memoryLimit(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const forced = env['SYNCGATE_MEMORY_LIMIT'];
  if (forced !== undefined && forced !== '') return Number(forced);
  const l = process.constrainedMemory();
  // cgroup v1 reports "unlimited" as a page-rounded 2^63, v2 as 2^64 - 1: both mean none.
  return l > 0 && l < 2 ** 60 ? l : undefined;
}

/**
 * Start-up check of the sidecar's limits against where they land: `concurrency` repos of
 * `repoWorkBytes` must fit the free space of the work dir, and, when it is memory-backed, the
 * memory limit too, beside the sidecar and its tools. Throws CONFIG_LIMITS_UNFIT with the sums.
 */
export function checkWorkCapacity(
  limits: { repoBytes: number; repoFiles: number; concurrency: number },
  base = workBase(),
  env: NodeJS.ProcessEnv = process.env,
): WorkCapacity {
  const st = statfsSync(base);
  const needBytes = limits.concurrency * repoWorkBytes(limits);
  const freeBytes = st.bavail * st.bsize;
  const memoryBacked = st.type === TMPFS_MAGIC;
  const limit = memoryLimit(env);
  const memoryNeed = BASE_RSS + limits.concurrency * (REQUEST_RSS + TOOL_RSS) + (memoryBacked ? needBytes : 0);
  const mib = (n: number): string => `${Math.round(n / 1024 ** 2)} MiB`;
  const sum = `limits.concurrency ${limits.concurrency} × (repoBytes ${mib(limits.repoBytes)} + repoFiles ${limits.repoFiles} × 4 KiB) = ${mib(needBytes)}`;
  if (needBytes > freeBytes) {
    throw new SyncgateError('CONFIG_LIMITS_UNFIT', `${sum} does not fit the ${mib(freeBytes)} free in the work dir ${base}: lower the limits or grow the volume`);
  }
  if (limit !== undefined && memoryNeed > limit) {
    throw new SyncgateError(
      'CONFIG_LIMITS_UNFIT',
      `${memoryBacked ? `${sum} in the memory-backed work dir ${base}, ` : ''}plus ${mib(BASE_RSS)} for the sidecar and ${limits.concurrency} × ${mib(REQUEST_RSS + TOOL_RSS)} per request and its tool = ${mib(memoryNeed)}, more than the memory limit of ${mib(limit)}: lower the limits or raise the memory limit`,
    );
  }
  return { base, needBytes, freeBytes, memoryBacked, ...(limit !== undefined ? { memoryLimit: limit } : {}), memoryNeed };
}
