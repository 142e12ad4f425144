"""Pod Security admission in the sandbox's Kubernetes API, through kubectl: warn, enforce,
controllers warned and never refused, invalid labels refused, stricter enforce warning
about existing pods, and the audit annotations."""
import json

from harness import check, check_eq, check_in, test

RESTRICTED_DETAIL = (
    'allowPrivilegeEscalation != false (container "{c}" must set securityContext.allowPrivilegeEscalation=false), '
    'unrestricted capabilities (container "{c}" must set securityContext.capabilities.drop=["ALL"]), '
    'runAsNonRoot != true (pod or container "{c}" must set securityContext.runAsNonRoot=true), '
    'seccompProfile (pod or container "{c}" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
    '"Localhost")')

COMPLIANT = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "good"},
    "spec": {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
             "containers": [{"name": "app", "image": "nginx",
                             "securityContext": {"allowPrivilegeEscalation": False,
                                                 "capabilities": {"drop": ["ALL"]}}}]}}


@test
def kubectl_pod_security_warn_then_enforce(sb):
    sb.kubectl("create", "namespace", "pss-shop", check_rc=0)
    sb.kubectl("label", "ns", "pss-shop", "pod-security.kubernetes.io/warn=restricted", check_rc=0)
    rc, out, err = sb.kubectl("run", "web", "--image=nginx", "-n", "pss-shop")
    check_eq(rc, 0, err)
    check_in("pod/web created", out)
    check_in('Warning: would violate PodSecurity "restricted:latest": ' + RESTRICTED_DETAIL.format(c="web"), err)
    # tightening enforce warns about the pod already there
    rc, out, err = sb.kubectl("label", "ns", "pss-shop", "pod-security.kubernetes.io/enforce=restricted")
    check_eq(rc, 0, err)
    check_in('Warning: existing pods in namespace "pss-shop" violate the new PodSecurity enforce level '
             '"restricted:latest"', err)
    check_in("Warning: web: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, "
             "seccompProfile", err)
    rc, out, err = sb.kubectl("run", "web2", "--image=nginx", "-n", "pss-shop")
    check_eq(rc, 1, out)
    check_eq(err.strip(), 'Error from server (Forbidden): pods "web2" is forbidden: violates PodSecurity '
             '"restricted:latest": ' + RESTRICTED_DETAIL.format(c="web2"))
    # a compliant pod goes through without a warning
    rc, out, err = sb.kubectl("apply", "-n", "pss-shop", "-f", "-", input=json.dumps(COMPLIANT))
    check_eq(rc, 0, err)
    check("Warning" not in err, err)
    # a controller is warned, never refused
    rc, out, err = sb.kubectl("create", "deployment", "d1", "--image=nginx", "-n", "pss-shop")
    check_eq(rc, 0, err)
    check_in("deployment.apps/d1 created", out)
    check_in('Warning: would violate PodSecurity "restricted:latest": ' + RESTRICTED_DETAIL.format(c="nginx"), err)


@test
def kubectl_pod_security_invalid_label_and_audit(sb):
    sb.kubectl("create", "namespace", "labels", check_rc=0)
    rc, out, err = sb.kubectl("label", "ns", "labels", "pod-security.kubernetes.io/enforce=bogus")
    check_eq(rc, 1, out)
    check_in('The Namespace "labels" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid '
             'value: "bogus": must be one of privileged, baseline, restricted', err)
    sb.kubectl("label", "ns", "labels", "pod-security.kubernetes.io/audit=baseline", check_rc=0)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hostnet", "namespace": "labels"},
           "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "busybox"}]}}
    rc, out, err = sb.kubectl("apply", "-f", "-", input=json.dumps(pod))
    check_eq(rc, 0, err)
    events = [json.loads(l) for l in open(sb.dir + "/audit.log") if '"hostnet"' in l]
    ann = [e.get("annotations", {}) for e in events if e.get("stage") == "ResponseComplete"
           and e.get("verb") == "create"]
    check(ann, events)
    check_eq(ann[-1].get("pod-security.kubernetes.io/audit-violations"),
             'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)')
