"""Authorization, the source documents' scenario end to end: TokenReview then
SubjectAccessReview (what kube-apiserver does with gatehouse's webhooks), `can-i`,
`who-can` and `explain access`."""
import json
import os
import tempfile

from harness import Sandbox, check, check_eq, check_in, test
from test_eks import token_as_role, trust
from test_token import review

RBAC = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pod-reader
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: monitoring-pod-reader
  namespace: production
subjects:
- kind: Group
  name: monitoring-team
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: pod-reader
  apiGroup: rbac.authorization.k8s.io
"""

VIEW = "arn:aws:eks::aws:cluster-access-policy/"


def sar(sb, user, verb, resource, ns="", name="", group="", sub="", path=None):
    spec = {"user": user["username"], "groups": user.get("groups", []), "extra": user.get("extra", {}),
            "uid": user.get("uid", "")}
    if path:
        spec["nonResourceAttributes"] = {"path": path, "verb": verb}
    else:
        spec["resourceAttributes"] = {"namespace": ns, "verb": verb, "group": group, "resource": resource,
                                      "subresource": sub, "name": name}
    body = json.dumps({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec})
    status, text, _ = sb.request("POST", sb.env["GATEHOUSE_WEBHOOK_URL"] + "/clusters/scenario/authorize", body)
    check_eq(status, 200, text)
    return json.loads(text)["status"]["allowed"]


def can_i(sb, *args):
    rc, out, err = sb.gatehouse("can-i", "--state-dir", sb.dir, "--cluster", "scenario", *args)
    check(out.strip() in ("yes", "no"), f"can-i {args}: {out!r} {err!r}")
    check_eq(rc, 0 if out.strip() == "yes" else 1)
    return out.strip() == "yes"


@test
def authorization_scenario(sb):
    rc, me, _ = sb.aws("sts", "get-caller-identity", check_rc=0)
    acct = me["Account"]
    sb.aws("eks", "create-cluster", "--name", "scenario", "--role-arn", f"arn:aws:iam::{acct}:role/eks",
           "--resources-vpc-config", "subnetIds=subnet-1", "--access-config",
           "authenticationMode=API_AND_CONFIG_MAP", check_rc=0)
    roles = {}
    for name in ("MonitoringRole", "DeveloperRole", "AdminRole"):
        sb.aws("iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust(me["Arn"]),
               check_rc=0)
        roles[name] = f"arn:aws:iam::{acct}:role/{name}"
    sb.aws("eks", "create-access-entry", "--cluster-name", "scenario", "--principal-arn", roles["MonitoringRole"],
           "--kubernetes-groups", "monitoring-team", check_rc=0)
    for name, policy, scope in (("DeveloperRole", "AmazonEKSEditPolicy", "type=namespace,namespaces=production,staging"),
                                ("AdminRole", "AmazonEKSClusterAdminPolicy", "type=cluster")):
        sb.aws("eks", "create-access-entry", "--cluster-name", "scenario", "--principal-arn", roles[name], check_rc=0)
        sb.aws("eks", "associate-access-policy", "--cluster-name", "scenario", "--principal-arn", roles[name],
               "--policy-arn", VIEW + policy, "--access-scope", scope, check_rc=0)
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "rbac.yaml"), "w") as f:
        f.write(RBAC)
    b = Sandbox(sb.binary, state_dir=sb.dir)
    sb.stop()
    b.start(["--rbac", d])
    try:
        users = {}
        for name in roles:
            status, r = review(b, token_as_role(b, "scenario", roles[name], "oncall"), path="/clusters/scenario/authenticate")
            check_eq(status, 200, str(r))
            users[name] = r["status"]["user"]
        mon, dev, adm = users["MonitoringRole"], users["DeveloperRole"], users["AdminRole"]
        check_eq(mon["groups"], ["monitoring-team"])
        # MonitoringRole: pod-reader in production only, through its group.
        check(sar(b, mon, "get", "pods", ns="production", name="web-1"))
        check(sar(b, mon, "list", "pods", ns="production"))
        check(sar(b, mon, "get", "pods", ns="production", sub="log", name="web-1"))
        check(not sar(b, mon, "delete", "pods", ns="production", name="web-1"))
        check(not sar(b, mon, "get", "secrets", ns="production"))
        check(not sar(b, mon, "list", "pods", ns="staging"))
        check(not sar(b, mon, "list", "pods"))
        # DeveloperRole: AmazonEKSEditPolicy in production and staging.
        check(sar(b, dev, "create", "deployments", ns="production", group="apps"))
        check(sar(b, dev, "update", "deployments", ns="staging", group="apps", name="api"))
        check(sar(b, dev, "get", "secrets", ns="production"))
        check(not sar(b, dev, "create", "deployments", ns="kube-system", group="apps"))
        check(not sar(b, dev, "list", "nodes"))
        check(not sar(b, dev, "create", "roles", ns="production", group="rbac.authorization.k8s.io"))
        # AdminRole: AmazonEKSClusterAdminPolicy at cluster scope.
        check(sar(b, adm, "delete", "nodes", name="ip-10-0-0-1"))
        check(sar(b, adm, "get", "", path="/metrics"))
        # Impersonating the developer (no AWS extras): access policies do not apply.
        check(not sar(b, {"username": dev["username"], "groups": ["system:authenticated"]}, "create", "deployments",
                      ns="production", group="apps"))
        # Defaults: any authenticated user may create SelfSubjectAccessReviews and get /version.
        check(sar(b, {"username": "someone", "groups": ["system:authenticated"]}, "create",
                  "selfsubjectaccessreviews", group="authorization.k8s.io"))
        check(sar(b, {"username": "someone", "groups": ["system:authenticated"]}, "get", "", path="/version"))

        # The same answers offline with can-i, kubectl's output and exit codes.
        check(can_i(b, "get", "pods", "-n", "production", "--as", roles["MonitoringRole"]))
        check(can_i(b, "get", "pods/log", "web-1", "-n", "production", "--as", roles["MonitoringRole"]))
        check(not can_i(b, "delete", "pods", "-n", "production", "--as", roles["MonitoringRole"]))
        check(not can_i(b, "get", "secrets", "-n", "production", "--as", roles["MonitoringRole"]))
        check(can_i(b, "create", "deployments.apps", "-n", "staging", "--as", roles["DeveloperRole"]))
        check(not can_i(b, "create", "deployments.apps", "-n", "kube-system", "--as", roles["DeveloperRole"]))
        check(can_i(b, "delete", "nodes", "--as", roles["AdminRole"]))
        check(can_i(b, "list", "pods", "-n", "production", "--as", "jane", "--as-group", "monitoring-team"))
        check(not can_i(b, "list", "pods", "-n", "production", "--as", "jane"))

        rc, text, err = b.gatehouse("explain", "access", "--state-dir", b.dir, "--cluster", "scenario",
                                    "delete", "pods", "web-1", "-n", "production", "--as", roles["MonitoringRole"])
        check_eq(rc, 1, text + err)
        check_in('Error from server (Forbidden): pods "web-1" is forbidden: User "arn:aws:sts::%s:assumed-role/'
                 'MonitoringRole/gatehouse" cannot delete resource "pods" in API group "" in the namespace '
                 '"production"' % acct, text)
        rc, text, err = b.gatehouse("explain", "access", "--state-dir", b.dir, "--cluster", "scenario",
                                    "get", "pods", "-n", "production", "--as", roles["MonitoringRole"])
        check_eq(rc, 0, text + err)
        check_in('RoleBinding "monitoring-pod-reader/production" of ClusterRole "pod-reader" to Group '
                 '"monitoring-team"', text)

        # The whole chain for a token: checks, identity, mapping, groups, decision.
        tok = token_as_role(b, "scenario", roles["MonitoringRole"], "oncall")
        rc, text, err = b.gatehouse("explain", "token", "--state-dir", b.dir, "--cluster", "scenario", tok,
                                    "--verb", "get", "--resource", "secrets", "-n", "production")
        check_eq(rc, 1, text + err)
        check_in("groups:       monitoring-team", text)
        check_in('Error from server (Forbidden): secrets is forbidden: User "arn:aws:sts::%s:assumed-role/'
                 'MonitoringRole/oncall" cannot get resource "secrets" in API group "" in the namespace '
                 '"production"' % acct, text)

        rc, text, err = b.gatehouse("who-can", "--state-dir", b.dir, "--cluster", "scenario", "get", "pods",
                                    "-n", "production")
        check_eq(rc, 0, err)
        check_in("monitoring-team", text)
        check_in(roles["MonitoringRole"], text)
        check_in(roles["DeveloperRole"], text)
        check_in(roles["AdminRole"], text)
        check_in("AmazonEKSEditPolicy", text)
        rc, text, err = b.gatehouse("who-can", "--state-dir", b.dir, "--cluster", "scenario", "delete", "pods",
                                    "-n", "production")
        check(roles["MonitoringRole"] not in text, text)

        # kube-apiserver's authorization webhook configuration.
        rc, text, err = b.gatehouse("webhook-config", "--state-dir", b.dir, "--cluster", "scenario", "--authorize")
        check_eq(rc, 0, err)
        check_in("/clusters/scenario/authorize", text)
    finally:
        b.stop()
        sb.start()
    for name in roles:
        sb.aws("iam", "delete-role", "--role-name", name, check_rc=0)
    sb.aws("eks", "delete-cluster", "--name", "scenario", check_rc=0)
