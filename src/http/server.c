#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/log.h"
#include "crypto/hash.h"

#define HTTP_DEFAULT_HEADER_BYTES (32 * 1024) /* MHD zeroes the whole pool per request: keep it lean */
#define HTTP_DEFAULT_TIMEOUT 30
#define HTTP_DEFAULT_MAX_CONN 1024
#define HTTP_DEFAULT_GRACE_MS 10000
/* GnuTLS priorities: TLS 1.2 and 1.3 only. */
#define HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

static const char *const http_methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL };
static const char *const http_codes[] = { "200", "201", "202", "204", "301", "302", "304", "400",
					  "401", "403", "404", "405", "409", "410", "413", "415",
					  "422", "429", "500", "501", "502", "503", "504", NULL };

struct gh_http_server {
	struct MHD_Daemon *mhd;
	gh_http_handler handler;
	void *ctx;
	size_t max_body;
	bool tls;
	uint16_t port;
	unsigned grace_ms;
	char *cert_pem, *key_pem; /* kept for the daemon's lifetime */
	pthread_mutex_t mu;
	pthread_cond_t idle;
	int inflight;
	atomic_bool stopping;
	gh_metric *m_requests, *m_latency, *m_inflight;
};

/* Everything one request owns, from its request line to the end of its response. */
typedef struct http_req {
	gh_http_server *srv;
	gh_arena arena;
	gh_str target;
	gh_buf body;
	bool started, too_large;
	size_t discarded;
	int status;
	struct timespec t0;
	char method[16]; /* for the metrics label only */
} http_req;

bool http_request_header(const gh_http_request *req, const char *name, gh_str *value)
{
	for (size_t i = 0; i < req->nheaders; i++) {
		if (gh_str_ieq_c(req->headers[i].name, name)) {
			*value = req->headers[i].value;
			return true;
		}
	}
	*value = (gh_str){ "", 0 };
	return false;
}

static bool http_is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
			return false;
	}
	return true;
}

bool http_response_add_header(gh_http_response *resp, const char *name, gh_str value)
{
	if (!http_is_token(name))
		return false;
	for (size_t i = 0; i < value.n; i++)
		if (value.p[i] == '\r' || value.p[i] == '\n' || value.p[i] == '\0')
			return false;
	if (resp->nheaders == resp->cap) {
		size_t cap = resp->cap ? resp->cap * 2 : 8;
		gh_http_header *h = gh_arena_alloc(resp->arena, cap * sizeof *h);
		if (!h)
			return false;
		if (resp->nheaders)
			memcpy(h, resp->headers, resp->nheaders * sizeof *h);
		resp->headers = h;
		resp->cap = cap;
	}
	gh_str n = gh_arena_str(resp->arena, gh_str_c(name)), v = gh_arena_str(resp->arena, value);
	if (!n.p || !v.p)
		return false;
	resp->headers[resp->nheaders++] = (gh_http_header){ n, v };
	return true;
}

void http_response_set(gh_http_response *resp, int status, const char *content_type, gh_str body)
{
	resp->status = status;
	resp->content_type = content_type;
	gh_buf_reset(&resp->body);
	gh_buf_put_str(&resp->body, body);
}

static double http_elapsed(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* MHD's messages while a daemon starts explain why it failed (a bad key, a port in use),
 * so they are kept for the error; later ones are mostly clients going away. */
static _Thread_local bool http_starting;
static _Thread_local char http_start_msg[256];

static void http_log_mhd(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[256];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	/* MHD 0.9.75 says this of every thread-pool worker it configures, though our logger is
	 * the first option: noise, not a problem. */
	if (strncmp(msg, "MHD_OPTION_EXTERNAL_LOGGER is not the first option", 50) == 0) {
		gh_log_debug("http.server.mhd", "message", msg);
		return;
	}
	if (http_starting) {
		if (!http_start_msg[0])
			snprintf(http_start_msg, sizeof http_start_msg, "%s", msg);
		gh_log_warn("http.server.mhd", "message", msg);
	} else {
		gh_log_debug("http.server.mhd", "message", msg);
	}
}

/* Called once per request with the request-target exactly as received, before MHD
 * splits and unescapes it: the only place the raw form is available. */
static void *http_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	gh_http_server *srv = cls;
	http_req *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->srv = srv;
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	gh_arena_init(&r->arena, 0);
	r->target = gh_arena_str(&r->arena, gh_str_c(uri));
	pthread_mutex_lock(&srv->mu);
	srv->inflight++;
	pthread_mutex_unlock(&srv->mu);
	metric_add(srv->m_inflight, 0, 1);
	return r;
}

static void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	gh_http_server *srv = cls;
	http_req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	if (srv->m_requests) {
		char code[8];
		snprintf(code, sizeof code, "%d", r->status);
		gh_str labels[2] = { gh_str_c(r->method), gh_str_c(code) };
		metric_add(srv->m_requests, metric_series(srv->m_requests, labels), 1);
		metric_observe(srv->m_latency, metric_series(srv->m_latency, labels), http_elapsed(&r->t0));
	}
	metric_add(srv->m_inflight, 0, -1);
	gh_buf_free(&r->body);
	gh_arena_free(&r->arena);
	free(r);
	pthread_mutex_lock(&srv->mu);
	if (--srv->inflight == 0)
		pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->mu);
}

typedef struct http_stream {
	gh_http_stream_fn fn;
	void *ctx;
	void (*free_fn)(void *ctx);
} http_stream;

static ssize_t http_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	http_stream *s = cls;
	long n = s->fn(s->ctx, buf, max);
	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void http_stream_done(void *cls)
{
	http_stream *s = cls;
	if (s->free_fn)
		s->free_fn(s->ctx);
	free(s);
}

static enum MHD_Result http_send(struct MHD_Connection *conn, http_req *r, int status,
				 const char *content_type, gh_buf *body, const gh_http_header *headers,
				 size_t nheaders, const gh_http_response *src)
{
	if (status < 200 || status > 599) {
		char code[16];
		snprintf(code, sizeof code, "%d", status);
		gh_log_error("http.server.bad_status", "status", code);
		status = 500;
		gh_buf_reset(body);
	}
	/* These statuses never carry a body. */
	if (status == 204 || status == 304)
		gh_buf_reset(body);
	struct MHD_Response *resp;
	if (src && src->stream) {
		http_stream *hs = malloc(sizeof *hs);
		if (!hs) {
			if (src->stream_free)
				src->stream_free(src->stream_ctx);
			return MHD_NO;
		}
		*hs = (http_stream){ src->stream, src->stream_ctx, src->stream_free };
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, http_stream_read, hs,
							 http_stream_done);
		if (!resp)
			http_stream_done(hs);
	} else if (body->n) {
		size_t n = body->n;
		char *p = gh_buf_take(body);
		resp = MHD_create_response_from_buffer_with_free_callback(n, p, free);
		if (!resp)
			free(p);
	} else {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	if (content_type && MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES)
		gh_log_warn("http.server.header_refused", "name", "Content-Type");
	for (size_t i = 0; i < nheaders; i++)
		if (MHD_add_response_header(resp, headers[i].name.p, headers[i].value.p) != MHD_YES)
			gh_log_warn("http.server.header_refused", "name", headers[i].name.p);
	/* While stopping, tell keep-alive clients not to send another request here. */
	if (atomic_load(&r->srv->stopping))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	if (rc == MHD_YES)
		r->status = status;
	return rc;
}

/* Answers without calling the handler, which therefore never chose a protocol: a short
 * JSON body that any client can show. */
static enum MHD_Result http_send_error(struct MHD_Connection *conn, http_req *r, int status,
				       const char *code, const char *message)
{
	gh_buf body = { 0 };
	gh_buf_printf(&body, "{\"code\":\"%s\",\"message\":\"%s\"}\n", code, message);
	enum MHD_Result rc = http_send(conn, r, status, "application/json", &body, NULL, 0, NULL);
	gh_buf_free(&body);
	return rc;
}

static enum MHD_Result http_send_too_large(struct MHD_Connection *conn, http_req *r)
{
	char msg[96];
	snprintf(msg, sizeof msg, "request body is larger than %zu bytes", r->srv->max_body);
	return http_send_error(conn, r, 413, "RequestEntityTooLarge", msg);
}

typedef struct http_hdr_fill {
	gh_http_header *h;
	size_t n, cap;
} http_hdr_fill;

static enum MHD_Result http_collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
					   size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	http_hdr_fill *f = cls;
	if (f->n == f->cap)
		return MHD_NO;
	f->h[f->n++] = (gh_http_header){ { key, key_size }, { value ? value : "", value ? value_size : 0 } };
	return MHD_YES;
}

static void http_remote(struct MHD_Connection *conn, gh_http_request *req)
{
	req->remote_addr = "";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	socklen_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	char host[INET6_ADDRSTRLEN + 8], port[8];
	if (getnameinfo(sa, len, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	req->remote_addr = gh_arena_strndup(req->arena, host, strlen(host));
	if (!req->remote_addr)
		req->remote_addr = "";
	req->remote_port = (uint16_t)atoi(port);
}

static enum MHD_Result http_dispatch(struct MHD_Connection *conn, http_req *r, const char *method)
{
	gh_http_server *srv = r->srv;
	gh_http_request req = { .method = gh_str_c(method), .target = r->target, .tls = srv->tls,
				.arena = &r->arena };
	req.has_query = gh_str_cut(r->target, '?', &req.path, &req.query);
	req.body = gh_buf_str(&r->body);
	if (!req.body.p)
		req.body = (gh_str){ "", 0 };
	int n = MHD_get_connection_values_n(conn, MHD_HEADER_KIND, NULL, NULL);
	http_hdr_fill fill = { .cap = n > 0 ? (size_t)n : 0 };
	if (fill.cap && !(fill.h = gh_arena_alloc(&r->arena, fill.cap * sizeof *fill.h)))
		return MHD_NO;
	if (fill.cap)
		MHD_get_connection_values_n(conn, MHD_HEADER_KIND, http_collect_header, &fill);
	req.headers = fill.h;
	req.nheaders = fill.n;
	http_remote(conn, &req);

	gh_http_response resp = { .status = 200, .arena = &r->arena };
	srv->handler(srv->ctx, &req, &resp);
	enum MHD_Result rc;
	if (resp.body.oom) {
		gh_buf_free(&resp.body);
		gh_buf_puts(&resp.body, "{\"code\":\"InternalError\",\"message\":\"out of memory\"}\n");
		rc = http_send(conn, r, 500, "application/json", &resp.body, NULL, 0, NULL);
		if (resp.stream && resp.stream_free)
			resp.stream_free(resp.stream_ctx);
	} else {
		rc = http_send(conn, r, resp.status, resp.content_type, &resp.body, resp.headers,
			       resp.nheaders, &resp);
	}
	gh_buf_free(&resp.body);
	return rc;
}

/* The limit is checked against Content-Length before any of the body is read, so an
 * honest client gets its 413 at once; a chunked body is counted as it arrives. */
static enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
				       const char *method, const char *version, const char *upload_data,
				       size_t *upload_data_size, void **con_cls)
{
	(void)url;
	(void)version;
	gh_http_server *srv = cls;
	http_req *r = *con_cls;
	if (!r)
		return MHD_NO; /* out of memory when the request began */
	if (!r->started) {
		r->started = true;
		snprintf(r->method, sizeof r->method, "%s", method);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end;
			errno = 0;
			unsigned long long len = strtoull(cl, &end, 10);
			if (errno || end == cl || *end)
				return http_send_error(conn, r, 400, "BadRequest", "malformed Content-Length");
			if (len > srv->max_body)
				return http_send_too_large(conn, r);
			if (len && !gh_buf_reserve(&r->body, (size_t)len))
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (!r->too_large && r->body.n + n > srv->max_body) {
			r->too_large = true;
			gh_buf_free(&r->body);
		}
		if (r->too_large) {
			/* Read and drop the rest so the client sees the 413, but not forever. */
			r->discarded += n;
			return r->discarded > srv->max_body + GH_HTTP_DEFAULT_MAX_BODY ? MHD_NO : MHD_YES;
		}
		return gh_buf_put(&r->body, upload_data, n) ? MHD_YES : MHD_NO;
	}
	if (r->too_large)
		return http_send_too_large(conn, r);
	return http_dispatch(conn, r, method);
}

static bool http_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *ss, bool *v6)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*v6 = false;
		return true;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*v6 = true;
		return true;
	}
	return false;
}

static bool http_register_metrics(gh_http_server *srv, gh_metrics *m, gh_err *err)
{
	if (!m)
		return true;
	gh_metric_label labels[] = { { "method", http_methods }, { "code", http_codes } };
	srv->m_requests = metrics_counter(m, "gatehouse_http_requests_total",
					  "HTTP requests answered, by method and status code.", labels, 2, err);
	srv->m_latency = metrics_histogram(m, "gatehouse_http_request_duration_seconds",
					   "Time from request line to the end of the response.", labels, 2,
					   metrics_latency_buckets, metrics_latency_buckets_count, err);
	srv->m_inflight = metrics_gauge(m, "gatehouse_http_requests_in_flight",
					"Requests received and not yet answered.", NULL, 0, err);
	return srv->m_requests && srv->m_latency && srv->m_inflight;
}

static void http_server_free(gh_http_server *s)
{
	if (s->key_pem)
		gh_secure_zero(s->key_pem, strlen(s->key_pem));
	free(s->key_pem);
	free(s->cert_pem);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

gh_http_server *http_server_start(const gh_http_config *cfg, gh_http_handler handler, void *ctx,
				  gh_err *err)
{
	const char *bind_addr = cfg->bind_addr ? cfg->bind_addr : "127.0.0.1";
	struct sockaddr_storage ss;
	bool v6;
	if (!http_sockaddr(bind_addr, cfg->port, &ss, &v6)) {
		gh_fail(err, "InvalidInput", 400, "bind address \"%s\" is not an IPv4 or IPv6 literal", bind_addr);
		return NULL;
	}
	if (!cfg->tls_cert_pem != !cfg->tls_key_pem) {
		gh_fail(err, "InvalidInput", 400, "TLS needs both a certificate and a key");
		return NULL;
	}
	/* Writing to a peer that went away must be an error, not a signal that ends the process. */
	if (MHD_is_feature_supported(MHD_FEATURE_AUTOSUPPRESS_SIGPIPE) != MHD_YES)
		signal(SIGPIPE, SIG_IGN);

	gh_http_server *srv = calloc(1, sizeof *srv);
	if (!srv) {
		gh_fail(err, "OutOfMemory", 500, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&srv->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&srv->idle, &ca);
	pthread_condattr_destroy(&ca);
	srv->handler = handler;
	srv->ctx = ctx;
	srv->max_body = cfg->max_body_bytes ? cfg->max_body_bytes : GH_HTTP_DEFAULT_MAX_BODY;
	srv->tls = cfg->tls_cert_pem != NULL;
	srv->grace_ms = cfg->shutdown_grace_ms ? cfg->shutdown_grace_ms : HTTP_DEFAULT_GRACE_MS;
	if (!http_register_metrics(srv, cfg->metrics, err)) {
		http_server_free(srv);
		return NULL;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cfg->threads ? cfg->threads : (ncpu > 0 ? (unsigned)ncpu : 1);

	struct MHD_OptionItem opts[16];
	size_t n = 0;
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	if (threads > 1 && !cfg->thread_per_connection)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, threads, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
					     cfg->timeout_seconds ? cfg->timeout_seconds : HTTP_DEFAULT_TIMEOUT, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
					     cfg->max_connections ? cfg->max_connections : HTTP_DEFAULT_MAX_CONN, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
					     (intptr_t)(cfg->max_header_bytes ? cfg->max_header_bytes
									      : HTTP_DEFAULT_HEADER_BYTES), NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL };
	if (cfg->max_connections_per_ip)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
						     cfg->max_connections_per_ip, NULL };
	if (srv->tls) {
		srv->cert_pem = strdup(cfg->tls_cert_pem);
		srv->key_pem = strdup(cfg->tls_key_pem);
		if (!srv->cert_pem || !srv->key_pem) {
			http_server_free(srv);
			gh_fail(err, "OutOfMemory", 500, "out of memory");
			return NULL;
		}
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						     (void *)HTTP_TLS_PRIORITIES };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
			 (cfg->thread_per_connection ? MHD_USE_THREAD_PER_CONNECTION : 0) |
			 MHD_USE_ERROR_LOG | (srv->tls ? MHD_USE_TLS : 0) | (v6 ? MHD_USE_IPv6 : 0);
	http_starting = true;
	http_start_msg[0] = '\0';
	srv->mhd = MHD_start_daemon(flags, cfg->port, NULL, NULL, http_on_request, srv,
				    MHD_OPTION_EXTERNAL_LOGGER, http_log_mhd, NULL,
				    MHD_OPTION_URI_LOG_CALLBACK, http_on_uri, srv,
				    MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, srv,
				    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	http_starting = false;
	if (!srv->mhd) {
		gh_fail(err, "ServerError", 500, "cannot serve on %s port %u: %s", bind_addr,
			(unsigned)cfg->port,
			http_start_msg[0] ? http_start_msg
					  : "address in use, bad TLS certificate or key, or no permission");
		http_server_free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : cfg->port;
	return srv;
}

uint16_t http_server_port(const gh_http_server *s)
{
	return s->port;
}

void http_server_stop(gh_http_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	MHD_socket lfd = MHD_quiesce_daemon(s->mhd);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += s->grace_ms / 1000;
	deadline.tv_nsec += (long)(s->grace_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (s->inflight > 0) {
		if (pthread_cond_timedwait(&s->idle, &s->mu, &deadline) == ETIMEDOUT)
			break;
	}
	int left = s->inflight;
	pthread_mutex_unlock(&s->mu);
	if (left > 0) {
		char count[16];
		snprintf(count, sizeof count, "%d", left);
		gh_log_warn("http.server.stop_timeout", "requests_cut", count);
	}
	MHD_stop_daemon(s->mhd);
	http_server_free(s);
}
