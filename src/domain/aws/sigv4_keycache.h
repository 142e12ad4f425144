/* sigv4_keycache: a small fixed-size cache of derived SigV4 signing keys.
 *
 * Deriving a signing key costs four HMACs; a key is valid for one (access key id, day,
 * region, service) and the same caller sends many requests per day, so a cache removes
 * most of the cost of verification. The cache is an explicit object (no globals), with
 * striped mutexes, safe to share between threads. No I/O.
 *
 * Why it is safe:
 * - An entry is found only by the full tuple (access key id, scope date, region,
 *   service) compared byte for byte, never by a hash alone, and only when the
 *   fingerprint of the secret the caller holds now equals the one stored: a rotated (or
 *   deleted and recreated) secret misses, is derived afresh and replaces the entry, so
 *   a stale key can never verify a request.
 * - The fingerprint is SHA-256 over a per-cache random salt and the secret: it does not
 *   let a reader of the process memory test guesses of the secret without the salt, and
 *   it differs between caches.
 * - The caller must obtain the current secret from its store before every lookup; the
 *   cache cannot make a deleted or deactivated key valid, because it is never consulted
 *   without a secret.
 * - Keys are copied out under the stripe lock; entries are zeroed when replaced and
 *   when the cache is freed. A tuple too long for a slot bypasses the cache. */
#ifndef GH_DOMAIN_AWS_SIGV4_KEYCACHE_H
#define GH_DOMAIN_AWS_SIGV4_KEYCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "domain/aws/sigv4.h"

typedef struct sigv4_keycache sigv4_keycache;

typedef struct sigv4_keycache_stats {
	uint64_t hits, misses, bypasses;
} sigv4_keycache_stats;

/* `slots` is rounded up to a power of two (at least 16); NULL on allocation failure or
 * when the random salt cannot be drawn. */
sigv4_keycache *sigv4_keycache_new(size_t slots);
void sigv4_keycache_free(sigv4_keycache *c);

/* The signing key for the tuple and secret, from the cache or derived (and stored). */
void sigv4_keycache_get(sigv4_keycache *c, gh_str access_key_id, gh_str secret, gh_str date,
			gh_str region, gh_str service, uint8_t out[SIGV4_KEY_LEN]);
/* Drops every entry of one access key id (after its secret was deleted or rotated). */
void sigv4_keycache_forget(sigv4_keycache *c, gh_str access_key_id);
sigv4_keycache_stats sigv4_keycache_stats_get(sigv4_keycache *c);

#endif
