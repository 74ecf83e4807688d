import { z } from 'zod';

/** `spec.webhook`: the admission webhook (owned by src/server). */
export const webhookSection = z
  .object({
    /** Which requests are judged; others are allowed untouched. */
    scope: z
      .object({
        /** `flux`: only objects carrying Flux toolkit labels or applied by a Flux controller SA. */
        mode: z.enum(['flux', 'all']).default('flux'),
        /** Service-account usernames treated as Flux controllers. */
        usernames: z
          .array(z.string())
          .default([
            'system:serviceaccount:flux-system:kustomize-controller',
            'system:serviceaccount:flux-system:helm-controller',
          ]),
        /** Namespaces never judged. */
        excludeNamespaces: z.array(z.string()).default(['kube-system']),
      })
      .prefault({}),
  })
  .prefault({});
