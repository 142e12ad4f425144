/* audit_policy: the Kubernetes audit policy (audit.k8s.io/v1 Policy) and the decision it
 * makes for one request: which level to record it at, which stages to leave out, and
 * whether to drop managedFields from the bodies.
 *
 * Matching is upstream's (k8s.io/apiserver pkg/audit/policy/checker.go, v1.32): the first
 * rule that matches wins and no match means None; an empty list matches anything; users
 * match the username, userGroups any of the groups; resources match {group (`*` = any),
 * resources, resourceNames}, where a resource is `*`, `res`, `res/sub`, `res/` + `*` (any
 * subresource of res) or `*` + `/sub` (that subresource of anything); namespaces match the
 * request's namespace (`""` = a cluster-scoped request); nonResourceURLs match the path
 * (`*`, exact, or a prefix ending in `*`); a rule with resources or namespaces never matches
 * a non-resource request and one with nonResourceURLs never matches a resource request;
 * the policy's omitStages are added to every rule's.
 *
 * Parsing reads YAML or JSON (at most AUDIT_POLICY_MAX_BYTES), validates as upstream's
 * pkg/apis/audit/validation does and names the field in every error:
 * `rules[2].level: must be one of None, Metadata, Request, RequestResponse`. One deliberate
 * difference: an unknown field is an error, where kube-apiserver warns and ignores it,
 * because a misspelt `resource:` would otherwise widen a rule to every request.
 *
 * Pure: no I/O; the caller reads the file. */
#ifndef GH_K8S_AUDIT_POLICY_H
#define GH_K8S_AUDIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

#define AUDIT_POLICY_MAX_BYTES ((size_t)1 << 20)

typedef enum audit_level {
	AUDIT_LEVEL_NONE = 0,
	AUDIT_LEVEL_METADATA,
	AUDIT_LEVEL_REQUEST,
	AUDIT_LEVEL_REQUEST_RESPONSE,
} audit_level;

/* Stages as bits of an omit_stages mask. */
enum {
	AUDIT_STAGE_REQUEST_RECEIVED = 1u << 0,
	AUDIT_STAGE_RESPONSE_STARTED = 1u << 1,
	AUDIT_STAGE_RESPONSE_COMPLETE = 1u << 2,
	AUDIT_STAGE_PANIC = 1u << 3,
};

/* What the policy sees of a request (authorizer attributes). Strings may be NULL for "". */
typedef struct audit_attrs {
	const char *user;
	const char *const *groups;
	size_t ngroups;
	const char *verb;
	bool is_resource;
	const char *api_group, *api_version, *resource, *subresource, *namespace_, *name;
	const char *path; /* non-resource requests */
} audit_attrs;

typedef struct audit_policy audit_policy;

/* Parses and validates a Policy document. *out is freed with audit_policy_free. */
bool audit_policy_parse(gh_str text, audit_policy **out, gh_err *err) GH_MUST_CHECK;

/* The built-in policy, used when none is configured: EKS's (see audit_policy_default.c). */
const char *audit_policy_default_text(void);
bool audit_policy_default(audit_policy **out, gh_err *err) GH_MUST_CHECK;

void audit_policy_free(audit_policy *p);

void audit_policy_decide(const audit_policy *p, const audit_attrs *at, audit_level *level,
			 unsigned *omit_stages, bool *omit_managed_fields);

const char *audit_level_name(audit_level l);	/* "None", "Metadata", ... */
const char *audit_stage_name(unsigned stage_bit); /* "RequestReceived", ...; NULL if not one bit */

#endif
