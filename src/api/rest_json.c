#include "api/rest_json.h"

#include <stdlib.h>
#include <string.h>

#include "codec/url.h"

bool rest_route_match(const char *pattern, gh_str path, gh_arena *a, rest_match *out)
{
	out->n = 0;
	size_t pi = 0, si = 0, plen = strlen(pattern);
	while (pi < plen) {
		if (pattern[pi] == '{') {
			const char *close = strchr(pattern + pi, '}');
			if (!close || out->n == REST_MAX_LABELS)
				return false;
			pi = (size_t)(close - pattern) + 1;
			size_t end = gh_str_find(path, '/', si);
			if (end == si)
				return false; /* an empty label never matches */
			gh_buf dec = { 0 };
			bool ok = url_decode_buf(gh_str_sub(path, si, end - si), false, &dec, NULL);
			if (ok)
				out->labels[out->n++] = gh_arena_str(a, gh_buf_str(&dec));
			gh_buf_free(&dec);
			if (!ok)
				return false;
			si = end;
			continue;
		}
		if (si >= path.n || path.p[si] != pattern[pi])
			return false;
		pi++;
		si++;
	}
	return si == path.n;
}

bool rest_json_body(const gh_http_request *req, json_t **out, gh_err *err)
{
	if (req->body.n > REST_JSON_MAX_BODY)
		return gh_fail(err, "InvalidRequestException", 400, "The request body is larger than %d bytes.",
			       REST_JSON_MAX_BODY);
	if (gh_str_trim(req->body).n == 0) {
		*out = json_object();
		return true;
	}
	json_error_t je;
	json_t *j = json_loadb(req->body.p, req->body.n, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		return gh_fail(err, "BadRequestException", 400, "The request body is not a JSON object%s%s",
			       j ? "" : ": ", j ? "" : je.text);
	}
	*out = j;
	return true;
}

bool rest_query_param(const gh_http_request *req, const char *name, gh_str *out)
{
	url_query q;
	if (!url_query_parse_arena(req->arena, req->query, URL_QUERY_FORM, &q, NULL))
		return false;
	const url_param *p = url_query_first(&q, gh_str_c(name));
	if (!p)
		return false;
	*out = p->value;
	return true;
}

void rest_json_answer(gh_http_response *resp, int status, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	http_response_set(resp, status, "application/json", gh_str_c(s ? s : "{}"));
	free(s);
}

void rest_json_error(gh_http_response *resp, const gh_err *err)
{
	const char *code = err->code ? err->code : "ServerException";
	http_response_add_header(resp, "x-amzn-ErrorType", gh_str_c(code));
	rest_json_answer(resp, err->status ? err->status : 400, json_pack("{s:s}", "message", err->msg));
}
