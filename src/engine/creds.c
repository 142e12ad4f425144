#include "engine/creds.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "store/iam_store.h"

static uint64_t fnv1a(gh_str s)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < s.n; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *dupf(const char *fmt, ...) GH_PRINTF(1, 2);

static char *dupf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void cred_free(gh_cred *c)
{
	if (c->secret) {
		gh_secure_zero(c->secret, strlen(c->secret));
		free(c->secret);
	}
	free(c->akid);
	free(c->arn);
	free(c->user_id);
	free(c->principal_id);
	free(c->account);
	free(c->partition);
	free(c->user_name);
	free(c->role_arn);
	free(c->role_name);
	free(c->session_name);
	free(c->tags_json);
	free(c->transitive_json);
	free(c->source_identity);
}

static bool open_secret(const gh_kek *kek, const char *akid, const uint8_t *sealed, size_t n, char **out,
			gh_err *err)
{
	gh_buf aad = { 0 }, plain = { 0 };
	gh_buf_printf(&aad, "iam-secret:%s", akid);
	bool ok = kek_open(kek, (gh_str){ (const char *)sealed, n }, gh_buf_str(&aad), &plain, err);
	gh_buf_free(&aad);
	if (!ok) {
		aead_buf_wipe(&plain);
		return gh_fail_wrap(err, "opening the secret of %s", akid);
	}
	*out = gh_str_dup(gh_buf_str(&plain));
	aead_buf_wipe(&plain);
	return *out != NULL;
}

static void index_creds(gh_creds *c)
{
	c->nbuckets = 16;
	while (c->nbuckets < 2 * c->n + 1)
		c->nbuckets *= 2;
	c->buckets = malloc(c->nbuckets * sizeof *c->buckets);
	for (size_t i = 0; i < c->nbuckets; i++)
		c->buckets[i] = -1;
	for (size_t i = 0; i < c->n; i++) {
		size_t b = fnv1a(gh_str_c(c->creds[i].akid)) & (c->nbuckets - 1);
		while (c->buckets[b] >= 0)
			b = (b + 1) & (c->nbuckets - 1);
		c->buckets[b] = (int32_t)i;
	}
}

static bool add_user_keys(sqlite3 *db, const gh_kek *kek, const char *partition, gh_arena *a, gh_creds *c,
			  size_t cap, gh_err *err)
{
	iam_access_key *keys;
	size_t n;
	if (!iam_store_all_access_keys(db, a, &keys, &n, err))
		return false;
	for (size_t i = 0; i < n && c->n < cap; i++) {
		iam_user u;
		if (!iam_store_get_user_by_id(db, keys[i].user_id, a, &u, err))
			return false;
		gh_cred *cr = &c->creds[c->n];
		if (!open_secret(kek, keys[i].id, keys[i].sealed_secret, keys[i].sealed_len, &cr->secret, err))
			return false;
		c->n++;
		cr->akid = dup(keys[i].id);
		cr->kind = IAM_CALLER_USER;
		cr->admin = u.admin;
		cr->arn = dup(u.arn);
		cr->user_id = dup(u.id);
		cr->principal_id = dup(u.id);
		cr->account = dup(u.account);
		cr->partition = dup(partition);
		cr->user_name = dup(u.name);
	}
	return true;
}

static bool add_sessions(sqlite3 *db, const gh_kek *kek, const char *partition, gh_arena *a, gh_creds *c,
			 size_t cap, sts_session *s, size_t n, gh_err *err)
{
	for (size_t i = 0; i < n && c->n < cap; i++) {
		iam_role r;
		gh_err lookup;
		/* A session outlives nothing: a deleted role's sessions stop working at once. */
		if (!iam_store_get_role_by_id(db, s[i].role_id, a, &r, &lookup))
			continue;
		gh_cred *cr = &c->creds[c->n];
		if (!open_secret(kek, s[i].akid, s[i].sealed_secret, s[i].sealed_len, &cr->secret, err))
			return false;
		c->n++;
		cr->akid = dup(s[i].akid);
		cr->is_session = true;
		memcpy(cr->token_hash, s[i].token_hash, 32);
		cr->expires = s[i].expires;
		cr->kind = IAM_CALLER_ROLE_SESSION;
		cr->arn = dupf("arn:%s:sts::%s:assumed-role/%s/%s", partition, r.account, r.name, s[i].session_name);
		cr->user_id = dupf("%s:%s", r.id, s[i].session_name);
		cr->principal_id = dup(r.id);
		cr->account = dup(r.account);
		cr->partition = dup(partition);
		cr->role_arn = dup(r.arn);
		cr->role_name = dup(r.name);
		cr->session_name = dup(s[i].session_name);
		cr->tags_json = dup(s[i].tags_json);
		cr->transitive_json = dup(s[i].transitive_json);
		cr->source_identity = dup(s[i].source_identity);
	}
	return true;
}

bool creds_build(sqlite3 *db, const gh_kek *kek, const char *partition, int64_t now, gh_creds **out,
		 gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	iam_access_key *keys;
	sts_session *sessions;
	size_t nkeys, nsessions;
	gh_creds *c = NULL;
	bool ok = iam_store_all_access_keys(db, &a, &keys, &nkeys, err) &&
		  iam_store_live_sessions(db, now, &a, &sessions, &nsessions, err);
	if (ok) {
		c = calloc(1, sizeof *c);
		size_t cap = nkeys + nsessions;
		c->creds = calloc(cap ? cap : 1, sizeof *c->creds);
		atomic_init(&c->refs, 1);
		ok = add_user_keys(db, kek, partition, &a, c, cap, err) &&
		     add_sessions(db, kek, partition, &a, c, cap, sessions, nsessions, err);
		index_creds(c);
	}
	gh_arena_free(&a);
	if (!ok) {
		if (c)
			creds_unref(c);
		return false;
	}
	*out = c;
	return true;
}

const gh_cred *creds_find(const gh_creds *c, gh_str akid)
{
	if (!c || !c->nbuckets)
		return NULL;
	size_t b = fnv1a(akid) & (c->nbuckets - 1);
	while (c->buckets[b] >= 0) {
		const gh_cred *cr = &c->creds[c->buckets[b]];
		if (gh_str_eq_c(akid, cr->akid))
			return cr;
		b = (b + 1) & (c->nbuckets - 1);
	}
	return NULL;
}

void creds_ref(gh_creds *c)
{
	atomic_fetch_add(&c->refs, 1);
}

void creds_unref(gh_creds *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->n; i++)
		cred_free(&c->creds[i]);
	free(c->creds);
	free(c->buckets);
	free(c);
}
