/* client: outbound HTTP(S) requests through libcurl (token pass-through calls real STS).
 *
 * Deliberately narrow: one request, one response, no redirects followed (a 3xx comes
 * back as it is), a bounded response size, a timeout, only http and https, and TLS
 * verification always on: against the system bundle, a CA file, or PEM given in memory. */
#ifndef GH_HTTP_CLIENT_H
#define GH_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"
#include "http/server.h"

typedef struct gh_http_client_config {
	long timeout_ms;	     /* whole request; 0 = 10 s */
	size_t max_response_bytes;   /* 0 = 1 MiB; beyond it the request fails */
	const char *ca_file;	     /* NULL = the system's bundle */
	const char *ca_pem;	     /* when set, trust exactly these certificates */
	const char *connect_to;	     /* testing: "HOST:PORT:ADDR:PORT" connects there instead (TLS
				      * still checks HOST), as curl --connect-to */
} gh_http_client_config;

typedef struct gh_http_client_request {
	const char *method;		    /* NULL = "GET" */
	const char *url;
	const gh_http_header *headers;	    /* sent as given */
	size_t nheaders;
	gh_str body;			    /* sent when method is not GET/HEAD */
	const char *const *want_headers;    /* response headers to return, NULL-terminated */
} gh_http_client_request;

typedef struct gh_http_client_response {
	long status;
	gh_buf body;
	gh_http_header *headers;   /* the wanted ones present in the response; owned */
	size_t nheaders;
} gh_http_client_response;

/* Performs the request. A transport failure (DNS, connect, TLS, timeout, size limit)
 * fails with "UpstreamError" (502) or "UpstreamTimeout" (504); any HTTP status, including
 * 4xx and 5xx, is a success with resp->status set. */
bool http_client_do(const gh_http_client_config *cfg, const gh_http_client_request *req,
		    gh_http_client_response *resp, gh_err *err) GH_MUST_CHECK;
void http_client_response_free(gh_http_client_response *resp);
/* The first returned header called `name` (case-insensitive). */
bool http_client_header(const gh_http_client_response *resp, const char *name, gh_str *value);

#endif
