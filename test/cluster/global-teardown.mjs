// Jest globalTeardown of the `cluster` project: stops etcd, kube-apiserver and the watchdog that
// `scripts/cluster.sh up` started, and removes their state.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function teardown() {
  const dir = process.env.SYNCGATE_CLUSTER_DIR;
  if (!dir) return;
  execFileSync('bash', [join(process.cwd(), 'scripts/cluster.sh'), 'down', dir], { stdio: 'inherit', timeout: 60_000 });
}
