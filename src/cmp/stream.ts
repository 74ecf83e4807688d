import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { SyncgateError } from '../errors/index.js';
import type { AppStreamRequest, ManifestRequestMetadata } from './service.js';

/** A received repo stream: its metadata and the verified `.tgz`. */
export interface ReceivedStream {
  metadata: ManifestRequestMetadata;
  /** The gzip tarball: in memory, or the path of `<dir>/repo.tgz` when it was too big to hold. */
  tgz: Buffer | string;
  /** Bytes received. */
  size: number;
}

// Repos sent to a plugin are usually a few hundred KiB of gzip: held in memory up to this size
// (per request, so concurrency × this at most), spilled to the request's work dir beyond it.
const IN_MEMORY_STREAM = 16 * 1024 * 1024;

/**
 * Reads one CMP stream the way Argo CD's `cmp.ReceiveRepoStream` does: metadata first, then
 * file chunks, hashed as they come; the sha256 must match the metadata. Chunks are kept in
 * memory up to `memoryBytes`, then written to `<dir>/repo.tgz`. It always consumes the stream
 * to its half-close before throwing, because the repo-server only reads the reply after
 * sending everything (an early close shows as `error sending stream`).
 */
export async function receiveRepoStream(
  messages: AsyncIterable<AppStreamRequest>,
  dir: string,
  maxBytes: number,
  memoryBytes = IN_MEMORY_STREAM,
): Promise<ReceivedStream> {
  const tgzPath = join(dir, 'repo.tgz');
  let out: WriteStream | undefined;
  const held: Buffer[] = [];
  const hash = createHash('sha256');
  let metadata: ManifestRequestMetadata | undefined;
  let failure: SyncgateError | undefined;
  let size = 0;
  try {
    for await (const msg of messages) {
      if (failure !== undefined) continue;
      if (metadata === undefined) {
        if (!msg.metadata) {
          failure = new SyncgateError('CMP_METADATA_MISSING', 'error getting stream metadata: metadata is nil');
        } else {
          metadata = msg.metadata;
        }
        continue;
      }
      if (!msg.file) {
        failure = new SyncgateError('CMP_STREAM_INVALID', 'stream request file is nil');
        continue;
      }
      const chunk = msg.file.chunk;
      size += chunk.length;
      if (size > maxBytes) {
        failure = new SyncgateError(
          'CMP_STREAM_TOO_LARGE',
          `repository stream exceeds ${maxBytes} bytes (limits.repoBytes): send less (plugin tar exclusions, manifest-generate-paths) or raise the limit`,
        );
        continue;
      }
      hash.update(chunk);
      if (out === undefined && size <= memoryBytes) {
        held.push(chunk);
        continue;
      }
      if (out === undefined) {
        out = createWriteStream(tgzPath, { mode: 0o600 });
        for (const c of held.splice(0)) out.write(c);
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    if (out !== undefined) {
      out.end();
      await finished(out).catch(() => undefined);
    }
  }
  if (failure !== undefined) throw failure;
  if (metadata === undefined) {
    throw new SyncgateError('CMP_METADATA_MISSING', 'error getting stream metadata: stream ended before metadata');
  }
  const sum = hash.digest('hex');
  if (sum !== metadata.checksum.toLowerCase()) {
    throw new SyncgateError(
      'CMP_CHECKSUM_MISMATCH',
      `file checksum validation error: received sha256 ${sum}, metadata says ${metadata.checksum || '(empty)'}`,
    );
  }
  return { metadata, tgz: out === undefined ? Buffer.concat(held, size) : tgzPath, size };
}
