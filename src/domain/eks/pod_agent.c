#include "domain/eks/pod_agent.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/hash.h"
#include "crypto/jwt.h"

bool agent_host_ok(gh_str host, const char *const *extra, size_t nextra)
{
	gh_str h = gh_str_trim(host);
	if (h.n && h.p[0] == '[') {
		size_t close = gh_str_find(h, ']', 0);
		if (close >= h.n)
			return false;
		h = gh_str_sub(h, 1, close - 1);
	} else {
		/* One colon is a port; more are a bare IPv6 address without one. */
		size_t colon = gh_str_find(h, ':', 0);
		if (colon < h.n && gh_str_find(h, ':', colon + 1) >= h.n)
			h = gh_str_sub(h, 0, colon);
	}
	if (!h.n)
		return false;
	if (gh_str_ieq(h, GH_STR(AGENT_HOST_V4)) || gh_str_ieq(h, GH_STR(AGENT_HOST_V6)))
		return true;
	for (size_t i = 0; i < nextra; i++)
		if (extra[i] && gh_str_ieq(h, gh_str_c(extra[i])))
			return true;
	return false;
}

bool agent_token_check(gh_str token, int64_t now, gh_err *err)
{
	if (!token.n)
		return gh_fail(err, "InvalidToken", 400, "Service account token cannot be empty");
	gh_jwt j;
	gh_err perr = { 0 };
	if (!jwt_parse(token, &j, &perr))
		return gh_fail(err, "InvalidToken", 400, "Service account token cannot be parsed: %s", perr.msg);
	int64_t exp, nbf, iat;
	bool ok = true;
	/* golang-jwt's Valid(): each claim is checked only when present, with no leeway. */
	if (json_object_get(j.payload, "exp") && (!jwt_claim_int(&j, "exp", &exp) || now > exp))
		ok = gh_fail(err, "InvalidToken", 400, "Service account token failed basic claim validations: token is expired");
	else if (json_object_get(j.payload, "nbf") && (!jwt_claim_int(&j, "nbf", &nbf) || now < nbf))
		ok = gh_fail(err, "InvalidToken", 400, "Service account token failed basic claim validations: token is not valid yet");
	else if (json_object_get(j.payload, "iat") && (!jwt_claim_int(&j, "iat", &iat) || now < iat))
		ok = gh_fail(err, "InvalidToken", 400, "Service account token failed basic claim validations: token used before issued");
	jwt_free(&j);
	return ok;
}

bool agent_rate_allow(agent_rate *r, int64_t now_ns)
{
	if (!r->started) {
		r->started = true;
		if (r->rate <= 0) {
			r->rate = AGENT_RATE;
			r->burst = AGENT_BURST;
		}
		r->tokens = r->burst;
		r->last_ns = now_ns;
	}
	if (now_ns > r->last_ns) {
		r->tokens += (double)(now_ns - r->last_ns) * r->rate / 1e9;
		if (r->tokens > r->burst)
			r->tokens = r->burst;
		r->last_ns = now_ns;
	}
	if (r->tokens < 1)
		return false;
	r->tokens -= 1;
	return true;
}

/* ---- the cache: entries in one array, a hash chain and an LRU list by index ----------- */

#define NIL SIZE_MAX

typedef struct entry {
	uint8_t key[32];
	agent_creds creds;
	int64_t refresh_at;
	size_t next_hash, prev, next; /* hash chain; LRU list (head = most recent) */
	bool used;
} entry;

struct agent_cache {
	entry *e;
	size_t cap, len, nbuckets;
	size_t *buckets;
	size_t head, tail, free_at; /* free_at: first never-used slot */
	size_t free_list;	    /* evicted slots, chained through next_hash */
};

agent_cache *agent_cache_new(size_t capacity)
{
	agent_cache *c = calloc(1, sizeof *c);
	if (!c || !capacity)
		return free(c), NULL;
	c->cap = capacity;
	c->nbuckets = 1;
	while (c->nbuckets < capacity * 2)
		c->nbuckets <<= 1;
	c->e = calloc(capacity, sizeof *c->e);
	c->buckets = malloc(c->nbuckets * sizeof *c->buckets);
	if (!c->e || !c->buckets) {
		agent_cache_free(c);
		return NULL;
	}
	for (size_t i = 0; i < c->nbuckets; i++)
		c->buckets[i] = NIL;
	c->head = c->tail = c->free_list = NIL;
	return c;
}

void agent_cache_free(agent_cache *c)
{
	if (!c)
		return;
	if (c->e)
		gh_secure_zero(c->e, c->cap * sizeof *c->e);
	free(c->e);
	free(c->buckets);
	free(c);
}

size_t agent_cache_len(const agent_cache *c)
{
	return c->len;
}

static size_t bucket(const agent_cache *c, const uint8_t key[32])
{
	uint64_t h;
	memcpy(&h, key, sizeof h); /* already a SHA-256: any 8 bytes are uniform */
	return (size_t)(h & (c->nbuckets - 1));
}

static size_t find(const agent_cache *c, const uint8_t key[32])
{
	for (size_t i = c->buckets[bucket(c, key)]; i != NIL; i = c->e[i].next_hash)
		if (gh_ct_eq(c->e[i].key, key, 32))
			return i;
	return NIL;
}

static void lru_unlink(agent_cache *c, size_t i)
{
	entry *x = &c->e[i];
	if (x->prev != NIL)
		c->e[x->prev].next = x->next;
	else
		c->head = x->next;
	if (x->next != NIL)
		c->e[x->next].prev = x->prev;
	else
		c->tail = x->prev;
	x->prev = x->next = NIL;
}

static void lru_front(agent_cache *c, size_t i)
{
	entry *x = &c->e[i];
	x->prev = NIL;
	x->next = c->head;
	if (c->head != NIL)
		c->e[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

static void evict(agent_cache *c, size_t i)
{
	size_t *p = &c->buckets[bucket(c, c->e[i].key)];
	while (*p != i)
		p = &c->e[*p].next_hash;
	*p = c->e[i].next_hash;
	lru_unlink(c, i);
	gh_secure_zero(&c->e[i], sizeof c->e[i]);
	c->e[i].next_hash = c->free_list;
	c->free_list = i;
	c->len--;
}

agent_lookup agent_cache_get(agent_cache *c, const uint8_t key[32], int64_t now, agent_creds *out)
{
	size_t i = find(c, key);
	if (i == NIL)
		return AGENT_MISS;
	entry *x = &c->e[i];
	if (x->creds.expires - now <= AGENT_MIN_REMAINING) {
		evict(c, i);
		return AGENT_MISS;
	}
	lru_unlink(c, i);
	lru_front(c, i);
	*out = x->creds;
	return now >= x->refresh_at ? AGENT_REFRESH : AGENT_HIT;
}

void agent_cache_put(agent_cache *c, const uint8_t key[32], const agent_creds *cr, int64_t now)
{
	size_t i = find(c, key);
	if (i == NIL) {
		if (c->free_list != NIL) {
			i = c->free_list;
			c->free_list = c->e[i].next_hash;
		} else if (c->free_at < c->cap) {
			i = c->free_at++;
		} else {
			evict(c, c->tail); /* least recently used */
			i = c->free_list;
			c->free_list = c->e[i].next_hash;
		}
		entry *x = &c->e[i];
		memcpy(x->key, key, 32);
		size_t b = bucket(c, key);
		x->next_hash = c->buckets[b];
		c->buckets[b] = i;
		x->prev = x->next = NIL;
		c->len++;
	} else {
		lru_unlink(c, i);
	}
	entry *x = &c->e[i];
	x->creds = *cr;
	int64_t ttl = cr->expires - now;
	x->refresh_at = now + (ttl < AGENT_REFRESH_MAX ? ttl : AGENT_REFRESH_MAX);
	x->used = true;
	lru_front(c, i);
}

bool agent_error_evicts(const char *code)
{
	static const char *const evicting[] = { "ResourceNotFoundException", "ExpiredTokenException",
						"InvalidTokenException", "AccessDeniedException" };
	for (size_t i = 0; code && i < sizeof evicting / sizeof evicting[0]; i++)
		if (strcmp(code, evicting[i]) == 0)
			return true;
	return false;
}

bool agent_cache_failed(agent_cache *c, const uint8_t key[32], const char *code, int64_t now)
{
	size_t i = find(c, key);
	if (i == NIL)
		return false;
	if (agent_error_evicts(code)) {
		evict(c, i);
		return true;
	}
	c->e[i].refresh_at = now + AGENT_RETRY_SECONDS;
	return false;
}
