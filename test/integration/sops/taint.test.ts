// Decrypted material followed through the render (real sops, real helm, a fresh key): wherever a
// decrypted value or its base64 lands, the object must be in a namespace the key grants; outside a
// Secret it is a finding of its own. The allow/deny table of issue 11.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asSyncgateError } from '../../../src/errors/index.js';
import { gate } from '../../../src/gate/index.js';
import type { AppContext } from '../../../src/request/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { freshConfig, freshKey, sopsEncryptFor, type FreshKey } from './support.js';

const ctx: AppContext = { appName: 'app', namespace: 'team-a', project: 'team-a', repoURL: '', sourcePath: 'chart', revision: 'HEAD', kubeVersion: '', apiVersions: [] };
const SECRET = 'CANARY-taint-s3cr3t-9f9f';
const FINDING = 'secrets/decrypted-in-plain-object';

const cm = (ns: string | undefined, value: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flowed\n${ns ? `  namespace: ${ns}\n` : ''}data:\n  v: ${value}\n`;

// [case, template, expected: 'allow' | 'allow+finding' | 'deny']
const TABLE: [string, string, 'allow' | 'allow+finding' | 'deny'][] = [
  ['Secret stringData, app namespace', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  v: {{ .Values.secret | quote }}\n', 'allow'],
  ['Secret data (base64), app namespace', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  v: {{ .Values.secret | b64enc }}\n', 'allow'],
  ['Secret in a granted glob namespace (team-a-dev)', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: team-a-dev\nstringData:\n  v: {{ .Values.secret | quote }}\n', 'allow'],
  ['Secret in team-b', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: team-b\nstringData:\n  v: {{ .Values.secret | quote }}\n', 'deny'],
  ['ConfigMap, app namespace', cm(undefined, '{{ .Values.secret | quote }}'), 'allow+finding'],
  ['Deployment env value, app namespace', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n        - name: c\n          image: x@sha256:0000000000000000000000000000000000000000000000000000000000000000\n          env: [{name: P, value: {{ .Values.secret | quote }}}]\n', 'allow+finding'],
  ['ConfigMap in team-b (ConfigMap/team-b/flowed)', cm('team-b', '{{ .Values.secret | quote }}'), 'deny'],
  ['ConfigMap in team-b, base64', cm('team-b', '{{ .Values.secret | b64enc | quote }}'), 'deny'],
  ['ConfigMap in team-b, inside a longer string', cm('team-b', '{{ printf "prefix-%s-suffix" .Values.secret | quote }}'), 'deny'],
  ['ConfigMap in team-b, base64 of a longer text', cm('team-b', '{{ printf "xy%sz" .Values.secret | b64enc | quote }}'), 'deny'],
  ['ConfigMap in team-b, as a key', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flowed\n  namespace: team-b\ndata:\n  {{ .Values.secret }}: x\n`, 'deny'],
  ['ServiceAccount annotation in kube-system', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: kube-system\n  annotations:\n    leak: {{ .Values.secret | quote }}\n', 'deny'],
  ['ClusterRole annotation (cluster-scoped)', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n  annotations:\n    leak: {{ .Values.secret | quote }}\nrules: []\n', 'deny'],
  ['ConfigMap in team-b with an unrelated value', cm('team-b', '{{ .Values.plain | quote }}'), 'allow'],
  ['ConfigMap in team-b with a short decrypted value (under 8 characters)', cm('team-b', '{{ .Values.short | quote }}'), 'allow'],
];

describe('decrypted material is followed into every rendered object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-taint-'));
  let key: FreshKey;
  let encrypted: Buffer;
  beforeAll(() => {
    key = freshKey(dir, 'team-a');
    writeFileSync(join(dir, 'secrets.yaml'), `secret: ${SECRET}\nshort: pw-1\n`);
    encrypted = sopsEncryptFor([key], join(dir, 'secrets.yaml'));
    rmSync(join(dir, 'secrets.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(TABLE.map(([n, t, e]) => [n, e, t] as const))('%s → %s', async (name, expected, template) => {
    const root = join(dir, name.replace(/\W+/g, '-'));
    mkdirSync(join(root, 'chart', 'templates'), { recursive: true });
    writeFileSync(join(root, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
    writeFileSync(join(root, 'chart', 'values.yaml'), 'plain: an-ordinary-config-value\n');
    writeFileSync(join(root, 'chart', 'templates', 't.yaml'), template);
    writeFileSync(join(root, 'chart', 'secrets.yaml'), encrypted);
    const config = freshConfig([{ key, projects: ['team-a'], namespaces: ['team-a', 'team-a-*'] }], { policies: { packs: ['secrets'] } });
    const run = gate({ appDir: join(root, 'chart'), repoRoot: root, context: ctx, options: {}, config, logger: silentLogger() });
    if (expected === 'deny') {
      const e = asSyncgateError(await run.catch((x: unknown) => x));
      expect(e.code).toBe('SOPS_NAMESPACE_NOT_GRANTED');
      expect(e.message).toMatch(/decrypted with key team-a, which is not granted/);
      expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain(SECRET);
      expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain(Buffer.from(SECRET).toString('base64'));
      return;
    }
    const r = await run;
    const findings = r.scan.findings.filter((f) => f.policy === FINDING);
    expect(findings.length > 0).toBe(expected === 'allow+finding');
    expect(JSON.stringify(findings)).not.toContain(SECRET);
    expect(r.decision.refused).toBe(false);
  }, 30_000);
});
