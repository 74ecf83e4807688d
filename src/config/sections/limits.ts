import * as z from 'zod';
import { bytes, duration } from '../units.js';

/** `spec.limits`: hard limits; hitting one refuses the render. */
export const limitsSection = z
  .object({
    /** Max bytes of a received repo stream (CMP tarball), and of the file content it extracts to. */
    repoBytes: bytes
      .default(1024 ** 3)
      .describe('Max bytes of a received repo stream (CMP tarball), and of the file content it extracts to.'),
    /** Max entries (files, directories, symlinks) one received repo may extract to. */
    repoFiles: z.number().int().positive().default(50_000).describe('Max entries (files, directories, symlinks) one received repo may extract to.'),
    /** Max bytes of one file of a received repo. */
    fileBytes: bytes.default(256 * 1024 ** 2).describe('Max bytes of one file of a received repo.'),
    /** Max path components of one entry of a received repo. */
    pathDepth: z.number().int().positive().default(64).describe('Max path components of one entry of a received repo.'),
    /** A repo stream that sends nothing for this long is refused (its request dir and memory freed). */
    uploadIdleTimeout: duration
      .prefault('15s')
      .describe('A repo stream that sends nothing for this long is refused (its request dir and memory freed).'),
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
    /** Requests that may be receiving or waiting for a slot, beyond `concurrency`, before new ones are refused. */
    queue: z
      .number()
      .int()
      .nonnegative()
      .default(64)
      .describe('Requests that may be receiving or waiting for a slot, beyond `concurrency`, before new ones are refused.'),
  })
  .prefault({});
