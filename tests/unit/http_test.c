#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/x509.h"
#include "http/client.h"
#include "http/metrics.h"
#include "http/server.h"
#include "test.h"

/* What the handler saw, copied out of the request (whose memory dies with it). */
typedef struct seen {
	pthread_mutex_t mu;
	int calls;
	char method[16], path[256], query[256];
	bool has_query, tls;
	char remote[64];
	gh_buf body;
	char headers[2048]; /* "name=value\n" in order */
	char first_dup[32];
	atomic_int slow_entered;
} seen;

static void seen_reset(seen *s)
{
	pthread_mutex_lock(&s->mu);
	s->calls = 0;
	s->method[0] = s->path[0] = s->query[0] = s->remote[0] = s->headers[0] = '\0';
	gh_buf_free(&s->body);
	pthread_mutex_unlock(&s->mu);
}

static void test_handler(void *ctx, const gh_http_request *req, gh_http_response *resp)
{
	seen *s = ctx;
	pthread_mutex_lock(&s->mu);
	s->calls++;
	snprintf(s->method, sizeof s->method, GH_STR_FMT, GH_STR_ARG(req->method));
	snprintf(s->path, sizeof s->path, GH_STR_FMT, GH_STR_ARG(req->path));
	snprintf(s->query, sizeof s->query, GH_STR_FMT, GH_STR_ARG(req->query));
	s->has_query = req->has_query;
	s->tls = req->tls;
	snprintf(s->remote, sizeof s->remote, "%s", req->remote_addr);
	gh_buf_reset(&s->body);
	gh_buf_put_str(&s->body, req->body);
	size_t off = 0;
	s->headers[0] = '\0';
	for (size_t i = 0; i < req->nheaders && off < sizeof s->headers; i++)
		off += (size_t)snprintf(s->headers + off, sizeof s->headers - off, GH_STR_FMT "=" GH_STR_FMT "\n",
					GH_STR_ARG(req->headers[i].name), GH_STR_ARG(req->headers[i].value));
	gh_str dup;
	s->first_dup[0] = '\0';
	if (http_request_header(req, "x-DUP", &dup))
		snprintf(s->first_dup, sizeof s->first_dup, GH_STR_FMT, GH_STR_ARG(dup));
	pthread_mutex_unlock(&s->mu);

	if (gh_str_eq_c(req->path, "/slow")) {
		atomic_store(&s->slow_entered, 1);
		usleep(400 * 1000);
	} else if (gh_str_eq_c(req->path, "/sleep2")) {
		usleep(1500 * 1000);
	} else if (gh_str_eq_c(req->path, "/redirect")) {
		resp->status = 302;
		http_response_add_header(resp, "Location", GH_STR("http://127.0.0.1:1/elsewhere"));
		return;
	} else if (gh_str_eq_c(req->path, "/big")) {
		resp->content_type = "application/octet-stream";
		for (int i = 0; i < 2048; i++)
			gh_buf_put(&resp->body, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
						"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				   1024);
		return;
	}
	/* Header injection attempts are refused, not sent. */
	CHECK(!http_response_add_header(resp, "X-Evil", GH_STR("a\r\nSet-Cookie: x=1")));
	CHECK(!http_response_add_header(resp, "Bad Name", GH_STR("v")));
	http_response_set(resp, 201, "application/json", GH_STR("{\"ok\":true}"));
	CHECK(http_response_add_header(resp, "X-Test", GH_STR("yes")));
	CHECK(http_response_add_header(resp, "X-Multi", GH_STR("1")));
	CHECK(http_response_add_header(resp, "X-Multi", GH_STR("2")));
}

static seen S = { .mu = PTHREAD_MUTEX_INITIALIZER };

static char *url_for(gh_http_server *srv, bool tls, const char *target)
{
	gh_buf b = { 0 };
	gh_buf_printf(&b, "%s://%s:%u%s", tls ? "https" : "http", tls ? "localhost" : "127.0.0.1",
		      (unsigned)http_server_port(srv), target);
	return gh_buf_take(&b);
}

static long do_request(gh_http_server *srv, const char *method, const char *target, gh_str body,
		       const gh_http_header *hdrs, size_t nh, gh_http_client_response *resp)
{
	char *url = url_for(srv, false, target);
	gh_http_client_config cc = { 0 };
	const char *want[] = { "X-Test", "X-Multi", "Content-Type", "Location", "Connection", NULL };
	gh_http_client_request rq = { .method = method, .url = url, .headers = hdrs, .nheaders = nh,
				      .body = body, .want_headers = want };
	gh_err err = { 0 };
	bool ok = http_client_do(&cc, &rq, resp, &err);
	free(url);
	return ok ? resp->status : -1;
}

TEST(http_raw_target_headers_and_body)
{
	gh_err err = { 0 };
	gh_http_config cfg = { .threads = 2 };
	seen_reset(&S);
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	CHECK(http_server_port(srv) > 0);

	gh_http_header hdrs[] = { { GH_STR("X-Amz-Date"), GH_STR("20150830T123600Z") },
				  { GH_STR("X-Dup"), GH_STR("one") },
				  { GH_STR("x-dup"), GH_STR("two") },
				  { GH_STR("X-Empty"), GH_STR("") } };
	gh_http_client_response resp;
	CHECK_INT_EQ(do_request(srv, "POST", "/a%2Fb/?X=%2F&y=1&z=a+b%20c", (gh_str){ "hel\0lo", 6 }, hdrs, 4,
				&resp), 201);
	CHECK_STR_EQ(resp.body.p, "{\"ok\":true}");
	gh_str v;
	CHECK(http_client_header(&resp, "x-test", &v) && gh_str_eq_c(v, "yes"));
	CHECK(http_client_header(&resp, "content-type", &v) && gh_str_eq_c(v, "application/json"));
	int multi = 0;
	for (size_t i = 0; i < resp.nheaders; i++)
		multi += gh_str_eq_c(resp.headers[i].name, "X-Multi");
	CHECK_INT_EQ(multi, 2);
	http_client_response_free(&resp);

	pthread_mutex_lock(&S.mu);
	CHECK_INT_EQ(S.calls, 1);
	CHECK_STR_EQ(S.method, "POST");
	CHECK_STR_EQ(S.path, "/a%2Fb/");
	CHECK_STR_EQ(S.query, "X=%2F&y=1&z=a+b%20c");
	CHECK(S.has_query);
	CHECK(!S.tls);
	CHECK_STR_EQ(S.remote, "127.0.0.1");
	CHECK(S.body.n == 6 && memcmp(S.body.p, "hel\0lo", 6) == 0);
	CHECK_CONTAINS(S.headers, "X-Amz-Date=20150830T123600Z\n");
	CHECK_CONTAINS(S.headers, "X-Dup=one\nx-dup=two\n");
	CHECK_STR_EQ(S.first_dup, "one");
	CHECK_CONTAINS(S.headers, "X-Empty=\n");
	CHECK_CONTAINS(S.headers, "Host=127.0.0.1:");
	pthread_mutex_unlock(&S.mu);

	/* No '?' at all versus an empty query. */
	CHECK_INT_EQ(do_request(srv, "GET", "/plain", (gh_str){ 0 }, NULL, 0, &resp), 201);
	http_client_response_free(&resp);
	pthread_mutex_lock(&S.mu);
	CHECK(!S.has_query);
	CHECK_STR_EQ(S.path, "/plain");
	CHECK_STR_EQ(S.method, "GET");
	CHECK_INT_EQ(S.body.n, 0);
	pthread_mutex_unlock(&S.mu);
	CHECK_INT_EQ(do_request(srv, "DELETE", "/q?", (gh_str){ 0 }, NULL, 0, &resp), 201);
	http_client_response_free(&resp);
	pthread_mutex_lock(&S.mu);
	CHECK(S.has_query);
	CHECK_STR_EQ(S.query, "");
	CHECK_STR_EQ(S.method, "DELETE");
	pthread_mutex_unlock(&S.mu);
	http_server_stop(srv);
}

TEST(http_body_over_limit_gets_413_without_handler)
{
	gh_err err = { 0 };
	gh_metrics *m = metrics_new();
	gh_http_config cfg = { .max_body_bytes = 1024, .threads = 1, .metrics = m };
	seen_reset(&S);
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	char *big = malloc(64 * 1024);
	memset(big, 'x', 64 * 1024);
	gh_http_client_response resp;
	CHECK_INT_EQ(do_request(srv, "POST", "/", (gh_str){ big, 4096 }, NULL, 0, &resp), 413);
	CHECK_CONTAINS(resp.body.p, "RequestEntityTooLarge");
	http_client_response_free(&resp);
	CHECK_INT_EQ(do_request(srv, "PUT", "/", (gh_str){ big, 64 * 1024 }, NULL, 0, &resp), 413);
	http_client_response_free(&resp);
	/* Chunked: no Content-Length to check up front, counted as it arrives. */
	gh_http_header chunked[] = { { GH_STR("Transfer-Encoding"), GH_STR("chunked") } };
	CHECK_INT_EQ(do_request(srv, "POST", "/", (gh_str){ big, 8192 }, chunked, 1, &resp), 413);
	http_client_response_free(&resp);
	pthread_mutex_lock(&S.mu);
	CHECK_INT_EQ(S.calls, 0);
	pthread_mutex_unlock(&S.mu);

	/* Exactly at the limit is fine, chunked or not. */
	CHECK_INT_EQ(do_request(srv, "POST", "/", (gh_str){ big, 1024 }, NULL, 0, &resp), 201);
	http_client_response_free(&resp);
	CHECK_INT_EQ(do_request(srv, "POST", "/", (gh_str){ big, 1024 }, chunked, 1, &resp), 201);
	http_client_response_free(&resp);
	pthread_mutex_lock(&S.mu);
	CHECK_INT_EQ(S.calls, 2);
	CHECK_INT_EQ(S.body.n, 1024);
	pthread_mutex_unlock(&S.mu);
	free(big);
	http_server_stop(srv);

	gh_buf out = { 0 };
	REQUIRE(metrics_render(m, &out));
	CHECK_CONTAINS(out.p, "gatehouse_http_requests_total{method=\"POST\",code=\"413\"} 2\n");
	CHECK_CONTAINS(out.p, "gatehouse_http_requests_total{method=\"PUT\",code=\"413\"} 1\n");
	CHECK_CONTAINS(out.p, "gatehouse_http_requests_total{method=\"POST\",code=\"201\"} 2\n");
	CHECK_CONTAINS(out.p, "gatehouse_http_request_duration_seconds_count{method=\"POST\",code=\"201\"} 2\n");
	CHECK_CONTAINS(out.p, "gatehouse_http_requests_in_flight 0\n");
	gh_buf_free(&out);
	metrics_free(m);
}

TEST(http_tls_with_generated_ca)
{
	gh_err err = { 0 };
	gh_x509_pair ca, cert, other;
	int64_t now = (int64_t)time(NULL);
	REQUIRE(x509_make_ca(now, &ca, &err));
	REQUIRE(x509_make_ca(now, &other, &err));
	REQUIRE(x509_make_server(&ca, x509_loopback_sans, x509_loopback_sans_count, now, &cert, &err));
	gh_http_config cfg = { .tls_cert_pem = cert.cert_pem, .tls_key_pem = cert.key_pem, .threads = 2 };
	seen_reset(&S);
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	char *url = url_for(srv, true, "/tls?x=1");
	gh_http_client_request rq = { .url = url };
	gh_http_client_response resp;

	gh_http_client_config trusting = { .ca_pem = ca.cert_pem };
	CHECK(http_client_do(&trusting, &rq, &resp, &err));
	CHECK_INT_EQ(resp.status, 201);
	http_client_response_free(&resp);
	pthread_mutex_lock(&S.mu);
	CHECK(S.tls);
	CHECK_STR_EQ(S.path, "/tls");
	pthread_mutex_unlock(&S.mu);

	/* Verification is never off: another CA, or the system bundle, is refused. */
	gh_http_client_config wrong = { .ca_pem = other.cert_pem };
	CHECK(!http_client_do(&wrong, &rq, &resp, &err));
	CHECK_STR_EQ(err.code, "UpstreamError");
	gh_http_client_config system = { 0 };
	CHECK(!http_client_do(&system, &rq, &resp, &err));
	/* The CA from a file works the same. */
	char path[] = "/tmp/gh-ca-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	CHECK(write(fd, ca.cert_pem, strlen(ca.cert_pem)) == (ssize_t)strlen(ca.cert_pem));
	close(fd);
	gh_http_client_config from_file = { .ca_file = path };
	CHECK(http_client_do(&from_file, &rq, &resp, &err));
	CHECK_INT_EQ(resp.status, 201);
	http_client_response_free(&resp);
	unlink(path);
	/* Plain HTTP to the TLS port fails instead of leaking anything in clear. */
	free(url);
	url = url_for(srv, false, "/x");
	rq.url = url;
	CHECK(!http_client_do(&system, &rq, &resp, &err) || resp.status >= 400);
	http_client_response_free(&resp);
	free(url);
	http_server_stop(srv);

	/* A key that does not parse is a start failure, not a server without TLS. */
	gh_http_config bad = { .tls_cert_pem = cert.cert_pem, .tls_key_pem = "not a key", .threads = 1 };
	CHECK(http_server_start(&bad, test_handler, &S, &err) == NULL);
	CHECK_CONTAINS(err.msg, "TLS");
	gh_http_config half = { .tls_cert_pem = cert.cert_pem, .threads = 1 };
	CHECK(http_server_start(&half, test_handler, &S, &err) == NULL);
	CHECK_CONTAINS(err.msg, "both");
	x509_pair_free(&cert);
	x509_pair_free(&ca);
	x509_pair_free(&other);
}

static bool can_connect(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

TEST(http_stop_while_idle)
{
	gh_err err = { 0 };
	gh_http_config cfg = { .threads = 2 };
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	uint16_t port = http_server_port(srv);
	CHECK(can_connect(port));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	http_server_stop(srv);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	CHECK(!can_connect(port));
	http_server_stop(NULL);

	gh_http_config bad_addr = { .bind_addr = "localhost" };
	CHECK(http_server_start(&bad_addr, test_handler, &S, &err) == NULL);
	CHECK_STR_EQ(err.code, "InvalidInput");
}

typedef struct slow_call {
	gh_http_server *srv;
	long status;
	bool close_header;
} slow_call;

static void *slow_client(void *arg)
{
	slow_call *c = arg;
	gh_http_client_response resp;
	c->status = do_request(c->srv, "GET", "/slow", (gh_str){ 0 }, NULL, 0, &resp);
	gh_str v;
	c->close_header = http_client_header(&resp, "Connection", &v) && gh_str_ieq_c(v, "close");
	http_client_response_free(&resp);
	return NULL;
}

TEST(http_stop_lets_inflight_requests_finish)
{
	gh_err err = { 0 };
	gh_http_config cfg = { .threads = 2, .shutdown_grace_ms = 5000 };
	seen_reset(&S);
	atomic_store(&S.slow_entered, 0);
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	uint16_t port = http_server_port(srv);
	slow_call c = { .srv = srv };
	pthread_t th;
	pthread_create(&th, NULL, slow_client, &c);
	for (int i = 0; i < 500 && !atomic_load(&S.slow_entered); i++)
		usleep(2000);
	CHECK(atomic_load(&S.slow_entered));
	http_server_stop(srv); /* returns only after /slow was answered */
	pthread_join(th, NULL);
	CHECK_INT_EQ(c.status, 201);
	CHECK(c.close_header);
	CHECK(!can_connect(port));
}

TEST(http_ipv6_bind)
{
	gh_err err = { 0 };
	gh_http_config cfg = { .bind_addr = "::1", .threads = 1 };
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	if (!srv) {
		fprintf(stderr, "http_ipv6_bind: skipped, no IPv6 loopback: %s\n", err.msg);
		return;
	}
	seen_reset(&S);
	char url[64];
	snprintf(url, sizeof url, "http://[::1]:%u/v6", (unsigned)http_server_port(srv));
	gh_http_client_config cc = { 0 };
	gh_http_client_request rq = { .url = url };
	gh_http_client_response resp;
	CHECK(http_client_do(&cc, &rq, &resp, &err));
	CHECK_INT_EQ(resp.status, 201);
	http_client_response_free(&resp);
	pthread_mutex_lock(&S.mu);
	CHECK_STR_EQ(S.remote, "::1");
	pthread_mutex_unlock(&S.mu);
	http_server_stop(srv);
}

TEST(http_client_limits)
{
	gh_err err = { 0 };
	gh_http_config cfg = { .threads = 2, .shutdown_grace_ms = 3000 };
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	gh_http_client_response resp;
	/* Redirects come back as they are. */
	CHECK_INT_EQ(do_request(srv, "GET", "/redirect", (gh_str){ 0 }, NULL, 0, &resp), 302);
	gh_str loc;
	CHECK(http_client_header(&resp, "Location", &loc) && gh_str_has_prefix(loc, GH_STR("http://127.0.0.1:1/")));
	http_client_response_free(&resp);

	/* 2 MiB is over the default bound. */
	char *url = url_for(srv, false, "/big");
	gh_http_client_config cc = { 0 };
	gh_http_client_request rq = { .url = url };
	CHECK(!http_client_do(&cc, &rq, &resp, &err));
	CHECK_CONTAINS(err.msg, "larger than 1048576");
	CHECK(resp.body.p == NULL);
	gh_http_client_config roomy = { .max_response_bytes = 4 * 1024 * 1024 };
	CHECK(http_client_do(&roomy, &rq, &resp, &err));
	CHECK_INT_EQ(resp.body.n, 2 * 1024 * 1024);
	http_client_response_free(&resp);
	free(url);

	url = url_for(srv, false, "/sleep2");
	gh_http_client_config hasty = { .timeout_ms = 200 };
	rq.url = url;
	CHECK(!http_client_do(&hasty, &rq, &resp, &err));
	CHECK_STR_EQ(err.code, "UpstreamTimeout");
	CHECK_INT_EQ(err.status, 504);
	free(url);

	/* Only http and https; malformed outbound headers are refused before sending. */
	rq.url = "file:///etc/passwd";
	CHECK(!http_client_do(&cc, &rq, &resp, &err));
	CHECK_STR_EQ(err.code, "UpstreamError");
	url = url_for(srv, false, "/");
	rq.url = url;
	gh_http_header evil[] = { { GH_STR("X-A"), GH_STR("1\r\nX-Injected: 2") } };
	rq.headers = evil;
	rq.nheaders = 1;
	CHECK(!http_client_do(&cc, &rq, &resp, &err));
	CHECK_STR_EQ(err.code, "InvalidInput");
	free(url);
	/* Nothing listens on port 1. */
	rq.url = "http://127.0.0.1:1/";
	rq.nheaders = 0;
	CHECK(!http_client_do(&cc, &rq, &resp, &err));
	CHECK_STR_EQ(err.code, "UpstreamError");
	http_server_stop(srv);
}

TEST(http_oversized_headers_refused_and_not_left_in_flight)
{
	gh_err err = { 0 };
	gh_metrics *m = metrics_new();
	gh_http_config cfg = { .threads = 1, .max_header_bytes = 16 * 1024, .metrics = m };
	seen_reset(&S);
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	char *huge = malloc(32 * 1024);
	memset(huge, 'a', 32 * 1024 - 1);
	huge[32 * 1024 - 1] = '\0';
	gh_http_header h[] = { { GH_STR("X-Huge"), gh_str_c(huge) } };
	gh_http_client_response resp;
	long st = do_request(srv, "GET", "/", (gh_str){ 0 }, h, 1, &resp);
	CHECK(st == 431 || st == 413 || st == 400 || st == -1);
	http_client_response_free(&resp);
	free(huge);
	pthread_mutex_lock(&S.mu);
	CHECK_INT_EQ(S.calls, 0);
	pthread_mutex_unlock(&S.mu);
	/* A normal request on a fresh connection still works. */
	CHECK_INT_EQ(do_request(srv, "GET", "/", (gh_str){ 0 }, NULL, 0, &resp), 201);
	http_client_response_free(&resp);
	/* The completion callback may run just after the client has its answer. */
	gh_metric *inflight = metrics_find(m, "gatehouse_http_requests_in_flight");
	for (int i = 0; i < 500 && metric_value(inflight, 0) != 0; i++)
		usleep(2000);
	CHECK_INT_EQ(metric_value(inflight, 0), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	http_server_stop(srv);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 2); /* nothing left to wait for */
	metrics_free(m);
}

TEST(http_idle_connection_times_out)
{
	gh_err err = { 0 };
	gh_http_config cfg = { .threads = 1, .timeout_seconds = 1 };
	gh_http_server *srv = http_server_start(&cfg, test_handler, &S, &err);
	REQUIRE(srv);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(http_server_port(srv)) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	REQUIRE(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
	/* Half a request line, then silence: the server must hang up on its own. */
	CHECK(write(fd, "GET /", 5) == 5);
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char buf[256];
	ssize_t r = read(fd, buf, sizeof buf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(r <= 0);
	CHECK(t1.tv_sec - t0.tv_sec < 4);
	close(fd);
	http_server_stop(srv);
}
