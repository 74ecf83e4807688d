#!/usr/bin/env bash
# The README's first command: installs everything on a fresh machine (npm packages, the pinned
# helm/kustomize/sops/age into .tools/bin, etcd and kube-apiserver for the cluster tests), builds,
# and renders the bundled examples.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash scripts/tools.sh
# The real control plane of the cluster tests (etcd, kube-apiserver): built once, then cached.
bash scripts/cluster.sh build etcd kube-apiserver
npm run --silent build
bash scripts/examples.sh
