#!/usr/bin/env bash
# The node credential agent's cache hits: one gatehouse, a role trusting
# pods.eks.amazonaws.com, a Pod Identity association, a pods.eks.amazonaws.com token
# (kubectl create token), one warm-up request that calls EKS Auth and fills the cache, then
# wrk GETting /v1/credentials with that token as the raw Authorization header. Every
# answer after the warm-up is a cache hit: Host check, time check, SHA-256 of the token,
# LRU lookup, JSON. The agent's own rate limit (1000/s, burst 500) would cap that at
# 1000, so it runs with --agent-rate-limit raised; the second run shows the default limit
# at work (200s per second and 429s).
# Usage: bash bench/bench_agent.sh [seconds, default 10] [connections, default 16].
BENCH_SERVE_FLAGS="--agent-rate-limit 100000000"
# shellcheck source=bench/sandbox.sh
source "$(dirname "$0")/sandbox.sh"
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}'
role=$(aws iam create-role --role-name bench-pod --assume-role-policy-document "$trust" --query Role.Arn --output text)
kubectl create serviceaccount bench-pod >/dev/null
aws eks create-pod-identity-association --cluster-name demo --namespace default --service-account bench-pod \
  --role-arn "$role" >/dev/null
token=$(kubectl create token bench-pod --audience pods.eks.amazonaws.com --duration 24h)
url="$GATEHOUSE_AGENT_URL/v1/credentials"
curl -sf -H "Authorization: $token" "$url" | grep -q '"AccessKeyId":"ASIA' || { echo "the agent did not answer credentials"; exit 1; }
printf 'wrk.headers["Authorization"] = "%s"\n' "$token" >"$dir/agent.lua"
cat >>"$dir/agent.lua" <<'LUA'
local ok, limited = 0, 0
response = function(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 429 then limited = limited + 1 end
end
LUA
run() { # $1 = title
  echo "== the node agent's /v1/credentials ($1), cache hits over plain HTTP, wrk -t2 -c$conns -d${secs}s --latency"
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$dir/agent.lua" "$url")
  echo "$out" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors" || true
  total=$(echo "$out" | awk '/requests in/ {print $1}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "agent cache hits (200) per second: $(( (${total:-0} - ${non2xx:-0}) / secs ))"
}
run "no rate limit"
# the same state under the agent's default limit: 1000 answers a second, the rest 429
kill "$pid"; wait "$pid" 2>/dev/null || true
"./$BUILD/gatehouse" serve --state-dir "$dir/s" --listen-aws 127.0.0.1:0 --listen-webhook 127.0.0.1:0 \
  --listen-kube 127.0.0.1:0 --listen-agent 127.0.0.1:0 --log-level warn >>"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q GATEHOUSE_AGENT_URL "$dir/s/env" 2>/dev/null && curl -sf "$(. "$dir/s/env"; echo "$GATEHOUSE_AGENT_URL")/readyz" >/dev/null && break; sleep 0.1; done
url="$(. "$dir/s/env"; echo "$GATEHOUSE_AGENT_URL")/v1/credentials"
run "the default limit, 1000/s burst 500"
