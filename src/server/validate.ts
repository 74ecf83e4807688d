import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { GateConfig } from '../config/index.js';
import { asSyncgateError, SyncgateError } from '../errors/index.js';
import { gateObjects, type AppContext } from '../gate/index.js';
import { identity, isMap, parseJson, type K8sObject, type Resource } from '../k8s/index.js';
import { Redactor, type Logger } from '../log/index.js';
import { gateMetrics } from '../log/metrics.js';
import { argoSourceDenial } from './argocd.js';

/** What the validating webhook needs; the config is the platform's, loaded once. */
export interface ValidateOptions {
  config: GateConfig;
  logger: Logger;
}

/** The `response` of an AdmissionReview v1. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

interface AdmissionRequest {
  uid: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  name?: string;
  kind?: { group?: string; version?: string; kind?: string };
  userInfo?: { username?: string };
  object?: unknown;
  dryRun?: boolean;
}

const FLUX_KS_NAME = 'kustomize.toolkit.fluxcd.io/name';
const FLUX_KS_NAMESPACE = 'kustomize.toolkit.fluxcd.io/namespace';
const FLUX_HR_NAME = 'helm.toolkit.fluxcd.io/name';
const FLUX_HR_NAMESPACE = 'helm.toolkit.fluxcd.io/namespace';
const WARNING_CHARS = 120;

function invalid(message: string): SyncgateError {
  return new SyncgateError('WEBHOOK_REVIEW_INVALID', message);
}

/** Decodes the request body with the k8s codec; WEBHOOK_REVIEW_INVALID when it is not JSON. */
function reviewBody(body: unknown): unknown {
  if (typeof body !== 'string') throw invalid('admission review: body is not valid JSON');
  try {
    return parseJson(body, 'admission review');
  } catch (e) {
    if (e instanceof SyncgateError && e.code === 'K8S_YAML_INVALID') throw invalid('admission review: body is not valid JSON');
    throw e;
  }
}

/** Validates the envelope of an AdmissionReview v1; throws WEBHOOK_REVIEW_INVALID saying what is wrong. */
export function parseReview(body: unknown): AdmissionRequest {
  if (!isMap(body)) throw invalid('admission review: body is not a JSON object');
  if (body['apiVersion'] !== 'admission.k8s.io/v1' || body['kind'] !== 'AdmissionReview') {
    throw invalid(
      `admission review: expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got ${JSON.stringify(String(body['apiVersion']))} ${JSON.stringify(String(body['kind']))}`.slice(0, 300),
    );
  }
  const req = body['request'];
  if (!isMap(req)) throw invalid('admission review: request is missing');
  if (typeof req['uid'] !== 'string' || req['uid'] === '') throw invalid('admission review: request.uid is missing');
  const op = req['operation'];
  if (op !== 'CREATE' && op !== 'UPDATE' && op !== 'DELETE' && op !== 'CONNECT') {
    throw invalid(`admission review: request.operation must be CREATE, UPDATE, DELETE or CONNECT`);
  }
  if ((op === 'CREATE' || op === 'UPDATE') && !isMap(req['object'])) {
    throw invalid(`admission review: request.object is missing for ${op}`);
  }
  return req as unknown as AdmissionRequest;
}

/** True when the request is one the webhook judges (scope, excluded namespaces). */
export function inScope(req: AdmissionRequest, obj: K8sObject, config: GateConfig): boolean {
  const scope = config.spec.webhook.scope;
  const ns = req.namespace ?? obj.metadata.namespace ?? '';
  if (ns !== '' && scope.excludeNamespaces.includes(ns)) return false;
  if (scope.mode === 'all') return true;
  const labels = obj.metadata.labels ?? {};
  return scope.labels.some((l) => l in labels) || scope.usernames.includes(req.userInfo?.username ?? '');
}

function objectOf(req: AdmissionRequest): K8sObject {
  const raw = req.object as Record<string, unknown>;
  const md = isMap(raw['metadata']) ? raw['metadata'] : {};
  // A CREATE with generateName has no name yet; report the request's name or the prefix.
  const name =
    typeof md['name'] === 'string' && md['name'] !== ''
      ? md['name']
      : (req.name ?? (typeof md['generateName'] === 'string' ? `${md['generateName']}*` : '<unnamed>'));
  const namespace = typeof md['namespace'] === 'string' && md['namespace'] !== '' ? md['namespace'] : req.namespace;
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : (req.kind?.kind ?? '');
  const apiVersion = typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : '';
  const labels = isMap(md['labels']) ? md['labels'] : undefined;
  return {
    ...raw,
    apiVersion,
    kind,
    metadata: {
      ...md,
      name,
      ...(namespace ? { namespace } : {}),
      ...(labels ? { labels: labels as Record<string, string> } : {}),
    },
  };
}

/** The trusted context of an admitted object: namespace from the request, app from the Flux owner label. */
function contextOf(req: AdmissionRequest, obj: K8sObject): AppContext {
  const labels = obj.metadata.labels ?? {};
  const app = labels[FLUX_KS_NAME] ?? labels[FLUX_HR_NAME] ?? '';
  const ownerNs = labels[FLUX_KS_NAME] ? labels[FLUX_KS_NAMESPACE] : labels[FLUX_HR_NAMESPACE];
  return {
    appName: app,
    namespace: req.namespace ?? obj.metadata.namespace ?? '',
    project: '',
    repoURL: '',
    sourcePath: '',
    revision: '',
    kubeVersion: '',
    apiVersions: [],
    ...(app && ownerNs ? { fluxKustomization: `${ownerNs}/${app}` } : {}),
  };
}

/** Secrets arrive in plaintext: every value is masked out of messages and warnings. */
function secretRedactor(obj: K8sObject): Redactor {
  const r = new Redactor();
  if (obj.kind === 'Secret') r.addSecretObject(obj);
  return r;
}

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SyncgateError('WEBHOOK_TIMEOUT', `review took longer than ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Policies that judge how an object was stored in the repo, which admission cannot know: the API
 * server always sends Secrets in plaintext, so `secrets/plaintext-secret` would deny every Secret
 * Flux applies after decrypting it. They run in `flux build` and the CMP, not here.
 */
export const REPO_ONLY_POLICIES = ['secrets/plaintext-secret'] as const;

const webhookConfigs = new WeakMap<GateConfig, GateConfig>();

/** The platform config as the webhook applies it: repo-only policies disabled. */
export function webhookConfig(config: GateConfig): GateConfig {
  let c = webhookConfigs.get(config);
  if (!c) {
    const policies = config.spec.policies;
    c = { ...config, spec: { ...config.spec, policies: { ...policies, disabled: [...policies.disabled, ...REPO_ONLY_POLICIES] } } };
    webhookConfigs.set(config, c);
  }
  return c;
}

/** Judges one admission request with the shared engine in object scope. Never throws for policy results. */
export async function review(req: AdmissionRequest, opts: ValidateOptions): Promise<AdmissionResponse> {
  const config = webhookConfig(opts.config);
  if (req.operation === 'DELETE' || req.operation === 'CONNECT') return { uid: req.uid, allowed: true };
  const obj = objectOf(req);
  // Argo CD Applications/ApplicationSets of enforced projects: judged by their sources, whatever the scope mode.
  const bypass = argoSourceDenial(obj, config);
  if (bypass !== undefined) {
    return {
      uid: req.uid,
      allowed: false,
      status: {
        code: 403,
        reason: 'Forbidden',
        message: cap(`${identity(obj)}: ${bypass}`, config.spec.webhook.maxMessageLength),
      },
      auditAnnotations: { policies: 'argocd/plugin-source' },
    };
  }
  if (!inScope(req, obj, config)) return { uid: req.uid, allowed: true };
  const redactor = secretRedactor(obj);
  const resource: Resource = { object: obj, source: 'admission', doc: 0 };
  const result = await withTimeout(
    gateObjects([resource], { context: contextOf(req, obj), config, logger: opts.logger, redactor }, 'object'),
    config.spec.webhook.timeout,
  ).catch((e: unknown) => {
    // Same code, masked text: the error path must not echo a value of the object either.
    const err = asSyncgateError(e);
    throw new SyncgateError(err.code, redactor.mask(err.message), { cause: e });
  });
  const { decision } = result;
  // The API server shows warnings next to the object it names: drop the `Kind/ns/name: ` prefix
  // so the 120 characters go to the policy and its message.
  const prefix = `${identity(obj)}: `;
  const warnings = decision.warnings
    .slice(0, config.spec.webhook.maxWarnings)
    .map((w) => cap(redactor.mask(w.startsWith(prefix) ? w.slice(prefix.length) : w), WARNING_CHARS));
  const res: AdmissionResponse = { uid: req.uid, allowed: !decision.refused, ...(warnings.length ? { warnings } : {}) };
  if (decision.refused) {
    const policies = [...new Set(result.scan.findings.filter((f) => f.mode === 'enforce' && !f.waived).map((f) => f.policy))];
    res.status = {
      code: 403,
      reason: 'Forbidden',
      message: cap(redactor.mask(`${identity(obj)}: ${decision.report}`), config.spec.webhook.maxMessageLength),
    };
    if (policies.length) res.auditAnnotations = { policies: cap(policies.join(','), 1024) };
  }
  return res;
}

function envelope(response: AdmissionResponse): Record<string, unknown> {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** Maps body-parser failures to coded errors: 413 for an oversize body, 400 for anything unparsable. */
const bodyErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const type = isMap(err) ? err['type'] : undefined;
  if (type === 'entity.too.large') {
    const e = new SyncgateError('WEBHOOK_BODY_TOO_LARGE', 'admission review: body exceeds the size limit');
    res.status(413).json({ code: e.code, message: e.message });
    return;
  }
  if (isMap(err) && typeof err['status'] === 'number' && err['status'] >= 400 && err['status'] < 500) {
    const e = invalid(`admission review: body is not valid JSON`);
    res.status(400).json({ code: e.code, message: e.message });
    return;
  }
  next(err);
};

/** Adds `POST /validate` (AdmissionReview v1 in and out) to an app made by createHttpApp. */
export function addValidateRoute(app: Express, opts: ValidateOptions): Express {
  const metrics = gateMetrics();
  const handler: RequestHandler = async (req, res) => {
    const end = metrics.duration.startTimer({ rpc: 'validate' });
    metrics.inFlight.inc({ rpc: 'validate' });
    let outcome = 'ok';
    try {
      let ar: AdmissionRequest;
      try {
        ar = parseReview(reviewBody(req.body));
      } catch (e) {
        const err = asSyncgateError(e);
        outcome = 'invalid';
        res.status(400).json({ code: err.code, message: err.message });
        return;
      }
      try {
        const response = await review(ar, opts);
        outcome = response.allowed ? 'ok' : 'refused';
        res.json(envelope(response));
      } catch (e) {
        // Fail closed with a reason the API server shows; failurePolicy Fail covers a dead webhook.
        const err = asSyncgateError(e);
        outcome = 'error';
        opts.logger.error({ code: err.code, uid: ar.uid }, err.message);
        res.json(envelope({ uid: ar.uid, allowed: false, status: { code: 500, message: `syncgate: ${err.code}: ${err.message}` } }));
      }
    } finally {
      metrics.inFlight.dec({ rpc: 'validate' });
      metrics.requests.inc({ rpc: 'validate', outcome });
      end();
    }
  };
  app.post(
    '/validate',
    // The body is read as text and decoded by the one codec: bounded depth, exact integers.
    express.text({ limit: opts.config.spec.webhook.maxBodyBytes, type: () => true }),
    bodyErrors,
    handler,
  );
  return app;
}
