#include "engine/authz.h"

#include <stdio.h>
#include <string.h>

#include "domain/eks/policy_authz.h"
#include "engine/engine_internal.h"
#include "engine/maps.h"

void authz_parse_resource(gh_str spec, rbac_attrs *a)
{
	if (spec.n && spec.p[0] == '/') {
		a->resource_request = false;
		a->path = spec;
		return;
	}
	a->resource_request = true;
	gh_str res = spec, sub = { "", 0 };
	(void)gh_str_cut(spec, '/', &res, &sub);
	a->subresource = sub;
	/* kubectl's resource.group form: the group is what follows the first dot. */
	gh_str group = { "", 0 };
	(void)gh_str_cut(res, '.', &a->resource, &group);
	a->api_group = group;
}

void authz_forbidden_message(const rbac_attrs *a, gh_str reason, gh_buf *out)
{
	if (!a->resource_request) {
		gh_buf_printf(out, "forbidden: User \"" GH_STR_FMT "\" cannot " GH_STR_FMT " path \"" GH_STR_FMT "\"",
			      GH_STR_ARG(a->user.name), GH_STR_ARG(a->verb), GH_STR_ARG(a->path));
	} else {
		/* The qualified resource: "pods" in the core group, "deployments.apps" elsewhere. */
		gh_buf_put_str(out, a->resource);
		if (a->api_group.n)
			gh_buf_printf(out, "." GH_STR_FMT, GH_STR_ARG(a->api_group));
		if (a->name.n)
			gh_buf_printf(out, " \"" GH_STR_FMT "\"", GH_STR_ARG(a->name));
		gh_buf_printf(out, " is forbidden: User \"" GH_STR_FMT "\" cannot " GH_STR_FMT " resource \"" GH_STR_FMT,
			      GH_STR_ARG(a->user.name), GH_STR_ARG(a->verb), GH_STR_ARG(a->resource));
		if (a->subresource.n)
			gh_buf_printf(out, "/" GH_STR_FMT, GH_STR_ARG(a->subresource));
		gh_buf_printf(out, "\" in API group \"" GH_STR_FMT "\"", GH_STR_ARG(a->api_group));
		if (a->namespace.n)
			gh_buf_printf(out, " in the namespace \"" GH_STR_FMT "\"", GH_STR_ARG(a->namespace));
		else
			gh_buf_puts(out, " at the cluster scope");
	}
	if (reason.n)
		gh_buf_printf(out, ": " GH_STR_FMT, GH_STR_ARG(reason));
}

static const char *keep(gh_arena *a, gh_buf *b)
{
	const char *s = gh_arena_str(a, gh_buf_str(b)).p;
	gh_buf_free(b);
	return s;
}

/* The access-policy authorizer: the caller's access entry (by principal ID) and its
 * associations. */
static bool policy_allows(const gh_cluster_map *m, const gh_authz_req *r, gh_arena *a, gh_buf *why)
{
	if (!gh_eks_auth_mode_has_access_entries(m->mode)) {
		gh_buf_puts(why, "the cluster's authentication mode has no access entries");
		return false;
	}
	if (!r->principal_id.n) {
		gh_buf_puts(why, r->impersonated ? "impersonated requests get no access-policy grants"
						 : "the caller carries no AWS principal ID (not an IAM identity)");
		return false;
	}
	for (size_t i = 0; i < m->n_entries; i++) {
		if (!gh_str_eq(m->entries[i].principal_id, r->principal_id))
			continue;
		const rbac_attrs *at = &r->attrs;
		gh_eks_authz_request q = { .user = at->user.name, .resource_request = at->resource_request,
					   .verb = at->verb, .ns = at->namespace, .api_group = at->api_group,
					   .resource = at->resource, .subresource = at->subresource, .name = at->name,
					   .path = at->path, .impersonated = r->impersonated };
		gh_eks_authz_result res;
		gh_eks_authorize(m->assocs[i], m->n_assocs[i], &q, a, &res);
		gh_buf_put_str(why, res.reason);
		return res.decision == GH_EKS_AUTHZ_ALLOW;
	}
	gh_buf_puts(why, "no access entry for the caller's principal ID");
	return false;
}

bool engine_authorize(gh_engine *e, gh_str cluster, const gh_authz_req *r, gh_arena *a, gh_authz_res *out,
		      gh_trace_fn trace, void *trace_ctx, gh_err *err)
{
	*out = (gh_authz_res){ 0 };
	gh_cluster_maps *maps = maps_acquire(e);
	const gh_cluster_map *m = maps_find(maps, cluster);
	if (!m) {
		maps_unref(maps);
		return gh_fail(err, "NoSuchCluster", 404, "no cluster named \"" GH_STR_FMT "\" in this gatehouse",
			       GH_STR_ARG(cluster));
	}
	static const char *const privileged[] = { RBAC_SYSTEM_MASTERS };
	gh_buf why = { 0 };
	if (rbac_privileged_allows(&r->attrs.user, privileged, 1)) {
		out->allowed = true;
		out->decided_by = "privileged group";
		out->reason = "the user is in system:masters";
		if (trace)
			trace(trace_ctx, "system:masters", true, out->reason);
		maps_unref(maps);
		return true;
	}
	if (trace)
		trace(trace_ctx, "system:masters", false, "the user is not in system:masters");
	gh_buf rbac_reason = { 0 };
	rbac_verdict v;
	bool rbac_ok = m->rbac && rbac_authorize(m->rbac, &r->attrs, &v, &rbac_reason) == RBAC_ALLOW;
	if (trace)
		trace(trace_ctx, "RBAC", rbac_ok,
		      rbac_reason.n ? rbac_reason.p : "no binding of the user or its groups allows it");
	if (rbac_ok) {
		out->allowed = true;
		out->decided_by = "RBAC";
		out->reason = keep(a, &rbac_reason);
		maps_unref(maps);
		return true;
	}
	bool pol_ok = policy_allows(m, r, a, &why);
	if (trace)
		trace(trace_ctx, "EKS access policies", pol_ok, why.p ? why.p : "");
	if (pol_ok) {
		out->allowed = true;
		out->decided_by = "EKS access policy";
		out->reason = keep(a, &why);
		gh_buf_free(&rbac_reason);
		maps_unref(maps);
		return true;
	}
	gh_buf msg = { 0 };
	authz_forbidden_message(&r->attrs, gh_buf_str(&rbac_reason), &msg);
	out->forbidden = keep(a, &msg);
	gh_buf_printf(&rbac_reason, "%s%s", rbac_reason.n ? "; " : "", why.p ? why.p : "");
	out->reason = keep(a, &rbac_reason);
	gh_buf_free(&why);
	maps_unref(maps);
	return true;
}
