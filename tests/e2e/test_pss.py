"""Pod Security: AdmissionReviews to a running sandbox's /validate (enforce and warn
restricted by default from --pss-config, one exempt user), and `gatehouse pss check` over manifests."""
import json
import os
import subprocess
import tempfile

from harness import Fail, Sandbox, check, check_eq, check_in, test

CONFIG = """apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: restricted
  warn: restricted
exemptions:
  usernames: [ci-bot]
"""

GOOD_POD = {"metadata": {"name": "web"},
            "spec": {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [{"name": "web", "image": "nginx",
                                     "securityContext": {"allowPrivilegeEscalation": False,
                                                         "capabilities": {"drop": ["ALL"]}}}]}}
BAD_POD = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
BAD_DETAIL = ('allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
              'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
              'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
              'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" '
              'or "Localhost")')

_sandbox = {}


def pss_sandbox(sb):
    """One sandbox with the Pod Security configuration, shared by this module's tests."""
    if "sb" not in _sandbox:
        d = tempfile.mkdtemp(prefix="gh-e2e-pss-")
        path = os.path.join(d, "pss.yaml")
        with open(path, "w") as f:
            f.write(CONFIG)
        _sandbox["sb"] = Sandbox(sb.binary, extra_args=["--pss-config", path]).start()
        _sandbox["dir"] = d
    return _sandbox["sb"]


def review(sb, request, path="/validate", api="admission.k8s.io/v1"):
    body = json.dumps({"apiVersion": api, "kind": "AdmissionReview", "request": request})
    status, text, _ = sb.request("POST", sb.env["GATEHOUSE_WEBHOOK_URL"] + path, body,
                                 {"Content-Type": "application/json"})
    return status, json.loads(text)


def pod_request(obj, uid="u-1", op="CREATE", user="alice", resource=("", "pods"), old=None, sub=""):
    r = {"uid": uid, "operation": op, "name": obj.get("metadata", {}).get("name", ""), "namespace": "default",
         "kind": {"group": resource[0], "version": "v1", "kind": "Pod"},
         "resource": {"group": resource[0], "version": "v1", "resource": resource[1]},
         "userInfo": {"username": user}, "object": obj}
    if sub:
        r["subResource"] = sub
    if old is not None:
        r["oldObject"] = old
    return r


@test
def pss_validate_denies_with_upstream_message(sb):
    s = pss_sandbox(sb)
    status, out = review(s, pod_request(BAD_POD, uid="deny-1"))
    check_eq(status, 200)
    resp = out["response"]
    check_eq(resp["uid"], "deny-1")
    check_eq(resp["allowed"], False)
    check_eq(resp["status"]["code"], 403)
    check_eq(resp["status"]["reason"], "Forbidden")
    check_eq(resp["status"]["message"], 'violates PodSecurity "restricted:latest": ' + BAD_DETAIL)
    check_eq(resp["auditAnnotations"], {"enforce-policy": "restricted:latest"})
    check("patch" not in resp and "warnings" not in resp, resp)


@test
def pss_validate_allows_compliant_pods_and_exempt_users(sb):
    s = pss_sandbox(sb)
    _, out = review(s, pod_request(GOOD_POD, uid="ok-1"))
    check_eq(out["response"]["allowed"], True)
    check_eq(out["response"]["auditAnnotations"], {"enforce-policy": "restricted:latest"})
    _, out = review(s, pod_request(BAD_POD, uid="ok-2", user="ci-bot"))
    check_eq(out["response"]["allowed"], True)
    check_eq(out["response"]["auditAnnotations"], {"exempt": "user"})
    # The ignored subresources, and an UPDATE that changes nothing the checks read.
    _, out = review(s, pod_request(BAD_POD, uid="ok-3", sub="status", op="UPDATE", old=BAD_POD))
    check_eq(out["response"], {"uid": "ok-3", "allowed": True})
    labelled = json.loads(json.dumps(BAD_POD))
    labelled["metadata"]["labels"] = {"app": "x"}
    _, out = review(s, pod_request(labelled, uid="ok-4", op="UPDATE", old=BAD_POD))
    check_eq(out["response"], {"uid": "ok-4", "allowed": True})
    # v1beta1 in, v1beta1 out; /clusters/NAME/validate too.
    _, out = review(s, pod_request(GOOD_POD, uid="ok-5"), path="/clusters/demo/validate", api="admission.k8s.io/v1beta1")
    check_eq(out["apiVersion"], "admission.k8s.io/v1beta1")
    check_eq(out["response"]["uid"], "ok-5")


@test
def pss_validate_controllers_warn_and_never_reject(sb):
    s = pss_sandbox(sb)
    deploy = {"metadata": {"name": "web"}, "spec": {"template": BAD_POD}}
    _, out = review(s, pod_request(deploy, uid="dep-1", resource=("apps", "deployments")))
    resp = out["response"]
    check_eq(resp["allowed"], True)
    check_eq(resp["warnings"], ['would violate PodSecurity "restricted:latest": ' + BAD_DETAIL])
    cron = {"metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"volumes": "x"}}}}}}
    _, out = review(s, pod_request(cron, uid="cron-1", resource=("batch", "cronjobs")))
    check_eq(out["response"]["allowed"], True)
    check_in("spec.jobTemplate.spec.template.spec.volumes: expected an array, got string",
             out["response"]["auditAnnotations"]["error"])


@test
def pss_validate_namespace_labels(sb):
    s = pss_sandbox(sb)
    ns = {"metadata": {"name": "team", "labels": {"pod-security.kubernetes.io/enforce": "strict",
                                                  "pod-security.kubernetes.io/warn-version": "1.25"}}}
    req = {"uid": "ns-1", "operation": "CREATE", "name": "team", "kind": {"group": "", "version": "v1", "kind": "Namespace"},
           "resource": {"group": "", "version": "v1", "resource": "namespaces"}, "object": ns}
    _, out = review(s, req)
    st = out["response"]["status"]
    check_eq(out["response"]["allowed"], False)
    check_eq(st["code"], 422)
    check_eq(st["reason"], "Invalid")
    check_eq(st["message"], 'Namespace "team" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: '
             'Invalid value: "strict": must be one of privileged, baseline, restricted, '
             'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x"]')
    check_eq((st["details"]["name"], st["details"]["kind"]), ("team", "Namespace"))
    check_eq([c["field"] for c in st["details"]["causes"]],
             ["metadata.labels[pod-security.kubernetes.io/enforce]", "metadata.labels[pod-security.kubernetes.io/warn-version]"])
    # Keeping the same invalid labels on an update is allowed.
    req.update(uid="ns-2", operation="UPDATE", oldObject=ns)
    _, out = review(s, req)
    check_eq(out["response"]["allowed"], True)


@test
def pss_validate_rejects_bad_requests(sb):
    s = pss_sandbox(sb)
    url = s.env["GATEHOUSE_WEBHOOK_URL"] + "/validate"
    cases = [
        ("not json", "request body is not JSON"),
        ('{"apiVersion":"v1","kind":"Pod"}', "request body is not an AdmissionReview of admission.k8s.io/v1 or v1beta1"),
        ('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}', "AdmissionReview has no request"),
        ('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}',
         "request.uid is required"),
    ]
    for body, msg in cases:
        status, text, _ = s.request("POST", url, body, {"Content-Type": "application/json"})
        check_eq(status, 400, body)
        st = json.loads(text)
        check_eq(st["kind"], "Status")
        check_in(msg, st["message"])
    # Larger than any AdmissionReview: a 400 Status saying so; far larger, cut off with 413
    # (curl, which waits for the early answer, rather than urllib, which would keep writing
    # into a closed socket).
    tmp = tempfile.mkdtemp(prefix="gh-e2e-pss-big-")
    for size, want in (((7 << 20) // 2 + 1000, "400"), (5 << 20, "413")):
        big = os.path.join(tmp, "big.json")
        with open(big, "wb") as f:
            f.write(b"{" + b" " * size + b"}")
        p = subprocess.run(["curl", "-s", "-o", os.path.join(tmp, "out"), "-w", "%{http_code}", "--cacert",
                            s.env["AWS_CA_BUNDLE"], "-H", "Content-Type: application/json", "--data-binary", "@" + big,
                            url], capture_output=True, text=True, timeout=60)
        check_eq(p.stdout, want, f"{size} bytes")
        if want == "400":
            check_in("AdmissionReview body is larger than 3584 KiB", open(os.path.join(tmp, "out")).read())
    subprocess.run(["rm", "-rf", tmp])
    status, _, _ = s.request("GET", url)
    check_eq(status, 405)


@test
def pss_serve_refuses_a_bad_config(sb):
    d = tempfile.mkdtemp(prefix="gh-e2e-pss-bad-")
    path = os.path.join(d, "pss.yaml")
    with open(path, "w") as f:
        f.write("apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n"
                "defaults: {enforce: strict}\n")
    p = subprocess.run([sb.binary, "serve", "--state-dir", os.path.join(d, "var"), "--listen-aws", "127.0.0.1:0",
                        "--listen-webhook", "127.0.0.1:0", "--pss-config", path],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode != 0, "serve started with an invalid --pss-config")
    check_in(path, p.stderr)
    check_in('defaults.enforce: Invalid value: "strict": must be one of privileged, baseline, restricted', p.stderr)
    subprocess.run(["rm", "-rf", d])


@test
def pss_check_plans_the_migration(sb):
    d = tempfile.mkdtemp(prefix="gh-e2e-pss-check-")
    path = os.path.join(d, "dump.json")
    dump = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": "shop", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "shop"},
         "spec": {"hostPID": True, "containers": [{"name": "c", "image": "busybox"}]}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "ops"},
         "spec": {"template": GOOD_POD}},
    ]}
    with open(path, "w") as f:
        json.dump(dump, f)
    rc, out, err = sb.gatehouse("pss", "check", "-f", path)
    check_eq(rc, 1, err)  # shop's own enforce rejects Pod/debug
    check_in("shop       baseline:latest    Pod/debug  host namespaces", out)
    check_in("namespace ops: enforce=privileged:latest audit=privileged:latest warn=privileged:latest, 1 workload; "
             "baseline: safe to enforce; restricted: safe to enforce", out)
    check_in("1 rejected by the current enforce", out)
    rc, out, _ = sb.gatehouse("pss", "check", "-f", path, "--level", "restricted", "-o", "json")
    check_eq(rc, 1)
    doc = json.loads(out)
    check_eq([v["name"] for v in doc["violations"]], ["debug"])
    check_in("hostPID=true", doc["violations"][0]["detail"])
    os.unlink(path)
    with open(path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": dump["items"][2:]}, f)
    rc, out, _ = sb.gatehouse("pss", "check", "-f", path, "--level", "restricted")
    check_eq(rc, 0, out)
    rc, _, err = sb.gatehouse("pss", "check", "-f", path, "--level", "strict")
    check_eq(rc, 2)
    check_in("--level must be baseline or restricted", err)
    rc, _, err = sb.gatehouse("pss", "check", "-f", os.path.join(d, "missing.yaml"))
    check_eq(rc, 2)
    subprocess.run(["rm", "-rf", d])


@test
def pss_zz_stop_sandbox(sb):
    if "sb" in _sandbox:
        _sandbox.pop("sb").cleanup()
        subprocess.run(["rm", "-rf", _sandbox.pop("dir")])
