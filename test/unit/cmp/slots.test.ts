import { Slots } from '../../../src/cmp/slots.js';

describe('Slots', () => {
  test('runs up to concurrency, queues up to queue, refuses beyond with CMP_QUEUE_FULL', async () => {
    const slots = new Slots(2, 1);
    const a = await slots.acquire();
    const b = await slots.acquire();
    let cGranted = false;
    const c = slots.acquire().then((r) => {
      cGranted = true;
      return r;
    });
    expect(slots.active).toBe(2);
    expect(slots.queued).toBe(1);
    await expect(slots.acquire()).rejects.toMatchObject({
      code: 'CMP_QUEUE_FULL',
      message: 'server busy: 2 requests running and 1 queued (limits.concurrency, limits.queue); retry later',
    });
    a();
    a(); // a second release is a no-op
    const cr = await c;
    expect(cGranted).toBe(true);
    expect(slots.active).toBe(2);
    b();
    cr();
    expect(slots.active).toBe(0);
  });

  test('a waiter whose request is cancelled leaves the queue', async () => {
    const slots = new Slots(1, 5);
    const a = await slots.acquire();
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    expect(slots.queued).toBe(1);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'EXEC_CANCELLED' });
    expect(slots.queued).toBe(0);
    a();
    expect(slots.active).toBe(0);
  });
});
