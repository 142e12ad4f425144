# Sourced by the wrk benchmarks that need one sandbox: builds gatehouse, starts it on
# free loopback ports in a temporary folder (stopped and removed on exit), and sources its
# DIR/env. Sets secs, conns (from $1, $2), dir and pid. Extra serve flags: BENCH_SERVE_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
BUILD=${BUILD:-build}
make -s -j2 BUILD="$BUILD" "$BUILD/gatehouse" >/dev/null
dir=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
# shellcheck disable=SC2086
"./$BUILD/gatehouse" serve --state-dir "$dir/s" --listen-aws 127.0.0.1:0 --listen-webhook 127.0.0.1:0 \
  --listen-kube 127.0.0.1:0 --listen-agent 127.0.0.1:0 --log-level warn ${BENCH_SERVE_FLAGS:-} >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -f "$dir/s/env" ] && break; sleep 0.1; done
set +u
# shellcheck disable=SC1091
source "$dir/s/env"
set -u
