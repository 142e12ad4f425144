"""The pod mutation end to end: a ServiceAccount annotated with kubectl, pods created with
`kubectl run` and `kubectl apply` come back with the IRSA env, volume and mount; skip-
containers is honoured; an association made with `aws eks create-pod-identity-association`
switches the pod to Pod Identity; a missing ServiceAccount fails as kube-apiserver fails it;
and POST /mutate answers a posted AdmissionReview."""
import base64
import json
import os

from harness import Fail, check, check_eq, check_in, test

ROLE = "arn:aws:iam::111122223333:role/web"
IRSA_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
PI_FILE = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"


def get_pod(sb, name, ns="default"):
    _, out, err = sb.kubectl("get", "pod", name, "-n", ns, "-o", "json", check_rc=0)
    return json.loads(out)


def env_of(container):
    return [(e["name"], e.get("value")) for e in container.get("env", [])]


def annotated_sa(sb, ns, name, role=ROLE):
    sb.kubectl("create", "serviceaccount", name, "-n", ns, check_rc=0)
    sb.kubectl("annotate", "serviceaccount", name, "-n", ns, f"eks.amazonaws.com/role-arn={role}", check_rc=0)


@test
def pod_mutation_irsa_with_kubectl_run_and_apply(sb):
    annotated_sa(sb, "default", "web")
    sb.kubectl("run", "web-1", "--image=busybox", "--overrides", '{"spec":{"serviceAccountName":"web"}}',
               check_rc=0)
    pod = get_pod(sb, "web-1")
    c = pod["spec"]["containers"][0]
    check_eq(env_of(c), [("AWS_STS_REGIONAL_ENDPOINTS", "regional"), ("AWS_DEFAULT_REGION", "us-east-1"),
                         ("AWS_REGION", "us-east-1"), ("AWS_ROLE_ARN", ROLE),
                         ("AWS_WEB_IDENTITY_TOKEN_FILE", IRSA_FILE)])
    check_eq(c["volumeMounts"], [{"mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount",
                                  "name": "aws-iam-token", "readOnly": True}])
    check_eq(pod["spec"]["volumes"], [{"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}}])

    # kubectl apply: a native sidecar keeps its restartPolicy, skip-containers is one CSV
    # record ("sidecar, x" skips sidecar and " x"), the pod's expiration wins
    manifest = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-2", "namespace": "default", "annotations": {
            "eks.amazonaws.com/skip-containers": "sidecar, x",
            "eks.amazonaws.com/token-expiration": "3600"}},
        "spec": {"serviceAccountName": "web",
                 "initContainers": [{"name": "sidecar", "image": "envoy", "restartPolicy": "Always"},
                                    {"name": "init", "image": "busybox"}],
                 "containers": [{"name": "app", "image": "busybox",
                                 "env": [{"name": "AWS_REGION", "value": "eu-west-1"}]}]},
    }
    path = os.path.join(sb.dir, "pm-web-2.json")
    with open(path, "w") as f:
        json.dump(manifest, f)
    rc, out, err = sb.kubectl("apply", "-f", path)
    check_eq(rc, 0, err)
    check_in('eks.amazonaws.com/skip-containers names " x", which is no container of the pod', err)
    pod = get_pod(sb, "web-2")
    side, init = pod["spec"]["initContainers"]
    check_eq(side.get("restartPolicy"), "Always")
    check("env" not in side and "volumeMounts" not in side, side)
    check_in(("AWS_ROLE_ARN", ROLE), env_of(init))
    app = pod["spec"]["containers"][0]
    # a region was set: only the regional endpoint and the identity pair are added
    check_eq(env_of(app), [("AWS_REGION", "eu-west-1"), ("AWS_STS_REGIONAL_ENDPOINTS", "regional"),
                           ("AWS_ROLE_ARN", ROLE), ("AWS_WEB_IDENTITY_TOKEN_FILE", IRSA_FILE)])
    tok = pod["spec"]["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]
    check_eq(tok["expirationSeconds"], 3600)


@test
def pod_mutation_missing_service_account_is_forbidden(sb):
    rc, out, err = sb.kubectl("run", "ghost-1", "--image=busybox", "--overrides",
                              '{"spec":{"serviceAccountName":"ghost"}}')
    check_eq(rc, 1)
    check_eq(err.strip(), 'Error from server (Forbidden): pods "ghost-1" is forbidden: error looking up service '
                          'account default/ghost: serviceaccount "ghost" not found')
    # created right after its ServiceAccount: always seen (no informer to wait for)
    annotated_sa(sb, "default", "ghost")
    sb.kubectl("run", "ghost-1", "--image=busybox", "--overrides", '{"spec":{"serviceAccountName":"ghost"}}',
               check_rc=0)
    check_in(("AWS_ROLE_ARN", ROLE), env_of(get_pod(sb, "ghost-1")["spec"]["containers"][0]))
    # the default ServiceAccount has no role: the pod is stored as sent
    sb.kubectl("run", "plain-1", "--image=busybox", check_rc=0)
    pod = get_pod(sb, "plain-1")
    check("env" not in pod["spec"]["containers"][0] and "volumes" not in pod["spec"], pod["spec"])


@test
def pod_mutation_pod_identity_association_wins(sb):
    sb.kubectl("create", "namespace", "shop", check_rc=0)
    annotated_sa(sb, "shop", "cart")
    rc, out, err = sb.aws("eks", "create-pod-identity-association", "--cluster-name", "demo", "--namespace", "shop",
                          "--service-account", "cart", "--role-arn", "arn:aws:iam::111122223333:role/cart")
    check_eq(rc, 0, err)
    assoc = out["association"]
    check(assoc["associationId"].startswith("a-") and len(assoc["associationId"]) == 19, assoc)
    check_eq(assoc["associationArn"], "arn:aws:eks:us-east-1:%s:podidentityassociation/demo/%s" % (
        assoc["associationArn"].split(":")[4], assoc["associationId"]))
    rc, _, err = sb.aws("eks", "create-pod-identity-association", "--cluster-name", "demo", "--namespace", "shop",
                        "--service-account", "cart", "--role-arn", "arn:aws:iam::111122223333:role/other")
    check(rc != 0, "a second association for cart was accepted")
    check_in("(ResourceInUseException) when calling the CreatePodIdentityAssociation operation: Association "
             "already exists: " + assoc["associationId"], err)
    _, lst, _ = sb.aws("eks", "list-pod-identity-associations", "--cluster-name", "demo", "--namespace", "shop",
                       check_rc=0)
    check_eq([a["associationId"] for a in lst["associations"]], [assoc["associationId"]])

    # tags on the association's ARN
    arn = assoc["associationArn"]
    sb.aws("eks", "tag-resource", "--resource-arn", arn, "--tags", "team=cart", check_rc=0)
    _, tags, _ = sb.aws("eks", "list-tags-for-resource", "--resource-arn", arn, check_rc=0)
    check_eq(tags["tags"], {"team": "cart"})
    sb.aws("eks", "untag-resource", "--resource-arn", arn, "--tag-keys", "team", check_rc=0)
    _, desc, _ = sb.aws("eks", "describe-pod-identity-association", "--cluster-name", "demo", "--association-id",
                        assoc["associationId"], check_rc=0)
    check_eq(desc["association"]["tags"], {})

    sb.kubectl("run", "cart-1", "-n", "shop", "--image=busybox", "--labels=app=cart", "--overrides",
               '{"spec":{"serviceAccountName":"cart"}}', check_rc=0)
    pod = get_pod(sb, "cart-1", "shop")
    check_eq(pod["metadata"]["labels"], {"app": "cart", "eks.amazonaws.com/pod-identity": "enabled"})
    env = env_of(pod["spec"]["containers"][0])
    check_in(("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"), env)
    check_in(("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", PI_FILE), env)
    check("AWS_ROLE_ARN" not in dict(env), env)
    vol = pod["spec"]["volumes"][0]
    check_eq(vol["name"], "eks-pod-identity-token")
    tok = vol["projected"]["sources"][0]["serviceAccountToken"]
    check_eq(tok["audience"], "pods.eks.amazonaws.com")
    check(79200 <= tok["expirationSeconds"] <= 86400, tok)

    # deleted: the next pod is back to IRSA
    sb.aws("eks", "delete-pod-identity-association", "--cluster-name", "demo", "--association-id",
           assoc["associationId"], check_rc=0)
    sb.kubectl("run", "cart-2", "-n", "shop", "--image=busybox", "--overrides",
               '{"spec":{"serviceAccountName":"cart"}}', check_rc=0)
    check_in(("AWS_ROLE_ARN", ROLE), env_of(get_pod(sb, "cart-2", "shop")["spec"]["containers"][0]))


def review(version, uid, sa, ns="default"):
    return json.dumps({
        "apiVersion": "admission.k8s.io/" + version, "kind": "AdmissionReview",
        "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                    "resource": {"group": "", "version": "v1", "resource": "pods"},
                    "namespace": ns, "operation": "CREATE",
                    "object": {"metadata": {"name": "x"},
                               "spec": {"serviceAccountName": sa, "containers": [{"name": "c", "image": "i"}]}}}})


@test
def pod_mutation_webhook_answers_admission_reviews(sb):
    rc = sb.kubectl("get", "serviceaccount", "web", "-n", "default")[0]
    if rc != 0:
        annotated_sa(sb, "default", "web")
    url = sb.env["GATEHOUSE_WEBHOOK_URL"]
    json_ct = {"Content-Type": "application/json"}
    for version, path in (("v1", "/mutate"), ("v1beta1", "/clusters/demo/mutate")):
        status, body, _ = sb.request("POST", url + path, review(version, "u-" + version, "web"), json_ct)
        check_eq(status, 200, body)
        ans = json.loads(body)
        check_eq((ans["apiVersion"], ans["kind"]), ("admission.k8s.io/" + version, "AdmissionReview"))
        resp = ans["response"]
        check_eq((resp["uid"], resp["allowed"], resp["patchType"]), ("u-" + version, True, "JSONPatch"))
        patch = json.loads(base64.b64decode(resp["patch"]))
        check_eq([(op["op"], op["path"]) for op in patch], [("add", "/spec/volumes"), ("add", "/spec/containers")])
        check_in({"name": "AWS_ROLE_ARN", "value": ROLE}, patch[1]["value"][0]["env"])
    # the default ServiceAccount has no role: allowed, no patch
    status, body, _ = sb.request("POST", url + "/mutate", review("v1", "u-2", "default"), json_ct)
    check_eq(json.loads(body)["response"], {"uid": "u-2", "allowed": True})
    # unknown to gatehouse: allowed unmutated, and said
    status, body, _ = sb.request("POST", url + "/mutate", review("v1", "u-3", "nobody"), json_ct)
    resp = json.loads(body)["response"]
    check_eq(resp["allowed"], True)
    check("patch" not in resp, resp)
    check_in("ServiceAccount default/nobody is not in gatehouse's copy of cluster demo", resp["warnings"][0])
    # the Content-Type must be exactly application/json
    status, body, _ = sb.request("POST", url + "/mutate", review("v1", "u-4", "web"),
                                 {"Content-Type": "application/json; charset=utf-8"})
    check_eq(status, 415)
    status, body, _ = sb.request("POST", url + "/mutate", "{}", json_ct)
    check_eq(status, 400)
    check_eq(json.loads(body)["kind"], "Status")
    # and the configuration for a real kube-apiserver
    rc, out, err = sb.gatehouse("webhook-config", "--state-dir", sb.dir, "--mutate")
    check_eq(rc, 0, err)
    check_in("kind: MutatingWebhookConfiguration", out)
    check_in("url: %s/mutate" % url, out)
