/* oidc: a cluster's issuer through a real engine on a temporary state directory: the
 * discovery document and JWKS shapes, the claims of an issued token, audience and expiry
 * checks, keys sealed at rest, and rotation driven by the engine's clock. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "crypto/jwt.h"
#include "engine/oidc.h"
#include "test.h"

typedef struct oidc_env {
	char dir[64];
	gh_engine *e;
} oidc_env;

static bool env_open(oidc_env *t, int64_t offset)
{
	gh_log_set_level(GH_LOG_ERROR);
	gh_engine_config cfg = { .state_dir = t->dir, .time_offset = offset };
	gh_err err = { 0 };
	if (!engine_open(&cfg, &t->e, NULL, &err)) {
		fprintf(stdout, "  engine_open: %s\n", err.msg);
		return false;
	}
	return true;
}

static bool env_start(oidc_env *t)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/gh-oidc-XXXXXX");
	return mkdtemp(t->dir) && env_open(t, 0);
}

static void env_stop(oidc_env *t, bool remove)
{
	engine_close(t->e);
	t->e = NULL;
	if (remove) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			fprintf(stdout, "  could not remove %s\n", t->dir);
	}
}

static json_t *jwks_of(gh_engine *e)
{
	gh_buf b = { 0 };
	gh_err err = { 0 };
	json_t *j = engine_oidc_jwks(e, "demo", &b, &err) ? json_loads(b.p, 0, NULL) : NULL;
	gh_buf_free(&b);
	return j;
}

static const char *issue(oidc_env *t, gh_arena *a, int64_t seconds, const char *aud)
{
	const char *auds[] = { aud };
	const char *tok = NULL;
	int64_t exp;
	gh_err err = { 0 };
	if (!engine_sa_token_issue(t->e, "demo", "team-a", "app", "11111111-2222-4333-8444-555555555555", auds, 1,
				   seconds, NULL, NULL, a, &tok, &exp, &err))
		fprintf(stdout, "  issue: %s\n", err.msg);
	return tok;
}

TEST(oidc_discovery_and_jwks_shape)
{
	oidc_env t;
	REQUIRE(env_start(&t));
	gh_arena a;
	gh_arena_init(&a, 0);
	const char *iss;
	gh_err err = { 0 };
	REQUIRE(engine_oidc_issuer(t.e, "demo", &a, &iss, &err));
	CHECK(strncmp(iss, "https://oidc.eks.us-east-1.amazonaws.com/id/", 44) == 0);
	CHECK_INT_EQ(strlen(iss), 44 + 32);
	gh_buf d = { 0 };
	REQUIRE(engine_oidc_discovery(t.e, "demo", &d, &err));
	char want[1024];
	snprintf(want, sizeof want,
		 "{\"issuer\":\"%s\",\"jwks_uri\":\"%s/keys\",\"authorization_endpoint\":"
		 "\"urn:kubernetes:programmatic_authorization\",\"response_types_supported\":[\"id_token\"],"
		 "\"subject_types_supported\":[\"public\"],\"claims_supported\":[\"sub\",\"iss\"],"
		 "\"id_token_signing_alg_values_supported\":[\"RS256\"]}",
		 iss, iss);
	CHECK_STR_EQ(d.p, want);
	json_t *jwks = jwks_of(t.e);
	REQUIRE(jwks);
	json_t *keys = json_object_get(jwks, "keys");
	CHECK_INT_EQ(json_array_size(keys), 1);
	json_t *k = json_array_get(keys, 0);
	CHECK_INT_EQ(json_object_size(k), 6);
	CHECK_STR_EQ(json_string_value(json_object_get(k, "kty")), "RSA");
	CHECK_INT_EQ(strlen(json_string_value(json_object_get(k, "kid"))), 43);
	/* the cluster is found by the hex ID at the end of its issuer, in either case */
	const char *cl = NULL;
	CHECK(engine_oidc_cluster_by_id(t.e, gh_str_c(iss + 44), &a, &cl));
	CHECK_STR_EQ(cl, "demo");
	CHECK(!engine_oidc_cluster_by_id(t.e, GH_STR("00000000000000000000000000000000"), &a, &cl));
	CHECK(!engine_oidc_issuer(t.e, "nosuch", &a, &iss, &err));
	CHECK_STR_EQ(err.code, "NotFound");
	json_decref(jwks);
	gh_buf_free(&d);
	gh_arena_free(&a);
	env_stop(&t, true);
}

TEST(oidc_token_claims_and_checks)
{
	oidc_env t;
	REQUIRE(env_start(&t));
	gh_arena a;
	gh_arena_init(&a, 0);
	const char *tok = issue(&t, &a, 600, "sts.amazonaws.com");
	REQUIRE(tok);
	gh_jwt j;
	gh_err err = { 0 };
	REQUIRE(jwt_parse(gh_str_c(tok), &j, &err));
	CHECK_STR_EQ(j.alg, "RS256");
	CHECK_STR_EQ(json_string_value(json_object_get(j.header, "typ")), "JWT");
	json_t *json_aud = json_object_get(j.payload, "aud");
	CHECK(json_is_array(json_aud));
	int64_t iat = 0, nbf = -1, exp = 0;
	CHECK(jwt_claim_int(&j, "iat", &iat) && jwt_claim_int(&j, "nbf", &nbf) && jwt_claim_int(&j, "exp", &exp));
	CHECK_INT_EQ(iat, nbf);
	CHECK_INT_EQ(exp - iat, 600);
	CHECK_STR_EQ(jwt_claim_str(&j, "sub"), "system:serviceaccount:team-a:app");
	CHECK_INT_EQ(strlen(jwt_claim_str(&j, "jti")), 36);
	json_t *kio = json_object_get(j.payload, "kubernetes.io");
	CHECK_STR_EQ(json_string_value(json_object_get(kio, "namespace")), "team-a");
	CHECK(!json_object_get(kio, "pod"));
	jwt_free(&j);

	gh_sa_claims cl;
	CHECK(engine_sa_token_verify(t.e, "demo", gh_str_c(tok), "sts.amazonaws.com", &a, &cl, &err));
	CHECK_STR_EQ(cl.sa_name, "app");
	CHECK_STR_EQ(cl.sa_uid, "11111111-2222-4333-8444-555555555555");
	CHECK_STR_EQ(cl.cluster, "demo");
	CHECK_INT_EQ(cl.naud, 1);
	CHECK(engine_sa_token_verify(t.e, NULL, gh_str_c(tok), NULL, &a, &cl, &err));
	CHECK(!engine_sa_token_verify(t.e, "demo", gh_str_c(tok), "https://kubernetes.default.svc", &a, &cl, &err));
	CHECK_CONTAINS(err.msg, "audiences");
	CHECK(!engine_sa_token_verify(t.e, "other", gh_str_c(tok), NULL, &a, &cl, &err));

	/* a byte changed in the payload breaks the signature */
	char *bad = gh_arena_strndup(&a, tok, strlen(tok));
	char *dot = strchr(bad, '.');
	dot[5] = dot[5] == 'x' ? 'y' : 'x';
	CHECK(!engine_sa_token_verify(t.e, "demo", gh_str_c(bad), NULL, &a, &cl, &err));
	CHECK_STR_EQ(err.code, "InvalidToken");
	/* a pod-bound token carries the pod */
	const char *auds[] = { "x" };
	const char *ptok;
	int64_t pexp;
	REQUIRE(engine_sa_token_issue(t.e, "demo", "team-a", "app", "u", auds, 1, 3600, "web-0", "pod-uid", &a, &ptok,
				      &pexp, &err));
	REQUIRE(engine_sa_token_verify(t.e, "demo", gh_str_c(ptok), "x", &a, &cl, &err));
	CHECK_STR_EQ(cl.pod_name, "web-0");
	CHECK_STR_EQ(cl.pod_uid, "pod-uid");
	env_stop(&t, false);

	/* 61 s after expiry (upstream's 60 s leeway) the token is refused as expired */
	REQUIRE(env_open(&t, 600 + 61));
	CHECK(!engine_sa_token_verify(t.e, "demo", gh_str_c(tok), NULL, &a, &cl, &err));
	CHECK_STR_EQ(err.code, "ExpiredToken");
	env_stop(&t, false);
	REQUIRE(env_open(&t, 600 + 59));
	CHECK(engine_sa_token_verify(t.e, "demo", gh_str_c(tok), NULL, &a, &cl, &err));
	env_stop(&t, true);
	gh_arena_free(&a);
}

TEST(oidc_keys_sealed_and_rotated)
{
	oidc_env t;
	REQUIRE(env_start(&t));
	gh_arena a;
	gh_arena_init(&a, 0);
	const char *tok = issue(&t, &a, 86400, "sts.amazonaws.com");
	REQUIRE(tok);
	json_t *j0 = jwks_of(t.e);
	const char *kid0 = json_string_value(json_object_get(json_array_get(json_object_get(j0, "keys"), 0), "kid"));
	REQUIRE(kid0);
	env_stop(&t, false);

	/* the stored key is sealed: no PEM in the row */
	char db_path[128];
	snprintf(db_path, sizeof db_path, "%s/gatehouse.db", t.dir);
	sqlite3 *db;
	REQUIRE(sqlite3_open(db_path, &db) == SQLITE_OK);
	sqlite3_stmt *st;
	REQUIRE(sqlite3_prepare_v2(db, "SELECT sealed_key FROM oidc_keys", -1, &st, NULL) == SQLITE_OK);
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		rows++;
		const char *blob = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		CHECK(n > 1000);
		CHECK(!memmem(blob, (size_t)n, "PRIVATE KEY", 11));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	CHECK_INT_EQ(rows, 1);

	/* six days on: the same key */
	REQUIRE(env_open(&t, 6 * 86400));
	json_t *j6 = jwks_of(t.e);
	CHECK_INT_EQ(json_array_size(json_object_get(j6, "keys")), 1);
	env_stop(&t, false);
	/* eight days on: a new signing key, the old one still published */
	REQUIRE(env_open(&t, 8 * 86400));
	json_t *j8 = jwks_of(t.e);
	json_t *k8 = json_object_get(j8, "keys");
	CHECK_INT_EQ(json_array_size(k8), 2);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(k8, 0), "kid")), kid0) != 0);
	CHECK_STR_EQ(json_string_value(json_object_get(json_array_get(k8, 1), "kid")), kid0);
	const char *tok8 = issue(&t, &a, 3600, "a");
	REQUIRE(tok8);
	gh_jwt j;
	gh_err err = { 0 };
	REQUIRE(jwt_parse(gh_str_c(tok8), &j, &err));
	CHECK(strcmp(j.kid, kid0) != 0);
	jwt_free(&j);
	env_stop(&t, false);
	/* ten days on: the old key's tokens have all expired, so it is gone */
	REQUIRE(env_open(&t, 10 * 86400));
	json_t *j10 = jwks_of(t.e);
	CHECK_INT_EQ(json_array_size(json_object_get(j10, "keys")), 1);
	env_stop(&t, true);
	json_decref(j0);
	json_decref(j6);
	json_decref(j8);
	json_decref(j10);
	gh_arena_free(&a);
}
