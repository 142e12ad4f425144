/* aws_query: the AWS query protocol endpoint (IAM and STS) over the engine. */
#ifndef GH_API_AWS_QUERY_H
#define GH_API_AWS_QUERY_H

#include "domain/aws/sigv4.h"
#include "engine/engine.h"
#include "http/server.h"

void aws_query_handle(gh_engine *e, const gh_http_request *req, gh_http_response *resp);

/* The SigV4 view of an HTTP request (headers shared, not copied). */
void api_sigv4_request(const gh_http_request *req, sigv4_request *out);

/* For the trail of a call that failed authentication: the access key ID and the service the
 * request's signature names, as C strings in the request's arena (NULL when it has none). */
void api_sigv4_claims(const gh_http_request *req, const char **akid, const char **service);

/* A header's value as a C string in the request's arena, NULL when absent. */
const char *api_header(const gh_http_request *req, const char *name);

#endif
