import { SyncgateError } from '../errors/index.js';

/** Releases a slot taken with {@link Slots.acquire}. */
export type Release = () => void;

/** One admitted request: its share of the work dir budget and, once its repo is in, its run slot. */
export interface Admission {
  /** Adds `bytes` to what the request holds in the work dir; throws CMP_QUEUE_FULL past the shared budget. */
  charge: (bytes: number) => void;
  /** Waits for a run slot (FIFO); rejects when `signal` aborts while waiting. */
  acquire: (signal?: AbortSignal) => Promise<void>;
  /** Gives everything back: the run slot, the admission and the bytes (idempotent). */
  release: () => void;
}

function busy(what: string): SyncgateError {
  return new SyncgateError('CMP_QUEUE_FULL', `server busy: ${what}; retry later`);
}

/**
 * Admission and concurrency for the sidecar. A request is admitted when it arrives (at most
 * `concurrency + queue` in flight, else CMP_QUEUE_FULL), charges what its repo costs the work
 * dir while it is received (at most `budget` bytes over all requests, else CMP_QUEUE_FULL), and
 * takes one of `concurrency` run slots only after its repo is in: a stream that stalls holds a
 * few KiB of the budget and one admission, never a slot other apps wait for.
 */
export class Slots {
  private running = 0;
  private admitted = 0;
  private used = 0;
  private readonly waiting: { grant: () => void; fail: (e: unknown) => void }[] = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
    readonly budget = Number.POSITIVE_INFINITY,
  ) {}

  /** Requests running now. */
  get active(): number {
    return this.running;
  }

  /** Requests waiting for a run slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Requests in flight (receiving, waiting or running). */
  get inFlight(): number {
    return this.admitted;
  }

  /** Work dir bytes charged by the requests in flight. */
  get charged(): number {
    return this.used;
  }

  /** Admits a request or throws CMP_QUEUE_FULL. */
  admit(): Admission {
    if (this.admitted >= this.concurrency + this.queue) {
      throw busy(
        `${this.running} requests running and ${this.admitted - this.running} queued (limits.concurrency, limits.queue)`,
      );
    }
    this.admitted++;
    let held = 0;
    let slot = false;
    let done = false;
    let waiter: { grant: () => void; fail: (e: unknown) => void } | undefined;
    return {
      charge: (bytes) => {
        if (this.used + bytes > this.budget) {
          throw busy(
            `the repos of ${this.admitted} requests in flight fill the work dir budget of ${this.budget} bytes (limits.concurrency × (repoBytes + repoFiles × 4 KiB))`,
          );
        }
        this.used += bytes;
        held += bytes;
      },
      acquire: (signal) => {
        if (done || slot) return Promise.resolve();
        if (this.running < this.concurrency) {
          this.running++;
          slot = true;
          return Promise.resolve();
        }
        return new Promise<void>((resolve, reject) => {
          const onAbort = (): void => {
            const i = waiter === undefined ? -1 : this.waiting.indexOf(waiter);
            if (i >= 0) this.waiting.splice(i, 1);
            waiter = undefined;
            reject(new SyncgateError('EXEC_CANCELLED', 'request cancelled while queued'));
          };
          waiter = {
            grant: () => {
              signal?.removeEventListener('abort', onAbort);
              waiter = undefined;
              slot = true;
              resolve();
            },
            fail: reject,
          };
          if (signal?.aborted) {
            onAbort();
            return;
          }
          signal?.addEventListener('abort', onAbort, { once: true });
          this.waiting.push(waiter);
        });
      },
      release: () => {
        if (done) return;
        done = true;
        if (waiter !== undefined) {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
        }
        this.used -= held;
        this.admitted--;
        if (!slot) return;
        const next = this.waiting.shift();
        // The slot passes straight to the next waiter.
        if (next) next.grant();
        else this.running--;
      },
    };
  }
}
