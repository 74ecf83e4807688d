import type { GateConfig } from '../config/index.js';
import { gate } from '../gate/index.js';
import { toJson } from '../k8s/index.js';
import type { Logger, Redactor } from '../log/index.js';
import { announceParameters } from './announce.js';
import { isDiscoveryConfigured, matchRepository } from './discover.js';
import { parseArgoEnv } from './params.js';
import type { PluginConfig } from './plugin-config.js';
import type {
  CheckPluginConfigurationResponse,
  ManifestResponse,
  ParametersAnnouncementResponse,
  RepositoryResponse,
} from './service.js';

/** The per-request inputs every streaming rpc works on, after the repo is received and extracted. */
export interface RepoRequest {
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

/** What an rpc answers: a response, or a refusal (a failed call whose details are the report). */
export type RpcReply<Res> = { response: Res } | { refusal: string };

/** One streaming rpc's work on a received repo. */
export type RepoWork<Res> = (req: RepoRequest) => Promise<RpcReply<Res>>;

/** What the rpcs need besides the request. */
export interface RpcContext {
  plugin: PluginConfig;
  config: GateConfig;
}

const withDeadline = (deadline: number | undefined): { deadline?: number } => (deadline !== undefined ? { deadline } : {});

/** What discovery and the parameter announcement pass to the plugin's commands: env, cancel, log, deadline. */
const toolOptions = (req: RepoRequest) => ({ env: req.env, signal: req.signal, logger: req.logger, ...withDeadline(req.deadline) });

/** GenerateManifest: the Argo CD env in, gate(), the manifests (or the refusal) out. */
export function generateManifest(ctx: RpcContext): RepoWork<ManifestResponse> {
  return async (req) => {
    const { context, options } = parseArgoEnv(req.env);
    const result = await gate({
      appDir: req.appDir,
      repoRoot: req.repoRoot,
      workDir: req.workDir,
      context,
      options,
      config: ctx.config,
      logger: req.logger,
      redactor: req.redactor,
      signal: req.signal,
      ...withDeadline(req.deadline),
    });
    req.logFields['timings'] = result.timings;
    req.logFields['resources'] = result.resources.length;
    for (const w of result.decision.warnings) req.logger.warn(req.redactor.mask(w));
    if (result.decision.refused) return { refusal: result.decision.report };
    if (result.resources.length === 0) req.logger.warn('generated no manifests: Argo CD will prune every live object of the app');
    return { response: { manifests: result.resources.map((r) => toJson(r.object)) } };
  };
}

/** MatchRepository: the plugin's discovery rule on the received repo. */
export function matchRepo(ctx: RpcContext): RepoWork<RepositoryResponse> {
  return async (req) => {
    const r = await matchRepository(req.appDir, ctx.plugin, toolOptions(req));
    return { response: r };
  };
}

/** GetParametersAnnouncement: the parameters the app's source offers in the Argo CD UI. */
export function parametersAnnouncement(ctx: RpcContext): RepoWork<ParametersAnnouncementResponse> {
  return async (req) => {
    const parameterAnnouncements = await announceParameters(req.appDir, ctx.plugin, {
      ...toolOptions(req),
      repoRoot: req.repoRoot,
      config: ctx.config,
    });
    return { response: { parameterAnnouncements } };
  };
}

/** CheckPluginConfiguration: what the plugin config declares. */
export function checkPluginConfiguration(ctx: RpcContext): CheckPluginConfigurationResponse {
  return { isDiscoveryConfigured: isDiscoveryConfigured(ctx.plugin), provideGitCreds: ctx.plugin.spec.provideGitCreds };
}
