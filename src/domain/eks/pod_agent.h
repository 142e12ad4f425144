/* pod_agent: the rules of the EKS Pod Identity Agent's credential endpoint
 * (eks-pod-identity-agent: internal/validation/request.go, refreshing_cache.go), pure so
 * that the listener, the unit tests and the fuzz target share them. Time is passed in.
 *
 * - The Host check: port and IPv6 brackets stripped, the host must be one of the agent's
 *   link-local addresses or one of the extra hosts the caller allows (the sandbox's own
 *   loopback bind, since SDKs only talk plain HTTP to loopback or link-local hosts).
 * - The token check: the Authorization header is the raw JWT (no "Bearer"); it must parse
 *   and its exp/nbf/iat hold at `now`, without any signature check (EKS Auth does that).
 * - The rate limiter: a token bucket (1000 per second, burst 500, unless set).
 * - The credential cache: an LRU of at most 2000 entries keyed by SHA-256 of the token. An
 *   entry is due for refresh at min(TTL, 3 h) after it was fetched; credentials with 15 s
 *   or less left are never served; a refresh that fails with ResourceNotFound,
 *   ExpiredToken, InvalidToken or AccessDenied evicts, any other failure keeps the old
 *   credentials and retries a minute later. The cache is not locked: its owner locks. */
#ifndef GH_DOMAIN_EKS_POD_AGENT_H
#define GH_DOMAIN_EKS_POD_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

#define AGENT_HOST_V4 "169.254.170.23"
#define AGENT_HOST_V6 "fd00:ec2::23"
#define AGENT_CACHE_SIZE 2000
#define AGENT_REFRESH_MAX (3 * 3600)
#define AGENT_MIN_REMAINING 15
#define AGENT_RETRY_SECONDS 60
#define AGENT_RATE 1000
#define AGENT_BURST 500

/* True when the Host header names the agent. */
bool agent_host_ok(gh_str host, const char *const *extra, size_t nextra);

/* The Authorization value as a token, checked for time alone. "InvalidToken" 400. */
bool agent_token_check(gh_str token, int64_t now, gh_err *err) GH_MUST_CHECK;

typedef struct agent_rate {
	double rate, burst; /* 0: AGENT_RATE and AGENT_BURST */
	double tokens;
	int64_t last_ns;
	bool started;
} agent_rate;
/* One request at `now_ns` (a monotonic clock): true when allowed. */
bool agent_rate_allow(agent_rate *r, int64_t now_ns);

typedef struct agent_creds {
	char akid[32], secret[64], token[512], account[16];
	int64_t expires;
} agent_creds;

typedef struct agent_cache agent_cache;
agent_cache *agent_cache_new(size_t capacity);
void agent_cache_free(agent_cache *c);
size_t agent_cache_len(const agent_cache *c);

typedef enum {
	AGENT_MISS,	/* nothing usable: call EKS Auth */
	AGENT_HIT,	/* *out is good and not due */
	AGENT_REFRESH,	/* *out is usable but due for refresh: call EKS Auth, serve *out if that fails
			   with an error that keeps it */
} agent_lookup;
agent_lookup agent_cache_get(agent_cache *c, const uint8_t key[32], int64_t now, agent_creds *out);
/* Fresh credentials fetched at `now`. */
void agent_cache_put(agent_cache *c, const uint8_t key[32], const agent_creds *cr, int64_t now);
/* A fetch failed with EKS Auth error `code`: true when the entry was evicted. */
bool agent_cache_failed(agent_cache *c, const uint8_t key[32], const char *code, int64_t now);
/* Does that code evict (the pod, its token or its association is gone for good)? */
bool agent_error_evicts(const char *code);

#endif
