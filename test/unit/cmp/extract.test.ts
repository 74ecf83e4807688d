import { symlinkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { extractTgz } from '../../../src/cmp/extract.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { tarFromEntries, tgzFromEntries, tgzFromDir, type TarEntry } from '../../helpers/tgz.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'syncgate-extract-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

// Every ingest path runs every case: a received tarball in memory (the sidecar's usual case), a
// file inflated in memory, and a file streamed (what a tarball beyond the in-memory limit gets).
let mode: 'buffer' | 'memory' | 'stream' = 'memory';
const input = (tgzPath: string): Buffer | string => (mode === 'buffer' ? readFileSync(tgzPath) : tgzPath);

async function extractEntries(entries: TarEntry[], opts: { preserveFileMode?: boolean; maxBytes?: number } = {}): Promise<string> {
  const tgz = join(base, 'in.tgz');
  writeFileSync(tgz, tgzFromEntries(entries));
  const dest = join(base, 'out');
  mkdirSync(dest);
  await extractTgz(input(tgz), dest, { maxBytes: opts.maxBytes ?? 1024 * 1024, holdBytes: mode === 'stream' ? 0 : 256 * 1024, ...(opts.preserveFileMode ? { preserveFileMode: true } : {}) });
  return dest;
}

const root: TarEntry = { name: '.', type: 'dir' };

describe.each(['buffer', 'memory', 'stream'] as const)('extractTgz (%s)', (m) => {
  beforeEach(() => {
    mode = m;
  });

  test('round-trips a Go-style tarball of a directory (first entry ., dirs without slash, symlinks)', async () => {
    const src = join(base, 'src');
    mkdirSync(join(src, 'b', 'c'), { recursive: true });
    writeFileSync(join(src, 'a.yaml'), 'kind: A\n');
    writeFileSync(join(src, 'b', 'c', 'd.yaml'), 'kind: D\n', { mode: 0o755 });
    const { symlinkSync } = await import('node:fs');
    symlinkSync('b/c/d.yaml', join(src, 'link.yaml'));
    const tgz = join(base, 'in.tgz');
    writeFileSync(tgz, tgzFromDir(src));
    const dest = join(base, 'out');
    mkdirSync(dest);
    const r = await extractTgz(input(tgz), dest, { maxBytes: 1 << 20, holdBytes: m === 'stream' ? 0 : 256 * 1024 });
    expect(r.files).toBe(2);
    expect(readdirSync(dest).sort()).toEqual(['a.yaml', 'b', 'link.yaml']);
    expect(readFileSync(join(dest, 'b/c/d.yaml'), 'utf8')).toBe('kind: D\n');
    expect(readlinkSync(join(dest, 'link.yaml'))).toBe('b/c/d.yaml');
    expect(readFileSync(join(dest, 'link.yaml'), 'utf8')).toBe('kind: D\n');
    // modes reset to 0644/0755 without preserveFileMode
    expect(statSync(join(dest, 'b/c/d.yaml')).mode & 0o777).toBe(0o644);
    expect(statSync(join(dest, 'b')).mode & 0o777).toBe(0o755);
  });

  test('preserveFileMode keeps the permission bits but never setuid', async () => {
    const dest = await extractEntries([root, { name: 'run.sh', type: 'file', content: '#!/bin/sh\n', mode: 0o4755 }], { preserveFileMode: true });
    expect(statSync(join(dest, 'run.sh')).mode & 0o7777).toBe(0o755);
  });

  test('long names arrive through PAX path records', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}.yaml`;
    const dest = await extractEntries([root, { name: 'd'.repeat(120), type: 'dir' }, { name: long, type: 'file', content: 'x: 1\n' }]);
    expect(readFileSync(join(dest, long), 'utf8')).toBe('x: 1\n');
  });

  test.each<[string, TarEntry[], string, RegExp]>([
    ['traversal', [root, { name: '../evil.yaml', type: 'file', content: 'x' }], 'CMP_ILLEGAL_PATH', /^illegal filepath in archive: \.\.\/evil\.yaml: parent directory reference$/],
    ['nested traversal', [root, { name: 'a/../../evil', type: 'file', content: 'x' }], 'CMP_ILLEGAL_PATH', /^illegal filepath in archive: a\/\.\.\/\.\.\/evil/],
    ['absolute path', [root, { name: '/etc/evil', type: 'file', content: 'x' }], 'CMP_ILLEGAL_PATH', /^illegal filepath in archive: \/etc\/evil: absolute/],
    ['drive letter', [root, { name: 'C:/evil', type: 'file', content: 'x' }], 'CMP_ILLEGAL_PATH', /^illegal filepath in archive: C:\/evil: absolute or non-posix path$/],
    ['backslash', [root, { name: 'a\\evil', type: 'file', content: 'x' }], 'CMP_ILLEGAL_PATH', /^illegal filepath in archive: a\\evil: absolute or non-posix path$/],
    ['trailing ..', [root, { name: 'a', type: 'dir' }, { name: 'a/b/..', type: 'dir' }], 'CMP_ILLEGAL_PATH', /^illegal filepath in archive: a\/b\/\.\.: parent directory reference$/],
    ['absolute symlink', [root, { name: 'l', type: 'symlink', linkname: '/etc/passwd' }], 'CMP_ILLEGAL_SYMLINK', /^illegal filepath in symlink: l -> \/etc\/passwd: absolute/],
    ['escaping symlink', [root, { name: 'l', type: 'symlink', linkname: '../../etc' }], 'CMP_ILLEGAL_SYMLINK', /^illegal filepath in symlink: l -> \.\.\/\.\.\/etc: points out of the repository$/],
    [
      'symlink chain escape (x/l -> .., x/l/m -> ..)',
      [root, { name: 'x', type: 'dir' }, { name: 'x/l', type: 'symlink', linkname: '..' }, { name: 'x/l/m', type: 'symlink', linkname: '..' }],
      'CMP_ILLEGAL_SYMLINK',
      /^illegal filepath in symlink: x\/l\/m -> \.\.: points out/,
    ],
    [
      'directory entry over an in-repo symlink',
      [root, { name: 'real', type: 'dir' }, { name: 'l', type: 'symlink', linkname: 'real' }, { name: 'l', type: 'dir' }],
      'CMP_ILLEGAL_PATH',
      /^illegal filepath in archive: l: directory replaces a symlink$/,
    ],
    ['hard link', [root, { name: 'a', type: 'file', content: 'x' }, { name: 'h', type: 'hardlink', linkname: 'a' }], 'CMP_ILLEGAL_ENTRY', /^illegal entry in archive: h: hard link to a$/],
    ['character device', [root, { name: 'null', type: 'char' }], 'CMP_ILLEGAL_ENTRY', /^illegal entry in archive: null: character-device$/],
    ['block device', [root, { name: 'sda', type: 'block' }], 'CMP_ILLEGAL_ENTRY', /^illegal entry in archive: sda: block-device$/],
    ['fifo', [root, { name: 'p', type: 'fifo' }], 'CMP_ILLEGAL_ENTRY', /^illegal entry in archive: p: fifo$/],
  ])('refuses %s', async (_label, entries, code, message) => {
    const err: unknown = await extractEntries(entries).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSyncgateError(err)).toBe(true);
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toMatch(message);
    expect(existsSync('/etc/evil')).toBe(false);
    expect(readdirSync(base).filter((n) => n !== 'in.tgz' && n !== 'out')).toEqual([]);
  });

  test('a file written through an in-repo symlink to a dir stays inside', async () => {
    const dest = await extractEntries([root, { name: 'real', type: 'dir' }, { name: 'l', type: 'symlink', linkname: 'real' }, { name: 'l/f.yaml', type: 'file', content: 'ok' }]);
    expect(readFileSync(join(dest, 'real', 'f.yaml'), 'utf8')).toBe('ok');
    expect(lstatSync(join(dest, 'l')).isSymbolicLink()).toBe(true);
  });

  test('a repeated entry replaces the earlier one; a file never writes through a symlink of the same name', async () => {
    const dest = await extractEntries([
      root,
      { name: 'a.yaml', type: 'file', content: 'first' },
      { name: 'a.yaml', type: 'file', content: 'second' },
      { name: 'target.yaml', type: 'file', content: 'target' },
      { name: 'l.yaml', type: 'symlink', linkname: 'target.yaml' },
      { name: 'l.yaml', type: 'file', content: 'replaced' },
    ]);
    expect(readFileSync(join(dest, 'a.yaml'), 'utf8')).toBe('second');
    expect(lstatSync(join(dest, 'l.yaml')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dest, 'l.yaml'), 'utf8')).toBe('replaced');
    expect(readFileSync(join(dest, 'target.yaml'), 'utf8')).toBe('target');
  });

  test('entry names are written in their clean form; dot-led names that are not . or .. are names', async () => {
    const dest = await extractEntries([
      root,
      { name: './a/b.yaml', type: 'file', content: 'b' },
      { name: 'c//d.yaml', type: 'file', content: 'd' },
      { name: 'e/./f.yaml', type: 'file', content: 'f' },
      { name: 'g/', type: 'dir' },
      { name: 'g/...', type: 'file', content: '3' },
      { name: '.h', type: 'file', content: 'h' },
      { name: '..i', type: 'file', content: 'i' },
      { name: 'C:j', type: 'file', content: 'j' },
    ]);
    const found: string[] = [];
    const walk = (d: string, rel: string): void => {
      for (const n of readdirSync(d).sort()) {
        const r = rel === '' ? n : `${rel}/${n}`;
        if (lstatSync(join(d, n)).isDirectory()) walk(join(d, n), r);
        else found.push(`${r}=${readFileSync(join(d, n), 'utf8')}`);
      }
    };
    walk(dest, '');
    expect(found).toEqual(['..i=i', '.h=h', 'C:j=j', 'a/b.yaml=b', 'c/d.yaml=d', 'e/f.yaml=f', 'g/...=3']);
  });

  test.each([
    ['a/b', undefined],
    ['a//b/./', undefined],
    ['a/b/c', 'illegal filepath in archive: a/b/c: 3 path components, the limit is 2 (limits.pathDepth)'],
    ['a//b/./c', 'illegal filepath in archive: a//b/./c: 3 path components, the limit is 2 (limits.pathDepth)'],
  ])('limits.pathDepth 2 counts the clean components of %s', async (name, message) => {
    const tgz = join(base, 'in.tgz');
    writeFileSync(tgz, tgzFromEntries([root, { name, type: 'dir' }]));
    const dest = join(base, 'out');
    mkdirSync(dest);
    const run = extractTgz(input(tgz), dest, { maxBytes: 1 << 20, maxDepth: 2, holdBytes: mode === 'stream' ? 0 : 256 * 1024 });
    if (message === undefined) {
      await run;
      expect(lstatSync(join(dest, 'a', 'b')).isDirectory()).toBe(true);
    } else await expect(run).rejects.toMatchObject({ code: 'CMP_PATH_TOO_DEEP', message });
  });

  test('a directory listed twice, and files in dirs made by earlier entries, extract once', async () => {
    const dest = await extractEntries([root, { name: 'a', type: 'dir' }, { name: 'a/b', type: 'dir' }, { name: 'a', type: 'dir' }, { name: 'a/b/f.yaml', type: 'file', content: 'f' }]);
    expect(readFileSync(join(dest, 'a/b/f.yaml'), 'utf8')).toBe('f');
  });

  test('stops a gzip bomb at maxBytes', async () => {
    const err = await extractEntries([root, { name: 'big', type: 'file', content: Buffer.alloc(64 * 1024) }], { maxBytes: 1024 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CMP_STREAM_TOO_LARGE' });
    expect((err as Error).message).toBe('extracted repository exceeds 1024 bytes (limits.repoBytes): big');
  });

  test('a truncated or non-gzip archive is CMP_ARCHIVE_INVALID', async () => {
    const good = tgzFromEntries([root, { name: 'a', type: 'file', content: 'x'.repeat(5000) }]);
    for (const bytes of [good.subarray(0, good.length - 20), Buffer.from('not a tarball')]) {
      const tgz = join(base, 'bad.tgz');
      writeFileSync(tgz, bytes);
      const dest = join(base, `out-${bytes.length}`);
      mkdirSync(dest);
      await expect(extractTgz(input(tgz), dest, { maxBytes: 1 << 20, holdBytes: m === 'stream' ? 0 : 256 * 1024 })).rejects.toMatchObject({ code: 'CMP_ARCHIVE_INVALID' });
    }
  });

  // The trailer's size (ISIZE) sizes the one-call inflate and sends a big one to the stream: a
  // trailer that lies either way must still end in zlib's length check, never in a wrong tree.
  test.each([0, 5000, 3 << 20, 0xffffffff])('a gzip trailer declaring %d bytes it does not hold is CMP_ARCHIVE_INVALID', async (declared) => {
    const tgzBytes = tgzFromEntries([root, { name: 'a', type: 'file', content: 'x'.repeat(5000) }]);
    tgzBytes.writeUInt32LE(declared, tgzBytes.length - 4);
    const tgz = join(base, 'lying.tgz');
    writeFileSync(tgz, tgzBytes);
    const dest = join(base, 'out');
    mkdirSync(dest);
    await expect(extractTgz(input(tgz), dest, { maxBytes: 1 << 20, holdBytes: m === 'stream' ? 0 : 256 * 1024 })).rejects.toMatchObject({
      code: 'CMP_ARCHIVE_INVALID',
      message: expect.stringContaining('incorrect length check') as unknown,
    });
  });
});

test('a two-member gzip whose last member declares little, the whole more than one call inflates, streams and extracts', async () => {
  // The first member holds a 3 MiB file (its header and content, whole blocks), the second the
  // rest: its trailer declares a few KiB, so the one-call inflate is tried and outgrows its limit.
  const tar = tarFromEntries([{ ...root, mtime: 1_700_000_000 }, { name: 'big.bin', type: 'file', content: Buffer.alloc(3 << 20, 0x61), mtime: 1_700_000_000 }, { name: 'small.yaml', type: 'file', content: 'a: 1\n', mtime: 1_700_000_000 }]);
  const cut = 512 + 512 + (3 << 20);
  const tgz = Buffer.concat([gzipSync(tar.subarray(0, cut)), gzipSync(tar.subarray(cut))]);
  expect(tgz.readUInt32LE(tgz.length - 4)).toBeLessThan(8192);
  const out = join(base, 'out');
  mkdirSync(out);
  await expect(extractTgz(tgz, out, { maxBytes: 8 << 20 })).resolves.toEqual({ files: 2, bytes: (3 << 20) + 5 });
  expect(readFileSync(join(out, 'big.bin')).equals(Buffer.alloc(3 << 20, 0x61))).toBe(true);
  expect(readFileSync(join(out, 'small.yaml'), 'utf8')).toBe('a: 1\n');
});

test.each(['buffer', 'file'] as const)('a %s inflating beyond holdBytes streams once it outgrows holdBytes', async (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-extract-'));
  try {
    const tgz = tgzFromEntries([root, { name: 'big.yaml', type: 'file', content: 'a: 1\n'.repeat(10_000) }]);
    writeFileSync(join(dir, 'in.tgz'), tgz);
    mkdirSync(join(dir, 'out'));
    const src = kind === 'buffer' ? tgz : join(dir, 'in.tgz');
    await expect(extractTgz(src, join(dir, 'out'), { maxBytes: 1 << 20, holdBytes: 4096 })).resolves.toEqual({ files: 1, bytes: 50_000 });
    expect(readFileSync(join(dir, 'out', 'big.yaml'), 'utf8')).toBe('a: 1\n'.repeat(10_000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('large content from a small gzip', () => {
  // 12 MiB of zeros gzip to ~12 KiB: too much to inflate on the calling thread, fine for the pool;
  // the file is larger than the one-call size, so it is written chunk by chunk through a descriptor.
  const big = Buffer.alloc(12 * 1024 * 1024);
  const tgz = tgzFromEntries([root, { name: 'zeros.bin', type: 'file', content: big }, { name: 'empty', type: 'file', content: '' }]);
  const openFds = (): number => readdirSync('/proc/self/fd').length;

  test('is inflated off the loop and written in chunks, empty files included', async () => {
    const out = join(base, 'out');
    mkdirSync(out);
    expect(tgz.length).toBeLessThan(256 * 1024);
    await expect(extractTgz(tgz, out, { maxBytes: 64 << 20 })).resolves.toEqual({ files: 2, bytes: big.length });
    expect(readFileSync(join(out, 'zeros.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'empty'), 'utf8')).toBe('');
  });

  test.each([['memory', 256 * 1024], ['stream', 0]] as const)('stops at maxBytes mid-file without leaking the descriptor (%s)', async (_m, holdBytes) => {
    const out = join(base, 'out');
    mkdirSync(out);
    const before = openFds();
    await expect(extractTgz(tgz, out, { maxBytes: 5 << 20, holdBytes })).rejects.toMatchObject({
      code: 'CMP_STREAM_TOO_LARGE',
      message: `extracted repository exceeds ${5 << 20} bytes (limits.repoBytes): zeros.bin`,
    });
    expect(openFds()).toBe(before);
  });
});

test('a tar header with a bad checksum is CMP_ARCHIVE_INVALID, not skipped', async () => {
  // whole-second mtimes: no PAX records, so the second header (a.yaml) starts at byte 512
  const tar = tarFromEntries([{ ...root, mtime: 1_700_000_000 }, { name: 'a.yaml', type: 'file', content: 'x: 1\n', mtime: 1_700_000_000 }]);
  expect(tar.subarray(512, 518).toString()).toBe('a.yaml');
  tar.writeUInt8(tar.readUInt8(512 + 3) ^ 0x20, 512 + 3); // a.yaml -> a.Yaml, checksum unchanged
  const out = join(base, 'out');
  mkdirSync(out);
  await expect(extractTgz(gzipSync(tar), out, { maxBytes: 1 << 20 })).rejects.toMatchObject({ code: 'CMP_ARCHIVE_INVALID' });
});

test('extracts a tarball written by Go archive/tar the way Argo CD writes it (fixture)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-extract-'));
  try {
    const tgz = join(dir, 'repo.tgz');
    const b64 = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'cmp', 'go-archive-tar', 'repo.tgz.b64'), 'utf8');
    writeFileSync(tgz, Buffer.from(b64, 'base64'));
    const out = join(dir, 'out');
    mkdirSync(out);
    await expect(extractTgz(tgz, out, { maxBytes: 1 << 20 })).resolves.toEqual({ files: 3, bytes: 41 + 52 + 5 });
    expect(readFileSync(join(out, 'app', 'Chart.yaml'), 'utf8')).toBe('apiVersion: v2\nname: demo\nversion: 0.1.0\n');
    // +x in the archive, reset without preserveFileMode
    expect(statSync(join(out, 'app', 'templates', 'cm.yaml')).mode & 0o777).toBe(0o644);
    expect(readlinkSync(join(out, 'chart-link.yaml'))).toBe('app/Chart.yaml');
    // a 110-char directory and a 120-char file name only fit through PAX path records
    expect(readFileSync(join(out, 'd'.repeat(110), `${'f'.repeat(120)}.yaml`), 'utf8')).toBe('x: 1\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the test tarball builder writes the same entries as Go archive/tar for the same tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-extract-'));
  try {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'app', 'templates'), { recursive: true });
    mkdirSync(join(src, 'd'.repeat(110)));
    writeFileSync(join(src, 'app', 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\n');
    writeFileSync(join(src, 'app', 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n', { mode: 0o755 });
    writeFileSync(join(src, 'd'.repeat(110), `${'f'.repeat(120)}.yaml`), 'x: 1\n');
    symlinkSync('app/Chart.yaml', join(src, 'chart-link.yaml'));
    const list = async (gz: Buffer): Promise<string[]> => {
      const ex = extract();
      ex.end(gunzipSync(gz));
      const out: string[] = [];
      for await (const e of ex) {
        out.push(`${e.header.type} ${e.header.name} ${(e.header.mode & 0o777).toString(8)} ${e.header.linkname ?? ''} ${String(e.header.size)}`);
        e.resume();
      }
      return out;
    };
    const go = Buffer.from(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'cmp', 'go-archive-tar', 'repo.tgz.b64'), 'utf8'), 'base64');
    expect(await list(tgzFromDir(src))).toEqual(await list(go));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
