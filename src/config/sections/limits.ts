import * as z from 'zod';
import { bytes, duration } from '../units.js';

/** `spec.limits`: hard limits; hitting one refuses the render. */
export const limitsSection = z
  .object({
    /** Max bytes of a received repo stream (CMP tarball) or source tree. */
    repoBytes: bytes
      .default(1024 ** 3)
      .describe('Max bytes of a received repo stream (CMP tarball) or source tree.'),
    /** Max bytes of rendered manifests (tool stdout). */
    manifestBytes: bytes.default(64 * 1024 ** 2).describe('Max bytes of rendered manifests (tool stdout).'),
    /** Max number of rendered resources. */
    resources: z.number().int().positive().default(20000).describe('Max number of rendered resources.'),
    /** Render deadline when the caller gives none (CLI); a gRPC deadline always wins if sooner. */
    renderTimeout: duration
      .prefault('60s')
      .describe('Render deadline when the caller gives none (CLI); a gRPC deadline always wins if sooner.'),
    /** Concurrent requests served by the native sidecar; more wait in the queue. */
    concurrency: z
      .number()
      .int()
      .positive()
      .default(4)
      .describe('Concurrent requests served by the native sidecar; more wait in the queue.'),
    /** Requests that may wait for a slot before new ones are refused. */
    queue: z
      .number()
      .int()
      .nonnegative()
      .default(64)
      .describe('Requests that may wait for a slot before new ones are refused.'),
  })
  .prefault({});
