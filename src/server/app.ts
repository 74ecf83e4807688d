import express, { type Express } from 'express';
import { gateMetrics } from '../log/metrics.js';

/** A readiness check: a name and a probe that resolves true when ready. */
export interface ReadinessCheck {
  name: string;
  probe: () => boolean | Promise<boolean>;
}

/**
 * The express app every deployment serves (sidecar and webhook): `/healthz` (process alive),
 * `/readyz` (every readiness check passes) and `/metrics` (Prometheus text). Doors add their
 * own routes (the webhook's `/validate`) to the returned app.
 */
export function createHttpApp(checks: readonly ReadinessCheck[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', async (_req, res) => {
    const failed: string[] = [];
    for (const c of checks) {
      const ok = await Promise.resolve()
        .then(c.probe)
        .catch(() => false);
      if (!ok) failed.push(c.name);
    }
    if (failed.length) res.status(503).type('text/plain').send(`not ready: ${failed.join(', ')}\n`);
    else res.type('text/plain').send('ok\n');
  });
  app.get('/metrics', async (_req, res) => {
    const { registry } = gateMetrics();
    res.type(registry.contentType).send(await registry.metrics());
  });
  return app;
}
