#!/usr/bin/env bash
# Renders every bundled example through the full pipeline (the main job, on the examples).
# An example is an examples/<name>/ dir with a .syncgate-example file holding the extra
# `syncgate render` args; when its first word is not a flag it is the app path (relative to the
# project root, e.g. an overlay), otherwise the example dir itself is rendered.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/.tools/bin:$PATH"
for app in examples/*/; do
  app=${app%/}
  [[ -f "$app/.syncgate-example" ]] || continue
  args=()
  # shellcheck disable=SC2207
  [[ -s "$app/.syncgate-example" ]] && args=($(cat "$app/.syncgate-example"))
  if [[ ${#args[@]} -eq 0 || ${args[0]} == -* ]]; then
    args=("$app" ${args[@]+"${args[@]}"})
  fi
  echo "== syncgate render ${args[*]}" >&2
  out=$(node dist/cli/main.js render "${args[@]}")
  n=$(grep -c '^kind:' <<<"$out" || true)
  echo "   ok: $n resources" >&2
done
# The bundled policy tests (syncgate-test.yaml under examples/policy-tests), as platform teams run theirs in CI.
echo "== syncgate test examples/policy-tests" >&2
node dist/cli/main.js test examples/policy-tests --fail-only >&2
