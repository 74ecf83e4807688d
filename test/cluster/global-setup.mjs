// Jest globalSetup of the `cluster` project: one real control plane (etcd + kube-apiserver, built
// by scripts/cluster.sh) per jest run, shared by the cluster suites. A control plane that cannot
// start does not abort the other projects: the reason goes into SYNCGATE_CLUSTER_ERROR and every
// cluster test fails with it (never a silent skip).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  const root = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-cluster-'));
  process.env.SYNCGATE_CLUSTER_DIR = dir;
  try {
    // Build-or-reuse first (a no-op when scripts/test.sh has built them), then start.
    execFileSync('bash', [join(root, 'scripts/cluster.sh'), 'build', 'etcd', 'kube-apiserver'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 45 * 60_000 });
    execFileSync('bash', [join(root, 'scripts/cluster.sh'), 'up', dir, String(process.pid)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
    process.env.SYNCGATE_CLUSTER = join(dir, 'cluster.json');
  } catch (e) {
    const stderr = e && typeof e === 'object' && 'stderr' in e && e.stderr ? String(e.stderr).trim() : '';
    process.env.SYNCGATE_CLUSTER_ERROR = `the test control plane did not start: ${stderr || (e instanceof Error ? e.message : String(e))}`.slice(0, 4000);
  }
}
