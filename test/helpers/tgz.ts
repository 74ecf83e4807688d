// Builds gzip tarballs the way Argo CD's repo-server does (Go archive/tar via util/io/files.Tgz):
// first entry `.`, filepath.Walk lexical order, directory names without a trailing slash, PAX
// format (a PAX header per entry carrying sub-second times, and `path` for long names),
// symlinks as header-only entries. Also hand-crafts hostile archives for negative tests.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One tar entry to write verbatim (hostile archives use any name, type and link). */
export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  content?: Buffer | string;
  mode?: number;
  linkname?: string;
  /** Seconds since the epoch (fractions produce a PAX `mtime` like Go's PAX format). */
  mtime?: number;
  uid?: number;
  gid?: number;
}

const TYPEFLAG: Record<TarEntry['type'], string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

function octal(buf: Buffer, off: number, len: number, value: number): void {
  // Go's formatOctal: zero-padded digits, NUL terminated.
  buf.write(value.toString(8).padStart(len - 1, '0').slice(-(len - 1)) + '\0', off, len, 'ascii');
}

function header(fields: { name: string; mode: number; uid: number; gid: number; size: number; mtime: number; typeflag: string; linkname: string }): Buffer {
  const b = Buffer.alloc(512);
  b.write(fields.name, 0, 100, 'utf8');
  octal(b, 100, 8, fields.mode);
  octal(b, 108, 8, fields.uid);
  octal(b, 116, 8, fields.gid);
  octal(b, 124, 12, fields.size);
  octal(b, 136, 12, Math.floor(fields.mtime));
  b.fill(' ', 148, 156);
  b.write(fields.typeflag, 156, 1, 'ascii');
  b.write(fields.linkname, 157, 100, 'utf8');
  b.write('ustar\x0000', 257, 8, 'binary');
  octal(b, 329, 8, 0);
  octal(b, 337, 8, 0);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return b;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function paxTime(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(9).replace(/0+$/, '');
}

/** Encodes entries as an (uncompressed) PAX-format tar stream with its two zero end blocks. */
export function tarFromEntries(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const content = e.type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    const mtime = e.mtime ?? 1_700_000_000.125;
    const records: Record<string, string> = {};
    if (!Number.isInteger(mtime)) {
      records['atime'] = paxTime(mtime);
      records['ctime'] = paxTime(mtime);
      records['mtime'] = paxTime(mtime);
    }
    if (Buffer.byteLength(e.name) > 100) records['path'] = e.name;
    if (e.linkname !== undefined && Buffer.byteLength(e.linkname) > 100) records['linkpath'] = e.linkname;
    const base = {
      mode: e.mode ?? (e.type === 'dir' ? 0o755 : 0o644),
      uid: e.uid ?? 1000,
      gid: e.gid ?? 1000,
      mtime,
    };
    const keys = Object.keys(records).sort();
    if (keys.length > 0) {
      const data = Buffer.from(keys.map((k) => paxRecord(k, records[k] as string)).join(''));
      // Go names the extended header <dir>/PaxHeaders.0/<base>, cut to the 100-byte name field.
      const slash = e.name.lastIndexOf('/');
      const paxName = (e.name === '.' ? 'PaxHeaders.0' : slash >= 0 ? `${e.name.slice(0, slash)}/PaxHeaders.0/${e.name.slice(slash + 1)}` : `PaxHeaders.0/${e.name}`).slice(0, 100);
      blocks.push(header({ ...base, name: paxName, size: data.length, typeflag: 'x', linkname: '' }), pad(data));
    }
    blocks.push(
      header({
        ...base,
        name: Buffer.from(e.name).subarray(0, 100).toString('utf8'),
        size: content.length,
        typeflag: TYPEFLAG[e.type],
        linkname: e.linkname ?? '',
      }),
    );
    if (content.length > 0) blocks.push(pad(content));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Gzips a tar built from entries (Go's gzip default level is 6, as is zlib's). */
export function tgzFromEntries(entries: readonly TarEntry[]): Buffer {
  return gzipSync(tarFromEntries(entries), { level: 6 });
}

/**
 * Walks `root` like Go's filepath.Walk (lexical order, symlinks not followed, sockets/devices
 * skipped) and returns the entries the repo-server would send; fails like Argo CD's
 * CompressFiles when there is no regular file.
 */
export function entriesFromDir(root: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let regular = 0;
  const walk = (abs: string, rel: string): void => {
    const st = lstatSync(abs);
    const mtime = st.mtimeMs / 1000;
    const name = rel === '' ? '.' : rel;
    if (st.isSymbolicLink()) {
      entries.push({ name, type: 'symlink', linkname: readlinkSync(abs), mode: 0o777, mtime });
    } else if (st.isDirectory()) {
      entries.push({ name, type: 'dir', mode: st.mode & 0o7777, mtime });
      const names = readdirSync(abs).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const n of names) walk(join(abs, n), rel === '' ? n : `${rel}/${n}`);
    } else if (st.isFile()) {
      regular++;
      entries.push({ name, type: 'file', content: readFileSync(abs), mode: st.mode & 0o7777, mtime });
    }
  };
  walk(root, '');
  if (regular === 0) throw new Error(`no files to send(${root})`);
  return entries;
}

/** The gzip tarball of a directory, as the repo-server streams it. */
export function tgzFromDir(root: string): Buffer {
  return tgzFromEntries(entriesFromDir(root));
}
