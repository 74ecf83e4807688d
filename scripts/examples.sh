#!/usr/bin/env bash
# Renders every bundled example through the full pipeline (the main job, on the examples).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/.tools/bin:$PATH"
for app in examples/*/; do
  app=${app%/}
  [[ -f "$app/.syncgate-example" ]] || continue
  args=()
  # shellcheck disable=SC2207
  [[ -s "$app/.syncgate-example" ]] && args=($(cat "$app/.syncgate-example"))
  echo "== syncgate render $app ${args[*]}" >&2
  n=$(node dist/cli/main.js render "$app" "${args[@]}" | grep -c '^kind:' || true)
  echo "   ok: $n resources" >&2
done
