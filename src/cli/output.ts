import type { GateResult } from '../gate/index.js';
import { toJson, toYamlStream } from '../k8s/index.js';
import type { Logger } from '../log/index.js';

/**
 * Prints a gate result the way the stock CMP server and CI expect: manifests on stdout only
 * when allowed; the short report on stderr and exit 1 when refused; warnings on stderr.
 */
export function printResult(result: GateResult, logger: Logger, format: 'yaml' | 'json' = 'yaml'): number {
  const { decision, redactor } = result;
  for (const w of decision.warnings) process.stderr.write(`${redactor.mask(`warning: ${w}`)}\n`);
  if (decision.refused) {
    // the report below is the user's view; the log keeps the findings for --log-level debug
    logger.debug({ findings: result.scan.findings, summary: decision.summary }, 'render refused');
    process.stderr.write(`${redactor.mask(decision.report)}\n`);
    return 1;
  }
  const objects = result.resources.map((r) => r.object);
  const text =
    format === 'json' ? objects.map((o) => toJson(o)).join('\n') + (objects.length ? '\n' : '') : toYamlStream(objects);
  process.stdout.write(text);
  return 0;
}

export { printError } from './print-error.js';
