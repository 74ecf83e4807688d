import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheDir, runWithCodeCache } from '../../../src/cli/code-cache.js';
import { commandName } from '../../../src/cli/command-name.js';
import { COMMANDS } from '../../../src/cli/commands.js';
import { buildProgram } from '../../../src/cli/program.js';
import { Progress } from '../../../src/cli/progress.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-startup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the entry registers only the command it runs', () => {
  test.each([
    [['generate'], 'generate'],
    [['-c', 'cfg.yaml', 'render', 'x'], 'render'],
    [['--config=cfg.yaml', '--log-level', 'debug', 'scan', '-'], 'scan'],
    [['-ccfg.yaml', 'discover'], 'discover'],
    [['--version'], undefined],
    [['--help'], undefined],
    [[], undefined],
  ])('commandName(%j) = %s', (argv, name) => {
    expect(commandName(argv)).toBe(name);
  });

  test('every command of the program is in the lazy table, and nothing else', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(buildProgram().commands.map((c) => c.name()).sort());
  });
});

describe('V8 code cache of the bundle', () => {
  const bundle = () => {
    const f = join(dir, 'bundle.cjs');
    writeFileSync(f, 'exports.answer = function answer() { return [1, 2, 3].map((x) => x * 14)[2]; };\nexports.file = __filename;\n');
    return f;
  };

  const HASH = 'a'.repeat(64);
  test('the first run saves the cache, the next run takes its code from it', () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o700 });
    const first = runWithCodeCache(bundle(), 'generate', cache, HASH);
    expect(first.fromCache).toBe(false);
    expect((first.exports['answer'] as () => number)()).toBe(42);
    first.save();
    expect(readdirSync(cache)).toHaveLength(1);
    const second = runWithCodeCache(join(dir, 'bundle.cjs'), 'generate', cache, HASH);
    expect(second.fromCache).toBe(true);
    expect(second.exports['file']).toBe(join(dir, 'bundle.cjs'));
    // each command has its own cache
    expect(runWithCodeCache(join(dir, 'bundle.cjs'), 'discover', cache, HASH).fromCache).toBe(false);
    // without the bundle's hash there is no cache at all
    expect(runWithCodeCache(join(dir, 'bundle.cjs'), 'generate', cache).fromCache).toBe(false);
  });

  test('another bundle of the same length never runs the cached code (V8 checks only the length)', () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o700 });
    const f = join(dir, 'b.cjs');
    writeFileSync(f, 'exports.v = (function () { return 42; })();\n');
    runWithCodeCache(f, 'x', cache, 'b'.repeat(64)).save();
    writeFileSync(f, 'exports.v = (function () { return 43; })();\n');
    const r = runWithCodeCache(f, 'x', cache, 'c'.repeat(64));
    expect(r.fromCache).toBe(false);
    expect(r.exports['v']).toBe(43);
  });

  test('a torn or corrupt cache file is never handed to V8', () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o700 });
    runWithCodeCache(bundle(), 'x', cache, HASH).save();
    const [name] = readdirSync(cache);
    const p = join(cache, name ?? '');
    const torn = readFileSync(p);
    writeFileSync(p, torn.subarray(0, torn.length - 7));
    const r = runWithCodeCache(join(dir, 'bundle.cjs'), 'x', cache, HASH);
    expect(r.fromCache).toBe(false);
    expect((r.exports['answer'] as () => number)()).toBe(42);
  });

  test('a cache directory others can write to is not used; off turns it off', () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(codeCacheDir({ SYNCGATE_COMPILE_CACHE: shared })).toBeUndefined();
    expect(codeCacheDir({ SYNCGATE_COMPILE_CACHE: 'off' })).toBeUndefined();
    expect(codeCacheDir({ SYNCGATE_COMPILE_CACHE: join(dir, 'mine') })).toBe(join(dir, 'mine'));
  });
});

describe('progress line', () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return { isTTY, out, write: (s: string) => out.push(s) };
  };
  const until = async (cond: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  };

  test('on a terminal it redraws one line in place and erases it at the end', async () => {
    const s = stream(true);
    const p = new Progress(s, { delayMs: 0, intervalMs: 5 });
    p.update('syncgate scan big: scanning 5,000 objects');
    await until(() => s.out.length >= 2);
    p.stop();
    expect(s.out[0]?.startsWith('\r\u001b[2Ksyncgate scan big: scanning 5,000 objects (')).toBe(true);
    expect(s.out[0]).toMatch(/\(\d+s\)$/);
    expect(s.out.at(-1)).toBe('\r\x1b[2K');
    expect(s.out.join('')).not.toContain('\n');
  });

  test('in a pipe or CI log it prints nothing', async () => {
    const s = stream(false);
    const p = new Progress(s, { delayMs: 0, intervalMs: 5 });
    p.update('scanning');
    await new Promise((r) => setTimeout(r, 30));
    p.stop();
    expect(s.out).toEqual([]);
  });
});
