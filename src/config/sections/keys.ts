import * as z from 'zod';

/** Where a key may be used, judged from the trusted AppContext only. Argo CD apps must match
 * `projects`; Flux apps must match `fluxKustomizations`; `apps`, `repos` and `paths`, when given,
 * must match too (omitted = any). Decrypted objects may land only in `namespaces`. Patterns are
 * globs (`team-a-*`, `https://git.example.com/team-a/*`). */
export const grantSchema = z
  .object({
    /** Argo CD projects (ARGOCD_APP_PROJECT_NAME). */
    projects: z.array(z.string()).default([]).describe('Argo CD projects (ARGOCD_APP_PROJECT_NAME).'),
    /** Argo CD application names (ARGOCD_APP_NAME); empty = any app of the projects. */
    apps: z
      .array(z.string())
      .default([])
      .describe('Argo CD application names (ARGOCD_APP_NAME); empty = any app of the projects.'),
    /** Repo URL patterns (ARGOCD_APP_SOURCE_REPO_URL). */
    repos: z.array(z.string()).default([]).describe('Repo URL patterns (ARGOCD_APP_SOURCE_REPO_URL).'),
    /** Source path globs (ARGOCD_APP_SOURCE_PATH); empty = any path. */
    paths: z
      .array(z.string())
      .default([])
      .describe('Source path globs (ARGOCD_APP_SOURCE_PATH); empty = any path.'),
    /** Namespaces that decrypted objects may land in. */
    namespaces: z.array(z.string()).min(1).describe('Namespaces that decrypted objects may land in.'),
    /** Flux tenants as `<namespace>/<name>` of the Kustomization (globs). */
    fluxKustomizations: z
      .array(z.string())
      .default([])
      .describe('Flux tenants as `<namespace>/<name>` of the Kustomization (globs).'),
  })
  .strict();

export const keySchema = z
  .object({
    /** The key's name (a DNS label): SOPS files name it in no way; reports and metrics do. */
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'key names are DNS labels')
      .describe("The key's name (a DNS label), used in reports, audit lines and metrics."),
    /** File holding one or more AGE-SECRET-KEY-1… lines (mounted from a Kubernetes Secret). */
    ageIdentityFile: z
      .string()
      .min(1)
      .describe('File holding one or more AGE-SECRET-KEY-1… lines (mounted from a Kubernetes Secret).'),
    /** Who may use the key and where its plaintext may land. */
    grants: grantSchema.describe(
      'Who may use the key (Argo CD projects, apps, repos, paths or Flux Kustomizations) and the namespaces decrypted objects may land in.',
    ),
  })
  .strict();

/** `spec.keys`: age identities and their grants (owned by src/sops). */
export const keysSection = z.array(keySchema).default([]);

/** `spec.sops`: what the SOPS stage decrypts (owned by src/sops). */
export const sopsSection = z
  .object({
    /** Helm values files that are decrypted before `helm template` when SOPS-encrypted. */
    valuesFilePatterns: z
      .array(z.string())
      .default(['secrets*.yaml', 'secrets*.yml', '*.sops.yaml', '*.sops.yml', '*.enc.yaml'])
      .describe('Helm values files that are decrypted before `helm template` when SOPS-encrypted.'),
    /** Audit log of every decryption (one JSON line each). */
    audit: z.boolean().default(true).describe('Audit log of every decryption (one JSON line each).'),
  })
  .prefault({});
