/* The RBAC side of the per-cluster maps. Each cluster's RBAC objects stay in memory
 * between snapshots (rbac_source.h), so a write through the Kubernetes API recompiles one
 * shard instead of re-reading, re-parsing and recompiling every object of the cluster. A
 * source is loaded whole from the store (with the bootstrap policy and the --rbac
 * manifests) the first time a cluster is published and whenever an incremental update
 * fails; the store stays the source of truth. Everything here runs under write_mu. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/k8s/rbac.h"
#include "domain/k8s/rbac_source.h"
#include "engine/engine_internal.h"
#include "engine/manifests.h"
#include "engine/maps.h"
#include "store/cluster_store.h"

typedef struct rbac_ent {
	char *cluster;
	rbac_source *src;
	char *error;		/* the manifests could not be read */
	bool have_manifests;	/* manifest_hash is that of the manifests in the source */
	uint64_t manifest_hash;
} rbac_ent;

struct maps_rbac {
	rbac_ent *v;
	size_t n, cap;
};

static void rbac_ent_clear(rbac_ent *x)
{
	free(x->cluster);
	free(x->error);
	rbac_source_free(x->src);
}

void maps_rbac_free(struct maps_rbac *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		rbac_ent_clear(&r->v[i]);
	free(r->v);
	free(r);
}

static rbac_ent *rbac_ent_find(gh_engine *e, const char *cluster)
{
	for (size_t i = 0; e->rbac && i < e->rbac->n; i++)
		if (strcmp(e->rbac->v[i].cluster, cluster) == 0)
			return &e->rbac->v[i];
	return NULL;
}

void maps_rbac_drop(gh_engine *e, const char *cluster)
{
	rbac_ent *x = rbac_ent_find(e, cluster);
	if (!x)
		return;
	rbac_ent_clear(x);
	*x = e->rbac->v[--e->rbac->n];
}

static rbac_ent *rbac_ent_add(gh_engine *e)
{
	if (!e->rbac && !(e->rbac = calloc(1, sizeof *e->rbac)))
		return NULL;
	struct maps_rbac *r = e->rbac;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		rbac_ent *v = realloc(r->v, cap * sizeof *v);
		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	return &r->v[r->n++];
}

/* Forgets the sources of clusters that are gone (names[0..n) are the live ones). */
void maps_rbac_prune(gh_engine *e, const char **names, size_t n)
{
	for (size_t i = 0; e->rbac && i < e->rbac->n;) {
		bool live = false;
		for (size_t k = 0; k < n && !live; k++)
			live = strcmp(names[k], e->rbac->v[i].cluster) == 0;
		if (live) {
			i++;
			continue;
		}
		rbac_ent_clear(&e->rbac->v[i]);
		e->rbac->v[i] = e->rbac->v[--e->rbac->n];
	}
}

/* Loads `docs` into a fresh set and adds it to a layer of the source. */
static bool load_layer(rbac_source *src, int layer, const json_t *docs, const char *cluster, gh_err *err)
{
	rbac_objects *objs = rbac_objects_new();
	if (!objs)
		return gh_fail(err, "InternalError", 500, "out of memory");
	rbac_load_stats st;
	gh_err lerr;
	if (!rbac_objects_load(objs, docs, NULL, &st, &lerr))
		gh_log_warn("rbac.load", "cluster", cluster, "detail", lerr.msg);
	bool ok = rbac_source_add(src, layer, objs, err);
	rbac_objects_free(objs);
	return ok;
}

/* The whole load of the lower layers: the bootstrap policy and the objects stored for the
 * cluster (refresh_manifests adds the top one). */
static rbac_source *load_rbac_source(gh_engine *e, gh_cluster_map *it)
{
	static const char *const kinds[] = { "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding" };
	rbac_source *src = rbac_source_new();
	rbac_objects *defaults = rbac_objects_new();
	gh_err err = { 0 };
	bool ok = src && defaults && rbac_objects_add_defaults(defaults, &err) &&
		  rbac_source_add(src, RBAC_LAYER_DEFAULTS, defaults, &err);
	rbac_objects_free(defaults);
	json_t *docs = json_array();
	if (ok && engine_read_begin(e, &err)) {
		gh_arena a;
		gh_arena_init(&a, 0);
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
			const char **bodies;
			size_t n;
			if (!cluster_store_list_objects(db_conn(e->db), it->cluster, kinds[k], &a, &bodies, &n, &err))
				continue;
			for (size_t i = 0; i < n; i++) {
				json_t *j = json_loads(bodies[i], 0, NULL);
				if (j)
					json_array_append_new(docs, j);
			}
		}
		engine_read_end(e);
		gh_arena_free(&a);
	}
	ok = ok && load_layer(src, RBAC_LAYER_STORE, docs, it->cluster, &err);
	json_decref(docs);
	if (!ok) {
		gh_log_warn("rbac.load", "cluster", it->cluster, "detail", err.msg[0] ? err.msg : "out of memory");
		rbac_source_free(src);
		return NULL;
	}
	return src;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Reads the --rbac manifests again (every full publish did, and still does) and replaces
 * the manifest layer when they changed: the shards they touch are recompiled, no store
 * row is read. A manifest that cannot be read is reported and left out. */
static bool refresh_manifests(gh_engine *e, rbac_ent *x)
{
	if (!e->cfg.rbac_path)
		return true;
	json_t *man = json_array();
	gh_err err = { 0 };
	free(x->error);
	x->error = NULL;
	if (!manifests_load(e->cfg.rbac_path, man, &err)) {
		x->error = strdup(err.msg);
		gh_log_warn("rbac.manifests", "cluster", x->cluster, "detail", err.msg);
	}
	char *text = json_dumps(man, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = text ? fnv1a(text) : 0;
	free(text);
	bool ok = true;
	if (!text || !x->have_manifests || h != x->manifest_hash) {
		rbac_source_clear_layer(x->src, RBAC_LAYER_MANIFESTS);
		ok = load_layer(x->src, RBAC_LAYER_MANIFESTS, man, x->cluster, &err);
		x->have_manifests = ok && text;
		x->manifest_hash = h;
	}
	json_decref(man);
	return ok;
}

/* One change to the source; false when the source can no longer be trusted. */
static bool apply_change(rbac_source *src, const char *cluster, const maps_change *c)
{
	if (strcmp(c->kind, "Role") && strcmp(c->kind, "ClusterRole") && strcmp(c->kind, "RoleBinding") &&
	    strcmp(c->kind, "ClusterRoleBinding"))
		return true; /* aws-auth: the entry's rebuild reads it */
	rbac_objects *objs = NULL;
	if (c->body) {
		json_t *doc = json_loads(c->body, 0, NULL);
		objs = rbac_objects_new();
		rbac_load_stats st;
		gh_err lerr;
		/* an object that does not load is left out, as the whole load leaves it out */
		if (objs && doc && !rbac_objects_load(objs, doc, NULL, &st, &lerr))
			gh_log_warn("rbac.load", "cluster", cluster, "detail", lerr.msg);
		json_decref(doc);
		if (!objs)
			return false;
	}
	gh_err err;
	bool ok = rbac_source_replace(src, gh_str_c(c->kind), gh_str_c(c->ns ? c->ns : ""), gh_str_c(c->name), objs,
				      &err);
	rbac_objects_free(objs);
	if (!ok)
		gh_log_warn("rbac.update", "cluster", cluster, "detail", err.msg);
	return ok;
}

/* The cluster's policy from its source (loaded whole the first time), after `changes`. */
void maps_rbac_load(gh_engine *e, gh_cluster_map *it, const maps_change *changes, size_t nchanges)
{
	rbac_ent *x = rbac_ent_find(e, it->cluster);
	bool ok = true;
	for (size_t i = 0; x && ok && i < nchanges; i++)
		ok = apply_change(x->src, it->cluster, &changes[i]);
	if (!ok) {
		maps_rbac_drop(e, it->cluster);
		x = NULL;
	}
	if (!x) {
		/* the store already holds the changes: a whole load includes them */
		rbac_source *src = load_rbac_source(e, it);
		char *name = strdup(it->cluster);
		x = src && name ? rbac_ent_add(e) : NULL;
		if (!x) {
			rbac_source_free(src);
			free(name);
			return;
		}
		*x = (rbac_ent){ .cluster = name, .src = src };
		ok = refresh_manifests(e, x);
	} else if (!nchanges) {
		ok = refresh_manifests(e, x);
	}
	if (!ok) {
		maps_rbac_drop(e, it->cluster);
		return;
	}
	if (x->error)
		it->rbac_error = strdup(x->error);
	gh_err err;
	if (!rbac_source_policy(x->src, &it->rbac, &err)) {
		gh_log_warn("rbac.compile", "cluster", it->cluster, "detail", err.msg);
		it->rbac = NULL;
		maps_rbac_drop(e, it->cluster);
	}
}
