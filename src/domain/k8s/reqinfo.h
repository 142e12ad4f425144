/* reqinfo: what a Kubernetes API request asks for, from its method, path and query, as
 * kube-apiserver's RequestInfoFactory derives it (AS pkg/endpoints/request/requestinfo.go):
 * resource requests under /api/v1 and /apis/G/V with namespace, resource, name,
 * subresource and the verb (get/list/watch/create/update/patch/delete/deletecollection);
 * everything else is a non-resource request whose verb is the lowercased method. */
#ifndef GH_DOMAIN_K8S_REQINFO_H
#define GH_DOMAIN_K8S_REQINFO_H

#include <stdbool.h>

#include "base/str.h"

#define K8S_MAX_PATH 4096

typedef struct k8s_reqinfo {
	bool resource_request;
	gh_str path;		/* the path as sent (no query) */
	char verb[24];
	gh_str api_prefix;	/* "api" or "apis" */
	gh_str group, version;
	gh_str namespace, resource, subresource, name;
	int parts;		/* path segments after the version (0 = the group/version itself) */
} k8s_reqinfo;

/* `query_name` is the value of a metadata.name= field selector on a list or watch (empty
 * when none), which upstream turns into the request's name; `watch` is true when the
 * query says watch=true/1. Views point into path. False for a path that is too long. */
bool k8s_reqinfo_parse(gh_str method, gh_str path, bool watch, gh_str query_name, k8s_reqinfo *out);

#endif
