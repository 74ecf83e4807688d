import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script, constants } from 'node:vm';

/** A CommonJS file run through V8's code cache: its exports, and a way to save the cache. */
export interface CachedModule {
  exports: Record<string, unknown>;
  /** True when V8 took the compiled code from the cache file instead of compiling. */
  fromCache: boolean;
  /** Writes the code compiled so far to the cache file (atomically); no-op without a cache. */
  save(): void;
}

/**
 * The per-user cache directory, or undefined when it is unsafe or unusable: it must be a real
 * directory owned by this user and writable by nobody else, since V8 trusts a code cache it
 * accepts. `SYNCGATE_COMPILE_CACHE=off` turns the cache off.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env['SYNCGATE_COMPILE_CACHE'];
  if (setting === 'off' || setting === '0') return undefined;
  const uid = process.getuid?.() ?? 0;
  const dir = setting !== undefined && setting !== '' ? setting : join(tmpdir(), `syncgate-compile-cache-${String(uid)}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** A cache file holds the SHA-1 of the V8 data, then the data: a torn or corrupt file is never handed to V8. */
function readCache(file: string): Buffer | undefined {
  try {
    const raw = readFileSync(file);
    const data = raw.subarray(20);
    return raw.length > 20 && createHash('sha1').update(data).digest().equals(raw.subarray(0, 20)) ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a CommonJS bundle with V8's code cache (what Node >= 22.1's module.enableCompileCache does,
 * for the Node 20 this must run on too): the first run of a command compiles and saves the code it
 * used, later runs skip parsing and compiling it. `key` separates the caches of different
 * commands. V8 checks only the source's length, so the cache name carries `sourceHash` (the
 * bundle's SHA-256, written by the build) and the Node version; without a hash there is no cache.
 */
export function runWithCodeCache(file: string, key: string, dir: string | undefined, sourceHash?: string): CachedModule {
  const source = readFileSync(file, 'utf8');
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  if (dir !== undefined && sourceHash !== undefined && /^[0-9a-f]{16,64}$/.test(sourceHash)) {
    cacheFile = join(dir, `${basename(file)}-${sourceHash.slice(0, 32)}-${process.version}-${key.replace(/[^a-z0-9-]/gi, '_')}.bin`);
    cachedData = readCache(cacheFile);
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  return {
    exports: mod.exports,
    fromCache,
    save: () => {
      if (cacheFile === undefined || fromCache) return;
      try {
        const data = script.createCachedData();
        const tmp = `${cacheFile}.${String(process.pid)}.tmp`;
        writeFileSync(tmp, Buffer.concat([createHash('sha1').update(data).digest(), data]), { mode: 0o600 });
        renameSync(tmp, cacheFile);
      } catch {
        // a cache that cannot be written only costs the next run its compile time
      }
    },
  };
}
