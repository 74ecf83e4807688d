import type { GateConfig } from '../config/index.js';
import type { AppContext, RenderOptions } from '../request/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { KustomizationTree } from '../repo/index.js';

/** Everything a renderer needs; built by gate(). */
export interface RenderInput {
  appDir: string;
  repoRoot: string;
  context: AppContext;
  options: RenderOptions;
  config: GateConfig;
  /** The request's private work dir (HOME and caches of the tools live here). */
  workDir: string;
  deadline: number;
  signal?: AbortSignal;
  redactor: Redactor;
  logger: Logger;
  /** Extra Helm values files (decrypted SOPS values) appended after the app's own. */
  extraValueFiles: readonly string[];
  /** Trusted (GateRequest.loadRestrictor): `none` is Flux's LoadRestrictionsNone, confined to repoRoot by the walk. */
  loadRestrictor?: 'rootOnly' | 'none';
  /** Decrypted Helm values (one JSON document) helm reads from its stdin, after every values file. */
  valuesStdin?: Buffer;
  /** The kustomization walk of appDir in repoRoot, when the SOPS stage already made it for this request. */
  kustomizationTree?: KustomizationTree;
}

export type SourceType = 'helm' | 'kustomize' | 'directory';
