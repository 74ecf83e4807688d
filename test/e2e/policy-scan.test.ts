// `syncgate scan` from the built CLI: formats, exit codes 0/1/2/3, stdin, and no credential
// value in any output.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, repoRoot } from '../helpers/sidecar.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'policy', 'app');
const AWS_KEY = ['AKIA', 'Z3MSJV4WZRUTQ7HP'].join('');
let dir: string;

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: dir, encoding: 'utf8', input, env: { PATH: process.env['PATH'] ?? '', HOME: dir } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-scan-e2e-'));
  mkdirSync(join(dir, 'bad', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'bad', 'nested', 'pod.yaml'), [
    '# comment first', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: ok, namespace: shop}', 'data: {a: b}', '---',
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web, namespace: shop}', 'spec:', '  template:', '    spec:', '      containers:',
    '        - name: app', '          image: registry.example.com/app:1', '          securityContext: {privileged: true}', '          env:', `            - {name: K, value: ${AWS_KEY}}`, '',
  ].join('\n'));
  writeFileSync(join(dir, 'bad', 'values.yaml'), 'replicas: 3\n');
  writeFileSync(join(dir, 'config.yaml'), 'apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  policies:\n    modes: {"*": warn}\n');
  writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec: {policies: {packs: [nope]}}\n');
  writeFileSync(join(dir, 'invalid.yaml'), 'a: [\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('syncgate scan', () => {
  test('a compliant directory exits 0', () => {
    const r = run(['scan', fixture]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 resources scanned: no enforced findings/);
  });

  test('enforce findings exit 1 with the report; the credential value never appears', () => {
    const r = run(['scan', 'bad']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('enforce: Deployment/shop/web: pss-baseline/privileged — spec.template.spec.containers[0].securityContext.privileged');
    expect(r.stdout).toContain('syncgate refused the manifests: 2 findings in 1 object (pss-baseline/privileged, secrets/credential-in-env)');
    expect(r.stdout + r.stderr).not.toContain(AWS_KEY);
  });

  test('json, sarif (with file and line) and junit formats', () => {
    const json = JSON.parse(run(['scan', 'bad', '--format', 'json']).stdout);
    expect(json).toMatchObject({ refused: true, scanned: 2 });
    expect(json.notices[0].message).toBe('bad/values.yaml: document 1: not a Kubernetes object: skipped');
    const sarif = JSON.parse(run(['scan', 'bad', '--format', 'sarif']).stdout);
    const priv = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'pss-baseline/privileged');
    // The field's own line (securityContext: {privileged: true}), not the document's first line.
    expect(priv.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'bad/nested/pod.yaml' }, region: { startLine: 17 } });
    const junit = run(['scan', 'bad', '--format', 'junit']);
    expect(junit.status).toBe(1);
    expect(junit.stdout).toContain('<testcase classname="bad/nested/pod.yaml" name="ConfigMap/shop/ok"/>');
    expect(JSON.stringify(sarif) + junit.stdout).not.toContain(AWS_KEY);
  });

  test('policyreport: one PolicyReport per namespace; baseline: only new findings count', () => {
    const pr = run(['scan', 'bad', '--format', 'policyreport', '--app', 'shop']);
    expect(pr.status).toBe(1);
    expect(pr.stdout).toMatch(/^apiVersion: wgpolicyk8s.io\/v1alpha2\nkind: PolicyReport\nmetadata:\n {2}name: syncgate-shop\n {2}namespace: shop\n/);
    expect(pr.stdout).toContain('policy: pss-baseline/privileged');
    expect(pr.stdout).not.toContain(AWS_KEY);
    writeFileSync(join(dir, 'previous.json'), run(['scan', 'bad', '--format', 'json']).stdout);
    const again = run(['scan', 'bad', '--baseline', 'previous.json']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/no enforced findings/);
    writeFileSync(join(dir, 'bad', 'new.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p2, namespace: shop}\nspec: {hostNetwork: true, containers: []}\n');
    const fresh = run(['scan', 'bad', '--baseline', 'previous.json']);
    rmSync(join(dir, 'bad', 'new.yaml'));
    expect(fresh.status).toBe(1);
    expect(fresh.stdout).toContain('syncgate refused the manifests: 1 finding in 1 object (pss-baseline/host-namespaces)');
    expect(fresh.stdout).not.toContain('Deployment/shop/web');
    const broken = run(['scan', 'bad', '--baseline', 'invalid.yaml']);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain('POLICY_BASELINE_INVALID: invalid.yaml: not JSON');
  });

  test('syncgate test runs the bundled policy tests and writes JUnit', () => {
    const r = run(['test', join(repoRoot, 'examples', 'policy-tests'), '--junit', 'junit.xml']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 test files, 12 results: 12 passed, 0 failed\n$/);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuites name="syncgate test" tests="12" failures="0">');
    const missing = run(['test', 'nowhere']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('POLICY_TEST_INVALID: nowhere: cannot read: ENOENT');
  });

  test('stdin (-) and warn mode from the config exit 0', () => {
    const r = run(['--config', 'config.yaml', 'scan', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {hostPID: true, containers: []}\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('warn: Pod/x/p: pss-baseline/host-namespaces — spec.hostPID');
  });

  test.each([
    [['scan', 'missing-dir'], 2, 'USAGE_PATH_NOT_FOUND: scan input missing-dir: no such file or directory'],
    [['scan', 'bad', '--format', 'xml'], 2, "argument 'xml' is invalid"],
    [['--config', 'broken.yaml', 'scan', 'bad'], 2, 'CONFIG_INVALID: broken.yaml: spec.policies.packs.0:'],
    [['scan', 'invalid.yaml'], 3, 'K8S_YAML_INVALID: invalid.yaml: document 1'],
  ])('%j exits %d', (args, code, text) => {
    const r = run(args);
    expect(r.status).toBe(code);
    expect(r.stderr).toContain(text);
    expect(r.stdout).toBe('');
  });
});
