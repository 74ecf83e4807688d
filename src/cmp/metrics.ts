/** The metrics the CMP server records, shaped like prom-client's Counter/Histogram/Gauge (src/server gateMetrics()). */
export interface CmpMetrics {
  requests: { inc(labels: { rpc: string; outcome: string }): void };
  duration: { observe(labels: { rpc: string }, value: number): void };
  inFlight: { inc(labels: { rpc: string }): void; dec(labels: { rpc: string }): void };
}

/** How a call ended, as the `outcome` label counts it. */
export type CmpOutcome = 'ok' | 'refused' | 'error';

/** Metrics that go nowhere (a server started without the process's registry, tests). */
export const noMetrics: CmpMetrics = {
  requests: { inc: () => undefined },
  duration: { observe: () => undefined },
  inFlight: { inc: () => undefined, dec: () => undefined },
};

/** Counts one call from its first message to its reply: in flight, then its outcome and duration. */
export class CallMetrics {
  private readonly t0 = performance.now();

  constructor(
    private readonly metrics: CmpMetrics,
    private readonly rpc: string,
  ) {
    metrics.inFlight.inc({ rpc });
  }

  /** Milliseconds since the call started. */
  elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** Records the reply (once per call); returns the call's duration in whole milliseconds. */
  done(outcome: CmpOutcome): number {
    const ms = this.elapsedMs();
    const { metrics, rpc } = this;
    metrics.inFlight.dec({ rpc });
    metrics.duration.observe({ rpc }, ms / 1000);
    metrics.requests.inc({ rpc, outcome });
    return Math.round(ms);
  }
}
