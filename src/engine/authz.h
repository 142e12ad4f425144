/* authz: the authorization stage of the pipeline, as EKS's kube-apiserver chains it:
 * privileged groups (system:masters), then Kubernetes RBAC, then the EKS access-policy
 * authorizer (allow-only, keyed on the caller's access entry by principal ID; impersonated
 * requests get nothing from it). The first Allow wins; otherwise the answer is the
 * Forbidden message kube-apiserver prints. */
#ifndef GH_ENGINE_AUTHZ_H
#define GH_ENGINE_AUTHZ_H

#include "domain/k8s/rbac.h"
#include "engine/engine.h"

typedef struct gh_authz_req {
	rbac_attrs attrs;
	gh_str principal_id; /* AROA... / AIDA... from the authenticator's extras; empty = none */
	bool impersonated;
} gh_authz_req;

typedef struct gh_authz_res {
	bool allowed;
	const char *decided_by; /* "privileged group", "RBAC", "EKS access policy", or NULL */
	const char *reason;	/* the allowing binding or policy, or why nothing allowed */
	const char *forbidden;	/* denied: kube-apiserver's message (without "Error from server") */
} gh_authz_res;

/* False (with err) only when the cluster does not exist. Strings are in the arena. */
bool engine_authorize(gh_engine *e, gh_str cluster, const gh_authz_req *r, gh_arena *a, gh_authz_res *out,
		      gh_trace_fn trace, void *trace_ctx, gh_err *err) GH_MUST_CHECK;

/* kube-apiserver's Forbidden text for the attributes: `pods "x" is forbidden: User "u"
 * cannot get resource "pods" in API group "" in the namespace "ns"`, plus ": reason". */
void authz_forbidden_message(const rbac_attrs *a, gh_str reason, gh_buf *out);

/* "pods", "deployments.apps", "pods/log", "deployments.apps/scale" or a "/path" into the
 * attributes (views into `spec`). */
void authz_parse_resource(gh_str spec, rbac_attrs *a);

#endif
