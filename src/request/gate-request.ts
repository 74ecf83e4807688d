import type { GateConfig } from '../config/index.js';
import type { Resource } from '../k8s/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { AppContext, RenderOptions } from './context.js';

/** A step a door may add between decryption and the scan (Flux postBuild substitution). */
export type ResourceTransform = (resources: Resource[], req: GateRequest) => Promise<Resource[]> | Resource[];

/** One render request, as every door builds it. */
export interface GateRequest {
  /** Directory of the app (Argo CD: the extracted appPath; CLI: the given path). */
  appDir: string;
  /** Repo root: no path from the app may resolve outside it. */
  repoRoot: string;
  /**
   * An empty private (0700) directory the door owns and removes, outside the repo root, for the
   * request's own files (tool HOME, decrypted values); gate() makes and removes one when absent.
   */
  workDir?: string;
  /** Trusted context. */
  context: AppContext;
  /** Untrusted render options. */
  options: RenderOptions;
  config: GateConfig;
  logger: Logger;
  /** Absolute deadline (ms since epoch); defaults to now + limits.renderTimeout. */
  deadline?: number;
  signal?: AbortSignal;
  /** Per-request secret mask; created by gate() when absent. */
  redactor?: Redactor;
  /**
   * Sees the render's output before decryption: a deep copy nothing else touches, and whether
   * SOPS-encrypted render inputs (generator files, values files) were decrypted for it, in which
   * case it may hold their plaintext. Flux mode keeps it as the still-encrypted build it writes.
   */
  onRendered?: (resources: Resource[], info: { fromDecryptedInputs: boolean }) => void;
  /**
   * With `onRendered`: when SOPS-encrypted inputs were decrypted for the render, also render the
   * untouched source (same limits and deadline) and hand that over instead (Flux's artifact).
   */
  renderUntouched?: boolean;
  /**
   * Trusted, set by a door: kustomize's load restrictor. `none` is Flux's LoadRestrictionsNone (a
   * kustomization may read files outside its own directory); the kustomization walk still keeps
   * every path inside repoRoot. Default: root-only.
   */
  loadRestrictor?: 'rootOnly' | 'none';
  /** Runs after decryption, before the scan. */
  postDecrypt?: ResourceTransform;
  /** Clock for expiries (tests pin it). */
  now?: Date;
}
