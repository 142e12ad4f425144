/* eks_auth_api: EKS Auth (rest-json, botocore eks-auth 2023-11-26) on the AWS listener.
 * Its one operation, POST /clusters/{clusterName}/assume-role-for-pod-identity, shares the
 * /clusters prefix with the EKS API, so the router asks here first: the exact path
 * suffix tells them apart (EKS has no such sub-resource). SigV4-signed by any IAM caller
 * of the sandbox's account (on EKS, the node role). */
#ifndef GH_API_EKS_AUTH_API_H
#define GH_API_EKS_AUTH_API_H

#include <jansson.h>

#include "engine/eks_auth.h"
#include "http/server.h"

bool eks_auth_api_claims(const gh_http_request *req);
void eks_auth_api_handle(gh_engine *e, const gh_http_request *req, gh_http_response *resp);
/* The AssumeRoleForPodIdentityResponse of a result (expiration in epoch seconds). */
json_t *eks_auth_api_answer(const gh_eks_auth_res *r);

/* One AssumeRoleForPodIdentity in the AWS trail (res NULL: it failed with err). The
 * agent's in-process calls are recorded too, with no caller (the node's identity is the
 * process's own) and the pod's address. */
void eks_auth_api_trail(gh_engine *e, const gh_http_request *req, const gh_cred *caller, const char *akid,
			gh_str cluster, const gh_eks_auth_res *res, const gh_err *err, const char *request_id);

#endif
