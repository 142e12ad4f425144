/* IAM OpenID Connect providers and STS AssumeRoleWithWebIdentity. */
#include "engine/webid.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "crypto/jwt.h"
#include "domain/aws/arn.h"
#include "domain/aws/policy.h"
#include "engine/engine_internal.h"
#include "engine/oidc.h"
#include "http/client.h"
#include "store/oidc_store.h"

/* --- providers ------------------------------------------------------------------- */

static bool invalid(gh_err *err, const char *fmt, const char *v)
{
	return gh_fail(err, "InvalidInput", 400, fmt, v);
}

/* IAM keys a provider by its URL without the scheme (and without a trailing slash);
 * the ARN is that key after "oidc-provider/". */
static bool provider_key(gh_str url, gh_arena *a, const char **key, gh_err *err)
{
	char *u = (char *)gh_arena_str(a, url).p;
	if (url.n < 1 || url.n > 255)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value at 'url' failed to satisfy constraint: Member must "
			       "have length %s",
			       url.n < 1 ? "greater than or equal to 1" : "less than or equal to 255");
	if (!gh_str_has_prefix(url, GH_STR("https://")) || url.n <= 8)
		return invalid(err, "Invalid Open ID Connect Provider URL: %s (it must begin with https://)", u);
	gh_str rest = gh_str_sub(url, 8, url.n);
	while (rest.n && rest.p[rest.n - 1] == '/')
		rest.n--;
	gh_str host = gh_str_sub(rest, 0, gh_str_find(rest, '/', 0));
	for (size_t i = 0; i < rest.n; i++) {
		char c = rest.p[i];
		if (c == '?' || c == '#' || c == ' ' || (unsigned char)c < 0x21 || (unsigned char)c > 0x7e)
			return invalid(err, "Invalid Open ID Connect Provider URL: %s (no query, fragment or spaces)", u);
	}
	if (!host.n || gh_str_find(host, ':', 0) != host.n || gh_str_find(host, '@', 0) != host.n)
		return invalid(err, "Invalid Open ID Connect Provider URL: %s (a host name without port)", u);
	*key = gh_arena_str(a, rest).p;
	return true;
}

static void provider_arn(gh_engine *e, const char *key, gh_buf *out)
{
	gh_buf_printf(out, "arn:%s:iam::%s:oidc-provider/%s", e->cfg.partition, e->account, key);
}

/* The provider key an ARN names, when it is one of this account's provider ARNs. */
static bool key_of_arn(gh_engine *e, gh_str arn, gh_arena *a, const char **key, gh_err *err)
{
	gh_buf prefix = { 0 };
	gh_buf_printf(&prefix, "arn:%s:iam::%s:oidc-provider/", e->cfg.partition, e->account);
	bool ok = gh_str_has_prefix(arn, gh_buf_str(&prefix)) && arn.n > prefix.n;
	if (ok)
		*key = gh_arena_str(a, gh_str_sub(arn, prefix.n, arn.n)).p;
	gh_buf_free(&prefix);
	if (!ok) {
		if (arn.n < 20)
			return gh_fail(err, "ValidationError", 400,
				       "1 validation error detected: Value at 'openIDConnectProviderArn' failed to "
				       "satisfy constraint: Member must have length greater than or equal to 20");
		return invalid(err, "ARN %s is not valid.", gh_arena_str(a, arn).p);
	}
	return true;
}

static bool authorize(gh_engine *e, const gh_caller *c, const char *action, const char *key, gh_err *err)
{
	iam_caller ic = engine_iam_caller(c);
	gh_buf res = { 0 };
	if (key)
		provider_arn(e, key, &res);
	else
		gh_buf_printf(&res, "arn:%s:iam::%s:oidc-provider/*", e->cfg.partition, e->account);
	bool ok = iam_authorize(&ic, action, (gh_str){ 0 }, gh_buf_str(&res), err);
	gh_buf_free(&res);
	return ok;
}

static bool check_client_ids(const gh_str *ids, size_t n, gh_err *err)
{
	if (n > GH_OIDC_MAX_CLIENT_IDS)
		return gh_fail(err, "LimitExceeded", 409, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d",
			       GH_OIDC_MAX_CLIENT_IDS);
	for (size_t i = 0; i < n; i++)
		if (ids[i].n < 1 || ids[i].n > 255)
			return gh_fail(err, "ValidationError", 400,
				       "1 validation error detected: Value at 'clientIDList' failed to satisfy "
				       "constraint: Member must satisfy constraint: [Member must have length %s]",
				       ids[i].n < 1 ? "greater than or equal to 1" : "less than or equal to 255");
	return true;
}

static bool check_thumbprints(const gh_str *t, size_t n, gh_err *err)
{
	if (n > GH_OIDC_MAX_THUMBPRINTS)
		return gh_fail(err, "LimitExceeded", 409,
			       "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", GH_OIDC_MAX_THUMBPRINTS);
	for (size_t i = 0; i < n; i++) {
		bool hex = t[i].n == 40;
		for (size_t k = 0; hex && k < 40; k++)
			hex = gh_hex_digit((unsigned char)t[i].p[k]) >= 0;
		if (t[i].n != 40)
			return gh_fail(err, "ValidationError", 400,
				       "1 validation error detected: Value at 'thumbprintList' failed to satisfy "
				       "constraint: Member must satisfy constraint: [Member must have length %s]",
				       t[i].n < 40 ? "greater than or equal to 40" : "less than or equal to 40");
		if (!hex)
			return gh_fail(err, "InvalidInput", 400, "Thumbprint %.40s is not a 40-character hex SHA-1 value.",
				       t[i].p);
	}
	return true;
}

/* A JSON array of the distinct values (IAM ignores duplicates). */
static char *strs_json(const gh_str *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= gh_str_eq(v[k], v[i]);
		if (!dup)
			json_array_append_new(arr, json_stringn(v[i].p, v[i].n));
	}
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static size_t json_strs(const char *text, gh_arena *a, const char ***out)
{
	json_t *arr = json_loads(text ? text : "[]", 0, NULL);
	size_t n = json_array_size(arr), k = 0;
	*out = gh_arena_alloc(a, (n ? n : 1) * sizeof **out);
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (s)
			(*out)[k++] = gh_arena_strndup(a, s, strlen(s));
	}
	json_decref(arr);
	return k;
}

static void to_provider(const oidc_provider_row *r, gh_arena *a, gh_oidc_provider *out)
{
	*out = (gh_oidc_provider){ .arn = r->arn, .url = r->url, .created = r->created };
	out->nclient_ids = json_strs(r->client_ids, a, &out->client_ids);
	out->nthumbprints = json_strs(r->thumbprints, a, &out->thumbprints);
	json_t *tags = json_loads(r->tags ? r->tags : "[]", 0, NULL);
	size_t n = json_array_size(tags);
	out->tags = gh_arena_alloc(a, (n ? n : 1) * sizeof *out->tags);
	for (size_t i = 0; i < n; i++) {
		const char *k = json_string_value(json_object_get(json_array_get(tags, i), "Key"));
		const char *v = json_string_value(json_object_get(json_array_get(tags, i), "Value"));
		if (k && v)
			out->tags[out->ntags++] = (iam_tag){ gh_arena_str(a, gh_str_c(k)), gh_arena_str(a, gh_str_c(v)) };
	}
	json_decref(tags);
}

struct provider_tx {
	oidc_provider_row row;
	const char *key;
	enum { PTX_CREATE, PTX_DELETE, PTX_ADD_CLIENT, PTX_THUMBS } op;
	gh_str client_id;
	const char *thumbprints;
	gh_arena *a;
};

static bool not_found(gh_err *err, gh_engine *e, const char *key)
{
	gh_buf arn = { 0 };
	provider_arn(e, key, &arn);
	gh_fail(err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn %s", arn.p ? arn.p : "");
	gh_buf_free(&arn);
	return false;
}

static bool provider_tx_fn(gh_engine *e, void *ctx, gh_err *err)
{
	struct provider_tx *x = ctx;
	sqlite3 *db = db_conn(e->db);
	if (x->op == PTX_CREATE) {
		gh_arena a;
		gh_arena_init(&a, 0);
		oidc_provider_row *all;
		size_t n;
		bool ok = oidc_store_list_providers(db, e->account, &a, &all, &n, err);
		gh_arena_free(&a);
		if (ok && n >= GH_OIDC_MAX_PROVIDERS)
			return gh_fail(err, "LimitExceeded", 409, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d",
				       GH_OIDC_MAX_PROVIDERS);
		if (ok && !oidc_store_insert_provider(db, &x->row, err)) {
			if (err && err->code && strcmp(err->code, "EntityAlreadyExists") == 0)
				gh_fail(err, "EntityAlreadyExists", 409, "Provider with url https://%s already exists.",
					x->row.url);
			return false;
		}
		return ok;
	}
	oidc_provider_row row;
	bool found;
	if (!oidc_store_get_provider(db, e->account, x->key, x->a, &row, &found, err))
		return false;
	if (!found)
		return not_found(err, e, x->key);
	if (x->op == PTX_DELETE)
		return oidc_store_delete_provider(db, e->account, x->key, err);
	if (x->op == PTX_THUMBS) {
		row.thumbprints = x->thumbprints;
		return oidc_store_update_provider(db, &row, err);
	}
	json_t *ids = json_loads(row.client_ids, 0, NULL);
	if (!json_is_array(ids)) {
		json_decref(ids);
		ids = json_array();
	}
	bool have = false;
	for (size_t i = 0; i < json_array_size(ids); i++) {
		const char *s = json_string_value(json_array_get(ids, i));
		have |= s && gh_str_eq_c(x->client_id, s);
	}
	bool ok = true;
	if (!have) { /* adding a client ID that is there already succeeds and changes nothing */
		if (json_array_size(ids) >= GH_OIDC_MAX_CLIENT_IDS) {
			ok = gh_fail(err, "LimitExceeded", 409, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d",
				     GH_OIDC_MAX_CLIENT_IDS);
		} else {
			json_array_append_new(ids, json_stringn(x->client_id.p, x->client_id.n));
			char *s = json_dumps(ids, JSON_COMPACT);
			row.client_ids = s;
			ok = s && oidc_store_update_provider(db, &row, err);
			free(s);
		}
	}
	json_decref(ids);
	return ok;
}

bool engine_iam_create_oidc_provider(gh_engine *e, const gh_caller *c, gh_str url, const gh_str *client_ids,
				     size_t nclient, const gh_str *thumbprints, size_t nthumb, const iam_tag *tags,
				     size_t ntags, gh_arena *a, gh_oidc_provider *out, gh_err *err)
{
	const char *key;
	if (!provider_key(url, a, &key, err) || !check_client_ids(client_ids, nclient, err) ||
	    !check_thumbprints(thumbprints, nthumb, err) || !iam_validate_tags(tags, ntags, "tags", err) ||
	    !authorize(e, c, "iam:CreateOpenIDConnectProvider", key, err))
		return false;
	gh_buf arn = { 0 };
	provider_arn(e, key, &arn);
	char *ids = strs_json(client_ids, nclient), *thumbs = strs_json(thumbprints, nthumb), *tj = sts_tags_json(tags, ntags);
	struct provider_tx x = { .op = PTX_CREATE, .a = a,
				 .row = { .account = e->account, .url = key, .arn = arn.p, .client_ids = ids,
					  .thumbprints = thumbs, .tags = tj, .created = engine_now(e) } };
	bool ok = ids && thumbs && tj && arn.p && engine_tx_publish(e, provider_tx_fn, &x, 0, err);
	if (ok)
		to_provider(&(oidc_provider_row){ .arn = gh_arena_strndup(a, arn.p, arn.n), .url = key, .client_ids = ids,
						  .thumbprints = thumbs, .tags = tj, .created = x.row.created },
			    a, out);
	free(ids);
	free(thumbs);
	free(tj);
	gh_buf_free(&arn);
	return ok;
}

bool engine_iam_get_oidc_provider(gh_engine *e, const gh_caller *c, gh_str arn, gh_arena *a, gh_oidc_provider *out,
				  gh_err *err)
{
	const char *key;
	if (!key_of_arn(e, arn, a, &key, err) || !authorize(e, c, "iam:GetOpenIDConnectProvider", key, err))
		return false;
	oidc_provider_row row;
	bool found = false;
	if (!engine_read_begin(e, err))
		return false;
	bool ok = oidc_store_get_provider(db_conn(e->db), e->account, key, a, &row, &found, err);
	engine_read_end(e);
	if (ok && !found)
		return not_found(err, e, key);
	if (ok)
		to_provider(&row, a, out);
	return ok;
}

bool engine_iam_list_oidc_providers(gh_engine *e, const gh_caller *c, gh_arena *a, const char ***arns, size_t *n,
				    gh_err *err)
{
	if (!authorize(e, c, "iam:ListOpenIDConnectProviders", NULL, err) || !engine_read_begin(e, err))
		return false;
	oidc_provider_row *rows;
	bool ok = oidc_store_list_providers(db_conn(e->db), e->account, a, &rows, n, err);
	engine_read_end(e);
	if (!ok)
		return false;
	*arns = gh_arena_alloc(a, (*n ? *n : 1) * sizeof **arns);
	for (size_t i = 0; i < *n; i++)
		(*arns)[i] = rows[i].arn;
	return true;
}

static bool change(gh_engine *e, const gh_caller *c, const char *action, gh_str arn, struct provider_tx *x,
		   gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	x->a = &a;
	bool ok = key_of_arn(e, arn, &a, &x->key, err) && authorize(e, c, action, x->key, err) &&
		  engine_tx_publish(e, provider_tx_fn, x, 0, err);
	gh_arena_free(&a);
	return ok;
}

bool engine_iam_delete_oidc_provider(gh_engine *e, const gh_caller *c, gh_str arn, gh_err *err)
{
	struct provider_tx x = { .op = PTX_DELETE };
	return change(e, c, "iam:DeleteOpenIDConnectProvider", arn, &x, err);
}

bool engine_iam_add_oidc_client_id(gh_engine *e, const gh_caller *c, gh_str arn, gh_str client_id, gh_err *err)
{
	struct provider_tx x = { .op = PTX_ADD_CLIENT, .client_id = client_id };
	return check_client_ids(&client_id, 1, err) &&
	       change(e, c, "iam:AddClientIDToOpenIDConnectProvider", arn, &x, err);
}

bool engine_iam_update_oidc_thumbprints(gh_engine *e, const gh_caller *c, gh_str arn, const gh_str *thumbprints,
					size_t n, gh_err *err)
{
	if (!check_thumbprints(thumbprints, n, err))
		return false;
	char *t = strs_json(thumbprints, n);
	struct provider_tx x = { .op = PTX_THUMBS, .thumbprints = t };
	bool ok = t && change(e, c, "iam:UpdateOpenIDConnectProviderThumbprint", arn, &x, err);
	free(t);
	return ok;
}

/* --- external issuers' keys -------------------------------------------------------- */

#define JWKS_TTL 3600
#define JWKS_MIN_REFETCH 60

typedef struct jwks_entry {
	char *issuer;
	json_t *jwks;
	int64_t fetched;   /* when these keys came: they are trusted for JWKS_TTL */
	int64_t attempted; /* the last fetch started: at most one a JWKS_MIN_REFETCH */
} jwks_entry;

struct gh_webid {
	pthread_mutex_t mu;
	jwks_entry *v;
	size_t n, cap;
};

bool webid_open(gh_engine *e, gh_err *err)
{
	struct gh_webid *w = calloc(1, sizeof *w);
	if (!w)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	pthread_mutex_init(&w->mu, NULL);
	e->webid = w;
	return true;
}

void webid_close(gh_engine *e)
{
	struct gh_webid *w = e->webid;
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].issuer);
		json_decref(w->v[i].jwks);
	}
	free(w->v);
	pthread_mutex_destroy(&w->mu);
	free(w);
	e->webid = NULL;
}

static bool idp_fail(gh_err *err, const char *why)
{
	return gh_fail(err, "IDPCommunicationError", 400,
		       "Couldn't retrieve verification key from your identity provider, please reference "
		       "AssumeRoleWithWebIdentity documentation for requirements (%s)",
		       why);
}

static json_t *fetch_json(gh_engine *e, const char *url, gh_err *err)
{
	gh_http_client_config cfg = { .timeout_ms = 5000, .max_response_bytes = 256 * 1024,
				      .ca_file = e->cfg.oidc_ca_file, .connect_to = e->cfg.oidc_connect_to };
	gh_http_client_request req = { .url = url };
	gh_http_client_response resp;
	gh_err why = { 0 };
	if (!http_client_do(&cfg, &req, &resp, &why)) {
		idp_fail(err, why.msg);
		return NULL;
	}
	json_t *j = resp.status == 200 ? json_loadb(resp.body.p ? resp.body.p : "", resp.body.n, 0, NULL) : NULL;
	char st[64];
	snprintf(st, sizeof st, "HTTP %ld from the identity provider", resp.status);
	http_client_response_free(&resp);
	if (!json_is_object(j)) {
		json_decref(j);
		idp_fail(err, j ? "not a JSON object" : st);
		return NULL;
	}
	return j;
}

/* Discovery, then the JWKS it names; the discovery document must name the same issuer. */
static json_t *fetch_jwks(gh_engine *e, const char *issuer, gh_err *err)
{
	gh_buf url = { 0 };
	gh_buf_printf(&url, "%s/.well-known/openid-configuration", issuer);
	json_t *disc = url.p ? fetch_json(e, url.p, err) : NULL;
	gh_buf_free(&url);
	if (!disc)
		return NULL;
	const char *iss = json_string_value(json_object_get(disc, "issuer"));
	const char *uri = json_string_value(json_object_get(disc, "jwks_uri"));
	json_t *jwks = NULL;
	if (!iss || strcmp(iss, issuer) != 0)
		idp_fail(err, "the discovery document names another issuer");
	else if (!uri || strncmp(uri, "https://", 8) != 0)
		idp_fail(err, "the discovery document has no https jwks_uri");
	else
		jwks = fetch_json(e, uri, err);
	json_decref(disc);
	return jwks;
}

static jwks_entry *cached(struct gh_webid *w, const char *issuer)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i].issuer, issuer) == 0)
			return &w->v[i];
	return NULL;
}

/* Keeps a fetched JWKS (taken over); w->mu held. */
static void remember(struct gh_webid *w, const char *issuer, json_t *jwks, int64_t now)
{
	jwks_entry *en = cached(w, issuer);
	if (!en && w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		jwks_entry *bigger = cap <= 1024 ? realloc(w->v, cap * sizeof *bigger) : NULL;
		if (!bigger) { /* only registered providers get here, so this is a soft limit */
			json_decref(jwks);
			return;
		}
		w->v = bigger;
		w->cap = cap;
	}
	if (!en) {
		en = &w->v[w->n++];
		*en = (jwks_entry){ .issuer = strdup(issuer) };
	}
	json_decref(en->jwks);
	en->jwks = jwks;
	en->fetched = en->attempted = now;
}

/* The key for `kid` of an external issuer, from the cache or a fetch. The fetch runs
 * outside the lock, so a slow provider delays only its own tokens. */
static bool external_key(gh_engine *e, const char *issuer, const char *kid, gh_jwt_key **out, gh_err *err)
{
	struct gh_webid *w = e->webid;
	int64_t now = engine_now(e);
	pthread_mutex_lock(&w->mu);
	jwks_entry *en = cached(w, issuer);
	bool fresh = en && now - en->fetched < JWKS_TTL;
	if (fresh && jwt_jwks_find(en->jwks, kid, out, NULL)) {
		pthread_mutex_unlock(&w->mu);
		return true;
	}
	/* A kid we do not know may be a freshly rotated key: refetch, but not more than once
	 * a minute, so bad tokens cannot make us hammer the provider. */
	bool fetch = !en || now - en->attempted >= JWKS_MIN_REFETCH;
	if (en && fetch)
		en->attempted = now; /* concurrent callers do not fetch again meanwhile */
	pthread_mutex_unlock(&w->mu);
	gh_err ferr = { 0 };
	json_t *jwks = fetch ? fetch_jwks(e, issuer, &ferr) : NULL;
	pthread_mutex_lock(&w->mu);
	if (jwks)
		remember(w, issuer, jwks, now);
	en = cached(w, issuer);
	/* keys past their time are not trusted, even when the provider cannot be reached */
	bool ok = en && now - en->fetched < JWKS_TTL && jwt_jwks_find(en->jwks, kid, out, NULL);
	pthread_mutex_unlock(&w->mu);
	if (ok)
		return true;
	if (fetch && !jwks) {
		if (err)
			*err = ferr;
		return false;
	}
	return gh_fail(err, "InvalidIdentityToken", 400,
		       "Couldn't find a key with kid \"%s\" in the identity provider's JWKS", kid);
}

/* --- AssumeRoleWithWebIdentity ------------------------------------------------------ */

static bool bad_token(gh_err *err, const char *msg)
{
	return gh_fail(err, "InvalidIdentityToken", 400, "%s", msg);
}

static bool validate(const gh_webid_req *r, gh_err *err)
{
	if (r->role_arn.n < 20 || r->role_arn.n > 2048)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member "
			       "must have length %s",
			       r->role_arn.n < 20 ? "greater than or equal to 20" : "less than or equal to 2048");
	if (!arn_validate_session_name(r->session_name, NULL, err))
		return false;
	if (r->token.n < 4 || r->token.n > JWT_MAX_LEN)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: "
			       "Member must have length %s",
			       r->token.n < 4 ? "greater than or equal to 4" : "less than or equal to 20000");
	if (r->has_duration && (r->duration < 900 || r->duration > 43200))
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value '%lld' at 'durationSeconds' failed to satisfy "
			       "constraint: Member must have value %s",
			       (long long)(r->duration < 0 ? 0 : r->duration),
			       r->duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200");
	return sts_check_session_policy(r->policy, err);
}

static const char *denied_msg = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

/* The audience the provider accepts: the first aud value (or azp) among its client IDs. */
static const char *matching_audience(const gh_jwt *j, const gh_oidc_provider *p)
{
	const json_t *aud = json_object_get(j->payload, "aud");
	size_t n = json_is_array(aud) ? json_array_size(aud) : 1;
	for (size_t i = 0; i < n; i++) {
		const char *v = json_is_array(aud) ? json_string_value(json_array_get(aud, i)) : json_string_value(aud);
		for (size_t k = 0; v && k < p->nclient_ids; k++)
			if (strcmp(v, p->client_ids[k]) == 0)
				return v;
	}
	const char *azp = jwt_claim_str(j, "azp");
	for (size_t k = 0; azp && k < p->nclient_ids; k++)
		if (strcmp(azp, p->client_ids[k]) == 0)
			return azp;
	return NULL;
}

/* Signature and times: own issuers against their keys, others through their JWKS. */
static bool verify_token(gh_engine *e, const gh_webid_req *r, const gh_jwt *j, const char *iss, gh_arena *a,
			 gh_err *err)
{
	if (oidc_is_own_issuer(e, iss, a, NULL)) {
		gh_sa_claims cl;
		gh_err why = { 0 };
		if (oidc_verify_own(e, NULL, r->token, NULL, GH_WEBID_SKEW, a, &cl, &why))
			return true;
		if (why.code && strcmp(why.code, "ExpiredToken") == 0)
			return gh_fail(err, "ExpiredTokenException", 400, "Token expired: current date/time %lld must be "
				       "before the expiration date/time %lld", (long long)engine_now(e),
				       (long long)json_integer_value(json_object_get(j->payload, "exp")));
		return bad_token(err, why.msg);
	}
	gh_jwt_key *k;
	if (!external_key(e, iss, j->kid, &k, err))
		return false;
	gh_err why = { 0 };
	bool ok = jwt_verify(j, k, &why);
	jwt_key_free(k);
	if (!ok)
		return bad_token(err, why.msg);
	int64_t now = engine_now(e), exp, nbf, iat;
	if (!jwt_claim_int(j, "exp", &exp))
		return bad_token(err, "The token has no integer exp claim");
	if (now > exp + GH_WEBID_SKEW)
		return gh_fail(err, "ExpiredTokenException", 400,
			       "Token expired: current date/time %lld must be before the expiration date/time %lld",
			       (long long)now, (long long)exp);
	if (jwt_claim_int(j, "nbf", &nbf) && now + GH_WEBID_SKEW < nbf)
		return bad_token(err, "The token is not valid yet (nbf)");
	if (jwt_claim_int(j, "iat", &iat) && now + GH_WEBID_SKEW < iat)
		return bad_token(err, "The token was issued in the future (iat)");
	return true;
}

#define MAX_CTX 32

typedef struct ctx_list {
	policy_ctx_key keys[MAX_CTX];
	gh_str vals[MAX_CTX];
	size_t n;
	gh_arena *a;
} ctx_list;

static void add_ctx(ctx_list *l, const char *name, const char *val)
{
	if (!val || l->n == MAX_CTX)
		return;
	l->vals[l->n] = gh_arena_str(l->a, gh_str_c(val));
	l->keys[l->n] = (policy_ctx_key){ gh_arena_str(l->a, gh_str_c(name)), &l->vals[l->n], 1 };
	l->n++;
}

static bool trust_allows(gh_engine *e, const gh_webid_req *r, const iam_role *role, const gh_jwt *j,
			 const char *provider_arn, const char *key, const char *aud, gh_arena *a, bool *allowed,
			 gh_err *err)
{
	const policy_doc *doc;
	if (!policy_parse(a, gh_str_c(role->trust_policy), NULL, &doc, err))
		return gh_fail_wrap(err, "the stored trust policy of %s", role->arn);
	ctx_list cb = { .a = a };
	/* IAM's keys for OIDC federation: <provider url>:sub / :aud / :amr, as the trust
	 * policies of IRSA roles condition on them. */
	gh_buf name = { 0 };
	gh_buf_printf(&name, "%s:sub", key);
	add_ctx(&cb, name.p, jwt_claim_str(j, "sub"));
	gh_buf_reset(&name);
	gh_buf_printf(&name, "%s:aud", key);
	add_ctx(&cb, name.p, aud);
	gh_buf_reset(&name);
	gh_buf_printf(&name, "%s:oaud", key);
	add_ctx(&cb, name.p, aud);
	gh_buf_reset(&name);
	gh_buf_printf(&name, "%s:amr", key);
	add_ctx(&cb, name.p, jwt_claim_str(j, "amr"));
	gh_buf_free(&name);
	add_ctx(&cb, "aws:FederatedProvider", provider_arn);
	char *session = (char *)gh_arena_str(a, r->session_name).p, *ip = (char *)gh_arena_str(a, r->source_ip).p;
	add_ctx(&cb, "sts:RoleSessionName", session);
	add_ctx(&cb, "aws:SourceIp", r->source_ip.n ? ip : NULL);
	add_ctx(&cb, "aws:SecureTransport", r->secure_transport ? "true" : "false");
	char iso[GH_ISO8601_LEN + 1], epoch[24];
	gh_time_iso8601(engine_now(e), iso);
	snprintf(epoch, sizeof epoch, "%lld", (long long)engine_now(e));
	add_ctx(&cb, "aws:CurrentTime", iso);
	add_ctx(&cb, "aws:EpochTime", epoch);
	policy_request pr = { .action = GH_STR("sts:AssumeRoleWithWebIdentity"),
			      .caller = { .type = POLICY_CALLER_FEDERATED, .arn = gh_str_c(provider_arn) },
			      .resource = gh_str_c(role->arn), .ctx = cb.keys, .nctx = cb.n };
	policy_result res;
	if (!policy_evaluate(doc, &pr, a, &res, err))
		return false;
	*allowed = res.decision == POLICY_ALLOW;
	return true;
}

static void log_rejected(const char *iss, const char *aud, const char *sub, const gh_err *err)
{
	/* Names the token (never the token itself) so an operator can see which issuer,
	 * audience or subject did not fit; STS's answer alone is famously opaque. */
	gh_log_info("sts.web-identity-rejected", "iss", iss ? iss : "", "aud", aud ? aud : "", "sub", sub ? sub : "",
		    "outcome", err->code ? err->code : "", "detail", err->msg);
}

static const char *first_aud(const gh_jwt *j)
{
	const json_t *aud = json_object_get(j->payload, "aud");
	return json_is_array(aud) ? json_string_value(json_array_get(aud, 0)) : json_string_value(aud);
}

bool engine_sts_assume_role_with_web_identity(gh_engine *e, const gh_webid_req *r, gh_arena *a, gh_webid_res *out,
					      gh_err *err)
{
	if (!validate(r, err))
		return false;
	gh_jwt j;
	gh_err perr = { 0 };
	if (!jwt_parse(r->token, &j, &perr)) {
		gh_fail(err, "InvalidIdentityToken", 400, "Couldn't parse the web identity token: %s", perr.msg);
		log_rejected(NULL, NULL, NULL, err);
		return false;
	}
	const char *iss = jwt_claim_str(&j, "iss"), *sub = jwt_claim_str(&j, "sub");
	bool ok = true;
	const char *key = NULL;
	gh_oidc_provider prov = { 0 };
	const char *aud = NULL;
	arn_parts parts;
	if (!arn_parse(r->role_arn, &parts, NULL) || arn_classify(r->role_arn) != ARN_ROLE)
		ok = gh_fail(err, "ValidationError", 400, "Invalid ARN: " GH_STR_FMT " is not a role ARN.",
			     GH_STR_ARG(r->role_arn));
	if (ok && (!iss || !sub))
		ok = bad_token(err, !iss ? "The token has no iss claim" : "The token has no sub claim");
	/* The provider must be registered in the role's account. */
	if (ok) {
		gh_err kerr;
		bool found = false;
		oidc_provider_row row;
		if (gh_str_eq_c(parts.account, e->account) && provider_key(gh_str_c(iss), a, &key, &kerr)) {
			ok = engine_read_begin(e, err);
			if (ok) {
				ok = oidc_store_get_provider(db_conn(e->db), e->account, key, a, &row, &found, err);
				engine_read_end(e);
			}
		}
		if (ok && !found)
			ok = gh_fail(err, "InvalidIdentityToken", 400, "No OpenIDConnect provider found in your account for %s",
				     iss);
		if (ok)
			to_provider(&row, a, &prov);
	}
	if (ok && !(aud = matching_audience(&j, &prov)))
		ok = bad_token(err, "Incorrect token audience");
	if (ok)
		ok = verify_token(e, r, &j, iss, a, err);
	iam_role role;
	if (ok) {
		gh_err lookup;
		bool found = false;
		ok = engine_read_begin(e, err);
		if (ok) {
			found = iam_store_get_role(db_conn(e->db), e->account, arn_last_name(r->role_arn), a, &role, &lookup);
			engine_read_end(e);
		}
		if (ok && (!found || !gh_str_eq_c(r->role_arn, role.arn)))
			ok = gh_fail(err, "AccessDenied", 403, "%s", denied_msg);
	}
	bool allowed = false;
	if (ok && (ok = trust_allows(e, r, &role, &j, prov.arn, key, aud, a, &allowed, err)) && !allowed)
		ok = gh_fail(err, "AccessDenied", 403, "%s", denied_msg);
	int64_t duration = r->has_duration ? r->duration : 3600;
	if (ok && duration > role.max_session)
		ok = gh_fail(err, "ValidationError", 400,
			     "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
	if (ok) {
		gh_assume_role_req ar = { .role_arn = r->role_arn, .session_name = r->session_name, .policy = r->policy };
		ok = sts_issue_session(e, &role, &ar, prov.arn, NULL, NULL, 0, NULL, 0, duration, a, &out->creds, err);
	}
	if (ok) {
		out->subject = gh_arena_strndup(a, sub, strlen(sub));
		out->provider = prov.arn;
		out->audience = gh_arena_strndup(a, aud, strlen(aud));
		out->issuer = gh_arena_strndup(a, iss, strlen(iss));
	} else {
		log_rejected(iss, aud ? aud : first_aud(&j), sub, err);
	}
	jwt_free(&j);
	return ok;
}
