#!/usr/bin/env node
// The CLI entry. Each command is a fresh process (the stock argocd-cmp-server starts one per
// request), so it loads only the module of the command it runs; bench/startup.mjs holds
// start-up to `node -e 0` + 150 ms.
import module from 'node:module';

// Node >= 22.1 caches compiled code on disk between processes; Node 20 has no such API.
const m = module as { enableCompileCache?: () => unknown };
if (typeof m.enableCompileCache === 'function' && process.env['NODE_DISABLE_COMPILE_CACHE'] === undefined) m.enableCompileCache();

// Every door cleans up on SIGTERM/SIGINT/SIGHUP: tools killed, work dirs removed (src/cli/signals.ts).
const { installSignalCleanup } = await import('./signals.js');
installSignalCleanup();
const { runCli } = await import('./run.js');
await runCli(process.argv);
