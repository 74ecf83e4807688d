import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { formatArgv, run } from '../exec/index.js';
import type { Logger } from '../log/index.js';
import { detectSourceType, type SourceType } from '../render/index.js';
import { isSyncgateCommand, type PluginConfig } from './plugin-config.js';

const MANIFEST = /\.(ya?ml|json)$/i;

/**
 * What `syncgate discover` prints for a dir: its type when syncgate can render it (a chart, a
 * kustomization, or a dir with at least one YAML/JSON file), undefined otherwise.
 */
export async function discoverApp(appDir: string): Promise<SourceType | undefined> {
  const type = detectSourceType(appDir);
  if (type !== 'directory') return type;
  const entries = await readdir(appDir, { withFileTypes: true }).catch(() => []);
  return entries.some((e) => (e.isFile() || e.isSymbolicLink()) && MANIFEST.test(e.name)) ? 'directory' : undefined;
}

/** CheckPluginConfiguration's `isDiscoveryConfigured` (§3.8). */
export function isDiscoveryConfigured(cfg: PluginConfig): boolean {
  const d = cfg.spec.discover;
  return d.fileName !== '' || d.find.glob !== '' || d.find.command.length > 0;
}

/** Go filepath.Glob(appDir/pattern): one level per `/` segment, `*` never crosses `/`, dotfiles match. */
async function globSingleLevel(appDir: string, pattern: string): Promise<boolean> {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  let dirs = [appDir];
  for (const [i, seg] of segments.entries()) {
    const isMatch = picomatch(seg, { dot: true, noglobstar: true, nobrace: true, noextglob: true });
    const next: string[] = [];
    for (const d of dirs) {
      const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (!isMatch(e.name)) continue;
        if (i === segments.length - 1) return true;
        if (e.isDirectory()) next.push(join(d, e.name));
      }
    }
    dirs = next;
  }
  return false;
}

/** zglob.Glob(appDir/glob): `**` crosses directories; symlinked dirs are not followed. */
async function globRecursive(appDir: string, pattern: string): Promise<boolean> {
  const isMatch = picomatch(pattern.replace(/^\.\//, ''), { dot: true });
  const walk = async (d: string): Promise<boolean> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = join(d, e.name);
      if (isMatch(relative(appDir, full).split(sep).join('/'))) return true;
      if (e.isDirectory() && (await walk(full))) return true;
    }
    return false;
  };
  return walk(appDir);
}

/** Options of a discovery call. */
export interface MatchOptions {
  deadline?: number;
  signal?: AbortSignal;
  /** The request env (added to the sidecar's own env for a find.command, as argocd-cmp-server does). */
  env?: Readonly<Record<string, string>>;
  logger?: Logger;
}

function processEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

/**
 * MatchRepository (§3.6): only the first configured rule counts — fileName (single-level glob),
 * find.glob (`**`), find.command (run in the app dir; `syncgate discover` is evaluated
 * in-process, so the warm server spawns nothing). No rule: not supported, discovery disabled.
 */
export async function matchRepository(
  appDir: string,
  cfg: PluginConfig,
  opts: MatchOptions = {},
): Promise<{ isSupported: boolean; isDiscoveryEnabled: boolean }> {
  const d = cfg.spec.discover;
  if (d.fileName !== '') return { isSupported: await globSingleLevel(appDir, d.fileName), isDiscoveryEnabled: true };
  if (d.find.glob !== '') return { isSupported: await globRecursive(appDir, d.find.glob), isDiscoveryEnabled: true };
  if (d.find.command.length === 0) return { isSupported: false, isDiscoveryEnabled: false };
  if (isSyncgateCommand(d.find, 'discover')) {
    return { isSupported: (await discoverApp(appDir)) !== undefined, isDiscoveryEnabled: true };
  }
  const [file, ...rest] = [...d.find.command, ...d.find.args];
  try {
    const { stdout } = await run({
      file: file ?? '',
      args: rest,
      cwd: appDir,
      env: processEnv(opts.env ?? {}),
      ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      maxStdout: 1024 * 1024,
    });
    return { isSupported: stdout.replace(/\n$/, '') !== '', isDiscoveryEnabled: true };
  } catch (e) {
    if (isSyncgateError(e, 'EXEC_FAILED') || isSyncgateError(e, 'EXEC_TOOL_MISSING')) {
      throw new SyncgateError(
        'CMP_DISCOVER_FAILED',
        `match repository error: error running find command: ${formatArgv(file ?? '', rest)}: ${e.message}`,
        { cause: e, details: e.details },
      );
    }
    throw e;
  }
}
