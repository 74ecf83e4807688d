import { asSyncgateError, exitCodeFor } from '../errors/index.js';
import type { Logger, Redactor } from '../log/index.js';

/**
 * The one place a CLI command prints a thrown error: one line, `CODE: message`, on stderr, and
 * the exit code (2 usage/config, 3 runtime) returned. The request's redactor masks any secret
 * the pipeline learned before it failed. The structured details (argv, cwd, stderr tail) go to
 * the JSON log at debug level only, so the default level shows the coded line once.
 */
export function printError(e: unknown, logger?: Logger, redactor?: Redactor): number {
  const err = asSyncgateError(e);
  const message = redactor ? redactor.mask(err.message) : err.message;
  if (logger?.isLevelEnabled('debug') === true) {
    const details = redactor ? redactor.maskValue(err.details) : err.details;
    logger.debug({ code: err.code, details }, message);
  }
  process.stderr.write(`${err.code}: ${message}\n`);
  return exitCodeFor(err);
}

/**
 * A commander usage error (`error: unknown option '--x'`, a missing argument, a bad choice) as
 * the one coded line every error is, with a pointer to the help instead of the help itself.
 */
export function usageLine(text: string, command = 'syncgate'): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const first = (lines[0] ?? 'invalid usage').replace(/^error:\s*/, '').replace(/\.$/, '');
  // commander puts its "(Did you mean --app?)" on a line of its own
  const suggestion = lines.slice(1).find((l) => l.startsWith('(Did you mean'));
  return `USAGE_INVALID: ${first}${suggestion ? ` ${suggestion}` : ''}: see \`${command} --help\`\n`;
}
