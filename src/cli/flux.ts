import { resolve, sep } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { SyncgateError } from '../errors/index.js';
import { Redactor } from '../log/index.js';
import type { FluxKustomization } from '../flux/index.js';
import { toYamlStream } from '../k8s/index.js';
import { collectKeyValue, collectList, loadGlobals } from './options.js';
import { printError } from './output.js';

interface FluxBuildFlags {
  path?: string;
  namespace?: string;
  name?: string;
  targetNamespace?: string;
  repoRoot?: string;
  substitute: Record<string, string>;
  substituteFrom: string[];
  strict: boolean;
  output?: string;
}

function fromFlags(flags: FluxBuildFlags): FluxKustomization {
  if (!flags.path || !flags.namespace) {
    throw new SyncgateError('USAGE_INVALID', 'flux build: give a Kustomization manifest, or --path and --namespace');
  }
  return {
    name: flags.name ?? (resolve(flags.path).split(sep).pop() || 'app'),
    namespace: flags.namespace,
    path: flags.path,
    ...(flags.targetNamespace ? { targetNamespace: flags.targetNamespace } : {}),
    // Without a manifest every --substitute-from file is a required source, in the order given.
    postBuild: { substitute: {}, substituteFrom: [], strategy: 'WithVariables' },
    decryption: true,
  };
}

async function resolveDir(repoRoot: string, path: string): Promise<string> {
  const dir = resolve(repoRoot, path);
  if (dir !== repoRoot && !dir.startsWith(repoRoot + sep)) {
    throw new SyncgateError('FLUX_PATH_INVALID', `${path}: resolves outside the repo root ${repoRoot}`);
  }
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new SyncgateError('FLUX_PATH_INVALID', `${path}: not a directory`);
  return dir;
}

/** `syncgate flux build`: kustomize-controller's build in CI, gated; writes what Flux should sync. */
export function registerFlux(program: Command): void {
  const flux = program.command('flux').description('Flux: reproduce kustomize-controller in CI');
  flux
    .command('build')
    .description(
      'decrypt SOPS inputs, kustomize build, decrypt and substitute per object as kustomize-controller does, then gate; ' +
        'exit 1 when refused',
    )
    .argument('[kustomization]', 'Flux Kustomization manifest (kustomize.toolkit.fluxcd.io/v1)')
    .option('--path <dir>', 'kustomize directory (overrides spec.path; with --namespace replaces the manifest)')
    .option('--namespace <ns>', 'Kustomization namespace (the tenant; key grants match <namespace>/<name>)')
    .option('--name <name>', 'Kustomization name (default: the directory name)')
    .option('--target-namespace <ns>', 'spec.targetNamespace (without a manifest)')
    .option('--repo-root <dir>', 'source root: spec.path is relative to it and no path may leave it', '.')
    .option('--substitute <k=v>', 'postBuild.substitute entry (repeatable; wins over --substitute-from)', collectKeyValue, {})
    .option(
      '--substitute-from <file>',
      'ConfigMap/Secret YAML standing in for a substituteFrom object (repeatable; SOPS-encrypted Secrets are decrypted)',
      collectList,
      [],
    )
    .option('--no-strict', 'allow unset variables without defaults (Flux feature gate StrictPostBuildSubstitutions=false)')
    .option('-o, --output <dir|file.tgz>', 'write the build, SOPS objects still encrypted, for `flux push artifact`')
    .action(async (manifest: string | undefined, flags: FluxBuildFlags, cmd: Command) => {
      const { config, logger } = loadGlobals(cmd);
      const redactor = new Redactor();
      try {
        const repoRoot = resolve(flags.repoRoot ?? '.');
        // Loaded on use, so other commands do not pay for the pipeline.
        const { fluxBuild, loadKustomization, readVariableSources, writeOutput } = await import('../flux/index.js');
        let ks = manifest ? await loadKustomization(manifest) : fromFlags(flags);
        if (manifest && flags.path) ks = { ...ks, path: flags.path };
        if (manifest && flags.namespace) ks = { ...ks, namespace: flags.namespace };
        if (manifest && flags.name) ks = { ...ks, name: flags.name };
        const sources = await readVariableSources(flags.substituteFrom);
        if (!manifest && ks.postBuild) {
          ks = {
            ...ks,
            postBuild: { ...ks.postBuild, substituteFrom: sources.map((s) => ({ kind: s.kind, name: s.name, optional: false })) },
          };
        }
        if (Object.keys(flags.substitute).length > 0) {
          const pb = ks.postBuild ?? { substitute: {}, substituteFrom: [], strategy: 'WithVariables' as const };
          ks = { ...ks, postBuild: { ...pb, substitute: { ...pb.substitute, ...flags.substitute } } };
        }
        const appDir = await resolveDir(repoRoot, ks.path);
        const result = await fluxBuild({ kustomization: ks, appDir, repoRoot, sources, config, logger, redactor, strict: flags.strict });
        const { decision } = result.gate;
        for (const w of decision.warnings) process.stderr.write(`${redactor.mask(`warning: ${w}`)}\n`);
        if (decision.refused) {
          logger.debug({ summary: decision.summary }, 'flux build refused'); // the report below is the user's view
          process.stderr.write(`${redactor.mask(decision.report)}\n`);
          process.exitCode = 1;
          return;
        }
        if (flags.output) {
          const written = await writeOutput(result.output, resolve(flags.output));
          process.stderr.write(`${decision.summary}\nwrote ${result.output.length} objects to ${written}\n`);
        } else {
          // stdout carries the same encrypted build: never the decrypted, substituted objects.
          process.stdout.write(toYamlStream(result.output));
          process.stderr.write(`${decision.summary}\n`);
        }
      } catch (e) {
        process.exitCode = printError(e, logger, redactor);
      }
    });
}
