import * as z from 'zod';
import { bytes, duration } from '../units.js';

/** `spec.limits`: hard limits; hitting one refuses the render. */
export const limitsSection = z
  .object({
    /** Max bytes of a received repo stream (CMP tarball) or source tree. */
    repoBytes: bytes.default(1024 ** 3),
    /** Max bytes of rendered manifests (tool stdout). */
    manifestBytes: bytes.default(64 * 1024 ** 2),
    /** Max number of rendered resources. */
    resources: z.number().int().positive().default(20000),
    /** Render deadline when the caller gives none (CLI); a gRPC deadline always wins if sooner. */
    renderTimeout: duration.prefault('60s'),
    /** Concurrent requests served by the native sidecar; more wait in the queue. */
    concurrency: z.number().int().positive().default(4),
    /** Requests that may wait for a slot before new ones are refused. */
    queue: z.number().int().nonnegative().default(64),
  })
  .prefault({});
