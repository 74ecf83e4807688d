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

function onPath(file: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, file))) return join(dir, file);
  }
  return undefined;
}

/**
 * Resolves a tool binary: `SYNCGATE_<TOOL>` env (platform-set; a path, or a name looked up on
 * PATH), then the project's .tools/bin, then PATH. Returns undefined when it is nowhere, also
 * when the override names no executable file (so /readyz reports the tool missing).
 */
export function resolveTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return resolveBinary(name, `SYNCGATE_${name.toUpperCase().replace(/-/g, '_')}`, env);
}

function resolveBinary(name: string, overrideVar: string, env: NodeJS.ProcessEnv): string | undefined {
  const override = env[overrideVar];
  if (override) return override.includes('/') ? (isExecutable(override) ? override : undefined) : onPath(override, env);
  const local = join(toolsDir(), name);
  if (isExecutable(local)) return local;
  return onPath(name, env);
}

/**
 * The launcher a long-lived server keeps ready (src/exec/launcher.ts), resolved like a tool from
 * `SYNCGATE_LAUNCHER`, .tools/bin and PATH; `SYNCGATE_LAUNCHER=off` turns it off.
 */
export function resolveLauncher(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['SYNCGATE_LAUNCHER'] === 'off') return undefined;
  const found = resolveBinary('syncgate-launcher', 'SYNCGATE_LAUNCHER', env);
  return found === undefined ? undefined : resolve(found);
}
