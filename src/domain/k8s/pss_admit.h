/* pss_admit: the Pod Security admission decision (upstream admission/admission.go), a pure
 * function of the request, the namespace's labels, the configuration and (for a namespace
 * update) the pods already in the namespace. The webhook, the sandbox's Kubernetes API and
 * the offline commands all call it.
 *
 * - Pods: CREATE and UPDATE, subresources included except exec, attach, binding, eviction,
 *   log, portforward, proxy and status. An UPDATE is evaluated only when it is significant
 *   (container or init container counts, an image, a seccomp annotation, or an ephemeral
 *   container added or changed). Enforce failure denies with 403 Forbidden and
 *   `violates PodSecurity "<lv>": <detail>` (an API server prefixes `pods "x" is
 *   forbidden: `); audit failure sets the `audit-violations` annotation; warn failure adds
 *   the warning `would violate PodSecurity "<lv>": <detail>` unless the request is denied.
 * - Pod controllers (replicationcontrollers, podtemplates, replicasets, deployments,
 *   statefulsets, daemonsets, jobs, cronjobs): their pod template, for warn and audit only;
 *   never denied, and a template that does not decode sets the audit `error` annotation.
 * - Namespaces: a CREATE with invalid labels, or an UPDATE changing them to invalid ones, is
 *   denied 422 Invalid; an UPDATE making enforce stricter answers warnings naming the
 *   existing pods that violate it (the caller passes them in ns_pods).
 * - Exemptions (user, namespace, runtimeClass) allow with the `exempt` annotation.
 *
 * Audit annotation keys are upstream's short ones ("enforce-policy", "audit-violations",
 * "exempt", "error"): a webhook answers them so, and an API server writes them under
 * PSS_AUDIT_PREFIX. Every string of the response lives in the arena. */
#ifndef GH_K8S_PSS_ADMIT_H
#define GH_K8S_PSS_ADMIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/str.h"
#include "domain/k8s/pss.h"
#include "domain/k8s/pss_policy.h"

#define PSS_AUDIT_PREFIX "pod-security.kubernetes.io/"
/* Upstream checks at most this many existing pods when a namespace's enforce tightens. */
#define PSS_NAMESPACE_MAX_PODS 3000

typedef enum pss_op { PSS_OP_CREATE, PSS_OP_UPDATE, PSS_OP_DELETE, PSS_OP_CONNECT } pss_op;

/* "CREATE", "UPDATE", "DELETE", "CONNECT". */
bool pss_op_parse(gh_str s, pss_op *out);

typedef struct pss_gvr {
	gh_str group, version, resource;
} pss_gvr;

typedef struct pss_request {
	pss_op op;
	pss_gvr resource;
	gh_str subresource;
	gh_str kind_group, kind; /* the object's kind ("" / "Namespace"), for the Invalid status */
	gh_str name, namespace;
	const json_t *ns_labels; /* the namespace's labels; NULL when it has none */
	const json_t *object, *old_object;
	gh_str username;
	const json_t *const *ns_pods; /* namespace UPDATE: the pods in the namespace */
	size_t nns_pods;
} pss_request;

typedef struct pss_kv {
	const char *key, *value;
} pss_kv;

typedef struct pss_cause {
	const char *reason, *message, *field;
} pss_cause;

typedef struct pss_response {
	bool allowed;
	int code;	     /* when denied: 403, 422, 400 or 500 */
	const char *reason;  /* when denied: Forbidden, Invalid, BadRequest, InternalError */
	const char *message; /* when denied */
	const pss_cause *causes; /* Invalid: one per bad label */
	size_t ncauses;
	const char *details_group, *details_kind, *details_name; /* Invalid: the Status details */
	const char **warnings;
	size_t nwarnings;
	pss_kv audit[4];
	size_t naudit;
} pss_response;

void pss_admit(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out);

/* Whether the resource is one whose objects carry a pod spec, and where it is. For a pod
 * the object's metadata and spec; for a controller its template's (NULLs when the template
 * is absent, which upstream skips). *where is the field prefix for decoder errors. */
bool pss_resource_has_pod_spec(gh_str group, gh_str resource);
void pss_pod_spec_of(gh_str group, gh_str resource, const json_t *obj, const json_t **meta, const json_t **spec,
		     const char **where);
/* The resource (and group) of a kind, for manifests: "Deployment" -> apps, deployments.
 * False for kinds without a pod spec. */
bool pss_kind_resource(gh_str kind, gh_str *group, gh_str *resource);

#endif
