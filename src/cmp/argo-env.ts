import type { AppContext } from '../request/index.js';

/** A single named parameter as Argo CD sends it (ARGOCD_APP_PARAMETERS). */
export interface AppParameter {
  name: string;
  string?: string;
  array?: string[];
  map?: Record<string, string>;
}

/** Builds an AppContext from Argo CD env vars (the trusted ones only). */
export function contextFromArgoEnv(env: Readonly<Record<string, string | undefined>>): AppContext {
  const get = (k: string): string => env[k] ?? '';
  return {
    appName: get('ARGOCD_APP_NAME'),
    namespace: get('ARGOCD_APP_NAMESPACE'),
    project: get('ARGOCD_APP_PROJECT_NAME'),
    repoURL: get('ARGOCD_APP_SOURCE_REPO_URL'),
    sourcePath: get('ARGOCD_APP_SOURCE_PATH'),
    revision: get('ARGOCD_APP_REVISION'),
    kubeVersion: get('KUBE_VERSION'),
    apiVersions: get('KUBE_API_VERSIONS')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
}
