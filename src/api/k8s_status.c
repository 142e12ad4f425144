#include "api/k8s_status.h"

#include <stdio.h>
#include <stdlib.h>

void k8s_answer(gh_http_response *resp, int status, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	http_response_set(resp, status, "application/json", gh_str_c(s ? s : "{}"));
	free(s);
}

void k8s_status_failure(gh_http_response *resp, int code, const char *reason, const char *message)
{
	k8s_answer(resp, code,
		   json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1", "metadata",
			     "status", "Failure", "message", message, "reason", reason, "code", code));
}

bool k8s_review_preamble(const gh_http_request *req, gh_http_response *resp, size_t max_body, const char *what)
{
	if (!gh_str_eq_c(req->method, "POST")) {
		http_response_add_header(resp, "Allow", GH_STR("POST"));
		k8s_status_failure(resp, 405, "MethodNotAllowed", "method not allowed: use POST");
		return false;
	}
	if (req->body.n > max_body) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s body is larger than %zu KiB", what, max_body / 1024);
		k8s_status_failure(resp, 400, "BadRequest", msg);
		return false;
	}
	return true;
}
