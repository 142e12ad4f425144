"""IAM and STS with the real aws CLI and boto3, after `source DIR/env`."""
import json
import os
import subprocess

from harness import Fail, check, check_eq, check_in, test

TRUST_ADMIN = None


def account(sb):
    rc, out, err = sb.aws("sts", "get-caller-identity", check_rc=0)
    return out["Account"]


def trust_for(arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]})


@test
def env_file_names_every_listener(sb):
    for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
              "AWS_DEFAULT_REGION", "GATEHOUSE_AWS_URL", "GATEHOUSE_WEBHOOK_URL", "AWS_CA_BUNDLE"):
        check(k in sb.env and sb.env[k], f"{k} missing from env file")
    st = os.stat(os.path.join(sb.dir, "kek"))
    check_eq(st.st_mode & 0o777, 0o600, "kek mode")
    st = os.stat(sb.env["AWS_SHARED_CREDENTIALS_FILE"])
    check_eq(st.st_mode & 0o777, 0o600, "credentials mode")


@test
def health_ready_metrics(sb):
    base = sb.env["GATEHOUSE_AWS_URL"]
    check_eq(sb.get(base + "/healthz")[0], 200)
    check_eq(sb.get(base + "/readyz")[0], 200)
    status, body, _ = sb.get(base + "/metrics")
    check_eq(status, 200)
    check_in("# TYPE gatehouse_http_requests_total counter", body)


@test
def cli_get_caller_identity_as_admin(sb):
    rc, out, err = sb.aws("sts", "get-caller-identity", check_rc=0)
    check(out["Arn"].endswith(":user/admin"), out)
    check(out["UserId"].startswith("AIDA"), out)
    check_eq(len(out["Account"]), 12)


@test
def cli_iam_users_and_keys(sb):
    rc, out, err = sb.aws("iam", "create-user", "--user-name", "alice", "--path", "/team/", check_rc=0)
    u = out["User"]
    check_eq(u["UserName"], "alice")
    check_eq(u["Path"], "/team/")
    check(u["UserId"].startswith("AIDA"))
    check(u["Arn"].endswith(":user/team/alice"), u["Arn"])
    rc, out, err = sb.aws("iam", "create-user", "--user-name", "alice")
    check(rc != 0)
    check_in("EntityAlreadyExists", err)
    rc, out, err = sb.aws("iam", "get-user", "--user-name", "alice", check_rc=0)
    check_eq(out["User"]["Arn"], u["Arn"])
    rc, out, err = sb.aws("iam", "list-users", check_rc=0)
    check_in("alice", [x["UserName"] for x in out["Users"]])
    rc, out, err = sb.aws("iam", "create-access-key", "--user-name", "alice", check_rc=0)
    key = out["AccessKey"]
    check(key["AccessKeyId"].startswith("AKIA"))
    check_eq(len(key["SecretAccessKey"]), 40)
    check_eq(key["Status"], "Active")
    # The new key works at once, as alice.
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    rc, out, err = sb.aws("sts", "get-caller-identity", env=env, check_rc=0)
    check_eq(out["Arn"], u["Arn"])
    # alice may not create users: AccessDenied with AWS's text.
    rc, out, err = sb.aws("iam", "create-user", "--user-name", "mallory", env=env)
    check(rc != 0)
    check_in("AccessDenied", err)
    check_in("is not authorized to perform: iam:CreateUser", err)
    rc, out, err = sb.aws("iam", "list-access-keys", "--user-name", "alice", check_rc=0)
    check_eq([k["AccessKeyId"] for k in out["AccessKeyMetadata"]], [key["AccessKeyId"]])
    rc, out, err = sb.aws("iam", "delete-user", "--user-name", "alice")
    check(rc != 0)
    check_in("DeleteConflict", err)
    sb.aws("iam", "delete-access-key", "--user-name", "alice", "--access-key-id", key["AccessKeyId"], check_rc=0)
    # A deleted key stops working at once.
    rc, out, err = sb.aws("sts", "get-caller-identity", env=env)
    check(rc != 0)
    check_in("InvalidClientTokenId", err)
    sb.aws("iam", "delete-user", "--user-name", "alice", check_rc=0)
    rc, out, err = sb.aws("iam", "get-user", "--user-name", "alice")
    check_in("NoSuchEntity", err)


@test
def cli_validation_errors(sb):
    rc, out, err = sb.aws("iam", "create-user", "--user-name", "bad name!")
    check(rc != 0)
    check_in("ValidationError", err)
    rc, out, err = sb.aws("iam", "create-role", "--role-name", "r-bad", "--assume-role-policy-document", "{nope")
    check(rc != 0)
    check_in("MalformedPolicyDocument", err)


@test
def cli_roles_and_assume_role(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    rc, out, err = sb.aws("iam", "create-role", "--role-name", "deployer", "--path", "/ci/",
                          "--max-session-duration", "7200",
                          "--assume-role-policy-document", trust_for(me["Arn"]), check_rc=0)
    role = out["Role"]
    check(role["RoleId"].startswith("AROA"))
    check(role["Arn"].endswith(":role/ci/deployer"))
    check_eq(role["MaxSessionDuration"], 7200)
    rc, out, err = sb.aws("iam", "get-role", "--role-name", "deployer", check_rc=0)
    check_eq(out["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"], me["Arn"])
    rc, out, err = sb.aws("iam", "list-roles", "--path-prefix", "/ci/", check_rc=0)
    check_eq([r["RoleName"] for r in out["Roles"]], ["deployer"])
    sb.aws("iam", "tag-role", "--role-name", "deployer", "--tags", "Key=team,Value=platform", check_rc=0)
    rc, out, err = sb.aws("iam", "get-role", "--role-name", "deployer", check_rc=0)
    check_eq(out["Role"]["Tags"], [{"Key": "team", "Value": "platform"}])
    sb.aws("iam", "untag-role", "--role-name", "deployer", "--tag-keys", "team", check_rc=0)

    rc, out, err = sb.aws("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "ci-run",
                          check_rc=0)
    creds = out["Credentials"]
    check(creds["AccessKeyId"].startswith("ASIA"))
    check(out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/deployer/ci-run"), out)
    check(out["AssumedRoleUser"]["AssumedRoleId"].startswith(role["RoleId"] + ":ci-run"))
    env = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
           "AWS_SESSION_TOKEN": creds["SessionToken"]}
    rc, out, err = sb.aws("sts", "get-caller-identity", env=env, check_rc=0)
    check(out["Arn"].endswith(":assumed-role/deployer/ci-run"), out)
    check_eq(out["UserId"], role["RoleId"] + ":ci-run")
    # The session token is part of the credential: a wrong one is refused.
    bad = dict(env, AWS_SESSION_TOKEN=creds["SessionToken"][:-4] + "AAAA")
    rc, out, err = sb.aws("sts", "get-caller-identity", env=bad)
    check(rc != 0)
    check_in("InvalidClientTokenId", err)
    # Above the role's MaxSessionDuration.
    rc, out, err = sb.aws("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "x1",
                          "--duration-seconds", "7201")
    check(rc != 0)
    check_in("MaxSessionDuration", err)
    # A trust policy that does not name the caller.
    sb.aws("iam", "update-assume-role-policy", "--role-name", "deployer", "--policy-document",
           trust_for("arn:aws:iam::%s:user/nobody" % me["Account"]), check_rc=0)
    rc, out, err = sb.aws("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "x2")
    check(rc != 0)
    check_in("AccessDenied", err)
    check_in("is not authorized to perform: sts:AssumeRole", err)
    sb.aws("iam", "delete-role", "--role-name", "deployer", check_rc=0)


@test
def cli_signature_errors(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    rc, out, err = sb.aws("sts", "get-caller-identity", env={
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x" * 40})
    check(rc != 0)
    check_in("InvalidClientTokenId", err)
    # Right key id, wrong secret: the signature does not match.
    akid = subprocess.run(["aws", "configure", "get", "aws_access_key_id"], capture_output=True, text=True,
                          env=sb.client_env()).stdout.strip()
    check(akid.startswith("AKIA"), akid)
    rc, out, err = sb.aws("sts", "get-caller-identity", env={
        "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": "y" * 40})
    check(rc != 0)
    check_in("SignatureDoesNotMatch", err)


@test
def boto3_iam_and_sts(sb):
    import botocore.exceptions
    s = sb.boto3_session()
    sts = s.client("sts")
    iam = s.client("iam")
    me = sts.get_caller_identity()
    iam.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "a"}])
    check_eq(iam.get_user(UserName="bob")["User"]["Tags"], [{"Key": "team", "Value": "a"}])
    k = iam.create_access_key(UserName="bob")["AccessKey"]
    iam.create_role(RoleName="bob-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{me['Account']}:user/bob"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {"aws:RequestTag/project": "gate"}}}]}))
    bob = __import__("boto3").session.Session(aws_access_key_id=k["AccessKeyId"],
                                              aws_secret_access_key=k["SecretAccessKey"])
    bsts = bob.client("sts")
    role_arn = f"arn:aws:iam::{me['Account']}:role/bob-role"
    try:
        bsts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
        raise Fail("assume-role without the required session tag succeeded")
    except botocore.exceptions.ClientError as e:
        check_eq(e.response["Error"]["Code"], "AccessDenied")
    r = bsts.assume_role(RoleArn=role_arn, RoleSessionName="s1",
                         Tags=[{"Key": "project", "Value": "gate"}], TransitiveTagKeys=["project"])
    c = r["Credentials"]
    sess = __import__("boto3").session.Session(aws_access_key_id=c["AccessKeyId"],
                                               aws_secret_access_key=c["SecretAccessKey"],
                                               aws_session_token=c["SessionToken"])
    ident = sess.client("sts").get_caller_identity()
    check(ident["Arn"].endswith(":assumed-role/bob-role/s1"), ident)
    try:
        bsts.assume_role(RoleArn=role_arn, RoleSessionName="x", DurationSeconds=100)
        raise Fail("DurationSeconds=100 accepted")
    except botocore.exceptions.ParamValidationError:
        pass  # botocore refuses it client-side; the server check is covered by the CLI test
    iam.delete_role(RoleName="bob-role")
    iam.delete_access_key(UserName="bob", AccessKeyId=k["AccessKeyId"])
    iam.delete_user(UserName="bob")
