// A seeded fuzz run of the tar/stream ingest (issue 12): valid archives mutated byte by byte,
// header field by header field, cut short and fed in random-sized pieces. Every run either
// extracts inside its destination or fails with a CMP_ code; nothing is written outside, no
// descriptor leaks, nothing throws anything else. FUZZ_SEED and FUZZ_RUNS reproduce or widen a run.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TgzIngest } from '../../../src/cmp/extract.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { mulberry32 as prng } from '../../helpers/prng.js';
import { tarFromEntries, type TarEntry } from '../../helpers/tgz.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed12);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 200);


const base: TarEntry[] = [
  { name: '.', type: 'dir' },
  { name: 'app', type: 'dir' },
  { name: 'app/Chart.yaml', type: 'file', content: 'apiVersion: v2\nname: demo\nversion: 0.1.0\n' },
  { name: 'app/templates', type: 'dir' },
  { name: 'app/templates/cm.yaml', type: 'file', content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'.repeat(20) },
  { name: 'link.yaml', type: 'symlink', linkname: 'app/Chart.yaml' },
  { name: `${'d'.repeat(120)}/long.yaml`, type: 'file', content: 'x: 1\n' },
];
const seedTar = tarFromEntries(base);
const interesting = ['..', '/', '../../etc/passwd', '/etc', 'a/../..', '\\', 'C:/x', '.', '', '\0', 'x'.repeat(300)];

function mutate(rand: () => number): { tgz: Buffer; how: string } {
  const tar = Buffer.from(seedTar);
  const pick = (n: number): number => Math.floor(rand() * n);
  const kind = pick(6);
  let how = '';
  if (kind === 0) {
    for (let i = 0, n = 1 + pick(16); i < n; i++) {
      const at = pick(tar.length);
      tar[at] = pick(256);
      how += `byte ${at} `;
    }
  } else if (kind === 1) {
    // a header field (name, mode, size, typeflag, linkname) of a random block set to something hostile
    const block = pick(tar.length / 512) * 512;
    const field = [[0, 100], [100, 8], [124, 12], [156, 1], [157, 100]][pick(5)] as [number, number];
    const value = field[0] === 124 ? pick(8) === 0 ? '77777777777' : pick(1 << 30).toString(8) : field[0] === 156 ? '0123456789xgLKS'[pick(15)] ?? '0' : interesting[pick(interesting.length)] ?? '';
    tar.fill(0, block + field[0], block + field[0] + field[1]);
    tar.write(value, block + field[0], field[1], 'latin1');
    how = `block ${block} field ${field[0]} = ${JSON.stringify(value)}`;
  } else if (kind === 2) {
    const cut = pick(tar.length);
    how = `tar cut at ${cut}`;
    return { tgz: gzipSync(tar.subarray(0, cut)), how };
  } else if (kind === 3) {
    const gz = gzipSync(tar);
    const at = pick(gz.length);
    gz[at] = pick(256);
    return { tgz: gz, how: `gzip byte ${at}` };
  } else if (kind === 4) {
    const gz = gzipSync(tar);
    const cut = pick(gz.length);
    return { tgz: gz.subarray(0, cut), how: `gzip cut at ${cut}` };
  } else {
    const entries: TarEntry[] = [{ name: '.', type: 'dir' }];
    const types: TarEntry['type'][] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'fifo'];
    for (let i = 0, n = 1 + pick(12); i < n; i++) {
      const name = [interesting[pick(interesting.length)], `n${pick(4)}`, `d${pick(3)}/n${pick(3)}`][pick(3)] ?? 'x';
      const type = types[pick(types.length)] ?? 'file';
      entries.push({ name, type, content: 'x'.repeat(pick(2000)), linkname: interesting[pick(interesting.length)] ?? '' });
    }
    how = `entries ${JSON.stringify(entries.map((e) => [e.name.slice(0, 20), e.type, e.linkname?.slice(0, 20)]))}`;
    return { tgz: gzipSync(tarFromEntries(entries)), how };
  }
  return { tgz: gzipSync(tar), how };
}

/** Every path below `dir`, symlinks resolved only to check they point inside. */
function escapes(dir: string): string[] {
  const bad: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) {
        const target = resolve(d, readlinkSync(p));
        if (!target.startsWith(dir)) bad.push(`${p} -> ${target}`);
      } else if (st.isDirectory()) walk(p);
      else if (!st.isFile()) bad.push(`${p}: not a file`);
    }
  };
  walk(dir);
  return bad;
}

test(`tar/gzip ingest survives ${RUNS} seeded mutations (seed ${SEED.toString(16)})`, async () => {
  const rand = prng(SEED);
  const work = mkdtempSync(join(tmpdir(), 'syncgate-fuzz-'));
  const outside = join(work, 'outside');
  mkdirSync(outside);
  const fdsBefore = readdirSync('/proc/self/fd').length;
  const codes = new Map<string, number>();
  try {
    for (let run = 0; run < RUNS; run++) {
      const { tgz, how } = mutate(rand);
      const dest = join(work, 'r', String(run), 'repo');
      mkdirSync(dest, { recursive: true });
      const ingest = new TgzIngest(dest, { maxBytes: 1 << 20, maxFiles: 100, maxFileBytes: 256 * 1024, maxDepth: 16, holdBytes: rand() < 0.5 ? 0 : 256 * 1024 });
      let outcome = 'OK';
      try {
        // random piece sizes, as gRPC chunks arrive
        for (let o = 0; o < tgz.length; ) {
          const n = 1 + Math.floor(rand() * 4096);
          await ingest.write(tgz.subarray(o, o + n));
          o += n;
        }
        await ingest.end();
      } catch (e) {
        if (!isSyncgateError(e) || !e.code.startsWith('CMP_')) throw new Error(`run ${run} (${how}): not a coded refusal: ${String(e)}`);
        outcome = e.code;
      } finally {
        ingest.dispose();
      }
      codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
      const bad = escapes(join(work, 'r', String(run)));
      if (bad.length > 0) throw new Error(`run ${run} (${how}): ${bad.join(', ')}`);
      rmSync(join(work, 'r', String(run)), { recursive: true, force: true });
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fdsBefore + 2);
    // The mutations reach both sides: archives that still extract and refusals of several kinds.
    expect(codes.get('OK') ?? 0).toBeGreaterThan(0);
    expect([...codes.keys()].filter((c) => c !== 'OK').length).toBeGreaterThanOrEqual(3);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 60_000);
