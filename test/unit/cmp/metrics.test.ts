import { CallMetrics, type CmpMetrics } from '../../../src/cmp/metrics.js';

/** Records every metric call, in order. */
function recorder(): { metrics: CmpMetrics; calls: string[] } {
  const calls: string[] = [];
  const metrics: CmpMetrics = {
    requests: { inc: (l) => calls.push(`requests ${l.rpc} ${l.outcome}`) },
    duration: { observe: (l, v) => calls.push(`duration ${l.rpc} ${v >= 0 && v < 5 ? 'ok' : `bad ${v}`}`) },
    inFlight: { inc: (l) => calls.push(`inFlight+ ${l.rpc}`), dec: (l) => calls.push(`inFlight- ${l.rpc}`) },
  };
  return { metrics, calls };
}

describe('CallMetrics', () => {
  test('a call is in flight from its start, then counted once with its outcome and duration in seconds', async () => {
    const { metrics, calls } = recorder();
    const m = new CallMetrics(metrics, 'GenerateManifest');
    expect(calls).toEqual(['inFlight+ GenerateManifest']);
    await new Promise((r) => setTimeout(r, 20));
    const ms = m.done('refused');
    expect(ms).toBeGreaterThanOrEqual(15);
    expect(ms).toBeLessThan(5000);
    expect(calls).toEqual(['inFlight+ GenerateManifest', 'inFlight- GenerateManifest', 'duration GenerateManifest ok', 'requests GenerateManifest refused']);
  });

  test.each(['ok', 'refused', 'error'] as const)('outcome %s is the label counted', (outcome) => {
    const { metrics, calls } = recorder();
    new CallMetrics(metrics, 'MatchRepository').done(outcome);
    expect(calls.filter((c) => c.startsWith('requests'))).toEqual([`requests MatchRepository ${outcome}`]);
  });
});
