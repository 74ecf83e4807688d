import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { GateConfig } from '../config/index.js';
import { SyncgateError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { createHttpApp } from './app.js';
import { addValidateRoute } from './validate.js';

/** How to start the admission webhook. */
export interface WebhookOptions {
  config: GateConfig;
  logger: Logger;
  /** PEM certificate (chain) and key files, as mounted from the cert-manager Secret. */
  certFile: string;
  keyFile: string;
  port: number;
  host?: string;
  /** How often the cert/key files are checked for a rotation (ms). */
  reloadIntervalMs?: number;
}

/** A running webhook: its address, a manual TLS reload and a graceful close. */
export interface Webhook {
  server: Server;
  port: number;
  /** Re-reads the cert/key files; keeps the old pair when the new one is unusable. */
  reload(): boolean;
  close(): Promise<void>;
}

function readPair(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(certFile);
    key = readFileSync(keyFile);
  } catch (e) {
    throw new SyncgateError('WEBHOOK_TLS_INVALID', `${certFile}, ${keyFile}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    // Fails on a malformed PEM or a key that does not match the certificate.
    createSecureContext({ cert, key });
  } catch (e) {
    throw new SyncgateError('WEBHOOK_TLS_INVALID', `${certFile}, ${keyFile}: unusable certificate/key pair: ${(e as Error).message}`);
  }
  return { cert, key };
}

/**
 * Starts the HTTPS admission webhook: `POST /validate` plus `/healthz`, `/readyz`, `/metrics` on
 * one port. The TLS pair is re-read when the mounted files change (cert-manager rotation, the
 * kubelet's `..data` symlink swap): new connections get the new certificate, live ones finish.
 */
export async function startWebhook(opts: WebhookOptions): Promise<Webhook> {
  let pair = readPair(opts.certFile, opts.keyFile);
  const app = createHttpApp([{ name: 'tls', probe: () => pair.cert.length > 0 }]);
  addValidateRoute(app, { config: opts.config, logger: opts.logger });
  const server = createServer({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' }, app);
  // Bound every phase: a slow or stuck client must not hold a socket past the review budget.
  server.headersTimeout = 10_000;
  server.requestTimeout = Math.max(opts.config.spec.webhook.timeout + 5_000, 10_000);
  server.keepAliveTimeout = 30_000;
  server.maxHeadersCount = 100;

  const reload = (): boolean => {
    try {
      const next = readPair(opts.certFile, opts.keyFile);
      if (next.cert.equals(pair.cert) && next.key.equals(pair.key)) return false;
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
      pair = next;
      opts.logger.info({ certFile: opts.certFile }, 'webhook certificate reloaded');
      return true;
    } catch (e) {
      // A half-written rotation (cert updated, key not yet) is normal: keep serving the old pair.
      opts.logger.warn({ err: (e as Error).message }, 'webhook certificate not reloaded');
      return false;
    }
  };
  // watchFile polls stat(): it follows the kubelet's symlink swaps, which fs.watch misses.
  const interval = opts.reloadIntervalMs ?? 2000;
  const onChange = (): void => void reload();
  watchFile(opts.certFile, { interval, persistent: false }, onChange);
  watchFile(opts.keyFile, { interval, persistent: false }, onChange);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    reload,
    close: async () => {
      unwatchFile(opts.certFile, onChange);
      unwatchFile(opts.keyFile, onChange);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
