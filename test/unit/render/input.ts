import { defaultConfig, parseConfig, type GateConfig } from '../../../src/config/index.js';
import { createLogger, Redactor } from '../../../src/log/index.js';
import type { RenderInput } from '../../../src/render/index.js';

/** A RenderInput for renderer tests; `over` replaces fields, `options` the render options. */
export function renderInput(over: Partial<RenderInput> & { appDir: string; repoRoot: string }): RenderInput {
  return {
    context: {
      appName: 'demo',
      namespace: 'demo',
      project: 'default',
      repoURL: '',
      sourcePath: '.',
      revision: '',
      kubeVersion: '',
      apiVersions: [],
    },
    options: {},
    config: defaultConfig(),
    workDir: over.repoRoot,
    deadline: Date.now() + 20_000,
    redactor: new Redactor(),
    logger: createLogger({ level: 'silent' }),
    extraValueFiles: [],
    ...over,
  };
}

/** A config with a render section override. */
export function configWith(spec: Record<string, unknown>): GateConfig {
  return parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec });
}
