#!/usr/bin/env bash
# gatehouse benchmarks: print numbers, side by side with a peer where there is one.
#   1. token verification in process (bench_token), with and without the derived-key cache
#   2. TokenReview on loopback with wrk (64 connections): HTTPS, and plain HTTP;
#      SubjectAccessReview over HTTPS
#   3. STS GetCallerIdentity: gatehouse vs moto_server in the same run (signed POST, wrk)
#   4. RBAC decisions with 1k..1M bindings, indexed vs linear scan (bench_rbac)
#   5. Pod Security: checks per pod in process (bench_pss), AdmissionReview to /validate (wrk)
#   6. the Kubernetes API: authenticated 100-object lists over HTTPS (bench/kube_list.sh)
#   7. RBAC write -> published decision with 100k RBAC objects, vs the whole rebuild (bench_rbac_write)
#   8. STS AssumeRoleWithWebIdentity per second, own issuer (bench/bench_webid.sh)
#   9. the node credential agent's cache hits per second (bench/bench_agent.sh)
# Usage: bash bench/run.sh [seconds per wrk run, default 10]. BUILD picks the build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
BUILD=${BUILD:-build}
BIN=./$BUILD/gatehouse
make -s -j2 BUILD="$BUILD" "$BUILD/gatehouse" "$BUILD/bench_token" "$BUILD/bench_rbac" "$BUILD/bench_pss" "$BUILD/bench_rbac_write" >/dev/null
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

start_gatehouse() { # $1 = state dir, rest = flags
  local d=$1; shift
  "$BIN" serve --state-dir "$d" --listen-aws 127.0.0.1:0 --listen-webhook 127.0.0.1:0 --listen-kube 127.0.0.1:0 --listen-agent 127.0.0.1:0 --log-level warn "$@" \
    >"$d.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -f "$d/env" ] && break; sleep 0.1; done
}
envof() { (set +u; source "$1/env"; eval "echo \$$2"); }

echo "== 1. token verification in process (one core)"
"./$BUILD/bench_token"

start_gatehouse "$dir/tls"
start_gatehouse "$dir/plain" --plain-http
review_lua() { # $1 = state dir, $2 = output
  local token
  token=$(set +u; source "$1/env"; aws eks get-token --cluster-name demo --query status.token --output text)
  cat >"$2" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"$token"}}'
LUA
}
review_lua "$dir/tls" "$dir/tls.lua"
review_lua "$dir/plain" "$dir/plain.lua"
for mode in tls plain; do
  url="$(envof "$dir/$mode" GATEHOUSE_WEBHOOK_URL)/authenticate"
  curl -sf --cacert "$dir/$mode/ca.pem" -X POST --data @<(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$dir/$mode.lua") "$url" \
    | grep -q '"authenticated":true' || { echo "TokenReview ($mode) did not authenticate"; exit 1; }
  echo
  echo "== 2. TokenReview over $( [ $mode = tls ] && echo HTTPS || echo 'plain HTTP' ), wrk -t2 -c64 -d${secs}s --latency"
  wrk -t2 -c64 -d"${secs}s" --latency -s "$dir/$mode.lua" "$url" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
done

# SubjectAccessReview: a user allowed through a RoleBinding among the default policy.
sar_body='{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"jane","groups":["system:authenticated"],"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}}'
# wrk POSTing one JSON review, after one curl proving the answer: $1 state dir, $2 path,
# $3 body, $4 what the answer must contain, $5 title.
review_wrk() {
  local url
  url="$(envof "$1" GATEHOUSE_WEBHOOK_URL)$2"
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' "'$3'" >"$1.review.lua"
  curl -sf --cacert "$1/ca.pem" -X POST --data "$3" "$url" | grep -q "$4" || { echo "$5: no $4"; exit 1; }
  echo
  echo "== $5 over HTTPS, wrk -t2 -c64 -d${secs}s --latency"
  wrk -t2 -c64 -d"${secs}s" --latency -s "$1.review.lua" "$url" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
}
review_wrk "$dir/tls" /authorize "$sar_body" '"allowed"' "2c. SubjectAccessReview"

echo
echo "== 3. STS GetCallerIdentity (signed POST, as the aws CLI sends it), gatehouse vs moto_server, wrk -t2 -c64 -d${secs}s"
moto_port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$moto_port" >"$dir/moto.log" 2>&1 &
pids+=($!)
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
probe() { # one request with the same headers, to prove it succeeds before measuring
  python3 - "$1" "$2" <<'PY'
import re, sys, urllib.request
lua, url = open(sys.argv[1]).read(), sys.argv[2]
hdrs = dict(re.findall(r'wrk.headers\["([^"]+)"\] = "([^"]*)"', lua))
r = urllib.request.urlopen(urllib.request.Request(url, data=b"Action=GetCallerIdentity&Version=2011-06-15", headers=hdrs))
sys.exit(0 if b"<Arn>" in r.read() else 1)
PY
}
gh_url="$(envof "$dir/plain" GATEHOUSE_AWS_URL)/"
moto_url="http://127.0.0.1:$moto_port/"
(set +u; source "$dir/plain/env"; signed_lua "${gh_url%/}" "$dir/gh.lua")
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null \
  signed_lua "${moto_url%/}" "$dir/moto.lua"
probe "$dir/gh.lua" "$gh_url" || { echo "gatehouse refused the signed call"; exit 1; }
probe "$dir/moto.lua" "$moto_url" || { echo "moto refused the signed call"; exit 1; }
gh_rps=$(wrk -t2 -c64 -d"${secs}s" -s "$dir/gh.lua" "$gh_url" | awk '/Requests\/sec/ {print $2}')
moto_rps=$(wrk -t2 -c64 -d"${secs}s" -s "$dir/moto.lua" "$moto_url" | awk '/Requests\/sec/ {print $2}')
printf "gatehouse (plain HTTP): %10.0f req/s\nmoto_server:            %10.0f req/s\nratio:                  %10.1fx\n" \
  "$gh_rps" "$moto_rps" "$(echo "$gh_rps / $moto_rps" | bc -l)"

echo
echo "== 4. RBAC decision latency and memory per binding (bench_rbac)"
"./$BUILD/bench_rbac"

echo
echo "== 5. Pod Security: ns per pod, decoding apart from the checks (bench_pss, one core)"
"./$BUILD/bench_pss"

# AdmissionReview for a restricted-compliant pod CREATE, enforce=restricted from --pss-config.
cat >"$dir/pss.yaml" <<'YAML'
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults: {enforce: restricted}
YAML
start_gatehouse "$dir/pss" --pss-config "$dir/pss.yaml"
pod='{"metadata":{"name":"web"},"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":8080}],"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}},{"name":"sidecar","image":"envoy","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}'
review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"name":"web","namespace":"shop","operation":"CREATE","userInfo":{"username":"alice"},"object":'"$pod"'}}'
review_wrk "$dir/pss" /validate "$review" '"allowed":true' "5b. AdmissionReview (Pod Security)"

echo
BUILD="$BUILD" bash bench/kube_list.sh "$secs"

echo
echo "== 7. RBAC write to published decision, 100k RBAC objects (bench_rbac_write)"
"./$BUILD/bench_rbac_write"

echo
echo "== 8. STS AssumeRoleWithWebIdentity (bench/bench_webid.sh)"
BUILD="$BUILD" bash bench/bench_webid.sh "$secs"

echo
echo "== 9. the node credential agent, cache hits (bench/bench_agent.sh)"
BUILD="$BUILD" bash bench/bench_agent.sh "$secs"
