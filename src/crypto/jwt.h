/* jwt: JSON Web Tokens (RFC 7519) in compact form, and the keys that sign them, through
 * OpenSSL's EVP interface.
 *
 * gatehouse signs service-account tokens with RS256 (RSA-2048 keys it generates) and
 * verifies RS256/RS384/RS512/ES256/ES384 tokens of other issuers. Keys travel as PKCS#8
 * PEM (to be sealed at rest by the caller) and as JWKs (RFC 7517) in JWKS documents.
 *
 * The parser is hostile-input safe: at most JWT_MAX_LEN bytes, exactly three base64url
 * segments, a JSON object header and payload, and an error that names the part at fault.
 * Verification takes the algorithm from the header but never lets it choose the key type:
 * an RS* header needs an RSA key, an ES* header an EC key on the matching curve, and
 * "none" or HS* are refused (the classic algorithm-confusion attacks). */
#ifndef GH_CRYPTO_JWT_H
#define GH_CRYPTO_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

/* STS's WebIdentityToken limit; no token gatehouse accepts is longer. */
#define JWT_MAX_LEN 20000
/* base64url_nopad(SHA-256) is 43 characters. */
#define JWT_KID_LEN 43

typedef struct gh_jwt_key gh_jwt_key;

/* A fresh RSA key of `bits` bits (2048 for service-account issuers). */
bool jwt_key_generate_rsa(int bits, gh_jwt_key **out, gh_err *err) GH_MUST_CHECK;
/* A private key (PKCS#8 or traditional PEM) or a public key ("BEGIN PUBLIC KEY"). */
bool jwt_key_from_pem(gh_str pem, gh_jwt_key **out, gh_err *err) GH_MUST_CHECK;
/* The private key as unencrypted PKCS#8 PEM, appended to out: seal it before storing. */
bool jwt_key_private_pem(const gh_jwt_key *k, gh_buf *out, gh_err *err) GH_MUST_CHECK;
void jwt_key_free(gh_jwt_key *k);
bool jwt_key_is_rsa(const gh_jwt_key *k);

/* kube-apiserver's key ID: base64url_nopad(SHA256(DER SubjectPublicKeyInfo)). */
bool jwt_key_kid(const gh_jwt_key *k, char out[JWT_KID_LEN + 1]) GH_MUST_CHECK;
/* The public JWK of an RSA key: {"use":"sig","kty":"RSA","kid","alg":"RS256","n","e"}
 * (n and e big-endian, base64url without padding, no leading zero bytes). NULL if the
 * key is not RSA or memory ran out. */
json_t *jwt_key_public_jwk(const gh_jwt_key *k, const char *kid);
/* A verification key from a JWK: kty RSA (n, e) or EC (crv P-256/P-384, x, y). */
bool jwt_key_from_jwk(const json_t *jwk, gh_jwt_key **out, gh_err *err) GH_MUST_CHECK;
/* The key with `kid` in a JWKS document ({"keys":[...]}); with an empty kid, the only
 * key (a JWKS of several keys needs a kid to choose). "NoSuchKey" when none fits. */
bool jwt_jwks_find(const json_t *jwks, const char *kid, gh_jwt_key **out, gh_err *err) GH_MUST_CHECK;

/* Signs `payload` (a JSON object) as {"alg":"RS256","kid":kid,"typ":"JWT"}; appends the
 * compact token to out. The payload is serialized with sorted keys, as upstream. */
bool jwt_sign_rs256(const gh_jwt_key *k, const char *kid, const json_t *payload, gh_buf *out,
		    gh_err *err) GH_MUST_CHECK;

/* A parsed, not yet verified, token. */
typedef struct gh_jwt {
	json_t *header, *payload; /* owned */
	const char *alg, *kid;	   /* from the header; kid "" when absent */
	gh_str signing_input;	   /* view into the token given to jwt_parse */
	uint8_t *sig;		   /* owned */
	size_t sig_len;
} gh_jwt;

/* Code "InvalidToken" (400) with what was wrong: "token has 2 segments, not 3",
 * "header: not base64url: illegal base64 data at input byte 7", "payload: not a JSON
 * object", ... */
bool jwt_parse(gh_str token, gh_jwt *out, gh_err *err) GH_MUST_CHECK;
void jwt_free(gh_jwt *j);
/* Verifies the signature of a parsed token with `k` ("InvalidSignature" 401 when it does
 * not verify, "UnsupportedAlgorithm" 400 for an algorithm outside the list above or one
 * that does not fit the key). */
bool jwt_verify(const gh_jwt *j, const gh_jwt_key *k, gh_err *err) GH_MUST_CHECK;

/* Claim helpers: a string claim or NULL; an integer claim (JSON integer only, as STS
 * wants integer timestamps). */
const char *jwt_claim_str(const gh_jwt *j, const char *name);
bool jwt_claim_int(const gh_jwt *j, const char *name, int64_t *out);
/* True when `aud` (a string or an array of strings) contains `want`. */
bool jwt_aud_has(const gh_jwt *j, const char *want);

#endif
