import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SyncgateError } from '../errors/index.js';

/** True when `p` is `root` or below it (both already real, absolute paths). */
export function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of `p`, or undefined when it (or a link on the way) does not exist. */
export function realPathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** A path as messages show it: relative to the repo root, `/`-separated. */
export function displayPath(repoRoot: string, p: string): string {
  const rel = relative(repoRoot, p).split(sep).join('/');
  return rel === '' ? '.' : rel;
}

/**
 * Resolves a path the app gave (values file, kustomize resource) against `baseDir` and returns
 * its real path, refusing absolute paths, `..` escapes and symlinks that leave the repo root.
 * `what` names the path in messages (e.g. `values file`).
 */
export function resolveInsideRepo(repoRoot: string, baseDir: string, p: string, what: string): string {
  if (p === '') throw new SyncgateError('RENDER_PATH_NOT_FOUND', `${what}: empty path`);
  if (isAbsolute(p)) {
    throw new SyncgateError(
      'RENDER_PATH_OUTSIDE_REPO',
      `${what} ${p}: absolute paths are not allowed, use a relative path`,
      { details: { path: p } },
    );
  }
  const lexical = resolve(baseDir, p);
  if (!isInside(repoRoot, lexical)) {
    throw new SyncgateError('RENDER_PATH_OUTSIDE_REPO', `${what} ${p}: resolves outside the repo root`, {
      details: { path: p },
    });
  }
  let real: string;
  try {
    real = realpathSync.native(lexical);
  } catch {
    throw new SyncgateError('RENDER_PATH_NOT_FOUND', `${what} ${p}: no such file or directory`, { details: { path: p } });
  }
  if (!isInside(repoRoot, real)) {
    throw new SyncgateError('RENDER_PATH_OUTSIDE_REPO', `${what} ${p}: is a symlink that resolves outside the repo root`, {
      details: { path: p },
    });
  }
  return real;
}
