import { z } from 'zod';
import { bytes, duration } from '../units.js';

/** `spec.limits`: hard limits; hitting one refuses the render. */
export const limitsSection = z
  .object({
    /** Max bytes of a received repo stream (CMP tarball), and of the file content it extracts to. */
    repoBytes: bytes.default(1024 ** 3),
    /** Max entries (files, directories, symlinks) one received repo may extract to. */
    repoFiles: z.number().int().positive().default(50_000),
    /** Max bytes of one file of a received repo. */
    fileBytes: bytes.default(256 * 1024 ** 2),
    /** Max path components of one entry of a received repo. */
    pathDepth: z.number().int().positive().default(64),
    /** A repo stream that sends nothing for this long is refused (its request dir and memory freed). */
    uploadIdleTimeout: duration.default(15_000),
    /** Max bytes of rendered manifests (tool stdout). */
    manifestBytes: bytes.default(64 * 1024 ** 2),
    /** Max number of rendered resources. */
    resources: z.number().int().positive().default(20000),
    /** Render deadline when the caller gives none (CLI); a gRPC deadline always wins if sooner. */
    renderTimeout: duration.default(60_000),
    /** Concurrent requests served by the native sidecar; more wait in the queue. */
    concurrency: z.number().int().positive().default(4),
    /** Requests that may be receiving or waiting for a slot, beyond `concurrency`, before new ones are refused. */
    queue: z.number().int().nonnegative().default(64),
  })
  .prefault({});
