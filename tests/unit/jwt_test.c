/* jwt: signing and verification round trips, upstream's kid, other issuers' algorithms
 * (vectors made with Python's cryptography package), tampering and the parser's hostile
 * inputs. */
#include <jansson.h>
#include <string.h>

#include "crypto/jwt.h"
#include "test.h"

/* An RSA-2048 public key and its kid as `openssl pkey -pubin -outform DER | openssl dgst
 * -sha256 -binary | base64url` computes it (kube-apiserver's keyIDFromPublicKey). */
static const char vector_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA07PWpodLFnDZAWP12q1C\n"
	"MKkX3NvAkyN3kFeJ80dMxIjVHcYMhVy7GiyutwywZR+t6Hq+S8dFz1o9/vRelTDm\n"
	"L6znbHavRQAeRei9J9Qo6IfdCKTrZnkg/FTOXzKXRP55mHLeo/dsHog3a4/iX3Z9\n"
	"3EzZ+dlV+gjFcrJxuHWCX2+DaC1BEBL0Kj9Wl3M/7t983R9HyDyIZeptiXNrmI7S\n"
	"RDWycq+QEm0k1S4Qy/e8wK/oAsDjN09jhApBJVEC3w7oDL6rheqtvFrC17fdLojb\n"
	"zwbk8H2GY20hhfHEERC0mRFe/4nteaLt5R52+9U9y12CTQuRTcU3Vvx5S7XaLg0L\n"
	"IwIDAQAB\n"
	"-----END PUBLIC KEY-----\n";
static const char vector_kid[] = "LXrBvwHaegE713VtkP5oKI0IvsK86H8g0n7iYem_7V4";
static const char rs384_token[] = "eyJhbGciOiJSUzM4NCIsImtpZCI6IkxYckJ2d0hhZWdFNzEzVnRrUDVvS0kwSXZzSzg2SDhnMG43aVllbV83VjQifQ.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoicyJ9.cvqHv43yIYAvpEF6GfJXfxs0VuzKgiJQ1MRVe3onvS-3G9stYsowg9N9ArNa4sHDKfTrG5S84itOQR1lQHiPQCGt2D3DBwHdn0S4zztPB6b4u2285tPNy1ynmru4WVq5Zj04OXTselq9dUqhwt_a0KJNBmxFkw_7SxJlDE2J_v8tcB5YLyCjwdyCPV7ciYrUTtFR1qVWdoF44J-sAQagEKa2vew3__Lhzmhh58ohSDhmWWHrCcYTFqc2QeaW5bLUc5VAbFezkAyqxOF6dkQG_LbAxDHxFH6QKlDu8-dlQJCjmHBwwLHePJWn1y24eNm8RObzlv9Sk5bhlVQAdbQTbQ";
static const char rs512_token[] = "eyJhbGciOiJSUzUxMiIsImtpZCI6IkxYckJ2d0hhZWdFNzEzVnRrUDVvS0kwSXZzSzg2SDhnMG43aVllbV83VjQifQ.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoicyJ9.EO9F4TqBCBpja7L5EWnQ8m8A06OUuN1rdCbLTGNfX77sYNOFqjdBQzXhKPjKqPY3SjUeAhysms5GV8sSjPEh7BTf_n5X9mEqwvStf4ySRcr7l0UcTZ8MyaKP7vJiU-SY8UwbSkU_gy6wKZt2bo1h18WxpiabjHdvQGGiRBfSWGIA2Ijr1i1csKsVh6St-VkZ85l3SRQG-ZUThY7ae4TWyi37NbCKH9gQKMgXVzwg9SafH_n6HOQ-0WCouQEwPGDmxrHggMfQDICb7OZGPZhmdjrhiL7OaBgcAbPhzSfPNueDh5B50GpofXart3M-wLANG9Tx7qAYyL0UStnfHPmWHg";
static const char es256_jwk[] = "{\"kty\": \"EC\", \"crv\": \"P-256\", \"kid\": \"ec-ES256\", \"x\": \"TvnvArnRclveXbH8xc-VThpfn3TQTi_g3DExI0jXmUk\", \"y\": \"jhyMM6dOWA_JYj24y7PbWSimigXo8Q7A75AAEjKJfnI\"}";
static const char es256_token[] = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjLUVTMjU2In0.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoicyIsImF1ZCI6ImEiLCJleHAiOjQxMDI0NDQ4MDB9.jrIaXt9qkHlV44urfavlxCDw4KYW550L92d5XJ7kYd5pgoeIwSDtzhVbZ2fbd5LeCDcCpDy-uw2U2myy38QFEQ";
static const char es384_jwk[] = "{\"kty\": \"EC\", \"crv\": \"P-384\", \"kid\": \"ec-ES384\", \"x\": \"pnj3fTN7vvx-T1B3ooH-iZWxmAHD8GA5N9L-kTr_6COdHfd3cdv9NbTPObzSceQ8\", \"y\": \"tuOOSNOnAKFLZQC5Y7qlA7KYP7mZTcLeMPRXTviRKsMC-1fSsQqQ-3fy_Rzlx2Th\"}";
static const char es384_token[] = "eyJhbGciOiJFUzM4NCIsImtpZCI6ImVjLUVTMzg0In0.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoicyIsImF1ZCI6ImEiLCJleHAiOjQxMDI0NDQ4MDB9.Sn0Gj7u28L3NqvBQU5h_9wjyIi0CQHFFKUZVV6UNxppYNbO1Pww-u7xRFHpNUj3htKiC7Zls2pWZKMZbb1Dy8MYVFNnOTsuZs77PXXd8jc2e0imGi5Zk8ZipUruxk5HO";

/* One generated key for every test here: RSA generation takes tens of milliseconds. */
static gh_jwt_key *shared_key;

static gh_jwt_key *test_key(void)
{
	gh_err err = { 0 };
	if (!shared_key && !jwt_key_generate_rsa(2048, &shared_key, &err))
		return NULL;
	return shared_key;
}

__attribute__((destructor)) static void free_test_key(void)
{
	jwt_key_free(shared_key);
}

static bool sign(const char *payload_json, gh_buf *out)
{
	json_t *p = json_loads(payload_json, 0, NULL);
	char kid[JWT_KID_LEN + 1];
	gh_err err = { 0 };
	bool ok = p && jwt_key_kid(test_key(), kid) && jwt_sign_rs256(test_key(), kid, p, out, &err);
	json_decref(p);
	return ok;
}

static bool verifies(const char *token, const gh_jwt_key *k, gh_err *err)
{
	gh_jwt j;
	if (!jwt_parse(gh_str_c(token), &j, err))
		return false;
	bool ok = jwt_verify(&j, k, err);
	jwt_free(&j);
	return ok;
}

TEST(jwt_sign_verify_round_trip)
{
	gh_jwt_key *k = test_key();
	REQUIRE(k);
	gh_buf t = { 0 };
	REQUIRE(sign("{\"sub\":\"system:serviceaccount:default:app\",\"exp\":100,\"aud\":[\"sts.amazonaws.com\"]}", &t));
	gh_jwt j;
	gh_err err = { 0 };
	REQUIRE(jwt_parse(gh_buf_str(&t), &j, &err));
	CHECK_STR_EQ(j.alg, "RS256");
	CHECK_STR_EQ(json_string_value(json_object_get(j.header, "typ")), "JWT");
	char kid[JWT_KID_LEN + 1];
	REQUIRE(jwt_key_kid(k, kid));
	CHECK_STR_EQ(j.kid, kid);
	CHECK(jwt_verify(&j, k, &err));
	CHECK_STR_EQ(jwt_claim_str(&j, "sub"), "system:serviceaccount:default:app");
	int64_t exp = 0;
	CHECK(jwt_claim_int(&j, "exp", &exp));
	CHECK_INT_EQ(exp, 100);
	CHECK(jwt_aud_has(&j, "sts.amazonaws.com"));
	CHECK(!jwt_aud_has(&j, "sts"));
	CHECK(j.sig_len == 256);
	jwt_free(&j);

	/* The same key through PEM and through its public JWK verifies too. */
	gh_buf pem = { 0 };
	REQUIRE(jwt_key_private_pem(k, &pem, &err));
	CHECK_CONTAINS(pem.p, "BEGIN PRIVATE KEY");
	gh_jwt_key *k2 = NULL, *k3 = NULL;
	REQUIRE(jwt_key_from_pem(gh_buf_str(&pem), &k2, &err));
	CHECK(verifies(t.p, k2, &err));
	json_t *jwk = jwt_key_public_jwk(k, kid);
	REQUIRE(jwk);
	CHECK_STR_EQ(json_string_value(json_object_get(jwk, "kty")), "RSA");
	CHECK_STR_EQ(json_string_value(json_object_get(jwk, "use")), "sig");
	CHECK_STR_EQ(json_string_value(json_object_get(jwk, "alg")), "RS256");
	CHECK_STR_EQ(json_string_value(json_object_get(jwk, "e")), "AQAB");
	CHECK_INT_EQ(strlen(json_string_value(json_object_get(jwk, "n"))), 342); /* 256 bytes, no padding */
	REQUIRE(jwt_key_from_jwk(jwk, &k3, &err));
	CHECK(verifies(t.p, k3, &err));
	json_decref(jwk);
	jwt_key_free(k2);
	jwt_key_free(k3);
	gh_buf_free(&pem);
	gh_buf_free(&t);
}

TEST(jwt_kid_matches_upstream)
{
	gh_jwt_key *k = NULL;
	gh_err err = { 0 };
	REQUIRE(jwt_key_from_pem(gh_str_c(vector_pub), &k, &err));
	char kid[JWT_KID_LEN + 1];
	REQUIRE(jwt_key_kid(k, kid));
	CHECK_STR_EQ(kid, vector_kid);
	/* RS384 and RS512 tokens of another issuer verify with the same key */
	CHECK(verifies(rs384_token, k, &err));
	CHECK(verifies(rs512_token, k, &err));
	jwt_key_free(k);
}

TEST(jwt_verifies_ec_issuers)
{
	const char *jwks[] = { es256_jwk, es384_jwk }, *toks[] = { es256_token, es384_token };
	for (int i = 0; i < 2; i++) {
		json_t *jwk = json_loads(jwks[i], 0, NULL);
		gh_jwt_key *k = NULL;
		gh_err err = { 0 };
		REQUIRE(jwk && jwt_key_from_jwk(jwk, &k, &err));
		CHECK(verifies(toks[i], k, &err));
		/* a flipped signature byte fails */
		char *bad = strdup(toks[i]);
		size_t n = strlen(bad);
		bad[n - 3] = bad[n - 3] == 'A' ? 'B' : 'A';
		CHECK(!verifies(bad, k, &err));
		free(bad);
		/* the EC key must not verify an RS256 header, nor a P-384 key an ES256 one */
		gh_jwt_key *rsa = test_key();
		CHECK(!verifies(toks[i], rsa, &err));
		CHECK_STR_EQ(err.code, "UnsupportedAlgorithm");
		jwt_key_free(k);
		json_decref(jwk);
	}
	json_t *p384 = json_loads(es384_jwk, 0, NULL);
	gh_jwt_key *k = NULL;
	gh_err err = { 0 };
	REQUIRE(jwt_key_from_jwk(p384, &k, &err));
	CHECK(!verifies(es256_token, k, &err));
	CHECK_STR_EQ(err.code, "UnsupportedAlgorithm");
	jwt_key_free(k);
	json_decref(p384);
}

TEST(jwt_tampering_fails)
{
	gh_buf t = { 0 };
	REQUIRE(sign("{\"sub\":\"system:serviceaccount:default:app\"}", &t));
	gh_err err = { 0 };
	/* a payload that names another service account (base64url of
	 * {"sub":"system:serviceaccount:kube-system:admin"}), under the original signature */
	gh_str tok = gh_buf_str(&t);
	size_t d1 = gh_str_find(tok, '.', 0), d2 = gh_str_find(tok, '.', d1 + 1);
	gh_buf forged = { 0 };
	gh_buf_put(&forged, tok.p, d1 + 1);
	gh_buf_printf(&forged, "%s", "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a3ViZS1zeXN0ZW06YWRtaW4ifQ");
	gh_buf_put(&forged, tok.p + d2, tok.n - d2);
	CHECK(!verifies(forged.p, test_key(), &err));
	CHECK_STR_EQ(err.code, "InvalidSignature");
	/* another key does not verify it */
	gh_jwt_key *other = NULL;
	REQUIRE(jwt_key_generate_rsa(2048, &other, &err));
	CHECK(!verifies(t.p, other, &err));
	jwt_key_free(other);
	/* alg "none" and HS256 (with the public key as HMAC secret) are refused outright */
	const char *confused[] = {
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.eA",	 /* {"alg":"none"} */
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.eA", /* {"alg":"HS256"} */
	};
	for (size_t i = 0; i < 2; i++) {
		CHECK(!verifies(confused[i], test_key(), &err));
		CHECK_STR_EQ(err.code, "UnsupportedAlgorithm");
	}
	gh_buf_free(&forged);
	gh_buf_free(&t);
}

TEST(jwt_parser_hostile_inputs)
{
	struct {
		const char *token, *want;
	} cases[] = {
		{ "", "token has 1 segments, not 3" },
		{ "abc", "token has 1 segments, not 3" },
		{ "a.b", "token has 2 segments, not 3" },
		{ "a.b.c.d", "token has 4 segments, not 3" },
		{ "..", "header: empty" },
		{ "eyJhbGciOiJSUzI1NiJ9..c2ln", "payload: empty" },
		{ "e30=.e30.c2ln", "header: not base64url" },
		{ "e3+.e30.c2ln", "header: not base64url" },
		{ "bm90IGpzb24.e30.c2ln", "header: not JSON" },
		{ "WzFd.e30.c2ln", "header: not a JSON object" },	     /* [1] */
		{ "e30.e30.c2ln", "header: \"alg\" is missing" },	     /* {} */
		{ "eyJhbGciOiJSUzI1NiJ9.MTI.c2ln", "payload: not JSON" }, /* 12 */
		{ "eyJhbGciOiJSUzI1NiJ9.e30.", "signature: empty" },
		{ "eyJhbGciOiJSUzI1NiJ9.e30.c2ln=", "signature: not base64url" },
		{ "eyJhbGciOiJSUzI1NiIsImNyaXQiOlsiYiJdfQ.e30.c2ln", "\"crit\"" },
		/* {"alg":"RS256","alg":"none"}: duplicate members are refused, not last-wins */
		{ "eyJhbGciOiJSUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln", "header: not JSON" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		gh_jwt j;
		gh_err err = { 0 };
		CHECK(!jwt_parse(gh_str_c(cases[i].token), &j, &err));
		CHECK_STR_EQ(err.code, "InvalidToken");
		CHECK_CONTAINS(err.msg, cases[i].want);
	}
	/* the size bound comes before any decoding */
	size_t n = JWT_MAX_LEN + 1;
	char *big = malloc(n + 1);
	memset(big, 'A', n);
	big[10] = big[20] = '.';
	big[n] = '\0';
	gh_jwt j;
	gh_err err = { 0 };
	CHECK(!jwt_parse((gh_str){ big, n }, &j, &err));
	CHECK_CONTAINS(err.msg, "more than 20000");
	free(big);
}

TEST(jwt_jwks_lookup)
{
	gh_jwt_key *a = test_key(), *b = NULL, *got = NULL;
	gh_err err = { 0 };
	REQUIRE(jwt_key_from_pem(gh_str_c(vector_pub), &b, &err));
	char ka[JWT_KID_LEN + 1];
	REQUIRE(jwt_key_kid(a, ka));
	json_t *jwks = json_pack("{s:[o, o, o]}", "keys", jwt_key_public_jwk(a, ka), jwt_key_public_jwk(b, vector_kid),
				 json_loads(es256_jwk, 0, NULL));
	REQUIRE(jwks);
	gh_buf t = { 0 };
	REQUIRE(sign("{\"sub\":\"x\"}", &t));
	REQUIRE(jwt_jwks_find(jwks, ka, &got, &err));
	CHECK(verifies(t.p, got, &err));
	jwt_key_free(got);
	REQUIRE(jwt_jwks_find(jwks, "ec-ES256", &got, &err));
	CHECK(verifies(es256_token, got, &err));
	jwt_key_free(got);
	CHECK(!jwt_jwks_find(jwks, "nope", &got, &err));
	CHECK_STR_EQ(err.code, "NoSuchKey");
	CHECK(!jwt_jwks_find(jwks, "", &got, &err)); /* no kid, several keys: ambiguous */
	/* RSA keys under 2048 bits are refused */
	json_t *small = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", "AQAB", "e", "AQAB");
	CHECK(!jwt_key_from_jwk(small, &got, &err));
	CHECK_CONTAINS(err.msg, "fewer than 2048");
	json_t *oct = json_pack("{s:s, s:s}", "kty", "oct", "k", "c2VjcmV0");
	CHECK(!jwt_key_from_jwk(oct, &got, &err));
	json_decref(small);
	json_decref(oct);
	json_decref(jwks);
	jwt_key_free(b);
	gh_buf_free(&t);
}
