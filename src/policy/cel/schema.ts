import * as z from 'zod';

// The admissionregistration.k8s.io/v1 fields syncgate evaluates; unknown fields are ignored the
// way the API server prunes them, and defaults follow the v1 API (failurePolicy Fail, scope *).
const strings = z.array(z.string()).default([]);

const labelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).default({}),
    matchExpressions: z
      .array(
        z
          .object({
            key: z.string().min(1),
            operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
            values: strings,
          })
          .refine(
            (e) =>
              e.operator === 'In' || e.operator === 'NotIn' ? e.values.length > 0 : e.values.length === 0,
            {
              error: 'In/NotIn need values; Exists/DoesNotExist take none',
            },
          ),
      )
      .default([]),
  })
  .nullish()
  .transform((s) => s ?? { matchLabels: {}, matchExpressions: [] });

// As in the API server's validation: a rule with an empty list would silently match nothing.
const required = z.array(z.string()).min(1, 'must list at least one entry (or "*")');
const resourceRule = z.object({
  apiGroups: required,
  apiVersions: required,
  resources: required,
  operations: z
    .array(z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*']))
    .min(1, 'must list at least one entry (or "*")'),
  resourceNames: strings,
  scope: z.enum(['Cluster', 'Namespaced', '*']).default('*'),
});

const matchResources = z
  .object({
    resourceRules: z.array(resourceRule).default([]),
    excludeResourceRules: z.array(resourceRule).default([]),
    namespaceSelector: labelSelector,
    objectSelector: labelSelector,
    matchPolicy: z.enum(['Exact', 'Equivalent']).default('Equivalent'),
  })
  .nullish();

const named = z.object({ name: z.string().min(1), expression: z.string() });

/** `ValidatingAdmissionPolicy.spec`. */
export const policySpec = z.object({
  paramKind: z.object({ apiVersion: z.string().min(1), kind: z.string().min(1) }).nullish(),
  matchConstraints: matchResources,
  matchConditions: z.array(named).default([]),
  variables: z.array(named).default([]),
  validations: z
    .array(
      z.object({
        expression: z.string(),
        message: z.string().optional(),
        messageExpression: z.string().optional(),
        reason: z.enum(['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge']).default('Invalid'),
      }),
    )
    .min(1, 'a policy needs at least one validation'),
  auditAnnotations: z.array(z.unknown()).default([]),
  failurePolicy: z.enum(['Fail', 'Ignore']).default('Fail'),
});

/** `ValidatingAdmissionPolicyBinding.spec`. */
export const bindingSpec = z.object({
  policyName: z.string().min(1),
  paramRef: z
    .object({
      name: z.string().min(1).optional(),
      namespace: z.string().min(1).optional(),
      selector: labelSelector.optional(),
      parameterNotFoundAction: z.enum(['Allow', 'Deny']).default('Deny'),
    })
    .refine((r) => (r.name === undefined) !== (r.selector === undefined), {
      error: 'exactly one of name or selector is required',
    })
    .nullish(),
  matchResources: matchResources,
  validationActions: z.array(z.enum(['Deny', 'Warn', 'Audit'])).min(1, 'validationActions is required'),
});

export type PolicySpec = z.infer<typeof policySpec>;
export type BindingSpec = z.infer<typeof bindingSpec>;
export type MatchResources = NonNullable<z.infer<typeof matchResources>>;
export type ResourceRule = z.infer<typeof resourceRule>;
