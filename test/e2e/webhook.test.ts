// The built webhook (`syncgate webhook`) over real HTTPS on loopback, driven as the API server
// drives it. Certificates are made at test time with the openssl CLI; no key is committed.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');
const FIX = join(process.cwd(), 'test', 'fixtures', 'flux', 'webhook');
const fixture = (name: string): Record<string, any> => JSON.parse(readFileSync(join(FIX, name), 'utf8'));

let dir: string;
let child: ChildProcess;
let port: number;
let ca: Buffer;
let stderr = '';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A server certificate for localhost/127.0.0.1 signed by the test CA, with the given serial. */
function issue(name: string, serial: string): void {
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '1', '-out', `${name}.crt`, '-extfile', 'ext.cnf');
}

/** Installs a pair as the mounted files, each replaced atomically (as the kubelet does). */
function mount(name: string): void {
  for (const ext of ['key', 'crt']) {
    writeFileSync(join(dir, `tls.${ext}.tmp`), readFileSync(join(dir, `${name}.${ext}`)));
    renameSync(join(dir, `tls.${ext}.tmp`), join(dir, `tls.${ext}`));
  }
}

interface Reply {
  status: number;
  body: any;
  raw: string;
  serial: string;
}

function send(method: string, path: string, body?: string | Buffer, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, ca, servername: 'localhost', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        const socket: TLSSocket = res.socket as unknown as TLSSocket;
        const serial = socket.getPeerCertificate().serialNumber;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, raw, serial });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let uidSeq = 0;
function review(operation: string, object: unknown, extra: Record<string, unknown> = {}): { uid: string; text: string } {
  const uid = `uid-${++uidSeq}-${Date.now()}`;
  const obj = object as { metadata?: { name?: string; namespace?: string }; kind?: string };
  return {
    uid,
    text: JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: 'apps', version: 'v1', kind: obj?.kind ?? 'Deployment' },
        resource: { group: 'apps', version: 'v1', resource: 'deployments' },
        name: obj?.metadata?.name ?? 'web',
        namespace: obj?.metadata?.namespace ?? 'team-a',
        operation,
        userInfo: { username: 'system:serviceaccount:flux-system:kustomize-controller' },
        object: operation === 'DELETE' ? null : object,
        oldObject: operation === 'CREATE' ? null : object,
        dryRun: false,
        options: { kind: operation === 'UPDATE' ? 'UpdateOptions' : 'CreateOptions', fieldManager: 'kustomize-controller' },
        ...extra,
      },
    }),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-webhook-e2e-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=syncgate-test-ca');
  ca = readFileSync(join(dir, 'ca.crt'));
  issue('one', '0x1001');
  issue('two', '0x2002');
  mount('one');
  child = spawn(
    process.execPath,
    [CLI, '--log-level', 'info', 'webhook', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--port', '0', '--host', '127.0.0.1', '--reload-interval', '100ms'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`webhook did not start: ${stderr}`)), 15_000);
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
      const m = /"port":(\d+),"msg":"webhook listening"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`webhook exited ${code}: ${stderr}`)));
  });
}, 30_000);

afterAll(async () => {
  // The webhook drains and exits on SIGTERM; wait for that (SIGKILL after 10 s) so nothing is left
  // for the environment's reaper.
  const c = child;
  if (c?.pid && c.exitCode === null && c.signalCode === null) {
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('syncgate webhook over HTTPS', () => {
  test('health, readiness and metrics share the TLS port', async () => {
    expect((await send('GET', '/healthz')).raw).toBe('ok\n');
    expect((await send('GET', '/readyz')).status).toBe(200);
    const m = await send('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.raw).toContain('syncgate_requests_total');
  });

  test.each([
    ['CREATE compliant', 'CREATE', 'deployment-compliant.json', {}, true],
    ['CREATE privileged', 'CREATE', 'deployment-privileged.json', {}, false],
    ['UPDATE privileged', 'UPDATE', 'deployment-privileged.json', {}, false],
    ['dry-run CREATE privileged (answered like a real one)', 'CREATE', 'deployment-privileged.json', { dryRun: true }, false],
    ['dry-run UPDATE compliant', 'UPDATE', 'deployment-compliant.json', { dryRun: true }, true],
    ['DELETE is always allowed', 'DELETE', 'deployment-privileged.json', {}, true],
  ])('%s', async (_n, op, file, extra, allowed) => {
    const r = review(op, fixture(file), extra);
    const res = await send('POST', '/validate', r.text);
    expect(res.status).toBe(200);
    expect(res.body.apiVersion).toBe('admission.k8s.io/v1');
    expect(res.body.kind).toBe('AdmissionReview');
    expect(res.body.response.uid).toBe(r.uid);
    expect(res.body.response.allowed).toBe(allowed);
    if (!allowed) {
      expect(res.body.response.status.code).toBe(403);
      expect(res.body.response.status.message).toContain('Deployment/team-a/web');
      expect(res.body.response.status.message).toContain('pss-baseline/privileged');
      expect(res.body.response.auditAnnotations.policies).toContain('pss-baseline/privileged');
    }
  });

  test('warn-mode findings come back as warnings, each at most 120 characters', async () => {
    const r = review('CREATE', fixture('deployment-warn.json'));
    const res = await send('POST', '/validate', r.text);
    expect(res.body.response.allowed).toBe(true);
    expect(res.body.response.warnings.join('\n')).toContain('read-only-root-filesystem');
    for (const w of res.body.response.warnings) expect(w.length).toBeLessThanOrEqual(120);
  });

  test('out of scope: no Flux label and not a Flux controller → allowed untouched', async () => {
    const obj = fixture('deployment-privileged.json');
    delete obj.metadata.labels['kustomize.toolkit.fluxcd.io/name'];
    delete obj.metadata.labels['kustomize.toolkit.fluxcd.io/namespace'];
    const r = review('CREATE', obj, { userInfo: { username: 'alice@example.com' } });
    const res = await send('POST', '/validate', r.text);
    expect(res.body.response).toEqual({ uid: r.uid, allowed: true });
  });

  test('in scope by the controller service account alone (labels stripped)', async () => {
    const obj = fixture('deployment-privileged.json');
    obj.metadata.labels = { 'app.kubernetes.io/name': 'web' };
    const r = review('CREATE', obj);
    const res = await send('POST', '/validate', r.text);
    expect(res.body.response.allowed).toBe(false);
  });

  test('in scope by the helm-controller label', async () => {
    const obj = fixture('deployment-privileged.json');
    obj.metadata.labels = { 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'team-a' };
    const r = review('CREATE', obj, { userInfo: { username: 'bob' } });
    expect((await send('POST', '/validate', r.text)).body.response.allowed).toBe(false);
  });

  test('Secrets arrive decrypted: a Flux-applied Secret is allowed (secrets/plaintext-secret is repo-only)', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'team-a', labels: { 'kustomize.toolkit.fluxcd.io/name': 'team-a' } },
      data: { password: Buffer.from('decrypted-by-flux-7788').toString('base64') },
    };
    const r = review('CREATE', secret);
    const res = await send('POST', '/validate', r.text);
    expect(res.body.response).toEqual({ uid: r.uid, allowed: true });
  });

  test('a credential in a ConfigMap is denied without echoing the credential', async () => {
    const token = 'ghp_' + 'Zx9Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4';
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ci', namespace: 'team-a', labels: { 'kustomize.toolkit.fluxcd.io/name': 'team-a' } },
      data: { GITHUB_TOKEN: token },
    };
    const r = review('CREATE', cm);
    const res = await send('POST', '/validate', r.text);
    expect(res.body.response.allowed).toBe(false);
    expect(res.body.response.status.message).toContain('secrets/credential-in-configmap');
    expect(res.raw).not.toContain(token);
    expect(stderr).not.toContain(token);
  });

  test('a plaintext Secret value never appears in the answer', async () => {
    // The annotation holds a credential a rule matches, so the answer carries a finding about
    // the object and the masking is exercised (an allowed answer would prove nothing).
    const token = 'ghp_' + 'Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Zx9';
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'team-a', labels: { 'kustomize.toolkit.fluxcd.io/name': 'team-a' }, annotations: { note: `token=${token}` } },
      stringData: { password: 'hunter2-plaintext-value' },
      data: { token: Buffer.from('tok-9f8e7d6c5b4a').toString('base64') },
    };
    const r = review('CREATE', secret);
    const res = await send('POST', '/validate', r.text);
    expect(res.status).toBe(200);
    expect(res.body.response.uid).toBe(r.uid);
    expect(res.body.response.allowed).toBe(false);
    expect(res.body.response.status.message).toContain('secrets/credential-in-annotation');
    expect(res.raw).not.toContain(token);
    expect(stderr).not.toContain(token);
    expect(res.raw).not.toContain('hunter2-plaintext-value');
    expect(res.raw).not.toContain('tok-9f8e7d6c5b4a');
    expect(stderr).not.toContain('hunter2-plaintext-value');
  });

  test.each([
    ['not JSON', '{"apiVersion": ', 'admission review: body is not valid JSON'],
    ['wrong kind', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap' }), 'admission review: expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got "v1" "ConfigMap"'],
    ['no uid', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } }), 'admission review: request.uid is missing'],
    ['no object on CREATE', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CREATE' } }), 'admission review: request.object is missing for CREATE'],
    ['bad operation', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'PATCH', object: {} } }), 'admission review: request.operation must be CREATE, UPDATE, DELETE or CONNECT'],
  ])('malformed review (%s) → HTTP 400 WEBHOOK_REVIEW_INVALID', async (_n, body, message) => {
    const res = await send('POST', '/validate', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'WEBHOOK_REVIEW_INVALID', message });
  });

  test('oversize body → HTTP 413 WEBHOOK_BODY_TOO_LARGE, and the server keeps serving', async () => {
    const big = fixture('deployment-compliant.json');
    big.metadata.annotations = { blob: 'x'.repeat(4 * 1024 * 1024) };
    const res = await send('POST', '/validate', review('CREATE', big).text);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('WEBHOOK_BODY_TOO_LARGE');
    expect((await send('GET', '/healthz')).status).toBe(200);
  });

  test('certificate rotation while serving: new connections see the new serial, a kept-alive one keeps working', async () => {
    const keep = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await send('GET', '/healthz', undefined, keep);
    expect(before.serial).toBe('1001');
    mount('two');
    let serial = before.serial;
    const until = Date.now() + 10_000;
    while (serial !== '2002' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      serial = (await send('GET', '/healthz')).serial;
    }
    expect(serial).toBe('2002');
    const r = review('CREATE', fixture('deployment-privileged.json'));
    const res = await send('POST', '/validate', r.text);
    expect(res.serial).toBe('2002');
    expect(res.body.response.allowed).toBe(false);
    // The connection opened before the rotation finishes on the old certificate.
    const old = await send('GET', '/healthz', undefined, keep);
    expect(old.status).toBe(200);
    expect(old.serial).toBe('1001');
    keep.destroy();
    // A broken pair (key of another cert) is refused and the current one stays.
    writeFileSync(join(dir, 'tls.key'), readFileSync(join(dir, 'one.key')));
    await new Promise((r) => setTimeout(r, 400));
    expect((await send('GET', '/healthz')).serial).toBe('2002');
    expect(stderr).toContain('webhook certificate not reloaded');
  }, 20_000);
});

describe('syncgate webhook start-up', () => {
  test.each([
    ['a missing certificate', () => [join(dir, 'absent.crt'), join(dir, 'one.key')], /^WEBHOOK_TLS_INVALID: .*absent\.crt.*: cannot read: ENOENT$/m],
    ['a key that does not match the certificate', () => [join(dir, 'one.crt'), join(dir, 'two.key')], /^WEBHOOK_TLS_INVALID: .*: unusable certificate\/key pair: /m],
  ])('refuses to start with %s (exit 2)', (_n, files, message) => {
    const [cert, key] = files();
    const r = spawnSync(process.execPath, [CLI, 'webhook', '--tls-cert', cert!, '--tls-key', key!, '--port', '0', '--host', '127.0.0.1'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});
