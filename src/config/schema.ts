import * as z from 'zod';
import { renderSection } from './sections/render.js';
import { limitsSection } from './sections/limits.js';
import { keysSection, sopsSection } from './sections/keys.js';
import { policiesSection, exceptionsSection } from './sections/policies.js';
import { webhookSection } from './sections/server.js';

/** The platform config (`GateConfig`): the only input that may decide policies, keys, exceptions. */
export const gateConfigSchema = z
  .object({
    apiVersion: z.literal('syncgate.dev/v1alpha1'),
    kind: z.literal('GateConfig'),
    metadata: z.object({ name: z.string().optional() }).loose().optional(),
    spec: z
      .object({
        render: renderSection,
        limits: limitsSection,
        keys: keysSection,
        sops: sopsSection,
        policies: policiesSection,
        exceptions: exceptionsSection,
        webhook: webhookSection,
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The config file as users write it. */
export type GateConfigInput = z.input<typeof gateConfigSchema>;
/** The parsed, defaulted, frozen config. */
export type GateConfig = z.output<typeof gateConfigSchema>;
export type GateSpec = GateConfig['spec'];
