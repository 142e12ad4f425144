/* TokenReview in, TokenReview out. As aws-iam-authenticator answers: 200 with the user on
 * success; 403 (or 429 when STS throttles) with `authenticated` left out on a denial.
 * Unlike upstream, a denial carries status.error with the reason, which kube-apiserver
 * logs: the answer to "Unauthorized, but why?". The reason never contains the token. */
#include "api/tokenreview.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void answer(gh_http_response *resp, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);
	http_response_set(resp, status, "application/json", gh_str_c(s));
	free(s);
	json_decref(body);
}

static void bad_request(gh_http_response *resp, const char *msg)
{
	answer(resp, 400, json_pack("{s:s, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1", "status",
				    "Failure", "message", msg, "code", 400));
}

static json_t *one(const char *v)
{
	return json_pack("[s]", v ? v : "");
}

static json_t *user_json(const gh_token_review *r)
{
	json_t *groups = json_array();
	for (size_t i = 0; i < r->ngroups; i++)
		json_array_append_new(groups, json_string(r->groups[i]));
	const gh_identity *id = &r->identity;
	char *arn = gh_str_dup(id->arn), *canon = gh_str_dup(id->canonical_arn), *sess = gh_str_dup(id->session_name),
	     *akid = gh_str_dup(id->access_key_id), *pid = gh_str_dup(id->user_id);
	json_t *extra = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "arn", one(arn), "canonicalArn", one(canon),
				  "sessionName", one(sess), "accessKeyId", one(akid), "principalId", one(pid),
				  "sigs.k8s.io/aws-iam-authenticator/principalId", one(pid));
	free(arn);
	free(canon);
	free(sess);
	free(akid);
	free(pid);
	return json_pack("{s:s, s:s, s:o, s:o}", "username", r->username, "uid", r->uid, "groups", groups, "extra",
			 extra);
}

void tokenreview_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp)
{
	if (!gh_str_eq_c(req->method, "POST")) {
		http_response_add_header(resp, "Allow", GH_STR("POST"));
		answer(resp, 405, json_pack("{s:s, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1", "status",
					    "Failure", "message", "method not allowed: use POST", "code", 405));
		return;
	}
	if (req->body.n > TOKENREVIEW_MAX_BODY) {
		bad_request(resp, "TokenReview body is larger than 64 KiB");
		return;
	}
	json_error_t je;
	json_t *in = json_loadb(req->body.p, req->body.n, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(in)) {
		char msg[300];
		snprintf(msg, sizeof msg, "request body is not a TokenReview: %s",
			 in ? "not a JSON object" : je.text);
		json_decref(in);
		bad_request(resp, msg);
		return;
	}
	const char *api = json_string_value(json_object_get(in, "apiVersion"));
	const char *kind = json_string_value(json_object_get(in, "kind"));
	if (!api)
		api = "authentication.k8s.io/v1beta1";
	if ((kind && strcmp(kind, "TokenReview") != 0) ||
	    (strcmp(api, "authentication.k8s.io/v1") != 0 && strcmp(api, "authentication.k8s.io/v1beta1") != 0)) {
		json_decref(in);
		bad_request(resp, "expected a TokenReview of authentication.k8s.io/v1 or v1beta1");
		return;
	}
	json_t *tok = json_object_get(json_object_get(in, "spec"), "token");
	if (!json_is_string(tok)) {
		json_decref(in);
		bad_request(resp, "spec.token must be a string");
		return;
	}
	gh_token_review r;
	engine_token_review(e, cluster, (gh_str){ json_string_value(tok), json_string_length(tok) }, req->arena, &r,
			    NULL, NULL);
	json_t *status = r.authenticated ? json_pack("{s:b, s:o}", "authenticated", 1, "user", user_json(&r))
					 : json_pack("{s:{}, s:s}", "user", "error", r.error.msg);
	json_t *out = json_pack("{s:s, s:s, s:{s:n}, s:{}, s:o}", "apiVersion", api, "kind", "TokenReview", "metadata",
				"creationTimestamp", "spec", "status", status);
	json_decref(in);
	answer(resp, r.authenticated ? 200 : (r.status ? r.status : 403), out);
}
