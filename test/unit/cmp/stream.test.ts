import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveRepoStream } from '../../../src/cmp/stream.js';
import type { AppStreamRequest } from '../../../src/cmp/service.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-stream-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const payload = Buffer.from('x'.repeat(3000));
const sum = createHash('sha256').update(payload).digest('hex');
const meta = (checksum = sum): AppStreamRequest => ({ metadata: { appName: 'a', appRelPath: '.', checksum, size: payload.length, env: [] } });
const chunks = (): AppStreamRequest[] => [0, 1024, 2048].map((o) => ({ file: { chunk: payload.subarray(o, o + 1024) } }));

async function* gen(msgs: AppStreamRequest[], seen: { n: number }): AsyncGenerator<AppStreamRequest> {
  for (const m of msgs) {
    seen.n++;
    yield await Promise.resolve(m);
  }
}

describe('receiveRepoStream', () => {
  test('holds a small stream in memory and verifies the sha256', async () => {
    const r = await receiveRepoStream(gen([meta(), ...chunks()], { n: 0 }), dir, 1 << 20);
    expect(r.size).toBe(3000);
    expect(Buffer.isBuffer(r.tgz) && r.tgz.equals(payload)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('spills a stream beyond the memory size to repo.tgz (0600), held chunks first', async () => {
    const r = await receiveRepoStream(gen([meta(), ...chunks()], { n: 0 }), dir, 1 << 20, 1500);
    expect(r.tgz).toBe(join(dir, 'repo.tgz'));
    expect(readFileSync(join(dir, 'repo.tgz')).equals(payload)).toBe(true);
    expect(statSync(join(dir, 'repo.tgz')).mode & 0o777).toBe(0o600);
  });

  test.each<[string, AppStreamRequest[], number, string, string]>([
    ['bad checksum', [meta('0'.repeat(64)), ...chunks()], 1 << 20, 'CMP_CHECKSUM_MISMATCH', `file checksum validation error: received sha256 ${sum}, metadata says ${'0'.repeat(64)}`],
    ['first message not metadata', [...chunks(), meta()], 1 << 20, 'CMP_METADATA_MISSING', 'error getting stream metadata: metadata is nil'],
    ['a second metadata', [meta(), meta(), ...chunks()], 1 << 20, 'CMP_STREAM_INVALID', 'stream request file is nil'],
    ['empty stream', [], 1 << 20, 'CMP_METADATA_MISSING', 'error getting stream metadata: stream ended before metadata'],
    [
      'oversize stream',
      [meta(), ...chunks()],
      2000,
      'CMP_STREAM_TOO_LARGE',
      'repository stream exceeds 2000 bytes (limits.repoBytes): send less (plugin tar exclusions, manifest-generate-paths) or raise the limit',
    ],
  ])('%s: consumes the whole stream, then fails', async (_l, msgs, max, code, message) => {
    const seen = { n: 0 };
    await expect(receiveRepoStream(gen(msgs, seen), dir, max)).rejects.toMatchObject({ code, message });
    expect(seen.n).toBe(msgs.length);
  });
});
