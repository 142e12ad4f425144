/* mutate: the mutating admission webhook (AdmissionReview, admission.k8s.io v1 and
 * v1beta1) behind POST /mutate and /clusters/NAME/mutate, answering as
 * amazon-eks-pod-identity-webhook does: the request's apiVersion and kind echoed,
 * response.uid = request.uid, a base64 JSONPatch for a pod whose ServiceAccount has a
 * role (or a Pod Identity association), allowed without a patch otherwise.
 *
 * The ServiceAccount is looked up in gatehouse's copy of the cluster (the objects of the
 * sandbox API), not in the calling kube-apiserver: a real cluster's service accounts must
 * exist in gatehouse too. A pod whose ServiceAccount gatehouse does not know is allowed
 * unmutated with a warning saying so, instead of the webhook's silence. */
#ifndef GH_API_MUTATE_H
#define GH_API_MUTATE_H

#include <jansson.h>

#include "engine/engine.h"
#include "http/server.h"

#define MUTATE_MAX_BODY (3 * 1024 * 1024) /* kube-apiserver's own request limit */

/* What an AdmissionReview asks: the pod to mutate, or nothing (another resource or
 * operation, answered allowed). Views into *doc, which the caller frees even on failure. */
typedef struct mutate_request {
	const char *api_version, *uid, *ns;
	const json_t *pod; /* NULL: not a pod CREATE */
} mutate_request;

/* Decodes an AdmissionReview; false with the reason in `problem`. */
bool mutate_decode(gh_str body, json_t **doc, mutate_request *out, char *problem, size_t problem_len);
/* The AdmissionReview answer around `response` (consumed; it carries the uid). */
json_t *mutate_review(const mutate_request *r, json_t *response);

void mutate_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp);

#endif
