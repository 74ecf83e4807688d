// The masker at scale, through the whole pipeline with the real sops and helm: one ~70 KB value
// (a certificate) beside 10,000 others in a Helm values file, echoed back by a failing chart.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { asSyncgateError } from '../../../src/errors/index.js';
import { gate } from '../../../src/gate/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { createLogger } from '../../../src/log/index.js';
import { freshConfig, freshKey, sopsEncryptFor, type FreshKey } from './support.js';

const ctx: AppContext = { appName: 'app', namespace: 'team-a', project: 'team-a', repoURL: '', sourcePath: 'chart', revision: 'HEAD', kubeVersion: '', apiVersions: [] };

describe('huge and many decrypted values never leak', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-leak-scale-'));
  let key: FreshKey;
  let encrypted: Buffer;
  const cert = `-----BEGIN CERTIFICATE-----\n${Array.from({ length: 1100 }, () => randomBytes(48).toString('base64')).join('\n')}\n-----END CERTIFICATE-----\n`;
  const many = Array.from({ length: 10_000 }, (_, i) => `CANARY-${i}-${randomBytes(6).toString('hex')}`);
  beforeAll(() => {
    key = freshKey(dir, 'team-a');
    const plain = join(dir, 'values.yaml');
    writeFileSync(plain, JSON.stringify({ cert, del: 'a\u007fb-DEL-value', many: Object.fromEntries(many.map((v, i) => [`k${i}`, v])) }).replace(/\u007f/g, '\\u007f'));
    encrypted = sopsEncryptFor([key], plain);
    rmSync(plain);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function chart(name: string, template: string): string {
    const root = join(dir, name);
    mkdirSync(join(root, 'chart', 'templates'), { recursive: true });
    writeFileSync(join(root, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
    writeFileSync(join(root, 'chart', 'templates', 't.yaml'), template);
    writeFileSync(join(root, 'chart', 'secrets.yaml'), encrypted);
    return root;
  }

  test.each([
    ['one value', 'short', '{{ fail (printf "cannot use %s" .Values.many.k5) }}\n'],
    // Over the 64 KiB stderr tail: the partial first line (part of a value) is dropped.
    ['every value, raw and base64', 'all', '{{ fail (printf "cannot use %s %s %s" .Values.cert (.Values.many | toJson) (.Values.cert | b64enc)) }}\n'],
  ])('a helm error echoing %s is masked: no value, no base64 of one', async (_what, name, template) => {
    expect(cert.length).toBeGreaterThan(70_000);
    const root = chart(name, template);
    const logs: string[] = [];
    const logger = createLogger({ level: 'trace', destination: new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString('utf8')), cb()) }) });
    const work = mkdtempSync(join(dir, 'work-'));
    const saved = process.env['SYNCGATE_WORKDIR'];
    process.env['SYNCGATE_WORKDIR'] = work;
    let text = '';
    try {
      await gate({ appDir: join(root, 'chart'), repoRoot: root, context: ctx, options: {}, config: freshConfig([{ key, projects: ['team-a'], namespaces: ['team-a'] }]), logger });
    } catch (e) {
      const err = asSyncgateError(e);
      text = `${err.toString()} ${JSON.stringify(err.details)}`;
      expect(err.code).toBe('RENDER_HELM_FAILED');
    } finally {
      if (saved === undefined) Reflect.deleteProperty(process.env, 'SYNCGATE_WORKDIR');
      else process.env['SYNCGATE_WORKDIR'] = saved;
    }
    if (name === 'short') expect(text).toContain('cannot use *****');
    const all = `${text}\n${logs.join('')}`;
    const certLines = cert.split('\n').filter((l) => l.length > 20);
    expect(certLines.filter((l) => all.includes(l))).toEqual([]);
    expect(all.includes(Buffer.from(cert).toString('base64').slice(100, 200))).toBe(false);
    expect(many.filter((v) => all.includes(v))).toEqual([]);
    expect(readdirSync(work)).toEqual([]);
  }, 60_000);

  test('the same values render: the certificate, a DEL character and every other value reach helm exactly', async () => {
    const root = chart('ok', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  cert: {{ .Values.cert | quote }}\n  del: {{ .Values.del | quote }}\n  last: {{ .Values.many.k9999 | quote }}\n');
    const r = await gate({ appDir: join(root, 'chart'), repoRoot: root, context: ctx, options: {}, config: freshConfig([{ key, projects: ['team-a'], namespaces: ['team-a'] }]), logger: createLogger({ level: 'silent' }) });
    expect(r.resources[0]!.object['stringData']).toEqual({ cert, del: 'a\u007fb-DEL-value', last: many[9999] });
  }, 60_000);
});
