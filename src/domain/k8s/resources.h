/* resources: the Kubernetes API resources the sandbox serves, as discovery lists them.
 *
 * One static table drives discovery (/api/v1, /apis/G/V), request routing, storage keys
 * (the Kind), and the verbs a resource accepts. Stored resources keep objects; review
 * resources (TokenReview, SubjectAccessReview, ...) only answer a create. */
#ifndef GH_DOMAIN_K8S_RESOURCES_H
#define GH_DOMAIN_K8S_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

enum {
	K8S_VERB_GET = 1 << 0,
	K8S_VERB_LIST = 1 << 1,
	K8S_VERB_WATCH = 1 << 2,
	K8S_VERB_CREATE = 1 << 3,
	K8S_VERB_UPDATE = 1 << 4,
	K8S_VERB_PATCH = 1 << 5,
	K8S_VERB_DELETE = 1 << 6,
	K8S_VERB_DELETECOLLECTION = 1 << 7,
};
#define K8S_VERBS_ALL 0xff
#define K8S_VERBS_CREATE_ONLY K8S_VERB_CREATE

typedef struct k8s_resource {
	const char *group, *version, *resource, *kind, *singular;
	bool namespaced;
	bool stored;		  /* false: a review, answered and forgotten */
	unsigned verbs;		  /* K8S_VERB_* */
	const char *short_names;  /* space-separated, or NULL */
	const char *categories;	  /* space-separated, or NULL */
	bool generation;	  /* metadata.generation tracks spec changes */
} k8s_resource;

/* Every served resource, grouped by group/version in discovery order. */
const k8s_resource *k8s_resources(size_t *n);
/* The resource at group/version/resource (plural), or NULL. */
const k8s_resource *k8s_resource_find(gh_str group, gh_str version, gh_str resource);
/* The stored resource whose Kind is `kind` in `group`, or NULL. */
const k8s_resource *k8s_resource_by_kind(gh_str group, gh_str kind);
/* "v1" or "rbac.authorization.k8s.io/v1". */
void k8s_resource_api_version(const k8s_resource *r, char *out, size_t n);
/* The group/versions served, in discovery order ("" is the core group). */
typedef struct k8s_group_version {
	const char *group, *version;
} k8s_group_version;
const k8s_group_version *k8s_group_versions(size_t *n);
/* The verb names (get, list, ...) of a mask, in discovery order, for JSON output. */
size_t k8s_verb_names(unsigned verbs, const char **out, size_t cap);

#endif
