/* kube: the Kubernetes API's objects for every cluster gatehouse holds, behind the
 * sandbox's API endpoint (api/kube_api.c).
 *
 * Reads come from the in-memory cache (engine/kube_cache.h); writes are one store
 * transaction each, then the cache and the watch log, then, when the write touched RBAC
 * or kube-system/aws-auth, a new published mapping/RBAC snapshot, so the next request is
 * decided by it. Secrets are sealed at rest with a data key per object, itself sealed
 * under the KEK. Object rules follow kube-apiserver's generic registry: uid,
 * creationTimestamp, resourceVersion, generation, generateName, optimistic concurrency
 * (409 Conflict), name validation, namespace existence, and the RBAC storage rules
 * (validation, roleRef immutability, escalation prevention). */
#ifndef GH_ENGINE_KUBE_H
#define GH_ENGINE_KUBE_H

#include <jansson.h>

#include "domain/k8s/resources.h"
#include "engine/authz.h"
#include "engine/engine.h"
#include "engine/kube_cache.h"

/* Who asks: the authenticated (or impersonated) user. */
typedef struct kube_user {
	const char *name, *uid;
	const char *const *groups;
	size_t ngroups;
	json_t *extra;	     /* object of string arrays, or NULL (borrowed) */
	gh_str principal_id; /* for the EKS access-policy authorizer */
	bool impersonated;
} kube_user;

/* A failure as a metav1.Status: code, reason, message, details (name, group, kind,
 * causes). On success code is 0. */
typedef struct kube_status {
	int code;
	const char *reason;
	char *message;
	json_t *details; /* owned, may be NULL */
} kube_status;
void kube_status_clear(kube_status *s);
bool kube_fail(kube_status *s, int code, const char *reason, const char *fmt, ...) GH_PRINTF(4, 5);
/* The NotFound of `resource "name" not found` (group-qualified when not core). */
bool kube_not_found(kube_status *s, const k8s_resource *r, const char *name);

typedef enum { KUBE_PATCH_JSON, KUBE_PATCH_MERGE, KUBE_PATCH_STRATEGIC } kube_patch_type;

typedef struct kube_write {
	enum { KUBE_CREATE, KUBE_UPDATE, KUBE_PATCH, KUBE_DELETE } op;
	const k8s_resource *res;
	const char *ns, *name; /* ns "" for cluster-scoped; name from the URL ("" on create) */
	json_t *body;	       /* create/update: the object; patch: the patch document */
	kube_patch_type patch_type;
	bool dry_run;
	/* delete preconditions */
	const char *precondition_uid, *precondition_rv;
	const kube_user *user;
} kube_write;

/* What a write answers: the object (owned) and admission's warnings and audit
 * annotations (owned arrays of strings / object). */
typedef struct kube_write_result {
	json_t *object;
	json_t *warnings;	  /* array of strings, or NULL */
	json_t *audit_annotations; /* object, or NULL */
	int code;		  /* 200 or 201 */
} kube_write_result;
void kube_write_result_clear(kube_write_result *r);

/* Opens the cache from the store and makes sure every cluster has its default namespaces
 * (default, kube-system, kube-public, kube-node-lease). Called by engine_open. */
bool kube_open(gh_engine *e, gh_err *err) GH_MUST_CHECK;
void kube_close(gh_engine *e);
/* The default namespaces of a cluster just created (EKS CreateCluster). */
bool kube_cluster_created(gh_engine *e, const char *cluster, gh_err *err) GH_MUST_CHECK;
/* Forget a deleted cluster's objects. */
void kube_cluster_deleted(gh_engine *e, const char *cluster);

/* The object's metadata.<key> string, or "". */
const char *kube_meta_str(const json_t *obj, const char *key);

kube_cache *engine_kube_cache(gh_engine *e);
/* A random (v4) UUID: object uids, audit IDs. */
bool engine_uuid(char out[37]);

bool engine_kube_write(gh_engine *e, const char *cluster, const kube_write *w, kube_write_result *out,
		       kube_status *st);

/* The authorization chain for a user of the API (also used for escalate/bind and
 * impersonation checks). */
bool engine_kube_authorize(gh_engine *e, const char *cluster, const kube_user *u, const rbac_attrs *attrs,
			   gh_arena *a, gh_authz_res *out);

#endif
