/**
 * What the trusted caller (Argo CD's repo-server, the Flux Kustomization, the platform's CI)
 * says about the app. Only these fields may choose keys, grants and exceptions.
 */
export interface AppContext {
  /** Argo CD application name (ARGOCD_APP_NAME), or the Flux Kustomization name. */
  appName: string;
  /** Destination namespace (ARGOCD_APP_NAMESPACE / Kustomization targetNamespace). */
  namespace: string;
  /** Argo CD project (ARGOCD_APP_PROJECT_NAME). */
  project: string;
  /** ARGOCD_APP_SOURCE_REPO_URL. */
  repoURL: string;
  /** ARGOCD_APP_SOURCE_PATH (repo-relative). */
  sourcePath: string;
  /** ARGOCD_APP_REVISION. */
  revision: string;
  /** KUBE_VERSION, e.g. `1.30.2` (may be empty). */
  kubeVersion: string;
  /** KUBE_API_VERSIONS split on commas. */
  apiVersions: readonly string[];
  /** For Flux: the Kustomization as `<namespace>/<name>` (the tenant). */
  fluxKustomization?: string;
}

/**
 * How to render, from the app author (untrusted): `ARGOCD_ENV_*`, parameters, CLI `--param`.
 * It may say *how* to render, never *whether* to check, which key to use, or an exception.
 */
export interface RenderOptions {
  /** Helm release name; defaults to the app name. */
  releaseName?: string;
  /** Helm values files, relative to the app dir (must resolve inside the repo root). */
  valueFiles?: string[];
  /** Helm `--set` values. */
  set?: Record<string, string>;
  /** Helm `--set-string` values. */
  setString?: Record<string, string>;
  /** The `helm-parameters` map: chart values by `--set` key (entries equal to values.yaml are dropped). */
  helmParameters?: Record<string, string>;
  /** Inline Helm values YAML. */
  values?: string;
  /** Skip CRDs in Helm output (default: include). */
  skipCrds?: boolean;
  /** Plain directory: recurse into subdirectories. */
  recurse?: boolean;
  /** Plain directory: include/exclude globs (relative paths). */
  include?: string[];
  exclude?: string[];
  /** Force a renderer instead of detection. */
  type?: 'helm' | 'kustomize' | 'directory';
}
