import { statSync } from 'node:fs';
import { SyncgateError } from '../errors/index.js';
import type { Resource } from '../k8s/index.js';
import { detectSourceType } from './detect.js';
import { renderDirectory } from './directory.js';
import { renderHelm } from './helm.js';
import { renderKustomize } from './kustomize.js';
import { isInside, realPathOrUndefined } from '../repo/index.js';
import type { RenderInput, SourceType } from './types.js';

function realDir(p: string, what: string): string {
  const real = realPathOrUndefined(p);
  if (real === undefined || !statSync(real).isDirectory()) {
    throw new SyncgateError('RENDER_APP_DIR_INVALID', `${what} ${p}: not a directory`);
  }
  return real;
}

/** Detects the app type (or takes `options.type`) and renders it to resources. */
export async function render(input: RenderInput): Promise<Resource[]> {
  const repoRoot = realDir(input.repoRoot, 'repo root');
  const appDir = realDir(input.appDir, 'app directory');
  if (!isInside(repoRoot, appDir)) {
    throw new SyncgateError('RENDER_APP_DIR_INVALID', `app directory ${input.appDir}: not inside the repo root ${input.repoRoot}`);
  }
  const real: RenderInput = { ...input, repoRoot, appDir };
  const type: SourceType = input.options.type ?? detectSourceType(appDir);
  const { helm, kustomize } = input.config.spec.render;
  switch (type) {
    case 'helm':
      if (!helm.enabled) throw new SyncgateError('RENDER_TYPE_DISABLED', 'helm charts are disabled by the platform config (spec.render.helm.enabled)');
      return renderHelm(real);
    case 'kustomize':
      if (!kustomize.enabled) {
        throw new SyncgateError('RENDER_TYPE_DISABLED', 'kustomize is disabled by the platform config (spec.render.kustomize.enabled)');
      }
      return renderKustomize(real);
    case 'directory':
      return renderDirectory(real);
  }
}
