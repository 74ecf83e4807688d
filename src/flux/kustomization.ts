import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { SyncgateError } from '../errors/index.js';
import { parseDocuments } from '../k8s/index.js';

const substituteReference = z
  .object({
    kind: z.enum(['ConfigMap', 'Secret']),
    name: z.string().min(1),
    optional: z.boolean().default(false),
  })
  .loose();

const kustomizationSchema = z
  .object({
    apiVersion: z.string().regex(/^kustomize\.toolkit\.fluxcd\.io\/v1(beta2)?$/, 'expected kustomize.toolkit.fluxcd.io/v1'),
    kind: z.literal('Kustomization'),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1).default('flux-system') }).loose(),
    spec: z
      .object({
        path: z.string().default('./'),
        targetNamespace: z.string().optional(),
        postBuild: z
          .object({
            substitute: z.record(z.string(), z.string()).optional(),
            substituteFrom: z.array(substituteReference).optional(),
            substituteStrategy: z.enum(['WithVariables', 'Always']).optional(),
          })
          .loose()
          .optional(),
        decryption: z.object({ provider: z.literal('sops') }).loose().optional(),
      })
      .loose(),
  })
  .loose();

/** A `substituteFrom` entry. */
export type SubstituteReference = z.output<typeof substituteReference>;

/** The parts of a Flux Kustomization that decide the build (the rest is the cluster's). */
export interface FluxKustomization {
  name: string;
  namespace: string;
  path: string;
  targetNamespace?: string;
  /** Undefined when the Kustomization has no `spec.postBuild` (Flux then never substitutes). */
  postBuild?: {
    substitute: Record<string, string>;
    substituteFrom: SubstituteReference[];
    strategy: 'WithVariables' | 'Always';
  };
  /** `spec.decryption.provider: sops` is set. */
  decryption: boolean;
}

/** Validates a parsed Kustomization object; throws FLUX_KUSTOMIZATION_INVALID naming the file. */
export function parseKustomization(value: unknown, source: string): FluxKustomization {
  const r = kustomizationSchema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new SyncgateError('FLUX_KUSTOMIZATION_INVALID', `${source}: ${problems.join('; ')}`);
  }
  const { metadata, spec } = r.data;
  // kustomize-controller merges these into the generated kustomization.yaml; a build without
  // them would scan something other than what Flux applies, so refuse rather than guess.
  for (const field of ['patches', 'images', 'namePrefix', 'nameSuffix', 'components', 'commonMetadata']) {
    const v = (spec as Record<string, unknown>)[field];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '') {
      throw new SyncgateError(
        'FLUX_KUSTOMIZATION_INVALID',
        `${source}: spec.${field} is not supported by syncgate flux build: move it into the kustomization.yaml of spec.path`,
      );
    }
  }
  const pb = spec.postBuild;
  return {
    name: metadata.name,
    namespace: metadata.namespace,
    path: spec.path,
    ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
    ...(pb
      ? {
          postBuild: {
            substitute: pb.substitute ?? {},
            substituteFrom: pb.substituteFrom ?? [],
            strategy: pb.substituteStrategy ?? 'WithVariables',
          },
        }
      : {}),
    decryption: spec.decryption !== undefined,
  };
}

/** Reads a file holding one Flux Kustomization (other documents are ignored if they are not one). */
export async function loadKustomization(file: string): Promise<FluxKustomization> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SyncgateError('FLUX_KUSTOMIZATION_INVALID', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const docs = parseDocuments(text, file).filter(
    (d) => typeof d === 'object' && d !== null && (d as { kind?: unknown }).kind === 'Kustomization' &&
      String((d as { apiVersion?: unknown }).apiVersion).startsWith('kustomize.toolkit.fluxcd.io/'),
  );
  if (docs.length !== 1) {
    throw new SyncgateError(
      'FLUX_KUSTOMIZATION_INVALID',
      `${file}: expected exactly one kustomize.toolkit.fluxcd.io Kustomization, found ${docs.length}`,
    );
  }
  return parseKustomization(docs[0], file);
}
