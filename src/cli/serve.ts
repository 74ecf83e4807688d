import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { SyncgateError } from '../errors/index.js';
import { keepSpareLauncher, killAllRuns, resolveLauncher, resolveTool } from '../exec/index.js';
import { checkWorkCapacity, removeLiveWorkDirs, removeStaleWorkDirs, workBase } from '../gate/workdir.js';
import { durationFlag, loadGlobals } from './options.js';
import { printError } from './output.js';
import { capHeapGrowth } from './server-heap.js';
import { onExitSignal } from './signals.js';

interface ServeFlags {
  pluginsDir: string;
  pluginConfig?: string;
  httpPort: string;
  httpHost: string;
  shutdownGrace: string;
}

const STOCK_PLUGIN_CONFIG = '/home/argocd/cmp-server/config/plugin.yaml';
// dist/cli/serve.js and src/cli/serve.ts both sit two levels below the package root.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** plugin.yaml where the stock server reads it, else the one shipped with syncgate (a checkout). */
function defaultPluginConfig(): string {
  if (existsSync(STOCK_PLUGIN_CONFIG)) return STOCK_PLUGIN_CONFIG;
  return join(packageRoot, 'plugin.yaml');
}

function intFlag(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new SyncgateError('USAGE_INVALID', `${flag}: expected an integer from 0 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** `syncgate serve`: the native Argo CD CMP sidecar (gRPC on the plugin socket) plus health and metrics. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the Argo CD CMP gRPC protocol on <plugins-dir>/<name>[-<version>].sock, with /healthz, /readyz, /metrics')
    .addOption(
      new Option('--plugins-dir <dir>', 'directory of plugin sockets shared with argocd-repo-server')
        .env('ARGOCD_PLUGINSOCKFILEPATH')
        .default('/home/argocd/cmp-server/plugins'),
    )
    .addOption(
      new Option('--plugin-config <file>', `plugin.yaml (default: ${STOCK_PLUGIN_CONFIG}, else the bundled one)`).env(
        'SYNCGATE_PLUGIN_CONFIG',
      ),
    )
    .addOption(new Option('--http-port <port>', 'HTTP port for /healthz, /readyz, /metrics (0: any free port)').env('SYNCGATE_HTTP_PORT').default('8080'))
    .addOption(new Option('--http-host <host>', 'HTTP listen address').env('SYNCGATE_HTTP_HOST').default('0.0.0.0'))
    .addOption(
      new Option('--shutdown-grace <duration>', 'on SIGTERM, how long running requests may finish (e.g. 10s)').env('SYNCGATE_SHUTDOWN_GRACE').default('10s'),
    )
    .action(async (flags: ServeFlags, cmd: Command) => {
      try {
        await serve(flags, cmd);
      } catch (e) {
        process.exitCode = printError(e);
      }
    });
}

async function serve(flags: ServeFlags, cmd: Command): Promise<void> {
  capHeapGrowth();
  const { config, logger: base } = loadGlobals(cmd);
  // Compile every policy (custom CEL included) now: a broken policy fails start-up, not the first sync.
  (await import('../policy/index.js')).activePolicies(config);
  // A server's start-up and request lines matter; the global default (warn) suits one-shot commands.
  if (cmd.optsWithGlobals<{ logLevel?: string }>().logLevel === 'warn' && cmd.getOptionValueSourceWithGlobals('logLevel') === 'default') {
    base.level = 'info';
  }
  const logger = base.child({ component: 'serve' });
  // Flags first: a usage error is one line, before any start-up log line.
  const httpPort = intFlag('--http-port', flags.httpPort, 65535);
  const grace = durationFlag('--shutdown-grace', flags.shutdownGrace, 3_600_000);
  // A crashed or SIGKILLed predecessor's request dirs (the emptyDir outlives a container restart
  // and may hold decrypted values) go before anything else; then the limits must fit what is left.
  const stale = removeStaleWorkDirs();
  if (stale.length > 0) logger.warn({ workDir: workBase(), removed: stale.length }, 'removed request dirs left by a previous run');
  const capacity = checkWorkCapacity(config.spec.limits);
  logger.info({ ...capacity }, 'work dir capacity checked');
  // Tools start from a launcher kept ready (src/exec/launcher.ts): a request never forks the server.
  const launcher = resolveLauncher();
  keepSpareLauncher(launcher);
  if (launcher === undefined) logger.info('no syncgate-launcher (or SYNCGATE_LAUNCHER=off): tools are spawned from the server');
  const pluginPath = resolve(flags.pluginConfig ?? defaultPluginConfig());
  // Loaded on use: grpc-js and the pipeline cost ~0.5 s of start-up that other commands must not pay.
  const { loadPluginConfig, socketName, startCmpServer } = await import('../cmp/index.js');
  const { createHttpApp, gateMetrics } = await import('../server/index.js');
  const plugin = loadPluginConfig(pluginPath);
  const socketPath = join(resolve(flags.pluginsDir), socketName(plugin));
  const cmp = await startCmpServer({ socketPath, plugin, config, logger, metrics: gateMetrics() });

  const app = createHttpApp([
    { name: 'socket', probe: () => cmp.listening && existsSync(socketPath) },
    { name: 'helm', probe: () => resolveTool('helm') !== undefined },
    { name: 'kustomize', probe: () => resolveTool('kustomize') !== undefined },
  ]);
  let http: Server;
  try {
    http = await new Promise((ok, fail) => {
      // express 5 hands listen errors to the callback as well as to the 'error' event.
      const s = app.listen(httpPort, flags.httpHost, (err?: Error) => {
        if (err) fail(err);
        else ok(s);
      });
      s.once('error', fail);
    });
  } catch (e) {
    // Without its HTTP side the pod never turns ready: do not keep serving the socket either.
    await cmp.close(0);
    throw new SyncgateError('USAGE_INVALID', `--http-port ${httpPort}: cannot listen on ${flags.httpHost}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const boundPort = (http.address() as AddressInfo).port;
  logger.info({ httpPort: boundPort, socket: socketPath, pluginConfig: pluginPath }, 'http listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    http.close();
    http.closeAllConnections();
    void cmp.close(grace).then(() => {
      // Whatever outlived the grace: no tool and no request dir outlives the process.
      killAllRuns();
      removeLiveWorkDirs();
      logger.info('stopped');
      process.exit(0);
    });
  };
  onExitSignal(stop);
}
