import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { stat, unlink, chmod } from 'node:fs/promises';
import { addAbortSignal } from 'node:stream';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { GateConfig } from '../config/index.js';
import { asSyncgateError, SyncgateError } from '../errors/index.js';
import { DEADLINE_MARGIN_MS } from '../exec/index.js';
import { createWorkDir, gate, removeWorkDir, removeWorkDirSync, repoWorkBytes } from '../gate/index.js';
import { toJson } from '../k8s/index.js';
import { Redactor, type Logger } from '../log/index.js';
import { announceParameters } from './announce.js';
import { isDiscoveryConfigured, matchRepository } from './discover.js';
import { isInside as inside } from '../repo/index.js';
import { parseArgoEnv } from './params.js';
import type { PluginConfig } from './plugin-config.js';
import {
  pluginServiceDefinition,
  type AppStreamRequest,
  type CheckPluginConfigurationResponse,
  type EnvEntry,
  type ManifestResponse,
  type ParametersAnnouncementResponse,
  type RepositoryResponse,
} from './service.js';
import { Slots, type Admission } from './slots.js';
import { receiveRepoStream } from './stream.js';

/** What the native CMP server needs. */
export interface CmpServerOptions {
  /** Absolute path of the unix socket (`<plugins dir>/<name>[-<version>].sock`). */
  socketPath: string;
  plugin: PluginConfig;
  config: GateConfig;
  logger: Logger;
  /** Where request counts, durations and in-flight gauges go (the process's prom-client metrics). */
  metrics?: CmpMetrics;
}


/** The metrics the server records, shaped like prom-client's Counter/Histogram/Gauge (src/server gateMetrics()). */
export interface CmpMetrics {
  requests: { inc(labels: { rpc: string; outcome: string }): void };
  duration: { observe(labels: { rpc: string }, value: number): void };
  inFlight: { inc(labels: { rpc: string }): void; dec(labels: { rpc: string }): void };
}

const noMetrics: CmpMetrics = {
  requests: { inc: () => undefined },
  duration: { observe: () => undefined },
  inFlight: { inc: () => undefined, dec: () => undefined },
};

/** A running native CMP server. */
export interface CmpServer {
  socketPath: string;
  slots: Slots;
  /** True while the socket is bound and served. */
  readonly listening: boolean;
  /** Stops accepting calls, waits up to `graceMs` for running ones, removes the socket. */
  close(graceMs?: number): Promise<void>;
}

// Argo CD's default ARGOCD_GRPC_MAX_SIZE_MB; the repo-server sends and accepts up to this.
const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;
// Argo CD stops its commands 100 ms before the caller's deadline (cmp.ReceiveRepoStream); that
// is too little for a tool that ignores SIGTERM or a grandchild that holds stdout: the tool
// deadline sits DEADLINE_MARGIN_MS (SIGKILL grace + sweep + reply) before the caller's, so the
// EXEC_TIMEOUT reply still arrives in time.

type Rpc = 'GenerateManifest' | 'MatchRepository' | 'GetParametersAnnouncement' | 'CheckPluginConfiguration';

/** The per-request inputs every streaming rpc works on, after the repo is received and extracted. */
interface RepoRequest {
  appDir: string;
  repoRoot: string;
  /** An empty 0700 dir of the request, beside the repo, for gate()'s own files. */
  workDir: string;
  /** Fields the rpc adds to the request's one `request served` log line. */
  logFields: Record<string, unknown>;
  env: Record<string, string>;
  deadline: number | undefined;
  signal: AbortSignal;
  logger: Logger;
  redactor: Redactor;
}

/** Request env as the cmp-server builds it: later entries win, entries without a name are dropped. */
function envRecord(entries: readonly EnvEntry[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of entries) if (e.name !== '') env[e.name] = e.value;
  return env;
}

function callDeadline(call: grpc.ServerReadableStream<AppStreamRequest, unknown>): number | undefined {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms - DEADLINE_MARGIN_MS : undefined;
}

function appPath(repoRoot: string, appRelPath: string): string {
  const rel = appRelPath === '' ? '.' : appRelPath;
  const bad = (): SyncgateError =>
    new SyncgateError('CMP_APP_PATH_OUT_OF_BOUNDS', `illegal appPath: out of workDir bound: ${appRelPath}`);
  if (rel.startsWith('/') || rel.split('/').includes('..')) throw bad();
  const joined = join(repoRoot, rel);
  let real = joined;
  try {
    real = realpathSync.native(joined);
  } catch {
    // a missing app dir is the renderer's error to report, with its own code
  }
  if (!inside(repoRoot, real)) throw bad();
  return real;
}

// Up to this many files a synchronous rm (microseconds per file on the sidecar's tmpfs) beats
// thousands of thread-pool round trips; bigger trees are removed without blocking other calls.
const SYNC_REMOVE_FILES = 2000;

async function removeRequestDir(dir: string, files: number): Promise<void> {
  if (files <= SYNC_REMOVE_FILES) {
    removeWorkDirSync(dir);
    if (!existsSync(dir)) return;
  }
  await removeWorkDir(dir);
}

// How long an error reply waits for a cancel that may be on its way (error paths only).
const CANCEL_SETTLE_MS = 50;

function cancelOrTimeout(call: grpc.ServerReadableStream<AppStreamRequest, unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      call.off('cancelled', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    call.once('cancelled', done);
  });
}

// How long close() waits, after the calls ended, for their requests to finish cleaning up.
const CLEANUP_AFTER_SHUTDOWN_MS = 5_000;

/** Waits until every promise settled, or `ms` passed. */
async function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
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

/** Resolves on the event loop's next timers phase, after the pending I/O and immediates ran. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function drain(call: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of call) {
    // discard: the client only reads the reply after its half-close
  }
}

/** Binds the native CMP gRPC server on a unix socket and serves the four rpcs of plugin.proto. */
export async function startCmpServer(opts: CmpServerOptions): Promise<CmpServer> {
  const { plugin, config, logger, socketPath } = opts;
  const limits = config.spec.limits;
  const slots = new Slots(limits.concurrency, limits.queue, limits.concurrency * repoWorkBytes(limits));
  const metrics = opts.metrics ?? noMetrics;
  // Every request from its first message until its dir is removed (which is after its reply).
  const requests = new Set<Promise<void>>();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // The repo-server pings every 20 s while a call is active (ARGOCD_GRPC_KEEP_ALIVE_MIN × 2):
    // accept pings that often and without calls, so it never sees too_many_pings (argo-cd#16012).
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });

  const streaming = <Res>(
    rpc: Rpc,
    work: (req: RepoRequest) => Promise<{ response: Res } | { refusal: string }>,
  ): grpc.handleClientStreamingCall<AppStreamRequest, Res> => {
    return (call, callback) => {
      const t0 = performance.now();
      const log = logger.child({ rpc, requestId: randomUUID() });
      const redactor = new Redactor();
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      addAbortSignal(ac.signal, call);
      metrics.inFlight.inc({ rpc });
      const stages: Record<string, number> = {};
      const logFields: Record<string, unknown> = {};

      const answer = (reply: { response: Res } | { refusal: string } | { error: SyncgateError }): void => {
        const seconds = (performance.now() - t0) / 1000;
        const durationMs = Math.round(seconds * 1000);
        metrics.inFlight.dec({ rpc });
        metrics.duration.observe({ rpc }, seconds);
        if ('error' in reply) {
          const message = redactor.mask(`${reply.error.code}: ${reply.error.message}`);
          log.warn({ code: reply.error.code, durationMs }, message);
          metrics.requests.inc({ rpc, outcome: 'error' });
          callback({ code: grpc.status.UNKNOWN, details: message });
        } else if ('refusal' in reply) {
          // A refusal is a failed generate, never fewer manifests: omitting objects would prune them.
          log.warn({ durationMs, stages, ...logFields }, 'render refused');
          metrics.requests.inc({ rpc, outcome: 'refused' });
          callback({ code: grpc.status.UNKNOWN, details: redactor.mask(reply.refusal) });
        } else {
          log.info({ durationMs, stages, ...logFields }, 'request served');
          metrics.requests.inc({ rpc, outcome: 'ok' });
          callback(null, reply.response);
        }
      };

      const lifecycle = (async () => {
        let reply: { response: Res } | { refusal: string } | { error: SyncgateError };
        let dir: string | undefined;
        // Entries to remove: unknown (so removed off the loop) until the repo is fully in.
        let files = Number.POSITIVE_INFINITY;
        let admission: Admission | undefined;
        try {
          try {
            admission = slots.admit();
          } catch (e) {
            await drain(call).catch(() => undefined);
            throw e;
          }
          const charge = admission.charge;
          dir = createWorkDir('syncgate-cmp-');
          const repoRoot = join(dir, 'repo');
          mkdirSync(repoRoot, { mode: 0o755 });
          const tReceive = performance.now();
          // The repo is extracted while it arrives; the run slot is taken once it is in.
          const received = await receiveRepoStream(call, {
            maxBytes: limits.repoBytes,
            idleMs: limits.uploadIdleTimeout,
            dest: repoRoot,
            extract: {
              preserveFileMode: plugin.spec.preserveFileMode,
              maxBytes: limits.repoBytes,
              maxFiles: limits.repoFiles,
              maxFileBytes: limits.fileBytes,
              maxDepth: limits.pathDepth,
              charge,
            },
          });
          files = received.entries;
          stages['receive'] = Math.round(performance.now() - tReceive);
          const tQueue = performance.now();
          await admission.acquire(ac.signal);
          stages['queue'] = Math.round(performance.now() - tQueue);
          const realRoot = realpathSync.native(repoRoot);
          const appDir = appPath(realRoot, received.metadata.appRelPath);
          // gate()'s own files (tool HOME, decrypted values) live beside the repo, never inside it.
          const workDir = join(dir, 'work');
          mkdirSync(workDir, { mode: 0o700 });
          log.debug({ appRelPath: received.metadata.appRelPath, bytes: received.size, files: received.files }, 'repo received');
          reply = await work({
            appDir,
            repoRoot: realRoot,
            workDir,
            logFields,
            env: envRecord(received.metadata.env),
            deadline: callDeadline(call),
            signal: ac.signal,
            logger: log,
            redactor,
          });
        } catch (e) {
          reply = { error: ac.signal.aborted ? new SyncgateError('EXEC_CANCELLED', 'request cancelled by the client', { cause: e }) : asSyncgateError(e) };
        }
        // A client reset ends the message stream before grpc-js reports the cancel (Node's http2
        // ends the readable side, then closes with the RST code a tick later), so a half-sent repo
        // first looks like a checksum mismatch: before answering an error, give the cancel a moment.
        if ('error' in reply && !call.cancelled) await cancelOrTimeout(call, CANCEL_SETTLE_MS);
        if (call.cancelled && !('error' in reply && reply.error.code === 'EXEC_CANCELLED')) {
          reply = { error: new SyncgateError('EXEC_CANCELLED', 'request cancelled by the client') };
        }
        answer(reply);
        // The work dir goes right after the reply (Argo CD's cmp-server removes its dir in a
        // deferred RemoveAll too). The admission and its budget are held until the dir is gone,
        // so the limits bound what requests hold on the sidecar's memory-backed /tmp.
        if (dir !== undefined) {
          // callback() only queues the reply: http2 writes it on the loop's next turns. A
          // synchronous removal right now would hold the reply back by its own duration.
          await nextTurn();
          const tRemove = performance.now();
          await removeRequestDir(dir, files);
          log.debug({ ms: Math.round(performance.now() - tRemove) }, 'work dir removed');
        }
        admission?.release();
      })();
      requests.add(lifecycle);
      void lifecycle.finally(() => requests.delete(lifecycle));
    };
  };

  const generate = streaming<ManifestResponse>('GenerateManifest', async (req) => {
    const { context, options } = parseArgoEnv(req.env);
    const result = await gate({
      appDir: req.appDir,
      repoRoot: req.repoRoot,
      workDir: req.workDir,
      context,
      options,
      config,
      logger: req.logger,
      redactor: req.redactor,
      signal: req.signal,
      ...(req.deadline !== undefined ? { deadline: req.deadline } : {}),
    });
    req.logFields['timings'] = result.timings;
    req.logFields['resources'] = result.resources.length;
    for (const w of result.decision.warnings) req.logger.warn(req.redactor.mask(w));
    if (result.decision.refused) return { refusal: result.decision.report };
    if (result.resources.length === 0) req.logger.warn('generated no manifests: Argo CD will prune every live object of the app');
    return { response: { manifests: result.resources.map((r) => toJson(r.object)) } };
  });

  const match = streaming<RepositoryResponse>('MatchRepository', async (req) => {
    const r = await matchRepository(req.appDir, plugin, {
      env: req.env,
      signal: req.signal,
      logger: req.logger,
      ...(req.deadline !== undefined ? { deadline: req.deadline } : {}),
    });
    return { response: r };
  });

  const announce = streaming<ParametersAnnouncementResponse>('GetParametersAnnouncement', async (req) => {
    const parameterAnnouncements = await announceParameters(req.appDir, plugin, {
      env: req.env,
      repoRoot: req.repoRoot,
      config,
      signal: req.signal,
      logger: req.logger,
      ...(req.deadline !== undefined ? { deadline: req.deadline } : {}),
    });
    return { response: { parameterAnnouncements } };
  });

  const check: grpc.handleUnaryCall<unknown, CheckPluginConfigurationResponse> = (_call, callback) => {
    metrics.requests.inc({ rpc: 'CheckPluginConfiguration', outcome: 'ok' });
    callback(null, { isDiscoveryConfigured: isDiscoveryConfigured(plugin), provideGitCreds: plugin.spec.provideGitCreds });
  };

  server.addService(pluginServiceDefinition(), {
    GenerateManifest: generate,
    MatchRepository: match,
    GetParametersAnnouncement: announce,
    CheckPluginConfiguration: check,
  });

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
  let listening = true;
  logger.info({ socket: socketPath, plugin: plugin.metadata.name }, 'cmp server listening');

  return {
    socketPath,
    slots,
    get listening() {
      return listening;
    },
    async close(graceMs = 10_000) {
      if (!listening) return;
      listening = false;
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
      await settleWithin([...requests], CLEANUP_AFTER_SHUTDOWN_MS);
      await unlink(socketPath).catch(() => undefined);
    },
  };
}
