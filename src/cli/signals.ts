import { constants } from 'node:os';
import { killAllRuns } from '../exec/index.js';
import { removeLiveWorkDirs } from '../gate/workdir.js';

type Handler = (signal: NodeJS.Signals) => void;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * The default on a signal: kill every running tool (and its escaped descendants), remove every
 * work dir (they may hold decrypted kustomize inputs), then die by the same signal, so the parent
 * (argocd-cmp-server, a shell, CI) sees which one it was.
 */
function cleanupAndExit(signal: NodeJS.Signals): void {
  killAllRuns();
  removeLiveWorkDirs();
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
  // Should the default action not end the process (an ignored signal), exit as a shell would.
  setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1000).unref();
}

let handler: Handler = cleanupAndExit;

/**
 * Makes every door clean up on SIGTERM, SIGINT and SIGHUP (argocd-cmp-server sends SIGTERM to a
 * `generate` that overruns; CI runners send SIGINT/SIGTERM): no tool or temp dir outlives the
 * process. Servers replace the default with their graceful stop ({@link onExitSignal}).
 */
export function installSignalCleanup(): void {
  for (const sig of SIGNALS) process.on(sig, (s: NodeJS.Signals) => handler(s));
}

/** Replaces what a signal does (the servers drain first); the default cleanup runs on a second signal. */
export function onExitSignal(h: Handler): void {
  let seen = false;
  handler = (s) => {
    if (seen) cleanupAndExit(s);
    seen = true;
    h(s);
  };
}
