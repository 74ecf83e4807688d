// The whole-buffer fast path of the extractor (small streams: plain ustar files and directories
// with Go's per-entry PAX records, read without node-tar) against node-tar reading the same
// archive as a stream: same outcome, same error code, same tree, for valid archives and for
// seeded mutations of them (header fields, PAX records, bytes, cuts). The streaming path is fed
// too at seeded random split points (as gRPC chunks bring it), and must agree with both.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TgzIngest, extractTgz, type ExtractOptions } from '../../../src/cmp/extract.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { mulberry32 as prng } from '../../helpers/prng.js';
import { tarFromEntries, type TarEntry } from '../../helpers/tgz.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0xfa57);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 200);

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'syncgate-fastpath-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Every entry below `dir`: path, kind, permission bits and content or link target. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const r = rel === '' ? n : `${rel}/${n}`;
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${r}/ ${mode}`);
        walk(p, r);
      } else out.push(`${r} ${mode} ${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir, '');
  return out;
}

let runs = 0;
const splitRand = prng(SEED ^ 0x5eed);

/** `tgz` fed to the streaming path (nothing held) in pieces cut at seeded random points, 1 byte to 8 KiB. */
async function splitExtract(tgz: Buffer, dest: string, opts: ExtractOptions): Promise<{ files: number; bytes: number }> {
  const ingest = new TgzIngest(dest, { ...opts, holdBytes: 0 });
  try {
    for (let o = 0; o < tgz.length; ) {
      const n = 1 + Math.floor(splitRand() * (splitRand() < 0.5 ? 16 : 8192));
      await ingest.write(tgz.subarray(o, o + n));
      o += n;
    }
    return await ingest.end();
  } finally {
    ingest.dispose();
  }
}

/** One extraction's outcome (counts or error code) and the tree it left. */
async function outcome(run: (dest: string) => Promise<{ files: number; bytes: number }>): Promise<string> {
  const dest = join(work, `out-${runs++}`);
  mkdirSync(dest);
  let result: string;
  try {
    result = JSON.stringify(await run(dest));
  } catch (e) {
    if (!isSyncgateError(e)) throw e;
    result = e.code;
  }
  return `${result}\n${tree(dest).join('\n')}`;
}

/**
 * Extracts `tgz` whole (fast path) and as a stream (node-tar only); returns both outcomes, after
 * checking that the stream cut at random points comes out as the whole does.
 */
async function both(tgz: Buffer, opts: Partial<ExtractOptions> = {}): Promise<[string, string]> {
  const o: ExtractOptions = { maxBytes: 1 << 20, ...opts };
  const whole = await outcome((d) => extractTgz(tgz, d, { ...o, holdBytes: 256 * 1024 }));
  const split = await outcome((d) => splitExtract(tgz, d, o));
  if (split !== whole) throw new Error(`split stream and whole differ\n--- whole\n${whole}\n--- split\n${split}`);
  return [whole, await outcome((d) => extractTgz(tgz, d, { ...o, holdBytes: 0, fastPath: false }))];
}

const goStyle: TarEntry[] = [
  { name: '.', type: 'dir' },
  { name: 'app', type: 'dir', mode: 0o750 },
  { name: 'app/Chart.yaml', type: 'file', content: 'apiVersion: v2\nname: demo\nversion: 0.1.0\n' },
  { name: 'app/templates', type: 'dir' },
  { name: 'app/templates/cm.yaml', type: 'file', content: 'kind: ConfigMap\n'.repeat(70), mode: 0o755 },
  { name: 'app/empty.yaml', type: 'file', content: '' },
  { name: 'd'.repeat(110), type: 'dir' },
  { name: `${'d'.repeat(110)}/${'f'.repeat(120)}.yaml`, type: 'file', content: 'x: 1\n' },
  { name: 'z.txt', type: 'file', content: 'z', mtime: 1_700_000_000 },
];

test.each([false, true])('a Go-style archive (PAX records per entry, long names) extracts alike whole and streamed (preserveFileMode %s)', async (preserveFileMode) => {
  const [whole, streamed] = await both(gzipSync(tarFromEntries(goStyle)), { preserveFileMode });
  expect(whole).toBe(streamed);
  expect(whole.split('\n')[0]).toBe(JSON.stringify({ files: 5, bytes: 41 + 16 * 70 + 0 + 5 + 1 }));
});

test.each<[string, Partial<ExtractOptions>]>([
  ['maxFiles', { maxFiles: 4 }],
  ['maxFileBytes', { maxFileBytes: 100 }],
  ['maxBytes', { maxBytes: 500 }],
  ['maxDepth', { maxDepth: 1 }],
])('a limit (%s) stops both at the same entry with the same code', async (_l, opts) => {
  const [whole, streamed] = await both(gzipSync(tarFromEntries(goStyle)), opts);
  expect(whole).toBe(streamed);
  expect(whole.startsWith('CMP_')).toBe(true);
});

test('a symlink after plain entries hands the archive to node-tar without writing anything twice', async () => {
  const entries: TarEntry[] = [...goStyle, { name: 'link.yaml', type: 'symlink', linkname: 'app/Chart.yaml' }, { name: 'after.yaml', type: 'file', content: 'a: 1\n' }];
  const [whole, streamed] = await both(gzipSync(tarFromEntries(entries)));
  expect(whole).toBe(streamed);
  expect(whole).toContain('link.yaml -> app/Chart.yaml');
  expect(whole.split('\n')[0]).toBe(JSON.stringify({ files: 6, bytes: 41 + 16 * 70 + 5 + 1 + 5 }));
});

test.each<[string, (body: Buffer) => Buffer]>([
  ["Go's two zero blocks", (b) => Buffer.concat([b, Buffer.alloc(1024)])],
  ["GNU tar's 10 KiB record", (b) => Buffer.concat([b, Buffer.alloc(10240 - (b.length % 10240))])],
  ['20 KiB of zeros (more than the one record held)', (b) => Buffer.concat([b, Buffer.alloc(20480)])],
  ['one zero block only', (b) => Buffer.concat([b, Buffer.alloc(512)])],
  ['a zero block and a half', (b) => Buffer.concat([b, Buffer.alloc(768)])],
  ['zeros, then bytes', (b) => Buffer.concat([b, Buffer.alloc(1024), Buffer.from('garbage'), Buffer.alloc(505)])],
  ['no end-of-archive blocks', (b) => b],
  ['nothing but zero blocks (no entry: TAR_BAD_ARCHIVE)', () => Buffer.alloc(1024)],
])('an archive ending in %s extracts alike whole, streamed and by node-tar', async (_n, end) => {
  const tar = tarFromEntries(goStyle);
  const [whole, streamed] = await both(gzipSync(end(tar.subarray(0, tar.length - 1024))));
  expect(whole).toBe(streamed);
});

test(`${RUNS} seeded mutations extract alike whole and streamed (seed ${SEED.toString(16)})`, async () => {
  const rand = prng(SEED);
  const pick = (n: number): number => Math.floor(rand() * n);
  const base = tarFromEntries(goStyle);
  for (let i = 0; i < RUNS; i++) {
    const tar = Buffer.from(base);
    let how: string;
    const kind = pick(4);
    if (kind === 0) {
      const at = pick(tar.length);
      tar[at] = pick(256);
      how = `byte ${at}`;
    } else if (kind === 1) {
      // a header field of a random block: name, mode, size, checksum, typeflag, linkname, magic, prefix
      const block = pick(tar.length / 512) * 512;
      const field = [[0, 100], [100, 8], [124, 12], [148, 8], [156, 1], [157, 100], [257, 8], [345, 155]][pick(8)] as [number, number];
      const value = ['', '/', '..', 'a/', '0', '5', 'x', 'g', '2', 'L', '7', '\0', '0000644\0', '77777777777', 'ustar  \0', 'ustar\u000000', 'p'][pick(17)] ?? '';
      tar.fill(0, block + field[0], block + field[0] + field[1]);
      tar.write(value, block + field[0], field[1], 'latin1');
      how = `block ${block} field ${field[0]} = ${JSON.stringify(value)}`;
    } else if (kind === 2) {
      // inside a PAX record: a key, a length or a value
      const at = tar.indexOf(['path=', 'mtime=', ' ', '\n'][pick(4)] ?? ' ', pick(tar.length));
      if (at >= 0) tar.write(['size=9', 'mode=777', 'path=', 'x', '9', '\n', '=', 'SCHILY.x='][pick(8)] ?? '', at, 'latin1');
      how = `pax edit at ${at}`;
    } else {
      const cut = pick(tar.length);
      how = `cut at ${cut}`;
      const [whole, streamed] = await both(gzipSync(tar.subarray(0, cut)));
      if (whole !== streamed) throw new Error(`${how}: whole and streamed differ\n--- whole\n${whole}\n--- streamed\n${streamed}`);
      continue;
    }
    const [whole, streamed] = await both(gzipSync(tar));
    if (whole !== streamed) throw new Error(`${how}: whole and streamed differ\n--- whole\n${whole}\n--- streamed\n${streamed}`);
  }
});

/** The offsets of the header blocks of a well-formed tar (PAX records included), walked by their sizes. */
function headerOffsets(tar: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= tar.length && tar[off] !== 0; ) {
    out.push(off);
    const size = parseInt(tar.toString('latin1', off + 124, off + 136), 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Sets the header checksum of the block at `off` to its bytes' sum, in one of the forms tar writers use. */
function resum(tar: Buffer, off: number, form: number): void {
  tar.fill(0x20, off + 148, off + 156);
  let sum = 0;
  for (let i = off; i < off + 512; i++) sum += tar[i] ?? 0;
  const digits = sum.toString(8);
  const text = [`${digits.padStart(6, '0')}\0 `, `${digits.padStart(7, '0')}\0`, `${digits.padStart(6, ' ')}\0 `, `${digits} `][form % 4] ?? '';
  tar.fill(0, off + 148, off + 156);
  tar.write(text, off + 148, 8, 'latin1');
}

// Header fields as odd writers (or an attacker) fill them, each with a valid checksum, so the
// fast path's own field decoding is what is compared: octal numbers with spaces, signs, no
// terminator or trailing junk; names that are not ASCII, not UTF-8, or carry text after a NUL
// (node-tar keeps the text after a NUL and a line break).
const NUMBERS = ['0000644\0', '644', '00000644', ' 644 \0', '644 ', '+644', '-1', '644x', '', '0', '8', '\x00644', '64\n4', '00000000000\0', '   12\0', '12', '\u00e9'];
const NAMES: Buffer[] = ['a.yaml', 'x/', 'a//b', './a', 'a/./b', 'a/..', '.', 'C:/a', 'a\\b', '\u00e9t\u00e9.yaml', 'n'.repeat(100), 'a\0b', 'a\0\nb', 'a\0\0'].map((n) => Buffer.from(n, 'utf8'));
NAMES.push(Buffer.from([0x61, 0xff, 0x2e, 0x79]), Buffer.from([0x61, 0xe2, 0x80]), Buffer.from('a\0\u2028b', 'utf8'), Buffer.from([0x61, 0, 0xe2, 0x80, 0xa8, 0x62]));

test(`${RUNS} seeded header fields with a valid checksum extract alike whole and streamed (seed ${SEED.toString(16)})`, async () => {
  const rand = prng(SEED ^ 0xc5);
  const pick = (n: number): number => Math.floor(rand() * n);
  const base = tarFromEntries(goStyle);
  const headers = headerOffsets(base);
  let extracted = 0;
  for (let i = 0; i < RUNS; i++) {
    const tar = Buffer.from(base);
    const off = headers[pick(headers.length)] ?? 0;
    const field = [[0, 100], [100, 8], [108, 8], [124, 12], [157, 100], [345, 155]][pick(6)] as [number, number];
    const numeric = field[0] >= 100 && field[0] < 157;
    const value = numeric ? Buffer.from(NUMBERS[pick(NUMBERS.length)] ?? '', 'latin1') : (NAMES[pick(NAMES.length)] ?? Buffer.alloc(0));
    tar.fill(0, off + field[0], off + field[0] + field[1]);
    value.copy(tar, off + field[0], 0, Math.min(value.length, field[1]));
    // a full 155-byte prefix: node-tar reads it whole (no 130-byte prefix and times)
    if (field[0] === 345 && pick(4) === 0) tar.fill(0x70, off + 345, off + 500);
    const form = pick(4);
    resum(tar, off, form);
    const how = `header ${off} field ${field[0]} = ${JSON.stringify(value.toString('latin1'))}, checksum form ${form}`;
    const [whole, streamed] = await both(gzipSync(tar));
    if (whole !== streamed) throw new Error(`${how}: whole and streamed differ\n--- whole\n${whole}\n--- streamed\n${streamed}`);
    if (whole.startsWith('{')) extracted++;
  }
  // not a run of refusals only: most mutations still extract, through the fast path's decoding
  expect(extracted).toBeGreaterThan(RUNS / 4);
});

test('a repo of many files, bigger than one inflated piece, extracts alike streamed at random split points and in 64 KiB pieces', async () => {
  const rand = prng(SEED + 1);
  const entries: TarEntry[] = [{ name: '.', type: 'dir' }];
  for (let d = 0; d < 4; d++) {
    entries.push({ name: `svc-${d}`, type: 'dir' });
    for (let f = 0; f < 40; f++) {
      const bytes = Buffer.alloc(Math.floor(rand() * 6000));
      for (let i = 0; i < bytes.length; i++) bytes[i] = 32 + Math.floor(rand() * 90);
      entries.push({ name: `svc-${d}/f${f}.txt`, type: 'file', content: bytes.toString('latin1') });
    }
  }
  // one file over the 1 MiB written whole: it is written piece by piece
  entries.push({ name: 'big.bin', type: 'file', content: 'b'.repeat(1300 * 1024) });
  const tgz = gzipSync(tarFromEntries(entries));
  const opts: ExtractOptions = { maxBytes: 1 << 23 };
  const split = await outcome((d) => splitExtract(tgz, d, opts));
  const pieces = await outcome((d) => extractTgz(tgz, d, { ...opts, holdBytes: 0, fastPath: false }));
  expect(split).toBe(pieces);
  expect(split.split('\n')[0]).toMatch(/^\{"files":161,/);
  // a limit crossed in the middle of the stream stops both at the same entry
  const limited: ExtractOptions = { maxBytes: 1 << 23, maxFiles: 90 };
  const splitLimited = await outcome((d) => splitExtract(tgz, d, limited));
  expect(splitLimited).toBe(await outcome((d) => extractTgz(tgz, d, { ...limited, holdBytes: 0, fastPath: false })));
  expect(splitLimited.startsWith('CMP_TOO_MANY_FILES\n')).toBe(true);
});
