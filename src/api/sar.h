/* sar: kube-apiserver's authorization webhook (SubjectAccessReview,
 * authorization.k8s.io v1 and v1beta1) over engine/authz. */
#ifndef GH_API_SAR_H
#define GH_API_SAR_H

#include "engine/engine.h"
#include "http/server.h"

#define SAR_MAX_BODY (64 * 1024)

void sar_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp);

#endif
