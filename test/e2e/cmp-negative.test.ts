// Hostile and broken input at the CMP socket: every case is a gRPC UNKNOWN whose message is
// `CODE: message`, nothing is emitted, and no temp dir or process is left behind.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { baseEnv, callGenerate, callMatch, expectClean, repoRoot, startSidecar, type CallOptions, type Sidecar } from '../helpers/sidecar.js';
import { tgzFromEntries, type TarEntry } from '../helpers/tgz.js';

const examples = join(repoRoot, 'examples');
let sidecar: Sidecar;
let scratch: string;

beforeAll(async () => {
  sidecar = await startSidecar({
    config: 'apiVersion: syncgate.dev/v1alpha1\nkind: GateConfig\nspec:\n  limits:\n    repoBytes: 256Ki\n',
  });
  scratch = mkdtempSync(join(tmpdir(), 'syncgate-neg-'));
}, 20_000);
afterAll(async () => {
  await sidecar.stop();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => expectClean(sidecar));

/** Writes a small repo of `files` under scratch and returns its root. */
function repo(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

async function failure(dir: string, opts: CallOptions): Promise<ServiceError> {
  const r = await callGenerate(sidecar.socket, dir, { env: baseEnv(), ...opts }).then(
    (manifests) => ({ manifests }),
    (e: unknown) => e as ServiceError,
  );
  if ('manifests' in r) throw new Error(`expected a failure, got ${r.manifests.length} manifests`);
  expect(r.code).toBe(status.UNKNOWN);
  return r;
}

const root: TarEntry = { name: '.', type: 'dir' };
const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n';
const hostile = (...entries: TarEntry[]): Buffer => tgzFromEntries([root, { name: 'cm.yaml', type: 'file', content: cm }, ...entries]);

describe('stream and archive', () => {
  test.each<[string, CallOptions, RegExp]>([
    ['bad checksum', { checksum: 'f'.repeat(64) }, /^CMP_CHECKSUM_MISMATCH: file checksum validation error: received sha256 [0-9a-f]{64}, metadata says f{64}$/],
    ['first message not metadata', { messages: [{ file: { chunk: Buffer.from('x') } }, { metadata: { appRelPath: '.', checksum: '', env: [] } }] }, /^CMP_METADATA_MISSING: error getting stream metadata: metadata is nil$/],
    ['traversal entry', { tgz: hostile({ name: '../../evil.yaml', type: 'file', content: cm }) }, /^CMP_ILLEGAL_PATH: illegal filepath in archive: \.\.\/\.\.\/evil\.yaml: parent directory reference$/],
    ['absolute path entry', { tgz: hostile({ name: '/tmp/evil.yaml', type: 'file', content: cm }) }, /^CMP_ILLEGAL_PATH: illegal filepath in archive: \/tmp\/evil\.yaml: absolute or non-posix path$/],
    ['escaping symlink', { tgz: hostile({ name: 'values.yaml', type: 'symlink', linkname: '../../../../etc/passwd' }) }, /^CMP_ILLEGAL_SYMLINK: illegal filepath in symlink: values\.yaml -> \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd: points out of the repository$/],
    ['device entry', { tgz: hostile({ name: 'zero', type: 'char' }) }, /^CMP_ILLEGAL_ENTRY: illegal entry in archive: zero: character-device$/],
    ['hard link entry', { tgz: hostile({ name: 'h.yaml', type: 'hardlink', linkname: 'cm.yaml' }) }, /^CMP_ILLEGAL_ENTRY: illegal entry in archive: h\.yaml: hard link to cm\.yaml$/],
    ['appRelPath out of the repo', { appRelPath: '../..' }, /^CMP_APP_PATH_OUT_OF_BOUNDS: illegal appPath: out of workDir bound: \.\.\/\.\.$/],
    ['not a gzip stream', { tgz: Buffer.from('plain text, not gzip') }, /^CMP_ARCHIVE_INVALID: invalid repository archive: /],
    [
      'oversize stream (limits.repoBytes 256Ki)',
      { tgz: hostile({ name: 'blob.bin', type: 'file', content: randomBytes(400 * 1024) }) },
      /^CMP_STREAM_TOO_LARGE: repository stream exceeds 262144 bytes \(limits\.repoBytes\)/,
    ],
    [
      'gzip bomb (small stream, huge content)',
      { tgz: hostile({ name: 'zeros.bin', type: 'file', content: Buffer.alloc(8 * 1024 * 1024) }) },
      /^CMP_STREAM_TOO_LARGE: extracted repository exceeds 262144 bytes \(limits\.repoBytes\): zeros\.bin$/,
    ],
  ])('%s', async (_label, opts, message) => {
    const err = await failure(join(examples, 'plain-app'), opts);
    expect(err.details).toMatch(message);
    expect(sidecar.logs()).not.toContain('"level":50'); // refused input is a warning, not a server error
  });

  test('MatchRepository refuses the same hostile archive', async () => {
    const err = await callMatch(sidecar.socket, examples, { env: baseEnv(), tgz: hostile({ name: '../x', type: 'file', content: 'x' }) }).catch((e: unknown) => e as ServiceError);
    expect(err).toMatchObject({ code: status.UNKNOWN });
    expect((err as ServiceError).details).toMatch(/^CMP_ILLEGAL_PATH: /);
  });
});

describe('render errors reach the user', () => {
  const chart = 'apiVersion: v2\nname: demo\nversion: 0.1.0\n';
  test.each<[string, () => { dir: string; opts: CallOptions }, RegExp]>([
    [
      'values file outside the repo (parameter)',
      () => ({ dir: repo('values-outside', { 'app/Chart.yaml': chart, 'app/templates/cm.yaml': cm }), opts: { appRelPath: 'app', params: [{ name: 'values-files', array: ['../../outside.yaml'] }] } }),
      // the SOPS staging pass and the renderer ask the same repo filesystem: one code
      /^RENDER_PATH_OUTSIDE_REPO: values file \.\.\/\.\.\/outside\.yaml: resolves outside the repo root/,
    ],
    [
      'absolute values file (parameter)',
      () => ({ dir: repo('values-abs', { 'Chart.yaml': chart, 'templates/cm.yaml': cm }), opts: { params: [{ name: 'values-files', array: ['/etc/passwd'] }] } }),
      /^RENDER_PATH_OUTSIDE_REPO: values file \/etc\/passwd: absolute paths are not allowed/,
    ],
    [
      'remote kustomize base',
      () => ({
        dir: repo('remote-base', { 'kustomization.yaml': 'resources:\n  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v3.3.1\n' }),
        opts: {},
      }),
      /^RENDER_KUSTOMIZE_REMOTE_BASE: .*github\.com\/kubernetes-sigs\/kustomize/,
    ],
    [
      'missing chart dependency',
      () => ({
        dir: repo('missing-dep', {
          'Chart.yaml': `${chart}dependencies:\n  - name: redis\n    version: 18.0.0\n    repository: https://charts.example.com\n`,
          'templates/cm.yaml': cm,
        }),
        opts: {},
      }),
      /^RENDER_HELM_DEPENDENCY_MISSING: .*redis/,
    ],
    [
      'render failure shows the stderr tail',
      () => ({ dir: repo('bad-template', { 'Chart.yaml': chart, 'templates/cm.yaml': `${cm}  x: {{ .Values.x | nosuchfunc }}\n` }), opts: {} }),
      /^RENDER_HELM_FAILED: [\s\S]*function "nosuchfunc" not defined/,
    ],
  ])('%s', async (_label, make, message) => {
    const { dir, opts } = make();
    const err = await failure(dir, opts);
    expect(err.details).toMatch(message);
  }, 20_000);
});

describe('policy refusal', () => {
  test('a privileged pod fails GenerateManifest with the report (no manifests), counted as refused', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-pod\n  namespace: demo\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n';
    const dir = repo('privileged', { 'pod.yaml': pod, 'cm.yaml': cm });
    // Counted against this test's own baseline: other tests in the file share the sidecar.
    const refused = async (): Promise<number> => {
      const m = /syncgate_requests_total\{rpc="GenerateManifest",outcome="refused"\} (\d+)\n/.exec(await (await fetch(`http://127.0.0.1:${sidecar.httpPort}/metrics`)).text());
      return Number(m?.[1] ?? 0);
    };
    const before = await refused();
    const err = await failure(dir, {});
    expect(err.details).toMatch(/^syncgate refused the render: 2 findings in 1 object \(pss-baseline\/host-namespaces, pss-baseline\/privileged\)\n/);
    expect(err.details).toContain('Pod/demo/root-pod: pss-baseline/privileged — spec.containers[0].securityContext.privileged');
    expect(await refused()).toBe(before + 1);
  });
});
