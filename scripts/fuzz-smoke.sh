#!/usr/bin/env bash
# Builds every fuzz target (libFuzzer + ASan + UBSan) and runs each for a short bounded
# time (GH_FUZZ_SECONDS, default 20) from an empty corpus plus its seeds in fuzz/seeds/<name>.
# Ends with "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${GH_FUZZ_SECONDS:-20}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
pass=0
fail=0
for src in fuzz/*_fuzz.c; do
  name=$(basename "$src" .c)
  if ! make -s -j2 "build-fuzz/$name" >"/tmp/gh-fuzz-$name.build.log" 2>&1; then
    echo "FAIL $name: does not build"; tail -20 "/tmp/gh-fuzz-$name.build.log"
    fail=$((fail + 1)); continue
  fi
  corpus=$(mktemp -d)
  seeds="fuzz/seeds/${name%_fuzz}"
  [ -d "$seeds" ] && cp "$seeds"/* "$corpus"/ 2>/dev/null
  if "./build-fuzz/$name" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 "$corpus" \
      >"/tmp/gh-fuzz-$name.log" 2>&1; then
    echo "ok   $name ($(grep -oE 'stat::number_of_executed_units: *[0-9]+' "/tmp/gh-fuzz-$name.log" | grep -oE '[0-9]+$' || echo '?') runs)"
    pass=$((pass + 1))
  else
    echo "FAIL $name"; grep -E "ERROR|SUMMARY|Test unit written" "/tmp/gh-fuzz-$name.log" | head -10
    fail=$((fail + 1))
  fi
  rm -rf "$corpus"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
