"""The sandbox's Kubernetes API with the real kubectl 1.32, through DIR/kubeconfig (whose
exec plugin is `aws eks get-token`): identity, can-i, exact Forbidden and Unauthorized
texts, apply/get/describe/edit/delete, escalation prevention, an aws-auth typo through
`kubectl edit`, and Secrets sealed at rest."""
import json
import os
import re
import stat
import subprocess
import sys
import time

from harness import Fail, check, check_eq, check_in, test

MANIFEST = """\
apiVersion: v1
kind: Namespace
metadata:
  name: production
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: deployer
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "create"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings"]
  verbs: ["create", "get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: devs-deploy
  namespace: production
subjects:
- kind: Group
  name: devs
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: deployer
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
  namespace: production
"""

_state = {}


def setup(sb):
    """Once per sandbox: the manifest applied and IAM user `dev` mapped to group devs."""
    if _state.get("dir") == sb.dir:
        return _state
    path = os.path.join(sb.dir, "k-manifest.yaml")
    with open(path, "w") as f:
        f.write(MANIFEST)
    sb.kubectl("apply", "-f", path, check_rc=0)
    if _state.get("user_dir") != sb.dir:
        _state.update(user_dir=sb.dir, dev=sb.iam_user_env("dev"))
    dev = _state["dev"]
    _, who, _ = sb.aws("sts", "get-caller-identity", env=dev, check_rc=0)
    aws_auth = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {"mapUsers": f"- userarn: {who['Arn']}\n  username: dev\n  groups:\n  - devs\n"},
    }
    cm = os.path.join(sb.dir, "k-aws-auth.json")
    with open(cm, "w") as f:
        json.dump(aws_auth, f)
    sb.kubectl("apply", "-f", cm, check_rc=0)
    _state.update(dir=sb.dir, manifest=path, dev=dev, dev_arn=who["Arn"])
    return _state


@test
def kubectl_whoami_shows_the_iam_mapped_identity(sb):
    rc, out, err = sb.kubectl("auth", "whoami")
    check_eq(rc, 0, err)
    check_in("kubernetes-admin", out)
    check_in("system:masters", out)
    st = setup(sb)
    rc, out, err = sb.kubectl("auth", "whoami", "-o", "json", env=st["dev"])
    check_eq(rc, 0, err)
    info = json.loads(out)["status"]["userInfo"]
    check_eq(info["username"], "dev")
    check_in("devs", info["groups"])
    check_in("system:authenticated", info["groups"])
    check_eq(info["extra"]["arn"], [st["dev_arn"]])


@test
def kubectl_can_i_answers_as_configured(sb):
    st = setup(sb)
    rc, out, _ = sb.kubectl("auth", "can-i", "create", "deployments", "-n", "production", env=st["dev"])
    check_eq((rc, out.strip()), (0, "yes"))
    rc, out, _ = sb.kubectl("auth", "can-i", "create", "deployments", "-n", "default", env=st["dev"])
    check_eq((rc, out.strip()), (1, "no"))
    rc, out, _ = sb.kubectl("auth", "can-i", "delete", "deployments", "-n", "production", env=st["dev"])
    check_eq((rc, out.strip()), (1, "no"))
    # the administrator, and --as impersonation checked with the impersonate verb
    rc, out, _ = sb.kubectl("auth", "can-i", "create", "deployments", "-n", "production", "--as", "dev",
                            "--as-group", "devs")
    check_eq((rc, out.strip()), (0, "yes"))
    rc, out, _ = sb.kubectl("auth", "can-i", "create", "deployments", "-n", "default", "--as", "dev",
                            "--as-group", "devs")
    check_eq((rc, out.strip()), (1, "no"))


@test
def kubectl_can_i_list_shows_the_rules(sb):
    st = setup(sb)
    rc, out, err = sb.kubectl("auth", "can-i", "--list", "-n", "production", env=st["dev"])
    check_eq(rc, 0, err)
    check_in("deployments.apps", out)
    check_in("[get list create]", out)
    check_in("selfsubjectaccessreviews.authorization.k8s.io", out)  # system:basic-user
    lines = [l for l in out.splitlines() if l.startswith("deployments.apps")]
    check(lines, out)


@test
def kubectl_forbidden_and_unauthorized_texts_are_exact(sb):
    st = setup(sb)
    rc, out, err = sb.kubectl("get", "pods", env=st["dev"])
    check_eq(rc, 1)
    check_eq(err.strip(), 'Error from server (Forbidden): pods is forbidden: User "dev" cannot list resource '
             '"pods" in API group "" in the namespace "default"')
    stranger = sb.iam_user_env("stranger")
    rc, out, err = sb.kubectl("get", "pods", env=stranger)
    check_eq(rc, 1)
    check_in("error: You must be logged in to the server (Unauthorized)", err)
    # a cluster-scoped resource and a named object
    rc, _, err = sb.kubectl("get", "clusterroles", env=st["dev"])
    check_in('Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io is forbidden: User "dev" '
             'cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
             err)


@test
def kubectl_apply_twice_then_get_describe_edit_delete(sb):
    st = setup(sb)
    rc, out, err = sb.kubectl("apply", "-f", st["manifest"])
    check_eq(rc, 0, err)
    for line in ("namespace/production unchanged", "clusterrole.rbac.authorization.k8s.io/deployer unchanged",
                 "rolebinding.rbac.authorization.k8s.io/devs-deploy unchanged", "serviceaccount/builder unchanged"):
        check_in(line, out)
    rc, out, err = sb.kubectl("get", "ns", "production", "-o", "json")
    check_eq(rc, 0, err)
    ns = json.loads(out)
    check(ns["metadata"]["uid"] and ns["metadata"]["resourceVersion"] and ns["metadata"]["creationTimestamp"], out)
    rc, out, err = sb.kubectl("get", "sa,rolebindings", "-n", "production")
    check_eq(rc, 0, err)
    check_in("builder", out)
    check_in("ClusterRole/deployer", out)
    rc, out, err = sb.kubectl("describe", "rolebinding", "devs-deploy", "-n", "production")
    check_eq(rc, 0, err)
    check_in("deployer", out)
    check_in("Group  devs", out)
    # a changed file is "configured" (a strategic merge patch)
    changed = open(st["manifest"]).read().replace('verbs: ["get", "list", "create"]',
                                                   'verbs: ["get", "list", "create", "update"]')
    path2 = os.path.join(sb.dir, "k-manifest2.yaml")
    with open(path2, "w") as f:
        f.write(changed)
    rc, out, err = sb.kubectl("apply", "-f", path2)
    check_eq(rc, 0, err)
    check_in("clusterrole.rbac.authorization.k8s.io/deployer configured", out)
    rc, out, _ = sb.kubectl("get", "clusterrole", "deployer", "-o", "jsonpath={.rules[0].verbs}")
    check_eq(out, '["get","list","create","update"]')
    # kubectl edit with an editor that adds a label
    editor = os.path.join(sb.dir, "k-editor.py")
    with open(editor, "w") as f:
        f.write("import sys\np = sys.argv[1]\ns = open(p).read()\n"
                "s = s.replace('  name: builder\\n', '  labels:\\n    team: ci\\n  name: builder\\n', 1)\n"
                "open(p, 'w').write(s)\n")
    rc, out, err = sb.kubectl("edit", "sa", "builder", "-n", "production",
                              env={"KUBE_EDITOR": f"{sys.executable} {editor}"})
    check_eq(rc, 0, err)
    check_in("serviceaccount/builder edited", out)
    rc, out, _ = sb.kubectl("get", "sa", "builder", "-n", "production", "-o", "jsonpath={.metadata.labels.team}")
    check_eq(out, "ci")
    # optimistic concurrency: an update from a stale resourceVersion is a Conflict
    rc, out, _ = sb.kubectl("get", "sa", "builder", "-n", "production", "-o", "json")
    obj = json.loads(out)
    obj["metadata"]["resourceVersion"] = "1"
    rc, out, err = sb.kubectl("replace", "-f", "-", input=json.dumps(obj))
    check_eq(rc, 1)
    check_in('Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on '
             'serviceaccounts "builder": the object has been modified; please apply your changes to the latest '
             'version and try again', err)
    rc, out, err = sb.kubectl("delete", "sa", "builder", "-n", "production")
    check_eq(rc, 0, err)
    check_in('serviceaccount "builder" deleted', out)
    rc, _, err = sb.kubectl("get", "sa", "builder", "-n", "production")
    check_eq(rc, 1)
    check_in('Error from server (NotFound): serviceaccounts "builder" not found', err)
    sb.kubectl("apply", "-f", st["manifest"], check_rc=0)


@test
def kubectl_create_rolebinding_that_escalates_is_refused(sb):
    st = setup(sb)
    rc, out, err = sb.kubectl("create", "rolebinding", "grab-admin", "--clusterrole=admin", "--user=dev",
                              "-n", "production", env=st["dev"])
    check_eq(rc, 1, out)
    # kubectl create rolebinding wraps the server's Forbidden message in its own prefix
    check_in('error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "grab-admin" is '
             'forbidden: user "dev" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC '
             'permissions not currently held:\n{APIGroups:[""], Resources:["bindings"], Verbs:["get" "list" '
             '"watch"]}\n', err)
    # binding what dev already holds is fine
    rc, out, err = sb.kubectl("create", "rolebinding", "share", "--clusterrole=deployer", "--user=dev",
                              "-n", "production", env=st["dev"])
    check_eq(rc, 0, err)
    check_in("rolebinding.rbac.authorization.k8s.io/share created", out)


@test
def kubectl_edit_aws_auth_typo_keeps_mappings(sb):
    st = setup(sb)
    editor = os.path.join(sb.dir, "k-typo.py")
    with open(editor, "w") as f:
        # breaks the YAML inside mapUsers: a tab where indentation is expected
        f.write("import sys\np = sys.argv[1]\ns = open(p).read()\n"
                "s = s.replace('username: dev', 'username: dev\\n      \\tgroups: [', 1)\n"
                "open(p, 'w').write(s)\n")
    rc, out, err = sb.kubectl("edit", "configmap", "aws-auth", "-n", "kube-system",
                              env={"KUBE_EDITOR": f"{sys.executable} {editor}"})
    check_eq(rc, 0, err)
    rc, out, _ = sb.kubectl("get", "cm", "aws-auth", "-n", "kube-system", "-o", "jsonpath={.data.mapUsers}")
    check_in("\t", out)
    # the mapping that was there keeps working
    rc, out, err = sb.kubectl("auth", "whoami", "-o", "json", env=st["dev"])
    check_eq(rc, 0, err)
    check_eq(json.loads(out)["status"]["userInfo"]["username"], "dev")
    check_in("aws-auth.error", sb.server_log())
    token = sb.aws("eks", "get-token", "--cluster-name", "demo", env=st["dev"], check_rc=0)[1]["status"]["token"]
    rc, out, err = sb.gatehouse("explain", "token", "--state-dir", sb.dir, token)
    check_in("mapUsers", out + err)
    check_in("dev", out)
    # put it back
    rc, out, _ = sb.kubectl("get", "cm", "aws-auth", "-n", "kube-system", "-o", "json")
    cm = json.loads(out)
    cm["data"]["mapUsers"] = f"- userarn: {st['dev_arn']}\n  username: dev\n  groups:\n  - devs\n"
    sb.kubectl("replace", "-f", "-", input=json.dumps(cm), check_rc=0)


@test
def kubectl_secret_is_sealed_at_rest(sb):
    value = "s3cr3t-" + os.urandom(6).hex()
    rc, out, err = sb.kubectl("create", "secret", "generic", "db", f"--from-literal=password={value}", "-n",
                              "default")
    check_eq(rc, 0, err)
    rc, out, _ = sb.kubectl("get", "secret", "db", "-o", "jsonpath={.data.password}")
    import base64
    check_eq(base64.b64decode(out).decode(), value)
    needles = [value.encode(), base64.b64encode(value.encode())]
    for root, _, files in os.walk(sb.dir):
        for name in files:
            p = os.path.join(root, name)
            with open(p, "rb") as f:
                data = f.read()
            for n in needles:
                if n in data:
                    raise Fail(f"plaintext of the Secret found in {p}")


@test
def kubectl_get_watch_sees_changes(sb):
    p = subprocess.Popen(["kubectl", "get", "configmaps", "-n", "default", "-w", "--request-timeout=20s"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=sb.client_env())
    try:
        time.sleep(3)
        sb.kubectl("create", "configmap", "watched", "--from-literal=a=b", "-n", "default", check_rc=0)
        deadline = time.time() + 15
        seen = ""
        os.set_blocking(p.stdout.fileno(), False)
        while time.time() < deadline and "watched" not in seen:
            chunk = p.stdout.read()
            if chunk:
                seen += chunk
            time.sleep(0.2)
        check_in("watched", seen)
    finally:
        p.kill()
        p.wait()


@test
def kubectl_kubeconfig_command_and_env(sb):
    check_in("KUBECONFIG", sb.env)
    check(sb.env["GATEHOUSE_KUBE_URL"].startswith("https://127.0.0.1:"), sb.env)
    mode = stat.S_IMODE(os.stat(sb.env["KUBECONFIG"]).st_mode)
    check_eq(mode, 0o600)
    rc, out, err = sb.gatehouse("kubeconfig", "--state-dir", sb.dir, "--cluster", "demo")
    check_eq(rc, 0, err)
    cfg = json.loads(out)
    user = cfg["users"][0]["user"]["exec"]
    check_eq(user["command"], "aws")
    check_in("get-token", user["args"])
    check_eq(cfg["clusters"][0]["cluster"]["server"], sb.env["GATEHOUSE_KUBE_URL"])


def _non_loopback_ipv4():
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return next((a for a in out if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", a) and not a.startswith("127.")), None)


@test
def kubectl_endpoint_access_settings_are_honoured(sb):
    """endpointPublicAccess=false refuses clients that are not on loopback; publicAccessCidrs
    restrict the source addresses. Needs a second sandbox listening on every address."""
    from harness import Sandbox
    ip = _non_loopback_ipv4()
    extra = ["--tls-san", ip] if ip else []
    b = Sandbox(sb.binary, extra_args=extra).start(["--listen-kube", "0.0.0.0:0"])
    try:
        port = b.env["GATEHOUSE_KUBE_URL"].rsplit(":", 1)[1]
        token = b.aws("eks", "get-token", "--cluster-name", "demo", check_rc=0)[1]["status"]["token"]
        hdr = {"Authorization": "Bearer " + token}

        def get(host):
            return b.request("GET", f"https://{host}:{port}/api/v1/namespaces", headers=hdr)[0]

        check_eq(get("127.0.0.1"), 200)
        if ip:
            check_eq(get(ip), 200, "public access on, 0.0.0.0/0")
        b.aws("eks", "update-cluster-config", "--name", "demo", "--resources-vpc-config",
              "endpointPublicAccess=false,endpointPrivateAccess=true", check_rc=0)
        check_eq(get("127.0.0.1"), 200, "loopback is the private path")
        if ip:
            code, body, _ = b.request("GET", f"https://{ip}:{port}/api/v1/namespaces", headers=hdr)
            check_eq(code, 403, body)
            check_in("public access disabled", body)
            b.aws("eks", "update-cluster-config", "--name", "demo", "--resources-vpc-config",
                  "endpointPublicAccess=true,publicAccessCidrs=203.0.113.0/24", check_rc=0)
            code, body, _ = b.request("GET", f"https://{ip}:{port}/api/v1/namespaces", headers=hdr)
            check_eq(code, 403, body)
            check_in("not in the public access CIDRs", body)
            b.aws("eks", "update-cluster-config", "--name", "demo", "--resources-vpc-config",
                  f"publicAccessCidrs={ip}/32", check_rc=0)
            check_eq(get(ip), 200, "inside the CIDR")
    finally:
        b.cleanup()


@test
def kubectl_second_cluster_through_eks_and_kubeconfig(sb):
    rc, out, err = sb.aws("eks", "create-cluster", "--name", "staging", "--role-arn",
                          "arn:aws:iam::123456789012:role/eks", "--resources-vpc-config", "subnetIds=subnet-1",
                          "--access-config", "authenticationMode=API_AND_CONFIG_MAP")
    check_eq(rc, 0, err)
    path = os.path.join(sb.dir, "staging.kubeconfig")
    rc, _, err = sb.gatehouse("kubeconfig", "--state-dir", sb.dir, "--cluster", "staging", "-o", path)
    check_eq(rc, 0, err)
    rc, out, err = sb.kubectl("get", "ns", env={"KUBECONFIG": path})
    check_eq(rc, 0, err)
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        check_in(ns, out)
    sb.kubectl("create", "namespace", "only-in-staging", env={"KUBECONFIG": path}, check_rc=0)
    rc, out, _ = sb.kubectl("get", "ns")
    check("only-in-staging" not in out, "clusters are separate: " + out)
    rc, out, err = sb.aws("eks", "associate-encryption-config", "--cluster-name", "staging", "--encryption-config",
                          '[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:us-east-1:123456789012:key/k1"}}]')
    check_eq(rc, 0, err)
    check_eq(out["update"]["type"], "AssociateEncryptionConfig")
    _, d, _ = sb.aws("eks", "describe-cluster", "--name", "staging", check_rc=0)
    check_eq(d["cluster"]["encryptionConfig"][0]["provider"]["keyArn"], "arn:aws:kms:us-east-1:123456789012:key/k1")
    rc, _, err = sb.aws("eks", "associate-encryption-config", "--cluster-name", "staging", "--encryption-config",
                        '[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:us-east-1:123456789012:key/k2"}}]')
    check(rc != 0 and "InvalidRequestException" in err, err)


@test
def kubectl_requests_are_audited_and_queryable(sb):
    st = setup(sb)
    sb.kubectl("get", "pods", env=st["dev"])  # forbidden
    sb.kubectl("get", "secrets", "-n", "default", check_rc=0)
    rc, out, err = sb.gatehouse("logs", "--state-dir", sb.dir, "--failed", "--source", "k8s", "-o", "json")
    check_eq(rc, 0, err)
    events = [json.loads(l) for l in out.splitlines() if l.strip()]
    denied = [e for e in events if e.get("user", {}).get("username") == "dev"
              and e.get("responseStatus", {}).get("code") == 403 and e.get("objectRef", {}).get("resource") == "pods"]
    check(denied, out[-2000:])
    check_eq(denied[-1]["annotations"]["authorization.k8s.io/decision"], "forbid")
    rc, out, err = sb.gatehouse("logs", "--state-dir", sb.dir, "--secrets-read", "--source", "k8s", "-o", "json")
    check_eq(rc, 0, err)
    check_in('"secrets"', out)
    check_in("kubernetes-admin", out)
    # impersonation: the event names who asked and whom they impersonated
    sb.kubectl("get", "configmaps", "-n", "production", "--as", "dev", "--as-group", "devs")
    imp = [json.loads(l) for l in open(os.path.join(sb.dir, "audit.log")) if '"impersonatedUser"' in l]
    check(imp, "no event with impersonatedUser")
    check_eq(imp[-1]["user"]["username"], "kubernetes-admin")
    check_eq(imp[-1]["impersonatedUser"]["username"], "dev")
    check_in("devs", imp[-1]["impersonatedUser"]["groups"])


@test
def kubectl_lists_in_chunks_and_with_selectors(sb):
    sb.kubectl("create", "namespace", "chunks", check_rc=0)
    for i in range(5):
        cm = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": f"cm-{i}", "namespace": "chunks", "labels": {"tier": "a" if i % 2 else "b"}},
              "data": {"i": str(i)}}
        sb.kubectl("apply", "-f", "-", input=json.dumps(cm), check_rc=0)
    rc, out, err = sb.kubectl("get", "cm", "-n", "chunks", "--chunk-size=2", "-o", "name")
    check_eq(rc, 0, err)
    check_eq(out.split(), [f"configmap/cm-{i}" for i in range(5)])
    rc, out, err = sb.kubectl("get", "cm", "-n", "chunks", "-l", "tier=a", "-o", "name")
    check_eq(out.split(), ["configmap/cm-1", "configmap/cm-3"])
    rc, out, err = sb.kubectl("get", "cm", "-n", "chunks", "--field-selector", "metadata.name=cm-4", "-o", "name")
    check_eq(out.split(), ["configmap/cm-4"])
    rc, out, err = sb.kubectl("delete", "cm", "-n", "chunks", "-l", "tier=b")
    check_eq(rc, 0, err)
    rc, out, _ = sb.kubectl("get", "cm", "-n", "chunks", "-o", "name")
    check_eq(out.split(), ["configmap/cm-1", "configmap/cm-3"])
    # a malformed selector is refused (by kubectl or by the server), never listed
    rc, out, err = sb.kubectl("get", "cm", "-n", "chunks", "-l", "tier in (a", "-o", "name")
    check_eq((rc, out), (1, ""), err)


@test
def kubectl_discovery_aggregated_and_default_serviceaccounts(sb):
    # kubectl 1.32 asks for aggregated discovery first; two answers cover every group
    rc, out, err = sb.kubectl("get", "--raw", "/apis")
    check_eq(rc, 0, err)
    check_in('"APIGroupList"', out)
    rc, out, err = sb.kubectl("api-resources", "-o", "name")
    check_eq(rc, 0, err)
    for r in ("pods", "secrets", "rolebindings.rbac.authorization.k8s.io", "deployments.apps",
              "selfsubjectreviews.authentication.k8s.io"):
        check_in(r, out.split())
    token = sb.aws("eks", "get-token", "--cluster-name", "demo", check_rc=0)[1]["status"]["token"]
    code, body, hdrs = sb.request("GET", sb.env["GATEHOUSE_KUBE_URL"] + "/apis", headers={
        "Authorization": "Bearer " + token,
        "Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"})
    check_eq(code, 200, body)
    check_in("as=APIGroupDiscoveryList", hdrs.get("Content-Type", ""))
    doc = json.loads(body)
    check_eq(doc["kind"], "APIGroupDiscoveryList")
    apps = [g for g in doc["items"] if g["metadata"].get("name") == "apps"][0]
    deploy = [r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments"][0]
    check_eq((deploy["scope"], deploy["responseKind"]["kind"], deploy["shortNames"]),
             ("Namespaced", "Deployment", ["deploy"]))
    # every namespace gets its default service account, as the controller makes it
    sb.kubectl("create", "namespace", "with-sa", check_rc=0)
    rc, out, err = sb.kubectl("get", "sa", "default", "-n", "with-sa", "-o", "name")
    check_eq((rc, out.strip()), (0, "serviceaccount/default"), err)
