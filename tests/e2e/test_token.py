"""k8s-aws-v1 tokens from the real `aws eks get-token`, reviewed by /authenticate."""
import base64
import json
import subprocess

from harness import check, check_eq, check_in, test


def get_token(sb, cluster="demo", env=None):
    rc, out, err = sb.aws("eks", "get-token", "--cluster-name", cluster, env=env, check_rc=0)
    check_eq(out["kind"], "ExecCredential")
    tok = out["status"]["token"]
    check(tok.startswith("k8s-aws-v1."), tok[:20])
    return tok


def review(sb, token, path="/authenticate", api="authentication.k8s.io/v1"):
    body = json.dumps({"apiVersion": api, "kind": "TokenReview", "spec": {"token": token}})
    status, text, _ = sb.request("POST", sb.env["GATEHOUSE_WEBHOOK_URL"] + path, body,
                                 {"Content-Type": "application/json"})
    return status, json.loads(text)


@test
def token_review_maps_admin(sb):
    tok = get_token(sb)
    status, r = review(sb, tok)
    check_eq(status, 200, str(r))
    check_eq(r["status"]["authenticated"], True)
    u = r["status"]["user"]
    check_eq(u["username"], "kubernetes-admin")
    check_eq(u["groups"], ["system:masters"])
    check(u["uid"].startswith("aws-iam-authenticator:"), u["uid"])
    check(u["extra"]["arn"][0].endswith(":user/admin"))
    check(u["extra"]["accessKeyId"][0].startswith("AKIA"))
    # v1beta1 too
    status, r = review(sb, tok, api="authentication.k8s.io/v1beta1")
    check_eq(status, 200)
    check_eq(r["apiVersion"], "authentication.k8s.io/v1beta1")


@test
def token_bound_to_cluster(sb):
    tok = get_token(sb, cluster="other")
    status, r = review(sb, tok)
    check_eq(status, 403)
    check("authenticated" not in r["status"], r)
    check_in("made for another cluster", r["status"]["error"])
    status, r = review(sb, tok, path="/clusters/nope/authenticate")
    check_eq(status, 403)
    check_in("no cluster named", r["status"]["error"])


@test
def token_tampered_and_hostile(sb):
    tok = get_token(sb)
    url = base64.urlsafe_b64decode(tok[len("k8s-aws-v1."):] + "==").decode()
    sig = url[-64:]
    flipped = url[:-1] + ("0" if url[-1] != "0" else "1")
    tampered = "k8s-aws-v1." + base64.urlsafe_b64encode(flipped.encode()).decode().rstrip("=")
    status, r = review(sb, tampered)
    check_eq(status, 403)
    check_in("signature does not match", r["status"]["error"])
    variants = {
        "": "prefix",
        "k8s-aws-v1.": "",
        "Bearer x": "prefix",
        "k8s-aws-v1.!!!!": "illegal base64",
        "k8s-aws-v1." + "A" * 20000: "too large",
        "k8s-aws-v1." + base64.urlsafe_b64encode(b"http://sts.amazonaws.com/?Action=GetCallerIdentity").decode().rstrip("="): "scheme",
        "k8s-aws-v1." + base64.urlsafe_b64encode(url.replace("Action=GetCallerIdentity", "Action=AssumeRole").encode()).decode().rstrip("="): "action",
        "k8s-aws-v1." + base64.urlsafe_b64encode((url + "&Foo=bar").encode()).decode().rstrip("="): "non-whitelisted",
    }
    seen = set()
    for v, want in variants.items():
        status, r = review(sb, v)
        check_eq(status, 403, f"variant {v[:30]!r}")
        msg = r["status"]["error"]
        check(want in msg, f"variant {v[:30]!r}: {msg!r} lacks {want!r}")
        seen.add(msg)
    check(len(seen) >= 6, f"errors are not distinct: {seen}")
    # Not POST, not JSON: clear HTTP errors, and the server is still there.
    check_eq(sb.get(sb.env["GATEHOUSE_WEBHOOK_URL"] + "/authenticate")[0], 405)
    status, text, _ = sb.request("POST", sb.env["GATEHOUSE_WEBHOOK_URL"] + "/authenticate", "{not json")
    check_eq(status, 400)
    check_in("not a TokenReview", text)


@test
def token_for_assumed_role_maps_through_aws_auth_file(sb):
    # The aws-auth of the demo cluster maps only the admin: an unmapped identity is 403.
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    sb.aws("iam", "create-role", "--role-name", "viewer", "--path", "/team/", "--assume-role-policy-document",
           json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": me["Arn"]},
                                                                "Action": "sts:AssumeRole"}]}), check_rc=0)
    rc, out, _ = sb.aws("eks", "get-token", "--cluster-name", "demo", "--role-arn",
                        f"arn:aws:iam::{me['Account']}:role/team/viewer", check_rc=0)
    tok = out["status"]["token"]
    status, r = review(sb, tok)
    check_eq(status, 403)
    check_in("identity is not mapped", r["status"]["error"])
    rc, text, err = sb.gatehouse("explain", "token", "--state-dir", sb.dir, tok)
    check_eq(rc, 1, text + err)
    check_in("signature", text)
    check_in("identity is not mapped", text)
    rc, text, err = sb.gatehouse("explain", "token", "--state-dir", sb.dir, get_token(sb))
    check_eq(rc, 0, text + err)
    check_in("username:     kubernetes-admin", text)
    check_in("system:masters", text)
    sb.aws("iam", "delete-role", "--role-name", "viewer", check_rc=0)


@test
def webhook_config_points_at_authenticate(sb):
    rc, text, err = sb.gatehouse("webhook-config", "--state-dir", sb.dir)
    check_eq(rc, 0, err)
    check_in(sb.env["GATEHOUSE_WEBHOOK_URL"] + "/authenticate", text)
    check_in("certificate-authority-data:", text)
    check_in("kind: Config", text)


@test
def passthrough_to_another_sts_with_cache(sb):
    from harness import Sandbox
    import os
    import tempfile
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    auth = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    auth.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\n"
               "data:\n  mapUsers: |\n    - userarn: %s\n      username: remote-{{AccountID}}\n"
               "      groups:\n        - ops\n" % me["Arn"])
    auth.close()
    b = Sandbox(sb.binary, extra_args=["--sts-passthrough", "--allow-sts-endpoint", sb.env["GATEHOUSE_AWS_URL"],
                                       "--sts-ca-file", sb.env["AWS_CA_BUNDLE"], "--aws-auth", auth.name])
    b.start()
    try:
        tok = get_token(sb)
        body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": tok}})
        url = b.env["GATEHOUSE_WEBHOOK_URL"] + "/authenticate"
        status, text, _ = b.request("POST", url, body)
        check_eq(status, 200, text)
        user = json.loads(text)["status"]["user"]
        check_eq(user["username"], "remote-" + me["Account"])
        check_eq(user["groups"], ["ops"])
        # A token made for another cluster: the real STS refuses the signature.
        other = get_token(sb, cluster="other")
        status, text, _ = b.request("POST", url, json.dumps({"apiVersion": "authentication.k8s.io/v1",
                                                             "kind": "TokenReview", "spec": {"token": other}}))
        check_eq(status, 403)
        check_in("sts getCallerIdentity failed: error from AWS (expected 200, got 403)", json.loads(text)["status"]["error"])
        # The answer is cached until the token expires: with the STS gone it still verifies.
        sb.stop()
        status, text, _ = b.request("POST", url, body)
        check_eq(status, 200, text)
        sb.start()
    finally:
        if b.proc and b.proc.poll() is not None:
            print(b.server_log()[-3000:])
        b.cleanup()
        os.unlink(auth.name)


@test
def logs_never_hold_tokens_or_secrets(sb):
    import configparser
    tok = get_token(sb)
    review(sb, tok)
    review(sb, tok[:-3] + "AAA")
    sb.aws("sts", "get-caller-identity", check_rc=0)
    creds = configparser.ConfigParser()
    creds.read(sb.env["AWS_SHARED_CREDENTIALS_FILE"])
    secret = creds["default"]["aws_secret_access_key"]
    log = sb.server_log()
    check(len(log) > 100, "the server logged nothing")
    check(secret not in log, "the admin secret key is in the server log")
    check("k8s-aws-v1." not in log, "a token is in the server log")
    check(tok[11:60] not in log, "token bytes are in the server log")
    check("X-Amz-Signature" not in log, "a signature is in the server log")
