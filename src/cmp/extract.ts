import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, realpath, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { SyncgateError, isSyncgateError } from '../errors/index.js';

/** How to extract a received repo tarball. */
export interface ExtractOptions {
  /** plugin.yaml `spec.preserveFileMode`: keep the header's permission bits (never setuid/setgid). */
  preserveFileMode?: boolean;
  /** Max bytes of file content written (a gzip bomb stops here). */
  maxBytes: number;
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `rel` against the real directory `base` one component at a time, following
 * symlinks that already exist the way the kernel would (so `l/..` after `l -> ..` is seen),
 * and returns the real path. A dangling link in the middle is refused: it cannot be proven inside.
 */
async function resolveReal(base: string, rel: string): Promise<string> {
  let cur = base;
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  for (const part of parts) {
    if (part === '..') {
      cur = dirname(cur);
      continue;
    }
    const next = join(cur, part);
    // A missing component cannot redirect anything: it is taken as written.
    const st = await lstat(next).catch(() => undefined);
    cur = st?.isSymbolicLink() ? await realpath(next) : next;
  }
  return cur;
}

function entryName(h: Header): string | undefined {
  const name = h.name;
  if (name.includes('\0')) throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${JSON.stringify(name)}`);
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) || name.includes('\\')) {
    throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: absolute or non-posix path`);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: parent directory reference`);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

/** Real parent dirs already proven inside (and created); cleared whenever a symlink appears. */
type ParentCache = Set<string>;

async function ensureParent(realRoot: string, target: string, name: string, cache: ParentCache): Promise<void> {
  const parent = dirname(target);
  if (cache.has(parent)) return;
  const realParent = await resolveReal(realRoot, relative(realRoot, parent));
  if (!inside(realRoot, realParent)) {
    throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: resolves through a symlink out of the repository`);
  }
  await mkdir(realParent, { recursive: true, mode: 0o755 });
  if (realParent === parent) cache.add(parent);
}

async function clearNonDir(target: string): Promise<void> {
  const st = await lstat(target).catch(() => undefined);
  if (st !== undefined && !st.isDirectory()) await rm(target, { force: true });
}

/**
 * Extracts a received `.tgz` into `dest` (an empty directory) like Argo CD's `files.Untgz`,
 * stricter: absolute paths, `..` components, symlinks resolving outside `dest`, hard links,
 * devices and FIFOs are refused with a coded error; `.` is skipped; modes are reset to
 * 0644/0755 unless `preserveFileMode`; content beyond `maxBytes` stops the extraction.
 */
export async function extractTgz(tgzPath: string, dest: string, opts: ExtractOptions): Promise<{ files: number; bytes: number }> {
  const realRoot = await realpath(dest);
  const src = createReadStream(tgzPath);
  const gunzip = createGunzip();
  const ex = extract();
  src.on('error', (e) => ex.destroy(e));
  gunzip.on('error', (e) => ex.destroy(e));
  src.pipe(gunzip).pipe(ex);
  const parents: ParentCache = new Set([realRoot]);
  let files = 0;
  let bytes = 0;
  try {
    for await (const entry of ex) {
      const h = entry.header;
      const name = entryName(h);
      if (name === undefined) {
        entry.resume();
        continue;
      }
      const target = join(realRoot, name);
      const mode = (h.mode ?? 0) & 0o777;
      switch (h.type) {
        case 'directory': {
          await ensureParent(realRoot, target, name, parents);
          const st = await lstat(target).catch(() => undefined);
          if (st?.isSymbolicLink()) {
            throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: directory replaces a symlink`);
          }
          await mkdir(target, { recursive: true, mode: 0o755 });
          if (opts.preserveFileMode) await chmod(target, mode | 0o700);
          entry.resume();
          break;
        }
        case 'file':
        case 'contiguous-file': {
          await ensureParent(realRoot, target, name, parents);
          await clearNonDir(target);
          const out = createWriteStream(target, { flags: 'wx', mode: opts.preserveFileMode ? mode : 0o644 });
          try {
            for await (const chunk of entry as AsyncIterable<Buffer>) {
              bytes += chunk.length;
              if (bytes > opts.maxBytes) {
                throw new SyncgateError('CMP_STREAM_TOO_LARGE', `extracted repository exceeds ${opts.maxBytes} bytes (limits.repoBytes): ${name}`);
              }
              if (!out.write(chunk)) await once(out, 'drain');
            }
          } finally {
            out.end();
            await finished(out);
          }
          files++;
          // The umask may have cut the creation mode; preserveFileMode means the header's bits exactly.
          if (opts.preserveFileMode) await chmod(target, mode);
          break;
        }
        case 'symlink': {
          const link = h.linkname ?? '';
          await ensureParent(realRoot, target, name, parents);
          if (link === '' || isAbsolute(link)) {
            throw new SyncgateError('CMP_ILLEGAL_SYMLINK', `illegal filepath in symlink: ${name} -> ${link}: absolute or empty target`);
          }
          const realParent = await resolveReal(realRoot, dirname(name));
          const resolved = await resolveReal(realParent, link).catch(() => undefined);
          if (resolved === undefined || !inside(realRoot, resolved)) {
            throw new SyncgateError('CMP_ILLEGAL_SYMLINK', `illegal filepath in symlink: ${name} -> ${link}: points out of the repository`);
          }
          await clearNonDir(target);
          parents.clear();
          await symlink(relative(realParent, resolved) || '.', target);
          entry.resume();
          break;
        }
        case 'link':
          throw new SyncgateError('CMP_ILLEGAL_ENTRY', `illegal entry in archive: ${name}: hard link to ${h.linkname ?? ''}`);
        case 'character-device':
        case 'block-device':
        case 'fifo':
          throw new SyncgateError('CMP_ILLEGAL_ENTRY', `illegal entry in archive: ${name}: ${h.type}`);
        default:
          // Other types (global pax headers and the like) carry no file: ignore them as Argo CD does.
          entry.resume();
      }
    }
  } catch (e) {
    src.destroy();
    gunzip.destroy();
    ex.destroy();
    if (isSyncgateError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e instanceof Error ? e.message : String(e);
    throw new SyncgateError('CMP_ARCHIVE_INVALID', `invalid repository archive: ${code && !msg.includes(code) ? `${code}: ` : ''}${msg}`, { cause: e });
  }
  return { files, bytes };
}
