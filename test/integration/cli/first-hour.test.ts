// issue 17, "the first hour of a new user": the installed command (dist/bin/syncgate.cjs, the
// bundle package.json "bin" points at; `npm run build` first) run as a user runs it, with the
// real helm and kustomize. Every error is one coded line on stderr, worded for what was typed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const project = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(project, 'dist', 'bin', 'syncgate.cjs');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-first-hour-'));
  cpSync(join(project, 'examples'), join(dir, 'examples'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function syncgate(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: dir,
    env: { PATH: `${join(project, '.tools', 'bin')}:${process.env['PATH'] ?? ''}`, HOME: dir, SYNCGATE_COMPILE_CACHE: join(dir, '.cache') },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exactly one line on stderr, `CODE: …`. */
function oneLine(stderr: string, code: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${code}: `));
  return lines[0] ?? '';
}

function write(path: string, text: string): string {
  const p = join(dir, path);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const kvChart = () => {
  write('kv/Chart.yaml', 'apiVersion: v2\nname: kv\nversion: 0.1.0\nkubeVersion: ">=1.25.0-0"\n');
  write('kv/templates/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kv\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n');
};
const config = (spec: string) => write('gateconfig.yaml', `apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n${spec}`);

describe('every error is one clear line', () => {
  test('item 4: a duration without a unit is refused with the hint, before anything renders', () => {
    config('  limits: {renderTimeout: 60}\n');
    const r = syncgate('-c', 'gateconfig.yaml', 'render', 'examples/helm-app', '--app', 'demo');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr, 'CONFIG_INVALID')).toBe(
      'CONFIG_INVALID: gateconfig.yaml: spec.limits.renderTimeout: duration 60 has no unit: write e.g. "60s" for seconds or "60ms" for milliseconds',
    );
    expect(r.stdout).toBe('');
  });

  test('item 4: duration flags need a unit too', () => {
    const r = syncgate('serve', '--shutdown-grace', '10000', '--plugins-dir', join(dir, 'plugins'), '--http-port', '0');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr, 'USAGE_INVALID')).toBe('USAGE_INVALID: --shutdown-grace: duration "10000" has no unit: write e.g. "10000s" for seconds or "10000ms" for milliseconds');
  });

  test('item 5: a runtime error prints once (no JSON log record); item 7: helm\'s --debug hint becomes syncgate\'s', () => {
    write('bad/Chart.yaml', 'apiVersion: v2\nname: bad\nversion: 0.1.0\n');
    write('bad/templates/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: b\n   c: d\n');
    const r = syncgate('render', 'bad');
    expect(r.code).toBe(3);
    const line = oneLine(r.stderr, 'RENDER_HELM_FAILED');
    expect(line).toContain('YAML parse error on bad/templates/cm.yaml');
    expect(line).not.toContain('Use --debug flag');
    expect(line).toContain('(to see the rendered YAML, run `helm template --debug` on the chart)');
  });

  test('item 5: an unknown flag is one coded line with the suggestion, not the help', () => {
    const r = syncgate('render', 'examples/helm-app', '--ap', 'demo');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr, 'USAGE_INVALID')).toBe("USAGE_INVALID: unknown option '--ap' (Did you mean --app?): see `syncgate render --help`");
    const u = syncgate('rendr', 'x');
    expect(u.code).toBe(2);
    expect(oneLine(u.stderr, 'USAGE_INVALID')).toBe("USAGE_INVALID: unknown command 'rendr' (Did you mean render?): see `syncgate --help`");
  });

  test('item 6: scan of a chart or a kustomization says what it is and to use render', () => {
    const h = syncgate('scan', 'examples/helm-app');
    expect(h.code).toBe(2);
    expect(oneLine(h.stderr, 'USAGE_INVALID')).toBe(
      'USAGE_INVALID: scan input examples/helm-app: is a Helm chart (Chart.yaml), not rendered manifests: use `syncgate render examples/helm-app`, which renders and scans it',
    );
    const k = syncgate('scan', 'examples/kustomize-app/overlays/prod');
    expect(oneLine(k.stderr, 'USAGE_INVALID')).toContain('is a Kustomize directory (kustomization.yaml), not rendered manifests: use `syncgate render');
    // a chart further down the scanned tree: its templates are named as such
    cpSync(join(dir, 'examples', 'helm-app'), join(dir, 'tree', 'charts', 'web'), { recursive: true });
    cpSync(join(dir, 'examples', 'plain-app'), join(dir, 'tree', 'plain'), { recursive: true });
    const t = syncgate('scan', 'tree');
    expect(t.code).toBe(2);
    expect(oneLine(t.stderr, 'USAGE_INVALID')).toMatch(/^USAGE_INVALID: tree\/charts\/web\/templates\/[a-z-]+\.yaml: is a template of the Helm chart tree\/charts\/web, not a rendered manifest: use `syncgate render tree\/charts\/web`/);
  });

  test('item 8: -f outside the repo root is a render path error; -f given from the cwd says -f is relative to the app', () => {
    const out = syncgate('render', 'examples/helm-app', '-f', '../../README.md');
    expect(oneLine(out.stderr, 'RENDER_PATH_OUTSIDE_REPO')).toBe(
      'RENDER_PATH_OUTSIDE_REPO: -f ../../README.md: resolves outside the repo root examples/helm-app (values files are relative to the app directory examples/helm-app; give --repo-root to allow files beside it)',
    );
    const cwd = syncgate('render', 'examples/helm-app', '-f', 'examples/helm-app/values.yaml');
    expect(oneLine(cwd.stderr, 'RENDER_PATH_NOT_FOUND')).toBe(
      'RENDER_PATH_NOT_FOUND: -f examples/helm-app/values.yaml: no such file: -f is relative to the app directory examples/helm-app, so write -f values.yaml',
    );
    expect(syncgate('render', 'examples/helm-app', '--app', 'demo', '-f', 'values.yaml').code).toBe(0);
  });

  test('item 9: the same typo gets the same code and exit code from render and scan, about the path typed', () => {
    const r = syncgate('render', 'examples/helm-ap');
    const s = syncgate('scan', 'examples/helm-ap');
    expect([r.code, s.code]).toEqual([2, 2]);
    expect(oneLine(r.stderr, 'USAGE_PATH_NOT_FOUND')).toBe('USAGE_PATH_NOT_FOUND: app directory examples/helm-ap: no such file or directory (did you mean examples/helm-app?)');
    expect(oneLine(s.stderr, 'USAGE_PATH_NOT_FOUND')).toBe('USAGE_PATH_NOT_FOUND: scan input examples/helm-ap: no such file or directory (did you mean examples/helm-app?)');
    expect(r.stderr).not.toContain('repo root');
    expect(oneLine(syncgate('render', 'examples/helm-app', '--repo-root', 'exampels').stderr, 'USAGE_PATH_NOT_FOUND')).toContain('--repo-root exampels: no such file or directory');
  });

  test.each([
    [['--app', 'demo_app'], '--app "demo_app": not a valid application name'],
    [['--app', 'Demo_App'], '--app "Demo_App": not a valid application name'],
    [['--app', 'demo', '--release-name', 'Demo'], '--release-name "Demo": not a valid Helm release name'],
    [['--app', `a${'b'.repeat(60)}`], 'not a valid Helm release name: use lower-case letters'],
  ])('item 11: %j is refused with the rule it breaks, never rewritten', (args, message) => {
    const r = syncgate('render', 'examples/helm-app', ...args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr, 'USAGE_INVALID')).toContain(message);
    expect(r.stdout).toBe('');
  });

  test('item 11: a valid app name is the release name as typed', () => {
    const r = syncgate('render', 'examples/helm-app', '--app', 'demo.app-2', '--namespace', 'demo');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('app.kubernetes.io/instance: demo.app-2');
  });

  test('item 14: scan says it refused the manifests, not a render', () => {
    write('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: demo}\nspec:\n  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n');
    const r = syncgate('scan', 'bad.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^syncgate refused the manifests: \d+ findings? in 1 object/m);
    expect(r.stdout).not.toContain('refused the render');
  });
});

describe('item 15: the Kubernetes version of renders', () => {
  test('helm is built with its release link flags: a chart requiring Kubernetes >= 1.25 renders without --kube-version', () => {
    kvChart();
    const r = syncgate('render', 'kv', '--namespace', 'demo');
    expect(r.stderr).not.toMatch(/^[A-Z_]+: /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kube: v1.34.0');
  });

  test('spec.render.helm.kubeVersion is the default when the caller gives none; --kube-version wins', () => {
    kvChart();
    config('  render: {helm: {kubeVersion: "1.29.3"}}\n');
    expect(syncgate('-c', 'gateconfig.yaml', 'render', 'kv', '--namespace', 'demo').stdout).toContain('kube: v1.29.3');
    expect(syncgate('-c', 'gateconfig.yaml', 'render', 'kv', '--namespace', 'demo', '--kube-version', '1.31.0').stdout).toContain('kube: v1.31.0');
    config('  render: {helm: {kubeVersion: "1.24.0"}}\n');
    const old = syncgate('-c', 'gateconfig.yaml', 'render', 'kv', '--namespace', 'demo');
    expect(old.code).toBe(3);
    expect(oneLine(old.stderr, 'RENDER_HELM_FAILED')).toContain('chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.24.0');
  });
});

describe('a serious CLI', () => {
  test('--version is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { version: string };
    const r = syncgate('--version');
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  test('bash completion completes commands and flags', () => {
    const script = syncgate('completion', 'bash').stdout;
    const complete = (words: string[]) =>
      spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _syncgate; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' }).stdout.trim();
    expect(complete(['syncgate', 'ren'])).toBe('render');
    expect(complete(['syncgate', 'render', '--ap'])).toBe('--app --api-versions');
    expect(complete(['syncgate', 'flux', 'b'])).toBe('build');
  });
});
