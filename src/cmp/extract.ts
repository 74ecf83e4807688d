import { chmodSync, closeSync, createReadStream, lstatSync, mkdirSync, openSync, realpathSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { createGunzip, gunzip, gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { SyncgateError, isSyncgateError } from '../errors/index.js';

const gunzipAsync = promisify(gunzip);

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
// A gzip this small that inflates to at most SYNC_TAR is inflated on the calling thread: microseconds,
// where the thread pool costs a round trip. Anything bigger goes to the pool, so a bomb never blocks the loop long.
const SYNC_GZ = 256 * 1024;
const SYNC_TAR = 8 * 1024 * 1024;
// Files up to this size are collected and written with one call; bigger ones are written per chunk.
const SMALL_FILE = 4 * 1024 * 1024;

function invalidArchive(e: unknown): SyncgateError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e instanceof Error ? e.message : String(e);
  return new SyncgateError('CMP_ARCHIVE_INVALID', `invalid repository archive: ${code && !msg.includes(code) ? `${code}: ` : ''}${msg}`, { cause: e });
}

function tooLargeForMemory(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/** True when `p` is `root` or below it (both absolute). */
export function inside(root: string, p: string): boolean {
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
    cur = st?.isSymbolicLink() ? realpathSync.native(next) : next;
  }
  return cur;
}

function entryName(name: string): string | undefined {
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

function clearNonDir(target: string): void {
  const st = lstatSync(target, { throwIfNoEntry: false });
  if (st !== undefined && !st.isDirectory()) rmSync(target, { force: true });
}

/**
 * Creates `target` with `create` (an `wx` open, which never follows a symlink there); an entry
 * repeated in the archive replaces the earlier file or symlink, as tar does (one lstat only then).
 */
function createExclusive<T>(target: string, create: (t: string) => T): T {
  try {
    return create(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    clearNonDir(target);
    return create(target);
  }
}

// node-tar's names for the entry types that are refused, as messages show them.
const REFUSED_TYPES: Record<string, string> = {
  CharacterDevice: 'character-device',
  BlockDevice: 'block-device',
  FIFO: 'fifo',
};

/**
 * Writes the entries of one tar stream below `realRoot`, synchronously: node-tar's parser emits
 * each entry and its data during `write()`, so a repo of small files costs one system call per
 * file and no event-loop round trips (the sidecar's work dir is a memory-backed emptyDir).
 * The first refusal is kept and every later entry skipped; `write`/`end` rethrow it.
 */
class Unpacker {
  files = 0;
  bytes = 0;
  private failure: Error | undefined;
  private openFd: number | undefined;
  /** Real parent dirs already proven inside (and created); cleared whenever a symlink appears. */
  private readonly parents: Set<string>;
  private readonly parser: Parser;

  constructor(
    private readonly realRoot: string,
    private readonly opts: ExtractOptions,
  ) {
    this.parents = new Set([realRoot]);
    // strict: a bad checksum, a truncated body or a non-tar stream is an error, never a warning.
    this.parser = new Parser({ strict: true, onReadEntry: (e) => this.onEntry(e) });
    this.parser.on('error', (e: unknown) => this.fail(invalidArchive(e)));
  }

  write(chunk: Buffer): void {
    if (this.failure === undefined) this.parser.write(chunk);
    this.check();
  }

  end(): void {
    if (this.failure === undefined) this.parser.end();
    this.check();
  }

  /** Closes a file left open by a failure. */
  dispose(): void {
    if (this.openFd !== undefined) closeSync(this.openFd);
    this.openFd = undefined;
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(e: unknown): void {
    this.failure ??= e instanceof Error ? e : invalidArchive(e);
  }

  private onEntry(entry: ReadEntry): void {
    if (this.failure !== undefined) {
      entry.resume();
      return;
    }
    try {
      this.unpack(entry);
    } catch (e) {
      this.fail(e);
      entry.resume();
    }
  }

  private ensureParent(target: string, name: string): void {
    const parent = dirname(target);
    if (this.parents.has(parent)) return;
    const realParent = resolveReal(this.realRoot, relative(this.realRoot, parent));
    if (!inside(this.realRoot, realParent)) {
      throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: resolves through a symlink out of the repository`);
    }
    mkdirSync(realParent, { recursive: true, mode: 0o755 });
    if (realParent === parent) this.parents.add(parent);
  }

  private unpack(entry: ReadEntry): void {
    const name = entryName(entry.path);
    if (name === undefined) {
      entry.resume();
      return;
    }
    const { realRoot, opts } = this;
    const target = join(realRoot, name);
    const mode = (entry.mode ?? 0) & 0o777;
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir': {
        this.ensureParent(target, name);
        try {
          mkdirSync(target, { mode: 0o755 });
          // Its parent is real and it was just made: files below it need no further resolving.
          if (this.parents.has(dirname(target))) this.parents.add(target);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          const st = lstatSync(target);
          if (st.isSymbolicLink()) {
            throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: directory replaces a symlink`);
          }
          if (!st.isDirectory()) throw e;
        }
        if (opts.preserveFileMode) chmodSync(target, mode | 0o700);
        entry.resume();
        return;
      }
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        this.ensureParent(target, name);
        this.unpackFile(entry, name, target, opts.preserveFileMode ? mode : 0o644);
        return;
      case 'SymbolicLink': {
        const link = entry.linkpath ?? '';
        this.ensureParent(target, name);
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
        this.parents.clear();
        symlinkSync(relative(realParent, resolved) || '.', target);
        entry.resume();
        return;
      }
      case 'Link':
        throw new SyncgateError('CMP_ILLEGAL_ENTRY', `illegal entry in archive: ${name}: hard link to ${entry.linkpath ?? ''}`);
      default: {
        const refused = REFUSED_TYPES[entry.type];
        if (refused !== undefined) throw new SyncgateError('CMP_ILLEGAL_ENTRY', `illegal entry in archive: ${name}: ${refused}`);
        // Other types carry no file: ignore them as Argo CD does (PAX and GNU long-name
        // records never get here, the parser applies them to the next entry).
        entry.resume();
      }
    }
  }

  private unpackFile(entry: ReadEntry, name: string, target: string, fileMode: number): void {
    const { opts } = this;
    const tooLarge = (): SyncgateError =>
      new SyncgateError('CMP_STREAM_TOO_LARGE', `extracted repository exceeds ${opts.maxBytes} bytes (limits.repoBytes): ${name}`);
    const small = entry.size <= SMALL_FILE;
    const parts: Buffer[] = [];
    if (!small) this.openFd = createExclusive(target, (t) => openSync(t, 'wx', fileMode));
    let stopped = false;
    const guard = (f: () => void): void => {
      if (stopped) return;
      try {
        f();
      } catch (e) {
        stopped = true;
        this.fail(e);
      }
    };
    // 'end' first: an empty entry has already ended and ends again as soon as data flows.
    entry.on('end', () =>
      guard(() => {
        if (small) {
          const data = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
          createExclusive(target, (t) => writeFileSync(t, data, { flag: 'wx', mode: fileMode }));
        } else {
          this.dispose();
        }
        this.files++;
        // The umask may have cut the creation mode; preserveFileMode means the header's bits exactly.
        if (opts.preserveFileMode) chmodSync(target, fileMode);
      }),
    );
    entry.on('data', (chunk: Buffer) =>
      guard(() => {
        this.bytes += chunk.length;
        if (this.bytes > opts.maxBytes) throw tooLarge();
        if (small) parts.push(chunk);
        else if (this.openFd !== undefined) writeSync(this.openFd, chunk);
      }),
    );
  }
}

/** The whole tar when it inflates to at most `limit` bytes, else undefined (stream it). */
async function inflate(tgz: Buffer, limit: number): Promise<Buffer | undefined> {
  if (limit <= 0) return undefined;
  try {
    if (tgz.length <= SYNC_GZ) {
      try {
        return gunzipSync(tgz, { maxOutputLength: Math.min(limit, SYNC_TAR) });
      } catch (e) {
        // Too big for the calling thread: the pool may still hold it in memory, up to `limit`.
        if (!tooLargeForMemory(e) || limit <= SYNC_TAR) throw e;
      }
    }
    return await gunzipAsync(tgz, { maxOutputLength: limit });
  } catch (e) {
    if (tooLargeForMemory(e)) return undefined;
    throw invalidArchive(e);
  }
}

/**
 * Extracts a received `.tgz` (in memory, or a file path) into `dest` (an empty directory) like
 * Argo CD's `files.Untgz`, stricter: absolute paths, `..` components, symlinks resolving outside
 * `dest`, hard links, devices and FIFOs are refused with a coded error; `.` is skipped; modes
 * are reset to 0644/0755 unless `preserveFileMode`; content beyond `maxBytes` stops the extraction.
 */
export async function extractTgz(tgz: Buffer | string, dest: string, opts: ExtractOptions): Promise<{ files: number; bytes: number }> {
  const realRoot = realpathSync.native(dest);
  const unpacker = new Unpacker(realRoot, opts);
  const limit = opts.inMemoryBytes ?? IN_MEMORY_TAR;
  try {
    // Typical repos decompress to a few MiB: inflate in one call and unpack synchronously;
    // only a tarball inflating beyond the in-memory limit is streamed.
    const gz = typeof tgz === 'string' && limit > 0 ? await readFile(tgz) : tgz;
    const whole = typeof gz === 'string' ? undefined : await inflate(gz, limit);
    if (whole !== undefined) {
      unpacker.write(whole);
    } else {
      const source = typeof gz === 'string' ? createReadStream(gz) : Readable.from([gz]);
      const gunzipStream = createGunzip();
      source.on('error', (e: Error) => gunzipStream.destroy(e));
      try {
        for await (const chunk of source.pipe(gunzipStream) as AsyncIterable<Buffer>) unpacker.write(chunk);
      } finally {
        source.destroy();
        gunzipStream.destroy();
      }
    }
    unpacker.end();
  } catch (e) {
    if (isSyncgateError(e)) throw e;
    throw invalidArchive(e);
  } finally {
    unpacker.dispose();
  }
  return { files: unpacker.files, bytes: unpacker.bytes };
}
