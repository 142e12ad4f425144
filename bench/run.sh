#!/usr/bin/env bash
# gatehouse benchmarks: print numbers, side by side with a peer where there is one.
#   1. token verification in process (bench_token), with and without the derived-key cache
#   2. TokenReview over HTTPS on loopback with wrk (64 connections), requests/s and p99
#   3. STS GetCallerIdentity: gatehouse vs moto_server in the same run (presigned GET, wrk)
# Usage: bash bench/run.sh [seconds per wrk run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
BIN=${BIN:-./build/gatehouse}
make -s -j2 all build/bench_token >/dev/null
dir=$(mktemp -d)
cleanup() {
  [ -n "${gh_pid:-}" ] && kill "$gh_pid" 2>/dev/null || true
  [ -n "${gh2_pid:-}" ] && kill "$gh2_pid" 2>/dev/null || true
  [ -n "${moto_pid:-}" ] && kill "$moto_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

echo "== 1. token verification in process (one core)"
./build/bench_token

echo
echo "== 2. TokenReview over HTTPS, wrk -t2 -c64 -d${secs}s"
"$BIN" serve --state-dir "$dir/gh" --listen-aws 127.0.0.1:0 --listen-webhook 127.0.0.1:0 --log-level warn >"$dir/gh.log" 2>&1 &
gh_pid=$!
for _ in $(seq 100); do [ -f "$dir/gh/env" ] && break; sleep 0.1; done
set +u; source "$dir/gh/env"; set -u
token=$(aws eks get-token --cluster-name demo --query status.token --output text)
cat >"$dir/review.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"$token"}}'
LUA
wrk -t2 -c64 -d"${secs}s" --latency -s "$dir/review.lua" "$GATEHOUSE_WEBHOOK_URL/authenticate" | \
  grep -E "Requests/sec|99%|50%|Non-2xx|Socket errors"

echo
echo "== 3. STS GetCallerIdentity (presigned GET), gatehouse vs moto_server, wrk -t2 -c64 -d${secs}s"
"$BIN" serve --state-dir "$dir/gh2" --listen-aws 127.0.0.1:0 --listen-webhook 127.0.0.1:0 --plain-http --log-level warn >"$dir/gh2.log" 2>&1 &
gh2_pid=$!
for _ in $(seq 100); do [ -f "$dir/gh2/env" ] && break; sleep 0.1; done
moto_port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$moto_port" >"$dir/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 100); do curl -s "http://127.0.0.1:$moto_port/" >/dev/null && break; sleep 0.1; done
presign() { # $1 = endpoint URL, remaining env selects credentials
  python3 - "$1" <<'PY'
import sys, boto3
c = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1")
print(c.generate_presigned_url("get_caller_identity", ExpiresIn=900))
PY
}
gh_url=$(set +u; source "$dir/gh2/env"; presign "$GATEHOUSE_AWS_URL")
moto_url=$(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing presign "http://127.0.0.1:$moto_port")
curl -sf "$gh_url" | grep -q "<Arn>" || { echo "gatehouse did not answer the presigned call"; exit 1; }
curl -sf "$moto_url" | grep -q "<Arn>" || { echo "moto did not answer the presigned call"; exit 1; }
gh_rps=$(wrk -t2 -c64 -d"${secs}s" "$gh_url" | awk '/Requests\/sec/ {print $2}')
moto_rps=$(wrk -t2 -c64 -d"${secs}s" "$moto_url" | awk '/Requests\/sec/ {print $2}')
printf "gatehouse (plain HTTP): %10.0f req/s\nmoto_server:            %10.0f req/s\nratio:                  %10.1fx\n" \
  "$gh_rps" "$moto_rps" "$(echo "$gh_rps / $moto_rps" | bc -l)"
