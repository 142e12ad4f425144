#include "crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

void gh_sha256(const void *data, size_t n, uint8_t out[GH_SHA256_LEN])
{
	SHA256(data, n, out);
}

void gh_sha256_hex(const void *data, size_t n, char out[2 * GH_SHA256_LEN + 1])
{
	uint8_t d[GH_SHA256_LEN];
	gh_sha256(data, n, d);
	gh_hex_encode(d, sizeof d, out);
}

void gh_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
		    uint8_t out[GH_SHA256_LEN])
{
	unsigned int len = GH_SHA256_LEN;
	HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len);
}

struct gh_sha256_ctx {
	EVP_MD_CTX *md;
};

gh_sha256_ctx *gh_sha256_new(void)
{
	gh_sha256_ctx *c = OPENSSL_malloc(sizeof *c);
	if (!c)
		return NULL;
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c->md);
		OPENSSL_free(c);
		return NULL;
	}
	return c;
}

void gh_sha256_update(gh_sha256_ctx *c, const void *data, size_t n)
{
	EVP_DigestUpdate(c->md, data, n);
}

void gh_sha256_final(gh_sha256_ctx *c, uint8_t out[GH_SHA256_LEN])
{
	unsigned int len = GH_SHA256_LEN;
	EVP_DigestFinal_ex(c->md, out, &len);
	EVP_MD_CTX_free(c->md);
	OPENSSL_free(c);
}

bool gh_ct_eq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

bool gh_ct_str_eq(gh_str a, gh_str b)
{
	if (a.n != b.n)
		return false;
	return a.n == 0 || CRYPTO_memcmp(a.p, b.p, a.n) == 0;
}

bool gh_random_bytes(void *out, size_t n)
{
	return n <= INT32_MAX && RAND_bytes(out, (int)n) == 1;
}

void gh_secure_zero(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}
