// Process-wide Prometheus metrics. Lives beside logging (not in a door) because the core
// stages record into it; labels never carry object names or values.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process-wide metrics of syncgate (one registry, served at /metrics). */
export interface GateMetrics {
  registry: Registry;
  /** Requests by door/rpc and outcome (`ok`, `refused`, `error`). */
  requests: Counter<'rpc' | 'outcome'>;
  duration: Histogram<'rpc'>;
  inFlight: Gauge<'rpc'>;
  /** Findings by policy and mode (labels carry no object names or values). */
  findings: Counter<'policy' | 'mode'>;
  /** Decryptions by key name and outcome. */
  decryptions: Counter<'key' | 'outcome'>;
}

let metrics: GateMetrics | undefined;

/** The singleton metrics (created on first use, with Node default metrics). */
export function gateMetrics(): GateMetrics {
  if (metrics) return metrics;
  const registry = new Registry();
  // The event-loop lag monitor samples with a timer; prom-client's default 10 ms wakes the process
  // 100 times a second, competing with the helm/kustomize runs the sidecar mostly waits on (in the
  // CMP bench, kustomize-app's overhead was 11-14 ms with it sampled every 100 ms or off, 13-18 ms
  // with 10 ms, in short runs whose noise is of the same size). A
  // blocked loop still shows: the next sample fires late by the blocked time.
  collectDefaultMetrics({ register: registry, prefix: 'syncgate_', eventLoopMonitoringPrecision: 100 });
  metrics = {
    registry,
    requests: new Counter({
      name: 'syncgate_requests_total',
      help: 'Requests served, by rpc/door and outcome',
      labelNames: ['rpc', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'syncgate_request_duration_seconds',
      help: 'Request duration, by rpc/door',
      labelNames: ['rpc'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'syncgate_requests_in_flight',
      help: 'Requests being served, by rpc/door',
      labelNames: ['rpc'],
      registers: [registry],
    }),
    findings: new Counter({
      name: 'syncgate_findings_total',
      help: 'Policy findings, by policy id and mode',
      labelNames: ['policy', 'mode'],
      registers: [registry],
    }),
    decryptions: new Counter({
      name: 'syncgate_decryptions_total',
      help: 'SOPS decryptions, by key name and outcome',
      labelNames: ['key', 'outcome'],
      registers: [registry],
    }),
  };
  return metrics;
}
