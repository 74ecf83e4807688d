import type { Command } from 'commander';
import { Option } from 'commander';
import { SyncgateError } from '../errors/index.js';
import { loadGlobals } from './options.js';
import { printError } from './output.js';

interface ScanFlags {
  format: 'text' | 'json' | 'sarif' | 'junit';
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

/** `syncgate scan <dir|file|->`: policy-check plain manifests (no render, no decryption) for CI and humans. */
export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('scan plain manifests (a file, a directory, or - for stdin) against the policies; exit 1 when refused')
    .argument('<path>', 'manifest file, directory (recursive *.yaml/*.yml/*.json) or - for stdin')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif', 'junit']).default('text'))
    .option('--app <name>', 'application name (exceptions)', '')
    .option('--project <name>', 'Argo CD project (exceptions)', 'default')
    .option('--namespace <ns>', 'destination namespace for objects without one', '')
    .action(async (path: string, flags: ScanFlags, cmd: Command) => {
      let exit = 0;
      try {
        const { config, logger } = loadGlobals(cmd);
        // Loaded on use, so other commands do not pay for the policy engine at start-up.
        const { gateObjects } = await import('../gate/index.js');
        const { effectiveIdentity, findingLine, readManifests, toJunit, toSarif } = await import('../policy/index.js');
        const { manifestBytes, resources } = config.spec.limits;
        const set = await readManifests(path, { bytes: manifestBytes, resources }, () => readStdin(manifestBytes));
        const result = await gateObjects(
          set.resources,
          {
            config,
            logger,
            context: {
              appName: flags.app, namespace: flags.namespace, project: flags.project, repoURL: '', sourcePath: path, revision: '',
              kubeVersion: process.env['KUBE_VERSION'] ?? '', apiVersions: [],
            },
          },
          'app',
        );
        const { scan, decision } = result;
        scan.notices.unshift(...set.notices);
        exit = decision.refused ? 1 : 0;
        logger.debug({ findings: scan.findings, summary: decision.summary }, decision.refused ? 'scan refused' : 'scan passed');
        let out: string;
        switch (flags.format) {
          case 'json':
            out = `${JSON.stringify({ refused: decision.refused, summary: decision.summary, counts: decision.counts, scanned: scan.scanned, findings: scan.findings, notices: scan.notices }, null, 2)}\n`;
            break;
          case 'sarif': {
            const lineOf = (source: string, doc: number): number | undefined => set.docLines.get(source)?.[doc];
            out = `${JSON.stringify(toSarif(scan, config, { version: process.env['npm_package_version'] ?? '0.1.0', lineOf }), null, 2)}\n`;
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
        process.stdout.write(result.redactor.mask(out));
      } catch (e) {
        exit = printError(e);
      }
      process.exitCode = exit;
    });
}
