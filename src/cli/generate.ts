import { Redactor, createLogger } from '../log/index.js';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parseArgoEnv, repoRootFromArgoEnv } from '../cmp/params.js';
import type { GateResult } from '../gate/index.js';
import { toYamlStream } from '../k8s/index.js';
import { loadGlobals } from './options.js';
import { printError } from './output.js';

/** Finding lines on stderr: an Argo CD condition stays near 2 KB (the JSON log never reaches it). */
export const STOCK_REPORT_LINES = 10;

/**
 * What `syncgate generate` writes on stderr. argocd-cmp-server copies all of stderr into the
 * app's condition (cmpserver/plugin/plugin.go runCommand), so it holds the report alone: the
 * summary naming the first refused object, one line per finding up to `maxFindings`, then
 * how many more, and the warnings as one line, never one line each.
 */
export function stockStderr(result: GateResult, maxFindings = STOCK_REPORT_LINES): string {
  const { decision, redactor } = result;
  const lines: string[] = [];
  if (decision.refused) {
    const [summary = '', ...rest] = decision.report.split('\n');
    const first = result.scan.findings.find((f) => !f.waived && f.mode === 'enforce')?.object;
    const findings = rest.filter((l) => !l.startsWith('… and ')).slice(0, maxFindings);
    lines.push(first !== undefined ? `${summary}; first: ${first}` : summary, ...findings);
    const more = (decision.counts?.enforce ?? findings.length) - findings.length;
    if (more > 0) lines.push(`… and ${more} more (\`syncgate scan\` on the app lists them all)`);
  }
  const w = decision.warnings;
  if (w.length === 1) lines.push(`warning: ${w[0] ?? ''}`);
  else if (w.length > 1) lines.push(`${w.length} warnings, first: ${w[0] ?? ''}`);
  if (!decision.refused && result.resources.length === 0) {
    // Argo CD accepts an empty generate and then prunes every live object of the app.
    lines.push('warning: the app rendered no manifests; Argo CD will prune its live objects');
  }
  return lines.length > 0 ? `${redactor.mask(lines.join('\n'))}\n` : '';
}

/**
 * `syncgate generate`: the command the stock argocd-cmp-server runs (plugin.yaml
 * spec.generate). cwd is the app dir of the extracted repo, the request is in the env;
 * manifests go to stdout, a refusal or error is a non-zero exit with a short report on stderr.
 */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('render, decrypt and gate the app in the current directory from the Argo CD CMP env (stock argocd-cmp-server mode)')
    .addOption(
      new Option('--repo-root <dir>', 'repository root (default: cwd minus ARGOCD_APP_SOURCE_PATH)').env('SYNCGATE_REPO_ROOT'),
    )
    .addOption(new Option('-o, --output <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action(async (flags: { repoRoot?: string; output: 'yaml' | 'json' }, cmd: Command) => {
      const { config, globals } = loadGlobals(cmd);
      // stderr lands in the app's condition: JSON log records only when the operator asked
      // for a log level (flag or SYNCGATE_LOG_LEVEL), never by default.
      const chosen = cmd.parent?.getOptionValueSource('logLevel') ?? 'default';
      const logger = createLogger({ level: chosen === 'default' ? 'silent' : globals.logLevel });
      const redactor = new Redactor();
      try {
        // Loaded on use: the stock server starts one process per request, and `syncgate
        // discover`/`parameters` need none of the pipeline.
        const { gate } = await import('../gate/index.js');
        const appDir = process.cwd();
        const { context, options } = parseArgoEnv(process.env);
        const result = await gate({
          redactor,
          appDir,
          repoRoot: flags.repoRoot !== undefined ? resolve(flags.repoRoot) : repoRootFromArgoEnv(appDir, process.env),
          context,
          options,
          config,
          logger,
        });
        process.stderr.write(stockStderr(result));
        if (result.decision.refused) {
          process.exitCode = 1;
          return;
        }
        const objects = result.resources.map((r) => r.object);
        process.stdout.write(
          flags.output === 'json' ? objects.map((o) => `${JSON.stringify(o)}\n`).join('') : toYamlStream(objects),
        );
      } catch (e) {
        // stderr is what Argo CD shows in the app's conditions: the one-line coded report only.
        process.exitCode = printError(e, undefined, redactor);
      }
    });
}
