import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { isSyncgateError } from '../../../src/errors/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { contextFromArgoEnv } from '../../../src/cmp/argo-env.js';
import type { GateRequest } from '../../../src/gate/types.js';
import { parseResources } from '../../../src/k8s/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { decryptResources } from '../../../src/sops/index.js';
import { FIXTURES, testConfig } from './support.js';

const enc = (f: string): string => readFileSync(join(FIXTURES, 'enc', f), 'utf8');
const ctxA: AppContext = { appName: 'app-a', namespace: 'team-a', project: 'team-a', repoURL: 'https://git.example.com/team-a/app', sourcePath: 'apps/a', revision: 'HEAD', kubeVersion: '', apiVersions: [] };

function edit(text: string, f: (d: Document.Parsed) => void): string {
  const d = parseDocument(text);
  f(d);
  return d.toString({ lineWidth: 0 });
}

async function run(file: string, text: string, mode: 'file' | 'object', ctx: AppContext = ctxA): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-tamper-'));
  try {
    writeFileSync(join(dir, file), text);
    const resources = parseResources(text, mode === 'file' ? file : `(rendered ${file})`);
    const req: GateRequest = { appDir: dir, repoRoot: dir, context: ctx, options: {}, config: testConfig(), logger: silentLogger() };
    return await decryptResources(resources, req);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (isSyncgateError(e)) return e.code;
    throw e;
  }
}

const secret = enc('secret.yaml');
const cases: [string, string, string, string][] = [
  [
    'value swapped between two keys',
    'secret.yaml',
    edit(secret, (d) => {
      const u = d.getIn(['stringData', 'username']);
      d.setIn(['stringData', 'username'], d.getIn(['stringData', 'password']));
      d.setIn(['stringData', 'password'], u);
    }),
    'SOPS_DECRYPT_FAILED',
  ],
  ['value moved to another path', 'secret.yaml', edit(secret, (d) => d.setIn(['data', 'token'], d.getIn(['stringData', 'password']))), 'SOPS_DECRYPT_FAILED'],
  [
    'list items reordered',
    'multidoc.yaml',
    enc('multidoc.yaml').replace(/(list:\n)(\s+- .*\n)(\s+- .*\n)/, '$1$3$2'),
    'SOPS_MAC_MISMATCH',
  ],
  ['key deleted', 'secret.yaml', edit(secret, (d) => d.deleteIn(['stringData', 'username'])), 'SOPS_MAC_MISMATCH'],
  ['plaintext key added to an encrypted map', 'secret.yaml', edit(secret, (d) => d.setIn(['stringData', 'injected'], 'attacker-value')), 'SOPS_NOT_ENCRYPTED'],
  ['encrypted value replaced by plaintext', 'secret.yaml', edit(secret, (d) => d.setIn(['stringData', 'password'], 'attacker-value')), 'SOPS_NOT_ENCRYPTED'],
  ['cleartext value changed', 'secret.yaml', edit(secret, (d) => d.setIn(['metadata', 'labels', 'app'], 'evil')), 'SOPS_MAC_MISMATCH'],
  ['MAC removed', 'secret.yaml', edit(secret, (d) => d.deleteIn(['sops', 'mac'])), 'SOPS_MAC_MISSING'],
  ['lastmodified changed', 'secret.yaml', edit(secret, (d) => d.setIn(['sops', 'lastmodified'], '2030-01-01T00:00:00Z')), 'SOPS_MAC_MISMATCH'],
  [
    'corrupt age stanza',
    'secret.yaml',
    edit(secret, (d) => {
      const e = String(d.getIn(['sops', 'age', 0, 'enc']));
      const lines = e.split('\n');
      lines[2] = lines[2]!.slice(0, 10) + (lines[2]![10] === 'A' ? 'B' : 'A') + lines[2]!.slice(11);
      d.setIn(['sops', 'age', 0, 'enc'], lines.join('\n'));
    }),
    'SOPS_DATA_KEY_FAILED',
  ],
  ['value from another file (other data key)', 'secret.yaml', edit(secret, (d) => d.setIn(['stringData', 'password'], parseDocument(enc('team-b.yaml')).getIn(['stringData', 'password']))), 'SOPS_DECRYPT_FAILED'],
  ['no key groups', 'secret.yaml', edit(secret, (d) => d.deleteIn(['sops', 'age'])), 'SOPS_FORMAT_INVALID'],
  ['two selection rules', 'secret.yaml', edit(secret, (d) => d.setIn(['sops', 'unencrypted_suffix'], '_x')), 'SOPS_FORMAT_INVALID'],
  ['file for another tenant', 'team-b.yaml', enc('team-b.yaml'), 'SOPS_KEY_NOT_GRANTED'],
  ['Secret landing outside its granted namespaces', 'secret-other-ns.yaml', enc('secret-other-ns.yaml'), 'SOPS_NAMESPACE_NOT_GRANTED'],
];

describe('tampered SOPS objects are refused with their code', () => {
  test.each(cases.flatMap(([what, file, text, code]) => (['file', 'object'] as const).map((mode) => [what, mode, file, text, code] as const)))(
    '%s (%s-backed)',
    async (_what, mode, file, text, code) => {
      // multidoc.yaml holds no Kubernetes objects: it goes through the file decryptor instead.
      if (file === 'multidoc.yaml') {
        const { decryptDocument, parseSops } = await import('../../../src/sops/decrypt-file.js');
        const { loadKeyStore } = await import('../../../src/sops/keystore.js');
        const store = await loadKeyStore(testConfig());
        expect(await codeOf(decryptDocument(file, parseSops(file, text, 'yaml'), { store, granted: store.keys, context: ctxA }))).toBe(code);
        return;
      }
      expect(await codeOf(run(file, text, mode))).toBe(code);
    },
  );

  test('the untampered fixtures decrypt (the table above can fail)', async () => {
    for (const mode of ['file', 'object'] as const) {
      const out = (await run('secret.yaml', secret, mode)) as { object: { stringData: Record<string, string>; sops?: unknown }; decryptedBy: string }[];
      expect(out[0]!.object.stringData['password']).toBe('CANARY-secret-password-4e4e');
      expect(out[0]!.object.sops).toBeUndefined();
      expect(out[0]!.decryptedBy).toBe('team-a');
    }
  });

  test('a Secret without namespace lands in the destination namespace, which must be granted', async () => {
    expect(await codeOf(run('secret-nons.yaml', enc('secret-nons.yaml'), 'file'))).toBe('OK');
    expect(await codeOf(run('secret-nons.yaml', enc('secret-nons.yaml'), 'file', { ...ctxA, namespace: 'kube-system' }))).toBe('SOPS_NAMESPACE_NOT_GRANTED');
  });

  test('an unreadable key file refuses only the apps it is granted to, without echoing its content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-badkey-'));
    writeFileSync(join(dir, 'bad.txt'), 'AGE-SECRET-KEY-1NOTAKEY-SECRET-LOOKING\n');
    writeFileSync(join(dir, 's.yaml'), enc('secret-nons.yaml'));
    const { parseConfig } = await import('../../../src/config/index.js');
    const config = parseConfig({
      apiVersion: 'syncgate.dev/v1alpha1',
      kind: 'GateConfig',
      spec: {
        keys: [
          { name: 'team-a', ageIdentityFile: join(FIXTURES, 'keys', 'TEST-ONLY-team-a.agekey'), grants: { projects: ['team-a'], namespaces: ['team-a'] } },
          { name: 'broken', ageIdentityFile: join(dir, 'bad.txt'), grants: { projects: ['team-x'], namespaces: ['team-x'] } },
          { name: 'missing', ageIdentityFile: join(dir, 'nope.txt'), grants: { projects: ['team-y'], namespaces: ['team-y'] } },
        ],
      },
    });
    const go = (ctx: AppContext): Promise<string> =>
      codeOf(decryptResources(parseResources(enc('secret-nons.yaml'), 's.yaml'), { appDir: dir, repoRoot: dir, context: ctx, options: {}, config, logger: silentLogger() }));
    expect(await go(ctxA)).toBe('OK');
    expect(await go({ ...ctxA, project: 'team-x', namespace: 'team-x' })).toBe('SOPS_KEY_FILE_INVALID');
    const err = await decryptResources(parseResources(enc('secret-nons.yaml'), 's.yaml'), { appDir: dir, repoRoot: dir, context: { ...ctxA, project: 'team-y' }, options: {}, config, logger: silentLogger() }).catch((e: unknown) => e);
    expect(String(err)).toBe(`SOPS_KEY_FILE_INVALID: key missing: ${join(dir, 'nope.txt')}: cannot read identity file: ENOENT`);
    const err2 = await go({ ...ctxA, project: 'team-x' }).then(() => decryptResources(parseResources(enc('secret-nons.yaml'), 's.yaml'), { appDir: dir, repoRoot: dir, context: { ...ctxA, project: 'team-x' }, options: {}, config, logger: silentLogger() })).catch((e: unknown) => e);
    expect(String(err2)).not.toContain('NOTAKEY');
    rmSync(dir, { recursive: true, force: true });
  });

  test('the refusal names the object and the keys, never key material', async () => {
    const err = await run('team-b.yaml', enc('team-b.yaml'), 'file').catch((e: unknown) => e);
    expect(String(err)).toMatch(/^SOPS_KEY_NOT_GRANTED: team-b\.yaml: encrypted for team-b, not granted to app app-a \(project team-a\); keys granted to it: team-a$/);
    expect(String(err)).not.toMatch(/AGE-SECRET-KEY|age1/);
  });

  test('ARGOCD_ENV_* cannot choose a key: only the trusted project does', async () => {
    const base = { ARGOCD_APP_NAME: 'app-b', ARGOCD_APP_NAMESPACE: 'team-a', ARGOCD_APP_PROJECT_NAME: 'team-b', ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/team-b/app' };
    const hostile = { ...base, ARGOCD_ENV_ARGOCD_APP_PROJECT_NAME: 'team-a', ARGOCD_ENV_SOPS_KEY: 'team-a', ARGOCD_ENV_SYNCGATE_KEY: 'team-a', ARGOCD_ENV_SOPS_AGE_KEY_FILE: join(FIXTURES, 'keys', 'TEST-ONLY-team-a.agekey') };
    const saved = { ...process.env };
    try {
      Object.assign(process.env, hostile);
      const withEnv = await codeOf(run('secret-nons.yaml', enc('secret-nons.yaml'), 'file', contextFromArgoEnv(hostile)));
      expect(withEnv).toBe('SOPS_KEY_NOT_GRANTED');
    } finally {
      for (const k of Object.keys(hostile)) if (!(k in saved)) Reflect.deleteProperty(process.env, k);
    }
    expect(await codeOf(run('secret-nons.yaml', enc('secret-nons.yaml'), 'file', contextFromArgoEnv(base)))).toBe('SOPS_KEY_NOT_GRANTED');
    expect(await codeOf(run('secret-nons.yaml', enc('secret-nons.yaml'), 'file', contextFromArgoEnv({ ...base, ARGOCD_APP_PROJECT_NAME: 'team-a' })))).toBe('OK');
  });
});
