/* k8s_status: JSON answers in Kubernetes' conventions for the webhook endpoints: a
 * document, or a v1 Status for a failure (kind, status Failure, message, reason, code). */
#ifndef GH_API_K8S_STATUS_H
#define GH_API_K8S_STATUS_H

#include <jansson.h>

#include "http/server.h"

/* Answers `status` with the JSON document (consumed). */
void k8s_answer(gh_http_response *resp, int status, json_t *doc);
/* Answers a Status failure; reason as Kubernetes names it (BadRequest, MethodNotAllowed). */
void k8s_status_failure(gh_http_response *resp, int code, const char *reason, const char *message);
/* The checks every review endpoint makes first: POST only, a bounded body. False when the
 * answer is already set. */
bool k8s_review_preamble(const gh_http_request *req, gh_http_response *resp, size_t max_body, const char *what);

#endif
