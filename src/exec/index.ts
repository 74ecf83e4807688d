// The only place syncgate starts processes: no shell, an allow-listed env, a deadline from the
// caller, SIGTERM to the whole process group then SIGKILL, capped output, and errors that carry
// argv, cwd, exit code, signal, timed-out flag, duration and a redacted stderr tail.
export { run, formatArgv, killRunningTools, type RunOptions, type RunResult } from './run.js';
export { resolveTool, toolsDir, type ToolName } from './tools.js';
export { toolEnv } from './env.js';
