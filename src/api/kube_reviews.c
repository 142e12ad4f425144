/* The review resources: SelfSubjectReview (kubectl auth whoami), SelfSubjectAccessReview,
 * SubjectAccessReview and LocalSubjectAccessReview (kubectl auth can-i), and
 * SelfSubjectRulesReview (kubectl auth can-i --list), TokenReview. Created, answered,
 * never stored. */
#include <stdio.h>
#include <string.h>

#include "api/kube_api_internal.h"
#include "api/sar.h"
#include "engine/maps.h"

static gh_str jstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? (gh_str){ json_string_value(v), json_string_length(v) } : (gh_str){ "", 0 };
}

static json_t *answer_shell(const k8s_resource *res, json_t *in)
{
	json_t *out = json_deep_copy(in);
	if (!json_is_object(out)) {
		json_decref(out);
		out = json_object();
	}
	json_object_set_new(out, "kind", json_string(res->kind));
	char av[96];
	k8s_resource_api_version(res, av, sizeof av);
	json_object_set_new(out, "apiVersion", json_string(av));
	json_object_set_new(out, "metadata", json_pack("{s:n}", "creationTimestamp"));
	return out;
}

static void attrs_from(const json_t *spec, rbac_attrs *at, const char **problem)
{
	json_t *ra = json_object_get(spec, "resourceAttributes"), *nra = json_object_get(spec, "nonResourceAttributes");
	*problem = NULL;
	if (!ra && !nra)
		*problem = "spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or "
			   "resourceAttributes must be specified";
	else if (ra && nra)
		*problem = "spec.nonResourceAttributes: Invalid value: \"\": cannot be specified in combination with "
			   "resourceAttributes";
	if (ra) {
		at->resource_request = true;
		at->verb = jstr(ra, "verb");
		at->namespace = jstr(ra, "namespace");
		at->api_group = jstr(ra, "group");
		at->resource = jstr(ra, "resource");
		at->subresource = jstr(ra, "subresource");
		at->name = jstr(ra, "name");
	} else if (nra) {
		at->verb = jstr(nra, "verb");
		at->path = jstr(nra, "path");
	}
}

static json_t *decide(kube_req *r, const kube_user *u, const rbac_attrs *at)
{
	gh_authz_res res;
	if (!engine_kube_authorize(r->e, r->cluster, u, at, r->a, &res))
		return json_pack("{s:b, s:s}", "allowed", 0, "evaluationError", "the cluster's policy is not available");
	json_t *st = json_pack("{s:b}", "allowed", res.allowed);
	/* the allowing grant is the reason; a denial says nothing, as RBAC's no opinion */
	if (res.allowed && res.reason && res.reason[0])
		json_object_set_new(st, "reason", json_string(res.reason));
	return st;
}

static void self_subject_review(kube_req *r, const k8s_resource *res, json_t *in)
{
	json_t *out = answer_shell(res, in);
	json_object_set_new(out, "status", json_pack("{s:o}", "userInfo", kube_user_info(&r->user)));
	kube_send_json(r, 201, out);
}

static void self_subject_access_review(kube_req *r, const k8s_resource *res, json_t *in)
{
	rbac_attrs at = { 0 };
	const char *problem;
	json_t *spec = json_object_get(in, "spec");
	attrs_from(spec, &at, &problem);
	if (problem) {
		kube_send_error(r, 422, "Invalid", "%s.authorization.k8s.io \"\" is invalid: %s", res->kind, problem);
		return;
	}
	json_t *out = answer_shell(res, in);
	json_object_set_new(out, "status", decide(r, &r->user, &at));
	kube_send_json(r, 201, out);
}

static void subject_access_review(kube_req *r, const k8s_resource *res, json_t *in, bool local)
{
	json_t *doc = NULL;
	gh_authz_req ar;
	char problem[400];
	char *body = json_dumps(in, JSON_COMPACT);
	bool ok = body && sar_decode(gh_str_c(body), r->a, &doc, &ar, problem, sizeof problem);
	free(body);
	if (!ok) {
		json_decref(doc);
		kube_send_error(r, 422, "Invalid", "%s.authorization.k8s.io \"\" is invalid: %s", res->kind, problem);
		return;
	}
	if (local && !gh_str_eq(ar.attrs.namespace, r->info.namespace)) {
		json_decref(doc);
		kube_send_error(r, 400, "BadRequest", "spec.resourceAttributes.namespace must match namespace: %.*s",
				GH_STR_ARG(r->info.namespace));
		return;
	}
	const char **groups = gh_arena_alloc(r->a, (ar.attrs.user.ngroups + 1) * sizeof *groups);
	for (size_t i = 0; i < ar.attrs.user.ngroups; i++)
		groups[i] = gh_arena_strndup(r->a, ar.attrs.user.groups[i].p, ar.attrs.user.groups[i].n);
	kube_user u = { .name = gh_arena_strndup(r->a, ar.attrs.user.name.p, ar.attrs.user.name.n), .groups = groups,
			.ngroups = ar.attrs.user.ngroups, .principal_id = ar.principal_id };
	json_t *out = answer_shell(res, in);
	json_object_set_new(out, "status", decide(r, &u, &ar.attrs));
	json_decref(doc);
	kube_send_json(r, 201, out);
}

static json_t *strs(rbac_strs s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s.n; i++)
		json_array_append_new(a, json_stringn(s.v[i].p, s.v[i].n));
	return a;
}

static void self_subject_rules_review(kube_req *r, const k8s_resource *res, json_t *in)
{
	gh_str ns = jstr(json_object_get(in, "spec"), "namespace");
	if (!ns.n) {
		kube_send_error(r, 400, "BadRequest", "no namespace on request");
		return;
	}
	gh_cluster_maps *m = maps_acquire(r->e);
	const gh_cluster_map *cm = maps_find(m, gh_str_c(r->cluster));
	gh_str *groups = gh_arena_alloc(r->a, (r->user.ngroups + 1) * sizeof *groups);
	for (size_t i = 0; i < r->user.ngroups; i++)
		groups[i] = gh_str_c(r->user.groups[i]);
	rbac_user u = { .name = gh_str_c(r->user.name), .groups = groups, .ngroups = r->user.ngroups };
	rbac_rules_result rr = { 0 };
	json_t *rrules = json_array(), *nrules = json_array();
	bool ok = cm && cm->rbac && rbac_rules_for(cm->rbac, &u, ns, r->a, &rr);
	for (size_t i = 0; ok && i < rr.nresource; i++) {
		const rbac_rule *x = rr.resource[i];
		json_t *e = json_pack("{s:o, s:o, s:o}", "verbs", strs(x->verbs), "apiGroups", strs(x->api_groups),
				      "resources", strs(x->resources));
		if (x->resource_names.n)
			json_object_set_new(e, "resourceNames", strs(x->resource_names));
		json_array_append_new(rrules, e);
	}
	for (size_t i = 0; ok && i < rr.nnon_resource; i++) {
		const rbac_rule *x = rr.non_resource[i];
		json_array_append_new(nrules, json_pack("{s:o, s:o}", "verbs", strs(x->verbs), "nonResourceURLs",
							strs(x->non_resource_urls)));
	}
	maps_unref(m);
	/* EKS access policies are a webhook-style authorizer to upstream: it cannot list
	 * rules, so a user with an access entry is told the list may be incomplete. */
	bool incomplete = r->user.principal_id.n > 0;
	json_t *status = json_pack("{s:o, s:o, s:b}", "resourceRules", rrules, "nonResourceRules", nrules, "incomplete",
				   incomplete || !ok);
	if (ok && rr.evaluation_error.n)
		json_object_set_new(status, "evaluationError", json_stringn(rr.evaluation_error.p, rr.evaluation_error.n));
	json_t *out = answer_shell(res, in);
	json_object_set_new(out, "status", status);
	kube_send_json(r, 201, out);
}

static void token_review(kube_req *r, const k8s_resource *res, json_t *in)
{
	gh_str tok = jstr(json_object_get(in, "spec"), "token");
	gh_token_review tr;
	engine_token_review(r->e, gh_str_c(r->cluster), tok, r->a, &tr, NULL, NULL);
	json_t *out = answer_shell(res, in);
	if (tr.authenticated) {
		json_t *groups = json_array();
		for (size_t i = 0; i < tr.ngroups; i++)
			json_array_append_new(groups, json_string(tr.groups[i]));
		json_array_append_new(groups, json_string("system:authenticated"));
		json_object_set_new(out, "status",
				    json_pack("{s:b, s:{s:s, s:s, s:o}}", "authenticated", 1, "user", "username",
					      tr.username, "uid", tr.uid ? tr.uid : "", "groups", groups));
	} else {
		json_object_set_new(out, "status", json_pack("{s:{}, s:s}", "user", "error", tr.error.msg));
	}
	kube_send_json(r, 201, out);
}

void kube_serve_review(kube_req *r, const k8s_resource *res)
{
	if (strcmp(r->info.verb, "create") != 0 || r->info.name.n) {
		kube_send_error(r, 405, "MethodNotAllowed", "the server does not allow this method on the requested "
				"resource");
		return;
	}
	json_t *in = kube_body_json(r);
	if (!in)
		return;
	const char *k = res->kind;
	if (strcmp(k, "SelfSubjectReview") == 0)
		self_subject_review(r, res, in);
	else if (strcmp(k, "SelfSubjectAccessReview") == 0)
		self_subject_access_review(r, res, in);
	else if (strcmp(k, "SubjectAccessReview") == 0)
		subject_access_review(r, res, in, false);
	else if (strcmp(k, "LocalSubjectAccessReview") == 0)
		subject_access_review(r, res, in, true);
	else if (strcmp(k, "SelfSubjectRulesReview") == 0)
		self_subject_rules_review(r, res, in);
	else if (strcmp(k, "TokenReview") == 0)
		token_review(r, res, in);
	else
		kube_send_error(r, 404, "NotFound", "the server could not find the requested resource");
}
