#!/usr/bin/env bash
# Regenerates test/fixtures/codec/upstream.json: what Kubernetes' decoder (k8s.io/apimachinery
# YAMLOrJSONDecoder + sigs.k8s.io/yaml, pinned in scripts/k8s-yaml-oracle/go.mod) makes of every
# input in test/fixtures/codec/cases.json (and roundtrip-cases.json when present). Needs Go; CI
# only reads the committed output. Usage: scripts/k8s-yaml-oracle.sh [in.json out.json | build]
# `build` only builds .tools/bin/k8s-yaml-oracle (scripts/tools.sh: the integration test
# test/integration/render/upstream-golden.test.ts reads the golden renders through it); it skips
# the build when its stamp records the hash of the oracle's sources.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin/k8s-yaml-oracle"
mkdir -p "$root/.tools/bin"
stamp="$root/.tools/stamps/k8s-yaml-oracle"
build=$(cd "$root/scripts/k8s-yaml-oracle" && cat main.go go.mod go.sum | sha256sum | cut -d' ' -f1)
if [[ ${1:-} == build && -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$build" ]]; then
  exit 0
fi
# Like scripts/tools.sh: a build is also kept in the per-user cache, named by its sources' hash,
# so a fresh clone on the same machine (CI) copies it instead of building.
cache="${SYNCGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/syncgate-tools}"
cached="$cache/k8s-yaml-oracle-$build"
if [[ -x "$cached" ]]; then
  cp "$cached" "$bin.tmp" && mv -f "$bin.tmp" "$bin"
else
  (cd "$root/scripts/k8s-yaml-oracle" && GOFLAGS="-trimpath -buildvcs=false -mod=mod" CGO_ENABLED=0 go build -o "$bin.tmp" . && mv -f "$bin.tmp" "$bin")
  mkdir -p "$cache" && cp "$bin" "$cached.tmp" && mv -f "$cached.tmp" "$cached"
fi
mkdir -p "$root/.tools/stamps" && echo "$build" >"$stamp"
[[ ${1:-} == build ]] && exit 0
if [[ $# -eq 2 ]]; then
  "$bin" <"$1" >"$2"
  exit 0
fi
fx="$root/test/fixtures/codec"
python3 "$root/scripts/k8s-yaml-oracle/cases.py" >&2
"$bin" <"$fx/cases.json" >"$fx/upstream.json"
echo "k8s-yaml-oracle: wrote $fx/upstream.json" >&2
