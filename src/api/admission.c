/* An AdmissionReview in, the same kind with a response out. */
#include "api/admission.h"

#include <stdio.h>
#include <string.h>

#include "api/k8s_status.h"

static gh_str str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? (gh_str){ json_string_value(v), json_string_length(v) } : (gh_str){ "", 0 };
}

/* A member that must be a string when present. */
static bool opt_str(const json_t *obj, const char *key, gh_str *out, const char *where, char *problem, size_t n)
{
	const json_t *v = json_object_get(obj, key);
	*out = (gh_str){ "", 0 };
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		snprintf(problem, n, "%s%s must be a string", where, key);
		return false;
	}
	*out = (gh_str){ json_string_value(v), json_string_length(v) };
	return true;
}

static const json_t *opt_obj(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

bool admission_decode(gh_str body, json_t **doc, gh_admission_request *r, gh_str *uid, char *problem,
		      size_t problem_len)
{
	json_error_t je;
	*doc = json_loadb(body.p, body.n, JSON_REJECT_DUPLICATES, &je);
	*r = (gh_admission_request){ 0 };
	if (!*doc) {
		snprintf(problem, problem_len, "request body is not JSON: %s (line %d, column %d)", je.text, je.line,
			 je.column);
		return false;
	}
	const char *api = json_string_value(json_object_get(*doc, "apiVersion"));
	const char *kind = json_string_value(json_object_get(*doc, "kind"));
	if (!json_is_object(*doc) || !api ||
	    (strcmp(api, "admission.k8s.io/v1") != 0 && strcmp(api, "admission.k8s.io/v1beta1") != 0) || !kind ||
	    strcmp(kind, "AdmissionReview") != 0) {
		snprintf(problem, problem_len, "request body is not an AdmissionReview of admission.k8s.io/v1 or v1beta1");
		return false;
	}
	const json_t *req = json_object_get(*doc, "request");
	if (!json_is_object(req)) {
		snprintf(problem, problem_len, "AdmissionReview has no request");
		return false;
	}
	if (!opt_str(req, "uid", uid, "request.", problem, problem_len))
		return false;
	if (!uid->n) {
		snprintf(problem, problem_len, "request.uid is required");
		return false;
	}
	pss_request *p = &r->req;
	gh_str op;
	const json_t *res = json_object_get(req, "resource"), *kindv = json_object_get(req, "kind");
	if (!opt_str(req, "operation", &op, "request.", problem, problem_len))
		return false;
	if (!pss_op_parse(op, &p->op)) {
		snprintf(problem, problem_len,
			 "request.operation must be CREATE, UPDATE, DELETE or CONNECT, got \"%.*s\"",
			 (int)(op.n > 40 ? 40 : op.n), op.p);
		return false;
	}
	if (!json_is_object(res) || !json_is_string(json_object_get(res, "resource"))) {
		snprintf(problem, problem_len, "request.resource must name the resource (group, version, resource)");
		return false;
	}
	p->resource = (pss_gvr){ str(res, "group"), str(res, "version"), str(res, "resource") };
	p->kind_group = str(kindv, "group");
	p->kind = str(kindv, "kind");
	const json_t *user = json_object_get(req, "userInfo");
	if (!opt_str(req, "subResource", &p->subresource, "request.", problem, problem_len) ||
	    !opt_str(req, "name", &p->name, "request.", problem, problem_len) ||
	    !opt_str(req, "namespace", &p->namespace, "request.", problem, problem_len) ||
	    !opt_str(user, "username", &p->username, "request.userInfo.", problem, problem_len))
		return false;
	p->object = opt_obj(req, "object");
	p->old_object = opt_obj(req, "oldObject");
	if ((p->op == PSS_OP_CREATE || p->op == PSS_OP_UPDATE) && !p->object) {
		snprintf(problem, problem_len, "request.object is required for %.*s", GH_STR_ARG(op));
		return false;
	}
	if (p->op == PSS_OP_UPDATE && !p->old_object) {
		snprintf(problem, problem_len, "request.oldObject is required for UPDATE");
		return false;
	}
	return true;
}

static json_t *status_of(const pss_response *res)
{
	json_t *st = json_pack("{s:{}, s:s, s:s, s:s, s:i}", "metadata", "status", "Failure", "message", res->message,
			       "reason", res->reason, "code", res->code);
	if (res->ncauses) {
		json_t *causes = json_array();
		for (size_t i = 0; i < res->ncauses; i++)
			json_array_append_new(causes, json_pack("{s:s, s:s, s:s}", "reason", res->causes[i].reason,
								 "message", res->causes[i].message, "field",
								 res->causes[i].field));
		/* apierrors.NewInvalid: name, group (when not core), kind, causes. */
		json_t *d = json_object();
		if (res->details_name && *res->details_name)
			json_object_set_new(d, "name", json_string(res->details_name));
		if (res->details_group && *res->details_group)
			json_object_set_new(d, "group", json_string(res->details_group));
		json_object_set_new(d, "kind", json_string(res->details_kind ? res->details_kind : "Namespace"));
		json_object_set_new(d, "causes", causes);
		json_object_set_new(st, "details", d);
	}
	return st;
}

json_t *admission_encode(const char *api_version, gh_str uid, const pss_response *res)
{
	json_t *out = json_pack("{s:s%, s:b}", "uid", uid.p, uid.n, "allowed", res->allowed);
	if (!res->allowed)
		json_object_set_new(out, "status", status_of(res));
	if (res->nwarnings) {
		json_t *w = json_array();
		for (size_t i = 0; i < res->nwarnings; i++)
			json_array_append_new(w, json_string(res->warnings[i]));
		json_object_set_new(out, "warnings", w);
	}
	if (res->naudit) {
		json_t *an = json_object();
		for (size_t i = 0; i < res->naudit; i++)
			json_object_set_new(an, res->audit[i].key, json_string(res->audit[i].value));
		json_object_set_new(out, "auditAnnotations", an);
	}
	return json_pack("{s:s, s:s, s:o}", "apiVersion", api_version, "kind", "AdmissionReview", "response", out);
}

void admission_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp)
{
	if (!k8s_review_preamble(req, resp, ADMISSION_MAX_BODY, "AdmissionReview"))
		return;
	json_t *doc = NULL;
	gh_admission_request r;
	gh_str uid;
	char problem[320];
	if (!admission_decode(req->body, &doc, &r, &uid, problem, sizeof problem)) {
		json_decref(doc);
		k8s_status_failure(resp, 400, "BadRequest", problem);
		return;
	}
	pss_response res;
	engine_pss_admit(e, cluster, &r, req->arena, &res);
	k8s_answer(resp, 200, admission_encode(json_string_value(json_object_get(doc, "apiVersion")), uid, &res));
	json_decref(doc);
}
