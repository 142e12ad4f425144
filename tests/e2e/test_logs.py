"""The AWS API trail and `gatehouse logs`: IAM, STS and EKS calls made with the aws CLI,
failed ones included, then the questions people ask of them."""
import json
import os
import re

from harness import check, check_eq, check_in, test


def logs(sb, *args):
    rc, out, err = sb.gatehouse("logs", "--state-dir", sb.dir, *args)
    check_eq(rc, 0, f"gatehouse logs {' '.join(args)}: {err}")
    return out.splitlines()


def trust_for(arn):
    # The Sid marks the document: no policy document may reach the trail.
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "LogsTrustMarker", "Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]})


@test
def logs_trail_answers_failed_access_entries_and_principal(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    acct, admin = me["Account"], me["Arn"]
    rc, out, _ = sb.aws("iam", "create-user", "--user-name", "logs-carol", check_rc=0)
    carol = out["User"]["Arn"]
    rc, out, _ = sb.aws("iam", "create-access-key", "--user-name", "logs-carol", check_rc=0)
    key = out["AccessKey"]
    as_carol = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    # Three failures: carol may not create users, an unknown key, a wrong secret.
    rc, _, err = sb.aws("iam", "create-user", "--user-name", "logs-mallory", env=as_carol)
    check(rc != 0 and "AccessDenied" in err, err)
    rc, _, err = sb.aws("sts", "get-caller-identity", env={"AWS_ACCESS_KEY_ID": "AKIALOGSUNKNOWN00000",
                                                          "AWS_SECRET_ACCESS_KEY": "x" * 40})
    check_in("InvalidClientTokenId", err)
    rc, _, err = sb.aws("eks", "list-clusters", env=dict(as_carol, AWS_SECRET_ACCESS_KEY="y" * 40))
    check(rc != 0, "a wrong secret was accepted")
    sb.aws("eks", "list-clusters", env=as_carol, check_rc=0)

    # Access changes: a cluster with access entries, an entry, a policy, the entry removed.
    sb.aws("eks", "create-cluster", "--name", "logs-c", "--role-arn", f"arn:aws:iam::{acct}:role/eks",
           "--resources-vpc-config", "subnetIds=subnet-1", "--access-config",
           "authenticationMode=API_AND_CONFIG_MAP", check_rc=0)
    sb.aws("eks", "create-access-entry", "--cluster-name", "logs-c", "--principal-arn", carol, check_rc=0)
    sb.aws("eks", "associate-access-policy", "--cluster-name", "logs-c", "--principal-arn", carol, "--policy-arn",
           "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "--access-scope", "type=cluster",
           check_rc=0)
    sb.aws("eks", "describe-access-entry", "--cluster-name", "logs-c", "--principal-arn", carol, check_rc=0)
    sb.aws("eks", "delete-access-entry", "--cluster-name", "logs-c", "--principal-arn", carol, check_rc=0)

    # A role session: its calls are found by the role's ARN.
    sb.aws("iam", "create-role", "--role-name", "logs-dev", "--assume-role-policy-document", trust_for(admin),
           check_rc=0)
    role = f"arn:aws:iam::{acct}:role/logs-dev"
    rc, out, _ = sb.aws("sts", "assume-role", "--role-arn", role, "--role-session-name", "logs-s", check_rc=0)
    cr = out["Credentials"]
    sb.aws("sts", "get-caller-identity", env={"AWS_ACCESS_KEY_ID": cr["AccessKeyId"],
                                              "AWS_SECRET_ACCESS_KEY": cr["SecretAccessKey"],
                                              "AWS_SESSION_TOKEN": cr["SessionToken"]},
           check_rc=0)

    failed = [l for l in logs(sb, "--failed", "--source", "aws") if "logs-" in l or "LOGS" in l
              or key["AccessKeyId"] in l]
    check(any(f"{carol} iam:CreateUser userName=logs-mallory AccessDenied" in l for l in failed), failed)
    check(any("key:AKIALOGSUNKNOWN00000 sts:GetCallerIdentity InvalidClientTokenId" in l for l in failed), failed)
    check(any(f"key:{key['AccessKeyId']} eks:ListClusters " in l for l in failed), failed)
    check(not any(l.endswith(" ok") for l in failed), failed)

    changes = [l for l in logs(sb, "--access-entries") if "logs-c" in l]
    check_eq([l.split()[3] for l in changes],
             ["eks:CreateCluster", "eks:CreateAccessEntry", "eks:AssociateAccessPolicy", "eks:DeleteAccessEntry"],
             "access changes:")
    check(all(l.split()[2] == admin and l.endswith(" ok") for l in changes), changes)
    check_in(f"principalArn={carol}", changes[1])

    mine = logs(sb, "--principal", carol)
    check_eq([l.split()[3] for l in mine], ["iam:CreateUser", "eks:ListClusters"], "carol's calls:")
    by_key = logs(sb, "--principal", key["AccessKeyId"])
    check_eq(len(by_key), 3, f"{by_key}")  # her two calls and the one with a wrong secret
    by_role = logs(sb, "--principal", role)
    check_eq(len(by_role), 1, f"{by_role}")
    check_in("sts:GetCallerIdentity", by_role[0])
    check(f"assumed-role/logs-dev/logs-s" in by_role[0], by_role)

    # -o json gives the records as written; --since bounds them.
    records = [json.loads(l) for l in logs(sb, "--principal", carol, "-o", "json")]
    check_eq([r["eventName"] for r in records], ["CreateUser", "ListClusters"])
    check_eq(records[0]["userIdentity"]["type"], "IAMUser")
    check_eq(records[0]["errorCode"], "AccessDenied")
    check_eq(len(logs(sb, "--principal", carol, "--since", "1h")), 2)
    check_eq(logs(sb, "--principal", carol, "--since", "2099-01-01T00:00:00Z"), [])

    # No secret key, session token or policy document reaches the trail; it is 0600.
    path = os.path.join(sb.dir, "trail.log")
    text = open(path).read()
    for secret in (key["SecretAccessKey"], cr["SecretAccessKey"], cr["SessionToken"], "LogsTrustMarker"):
        check(secret not in text, f"the trail holds {secret[:8]}...")
    check_eq(os.stat(path).st_mode & 0o777, 0o600, "trail.log mode")
    check_eq(os.stat(os.path.join(sb.dir, "audit.log")).st_mode & 0o777, 0o600, "audit.log mode")
    sb.aws("iam", "delete-access-key", "--user-name", "logs-carol", "--access-key-id", key["AccessKeyId"],
           check_rc=0)
    sb.aws("iam", "delete-user", "--user-name", "logs-carol", check_rc=0)
    sb.aws("iam", "delete-role", "--role-name", "logs-dev", check_rc=0)
    sb.aws("eks", "delete-cluster", "--name", "logs-c", check_rc=0)


@test
def logs_survives_corrupt_lines_and_checks_its_arguments(sb):
    path = os.path.join(sb.dir, "audit.log")
    with open(path, "a") as f:
        f.write("{not json\n" + "z" * (2 << 20) + "\n" + json.dumps({"kind": "Event"}) + "\n")
    rc, out, err = sb.gatehouse("logs", "--state-dir", sb.dir, "--source", "k8s")
    check_eq(rc, 0, err)
    check(re.search(r"skipped 1 line\(s\) longer than \d+ bytes and 2 line\(s\) that are not records", err), err)
    rc, out, err = sb.gatehouse("logs", "--state-dir", sb.dir, "--since", "yesterday")
    check_eq(rc, 2)
    check_in("--since", err)
    rc, out, err = sb.gatehouse("logs", "--state-dir", sb.dir, "--source", "gcp")
    check_eq(rc, 2)
    rc, out, err = sb.gatehouse("logs", "--help")
    check_eq(rc, 0)
    check_in("--secrets-read", out)
    rc, out, err = sb.gatehouse("logs", "--state-dir", os.path.join(sb.dir, "nope"))
    check_eq(rc, 1)
    check_in("no state directory", err)
