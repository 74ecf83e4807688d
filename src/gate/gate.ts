import { SyncgateError } from '../errors/index.js';
import { cloneParsed, identity, identityKey, type Resource } from '../k8s/index.js';
import { Redactor } from '../log/index.js';
import { render, type RenderInput } from '../render/index.js';
import { decryptResources, prepareSecrets, trackDecrypted } from '../sops/index.js';
import { scan, decide, SourceFiles } from '../policy/index.js';
import type { GateRequest, GateResult } from './types.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

function checkResources(resources: readonly Resource[], limit: number): void {
  if (resources.length > limit) {
    throw new SyncgateError('LIMIT_EXCEEDED', `rendered ${resources.length} resources, the limit is ${limit}`);
  }
  const seen = new Map<string, Resource>();
  for (const r of resources) {
    const key = identityKey(r.object);
    const prev = seen.get(key);
    if (prev) {
      throw new SyncgateError(
        'K8S_DUPLICATE_OBJECT',
        `${identity(r.object)}: duplicate object in ${r.source} (first seen in ${prev.source})`,
      );
    }
    seen.set(key, r);
  }
}

/**
 * The one pipeline behind every door: render → decrypt → (door transform) → scan → decide.
 * Throws a SyncgateError when it cannot produce a verdict (render failure, decryption error,
 * timeout, limit); returns a refusal as data when policies say no. Never returns a subset.
 */
export async function gate(req: GateRequest): Promise<GateResult> {
  const redactor = req.redactor ?? new Redactor();
  const deadline = req.deadline ?? Date.now() + req.config.spec.limits.renderTimeout;
  const full: GateRequest & { redactor: Redactor; deadline: number } = { ...req, redactor, deadline };
  const timings: Record<string, number> = {};
  const time = async <T>(stage: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings[stage] = Math.round((performance.now() - t0) * 10) / 10;
    }
  };

  const workDir = req.workDir ?? createWorkDir();
  try {
    const prepared = await time('prepare', () => prepareSecrets(full, workDir));
    const input: RenderInput = {
      appDir: prepared.appDir,
      repoRoot: prepared.repoRoot,
      context: full.context,
      options: { ...full.options, valueFiles: prepared.valueFiles },
      config: full.config,
      workDir,
      deadline,
      redactor,
      logger: full.logger,
      extraValueFiles: [],
      // Decrypted Helm values reach helm on its stdin: helm never reads ciphertext, and no plaintext touches disk.
      ...(prepared.helmValues !== undefined ? { valuesStdin: prepared.helmValues } : {}),
      ...(full.signal ? { signal: full.signal } : {}),
      ...(full.loadRestrictor ? { loadRestrictor: full.loadRestrictor } : {}),
      ...(prepared.kustomizationTree ? { kustomizationTree: prepared.kustomizationTree } : {}),
    };
    let resources = await time('render', () => render(input));
    checkResources(resources, full.config.spec.limits.resources);
    if (full.onRendered) {
      const fromDecryptedInputs = prepared.decrypted.length > 0 || prepared.helmValues !== undefined;
      if (fromDecryptedInputs && full.renderUntouched === true) {
        const { valuesStdin: _plaintext, ...untouchedInput } = input;
        const untouched = await time('renderUntouched', () =>
          render({ ...untouchedInput, appDir: full.appDir, repoRoot: full.repoRoot, options: full.options }),
        );
        checkResources(untouched, full.config.spec.limits.resources);
        full.onRendered(untouched, { fromDecryptedInputs: false });
      } else full.onRendered(cloneParsed(resources), { fromDecryptedInputs });
    }
    resources = await time('decrypt', () => decryptResources(resources, full, prepared));
    if (full.postDecrypt) {
      const t = full.postDecrypt;
      resources = await time('transform', () => t(resources, full));
    }
    // Decrypted values may flow anywhere (a ConfigMap, an annotation, another namespace).
    resources = await time('taint', () => trackDecrypted(resources, full, prepared.material));
    // The repo's files, read lazily: policies ask whether a Secret value is committed there.
    return await judge(resources, { ...full, sources: new SourceFiles(full.repoRoot) }, timings);
  } finally {
    if (req.workDir === undefined) await removeWorkDir(workDir);
  }
}

/**
 * Scans already-built resources and decides (the webhook door, `syncgate scan`): the same engine
 * without render or decryption.
 */
export async function gateObjects(
  resources: Resource[],
  req: Pick<GateRequest, 'context' | 'config' | 'logger' | 'now' | 'redactor'> & { sources?: SourceFiles },
  scope: 'app' | 'object' = 'app',
): Promise<GateResult> {
  // nothing was rendered here: a refusal names what was judged
  return judge(resources, { ...req, redactor: req.redactor ?? new Redactor() }, {}, scope, scope === 'object' ? 'object' : 'manifests');
}

async function judge(
  resources: Resource[],
  req: Pick<GateRequest, 'context' | 'config' | 'logger' | 'now'> & { redactor: Redactor; sources?: SourceFiles },
  timings: Record<string, number>,
  scope: 'app' | 'object' = 'app',
  subject: 'render' | 'manifests' | 'object' = 'render',
): Promise<GateResult> {
  const t0 = performance.now();
  const result = await scan({
    resources,
    context: req.context,
    config: req.config,
    logger: req.logger,
    redactor: req.redactor,
    scope,
    ...(req.now ? { now: req.now } : {}),
    ...(req.sources ? { sources: req.sources } : {}),
  });
  const decision = decide(result, req.config, subject);
  timings['scan'] = Math.round((performance.now() - t0) * 10) / 10;
  return { resources, scan: result, decision, redactor: req.redactor, timings };
}
