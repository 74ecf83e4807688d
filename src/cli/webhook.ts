import { Option, type Command } from 'commander';
import { SyncgateError } from '../errors/index.js';
import { durationFlag, loadGlobals } from './options.js';
import { printError } from './output.js';
import { capHeapGrowth } from './server-heap.js';
import { onExitSignal } from './signals.js';

interface WebhookFlags {
  tlsCert: string;
  tlsKey: string;
  port: string;
  host: string;
  reloadInterval: string;
}

/** `syncgate webhook`: the Flux admission webhook (HTTPS `/validate`, `/healthz`, `/readyz`, `/metrics`). */
export function registerWebhook(program: Command): void {
  program
    .command('webhook')
    .description('serve the validating admission webhook over HTTPS: POST /validate, /healthz, /readyz, /metrics')
    .addOption(new Option('--tls-cert <file>', 'PEM certificate (reloaded when it changes)').env('SYNCGATE_TLS_CERT').default('/etc/syncgate/tls/tls.crt'))
    .addOption(new Option('--tls-key <file>', 'PEM private key (reloaded when it changes)').env('SYNCGATE_TLS_KEY').default('/etc/syncgate/tls/tls.key'))
    .addOption(new Option('--port <port>', 'HTTPS port (0: any free port)').env('SYNCGATE_WEBHOOK_PORT').default('8443'))
    .addOption(new Option('--host <host>', 'listen address').env('SYNCGATE_WEBHOOK_HOST').default('0.0.0.0'))
    .addOption(
      new Option('--reload-interval <duration>', 'how often the cert/key files are checked for rotation (e.g. 2s)').env('SYNCGATE_TLS_RELOAD_INTERVAL').default('2s'),
    )
    .action(async (flags: WebhookFlags, cmd: Command) => {
      try {
        capHeapGrowth();
        const { config, logger: base } = loadGlobals(cmd);
        // Compile every policy (custom CEL included) now: a broken policy fails start-up.
        // (keyed by the webhook's own view of the config, so the first review reuses it).
        const { webhookConfig } = await import('../server/index.js');
        (await import('../policy/index.js')).activePolicies(webhookConfig(config));
        if (cmd.getOptionValueSourceWithGlobals('logLevel') === 'default') base.level = 'info';
        const logger = base.child({ component: 'webhook' });
        const port = Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new SyncgateError('USAGE_INVALID', `--port: ${JSON.stringify(flags.port)} is not a port number`);
        }
        // Loaded on use, so other commands do not pay for express and the policy engine.
        const { startWebhook } = await import('../server/index.js');
        const hook = await startWebhook({
          config,
          logger,
          certFile: flags.tlsCert,
          keyFile: flags.tlsKey,
          port,
          host: flags.host,
          reloadIntervalMs: durationFlag('--reload-interval', flags.reloadInterval, 3_600_000),
        });
        // The e2e tests and the bench read this line to find the port.
        logger.info({ port: hook.port }, 'webhook listening');
        const stop = (signal: NodeJS.Signals): void => {
          logger.info({ signal }, 'shutting down');
          void hook.close().then(() => process.exit(0));
        };
        onExitSignal(stop);
      } catch (e) {
        process.exitCode = printError(e);
      }
    });
}
