// Precision of the secrets pack on fixture charts that reproduce what real charts do
// (test/fixtures/policy/credentials): a Bitnami-style database chart (generated root password,
// literal password in values, secretKeyRef done right, an exporter with literal env), a
// cert-manager-style webhook (genCA/genSignedCert/genSelfSignedCert, random session secrets), a
// monitoring chart (Alertmanager config Secret from values with an SMTP password, a config Secret
// without credentials, Grafana admin Secret and grafana.ini), a Kustomize app (secretGenerator and
// configMapGenerator literals, env literals and placeholders) and plain manifests. Rendered with
// the real helm and kustomize through gate(); every finding is compared with the hand-made labels.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultConfig } from '../../../src/config/index.js';
import { gate, type GateResult } from '../../../src/gate/index.js';
import { createLogger } from '../../../src/log/index.js';
import type { Finding } from '../../../src/policy/index.js';

const project = resolve(import.meta.dirname, '..', '..', '..');
const repo = join(project, 'test', 'fixtures', 'policy', 'credentials');
const savedPath = process.env['PATH'];
const savedWorkdir = process.env['SYNCGATE_WORKDIR'];
let work: string;
beforeAll(() => {
  process.env['PATH'] = `${join(project, '.tools', 'bin')}:${savedPath ?? ''}`;
});
afterAll(() => {
  process.env['PATH'] = savedPath;
});
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cred-it-'));
  process.env['SYNCGATE_WORKDIR'] = work;
});
afterEach(() => {
  expect(readdirSync(work)).toEqual([]);
  rmSync(work, { recursive: true, force: true });
  if (savedWorkdir === undefined) delete process.env['SYNCGATE_WORKDIR'];
  else process.env['SYNCGATE_WORKDIR'] = savedWorkdir;
});

const APPS = ['db', 'webhook', 'monitoring', 'kustomize-app', 'plain'] as const;
const POLICIES = ['secrets/plaintext-secret', 'secrets/credential-in-env', 'secrets/credential-in-configmap'] as const;

/** The real credentials in the fixtures: `policy object path` (and where plaintext-secret must say it is). */
const LABELS: Readonly<Record<string, string | undefined>> = {
  'secrets/plaintext-secret Secret/shop/db-db data["mysql-password"]': 'db/values.yaml:6',
  'secrets/plaintext-secret Secret/shop/monitoring-alertmanager stringData["alertmanager.yaml"]': 'monitoring/values.yaml:7',
  'secrets/plaintext-secret Secret/shop/monitoring-grafana data["admin-password"]': 'monitoring/values.yaml:21',
  'secrets/plaintext-secret Secret/shop/api data["api-token"]': 'kustomize-app/kustomization.yaml:9',
  'secrets/plaintext-secret Secret/shop/plain-string stringData["password"]': 'plain/secrets.yaml:7',
  'secrets/plaintext-secret Secret/shop/plain-base64 data["token"]': 'plain/secrets.yaml:16',
  'secrets/credential-in-env StatefulSet/shop/db-db spec.template.spec.containers[1].env[1].value': undefined,
  'secrets/credential-in-env Deployment/shop/shop spec.template.spec.containers[0].env[1].value': undefined,
  'secrets/credential-in-configmap ConfigMap/shop/monitoring-grafana data["grafana.ini"]': undefined,
  'secrets/credential-in-configmap ConfigMap/shop/settings data["DB_PASSWORD"]': undefined,
  'secrets/credential-in-configmap ConfigMap/shop/app-properties data["application.properties"]': undefined,
};

async function render(app: string): Promise<GateResult> {
  return gate({
    appDir: join(repo, app),
    repoRoot: repo,
    context: { appName: app, namespace: 'shop', project: 'shop', repoURL: '', sourcePath: app, revision: '', kubeVersion: '', apiVersions: [] },
    options: {},
    config: defaultConfig(),
    logger: createLogger({ level: 'silent' }),
  });
}

const key = (f: Finding): string => `${f.policy} ${f.object} ${f.path}`;

/** Kubescape C-0012's env rule as regolibrary writes it (substring match of sensitiveKeyNames), for comparison. */
const C0012_NAMES = ['aws_secret_access_key', 'azure_batchai_storage_key', 'azure_batch_key', 'secret', 'key', 'password', 'pwd', 'token', 'jwt', 'bearer', 'credential'];

test('precision and recall of the secrets pack on the fixture charts', async () => {
  const found: Finding[] = [];
  let secrets = 0;
  let secretsWithCommittedValue = 0;
  let envLiterals = 0;
  let c0012 = 0;
  let c0012True = 0;
  for (const app of APPS) {
    const r = await render(app);
    found.push(...r.scan.findings.filter((f) => (POLICIES as readonly string[]).includes(f.policy)));
    for (const res of r.resources) {
      if (res.object.kind === 'Secret') {
        secrets++;
        if (Object.keys(LABELS).some((k) => k.startsWith(`secrets/plaintext-secret Secret/shop/${res.object.metadata.name} `))) secretsWithCommittedValue++;
      }
      const spec = (res.object['spec'] as { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } | undefined)?.template?.spec;
      for (const [ci, c] of (spec?.containers ?? []).entries()) {
        for (const [ei, e] of (c.env ?? []).entries()) {
          if (e.value === undefined) continue;
          envLiterals++;
          if (e.value !== '' && !e.value.startsWith('/') && C0012_NAMES.some((n) => e.name.toLowerCase().includes(n))) {
            c0012++;
            if (`secrets/credential-in-env ${res.object.kind}/shop/${res.object.metadata.name} spec.template.spec.containers[${ci}].env[${ei}].value` in LABELS) c0012True++;
          }
        }
      }
    }
  }
  const keys = [...new Set(found.map(key))].sort();
  const labels = Object.keys(LABELS).sort();
  const tp = keys.filter((k) => labels.includes(k)).length;
  const stats = {
    findings: keys.length,
    truePositives: tp,
    precision: keys.length ? tp / keys.length : 1,
    recall: tp / labels.length,
    secretsRendered: secrets,
    oldPlaintextSecretHits: secrets, // before: every Secret with data not from SOPS
    oldPlaintextSecretPrecision: secretsWithCommittedValue / secrets,
    envLiterals,
    kubescapeC0012EnvHits: c0012,
    kubescapeC0012EnvPrecision: c0012 ? c0012True / c0012 : 1,
  };
  process.stdout.write(`secrets pack on fixture charts: ${JSON.stringify(stats)}\n`);
  expect(keys).toEqual(labels);
  // plaintext-secret says where the value is committed, and never prints it.
  for (const f of found.filter((x) => x.policy === 'secrets/plaintext-secret')) {
    expect(f.message).toContain(` in ${LABELS[key(f)] ?? '?'}`);
    for (const v of ['fake_password', 'smtp-relay-pw-42', 'strong-admin-pass', 'kz-literal-token-5521', 'plain-manifest-secret', 'base64-manifest-token']) expect(f.message).not.toContain(v);
  }
  expect(stats.kubescapeC0012EnvPrecision).toBeLessThan(stats.precision);
  expect(stats.oldPlaintextSecretPrecision).toBeLessThan(stats.precision);
}, 120_000);
