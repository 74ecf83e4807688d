import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findKustomization } from '../repo/index.js';
import type { SourceType } from './types.js';

export { KUSTOMIZATION_FILES, findKustomization } from '../repo/index.js';

/** Detects the app type as Argo CD does: Chart.yaml → helm, a kustomization → kustomize, else directory. */
export function detectSourceType(appDir: string): SourceType {
  if (existsSync(join(appDir, 'Chart.yaml'))) return 'helm';
  if (findKustomization(appDir) !== undefined) return 'kustomize';
  return 'directory';
}
