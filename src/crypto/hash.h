/* hash: SHA-256, HMAC-SHA256, constant-time comparison and randomness, through OpenSSL.
 * The rest of gatehouse sees only these functions, never OpenSSL's types. */
#ifndef GH_CRYPTO_HASH_H
#define GH_CRYPTO_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

#define GH_SHA256_LEN 32

void gh_sha256(const void *data, size_t n, uint8_t out[GH_SHA256_LEN]);
/* Lowercase hex of SHA-256; out holds 65 bytes. */
void gh_sha256_hex(const void *data, size_t n, char out[2 * GH_SHA256_LEN + 1]);
void gh_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
		    uint8_t out[GH_SHA256_LEN]);

/* Incremental SHA-256 for data that arrives in pieces (canonical requests). */
typedef struct gh_sha256_ctx gh_sha256_ctx;
gh_sha256_ctx *gh_sha256_new(void);
void gh_sha256_update(gh_sha256_ctx *c, const void *data, size_t n);
void gh_sha256_final(gh_sha256_ctx *c, uint8_t out[GH_SHA256_LEN]); /* also frees c */

/* Compares in time that depends only on the lengths, never on where bytes differ. */
bool gh_ct_eq(const void *a, const void *b, size_t n);
bool gh_ct_str_eq(gh_str a, gh_str b); /* length leak only */

/* Cryptographically secure random bytes; false only if the OS RNG failed. */
bool gh_random_bytes(void *out, size_t n) GH_MUST_CHECK;

/* A random (version 4) UUID, lowercase "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx": request IDs,
 * audit IDs, trail event IDs. False only if the OS RNG failed (out is then all zeros). */
#define GH_UUID_LEN 36
bool gh_uuid4(char out[GH_UUID_LEN + 1]) GH_MUST_CHECK;

/* Overwrites memory in a way the compiler cannot drop. */
void gh_secure_zero(void *p, size_t n);

#endif
