#!/usr/bin/env bash
# The sandbox Kubernetes API under load: authenticated list requests over HTTPS, each a
# `k8s-aws-v1.` token through the gate (TokenReview path), the authorization chain, and a
# 100-object ConfigMap list from the watch cache. Goal: 5,000 lists/s on 2 cores.
# Usage: bash bench/kube_list.sh [seconds, default 10]. BUILD picks the build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
BUILD=${BUILD:-build}
BIN=./$BUILD/gatehouse
make -s -j2 BUILD="$BUILD" "$BUILD/gatehouse" >/dev/null
dir=$(mktemp -d)
"$BIN" serve --state-dir "$dir/s" --listen-aws 127.0.0.1:0 --listen-webhook 127.0.0.1:0 --listen-kube 127.0.0.1:0 --listen-agent 127.0.0.1:0 \
  --log-level warn >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -f "$dir/s/env" ] && break; sleep 0.1; done
set +u
# shellcheck disable=SC1091
source "$dir/s/env"
set -u
token=$(aws eks get-token --cluster-name demo --query status.token --output text)
python3 - "$GATEHOUSE_KUBE_URL" "$dir/s/ca.pem" "$token" <<'PY'
import json, ssl, sys, urllib.request
base, ca, token = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=ca)
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx) as r:
        return json.load(r)
call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
for i in range(100):
    call("POST", "/api/v1/namespaces/bench/configmaps",
         {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": f"cm-{i:03d}", "namespace": "bench", "labels": {"app": "bench"}},
          "data": {"key": f"value-{i}", "other": "x" * 200}})
n = len(call("GET", "/api/v1/namespaces/bench/configmaps")["items"])
if n != 100:
    sys.exit(f"expected 100 ConfigMaps, listed {n}")
PY
url="$GATEHOUSE_KUBE_URL/api/v1/namespaces/bench/configmaps"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" >"$dir/list.lua"
echo "== 6. Kubernetes API: authenticated list of 100 ConfigMaps over HTTPS, wrk -t2 -c16 -d${secs}s --latency"
wrk -t2 -c16 -d"${secs}s" --latency -s "$dir/list.lua" "$url" | grep -E "Requests/sec|Transfer/sec|  50%|  99%|Non-2xx|Socket errors"
