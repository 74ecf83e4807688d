import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { addAbortSignal } from 'node:stream';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { GateConfig } from '../config/index.js';
import { asSyncgateError, SyncgateError } from '../errors/index.js';
import { DEADLINE_MARGIN_MS } from '../exec/index.js';
import { createWorkDir, removeWorkDir, removeWorkDirSync, repoWorkBytes } from '../gate/index.js';
import { Redactor, type Logger } from '../log/index.js';
import { isInside as inside } from '../repo/index.js';
import { bindSocket, closeServer, newGrpcServer } from './lifecycle.js';
import { CallMetrics, noMetrics, type CmpMetrics } from './metrics.js';
import type { PluginConfig } from './plugin-config.js';
import {
  checkPluginConfiguration,
  generateManifest,
  matchRepo,
  parametersAnnouncement,
  type RepoRequest,
  type RepoWork,
  type RpcContext,
  type RpcReply,
} from './rpcs.js';
import { pluginServiceDefinition, type AppStreamRequest, type CheckPluginConfigurationResponse, type EnvEntry } from './service.js';
import { Slots, type Admission } from './slots.js';
import { messagesOf, receiveRepoStream } from './stream.js';

export type { CmpMetrics } from './metrics.js';

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


/** A running native CMP server. */
export interface CmpServer {
  socketPath: string;
  slots: Slots;
  /** True while the socket is bound and served. */
  readonly listening: boolean;
  /** Stops accepting calls, waits up to `graceMs` for running ones, removes the socket. */
  close(graceMs?: number): Promise<void>;
}

// Argo CD stops its commands 100 ms before the caller's deadline (cmp.ReceiveRepoStream); that
// is too little for a tool that ignores SIGTERM or a grandchild that holds stdout: the tool
// deadline sits DEADLINE_MARGIN_MS (SIGKILL grace + sweep + reply) before the caller's, so the
// EXEC_TIMEOUT reply still arrives in time.

type Rpc = 'GenerateManifest' | 'MatchRepository' | 'GetParametersAnnouncement' | 'CheckPluginConfiguration';

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

/** Resolves on the event loop's next timers phase, after the pending I/O and immediates ran. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function drain(messages: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of messages) {
    // discard: the client only reads the reply after its half-close
  }
}


// How long a request waits for its reply's status to go out before its dir is removed anyway
// (a client that stops reading holds the status back).
const REPLY_SENT_MS = 2_000;

/**
 * Resolves once the reply's status went out: grpc-js reports a call as `cancelled` when its
 * status was written (or its stream closed), then writes it on the loop's next turn. Removing the
 * request dir synchronously before that would hold the reply back by the removal's duration.
 */
async function replySent(call: grpc.ServerReadableStream<AppStreamRequest, unknown>): Promise<void> {
  if (!call.cancelled) await cancelOrTimeout(call, REPLY_SENT_MS);
  await nextTurn();
}

type Reply<Res> = RpcReply<Res> | { error: SyncgateError };

/** What every streaming call of one server shares. */
interface ServerContext extends RpcContext {
  logger: Logger;
  slots: Slots;
  metrics: CmpMetrics;
  /** Every request from its first message until its dir is removed (which is after its reply). */
  requests: Set<Promise<void>>;
}

/** One call in progress: its log, redactor, cancellation, metrics and the fields of its log line. */
class CallState {
  readonly log: Logger;
  readonly redactor = new Redactor();
  readonly ac = new AbortController();
  readonly stages: Record<string, number> = {};
  readonly logFields: Record<string, unknown> = {};
  readonly metrics: CallMetrics;
  private readonly cancel = (): void => this.ac.abort();

  constructor(
    ctx: ServerContext,
    readonly rpc: Rpc,
    readonly call: grpc.ServerReadableStream<AppStreamRequest, unknown>,
  ) {
    this.metrics = new CallMetrics(ctx.metrics, rpc);
    this.log = ctx.logger.child({ rpc, requestId: randomUUID() });
    call.on('cancelled', this.cancel);
    addAbortSignal(this.ac.signal, call);
  }

  /**
   * The reply goes out: grpc-js reports the call `cancelled` once its status is written, which
   * is no longer a cancel of its work (aborting then would destroy the finished call with an
   * AbortError, for nothing).
   */
  replying(): void {
    this.call.off('cancelled', this.cancel);
  }

  /** Milliseconds since `t0`, to 0.1 ms, as a stage of the log line. */
  stage(name: string, t0: number): void {
    this.stages[name] = Math.round((performance.now() - t0) * 10) / 10;
  }
}

/**
 * Counts and sends the reply of one call (protocol out). Returns its log line, to be written once
 * the reply went out: a log write on the reply's path would hold the reply back by its duration.
 */
function sendReply<Res>(st: CallState, reply: Reply<Res>, callback: grpc.sendUnaryData<Res>): () => void {
  const { log, redactor, stages, logFields } = st;
  st.replying();
  if ('error' in reply) {
    const durationMs = st.metrics.done('error');
    const message = redactor.mask(`${reply.error.code}: ${reply.error.message}`);
    callback({ code: grpc.status.UNKNOWN, details: message });
    return () => log.warn({ code: reply.error.code, durationMs }, message);
  }
  if ('refusal' in reply) {
    // A refusal is a failed generate, never fewer manifests: omitting objects would prune them.
    const durationMs = st.metrics.done('refused');
    callback({ code: grpc.status.UNKNOWN, details: redactor.mask(reply.refusal) });
    return () => log.warn({ durationMs, stages, ...logFields }, 'render refused');
  }
  const durationMs = st.metrics.done('ok');
  callback(null, reply.response);
  return () => log.info({ durationMs, stages, ...logFields }, 'request served');
}

/** What a request holds on the sidecar until its dir is removed. */
interface Held {
  dir?: string;
  /** Entries to remove: unknown (so removed off the loop) until the repo is fully in. */
  files: number;
  admission?: Admission;
}

/**
 * Admits the call, receives and extracts its repo into a fresh request dir (while it arrives),
 * waits for a run slot and builds the rpc's input (protocol in).
 */
async function receiveRequest(ctx: ServerContext, st: CallState, held: Held): Promise<RepoRequest> {
  const { call, stages, log } = st;
  const limits = ctx.config.spec.limits;
  try {
    held.admission = ctx.slots.admit();
  } catch (e) {
    await drain(messagesOf(call)).catch(() => undefined);
    throw e;
  }
  const { admission } = held;
  held.dir = createWorkDir('syncgate-cmp-');
  const repoRoot = join(held.dir, 'repo');
  mkdirSync(repoRoot, { mode: 0o755 });
  const tReceive = performance.now();
  // The repo is extracted while it arrives; the run slot is taken once it is in.
  const received = await receiveRepoStream(messagesOf(call), {
    maxBytes: limits.repoBytes,
    idleMs: limits.uploadIdleTimeout,
    dest: repoRoot,
    extract: {
      preserveFileMode: ctx.plugin.spec.preserveFileMode,
      maxBytes: limits.repoBytes,
      maxFiles: limits.repoFiles,
      maxFileBytes: limits.fileBytes,
      maxDepth: limits.pathDepth,
      charge: admission.charge,
    },
  });
  held.files = received.entries;
  // receive + extract = the wall time from the first chunk to the repo on disk.
  st.stage('receive', tReceive + received.extractMs);
  stages['extract'] = Math.round(received.extractMs * 10) / 10;
  const tQueue = performance.now();
  await admission.acquire(st.ac.signal);
  st.stage('queue', tQueue);
  const realRoot = realpathSync.native(repoRoot);
  const appDir = appPath(realRoot, received.metadata.appRelPath);
  // gate()'s own files (tool HOME, decrypted values) live beside the repo, never inside it.
  const workDir = join(held.dir, 'work');
  mkdirSync(workDir, { mode: 0o700 });
  log.debug({ appRelPath: received.metadata.appRelPath, bytes: received.size, files: received.files }, 'repo received');
  return {
    appDir,
    repoRoot: realRoot,
    workDir,
    logFields: st.logFields,
    env: envRecord(received.metadata.env),
    deadline: callDeadline(call),
    signal: st.ac.signal,
    logger: log,
    redactor: st.redactor,
  };
}

/** One streaming call from its first message to its request dir's removal. */
async function serveRepoCall<Res>(ctx: ServerContext, st: CallState, work: RepoWork<Res>, callback: grpc.sendUnaryData<Res>): Promise<void> {
  const { call, ac, log } = st;
  const held: Held = { files: Number.POSITIVE_INFINITY };
  let reply: Reply<Res>;
  try {
    reply = await work(await receiveRequest(ctx, st, held));
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
  const logReply = sendReply(st, reply, callback);
  await replySent(call);
  logReply();
  // The work dir goes right after the reply (Argo CD's cmp-server removes its dir in a
  // deferred RemoveAll too). The admission and its budget are held until the dir is gone,
  // so the limits bound what requests hold on the sidecar's memory-backed /tmp.
  if (held.dir !== undefined) {
    const tRemove = performance.now();
    await removeRequestDir(held.dir, held.files);
    log.debug({ ms: Math.round(performance.now() - tRemove) }, 'work dir removed');
  }
  held.admission?.release();
}

/** The gRPC handler of one streaming rpc: each call is served and tracked until its cleanup. */
function streamingHandler<Res>(ctx: ServerContext, rpc: Rpc, work: RepoWork<Res>): grpc.handleClientStreamingCall<AppStreamRequest, Res> {
  return (call, callback) => {
    const request = serveRepoCall(ctx, new CallState(ctx, rpc, call), work, callback);
    ctx.requests.add(request);
    void request.finally(() => ctx.requests.delete(request));
  };
}

/** Binds the native CMP gRPC server on a unix socket and serves the four rpcs of plugin.proto. */
export async function startCmpServer(opts: CmpServerOptions): Promise<CmpServer> {
  const { plugin, config, logger, socketPath } = opts;
  const limits = config.spec.limits;
  const slots = new Slots(limits.concurrency, limits.queue, limits.concurrency * repoWorkBytes(limits));
  const ctx: ServerContext = { plugin, config, logger, slots, metrics: opts.metrics ?? noMetrics, requests: new Set() };
  const check: grpc.handleUnaryCall<unknown, CheckPluginConfigurationResponse> = (_call, callback) => {
    ctx.metrics.requests.inc({ rpc: 'CheckPluginConfiguration', outcome: 'ok' });
    callback(null, checkPluginConfiguration(ctx));
  };
  const server = newGrpcServer();
  server.addService(pluginServiceDefinition(), {
    GenerateManifest: streamingHandler(ctx, 'GenerateManifest', generateManifest(ctx)),
    MatchRepository: streamingHandler(ctx, 'MatchRepository', matchRepo(ctx)),
    GetParametersAnnouncement: streamingHandler(ctx, 'GetParametersAnnouncement', parametersAnnouncement(ctx)),
    CheckPluginConfiguration: check,
  });
  await bindSocket(server, socketPath);
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
      await closeServer(server, socketPath, () => [...ctx.requests], graceMs);
    },
  };
}
