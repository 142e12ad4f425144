/* Shared by the kube_* files of the engine; not for adapters. */
#ifndef GH_ENGINE_KUBE_INTERNAL_H
#define GH_ENGINE_KUBE_INTERNAL_H

#include <pthread.h>

#include "engine/engine_internal.h"
#include "engine/kube.h"

struct kube_state {
	kube_cache *cache;
	pthread_mutex_t mu; /* one Kubernetes write at a time, cache updated in commit order */
};

/* metadata, created when missing. */
json_t *kube_meta(json_t *obj);

/* Per-kind rules, applied on create and update (old NULL on create): defaults (Secret
 * stringData, Namespace status and label, Pod status) and validation. False with the
 * status set (422 Invalid, 400 BadRequest). */
bool kube_kind_prepare(const k8s_resource *r, json_t *obj, const json_t *old, kube_status *st);

/* RBAC storage rules for Role/ClusterRole/RoleBinding/ClusterRoleBinding: validation,
 * roleRef immutability and escalation prevention against the cluster's current policy. */
bool kube_rbac_admit(gh_engine *e, const char *cluster, const k8s_resource *r, const json_t *obj,
		     const json_t *old, const kube_user *u, kube_status *st);

/* Applies a patch of the given type to `current` (not modified); the new object or NULL
 * with the status set. */
json_t *kube_apply_patch(const k8s_resource *r, const json_t *current, const json_t *patch, kube_patch_type t,
			 kube_status *st);

/* The 422 Invalid status of one field error: `Kind "name" is invalid: field: text`. */
bool kube_invalid(kube_status *st, const k8s_resource *r, const char *name, const char *field,
		  const char *cause_reason, const char *text);

#endif
