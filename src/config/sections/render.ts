import * as z from 'zod';

/** `spec.render`: which renderers run and how (owned by src/render). */
export const renderSection = z
  .object({
    helm: z
      .object({
        /** Allow `helm template` for apps with a Chart.yaml. */
        enabled: z.boolean().default(true).describe('Allow `helm template` for apps with a Chart.yaml.'),
        /** Extra args the platform appends to every `helm template` (never from the repo). */
        extraArgs: z
          .array(z.string())
          .default([])
          .describe('Extra args the platform appends to every `helm template` (never from the repo).'),
        /** Kubernetes version for `helm template --kube-version` when the caller gives none (Argo CD sends KUBE_VERSION; `syncgate render` has --kube-version). */
        kubeVersion: z
          .string()
          .regex(/^v?\d+\.\d+(\.\d+)?$/, 'use a Kubernetes version such as 1.34.0 or v1.34')
          .optional()
          .describe(
            'Kubernetes version for `helm template --kube-version` when the caller gives none (Argo CD sends KUBE_VERSION; `syncgate render` has --kube-version).',
          ),
      })
      .prefault({})
      .describe('`helm template` for apps with a Chart.yaml.'),
    kustomize: z
      .object({
        /** Allow `kustomize build` for apps with a kustomization. */
        enabled: z.boolean().default(true).describe('Allow `kustomize build` for apps with a kustomization.'),
        /** Allow `kustomize build --enable-helm` (helmCharts in kustomization.yaml). */
        enableHelm: z
          .boolean()
          .default(false)
          .describe('Allow `kustomize build --enable-helm` (helmCharts in kustomization.yaml).'),
      })
      .prefault({})
      .describe('`kustomize build` for apps with a kustomization.'),
    directory: z
      .object({
        /** Read subdirectories of a plain manifest directory. */
        recurse: z.boolean().default(false).describe('Read subdirectories of a plain manifest directory.'),
        /** Globs of files to read (empty: every *.yaml, *.yml, *.json). */
        include: z
          .array(z.string())
          .default([])
          .describe('Globs of files to read (empty: every *.yaml, *.yml, *.json).'),
        /** Globs of files to leave out. */
        exclude: z.array(z.string()).default([]).describe('Globs of files to leave out.'),
      })
      .prefault({})
      .describe('Plain directories of YAML/JSON manifests.'),
    /** Render tools never reach the network unless this is true. */
    allowNetwork: z
      .boolean()
      .default(false)
      .describe('Render tools never reach the network unless this is true.'),
  })
  .prefault({});
