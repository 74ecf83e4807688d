// A small Kubernetes API client for the cluster suites: plain HTTPS to the real kube-apiserver that
// test/cluster/global-setup.mjs started, with its CA and a bearer token. Warnings come back as the
// API server sends them (one `Warning: 299 - "…"` header each).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** What `scripts/cluster.sh up` writes to cluster.json. */
export interface Cluster {
  server: string;
  ca: string;
  caKey: string;
  adminToken: string;
  aliceToken: string;
  kubeconfig: string;
  apiserverPid: number;
  etcdPid: number;
  readyMs: number;
}

export type Json = Record<string, any>;

/** An answer of the API server: HTTP status, parsed body, and the warnings in header order. */
export interface Answer {
  status: number;
  body: Json;
  warnings: string[];
}

let info: Cluster | undefined;
let caPem: Buffer | undefined;

/** The running control plane; throws the reason it did not start (so the test fails, never skips). */
export function cluster(): Cluster {
  const error = process.env['SYNCGATE_CLUSTER_ERROR'];
  if (error) throw new Error(error);
  const file = process.env['SYNCGATE_CLUSTER'];
  if (!file) throw new Error('no test control plane: run the cluster suites through jest (the cluster project has a globalSetup)');
  info ??= JSON.parse(readFileSync(file, 'utf8')) as Cluster;
  return info;
}

/** Parses one `Warning` header value (RFC 7234 warn-code warn-agent "text"). */
function warningText(v: string): string {
  const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(v);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : v;
}

export interface CallOptions {
  token?: string;
  dryRun?: boolean;
  /** `Strict`: unknown or duplicate fields are errors instead of warnings. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  contentType?: string;
  timeoutMs?: number;
}

/** One HTTPS call to the API server. */
export function api(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<Answer> {
  const c = cluster();
  caPem ??= readFileSync(c.ca);
  const url = new URL(c.server + path);
  if (opts.dryRun) url.searchParams.set('dryRun', 'All');
  if (opts.fieldValidation) url.searchParams.set('fieldValidation', opts.fieldValidation);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: caPem,
        agent: false,
        timeout: opts.timeoutMs ?? 30_000,
        headers: {
          authorization: `Bearer ${opts.token ?? c.adminToken}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const warnings: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            // Node reads header bytes as latin1; the API server sends the warning text as UTF-8.
            if (res.rawHeaders[i]!.toLowerCase() === 'warning') warnings.push(warningText(Buffer.from(res.rawHeaders[i + 1]!, 'latin1').toString('utf8')));
          }
          let parsed: Json;
          try {
            parsed = JSON.parse(raw) as Json;
          } catch {
            parsed = { raw };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

interface ApiResource {
  name: string;
  namespaced: boolean;
}
const discovered = new Map<string, Promise<Map<string, ApiResource>>>();

/** The resources of one group/version by kind, from the API server's discovery. */
function resourcesOf(apiVersion: string): Promise<Map<string, ApiResource>> {
  let p = discovered.get(apiVersion);
  if (!p) {
    p = api('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`).then((a) => {
      if (a.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${a.status}: ${JSON.stringify(a.body)}`);
      const m = new Map<string, ApiResource>();
      for (const r of a.body['resources'] as { name: string; kind: string; namespaced: boolean }[]) {
        if (!r.name.includes('/')) m.set(r.kind, { name: r.name, namespaced: r.namespaced });
      }
      return m;
    });
    discovered.set(apiVersion, p);
    // A failed discovery (a CRD not yet served) is retried on the next call.
    p.catch(() => discovered.delete(apiVersion));
  }
  return p;
}

/** Forgets discovery (after installing CRDs). */
export function forgetDiscovery(): void {
  discovered.clear();
}

/** The collection path (and the object path, when it has a name) of an object. */
export async function pathsOf(obj: Json, namespace?: string): Promise<{ collection: string; item: string }> {
  const apiVersion = String(obj['apiVersion']);
  const kind = String(obj['kind']);
  const r = (await resourcesOf(apiVersion)).get(kind);
  if (!r) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = (obj['metadata']?.['namespace'] as string | undefined) || namespace;
  const collection = r.namespaced ? `${base}/namespaces/${ns ?? 'default'}/${r.name}` : `${base}/${r.name}`;
  return { collection, item: `${collection}/${encodeURIComponent(String(obj['metadata']?.['name'] ?? ''))}` };
}

/** POSTs an object (as the token's user; dry-run when asked). */
export async function create(obj: Json, opts: CallOptions & { namespace?: string } = {}): Promise<Answer> {
  return api('POST', (await pathsOf(obj, opts.namespace)).collection, obj, opts);
}

/** Creates or replaces an object as the admin; throws on any other answer. */
export async function apply(obj: Json, namespace?: string): Promise<Json> {
  const paths = await pathsOf(obj, namespace);
  let a = await api('POST', paths.collection, obj);
  if (a.status === 409) {
    const cur = await api('GET', paths.item);
    const next = { ...obj, metadata: { ...obj['metadata'], resourceVersion: cur.body['metadata']?.['resourceVersion'] } };
    a = await api('PUT', paths.item, next);
  }
  if (a.status >= 300) throw new Error(`apply ${String(obj['kind'])}/${String(obj['metadata']?.['name'])}: HTTP ${a.status}: ${String(a.body['message'] ?? JSON.stringify(a.body))}`);
  return a.body;
}

/** Deletes an object as the admin; a missing object is fine. */
export async function remove(obj: Json, namespace?: string): Promise<void> {
  const a = await api('DELETE', (await pathsOf(obj, namespace)).item);
  if (a.status >= 300 && a.status !== 404) throw new Error(`delete ${String(obj['kind'])}/${String(obj['metadata']?.['name'])}: HTTP ${a.status}: ${String(a.body['message'])}`);
}

/** Polls `probe` until it returns a value other than undefined; fails with `what` at the deadline. */
// The default deadline is for a loaded 2-core machine (the suite runs beside CPU hogs in
// bench/suite-under-load.sh): an informer that takes a second when idle can take tens of seconds
// there. It is a deadline, not a wait: a probe that succeeds returns at once.
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A namespace with its `default` ServiceAccount (there is no controller-manager to create it, and
 * the ServiceAccount admission plugin refuses pods without it).
 */
export async function namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
}

/** A bearer token of a ServiceAccount, issued by the API server (TokenRequest). */
export async function serviceAccountToken(ns: string, name: string): Promise<string> {
  await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
  const a = await api('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  if (a.status !== 201) throw new Error(`token for ${ns}/${name}: HTTP ${a.status}: ${String(a.body['message'])}`);
  return String(a.body['status']['token']);
}

/** The resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}
