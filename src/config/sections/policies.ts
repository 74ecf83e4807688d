import { z } from 'zod';
import { date } from '../units.js';

export const severity = z.enum(['low', 'medium', 'high', 'critical']);
export const mode = z.enum(['enforce', 'warn', 'audit']);

/** `spec.policies` (owned by src/policy). */
export const policiesSection = z
  .object({
    /** Built-in packs to run. */
    packs: z
      .array(z.string())
      .default(['pss-baseline', 'pss-restricted', 'rbac', 'secrets', 'supply-chain', 'network', 'hygiene']),
    /** Files or directories of ValidatingAdmissionPolicy (+Binding, + param ConfigMaps) YAML. */
    custom: z.array(z.string()).default([]),
    /** Findings at or above this severity enforce; below it they warn. */
    enforce: z.object({ severityAtLeast: severity.default('high') }).prefault({}),
    /** Explicit mode per policy id or pack glob (`hygiene/*`); wins over the threshold. */
    modes: z.record(z.string(), mode).default({}),
    /** Policy ids or globs that do not run at all. */
    disabled: z.array(z.string()).default([]),
    /** Per-pack options; each pack validates its own block. */
    options: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** Policies that an annotation in the repo may waive (with reason and expiry). */
    inlineWaivers: z
      .array(
        z
          .object({
            policies: z.array(z.string()).min(1),
            /** Longest allowed distance between now and the waiver's expiry. */
            maxDays: z.number().int().positive().default(90),
          })
          .strict(),
      )
      .default([]),
  })
  .prefault({});

/** `spec.exceptions`: platform-owned waivers. */
export const exceptionsSection = z
  .array(
    z
      .object({
        policies: z.array(z.string()).min(1),
        match: z
          .object({
            projects: z.array(z.string()).optional(),
            apps: z.array(z.string()).optional(),
            namespaces: z.array(z.string()).optional(),
            kinds: z.array(z.string()).optional(),
            names: z.array(z.string()).optional(),
            labels: z.record(z.string(), z.string()).optional(),
          })
          .strict()
          .prefault({}),
        reason: z.string().min(1, 'an exception needs a reason'),
        expires: date.optional(),
      })
      .strict(),
  )
  .default([]);
