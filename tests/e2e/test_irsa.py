"""IAM roles for service accounts, with the real clients: `kubectl create token`, tokens
authenticating to the sandbox's Kubernetes API, the issuer's discovery documents, IAM OIDC
providers through the aws CLI, and boto3's own web-identity credential provider calling
STS AssumeRoleWithWebIdentity; then the refusals, and a second gatehouse as an external
issuer whose keys are fetched over HTTPS."""
import base64
import json
import os

from harness import Sandbox, check, check_eq, check_in, test

_state = {}


def claims(token):
    seg = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def issuer(sb):
    _, out, _ = sb.aws("eks", "describe-cluster", "--name", "demo", check_rc=0)
    return out["cluster"]["identity"]["oidc"]["issuer"]


def token(sb, sa, *extra):
    rc, out, err = sb.kubectl("create", "token", sa, *extra)
    check_eq(rc, 0, err)
    return out.strip()


def setup(sb):
    """Once per sandbox: service account irsa-app, the OIDC provider for the demo cluster's
    issuer, and role irsa-role trusting that service account with sts.amazonaws.com."""
    if _state.get("dir") == sb.dir:
        return _state
    iss = issuer(sb)
    host = iss[len("https://"):]
    sb.kubectl("create", "serviceaccount", "irsa-app", check_rc=0)
    _, out, _ = sb.aws("iam", "create-open-id-connect-provider", "--url", iss,
                       "--client-id-list", "sts.amazonaws.com", check_rc=0)
    provider = out["OpenIDConnectProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:sub": "system:serviceaccount:default:irsa-app",
                                       f"{host}:aud": "sts.amazonaws.com"}}}]}
    _, out, _ = sb.aws("iam", "create-role", "--role-name", "irsa-role",
                       "--assume-role-policy-document", json.dumps(trust), check_rc=0)
    _state.update(dir=sb.dir, iss=iss, host=host, provider=provider, role=out["Role"]["Arn"])
    return _state


def web_identity_subprocess(sb, role_arn, token_text, tmpname):
    """A Python process with nothing but the IRSA variables (as the webhook injects them)
    asking STS who it is through boto3's own web-identity provider."""
    path = os.path.join(sb.dir, tmpname)
    with open(path, "w") as f:
        f.write(token_text)
    code = ("import json, os, boto3\n"
            "s = boto3.Session(region_name=os.environ['AWS_REGION'])\n"
            "c = s.get_credentials()\n"
            "who = s.client('sts').get_caller_identity()\n"
            "print(json.dumps({'method': c.method, 'arn': who['Arn']}))\n")
    return sb.sdk_process({"AWS_ROLE_ARN": role_arn, "AWS_WEB_IDENTITY_TOKEN_FILE": path}, code)


@test
def irsa_create_token_returns_a_service_account_jwt(sb):
    iss = issuer(sb)
    tok = token(sb, "default", "--audience", "sts.amazonaws.com", "--duration", "1h")
    check_eq(len(tok.split(".")), 3)
    c = claims(tok)
    check_eq(c["aud"], ["sts.amazonaws.com"])
    check_eq(c["iss"], iss)
    check_eq(c["sub"], "system:serviceaccount:default:default")
    check_eq(c["exp"] - c["iat"], 3600)
    check_eq(c["iat"], c["nbf"])
    check_eq(c["kubernetes.io"]["namespace"], "default")
    # upstream's validation and NotFound texts
    rc, _, err = sb.kubectl("create", "token", "default", "--duration", "5m")
    check(rc != 0)
    check_in("spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes", err)
    rc, _, err = sb.kubectl("create", "token", "no-such-sa")
    check(rc != 0)
    check_in('serviceaccounts "no-such-sa" not found', err)


@test
def irsa_service_account_token_authenticates_to_the_api(sb):
    setup(sb)
    tok = token(sb, "irsa-app")  # default audience: the cluster's issuer, the API audience
    rc, out, err = sb.kubectl("--token", tok, "auth", "whoami", "-o", "json")
    check_eq(rc, 0, err)
    info = json.loads(out)["status"]["userInfo"]
    check_eq(info["username"], "system:serviceaccount:default:irsa-app")
    check_eq(info["groups"], ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
    check(info["extra"]["authentication.kubernetes.io/credential-id"][0].startswith("JTI="))
    # RBAC applies to it like to anyone: no rights yet
    rc, out, _ = sb.kubectl("--token", tok, "auth", "can-i", "list", "secrets")
    check_eq(out.strip(), "no")
    # a token for STS is not one for the API server
    sts_tok = token(sb, "irsa-app", "--audience", "sts.amazonaws.com")
    rc, _, err = sb.kubectl("--token", sts_tok, "auth", "whoami")
    check(rc != 0)
    check_in("Unauthorized", err)
    # deleting the service account revokes its tokens at once
    sb.kubectl("create", "serviceaccount", "irsa-gone", check_rc=0)
    gone = token(sb, "irsa-gone")
    sb.kubectl("delete", "serviceaccount", "irsa-gone", check_rc=0)
    rc, _, err = sb.kubectl("--token", gone, "auth", "whoami")
    check(rc != 0)
    check_in("Unauthorized", err)


@test
def irsa_issuer_documents_are_public(sb):
    iss = issuer(sb)
    hexid = iss.rsplit("/", 1)[1]
    status, body, headers = sb.get(f"{sb.env['GATEHOUSE_AWS_URL']}/id/{hexid}/.well-known/openid-configuration")
    check_eq(status, 200, body)
    doc = json.loads(body)
    check_eq(doc["issuer"], iss)
    check_eq(doc["jwks_uri"], iss + "/keys")
    check_eq(doc["authorization_endpoint"], "urn:kubernetes:programmatic_authorization")
    check_eq(doc["claims_supported"], ["sub", "iss"])
    check_eq(doc["id_token_signing_alg_values_supported"], ["RS256"])
    check_eq(headers.get("Cache-Control"), "public, max-age=3600")
    status, body, headers = sb.get(f"{sb.env['GATEHOUSE_AWS_URL']}/id/{hexid}/keys")
    check_eq(status, 200, body)
    check_eq(headers.get("Content-Type"), "application/jwk-set+json")
    keys = json.loads(body)["keys"]
    check_eq(sorted(keys[0]), ["alg", "e", "kid", "kty", "n", "use"])
    tok = token(sb, "default")
    hdr = json.loads(base64.urlsafe_b64decode(tok.split(".")[0] + "=="))
    check_eq(hdr["alg"], "RS256")
    check_in(hdr["kid"], [k["kid"] for k in keys])
    # the Kubernetes API serves the same documents without credentials
    status, body, _ = sb.get(f"{sb.env['GATEHOUSE_KUBE_URL']}/openid/v1/jwks")
    check_eq((status, json.loads(body)["keys"]), (200, keys))
    status, body, _ = sb.get(f"{sb.env['GATEHOUSE_KUBE_URL']}/.well-known/openid-configuration")
    check_eq((status, json.loads(body)["issuer"]), (200, iss))


@test
def irsa_oidc_providers_through_the_aws_cli(sb):
    st = setup(sb)
    arn = st["provider"]
    check_eq(arn, f"arn:aws:iam::{sb.env.get('GATEHOUSE_ACCOUNT_ID', arn.split(':')[4])}:oidc-provider/{st['host']}")
    _, out, _ = sb.aws("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn, check_rc=0)
    check_eq(out["Url"], st["host"])
    check_eq(out["ClientIDList"], ["sts.amazonaws.com"])
    _, out, _ = sb.aws("iam", "list-open-id-connect-providers", check_rc=0)
    check_in({"Arn": arn}, out["OpenIDConnectProviderList"])
    rc, _, err = sb.aws("iam", "create-open-id-connect-provider", "--url", st["iss"])
    check(rc != 0)
    check_in("EntityAlreadyExists", err)
    check_in(f"Provider with url {st['iss']} already exists.", err)
    rc, _, err = sb.aws("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn + "0")
    check_in("NoSuchEntity", err)
    rc, _, err = sb.aws("iam", "create-open-id-connect-provider", "--url", "http://example.com")
    check_in("InvalidInput", err)
    # a second client ID, thumbprints, and the limits
    sb.aws("iam", "add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", arn,
           "--client-id", "extra-audience", check_rc=0)
    sb.aws("iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", arn,
           "--thumbprint-list", "9e99a48a9960b14926bb7f3b02e22da2b0ab7280", check_rc=0)
    _, out, _ = sb.aws("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn, check_rc=0)
    check_eq(out["ClientIDList"], ["sts.amazonaws.com", "extra-audience"])
    check_eq(out["ThumbprintList"], ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])
    rc, _, err = sb.aws("iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", arn,
                        "--thumbprint-list", *(["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"] * 6))
    check_in("LimitExceeded", err)
    # create then delete a provider of another URL
    _, out, _ = sb.aws("iam", "create-open-id-connect-provider", "--url", "https://token.example.com/issuer",
                       "--client-id-list", "a", check_rc=0)
    sb.aws("iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn",
           out["OpenIDConnectProviderArn"], check_rc=0)
    rc, _, err = sb.aws("iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn",
                        out["OpenIDConnectProviderArn"])
    check_in("NoSuchEntity", err)


@test
def irsa_boto3_web_identity_provider_assumes_the_role(sb):
    st = setup(sb)
    tok = token(sb, "irsa-app", "--audience", "sts.amazonaws.com", "--duration", "1h")
    p = web_identity_subprocess(sb, st["role"], tok, "irsa-token")
    check_eq(p.returncode, 0, p.stderr)
    out = json.loads(p.stdout)
    check_eq(out["method"], "assume-role-with-web-identity")
    check(out["arn"].startswith(f"arn:aws:sts::{st['role'].split(':')[4]}:assumed-role/irsa-role/botocore-session-"),
          out["arn"])
    # the aws CLI shows the whole answer
    _, res, err = sb.aws("sts", "assume-role-with-web-identity", "--role-arn", st["role"],
                         "--role-session-name", "cli", "--web-identity-token", tok, check_rc=0)
    check_eq(res["SubjectFromWebIdentityToken"], "system:serviceaccount:default:irsa-app")
    check_eq(res["Audience"], "sts.amazonaws.com")
    check_eq(res["Provider"], st["provider"])
    check(res["Credentials"]["AccessKeyId"].startswith("ASIA"))
    check(res["AssumedRoleUser"]["Arn"].endswith(":assumed-role/irsa-role/cli"))


@test
def irsa_refuses_other_subjects_audiences_and_issuers(sb):
    st = setup(sb)

    def assume(tok):
        return sb.aws("sts", "assume-role-with-web-identity", "--role-arn", st["role"],
                      "--role-session-name", "web", "--web-identity-token", tok)

    # another service account: the trust policy's sub condition says no
    rc, _, err = assume(token(sb, "default", "--audience", "sts.amazonaws.com"))
    check(rc != 0)
    check_in("AccessDenied", err)
    check_in("Not authorized to perform sts:AssumeRoleWithWebIdentity", err)
    # another audience: not a client ID of the provider
    rc, _, err = assume(token(sb, "irsa-app", "--audience", "not-sts"))
    check_in("InvalidIdentityToken", err)
    check_in("Incorrect token audience", err)
    # the API audience, and a tampered token
    tok = token(sb, "irsa-app", "--audience", "sts.amazonaws.com")
    h, p, s = tok.split(".")
    forged = ".".join([h, p, ("A" if s[0] != "A" else "B") + s[1:]])
    rc, _, err = assume(forged)
    check_in("InvalidIdentityToken", err)
    rc, _, err = assume("not-a-jwt")
    check_in("InvalidIdentityToken", err)
    # the operator learns which token was refused, never the token itself
    log = sb.server_log()
    check_in('"event":"sts.web-identity-rejected"', log)
    check_in('"aud":"not-sts"', log)
    check(tok not in log and forged not in log)


@test
def irsa_external_issuer_keys_over_https(sb):
    """A second gatehouse (region eu-west-1) is an issuer the first does not own: its
    discovery document and JWKS are fetched over HTTPS, verified against its CA."""
    ext = Sandbox(sb.binary, extra_args=["--region", "eu-west-1",
                                         "--tls-san", "oidc.eks.eu-west-1.amazonaws.com"]).start()
    rel = None
    try:
        ext_iss = issuer(ext)
        check(ext_iss.startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/"), ext_iss)
        port = ext.env["GATEHOUSE_AWS_URL"].rsplit(":", 1)[1]
        ext_tok = token(ext, "default", "--audience", "sts.amazonaws.com")
        # the shared sandbox has no provider for that issuer
        st = setup(sb)
        rc, _, err = sb.aws("sts", "assume-role-with-web-identity", "--role-arn", st["role"],
                            "--role-session-name", "web", "--web-identity-token", ext_tok)
        check_in("InvalidIdentityToken", err)
        check_in(f"No OpenIDConnect provider found in your account for {ext_iss}", err)

        rel = Sandbox(sb.binary, extra_args=[
            "--oidc-connect-to", f"oidc.eks.eu-west-1.amazonaws.com:443:127.0.0.1:{port}",
            "--oidc-ca-file", ext.env["AWS_CA_BUNDLE"]]).start()
        host = ext_iss[len("https://"):]
        _, out, _ = rel.aws("iam", "create-open-id-connect-provider", "--url", ext_iss,
                            "--client-id-list", "sts.amazonaws.com", check_rc=0)
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": out["OpenIDConnectProviderArn"]},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {f"{host}:sub": "system:serviceaccount:default:*"}}}]}
        _, role, _ = rel.aws("iam", "create-role", "--role-name", "ext-role",
                             "--assume-role-policy-document", json.dumps(trust), check_rc=0)
        p = web_identity_subprocess(rel, role["Role"]["Arn"], ext_tok, "ext-token")
        check_eq(p.returncode, 0, p.stderr)
        check_in(":assumed-role/ext-role/", json.loads(p.stdout)["arn"])
        # a token signed by a key that issuer never published
        forged = ext_tok.split(".")
        forged[2] = token(sb, "default", "--audience", "sts.amazonaws.com").split(".")[2]
        rc, _, err = rel.aws("sts", "assume-role-with-web-identity", "--role-arn", role["Role"]["Arn"],
                             "--role-session-name", "web", "--web-identity-token", ".".join(forged))
        check_in("InvalidIdentityToken", err)
    finally:
        if rel:
            rel.cleanup()
        ext.cleanup()


@test
def irsa_each_cluster_has_its_own_issuer(sb):
    acct = setup(sb)["role"].split(":")[4]
    _, out, _ = sb.aws("eks", "create-cluster", "--name", "irsa-second", "--role-arn", f"arn:aws:iam::{acct}:role/eks",
                       "--resources-vpc-config", "subnetIds=subnet-1,subnet-2", check_rc=0)
    iss = out["cluster"]["identity"]["oidc"]["issuer"]
    check(iss != issuer(sb), iss)
    url = f"{sb.env['GATEHOUSE_AWS_URL']}/id/{iss.rsplit('/', 1)[1]}/keys"
    status, body, _ = sb.get(url)
    check_eq(status, 200, body)
    demo_keys = json.loads(sb.get(f"{sb.env['GATEHOUSE_KUBE_URL']}/openid/v1/jwks")[1])["keys"]
    check(json.loads(body)["keys"][0]["kid"] != demo_keys[0]["kid"])
    status, body, _ = sb.get(f"{sb.env['GATEHOUSE_KUBE_URL']}/clusters/irsa-second/.well-known/openid-configuration")
    check_eq((status, json.loads(body)["issuer"]), (200, iss))
    sb.aws("eks", "delete-cluster", "--name", "irsa-second", check_rc=0)
    check_eq(sb.get(url)[0], 404)
