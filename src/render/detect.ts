import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceType } from './types.js';

/** The file names Kustomize accepts, in its own order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** The kustomization file of `dir`, or undefined when it has none. */
export async function findKustomization(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    if (await exists(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Detects the app type as Argo CD does: Chart.yaml → helm, a kustomization → kustomize, else directory. */
export async function detectSourceType(appDir: string): Promise<SourceType> {
  if (await exists(join(appDir, 'Chart.yaml'))) return 'helm';
  if ((await findKustomization(appDir)) !== undefined) return 'kustomize';
  return 'directory';
}
