// The only place syncgate starts processes: no shell, an allow-listed env, a deadline from the
// caller, SIGTERM to the whole process group then SIGKILL, and a sweep of every process carrying
// the run's token (descendants that left the group), capped output, and errors that carry argv,
// cwd, exit code, signal, timed-out flag, duration and a redacted stderr tail. Long-lived servers
// keep a launcher ready that becomes the next tool (launcher.ts): no fork on a request's path.
export { run, formatArgv, killAllRuns, DEADLINE_MARGIN_MS, KILL_GRACE_MS, type RunOptions, type RunResult } from './run.js';
export { killMarked, RUN_TOKEN_VAR } from './sweep.js';
export { resolveLauncher, resolveTool, toolsDir, type ToolName } from './tools.js';
export { keepSpareLauncher, spareLauncherPid } from './launcher.js';
export { toolEnv } from './env.js';
