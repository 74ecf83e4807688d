import { isSyncgateError } from '../../src/errors/index.js';

/** The SyncgateError code `f` throws, `undefined` when it returns, or a marker for any other error. */
export function errorCodeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return isSyncgateError(e) ? e.code : 'not a SyncgateError';
  }
}
