/* policy_authz: the EKS access-policy authorizer. Given the associations of the caller's
 * access entry and a Kubernetes request, it answers Allow or NoOpinion, never Deny: EKS runs
 * it as a webhook after RBAC (--authorization-mode=Node,RBAC,Webhook), so a caller has what
 * RBAC grants plus what the policies grant.
 *
 * - Impersonated requests get nothing: "you're forcing the use of Kubernetes RBAC
 *   authorization ... the IAM principal has no permissions assigned by any access policies"
 *   (user guide).
 * - Cluster scope covers every request, resource or not.
 * - Namespace scope covers only resource requests in a namespace that matches one of the
 *   scope's patterns ('*' = any run of characters, so `dev-*` covers dev-a but not dev).
 *   Cluster-scoped requests (no namespace: nodes, a namespace list, a cluster-wide pod list)
 *   and non-resource URLs are never covered. A request that names a namespace but a
 *   cluster-scoped resource (a SubjectAccessReview can say anything) is not covered either,
 *   except the namespace object itself (resource namespaces with name = namespace), which is
 *   what a request for one namespace looks like.
 * - Rules match as Kubernetes RBAC matches them (pkg/apis/rbac/v1/evaluation_helpers.go):
 *   verbs and API groups `*` or exact; resources `*`, exact `res` or `res/sub`, or `*\/sub`
 *   (`pods` does not cover pods/log; `pods/\*` is literal); resourceNames empty or listing
 *   the name; non-resource URLs `*`, exact, or a trailing-`*` prefix.
 * - Policies without published rules grant nothing; the NoOpinion reason says so.
 * Pure. Reasons live in the caller's arena. */
#ifndef GH_EKS_POLICY_AUTHZ_H
#define GH_EKS_POLICY_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/str.h"
#include "domain/eks/access_policy.h"

/* Kubernetes request attributes (authorizer.Attributes). */
typedef struct gh_eks_authz_request {
	gh_str user;		/* not used by the decision: policies bind to the entry */
	bool resource_request;
	gh_str verb;
	gh_str ns;		/* "" for cluster-scoped requests */
	gh_str api_group;	/* "" is the core group */
	gh_str resource, subresource, name;
	gh_str path;		/* non-resource requests */
	bool impersonated;	/* the request carried Impersonate-* headers */
} gh_eks_authz_request;

typedef enum gh_eks_authz_decision { GH_EKS_AUTHZ_NO_OPINION, GH_EKS_AUTHZ_ALLOW } gh_eks_authz_decision;

typedef struct gh_eks_authz_result {
	gh_eks_authz_decision decision;
	/* Allow: `EKS access policy AmazonEKSEditPolicy (namespace scope: production, staging)`
	 * or `EKS access policy AmazonEKSClusterAdminPolicy (cluster scope)`. NoOpinion: why, for
	 * explain (impersonation, no association covers the namespace, no rule matched, ...). */
	gh_str reason;
	long association; /* index of the allowing association, -1 */
} gh_eks_authz_result;

/* The first association (in the order given) whose scope covers the request and whose
 * policy has a matching rule allows it. */
gh_eks_authz_decision gh_eks_authorize(const gh_eks_association *assocs, size_t n, const gh_eks_authz_request *req,
				       gh_arena *a, gh_eks_authz_result *out);

/* The pieces, exposed for explain and for the tests. */
bool gh_eks_rule_allows(const gh_eks_policy_rule *rule, const gh_eks_authz_request *req);
bool gh_eks_scope_covers(const gh_eks_access_scope *scope, const gh_eks_authz_request *req);
bool gh_eks_namespace_match(gh_str pattern, gh_str ns); /* '*' = any run, else exact */
/* Well-known cluster-scoped resources (nodes, persistentvolumes, clusterroles, ...). */
bool gh_eks_resource_cluster_scoped(gh_str api_group, gh_str resource);

#endif
