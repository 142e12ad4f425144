#include "api/mutate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/k8s_status.h"
#include "codec/base64.h"
#include "engine/podid.h"

bool mutate_decode(gh_str body, json_t **doc, mutate_request *out, char *problem, size_t problem_len)
{
	*out = (mutate_request){ 0 };
	json_error_t je;
	json_t *in = json_loadb(body.p, body.n, JSON_REJECT_DUPLICATES, &je);
	*doc = in;
	const char *api = json_string_value(json_object_get(in, "apiVersion"));
	const char *kind = json_string_value(json_object_get(in, "kind"));
	if (!json_is_object(in) || !api || !kind || strcmp(kind, "AdmissionReview") != 0 ||
	    (strcmp(api, "admission.k8s.io/v1") != 0 && strcmp(api, "admission.k8s.io/v1beta1") != 0)) {
		snprintf(problem, problem_len, "request body is not an AdmissionReview of admission.k8s.io/v1 or v1beta1%s%s",
			 in ? "" : ": ", in ? "" : je.text);
		return false;
	}
	out->api_version = api;
	const json_t *req = json_object_get(in, "request");
	if (!json_is_object(req)) {
		snprintf(problem, problem_len, "bad content: the AdmissionReview has no request");
		return false;
	}
	out->uid = json_string_value(json_object_get(req, "uid"));
	if (!out->uid || !out->uid[0]) {
		snprintf(problem, problem_len, "request.uid: Required value");
		return false;
	}
	out->ns = json_string_value(json_object_get(req, "namespace"));
	const json_t *res = json_object_get(req, "resource");
	const char *op = json_string_value(json_object_get(req, "operation"));
	const char *resource = json_string_value(json_object_get(res, "resource"));
	const char *group = json_string_value(json_object_get(res, "group"));
	bool pod_create = (!op || strcmp(op, "CREATE") == 0) && resource && strcmp(resource, "pods") == 0 &&
			  (!group || !group[0]) && !json_object_get(req, "subResource");
	if (!pod_create)
		return true;
	out->pod = json_object_get(req, "object");
	if (!json_is_object(out->pod)) {
		snprintf(problem, problem_len, "request.object: the pod is missing or not an object");
		return false;
	}
	/* The namespace of a pod being created is the request's (metadata may omit it). */
	if (!out->ns || !out->ns[0])
		out->ns = json_string_value(json_object_get(json_object_get(out->pod, "metadata"), "namespace"));
	if (!out->ns || !out->ns[0])
		out->ns = "default";
	return true;
}

json_t *mutate_review(const mutate_request *r, json_t *response)
{
	return json_pack("{s:s, s:s, s:o}", "apiVersion", r->api_version, "kind", "AdmissionReview", "response",
			 response);
}

static bool content_type_json(const gh_http_request *req)
{
	gh_str ct;
	/* The webhook compares the whole header: parameters make it a 415 too. */
	return http_request_header(req, "content-type", &ct) && gh_str_eq_c(ct, "application/json");
}

void mutate_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp)
{
	if (!k8s_review_preamble(req, resp, MUTATE_MAX_BODY, "AdmissionReview"))
		return;
	if (!content_type_json(req)) {
		k8s_status_failure(resp, 415, "UnsupportedMediaType", "invalid Content-Type, expect `application/json`");
		return;
	}
	json_t *doc;
	mutate_request r;
	char problem[320];
	if (!mutate_decode(req->body, &doc, &r, problem, sizeof problem)) {
		json_decref(doc);
		k8s_status_failure(resp, 400, "BadRequest", problem);
		return;
	}
	json_t *response = json_pack("{s:s}", "uid", r.uid);
	if (r.pod) {
		char *cl = gh_str_dup(cluster), sa[256];
		podid_result res;
		bool found;
		gh_err err = { 0 };
		if (!engine_pod_identity_mutate(e, cl, r.ns, r.pod, &res, &found, sa, sizeof sa, &err)) {
			/* The webhook denies a pod it cannot decode, with the reason. */
			json_object_set_new(response, "allowed", json_false());
			json_object_set_new(response, "result", json_pack("{s:s, s:i}", "message", err.msg, "code", 400));
		} else if (!found) {
			char w[600];
			snprintf(w, sizeof w,
				 "gatehouse: ServiceAccount %s/%s is not in gatehouse's copy of cluster %s; the pod is not "
				 "mutated",
				 r.ns, sa, cl);
			json_object_set_new(response, "allowed", json_true());
			json_object_set_new(response, "warnings", json_pack("[s]", w));
		} else {
			json_object_set_new(response, "allowed", json_true());
			if (res.mutated) {
				char *patch = json_dumps(res.patch, JSON_COMPACT);
				gh_buf b64 = { 0 };
				if (patch && base64_encode_buf(patch, strlen(patch), BASE64_STD, true, &b64)) {
					json_object_set_new(response, "patchType", json_string("JSONPatch"));
					json_object_set_new(response, "patch", json_string(b64.p));
				}
				free(patch);
				gh_buf_free(&b64);
				if (json_array_size(res.warnings))
					json_object_set(response, "warnings", res.warnings);
			}
			podid_result_clear(&res);
		}
		free(cl);
	} else {
		json_object_set_new(response, "allowed", json_true());
	}
	json_t *out = mutate_review(&r, response);
	json_decref(doc);
	k8s_answer(resp, 200, out);
}
