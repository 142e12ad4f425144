#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* OpenSSL 3's one-shot SHA256() and HMAC() look the algorithm up (under a lock) on every
 * call; SigV4 verification makes six HMACs and a hash per request, so the algorithm and
 * a template MAC context are fetched once and contexts are reused per thread. */
static EVP_MD *sha256_md;
static EVP_MAC *hmac_mac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

struct thread_ctx {
	EVP_MD_CTX *md;
	EVP_MAC_CTX *mac;
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void free_thread_ctx(void *p)
{
	struct thread_ctx *t = p;
	EVP_MD_CTX_free(t->md);
	EVP_MAC_CTX_free(t->mac);
	OPENSSL_free(t);
}

static void make_key(void)
{
	pthread_key_create(&tls_key, free_thread_ctx);
}

static struct thread_ctx *thread_ctx(void)
{
	pthread_once(&fetch_once, fetch);
	pthread_once(&tls_once, make_key);
	struct thread_ctx *t = pthread_getspecific(tls_key);
	if (!t) {
		t = OPENSSL_zalloc(sizeof *t);
		if (!t)
			return NULL;
		t->md = EVP_MD_CTX_new();
		t->mac = EVP_MAC_CTX_new(hmac_mac);
		OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
					OSSL_PARAM_construct_end() };
		if (!t->md || !t->mac || !EVP_MAC_CTX_set_params(t->mac, params)) {
			free_thread_ctx(t);
			return NULL;
		}
		pthread_setspecific(tls_key, t);
	}
	return t;
}

void gh_sha256(const void *data, size_t n, uint8_t out[GH_SHA256_LEN])
{
	struct thread_ctx *t = thread_ctx();
	unsigned int len = GH_SHA256_LEN;
	if (!t || !EVP_DigestInit_ex(t->md, sha256_md, NULL) || !EVP_DigestUpdate(t->md, data, n) ||
	    !EVP_DigestFinal_ex(t->md, out, &len))
		EVP_Digest(data, n, out, &len, EVP_sha256(), NULL); /* slow path, same answer */
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
	struct thread_ctx *t = thread_ctx();
	size_t len = 0;
	if (t && EVP_MAC_init(t->mac, key, keylen, NULL) && EVP_MAC_update(t->mac, data, n) &&
	    EVP_MAC_final(t->mac, out, &len, GH_SHA256_LEN) && len == GH_SHA256_LEN)
		return;
	/* Only an allocation failure gets here; EVP_Q_mac is slower but equivalent. */
	EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, data, n, out, GH_SHA256_LEN, &len);
}

struct gh_sha256_ctx {
	EVP_MD_CTX *md;
};

gh_sha256_ctx *gh_sha256_new(void)
{
	gh_sha256_ctx *c = OPENSSL_malloc(sizeof *c);
	if (!c)
		return NULL;
	pthread_once(&fetch_once, fetch);
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, sha256_md, NULL) != 1) {
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

bool gh_uuid4(char out[GH_UUID_LEN + 1])
{
	uint8_t r[16];
	bool ok = gh_random_bytes(r, sizeof r);
	if (!ok)
		memset(r, 0, sizeof r);
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	char hex[33];
	gh_hex_encode(r, 16, hex);
	snprintf(out, GH_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return ok;
}
