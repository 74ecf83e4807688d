#!/usr/bin/env bash
# Installs the pinned render/crypto tools into .tools/bin with `go install`.
# Skips a tool whose stamp already records the pinned version. Production images
# (deploy/Dockerfile) pin the same versions.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
# Built binaries are also kept in a per-user cache, so a fresh clone on the same machine (CI)
# copies them instead of rebuilding.
cache="${SYNCGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/syncgate-tools}"
mkdir -p "$bin" "$root/.tools/stamps" "$cache"

# name|go package|version
TOOLS=(
  "helm|helm.sh/helm/v3/cmd/helm|v3.19.0"
  "kustomize|sigs.k8s.io/kustomize/kustomize/v5|v5.7.1"
  "sops|github.com/getsops/sops/v3/cmd/sops|v3.10.2"
  "age|filippo.io/age/cmd/age|v1.2.1"
  "age-keygen|filippo.io/age/cmd/age-keygen|v1.2.1"
)

if ! command -v go >/dev/null 2>&1; then
  echo "tools: go is required to build the pinned tools (https://go.dev/dl)" >&2
  exit 2
fi

export GOBIN="$bin" GOFLAGS="-trimpath -buildvcs=false" CGO_ENABLED=0
pids=()
for t in "${TOOLS[@]}"; do
  IFS='|' read -r name pkg ver <<<"$t"
  stamp="$root/.tools/stamps/$name"
  if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$pkg@$ver" ]]; then
    continue
  fi
  cached="$cache/$name-${ver}"
  if [[ -x "$cached" ]]; then
    cp "$cached" "$bin/$name" && echo "$pkg@$ver" >"$stamp"
    continue
  fi
  echo "tools: installing $name $ver" >&2
  (
    ldflags=""
    # helm reports its version from a link-time variable; without it `helm version` says v3.x-dev.
    [[ "$name" == helm ]] && ldflags="-X helm.sh/helm/v3/internal/version.version=$ver"
    go install -ldflags "$ldflags" "$pkg@$ver" && echo "$pkg@$ver" >"$stamp" && cp "$bin/$name" "$cached"
  ) &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
if [[ $rc -ne 0 ]]; then echo "tools: an install failed" >&2; exit 1; fi
echo "tools: ready in $bin" >&2
