import { SyncgateError } from '../errors/index.js';

/** Releases a slot taken with {@link Slots.acquire}. */
export type Release = () => void;

/**
 * A concurrency limit with a bounded FIFO queue: at most `concurrency` requests run, at most
 * `queue` wait, and a request arriving when both are full is refused (CMP_QUEUE_FULL) instead
 * of piling up temp dirs and processes.
 */
export class Slots {
  private running = 0;
  private readonly waiting: { grant: (r: Release) => void; fail: (e: unknown) => void }[] = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  /** Requests running now. */
  get active(): number {
    return this.running;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Waits for a slot; rejects when the queue is full or `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.queue) {
      return Promise.reject(
        new SyncgateError(
          'CMP_QUEUE_FULL',
          `server busy: ${this.running} requests running and ${this.waiting.length} queued (limits.concurrency, limits.queue); retry later`,
        ),
      );
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        grant: (r: Release): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        fail: reject,
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new SyncgateError('EXEC_CANCELLED', 'request cancelled while queued'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next.grant(this.releaser());
      else this.running--;
    };
  }
}
