"""Restarts: sessions expire by the server's clock, acknowledged writes survive kill -9,
and the env file follows the new ports."""
import json
import signal

from harness import Sandbox, check, check_eq, check_in, test


@test
def expired_session_is_refused_after_restart(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    sb.aws("iam", "create-role", "--role-name", "short", "--assume-role-policy-document", json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": me["Arn"]},
                                                  "Action": "sts:AssumeRole"}]}), check_rc=0)
    rc, out, err = sb.aws("sts", "assume-role", "--role-arn", f"arn:aws:iam::{me['Account']}:role/short",
                          "--role-session-name", "brief", "--duration-seconds", "900", check_rc=0)
    c = out["Credentials"]
    env = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
           "AWS_SESSION_TOKEN": c["SessionToken"]}
    # Same state, the server's clock 16 minutes ahead: the session has expired.
    other = Sandbox(sb.binary, state_dir=sb.dir)
    sb.stop()
    other.start(["--time-offset", "960"])
    try:
        rc, out, err = other.aws("sts", "get-caller-identity", env=env)
        check(rc != 0)
        check_in("ExpiredToken", err)
    finally:
        other.stop()
    sb.start()
    # Back on time, the stored session works again: sessions survive a restart.
    rc, out, err = sb.aws("sts", "get-caller-identity", env=env, check_rc=0)
    check(out["Arn"].endswith(":assumed-role/short/brief"), out)
    sb.aws("iam", "delete-role", "--role-name", "short", check_rc=0)


@test
def kill_9_loses_no_acknowledged_write(sb):
    s = sb.boto3_session()
    iam = s.client("iam")
    acked = []
    for i in range(40):
        iam.create_user(UserName=f"durable{i}")
        acked.append(f"durable{i}")
    sb.stop(sig=signal.SIGKILL)
    sb.start()
    s = sb.boto3_session()
    iam = s.client("iam")
    names = {u["UserName"] for u in iam.list_users(MaxItems=1000)["Users"]}
    missing = [n for n in acked if n not in names]
    check_eq(missing, [], "users lost by kill -9")
    for n in acked:
        iam.delete_user(UserName=n)


@test
def env_file_rewritten_with_new_ports(sb):
    before = dict(sb.env)
    sb.stop()
    sb.start()
    check_eq(sb.env["AWS_SHARED_CREDENTIALS_FILE"], before["AWS_SHARED_CREDENTIALS_FILE"])
    rc, out, err = sb.aws("sts", "get-caller-identity", check_rc=0)
    check(out["Arn"].endswith(":user/admin"))
    check_in("gatehouse", sb.server_log())
