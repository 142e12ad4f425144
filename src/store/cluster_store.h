/* cluster_store: clusters and the Kubernetes objects gatehouse keeps for them (for now
 * the kube-system/aws-auth ConfigMap). Bodies are JSON text, as the API would serve them. */
#ifndef GH_STORE_CLUSTER_STORE_H
#define GH_STORE_CLUSTER_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* Creates cluster `name`, made by `admin_arn`, with an empty aws-auth ConfigMap. */
bool cluster_store_bootstrap(sqlite3 *db, const char *name, const char *account, const char *region,
			     const char *partition, const char *admin_arn, int64_t now, gh_err *err) GH_MUST_CHECK;
bool cluster_store_create(sqlite3 *db, const char *name, const char *account, const char *region,
			  const char *partition, const char *creator_arn, int64_t now, gh_err *err) GH_MUST_CHECK;
/* Names of every cluster, in name order. */
bool cluster_store_list(sqlite3 *db, gh_arena *a, const char ***names, size_t *n, gh_err *err) GH_MUST_CHECK;
/* The object's JSON body, or NULL (no error) when it does not exist. */
bool cluster_store_get_object(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
			      const char *name, gh_arena *a, const char **body, gh_err *err) GH_MUST_CHECK;
bool cluster_store_put_object(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
			      const char *name, const char *body, gh_err *err) GH_MUST_CHECK;



/* Every stored object of `kind` in the cluster (JSON bodies), in namespace/name order. */
bool cluster_store_list_objects(sqlite3 *db, const char *cluster, const char *kind, gh_arena *a,
				const char ***bodies, size_t *n, gh_err *err) GH_MUST_CHECK;

/* The Kubernetes API's writes: the next resourceVersion (one counter for every cluster, as
 * etcd's revision), then the row written or deleted at that version. */
bool cluster_store_next_rv(sqlite3 *db, int64_t *rv, gh_err *err) GH_MUST_CHECK;
bool cluster_store_put_object_rv(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
				 const char *name, const char *body, int64_t rv, gh_err *err) GH_MUST_CHECK;
bool cluster_store_delete_object(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
				 const char *name, gh_err *err) GH_MUST_CHECK;
/* The current resourceVersion counter. */
bool cluster_store_current_rv(sqlite3 *db, int64_t *rv, gh_err *err) GH_MUST_CHECK;
/* Every object of every cluster, for the API's cache at start. */
typedef bool (*cluster_store_object_fn)(void *ctx, const char *cluster, const char *kind, const char *ns,
					 const char *name, const char *body, size_t body_len, int64_t rv);
bool cluster_store_each_object(sqlite3 *db, cluster_store_object_fn fn, void *ctx, gh_err *err) GH_MUST_CHECK;

/* Last-known-good aws-auth sections (mapRoles, mapUsers, mapAccounts): *body is NULL when
 * none was recorded, or when the section was absent in the good ConfigMap (*present false). */
bool cluster_store_get_good_section(sqlite3 *db, const char *cluster, const char *section, gh_arena *a,
				    const char **body, bool *found, gh_err *err) GH_MUST_CHECK;
bool cluster_store_put_good_section(sqlite3 *db, const char *cluster, const char *section, const char *body,
				    gh_err *err) GH_MUST_CHECK;
#endif
