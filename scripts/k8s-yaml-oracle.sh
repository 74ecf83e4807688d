#!/usr/bin/env bash
# Regenerates test/fixtures/codec/upstream.json: what Kubernetes' decoder (k8s.io/apimachinery
# YAMLOrJSONDecoder + sigs.k8s.io/yaml, pinned in scripts/k8s-yaml-oracle/go.mod) makes of every
# input in test/fixtures/codec/cases.json (and roundtrip-cases.json when present). Needs Go; CI
# only reads the committed output. Usage: scripts/k8s-yaml-oracle.sh [in.json out.json]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin/k8s-yaml-oracle"
mkdir -p "$root/.tools/bin"
(cd "$root/scripts/k8s-yaml-oracle" && GOFLAGS="-trimpath -buildvcs=false -mod=mod" CGO_ENABLED=0 go build -o "$bin" .)
if [[ $# -eq 2 ]]; then
  "$bin" <"$1" >"$2"
  exit 0
fi
fx="$root/test/fixtures/codec"
python3 "$root/scripts/k8s-yaml-oracle/cases.py" >&2
"$bin" <"$fx/cases.json" >"$fx/upstream.json"
echo "k8s-yaml-oracle: wrote $fx/upstream.json" >&2
