import { SyncgateError, isSyncgateError, type ErrorCode } from '../errors/index.js';
import { resolveTool, run, toolEnv, type ToolName } from '../exec/index.js';
import { translateToolHints } from './tool-hints.js';
import type { RenderInput } from './types.js';

/**
 * Runs a render tool for one request (scrubbed env, the request's deadline, cancellation and
 * output limit) and returns its stdout; a non-zero exit becomes `failCode` with the tool's
 * redacted stderr tail, so the user sees why the chart or kustomization did not build.
 */
export async function runRenderTool(
  input: RenderInput,
  tool: ToolName,
  args: readonly string[],
  failCode: ErrorCode,
  label: string,
): Promise<string> {
  const file = resolveTool(tool);
  if (file === undefined) throw new SyncgateError('EXEC_TOOL_MISSING', `${tool}: not found (run scripts/tools.sh)`);
  const { config } = input;
  try {
    const { stdout } = await run({
      file,
      args,
      cwd: input.appDir,
      env: toolEnv(input.workDir, {}, { allowNetwork: config.spec.render.allowNetwork }),
      deadline: input.deadline,
      maxStdout: config.spec.limits.manifestBytes,
      redactor: input.redactor,
      ...(input.signal ? { signal: input.signal } : {}),
      // Only `helm template` reads stdin (decrypted values, `--values=-`).
      ...(tool === 'helm' && input.valuesStdin !== undefined ? { input: input.valuesStdin } : {}),
    });
    return stdout;
  } catch (e) {
    if (isSyncgateError(e, 'EXEC_FAILED')) {
      const tail = typeof e.details['stderrTail'] === 'string' ? e.details['stderrTail'] : '';
      throw new SyncgateError(failCode, `${label}: ${translateToolHints(tool, tail || e.message)}`, { cause: e, details: e.details });
    }
    throw e;
  }
}
