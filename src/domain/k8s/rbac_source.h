/* rbac_source: the RBAC objects of one cluster, kept between snapshots so that writing one
 * object recompiles one shard of the policy (rbac_internal.h): the namespace's, or the
 * cluster shard for a ClusterRole or ClusterRoleBinding. Every other shard is shared, by
 * reference, with the policies built before.
 *
 * Objects sit in three layers, and for the same kind, namespace and name a later layer wins
 * over an earlier one, exactly as if every object had been added to one rbac_objects set in
 * layer order and compiled with rbac_policy_compile: RBAC_LAYER_DEFAULTS (the bootstrap
 * policy), RBAC_LAYER_STORE (objects written through the API, the one layer that changes an
 * object at a time) and RBAC_LAYER_MANIFESTS (--rbac files, which win over the store).
 *
 * One writer at a time (the engine holds its write lock); the policies handed out are
 * immutable, shared by readers, and outlive the source. */
#ifndef GH_K8S_RBAC_SOURCE_H
#define GH_K8S_RBAC_SOURCE_H

#include "domain/k8s/rbac.h"

typedef struct rbac_source rbac_source;

enum { RBAC_LAYER_DEFAULTS, RBAC_LAYER_STORE, RBAC_LAYER_MANIFESTS, RBAC_NLAYERS };

rbac_source *rbac_source_new(void); /* NULL on OOM */
void rbac_source_free(rbac_source *s);

/* Adds (deep copies) every object of objs to a layer: the full load at start. */
bool rbac_source_add(rbac_source *s, int layer, const rbac_objects *objs, gh_err *err) GH_MUST_CHECK;

/* Empties a layer (the manifests, before they are read again); the shards that held
 * objects of it are recompiled by the next rbac_source_policy. */
void rbac_source_clear_layer(rbac_source *s, int layer);

/* One write through the API: the store layer's object `kind` ("Role", "ClusterRole",
 * "RoleBinding", "ClusterRoleBinding") ns/name (ns ignored for cluster-scoped kinds) is
 * dropped, then the objects of objs (the object as now stored; none for a delete, or when
 * the stored document did not load) are put in its place. On failure (OOM) the source is
 * unchanged or the changed shards are marked for a rebuild; callers then reload it. */
bool rbac_source_replace(rbac_source *s, gh_str kind, gh_str ns, gh_str name, const rbac_objects *objs,
			 gh_err *err) GH_MUST_CHECK;

/* The policy of the current objects: the shards touched since the last call are compiled,
 * the others shared. Free it with rbac_policy_free. */
bool rbac_source_policy(rbac_source *s, rbac_policy **out, gh_err *err) GH_MUST_CHECK;

typedef struct rbac_source_stats {
	size_t objects;	       /* in every layer */
	size_t shards;	       /* namespaces holding objects, plus the cluster */
	size_t compiled;       /* shards compiled by the last rbac_source_policy */
} rbac_source_stats;
void rbac_source_stats_get(const rbac_source *s, rbac_source_stats *st);

#endif
