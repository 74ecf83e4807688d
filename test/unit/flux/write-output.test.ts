import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { writeOutput } from '../../../src/flux/index.js';

const objs = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' }, data: { k: 'v' } }];
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-write-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeOutput', () => {
  test('a new directory gets manifests.yaml; an existing empty one is used', async () => {
    expect(await writeOutput(objs, join(dir, 'out'))).toBe(join(dir, 'out', 'manifests.yaml'));
    expect(readFileSync(join(dir, 'out', 'manifests.yaml'), 'utf8')).toContain('kind: ConfigMap');
    mkdirSync(join(dir, 'empty'));
    await writeOutput(objs, join(dir, 'empty'));
    expect(readdirSync(join(dir, 'empty'))).toEqual(['manifests.yaml']);
  });

  test.each([
    ['a non-empty directory', (d: string) => (mkdirSync(join(d, 'full')), writeFileSync(join(d, 'full', 'x'), 'x'), join(d, 'full')), /output directory is not empty$/],
    ['a missing parent', (d: string) => join(d, 'no', 'such', 'out.tgz'), /cannot write output: ENOENT$/],
  ])('%s → FLUX_OUTPUT_FAILED, nothing left behind', async (_n, target, message) => {
    const t = target(dir);
    const before = readdirSync(dir).sort();
    await expect(writeOutput(objs, t)).rejects.toMatchObject({ code: 'FLUX_OUTPUT_FAILED', message: expect.stringMatching(message) });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  test('the archive is reproducible (fixed mtime)', async () => {
    // Only the clock is faked: the second archive is written "a day later" without waiting.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask'], now: new Date('2026-01-01T00:00:00Z') });
    try {
      await writeOutput(objs, join(dir, 'a.tgz'));
      jest.setSystemTime(new Date('2026-01-02T00:00:00Z'));
      await writeOutput(objs, join(dir, 'b.tar.gz'));
    } finally {
      jest.useRealTimers();
    }
    expect(readFileSync(join(dir, 'a.tgz')).equals(readFileSync(join(dir, 'b.tar.gz')))).toBe(true);
  });
});
