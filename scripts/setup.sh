#!/usr/bin/env bash
# The README's first command: installs everything on a fresh machine (npm packages, the pinned
# helm/kustomize/sops/age into .tools/bin, etcd, kube-apiserver and Argo CD for the cluster tests), builds,
# and renders the bundled examples.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash scripts/tools.sh
# The cluster tests' etcd, kube-apiserver and Argo CD servers: built once, then cached.
bash scripts/cluster.sh build
npm run --silent build
bash scripts/examples.sh
echo "setup: done. Try \`npx syncgate render examples/helm-app --app demo --namespace demo\`;" \
  "\`npm install -g .\` puts syncgate on your PATH (the bundled dist/bin/syncgate.cjs, no dependencies)." >&2
