import { chmodSync, createReadStream, createWriteStream, lstatSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGunzip, gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
import { extract, type Header } from 'tar-stream';
import { SyncgateError, isSyncgateError } from '../errors/index.js';

/** How to extract a received repo tarball. */
export interface ExtractOptions {
  /** plugin.yaml `spec.preserveFileMode`: keep the header's permission bits (never setuid/setgid). */
  preserveFileMode?: boolean;
  /** Max bytes of file content written (a gzip bomb stops here). */
  maxBytes: number;
  /** Tarballs inflating to at most this many bytes are inflated in one call (default 64 MiB), larger ones streamed. */
  inMemoryBytes?: number;
}

// Decompressed tarballs up to this size are inflated in memory in one call.
const IN_MEMORY_TAR = 64 * 1024 * 1024;

/** The whole tar when it inflates to at most IN_MEMORY_TAR bytes, else undefined (stream it). */
async function inflateSmall(tgzPath: string, limit: number): Promise<Buffer | undefined> {
  if (limit <= 0) return undefined;
  const gz = await readFile(tgzPath);
  try {
    return await gunzipAsync(gz, { maxOutputLength: limit });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw e;
  }
}

function invalidArchive(e: unknown): SyncgateError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e instanceof Error ? e.message : String(e);
  return new SyncgateError('CMP_ARCHIVE_INVALID', `invalid repository archive: ${code && !msg.includes(code) ? `${code}: ` : ''}${msg}`, { cause: e });
}

// Files up to this size are written with one synchronous call.
const SMALL_FILE = 4 * 1024 * 1024;

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `rel` against the real directory `base` one component at a time, following
 * symlinks that already exist the way the kernel would (so `l/..` after `l -> ..` is seen),
 * and returns the real path. A dangling link in the middle is refused: it cannot be proven inside.
 */
function resolveReal(base: string, rel: string): string {
  let cur = base;
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  for (const part of parts) {
    if (part === '..') {
      cur = dirname(cur);
      continue;
    }
    const next = join(cur, part);
    // A missing component cannot redirect anything: it is taken as written.
    const st = lstatSync(next, { throwIfNoEntry: false });
    cur = st?.isSymbolicLink() ? realpathSync(next) : next;
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

function ensureParent(realRoot: string, target: string, name: string, cache: ParentCache): void {
  const parent = dirname(target);
  if (cache.has(parent)) return;
  const realParent = resolveReal(realRoot, relative(realRoot, parent));
  if (!inside(realRoot, realParent)) {
    throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: resolves through a symlink out of the repository`);
  }
  mkdirSync(realParent, { recursive: true, mode: 0o755 });
  if (realParent === parent) cache.add(parent);
}

function clearNonDir(target: string): void {
  const st = lstatSync(target, { throwIfNoEntry: false });
  if (st !== undefined && !st.isDirectory()) rmSync(target, { force: true });
}

/**
 * Extracts a received `.tgz` into `dest` (an empty directory) like Argo CD's `files.Untgz`,
 * stricter: absolute paths, `..` components, symlinks resolving outside `dest`, hard links,
 * devices and FIFOs are refused with a coded error; `.` is skipped; modes are reset to
 * 0644/0755 unless `preserveFileMode`; content beyond `maxBytes` stops the extraction.
 */
export async function extractTgz(tgzPath: string, dest: string, opts: ExtractOptions): Promise<{ files: number; bytes: number }> {
  const realRoot = await realpath(dest);
  const ex = extract();
  // Typical repos decompress to a few MiB: inflate in one call (no stream round trips) and
  // stream only when the tarball is bigger than IN_MEMORY_TAR.
  const inMemory = await inflateSmall(tgzPath, opts.inMemoryBytes ?? IN_MEMORY_TAR).catch((e: unknown) => {
    throw invalidArchive(e);
  });
  const src = inMemory === undefined ? createReadStream(tgzPath) : undefined;
  const gunzip = inMemory === undefined ? createGunzip() : undefined;
  if (inMemory !== undefined) {
    ex.end(inMemory);
  } else if (src !== undefined && gunzip !== undefined) {
    src.on('error', (e) => ex.destroy(e));
    gunzip.on('error', (e) => ex.destroy(e));
    src.pipe(gunzip).pipe(ex);
  }
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
          ensureParent(realRoot, target, name, parents);
          const st = lstatSync(target, { throwIfNoEntry: false });
          if (st?.isSymbolicLink()) {
            throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: directory replaces a symlink`);
          }
          mkdirSync(target, { recursive: true, mode: 0o755 });
          if (opts.preserveFileMode) chmodSync(target, mode | 0o700);
          entry.resume();
          break;
        }
        case 'file':
        case 'contiguous-file': {
          ensureParent(realRoot, target, name, parents);
          clearNonDir(target);
          const fileMode = opts.preserveFileMode ? mode : 0o644;
          const tooLarge = (): SyncgateError =>
            new SyncgateError('CMP_STREAM_TOO_LARGE', `extracted repository exceeds ${opts.maxBytes} bytes (limits.repoBytes): ${name}`);
          if ((h.size ?? 0) <= SMALL_FILE) {
            // Repos are mostly small files: one synchronous write each (tmpfs in the sidecar) costs
            // microseconds, where a stream costs several thread-pool round trips per file.
            const parts: Buffer[] = [];
            for await (const chunk of entry as AsyncIterable<Buffer>) {
              bytes += chunk.length;
              if (bytes > opts.maxBytes) throw tooLarge();
              parts.push(chunk);
            }
            writeFileSync(target, Buffer.concat(parts), { flag: 'wx', mode: fileMode });
          } else {
            const out = createWriteStream(target, { flags: 'wx', mode: fileMode });
            try {
              for await (const chunk of entry as AsyncIterable<Buffer>) {
                bytes += chunk.length;
                if (bytes > opts.maxBytes) throw tooLarge();
                if (!out.write(chunk)) await once(out, 'drain');
              }
            } finally {
              out.end();
              await finished(out);
            }
          }
          files++;
          // The umask may have cut the creation mode; preserveFileMode means the header's bits exactly.
          if (opts.preserveFileMode) chmodSync(target, mode);
          break;
        }
        case 'symlink': {
          const link = h.linkname ?? '';
          ensureParent(realRoot, target, name, parents);
          if (link === '' || isAbsolute(link)) {
            throw new SyncgateError('CMP_ILLEGAL_SYMLINK', `illegal filepath in symlink: ${name} -> ${link}: absolute or empty target`);
          }
          const realParent = resolveReal(realRoot, dirname(name));
          let resolved: string | undefined;
          try {
            resolved = resolveReal(realParent, link);
          } catch {
            resolved = undefined; // a dangling link on the way cannot be proven inside
          }
          if (resolved === undefined || !inside(realRoot, resolved)) {
            throw new SyncgateError('CMP_ILLEGAL_SYMLINK', `illegal filepath in symlink: ${name} -> ${link}: points out of the repository`);
          }
          clearNonDir(target);
          parents.clear();
          symlinkSync(relative(realParent, resolved) || '.', target);
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
    src?.destroy();
    gunzip?.destroy();
    ex.destroy();
    if (isSyncgateError(e)) throw e;
    throw invalidArchive(e);
  }
  return { files, bytes };
}
