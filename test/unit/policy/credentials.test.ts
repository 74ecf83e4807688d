// Credential-by-name classification (Kubescape C-0012, made precise), the repo-file index and
// secrets/plaintext-secret judged against the files the values were committed in.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialAssignments, isCredentialName, isLiteralCredentialValue } from '../../../src/policy/packs/credential-names.js';
import { SourceFiles } from '../../../src/policy/index.js';
import { config, context, res } from './harness.js';
import { scanSync } from '../../../src/policy/index.js';

test.each([
  ['MYSQL_ROOT_PASSWORD', true], ['DATA_SOURCE_PASS', true], ['dbPassword', true], ['API_KEY', true], ['aws_secret_access_key', true], ['GITHUB_TOKEN', true],
  ['OAUTH_CLIENT_SECRET', true], ['spring.datasource.password', true], ['secret_key', true], ['JWT', true], ['REDIS_PASSWD', true], ['SSH_KEY', true],
  ['PASSWORD_FILE', false], ['MYSQL_PASSWORD_FILE', false], ['SECRET_NAME', false], ['TOKEN_TTL', false], ['CACHE_KEY_PREFIX', false], ['TOKENIZER_MODEL', false],
  ['API_KEY_HEADER', false], ['PASSWORD_MIN_LENGTH', false], ['AWS_ACCESS_KEY_ID', false], ['COMPASS_URL', false], ['PASSTHROUGH', false], ['KEY', false], ['GF_AUTH_GENERIC_OAUTH_TOKEN_URL', false],
  ['PASSWORD_HASH_ALGORITHM', false], ['SECRETARY', false], ['LOG_LEVEL', false], ['token_hint', false],
])('isCredentialName(%s) = %s', (name, want) => {
  expect(isCredentialName(name)).toBe(want);
});

test.each([
  ['fake_password', true], ['changeme', true], ['postgres://u:pw@db/x', true],
  ['', false], ['no', false], ['true', false], ['3600', false], ['30m', false], ['/etc/secret/pw', false], ['$(MYSQL_PASSWORD)', false], ['${TOKEN}', false],
  ['{{ .Values.x }}', false], ['https://sso.example.com/token', false], ['MYSQL_PASSWORD', false], ['abc', false], ['two words', false],
])('isLiteralCredentialValue(%j) = %s', (value, want) => {
  expect(isLiteralCredentialValue(value)).toBe(want);
});

test('credential-named settings in config texts', () => {
  const text = ['[security]', 'admin_user = admin', 'secret_key = sw2ycwtib9zp', 'password = $__file{/x}', 'spring.datasource.password=props-pw', '"apiKey": "k-123456",', 'token_ttl: 5m'].join('\n');
  expect(credentialAssignments(text).map((a) => `${a.line}:${a.name}`)).toEqual(['2:secret_key', '4:spring.datasource.password', '5:apiKey']);
});

describe('SourceFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sources-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('finds whole tokens with file and line, skips .git, binaries, symlinks and oversized files', () => {
    mkdirSync(join(dir, 'app'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'app', 'values.yaml'), 'a: 1\npassword: hunter22x\nother: xhunter22xy\n');
    writeFileSync(join(dir, '.git', 'config'), 'gitonly-value-1\n');
    writeFileSync(join(dir, 'bin.dat'), Buffer.from([0, 1, 2, ...Buffer.from('binary-value-12')]));
    writeFileSync(join(dir, 'big.txt'), `big-value-1234 ${'x'.repeat(64)}`);
    const outside = mkdtempSync(join(tmpdir(), 'sources-out-'));
    writeFileSync(join(outside, 'f.txt'), 'outside-value-1\n');
    symlinkSync(join(outside, 'f.txt'), join(dir, 'link.txt'));
    const s = new SourceFiles(dir, [], 'repo/', { fileBytes: 64, totalBytes: 1 << 20, files: 100 });
    expect(s.locate('hunter22x')).toEqual({ file: 'repo/app/values.yaml', line: 2 });
    expect(s.locate('hunter22')).toBeUndefined(); // not a whole token
    for (const v of ['gitonly-value-1', 'binary-value-12', 'big-value-1234', 'outside-value-1']) expect(s.locate(v)).toBeUndefined();
    rmSync(outside, { recursive: true, force: true });
  });

  test('a repo over the caps is searched in part, and the scan says so', () => {
    for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, `${n}.yaml`), `${n}: value-${n}-12345\n`);
    const s = new SourceFiles(dir, [], '', { fileBytes: 1024, totalBytes: 1 << 20, files: 2 });
    const secret = res({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team-a' }, stringData: { password: 'value-c-12345' } });
    const r = scanSync({ resources: [secret], config: config({ packs: ['secrets'] }), context: context(), scope: 'app', sources: s });
    expect(r.findings).toEqual([]);
    expect(s.truncated).toBe(true);
    expect(r.notices.map((n) => n.message)).toContain('the repo is larger than the file index caps (20000 files, 64 MiB): secrets/plaintext-secret looked for committed values in part of it');
  });

  test('a multi-line needle is looked for by its longest line', () => {
    const s = new SourceFiles(undefined, [{ file: 'v.yaml', text: 'cert: |\n  short\n  MIIBlongbase64lineofacertificate0123456789\n' }]);
    expect(s.locate('short\nMIIBlongbase64lineofacertificate0123456789\n')).toEqual({ file: 'v.yaml', line: 3 });
    expect(s.locate('a\nb')).toBeUndefined();
  });
});

describe('secrets/plaintext-secret with the repo files', () => {
  const secret = (data: Record<string, string>, field = 'data') => res({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team-a' }, [field]: data });
  const run = (r: ReturnType<typeof secret>, files: { file: string; text: string }[]) =>
    scanSync({ resources: [r], config: config({ packs: ['secrets'] }), context: context(), scope: 'app', sources: new SourceFiles(undefined, files) }).findings.map((f) => `${f.path}: ${f.message}`);
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  test.each([
    ['a value written in a values file', secret({ password: b64('fake_password') }), [{ file: 'values.yaml', text: 'auth:\n  password: fake_password\n' }], ['data["password"]: Secret data key "password" is committed in plaintext in values.yaml:2']],
    ['its base64 in a manifest', secret({ token: b64('a-token-value') }), [{ file: 's.yaml', text: `data:\n  token: ${b64('a-token-value')}\n` }], ['data["token"]: Secret data key "token" is committed base64-encoded in s.yaml:2']],
    ['a generated value', secret({ password: b64('Zx81kQ0aPq7LmN2w') }), [{ file: 'values.yaml', text: 'password: ""\n' }], []],
    ['connection details', secret({ username: b64('app_user'), host: b64('db.example.com') }), [{ file: 'values.yaml', text: 'username: app_user\nhost: db.example.com\n' }], []],
    ['a config value without credentials', secret({ 'alertmanager.yaml': 'global:\n  resolve_timeout: 5m\nroute:\n  receiver: ops\n' }, 'stringData'), [{ file: 'values.yaml', text: 'resolve_timeout: 5m\nreceiver: ops\n' }], []],
    ['a config value with a committed credential', secret({ 'c.yaml': 'global:\n  smtp_auth_password: relay-pw-42\n' }, 'stringData'), [{ file: 'values.yaml', text: 'smtp_auth_password: relay-pw-42\n' }], ['stringData["c.yaml"]: Secret stringData key "c.yaml" is committed as the "smtp_auth_password" setting in values.yaml:1']],
  ])('%s', (_name, r, files, want) => {
    expect(run(r, files)).toEqual(want);
  });

  test('SOPS-decrypted Secrets are never reported; without the repo files every plaintext Secret is', () => {
    const r = secret({ password: b64('fake_password') });
    expect(run({ ...r, decryptedBy: 'team-a', encryptedInRepo: true }, [{ file: 'v', text: 'fake_password' }])).toEqual([]);
    const noSources = scanSync({ resources: [r], config: config({ packs: ['secrets'] }), context: context(), scope: 'app' });
    expect(noSources.findings.map((f) => f.path)).toEqual(['data']);
  });
});

describe('credential by name', () => {
  const scan = (objects: unknown[]) => scanSync({ resources: objects.map((o) => res(o)), config: config({ packs: ['secrets'] }), context: context(), scope: 'app' }).findings.map((f) => `${f.policy} ${f.path}`);
  test('env literals and ConfigMap keys', () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'team-a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x', env: [
      { name: 'MYSQL_ROOT_PASSWORD', value: 'fake_password' }, { name: 'MYSQL_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }, { name: 'PASSWORD_FILE', value: '/run/pw' },
    ] }] } } } };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a' }, data: { DB_PASSWORD: 'cm-literal-pw', DB_HOST: 'db', 'app.ini': 'token = abcdefgh123\nlevel = debug\n' } };
    expect(scan([dep, cm])).toEqual([
      'secrets/credential-in-configmap data["DB_PASSWORD"]',
      'secrets/credential-in-configmap data["app.ini"]',
      'secrets/credential-in-env spec.template.spec.containers[0].env[0].value',
    ]);
  });
});
