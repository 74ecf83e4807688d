import { Slots } from '../../../src/cmp/slots.js';

describe('Slots', () => {
  test('admits up to concurrency + queue, runs up to concurrency, refuses beyond with CMP_QUEUE_FULL', async () => {
    const slots = new Slots(2, 1);
    const a = slots.admit();
    const b = slots.admit();
    const c = slots.admit();
    await a.acquire();
    await b.acquire();
    let cGranted = false;
    const cRun = c.acquire().then(() => {
      cGranted = true;
    });
    expect(slots.active).toBe(2);
    expect(slots.queued).toBe(1);
    expect(() => slots.admit()).toThrow(
      expect.objectContaining({
        code: 'CMP_QUEUE_FULL',
        message: 'server busy: 2 requests running and 1 queued (limits.concurrency, limits.queue); retry later',
      }),
    );
    a.release();
    a.release(); // a second release is a no-op
    await cRun;
    expect(cGranted).toBe(true);
    expect(slots.active).toBe(2);
    b.release();
    c.release();
    expect(slots.active).toBe(0);
    expect(slots.inFlight).toBe(0);
  });

  test('a request still receiving holds an admission, not a run slot', async () => {
    const slots = new Slots(1, 4);
    const stalled = [slots.admit(), slots.admit(), slots.admit()];
    const other = slots.admit();
    await other.acquire(); // granted at once: the stalled ones never asked for a slot
    expect(slots.active).toBe(1);
    other.release();
    for (const s of stalled) s.release();
    expect(slots.inFlight).toBe(0);
  });

  test('the work dir budget is shared: a charge past it is CMP_QUEUE_FULL, a release gives it back', () => {
    const slots = new Slots(2, 2, 10_000);
    const a = slots.admit();
    const b = slots.admit();
    a.charge(8192);
    expect(() => b.charge(4096)).toThrow(expect.objectContaining({ code: 'CMP_QUEUE_FULL', message: expect.stringContaining('work dir budget of 10000 bytes') }));
    a.release();
    expect(slots.charged).toBe(0);
    b.charge(8192);
    expect(slots.charged).toBe(8192);
    b.release();
  });

  test('a waiter whose request is cancelled leaves the queue', async () => {
    const slots = new Slots(1, 5);
    const a = slots.admit();
    await a.acquire();
    const w = slots.admit();
    const ac = new AbortController();
    const waiting = w.acquire(ac.signal);
    expect(slots.queued).toBe(1);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'EXEC_CANCELLED' });
    expect(slots.queued).toBe(0);
    w.release();
    a.release();
    expect(slots.active).toBe(0);
  });
});
