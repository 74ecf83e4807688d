import * as z from 'zod';
import { date } from '../units.js';

export const severity = z.enum(['low', 'medium', 'high', 'critical']);
export const mode = z.enum(['enforce', 'warn', 'audit']);

/** The built-in packs (src/policy/packs); `pss-restricted` includes every baseline control. */
export const builtinPacks = [
  'pss-baseline',
  'pss-restricted',
  'rbac',
  'secrets',
  'supply-chain',
  'network',
  'hygiene',
] as const;

const pssVersion = z
  .string()
  .regex(/^(latest|v1\.\d{1,2})$/, 'use latest or v1.<minor>, e.g. v1.30')
  .default('latest')
  .describe('`latest` or `v1.<minor>`, e.g. v1.30');

/** Typed options of the built-in packs. */
const packOptions = z
  .object({
    /** Pod Security Standards: which policy version's checks to apply (`latest` or `v1.<minor>`). */
    pss: z
      .object({ version: pssVersion })
      .strict()
      .prefault({})
      .describe("Pod Security Standards: which policy version's checks to apply (`latest` or `v1.<minor>`)."),
    'supply-chain': z
      .object({
        /** Every image must be pinned by digest (`@sha256:…`). */
        requireDigest: z
          .boolean()
          .default(false)
          .describe('Every image must be pinned by digest (`@sha256:…`).'),
        /** Image prefixes allowed (`ghcr.io/acme/`, `registry.example.com`); empty = any registry. */
        allowedRegistries: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'Image prefixes allowed (`ghcr.io/acme/`, `registry.example.com`); empty = any registry.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Options of the supply-chain pack.'),
    network: z
      .object({
        /** Every workload must be selected by a NetworkPolicy of the same render. */
        requireNetworkPolicy: z
          .boolean()
          .default(true)
          .describe('Every workload must be selected by a NetworkPolicy of the same render.'),
        /** Service types allowed. */
        allowedServiceTypes: z
          .array(z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']))
          .default(['ClusterIP', 'ExternalName'])
          .describe('Service types allowed.'),
      })
      .strict()
      .prefault({})
      .describe('Options of the network pack.'),
    hygiene: z
      .object({
        /** Resource requests every container must set. */
        requests: z
          .array(z.enum(['cpu', 'memory']))
          .default(['cpu', 'memory'])
          .describe('Resource requests every container must set.'),
        /** Resource limits every container must set. */
        limits: z
          .array(z.enum(['cpu', 'memory']))
          .default(['memory'])
          .describe('Resource limits every container must set.'),
      })
      .strict()
      .prefault({})
      .describe('Options of the hygiene pack.'),
  })
  .strict()
  .prefault({});

/** `spec.policies` (owned by src/policy). */
export const policiesSection = z
  .object({
    /** Built-in packs to run. */
    packs: z
      .array(z.enum(builtinPacks))
      .default([...builtinPacks])
      .describe('Built-in packs to run.'),
    /** Files or directories of ValidatingAdmissionPolicy (+Binding, + param ConfigMaps) YAML. */
    custom: z
      .array(z.string())
      .default([])
      .describe('Files or directories of ValidatingAdmissionPolicy (+Binding, + param ConfigMaps) YAML.'),
    /** Findings at or above this severity enforce; below it they warn. */
    enforce: z
      .object({ severityAtLeast: severity.default('high').describe('low, medium, high or critical') })
      .strict()
      .prefault({})
      .describe('Findings at or above this severity enforce; below it they warn.'),
    /** Explicit mode per policy id or glob (`hygiene/*`); wins over the threshold; the most specific pattern wins. */
    modes: z
      .record(z.string(), mode)
      .default({})
      .describe(
        'Explicit mode per policy id or glob (`hygiene/*`); wins over the threshold; the most specific pattern wins.',
      ),
    /** Policy ids or globs that do not run at all. */
    disabled: z.array(z.string()).default([]).describe('Policy ids or globs that do not run at all.'),
    /** Per-pack options. */
    options: packOptions.describe('Per-pack options.'),
    /** Policies that the `syncgate.dev/waivers` annotation in the repo may waive (with reason and expiry). */
    inlineWaivers: z
      .array(
        z
          .object({
            /** Policy ids or globs the annotation may waive. */
            policies: z.array(z.string()).min(1).describe('Policy ids or globs the annotation may waive.'),
            /** Longest allowed distance between now and the waiver's expiry. */
            maxDays: z
              .number()
              .int()
              .positive()
              .default(90)
              .describe("Longest allowed distance between now and the waiver's expiry."),
          })
          .strict(),
      )
      .default([])
      .describe(
        'Policies that the `syncgate.dev/waivers` annotation in the repo may waive (with reason and expiry).',
      ),
  })
  .strict()
  .prefault({});

/** `spec.exceptions`: platform-owned waivers. */
export const exceptionsSection = z
  .array(
    z
      .object({
        /** Policy ids or globs (`hygiene/*`). */
        policies: z.array(z.string()).min(1).describe('Policy ids or globs (`hygiene/*`).'),
        /** Every given field must match (a list matches when any entry does); names, namespaces, apps and projects are globs. */
        match: z
          .object({
            projects: z.array(z.string()).optional().describe('Argo CD projects (globs).'),
            apps: z
              .array(z.string())
              .optional()
              .describe('Argo CD applications or Flux Kustomizations (globs).'),
            namespaces: z.array(z.string()).optional().describe('Object namespaces (globs).'),
            kinds: z.array(z.string()).optional().describe('Object kinds, e.g. Deployment.'),
            names: z.array(z.string()).optional().describe('Object names (globs).'),
            labels: z
              .record(z.string(), z.string())
              .optional()
              .describe('Object labels that must all be present with these values.'),
          })
          .strict()
          .prefault({})
          .describe(
            'Every given field must match (a list matches when any entry does); names, namespaces, apps and projects are globs.',
          ),
        /** Why the exception exists (shown in every waived finding). */
        reason: z
          .string()
          .min(1, 'an exception needs a reason')
          .describe('Why the exception exists (shown in every waived finding).'),
        /** After this date (YYYY-MM-DD) the exception no longer applies. */
        expires: date.optional().describe('After this date (YYYY-MM-DD) the exception no longer applies.'),
      })
      .strict(),
  )
  .default([]);
