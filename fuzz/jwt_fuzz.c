/* Fuzzes the JWT parser and verifier, and the JWK/JWKS reader, on arbitrary input.
 * Invariants: no crash or leak; a parsed token has an alg, a kid (possibly empty), and a
 * signing input that is a prefix of the input ending just before the second dot;
 * verification with an RSA and an EC key (the ES256 seed's) decides without crashing;
 * the payload read as a JWKS yields a key only when it names one. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"

static gh_jwt_key *rsa_key, *ec_key;

static void keys_once(void)
{
	if (rsa_key)
		return;
	gh_err err = { 0 };
	if (!jwt_key_generate_rsa(2048, &rsa_key, &err))
		abort();
	json_t *jwk = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x",
				"TvnvArnRclveXbH8xc-VThpfn3TQTi_g3DExI0jXmUk", "y",
				"jhyMM6dOWA_JYj24y7PbWSimigXo8Q7A75AAEjKJfnI");
	if (!jwk || !jwt_key_from_jwk(jwk, &ec_key, &err))
		abort();
	json_decref(jwk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	keys_once();
	gh_str tok = { (const char *)data, size };
	gh_jwt j;
	gh_err err = { 0 };
	if (!jwt_parse(tok, &j, &err)) {
		if (!err.code)
			abort();
		return 0;
	}
	if (!j.alg || !j.kid || j.signing_input.p != tok.p || j.signing_input.n >= size ||
	    memchr(j.signing_input.p, '.', j.signing_input.n) == NULL)
		abort();
	/* a fresh key: nothing the fuzzer makes can verify with it */
	if (jwt_verify(&j, rsa_key, &err))
		abort();
	(void)jwt_verify(&j, ec_key, &err);
	(void)jwt_claim_str(&j, "sub");
	int64_t exp;
	(void)jwt_claim_int(&j, "exp", &exp);
	(void)jwt_aud_has(&j, "sts.amazonaws.com");
	gh_jwt_key *k = NULL;
	if (jwt_jwks_find(j.payload, j.kid, &k, &err)) {
		if (!k)
			abort();
		(void)jwt_verify(&j, k, &err);
		jwt_key_free(k);
	}
	jwt_free(&j);
	return 0;
}
