#!/usr/bin/env bash
# The whole suite on a loaded machine: runs `npm test` RUNS times in a row (default 3) while HOGS
# CPU hogs (default 2) run beside it, and prints, per run, the wall time, the load average and the
# suite's closing "tests: N passed, N failed" line. The hogs are `stress-ng --cpu 1` each when
# stress-ng is installed (Debian: apt-get install stress-ng), else `sh` busy loops; they die with
# this script (trap), whatever way it ends. Exits non-zero when any run failed.
#   bash bench/suite-under-load.sh [runs] [hogs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-3}"
hogs="${2:-2}"
pids=()
stop_hogs() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_hogs EXIT INT TERM
for _ in $(seq "$hogs"); do
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu 1 --quiet --timeout 0 &
  else
    sh -c 'while :; do :; done' &
  fi
  pids+=("$!")
done
hog_name=$(command -v stress-ng >/dev/null && echo "stress-ng --cpu 1" || echo "sh busy loop")
echo "suite under load: $runs runs of npm test beside $hogs x $hog_name on $(nproc) CPUs, node $(node --version)"
failed=0
summary=()
for i in $(seq "$runs"); do
  log=$(mktemp)
  start=$(date +%s)
  rc=0
  npm test >"$log" 2>&1 || rc=$?
  wall=$(( $(date +%s) - start ))
  line=$(grep -E '^tests: ' "$log" | tail -1 || true)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  row="run $i: exit $rc, ${wall} s wall ($((wall / 60)) min $((wall % 60)) s), load average at the end $load, ${line:-no closing line}"
  echo "$row"
  summary+=("$row")
  if [ "$rc" -ne 0 ]; then
    failed=1
    kept="${TMPDIR:-/tmp}/suite-under-load-run-$i-$(date +%Y%m%dT%H%M%S).log"
    cp "$log" "$kept"
    echo "--- run $i failed (whole log kept in $kept); failing tests:" >&2
    grep -E '✕|FAIL ' "$log" | head -40 >&2 || true
    # jest's failure blocks: the test's name, the assertion and the stack.
    awk '/^  ● /{p=1} p{print} /^(PASS|FAIL) /{p=0}' "$log" | head -200 >&2 || true
  fi
  rm -f "$log"
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
