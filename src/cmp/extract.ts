import { chmodSync, closeSync, createReadStream, lstatSync, mkdirSync, openSync, realpathSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { createGunzip, gunzipSync, type Gunzip, type ZlibOptions } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { isInside } from '../repo/index.js';
import { SyncgateError, isSyncgateError } from '../errors/index.js';

/** How to extract a received repo tarball; every limit is checked entry by entry, while it streams. */
export interface ExtractOptions {
  /** plugin.yaml `spec.preserveFileMode`: keep the header's permission bits (never setuid/setgid). */
  preserveFileMode?: boolean;
  /** Max bytes of file content written (limits.repoBytes; a gzip bomb stops here). */
  maxBytes: number;
  /** Max entries: files, directories and symlinks (limits.repoFiles). */
  maxFiles?: number;
  /** Max bytes of one file (limits.fileBytes). */
  maxFileBytes?: number;
  /** Max path components of one entry (limits.pathDepth). */
  maxDepth?: number;
  /** Gzip bytes a stream may bring before it is inflated as it comes (default 256 KiB; below, one call at its end). */
  holdBytes?: number;
  /** Called with what each entry will cost the work dir ({@link entryCost}) before it is written; throws to refuse. */
  charge?: (bytes: number) => void;
}

/** The page size of the sidecar's tmpfs: what the smallest file or directory costs it. */
export const PAGE = 4096;
// Linux PATH_MAX: a longer name fails at mkdir/open; refuse it with a code before.
const MAX_PATH = 4096;

/** What an entry of `size` content bytes costs a tmpfs work dir: whole pages, at least one. */
export function entryCost(size: number): number {
  return Math.max(PAGE, Math.ceil(size / PAGE) * PAGE);
}

// A stream ending before this many gzip bytes is inflated in one call on the calling thread
// (microseconds, where the thread pool costs round trips) when it inflates to at most SYNC_TAR;
// anything bigger streams through the pool in CHUNK-sized slices, so no slice blocks the loop long.
const SYNC_GZ = 256 * 1024;
const SYNC_TAR = 2 * 1024 * 1024;
const CHUNK = 64 * 1024;
// Files up to this size are collected and written with one call; bigger ones are written per chunk.
const SMALL_FILE = 1024 * 1024;

function invalidArchive(e: unknown): SyncgateError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e instanceof Error ? e.message : String(e);
  return new SyncgateError('CMP_ARCHIVE_INVALID', `invalid repository archive: ${code && !msg.includes(code) ? `${code}: ` : ''}${msg}`, { cause: e });
}

function tooLargeForMemory(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

function tooDeep(name: string, why: string): SyncgateError {
  return new SyncgateError('CMP_PATH_TOO_DEEP', `illegal filepath in archive: ${name.length > 200 ? `${name.slice(0, 200)}…` : name}: ${why}`);
}

/** True when `p` is `root` or below it (both absolute). */
export function inside(root: string, p: string): boolean {
  return isInside(root, p);
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

function entryName(name: string, maxDepth: number): string | undefined {
  if (Buffer.byteLength(name) > MAX_PATH) throw tooDeep(name, `longer than ${MAX_PATH} bytes`);
  if (name.includes('\0')) throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${JSON.stringify(name)}`);
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) || name.includes('\\')) {
    throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: absolute or non-posix path`);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: parent directory reference`);
  }
  if (parts.length > maxDepth) throw tooDeep(name, `${parts.length} path components, the limit is ${maxDepth} (limits.pathDepth)`);
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
  /** Files, directories and symlinks created. */
  entries = 0;
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

  /** Counts one entry against limits.repoFiles and charges its cost to the work dir budget. */
  private admit(name: string, size: number): void {
    const max = this.opts.maxFiles ?? Infinity;
    if (++this.entries > max) {
      throw new SyncgateError('CMP_TOO_MANY_FILES', `repository archive has more than ${max} entries (limits.repoFiles): ${name}`);
    }
    this.opts.charge?.(entryCost(size));
  }

  private unpack(entry: ReadEntry): void {
    const name = entryName(entry.path, this.opts.maxDepth ?? Infinity);
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
        this.admit(name, 0);
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
      case 'ContiguousFile': {
        // The header declares the size: a file over a limit is refused before a byte is written.
        const size = entry.size;
        const maxFile = opts.maxFileBytes ?? Infinity;
        if (size > maxFile) {
          throw new SyncgateError('CMP_FILE_TOO_LARGE', `repository file exceeds ${maxFile} bytes (limits.fileBytes): ${name}: ${size} bytes`);
        }
        if (this.bytes + size > opts.maxBytes) throw this.tooLarge(name);
        this.admit(name, size);
        this.ensureParent(target, name);
        this.unpackFile(entry, name, target, opts.preserveFileMode ? mode : 0o644);
        return;
      }
      case 'SymbolicLink': {
        const link = entry.linkpath ?? '';
        this.admit(name, 0);
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

  private tooLarge(name: string): SyncgateError {
    return new SyncgateError('CMP_STREAM_TOO_LARGE', `extracted repository exceeds ${this.opts.maxBytes} bytes (limits.repoBytes): ${name}`);
  }

  private unpackFile(entry: ReadEntry, name: string, target: string, fileMode: number): void {
    const { opts } = this;
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
        if (this.bytes > opts.maxBytes) throw this.tooLarge(name);
        if (small) parts.push(chunk);
        else if (this.openFd !== undefined) writeSync(this.openFd, chunk);
      }),
    );
  }
}

/**
 * Extracts one repo `.tgz` into `dest` (an empty directory) while it arrives, like Argo CD's
 * `files.Untgz`, stricter: absolute paths, `..` components, symlinks resolving outside `dest`,
 * hard links, devices and FIFOs are refused with a coded error; `.` is skipped; modes are reset to
 * 0644/0755 unless `preserveFileMode`; every limit of {@link ExtractOptions} is checked per entry,
 * so a bomb or a flood of files stops at the limit, never after it was written.
 *
 * Nothing holds the stream: a small one (up to 256 KiB of gzip) is held and inflated in one call
 * when it ends, anything bigger goes through a streaming gunzip in 64 KiB slices, each unpacked
 * synchronously (one system call per small file, no event-loop round trip per entry).
 */
export class TgzIngest {
  private readonly unpacker: Unpacker;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private readonly holdBytes: number;
  private gunzip: Gunzip | undefined;
  private streamEnd: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(dest: string, opts: ExtractOptions) {
    this.unpacker = new Unpacker(realpathSync.native(dest), opts);
    this.holdBytes = opts.holdBytes ?? SYNC_GZ;
  }

  /** Files written so far. */
  get files(): number {
    return this.unpacker.files;
  }

  /** Entries created so far (files, directories, symlinks). */
  get entries(): number {
    return this.unpacker.entries;
  }

  /** Takes the next piece of the `.tgz`; resolves when it may take more (backpressure); rejects with the first refusal. */
  async write(chunk: Buffer): Promise<void> {
    this.check();
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    // Until the stream outgrows holdBytes it is held (and inflated in one call at its end);
    // after that, pieces are batched to 64 KiB: a thread-pool round trip per 1 KiB gRPC chunk is slow.
    if (this.gunzip === undefined ? this.heldBytes <= this.holdBytes : this.heldBytes < CHUNK) return;
    const gz = this.gunzip ?? this.startStreaming();
    if (!this.flush(gz)) await this.drained(gz);
    this.check();
  }

  /** The `.tgz` is complete: finishes the extraction and reports what was written. */
  async end(): Promise<{ files: number; bytes: number }> {
    this.check();
    try {
      if (this.gunzip === undefined && this.heldBytes <= this.holdBytes) {
        const gz = this.takeHeld();
        let tar: Buffer | undefined;
        try {
          tar = gunzipSync(gz, { maxOutputLength: SYNC_TAR });
        } catch (e) {
          if (!tooLargeForMemory(e)) throw invalidArchive(e);
        }
        if (tar !== undefined) this.unpacker.write(tar);
        else this.startStreaming().write(gz);
      }
      if (this.gunzip !== undefined) {
        this.flush(this.gunzip);
        this.gunzip.end();
        await this.streamEnd;
        this.check();
      }
      this.unpacker.end();
    } catch (e) {
      this.fail(e);
      this.check();
    }
    return { files: this.unpacker.files, bytes: this.unpacker.bytes };
  }

  /** Stops everything (after a refusal or a cancel): the gunzip stream and any open file. */
  dispose(): void {
    this.gunzip?.destroy();
    this.unpacker.dispose();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(e: unknown): void {
    this.failure ??= isSyncgateError(e) ? e : invalidArchive(e);
    this.gunzip?.destroy();
  }

  private takeHeld(): Buffer {
    const b = this.held.length === 1 && this.held[0] !== undefined ? this.held[0] : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return b;
  }

  /** Writes what is held to the gunzip stream; false when it wants a drain first. */
  private flush(gz: Gunzip): boolean {
    return this.heldBytes === 0 ? true : gz.write(this.takeHeld());
  }

  private startStreaming(): Gunzip {
    // A deep input buffer lets the pool inflate the next piece while this thread unpacks the last.
    const gz = createGunzip({ chunkSize: CHUNK, ...({ writableHighWaterMark: 16 * CHUNK } as ZlibOptions) });
    this.gunzip = gz;
    gz.on('data', (tar: Buffer) => {
      if (this.failure !== undefined) return;
      try {
        this.unpacker.write(tar);
      } catch (e) {
        this.fail(e);
      }
    });
    this.streamEnd = new Promise<void>((resolve) => {
      gz.once('end', resolve);
      gz.once('close', resolve);
      gz.once('error', (e: unknown) => {
        this.fail(e);
        resolve();
      });
    });
    return gz;
  }

  private drained(gz: Gunzip): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        gz.off('drain', done);
        gz.off('close', done);
        resolve();
      };
      gz.once('drain', done);
      gz.once('close', done);
    });
  }
}

/**
 * Extracts a whole `.tgz` (in memory, or a file path) into `dest` through {@link TgzIngest}, in
 * 64 KiB pieces as a stream would bring it.
 */
export async function extractTgz(tgz: Buffer | string, dest: string, opts: ExtractOptions): Promise<{ files: number; bytes: number }> {
  const ingest = new TgzIngest(dest, opts);
  try {
    if (typeof tgz === 'string') {
      for await (const chunk of createReadStream(tgz, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) await ingest.write(chunk);
    } else {
      for (let o = 0; o < tgz.length; o += CHUNK) await ingest.write(tgz.subarray(o, o + CHUNK));
    }
    return await ingest.end();
  } catch (e) {
    throw isSyncgateError(e) ? e : invalidArchive(e);
  } finally {
    ingest.dispose();
  }
}
