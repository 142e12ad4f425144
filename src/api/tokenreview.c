/* TokenReview in, TokenReview out. As aws-iam-authenticator answers: 200 with the user on
 * success; 403 (or 429 when STS throttles) with `authenticated` left out on a denial.
 * Unlike upstream, a denial carries status.error with the reason, which kube-apiserver
 * logs: the answer to "Unauthorized, but why?". The reason never contains the token. */
#include "api/tokenreview.h"

#include "codec/jsonw.h"

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
	answer(resp, r.status ? r.status : 403, out);
}
