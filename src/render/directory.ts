import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { parseResources, type Resource } from '../k8s/index.js';
import type { RenderInput } from './types.js';

const MANIFEST = /\.(ya?ml|json)$/i;

/** Reads every YAML/JSON manifest of a plain directory (optionally recursive, with globs). */
export async function renderDirectory(input: RenderInput): Promise<Resource[]> {
  const opts = input.config.spec.render.directory;
  const recurse = input.options.recurse ?? opts.recurse;
  const include = input.options.include ?? opts.include;
  const exclude = input.options.exclude ?? opts.exclude;
  const isIncluded = include.length ? picomatch(include, { dot: true }) : () => true;
  const isExcluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const root = await realpath(input.repoRoot);

  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      const rel = relative(input.appDir, full).split(sep).join('/');
      if (e.isDirectory()) {
        if (recurse && !e.name.startsWith('.')) await walk(full);
        continue;
      }
      if (!MANIFEST.test(e.name) || !isIncluded(rel) || isExcluded(rel)) continue;
      if (e.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        if (target === undefined || (target !== root && !target.startsWith(root + sep))) continue;
      } else if (!e.isFile()) continue;
      files.push(full);
    }
  };
  await walk(input.appDir);

  const out: Resource[] = [];
  for (const f of files) {
    const rel = relative(input.appDir, f).split(sep).join('/');
    out.push(...parseResources(await readFile(f, 'utf8'), rel));
  }
  return out;
}
