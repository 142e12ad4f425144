/* pod_agent: the node credential agent's listener (what eks-pod-identity-agent serves on
 * 169.254.170.23:80). GET (any method) /v1/credentials with the pod's service-account
 * token as the raw Authorization value answers the container credential provider's JSON;
 * the agent calls EKS Auth in process (engine_eks_auth_assume, the same pipeline as the
 * rest-json endpoint) for its configured cluster, through the cache, host check, token
 * check and rate limit of domain/eks/pod_agent.h. /healthz and /readyz are its probes;
 * every other path is 404.
 *
 * On a node the agent's identity is the node role; in process there is nothing to sign,
 * so in the sandbox anyone who reaches the listener may ask (as anyone in a pod may on
 * EKS): the token is the credential. */
#ifndef GH_API_POD_AGENT_H
#define GH_API_POD_AGENT_H

#include <stddef.h>

#include "engine/engine.h"
#include "http/server.h"

typedef struct gh_pod_agent gh_pod_agent;

/* `hosts`: Host names accepted besides the link-local addresses (the listener's own
 * loopback bind). `rate`: requests per second (burst half of it); 0 = the agent's 1000.
 * Copies everything. NULL on OOM. */
gh_pod_agent *pod_agent_new(const char *cluster, const char *const *hosts, size_t nhosts, double rate);
void pod_agent_free(gh_pod_agent *a);
void pod_agent_set_engine(gh_pod_agent *a, gh_engine *e);
/* The gh_http_handler; ctx is the gh_pod_agent. */
void pod_agent_handle(void *ctx, const gh_http_request *req, gh_http_response *resp);

#endif
