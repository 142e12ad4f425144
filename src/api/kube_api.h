/* kube_api: the sandbox's Kubernetes API endpoint, for kubectl and client libraries.
 *
 * Every request goes through the same pipeline as the webhooks: authentication
 * (`k8s-aws-v1.` bearer tokens through engine_token_review; no credentials is
 * system:anonymous; a bad token is 401), impersonation, authorization (engine_authorize:
 * system:masters, RBAC, EKS access policies), admission, then the engine's object store
 * (engine/kube.h). The demo cluster is served at the root and every cluster at
 * /clusters/NAME. Errors are metav1.Status objects with upstream's texts, so kubectl
 * prints exactly what it prints against kube-apiserver. */
#ifndef GH_API_KUBE_API_H
#define GH_API_KUBE_API_H

#include <stdatomic.h>

#include "engine/engine.h"
#include "http/server.h"

typedef struct gh_kube_api {
	_Atomic(gh_engine *) engine;
	atomic_bool stopping;	/* ends open watches */
	const char *base_url;	/* https://host:port, for APIVersions */
} gh_kube_api;

void kube_api_handle(void *ctx, const gh_http_request *req, gh_http_response *resp);

#endif
