import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { SyncgateError } from '../errors/index.js';
import { parseResources, type Resource } from '../k8s/index.js';
import { displayPath, symlinkTarget } from '../repo/index.js';
import type { RenderInput } from './types.js';

const MANIFEST = /\.(ya?ml|json)$/i;
// sops's creation rules (found by walking up from the file sops encrypts), not an object.
const SOPS_CONFIG = new Set(['.sops.yaml', '.sops.yml']);

/**
 * Lists the manifest files of a plain directory in lexical order. Symlinks to files inside the
 * repo are read; a symlink leaving the repo root (or dangling) is refused, as Argo CD's
 * directory source does (`illegal filepath in symlink`). Symlinked directories are not followed.
 */
function listManifests(input: RenderInput, recurse: boolean, include: string[], exclude: string[]): string[] {
  const isIncluded = include.length ? picomatch(include, { dot: true }) : () => true;
  const isExcluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const files: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      const rel = relative(input.appDir, full).split(sep).join('/');
      if (e.isDirectory()) {
        if (recurse && !e.name.startsWith('.')) walk(full);
        continue;
      }
      if (!MANIFEST.test(e.name) || SOPS_CONFIG.has(e.name) || !isIncluded(rel) || isExcluded(rel)) continue;
      if (e.isSymbolicLink()) {
        const target = symlinkTarget(input.repoRoot, full);
        if (!statSync(target).isFile()) continue;
      } else if (!e.isFile()) continue;
      files.push(full);
    }
  };
  walk(input.appDir);
  return files;
}

/** Reads every YAML/JSON manifest of a plain directory (optionally recursive, with include/exclude globs). */
export function renderDirectory(input: RenderInput): Resource[] {
  const opts = input.config.spec.render.directory;
  const files = listManifests(
    input,
    input.options.recurse ?? opts.recurse,
    input.options.include ?? opts.include,
    input.options.exclude ?? opts.exclude,
  );
  const limit = input.config.spec.limits.manifestBytes;
  let total = 0;
  const out: Resource[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    total += Buffer.byteLength(text);
    if (total > limit) {
      throw new SyncgateError('LIMIT_EXCEEDED', `${displayPath(input.appDir, f)}: manifests exceed ${limit} bytes`);
    }
    for (const r of parseResources(text, displayPath(input.appDir, f))) out.push(r);
  }
  return out;
}
