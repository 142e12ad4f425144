/* TokenReview in, TokenReview out. As aws-iam-authenticator answers: 200 with the user on
 * success; 403 (or 429 when STS throttles) with `authenticated` left out on a denial.
 * Unlike upstream, a denial carries status.error with the reason, which kube-apiserver
 * logs: the answer to "Unauthorized, but why?". The reason never contains the token. */
#include "api/tokenreview.h"

#include "codec/jsonw.h"

#include <jansson.h>

#include "api/k8s_status.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void one(gh_buf *b, const char *key, gh_str v)
{
	gh_buf_putc(b, ',');
	jsonw_key(b, key);
	gh_buf_putc(b, '[');
	jsonw_string(b, v);
	gh_buf_putc(b, ']');
}

/* The success answer, written directly: this is the hot path of the webhook. */
static void write_success(gh_buf *b, const char *api, const gh_token_review *r)
{
	const gh_identity *id = &r->identity;
	gh_buf_puts(b, "{\"apiVersion\":");
	jsonw_string(b, gh_str_c(api));
	gh_buf_puts(b, ",\"kind\":\"TokenReview\",\"metadata\":{\"creationTimestamp\":null},\"spec\":{},"
		       "\"status\":{\"authenticated\":true,\"user\":{\"username\":");
	jsonw_string(b, gh_str_c(r->username));
	gh_buf_puts(b, ",\"uid\":");
	jsonw_string(b, gh_str_c(r->uid));
	gh_buf_puts(b, ",\"groups\":[");
	for (size_t i = 0; i < r->ngroups; i++) {
		if (i)
			gh_buf_putc(b, ',');
		jsonw_string(b, gh_str_c(r->groups[i]));
	}
	gh_buf_puts(b, "],\"extra\":{");
	jsonw_key(b, "accessKeyId");
	gh_buf_putc(b, '[');
	jsonw_string(b, id->access_key_id);
	gh_buf_putc(b, ']');
	one(b, "arn", id->arn);
	one(b, "canonicalArn", id->canonical_arn);
	one(b, "principalId", id->user_id);
	one(b, "sessionName", id->session_name);
	one(b, "sigs.k8s.io/aws-iam-authenticator/principalId", id->user_id);
	gh_buf_puts(b, "}}}}");
}

void tokenreview_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp)
{
	if (!k8s_review_preamble(req, resp, TOKENREVIEW_MAX_BODY, "TokenReview"))
		return;
	json_error_t je;
	json_t *in = json_loadb(req->body.p, req->body.n, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(in)) {
		char msg[300];
		snprintf(msg, sizeof msg, "request body is not a TokenReview: %s",
			 in ? "not a JSON object" : je.text);
		json_decref(in);
		k8s_status_failure(resp, 400, "BadRequest", msg);
		return;
	}
	const char *api = json_string_value(json_object_get(in, "apiVersion"));
	const char *kind = json_string_value(json_object_get(in, "kind"));
	if (!api)
		api = "authentication.k8s.io/v1beta1";
	if ((kind && strcmp(kind, "TokenReview") != 0) ||
	    (strcmp(api, "authentication.k8s.io/v1") != 0 && strcmp(api, "authentication.k8s.io/v1beta1") != 0)) {
		json_decref(in);
		k8s_status_failure(resp, 400, "BadRequest", "expected a TokenReview of authentication.k8s.io/v1 or v1beta1");
		return;
	}
	json_t *tok = json_object_get(json_object_get(in, "spec"), "token");
	if (!json_is_string(tok)) {
		json_decref(in);
		k8s_status_failure(resp, 400, "BadRequest", "spec.token must be a string");
		return;
	}
	gh_token_review r;
	engine_token_review(e, cluster, (gh_str){ json_string_value(tok), json_string_length(tok) }, req->arena, &r,
			    NULL, NULL);
	if (r.authenticated) {
		resp->status = 200;
		resp->content_type = "application/json";
		write_success(&resp->body, api, &r);
		json_decref(in);
		return;
	}
	json_t *out = json_pack("{s:s, s:s, s:{s:n}, s:{}, s:{s:{}, s:s}}", "apiVersion", api, "kind", "TokenReview",
				"metadata", "creationTimestamp", "spec", "status", "user", "error", r.error.msg);
	json_decref(in);
	k8s_answer(resp, r.status ? r.status : 403, out);
}
