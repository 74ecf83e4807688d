import { asSyncgateError, exitCodeFor } from '../errors/index.js';
import type { GateResult } from '../gate/index.js';
import { toJson, toYamlStream } from '../k8s/index.js';
import type { Logger, Redactor } from '../log/index.js';

/**
 * Prints a gate result the way the stock CMP server and CI expect: manifests on stdout only
 * when allowed; the short report on stderr and exit 1 when refused; warnings on stderr.
 */
export function printResult(result: GateResult, logger: Logger, format: 'yaml' | 'json' = 'yaml'): number {
  const { decision, redactor } = result;
  for (const w of decision.warnings) process.stderr.write(`${redactor.mask(`warning: ${w}`)}\n`);
  if (decision.refused) {
    logger.error({ findings: result.scan.findings, summary: decision.summary }, 'render refused');
    process.stderr.write(`${redactor.mask(decision.report)}\n`);
    return 1;
  }
  const objects = result.resources.map((r) => r.object);
  const text =
    format === 'json' ? objects.map((o) => toJson(o)).join('\n') + (objects.length ? '\n' : '') : toYamlStream(objects);
  process.stdout.write(text);
  return 0;
}

/**
 * Prints a thrown error as `CODE: message` on stderr and returns the exit code (2 or 3); the
 * request's redactor masks any secret the pipeline learned before it failed.
 */
export function printError(e: unknown, logger?: Logger, redactor?: Redactor): number {
  const err = asSyncgateError(e);
  const message = redactor ? redactor.mask(err.message) : err.message;
  const details = redactor ? redactor.maskValue(err.details) : err.details;
  logger?.error({ code: err.code, details }, message);
  process.stderr.write(`${err.code}: ${message}\n`);
  return exitCodeFor(err);
}
