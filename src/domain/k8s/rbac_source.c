/* The per-cluster RBAC source: objects bucketed by scope (the cluster, each namespace),
 * each bucket with its layers and the shard last compiled from them. See rbac_source.h. */
#include "domain/k8s/rbac_source.h"

#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_internal.h"
#include "domain/k8s/rbac_obj_internal.h"

/* A namespace holds a few hundred objects at most in the common case: the object set's
 * default 64 KiB blocks would cost more than the objects. */
#define BUCKET_ARENA_BLOCK 4096

typedef struct bucket {
	bool ns_scoped; /* false for the cluster bucket */
	gh_str ns;	/* owned */
	rbac_objects *layer[RBAC_NLAYERS];
	rbac_shard *shard; /* compiled from the layers; NULL when dirty */
} bucket;

struct rbac_source {
	bucket cluster;
	bucket **ns; /* sorted by namespace */
	size_t nns, capns;
	size_t compiled;
};

rbac_source *rbac_source_new(void)
{
	return calloc(1, sizeof(rbac_source));
}

static void bucket_clear(bucket *b)
{
	for (int l = 0; l < RBAC_NLAYERS; l++)
		rbac_objects_free(b->layer[l]);
	rbac_shard_unref(b->shard);
	free((char *)b->ns.p);
}

void rbac_source_free(rbac_source *s)
{
	if (!s)
		return;
	bucket_clear(&s->cluster);
	for (size_t i = 0; i < s->nns; i++) {
		bucket_clear(s->ns[i]);
		free(s->ns[i]);
	}
	free(s->ns);
	free(s);
}

static rbac_objects *small_set(void)
{
	rbac_objects *o = rbac_objects_new();
	if (o)
		gh_arena_init(&o->arena, BUCKET_ARENA_BLOCK);
	return o;
}

/* The bucket of a scope; created when `create`. *at is where it is or would go. */
static size_t ns_pos(const rbac_source *s, gh_str ns, bool *found)
{
	size_t lo = 0, hi = s->nns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = rbac_strcmp(s->ns[mid]->ns, ns);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static bucket *bucket_of(rbac_source *s, bool cluster, gh_str ns, bool create)
{
	if (cluster)
		return &s->cluster;
	bool found;
	size_t at = ns_pos(s, ns, &found);
	if (found)
		return s->ns[at];
	if (!create || !rbac_grow((void **)&s->ns, &s->capns, s->nns + 1, sizeof *s->ns))
		return NULL;
	bucket *b = calloc(1, sizeof *b);
	char *copy = malloc(ns.n + 1);
	if (!b || !copy) {
		free(b);
		free(copy);
		return NULL;
	}
	if (ns.n)
		memcpy(copy, ns.p, ns.n);
	copy[ns.n] = '\0';
	*b = (bucket){ .ns_scoped = true, .ns = { copy, ns.n } };
	memmove(s->ns + at + 1, s->ns + at, (s->nns - at) * sizeof *s->ns);
	s->ns[at] = b;
	s->nns++;
	return b;
}

static void dirty(bucket *b)
{
	rbac_shard_unref(b->shard);
	b->shard = NULL;
}

/* The layer's set of the scope an object is added to; its shard is to be compiled again. */
static rbac_objects *layer_for(rbac_source *s, int layer, bool cluster, gh_str ns)
{
	bucket *b = bucket_of(s, cluster, ns, true);
	if (!b || (!b->layer[layer] && !(b->layer[layer] = small_set())))
		return NULL;
	dirty(b);
	return b->layer[layer];
}

static bool add_role(rbac_source *s, int layer, const rbac_role *r, gh_err *err)
{
	rbac_objects *o = layer_for(s, layer, r->cluster, r->namespace);
	return o ? rbac_objects_add_role(o, r, err) : gh_fail(err, "InternalError", 500, "rbac: out of memory");
}

static bool add_binding(rbac_source *s, int layer, const rbac_binding *x, gh_err *err)
{
	rbac_objects *o = layer_for(s, layer, x->cluster, x->namespace);
	return o ? rbac_objects_add_binding(o, x, err) : gh_fail(err, "InternalError", 500, "rbac: out of memory");
}

bool rbac_source_add(rbac_source *s, int layer, const rbac_objects *objs, gh_err *err)
{
	size_t nr, nb;
	const rbac_role *r = rbac_objects_roles(objs, &nr);
	const rbac_binding *b = rbac_objects_bindings(objs, &nb);
	for (size_t i = 0; i < nr; i++)
		if (!add_role(s, layer, &r[i], err))
			return false;
	for (size_t i = 0; i < nb; i++)
		if (!add_binding(s, layer, &b[i], err))
			return false;
	return true;
}

/* Drops the store layer's object (role or binding, by name; every copy, should the layer
 * hold more than one) from bucket b. An object set only grows, so the layer is copied
 * without it: a namespace's objects, not the cluster's. */
static bool drop(bucket *b, bool role, gh_str name, gh_err *err)
{
	rbac_objects *old = b->layer[RBAC_LAYER_STORE];
	if (!old)
		return true;
	size_t nr, nb, hits = 0;
	const rbac_role *r = rbac_objects_roles(old, &nr);
	const rbac_binding *x = rbac_objects_bindings(old, &nb);
	for (size_t i = 0; i < (role ? nr : nb); i++)
		hits += rbac_eq(role ? r[i].name : x[i].name, name);
	if (!hits)
		return true;
	dirty(b);
	if (nr + nb == hits) {
		rbac_objects_free(old);
		b->layer[RBAC_LAYER_STORE] = NULL;
		return true;
	}
	rbac_objects *fresh = small_set();
	bool ok = fresh != NULL;
	for (size_t i = 0; ok && i < nr; i++)
		ok = role && rbac_eq(r[i].name, name) ? true : rbac_objects_add_role(fresh, &r[i], err);
	for (size_t i = 0; ok && i < nb; i++)
		ok = !role && rbac_eq(x[i].name, name) ? true : rbac_objects_add_binding(fresh, &x[i], err);
	if (!ok) {
		rbac_objects_free(fresh);
		return gh_fail(err, "InternalError", 500, "rbac: out of memory");
	}
	rbac_objects_free(old);
	b->layer[RBAC_LAYER_STORE] = fresh;
	return true;
}

static bool bucket_empty(const bucket *b)
{
	for (int l = 0; l < RBAC_NLAYERS; l++) {
		size_t nr = 0, nb = 0;
		if (b->layer[l]) {
			rbac_objects_roles(b->layer[l], &nr);
			rbac_objects_bindings(b->layer[l], &nb);
		}
		if (nr + nb)
			return false;
	}
	return true;
}

/* Forgets a namespace that no longer holds anything, so deleted namespaces cost nothing. */
static void prune(rbac_source *s, bucket *b)
{
	if (!b || !b->ns_scoped || !bucket_empty(b))
		return;
	bool found;
	size_t at = ns_pos(s, b->ns, &found);
	if (!found)
		return;
	bucket_clear(b);
	free(b);
	memmove(s->ns + at, s->ns + at + 1, (s->nns - at - 1) * sizeof *s->ns);
	s->nns--;
}

void rbac_source_clear_layer(rbac_source *s, int layer)
{
	if (s->cluster.layer[layer]) {
		rbac_objects_free(s->cluster.layer[layer]);
		s->cluster.layer[layer] = NULL;
		dirty(&s->cluster);
	}
	for (size_t i = 0; i < s->nns;) {
		bucket *b = s->ns[i];
		if (b->layer[layer]) {
			rbac_objects_free(b->layer[layer]);
			b->layer[layer] = NULL;
			dirty(b);
		}
		size_t before = s->nns;
		prune(s, b);
		if (s->nns == before)
			i++;
	}
}

bool rbac_source_replace(rbac_source *s, gh_str kind, gh_str ns, gh_str name, const rbac_objects *objs, gh_err *err)
{
	bool role = gh_str_eq_c(kind, "Role") || gh_str_eq_c(kind, "ClusterRole");
	bool cluster = gh_str_eq_c(kind, "ClusterRole") || gh_str_eq_c(kind, "ClusterRoleBinding");
	if (!role && !gh_str_eq_c(kind, "RoleBinding") && !cluster)
		return gh_fail(err, "InvalidInput", 400, "rbac: %.*s is not an RBAC kind", GH_STR_ARG(kind));
	bucket *b = bucket_of(s, cluster, ns, false);
	if (b && !drop(b, role, name, err))
		return false;
	/* the new object replaces any store object of its own key, which is normally the one
	 * just dropped */
	size_t nr = 0, nb = 0;
	const rbac_role *r = objs ? rbac_objects_roles(objs, &nr) : NULL;
	const rbac_binding *x = objs ? rbac_objects_bindings(objs, &nb) : NULL;
	for (size_t i = 0; i < nr; i++) {
		bucket *o = bucket_of(s, r[i].cluster, r[i].namespace, false);
		if ((o && !drop(o, true, r[i].name, err)) || !add_role(s, RBAC_LAYER_STORE, &r[i], err))
			return false;
	}
	for (size_t i = 0; i < nb; i++) {
		bucket *o = bucket_of(s, x[i].cluster, x[i].namespace, false);
		if ((o && !drop(o, false, x[i].name, err)) || !add_binding(s, RBAC_LAYER_STORE, &x[i], err))
			return false;
	}
	if (b && !cluster)
		prune(s, bucket_of(s, false, ns, false));
	return true;
}

static bool compile_bucket(bucket *b, gh_err *err)
{
	size_t nr = 0, nb = 0;
	for (int l = 0; l < RBAC_NLAYERS; l++) {
		size_t r = 0, x = 0;
		if (b->layer[l]) {
			rbac_objects_roles(b->layer[l], &r);
			rbac_objects_bindings(b->layer[l], &x);
		}
		nr += r;
		nb += x;
	}
	const rbac_role **rp = malloc((nr + 1) * sizeof *rp);
	const rbac_binding **bp = malloc((nb + 1) * sizeof *bp);
	bool ok = rp && bp;
	/* layer order is the order of a single set: a later layer wins a name */
	size_t k = 0, m = 0;
	for (int l = 0; ok && l < RBAC_NLAYERS; l++) {
		if (!b->layer[l])
			continue;
		size_t r, x;
		const rbac_role *rv = rbac_objects_roles(b->layer[l], &r);
		const rbac_binding *xv = rbac_objects_bindings(b->layer[l], &x);
		for (size_t i = 0; i < r; i++)
			rp[k++] = &rv[i];
		for (size_t i = 0; i < x; i++)
			bp[m++] = &xv[i];
	}
	ok = ok && rbac_shard_compile(b->ns, rp, k, bp, m, &b->shard);
	free(rp);
	free(bp);
	return ok || gh_fail(err, "InternalError", 500, "rbac: out of memory compiling the policy");
}

bool rbac_source_policy(rbac_source *s, rbac_policy **out, gh_err *err)
{
	*out = NULL;
	s->compiled = 0;
	if (!s->cluster.shard) {
		if (!compile_bucket(&s->cluster, err))
			return false;
		s->compiled++;
	}
	rbac_shard **shards = malloc((s->nns + 1) * sizeof *shards);
	if (!shards)
		return gh_fail(err, "InternalError", 500, "rbac: out of memory");
	size_t n = 0;
	for (size_t i = 0; i < s->nns; i++) {
		bucket *b = s->ns[i];
		if (!b->shard) {
			if (!compile_bucket(b, err)) {
				for (size_t j = 0; j < n; j++)
					rbac_shard_unref(shards[j]);
				free(shards);
				return false;
			}
			s->compiled++;
		}
		atomic_fetch_add(&b->shard->refs, 1);
		shards[n++] = b->shard;
	}
	atomic_fetch_add(&s->cluster.shard->refs, 1);
	if (!rbac_policy_assemble(s->cluster.shard, shards, n, out))
		return gh_fail(err, "InternalError", 500, "rbac: out of memory");
	return true;
}

void rbac_source_stats_get(const rbac_source *s, rbac_source_stats *st)
{
	*st = (rbac_source_stats){ .shards = s->nns + 1, .compiled = s->compiled };
	for (size_t i = 0; i <= s->nns; i++) {
		const bucket *b = i < s->nns ? s->ns[i] : &s->cluster;
		for (int l = 0; l < RBAC_NLAYERS; l++) {
			size_t nr = 0, nb = 0;
			if (b->layer[l]) {
				rbac_objects_roles(b->layer[l], &nr);
				rbac_objects_bindings(b->layer[l], &nb);
			}
			st->objects += nr + nb;
		}
	}
}
