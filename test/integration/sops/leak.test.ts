import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { asSyncgateError } from '../../../src/errors/index.js';
import { gate, type GateResult } from '../../../src/gate/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { toYamlStream } from '../../../src/k8s/index.js';
import { createLogger } from '../../../src/log/index.js';
import { gateMetrics } from '../../../src/log/metrics.js';
import { FIXTURES, testConfig } from './support.js';

// Every fixture plants CANARY-… plaintext; none may appear anywhere but the emitted objects.
const canaries = [...new Set(readdirSync(join(FIXTURES, 'plain')).flatMap((f) => [...readFileSync(join(FIXTURES, 'plain', f), 'latin1').matchAll(/CANARY-[^\s"\\]+/g)].map((m) => Buffer.from(m[0], 'latin1').toString('utf8'))))];
// Comments are not emitted (YAML/INI drop them); they must simply appear nowhere.
const commentOnly = new Set(['CANARY-comment-top-7f3a', 'CANARY-nested-comment-c3d4', 'CANARY-enc-comment-itself-1717', 'CANARY-ini-comment-2828', 'CANARY-env-comment-2525']);
// Only in refused apps (or no app at all): never emitted either.
const notEmitted = new Set(['CANARY-otherns-apikey-6f6f', 'CANARY-team-b-3232']);
const ctx: AppContext = { appName: 'leaky', namespace: 'team-a', project: 'team-a', repoURL: 'https://git.example.com/team-a/app', sourcePath: 'app', revision: 'HEAD', kubeVersion: '', apiVersions: [] };

function files(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(root, join(dir, n)) : [join(dir, n)]));
}

function emittedText(results: GateResult[]): string {
  const objs = results.flatMap((r) => r.resources.map((x) => x.object));
  const decoded = objs.flatMap((o) => Object.values({ ...((o['data'] as Record<string, string> | undefined) ?? {}), ...((o['binaryData'] as Record<string, string> | undefined) ?? {}) }).map((v) => Buffer.from(v, 'base64').toString('utf8')));
  return toYamlStream(objs) + decoded.join('\n');
}

describe('plaintext never leaks outside the emitted objects', () => {
  test('logs, errors, reports, metrics and work dirs hold no planted plaintext', async () => {
    const base = mkdtempSync(join(tmpdir(), 'sg-leak-work-'));
    const saved = process.env['SYNCGATE_WORKDIR'];
    process.env['SYNCGATE_WORKDIR'] = base;
    const logs: string[] = [];
    const logger = createLogger({ level: 'trace', destination: new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString('utf8')), cb()) }) });
    const root = mkdtempSync(join(tmpdir(), 'sg-leak-repo-'));
    const put = (p: string, text: string): void => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), text);
    };
    const copy = (p: string, f: string): void => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      copyFileSync(join(FIXTURES, 'enc', f), join(root, p));
    };
    // 1. plain directory of encrypted objects
    for (const f of ['secret.yaml', 'configmap.yaml', 'maconly.yaml', 'secret-nons.yaml']) copy(`dir/${f}`, f);
    // 2. Helm chart with an encrypted values file
    put('chart/Chart.yaml', 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
    put('chart/templates/s.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  p: {{ .Values.db.password | quote }}\n');
    copy('chart/secrets.yaml', 'values-secrets.yaml');
    // 3. kustomize generators reading every other fixture format
    const gen = ['types.yaml', 'multidoc.yaml', 'app.json', 'app.ini', 'blob.bin', 'comments.yaml', 'comments-clear.yaml', 'suffix.yaml', 'regex.yaml', 'groups.yaml', 'generator-file.txt'];
    for (const f of gen) copy(`kust/${f}`, f);
    copy('kust/app.env', 'app.env');
    copy('kust/generator.env', 'generator.env');
    put('kust/kustomization.yaml', `generatorOptions: {disableNameSuffixHash: true}\nsecretGenerator:\n  - name: files\n    files: [${gen.join(', ')}]\n  - name: envs\n    envs: [app.env, generator.env]\n`);
    // 4. refusals after decryption: a Secret outside its namespace, a helm error echoing a value, a MAC mismatch
    copy('bad-ns/secret.yaml', 'secret-other-ns.yaml');
    put('bad-helm/Chart.yaml', 'apiVersion: v2\nname: bad\nversion: 0.1.0\n');
    put('bad-helm/templates/s.yaml', '{{ fail (printf "cannot use %s" .Values.db.password) }}\n');
    copy('bad-helm/secrets.yaml', 'values-secrets.yaml');
    put('bad-mac/s.yaml', readFileSync(join(FIXTURES, 'enc', 'secret.yaml'), 'utf8').replace('app: db', 'app: evil'));

    const config = testConfig({ 'team-b': { projects: ['team-a'], namespaces: ['team-a'] } });
    const results: GateResult[] = [];
    const errors: string[] = [];
    for (const app of ['dir', 'chart', 'kust', 'bad-ns', 'bad-helm', 'bad-mac']) {
      try {
        results.push(await gate({ appDir: join(root, app), repoRoot: root, context: { ...ctx, sourcePath: app }, options: {}, config, logger: logger.child({ app }) }));
      } catch (e) {
        const err = asSyncgateError(e);
        errors.push(`${app}: ${err.toString()} ${JSON.stringify(err.details)} ${(err.cause as Error | undefined)?.message ?? ''}`);
      }
    }
    if (saved === undefined) Reflect.deleteProperty(process.env, 'SYNCGATE_WORKDIR');
    else process.env['SYNCGATE_WORKDIR'] = saved;

    expect(errors).toHaveLength(3);
    expect(results).toHaveLength(3);
    expect(errors.map((e) => e.split(' ')[1])).toEqual(['SOPS_NAMESPACE_NOT_GRANTED:', 'RENDER_HELM_FAILED:', 'SOPS_MAC_MISMATCH:']);
    expect(errors[1]).toContain('cannot use *****');

    const emitted = emittedText(results);
    const reports = JSON.stringify(results.map((r) => ({ scan: r.scan, decision: r.decision, timings: r.timings })));
    const metrics = await gateMetrics().registry.metrics();
    const leftovers = readdirSync(base);
    const workText = files(base).map((f) => readFileSync(f, 'utf8')).join('\n');
    rmSync(base, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });

    expect(leftovers).toEqual([]);
    expect(logs.join('')).toContain('"audit":true');
    expect(metrics).toContain('syncgate_decryptions_total{key="team-a",outcome="ok"}');
    for (const c of canaries) {
      if (!commentOnly.has(c) && !notEmitted.has(c)) expect({ c, emitted: emitted.includes(c) }).toEqual({ c, emitted: true });
      for (const [where, text] of [['logs', logs.join('')], ['errors', errors.join('\n')], ['reports', reports], ['metrics', metrics], ['work dir', workText]] as const) {
        expect({ c, where, leaked: text.includes(c) }).toEqual({ c, where, leaked: false });
      }
    }
  });
});
