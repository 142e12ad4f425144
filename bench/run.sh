#!/usr/bin/env bash
# gatehouse benchmarks: print numbers, side by side with a peer where there is one.
#   1. token verification in process (bench_token), with and without the derived-key cache
#   2. TokenReview over HTTPS on loopback with wrk (64 connections), requests/s and p99
#   3. STS GetCallerIdentity: gatehouse vs moto_server in the same run (signed POST, wrk)
# Usage: bash bench/run.sh [seconds per wrk run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
BUILD=${BUILD:-build}
BIN=./$BUILD/gatehouse
make -s -j2 BUILD="$BUILD" "$BUILD/gatehouse" "$BUILD/bench_token" >/dev/null
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
./$BUILD/bench_token

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
echo "== 3. STS GetCallerIdentity (signed POST, as the aws CLI sends it), gatehouse vs moto_server, wrk -t2 -c64 -d${secs}s"
"$BIN" serve --state-dir "$dir/gh2" --listen-aws 127.0.0.1:0 --listen-webhook 127.0.0.1:0 --plain-http --log-level warn >"$dir/gh2.log" 2>&1 &
gh2_pid=$!
for _ in $(seq 100); do [ -f "$dir/gh2/env" ] && break; sleep 0.1; done
moto_port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$moto_port" >"$dir/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 100); do curl -s "http://127.0.0.1:$moto_port/" >/dev/null && break; sleep 0.1; done
# A wrk script replaying one SigV4-signed POST GetCallerIdentity, exactly what the aws CLI
# sends (signed with the endpoint's credentials; the signature stays valid for 15 minutes).
signed_lua() { # $1 = endpoint URL, $2 = output file; credentials from the environment
  python3 - "$1" "$2" <<'PY'
import sys, boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
url, out = sys.argv[1], sys.argv[2]
creds = boto3.session.Session().get_credentials().get_frozen_credentials()
req = AWSRequest(method="POST", url=url + "/", data="Action=GetCallerIdentity&Version=2011-06-15",
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(creds, "sts", "us-east-1").add_auth(req)
with open(out, "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write('wrk.body = "Action=GetCallerIdentity&Version=2011-06-15"\n')
    for k, v in req.headers.items():
        if k.lower() != "host":
            f.write(f'wrk.headers["{k}"] = "{v}"\n')
PY
}
(set +u; source "$dir/gh2/env"; signed_lua "$GATEHOUSE_AWS_URL" "$dir/gh.lua")
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  signed_lua "http://127.0.0.1:$moto_port" "$dir/moto.lua"
gh_url=$(set +u; source "$dir/gh2/env"; echo "$GATEHOUSE_AWS_URL/")
moto_url="http://127.0.0.1:$moto_port/"
probe() { # one request through curl with the same headers, to prove it succeeds
  python3 - "$1" "$2" <<'PY'
import re, sys, urllib.request
lua, url = open(sys.argv[1]).read(), sys.argv[2]
hdrs = dict(re.findall(r'wrk.headers\["([^"]+)"\] = "([^"]*)"', lua))
r = urllib.request.urlopen(urllib.request.Request(url, data=b"Action=GetCallerIdentity&Version=2011-06-15", headers=hdrs))
sys.exit(0 if b"<Arn>" in r.read() else 1)
PY
}
probe "$dir/gh.lua" "$gh_url" || { echo "gatehouse refused the signed call"; exit 1; }
probe "$dir/moto.lua" "$moto_url" || { echo "moto refused the signed call"; exit 1; }
gh_rps=$(wrk -t2 -c64 -d"${secs}s" -s "$dir/gh.lua" "$gh_url" | awk '/Requests\/sec/ {print $2}')
moto_rps=$(wrk -t2 -c64 -d"${secs}s" -s "$dir/moto.lua" "$moto_url" | awk '/Requests\/sec/ {print $2}')
printf "gatehouse (plain HTTP): %10.0f req/s\nmoto_server:            %10.0f req/s\nratio:                  %10.1fx\n" \
  "$gh_rps" "$moto_rps" "$(echo "$gh_rps / $moto_rps" | bc -l)"
