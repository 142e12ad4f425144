"""aws-auth from a file: role paths, node templates with the instance map, and a typo that
keeps the last good mappings instead of locking everyone out."""
import json
import os
import tempfile
import time

from harness import Sandbox, check, check_eq, check_in, test
from test_token import get_token, review

AUTH = """apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::{acct}:role/nodes/eks-node
      username: system:node:{{{{EC2PrivateDNSName}}}}
      groups:
        - system:bootstrappers
        - system:nodes
    - rolearn: arn:aws:iam::{acct}:role/team/dev
      username: dev:{{{{SessionName}}}}
      groups:
        - developers
  mapUsers: |
    - userarn: arn:aws:iam::{acct}:user/admin
      username: admin
      groups:
        - system:masters
"""


def role(sb, name, path, me):
    sb.aws("iam", "create-role", "--role-name", name, "--path", path, "--assume-role-policy-document",
           json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": me["Arn"]},
                                                                "Action": "sts:AssumeRole"}]}), check_rc=0)


def token_as(sb, cluster, role_arn, session):
    rc, out, err = sb.aws("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", session, check_rc=0)
    c = out["Credentials"]
    env = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
           "AWS_SESSION_TOKEN": c["SessionToken"]}
    return get_token(sb, cluster=cluster, env=env)


@test
def aws_auth_file_paths_nodes_and_typos(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    acct = me["Account"]
    d = tempfile.mkdtemp()
    auth_path = os.path.join(d, "aws-auth.yaml")
    with open(auth_path, "w") as f:
        f.write(AUTH.format(acct=acct))
    inst_path = os.path.join(d, "instances.json")
    with open(inst_path, "w") as f:
        json.dump({"i-0123456789abcdef0": "ip-10-0-1-23.ec2.internal"}, f)
    role(sb, "eks-node", "/nodes/", me)
    role(sb, "dev", "/team/", me)
    b = Sandbox(sb.binary, state_dir=sb.dir)
    sb.stop()
    b.start(["--aws-auth", auth_path, "--ec2-instances", inst_path])
    try:
        node_tok = token_as(b, "demo", f"arn:aws:iam::{acct}:role/nodes/eks-node", "i-0123456789abcdef0")
        dev_tok = token_as(b, "demo", f"arn:aws:iam::{acct}:role/team/dev", "jane@example.com")
        bad_node_tok = token_as(b, "demo", f"arn:aws:iam::{acct}:role/nodes/eks-node", "i-00000000deadbeef0")
        status, r = review(b, node_tok)
        check_eq(status, 200, str(r))
        check_eq(r["status"]["user"]["username"], "system:node:ip-10-0-1-23.ec2.internal")
        check_eq(r["status"]["user"]["groups"], ["system:bootstrappers", "system:nodes"])
        status, r = review(b, dev_tok)
        check_eq(status, 200, str(r))
        check_eq(r["status"]["user"]["username"], "dev:jane-example.com")  # '@' becomes '-'
        status, r = review(b, bad_node_tok)
        check_eq(status, 403)
        check_in("i-00000000deadbeef0", r["status"]["error"])
        # A typo in mapRoles: the watcher re-reads the file within a second or two, and
        # the last good mapRoles stay in effect.
        with open(auth_path, "w") as f:
            f.write(AUTH.format(acct=acct).replace("      groups:\n        - developers", "     groups:\n      - developers"))
        deadline = time.time() + 10
        while "aws-auth.error" not in b.server_log() and time.time() < deadline:
            time.sleep(0.2)
        status, r = review(b, dev_tok)
        check_eq(status, 200, str(r))
        check_eq(r["status"]["user"]["username"], "dev:jane-example.com")
        check_in("aws-auth.error", b.server_log())
        rc, text, err = b.gatehouse("explain", "token", "--state-dir", b.dir, dev_tok)
        check_eq(rc, 0, text + err)
        check_in("mapRoles", text)
        check_in("previous", text)  # the typo is reported, and the last good mapRoles applied
        check_in("dev:jane-example.com", text)
    finally:
        b.stop()
        sb.start()
    sb.aws("iam", "delete-role", "--role-name", "eks-node", check_rc=0)
    sb.aws("iam", "delete-role", "--role-name", "dev", check_rc=0)
