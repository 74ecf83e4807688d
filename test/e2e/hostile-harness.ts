// Shared by the hostile-case tables (hostile.test.ts, hostile-yaml.test.ts): a sidecar per tool
// set, repos written under a scratch dir, and every call reduced to the code it answered with.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { alive, baseEnv, callGenerate, cliPath, type CallOptions, type Sidecar } from '../helpers/sidecar.js';

/** Limits small enough that every bound is reached in milliseconds. */
export const HOSTILE_LIMITS = {
  repoBytes: 4 * 1024 * 1024,
  repoFiles: 2000,
  fileBytes: 1024 * 1024,
  pathDepth: 16,
  manifestBytes: 1024 * 1024,
  resources: 200,
  uploadIdleTimeout: 1000,
  concurrency: 4,
  queue: 4,
};

export const hostileConfig = (extra: Partial<typeof HOSTILE_LIMITS> = {}): string =>
  `apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  limits:\n${Object.entries({ ...HOSTILE_LIMITS, ...extra })
    .map(([k, v]) => `    ${k}: ${k === 'uploadIdleTimeout' ? `${v}ms` : v}`)
    .join('\n')}\n`;

/** A scratch dir for one test file's repos. */
export class Scratch {
  private dir: string | undefined;
  private n = 0;

  /** The dir, made on first use (a skipped suite leaves nothing behind). */
  get root(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'syncgate-hostile-'));
    return this.dir;
  }

  /** Writes a repo of `files` and returns its root. */
  repo(files: Record<string, string | Buffer>): string {
    const root = join(this.root, `repo-${++this.n}`);
    mkdirSync(root, { recursive: true });
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    return root;
  }

  /** Writes an executable script. */
  script(name: string, body: string): string {
    const p = join(this.root, name);
    writeFileSync(p, body);
    chmodSync(p, 0o755);
    return p;
  }

  remove(): void {
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The code a sidecar answered: `CODE` of `CODE: message`, REFUSED for a policy refusal, OK for manifests. */
export async function codeOf(s: Sidecar, dir: string, opts: CallOptions = {}): Promise<string> {
  try {
    await callGenerate(s.socket, dir, { env: baseEnv({ sourcePath: opts.appRelPath ?? '.' }), ...opts });
    return 'OK';
  } catch (e) {
    const se = e as ServiceError;
    if (se.code !== status.UNKNOWN) return `grpc ${status[se.code]}`;
    if (se.details.startsWith('syncgate refused the render')) return 'REFUSED';
    return /^([A-Z][A-Z0-9_]+): /.exec(se.details)?.[1] ?? `unparsed: ${se.details.slice(0, 200)}`;
  }
}

/** The code a CLI run printed (`CODE: message` on stderr), or `exit N` when none. */
export function cliCode(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: Record<string, string> } = {}): string {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    input: opts.input,
    cwd: opts.cwd,
    env: { PATH: `${join(process.cwd(), '.tools', 'bin')}:${process.env['PATH'] ?? ''}`, HOME: tmpdir(), ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /^([A-Z][A-Z0-9_]+): /m.exec(r.stderr);
  return m?.[1] ?? `exit ${String(r.status)}`;
}

/** Polls until `cond` holds or `ms` pass. */
export async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  return cond();
}

/** Pids written one per line by fake tools; all must be gone. */
export async function allGone(pidFile: string, ms = 5000): Promise<number[]> {
  let pids: number[] = [];
  try {
    pids = readFileSync(pidFile, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  await until(() => pids.every((p) => !alive(p)), ms);
  return pids.filter((p) => alive(p));
}

/** Starts a CLI process (for signal tests); the caller kills it. */
export function startCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): ReturnType<typeof spawn> {
  return spawn(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd,
    env: { PATH: `${join(process.cwd(), '.tools', 'bin')}:${process.env['PATH'] ?? ''}`, HOME: tmpdir(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
