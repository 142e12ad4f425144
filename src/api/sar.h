/* sar: kube-apiserver's authorization webhook (SubjectAccessReview,
 * authorization.k8s.io v1 and v1beta1) over engine/authz. */
#ifndef GH_API_SAR_H
#define GH_API_SAR_H

#include "engine/engine.h"
#include "http/server.h"

#define SAR_MAX_BODY (64 * 1024)

#include <jansson.h>

#include "engine/authz.h"

/* Decodes and validates a SubjectAccessReview body into the request (views into *doc,
 * which the caller frees even on failure); false with upstream's message in `problem`. */
bool sar_decode(gh_str body, gh_arena *a, json_t **doc, gh_authz_req *r, char *problem, size_t problem_len);

void sar_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp);

#endif
