// `syncgate flux build` as CI runs it (the built CLI): exit codes, output and refusals.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');
const CONFIG = 'examples/flux/gateconfig.yaml';
const VARS = ['--substitute-from', 'examples/flux/cluster-vars.yaml'];
let dir: string;

function syncgate(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, '-c', CONFIG, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-flux-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('syncgate flux build', () => {
  test('compliant example → exit 0, --output dir holds the encrypted build', () => {
    const out = join(dir, 'artifact');
    const r = syncgate('flux', 'build', 'examples/flux/flux-kustomization.yaml', ...VARS, '--output', out);
    expect(r.stderr).toContain('wrote 4 objects to');
    expect(r.code).toBe(0);
    const text = readFileSync(join(out, 'manifests.yaml'), 'utf8');
    expect(text).toContain('sops:');
    expect(text).not.toContain('demo-db-password-42');
    expect(r.stderr + r.stdout).not.toContain('demo-db-password-42');
  });

  test('without --output the encrypted build goes to stdout, never the decrypted one', () => {
    const r = syncgate('flux', 'build', 'examples/flux/flux-kustomization.yaml', ...VARS);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ENC[AES256_GCM,');
    expect(r.stdout).not.toContain('demo-db-password-42');
  });

  test('non-compliant example → exit 1 with the findings, and nothing written', () => {
    const out = join(dir, 'refused');
    const r = syncgate('flux', 'build', 'examples/flux/flux-kustomization-noncompliant.yaml', ...VARS, '--output', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Deployment/team-a/web: pss-baseline/privileged');
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).not.toContain('demo-db-password-42');
  });

  test('--path/--namespace mode, --substitute wins over --substitute-from', () => {
    const r = syncgate(
      'flux', 'build', '--path', 'examples/flux/app', '--namespace', 'flux-system', '--name', 'team-a', '--target-namespace', 'team-a',
      '--substitute', 'IMAGE_TAG=9.9.9', ...VARS,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('image: ghcr.io/example/web:${IMAGE_TAG}');
  });

  test.each([
    [['--path', 'examples/flux/app', '--namespace', 'flux-system', '--name', 'team-a', '--substitute', 'ONLY=1'], 3, /^FLUX_SUBSTITUTE_FAILED: Secret\/team-a\/db: post build failed: variable not set \(strict mode\): "DB_HOST"$/m],
    [['examples/flux/cluster-vars.yaml'], 2, /^FLUX_KUSTOMIZATION_INVALID: examples\/flux\/cluster-vars.yaml: expected exactly one kustomize.toolkit.fluxcd.io Kustomization, found 0/m],
    [['--path', '../..', '--namespace', 'flux-system'], 2, /^FLUX_PATH_INVALID: spec.path \.\.\/\.\.: \/\S* is outside the source root \(spec.path is relative to the source root \/\S+; set it with --repo-root\)$/m],
    // issue 17: the README's old command; the message shows where spec.path resolved to.
    [['examples/flux/flux-kustomization.yaml', '--repo-root', 'examples/flux', ...VARS], 2, /^FLUX_PATH_INVALID: spec.path \.\/examples\/flux\/app: \/\S+\/examples\/flux\/examples\/flux\/app is not a directory \(spec.path is relative to the source root \/\S+\/examples\/flux; set it with --repo-root\)$/m],
    [['examples/flux/does-not-exist'], 2, /^FLUX_KUSTOMIZATION_INVALID: examples\/flux\/does-not-exist: cannot read: ENOENT$/m],
    [['examples/flux/app'], 2, /^FLUX_TREE_INVALID: examples\/flux\/app: no kustomize.toolkit.fluxcd.io Kustomization found$/m],
    [['--path', 'examples/flux/app'], 2, /^USAGE_INVALID: flux build: give a Kustomization manifest, or --path and --namespace/m],
    [['examples/flux/flux-kustomization.yaml'], 2, /^FLUX_SUBSTITUTE_FROM_MISSING: substitute from 'ConfigMap\/cluster-vars' error: not found/m],
    [['examples/flux/flux-kustomization.yaml', '--substitute-from', 'examples/flux/flux-kustomization.yaml'], 2, /^FLUX_SUBSTITUTE_FROM_INVALID: examples\/flux\/flux-kustomization.yaml: document 1: expected a ConfigMap or Secret/m],
  ])('%j → exit %i', (args, code, message) => {
    const r = syncgate('flux', 'build', ...args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });
});

describe('the README Flux commands', () => {
  test('the bundled example, as the README gives it → exit 0', () => {
    const r = syncgate('flux', 'build', 'examples/flux/flux-kustomization.yaml', ...VARS);
    expect(r.stderr).toMatch(/no enforced findings/);
    expect(r.code).toBe(0);
  });

  test('a cluster tree: every Kustomization in dependsOn order, one report, one output dir per Kustomization', () => {
    const out = join(dir, 'tree');
    const r = syncgate('flux', 'build', 'examples/flux/clusters/demo', ...VARS, '--output', out);
    expect(r.code).toBe(0);
    // Warnings (hygiene findings that only warn) come first; the report follows them.
    const lines = r.stderr.split('\n').filter((l) => !l.startsWith('warning: '));
    expect(lines[0]).toBe('flux build: 2 Kustomizations: 2 allowed, 0 refused, 0 failed');
    expect(lines[1]).toMatch(/^Kustomization\/flux-system\/infra: allowed: /);
    expect(lines[2]).toMatch(/^Kustomization\/flux-system\/team-a: allowed: /);
    expect(readFileSync(join(out, 'flux-system', 'infra', 'manifests.yaml'), 'utf8')).toContain('kind: Namespace');
    const teamA = readFileSync(join(out, 'flux-system', 'team-a', 'manifests.yaml'), 'utf8');
    expect(teamA).toContain('ENC[AES256_GCM,');
    expect(teamA).not.toContain('demo-db-password-42');
  });

  test('flux diff: objects changed, added and removed against a previous build, then the verdict', () => {
    const out = join(dir, 'previous');
    expect(syncgate('flux', 'build', 'examples/flux/flux-kustomization.yaml', ...VARS, '--output', out).code).toBe(0);
    expect(syncgate('flux', 'diff', out, 'examples/flux/flux-kustomization.yaml', ...VARS).stdout).toBe('no changes\n');
    const file = join(out, 'manifests.yaml');
    // The previous build: another image, no NetworkPolicy, one object since removed.
    const docs = readFileSync(file, 'utf8').split(/^---\n/m).filter((d) => !d.includes('kind: NetworkPolicy'));
    docs.push('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n  namespace: team-a\n');
    writeFileSync(file, docs.join('---\n').replace('web:${IMAGE_TAG}', 'web:1.0.0'));
    const r = syncgate('flux', 'diff', out, 'examples/flux/flux-kustomization.yaml', ...VARS);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '1 added, 1 removed, 1 changed',
        '- ConfigMap/team-a/gone',
        '~ Deployment/team-a/web',
        '    spec.template.spec.containers[0].image: "ghcr.io/example/web:1.0.0" -> "ghcr.io/example/web:${IMAGE_TAG}"',
        '+ NetworkPolicy/team-a/web',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toMatch(/no enforced findings/);
  });

  test('flux diff of a refused build: the diff, then the findings, exit 1', () => {
    const out = join(dir, 'previous-ok');
    expect(syncgate('flux', 'build', 'examples/flux/flux-kustomization.yaml', ...VARS, '--output', out).code).toBe(0);
    const r = syncgate('flux', 'diff', out, 'examples/flux/flux-kustomization-noncompliant.yaml', ...VARS);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('0 added, 0 removed, 1 changed\n~ Deployment/team-a/web\n');
    expect(r.stdout).toContain('    spec.template.spec.hostNetwork: (none) -> true\n');
    expect(r.stderr).toContain('Deployment/team-a/web: pss-baseline/privileged');
    expect(r.stdout + r.stderr).not.toContain('demo-db-password-42');
  });
});
