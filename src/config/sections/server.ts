import * as z from 'zod';
import { bytes, duration } from '../units.js';

/** `spec.webhook`: the admission webhook (owned by src/server). */
export const webhookSection = z
  .object({
    /** Which requests are judged; others are allowed untouched. */
    scope: z
      .object({
        /** `flux`: only objects carrying Flux toolkit labels or applied by a Flux controller SA; `all`: every request. */
        mode: z
          .enum(['flux', 'all'])
          .default('flux')
          .describe(
            '`flux`: only objects carrying Flux toolkit labels or applied by a Flux controller SA; `all`: every request.',
          ),
        /** Service-account usernames treated as Flux controllers. */
        usernames: z
          .array(z.string())
          .default([
            'system:serviceaccount:flux-system:kustomize-controller',
            'system:serviceaccount:flux-system:helm-controller',
          ])
          .describe('Service-account usernames treated as Flux controllers.'),
        /** Object labels that mark an object as applied by Flux (any one, with any value). */
        labels: z
          .array(z.string())
          .default(['kustomize.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/name'])
          .describe('Object labels that mark an object as applied by Flux (any one, with any value).'),
        /** Namespaces never judged (the webhook's own and flux-system are also excluded by the namespaceSelector). */
        excludeNamespaces: z
          .array(z.string())
          .default(['kube-system'])
          .describe(
            "Namespaces never judged (the webhook's own and flux-system are also excluded by the namespaceSelector).",
          ),
      })
      .prefault({})
      .describe('Which requests are judged; others are allowed untouched.'),
    /** Time budget of one review; keep it below the ValidatingWebhookConfiguration timeoutSeconds. */
    timeout: duration
      .prefault('5s')
      .describe(
        'Time budget of one review; keep it below the ValidatingWebhookConfiguration timeoutSeconds.',
      ),
    /** Largest accepted AdmissionReview body (the API server caps requests at 3 MiB). */
    maxBodyBytes: bytes
      .default(3 * 1024 * 1024)
      .describe('Largest accepted AdmissionReview body (the API server caps requests at 3 MiB).'),
    /** Characters of the denial message (findings listed until it is full). */
    maxMessageLength: z
      .number()
      .int()
      .positive()
      .default(2048)
      .describe('Characters of the denial message (findings listed until it is full).'),
    /** Warnings returned per review (each capped at 120 characters, as the API server advises). */
    maxWarnings: z
      .number()
      .int()
      .nonnegative()
      .default(10)
      .describe('Warnings returned per review (each capped at 120 characters, as the API server advises).'),
  })
  .prefault({});
