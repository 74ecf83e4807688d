import { lstat, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import { displayPath, isInside } from './resolve-path.js';

/**
 * Walks `dir` and refuses any symlink whose target leaves the repo root (or dangles): Helm
 * loads chart files through symlinks, so a chart could otherwise read files from the sidecar.
 */
export async function checkSymlinks(dir: string, repoRoot: string): Promise<void> {
  const seen = new Set<string>();
  const walk = async (d: string): Promise<void> => {
    if (seen.has(d)) return;
    seen.add(d);
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) {
        await walk(full);
      } else if (e.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        if (target === undefined || !isInside(repoRoot, target)) {
          throw new SyncgateError(
            'RENDER_PATH_OUTSIDE_REPO',
            `symlink ${displayPath(repoRoot, full)}: ${target === undefined ? 'target does not exist' : 'resolves outside the repo root'}`,
          );
        }
        // A symlinked directory inside the repo is walked through its real path by the tool.
        if ((await lstat(target)).isDirectory() && !isInside(dir, target)) await walk(target);
      }
    }
  };
  await walk(dir);
}
