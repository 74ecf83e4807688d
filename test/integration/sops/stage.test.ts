import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSyncgateError } from '../../../src/errors/index.js';
import { gate } from '../../../src/gate/index.js';
import type { AppContext } from '../../../src/request/index.js';
import type { GateRequest } from '../../../src/gate/types.js';
import { silentLogger } from '../../../src/log/index.js';
import { prepareSecrets } from '../../../src/sops/index.js';
import { FIXTURES, testConfig } from './support.js';

const ctx: AppContext = { appName: 'app-a', namespace: 'team-a', project: 'team-a', repoURL: 'https://git.example.com/team-a/app', sourcePath: 'app', revision: 'HEAD', kubeVersion: '', apiVersions: [] };
const encFixture = (f: string): string => join(FIXTURES, 'enc', f);

const repos: string[] = [];
afterAll(() => {
  for (const r of repos) rmSync(r, { recursive: true, force: true });
});

function repo(files: Record<string, string>, copies: Record<string, string> = {}): { root: string; app: string } {
  const root = mkdtempSync(join(tmpdir(), 'sg-stage-repo-'));
  repos.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  for (const [p, fixture] of Object.entries(copies)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    copyFileSync(encFixture(fixture), join(root, p));
  }
  return { root, app: join(root, 'app') };
}

const chart = {
  'app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
  'app/values.yaml': 'db:\n  password: placeholder\n  user: default\nreplicas: 1\n',
  'app/templates/secret.yaml':
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {{ .Values.db.password | quote }}\n  user: {{ .Values.db.user | quote }}\n  replicas: {{ .Values.replicas | quote }}\n',
};

describe('SOPS pipeline stage', () => {
  const base = mkdtempSync(join(tmpdir(), 'sg-stage-work-'));
  const savedWorkdir = process.env['SYNCGATE_WORKDIR'];
  beforeAll(() => {
    process.env['SYNCGATE_WORKDIR'] = base;
  });
  afterAll(() => {
    if (savedWorkdir === undefined) Reflect.deleteProperty(process.env, 'SYNCGATE_WORKDIR');
    else process.env['SYNCGATE_WORKDIR'] = savedWorkdir;
    rmSync(base, { recursive: true, force: true });
  });

  const req = (r: { root: string; app: string }, extra: Partial<GateRequest> = {}): GateRequest => ({
    appDir: r.app,
    repoRoot: r.root,
    context: ctx,
    options: {},
    config: testConfig(),
    logger: silentLogger(),
    ...extra,
  });

  test('a Helm values file matching the patterns is decrypted in memory, for helm\'s stdin, before helm template', async () => {
    const r = repo(chart, { 'app/secrets.yaml': 'values-secrets.yaml' });
    const work = mkdtempSync(join(base, 'manual-'));
    const prepared = await prepareSecrets(req(r), work);
    expect(prepared.helmValues?.toString('utf8')).toContain('CANARY-helm-values-3333');
    expect(prepared.helmValues?.toString('utf8')).not.toContain('sops');
    // Nothing decrypted is written to disk for helm.
    expect(readdirSync(work)).toEqual([]);
    rmSync(work, { recursive: true, force: true });

    const result = await gate(req(r));
    const secret = result.resources.find((x) => x.object.kind === 'Secret')!.object as unknown as { stringData: Record<string, string> };
    expect(secret.stringData).toEqual({ password: 'CANARY-helm-values-3333', user: 'app', replicas: '2' });
    // Built from a decrypted values file: marked, so the secrets policy knows it was encrypted in Git.
    expect(result.resources.find((x) => x.object.kind === 'Secret')!.decryptedBy).toBe('team-a');
    expect(result.decision.refused).toBe(false);
    expect(result.redactor.mask('x CANARY-helm-values-3333 y')).toBe('x ***** y');
    expect(readdirSync(base).filter((d) => !d.startsWith('manual-'))).toEqual([]);
  });

  test('a named encrypted values file is taken out of the values helm reads and replaced by its plaintext', async () => {
    const r = repo(chart, { 'app/env/prod-creds.yaml': 'values-secrets.yaml' });
    const request = req(r, { options: { valueFiles: ['values.yaml', 'env/prod-creds.yaml'] } });
    const work = mkdtempSync(join(base, 'manual-'));
    const prepared = await prepareSecrets(request, work);
    expect(prepared.valueFiles).toEqual(['values.yaml']);
    expect(request.options.valueFiles).toEqual(['values.yaml']);
    expect(prepared.decrypted).toEqual([{ file: 'app/env/prod-creds.yaml', keys: ['team-a'] }]);
    rmSync(work, { recursive: true, force: true });
    const result = await gate(req(r, { options: { valueFiles: ['values.yaml', 'env/prod-creds.yaml'] } }));
    expect(JSON.stringify(result.resources)).toContain('CANARY-helm-values-3333');
  });

  test('a Secret built from decrypted values must land in a granted namespace', async () => {
    const r = repo({ ...chart, 'app/templates/secret.yaml': chart['app/templates/secret.yaml'].replace('name: db', 'name: db\n  namespace: kube-system') }, { 'app/secrets.yaml': 'values-secrets.yaml' });
    const e = await gate(req(r)).catch((x: unknown) => x);
    expect(isSyncgateError(e, 'SOPS_NAMESPACE_NOT_GRANTED')).toBe(true);
    expect(String(e)).toContain('Secret/kube-system/db: decrypted with key team-a, which is not granted namespace kube-system');
  });

  test('a values file path escaping the repo is refused', async () => {
    const r = repo(chart, { 'app/secrets.yaml': 'values-secrets.yaml' });
    const work = mkdtempSync(join(base, 'manual-'));
    const e = await prepareSecrets(req(r, { options: { valueFiles: ['../../../../etc/passwd'] } }), work).catch((x: unknown) => x);
    expect(isSyncgateError(e, 'RENDER_PATH_OUTSIDE_REPO')).toBe(true);
    expect(String(e)).toBe('RENDER_PATH_OUTSIDE_REPO: values file ../../../../etc/passwd: resolves outside the repo root');
    expect(readdirSync(work)).toEqual([]);
  });

  test('kustomize secretGenerator files and envs are decrypted in a private copy of the repo', async () => {
    const r = repo(
      {
        'app/kustomization.yaml':
          'resources:\n  - ../base\nsecretGenerator:\n  - name: app-env\n    envs: [generator.env]\n  - name: app-file\n    files: [token.txt=generator-file.txt]\ngeneratorOptions:\n  disableNameSuffixHash: true\n',
        'base/kustomization.yaml': 'resources: [cm.yaml]\n',
        'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  a: b\n',
      },
      { 'app/generator.env': 'generator.env', 'app/generator-file.txt': 'generator-file.txt' },
    );
    const work = mkdtempSync(join(base, 'manual-'));
    const prepared = await prepareSecrets(req(r), work);
    expect(prepared.appDir).toBe(join(work, 'sops-repo', 'app'));
    expect(statSync(join(prepared.appDir, 'generator.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(prepared.appDir, 'generator.env'), 'utf8')).toBe('API_TOKEN=CANARY-generator-env-3434\nMODE=prod\n');
    expect(readFileSync(join(r.app, 'generator.env'), 'utf8')).toContain('ENC[AES256_GCM');
    rmSync(work, { recursive: true, force: true });

    const result = await gate(req(r));
    const byName = Object.fromEntries(result.resources.map((x) => [x.object.metadata.name, x.object as { data?: Record<string, string> }]));
    expect(Buffer.from(byName['app-env']!.data!['API_TOKEN']!, 'base64').toString()).toBe('CANARY-generator-env-3434');
    expect(Buffer.from(byName['app-file']!.data!['token.txt']!, 'base64').toString()).toBe('CANARY-generator-file-3535\n');
    expect(byName['base']).toBeDefined();
  });

  test.each([
    ['pass-through (kustomize reorders fields)', 'secret.yaml', ''],
    ['namespace and labels added by kustomize', 'secret.yaml', 'namespace: team-a\nlabels: [{pairs: {tier: x}}]\n'],
    ['mac_only_encrypted resource', 'maconly.yaml', 'namespace: team-a-dev\n'],
  ])('a SOPS resource of a kustomization: %s (file MAC verified before the build)', async (_what, fixture, extra) => {
    const r = repo({ 'app/kustomization.yaml': `resources: [../base]\n${extra}`, 'base/kustomization.yaml': 'resources: [s.yaml]\n' }, { 'base/s.yaml': fixture });
    const result = await gate(req(r));
    const s = result.resources[0]!;
    expect(s.decryptedBy).toBe('team-a');
    expect(s.object['sops']).toBeUndefined();
    expect(JSON.stringify(s.object)).toMatch(/CANARY-(secret-password-4e4e|maconly-2020)/);
    expect(JSON.stringify(s.object)).not.toContain('ENC[');
  });

  test('kustomize resources: a ciphertext not from a verified file, or moved by a patch, is refused', async () => {
    const moved = repo(
      {
        'app/kustomization.yaml':
          'resources: [s.yaml]\npatches:\n  - target: {kind: Secret}\n    patch: |-\n      - op: move\n        from: /stringData/password\n        path: /stringData/other\n',
      },
      { 'app/s.yaml': 'secret.yaml' },
    );
    const e = await gate(req(moved)).catch((x: unknown) => x);
    expect(isSyncgateError(e)).toBe(true);
    expect((e as { code: string }).code).toMatch(/^SOPS_(DECRYPT_FAILED|MAC_MISMATCH)$/);
    const tampered = repo({ 'app/kustomization.yaml': 'resources: [s.yaml]\n', 'app/s.yaml': readFileSync(encFixture('secret.yaml'), 'utf8').replace('app: db', 'app: evil') });
    const e2 = await gate(req(tampered)).catch((x: unknown) => x);
    expect(isSyncgateError(e2, 'SOPS_MAC_MISMATCH')).toBe(true);
  });

  test('a generator file of another tenant is refused before kustomize runs', async () => {
    const r = repo(
      { 'app/kustomization.yaml': 'secretGenerator:\n  - name: s\n    files: [team-b.yaml]\n' },
      { 'app/team-b.yaml': 'team-b.yaml' },
    );
    const e = await gate(req(r)).catch((x: unknown) => x);
    expect(isSyncgateError(e, 'SOPS_KEY_NOT_GRANTED')).toBe(true);
    expect(String(e)).toContain('app/team-b.yaml: encrypted for team-b');
  });

  test('a plain directory app: every object carrying sops metadata is decrypted, any kind', async () => {
    const r = repo({}, { 'app/secret.yaml': 'secret.yaml', 'app/cm.yaml': 'configmap.yaml', 'app/mac-only.yaml': 'maconly.yaml' });
    const result = await gate(req(r));
    const objs = result.resources.map((x) => ({ kind: x.object.kind, by: x.decryptedBy, enc: x.encryptedInRepo, sops: 'sops' in x.object }));
    expect(objs).toEqual([
      { kind: 'ConfigMap', by: 'team-a', enc: true, sops: false },
      { kind: 'Secret', by: 'team-a', enc: true, sops: false },
      { kind: 'Secret', by: 'team-a', enc: true, sops: false },
    ]);
    expect(JSON.stringify(result.resources)).toContain('CANARY-configmap-dsn-3a3a');
  });

  test('a 2-of-3 key group file opens with two granted keys and is refused with one', async () => {
    const groups = readFileSync(encFixture('groups.yaml'), 'utf8');
    const { decryptDocument, parseSops } = await import('../../../src/sops/decrypt-file.js');
    const { loadKeyStore, isGranted } = await import('../../../src/sops/keystore.js');
    const config = testConfig({ 'team-b': { projects: ['team-a'] } });
    const store = await loadKeyStore(config);
    const two = store.keys.filter((k) => isGranted(k, ctx));
    expect(two.map((k) => k.name)).toEqual(['team-a', 'team-b']);
    const d = await decryptDocument('groups.yaml', parseSops('groups.yaml', groups, 'yaml'), { store, granted: two, context: ctx });
    expect(d.keyNames.sort()).toEqual(['team-a', 'team-b']);
    const one = await decryptDocument('groups.yaml', parseSops('groups.yaml', groups, 'yaml'), { store, granted: two.slice(0, 1), context: ctx }).catch((x: unknown) => x);
    expect(isSyncgateError(one, 'SOPS_KEY_NOT_GRANTED')).toBe(true);
    expect(String(one)).toContain('needs 2 of 3 key groups and granted keys open 1');
  });
});
