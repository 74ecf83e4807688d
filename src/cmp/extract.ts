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
  /** false: node-tar reads every entry, no one-pass read (the differential tests' reference). */
  fastPath?: boolean;
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
// anything bigger streams through the pool in INFLATE_CHUNK-sized slices, so no slice blocks the
// loop long.
const SYNC_GZ = 256 * 1024;
const SYNC_TAR = 2 * 1024 * 1024;
const CHUNK = 64 * 1024;
// The inflated slice of a streaming gunzip: each is one thread-pool round trip, and a 128 KiB
// slice unpacks in a millisecond or two (measured: 5-10% faster than 64 KiB on the big-repo bench).
const INFLATE_CHUNK = 128 * 1024;
// Files up to this size are collected and written with one call; bigger ones are written per chunk.
const SMALL_FILE = 1024 * 1024;

/**
 * The inflated size a whole `.gz` declares in its trailer (ISIZE, RFC 1952; 0 when too short).
 * Only a hint: the last member's size mod 2^32, and a lie fails zlib's length check.
 */
function declaredSize(gz: Buffer): number {
  return gz.length >= 18 ? gz.readUInt32LE(gz.length - 4) : 0;
}

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

/**
 * The number of components of `name` when it is already a clean relative path: each component an
 * ordinary name (not empty, `.` or `..`), no NUL or backslash, no `:` second (a drive letter); else 0.
 */
function plainDepth(name: string): number {
  if (name.charCodeAt(1) === 0x3a) return 0; // `C:/x` or `C:x`: entryName's full checks judge it
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    const c = i === name.length ? 0x2f : name.charCodeAt(i);
    if (c === 0 || c === 0x5c) return 0;
    if (c !== 0x2f) continue;
    const len = i - start;
    if (len === 0 || (name.charCodeAt(start) === 0x2e && (len === 1 || (len === 2 && name.charCodeAt(start + 1) === 0x2e)))) return 0;
    depth++;
    start = i + 1;
  }
  return depth;
}

/** The clean relative path an entry's name stands for (undefined for the root), or a refusal. */
function entryName(name: string, maxDepth: number): string | undefined {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a short name needs no byte count.
  if (name.length * 3 > MAX_PATH && Buffer.byteLength(name) > MAX_PATH) throw tooDeep(name, `longer than ${MAX_PATH} bytes`);
  // The common name (`dir/file.yaml`) is its own clean form: one pass over it, no split/filter/join.
  const depth = plainDepth(name);
  if (depth > 0 && depth <= maxDepth) return name;
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

const BLOCK = 512;
/** The zeros held at the end of an archive: one record of GNU tar's default blocking (Go writes two blocks). */
const END_HOLD = 20 * BLOCK;

/** A POSIX ustar header of a regular file, a directory or a PAX record, decoded as node-tar decodes it. */
interface PlainHeader {
  path: string;
  kind: 'file' | 'dir' | 'pax';
  size: number;
  mode: number;
}

// node-tar's field decoding (header.js decString/decSmallNumber), so both read a header alike.
const decString = (b: Buffer, off: number, size: number): string => b.toString('utf8', off, off + size).replace(/\0.*/, '');
function decOctal(b: Buffer, off: number, size: number): number | undefined {
  const n = parseInt(b.toString('utf8', off, off + size).replace(/\0.*$/, '').trim(), 8);
  return Number.isNaN(n) ? undefined : n;
}

// The same two decodings without a string, a regex or a copy for the fields every tar writer
// emits (they were half the per-entry JS time): the byte loops take only the forms whose result
// is certain, and leave anything else to node-tar's code above.

/** {@link decString}: ASCII text, then only NULs (or none), is that text; anything else goes the regex way. */
function fieldString(b: Buffer, off: number, size: number): string {
  const end = off + size;
  let i = off;
  let high = 0;
  for (; i < end && b[i] !== 0; i++) high |= b[i] ?? 0;
  for (let j = i; j < end; j++) if (b[j] !== 0) return decString(b, off, size);
  if (high >= 0x80) return decString(b, off, size);
  return i === off ? '' : b.toString('latin1', off, i);
}

/** {@link decOctal}: octal digits ended by a NUL, a space or the field's end are their value (what parseInt reads). */
function fieldOctal(b: Buffer, off: number, size: number): number | undefined {
  const end = off + size;
  let n = 0;
  let i = off;
  for (; i < end; i++) {
    const c = b[i] ?? 0;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return i > off && (i === end || b[i] === 0 || b[i] === 0x20) ? n : decOctal(b, off, size);
}

/** The bytes `off` to `end` (default: the buffer's end) are all zero. */
function allZero(b: Buffer, off: number, end = b.length): boolean {
  for (let i = off; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

// The ustar magic and version (`ustar\0` `00`) and the header's numeric fields (mode, uid, gid,
// size, mtime, checksum, devmajor, devminor).
const USTAR = Buffer.from('ustar\u000000', 'latin1');
const NUMERIC_FIELDS = [100, 108, 116, 124, 136, 148, 329, 337];

// The biggest PAX record the fast path reads (node-tar's own limit is 1 MiB).
const MAX_PAX = 64 * 1024;

/** The checksum of the whole header block at `off`: the sum of its bytes, the checksum field's 8 counted as spaces. */
function headerSum(b: Buffer, off: number): number {
  // Four running sums (both ranges are multiples of 4 long): this loop over each entry's 512
  // bytes was the fast path's hottest, and independent additions halve its time.
  let s0 = 8 * 0x20;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = off, end = off + 148; i < end; i += 4) {
    s0 += b[i]!;
    s1 += b[i + 1]!;
    s2 += b[i + 2]!;
    s3 += b[i + 3]!;
  }
  for (let i = off + 156, end = off + BLOCK; i < end; i += 4) {
    s0 += b[i]!;
    s1 += b[i + 1]!;
    s2 += b[i + 2]!;
    s3 += b[i + 3]!;
  }
  return s0 + s1 + s2 + s3;
}

/**
 * The header at `off` when it is one node-tar would take as it is, with nothing else applied:
 * type `0` (a file, its name not ending in `/`), `5` (a directory of size 0) or `x` (a PAX
 * record of 1 byte to 64 KiB), magic `ustar\0` version `00`, valid checksum, octal numbers, a
 * path and no link name. Anything else is undefined: node-tar reads it.
 */
function plainHeader(b: Buffer, off: number): PlainHeader | undefined {
  const flag = b[off + 156];
  const kind = flag === 0x30 ? 'file' : flag === 0x35 ? 'dir' : flag === 0x78 ? 'pax' : undefined;
  if (kind === undefined) return undefined;
  for (let i = 0; i < USTAR.length; i++) if (b[off + 257 + i] !== USTAR[i]) return undefined;
  // base-256 numbers (and their errors) are node-tar's
  for (const f of NUMERIC_FIELDS) if (((b[off + f] ?? 0) & 0x80) !== 0) return undefined;
  if (fieldOctal(b, off + 148, 12) !== headerSum(b, off)) return undefined;
  const mode = fieldOctal(b, off + 100, 8);
  const size = fieldOctal(b, off + 124, 12);
  if (mode === undefined || size === undefined || size < 0) return undefined;
  if ((kind === 'dir' && size !== 0) || (kind === 'pax' && (size === 0 || size > MAX_PAX))) return undefined;
  if (fieldString(b, off + 157, 100) !== '') return undefined;
  const name = fieldString(b, off, 100);
  if (kind === 'file' && name.endsWith('/')) return undefined;
  let path = name;
  if (b[off + 475] !== 0) path = `${fieldString(b, off + 345, 155)}/${path}`;
  else {
    const prefix = fieldString(b, off + 345, 130);
    if (prefix) path = `${prefix}/${path}`;
  }
  if (path === '') return undefined;
  return { path, kind, size, mode };
}

/** A ustar header of the directory `.`: what node-tar reads first when it takes a stream over midway. */
const SKIPPED_DOT = ((): Buffer => {
  const b = Buffer.alloc(BLOCK);
  b.write('.', 0, 'latin1');
  b.write('0000755\0', 100, 'latin1');
  b.write('00000000000\0', 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write('5', 156, 'latin1');
  b.write('ustar\u000000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
})();

// PAX keys that change nothing the extraction uses (times, owners).
const INERT_PAX = new Set(['mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname']);

/**
 * The `path` of a PAX record whose every line is well-formed and whose keys are `path` or
 * {@link INERT_PAX} (undefined when it has no `path`); null for anything else (node-tar reads it).
 */
function paxPath(text: string): string | undefined | null {
  if (!text.endsWith('\n')) return null;
  let path: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const m = /^([1-9][0-9]*) ([^=]+)=/.exec(line);
    if (m === null || Number(m[1]) !== Buffer.byteLength(line) + 1) return null;
    const key = m[2] ?? '';
    const value = line.slice(m[0].length);
    if (key === 'path') path = value.replace(/\0.*/, '');
    else if (!INERT_PAX.has(key)) return null;
  }
  return path;
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
  /** Entries node-tar emits that were written already (the synthetic `.` of {@link handOver}). */
  private skip = 0;
  /** {@link fastStream} read the whole archive, end-of-archive blocks included: node-tar never saw it. */
  private fastDone = false;
  /** {@link fastStream} reads the stream (until it hands it to node-tar). */
  private streamFast: boolean;
  /** Bytes of the stream {@link fastStream} consumed (whole entries). */
  private consumed = 0;
  /** What {@link fastStream} holds of an entry cut by a piece boundary, and the bytes that entry needs. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private need = 0;
  /**
   * Parent dirs already created and proven real and inside, by clean relative name (`''`: the
   * root); cleared whenever a symlink appears. Relative, so a lookup needs no joined path.
   */
  private readonly parents = new Set<string>(['']);
  /** `realRoot` ending in `/`: a clean relative name appended to it is `join(realRoot, name)`. */
  private readonly rootSlash: string;
  private readonly parser: Parser;

  constructor(
    private readonly realRoot: string,
    private readonly opts: ExtractOptions,
  ) {
    this.rootSlash = realRoot.endsWith('/') ? realRoot : `${realRoot}/`;
    this.streamFast = opts.fastPath ?? true;
    // strict: a bad checksum, a truncated body or a non-tar stream is an error, never a warning.
    this.parser = new Parser({ strict: true, onReadEntry: (e) => this.onEntry(e) });
    this.parser.on('error', (e: unknown) => this.fail(invalidArchive(e)));
  }

  write(chunk: Buffer): void {
    if (this.failure === undefined) {
      if (this.streamFast) this.fastStream(chunk);
      else this.parser.write(chunk);
    }
    this.check();
  }

  end(): void {
    if (this.failure === undefined && this.streamFast) {
      const rest = this.takePending();
      // After at least one entry, a stream that ends in whole zero blocks has ended its archive.
      if (this.consumed > 0 && rest.length > 0 && rest.length % BLOCK === 0 && allZero(rest, 0)) this.fastDone = true;
      else this.handOver(rest);
    }
    if (this.failure === undefined && !this.fastDone) this.parser.end();
    this.check();
  }

  /**
   * The one-pass read, of a whole small tar or of the inflated pieces of a stream: plain POSIX
   * ustar files up to 1 MiB and directories, with the PAX records Go's archive/tar writes before
   * each (times, long paths), written straight from the buffer without node-tar's per-entry
   * streams; an entry cut by a piece boundary waits for the rest. At the first header of any
   * other kind (symlinks, GNU long names, other PAX keys, anything unusual), or at the end of
   * the stream, node-tar takes over from that header's first byte, after a synthetic `.`
   * directory entry it is told to skip when anything was read here (so it is in the state it
   * would be after those plain entries: a valid entry seen, no pending PAX), and judges the rest.
   * Zero blocks after an entry are held (up to one 10 KiB record): when the stream ends on them,
   * {@link end} finishes the archive without node-tar.
   */
  private fastStream(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.need) return;
    const buf = this.takePending();
    if (this.consumed === 0 && (buf[0] === 0x1f || buf[0] === 0x28)) {
      this.handOver(buf); // node-tar sniffs a compressed stream from the first bytes
      return;
    }
    let off = 0;
    let safe = 0;
    let pax: { path: string | undefined } | undefined;
    for (;;) {
      if (off + BLOCK > buf.length) {
        this.need = off + BLOCK - safe;
        break;
      }
      const zero = allZero(buf, off, off + BLOCK);
      if (zero && safe === off && this.consumed > 0 && buf.length - off <= END_HOLD && allZero(buf, off)) {
        this.need = END_HOLD + 1; // more than a record of zeros, or any other byte: node-tar's
        break;
      }
      const h = zero ? undefined : plainHeader(buf, off);
      if (h === undefined || (h.kind === 'file' && h.size > SMALL_FILE)) {
        this.handOver(buf.subarray(safe));
        return;
      }
      const dataEnd = off + BLOCK + h.size;
      const next = off + BLOCK + Math.ceil(h.size / BLOCK) * BLOCK;
      if (next > buf.length) {
        this.need = next - safe;
        break;
      }
      if (h.kind === 'pax') {
        const path = pax === undefined ? paxPath(buf.toString('utf8', off + BLOCK, dataEnd)) : null;
        if (path === null) {
          this.handOver(buf.subarray(safe));
          return;
        }
        pax = { path };
        off = next;
        continue;
      }
      const path = pax?.path ?? h.path;
      if (path === '' || (h.kind === 'file' && path.endsWith('/'))) {
        this.handOver(buf.subarray(safe));
        return;
      }
      pax = undefined;
      try {
        this.unpackPlain(path, h, buf.subarray(off + BLOCK, dataEnd));
      } catch (e) {
        this.fail(e);
        return;
      }
      off = next;
      this.consumed += off - safe;
      safe = off;
    }
    if (safe < buf.length) {
      this.pending = [buf.subarray(safe)];
      this.pendingBytes = buf.length - safe;
    }
  }

  private takePending(): Buffer {
    const b = this.pending.length === 1 && this.pending[0] !== undefined ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.need = 0;
    return b;
  }

  /** node-tar reads the rest of the stream from `rest` on (see {@link fastStream}). */
  private handOver(rest: Buffer): void {
    this.streamFast = false;
    if (this.consumed > 0) {
      this.skip++;
      this.parser.write(SKIPPED_DOT);
    }
    if (rest.length > 0) this.parser.write(rest);
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
    if (this.skip > 0) {
      // the synthetic `.` of handOver: the entries before it were written already
      this.skip--;
      entry.resume();
      return;
    }
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

  /**
   * Makes the parent directory of the entry `name` (a clean relative path), refusing one that
   * resolves out of the root; true when that parent is now in {@link parents} (real, inside).
   */
  private ensureParent(name: string): boolean {
    const slash = name.lastIndexOf('/');
    const parent = slash < 0 ? '' : name.slice(0, slash);
    if (this.parents.has(parent)) return true;
    const realParent = resolveReal(this.realRoot, parent);
    if (!isInside(this.realRoot, realParent)) {
      throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: resolves through a symlink out of the repository`);
    }
    mkdirSync(realParent, { recursive: true, mode: 0o755 });
    if (realParent !== (parent === '' ? this.realRoot : this.rootSlash + parent)) return false;
    this.parents.add(parent);
    return true;
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
    const target = this.rootSlash + name;
    const mode = (entry.mode ?? 0) & 0o777;
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir': {
        this.makeDir(name, target, mode);
        entry.resume();
        return;
      }
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        this.startFile(name, entry.size);
        this.unpackFile(entry, name, target, opts.preserveFileMode ? mode : 0o644);
        return;
      }
      case 'SymbolicLink': {
        const link = entry.linkpath ?? '';
        this.admit(name, 0);
        this.ensureParent(name);
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
        if (resolved === undefined || !isInside(realRoot, resolved)) {
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

  private makeDir(name: string, target: string, mode: number): void {
    this.admit(name, 0);
    const parentProven = this.ensureParent(name);
    try {
      mkdirSync(target, 0o755);
      // Its parent is real and it was just made: files below it need no further resolving.
      if (parentProven) this.parents.add(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const st = lstatSync(target);
      if (st.isSymbolicLink()) {
        throw new SyncgateError('CMP_ILLEGAL_PATH', `illegal filepath in archive: ${name}: directory replaces a symlink`);
      }
      if (!st.isDirectory()) throw e;
    }
    if (this.opts.preserveFileMode) chmodSync(target, mode | 0o700);
  }

  /** The checks before a file's first byte: the header declares its size, so a file over a limit is refused unwritten. */
  private startFile(name: string, size: number): void {
    const { opts } = this;
    const maxFile = opts.maxFileBytes ?? Infinity;
    if (size > maxFile) {
      throw new SyncgateError('CMP_FILE_TOO_LARGE', `repository file exceeds ${maxFile} bytes (limits.fileBytes): ${name}: ${size} bytes`);
    }
    if (this.bytes + size > opts.maxBytes) throw this.tooLarge(name);
    this.admit(name, size);
    this.ensureParent(name);
  }

  private unpackPlain(path: string, h: PlainHeader, data: Buffer): void {
    const name = entryName(path, this.opts.maxDepth ?? Infinity);
    if (name === undefined) return;
    const { opts } = this;
    const target = this.rootSlash + name;
    const mode = h.mode & 0o777;
    if (h.kind === 'dir') {
      this.makeDir(name, target, mode);
      return;
    }
    this.startFile(name, h.size);
    const fileMode = opts.preserveFileMode ? mode : 0o644;
    this.bytes += data.length;
    createExclusive(target, (t) => writeFileSync(t, data, { flag: 'wx', mode: fileMode }));
    this.files++;
    if (opts.preserveFileMode) chmodSync(target, fileMode);
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
 * Nothing holds the stream: a small one (up to 256 KiB of gzip, inflating to at most 2 MiB) is
 * held and inflated in one call when it ends, anything bigger goes through a streaming gunzip
 * (fed 64 KiB at a time; the thread pool inflates a 128 KiB slice while this thread unpacks the
 * previous one), each unpacked synchronously (a small file costs its open, write and close, no
 * event-loop round trip). Both read plain entries in one pass without node-tar and hand anything
 * unusual to it.
 */
export class TgzIngest {
  private readonly unpacker: Unpacker;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private readonly holdBytes: number;
  private gunzip: Gunzip | undefined;
  private streamEnd: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Inflated tar pieces not unpacked yet (see {@link startStreaming}). */
  private inflated: Buffer[] = [];
  private disposed = false;

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
        // The trailer's size sizes the output buffer, so the tar comes out in one piece, not 16 KiB
        // pieces joined by a copy (a third of the inflate's time on a 100 KiB tar); a trailer
        // declaring more than SYNC_TAR goes to the stream at once, not after inflating SYNC_TAR
        // in vain. A trailer that lies costs a loop or a stream, never a wrong result: a smaller
        // tar than declared still fits, a bigger one still stops at maxOutputLength.
        const size = declaredSize(gz);
        let tar: Buffer | undefined;
        if (size <= SYNC_TAR) {
          try {
            tar = gunzipSync(gz, { maxOutputLength: SYNC_TAR, chunkSize: Math.max(size + 1, 16 * 1024) });
          } catch (e) {
            if (!tooLargeForMemory(e)) throw invalidArchive(e);
          }
        }
        if (tar !== undefined) this.unpacker.write(tar);
        else this.startStreaming().write(gz);
      }
      if (this.gunzip !== undefined) {
        this.flush(this.gunzip);
        this.gunzip.end();
        await this.streamEnd;
        this.unpackInflated();
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
    // A piece queued for a microtask must not be written after this (the caller removes the dir).
    this.disposed = true;
    this.inflated = [];
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
    const gz = createGunzip({ chunkSize: INFLATE_CHUNK, ...({ writableHighWaterMark: 16 * CHUNK } as ZlibOptions) });
    this.gunzip = gz;
    // zlib emits each piece before it hands the pool the next one: unpacking in the 'data'
    // handler would leave the pool idle meanwhile. Queued and unpacked in a microtask (after
    // zlib has started the next piece), inflating and writing overlap; the queue stays at a
    // piece or two, since zlib needs this thread to emit the next.
    gz.on('data', (tar: Buffer) => {
      if (this.disposed) return;
      this.inflated.push(tar);
      if (this.inflated.length === 1) queueMicrotask(() => this.unpackInflated());
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

  /** Unpacks the inflated pieces queued by the gunzip stream. */
  private unpackInflated(): void {
    const pieces = this.inflated;
    this.inflated = [];
    for (const tar of pieces) {
      if (this.failure !== undefined || this.disposed) return;
      try {
        this.unpacker.write(tar);
      } catch (e) {
        this.fail(e);
      }
    }
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
