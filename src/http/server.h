/* server: the HTTP/1.1 listener, on libmicrohttpd.
 *
 * The handler sees the request exactly as it came over the wire: the method, the path and
 * query undecoded (SigV4 signs the raw request-target), every header in order with
 * duplicates kept, the whole body. It runs on one of the server's threads, gets a
 * per-request arena, fills a response and returns; the server sends it.
 *
 * Bodies above max_body_bytes are answered 413 without calling the handler. Requests,
 * statuses and latencies are counted into `metrics` when given. http_server_stop stops
 * accepting, lets requests in flight finish (up to shutdown_grace_ms), then closes. */
#ifndef GH_HTTP_SERVER_H
#define GH_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "http/metrics.h"

typedef struct gh_http_header {
	gh_str name;
	gh_str value;
} gh_http_header;

typedef struct gh_http_request {
	gh_str method;
	gh_str target;	      /* the raw request-target: path, '?', query */
	gh_str path;	      /* target before the first '?', undecoded */
	gh_str query;	      /* target after the first '?', undecoded; empty when none */
	bool has_query;	      /* a '?' was present (even with nothing after it) */
	const gh_http_header *headers; /* as received, in order, duplicates kept */
	size_t nheaders;
	gh_str body;
	const char *remote_addr; /* "203.0.113.7" or "::1" */
	uint16_t remote_port;
	bool tls;
	gh_arena *arena;	/* freed after the response is sent */
} gh_http_request;

/* A streamed body (a Kubernetes watch): called on the connection's own thread until it
 * returns -1 (end); it may block while it waits for something to send, and must return
 * at least one byte otherwise. `max` is at least 4 KiB. Only servers started with
 * thread_per_connection stream; `free` runs when the connection is done. */
typedef long (*gh_http_stream_fn)(void *ctx, char *buf, size_t max);

typedef struct gh_http_response {
	int status;			/* 200 unless the handler sets another */
	gh_http_stream_fn stream;	/* when set, the body is streamed (body is ignored) */
	void *stream_ctx;
	void (*stream_free)(void *ctx);
	const char *content_type;	/* NULL = no Content-Type header */
	gh_buf body;			/* the server frees it */
	gh_http_header *headers;	/* in the request's arena; see http_response_add_header */
	size_t nheaders, cap;
	gh_arena *arena;
} gh_http_response;

typedef void (*gh_http_handler)(void *ctx, const gh_http_request *req, gh_http_response *resp);

/* The first header called `name` (case-insensitive); false when absent. */
bool http_request_header(const gh_http_request *req, const char *name, gh_str *value);

/* Copies a header into the response. Refuses names that are not HTTP tokens and values
 * with CR, LF or NUL, so nothing a caller echoes can split the response. */
bool http_response_add_header(gh_http_response *resp, const char *name, gh_str value);
/* Sets status, content type and body in one call (the body is copied). */
void http_response_set(gh_http_response *resp, int status, const char *content_type, gh_str body);

typedef struct gh_http_config {
	const char *bind_addr;	      /* IPv4 or IPv6 literal; NULL = "127.0.0.1" */
	uint16_t port;		      /* 0 = any free port; see http_server_port */
	const char *tls_cert_pem;     /* both NULL = plain HTTP (the caller decides when that is allowed) */
	const char *tls_key_pem;
	size_t max_body_bytes;	      /* 0 = 1 MiB */
	size_t max_header_bytes;      /* per-connection memory for the request line and headers; 0 = 32 KiB */
	unsigned timeout_seconds;     /* idle time before a connection is closed; 0 = 30 */
	unsigned threads;	      /* 0 = number of CPUs */
	unsigned max_connections;     /* 0 = 1024 */
	unsigned max_connections_per_ip; /* 0 = no per-address limit */
	unsigned shutdown_grace_ms;   /* 0 = 10 s */
	gh_metrics *metrics;	      /* NULL = not counted */
	bool thread_per_connection;   /* one thread per connection (needed for streamed bodies) */
} gh_http_config;

typedef struct gh_http_server gh_http_server;

gh_http_server *http_server_start(const gh_http_config *cfg, gh_http_handler handler, void *ctx,
				  gh_err *err);
uint16_t http_server_port(const gh_http_server *s);
/* Stops accepting, waits for requests in flight (bounded), closes everything and frees
 * the server. NULL is fine. */
void http_server_stop(gh_http_server *s);

#define GH_HTTP_DEFAULT_MAX_BODY (1024 * 1024)

#endif
