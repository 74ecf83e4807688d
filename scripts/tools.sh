#!/usr/bin/env bash
# Installs the pinned render/crypto tools into .tools/bin with `go install`, and builds
# syncgate-launcher (src/exec/launcher/launcher.c) with the C compiler.
# Skips a tool whose stamp already records the pinned version (the launcher: its source's hash).
# Production images (deploy/Dockerfile) pin the same versions.
#   scripts/tools.sh              everything development and the tests use
#   scripts/tools.sh <name>...    only these (deploy/Dockerfile: helm kustomize syncgate-launcher)
#   scripts/tools.sh image-node   the Node.js the image runs, for the benches (only when named)
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

# With names given, only those are installed; image-node only ever when named.
named() { [[ " $ONLY " == *" $1 "* ]]; }
wanted() { [[ -z "$ONLY" ]] || named "$1"; }
ONLY="$*"
need_go=""
for t in "${TOOLS[@]}"; do if wanted "${t%%|*}"; then need_go=1; fi; done

if [[ -n "$need_go" ]] && ! command -v go >/dev/null 2>&1; then
  echo "tools: go is required to build the pinned tools (https://go.dev/dl)" >&2
  exit 2
fi

# helm's release builds (its Makefile at the pinned tag) stamp the version, the commit and the
# Kubernetes version it defaults to (`.Capabilities.KubeVersion` and the default --kube-version,
# checked against a chart's `kubeVersion`) from the k8s.io/client-go it is built with. Without
# them helm assumes Kubernetes v1.20.0 and refuses charts that require a newer one.
HELM_COMMIT=3d8990f0836691f0229297773f3524598f46bda6 # the v3.19.0 tag
helm_ldflags() {
  local ver=$1 gomod k8s major minor
  gomod=$(go mod download -json "helm.sh/helm/v3@$ver" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  k8s=$(awk '$1 == "k8s.io/client-go" { sub(/^v/, "", $2); print $2; exit }' "$gomod")
  major=$(( ${k8s%%.*} + 1 )) minor=$(cut -d. -f2 <<<"$k8s")
  [[ -n "$k8s" && -n "$minor" ]] || { echo "tools: cannot read helm's client-go version from $gomod" >&2; return 1; }
  local v=helm.sh/helm/v3
  echo "-w -s -X $v/internal/version.version=$ver -X $v/internal/version.metadata= -X $v/internal/version.gitCommit=$HELM_COMMIT" \
    "-X $v/internal/version.gitTreeState=clean -X $v/pkg/lint/rules.k8sVersionMajor=$major -X $v/pkg/lint/rules.k8sVersionMinor=$minor" \
    "-X $v/pkg/chartutil.k8sVersionMajor=$major -X $v/pkg/chartutil.k8sVersionMinor=$minor"
}

export GOBIN="$bin" GOFLAGS="-trimpath -buildvcs=false" CGO_ENABLED=0
pids=()
for t in "${TOOLS[@]}"; do
  IFS='|' read -r name pkg ver <<<"$t"
  wanted "$name" || continue
  stamp="$root/.tools/stamps/$name"
  # The stamp (and the cache name) names the build: a change of link flags rebuilds.
  build="$pkg@$ver"
  [[ "$name" == helm ]] && build="$pkg@$ver release-ldflags-1"
  if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$build" ]]; then
    continue
  fi
  cached="$cache/$name-${ver}"
  [[ "$name" == helm ]] && cached="$cache/$name-${ver}-release-ldflags-1"
  if [[ -x "$cached" ]]; then
    cp "$cached" "$bin/$name" && echo "$build" >"$stamp"
    continue
  fi
  echo "tools: installing $name $ver" >&2
  (
    ldflags=""
    if [[ "$name" == helm ]]; then ldflags=$(helm_ldflags "$ver"); fi
    go install -ldflags "$ldflags" "$pkg@$ver" && echo "$build" >"$stamp" && cp "$bin/$name" "$cached"
  ) &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
if [[ $rc -ne 0 ]]; then echo "tools: an install failed" >&2; exit 1; fi

# syncgate-launcher: the process `syncgate serve` keeps ready to become the next tool
# (src/exec/launcher.ts). C, single-threaded on purpose (see launcher.c); static, so it runs
# whatever the image's libc. Rebuilt when its source changes (a build takes well under a second).
if wanted syncgate-launcher; then
  src="$root/src/exec/launcher/launcher.c"
  stamp="$root/.tools/stamps/syncgate-launcher"
  build="launcher.c $(sha256sum "$src" | cut -d' ' -f1)"
  if [[ ! -x "$bin/syncgate-launcher" || ! -f "$stamp" || "$(cat "$stamp")" != "$build" ]]; then
    cc="${CC:-cc}"
    if ! command -v "$cc" >/dev/null 2>&1; then
      echo "tools: a C compiler ($cc) is required to build syncgate-launcher (Debian: apt-get install gcc libc6-dev)" >&2
      exit 2
    fi
    "$cc" -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -static -o "$bin/syncgate-launcher.tmp" "$src"
    mv -f "$bin/syncgate-launcher.tmp" "$bin/syncgate-launcher" && echo "$build" >"$stamp"
  fi
fi

# image-node: the Node.js the image runs (deploy/Dockerfile's node:24-bookworm-slim is Node
# IMAGE_NODE below), into .tools/image-node, so bench/cmp.mjs and bench/ab.mjs measure the sidecar
# on the runtime it ships with. Only when named: the tests run on the machine's node. It is the
# npm registry's node-linux-<arch> package (the binary the `node` package installs); npm checks it
# against the registry's sha512.
IMAGE_NODE=24.18.1
if named image-node; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "tools: no node-linux package for $(uname -m)" >&2; exit 2 ;;
  esac
  want="node-linux-$arch@$IMAGE_NODE"
  dir="$root/.tools/image-node"
  stamp="$root/.tools/stamps/image-node"
  if [[ ! -x "$dir/bin/node" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    cached="$cache/image-node-$arch-$IMAGE_NODE"
    if [[ ! -x "$cached/bin/node" ]]; then
      echo "tools: fetching $want from the npm registry" >&2
      tmp=$(mktemp -d)
      if ! (cd "$tmp" && npm pack --silent "$want" >/dev/null && tar -xzf node-linux-*.tgz); then
        rm -rf "$tmp"
        echo "tools: cannot fetch $want (npm pack)" >&2
        exit 1
      fi
      rm -rf "$cached" && mv "$tmp/package" "$cached" && rm -rf "$tmp"
    fi
    rm -rf "$dir" && cp -a "$cached" "$dir" && echo "$want" >"$stamp"
  fi
fi

# The Go oracle of Kubernetes' YAML reading (scripts/k8s-yaml-oracle), used by the integration tests.
if [[ -z "$ONLY" ]]; then bash "$root/scripts/k8s-yaml-oracle.sh" build; fi
echo "tools: ready in $bin" >&2
