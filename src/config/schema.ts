import * as z from 'zod';
import { renderSection } from './sections/render.js';
import { limitsSection } from './sections/limits.js';
import { keysSection, sopsSection } from './sections/keys.js';
import { policiesSection, exceptionsSection } from './sections/policies.js';
import { webhookSection } from './sections/server.js';
import { argocdSection } from './sections/argocd.js';

/** The platform config (`GateConfig`): the only input that may decide policies, keys, exceptions. */
export const gateConfigSchema = z
  .object({
    apiVersion: z.literal('syncgate.dev/v1alpha1').describe('Always syncgate.dev/v1alpha1.'),
    kind: z.literal('GateConfig').describe('Always GateConfig.'),
    metadata: z
      .object({ name: z.string().optional().describe('A name for this config (informational).') })
      .loose()
      .optional()
      .describe('Informational, as in Kubernetes objects.'),
    spec: z
      .object({
        render: renderSection.describe('Which renderers run and how.'),
        limits: limitsSection.describe('Hard limits: hitting one refuses the render.'),
        keys: keysSection.describe('age identities for SOPS decryption and their grants (docs/sops.md).'),
        sops: sopsSection.describe('What the SOPS stage decrypts.'),
        policies: policiesSection.describe(
          'Which policies run and how findings map to enforce, warn or audit (docs/policies.md).',
        ),
        exceptions: exceptionsSection.describe(
          'Platform-owned waivers: policies, a match, a reason and an expiry.',
        ),
        webhook: webhookSection.describe('The admission webhook (`syncgate webhook`).'),
        argocd: argocdSection.describe('What the webhook enforces on Argo CD Applications and ApplicationSets (docs/argocd.md).'),
      })
      .strict()
      .prefault({})
      .describe("The platform's settings; every field has a default."),
  })
  .strict();

/** The config file as users write it. */
export type GateConfigInput = z.input<typeof gateConfigSchema>;
/** The parsed, defaulted, frozen config. */
export type GateConfig = z.output<typeof gateConfigSchema>;
export type GateSpec = GateConfig['spec'];
