/* eks_api: the EKS API (rest-json, botocore eks 2017-11-01) over engine/eks. */
#ifndef GH_API_EKS_API_H
#define GH_API_EKS_API_H

#include "engine/engine.h"
#include "http/server.h"

/* True when the request is for the EKS API (its path), so the router sends it here. */
bool eks_api_claims(const gh_http_request *req);
void eks_api_handle(gh_engine *e, const gh_http_request *req, gh_http_response *resp);

#endif
