import * as z from 'zod';

/**
 * `spec.argocd`: what `syncgate webhook` enforces on Argo CD `Application` and `ApplicationSet`
 * objects (owned by src/server): in the named projects every source must render through the
 * syncgate plugin, so no app can pick Argo CD's own Helm, Kustomize or directory renderer.
 */
export const argocdSection = z
  .object({
    applications: z
      .object({
        /** AppProjects (globs) whose Applications and ApplicationSets must use the plugin; empty turns the check off. */
        projects: z
          .array(z.string().min(1))
          .default([])
          .describe('AppProjects (globs) whose Applications and ApplicationSets must use the plugin; empty turns the check off.'),
        /**
         * Accepted `plugin.name` values. Argo CD dials `<plugin.name>.sock`, and syncgate's socket is
         * `<metadata.name>-<spec.version>` of plugin.yaml, so the default is `syncgate-v1`.
         */
        pluginNames: z
          .array(z.string().min(1))
          .min(1)
          .default(['syncgate-v1'])
          .describe('Accepted `plugin.name` values (`<metadata.name>-<spec.version>` of plugin.yaml).'),
        /**
         * `plugin: {}` without a name (discovery): `deny` (default) because the repo-server then
         * asks every plugin socket in name order and the first match renders; `allow` when
         * syncgate is the only plugin sidecar.
         */
        discovery: z
          .enum(['deny', 'allow'])
          .default('deny')
          .describe('`plugin: {}` without a name (discovery): `deny`, or `allow` when syncgate is the only plugin sidecar.'),
      })
      .strict()
      .prefault({})
      .describe('Argo CD Applications and ApplicationSets the webhook checks.'),
  })
  .strict()
  .prefault({});
