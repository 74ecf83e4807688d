// `syncgate generate` run as argocd-cmp-server runs it: the server copies all of stderr into
// the app's condition, so a refusal writes the report alone (summary naming the first object,
// one line per finding, capped) and nothing else: no JSON log record, no warning per line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, cliPath, parameterEnv, repoRoot } from '../helpers/sidecar.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-stock-stderr-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pod = (name: string, privileged: boolean): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: demo\nspec:\n  containers:\n    - name: c\n      image: busybox:latest\n      securityContext:\n        privileged: ${String(privileged)}\n`;

function generate(extraEnv: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, 'generate'], {
    cwd: dir,
    env: { PATH: `${join(repoRoot, '.tools', 'bin')}:${process.env['PATH'] ?? ''}`, HOME: dir, ...baseEnv(), ...parameterEnv(undefined), ...extraEnv },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('stock generate stderr', () => {
  test('a refusal of 25 objects: summary with the first object, 10 finding lines, the rest counted, warnings in one line', () => {
    for (let i = 1; i <= 25; i++) writeFileSync(join(dir, `p${String(i).padStart(2, '0')}.yaml`), pod(`p${String(i).padStart(2, '0')}`, true));
    const r = generate();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('syncgate refused the render: 25 findings in 25 objects (pss-baseline/privileged ×25); first: Pod/demo/p01');
    expect(lines.slice(1, 11).every((l, i) => l.startsWith(`Pod/demo/p${String(i + 1).padStart(2, '0')}: pss-baseline/privileged — `))).toBe(true);
    expect(lines[11]).toBe('… and 15 more (`syncgate scan` on the app lists them all)');
    expect(lines[12]).toMatch(/^\d+ warnings, first: Pod\/demo\/p01: /);
    expect(lines).toHaveLength(13);
    expect(r.stderr).not.toMatch(/^\{/m);
    expect(r.stderr.length).toBeLessThan(3 * 1024);
  });

  test('one refused object among compliant ones: the report alone', () => {
    writeFileSync(join(dir, 'bad.yaml'), pod('bad', true));
    const r = generate();
    expect(r.status).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('syncgate refused the render: 1 finding in 1 object (pss-baseline/privileged); first: Pod/demo/bad');
    expect(lines[1]).toMatch(/^Pod\/demo\/bad: pss-baseline\/privileged — /);
    expect(lines.slice(2).every((l) => /^\d+ warnings, first: /.test(l))).toBe(true);
  });

  test('an explicit SYNCGATE_LOG_LEVEL brings the JSON log back (operator debugging)', () => {
    writeFileSync(join(dir, 'bad.yaml'), pod('bad', true));
    const r = generate({ SYNCGATE_LOG_LEVEL: 'debug' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\{"level":/m);
  });

  test('allowed with warnings: manifests on stdout, one warning line on stderr', () => {
    writeFileSync(join(dir, 'ok.yaml'), pod('ok', false));
    const r = generate();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('name: ok');
    expect(r.stderr).toMatch(/^\d+ warnings, first: Pod\/demo\/ok: [^\n]*\n$/);
  });
});
