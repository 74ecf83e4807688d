// Files the real sops 3.10 writes and decrypts, under keys made at test time: syncgate must accept
// them and give the values `sops decrypt` gives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { gate } from '../../../src/gate/index.js';
import { parseJson, toJson, toYamlStream } from '../../../src/k8s/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { freshConfig, freshKey, sopsEncryptFor, sopsWith, type FreshKey } from './support.js';

const ctx: AppContext = { appName: 'app', namespace: 'team-a', project: 'team-a', repoURL: 'https://git.example.com/team-a/app', sourcePath: 'app', revision: 'HEAD', kubeVersion: '', apiVersions: [] };

describe('valid sops files are accepted with sops\'s values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-valid-'));
  let key: FreshKey;
  beforeAll(() => {
    key = freshKey(dir, 'team-a');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function app(name: string, files: Record<string, string>, rule: Record<string, unknown> = { encrypted_regex: '^(data|stringData)$' }): { root: string; appDir: string; enc: Record<string, string> } {
    const root = join(dir, name);
    const appDir = join(root, 'app');
    mkdirSync(appDir, { recursive: true });
    const enc: Record<string, string> = {};
    for (const [f, text] of Object.entries(files)) {
      const plain = join(dir, `${name}-${f}`);
      writeFileSync(plain, text);
      enc[f] = sopsEncryptFor([key], plain, rule).toString('utf8');
      writeFileSync(join(appDir, f), enc[f]);
      rmSync(plain);
    }
    return { root, appDir, enc };
  }
  const run = (a: { root: string; appDir: string }) =>
    gate({ appDir: a.appDir, repoRoot: a.root, context: ctx, options: {}, config: freshConfig([{ key, projects: ['team-a'], namespaces: ['team-a'] }]), logger: silentLogger() });
  const sopsYaml = (a: { appDir: string }, f: string): unknown[] => parseAllDocuments(sopsWith([key], ['decrypt', join(a.appDir, f)]).toString('utf8')).map((d) => d.toJS() as unknown);

  test('two Secrets in one multi-document file of a plain directory', async () => {
    const a = app('multidoc', {
      'two.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: one\nstringData:\n  password: first-secret-1\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: two\nstringData:\n  password: second-secret-2\n',
    });
    const r = await run(a);
    expect(r.resources.map((x) => x.object)).toEqual(sopsYaml(a, 'two.yaml'));
    expect(r.resources.map((x) => x.decryptedBy)).toEqual(['team-a', 'team-a']);
  });

  // (.inf/.nan in cleartext are left out: Kubernetes' decoder refuses them in a manifest, and so
  // does the codec, test/unit/k8s/upstream.test.ts.)
  test('cleartext values sops covers by the MAC: ints beyond 2^53, timestamps with fractions and offsets, dates', async () => {
    const a = app('clear', {
      'thing.yaml':
        'apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n  big: 9007199254740993\n  ts: 2001-12-14t21:59:43.10-05:00\n  ts2: 2001-12-14 21:59:43.123456789 +02:30\n  ts3: 2001-12-14 21:59:43.123456789\n  ts5: 2001-2-30\n  ts6: 2001-1-2T3:4:5.1234567891+05:30\n  date: 2001-12-14\ndata:\n  password: s3cret-value\n',
    });
    const r = await run(a);
    expect(r.resources).toHaveLength(1);
    expect(r.resources[0]!.object['data']).toEqual({ password: 's3cret-value' });
  });

  test('encrypted ints beyond 2^53, dates and DEL characters come out as sops gives them', async () => {
    const a = app('typed', {
      'thing.yaml': 'apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\ndata:\n  small: 42\n  big: 9007199254740993\n  neg: -9223372036854775808\n  date: 2001-12-14\n  del: "a\\x7fb"\n  f: 1.5\n',
    });
    const r = await run(a);
    // sops's JSON read exactly (the shared codec keeps integers beyond 2^53 as bigints).
    const ref = parseJson(sopsWith([key], ['decrypt', '--output-type', 'json', join(a.appDir, 'thing.yaml')]).toString('utf8'), 'sops output') as Record<string, unknown>;
    expect(ref['data']).toMatchObject({ big: 9007199254740993n, neg: -9223372036854775808n });
    expect(r.resources[0]!.object['data']).toEqual(ref['data']);
    // …and written exactly: the JSON and YAML the doors emit carry the same digits.
    expect(toJson(r.resources[0]!.object)).toContain('"big":9007199254740993');
    expect(toYamlStream([r.resources[0]!.object])).toContain('big: 9007199254740993');
  });

  test('.inf, -.Inf and .nan encrypted as sops floats decrypt', async () => {
    const a = app('floats', {
      'thing.yaml': 'apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\ndata:\n  inf: .inf\n  ninf: -.Inf\n  nan: .nan\n',
    });
    const r = await run(a);
    const d = r.resources[0]!.object['data'] as Record<string, number>;
    expect(d['inf']).toBe(Infinity);
    expect(d['ninf']).toBe(-Infinity);
    expect(Number.isNaN(d['nan'])).toBe(true);
  });

  test('.sops.yaml inside a plain-directory app is sops configuration, not an object', async () => {
    const a = app('cfg', { 's.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: pw-in-dir-1\n' });
    writeFileSync(join(a.appDir, '.sops.yaml'), `creation_rules:\n  - age: ${key.recipient}\n    encrypted_regex: ^(data|stringData)$\n`);
    const r = await run(a);
    expect(r.resources.map((x) => x.object.metadata.name)).toEqual(['s']);
  });
});
