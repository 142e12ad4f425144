"""The EKS API with the real aws CLI and boto3: clusters, authentication modes, access
entries, access policies, and access entries in token authentication."""
import json

from harness import Fail, check, check_eq, check_in, test
from test_token import get_token, review


def trust(arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]})


def err_of(sb, *args):
    rc, out, err = sb.aws(*args)
    check(rc != 0, f"aws {' '.join(args)} succeeded")
    return err


def token_as_role(sb, cluster, role_arn, session):
    rc, out, err = sb.aws("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", session, check_rc=0)
    c = out["Credentials"]
    return get_token(sb, cluster=cluster, env={"AWS_ACCESS_KEY_ID": c["AccessKeyId"],
                                               "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                                               "AWS_SESSION_TOKEN": c["SessionToken"]})


@test
def eks_clusters_and_modes(sb):
    rc, out, err = sb.aws("eks", "list-access-policies", check_rc=0)
    names = [p["name"] for p in out["accessPolicies"]]
    for n in ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy", "AmazonEKSViewPolicy"):
        check_in(n, names)
    check(out["accessPolicies"][0]["arn"].startswith("arn:aws:eks::aws:cluster-access-policy/"))
    rc, out, err = sb.aws("eks", "describe-cluster", "--name", "demo", check_rc=0)
    check_eq(out["cluster"]["status"], "ACTIVE")
    check_eq(out["cluster"]["accessConfig"]["authenticationMode"], "CONFIG_MAP")
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    acct = me["Account"]
    rc, out, err = sb.aws("eks", "create-cluster", "--name", "modes", "--role-arn", f"arn:aws:iam::{acct}:role/eks",
                          "--resources-vpc-config", "subnetIds=subnet-1,subnet-2", check_rc=0)
    c = out["cluster"]
    check_eq(c["accessConfig"], {"bootstrapClusterCreatorAdminPermissions": True, "authenticationMode": "CONFIG_MAP"})
    check(c["identity"]["oidc"]["issuer"].startswith("https://oidc.eks.us-east-1.amazonaws.com/id/"), c)
    check_in("modes", sb.aws("eks", "list-clusters", check_rc=0)[1]["clusters"])
    check_in("ResourceInUseException", err_of(sb, "eks", "create-cluster", "--name", "modes", "--role-arn",
                                              f"arn:aws:iam::{acct}:role/eks", "--resources-vpc-config",
                                              "subnetIds=subnet-1"))
    check_in("bootstrapClusterCreatorAdminPermissions must be true",
             err_of(sb, "eks", "create-cluster", "--name", "bad", "--role-arn", f"arn:aws:iam::{acct}:role/eks",
                    "--resources-vpc-config", "subnetIds=subnet-1", "--access-config",
                    "authenticationMode=CONFIG_MAP,bootstrapClusterCreatorAdminPermissions=false"))
    # Access entries need a mode with access entries.
    check_in("InvalidRequestException", err_of(sb, "eks", "create-access-entry", "--cluster-name", "modes",
                                               "--principal-arn", me["Arn"]))
    # The one-way rule: CONFIG_MAP -> API_AND_CONFIG_MAP -> API, never back.
    rc, out, err = sb.aws("eks", "update-cluster-config", "--name", "modes", "--access-config",
                          "authenticationMode=API_AND_CONFIG_MAP", check_rc=0)
    check_eq(out["update"]["status"], "Successful")
    check_eq(out["update"]["params"], [{"type": "AuthenticationMode", "value": "API_AND_CONFIG_MAP"}])
    # Leaving CONFIG_MAP gave the creator its ClusterAdmin access entry.
    rc, out, err = sb.aws("eks", "list-access-entries", "--cluster-name", "modes", check_rc=0)
    check_eq(out["accessEntries"], [me["Arn"]])
    rc, out, err = sb.aws("eks", "list-associated-access-policies", "--cluster-name", "modes", "--principal-arn",
                          me["Arn"], check_rc=0)
    check_eq([(p["policyArn"].split("/")[-1], p["accessScope"]["type"]) for p in out["associatedAccessPolicies"]],
             [("AmazonEKSClusterAdminPolicy", "cluster")])
    sb.aws("eks", "update-cluster-config", "--name", "modes", "--access-config", "authenticationMode=API", check_rc=0)
    check_in("Unsupported authentication mode update from API to CONFIG_MAP",
             err_of(sb, "eks", "update-cluster-config", "--name", "modes", "--access-config",
                    "authenticationMode=CONFIG_MAP"))
    rc, out, err = sb.aws("eks", "delete-cluster", "--name", "modes", check_rc=0)
    check_eq(out["cluster"]["status"], "DELETING")
    check_in("ResourceNotFoundException", err_of(sb, "eks", "describe-cluster", "--name", "modes"))


@test
def eks_access_entries_rules_and_tokens(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    acct = me["Account"]
    sb.aws("eks", "create-cluster", "--name", "prod", "--role-arn", f"arn:aws:iam::{acct}:role/eks",
           "--resources-vpc-config", "subnetIds=subnet-1", "--access-config",
           "authenticationMode=API_AND_CONFIG_MAP", check_rc=0)
    sb.aws("iam", "create-role", "--role-name", "MonitoringRole", "--path", "/team/",
           "--assume-role-policy-document", trust(me["Arn"]), check_rc=0)
    role = f"arn:aws:iam::{acct}:role/team/MonitoringRole"
    rc, out, err = sb.aws("eks", "create-access-entry", "--cluster-name", "prod", "--principal-arn", role,
                          "--kubernetes-groups", "monitoring-team", "--tags", "team=obs", check_rc=0)
    e = out["accessEntry"]
    check_eq(e["type"], "STANDARD")
    check_eq(e["username"], f"arn:aws:sts::{acct}:assumed-role/MonitoringRole/{{{{SessionName}}}}")
    check_eq(e["kubernetesGroups"], ["monitoring-team"])
    check(e["accessEntryArn"].startswith(f"arn:aws:eks:us-east-1:{acct}:access-entry/prod/role/{acct}/MonitoringRole/"))
    # One entry per principal: the path-less ARN is the same principal.
    check_in("already in use", err_of(sb, "eks", "create-access-entry", "--cluster-name", "prod", "--principal-arn",
                                      f"arn:aws:iam::{acct}:role/MonitoringRole"))
    sb.aws("iam", "create-user", "--user-name", "eks-dev", check_rc=0)
    check_in("cannot start with system:", err_of(sb, "eks", "create-access-entry", "--cluster-name", "prod",
                                                 "--principal-arn", f"arn:aws:iam::{acct}:user/eks-dev",
                                                 "--kubernetes-groups", "system:masters"))
    check_in("invalid principal", err_of(sb, "eks", "create-access-entry", "--cluster-name", "prod",
                                         "--principal-arn", f"arn:aws:iam::{acct}:role/DoesNotExist"))
    check_in("must not begin with", err_of(sb, "eks", "create-access-entry", "--cluster-name", "prod",
                                           "--principal-arn", f"arn:aws:iam::{acct}:user/eks-dev", "--username",
                                           "system:admin"))
    rc, out, err = sb.aws("eks", "associate-access-policy", "--cluster-name", "prod", "--principal-arn", role,
                          "--policy-arn", "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                          "--access-scope", "type=namespace,namespaces=production,dev-*", check_rc=0)
    check_eq(out["associatedAccessPolicy"]["accessScope"], {"type": "namespace", "namespaces": ["production", "dev-*"]})
    rc, out, err = sb.aws("eks", "list-access-entries", "--cluster-name", "prod", "--associated-policy-arn",
                          "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", check_rc=0)
    check_eq(out["accessEntries"], [role])
    rc, out, err = sb.aws("eks", "describe-access-entry", "--cluster-name", "prod", "--principal-arn",
                          f"arn:aws:iam::{acct}:role/MonitoringRole", check_rc=0)
    check_eq(out["accessEntry"]["principalArn"], role)

    # The access entry in token authentication.
    tok = token_as_role(sb, "prod", role, "alice")
    status, r = review(sb, tok, path="/clusters/prod/authenticate")
    check_eq(status, 200, str(r))
    check_eq(r["status"]["user"]["username"], f"arn:aws:sts::{acct}:assumed-role/MonitoringRole/alice")
    check_eq(r["status"]["user"]["groups"], ["monitoring-team"])
    # Re-created principal: same ARN, new unique ID. EKS fails silently; gatehouse says why.
    sb.aws("iam", "delete-role", "--role-name", "MonitoringRole", check_rc=0)
    sb.aws("iam", "create-role", "--role-name", "MonitoringRole", "--path", "/team/",
           "--assume-role-policy-document", trust(me["Arn"]), check_rc=0)
    tok = token_as_role(sb, "prod", role, "alice")
    status, r = review(sb, tok, path="/clusters/prod/authenticate")
    check_eq(status, 403)
    check_in("re-created", r["status"]["error"])
    rc, text, err = sb.gatehouse("explain", "token", "--state-dir", sb.dir, "--cluster", "prod", tok)
    check_eq(rc, 1, err)
    check_in("re-created", text)
    sb.aws("eks", "update-access-entry", "--cluster-name", "prod", "--principal-arn", role, "--kubernetes-groups",
           "viewers", check_rc=0)
    sb.aws("eks", "disassociate-access-policy", "--cluster-name", "prod", "--principal-arn", role, "--policy-arn",
           "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", check_rc=0)
    sb.aws("eks", "delete-access-entry", "--cluster-name", "prod", "--principal-arn", role, check_rc=0)
    check_in("ResourceNotFoundException", err_of(sb, "eks", "describe-access-entry", "--cluster-name", "prod",
                                                 "--principal-arn", role))
    sb.aws("iam", "delete-role", "--role-name", "MonitoringRole", check_rc=0)
    sb.aws("iam", "delete-user", "--user-name", "eks-dev", check_rc=0)
    sb.aws("eks", "delete-cluster", "--name", "prod", check_rc=0)


@test
def eks_boto3(sb):
    import botocore.exceptions
    s = sb.boto3_session()
    eks = s.client("eks")
    acct = s.client("sts").get_caller_identity()["Account"]
    eks.create_cluster(name="b3", roleArn=f"arn:aws:iam::{acct}:role/eks",
                       resourcesVpcConfig={"subnetIds": ["subnet-1"]},
                       accessConfig={"authenticationMode": "API"})
    entries = eks.list_access_entries(clusterName="b3")["accessEntries"]
    check_eq(len(entries), 1)
    try:
        eks.describe_access_entry(clusterName="b3", principalArn=f"arn:aws:iam::{acct}:user/nobody")
        raise Fail("describe of a missing entry succeeded")
    except botocore.exceptions.ClientError as e:
        check_eq(e.response["Error"]["Code"], "ResourceNotFoundException")
        check_eq(e.response["ResponseMetadata"]["HTTPStatusCode"], 404)
    paged = eks.get_paginator("list_access_policies").paginate(PaginationConfig={"PageSize": 5})
    check(sum(len(p["accessPolicies"]) for p in paged) >= 15)
    eks.delete_cluster(name="b3")


@test
def eks_tags_on_clusters_and_entries(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    acct = me["Account"]
    rc, out, err = sb.aws("eks", "create-cluster", "--name", "tagged", "--role-arn", f"arn:aws:iam::{acct}:role/eks",
                          "--resources-vpc-config", "subnetIds=subnet-1", "--tags", "env=test",
                          "--access-config", "authenticationMode=API", check_rc=0)
    arn = out["cluster"]["arn"]
    check_eq(sb.aws("eks", "list-tags-for-resource", "--resource-arn", arn, check_rc=0)[1]["tags"], {"env": "test"})
    sb.aws("eks", "tag-resource", "--resource-arn", arn, "--tags", "team=platform,tier=gold", check_rc=0)
    sb.aws("eks", "untag-resource", "--resource-arn", arn, "--tag-keys", "env", "tier", check_rc=0)
    check_eq(sb.aws("eks", "list-tags-for-resource", "--resource-arn", arn, check_rc=0)[1]["tags"],
             {"team": "platform"})
    rc, out, err = sb.aws("eks", "describe-access-entry", "--cluster-name", "tagged", "--principal-arn", me["Arn"],
                          check_rc=0)
    earn = out["accessEntry"]["accessEntryArn"]
    sb.aws("eks", "tag-resource", "--resource-arn", earn, "--tags", "owner=me", check_rc=0)
    check_eq(sb.aws("eks", "list-tags-for-resource", "--resource-arn", earn, check_rc=0)[1]["tags"], {"owner": "me"})
    rc, out, err = sb.aws("eks", "list-tags-for-resource", "--resource-arn",
                          f"arn:aws:eks:us-east-1:{acct}:cluster/nope")
    check(rc != 0)
    check_in("NotFoundException", err)
    sb.aws("eks", "delete-cluster", "--name", "tagged", check_rc=0)


@test
def eks_hostile_requests(sb):
    """Signed with the admin's key but malformed: clear errors, and the server stays up."""
    import configparser
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    cp = configparser.ConfigParser()
    cp.read(sb.env["AWS_SHARED_CREDENTIALS_FILE"])
    creds = Credentials(cp["default"]["aws_access_key_id"], cp["default"]["aws_secret_access_key"])

    def call(method, path, body=b""):
        req = AWSRequest(method=method, url=sb.env["GATEHOUSE_AWS_URL"] + path, data=body,
                         headers={"Content-Type": "application/json"})
        SigV4Auth(creds, "eks", "us-east-1").add_auth(req)
        return sb.request(method, req.url, body, dict(req.headers))

    cases = [
        ("POST", "/clusters", b"{not json", 400, "BadRequestException"),
        ("POST", "/clusters", b"[]", 400, "BadRequestException"),
        ("POST", "/clusters", b"{\"name\":\"x y\",\"roleArn\":\"r\",\"resourcesVpcConfig\":{}}", 400,
         "InvalidParameterException"),
        ("POST", "/clusters", b" " * (300 * 1024), 400, "InvalidRequestException"),
        ("PUT", "/clusters/demo", b"", 405, "InvalidRequestException"),
        ("GET", "/clusters/demo/nothing-here", b"", 404, "NotFoundException"),
        ("GET", "/clusters/%zz", b"", 404, "NotFoundException"),
        ("GET", "/clusters/demo/access-entries?maxResults=0", b"", 400, "InvalidParameterException"),
    ]
    for method, path, body, status, code in cases:
        got, text, headers = call(method, path, body)
        check_eq(got, status, f"{method} {path}: {text}")
        check_eq(headers.get("x-amzn-ErrorType"), code, f"{method} {path}")
        check("message" in json.loads(text), text)
    check_eq(sb.aws("eks", "describe-cluster", "--name", "demo", check_rc=0)[1]["cluster"]["name"], "demo")
