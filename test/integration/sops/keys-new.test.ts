import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parseAllDocuments, parse } from 'yaml';
import { buildProgram } from '../../../src/cli/program.js';
import { parseConfig } from '../../../src/config/index.js';
import { parseResources } from '../../../src/k8s/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { decryptResources } from '../../../src/sops/index.js';
import { sopsEncrypt, sopsWith } from './support.js';

async function cli(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync(['node', 'syncgate', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = process.exitCode ?? 0;
  process.exitCode = 0;
  // jest's ESM mode makes node print an ExperimentalWarning on the first VM module import.
  err = err.replace(/^\(node:\d+\) ExperimentalWarning.*\n(\(Use `node --trace-warnings.*\n)?/m, '');
  return { out, err, code };
}

describe('syncgate keys new', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-keys-new-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('creates a key whose printed snippets work with the real sops and the syncgate stage', async () => {
    const out = join(dir, 'team-x.agekey');
    const r = await cli(['keys', 'new', 'team-x', '--project', 'px', '--namespace', 'team-x', '--namespace', 'team-x-*', '--repo', 'https://git.example.com/x/*', '--out', out]);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const identity = /AGE-SECRET-KEY-1[0-9A-Z]+/.exec(readFileSync(out, 'utf8'))![0];
    expect(r.out).not.toContain(identity);
    expect(r.out).not.toContain('AGE-SECRET-KEY');
    const recipient = r.out.split('\n')[1]!;
    expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);

    const sections = r.out.split('\n\n').map((s) => s.split('\n').filter((l) => !l.startsWith('#')).join('\n'));
    const rule = parse(sections[1]!) as { creation_rules: Record<string, unknown>[] };
    const keys = (parse(sections[2]!) as { keys: { ageIdentityFile: string }[] }).keys;
    const secret = parseAllDocuments(sections[3]!)[0]!.toJS() as { kind: string; metadata: { name: string } };
    expect(secret).toMatchObject({ kind: 'Secret', metadata: { name: 'syncgate-age-keys', namespace: 'argocd' }, stringData: { 'team-x.txt': '<contents of the identity file>' } });
    expect(keys[0]).toMatchObject({ name: 'team-x', ageIdentityFile: '/etc/syncgate/keys/team-x.txt', grants: { projects: ['px'], namespaces: ['team-x', 'team-x-*'], repos: ['https://git.example.com/x/*'] } });

    // The tenant encrypts with the printed rule; the platform mounts the key where the snippet says.
    const plain = join(dir, 'secret.yaml');
    writeFileSync(plain, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: fresh-key-secret\n');
    const encrypted = sopsEncrypt(plain, { ...rule.creation_rules[1], path_regex: '.*' }).toString('utf8');
    keys[0]!.ageIdentityFile = out;
    const config = parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { keys } });
    const ctx = { appName: 'a', namespace: 'team-x-dev', project: 'px', repoURL: 'https://git.example.com/x/repo.git', sourcePath: '.', revision: '', kubeVersion: '', apiVersions: [] };
    const [res] = await decryptResources(parseResources(encrypted, '(rendered)'), { appDir: dir, repoRoot: dir, context: ctx, options: {}, config, logger: silentLogger() });
    expect((res!.object['stringData'] as Record<string, string>)['password']).toBe('fresh-key-secret');
  });

  test('--show-private prints the identity in the Secret, with a warning on stderr', async () => {
    const r = await cli(['keys', 'new', 'team-y', '--show-private']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: the private age identity is printed/);
    expect(r.out).toMatch(/team-y\.txt: \|\n\s+# syncgate key team-y\n\s+# public key: age1[0-9a-z]+\n\s+AGE-SECRET-KEY-1[0-9A-Z]+/);
  });

  test('as the README runs it (no --out): the identity goes to ./<tenant>.agekey, 0600', async () => {
    const cwd = process.cwd();
    const here = mkdtempSync(join(dir, 'cwd-'));
    process.chdir(here);
    try {
      const r = await cli(['keys', 'new', 'team-a', '--project', 'team-a', '--namespace', 'team-a', '--namespace', 'team-a-*']);
      expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
      expect(statSync(join(here, 'team-a.agekey')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(here, 'team-a.agekey'), 'utf8')).toMatch(/AGE-SECRET-KEY-1/);
      expect(r.out).toContain('--from-file=team-a.txt=team-a.agekey');
      // A second run never overwrites the key.
      const again = await cli(['keys', 'new', 'team-a']);
      expect(again.code).toBe(2);
    } finally {
      process.chdir(cwd);
    }
  });

  test('the printed .sops.yaml rules match the tenant\'s own files and leave nothing secret in cleartext (real sops)', async () => {
    const out = join(dir, 'rules.agekey');
    const r = await cli(['keys', 'new', 'team-r', '--out', out]);
    expect(r.code).toBe(0);
    const section = r.out.split('\n\n')[1]!;
    const repo = mkdtempSync(join(dir, 'tenant-repo-'));
    writeFileSync(join(repo, '.sops.yaml'), section);
    const files: Record<string, [string, string[]]> = {
      'secrets.yaml': ['db:\n  password: PLANT-values-1\n  port: 5432\n', []],
      'apps/billing/secrets.prod.yaml': ['token: PLANT-values-2\n', []],
      'apps/billing/values.sops.yaml': ['nested:\n  list: [PLANT-values-3]\n', []],
      'apps/billing/db-secret.yaml': ['apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: PLANT-secret-4\ndata:\n  key: UExBTlQtc2VjcmV0LTU=\n', ['kind: Secret', 'name: db']],
      'apps/billing/app.env': ['PASSWORD=PLANT-env-6\n', []],
      'apps/billing/app.ini': ['[db]\npassword = PLANT-ini-7\n', []],
      'apps/billing/tls.crt': ['-----BEGIN CERTIFICATE-----\nPLANT-cert-8\n-----END CERTIFICATE-----\n', []],
      'apps/billing/config.yaml': ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: PLANT-other-9\n', []],
    };
    const key = { name: 'team-r', file: out, recipient: r.out.split('\n')[1]! };
    for (const [f, [text, readable]] of Object.entries(files)) {
      mkdirSync(join(repo, f, '..'), { recursive: true });
      writeFileSync(join(repo, f), text);
      // As a tenant runs it: from the repo root, with the path as written in the repo.
      const enc = sopsWith([key], ['encrypt', f], { cwd: repo }).toString('utf8');
      expect({ f, planted: /PLANT-/.test(enc) || enc.includes('UExBTlQtc2VjcmV0LTU=') }).toEqual({ f, planted: false });
      for (const keep of readable) expect({ f, keep, readable: enc.includes(keep) }).toEqual({ f, keep, readable: true });
    }
  });

  test.each([
    [['keys', 'new', 'Team_Z', '--show-private'], 'USAGE_INVALID: tenant "Team_Z": must be a DNS label'],
  ])('%j is a usage error', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });

  test('--out never overwrites an existing file', async () => {
    const out = join(dir, 'exists.agekey');
    writeFileSync(out, 'keep me');
    const r = await cli(['keys', 'new', 'team-w', '--out', out]);
    expect(r.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });
});
