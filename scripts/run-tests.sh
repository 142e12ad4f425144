#!/usr/bin/env bash
# Runs gatehouse's test suites and ends with one line "N passed, N failed".
#   unit  - unit and conformance tests (tests/unit, reading ../shared/conformance)
#   e2e   - end-to-end tests with the real aws CLI, boto3 and kubectl (tests/e2e)
#   asan  - unit + e2e again on the ASan+UBSan build (leaks fail the run)
#   fuzz  - every fuzz target for a short bounded time
# GH_SUITES picks a subset (default: all). GH_SHARED points at the shared folder.
set -uo pipefail
cd "$(dirname "$0")/.."
export GH_SHARED="${GH_SHARED:-$(cd .. && pwd)/shared}"
suites="${GH_SUITES:-unit e2e asan fuzz}"
total_pass=0
total_fail=0
log_dir=$(mktemp -d)

# Adds the counts of the last "N passed, N failed" line of a suite's output; a suite that
# printed no such line (it crashed or did not build) counts as one failure.
tally() {
  local name=$1 out=$2 rc=$3 line p f
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
  if [ -z "$line" ]; then
    echo "== $name: no result line (exit $rc); output in $out"
    tail -n 30 "$out"
    total_fail=$((total_fail + 1))
    return
  fi
  p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
  f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
  if [ "$f" -eq 0 ] && [ "$rc" -ne 0 ]; then
    echo "== $name: exit $rc despite no failed test"
    tail -n 30 "$out"
    f=1
  fi
  echo "== $name: $p passed, $f failed"
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}

run_suite() {
  local name=$1; shift
  local out="$log_dir/$name.log"
  "$@" >"$out" 2>&1
  local rc=$?
  grep -E '^(FAIL|  )' "$out" | head -n 40
  tally "$name" "$out" "$rc"
}

build() {
  make -s -j2 "$@" >"$log_dir/build.log" 2>&1 || { cat "$log_dir/build.log"; return 1; }
}

for s in $suites; do
  case $s in
    unit)
      if build all; then run_suite unit ./build/unit_tests; else total_fail=$((total_fail + 1)); fi ;;
    e2e)
      if build all; then run_suite e2e python3 tests/e2e/run.py --bin ./build/gatehouse
      else total_fail=$((total_fail + 1)); fi ;;
    asan)
      if build asan; then
        export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
        run_suite asan-unit ./build-asan/unit_tests
        run_suite asan-e2e python3 tests/e2e/run.py --bin ./build-asan/gatehouse
      else total_fail=$((total_fail + 1)); fi ;;
    fuzz)
      run_suite fuzz bash scripts/fuzz-smoke.sh ;;
    *) echo "unknown suite $s"; total_fail=$((total_fail + 1)) ;;
  esac
done
rm -rf "$log_dir"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
