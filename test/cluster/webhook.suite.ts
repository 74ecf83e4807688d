// The Flux admission webhook end to end: the ValidatingWebhookConfiguration that deploy/flux ships,
// registered with the real kube-apiserver against the built `syncgate webhook` on 127.0.0.1.
// Every verdict below is the API server's answer to a real request, never a hand-built review.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { load } from 'js-yaml';
import { api, apply, cluster, create, namespace, pathsOf, remove, serviceAccountToken, waitFor, type Answer, type Json } from './kube.js';
import { startWebhook, TestCA, type WebhookProcess } from './webhook-process.js';

const ROOT = process.cwd();
const FIX = join(ROOT, 'test', 'fixtures', 'flux', 'webhook');
const fixture = (name: string): Json => JSON.parse(readFileSync(join(FIX, name), 'utf8')) as Json;

/** The shipped webhook config: deploy/flux/gateconfig.yaml's config.yaml. */
function shippedConfig(): string {
  const cm = load(readFileSync(join(ROOT, 'deploy', 'flux', 'gateconfig.yaml'), 'utf8')) as Json;
  return String(cm['data']['config.yaml']);
}

/** The shipped ValidatingWebhookConfiguration, pointed at a loopback URL instead of the Service. */
function shippedVWC(name: string, url: string, caBundle: Buffer, patch?: (w: Json) => void): Json {
  const vwc = load(readFileSync(join(ROOT, 'deploy', 'flux', 'validatingwebhookconfiguration.yaml'), 'utf8')) as Json;
  vwc['metadata'] = { name };
  // A patched copy keeps only the first webhook (kustomizations.flux.syncgate.dev).
  if (patch) vwc['webhooks'] = (vwc['webhooks'] as Json[]).slice(0, 1);
  for (const w of vwc['webhooks'] as Json[]) {
    w['clientConfig'] = { url, caBundle: caBundle.toString('base64') };
    patch?.(w);
  }
  return vwc;
}

const NS = 'wh-team-a';
const KS = { 'kustomize.toolkit.fluxcd.io/name': 'team-a', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
const HR = { 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'flux-system' };

/** A fixture Deployment renamed into a namespace, with the given labels in place of its own. */
function deployment(file: string, name: string, ns = NS, labels: Record<string, string> = KS): Json {
  const d = fixture(file);
  d['metadata'] = { name, namespace: ns, labels: { 'app.kubernetes.io/name': 'web', ...labels } };
  return d;
}

const DENIED = (webhook: string) => new RegExp(`^admission webhook "${webhook.replace(/\./g, '\\.')}" denied the request: `);

let hook: WebhookProcess;
let ksToken: string;
let hrToken: string;
let aliceToken: string;
const vwcs: Json[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];

async function register(vwc: Json): Promise<void> {
  vwcs.push(vwc);
  await apply(vwc);
}

/**
 * Creating a webhook configuration takes effect within about a second: poll with an object that
 * the new configuration's `probe` predicate recognises.
 */
async function until(what: string, send: () => Promise<Answer>, ok: (a: Answer) => boolean): Promise<Answer> {
  return waitFor(what, async () => {
    const a = await send();
    return ok(a) ? a : undefined;
  });
}

describe('webhook (deploy/flux ValidatingWebhookConfiguration)', () => {
  beforeAll(async () => {
    cluster();
    hook = await startWebhook(shippedConfig());
    await namespace('flux-system');
    await namespace(NS);
    // Flux's controllers are bound to cluster-admin (flux install does this); alice may edit NS.
    ksToken = await serviceAccountToken('flux-system', 'kustomize-controller');
    hrToken = await serviceAccountToken('flux-system', 'helm-controller');
    for (const sa of ['kustomize-controller', 'helm-controller']) {
      await apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `wh-${sa}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace: 'flux-system' }],
      });
    }
    // No controller-manager aggregates the built-in edit role here: grant alice what she uses.
    await apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'alice-edit', namespace: NS },
      rules: [{ apiGroups: ['', 'apps'], resources: ['deployments', 'configmaps'], verbs: ['create', 'update', 'get'] }],
    });
    await apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice-edit', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'alice-edit' },
      subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    aliceToken = cluster().aliceToken;
    await register(shippedVWC('syncgate-flux', `https://127.0.0.1:${hook.port}/validate`, hook.ca.pem));
    // In effect once the API server refuses a privileged Deployment from kustomize-controller.
    await until(
      'the syncgate-flux webhook to take effect',
      () => create(deployment('deployment-privileged.json', 'probe'), { token: ksToken, dryRun: true }),
      (a) => a.status === 403,
    );
  }, 120_000);

  afterAll(async () => {
    for (const v of vwcs.splice(0).reverse()) await remove(v).catch(() => undefined);
    for (const s of sockets.splice(0)) s.destroy();
    for (const s of servers.splice(0)) s.close();
    await hook?.stop();
  }, 150_000);

  describe('webhook: the shipped ValidatingWebhookConfiguration, judged through the API server', () => {
    test('a compliant Deployment applied by kustomize-controller is created (and stored)', async () => {
      const d = deployment('deployment-compliant.json', 'web-ok');
      const a = await create(d, { token: ksToken });
      expect({ status: a.status, warnings: a.warnings }).toEqual({ status: 201, warnings: [] });
      const got = await api('GET', (await pathsOf(d)).item);
      expect(got.body['metadata']['labels']).toEqual(d['metadata']['labels']);
    }, 150_000);

    test('a privileged Deployment applied by kustomize-controller is refused with our report', async () => {
      const a = await create(deployment('deployment-privileged.json', 'web-priv'), { token: ksToken });
      expect(a.status).toBe(403);
      expect(a.body['reason']).toBe('Forbidden');
      const msg = String(a.body['message']);
      expect(msg).toMatch(DENIED('kustomizations.flux.syncgate.dev'));
      expect(msg).toContain(`Deployment/${NS}/web-priv`);
      expect(msg).toContain('pss-baseline/privileged');
      expect(msg).toContain('pss-baseline/host-namespaces');
      // Nothing was stored.
      expect((await api('GET', (await pathsOf(deployment('deployment-privileged.json', 'web-priv'))).item)).status).toBe(404);
    }, 150_000);

    test('the same refusal for a dry-run request (sideEffects: None lets the API server call us)', async () => {
      const a = await create(deployment('deployment-privileged.json', 'web-priv-dry'), { token: ksToken, dryRun: true });
      expect(a.status).toBe(403);
      expect(String(a.body['message'])).toMatch(DENIED('kustomizations.flux.syncgate.dev'));
      expect(String(a.body['message'])).toContain('pss-baseline/privileged');
    }, 150_000);

    test('an UPDATE that makes a stored Deployment privileged is refused; the stored object is unchanged', async () => {
      const d = deployment('deployment-compliant.json', 'web-upd');
      expect((await create(d, { token: ksToken })).status).toBe(201);
      const paths = await pathsOf(d);
      const cur = (await api('GET', paths.item)).body;
      const bad = structuredClone(cur);
      bad['spec']['template']['spec']['containers'][0]['securityContext'] = { privileged: true };
      const a = await api('PUT', paths.item, bad, { token: ksToken });
      expect(a.status).toBe(403);
      expect(String(a.body['message'])).toContain('pss-baseline/privileged');
      const after = (await api('GET', paths.item)).body;
      expect(after['metadata']['resourceVersion']).toBe(cur['metadata']['resourceVersion']);
    }, 150_000);

    test('warn-mode findings reach the client as API server warnings, the object is created', async () => {
      const a = await create(deployment('deployment-warn.json', 'web-warn'), { token: ksToken });
      expect(a.status).toBe(201);
      expect(a.warnings.length).toBeGreaterThan(0);
      expect(a.warnings.join('\n')).toContain('read-only-root-filesystem');
      for (const w of a.warnings) expect({ w, length: w.length }).toEqual({ w, length: Math.min(w.length, 120) });
    }, 150_000);

    test('helm-controller objects go through the second webhook of the configuration', async () => {
      const a = await create(deployment('deployment-privileged.json', 'hr-priv', NS, HR), { token: hrToken, dryRun: true });
      expect(a.status).toBe(403);
      expect(String(a.body['message'])).toMatch(DENIED('helmreleases.flux.syncgate.dev'));
    }, 150_000);

    test('a human user without Flux labels is not sent to the webhook (objectSelector)', async () => {
      const a = await create(deployment('deployment-privileged.json', 'alice-priv', NS, {}), { token: aliceToken, dryRun: true });
      expect(a.status).toBe(201);
      expect(a.warnings).toEqual([]);
    }, 150_000);

    test('a human user copying the Flux label is judged like Flux (the label is the scope)', async () => {
      const a = await create(deployment('deployment-privileged.json', 'alice-ks', NS, KS), { token: aliceToken, dryRun: true });
      expect(a.status).toBe(403);
      expect(String(a.body['message'])).toContain('pss-baseline/privileged');
    }, 150_000);

    test('RBAC answers before admission: alice may not write outside her namespace', async () => {
      await namespace('wh-other');
      const a = await create(deployment('deployment-privileged.json', 'alice-other', 'wh-other', KS), { token: aliceToken, dryRun: true });
      expect(a.status).toBe(403);
      expect(String(a.body['message'])).toContain('User "alice" cannot create resource "deployments"');
    }, 150_000);

    test.each(['kube-system', 'flux-system'])('objects in %s are not sent to the webhook (namespaceSelector)', async (ns) => {
      const a = await create(deployment('deployment-privileged.json', 'sys-priv', ns, KS), { token: ksToken, dryRun: true });
      expect(a.status).toBe(201);
    }, 150_000);

    test('a compliant ConfigMap and a Secret applied by Flux are admitted (plaintext Secrets are not judged here)', async () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS, labels: KS }, data: { LOG_LEVEL: 'info' } };
      expect((await create(cm, { token: ksToken, dryRun: true })).status).toBe(201);
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS, labels: KS }, stringData: { password: 'hunter2-plaintext-value' } };
      const a = await create(secret, { token: ksToken, dryRun: true });
      expect(a.status).toBe(201);
      expect(JSON.stringify(a.warnings)).not.toContain('hunter2');
    }, 150_000);

    test('a refused Secret does not echo its value in the API server answer', async () => {
      const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak', namespace: NS, labels: KS }, data: { GITHUB_TOKEN: token } };
      const a = await create(cm, { token: ksToken, dryRun: true });
      expect(a.status).toBe(403);
      expect(String(a.body['message'])).toContain('secrets/credential-in-configmap');
      expect(JSON.stringify(a)).not.toContain(token);
      expect(hook.log()).not.toContain(token);
    }, 150_000);
  });

  describe('webhook: failurePolicy and timeouts, as the API server applies them', () => {
    /** A TCP server that accepts connections and never answers: the API server's call times out. */
    async function silentServer(): Promise<number> {
      const s = createServer((sock) => sockets.push(sock));
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return (s.address() as { port: number }).port;
    }
    /** A port nothing listens on. */
    async function closedPort(): Promise<number> {
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const { port } = s.address() as { port: number };
      await new Promise<void>((r) => s.close(() => r()));
      return port;
    }
    // Objects carry a label only these configurations select, so the shipped one stays out of it.
    const only = (w: Json, policy: string, timeoutSeconds?: number) => {
      w['failurePolicy'] = policy;
      w['objectSelector'] = { matchLabels: { 'syncgate.test/failure': policy.toLowerCase() } };
      if (timeoutSeconds) w['timeoutSeconds'] = timeoutSeconds;
    };
    const cm = (name: string, policy: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { 'syncgate.test/failure': policy } }, data: { a: 'b' } });

    test('an unreachable webhook with failurePolicy Fail refuses; with Ignore admits', async () => {
      const port = await closedPort();
      const ca = new TestCA(hook.dir, 'unused-ca');
      await register(shippedVWC('wh-unreachable-fail', `https://127.0.0.1:${port}/validate`, ca.pem, (w) => only(w, 'Fail')));
      const a = await until(
        'the unreachable Fail webhook to take effect',
        () => create(cm('unreach', 'fail'), { token: ksToken, dryRun: true }),
        (x) => x.status !== 201,
      );
      expect(a.status).toBe(500);
      expect(String(a.body['message'])).toMatch(/^Internal error occurred: failed calling webhook "kustomizations\.flux\.syncgate\.dev": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/validate\?timeout=10s": dial tcp 127\.0\.0\.1:\d+: connect: connection refused/);
      await register(shippedVWC('wh-unreachable-ignore', `https://127.0.0.1:${port}/validate`, ca.pem, (w) => only(w, 'Ignore')));
      // Ignore: admitted even though the call fails (poll: the configuration needs a moment).
      await waitFor('the unreachable Ignore webhook to take effect', async () => {
        const x = await create(cm('unreach-ignore', 'ignore'), { token: ksToken, dryRun: true });
        return x.status === 201 ? x : undefined;
      });
    }, 150_000);

    test('a webhook that does not answer within timeoutSeconds: Fail refuses, Ignore admits', async () => {
      const port = await silentServer();
      const ca = new TestCA(hook.dir, 'silent-ca');
      await register(shippedVWC('wh-timeout-fail', `https://127.0.0.1:${port}/validate`, ca.pem, (w) => only(w, 'Fail', 1)));
      const started = Date.now();
      const a = await until(
        'the silent Fail webhook to take effect',
        () => create(cm('slow', 'fail'), { token: ksToken, dryRun: true }),
        (x) => x.status !== 201,
      );
      expect(String(a.body['message'])).toMatch(/failed calling webhook "kustomizations\.flux\.syncgate\.dev".*(context deadline exceeded|Client\.Timeout|timeout)/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    }, 150_000);
  });

  /** The serial number of the certificate the webhook serves now (no verification: only read it). */
  function servedSerial(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        const serial = s.getPeerCertificate().serialNumber;
        s.destroy();
        resolve(serial);
      });
      s.on('error', reject);
    });
  }

  describe('webhook: certificate rotation, observed through the API server', () => {
    test('a new serving certificate from the same CA is picked up without a restart', async () => {
      hook.ca.issue('two', '0x2002');
      hook.mount('two');
      await waitFor('the rotated certificate to be served', async () => ((await servedSerial(hook.port)) === '2002' ? true : undefined));
      const a = await create(deployment('deployment-privileged.json', 'rot'), { token: ksToken, dryRun: true });
      expect(a.status).toBe(403);
      expect(String(a.body['message'])).toContain('pss-baseline/privileged');
    }, 150_000);

    test('a certificate from a new CA: new connections need the new caBundle (cert-manager injects it)', async () => {
      const other = new TestCA(hook.dir, 'other-ca');
      other.issue('three', '0x3003');
      hook.mount('three');
      await waitFor('the new-CA certificate to be served', async () => ((await servedSerial(hook.port)) === '3003' ? true : undefined));
      const labelled = (name: string, value: string) => deployment('deployment-privileged.json', name, NS, { ...KS, 'syncgate.test/rotation': value });
      const only = (value: string) => (w: Json) => void (w['objectSelector'] = { matchLabels: { 'syncgate.test/rotation': value } });
      // A configuration still carrying the old CA (a URL of its own, so the API server opens a new
      // connection): the handshake with the new certificate fails, failurePolicy Fail refuses.
      await register(shippedVWC('wh-rotation-old-ca', `https://localhost:${hook.port}/validate`, hook.ca.pem, only('old')));
      const broken = await until('the old-CA configuration to take effect', () => create(labelled('rot-old', 'old'), { token: ksToken, dryRun: true }), (a) => a.status === 500);
      expect(String(broken.body['message'])).toMatch(/failed calling webhook "kustomizations\.flux\.syncgate\.dev".*x509: certificate signed by unknown authority/);
      // The new caBundle: the refusal is ours again.
      await register(shippedVWC('wh-rotation-new-ca', `https://localhost:${hook.port}/validate/`, other.pem, only('new')));
      const ok = await until('the new-CA configuration to take effect', () => create(labelled('rot-new', 'new'), { token: ksToken, dryRun: true }), (a) => a.status === 403);
      expect(String(ok.body['message'])).toMatch(DENIED('kustomizations.flux.syncgate.dev'));
      expect(String(ok.body['message'])).toContain('pss-baseline/privileged');
    }, 150_000);
  });
});
