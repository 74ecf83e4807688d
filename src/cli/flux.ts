import { statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { SyncgateError, exitCodeFor } from '../errors/index.js';
import { Redactor, type Logger } from '../log/index.js';
import type { FluxBuildResult, FluxKustomization, TreeResult, VariableSource } from '../flux/index.js';
import type { GateConfig } from '../config/index.js';
import { toYamlStream, type K8sObject } from '../k8s/index.js';
import { collectKeyValue, collectList, loadGlobals } from './options.js';
import { printError } from './output.js';

interface FluxBuildFlags {
  source?: string;
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
    throw new SyncgateError(
      'USAGE_INVALID',
      'flux build: give a Kustomization manifest, or --path and --namespace',
    );
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

/** The options `flux build` and `flux diff` share: what names the Kustomization and its variables. */
function buildOptions(cmd: Command): Command {
  return cmd
    .option(
      '--path <dir>',
      'kustomize directory (overrides spec.path; with --namespace replaces the manifest)',
    )
    .option('--namespace <ns>', 'Kustomization namespace (the tenant; key grants match <namespace>/<name>)')
    .option('--name <name>', 'Kustomization name (default: the directory name)')
    .option('--target-namespace <ns>', 'spec.targetNamespace (without a manifest)')
    .option('--repo-root <dir>', 'source root: spec.path is relative to it and no path may leave it', '.')
    .option(
      '--source <kind/namespace/name>',
      'a cluster tree: build only the Kustomizations whose sourceRef is this one (e.g. GitRepository/flux-system/flux-system)',
    )
    .option(
      '--substitute <k=v>',
      'postBuild.substitute entry (repeatable; wins over --substitute-from)',
      collectKeyValue,
      {},
    )
    .option(
      '--substitute-from <file>',
      'ConfigMap/Secret YAML standing in for a substituteFrom object (repeatable; SOPS-encrypted Secrets are decrypted)',
      collectList,
      [],
    )
    .option(
      '--no-strict',
      'allow unset variables without defaults (Flux feature gate StrictPostBuildSubstitutions=false)',
    );
}

/** `syncgate flux build`: kustomize-controller's build in CI, gated; writes what Flux should sync. */
export function registerFlux(program: Command): void {
  const flux = program.command('flux').description('Flux: reproduce kustomize-controller in CI');
  const build = flux
    .command('build')
    .description(
      'decrypt SOPS inputs, kustomize build, decrypt and substitute per object as kustomize-controller does, then gate; ' +
        'exit 1 when refused',
    )
    .argument(
      '[kustomization]',
      'Flux Kustomization manifest (kustomize.toolkit.fluxcd.io/v1), or a cluster tree directory: every Kustomization in it, in dependsOn order',
    );
  buildOptions(build)
    .option(
      '-o, --output <dir|file.tgz>',
      'write the build, SOPS objects still encrypted, for `flux push artifact` (a tree: <dir>/<namespace>/<name>/)',
    )
    .action(async (target: string | undefined, flags: FluxBuildFlags, cmd: Command) => {
      const { config, logger } = loadGlobals(cmd);
      const redactor = new Redactor();
      try {
        const repoRoot = resolve(flags.repoRoot ?? '.');
        // Loaded on use, so other commands do not pay for the pipeline.
        const flux = await import('../flux/index.js');
        const sources = await flux.readVariableSources(flags.substituteFrom);
        if (target !== undefined && statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
          const tree = await buildTree(target, repoRoot, sources, flags, config, logger, redactor);
          process.exitCode = await emitTree(tree, flags.output, redactor, logger);
          return;
        }
        const result = await buildOne(target, repoRoot, sources, flags, config, logger, redactor);
        process.exitCode = await emitOne(result, flags.output, redactor, logger);
      } catch (e) {
        process.exitCode = printError(e, logger, redactor);
      }
    });

  const diff = flux
    .command('diff')
    .description(
      'build as `flux build` does and print what changes against a previous build (objects added, removed, changed), then the findings',
    )
    .argument(
      '<previous>',
      'the previous build: a manifest stream, a `flux build --output` directory or .tgz',
    )
    .argument('[kustomization]', 'Flux Kustomization manifest, or a cluster tree directory');
  buildOptions(diff).action(
    async (previous: string, target: string | undefined, flags: FluxBuildFlags, cmd: Command) => {
      const { config, logger } = loadGlobals(cmd);
      const redactor = new Redactor();
      try {
        const repoRoot = resolve(flags.repoRoot ?? '.');
        const flux = await import('../flux/index.js');
        const before = await flux.readPreviousBuild(previous);
        const sources = await flux.readVariableSources(flags.substituteFrom);
        let after: K8sObject[];
        let verdict: string;
        let code: number;
        if (target !== undefined && statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
          const tree = await buildTree(target, repoRoot, sources, flags, config, logger, redactor);
          after = tree.builds.flatMap((b) => b.result?.candidate ?? []);
          verdict = flux.treeReport(tree);
          code = treeExitCode(tree);
        } else {
          const r = await buildOne(target, repoRoot, sources, flags, config, logger, redactor);
          after = r.candidate;
          verdict = r.gate.decision.refused ? r.gate.decision.report : r.gate.decision.summary;
          code = r.gate.decision.refused ? 1 : 0;
          for (const w of r.gate.decision.warnings) verdict += `\nwarning: ${w}`;
        }
        process.stdout.write(`${flux.formatDiff(flux.diffBuilds(before, after), redactor)}\n`);
        process.stderr.write(`${redactor.mask(verdict)}\n`);
        process.exitCode = code;
      } catch (e) {
        process.exitCode = printError(e, logger, redactor);
      }
    },
  );
}

async function buildOne(
  manifest: string | undefined,
  repoRoot: string,
  sources: VariableSource[],
  flags: FluxBuildFlags,
  config: GateConfig,
  logger: Logger,
  redactor: Redactor,
): Promise<FluxBuildResult> {
  const { fluxBuild, loadKustomization } = await import('../flux/index.js');
  let ks = manifest ? await loadKustomization(manifest) : fromFlags(flags);
  if (manifest && flags.path) ks = { ...ks, path: flags.path };
  if (manifest && flags.namespace) ks = { ...ks, namespace: flags.namespace };
  if (manifest && flags.name) ks = { ...ks, name: flags.name };
  if (!manifest && ks.postBuild) {
    ks = {
      ...ks,
      postBuild: {
        ...ks.postBuild,
        substituteFrom: sources.map((s) => ({ kind: s.kind, name: s.name, optional: false })),
      },
    };
  }
  if (Object.keys(flags.substitute).length > 0) {
    const pb = ks.postBuild ?? { substitute: {}, substituteFrom: [], strategy: 'WithVariables' as const };
    ks = { ...ks, postBuild: { ...pb, substitute: { ...pb.substitute, ...flags.substitute } } };
  }
  return fluxBuild({ kustomization: ks, repoRoot, sources, config, logger, redactor, strict: flags.strict });
}

async function buildTree(
  tree: string,
  repoRoot: string,
  sources: VariableSource[],
  flags: FluxBuildFlags,
  config: GateConfig,
  logger: Logger,
  redactor: Redactor,
): Promise<TreeResult> {
  const { fluxBuildTree } = await import('../flux/index.js');
  const progress = process.stderr.isTTY;
  return fluxBuildTree({
    tree: resolve(tree),
    repoRoot,
    sources,
    config,
    logger,
    redactor,
    strict: flags.strict,
    ...(flags.source === undefined ? {} : { source: flags.source }),
    ...(progress
      ? {
          onBuilt: (b) =>
            process.stderr.write(
              `built Kustomization/${b.kustomization.namespace}/${b.kustomization.name} (${b.ms} ms)\n`,
            ),
        }
      : {}),
  });
}

async function emitOne(
  result: FluxBuildResult,
  output: string | undefined,
  redactor: Redactor,
  logger: Logger,
): Promise<number> {
  const { decision } = result.gate;
  for (const w of decision.warnings) process.stderr.write(`${redactor.mask(`warning: ${w}`)}\n`);
  if (decision.refused) {
    logger.debug({ summary: decision.summary }, 'flux build refused'); // the report below is the user's view
    process.stderr.write(`${redactor.mask(decision.report)}\n`);
    return 1;
  }
  if (result.outputError) throw result.outputError;
  if (output) {
    const { writeOutput } = await import('../flux/index.js');
    const written = await writeOutput(result.output, resolve(output));
    process.stderr.write(`${decision.summary}\nwrote ${result.output.length} objects to ${written}\n`);
  } else {
    // stdout carries the same encrypted build: never the decrypted, substituted objects.
    process.stdout.write(toYamlStream(result.output));
    process.stderr.write(`${decision.summary}\n`);
  }
  return 0;
}

function treeExitCode(tree: TreeResult): number {
  const errors = tree.builds.flatMap((b) => (b.error ? [b.error] : []));
  if (errors.length > 0) return Math.max(...errors.map((e) => exitCodeFor(e)));
  return tree.refused ? 1 : 0;
}

/** Writes `<out>/<namespace>/<name>/manifests.yaml` per Kustomization, all or nothing. */
async function writeTree(tree: TreeResult, out: string): Promise<number> {
  const { writeOutput } = await import('../flux/index.js');
  const existing = await readdir(out).catch(() => undefined);
  if (existing !== undefined && existing.length > 0)
    throw new SyncgateError('FLUX_OUTPUT_FAILED', `${out}: output directory is not empty`);
  const tmp = await mkdtemp(join(dirname(out), `.${basename(out)}.syncgate-`));
  try {
    let n = 0;
    for (const b of tree.builds) {
      const parent = join(tmp, b.kustomization.namespace);
      await mkdir(parent, { recursive: true });
      await writeOutput(b.result?.output ?? [], join(parent, b.kustomization.name));
      n += b.result?.output.length ?? 0;
    }
    if (existing !== undefined) await rmdir(out);
    await rename(tmp, out);
    return n;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function emitTree(
  tree: TreeResult,
  output: string | undefined,
  redactor: Redactor,
  logger: Logger,
): Promise<number> {
  const { treeReport } = await import('../flux/index.js');
  for (const b of tree.builds)
    for (const w of b.result?.gate.decision.warnings ?? [])
      process.stderr.write(`${redactor.mask(`warning: ${w}`)}\n`);
  const report = redactor.mask(treeReport(tree));
  const code = treeExitCode(tree);
  const unsafe = tree.builds.find((b) => b.result?.outputError);
  if (code !== 0 || unsafe) {
    logger.debug({ refused: tree.refused, failed: tree.failed }, 'flux build refused'); // the report below is the user's view
    process.stderr.write(`${report}\n`);
    if (code === 0 && unsafe?.result?.outputError) {
      const e = unsafe.result.outputError;
      process.stderr.write(`${e.code}: ${redactor.mask(e.message)}\n`);
      return exitCodeFor(e);
    }
    return code;
  }
  if (output) {
    const n = await writeTree(tree, resolve(output));
    process.stderr.write(
      `${report}\nwrote ${n} objects of ${tree.builds.length} Kustomizations to ${resolve(output)}\n`,
    );
  } else {
    for (const b of tree.builds) {
      process.stdout.write(
        `# Kustomization ${b.kustomization.namespace}/${b.kustomization.name}\n---\n${toYamlStream(b.result?.output ?? [])}`,
      );
    }
    process.stderr.write(`${report}\n`);
  }
  return 0;
}
