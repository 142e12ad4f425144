#include "crypto/aead.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/hash.h"

/* The size limit keeps every length inside OpenSSL's int parameters. */
#define AEAD_MAX_INPUT (INT_MAX / 2)

static bool aead_decrypt_failed(gh_err *err)
{
	/* One message for every cause: a padding-oracle style probe learns nothing. */
	return gh_fail(err, "DecryptFailed", 500, "sealed value could not be opened");
}

/* Feeds the version byte and then the caller's associated data, so the header byte is
 * authenticated as well. */
static bool aead_feed_aad(EVP_CIPHER_CTX *ctx, bool enc, uint8_t version, gh_str aad)
{
	int len;
	int (*update)(EVP_CIPHER_CTX *, unsigned char *, int *, const unsigned char *, int) =
		enc ? EVP_EncryptUpdate : EVP_DecryptUpdate;
	if (update(ctx, NULL, &len, &version, 1) != 1)
		return false;
	if (aad.n && update(ctx, NULL, &len, (const unsigned char *)aad.p, (int)aad.n) != 1)
		return false;
	return true;
}

bool aead_seal(const uint8_t key[GH_AEAD_KEY_LEN], gh_str plaintext, gh_str aad, gh_buf *out,
	       gh_err *err)
{
	if (plaintext.n > AEAD_MAX_INPUT || aad.n > AEAD_MAX_INPUT)
		return gh_fail(err, "InvalidInput", 400, "value too large to seal");
	if (!gh_buf_reserve(out, GH_AEAD_OVERHEAD + plaintext.n))
		return gh_fail(err, "OutOfMemory", 500, "out of memory sealing a value");
	size_t start = out->n;
	uint8_t *p = (uint8_t *)out->p + start;
	p[0] = GH_AEAD_V1;
	uint8_t *nonce = p + 1, *ct = nonce + GH_AEAD_NONCE_LEN, *tag = ct + plaintext.n;
	if (!gh_random_bytes(nonce, GH_AEAD_NONCE_LEN))
		return gh_fail(err, "CryptoError", 500, "random number generator failed");

	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bool ok = ctx && EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, NULL) == 1 &&
		  aead_feed_aad(ctx, true, GH_AEAD_V1, aad);
	int len = 0;
	if (ok && plaintext.n)
		ok = EVP_EncryptUpdate(ctx, ct, &len, (const unsigned char *)plaintext.p,
				       (int)plaintext.n) == 1 && (size_t)len == plaintext.n;
	int fin = 0;
	ok = ok && EVP_EncryptFinal_ex(ctx, ct + len, &fin) == 1 && fin == 0 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GH_AEAD_TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		gh_secure_zero(p, GH_AEAD_OVERHEAD + plaintext.n);
		out->p[start] = '\0';
		return gh_fail(err, "CryptoError", 500, "AES-GCM encryption failed");
	}
	out->n = start + GH_AEAD_OVERHEAD + plaintext.n;
	out->p[out->n] = '\0';
	return true;
}

bool aead_open(const uint8_t key[GH_AEAD_KEY_LEN], gh_str sealed, gh_str aad, gh_buf *out,
	       gh_err *err)
{
	if (sealed.n < GH_AEAD_OVERHEAD || sealed.n > AEAD_MAX_INPUT || aad.n > AEAD_MAX_INPUT)
		return aead_decrypt_failed(err);
	const uint8_t *in = (const uint8_t *)sealed.p;
	if (in[0] != GH_AEAD_V1)
		return aead_decrypt_failed(err);
	const uint8_t *nonce = in + 1, *ct = nonce + GH_AEAD_NONCE_LEN;
	size_t ctlen = sealed.n - GH_AEAD_OVERHEAD;
	const uint8_t *tag = ct + ctlen;
	if (!gh_buf_reserve(out, ctlen))
		return gh_fail(err, "OutOfMemory", 500, "out of memory opening a value");
	size_t start = out->n;
	uint8_t *pt = (uint8_t *)out->p + start;

	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bool ok = ctx && EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, NULL) == 1 &&
		  aead_feed_aad(ctx, false, in[0], aad);
	int len = 0;
	if (ok && ctlen)
		ok = EVP_DecryptUpdate(ctx, pt, &len, ct, (int)ctlen) == 1 && (size_t)len == ctlen;
	int fin = 0;
	/* OpenSSL only reads the tag through this call, so the const cast is harmless. */
	ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GH_AEAD_TAG_LEN, (void *)tag) == 1 &&
	     EVP_DecryptFinal_ex(ctx, pt + len, &fin) == 1 && fin == 0;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		/* Unauthenticated plaintext must never be seen by anyone. */
		gh_secure_zero(pt, ctlen);
		out->p[start] = '\0';
		return aead_decrypt_failed(err);
	}
	out->n = start + ctlen;
	out->p[out->n] = '\0';
	return true;
}

void aead_buf_wipe(gh_buf *b)
{
	if (b->p)
		gh_secure_zero(b->p, b->cap);
	gh_buf_free(b);
}
