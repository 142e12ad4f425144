#include "crypto/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "crypto/hash.h"

struct gh_jwt_key {
	EVP_PKEY *pkey;
};

static bool ssl_fail(gh_err *err, const char *code, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";
	if (e)
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return gh_fail(err, code, 500, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

static gh_jwt_key *wrap(EVP_PKEY *p)
{
	gh_jwt_key *k = calloc(1, sizeof *k);
	if (!k) {
		EVP_PKEY_free(p);
		return NULL;
	}
	k->pkey = p;
	return k;
}

bool jwt_key_generate_rsa(int bits, gh_jwt_key **out, gh_err *err)
{
	EVP_PKEY *p = EVP_RSA_gen((unsigned)bits);
	if (!p)
		return ssl_fail(err, "KeyGenerationFailed", "generating an RSA key");
	*out = wrap(p);
	return *out ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
}

bool jwt_key_from_pem(gh_str pem, gh_jwt_key **out, gh_err *err)
{
	if (pem.n > INT32_MAX)
		return gh_fail(err, "InvalidKey", 400, "the PEM key is too large");
	BIO *bio = BIO_new_mem_buf(pem.p, (int)pem.n);
	EVP_PKEY *p = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	if (!p && bio) {
		ERR_clear_error();
		(void)BIO_reset(bio);
		p = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	if (!p)
		return ssl_fail(err, "InvalidKey", "reading a PEM key");
	*out = wrap(p);
	return *out ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
}

bool jwt_key_private_pem(const gh_jwt_key *k, gh_buf *out, gh_err *err)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	if (!bio || PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		BIO_free(bio);
		return ssl_fail(err, "ServiceFailure", "writing a private key");
	}
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	bool ok = n > 0 && gh_buf_put(out, data, (size_t)n);
	BIO_free(bio); /* secmem: the copy in the BIO is cleared on free */
	return ok ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
}

void jwt_key_free(gh_jwt_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

bool jwt_key_is_rsa(const gh_jwt_key *k)
{
	return EVP_PKEY_is_a(k->pkey, "RSA");
}

bool jwt_key_kid(const gh_jwt_key *k, char out[JWT_KID_LEN + 1])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k->pkey, &der);
	if (n <= 0)
		return false;
	uint8_t h[GH_SHA256_LEN];
	gh_sha256(der, (size_t)n, h);
	OPENSSL_free(der);
	base64_encode(h, sizeof h, BASE64_URL, false, out);
	return true;
}

static json_t *b64url_bn(const BIGNUM *bn)
{
	int n = BN_num_bytes(bn);
	uint8_t *bytes = malloc(n ? (size_t)n : 1);
	char *txt = malloc(base64_encoded_len((size_t)n, false) + 1);
	json_t *j = NULL;
	if (bytes && txt) {
		BN_bn2bin(bn, bytes);
		base64_encode(bytes, (size_t)n, BASE64_URL, false, txt);
		j = json_string(txt);
	}
	free(bytes);
	free(txt);
	return j;
}

json_t *jwt_key_public_jwk(const gh_jwt_key *k, const char *kid)
{
	if (!jwt_key_is_rsa(k))
		return NULL;
	BIGNUM *n = NULL, *e = NULL;
	json_t *jwk = NULL;
	if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1)
		jwk = json_pack("{s:s, s:s, s:s, s:s, s:o*, s:o*}", "use", "sig", "kty", "RSA", "kid", kid, "alg",
				"RS256", "n", b64url_bn(n), "e", b64url_bn(e));
	BN_free(n);
	BN_free(e);
	ERR_clear_error();
	return jwk;
}

/* A base64url JWK member, decoded into a malloc'd buffer. */
static bool jwk_bytes(const json_t *jwk, const char *name, uint8_t **out, size_t *n, gh_err *err)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	if (!s || !*s)
		return gh_fail(err, "InvalidKey", 400, "JWK: \"%s\" is missing", name);
	size_t len = strlen(s);
	if (len > 4096)
		return gh_fail(err, "InvalidKey", 400, "JWK: \"%s\" is too long", name);
	*out = malloc(base64_decoded_max(len) + 1);
	if (!*out)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	if (!base64_decode_rawurl((gh_str){ s, len }, *out, n, err)) {
		free(*out);
		*out = NULL;
		return gh_fail_wrap(err, "JWK: \"%s\"", name);
	}
	return true;
}

static bool from_params(const char *type, OSSL_PARAM_BLD *bld, gh_jwt_key **out, gh_err *err)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *p = NULL;
	bool ok = params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
		  EVP_PKEY_fromdata(ctx, &p, EVP_PKEY_PUBLIC_KEY, params) == 1;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	if (!ok)
		return ssl_fail(err, "InvalidKey", "JWK: not a usable public key");
	*out = wrap(p);
	return *out ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
}

static bool rsa_from_jwk(const json_t *jwk, gh_jwt_key **out, gh_err *err)
{
	uint8_t *nb = NULL, *eb = NULL;
	size_t nn = 0, en = 0;
	if (!jwk_bytes(jwk, "n", &nb, &nn, err) || !jwk_bytes(jwk, "e", &eb, &en, err)) {
		free(nb);
		return false;
	}
	BIGNUM *n = BN_bin2bn(nb, (int)nn, NULL), *e = BN_bin2bn(eb, (int)en, NULL);
	free(nb);
	free(eb);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	bool ok;
	/* Small RSA keys are forgeable; AWS wants at least 2048 bits too. */
	if (n && BN_num_bits(n) < 2048)
		ok = gh_fail(err, "InvalidKey", 400, "JWK: RSA modulus of %d bits, fewer than 2048", BN_num_bits(n));
	else
		ok = n && e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1 ? from_params("RSA", bld, out, err)
										 : gh_fail(err, "InvalidKey", 400,
											   "JWK: bad RSA parameters");
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ok;
}

static bool ec_from_jwk(const json_t *jwk, gh_jwt_key **out, gh_err *err)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const char *group;
	size_t clen;
	if (crv && strcmp(crv, "P-256") == 0)
		group = "prime256v1", clen = 32;
	else if (crv && strcmp(crv, "P-384") == 0)
		group = "secp384r1", clen = 48;
	else
		return gh_fail(err, "InvalidKey", 400, "JWK: unsupported EC curve \"%s\"", crv ? crv : "");
	uint8_t *x = NULL, *y = NULL;
	size_t xn = 0, yn = 0;
	if (!jwk_bytes(jwk, "x", &x, &xn, err) || !jwk_bytes(jwk, "y", &y, &yn, err)) {
		free(x);
		return false;
	}
	bool ok = xn == clen && yn == clen;
	uint8_t pub[1 + 2 * 48];
	if (ok) {
		pub[0] = 0x04; /* uncompressed point */
		memcpy(pub + 1, x, clen);
		memcpy(pub + 1 + clen, y, clen);
	}
	free(x);
	free(y);
	if (!ok)
		return gh_fail(err, "InvalidKey", 400, "JWK: EC coordinates of the wrong length for %s", crv);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	ok = bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
			     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * clen) == 1
		     ? from_params("EC", bld, out, err)
		     : gh_fail(err, "ServiceFailure", 500, "out of memory");
	OSSL_PARAM_BLD_free(bld);
	return ok;
}

bool jwt_key_from_jwk(const json_t *jwk, gh_jwt_key **out, gh_err *err)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	if (kty && strcmp(kty, "RSA") == 0)
		return rsa_from_jwk(jwk, out, err);
	if (kty && strcmp(kty, "EC") == 0)
		return ec_from_jwk(jwk, out, err);
	return gh_fail(err, "InvalidKey", 400, "JWK: unsupported key type \"%s\"", kty ? kty : "");
}

bool jwt_jwks_find(const json_t *jwks, const char *kid, gh_jwt_key **out, gh_err *err)
{
	const json_t *keys = json_object_get(jwks, "keys");
	if (!json_is_array(keys))
		return gh_fail(err, "NoSuchKey", 400, "the JWKS has no \"keys\" array");
	const json_t *hit = NULL;
	size_t candidates = 0;
	for (size_t i = 0; i < json_array_size(keys); i++) {
		const json_t *k = json_array_get(keys, i);
		const char *use = json_string_value(json_object_get(k, "use"));
		if (use && strcmp(use, "sig") != 0)
			continue;
		const char *id = json_string_value(json_object_get(k, "kid"));
		if (kid && *kid) {
			if (id && strcmp(id, kid) == 0) {
				hit = k;
				break;
			}
		} else {
			hit = k;
			candidates++;
		}
	}
	if (!hit)
		return gh_fail(err, "NoSuchKey", 400, "no key with kid \"%s\" in the JWKS", kid ? kid : "");
	if (candidates > 1)
		return gh_fail(err, "NoSuchKey", 400, "the token has no kid and the JWKS holds %zu keys", candidates);
	return jwt_key_from_jwk(hit, out, err);
}

/* --- signing ---------------------------------------------------------------------- */

static bool put_b64_json(gh_buf *out, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	bool ok = s && base64_encode_buf(s, strlen(s), BASE64_URL, false, out);
	free(s);
	return ok;
}

bool jwt_sign_rs256(const gh_jwt_key *k, const char *kid, const json_t *payload, gh_buf *out, gh_err *err)
{
	if (!jwt_key_is_rsa(k))
		return gh_fail(err, "InvalidKey", 500, "RS256 needs an RSA key");
	json_t *hdr = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "kid", kid, "typ", "JWT");
	size_t start = out->n;
	bool ok = hdr && put_b64_json(out, hdr) && gh_buf_putc(out, '.') && put_b64_json(out, payload);
	json_decref(hdr);
	if (!ok)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 0;
	uint8_t sig[1024];
	ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
	     EVP_DigestSign(md, NULL, &siglen, (const uint8_t *)out->p + start, out->n - start) == 1 &&
	     siglen <= sizeof sig &&
	     EVP_DigestSign(md, sig, &siglen, (const uint8_t *)out->p + start, out->n - start) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return ssl_fail(err, "ServiceFailure", "signing a token");
	ok = gh_buf_putc(out, '.') && base64_encode_buf(sig, siglen, BASE64_URL, false, out) && !out->oom;
	return ok ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
}

/* --- parsing ---------------------------------------------------------------------- */

static bool decode_json_segment(gh_str seg, const char *what, json_t **out, gh_err *err)
{
	uint8_t *raw = malloc(base64_decoded_max(seg.n) + 1);
	size_t n = 0;
	if (!raw)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	if (!seg.n) {
		free(raw);
		return gh_fail(err, "InvalidToken", 400, "%s: empty", what);
	}
	gh_err derr = { 0 };
	if (!base64_decode_rawurl(seg, raw, &n, &derr)) {
		/* the decoder's reason goes into our message: never format err->msg into itself */
		free(raw);
		return gh_fail(err, "InvalidToken", 400, "%s: not base64url: %s", what, derr.msg);
	}
	json_error_t je;
	*out = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, &je);
	free(raw);
	if (!*out)
		return gh_fail(err, "InvalidToken", 400, "%s: not JSON: %s", what, je.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return gh_fail(err, "InvalidToken", 400, "%s: not a JSON object", what);
	}
	return true;
}

bool jwt_parse(gh_str token, gh_jwt *out, gh_err *err)
{
	memset(out, 0, sizeof *out);
	if (token.n > JWT_MAX_LEN)
		return gh_fail(err, "InvalidToken", 400, "token of %zu bytes, more than %d", token.n, JWT_MAX_LEN);
	size_t d1 = gh_str_find(token, '.', 0);
	size_t d2 = d1 < token.n ? gh_str_find(token, '.', d1 + 1) : token.n;
	if (d1 == token.n || d2 == token.n || gh_str_find(token, '.', d2 + 1) != token.n) {
		size_t dots = 0;
		for (size_t i = 0; i < token.n; i++)
			dots += token.p[i] == '.';
		return gh_fail(err, "InvalidToken", 400, "token has %zu segments, not 3", dots + 1);
	}
	gh_str h = gh_str_sub(token, 0, d1), p = gh_str_sub(token, d1 + 1, d2 - d1 - 1),
	       s = gh_str_sub(token, d2 + 1, token.n - d2 - 1);
	if (!decode_json_segment(h, "header", &out->header, err))
		return false;
	if (!decode_json_segment(p, "payload", &out->payload, err)) {
		jwt_free(out);
		return false;
	}
	out->alg = json_string_value(json_object_get(out->header, "alg"));
	out->kid = json_string_value(json_object_get(out->header, "kid"));
	if (!out->kid)
		out->kid = "";
	if (!out->alg) {
		jwt_free(out);
		return gh_fail(err, "InvalidToken", 400, "header: \"alg\" is missing");
	}
	if (json_object_get(out->header, "crit")) {
		/* RFC 7515: extensions we do not understand must fail the token */
		jwt_free(out);
		return gh_fail(err, "InvalidToken", 400, "header: \"crit\" extensions are not supported");
	}
	out->sig = malloc(base64_decoded_max(s.n) + 1);
	if (!out->sig) {
		jwt_free(out);
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	}
	if (!s.n || !base64_decode_rawurl(s, out->sig, &out->sig_len, err)) {
		jwt_free(out);
		return gh_fail(err, "InvalidToken", 400, "signature: %s", s.n ? "not base64url" : "empty");
	}
	out->signing_input = gh_str_sub(token, 0, d2);
	return true;
}

void jwt_free(gh_jwt *j)
{
	json_decref(j->header);
	json_decref(j->payload);
	free(j->sig);
	memset(j, 0, sizeof *j);
}

/* JWS ES* signatures are r || s of fixed width; OpenSSL wants DER. */
static bool es_to_der(const uint8_t *sig, size_t n, size_t width, uint8_t **der, int *dlen)
{
	if (n != 2 * width)
		return false;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)width, NULL), *s = BN_bin2bn(sig + width, (int)width, NULL);
	if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return false;
	}
	*der = NULL;
	*dlen = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return *dlen > 0;
}

bool jwt_verify(const gh_jwt *j, const gh_jwt_key *k, gh_err *err)
{
	const EVP_MD *md = NULL;
	bool ec = false;
	const char *curve = NULL;
	size_t width = 0;
	if (strcmp(j->alg, "RS256") == 0)
		md = EVP_sha256();
	else if (strcmp(j->alg, "RS384") == 0)
		md = EVP_sha384();
	else if (strcmp(j->alg, "RS512") == 0)
		md = EVP_sha512();
	else if (strcmp(j->alg, "ES256") == 0)
		md = EVP_sha256(), ec = true, curve = "prime256v1", width = 32;
	else if (strcmp(j->alg, "ES384") == 0)
		md = EVP_sha384(), ec = true, curve = "secp384r1", width = 48;
	else
		return gh_fail(err, "UnsupportedAlgorithm", 400, "signing algorithm \"%s\" is not supported", j->alg);
	if (ec) {
		char group[64] = "";
		size_t gl = 0;
		if (!EVP_PKEY_is_a(k->pkey, "EC") ||
		    EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &gl) != 1 ||
		    strcmp(group, curve) != 0) {
			ERR_clear_error();
			return gh_fail(err, "UnsupportedAlgorithm", 400, "algorithm %s does not fit the key", j->alg);
		}
	} else if (!jwt_key_is_rsa(k)) {
		return gh_fail(err, "UnsupportedAlgorithm", 400, "algorithm %s does not fit the key", j->alg);
	}
	uint8_t *der = NULL;
	const uint8_t *sig = j->sig;
	size_t siglen = j->sig_len;
	if (ec) {
		int dl;
		if (!es_to_der(j->sig, j->sig_len, width, &der, &dl))
			return gh_fail(err, "InvalidSignature", 401, "the token's signature does not verify");
		sig = der;
		siglen = (size_t)dl;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
		  EVP_DigestVerify(ctx, sig, siglen, (const uint8_t *)j->signing_input.p, j->signing_input.n) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ERR_clear_error();
	return ok ? true : gh_fail(err, "InvalidSignature", 401, "the token's signature does not verify");
}

const char *jwt_claim_str(const gh_jwt *j, const char *name)
{
	return json_string_value(json_object_get(j->payload, name));
}

bool jwt_claim_int(const gh_jwt *j, const char *name, int64_t *out)
{
	const json_t *v = json_object_get(j->payload, name);
	if (!json_is_integer(v))
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

bool jwt_aud_has(const gh_jwt *j, const char *want)
{
	const json_t *aud = json_object_get(j->payload, "aud");
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), want) == 0;
	for (size_t i = 0; i < json_array_size(aud); i++) {
		const char *a = json_string_value(json_array_get(aud, i));
		if (a && strcmp(a, want) == 0)
			return true;
	}
	return false;
}
