"""EKS Pod Identity credentials with the real clients: a role trusting
pods.eks.amazonaws.com, `aws eks create-pod-identity-association`, `kubectl create token
--audience pods.eks.amazonaws.com`, then boto3's own container credential provider
talking to the node agent (GATEHOUSE_AGENT_URL) and STS answering who it is; a trust
policy conditioned on the session tags; the raw EKS Auth call with the aws CLI; and the
agent's refusals."""
import datetime
import json
import os
import time
import urllib.error
import urllib.request

from harness import check, check_eq, check_in, test

_state = {}
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
    "Action": ["sts:AssumeRole", "sts:TagSession"]}]}


def setup(sb):
    """Once per sandbox: role pia-app (trusting the service) associated with default/pia-app,
    role pia-team-a (the same, when kubernetes-namespace is team-a) associated with
    team-a/app and team-b/app."""
    if _state.get("dir") == sb.dir:
        return _state
    _, out, _ = sb.aws("iam", "create-role", "--role-name", "pia-app",
                       "--assume-role-policy-document", json.dumps(TRUST), check_rc=0)
    role = out["Role"]["Arn"]
    team = json.loads(json.dumps(TRUST))
    team["Statement"][0]["Condition"] = {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "team-a"}}
    _, out, _ = sb.aws("iam", "create-role", "--role-name", "pia-team-a",
                       "--assume-role-policy-document", json.dumps(team), check_rc=0)
    team_role = out["Role"]["Arn"]
    sb.kubectl("create", "serviceaccount", "pia-app", check_rc=0)
    for ns in ("team-a", "team-b"):
        sb.kubectl("create", "namespace", ns, check_rc=0)
        sb.kubectl("-n", ns, "create", "serviceaccount", "app", check_rc=0)
        sb.aws("eks", "create-pod-identity-association", "--cluster-name", "demo", "--namespace", ns,
               "--service-account", "app", "--role-arn", team_role, check_rc=0)
    _, out, _ = sb.aws("eks", "create-pod-identity-association", "--cluster-name", "demo", "--namespace",
                       "default", "--service-account", "pia-app", "--role-arn", role, check_rc=0)
    _state.update(dir=sb.dir, role=role, team_role=team_role, assoc=out["association"])
    return _state


def epoch(v):
    """The CLI prints the model's epoch-seconds timestamp as a number or as ISO 8601,
    depending on its cli_timestamp_format."""
    return v if isinstance(v, (int, float)) else datetime.datetime.fromisoformat(v).timestamp()


def token(sb, sa, ns="default"):
    rc, out, err = sb.kubectl("-n", ns, "create", "token", sa, "--audience", "pods.eks.amazonaws.com")
    check_eq(rc, 0, err)
    return out.strip()


def container_subprocess(sb, token_text, name):
    """A Python process with nothing but what the Pod Identity mutation injects (pointed at
    the sandbox's agent) plus the STS endpoint and CA, asking STS who it is."""
    path = os.path.join(sb.dir, name)
    with open(path, "w") as f:
        f.write(token_text)
    code = ("import json, os, boto3\n"
            "s = boto3.Session(region_name=os.environ['AWS_REGION'])\n"
            "c = s.get_credentials()\n"
            "who = s.client('sts').get_caller_identity()\n"
            "print(json.dumps({'method': c.method, 'arn': who['Arn'], 'account': who['Account']}))\n")
    return sb.sdk_process({"AWS_CONTAINER_CREDENTIALS_FULL_URI": sb.env["GATEHOUSE_AGENT_URL"] + "/v1/credentials",
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": path}, code)


def agent_get(sb, tok, host=None, path="/v1/credentials"):
    url = sb.env["GATEHOUSE_AGENT_URL"] + path
    headers = {"Authorization": tok} if tok is not None else {}
    if host:
        headers["Host"] = host
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


@test
def pod_identity_boto3_container_provider_through_the_agent(sb):
    st = setup(sb)
    p = container_subprocess(sb, token(sb, "pia-app"), "pia-token")
    check_eq(p.returncode, 0, p.stderr)
    out = json.loads(p.stdout)
    check_eq(out["method"], "container-role")
    check(out["arn"].startswith(f"arn:aws:sts::{out['account']}:assumed-role/pia-app/eks-demo-pia-app-"), out["arn"])


@test
def pod_identity_agent_answer_and_cache(sb):
    setup(sb)
    tok = token(sb, "pia-app")
    status, body, headers = agent_get(sb, tok)
    check_eq(status, 200, body)
    check_in("application/json", headers.get("Content-Type", ""))
    doc = json.loads(body)
    check_eq(sorted(doc), ["AccessKeyId", "AccountId", "Expiration", "SecretAccessKey", "Token"])
    check(doc["AccessKeyId"].startswith("ASIA"))
    check(doc["Expiration"].endswith("Z"))
    # a second call with the same token is served from the cache: the same session
    status, body2, _ = agent_get(sb, tok)
    check_eq(status, 200)
    check_eq(json.loads(body2)["AccessKeyId"], doc["AccessKeyId"])
    # the agent's link-local names are accepted in Host, others refused
    check_eq(agent_get(sb, tok, host="169.254.170.23")[0], 200)
    check_eq(agent_get(sb, tok, host="[fd00:ec2::23]:80")[0], 200)
    status, body, _ = agent_get(sb, tok, host="example.com")
    check_eq(status, 403)
    check_in("Called agent through invalid address", body)
    # no token, a malformed one, a Bearer prefix
    check_eq(agent_get(sb, None)[0], 400)
    check_eq(agent_get(sb, "not-a-jwt")[0], 400)
    check_eq(agent_get(sb, "Bearer " + tok)[0], 400)
    check_eq(agent_get(sb, tok, path="/v1/other")[0], 404)
    check_eq(agent_get(sb, None, path="/healthz")[0], 200)
    check_eq(agent_get(sb, None, path="/readyz")[0], 200)


@test
def pod_identity_trust_on_session_tags(sb):
    setup(sb)
    p = container_subprocess(sb, token(sb, "app", "team-a"), "pia-team-a")
    check_eq(p.returncode, 0, p.stderr)
    check_in("assumed-role/pia-team-a/eks-demo-app-", json.loads(p.stdout)["arn"])
    # team-b's service account has an association to the same role, which refuses it
    status, body, headers = agent_get(sb, token(sb, "app", "team-b"))
    check_eq(status, 400, body)
    check_in("text/plain", headers.get("Content-Type", ""))
    check_in("(AccessDeniedException): ", body)
    check_in(", fault: client", body)
    check(body.startswith("["), body)
    # a service account without an association: EKS Auth's 404 passed through
    sb.kubectl("create", "serviceaccount", "pia-none", check_rc=0)
    status, body, _ = agent_get(sb, token(sb, "pia-none"))
    check_eq(status, 404, body)
    check_in("(ResourceNotFoundException)", body)


@test
def pod_identity_eks_auth_with_the_aws_cli(sb):
    st = setup(sb)
    tok = token(sb, "pia-app")
    rc, out, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "demo", "--token", tok)
    check_eq(rc, 0, err)
    check_eq(out["subject"], {"namespace": "default", "serviceAccount": "pia-app"})
    check_eq(out["audience"], "pods.eks.amazonaws.com")
    check_eq(out["podIdentityAssociation"]["associationId"], st["assoc"]["associationId"])
    check_eq(out["podIdentityAssociation"]["associationArn"], st["assoc"]["associationArn"])
    left = epoch(out["credentials"]["expiration"]) - time.time()
    check(6 * 3600 - 120 < left <= 6 * 3600 + 5, left)
    check_in(":assumed-role/pia-app/eks-demo-pia-app-", out["assumedRoleUser"]["arn"])
    check(len(out["assumedRoleUser"]["arn"].split("/")[-1]) <= 64)
    creds = out["credentials"]
    # the session works like any STS session
    env = {"AWS_ACCESS_KEY_ID": creds["accessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["secretAccessKey"],
           "AWS_SESSION_TOKEN": creds["sessionToken"]}
    rc, who, err = sb.aws("sts", "get-caller-identity", env=env)
    check_eq(rc, 0, err)
    check_eq(who["Arn"], out["assumedRoleUser"]["arn"])
    # the model's errors and statuses
    rc, _, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "demo", "--token", "a.b.c")
    check(rc != 0)
    check_in("InvalidTokenException", err)
    rc, _, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "nope", "--token", tok)
    check(rc != 0)
    check_in("ResourceNotFoundException", err)
    rc, _, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "demo", "--token", "x")
    check(rc != 0)
    check_in("InvalidParameterException", err)
    # a token for STS is not one for EKS Auth
    rc, sts_tok, _ = sb.kubectl("create", "token", "pia-app", "--audience", "sts.amazonaws.com")
    rc, _, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "demo", "--token",
                        sts_tok.strip())
    check(rc != 0)
    check_in("InvalidTokenException", err)


@test
def pod_identity_target_role_and_session_tags_off(sb):
    st = setup(sb)
    # a target role trusting pia-app's sessions with the association's external ID
    sb.kubectl("create", "serviceaccount", "pia-chain", check_rc=0)
    _, out, _ = sb.aws("iam", "create-role", "--role-name", "pia-target", "--assume-role-policy-document",
                       json.dumps(TRUST), check_rc=0)
    target = out["Role"]["Arn"]
    _, out, _ = sb.aws("eks", "create-pod-identity-association", "--cluster-name", "demo", "--namespace", "default",
                       "--service-account", "pia-chain", "--role-arn", st["role"], "--target-role-arn", target,
                       check_rc=0)
    ext = out["association"]["externalId"]
    chain_trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": st["role"]}, "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"sts:ExternalId": ext}}}]}
    sb.aws("iam", "update-assume-role-policy", "--role-name", "pia-target", "--policy-document",
           json.dumps(chain_trust), check_rc=0)
    rc, out, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "demo", "--token",
                          token(sb, "pia-chain"))
    check_eq(rc, 0, err)
    check_in(":assumed-role/pia-target/eks-demo-pia-chain-", out["assumedRoleUser"]["arn"])
    # the chained session lasts 59 minutes
    left = epoch(out["credentials"]["expiration"]) - time.time()
    check(3400 < left <= 3545, left)
    # a role that does not allow sts:TagSession: refused while tags are on, fine without
    no_tag = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    _, out, _ = sb.aws("iam", "create-role", "--role-name", "pia-notags", "--assume-role-policy-document",
                       json.dumps(no_tag), check_rc=0)
    sb.kubectl("create", "serviceaccount", "pia-notags", check_rc=0)
    _, assoc, _ = sb.aws("eks", "create-pod-identity-association", "--cluster-name", "demo", "--namespace",
                         "default", "--service-account", "pia-notags", "--role-arn", out["Role"]["Arn"], check_rc=0)
    tok = token(sb, "pia-notags")
    rc, _, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "demo", "--token", tok)
    check(rc != 0)
    check_in("AccessDeniedException", err)
    check_in("sts:TagSession", err)
    sb.aws("eks", "update-pod-identity-association", "--cluster-name", "demo", "--association-id",
           assoc["association"]["associationId"], "--disable-session-tags", check_rc=0)
    rc, out, err = sb.aws("eks-auth", "assume-role-for-pod-identity", "--cluster-name", "demo", "--token", tok)
    check_eq(rc, 0, err)
    check_in(":assumed-role/pia-notags/eks-demo-pia-notags-", out["assumedRoleUser"]["arn"])


@test
def pod_identity_agent_one_eks_auth_call_per_burst(sb):
    st = setup(sb)
    import concurrent.futures
    sb.kubectl("create", "serviceaccount", "pia-burst", check_rc=0)
    sb.aws("eks", "create-pod-identity-association", "--cluster-name", "demo", "--namespace", "default",
           "--service-account", "pia-burst", "--role-arn", st["role"], check_rc=0)
    tok = token(sb, "pia-burst")
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: agent_get(sb, tok), range(20)))
    check_eq([r[0] for r in results], [200] * 20)
    check_eq(len({json.loads(r[1])["AccessKeyId"] for r in results}), 1)
    log = open(sb.log_path, errors="replace").read()
    calls = [l for l in log.splitlines() if '"eks-auth.assume"' in l and '"serviceAccount":"pia-burst"' in l]
    check_eq(len(calls), 1, calls)
    check(tok not in log, "the token was logged")
    check(json.loads(results[0][1])["SecretAccessKey"] not in log, "a secret was logged")
    trail = open(os.path.join(sb.dir, "trail.log"), errors="replace").read()
    events = [json.loads(l) for l in trail.splitlines() if '"AssumeRoleForPodIdentity"' in l]
    check(any(e.get("responseElements") and e["responseElements"]["subject"]["serviceAccount"] == "pia-burst"
              for e in events), "the agent's EKS Auth call is not in the trail")
    check(tok not in trail, "the token reached the trail")
