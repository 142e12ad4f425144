/* rest_json: the AWS rest-json protocol's plumbing (EKS, EKS Auth): routes with
 * {label} path parameters, percent-decoded; JSON bodies with a size bound; and errors as
 * botocore reads them (HTTP status, x-amzn-ErrorType header, {"message": ...} body). */
#ifndef GH_API_REST_JSON_H
#define GH_API_REST_JSON_H

#include <jansson.h>

#include "base/err.h"
#include "http/server.h"

#define REST_JSON_MAX_BODY (256 * 1024)
#define REST_MAX_LABELS 4

typedef struct rest_match {
	gh_str labels[REST_MAX_LABELS]; /* decoded, in the arena */
	size_t n;
} rest_match;

/* Matches a raw request path against a pattern such as
 * "/clusters/{name}/access-entries/{principalArn}"; a label takes one path segment
 * (AWS encodes '/' inside a label as %2F). */
bool rest_route_match(const char *pattern, gh_str raw_path, gh_arena *a, rest_match *out);

/* The request body as a JSON object (an empty body is an empty object). */
bool rest_json_body(const gh_http_request *req, json_t **out, gh_err *err) GH_MUST_CHECK;

/* A decoded query parameter of the request, or false when absent. */
bool rest_query_param(const gh_http_request *req, const char *name, gh_str *out);

/* Answers 200 (or `status`) with the JSON document (consumed). */
void rest_json_answer(gh_http_response *resp, int status, json_t *doc);
/* Answers the error: err->code is the exception shape name (ResourceNotFoundException). */
void rest_json_error(gh_http_response *resp, const gh_err *err);

#endif
