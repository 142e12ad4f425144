/* Per-cluster service-account issuers: keys, rotation, tokens, discovery. */
#include "engine/oidc.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "domain/eks/cluster.h"
#include "engine/engine_internal.h"
#include "store/eks_store.h"
#include "store/oidc_store.h"

typedef struct oidc_key {
	gh_jwt_key *k; /* never freed before oidc_close: readers use it outside the lock */
	char kid[JWT_KID_LEN + 1];
	int64_t created;
} oidc_key;

typedef struct oidc_cluster {
	char *name, *issuer;
	oidc_key *keys; /* newest first */
	size_t nkeys;
} oidc_cluster;

struct gh_oidc {
	pthread_mutex_t mu;
	oidc_cluster *c;
	size_t n, cap;
	gh_jwt_key **retired; /* keys no longer published, freed at close */
	size_t nretired, capretired;
	int64_t last_refresh;
};

static int64_t rotation(const gh_engine *e)
{
	return e->cfg.oidc_rotation > 0 ? e->cfg.oidc_rotation : GH_OIDC_ROTATION_DEFAULT;
}

/* A key is published (and verifies) while it is the newest, or while tokens it signed
 * before its successor appeared may still be unexpired. */
static bool key_live(const oidc_cluster *c, size_t i, int64_t now)
{
	return i == 0 || c->keys[i - 1].created + GH_OIDC_MAX_TOKEN_SECONDS > now;
}

static void retire(struct gh_oidc *o, gh_jwt_key *k)
{
	if (o->nretired == o->capretired) {
		size_t cap = o->capretired ? 2 * o->capretired : 8;
		gh_jwt_key **bigger = realloc(o->retired, cap * sizeof *bigger);
		if (!bigger)
			return; /* leaking one key beats freeing one a reader may hold */
		o->retired = bigger;
		o->capretired = cap;
	}
	o->retired[o->nretired++] = k;
}

static void aad_of(gh_buf *aad, const char *cluster, const char *kid)
{
	gh_buf_reset(aad);
	gh_buf_printf(aad, "oidc-key:%s:%s", cluster, kid);
}

/* --- loading and rotation (o->mu held) ----------------------------------------------- */

struct issuer_tx {
	const char *cluster;
	char *doc;
};

static bool set_doc_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct issuer_tx *x = ctx;
	return eks_store_set_cluster_doc(db_conn(e->db), x->cluster, x->doc, err);
}

/* The issuer in the cluster's document; clusters made before the EKS API (the first-start
 * demo) get one now, kept in their document so DescribeCluster shows it. */
static bool load_issuer(gh_engine *e, const char *cluster, char **issuer, gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	eks_row row;
	bool found = false;
	bool ok = engine_read_begin(e, err);
	if (ok) {
		ok = eks_store_get_cluster(db_conn(e->db), cluster, &a, &row, &found, err);
		engine_read_end(e);
	}
	if (ok && !found)
		ok = gh_fail(err, "NotFound", 404, "cluster \"%s\" not found", cluster);
	json_t *doc = ok ? json_loads(row.doc ? row.doc : "{}", 0, NULL) : NULL;
	if (ok && !json_is_object(doc)) {
		json_decref(doc);
		doc = json_object();
	}
	const char *have = ok ? json_string_value(json_object_get(json_object_get(json_object_get(doc, "identity"),
										      "oidc"), "issuer"))
			      : NULL;
	if (ok && have) {
		*issuer = strdup(have);
	} else if (ok) {
		uint8_t id[16];
		gh_buf base = { 0 }, iss = { 0 };
		ok = engine_random(id, sizeof id, err);
		if (ok) {
			if (e->cfg.oidc_issuer_base)
				gh_buf_puts(&base, e->cfg.oidc_issuer_base);
			else
				gh_eks_oidc_issuer_base(&base, gh_str_c(e->cfg.partition), gh_str_c(e->cfg.region));
			gh_eks_oidc_issuer(&iss, gh_buf_str(&base), id);
			json_object_set_new(doc, "identity", json_pack("{s:{s:s}}", "oidc", "issuer", iss.p));
			struct issuer_tx x = { cluster, json_dumps(doc, JSON_COMPACT) };
			ok = x.doc && engine_tx_publish(e, set_doc_tx, &x, 0, err);
			free(x.doc);
			if (ok)
				*issuer = strdup(iss.p);
		}
		gh_buf_free(&base);
		gh_buf_free(&iss);
	}
	json_decref(doc);
	gh_arena_free(&a);
	return ok;
}

static bool load_keys(gh_engine *e, oidc_cluster *c, gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	oidc_key_row *rows = NULL;
	size_t n = 0;
	bool ok = engine_read_begin(e, err);
	if (ok) {
		ok = oidc_store_list_keys(db_conn(e->db), c->name, &a, &rows, &n, err);
		engine_read_end(e);
	}
	oidc_key *keys = ok ? calloc(n ? n : 1, sizeof *keys) : NULL;
	if (ok && !keys)
		ok = gh_fail(err, "ServiceFailure", 500, "out of memory");
	size_t k = 0;
	gh_buf aad = { 0 };
	for (size_t i = 0; ok && i < n; i++) {
		gh_buf pem = { 0 };
		aad_of(&aad, c->name, rows[i].kid);
		ok = kek_open(e->kek, (gh_str){ (const char *)rows[i].sealed, rows[i].sealed_len }, gh_buf_str(&aad),
			      &pem, err) &&
		     jwt_key_from_pem(gh_buf_str(&pem), &keys[k].k, err);
		aead_buf_wipe(&pem);
		if (!ok) {
			gh_fail_wrap(err, "signing key %s of cluster %s", rows[i].kid, c->name);
			break;
		}
		snprintf(keys[k].kid, sizeof keys[k].kid, "%s", rows[i].kid);
		keys[k].created = rows[i].created;
		k++;
	}
	gh_buf_free(&aad);
	gh_arena_free(&a);
	if (!ok) {
		for (size_t i = 0; i < k; i++)
			jwt_key_free(keys[i].k);
		free(keys);
		return false;
	}
	c->keys = keys;
	c->nkeys = k;
	return true;
}

struct key_tx {
	oidc_key_row row;
	int64_t prune_before;
};

static bool add_key_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct key_tx *x = ctx;
	return oidc_store_insert_key(db_conn(e->db), &x->row, err) &&
	       (!x->prune_before || oidc_store_prune_keys(db_conn(e->db), x->row.cluster, x->prune_before, err));
}

/* Makes a new signing key when the newest is older than the rotation period, and drops
 * keys whose tokens have all expired. */
static bool rotate_if_due(gh_engine *e, struct gh_oidc *o, oidc_cluster *c, int64_t now, gh_err *err)
{
	if (c->nkeys && now - c->keys[0].created < rotation(e))
		return true;
	gh_jwt_key *k;
	if (!jwt_key_generate_rsa(2048, &k, err))
		return false;
	oidc_key nk = { .k = k, .created = now };
	gh_buf pem = { 0 }, sealed = { 0 }, aad = { 0 };
	bool ok = jwt_key_kid(k, nk.kid) ? jwt_key_private_pem(k, &pem, err)
					 : gh_fail(err, "ServiceFailure", 500, "cannot derive a key ID");
	if (ok) {
		aad_of(&aad, c->name, nk.kid);
		ok = kek_seal(e->kek, gh_buf_str(&pem), gh_buf_str(&aad), &sealed, err);
	}
	aead_buf_wipe(&pem);
	/* After this key, the current newest is retired now: it stays for the longest token
	 * lifetime; older ones whose successor is older than that go. */
	size_t keep = c->nkeys ? 1 : 0;
	for (size_t i = 1; i < c->nkeys; i++)
		if (key_live(c, i, now))
			keep = i + 1;
	if (ok) {
		struct key_tx x = { .row = { .cluster = c->name, .kid = nk.kid, .sealed = (const uint8_t *)sealed.p,
					     .sealed_len = sealed.n, .created = now },
				    .prune_before = keep < c->nkeys ? c->keys[keep - 1].created : 0 };
		ok = engine_tx_publish(e, add_key_tx, &x, 0, err);
	}
	gh_buf_free(&sealed);
	gh_buf_free(&aad);
	oidc_key *keys = ok ? calloc(keep + 1, sizeof *keys) : NULL;
	if (!keys) {
		jwt_key_free(k);
		return ok ? gh_fail(err, "ServiceFailure", 500, "out of memory") : false;
	}
	keys[0] = nk;
	for (size_t i = 0; i < c->nkeys; i++) {
		if (i < keep)
			keys[i + 1] = c->keys[i];
		else
			retire(o, c->keys[i].k);
	}
	free(c->keys);
	c->keys = keys;
	c->nkeys = keep + 1;
	gh_log_info("oidc.key-rotated", "cluster", c->name, "kid", nk.kid);
	return true;
}

static oidc_cluster *find_cluster(struct gh_oidc *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->c[i].name, name) == 0)
			return &o->c[i];
	return NULL;
}

static oidc_cluster *load_cluster(gh_engine *e, struct gh_oidc *o, const char *name, gh_err *err)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 4;
		oidc_cluster *bigger = realloc(o->c, cap * sizeof *bigger);
		if (!bigger) {
			gh_fail(err, "ServiceFailure", 500, "out of memory");
			return NULL;
		}
		o->c = bigger;
		o->cap = cap;
	}
	oidc_cluster c = { .name = strdup(name) };
	if (!c.name || !load_issuer(e, name, &c.issuer, err) || !load_keys(e, &c, err)) {
		free(c.name);
		free(c.issuer);
		return NULL;
	}
	o->c[o->n] = c;
	return &o->c[o->n++];
}

/* The cluster, loaded and with a current key. */
static oidc_cluster *ensure(gh_engine *e, const char *name, gh_err *err)
{
	struct gh_oidc *o = e->oidc;
	oidc_cluster *c = find_cluster(o, name);
	if (!c && !engine_cluster_exists(e, gh_str_c(name))) {
		gh_fail(err, "NotFound", 404, "cluster \"%s\" not found", name);
		return NULL;
	}
	if (!c && !(c = load_cluster(e, o, name, err)))
		return NULL;
	return rotate_if_due(e, o, c, engine_now(e), err) ? c : NULL;
}

/* Clusters created since the last look (an issuer asked for is not known yet); at most
 * once a second, so tokens of unknown issuers cannot make every call list the store. */
static void refresh(gh_engine *e, struct gh_oidc *o)
{
	int64_t now = engine_now(e);
	if (o->last_refresh == now)
		return;
	o->last_refresh = now;
	gh_arena a;
	gh_arena_init(&a, 0);
	eks_row *rows;
	size_t n;
	gh_err err = { 0 };
	if (engine_read_begin(e, &err)) {
		bool ok = eks_store_list_clusters(db_conn(e->db), &a, &rows, &n, &err);
		engine_read_end(e);
		for (size_t i = 0; ok && i < n; i++)
			if (!find_cluster(o, rows[i].key) && !ensure(e, rows[i].key, &err))
				gh_log_warn("oidc.load", "cluster", rows[i].key, "detail", err.msg);
	}
	gh_arena_free(&a);
}

/* --- the public operations -------------------------------------------------------- */

bool oidc_open(gh_engine *e, gh_err *err)
{
	struct gh_oidc *o = calloc(1, sizeof *o);
	if (!o)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	pthread_mutex_init(&o->mu, NULL);
	e->oidc = o;
	if (e->cfg.read_only)
		return true; /* offline commands never write keys */
	gh_arena a;
	gh_arena_init(&a, 0);
	eks_row *rows;
	size_t n = 0;
	bool ok = engine_read_begin(e, err);
	if (ok) {
		ok = eks_store_list_clusters(db_conn(e->db), &a, &rows, &n, err);
		engine_read_end(e);
	}
	pthread_mutex_lock(&o->mu);
	for (size_t i = 0; ok && i < n; i++)
		ok = ensure(e, rows[i].key, err) != NULL;
	pthread_mutex_unlock(&o->mu);
	gh_arena_free(&a);
	return ok;
}

void oidc_cluster_deleted(gh_engine *e, const char *cluster)
{
	struct gh_oidc *o = e->oidc;
	pthread_mutex_lock(&o->mu);
	oidc_cluster *c = find_cluster(o, cluster);
	if (c) {
		for (size_t k = 0; k < c->nkeys; k++)
			retire(o, c->keys[k].k);
		free(c->keys);
		free(c->name);
		free(c->issuer);
		*c = o->c[--o->n];
	}
	pthread_mutex_unlock(&o->mu);
}

void oidc_close(gh_engine *e)
{
	struct gh_oidc *o = e->oidc;
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		for (size_t k = 0; k < o->c[i].nkeys; k++)
			jwt_key_free(o->c[i].keys[k].k);
		free(o->c[i].keys);
		free(o->c[i].name);
		free(o->c[i].issuer);
	}
	for (size_t i = 0; i < o->nretired; i++)
		jwt_key_free(o->retired[i]);
	free(o->retired);
	free(o->c);
	pthread_mutex_destroy(&o->mu);
	free(o);
	e->oidc = NULL;
}

bool engine_oidc_issuer(gh_engine *e, const char *cluster, gh_arena *a, const char **issuer, gh_err *err)
{
	struct gh_oidc *o = e->oidc;
	pthread_mutex_lock(&o->mu);
	oidc_cluster *c = ensure(e, cluster, err);
	if (c)
		*issuer = gh_arena_strndup(a, c->issuer, strlen(c->issuer));
	pthread_mutex_unlock(&o->mu);
	return c != NULL;
}

static bool ends_with_id(const char *issuer, gh_str hex)
{
	size_t n = strlen(issuer);
	if (hex.n == 0 || n < hex.n + 4)
		return false;
	return memcmp(issuer + n - hex.n - 4, "/id/", 4) == 0 && gh_str_ieq(gh_str_c(issuer + n - hex.n), hex);
}

/* The cluster whose issuer fits `match`; clusters created since the last look are loaded
 * once before giving up. */
static bool find_issuer(gh_engine *e, bool (*match)(const char *issuer, const void *arg), const void *arg,
			gh_arena *a, const char **cluster)
{
	struct gh_oidc *o = e->oidc;
	pthread_mutex_lock(&o->mu);
	const char *hit = NULL;
	for (int pass = 0; pass < 2 && !hit; pass++) {
		if (pass)
			refresh(e, o);
		for (size_t i = 0; i < o->n && !hit; i++)
			if (match(o->c[i].issuer, arg))
				hit = o->c[i].name;
	}
	if (hit && cluster)
		*cluster = gh_arena_strndup(a, hit, strlen(hit));
	pthread_mutex_unlock(&o->mu);
	return hit != NULL;
}

static bool id_matches(const char *issuer, const void *arg)
{
	return ends_with_id(issuer, *(const gh_str *)arg);
}

static bool issuer_matches(const char *issuer, const void *arg)
{
	return strcmp(issuer, (const char *)arg) == 0;
}

bool engine_oidc_cluster_by_id(gh_engine *e, gh_str hex, gh_arena *a, const char **cluster)
{
	return find_issuer(e, id_matches, &hex, a, cluster);
}

bool oidc_is_own_issuer(gh_engine *e, const char *issuer, gh_arena *a, const char **cluster)
{
	return find_issuer(e, issuer_matches, issuer, a, cluster);
}

bool engine_oidc_discovery(gh_engine *e, const char *cluster, gh_buf *out, gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	const char *iss;
	bool ok = engine_oidc_issuer(e, cluster, &a, &iss, err);
	if (ok) {
		gh_buf jwks = { 0 };
		gh_buf_printf(&jwks, "%s/keys", iss);
		/* EKS's document: upstream's five members plus authorization_endpoint and
		 * claims_supported; the only algorithm is RS256 since every key is RSA. */
		json_t *d = json_pack("{s:s, s:s, s:s, s:[s], s:[s], s:[s, s], s:[s]}", "issuer", iss, "jwks_uri",
				      jwks.p, "authorization_endpoint", "urn:kubernetes:programmatic_authorization",
				      "response_types_supported", "id_token", "subject_types_supported", "public",
				      "claims_supported", "sub", "iss", "id_token_signing_alg_values_supported", "RS256");
		char *s = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		ok = s && gh_buf_puts(out, s);
		if (!ok)
			gh_fail(err, "ServiceFailure", 500, "out of memory");
		free(s);
		json_decref(d);
		gh_buf_free(&jwks);
	}
	gh_arena_free(&a);
	return ok;
}

bool engine_oidc_jwks(gh_engine *e, const char *cluster, gh_buf *out, gh_err *err)
{
	struct gh_oidc *o = e->oidc;
	pthread_mutex_lock(&o->mu);
	oidc_cluster *c = ensure(e, cluster, err);
	json_t *keys = json_array();
	int64_t now = engine_now(e);
	for (size_t i = 0; c && i < c->nkeys; i++)
		if (key_live(c, i, now))
			json_array_append_new(keys, jwt_key_public_jwk(c->keys[i].k, c->keys[i].kid));
	pthread_mutex_unlock(&o->mu);
	if (!c) {
		json_decref(keys);
		return false;
	}
	json_t *d = json_pack("{s:o}", "keys", keys);
	char *s = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	bool ok = s && gh_buf_puts(out, s);
	free(s);
	json_decref(d);
	return ok ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
}

bool engine_sa_token_issue(gh_engine *e, const char *cluster, const char *ns, const char *sa, const char *sa_uid,
			   const char *const *aud, size_t naud, int64_t seconds, const char *pod_name,
			   const char *pod_uid, gh_arena *a, const char **token, int64_t *exp, gh_err *err)
{
	char jti[GH_UUID_LEN + 1];
	if (!gh_uuid4(jti))
		return gh_fail(err, "ServiceFailure", 500, "the system random number generator failed");
	struct gh_oidc *o = e->oidc;
	pthread_mutex_lock(&o->mu);
	oidc_cluster *c = ensure(e, cluster, err);
	gh_jwt_key *k = c ? c->keys[0].k : NULL;
	char kid[JWT_KID_LEN + 1] = "";
	char *iss = c ? gh_arena_strndup(a, c->issuer, strlen(c->issuer)) : NULL;
	if (c)
		memcpy(kid, c->keys[0].kid, sizeof kid);
	pthread_mutex_unlock(&o->mu);
	if (!c)
		return false;
	int64_t now = engine_now(e);
	json_t *auds = json_array();
	for (size_t i = 0; i < naud; i++)
		json_array_append_new(auds, json_string(aud[i]));
	json_t *kio = json_pack("{s:s, s:{s:s, s:s}}", "namespace", ns, "serviceaccount", "name", sa, "uid", sa_uid);
	if (kio && pod_name && pod_uid)
		json_object_set_new(kio, "pod", json_pack("{s:s, s:s}", "name", pod_name, "uid", pod_uid));
	gh_buf sub = { 0 };
	gh_buf_printf(&sub, "system:serviceaccount:%s:%s", ns, sa);
	json_t *claims = json_pack("{s:o, s:I, s:I, s:s, s:s, s:o*, s:I, s:s}", "aud", auds, "exp",
				   (json_int_t)(now + seconds), "iat", (json_int_t)now, "iss", iss, "jti", jti,
				   "kubernetes.io", kio, "nbf", (json_int_t)now, "sub", sub.p ? sub.p : "");
	gh_buf_free(&sub);
	if (!claims)
		return gh_fail(err, "ServiceFailure", 500, "cannot build the token's claims (a value is not UTF-8)");
	gh_buf tok = { 0 };
	bool ok = jwt_sign_rs256(k, kid, claims, &tok, err);
	json_decref(claims);
	if (ok) {
		*token = gh_arena_strndup(a, tok.p, tok.n);
		*exp = now + seconds;
	}
	aead_buf_wipe(&tok);
	return ok;
}

static const char *dup_or_null(gh_arena *a, const char *s)
{
	return s ? gh_arena_strndup(a, s, strlen(s)) : NULL;
}

static const char *obj_str(const json_t *o, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(o, k1);
	if (k2)
		v = json_object_get(v, k2);
	return json_string_value(v);
}

/* The claims kube-apiserver requires of a service-account token, copied to the arena. */
static bool read_claims(const gh_jwt *j, gh_arena *a, gh_sa_claims *out, gh_err *err)
{
	const json_t *kio = json_object_get(j->payload, "kubernetes.io");
	out->sub = dup_or_null(a, jwt_claim_str(j, "sub"));
	out->jti = dup_or_null(a, jwt_claim_str(j, "jti"));
	out->ns = dup_or_null(a, json_string_value(json_object_get(kio, "namespace")));
	out->sa_name = dup_or_null(a, obj_str(kio, "serviceaccount", "name"));
	out->sa_uid = dup_or_null(a, obj_str(kio, "serviceaccount", "uid"));
	out->pod_name = dup_or_null(a, obj_str(kio, "pod", "name"));
	out->pod_uid = dup_or_null(a, obj_str(kio, "pod", "uid"));
	if (!out->sub || !out->ns || !out->sa_name || !out->sa_uid)
		return gh_fail(err, "InvalidToken", 401, "the token lacks its service-account claims");
	char want[600];
	int w = snprintf(want, sizeof want, "system:serviceaccount:%s:%s", out->ns, out->sa_name);
	if (w < 0 || (size_t)w >= sizeof want || strcmp(want, out->sub) != 0)
		return gh_fail(err, "InvalidToken", 401, "the token's sub does not name its service account");
	const json_t *aud = json_object_get(j->payload, "aud");
	size_t n = json_is_array(aud) ? json_array_size(aud) : 1;
	const char **auds = gh_arena_alloc(a, (n ? n : 1) * sizeof *auds);
	out->naud = 0;
	if (json_is_string(aud))
		auds[out->naud++] = dup_or_null(a, json_string_value(aud));
	for (size_t i = 0; json_is_array(aud) && i < n; i++)
		if (json_is_string(json_array_get(aud, i)))
			auds[out->naud++] = dup_or_null(a, json_string_value(json_array_get(aud, i)));
	out->aud = auds;
	return true;
}

bool oidc_verify_own(gh_engine *e, const char *cluster, gh_str token, const char *audience, int64_t leeway,
		     gh_arena *a, gh_sa_claims *out, gh_err *err)
{
	memset(out, 0, sizeof *out);
	gh_jwt j;
	if (!jwt_parse(token, &j, err)) {
		if (err)
			err->status = 401;
		return false;
	}
	const char *iss = jwt_claim_str(&j, "iss");
	const char *owner = NULL;
	bool ok = iss && oidc_is_own_issuer(e, iss, a, &owner) && (!cluster || strcmp(owner, cluster) == 0);
	if (!ok)
		gh_fail(err, "InvalidToken", 401, "the token was not issued by %s", cluster ? "this cluster" : "gatehouse");
	/* Our keys are RSA and sign RS256 only: any other alg is an attempt to confuse. */
	if (ok && strcmp(j.alg, "RS256") != 0)
		ok = gh_fail(err, "InvalidToken", 401, "unexpected signing algorithm %s", j.alg);
	gh_jwt_key *keys[16];
	size_t nk = 0;
	if (ok) {
		struct gh_oidc *o = e->oidc;
		pthread_mutex_lock(&o->mu);
		oidc_cluster *c = ensure(e, owner, err);
		int64_t now = engine_now(e);
		for (size_t i = 0; c && i < c->nkeys && nk < 16; i++)
			if (key_live(c, i, now) && (!j.kid[0] || strcmp(j.kid, c->keys[i].kid) == 0))
				keys[nk++] = c->keys[i].k;
		pthread_mutex_unlock(&o->mu);
		ok = c != NULL;
		if (ok && !nk)
			ok = gh_fail(err, "InvalidToken", 401, "no current signing key has kid \"%s\"", j.kid);
	}
	bool verified = false;
	for (size_t i = 0; ok && i < nk && !verified; i++)
		verified = jwt_verify(&j, keys[i], NULL);
	if (ok && !verified)
		ok = gh_fail(err, "InvalidToken", 401, "the token's signature does not verify");
	int64_t now = engine_now(e), exp = 0, nbf = 0, iat = 0;
	if (ok && !jwt_claim_int(&j, "exp", &exp))
		ok = gh_fail(err, "InvalidToken", 401, "the token has no integer exp claim");
	if (ok && now > exp + leeway)
		ok = gh_fail(err, "ExpiredToken", 401, "the token has expired");
	if (ok && jwt_claim_int(&j, "nbf", &nbf) && now < nbf - leeway)
		ok = gh_fail(err, "InvalidToken", 401, "the token is not valid yet (nbf)");
	if (ok && jwt_claim_int(&j, "iat", &iat) && now < iat - leeway)
		ok = gh_fail(err, "InvalidToken", 401, "the token was issued in the future (iat)");
	if (ok && audience && !jwt_aud_has(&j, audience))
		ok = gh_fail(err, "InvalidToken", 401, "the token's audiences do not include %s", audience);
	if (ok)
		ok = read_claims(&j, a, out, err);
	if (ok) {
		out->iss = dup_or_null(a, iss);
		out->exp = exp;
		out->nbf = nbf;
		out->iat = iat;
		out->cluster = owner;
	}
	jwt_free(&j);
	return ok;
}

bool engine_sa_token_verify(gh_engine *e, const char *cluster, gh_str token, const char *audience, gh_arena *a,
			    gh_sa_claims *out, gh_err *err)
{
	return oidc_verify_own(e, cluster, token, audience, GH_OIDC_LEEWAY, a, out, err);
}
