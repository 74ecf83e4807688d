import * as z from 'zod';

/** `spec.render`: which renderers run and how (owned by src/render). */
export const renderSection = z
  .object({
    helm: z
      .object({
        /** Allow `helm template` for apps with a Chart.yaml. */
        enabled: z.boolean().default(true),
        /** Extra args the platform appends to every `helm template` (never from the repo). */
        extraArgs: z.array(z.string()).default([]),
        /** Kubernetes version for `helm template --kube-version` when the caller gives none (Argo CD sends KUBE_VERSION; `syncgate render` has --kube-version). */
        kubeVersion: z
          .string()
          .regex(/^v?\d+\.\d+(\.\d+)?$/, 'use a Kubernetes version such as 1.34.0 or v1.34')
          .optional(),
      })
      .prefault({}),
    kustomize: z
      .object({
        enabled: z.boolean().default(true),
        /** Allow `kustomize build --enable-helm` (helmCharts in kustomization.yaml). */
        enableHelm: z.boolean().default(false),
      })
      .prefault({}),
    directory: z
      .object({
        recurse: z.boolean().default(false),
        include: z.array(z.string()).default([]),
        exclude: z.array(z.string()).default([]),
      })
      .prefault({}),
    /** Render tools never reach the network unless this is true. */
    allowNetwork: z.boolean().default(false),
  })
  .prefault({});
