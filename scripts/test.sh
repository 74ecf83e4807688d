#!/usr/bin/env bash
# The README's second command (npm test): the whole suite — types, lint, unit, integration
# (real helm/kustomize/sops/age) and e2e (the built sidecar on a temp socket).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/tools.sh
npm run --silent build
echo "== tsc --noEmit" >&2
npx tsc --noEmit
echo "== eslint" >&2
npx eslint .
echo "== jest" >&2
export PATH="$PWD/.tools/bin:$PATH"
node --experimental-vm-modules node_modules/jest/bin/jest.js --ci "$@"
