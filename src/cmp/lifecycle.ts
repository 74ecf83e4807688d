import { stat, unlink, chmod } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { SyncgateError } from '../errors/index.js';

// Argo CD's default ARGOCD_GRPC_MAX_SIZE_MB; the repo-server sends and accepts up to this.
const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;
// How long close() waits, after the calls ended, for their requests to finish cleaning up.
const CLEANUP_AFTER_SHUTDOWN_MS = 5_000;

/** A gRPC server with the channel options the repo-server expects. */
export function newGrpcServer(): grpc.Server {
  return new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // The repo-server pings every 20 s while a call is active (ARGOCD_GRPC_KEEP_ALIVE_MIN × 2):
    // accept pings that often and without calls, so it never sees too_many_pings (argo-cd#16012).
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    // No channelz service is exposed: skip its per-call traces and counters.
    'grpc.enable_channelz': 0,
  });
}

/** Binds `server` on the unix socket `socketPath`, replacing a stale socket, open to every uid. */
export async function bindSocket(server: grpc.Server, socketPath: string): Promise<void> {
  // A socket left by a killed predecessor would make bind fail with EADDRINUSE.
  const st = await stat(socketPath).catch(() => undefined);
  if (st?.isSocket()) await unlink(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => {
      if (err) reject(new SyncgateError('CMP_SOCKET_BIND_FAILED', `${socketPath}: cannot bind: ${err.message}`, { cause: err }));
      else resolve();
    });
  });
  // The repo-server connects as uid 999; when we run as another uid the socket must still accept it.
  await chmod(socketPath, 0o777).catch(() => undefined);
}

/** Waits until every promise settled, or `ms` passed. */
export async function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Stops accepting calls, waits up to `graceMs` for running ones (then cancels them), waits for
 * the requests' cleanup (`pending`: each request until its dir is removed) and removes the socket.
 */
export async function closeServer(server: grpc.Server, socketPath: string, pending: () => Promise<unknown>[], graceMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  // A call ends with its reply; its request dir goes a moment later, and a forced shutdown's
  // cancels still have tool process groups to kill (SIGKILL after the run's 2 s grace).
  await settleWithin(pending(), CLEANUP_AFTER_SHUTDOWN_MS);
  await unlink(socketPath).catch(() => undefined);
}
