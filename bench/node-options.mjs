// The NODE_OPTIONS the container image runs syncgate with (deploy/Dockerfile), so the benches
// measure the servers as they are deployed.
import { readFileSync } from 'node:fs';

export function imageNodeOptions(root) {
  const dockerfile = readFileSync(new URL('deploy/Dockerfile', `file://${root.endsWith('/') ? root : `${root}/`}`), 'utf8');
  const m = /^\s*NODE_OPTIONS=(\S+?)\s*\\?$/m.exec(dockerfile);
  if (!m) throw new Error('deploy/Dockerfile sets no NODE_OPTIONS');
  return m[1];
}
