#include "domain/eks/policy_authz.h"

#include <string.h>

/* ---- RBAC rule matching ------------------------------------------------------------------ */

static bool list_has(const gh_eks_strs *l, gh_str v, bool star)
{
	for (size_t i = 0; i < l->n; i++)
		if ((star && gh_str_eq_c(l->v[i], "*")) || gh_str_eq(l->v[i], v))
			return true;
	return false;
}

static bool resource_matches(const gh_eks_strs *l, gh_str res, gh_str sub)
{
	for (size_t i = 0; i < l->n; i++) {
		gh_str r = l->v[i];
		if (gh_str_eq_c(r, "*"))
			return true;
		if (sub.n == 0) {
			if (gh_str_eq(r, res))
				return true;
			continue;
		}
		/* res/sub exactly */
		if (r.n == res.n + 1 + sub.n && memcmp(r.p, res.p, res.n) == 0 && r.p[res.n] == '/' &&
		    memcmp(r.p + res.n + 1, sub.p, sub.n) == 0)
			return true;
		/* * / sub: any resource's subresource sub */
		if (r.n == sub.n + 2 && r.p[0] == '*' && r.p[1] == '/' && memcmp(r.p + 2, sub.p, sub.n) == 0)
			return true;
	}
	return false;
}

static bool url_matches(const gh_eks_strs *l, gh_str path)
{
	for (size_t i = 0; i < l->n; i++) {
		gh_str u = l->v[i];
		if (gh_str_eq_c(u, "*") || gh_str_eq(u, path))
			return true;
		if (u.n && u.p[u.n - 1] == '*') {
			gh_str prefix = u;
			while (prefix.n && prefix.p[prefix.n - 1] == '*')
				prefix.n--;
			if (gh_str_has_prefix(path, prefix))
				return true;
		}
	}
	return false;
}

bool gh_eks_rule_allows(const gh_eks_policy_rule *rule, const gh_eks_authz_request *req)
{
	if (!list_has(&rule->verbs, req->verb, true))
		return false;
	if (!req->resource_request)
		return url_matches(&rule->non_resource_urls, req->path);
	if (!list_has(&rule->api_groups, req->api_group, true) ||
	    !resource_matches(&rule->resources, req->resource, req->subresource))
		return false;
	return rule->resource_names.n == 0 || (req->name.n && list_has(&rule->resource_names, req->name, false));
}

/* ---- scopes ------------------------------------------------------------------------------- */

bool gh_eks_namespace_match(gh_str pat, gh_str ns)
{
	/* Glob with '*' only; backtracks to the last star, linear in practice. */
	size_t p = 0, s = 0, star = (size_t)-1, mark = 0;
	while (s < ns.n) {
		if (p < pat.n && pat.p[p] == '*') {
			star = p++;
			mark = s;
		} else if (p < pat.n && pat.p[p] == ns.p[s]) {
			p++;
			s++;
		} else if (star != (size_t)-1) {
			p = star + 1;
			s = ++mark;
		} else {
			return false;
		}
	}
	while (p < pat.n && pat.p[p] == '*')
		p++;
	return p == pat.n;
}

typedef struct scoped_res {
	const char *group, *resource;
} scoped_res;

static const scoped_res cluster_scoped[] = {
	{ "", "nodes" },
	{ "", "persistentvolumes" },
	{ "", "namespaces" },
	{ "", "componentstatuses" },
	{ "rbac.authorization.k8s.io", "clusterroles" },
	{ "rbac.authorization.k8s.io", "clusterrolebindings" },
	{ "storage.k8s.io", "storageclasses" },
	{ "storage.k8s.io", "csinodes" },
	{ "storage.k8s.io", "csidrivers" },
	{ "storage.k8s.io", "volumeattachments" },
	{ "storage.k8s.io", "volumeattributesclasses" },
	{ "apiextensions.k8s.io", "customresourcedefinitions" },
	{ "apiregistration.k8s.io", "apiservices" },
	{ "admissionregistration.k8s.io", "mutatingwebhookconfigurations" },
	{ "admissionregistration.k8s.io", "validatingwebhookconfigurations" },
	{ "admissionregistration.k8s.io", "validatingadmissionpolicies" },
	{ "admissionregistration.k8s.io", "validatingadmissionpolicybindings" },
	{ "certificates.k8s.io", "certificatesigningrequests" },
	{ "scheduling.k8s.io", "priorityclasses" },
	{ "node.k8s.io", "runtimeclasses" },
	{ "networking.k8s.io", "ingressclasses" },
	{ "networking.k8s.io", "ipaddresses" },
	{ "networking.k8s.io", "servicecidrs" },
	{ "flowcontrol.apiserver.k8s.io", "flowschemas" },
	{ "flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations" },
	{ "authentication.k8s.io", "tokenreviews" },
	{ "authentication.k8s.io", "selfsubjectreviews" },
	{ "authorization.k8s.io", "subjectaccessreviews" },
	{ "authorization.k8s.io", "selfsubjectaccessreviews" },
	{ "authorization.k8s.io", "selfsubjectrulesreviews" },
	{ "resource.k8s.io", "deviceclasses" },
	{ "resource.k8s.io", "resourceslices" },
	{ "policy", "podsecuritypolicies" },
	{ "extensions", "podsecuritypolicies" },
};

bool gh_eks_resource_cluster_scoped(gh_str group, gh_str resource)
{
	for (size_t i = 0; i < sizeof cluster_scoped / sizeof *cluster_scoped; i++)
		if (gh_str_eq_c(group, cluster_scoped[i].group) && gh_str_eq_c(resource, cluster_scoped[i].resource))
			return true;
	return false;
}

/* Why a namespace scope does not cover a request; NULL when it does. */
static const char *namespace_gap(const gh_eks_access_scope *scope, const gh_eks_authz_request *req)
{
	if (!req->resource_request)
		return "non-resource URLs need a cluster-scoped association";
	if (req->ns.n == 0)
		return "cluster-scoped requests need a cluster-scoped association";
	bool ns_object = gh_str_eq_c(req->api_group, "") && gh_str_eq_c(req->resource, "namespaces") &&
			 gh_str_eq(req->name, req->ns);
	if (!ns_object && gh_eks_resource_cluster_scoped(req->api_group, req->resource))
		return "the resource is cluster-scoped";
	for (size_t i = 0; i < scope->n_namespaces; i++)
		if (gh_eks_namespace_match(scope->namespaces[i], req->ns))
			return NULL;
	return "the namespace is not in the scope";
}

bool gh_eks_scope_covers(const gh_eks_access_scope *scope, const gh_eks_authz_request *req)
{
	return scope->type == GH_EKS_SCOPE_CLUSTER || namespace_gap(scope, req) == NULL;
}

/* ---- the authorizer ------------------------------------------------------------------------ */

static void describe(gh_buf *b, const gh_eks_association *as)
{
	gh_buf_printf(b, "EKS access policy " GH_STR_FMT " (", GH_STR_ARG(as->policy->name));
	if (as->scope.type == GH_EKS_SCOPE_CLUSTER) {
		gh_buf_puts(b, "cluster scope)");
		return;
	}
	gh_buf_puts(b, "namespace scope: ");
	for (size_t i = 0; i < as->scope.n_namespaces; i++)
		gh_buf_printf(b, "%s" GH_STR_FMT, i ? ", " : "", GH_STR_ARG(as->scope.namespaces[i]));
	gh_buf_putc(b, ')');
}

static gh_eks_authz_decision finish(gh_buf *b, gh_arena *a, gh_eks_authz_result *out, gh_eks_authz_decision d)
{
	out->decision = d;
	out->reason = b->oom ? GH_STR("out of memory while explaining the decision") : gh_arena_str(a, gh_buf_str(b));
	gh_buf_free(b);
	return d;
}

gh_eks_authz_decision gh_eks_authorize(const gh_eks_association *assocs, size_t n, const gh_eks_authz_request *req,
				       gh_arena *a, gh_eks_authz_result *out)
{
	*out = (gh_eks_authz_result){ .decision = GH_EKS_AUTHZ_NO_OPINION, .association = -1 };
	gh_buf b = { 0 };
	if (req->impersonated) {
		gh_buf_puts(&b, "EKS access policies do not apply to impersonated requests: only Kubernetes RBAC "
				"authorizes them");
		return finish(&b, a, out, GH_EKS_AUTHZ_NO_OPINION);
	}
	for (size_t i = 0; i < n; i++) {
		const gh_eks_association *as = &assocs[i];
		if (!as->policy || !as->policy->rules_published || !gh_eks_scope_covers(&as->scope, req))
			continue;
		for (size_t r = 0; r < as->policy->n_rules; r++) {
			if (gh_eks_rule_allows(&as->policy->rules[r], req)) {
				out->association = (long)i;
				describe(&b, as);
				return finish(&b, a, out, GH_EKS_AUTHZ_ALLOW);
			}
		}
	}
	if (n == 0) {
		gh_buf_puts(&b, "no EKS access policy is associated with the access entry");
		return finish(&b, a, out, GH_EKS_AUTHZ_NO_OPINION);
	}
	gh_buf_puts(&b, "no associated EKS access policy allows the request: ");
	for (size_t i = 0; i < n; i++) {
		const gh_eks_association *as = &assocs[i];
		if (!as->policy)
			continue;
		if (i)
			gh_buf_puts(&b, "; ");
		describe(&b, as);
		const char *gap = as->scope.type == GH_EKS_SCOPE_NAMESPACE ? namespace_gap(&as->scope, req) : NULL;
		if (!as->policy->rules_published)
			gh_buf_puts(&b, ": AWS publishes no rules for this policy, so it grants nothing here");
		else if (gap)
			gh_buf_printf(&b, ": %s", gap);
		else
			gh_buf_puts(&b, ": no rule matches");
	}
	return finish(&b, a, out, GH_EKS_AUTHZ_NO_OPINION);
}
