#include "domain/aws/sigv4_keycache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"

#define STRIPES 16
#define AKID_MAX 128
#define DATE_MAX 8
#define REGION_MAX 32
#define SERVICE_MAX 32
#define SECRET_MAX 256
#define SALT_LEN 32

typedef struct entry {
	bool used;
	uint8_t akid_n, date_n, region_n, service_n;
	char akid[AKID_MAX];
	char date[DATE_MAX];
	char region[REGION_MAX];
	char service[SERVICE_MAX];
	uint8_t fp[GH_SHA256_LEN];
	uint8_t key[SIGV4_KEY_LEN];
} entry;

struct sigv4_keycache {
	size_t mask;
	entry *slots;
	uint8_t salt[SALT_LEN];
	pthread_mutex_t locks[STRIPES];
	sigv4_keycache_stats stats[STRIPES]; /* per stripe, guarded by its lock */
};

sigv4_keycache *sigv4_keycache_new(size_t slots)
{
	size_t n = 16;
	while (n < slots && n < ((size_t)1 << 24))
		n <<= 1;
	sigv4_keycache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->slots = calloc(n, sizeof *c->slots);
	if (!c->slots || !gh_random_bytes(c->salt, sizeof c->salt)) {
		free(c->slots);
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	return c;
}

void sigv4_keycache_free(sigv4_keycache *c)
{
	if (!c)
		return;
	gh_secure_zero(c->slots, (c->mask + 1) * sizeof *c->slots);
	gh_secure_zero(c->salt, sizeof c->salt);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->slots);
	free(c);
}

/* FNV-1a over the salt and the fields, with the lengths mixed in so that field
 * boundaries count: only a slot index, never an identity (the tuple is compared). */
static uint64_t tuple_hash(const sigv4_keycache *c, const gh_str *f, int nf)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < 8; i++)
		h = (h ^ c->salt[i]) * 1099511628211ull;
	for (int k = 0; k < nf; k++) {
		for (size_t i = 0; i < f[k].n; i++)
			h = (h ^ (unsigned char)f[k].p[i]) * 1099511628211ull;
		h = (h ^ (f[k].n + 0x100)) * 1099511628211ull;
	}
	return h ^ (h >> 29);
}

/* memcpy/memcmp must not see NULL even for zero bytes (empty views may be NULL). */
static void copy(void *d, const void *s, size_t n)
{
	if (n)
		memcpy(d, s, n);
}

static void fingerprint(const sigv4_keycache *c, gh_str secret, uint8_t out[GH_SHA256_LEN])
{
	uint8_t buf[SALT_LEN + SECRET_MAX];
	memcpy(buf, c->salt, SALT_LEN);
	copy(buf + SALT_LEN, secret.p, secret.n);
	gh_sha256(buf, SALT_LEN + secret.n, out);
	/* Only these bytes ever held the secret: the rest of buf was never written. */
	gh_secure_zero(buf, SALT_LEN + secret.n);
}

static bool field_eq(const char *stored, uint8_t n, gh_str s)
{
	return n == s.n && (n == 0 || memcmp(stored, s.p, s.n) == 0);
}

static bool entry_matches(const entry *e, const gh_str *f)
{
	return e->used && field_eq(e->akid, e->akid_n, f[0]) && field_eq(e->date, e->date_n, f[1]) &&
	       field_eq(e->region, e->region_n, f[2]) && field_eq(e->service, e->service_n, f[3]);
}

static void entry_store(entry *e, const gh_str *f, const uint8_t fp[GH_SHA256_LEN],
			const uint8_t key[SIGV4_KEY_LEN])
{
	gh_secure_zero(e, sizeof *e);
	e->used = true;
	e->akid_n = (uint8_t)f[0].n;
	e->date_n = (uint8_t)f[1].n;
	e->region_n = (uint8_t)f[2].n;
	e->service_n = (uint8_t)f[3].n;
	copy(e->akid, f[0].p, f[0].n);
	copy(e->date, f[1].p, f[1].n);
	copy(e->region, f[2].p, f[2].n);
	copy(e->service, f[3].p, f[3].n);
	memcpy(e->fp, fp, GH_SHA256_LEN);
	memcpy(e->key, key, SIGV4_KEY_LEN);
}

void sigv4_keycache_get(sigv4_keycache *c, gh_str access_key_id, gh_str secret, gh_str date,
			gh_str region, gh_str service, uint8_t out[SIGV4_KEY_LEN])
{
	gh_str f[4] = { access_key_id, date, region, service };
	if (access_key_id.n > AKID_MAX || date.n > DATE_MAX || region.n > REGION_MAX ||
	    service.n > SERVICE_MAX || secret.n > SECRET_MAX) {
		sigv4_signing_key(secret, date, region, service, out);
		pthread_mutex_lock(&c->locks[0]);
		c->stats[0].bypasses++;
		pthread_mutex_unlock(&c->locks[0]);
		return;
	}
	uint8_t fp[GH_SHA256_LEN];
	fingerprint(c, secret, fp);
	size_t slot = (size_t)tuple_hash(c, f, 4) & c->mask;
	pthread_mutex_t *lock = &c->locks[slot % STRIPES];
	sigv4_keycache_stats *st = &c->stats[slot % STRIPES];
	entry *e = &c->slots[slot];

	pthread_mutex_lock(lock);
	bool hit = entry_matches(e, f) && gh_ct_eq(e->fp, fp, sizeof fp);
	if (hit) {
		memcpy(out, e->key, SIGV4_KEY_LEN);
		st->hits++;
	}
	pthread_mutex_unlock(lock);
	if (hit)
		return;

	/* Derive outside the lock: four HMACs should not serialize other threads. */
	sigv4_signing_key(secret, date, region, service, out);
	pthread_mutex_lock(lock);
	entry_store(e, f, fp, out);
	st->misses++;
	pthread_mutex_unlock(lock);
}

void sigv4_keycache_forget(sigv4_keycache *c, gh_str access_key_id)
{
	for (size_t i = 0; i <= c->mask; i++) {
		pthread_mutex_t *lock = &c->locks[i % STRIPES];
		pthread_mutex_lock(lock);
		entry *e = &c->slots[i];
		if (e->used && field_eq(e->akid, e->akid_n, access_key_id))
			gh_secure_zero(e, sizeof *e);
		pthread_mutex_unlock(lock);
	}
}

sigv4_keycache_stats sigv4_keycache_stats_get(sigv4_keycache *c)
{
	sigv4_keycache_stats s = { 0, 0, 0 };
	for (int i = 0; i < STRIPES; i++) {
		pthread_mutex_lock(&c->locks[i]);
		s.hits += c->stats[i].hits;
		s.misses += c->stats[i].misses;
		s.bypasses += c->stats[i].bypasses;
		pthread_mutex_unlock(&c->locks[i]);
	}
	return s;
}
