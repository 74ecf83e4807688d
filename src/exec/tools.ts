import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tools syncgate may start. */
export type ToolName = 'helm' | 'kustomize' | 'sops' | 'age' | 'age-keygen';

// src/exec/tools.ts and dist/exec/tools.js both sit two levels below the package root.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The project's tools folder (.tools/bin), filled by scripts/tools.sh. */
export function toolsDir(): string {
  return join(packageRoot, '.tools', 'bin');
}

/**
 * Resolves a tool binary: `SYNCGATE_<TOOL>` env (platform-set), then the project's .tools/bin,
 * then PATH. Returns undefined when it is nowhere.
 */
export function resolveTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env[`SYNCGATE_${name.toUpperCase().replace(/-/g, '_')}`];
  if (override) return override;
  const local = join(toolsDir(), name);
  if (isExecutable(local)) return local;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
