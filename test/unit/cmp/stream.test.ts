import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { messagesOf, receiveRepoStream, type ReceiveOptions } from '../../../src/cmp/stream.js';
import type { AppStreamRequest } from '../../../src/cmp/service.js';
import { tgzFromEntries } from '../../helpers/tgz.js';

let dir: string;
let dest: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-stream-'));
  dest = join(dir, 'repo');
  mkdirSync(dest);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const payload = tgzFromEntries([
  { name: '.', type: 'dir' },
  { name: 'a.yaml', type: 'file', content: 'x'.repeat(3000) },
]);
const sum = createHash('sha256').update(payload).digest('hex');
const meta = (checksum = sum): AppStreamRequest => ({ metadata: { appName: 'a', appRelPath: '.', checksum, size: payload.length, env: [] } });
const chunks = (): AppStreamRequest[] => {
  const out: AppStreamRequest[] = [];
  for (let o = 0; o < payload.length; o += 32) out.push({ file: { chunk: payload.subarray(o, o + 32) } });
  return out;
};

async function* gen(msgs: AppStreamRequest[], seen: { n: number }, stallAfter = Infinity): AsyncGenerator<AppStreamRequest> {
  for (const m of msgs) {
    if (seen.n >= stallAfter) await new Promise(() => undefined);
    seen.n++;
    yield await Promise.resolve(m);
  }
}

const opts = (maxBytes = 1 << 20, idleMs = 5000): ReceiveOptions => ({ maxBytes, idleMs, dest, extract: { maxBytes: 1 << 20 } });

describe('receiveRepoStream', () => {
  test('extracts while it receives and verifies the sha256; nothing but the repo is written', async () => {
    const t0 = performance.now();
    const r = await receiveRepoStream(gen([meta(), ...chunks()], { n: 0 }), opts());
    const wall = performance.now() - t0;
    expect(r).toMatchObject({ size: payload.length, files: 1, entries: 1 });
    // the extractor's share of the receive (the sidecar logs it as the `extract` stage)
    expect(r.extractMs).toBeGreaterThan(0);
    expect(r.extractMs).toBeLessThanOrEqual(wall);
    expect(readFileSync(join(dest, 'a.yaml'), 'utf8')).toBe('x'.repeat(3000));
    expect(readdirSync(dir)).toEqual(['repo']);
  });

  test.each<[string, AppStreamRequest[], number, string, string]>([
    ['bad checksum', [meta('0'.repeat(64)), ...chunks()], 1 << 20, 'CMP_CHECKSUM_MISMATCH', `file checksum validation error: received sha256 ${sum}, metadata says ${'0'.repeat(64)}`],
    ['first message not metadata', [...chunks(), meta()], 1 << 20, 'CMP_METADATA_MISSING', 'error getting stream metadata: metadata is nil'],
    ['a second metadata', [meta(), meta(), ...chunks()], 1 << 20, 'CMP_STREAM_INVALID', 'stream request file is nil'],
    ['empty stream', [], 1 << 20, 'CMP_METADATA_MISSING', 'error getting stream metadata: stream ended before metadata'],
    [
      'oversize stream',
      [meta(), ...chunks()],
      64,
      'CMP_STREAM_TOO_LARGE',
      'repository stream exceeds 64 bytes (limits.repoBytes): send less (plugin tar exclusions, manifest-generate-paths) or raise the limit',
    ],
  ])('%s: consumes the whole stream, then fails', async (_l, msgs, max, code, message) => {
    const seen = { n: 0 };
    await expect(receiveRepoStream(gen(msgs, seen), opts(max))).rejects.toMatchObject({ code, message });
    expect(seen.n).toBe(msgs.length);
  });

  test('a stream that stalls is refused with CMP_STREAM_IDLE after the idle timeout, without waiting for its end', async () => {
    const t0 = Date.now();
    await expect(receiveRepoStream(gen([meta(), ...chunks()], { n: 0 }, 3), opts(1 << 20, 200))).rejects.toMatchObject({
      code: 'CMP_STREAM_IDLE',
      message: 'repository stream sent nothing for 200 ms after 64 bytes (limits.uploadIdleTimeout): request dropped',
    });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('messagesOf', () => {
  // grpc-js's call: a Duplex whose reply side is still open while its request messages are read.
  const call = (msgs: AppStreamRequest[]): Duplex => {
    const d = new Duplex({ objectMode: true, read: () => undefined, write: (_c, _e, cb: () => void) => cb() });
    for (const m of msgs) d.push(m);
    d.push(null);
    return d;
  };

  test('reads every message and leaves the call open for the reply (the default iterator destroys it with an AbortError)', async () => {
    const d = call([meta(), ...chunks()]);
    const errors: Error[] = [];
    d.on('error', (e) => errors.push(e));
    const r = await receiveRepoStream(messagesOf(d), opts());
    expect(r).toMatchObject({ size: payload.length, files: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(d.destroyed).toBe(false);
    expect(d.writable).toBe(true);
    expect(errors).toEqual([]);

    // the reference: what for-await over the call itself does
    const plain = call([meta(), ...chunks()]);
    const plainErrors: Error[] = [];
    plain.on('error', (e) => plainErrors.push(e));
    rmSync(dest, { recursive: true });
    mkdirSync(dest);
    await receiveRepoStream(plain, opts());
    await new Promise((resolve) => setImmediate(resolve));
    expect(plain.destroyed).toBe(true);
    expect(plainErrors.map((e) => e.name)).toEqual(['AbortError']);
  });
});
