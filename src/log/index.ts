// Structured logging: pino JSON with redaction of known secret-bearing paths; a child logger
// per request carries the request id. It must never log a decrypted object or plaintext value:
// free text that may echo input goes through a Redactor (./redact.ts) first.
import { pino, type Logger, type DestinationStream } from 'pino';

export { Redactor } from './redact.js';
export type { Logger } from 'pino';

const REDACT_PATHS = [
  'data',
  'stringData',
  '*.data',
  '*.stringData',
  'password',
  '*.password',
  'token',
  '*.token',
  'identity',
  '*.identity',
  'ageIdentity',
  '*.ageIdentity',
];

/** Creates the process logger (JSON to stderr unless a destination is given). */
export function createLogger(
  opts: { level?: string; destination?: DestinationStream; name?: string } = {},
): Logger {
  return pino(
    {
      name: opts.name ?? 'syncgate',
      level: opts.level ?? process.env['SYNCGATE_LOG_LEVEL'] ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: { pid: process.pid },
    },
    opts.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
