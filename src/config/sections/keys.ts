import * as z from 'zod';

/** Where a key may be used, judged from the trusted AppContext only. Argo CD apps must match
 * `projects`; Flux apps must match `fluxKustomizations`; `apps`, `repos` and `paths`, when given,
 * must match too (omitted = any). Decrypted objects may land only in `namespaces`. Patterns are
 * globs (`team-a-*`, `https://git.example.com/team-a/*`). */
export const grantSchema = z
  .object({
    /** Argo CD projects (ARGOCD_APP_PROJECT_NAME). */
    projects: z.array(z.string()).default([]),
    /** Argo CD application names (ARGOCD_APP_NAME); empty = any app of the projects. */
    apps: z.array(z.string()).default([]),
    /** Repo URL patterns (ARGOCD_APP_SOURCE_REPO_URL). */
    repos: z.array(z.string()).default([]),
    /** Source path globs (ARGOCD_APP_SOURCE_PATH); empty = any path. */
    paths: z.array(z.string()).default([]),
    /** Namespaces that decrypted objects may land in. */
    namespaces: z.array(z.string()).min(1),
    /** Flux tenants as `<namespace>/<name>` of the Kustomization (globs). */
    fluxKustomizations: z.array(z.string()).default([]),
  })
  .strict();

export const keySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'key names are DNS labels'),
    /** File holding one or more AGE-SECRET-KEY-1… lines (mounted from a Kubernetes Secret). */
    ageIdentityFile: z.string().min(1),
    grants: grantSchema,
  })
  .strict();

/** `spec.keys`: age identities and their grants (owned by src/sops). */
export const keysSection = z.array(keySchema).default([]);

/** `spec.sops`: what the SOPS stage decrypts (owned by src/sops). */
export const sopsSection = z
  .object({
    /** Helm values files that are decrypted before `helm template` when SOPS-encrypted. */
    valuesFilePatterns: z.array(z.string()).default(['secrets*.yaml', 'secrets*.yml', '*.sops.yaml', '*.sops.yml', '*.enc.yaml']),
    /** Audit log of every decryption (one JSON line each). */
    audit: z.boolean().default(true),
  })
  .prefault({});
