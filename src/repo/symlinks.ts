import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import { displayPath, isInside, realPathOrUndefined } from './paths.js';

/**
 * The real target of a symlink found in the repo tree; RENDER_PATH_OUTSIDE_REPO naming the link
 * when it dangles, loops or resolves outside the real repo root.
 */
export function symlinkTarget(repoRoot: string, link: string): string {
  const target = realPathOrUndefined(link);
  if (target === undefined || !isInside(repoRoot, target)) {
    throw new SyncgateError(
      'RENDER_PATH_OUTSIDE_REPO',
      `symlink ${displayPath(repoRoot, link)}: ${target === undefined ? 'target does not exist' : 'resolves outside the repo root'}`,
      { details: { path: displayPath(repoRoot, link) } },
    );
  }
  return target;
}

/**
 * Walks `dir` and refuses any symlink whose target leaves the repo root (or dangles): Helm
 * loads chart files through symlinks, so a chart could otherwise read files from the sidecar.
 */
export function checkSymlinks(dir: string, repoRoot: string): void {
  const seen = new Set<string>();
  const walk = (d: string): void => {
    if (seen.has(d)) return;
    seen.add(d);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) {
        walk(full);
      } else if (e.isSymbolicLink()) {
        const target = symlinkTarget(repoRoot, full);
        // A symlinked directory inside the repo is walked through its real path by the tool.
        if (lstatSync(target).isDirectory() && !isInside(dir, target)) walk(target);
      }
    }
  };
  walk(dir);
}
