// Coded errors: one error type for every failure syncgate reports, with a code from the
// registry (src/errors/registry.ts) that docs/errors.md lists. Messages read as a chain
// (lower case, `: ` joined, objects first as Kind/namespace/name) and never carry plaintext
// secrets: callers pass text that may echo input through a Redactor first.
import { CODES, type ErrorCode } from './registry.js';
import type { ErrorKind } from './codes/types.js';

export { CODES, type ErrorCode } from './registry.js';
export type { CodeSpec, ErrorKind } from './codes/types.js';

/** The one error type syncgate throws; `code` is stable and documented. */
export class SyncgateError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncgateError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** The registry kind of this error's code. */
  get kind(): ErrorKind {
    return CODES[this.code].kind;
  }

  /** `CODE: message`, the form doors show to users. */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

/** True when `e` is a SyncgateError, optionally with the given code. */
export function isSyncgateError(e: unknown, code?: ErrorCode): e is SyncgateError {
  return e instanceof SyncgateError && (code === undefined || e.code === code);
}

/** Wraps any thrown value as a SyncgateError (INTERNAL unless it already is one). */
export function asSyncgateError(e: unknown): SyncgateError {
  if (e instanceof SyncgateError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new SyncgateError('INTERNAL', `internal error: ${msg}`, { cause: e });
}

/** CLI exit code for an error: 2 usage/config, 3 runtime (1 is reserved for violations). */
export function exitCodeFor(e: SyncgateError): 2 | 3 {
  return e.kind === 'runtime' ? 3 : 2;
}
