#!/usr/bin/env bash
# STS AssumeRoleWithWebIdentity throughput: one gatehouse, a service-account token of its
# demo cluster (kubectl create token), the IAM OIDC provider and an IRSA role, then wrk
# replaying the unsigned form POST that botocore's web-identity provider sends. Every
# answer is a fresh session (ASIA key, sealed secret, one SQLite transaction), so this
# measures token verification (RS256, trust policy) plus session issuance.
# Usage: bash bench/bench_webid.sh [seconds, default 10] [connections, default 16].
# shellcheck source=bench/sandbox.sh
source "$(dirname "$0")/sandbox.sh"
iss=$(aws eks describe-cluster --name demo --query cluster.identity.oidc.issuer --output text)
host=${iss#https://}
provider=$(aws iam create-open-id-connect-provider --url "$iss" --client-id-list sts.amazonaws.com \
  --query OpenIDConnectProviderArn --output text)
cat >"$dir/trust.json" <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"$provider"},
 "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"$host:sub":"system:serviceaccount:default:default","$host:aud":"sts.amazonaws.com"}}}]}
JSON
role=$(aws iam create-role --role-name bench-irsa --assume-role-policy-document "file://$dir/trust.json" \
  --query Role.Arn --output text)
token=$(kubectl create token default --audience sts.amazonaws.com --duration 24h)
body="Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$role")&RoleSessionName=bench&WebIdentityToken=$token"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"\nwrk.body = "%s"\n' \
  "$body" >"$dir/webid.lua"
curl -sf --cacert "$AWS_CA_BUNDLE" -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" \
  "$GATEHOUSE_AWS_URL/" | grep -q "<AssumedRoleUser>" || { echo "AssumeRoleWithWebIdentity did not succeed"; exit 1; }
echo "== AssumeRoleWithWebIdentity over HTTPS (own issuer, RS256), wrk -t2 -c$conns -d${secs}s --latency"
out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$dir/webid.lua" "$GATEHOUSE_AWS_URL/")
echo "$out" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors" || true
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
echo "AssumeRoleWithWebIdentity per second: ${rps:-?}"
