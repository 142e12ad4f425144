/* router: which handler answers which path, per listener. The AWS listener serves the
 * AWS APIs plus health and metrics; the webhook listener serves the Kubernetes webhook
 * endpoints (TokenReview today) plus health. */
#ifndef GH_API_ROUTER_H
#define GH_API_ROUTER_H

#include "engine/engine.h"
#include "http/metrics.h"
#include "http/server.h"

typedef struct gh_router {
	_Atomic(gh_engine *) engine; /* NULL until the engine is open: /readyz answers 503 */
	gh_metrics *metrics;
	const char *webhook_url;
} gh_router;

void router_aws(void *ctx, const gh_http_request *req, gh_http_response *resp);
void router_webhook(void *ctx, const gh_http_request *req, gh_http_response *resp);

#endif
