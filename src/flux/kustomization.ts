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
        namePrefix: z.string().optional(),
        nameSuffix: z.string().optional(),
        patches: z.array(z.record(z.string(), z.unknown())).optional(),
        patchesStrategicMerge: z.array(z.record(z.string(), z.unknown())).optional(),
        patchesJson6902: z.array(z.record(z.string(), z.unknown())).optional(),
        images: z.array(z.object({ name: z.string().min(1) }).loose()).optional(),
        components: z.array(z.string()).optional(),
        ignoreMissingComponents: z.boolean().optional(),
        buildMetadata: z.array(z.string()).optional(),
        commonMetadata: z
          .object({ labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() })
          .loose()
          .optional(),
        dependsOn: z.array(z.object({ name: z.string().min(1), namespace: z.string().optional() }).loose()).optional(),
        sourceRef: z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() }).loose().optional(),
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

/**
 * The spec fields kustomize-controller's generator merges into the kustomization.yaml of
 * spec.path (fluxcd/pkg kustomize_generator.go), kept as the Kustomization gave them.
 */
export interface FluxGeneratorFields {
  namePrefix?: string;
  nameSuffix?: string;
  patches?: Record<string, unknown>[];
  patchesStrategicMerge?: Record<string, unknown>[];
  patchesJson6902?: Record<string, unknown>[];
  images?: Record<string, unknown>[];
  components?: string[];
  ignoreMissingComponents?: boolean;
  buildMetadata?: string[];
}

/** A `dependsOn` entry; namespace defaults to the Kustomization's own. */
export interface FluxDependency {
  name: string;
  namespace: string;
}

/** The parts of a Flux Kustomization that decide the build (the rest is the cluster's). */
export interface FluxKustomization {
  name: string;
  namespace: string;
  path: string;
  targetNamespace?: string;
  /** Merged into the generated kustomization (patches, images, prefix/suffix, components…). */
  generator?: FluxGeneratorFields;
  /** `spec.commonMetadata`: set on every object after the build, as kustomize-controller's apply does. */
  commonMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
  /** `spec.dependsOn`, for ordering a whole cluster tree. */
  dependsOn?: FluxDependency[];
  /** `spec.sourceRef` as `Kind/namespace/name` (the tree build only builds Kustomizations of one source). */
  sourceRef?: string;
  /** The file the Kustomization was read from. */
  file?: string;
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
    ...generatorFields(spec),
    ...(spec.commonMetadata
      ? { commonMetadata: { labels: spec.commonMetadata.labels ?? {}, annotations: spec.commonMetadata.annotations ?? {} } }
      : {}),
    ...(spec.dependsOn?.length
      ? { dependsOn: spec.dependsOn.map((d) => ({ name: d.name, namespace: d.namespace ?? metadata.namespace })) }
      : {}),
    ...(spec.sourceRef
      ? { sourceRef: `${spec.sourceRef.kind}/${spec.sourceRef.namespace ?? metadata.namespace}/${spec.sourceRef.name}` }
      : {}),
    file: source,
  };
}

const GENERATOR_FIELDS = [
  'namePrefix',
  'nameSuffix',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'images',
  'components',
  'ignoreMissingComponents',
  'buildMetadata',
] as const;

function generatorFields(spec: object): { generator?: FluxGeneratorFields } {
  const out: Record<string, unknown> = {};
  const fields = spec as Record<string, unknown>;
  for (const f of GENERATOR_FIELDS) if (fields[f] !== undefined) out[f] = fields[f];
  return Object.keys(out).length > 0 ? { generator: out } : {};
}

/** The Flux Kustomizations among parsed documents (others are ignored), validated. */
export function kustomizationsIn(docs: readonly unknown[], source: string): FluxKustomization[] {
  return docs
    .filter(
      (d) =>
        typeof d === 'object' &&
        d !== null &&
        (d as { kind?: unknown }).kind === 'Kustomization' &&
        String((d as { apiVersion?: unknown }).apiVersion).startsWith('kustomize.toolkit.fluxcd.io/'),
    )
    .map((d) => parseKustomization(d, source));
}

/** Reads a file holding one Flux Kustomization (other documents are ignored if they are not one). */
export async function loadKustomization(file: string): Promise<FluxKustomization> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SyncgateError('FLUX_KUSTOMIZATION_INVALID', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const found = kustomizationsIn(parseDocuments(text, file), file);
  if (found.length !== 1) {
    throw new SyncgateError(
      'FLUX_KUSTOMIZATION_INVALID',
      `${file}: expected exactly one kustomize.toolkit.fluxcd.io Kustomization, found ${found.length}`,
    );
  }
  return found[0]!;
}
