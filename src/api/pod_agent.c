#include "api/pod_agent.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "crypto/hash.h"
#include "api/eks_auth_api.h"
#include "domain/eks/pod_agent.h"
#include "engine/eks_auth.h"

#define MAX_HOSTS 4
/* The real agent's wait for another request's EKS Auth call on the same token. */
#define WAIT_STEP_MS 200
#define WAIT_STEPS 9

/* A token whose EKS Auth call is under way; on the fetching request's stack. */
typedef struct inflight {
	uint8_t key[32];
	struct inflight *next;
} inflight;

struct gh_pod_agent {
	_Atomic(gh_engine *) engine;
	char *cluster;
	char *hosts[MAX_HOSTS];
	size_t nhosts;
	pthread_mutex_t mu; /* guards cache, rate and fetching */
	pthread_cond_t fetched; /* broadcast when a fetch ends */
	agent_cache *cache;
	agent_rate rate;
	inflight *fetching;
};

gh_pod_agent *pod_agent_new(const char *cluster, const char *const *hosts, size_t nhosts, double rate)
{
	gh_pod_agent *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	if (rate > 0)
		a->rate = (agent_rate){ .rate = rate, .burst = rate / 2 };
	a->cluster = strdup(cluster);
	a->cache = agent_cache_new(AGENT_CACHE_SIZE);
	for (size_t i = 0; i < nhosts && i < MAX_HOSTS; i++)
		if (!(a->hosts[a->nhosts++] = strdup(hosts[i])))
			a->cluster = (free(a->cluster), NULL);
	pthread_mutex_init(&a->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->fetched, &ca);
	pthread_condattr_destroy(&ca);
	if (!a->cluster || !a->cache) {
		pod_agent_free(a);
		return NULL;
	}
	return a;
}

void pod_agent_free(gh_pod_agent *a)
{
	if (!a)
		return;
	agent_cache_free(a->cache);
	for (size_t i = 0; i < a->nhosts; i++)
		free(a->hosts[i]);
	free(a->cluster);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->fetched);
	free(a);
}

void pod_agent_set_engine(gh_pod_agent *a, gh_engine *e)
{
	atomic_store(&a->engine, e);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void text(gh_http_response *resp, int status, const char *msg)
{
	http_response_set(resp, status, "text/plain; charset=utf-8", gh_str_c(msg));
}

static void serve_creds(gh_http_response *resp, const agent_creds *c)
{
	char exp[GH_ISO8601_LEN + 1];
	gh_time_iso8601(c->expires, exp);
	json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "AccessKeyId", c->akid, "SecretAccessKey", c->secret,
				"Token", c->token, "AccountId", c->account, "Expiration", exp);
	char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!s) {
		text(resp, 500, "out of memory\n");
		return;
	}
	http_response_set(resp, 200, "application/json", gh_str_c(s));
	gh_secure_zero(s, strlen(s));
	free(s);
}

static bool copy_field(char *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;
	if (!src || len >= n)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

static bool to_creds(const gh_eks_auth_res *r, agent_creds *c)
{
	c->expires = r->creds.expires;
	return copy_field(c->akid, sizeof c->akid, r->creds.akid) &&
	       copy_field(c->secret, sizeof c->secret, r->creds.secret) &&
	       copy_field(c->token, sizeof c->token, r->creds.session_token) &&
	       copy_field(c->account, sizeof c->account, r->account);
}

/* The agent's error body: the EKS Auth status with the SDK error's text, as the Go
 * agent writes it ("[<request id>]: (<code>): <message>, fault: client"). */
static void eks_auth_error(gh_http_response *resp, const gh_err *err, const char *rid)
{
	int status = err->status ? err->status : 500;
	char *body = NULL;
	if (asprintf(&body, "[%s]: (%s): %s, fault: %s\n", rid, err->code ? err->code : GH_EKS_AUTH_INTERNAL, err->msg,
		     status >= 500 ? "server" : "client") < 0)
		body = NULL;
	text(resp, status, body ? body : "internal error\n");
	free(body);
}

static bool is_fetching(const gh_pod_agent *ag, const uint8_t key[32])
{
	for (const inflight *f = ag->fetching; f; f = f->next)
		if (gh_ct_eq(f->key, key, 32))
			return true;
	return false;
}

/* Under mu: the cached credentials, or the right to fetch them. A request that finds
 * nothing usable while another fetches the same token waits for it (up to 9 x 200 ms, as the real agent)
 * instead of calling EKS Auth again, so a burst of one pod's requests costs one call. */
static agent_lookup lookup_or_claim(gh_pod_agent *ag, inflight *me, int64_t now, agent_creds *cached)
{
	agent_lookup got = agent_cache_get(ag->cache, me->key, now, cached);
	/* Credentials that are due but still good are served while another request renews them. */
	if (got == AGENT_REFRESH && is_fetching(ag, me->key))
		return AGENT_HIT;
	for (int i = 0; got == AGENT_MISS && i < WAIT_STEPS && is_fetching(ag, me->key); i++) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += WAIT_STEP_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&ag->fetched, &ag->mu, &until);
		got = agent_cache_get(ag->cache, me->key, now, cached);
	}
	if (got != AGENT_HIT) {
		me->next = ag->fetching;
		ag->fetching = me;
	}
	return got;
}

static void credentials(gh_pod_agent *ag, gh_engine *e, const gh_http_request *req, gh_http_response *resp)
{
	gh_str host = { 0 }, token = { 0 };
	http_request_header(req, "host", &host);
	if (!agent_host_ok(host, (const char *const *)ag->hosts, ag->nhosts)) {
		text(resp, 403, "Access Denied. Called agent through invalid address, please use either 169.254.170.23 "
				"or [fd00:ec2::23]\n");
		return;
	}
	http_request_header(req, "authorization", &token);
	gh_err err = { 0 };
	int64_t now = engine_now(e);
	if (!agent_token_check(token, now, &err)) {
		char msg[sizeof err.msg + 2];
		snprintf(msg, sizeof msg, "%s\n", err.msg);
		text(resp, 400, msg);
		return;
	}
	uint8_t key[32];
	gh_sha256(token.p, token.n, key);
	agent_creds cached;
	inflight me;
	memcpy(me.key, key, sizeof key);
	pthread_mutex_lock(&ag->mu);
	agent_lookup got = lookup_or_claim(ag, &me, now, &cached);
	pthread_mutex_unlock(&ag->mu);
	if (got == AGENT_HIT) {
		serve_creds(resp, &cached);
		gh_secure_zero(&cached, sizeof cached);
		return;
	}
	gh_eks_auth_res res;
	agent_creds fresh;
	bool ok = engine_eks_auth_assume(e, gh_str_c(ag->cluster), token, req->arena, &res, &err);
	char rid[GH_UUID_LEN + 1];
	if (!gh_uuid4(rid))
		strcpy(rid, "00000000-0000-0000-0000-000000000000");
	eks_auth_api_trail(e, req, NULL, NULL, gh_str_c(ag->cluster), ok ? &res : NULL, &err, rid);
	if (ok && !to_creds(&res, &fresh))
		ok = gh_fail(&err, GH_EKS_AUTH_INTERNAL, 500, "the credentials do not fit the agent's cache");
	pthread_mutex_lock(&ag->mu);
	bool evicted = false;
	if (ok)
		agent_cache_put(ag->cache, key, &fresh, now);
	else
		evicted = agent_cache_failed(ag->cache, key, err.code, now);
	for (inflight **p = &ag->fetching; *p; p = &(*p)->next)
		if (*p == &me) {
			*p = me.next;
			break;
		}
	pthread_cond_broadcast(&ag->fetched);
	pthread_mutex_unlock(&ag->mu);
	if (ok)
		serve_creds(resp, &fresh);
	else if (got == AGENT_REFRESH && !evicted) /* an outage: the old credentials still hold */
		serve_creds(resp, &cached);
	else
		eks_auth_error(resp, &err, rid);
	gh_secure_zero(&fresh, sizeof fresh);
	gh_secure_zero(&cached, sizeof cached);
}

void pod_agent_handle(void *ctx, const gh_http_request *req, gh_http_response *resp)
{
	gh_pod_agent *ag = ctx;
	gh_engine *e = atomic_load(&ag->engine);
	/* The probes: the agent's own check GETs its listener and expects a 404, which this
	 * process answering at all proves; ready once the engine is open. */
	if (gh_str_eq_c(req->path, "/healthz")) {
		text(resp, 200, "ok\n");
		return;
	}
	if (gh_str_eq_c(req->path, "/readyz")) {
		text(resp, e ? 200 : 503, e ? "ok\n" : "starting\n");
		return;
	}
	if (!gh_str_eq_c(req->path, "/v1/credentials")) {
		text(resp, 404, "404 page not found\n");
		return;
	}
	pthread_mutex_lock(&ag->mu);
	bool allowed = agent_rate_allow(&ag->rate, mono_ns());
	pthread_mutex_unlock(&ag->mu);
	if (!allowed) {
		text(resp, 429, "Too Many Requests\n");
		return;
	}
	if (!e) {
		text(resp, 503, "starting\n");
		return;
	}
	credentials(ag, e, req, resp);
}
