#include "engine/kube.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "codec/base64.h"
#include "crypto/aead.h"
#include "engine/kube_internal.h"
#include "engine/maps.h"
#include "store/cluster_store.h"
#include "store/kek.h"

#define SEALED_PREFIX "gh:enc:v1:"
static const char *const default_namespaces[] = { "default", "kube-node-lease", "kube-public", "kube-system" };

/* ---- status helpers ------------------------------------------------------------------ */

void kube_status_clear(kube_status *s)
{
	free(s->message);
	json_decref(s->details);
	*s = (kube_status){ 0 };
}

bool kube_fail(kube_status *s, int code, const char *reason, const char *fmt, ...)
{
	kube_status_clear(s);
	s->code = code;
	s->reason = reason;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s->message, fmt, ap) < 0)
		s->message = NULL;
	va_end(ap);
	return false;
}

static void group_resource(const k8s_resource *r, char *out, size_t n)
{
	if (r->group[0])
		snprintf(out, n, "%s.%s", r->resource, r->group);
	else
		snprintf(out, n, "%s", r->resource);
}

bool kube_not_found(kube_status *s, const k8s_resource *r, const char *name)
{
	char gr[160];
	group_resource(r, gr, sizeof gr);
	kube_fail(s, 404, "NotFound", "%s \"%s\" not found", gr, name);
	s->details = json_pack("{s:s, s:s, s:s}", "name", name, "group", r->group, "kind", r->resource);
	if (!r->group[0])
		json_object_del(s->details, "group");
	return false;
}

bool kube_invalid(kube_status *st, const k8s_resource *r, const char *name, const char *field,
		  const char *cause_reason, const char *text)
{
	char kind[160];
	if (r->group[0])
		snprintf(kind, sizeof kind, "%s.%s", r->kind, r->group);
	else
		snprintf(kind, sizeof kind, "%s", r->kind);
	kube_fail(st, 422, "Invalid", "%s \"%s\" is invalid: %s: %s", kind, name, field, text);
	st->details = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s}]}", "name", name, "group", r->group, "kind",
				r->kind, "causes", "reason", cause_reason, "message", text, "field", field);
	if (!r->group[0])
		json_object_del(st->details, "group");
	return false;
}

void kube_write_result_clear(kube_write_result *r)
{
	json_decref(r->object);
	json_decref(r->warnings);
	json_decref(r->audit_annotations);
	*r = (kube_write_result){ 0 };
}

const char *kube_meta_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
	return s ? s : "";
}

json_t *kube_meta(json_t *obj)
{
	json_t *m = json_object_get(obj, "metadata");
	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(obj, "metadata", m);
	}
	return m;
}

/* ---- sealing Secrets at rest ------------------------------------------------------- */

/* Body layout: "gh:enc:v1:" base64( u16 len || DEK sealed under the KEK || body sealed
 * under the DEK ). Both seals name the object in their associated data, so a sealed body
 * copied onto another object's row does not open. */
typedef struct kobj_key_view {
	const char *cluster, *ns, *name;
} kobj_key_view;

static void secret_aad(gh_buf *b, const char *what, const kobj_key_view *k)
{
	gh_buf_reset(b);
	gh_buf_printf(b, "%s:%s/%s/%s", what, k->cluster, k->ns, k->name);
}

static bool seal_body(gh_engine *e, const kobj_key_view *k, gh_str plain, gh_buf *out, gh_err *err)
{
	uint8_t dek[GH_AEAD_KEY_LEN];
	if (!engine_random(dek, sizeof dek, err))
		return false;
	gh_buf aad = { 0 }, sealed_dek = { 0 }, blob = { 0 };
	secret_aad(&aad, "k8s-secret-dek", k);
	bool ok = kek_seal(e->kek, (gh_str){ (const char *)dek, sizeof dek }, gh_buf_str(&aad), &sealed_dek, err);
	if (ok) {
		uint8_t len[2] = { (uint8_t)(sealed_dek.n >> 8), (uint8_t)sealed_dek.n };
		gh_buf_put(&blob, len, 2);
		gh_buf_put(&blob, sealed_dek.p, sealed_dek.n);
		secret_aad(&aad, "k8s-secret", k);
		ok = aead_seal(dek, plain, gh_buf_str(&aad), &blob, err);
	}
	if (ok) {
		gh_buf_puts(out, SEALED_PREFIX);
		ok = base64_encode_buf(blob.p, blob.n, BASE64_STD, true, out);
	}
	memset(dek, 0, sizeof dek);
	gh_buf_free(&aad);
	gh_buf_free(&sealed_dek);
	gh_buf_free(&blob);
	return ok;
}

static bool open_body(gh_engine *e, const kobj_key_view *k, gh_str stored, gh_buf *out, gh_err *err)
{
	gh_str b64 = gh_str_sub(stored, strlen(SEALED_PREFIX), stored.n);
	uint8_t *blob = malloc(base64_decoded_max(b64.n) + 1);
	size_t n = 0;
	if (!blob)
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	bool ok = base64_decode_std(b64, blob, &n, err) && n >= 2;
	size_t dl = ok ? ((size_t)blob[0] << 8 | blob[1]) : 0;
	ok = ok && 2 + dl <= n;
	gh_buf aad = { 0 }, dek = { 0 };
	if (ok) {
		secret_aad(&aad, "k8s-secret-dek", k);
		ok = kek_open(e->kek, (gh_str){ (const char *)blob + 2, dl }, gh_buf_str(&aad), &dek, err) &&
		     dek.n == GH_AEAD_KEY_LEN;
	}
	if (ok) {
		secret_aad(&aad, "k8s-secret", k);
		ok = aead_open((const uint8_t *)dek.p, (gh_str){ (const char *)blob + 2 + dl, n - 2 - dl },
			       gh_buf_str(&aad), out, err);
	} else if (!err->msg[0]) {
		gh_fail(err, "DecryptFailed", 500, "sealed Secret is malformed");
	}
	aead_buf_wipe(&dek);
	gh_buf_free(&aad);
	free(blob);
	return ok;
}

/* ---- opening: the cache from the store --------------------------------------------- */

typedef struct load_ctx {
	gh_engine *e;
	size_t failed;
} load_ctx;

static bool load_one(void *ctx, const char *cluster, const char *kind, const char *ns, const char *name,
		     const char *body, size_t len, int64_t rv)
{
	load_ctx *l = ctx;
	gh_buf plain = { 0 };
	if (strncmp(body, SEALED_PREFIX, strlen(SEALED_PREFIX)) == 0) {
		kobj_key_view k = { cluster, ns, name };
		gh_err err = { 0 };
		if (!open_body(l->e, &k, (gh_str){ body, len }, &plain, &err)) {
			gh_log_error("kube.load.secret", "cluster", cluster, "namespace", ns, "name", name, "detail",
				     err.msg);
			l->failed++;
			aead_buf_wipe(&plain);
			return true;
		}
		body = plain.p;
		len = plain.n;
	}
	kobj *o = kobj_new(cluster, kind, ns, name, body, len, rv);
	aead_buf_wipe(&plain);
	if (!o)
		return false;
	kube_cache_load(l->e->kube->cache, o);
	return true;
}

kube_cache *engine_kube_cache(gh_engine *e)
{
	return e->kube->cache;
}

static char *serialize(const json_t *obj)
{
	return json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* Writes one object at a new resourceVersion inside the caller's transaction. */
static bool persist(gh_engine *e, const char *cluster, const k8s_resource *r, json_t *obj, int64_t *rv,
		    char **body_out, gh_err *err)
{
	if (!cluster_store_next_rv(db_conn(e->db), rv, err))
		return false;
	char rvs[24];
	snprintf(rvs, sizeof rvs, "%lld", (long long)*rv);
	json_object_set_new(kube_meta(obj), "resourceVersion", json_string(rvs));
	char *body = serialize(obj);
	if (!body)
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	const char *ns = kube_meta_str(obj, "namespace"), *name = kube_meta_str(obj, "name");
	bool ok;
	if (strcmp(r->kind, "Secret") == 0) {
		gh_buf sealed = { 0 };
		kobj_key_view k = { cluster, ns, name };
		ok = seal_body(e, &k, gh_str_c(body), &sealed, err) &&
		     cluster_store_put_object_rv(db_conn(e->db), cluster, r->kind, ns, name, sealed.p, *rv, err);
		gh_buf_free(&sealed);
	} else {
		ok = cluster_store_put_object_rv(db_conn(e->db), cluster, r->kind, ns, name, body, *rv, err);
	}
	if (!ok) {
		free(body);
		return false;
	}
	*body_out = body;
	return true;
}

bool engine_uuid(char out[37])
{
	uint8_t b[16];
	gh_err err;
	if (!engine_random(b, sizeof b, &err))
		return false;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return true;
}

/* A fresh object's server-set metadata. */
static bool stamp_new(gh_engine *e, json_t *obj, gh_err *err)
{
	char uid[37], ts[GH_ISO8601_LEN + 1];
	if (!engine_uuid(uid))
		return gh_fail(err, "ServiceFailure", 500, "no randomness for a uid");
	gh_time_iso8601(engine_now(e), ts);
	json_t *m = kube_meta(obj);
	json_object_set_new(m, "uid", json_string(uid));
	json_object_set_new(m, "creationTimestamp", json_string(ts));
	return true;
}

static bool ensure_default_sas(gh_engine *e, const char *cluster, gh_err *err);

typedef struct seed_ctx {
	const char *cluster;
	json_t *objs; /* array of namespaces to write */
	char **bodies;
	int64_t *rvs;
} seed_ctx;

static bool seed_tx(gh_engine *e, void *vctx, gh_err *err)
{
	seed_ctx *s = vctx;
	const k8s_resource *ns = k8s_resource_find(GH_STR(""), GH_STR("v1"), GH_STR("namespaces"));
	for (size_t i = 0; i < json_array_size(s->objs); i++)
		if (!persist(e, s->cluster, ns, json_array_get(s->objs, i), &s->rvs[i], &s->bodies[i], err))
			return false;
	return true;
}

static bool ensure_namespaces(gh_engine *e, const char *cluster, gh_err *err)
{
	seed_ctx s = { .cluster = cluster, .objs = json_array() };
	const k8s_resource *nsr = k8s_resource_find(GH_STR(""), GH_STR("v1"), GH_STR("namespaces"));
	for (size_t i = 0; i < sizeof default_namespaces / sizeof default_namespaces[0]; i++) {
		kobj *have = kube_cache_get(e->kube->cache, cluster, "Namespace", "", default_namespaces[i]);
		if (have) {
			kobj_unref(have);
			continue;
		}
		json_t *o = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Namespace", "metadata", "name",
				      default_namespaces[i]);
		kube_status st = { 0 };
		bool ok = stamp_new(e, o, err) && kube_kind_prepare(nsr, o, NULL, &st);
		kube_status_clear(&st);
		if (!ok) {
			json_decref(o);
			json_decref(s.objs);
			return gh_fail(err, "ServiceFailure", 500, "cannot create the default namespaces");
		}
		json_array_append_new(s.objs, o);
	}
	size_t n = json_array_size(s.objs);
	bool ok = true;
	if (n) {
		s.bodies = calloc(n, sizeof *s.bodies);
		s.rvs = calloc(n, sizeof *s.rvs);
		ok = s.bodies && s.rvs && engine_tx_publish(e, seed_tx, &s, 0, err);
		for (size_t i = 0; i < n; i++) {
			if (ok) {
				json_t *o = json_array_get(s.objs, i);
				kobj *k = kobj_new(cluster, "Namespace", "", kube_meta_str(o, "name"), s.bodies[i],
						   strlen(s.bodies[i]), s.rvs[i]);
				if (k)
					kube_cache_put(e->kube->cache, k, KUBE_ADDED);
			}
			if (s.bodies)
				free(s.bodies[i]);
		}
		free(s.bodies);
		free(s.rvs);
	}
	json_decref(s.objs);
	return ok;
}

bool kube_open(gh_engine *e, gh_err *err)
{
	e->kube = calloc(1, sizeof *e->kube);
	if (!e->kube || !(e->kube->cache = kube_cache_new()))
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	pthread_mutex_init(&e->kube->mu, NULL);
	load_ctx l = { .e = e };
	int64_t rv = 0;
	gh_arena a;
	gh_arena_init(&a, 0);
	const char **names = NULL;
	size_t n = 0;
	bool ok = engine_read_begin(e, err);
	if (ok) {
		ok = cluster_store_each_object(db_conn(e->db), load_one, &l, err) &&
		     cluster_store_current_rv(db_conn(e->db), &rv, err) &&
		     cluster_store_list(db_conn(e->db), &a, &names, &n, err);
		engine_read_end(e);
	}
	if (ok)
		kube_cache_set_rv(e->kube->cache, rv);
	if (l.failed)
		gh_log_error("kube.load", "detail", "some Secrets could not be opened with this KEK and are not served");
	for (size_t i = 0; ok && !e->cfg.read_only && i < n; i++)
		ok = ensure_namespaces(e, names[i], err) && ensure_default_sas(e, names[i], err);
	gh_arena_free(&a);
	return ok;
}

void kube_close(gh_engine *e)
{
	if (!e->kube)
		return;
	if (e->kube->cache)
		kube_cache_close(e->kube->cache);
	kube_cache_free(e->kube->cache);
	pthread_mutex_destroy(&e->kube->mu);
	free(e->kube);
	e->kube = NULL;
}

bool kube_cluster_created(gh_engine *e, const char *cluster, gh_err *err)
{
	return ensure_namespaces(e, cluster, err) && ensure_default_sas(e, cluster, err);
}

void kube_cluster_deleted(gh_engine *e, const char *cluster)
{
	size_t nr;
	const k8s_resource *rs = k8s_resources(&nr);
	pthread_mutex_lock(&e->kube->mu);
	for (size_t i = 0; i < nr; i++) {
		kobj **objs;
		size_t n;
		int64_t rv;
		if (!rs[i].stored || !kube_cache_list(e->kube->cache, cluster, rs[i].kind, NULL, &objs, &n, &rv))
			continue;
		for (size_t j = 0; j < n; j++)
			kube_cache_delete(e->kube->cache, kobj_ref(objs[j]));
		kube_cache_list_free(objs, n);
	}
	pthread_mutex_unlock(&e->kube->mu);
}

/* ---- authorization for the API's own checks ----------------------------------------- */

bool engine_kube_authorize(gh_engine *e, const char *cluster, const kube_user *u, const rbac_attrs *attrs,
			   gh_arena *a, gh_authz_res *out)
{
	gh_str *groups = gh_arena_alloc(a, (u->ngroups ? u->ngroups : 1) * sizeof *groups);
	for (size_t i = 0; i < u->ngroups; i++)
		groups[i] = gh_str_c(u->groups[i]);
	gh_authz_req r = { .attrs = *attrs, .principal_id = u->principal_id, .impersonated = u->impersonated };
	r.attrs.user = (rbac_user){ .name = gh_str_c(u->name), .groups = groups, .ngroups = u->ngroups,
				    .has_extra = json_object_size(u->extra) > 0 };
	gh_err err = { 0 };
	if (!engine_authorize(e, gh_str_c(cluster), &r, a, out, NULL, NULL, &err)) {
		*out = (gh_authz_res){ .allowed = false, .reason = "", .forbidden = "" };
		return false;
	}
	return true;
}

/* ---- writes ------------------------------------------------------------------------- */

/* The resource's namespace exists (namespaced writes need it, as NamespaceLifecycle
 * admission requires). */
static bool namespace_exists(gh_engine *e, const char *cluster, const char *ns)
{
	kobj *o = kube_cache_get(e->kube->cache, cluster, "Namespace", "", ns);
	kobj_unref(o);
	return o != NULL;
}

static bool is_rbac(const k8s_resource *r)
{
	return strcmp(r->group, "rbac.authorization.k8s.io") == 0;
}

static bool touches_maps(const k8s_resource *r, const char *ns, const char *name)
{
	return is_rbac(r) || (strcmp(r->kind, "ConfigMap") == 0 && strcmp(ns, "kube-system") == 0 &&
			      strcmp(name, "aws-auth") == 0);
}

/* Everything of the object but its metadata and status: a change there bumps generation. */
static bool spec_changed(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v) {
		if (strcmp(k, "metadata") == 0 || strcmp(k, "status") == 0)
			continue;
		if (!json_equal(v, json_object_get(b, k)))
			return true;
	}
	json_object_foreach((json_t *)b, k, v) {
		if (strcmp(k, "metadata") == 0 || strcmp(k, "status") == 0)
			continue;
		if (!json_object_get(a, k))
			return true;
	}
	return false;
}

static void random_suffix(gh_engine *e, char out[6])
{
	/* upstream's utilrand alphabet: no vowels, no confusable characters */
	static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
	uint8_t b[5] = { 0 };
	gh_err err;
	if (!engine_random(b, sizeof b, &err))
		memset(b, 0, sizeof b);
	for (int i = 0; i < 5; i++)
		out[i] = alnum[b[i] % (sizeof alnum - 1)];
	out[5] = '\0';
}

/* The apiVersion and kind of a written object must be the resource's (empty ones are
 * filled in, as the decoder defaults them from the URL). */
static bool check_type(const k8s_resource *r, json_t *obj, kube_status *st)
{
	char av[128];
	k8s_resource_api_version(r, av, sizeof av);
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *api = json_string_value(json_object_get(obj, "apiVersion"));
	if ((kind && kind[0] && strcmp(kind, r->kind) != 0) || (api && api[0] && strcmp(api, av) != 0))
		return kube_fail(st, 400, "BadRequest", "the object provided is unrecognized (must be of type %s): "
				 "%s, Kind=%s", r->kind, api ? api : "", kind ? kind : "");
	json_object_set_new(obj, "apiVersion", json_string(av));
	json_object_set_new(obj, "kind", json_string(r->kind));
	return true;
}

/* metadata.name rules: a path segment for RBAC kinds, an RFC 1123 label for namespaces,
 * an RFC 1123 subdomain for the rest. */
static bool check_name(const k8s_resource *r, const char *name, kube_status *st)
{
	size_t n = strlen(name);
	if (is_rbac(r)) {
		const char *bad = NULL;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			bad = "may not be '.' or '..'";
		else if (strchr(name, '/'))
			bad = "may not contain '/'";
		else if (strchr(name, '%'))
			bad = "may not contain '%'";
		if (!bad)
			return true;
		char text[300];
		snprintf(text, sizeof text, "Invalid value: \"%s\": %s", name, bad);
		return kube_invalid(st, r, name, "metadata.name", "FieldValueInvalid", text);
	}
	bool label = strcmp(r->kind, "Namespace") == 0;
	bool ok = n > 0 && n <= (label ? 63u : 253u);
	for (size_t i = 0; ok && i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (alnum)
			continue;
		if (c == '-' && i > 0 && i + 1 < n)
			continue;
		if (!label && c == '.' && i > 0 && i + 1 < n && name[i - 1] != '.' && name[i - 1] != '-' &&
		    name[i + 1] != '-' && name[i + 1] != '.')
			continue;
		ok = false;
	}
	if (ok)
		return true;
	char text[700];
	if (n > (label ? 63u : 253u))
		snprintf(text, sizeof text, "Invalid value: \"%s\": must be no more than %d characters", name,
			 label ? 63 : 253);
	else if (label)
		snprintf(text, sizeof text,
			 "Invalid value: \"%s\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
			 "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
			 "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
			 name);
	else
		snprintf(text, sizeof text,
			 "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of lower case "
			 "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
			 "(e.g. 'example.com', regex used for validation is "
			 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
			 name);
	return kube_invalid(st, r, name, "metadata.name", "FieldValueInvalid", text);
}

/* Prepares the object for create/update/patch: checks, server-set fields, kind rules,
 * admission. `old` is NULL on create. */
static bool prepare(gh_engine *e, const char *cluster, const kube_write *w, json_t *obj, const json_t *old,
		    kube_status *st)
{
	const k8s_resource *r = w->res;
	if (!json_is_object(obj))
		return kube_fail(st, 400, "BadRequest", "the body of the request was not a JSON object");
	if (!check_type(r, obj, st))
		return false;
	json_t *m = kube_meta(obj);
	const char *ns = json_string_value(json_object_get(m, "namespace"));
	if (r->namespaced) {
		if (ns && ns[0] && strcmp(ns, w->ns) != 0)
			return kube_fail(st, 400, "BadRequest",
					 "the namespace of the provided object does not match the namespace sent on the "
					 "request");
		json_object_set_new(m, "namespace", json_string(w->ns));
	} else {
		json_object_del(m, "namespace");
	}
	const char *name = json_string_value(json_object_get(m, "name"));
	if (!old) {
		const char *gen = json_string_value(json_object_get(m, "generateName"));
		if ((!name || !name[0]) && gen && gen[0]) {
			char sfx[6], full[320];
			random_suffix(e, sfx);
			snprintf(full, sizeof full, "%.*s%s", (int)(strlen(gen) > 58 ? 58 : strlen(gen)), gen, sfx);
			json_object_set_new(m, "name", json_string(full));
			name = json_string_value(json_object_get(m, "name"));
		}
		if (!name || !name[0])
			return kube_invalid(st, r, "", "metadata.name", "FieldValueRequired",
					    "Required value: name or generateName is required");
	} else {
		if (!name || !name[0]) {
			json_object_set_new(m, "name", json_string(w->name));
			name = w->name;
		}
		if (strcmp(name, w->name) != 0)
			return kube_fail(st, 400, "BadRequest",
					 "the name of the object (%s) does not match the name on the URL (%s)", name,
					 w->name);
	}
	if (!check_name(r, name, st))
		return false;
	if (r->namespaced && !namespace_exists(e, cluster, w->ns)) {
		kube_status_clear(st);
		kube_fail(st, 404, "NotFound", "namespaces \"%s\" not found", w->ns);
		st->details = json_pack("{s:s, s:s}", "name", w->ns, "kind", "namespaces");
		return false;
	}
	gh_err err = { 0 };
	if (old) {
		const char *want = json_string_value(json_object_get(m, "resourceVersion"));
		const char *have = kube_meta_str(old, "resourceVersion");
		char gr[160];
		group_resource(r, gr, sizeof gr);
		if (want && want[0] && strcmp(want, have) != 0) {
			kube_fail(st, 409, "Conflict",
				  "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply "
				  "your changes to the latest version and try again",
				  gr, name);
			st->details = json_pack("{s:s, s:s, s:s}", "name", name, "group", r->group, "kind", r->resource);
			if (!r->group[0])
				json_object_del(st->details, "group");
			return false;
		}
		const char *uid = json_string_value(json_object_get(m, "uid"));
		if (uid && uid[0] && strcmp(uid, kube_meta_str(old, "uid")) != 0) {
			kube_fail(st, 409, "Conflict",
				  "Operation cannot be fulfilled on %s \"%s\": Precondition failed: UID in precondition: "
				  "%s, UID in object meta: %s",
				  gr, name, uid, kube_meta_str(old, "uid"));
			return false;
		}
		/* server-owned fields survive an update */
		json_t *om = json_object_get(old, "metadata");
		json_object_set(m, "uid", json_object_get(om, "uid"));
		json_object_set(m, "creationTimestamp", json_object_get(om, "creationTimestamp"));
		json_object_del(m, "resourceVersion");
		if (r->generation) {
			json_int_t g = json_integer_value(json_object_get(om, "generation"));
			json_object_set_new(m, "generation", json_integer(spec_changed(old, obj) ? g + 1 : g));
		}
	} else {
		if (!stamp_new(e, obj, &err))
			return kube_fail(st, 500, "InternalError", "%s", err.msg);
		json_object_del(m, "resourceVersion");
		if (r->generation)
			json_object_set_new(m, "generation", json_integer(1));
		else
			json_object_del(m, "generation");
	}
	json_object_del(m, "deletionTimestamp");
	json_object_del(m, "selfLink");
	if (!kube_kind_prepare(r, obj, old, st))
		return false;
	if (is_rbac(r) && !kube_rbac_admit(e, cluster, r, obj, old, w->user, st))
		return false;
	return true;
}

typedef struct put_ctx {
	const char *cluster;
	const k8s_resource *r;
	json_t *obj;
	int64_t rv;
	char *body;
	/* delete */
	kobj **del;
	size_t ndel;
} put_ctx;

static bool put_tx(gh_engine *e, void *vctx, gh_err *err)
{
	put_ctx *p = vctx;
	return persist(e, p->cluster, p->r, p->obj, &p->rv, &p->body, err);
}

static bool del_tx(gh_engine *e, void *vctx, gh_err *err)
{
	put_ctx *p = vctx;
	for (size_t i = 0; i < p->ndel; i++)
		if (!cluster_store_delete_object(db_conn(e->db), p->del[i]->cluster, p->del[i]->kind, p->del[i]->ns,
						 p->del[i]->name, err))
			return false;
	return cluster_store_next_rv(db_conn(e->db), &p->rv, err);
}

/* Stored kinds are unique across the groups the sandbox serves. */
static const k8s_resource *resource_of_kind(const char *kind)
{
	size_t nr;
	const k8s_resource *rs = k8s_resources(&nr);
	for (size_t j = 0; j < nr; j++)
		if (rs[j].stored && strcmp(rs[j].kind, kind) == 0)
			return &rs[j];
	return NULL;
}

static json_t *parse_obj(const kobj *o)
{
	return json_loadb(o->body, o->body_len, JSON_DECODE_ANY, NULL);
}

/* Deletes `o` and, for a namespace, everything in it (upstream's namespace controller
 * does it asynchronously after Terminating; the sandbox does it at once). */
static bool do_delete(gh_engine *e, const char *cluster, const kube_write *w, kobj *o, kube_write_result *out,
		      kube_status *st)
{
	json_t *obj = parse_obj(o);
	if (!obj)
		return kube_fail(st, 500, "InternalError", "stored object is not JSON");
	if (w->precondition_uid && w->precondition_uid[0] && strcmp(w->precondition_uid, kube_meta_str(obj, "uid"))) {
		json_decref(obj);
		return kube_fail(st, 409, "Conflict",
				 "Operation cannot be fulfilled on %s \"%s\": Precondition failed: UID in precondition: "
				 "%s, UID in object meta: %s",
				 w->res->resource, o->name, w->precondition_uid, kube_meta_str(obj, "uid"));
	}
	if (w->precondition_rv && w->precondition_rv[0] &&
	    strcmp(w->precondition_rv, kube_meta_str(obj, "resourceVersion"))) {
		json_decref(obj);
		return kube_fail(st, 409, "Conflict",
				 "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply "
				 "your changes to the latest version and try again",
				 w->res->resource, o->name);
	}
	put_ctx p = { .cluster = cluster, .r = w->res };
	size_t cap = 1;
	p.del = malloc(sizeof *p.del);
	p.del[p.ndel++] = kobj_ref(o);
	if (strcmp(w->res->kind, "Namespace") == 0) {
		size_t nr;
		const k8s_resource *rs = k8s_resources(&nr);
		for (size_t i = 0; i < nr; i++) {
			kobj **objs;
			size_t n;
			int64_t rv;
			if (!rs[i].stored || !rs[i].namespaced ||
			    !kube_cache_list(e->kube->cache, cluster, rs[i].kind, o->name, &objs, &n, &rv))
				continue;
			for (size_t j = 0; j < n; j++) {
				if (p.ndel == cap) {
					cap *= 2;
					p.del = realloc(p.del, cap * sizeof *p.del);
				}
				p.del[p.ndel++] = kobj_ref(objs[j]);
			}
			kube_cache_list_free(objs, n);
		}
	}
	bool maps = false;
	for (size_t i = 0; i < p.ndel; i++) {
		const k8s_resource *ri = resource_of_kind(p.del[i]->kind);
		maps |= ri && touches_maps(ri, p.del[i]->ns, p.del[i]->name);
	}
	gh_err err = { 0 };
	bool ok = true;
	if (!w->dry_run)
		ok = engine_tx_publish(e, del_tx, &p, maps ? GH_PUBLISH_MAPS : 0, &err);
	if (ok) {
		char rvs[24];
		snprintf(rvs, sizeof rvs, "%lld", (long long)p.rv);
		if (!w->dry_run)
			for (size_t i = 0; i < p.ndel; i++) {
				json_t *fin = parse_obj(p.del[i]);
				if (fin)
					json_object_set_new(kube_meta(fin), "resourceVersion", json_string(rvs));
				char *body = fin ? serialize(fin) : NULL;
				kobj *k = body ? kobj_new(cluster, p.del[i]->kind, p.del[i]->ns, p.del[i]->name, body,
							  strlen(body), p.rv)
					       : NULL;
				free(body);
				json_decref(fin);
				if (k)
					kube_cache_delete(e->kube->cache, k);
			}
		if (strcmp(w->res->kind, "Namespace") == 0) {
			json_t *status = json_object_get(obj, "status");
			if (json_is_object(status))
				json_object_set_new(status, "phase", json_string("Terminating"));
		}
		out->object = obj;
		out->code = 200;
	} else {
		json_decref(obj);
		kube_fail(st, 500, "InternalError", "%s", err.msg);
	}
	for (size_t i = 0; i < p.ndel; i++)
		kobj_unref(p.del[i]);
	free(p.del);
	return ok;
}

static bool write_one(gh_engine *e, const char *cluster, const kube_write *w, kube_write_result *out,
		      kube_status *st);

/* The "default" ServiceAccount kube-controller-manager's service-account controller keeps
 * in every namespace (pods and `kubectl create token default` rely on it). */
static bool ensure_default_sa(gh_engine *e, const char *cluster, const char *ns, gh_err *err)
{
	kobj *have = kube_cache_get(e->kube->cache, cluster, "ServiceAccount", ns, "default");
	if (have) {
		kobj_unref(have);
		return true;
	}
	static const char *const groups[] = { "system:serviceaccounts", "system:serviceaccounts:kube-system",
					      "system:authenticated" };
	kube_user controller = { .name = "system:serviceaccount:kube-system:service-account-controller",
				 .groups = groups, .ngroups = 3 };
	kube_write w = { .op = KUBE_CREATE,
			 .res = k8s_resource_find(GH_STR(""), GH_STR("v1"), GH_STR("serviceaccounts")),
			 .ns = ns, .name = "", .user = &controller,
			 .body = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind", "ServiceAccount",
					   "metadata", "name", "default", "namespace", ns) };
	kube_write_result out;
	kube_status st;
	bool ok = w.body && write_one(e, cluster, &w, &out, &st);
	if (!ok && st.code != 409) /* 409: made meanwhile, which is what we wanted */
		gh_fail(err, "ServiceFailure", 500, "cannot create the default service account of %s: %s", ns,
			st.message ? st.message : "out of memory");
	else
		ok = true;
	kube_write_result_clear(&out);
	kube_status_clear(&st);
	json_decref(w.body); /* the write copies what it keeps, as for API requests */
	return ok;
}

static bool ensure_default_sas(gh_engine *e, const char *cluster, gh_err *err)
{
	kobj **nss;
	size_t n;
	int64_t rv;
	if (!kube_cache_list(e->kube->cache, cluster, "Namespace", NULL, &nss, &n, &rv))
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++)
		ok = ensure_default_sa(e, cluster, nss[i]->name, err);
	kube_cache_list_free(nss, n);
	return ok;
}

bool engine_kube_write(gh_engine *e, const char *cluster, const kube_write *w, kube_write_result *out,
		       kube_status *st)
{
	if (!write_one(e, cluster, w, out, st))
		return false;
	if (w->op == KUBE_CREATE && !w->dry_run && strcmp(w->res->kind, "Namespace") == 0) {
		gh_err err = { 0 };
		if (!ensure_default_sa(e, cluster, kube_meta_str(out->object, "name"), &err))
			gh_log_warn("kube.default-sa", "detail", err.msg);
	}
	return true;
}

static bool write_one(gh_engine *e, const char *cluster, const kube_write *w, kube_write_result *out,
		      kube_status *st)
{
	*out = (kube_write_result){ 0 };
	*st = (kube_status){ 0 };
	const k8s_resource *r = w->res;
	pthread_mutex_lock(&e->kube->mu);
	kobj *cur = NULL;
	if (w->op != KUBE_CREATE) {
		cur = kube_cache_get(e->kube->cache, cluster, r->kind, w->ns, w->name);
		if (!cur) {
			pthread_mutex_unlock(&e->kube->mu);
			return kube_not_found(st, r, w->name);
		}
	}
	bool ok;
	if (w->op == KUBE_DELETE) {
		ok = do_delete(e, cluster, w, cur, out, st);
		kobj_unref(cur);
		pthread_mutex_unlock(&e->kube->mu);
		return ok;
	}
	json_t *old = cur ? parse_obj(cur) : NULL;
	json_t *obj = NULL;
	if (w->op == KUBE_PATCH) {
		obj = old ? kube_apply_patch(r, old, w->body, w->patch_type, st) : NULL;
	} else {
		obj = json_deep_copy(w->body);
		if (!obj)
			kube_fail(st, 400, "BadRequest", "the body of the request was not a JSON object");
	}
	ok = obj != NULL;
	if (ok && w->op == KUBE_CREATE) {
		ok = prepare(e, cluster, w, obj, NULL, st);
		if (ok) {
			kobj *exists = kube_cache_get(e->kube->cache, cluster, r->kind, kube_meta_str(obj, "namespace"),
						      kube_meta_str(obj, "name"));
			if (exists) {
				kobj_unref(exists);
				char gr[160];
				group_resource(r, gr, sizeof gr);
				kube_fail(st, 409, "AlreadyExists", "%s \"%s\" already exists", gr,
					  kube_meta_str(obj, "name"));
				st->details = json_pack("{s:s, s:s, s:s}", "name", kube_meta_str(obj, "name"), "group",
							r->group, "kind", r->resource);
				if (!r->group[0])
					json_object_del(st->details, "group");
				ok = false;
			}
		}
	} else if (ok) {
		ok = prepare(e, cluster, w, obj, old, st);
	}
	if (ok && !w->dry_run) {
		const char *ns = kube_meta_str(obj, "namespace"), *name = kube_meta_str(obj, "name");
		put_ctx p = { .cluster = cluster, .r = r, .obj = obj };
		gh_err err = { 0 };
		ok = engine_tx_publish(e, put_tx, &p, touches_maps(r, ns, name) ? GH_PUBLISH_MAPS : 0, &err);
		if (ok) {
			kobj *k = kobj_new(cluster, r->kind, ns, name, p.body, strlen(p.body), p.rv);
			if (k)
				kube_cache_put(e->kube->cache, k, cur ? KUBE_MODIFIED : KUBE_ADDED);
		} else {
			kube_fail(st, 500, "InternalError", "%s", err.msg);
		}
		free(p.body);
	}
	pthread_mutex_unlock(&e->kube->mu);
	kobj_unref(cur);
	json_decref(old);
	if (!ok) {
		json_decref(obj);
		return false;
	}
	out->object = obj;
	out->code = w->op == KUBE_CREATE ? 201 : 200;
	return true;
}
