/* Pass-through token verification: after the local format checks, call the STS URL in
 * the token the way aws-iam-authenticator does (GET, x-k8s-aws-id: <cluster>, accept:
 * application/json, 10 s, no redirects) and cache the answer until the token expires, so
 * a token is sent to STS once however often kube-apiserver asks. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "domain/authn/sts_answer.h"
#include "engine/engine_internal.h"
#include "http/client.h"

#define CACHE_SLOTS 4096

typedef struct slot {
	uint8_t key[32];	/* SHA-256 of cluster NUL token: never the token itself */
	int64_t expires;	/* 0 = empty */
	char *blob;		/* the identity's strings, NUL-separated */
	gh_identity id;		/* views into blob */
} slot;

struct gh_passthrough {
	pthread_mutex_t mu;
	slot slots[CACHE_SLOTS];
	char *ca_file;
};

gh_passthrough *passthrough_new(const char *ca_file)
{
	gh_passthrough *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->ca_file = ca_file ? strdup(ca_file) : NULL;
	return p;
}

void passthrough_free(gh_passthrough *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(p->slots[i].blob);
	pthread_mutex_destroy(&p->mu);
	free(p->ca_file);
	free(p);
}

static void cache_key(gh_str cluster, gh_str token, uint8_t out[32])
{
	gh_sha256_ctx *c = gh_sha256_new();
	if (!c) {
		memset(out, 0, 32);
		return;
	}
	gh_sha256_update(c, cluster.p, cluster.n);
	gh_sha256_update(c, "", 1);
	gh_sha256_update(c, token.p, token.n);
	gh_sha256_final(c, out);
}

static size_t slot_of(const uint8_t key[32])
{
	size_t h;
	memcpy(&h, key, sizeof h);
	return h % CACHE_SLOTS;
}

/* Copies the identity's views into one allocation the slot owns. */
static void store(slot *s, const gh_identity *id, int64_t expires)
{
	gh_str parts[] = { id->arn, id->canonical_arn, id->path_arn, id->account_id, id->user_id,
			   id->principal_id, id->session_name, id->access_key_id, id->partition };
	size_t total = 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		total += parts[i].n + 1;
	char *blob = malloc(total), *w = blob;
	if (!blob)
		return;
	gh_str copy[sizeof parts / sizeof parts[0]];
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (parts[i].n) /* empty views may carry a NULL pointer */
			memcpy(w, parts[i].p, parts[i].n);
		copy[i] = (gh_str){ w, parts[i].n };
		w += parts[i].n;
		*w++ = '\0';
	}
	free(s->blob);
	s->blob = blob;
	s->expires = expires;
	s->id = (gh_identity){ .kind = id->kind, .arn = copy[0], .canonical_arn = copy[1], .path_arn = copy[2],
			       .account_id = copy[3], .user_id = copy[4], .principal_id = copy[5],
			       .session_name = copy[6], .access_key_id = copy[7], .partition = copy[8] };
}

static bool lookup(gh_passthrough *p, const uint8_t key[32], int64_t now, gh_arena *a, gh_identity *out)
{
	pthread_mutex_lock(&p->mu);
	slot *s = &p->slots[slot_of(key)];
	bool hit = s->expires > now && gh_ct_eq(s->key, key, 32);
	if (hit) {
		const gh_identity *c = &s->id;
		*out = (gh_identity){ .kind = c->kind, .arn = gh_arena_str(a, c->arn),
				      .canonical_arn = gh_arena_str(a, c->canonical_arn),
				      .path_arn = gh_arena_str(a, c->path_arn),
				      .account_id = gh_arena_str(a, c->account_id),
				      .user_id = gh_arena_str(a, c->user_id),
				      .principal_id = gh_arena_str(a, c->principal_id),
				      .session_name = gh_arena_str(a, c->session_name),
				      .access_key_id = gh_arena_str(a, c->access_key_id),
				      .partition = gh_arena_str(a, c->partition) };
	}
	pthread_mutex_unlock(&p->mu);
	return hit;
}

bool passthrough_verify(gh_engine *e, gh_str cluster, gh_str token, const token_result *tok, gh_arena *a,
			bool *cached, gh_identity *out, gh_err *err)
{
	gh_passthrough *p = e->passthrough;
	uint8_t key[32];
	cache_key(cluster, token, key);
	int64_t now = engine_now(e);
	*cached = lookup(p, key, now, a, out);
	if (*cached)
		return true;

	char *url = gh_arena_strndup(a, tok->url.p, tok->url.n);
	gh_http_header hdrs[] = { { GH_STR("x-k8s-aws-id"), cluster }, { GH_STR("accept"), GH_STR("application/json") } };
	gh_http_client_config cc = { .timeout_ms = 10000, .max_response_bytes = STS_ANSWER_MAX_BYTES + 1,
				     .ca_file = p->ca_file };
	gh_http_client_request rq = { .method = "GET", .url = url, .headers = hdrs, .nheaders = 2 };
	gh_http_client_response rs = { 0 };
	if (!http_client_do(&cc, &rq, &rs, err)) {
		http_client_response_free(&rs);
		return gh_fail_wrap(err, "sts getCallerIdentity failed");
	}
	bool ok = sts_answer_parse((int)rs.status, gh_buf_str(&rs.body), tok->access_key_id, a, out, err);
	http_client_response_free(&rs);
	if (!ok)
		return false;
	pthread_mutex_lock(&p->mu);
	slot *s = &p->slots[slot_of(key)];
	memcpy(s->key, key, 32);
	store(s, out, tok->expires_at);
	pthread_mutex_unlock(&p->mu);
	return true;
}
