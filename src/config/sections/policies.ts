import * as z from 'zod';
import { date } from '../units.js';

export const severity = z.enum(['low', 'medium', 'high', 'critical']);
export const mode = z.enum(['enforce', 'warn', 'audit']);

/** The built-in packs (src/policy/packs); `pss-restricted` includes the baseline controls it does not replace. */
export const builtinPacks = ['pss-baseline', 'pss-restricted', 'rbac', 'secrets', 'supply-chain', 'network', 'hygiene'] as const;

const pssVersion = z
  .string()
  .regex(/^(latest|v1\.\d{1,2})$/, 'use latest or v1.<minor>, e.g. v1.30')
  .default('latest');

/** Typed options of the built-in packs. */
const packOptions = z
  .object({
    /** Pod Security Standards: which policy version's checks to apply (`latest` or `v1.<minor>`). */
    pss: z.object({ version: pssVersion }).strict().prefault({}),
    'supply-chain': z
      .object({
        /** Every image must be pinned by digest (`@sha256:…`). */
        requireDigest: z.boolean().default(false),
        /** Image prefixes allowed (`ghcr.io/acme/`, `registry.example.com`); empty = any registry. */
        allowedRegistries: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    network: z
      .object({
        /** Every workload must be selected by a NetworkPolicy of the same render. */
        requireNetworkPolicy: z.boolean().default(true),
        /** Service types allowed. */
        allowedServiceTypes: z
          .array(z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']))
          .default(['ClusterIP', 'ExternalName']),
      })
      .strict()
      .prefault({}),
    hygiene: z
      .object({
        /** Resource requests every container must set. */
        requests: z.array(z.enum(['cpu', 'memory'])).default(['cpu', 'memory']),
        /** Resource limits every container must set. */
        limits: z.array(z.enum(['cpu', 'memory'])).default(['memory']),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** `spec.policies` (owned by src/policy). */
export const policiesSection = z
  .object({
    /** Built-in packs to run. */
    packs: z.array(z.enum(builtinPacks)).default([...builtinPacks]),
    /** Files or directories of ValidatingAdmissionPolicy (+Binding, + param ConfigMaps) YAML. */
    custom: z.array(z.string()).default([]),
    /** Findings at or above this severity enforce; below it they warn. */
    enforce: z.object({ severityAtLeast: severity.default('high') }).strict().prefault({}),
    /** Explicit mode per policy id or glob (`hygiene/*`); wins over the threshold; the most specific pattern wins. */
    modes: z.record(z.string(), mode).default({}),
    /** Policy ids or globs that do not run at all. */
    disabled: z.array(z.string()).default([]),
    /** Per-pack options. */
    options: packOptions,
    /** Policies that the `syncgate.dev/waivers` annotation in the repo may waive (with reason and expiry). */
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
  .strict()
  .prefault({});

/** `spec.exceptions`: platform-owned waivers. */
export const exceptionsSection = z
  .array(
    z
      .object({
        /** Policy ids or globs (`hygiene/*`). */
        policies: z.array(z.string()).min(1),
        /** Every given field must match (a list matches when any entry does); names, namespaces, apps and projects are globs. */
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
