import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceType } from './types.js';

/** The file names Kustomize accepts, in its own order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The kustomization file of `dir`, or undefined when it has none. */
export function findKustomization(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Detects the app type as Argo CD does: Chart.yaml → helm, a kustomization → kustomize, else directory. */
export function detectSourceType(appDir: string): SourceType {
  if (existsSync(join(appDir, 'Chart.yaml'))) return 'helm';
  if (findKustomization(appDir) !== undefined) return 'kustomize';
  return 'directory';
}
