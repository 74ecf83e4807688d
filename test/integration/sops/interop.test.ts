import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { decryptDocument, formatOf, parseSops } from '../../../src/sops/decrypt-file.js';
import { emitTree } from '../../../src/sops/emit.js';
import { loadKeyStore } from '../../../src/sops/keystore.js';
import { FIXTURES, sopsDecrypt, testConfig } from './support.js';

const ctx = { appName: 'app', namespace: 'team-a', project: 'team-a', repoURL: '', sourcePath: '.', revision: '', kubeVersion: '', apiVersions: [] };

function normalise(format: string, data: Buffer): unknown {
  switch (format) {
    case 'yaml':
      return parseAllDocuments(data.toString('utf8')).map((d) => d.toJS());
    case 'json':
      return JSON.parse(data.toString('utf8'));
    case 'ini': {
      const out: Record<string, Record<string, string>> = {};
      let sec = 'DEFAULT';
      for (const l of data.toString('utf8').split('\n').map((s) => s.trim())) {
        if (l === '' || l.startsWith(';') || l.startsWith('#')) continue;
        const m = /^\[(.*)\]$/.exec(l);
        if (m) sec = m[1]!;
        else {
          const [k, ...v] = l.split('=');
          (out[sec] ??= {})[k!.trim()] = v.join('=').trim();
        }
      }
      return out;
    }
    default:
      return data.toString('base64');
  }
}

const files = readdirSync(join(FIXTURES, 'enc')).sort();

describe('interop with the real sops binary', () => {
  const config = testConfig();

  test.each(files)('%s decrypts to what `sops decrypt` prints, MAC verified', async (name) => {
    const path = join(FIXTURES, 'enc', name);
    const store = await loadKeyStore(config);
    const format = formatOf(name);
    const doc = parseSops(name, readFileSync(path, 'utf8'), format);
    const dec = await decryptDocument(name, doc, { store, granted: store.keys, context: ctx });
    const ours = emitTree(format, dec.branches);
    expect(normalise(format, ours)).toEqual(normalise(format, sopsDecrypt(path)));
    if (format === 'dotenv' || format === 'binary') expect(ours.equals(sopsDecrypt(path))).toBe(true);
  });

  test('every format, type and selection rule is covered by a fixture', () => {
    const text = files.map((f) => readFileSync(join(FIXTURES, 'enc', f), 'utf8')).join('\n');
    for (const t of ['str', 'int', 'float', 'bool', 'time', 'comment']) expect(text).toContain(`type:${t}]`);
    for (const r of ['encrypted_regex', 'unencrypted_regex', 'encrypted_suffix', 'unencrypted_suffix', 'encrypted_comment_regex', 'unencrypted_comment_regex', 'mac_only_encrypted', 'shamir_threshold']) {
      expect(text).toContain(r);
    }
    expect(new Set(files.map(formatOf))).toEqual(new Set(['yaml', 'json', 'dotenv', 'ini', 'binary']));
  });
});
