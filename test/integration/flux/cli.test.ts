// `syncgate flux build` as CI runs it (the built CLI): exit codes, output and refusals.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    [['--path', '../..', '--namespace', 'flux-system'], 2, /^FLUX_PATH_INVALID: \.\.\/\.\.: resolves outside the repo root/m],
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
