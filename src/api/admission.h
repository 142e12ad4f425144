/* admission: kube-apiserver's validating admission webhook (AdmissionReview,
 * admission.k8s.io v1 and v1beta1) for Pod Security, over engine/pss_admit.
 *
 * The response echoes the request's uid and carries allowed, a Status when denied (403
 * Forbidden with `violates PodSecurity "...": ...`, 422 Invalid for bad namespace labels),
 * warnings and auditAnnotations (upstream's short keys; kube-apiserver prefixes them with
 * the webhook's name). It never returns a patch. A body that is not an AdmissionReview is
 * answered 400 with a Status naming what was wrong. */
#ifndef GH_API_ADMISSION_H
#define GH_API_ADMISSION_H

#include <jansson.h>

#include "engine/engine.h"
#include "engine/pss_admit.h"
#include "http/server.h"

/* An object and old object each up to 1.5 MiB, as etcd stores them, plus the envelope.
 * The listener takes a little more (ADMISSION_LISTENER_MAX_BODY) so that a review just past
 * the limit is answered with a Status saying so, and only a far larger body is cut off
 * with 413. */
#define ADMISSION_MAX_BODY (((size_t)7 << 20) / 2)
#define ADMISSION_LISTENER_MAX_BODY ((size_t)4 << 20)

/* Decodes an AdmissionReview body into the request (views into *doc, which the caller
 * frees even on failure). False with the problem in `problem`. */
bool admission_decode(gh_str body, json_t **doc, gh_admission_request *r, gh_str *uid, char *problem,
		      size_t problem_len);
/* The AdmissionReview answer for a decision (a new JSON object). */
json_t *admission_encode(const char *api_version, gh_str uid, const pss_response *res);

void admission_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp);

#endif
