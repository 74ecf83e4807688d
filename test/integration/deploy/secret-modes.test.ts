// The age keys must be readable by the sidecar's uid 999 as the kubelet lays the Secret out.
// The kubelet writes secret volume files owned by root with `defaultMode`; only when the pod
// has an fsGroup does it chown them to that group and OR in 0440, secret volumes being
// read-only (kubernetes pkg/volume/volume_linux.go SetVolumeOwnership). The upstream
// repo-server pod has no fsGroup. Each install's pod is modelled that way, and, when the test
// runs as root, the files are made for real and read by a process with the container's ids.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allInstalls, podSpecs } from './installs.js';

interface Layout {
  uid: number;
  gid: number;
  mode: number;
}

/** A secret volume file as the kubelet leaves it. */
function kubeletSecretFile(defaultMode: number | undefined, fsGroup: number | undefined): Layout {
  const mode = defaultMode ?? 0o644;
  return fsGroup === undefined ? { uid: 0, gid: 0, mode } : { uid: 0, gid: fsGroup, mode: mode | 0o440 };
}

/** POSIX read permission for a process (uid, its groups) on a file. */
function canRead(f: Layout, uid: number, groups: readonly number[]): boolean {
  if (uid === 0) return true;
  if (uid === f.uid) return (f.mode & 0o400) !== 0;
  if (groups.includes(f.gid)) return (f.mode & 0o040) !== 0;
  return (f.mode & 0o004) !== 0;
}

const isRoot = process.getuid?.() === 0;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncgate-secret-modes-'));
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Makes the file as the kubelet would and reads it as (uid, gid); only possible as root. */
function kernelCanRead(f: Layout, uid: number, gid: number): boolean {
  const p = join(dir, `key-${f.mode.toString(8)}-${f.gid}-${uid}-${gid}.txt`);
  writeFileSync(p, 'AGE-SECRET-KEY-1TESTONLY\n');
  chownSync(p, f.uid, f.gid);
  chmodSync(p, f.mode);
  const r = spawnSync(process.execPath, ['-e', `require('node:fs').readFileSync(${JSON.stringify(p)})`], { uid, gid, timeout: 10_000 });
  return r.status === 0;
}

const cases: [string, number | undefined, number | undefined, number, number, number[]][] = [];
for (const [install, docs] of allInstalls()) {
  for (const { spec } of podSpecs(docs)) {
    const vol = (spec.volumes ?? []).find((v: { secret?: { secretName: string } }) => v.secret?.secretName === 'syncgate-age-keys');
    if (vol === undefined) continue;
    const c = spec.containers.find((x: { volumeMounts?: { name: string }[] }) => (x.volumeMounts ?? []).some((m) => m.name === vol.name));
    const fsGroup: number | undefined = spec.securityContext?.fsGroup;
    const uid: number = c.securityContext.runAsUser;
    const gid: number = c.securityContext.runAsGroup ?? uid;
    const groups = [gid, ...(fsGroup !== undefined ? [fsGroup] : []), ...(spec.securityContext?.supplementalGroups ?? [])];
    cases.push([install, vol.secret.defaultMode, fsGroup, uid, gid, groups]);
  }
}

describe('age key files as the kubelet writes them', () => {
  test('every Argo CD install mounts the keys', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(['components:monitoring', 'components:native', 'components:stock', 'deploy/argocd', 'helm:deploy/argocd/helm/values.yaml']);
  });

  test.each(cases)('%s: readable by the sidecar (defaultMode %o, fsGroup %s, uid %d)', (_n, mode, fsGroup, uid, gid, groups) => {
    const f = kubeletSecretFile(mode, fsGroup);
    expect(canRead(f, uid, groups)).toBe(true);
    if (isRoot) expect(kernelCanRead(f, uid, fsGroup ?? gid)).toBe(true);
  });

  test.each<[string, number, number | undefined, boolean]>([
    ['0400 without fsGroup (the old manifest): unreadable', 0o400, undefined, false],
    ['0440 without fsGroup: group root, still unreadable', 0o440, undefined, false],
    ['0400 with fsGroup 999: the kubelet adds group read', 0o400, 999, true],
    ['0444 without fsGroup', 0o444, undefined, true],
  ])('%s', (_n, mode, fsGroup, readable) => {
    const f = kubeletSecretFile(mode, fsGroup);
    expect(canRead(f, 999, fsGroup !== undefined ? [999, fsGroup] : [999])).toBe(readable);
    if (isRoot) expect(kernelCanRead(f, 999, fsGroup ?? 999)).toBe(readable);
  });
});
