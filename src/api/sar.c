/* A SubjectAccessReview in, the same with status out. Validation errors are upstream's
 * texts, answered 400 as a Status. */
#include "api/sar.h"

#include <jansson.h>

#include "api/k8s_status.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/authz.h"

static gh_str str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? (gh_str){ json_string_value(v), json_string_length(v) } : (gh_str){ "", 0 };
}

/* The caller's AWS principal ID from the extras gatehouse's (or aws-iam-authenticator's)
 * TokenReview attached: "AROA...:session" or "AIDA...". */
static gh_str principal_id(json_t *extra)
{
	const char *keys[] = { "principalId", "sigs.k8s.io/aws-iam-authenticator/principalId" };
	for (size_t i = 0; i < 2; i++) {
		json_t *v = json_array_get(json_object_get(extra, keys[i]), 0);
		if (json_is_string(v)) {
			gh_str id = { json_string_value(v), json_string_length(v) }, head, tail;
			(void)gh_str_cut(id, ':', &head, &tail);
			return head;
		}
	}
	return (gh_str){ "", 0 };
}

bool sar_decode(gh_str body, gh_arena *a, json_t **doc, gh_authz_req *r, char *problem, size_t problem_len)
{
	*doc = NULL;
	json_error_t je;
	json_t *in = json_loadb(body.p, body.n, JSON_REJECT_DUPLICATES, &je);
	const char *api = json_string_value(json_object_get(in, "apiVersion"));
	if (!json_is_object(in) || !api ||
	    (strcmp(api, "authorization.k8s.io/v1") != 0 && strcmp(api, "authorization.k8s.io/v1beta1") != 0)) {
		snprintf(problem, problem_len,
			 "request body is not a SubjectAccessReview of authorization.k8s.io/v1 or v1beta1%s%s",
			 in ? "" : ": ", in ? "" : je.text);
		*doc = in;
		return false;
	}
	bool v1beta1 = strcmp(api, "authorization.k8s.io/v1beta1") == 0;
	json_t *spec = json_object_get(in, "spec");
	json_t *ra = json_object_get(spec, "resourceAttributes"), *nra = json_object_get(spec, "nonResourceAttributes");
	json_t *groups = json_object_get(spec, v1beta1 ? "group" : "groups");
	gh_str user = str(spec, "user");
	const char *msg = NULL;
	if (!user.n && !json_array_size(groups))
		msg = "spec.user: Invalid value: \"\": at least one of user or group must be specified";
	else if (!ra && !nra)
		msg = "spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or "
			  "resourceAttributes must be specified";
	else if (ra && nra)
		msg = "spec.nonResourceAttributes: Invalid value: \"\": cannot be specified in combination with "
			  "resourceAttributes";
	*doc = in;
	if (msg) {
		snprintf(problem, problem_len, "%s", msg);
		return false;
	}
	size_t ng = json_array_size(groups);
	gh_str *gv = gh_arena_alloc(a, (ng ? ng : 1) * sizeof *gv);
	size_t k = 0;
	for (size_t i = 0; i < ng; i++) {
		json_t *g = json_array_get(groups, i);
		if (json_is_string(g))
			gv[k++] = (gh_str){ json_string_value(g), json_string_length(g) };
	}
	json_t *extra = json_object_get(spec, "extra");
	*r = (gh_authz_req){ .attrs = { .user = { .name = user, .groups = gv, .ngroups = k,
						.has_extra = json_object_size(extra) > 0 } },
			   .principal_id = principal_id(extra) };
	if (ra) {
		r->attrs.resource_request = true;
		r->attrs.verb = str(ra, "verb");
		r->attrs.namespace = str(ra, "namespace");
		r->attrs.api_group = str(ra, "group");
		r->attrs.resource = str(ra, "resource");
		r->attrs.subresource = str(ra, "subresource");
		r->attrs.name = str(ra, "name");
	} else {
		r->attrs.verb = str(nra, "verb");
		r->attrs.path = str(nra, "path");
	}
	return true;
}

void sar_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp)
{
	if (!k8s_review_preamble(req, resp, SAR_MAX_BODY, "SubjectAccessReview"))
		return;
	json_t *in = NULL;
	gh_authz_req r;
	char problem[320];
	if (!sar_decode(req->body, req->arena, &in, &r, problem, sizeof problem)) {
		json_decref(in);
		k8s_status_failure(resp, 400, "BadRequest", problem);
		return;
	}
	gh_authz_res res;
	gh_err err = { 0 };
	json_t *status;
	if (engine_authorize(e, cluster, &r, req->arena, &res, NULL, NULL, &err))
		status = json_pack("{s:b, s:s}", "allowed", res.allowed, "reason", res.reason ? res.reason : "");
	else
		status = json_pack("{s:b, s:s}", "allowed", 0, "evaluationError", err.msg);
	json_object_set_new(in, "status", status);
	k8s_answer(resp, 200, in);
}
