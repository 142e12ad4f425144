/* Pod Security admission over the store: configuration, namespace labels, existing pods. */
#include "engine/pss_admit.h"

#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "domain/k8s/rbac_util.h"
#include "engine/engine_internal.h"
#include "store/cluster_store.h"

/* One configuration file: its text parsed; errors name the file (gh_file_read already
 * does for a read error). */
static bool load_file(const char *path, pss_config **out, char **inner, gh_err *err)
{
	gh_buf b = { 0 };
	bool ok = gh_file_read(path, PSS_CONFIG_MAX_BYTES, &b, err);
	if (ok && !pss_config_parse(gh_buf_str(&b), out, inner, err))
		ok = gh_fail_wrap(err, "%s", path);
	gh_buf_free(&b);
	return ok;
}

bool engine_pss_load(const char *path, pss_config **out, gh_err *err)
{
	*out = NULL;
	if (!path) {
		*out = pss_config_default();
		return *out ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
	}
	char *inner = NULL;
	if (!load_file(path, out, &inner, err))
		return false;
	if (!inner)
		return true;
	/* An AdmissionConfiguration naming the plugin's file: relative to its own folder. */
	char *dir = strdup(path), *full = NULL, *again = NULL;
	if (dir && inner[0] != '/' && asprintf(&full, "%s/%s", dirname(dir), inner) < 0)
		full = NULL;
	const char *p = inner[0] == '/' ? inner : full;
	bool ok = p ? load_file(p, out, &again, err) : gh_fail(err, "ServiceFailure", 500, "out of memory");
	if (ok && again)
		ok = gh_fail(err, "InvalidConfiguration", 400, "%s: the plugin's file is itself an AdmissionConfiguration", p);
	if (!ok) {
		pss_config_free(*out);
		*out = NULL;
	}
	free(again);
	free(full);
	free(dir);
	free(inner);
	return ok;
}

/* A direct-mapped cache: one entry per slot, a colliding namespace replaces the one there. */
#define NS_CACHE_SLOTS 1024

typedef struct ns_entry {
	char *key;	/* "cluster\0namespace" */
	size_t keylen;
	json_t *labels; /* NULL: the namespace has no labels, or does not exist */
	uint64_t gen;	/* e->writes when it was read */
} ns_entry;

struct gh_pss_state {
	pss_config *cfg;
	pthread_mutex_t mu;
	ns_entry slots[NS_CACHE_SLOTS];
};

bool engine_pss_open(const char *config_path, gh_pss_state **out, gh_err *err)
{
	gh_pss_state *s = calloc(1, sizeof *s);
	if (!s)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	if (!engine_pss_load(config_path, &s->cfg, err)) {
		free(s);
		return false;
	}
	pthread_mutex_init(&s->mu, NULL);
	*out = s;
	return true;
}

void engine_pss_close(gh_pss_state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < NS_CACHE_SLOTS; i++) {
		free(s->slots[i].key);
		json_decref(s->slots[i].labels);
	}
	pthread_mutex_destroy(&s->mu);
	pss_config_free(s->cfg);
	free(s);
}

const pss_config *engine_pss_config(const gh_engine *e)
{
	return e->pss->cfg;
}

/* The cached labels (a new reference, or NULL) when the entry is current. */
static bool cache_get(gh_pss_state *s, const char *key, size_t keylen, uint64_t gen, json_t **labels)
{
	ns_entry *en = &s->slots[rbac_hash(key, keylen, 0) % NS_CACHE_SLOTS];
	bool hit = false;
	pthread_mutex_lock(&s->mu);
	if (en->key && en->gen == gen && en->keylen == keylen && memcmp(en->key, key, keylen) == 0) {
		hit = true;
		*labels = json_incref(en->labels);
	}
	pthread_mutex_unlock(&s->mu);
	return hit;
}

static void cache_put(gh_pss_state *s, const char *key, size_t keylen, uint64_t gen, json_t *labels)
{
	char *k = malloc(keylen);
	if (!k)
		return;
	memcpy(k, key, keylen);
	ns_entry *en = &s->slots[rbac_hash(key, keylen, 0) % NS_CACHE_SLOTS];
	pthread_mutex_lock(&s->mu);
	char *old_key = en->key;
	json_t *old = en->labels;
	*en = (ns_entry){ k, keylen, json_incref(labels), gen };
	pthread_mutex_unlock(&s->mu);
	free(old_key);
	json_decref(old);
}

static bool is_resource(const pss_request *r, const char *resource)
{
	return r->resource.group.n == 0 && gh_str_eq_c(r->resource.resource, resource);
}

/* The namespace's labels (a new reference in *labels, to free), NULL when it has none. */
static bool namespace_labels(gh_engine *e, const char *cluster, gh_str ns, gh_arena *a, json_t **labels, gh_err *err)
{
	*labels = NULL;
	if (!ns.n)
		return true;
	size_t cl = strlen(cluster), keylen = cl + 1 + ns.n;
	char *key = gh_arena_alloc(a, keylen + 1);
	if (!key)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	memcpy(key, cluster, cl + 1);
	memcpy(key + cl + 1, ns.p, ns.n);
	/* Read the generation before the store: a write committed meanwhile makes this entry
	 * stale at once rather than hiding behind it. */
	uint64_t gen = e->writes;
	if (cache_get(e->pss, key, keylen, gen, labels))
		return true;
	const char *body = NULL;
	if (!engine_read_begin(e, err))
		return false;
	bool ok = cluster_store_get_object(db_conn(e->db), cluster, "Namespace", "", key + cl + 1, a, &body, err);
	engine_read_end(e);
	if (!ok)
		return false;
	json_t *doc = body ? json_loads(body, 0, NULL) : NULL;
	json_t *l = json_object_get(json_object_get(doc, "metadata"), "labels");
	*labels = json_is_object(l) ? json_incref(l) : NULL;
	json_decref(doc);
	cache_put(e->pss, key, keylen, gen, *labels);
	return true;
}

/* The stored pods of namespace ns (JSON values held by *arr). */
static bool namespace_pods(gh_engine *e, const char *cluster, gh_str ns, gh_arena *a, json_t **arr, gh_err *err)
{
	const char **bodies = NULL;
	size_t n = 0;
	*arr = json_array();
	if (!*arr || !engine_read_begin(e, err))
		return *arr ? false : gh_fail(err, "ServiceFailure", 500, "out of memory");
	bool ok = cluster_store_list_objects(db_conn(e->db), cluster, "Pod", a, &bodies, &n, err);
	engine_read_end(e);
	for (size_t i = 0; ok && i < n; i++) {
		json_t *pod = json_loads(bodies[i], 0, NULL);
		const char *pns = json_string_value(json_object_get(json_object_get(pod, "metadata"), "namespace"));
		if (pns && gh_str_eq_c(ns, pns))
			json_array_append(*arr, pod);
		json_decref(pod);
	}
	return ok;
}

void engine_pss_admit(gh_engine *e, gh_str cluster, const gh_admission_request *ar, gh_arena *a, pss_response *out)
{
	pss_request r = ar->req;
	char *cl = gh_arena_strndup(a, cluster.p, cluster.n);
	json_t *ns_labels = NULL, *pods = NULL;
	gh_err err = { 0 };
	bool ok = cl != NULL;
	/* A namespace's own labels are in its object; the others' in the stored Namespace. */
	if (ok && !ar->labels_known && !is_resource(&r, "namespaces"))
		ok = namespace_labels(e, cl, r.namespace, a, &ns_labels, &err);
	if (!ar->labels_known && !is_resource(&r, "namespaces"))
		r.ns_labels = ns_labels;
	bool tightening = is_resource(&r, "namespaces") && r.op == PSS_OP_UPDATE && !ar->pods_known;
	gh_str ns_name = r.name.n ? r.name : r.namespace;
	if (ok && tightening && namespace_pods(e, cl, ns_name, a, &pods, &err)) {
		r.nns_pods = json_array_size(pods);
		const json_t **v = gh_arena_alloc(a, (r.nns_pods ? r.nns_pods : 1) * sizeof *v);
		for (size_t i = 0; v && i < r.nns_pods; i++)
			v[i] = json_array_get(pods, i);
		r.ns_pods = v;
		r.nns_pods = v ? r.nns_pods : 0;
	} else if (tightening) {
		ok = false;
	}
	if (ok) {
		pss_admit(e->pss->cfg, &r, a, out);
	} else {
		char msg[300];
		snprintf(msg, sizeof msg, "failed to lookup namespace %.*s", GH_STR_ARG(r.namespace.n ? r.namespace : ns_name));
		*out = (pss_response){ .allowed = false, .code = 500, .reason = "InternalError",
				       .message = gh_arena_strndup(a, msg, strlen(msg)) };
	}
	json_decref(ns_labels);
	json_decref(pods);
}
