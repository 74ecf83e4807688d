// Files the real sops refuses are refused, with a code, naming the file, and nothing emitted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { asSyncgateError } from '../../../src/errors/index.js';
import { gate } from '../../../src/gate/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { SOPS, freshConfig, freshKey, sopsEncryptFor, type FreshKey } from './support.js';

const ctx: AppContext = { appName: 'app', namespace: 'team-a', project: 'team-a', repoURL: '', sourcePath: 'app', revision: 'HEAD', kubeVersion: '', apiVersions: [] };
const PLAIN = 'CANARY-refused-value-7a7a';

describe('sops files sops itself refuses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-refused-'));
  let key: FreshKey;
  let enc: string;
  beforeAll(() => {
    key = freshKey(dir, 'team-a');
    writeFileSync(join(dir, 'p.yaml'), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: ${PLAIN}\n`);
    enc = sopsEncryptFor([key], join(dir, 'p.yaml'), { encrypted_regex: '^(data|stringData)$' }).toString('utf8');
    rmSync(join(dir, 'p.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sopsRefuses = (file: string): boolean => {
    try {
      execFileSync(SOPS, ['decrypt', file], { env: { PATH: '', HOME: dir, SOPS_AGE_KEY_FILE: key.file }, stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  };

  test.each([
    ['version missing', (t: string) => t.replace(/\n {4}version: .*\n/, '\n'), 'sops.version is missing'],
    ['version abc', (t: string) => t.replace(/\n( {4}version:) .*\n/, '\n$1 abc\n'), 'sops.version is not a version sops accepts'],
    ['version 3', (t: string) => t.replace(/\n( {4}version:) .*\n/, '\n$1 "3"\n'), 'sops.version is not a version sops accepts'],
    ['sops: nope', (t: string) => t.replace(/\nsops:\n[\s\S]*$/, '\nsops: nope\n'), 'sops metadata is not a mapping'],
    ['sops: null', (t: string) => t.replace(/\nsops:\n[\s\S]*$/, '\nsops: null\n'), 'no sops metadata'],
  ])('%s: SOPS_FORMAT_INVALID naming the file, as sops refuses it', async (name, edit, message) => {
    const root = join(dir, name.replace(/\W+/g, '-'));
    mkdirSync(join(root, 'app'), { recursive: true });
    const file = join(root, 'app', 's.yaml');
    writeFileSync(file, edit(enc));
    expect(sopsRefuses(file)).toBe(true);
    const e = asSyncgateError(
      await gate({ appDir: join(root, 'app'), repoRoot: root, context: ctx, options: {}, config: freshConfig([{ key, projects: ['team-a'], namespaces: ['team-a'] }]), logger: silentLogger() }).catch((x: unknown) => x),
    );
    expect(e.code).toBe('SOPS_FORMAT_INVALID');
    expect(e.message).toContain('s.yaml');
    expect(e.message).toContain(message);
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(PLAIN);
  });
});
