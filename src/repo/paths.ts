import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SyncgateError } from '../errors/index.js';

// One repo filesystem, in the spirit of fluxcd/pkg's securejoin and kustomize's root-only loader
// restrictor: every path the app names is resolved against its base, symlinks are followed to
// their real target, and the result must stay below the repo root. Every stage and door asks
// here; RENDER_PATH_OUTSIDE_REPO is the one code for "leaves the repo", RENDER_PATH_NOT_FOUND
// for a path that does not exist.

/**
 * True when `p` is `root` or below it. Lexical only: both paths are normalised, nothing on disk is
 * read (callers pass real paths when symlinks matter; see resolveInsideRepo and realPathInside).
 */
export function isInside(root: string, p: string): boolean {
  const r = resolve(root);
  const q = resolve(p);
  return q === r || q.startsWith(r.endsWith(sep) ? r : r + sep);
}

/** The real path of `p`, or undefined when it (or a link on the way) does not exist. */
export function realPathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/**
 * The real path of `p` when it exists and (after every symlink) stays inside the real root
 * `rootReal`; undefined otherwise. For callers that skip what is not theirs to report.
 */
export function realPathInside(rootReal: string, p: string): string | undefined {
  const real = realPathOrUndefined(p);
  return real !== undefined && isInside(rootReal, real) ? real : undefined;
}

/** A path as messages show it: relative to the repo root, `/`-separated. */
export function displayPath(repoRoot: string, p: string): string {
  const rel = relative(repoRoot, p).split(sep).join('/');
  return rel === '' ? '.' : rel;
}

function outside(what: string, p: string, why: string): SyncgateError {
  return new SyncgateError('RENDER_PATH_OUTSIDE_REPO', `${what} ${p}: ${why}`, { details: { path: p } });
}

/**
 * Resolves a path the app gave (values file, kustomize resource, generator file) against
 * `baseDir` and returns its real path, refusing absolute paths, `..` escapes and symlinks that
 * leave the real repo root `repoRoot` (RENDER_PATH_OUTSIDE_REPO); a missing path (or a dangling
 * or looping link) is RENDER_PATH_NOT_FOUND. `what` names the path in messages (e.g. `values file`).
 */
export function resolveInsideRepo(repoRoot: string, baseDir: string, p: string, what: string): string {
  if (p === '') throw new SyncgateError('RENDER_PATH_NOT_FOUND', `${what}: empty path`);
  if (isAbsolute(p)) throw outside(what, p, 'absolute paths are not allowed, use a relative path');
  const lexical = resolve(baseDir, p);
  if (!isInside(repoRoot, lexical)) throw outside(what, p, 'resolves outside the repo root');
  const real = realPathOrUndefined(lexical);
  if (real === undefined) {
    throw new SyncgateError('RENDER_PATH_NOT_FOUND', `${what} ${p}: no such file or directory`, { details: { path: p } });
  }
  if (!isInside(repoRoot, real)) throw outside(what, p, 'is a symlink that resolves outside the repo root');
  return real;
}

/**
 * The text of a regular file already resolved inside the repo, bounded by `maxBytes`
 * (LIMIT_EXCEEDED naming the file); undefined when it is not a regular file.
 */
export function readRepoFile(real: string, what: string, maxBytes: number): string | undefined {
  const st = statSync(real, { throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  if (st.size > maxBytes) {
    throw new SyncgateError('LIMIT_EXCEEDED', `${what}: ${st.size} bytes is over the ${maxBytes}-byte file limit`, {
      details: { path: what },
    });
  }
  return readFileSync(real, 'utf8');
}
