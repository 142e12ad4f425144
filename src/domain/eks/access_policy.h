/* access_policy: the catalog of EKS managed access policies (product data, written in
 * policy_catalog.c) and the rules of AssociateAccessPolicy.
 *
 * The catalog (ListAccessPolicies answers it, sorted by name as EKS lists it):
 * - the 15 policies of the user guide's access policy reference at commit 4d52b4d, with the
 *   Kubernetes rules AWS publishes, exactly as ../shared/reference/eks/access-policies.json
 *   holds them (a unit test compares the two);
 * - AmazonEKSSecretReaderPolicy, whose rules the guide published later (2025-11-06:
 *   secrets get/list/watch);
 * - the other names a live ListAccessPolicies returns (spec section 7). AWS publishes no
 *   rules for them (the Auto Mode, ArgoCD, HyperPod... policies are described in prose
 *   only), so they carry no rules: gatehouse lists them and accepts associations, but they
 *   never grant anything, and the authorizer says so.
 *
 * Association rules (spec section 7, user guide "Associate access policies"):
 * - The policy ARN must name a catalog policy in the cluster's partition: else
 *   ResourceNotFoundException `The specified policyArn could not be found.` (CLI output).
 * - STANDARD entries take any policy except those the guide reserves for AWS service-linked
 *   roles (BlockStorage, BlockStorageCluster, Compute, ComputeCluster, Hybrid); EC2 (Auto
 *   Mode) entries take AmazonEKSAutoNodePolicy only (the Auto Mode guide associates it);
 *   other types take none. (inf messages)
 * - One association per policy: associating again replaces the scope (associatedAt kept,
 *   modifiedAt updated).
 * - accessScope.type is cluster or namespace. namespace needs at least one namespace, cluster
 *   takes none. Namespaces are Kubernetes names (RFC 1123 labels) in which `*` may stand for
 *   any run of characters (`dev-*`); their existence is not checked. (inf messages)
 * Pure; results in the caller's arena. */
#ifndef GH_EKS_ACCESS_POLICY_H
#define GH_EKS_ACCESS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "domain/eks/access_entry.h"

/* ---- the catalog ---------------------------------------------------------------------- */

typedef struct gh_eks_strs {
	const gh_str *v;
	size_t n;
} gh_eks_strs;

/* A Kubernetes PolicyRule. Empty lists are absent fields. */
typedef struct gh_eks_policy_rule {
	gh_eks_strs api_groups, resources, verbs, resource_names, non_resource_urls;
} gh_eks_policy_rule;

typedef enum gh_eks_policy_source {
	GH_EKS_POLICY_SRC_REFERENCE,   /* the shared reference JSON (user guide @4d52b4d) */
	GH_EKS_POLICY_SRC_GUIDE_LATER, /* rules published by a later user guide */
	GH_EKS_POLICY_SRC_LIVE_LIST,   /* name only: a live ListAccessPolicies */
} gh_eks_policy_source;

typedef struct gh_eks_access_policy {
	gh_str name;
	gh_str arn;	       /* arn:aws:eks::aws:cluster-access-policy/<name> */
	bool rules_published;  /* false: no rules, never grants anything */
	const gh_eks_policy_rule *rules;
	size_t n_rules;
	gh_eks_policy_source source;
	bool service_linked_only; /* "designated for AWS service-linked roles only" */
	bool auto_node;		  /* the one policy EC2 (Auto Mode) entries take */
} gh_eks_access_policy;

size_t gh_eks_policy_count(void);
const gh_eks_access_policy *gh_eks_policy_at(size_t i); /* sorted by name, bytewise */
const gh_eks_access_policy *gh_eks_policy_by_name(gh_str name);
/* arn:<any known partition>:eks::aws:cluster-access-policy/<Name>, name case-sensitive;
 * NULL when not a catalog policy. `partition` (may be NULL) receives the ARN's partition. */
const gh_eks_access_policy *gh_eks_policy_by_arn(gh_str arn, gh_str *partition);
/* The policy's ARN in a partition (ListAccessPolicies in aws-cn answers arn:aws-cn:...). */
bool gh_eks_policy_arn(gh_buf *out, gh_str partition, const gh_eks_access_policy *p);

/* ---- associations --------------------------------------------------------------------- */

typedef enum gh_eks_scope_type { GH_EKS_SCOPE_CLUSTER, GH_EKS_SCOPE_NAMESPACE } gh_eks_scope_type;

const char *gh_eks_scope_type_name(gh_eks_scope_type t); /* "cluster", "namespace" */

typedef struct gh_eks_access_scope {
	gh_eks_scope_type type;
	const gh_str *namespaces; /* patterns; none for cluster scope */
	size_t n_namespaces;
} gh_eks_access_scope;

typedef struct gh_eks_association {
	const gh_eks_access_policy *policy; /* catalog entry (static) */
	gh_str policy_arn;		    /* in the cluster's partition */
	gh_eks_access_scope scope;
	int64_t associated_at_ms, modified_at_ms;
} gh_eks_association;

typedef struct gh_eks_associate_input {
	gh_eks_entry_type entry_type; /* of the entry the policy is associated with */
	gh_str partition;	      /* the cluster's */
	gh_str policy_arn;
	const gh_str *scope_type;     /* accessScope.type; NULL when absent */
	const gh_str *namespaces;     /* accessScope.namespaces */
	size_t n_namespaces;
	const gh_eks_association *existing; /* the entry's current associations */
	size_t n_existing;
	int64_t now_ms;
} gh_eks_associate_input;

/* Validates (policy, entry type, scope type, namespaces) and builds the association to
 * store. *replaces gets the index in `existing` of the association it replaces, or -1. */
bool gh_eks_associate(const gh_eks_associate_input *in, gh_arena *a, gh_eks_association *out, long *replaces,
		      gh_err *err) GH_MUST_CHECK;

/* A namespace (pattern) in an access scope; InvalidParameterException (inf) otherwise. */
bool gh_eks_validate_scope_namespace(gh_str ns, gh_err *err) GH_MUST_CHECK;

/* DisassociateAccessPolicy: the index of the association with this policy ARN, or -1. */
long gh_eks_association_find(const gh_eks_association *v, size_t n, gh_str policy_arn);

#endif
