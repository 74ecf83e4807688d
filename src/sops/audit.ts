import type { GateRequest } from '../request/index.js';
import { gateMetrics } from '../log/metrics.js';

/** Outcome label of one decryption: `ok` or the refusal code in lower case. */
export type AuditOutcome = 'ok' | Lowercase<string>;

/**
 * Records one decryption: an audit log line (app, project, file/object, key, outcome — never
 * plaintext or ciphertext) and the decryption counter (labels: key name and outcome only).
 */
export function audit(req: GateRequest, target: string, keys: readonly string[], outcome: string): void {
  const key = keys.length ? keys.join('+') : 'none';
  const o = outcome.toLowerCase();
  gateMetrics().decryptions.inc({ key, outcome: o });
  if (!req.config.spec.sops.audit) return;
  req.logger.info(
    {
      audit: true,
      event: 'sops.decrypt',
      app: req.context.fluxKustomization ?? req.context.appName,
      project: req.context.project,
      repo: req.context.repoURL,
      target,
      key,
      outcome: o,
    },
    'sops decryption',
  );
}
