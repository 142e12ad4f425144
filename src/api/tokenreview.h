/* tokenreview: kube-apiserver's authentication webhook (TokenReview,
 * authentication.k8s.io v1 and v1beta1) over the engine's token pipeline. */
#ifndef GH_API_TOKENREVIEW_H
#define GH_API_TOKENREVIEW_H

#include "engine/engine.h"
#include "http/server.h"

#define TOKENREVIEW_MAX_BODY (64 * 1024)

void tokenreview_handle(gh_engine *e, gh_str cluster, const gh_http_request *req, gh_http_response *resp);

#endif
