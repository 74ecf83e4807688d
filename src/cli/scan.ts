import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { KUSTOMIZATION_FILES } from '../render/detect.js';
import { Option } from 'commander';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { loadGlobals } from './options.js';
import { printError } from './output.js';
import { commandLinePath } from './paths.js';
import { Progress } from './progress.js';

interface ScanFlags {
  format: 'text' | 'json' | 'sarif' | 'junit' | 'policyreport';
  baseline?: string;
  app: string;
  project: string;
  namespace: string;
}

/** Reads stdin up to `limit` bytes; one byte more stops the read and refuses (never holds more). */
async function readStdin(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > limit) {
      process.stdin.destroy();
      throw new SyncgateError('POLICY_INPUT_TOO_LARGE', `<stdin>: input exceeds ${limit} bytes (limits.manifestBytes)`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A chart or kustomization is a source to render, not manifests: say so instead of failing on its templates. */
function refuseApp(arg: string, abs: string): void {
  if (existsSync(join(abs, 'Chart.yaml'))) {
    throw new SyncgateError('USAGE_INVALID', `scan input ${arg}: is a Helm chart (Chart.yaml), not rendered manifests: use \`syncgate render ${arg}\`, which renders and scans it`);
  }
  if (KUSTOMIZATION_FILES.some((f) => existsSync(join(abs, f)))) {
    throw new SyncgateError('USAGE_INVALID', `scan input ${arg}: is a Kustomize directory (kustomization.yaml), not rendered manifests: use \`syncgate render ${arg}\`, which builds and scans it`);
  }
}

/** A YAML error inside a chart below the scanned directory: name the chart instead. */
function inChart(e: unknown, arg: string): unknown {
  if (!isSyncgateError(e, 'K8S_YAML_INVALID') || arg === '-') return e;
  const file = /^([^:]+):/.exec(e.message)?.[1];
  if (file === undefined) return e;
  const root = resolve(arg);
  for (let dir = dirname(resolve(file)); dir.startsWith(root) && dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'Chart.yaml'))) {
      const chart = relative('.', dir) || '.';
      return new SyncgateError('USAGE_INVALID', `${file}: is a template of the Helm chart ${chart}, not a rendered manifest: use \`syncgate render ${chart}\` for the chart, and scan the plain manifests only`, { cause: e });
    }
  }
  return e;
}

/** `syncgate scan <dir|file|->`: policy-check plain manifests (no render, no decryption) for CI and humans. */
export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('scan plain manifests (a file, a directory, or - for stdin) against the policies; exit 1 when refused')
    .argument('<path>', 'manifest file, directory (recursive *.yaml/*.yml/*.json) or - for stdin')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif', 'junit', 'policyreport']).default('text'))
    .option('--app <name>', 'application name (exceptions)', '')
    .option('--project <name>', 'Argo CD project (exceptions)', 'default')
    .option('--namespace <ns>', 'destination namespace for objects without one', '')
    .option('--baseline <file>', 'an earlier `scan --format json` report: its findings are neither reported nor counted (fail only on new ones)')
    .action(async (path: string, flags: ScanFlags, cmd: Command) => {
      let exit = 0;
      const progress = new Progress(process.stderr);
      try {
        if (path !== '-') refuseApp(path, commandLinePath(path, 'scan input', 'file or directory'));
        const { config, logger } = loadGlobals(cmd);
        // Loaded on use, so other commands do not pay for the policy engine at start-up.
        const { gateObjects } = await import('../gate/index.js');
        const { applyBaseline, effectiveIdentity, FieldPositions, findingLine, readBaseline, readManifests, reportDecision, toJunit, toPolicyReports, toSarif } = await import('../policy/index.js');
        const known = flags.baseline !== undefined ? readBaseline(flags.baseline) : undefined;
        progress.update(`syncgate scan ${path}: reading manifests`);
        const { manifestBytes, resources } = config.spec.limits;
        // stdin is read only up to the limit (a flood is refused, not buffered).
        const set = await readManifests(path, { bytes: manifestBytes, resources }, () => readStdin(manifestBytes)).catch((e: unknown) => {
          throw inChart(e, path);
        });
        progress.update(`syncgate scan ${path}: scanning ${set.resources.length.toLocaleString('en')} objects`);
        const result = await gateObjects(
          set.resources,
          {
            config,
            logger,
            sources: set.sources,
            context: {
              appName: flags.app, namespace: flags.namespace, project: flags.project, repoURL: '', sourcePath: path, revision: '',
              kubeVersion: process.env['KUBE_VERSION'] ?? '', apiVersions: [],
            },
          },
          'app',
        );
        let { scan, decision } = result;
        if (known) {
          scan = applyBaseline(scan, known).result;
          decision = reportDecision(scan, 'manifests');
        }
        scan.notices.unshift(...set.notices);
        exit = decision.refused ? 1 : 0;
        logger.debug({ findings: scan.findings, summary: decision.summary }, decision.refused ? 'scan refused' : 'scan passed');
        let out: string;
        switch (flags.format) {
          case 'json':
            out = `${JSON.stringify({ refused: decision.refused, summary: decision.summary, counts: decision.counts, scanned: scan.scanned, findings: scan.findings, notices: scan.notices }, null, 2)}\n`;
            break;
          case 'sarif': {
            // The field's own line; the document's first line when the text cannot be walked.
            const positions = new FieldPositions(set.texts);
            const lineOf = (source: string, doc: number, path: string): number | undefined => positions.lineOf(source, doc, path) ?? set.docLines.get(source)?.[doc];
            out = `${JSON.stringify(toSarif(scan, config, { version: process.env['npm_package_version'] ?? '0.1.0', lineOf }), null, 2)}\n`;
            break;
          }
          case 'policyreport': {
            const { toYamlStream } = await import('../k8s/index.js');
            out = toYamlStream(toPolicyReports(scan, set.resources, { name: flags.app || 'scan', namespace: flags.namespace, now: new Date() }));
            break;
          }
          case 'junit':
            out = toJunit(scan, set.resources.map((r) => ({ id: effectiveIdentity(r.object, flags.namespace), source: r.source })));
            break;
          default: {
            const lines = scan.findings.map((f) => `${f.waived ? `waived (${f.waived.by}: ${f.waived.reason})` : f.mode}: ${findingLine(f)}`);
            const notes = scan.notices.filter((n) => n.level === 'warn').map((n) => `notice: ${n.message}`);
            out = [...lines, ...notes, decision.summary, ''].join('\n');
          }
        }
        progress.stop();
        process.stdout.write(result.redactor.mask(out));
      } catch (e) {
        progress.stop();
        exit = printError(e);
      }
      process.exitCode = exit;
    });
}
