#!/usr/bin/env bash
# The README's second command (npm test): the whole suite — types, lint, unit, integration
# (real helm/kustomize/sops/age), e2e (the built sidecar on a temp socket) and cluster (a real
# etcd + kube-apiserver and Argo CD on loopback, scripts/cluster.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/tools.sh
bash scripts/cluster.sh build
npm run --silent build
echo "== tsc --noEmit" >&2
npx tsc --noEmit
echo "== eslint" >&2
npx eslint .
echo "== jest" >&2
export PATH="$PWD/.tools/bin:$PATH"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
rc=0
# --forceExit and an outer deadline: a leaked handle ends the run with a failure in minutes, never
# CI's 90. Each test file also kills what it started (test/setup/reaping-environment.mjs).
timeout --kill-after=30s "${SYNCGATE_TEST_DEADLINE:-50m}" \
  node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --forceExit --json --outputFile="$results" "$@" || rc=$?
# A plain closing line that any CI reads: "tests: N passed, N failed".
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$results" || rc=1
exit $rc
