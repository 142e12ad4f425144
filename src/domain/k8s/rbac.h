/* rbac: the Kubernetes RBAC authorizer (v1.32 semantics), compiled once per snapshot.
 *
 * rbac_policy_compile turns a set of objects (rbac_obj.h) into an immutable policy, owning
 * (references to) all of its memory (one rbac_policy_free), safe to read from many threads.
 * A policy is made of shards, one for the cluster-scoped objects and one per namespace,
 * that successive policies share: rbac_source.h keeps a cluster's objects between
 * snapshots and recompiles only the shard an object write touches. Either way:
 * - duplicates (same kind/namespace/name) keep the last one added, with a warning;
 * - ClusterRoles with an aggregationRule get the rules of every ClusterRole their selectors
 *   select (sorted by name, themselves skipped, deep-equal rules dropped), repeated until
 *   nothing changes, so chains (view -> edit -> admin) converge as the controller makes
 *   them converge; an invalid selector leaves the role's own rules, as the controller does;
 * - bindings are put in a fixed order: ClusterRoleBindings by name, then RoleBindings by
 *   namespace and name. Upstream visits informer list order (unspecified); ordering by
 *   name makes "which binding allowed" deterministic.
 *
 * A decision (rbac_authorize) is upstream's VisitRulesFor + RuleAllows: ClusterRoleBindings
 * first, then the RoleBindings of the request's namespace; the first binding whose first
 * applying subject's role has an allowing rule wins, and is named in the reason. It never
 * scans every binding: bindings are indexed by subject (user name, group name, service
 * account) and namespace, each posting carrying the binding's role and first subject for
 * that key, so a decision touches only the user's own bindings; each distinct rule set
 * (the same Role in many namespaces is one) is expanded into a hash of (verb, group,
 * resource) atoms with their resourceNames, probed once per wildcard combination.
 * rbac_authorize_linear is the plain algorithm over the same policy (lists, string
 * matching, roles looked up by name), kept as the reference the tests, the fuzzer and the
 * benchmark compare with; both return the same decision, binding, subject and reason.
 *
 * Warnings are gathered per shard (cluster first, then namespaces in order).
 *
 * RBAC only allows or has no opinion. system:masters is not RBAC: upstream puts a
 * privileged-group authorizer before it; rbac_privileged_allows is that authorizer, so
 * callers chain: privileged groups, then RBAC, then whatever comes next. */
#ifndef GH_K8S_RBAC_H
#define GH_K8S_RBAC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "domain/k8s/rbac_obj.h"

#define RBAC_SYSTEM_MASTERS "system:masters"

/* ---- the compiled policy ---------------------------------------------------------------- */

typedef struct rbac_policy rbac_policy;

/* Fails only on OOM or past the size limits (2^32 subjects in all bindings, 2^30 distinct
 * subject names). */
bool rbac_policy_compile(const rbac_objects *objs, rbac_policy **out, gh_err *err) GH_MUST_CHECK;
void rbac_policy_free(rbac_policy *p);

/* What compile noticed: duplicates, invalid aggregation selectors, aggregation that did not
 * settle (a selector cycle), roles too large to index (still evaluated, rule by rule). */
const gh_str *rbac_policy_warnings(const rbac_policy *p, size_t *n);

typedef struct rbac_policy_stats {
	size_t cluster_roles, roles, cluster_role_bindings, role_bindings;
	size_t namespaces;   /* namespaces with RoleBindings */
	size_t subject_keys; /* (user name | group) keys indexed, once per shard naming them */
	size_t postings;     /* (key, binding) pairs */
	size_t atoms;	     /* (role, verb, group, resource) entries */
	size_t unindexed_roles;
	size_t index_bytes;  /* the tables and arrays of the index (strings and rules not counted) */
} rbac_policy_stats;
void rbac_policy_stats_get(const rbac_policy *p, rbac_policy_stats *st);

/* A role as the policy sees it (aggregated rules included); ns empty for a ClusterRole.
 * NULL when absent. Lives as long as the policy. */
const rbac_role *rbac_policy_role(const rbac_policy *p, gh_str ns, gh_str name);
/* Bindings in visiting order: ClusterRoleBindings by name, then RoleBindings. */
const rbac_binding *rbac_policy_binding(const rbac_policy *p, size_t i);
size_t rbac_policy_nbindings(const rbac_policy *p);

/* ---- requests ------------------------------------------------------------------------- */

typedef struct rbac_user {
	gh_str name;
	const gh_str *groups;
	size_t ngroups;
	bool has_extra; /* carried for callers (impersonation, audit); RBAC ignores extras */
} rbac_user;

typedef struct rbac_attrs {
	rbac_user user;
	bool resource_request;
	gh_str verb;
	gh_str namespace;			      /* "" = cluster-wide */
	gh_str api_group, resource, subresource, name; /* resource requests */
	gh_str path;				      /* non-resource requests */
} rbac_attrs;

typedef enum rbac_decision { RBAC_NO_OPINION = 0, RBAC_ALLOW = 1 } rbac_decision;

typedef struct rbac_verdict {
	rbac_decision decision;
	const rbac_binding *binding; /* the allowing binding (policy memory) */
	const rbac_subject *subject; /* its first subject that applies to the user */
	size_t nerrors;		     /* resolution errors met (no opinion) */
} rbac_verdict;

/* The decision. `reason` (may be NULL; appended to) gets upstream's reason:
 *   RBAC: allowed by ClusterRoleBinding "n" of ClusterRole "r" to Group "g"
 *   RBAC: allowed by RoleBinding "n/ns" of Role "r" to ServiceAccount "sa/ns"
 * or, with no opinion, "" or "RBAC: <resolution errors>", e.g.
 *   RBAC: clusterrole.rbac.authorization.k8s.io "x" not found
 *   RBAC: [role.rbac.authorization.k8s.io "a" not found, unsupported role reference kind: "K"]
 * Pure, allocation-free when reason is NULL (and the user has at most 63 groups). */
rbac_decision rbac_authorize(const rbac_policy *p, const rbac_attrs *a, rbac_verdict *v, gh_buf *reason);
/* The same by a linear scan of every binding; the reference. */
rbac_decision rbac_authorize_linear(const rbac_policy *p, const rbac_attrs *a, rbac_verdict *v,
				    gh_buf *reason);

/* authorizerfactory.NewPrivilegedGroups: Allow (reason "") when the user is in one of the
 * groups, else no opinion. */
bool rbac_privileged_allows(const rbac_user *u, const char *const *groups, size_t ngroups);

/* ---- queries ------------------------------------------------------------------------------ */

/* RulesFor: what SelfSubjectRulesReview and `kubectl auth can-i --list` show. Rules of the
 * ClusterRoleBindings, then of the namespace's RoleBindings, in visiting order, pointing
 * into the policy. A rule with resources is a resource rule; with nonResourceURLs a
 * non-resource rule (one with both is in both lists). */
typedef struct rbac_rules_result {
	const rbac_rule **all; /* every rule, for Covers */
	size_t nall;
	const rbac_rule **resource;
	size_t nresource;
	const rbac_rule **non_resource;
	size_t nnon_resource;
	/* Resolution errors (a missing role): the lists may lack rules. Upstream's RBAC reports
	 * them as status.evaluationError and leaves status.incomplete false; `incomplete` here
	 * says the same thing as a flag, the adapter chooses what to emit. */
	bool incomplete;
	gh_str evaluation_error; /* upstream's aggregate message, "" when none */
} rbac_rules_result;

bool rbac_rules_for(const rbac_policy *p, const rbac_user *u, gh_str ns, gh_arena *a,
		    rbac_rules_result *out) GH_MUST_CHECK;

/* Who can: every subject of every binding that would allow the request (the user in `a`
 * is ignored), with the binding; ClusterRoleBindings first, then RoleBindings of the
 * request's namespace, subjects in binding order. Service accounts carry their effective
 * namespace; subjects that can match nobody (unknown kinds, a service account without a
 * namespace) are left out. */
typedef struct rbac_grant {
	rbac_subject_kind kind;
	gh_str name;
	gh_str namespace; /* service accounts */
	const rbac_binding *binding;
} rbac_grant;

typedef struct rbac_who_can_result {
	rbac_grant *grants;
	size_t ngrants;
	bool incomplete;
	gh_str evaluation_error;
} rbac_who_can_result;

bool rbac_who_can(const rbac_policy *p, const rbac_attrs *a, gh_arena *arena,
		  rbac_who_can_result *out) GH_MUST_CHECK;

/* ---- escalation prevention ------------------------------------------------------------------ */

/* validation.Covers: splits each servant rule into atoms (group x resource x verb x name,
 * and URL x verb) and returns whether each is covered by one owner rule. The uncovered
 * atoms go to *missing (allocated in `a`) when missing is non-NULL. */
bool rbac_covers(const rbac_rule *const *owner, size_t nowner, const rbac_rule *servant,
		 size_t nservant, gh_arena *a, rbac_rule **missing, size_t *nmissing);

/* rbacv1helpers.CompactString: {APIGroups:[""], Resources:["pods"], Verbs:["delete"]} */
void rbac_rule_compact_string(const rbac_rule *r, gh_buf *out);

/* ConfirmNoEscalation: true when the user's own rules in `ns` ("" = cluster only) cover
 * `rules`; otherwise false and `msg` gets upstream's text
 *   user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions
 *   not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}
 * (missing atoms compacted, one sorted rule per line, "; resolution errors: [...]" when
 * the user's rules could not all be resolved). */
bool rbac_confirm_no_escalation(const rbac_policy *p, const rbac_user *u, gh_str ns,
				const rbac_rule *rules, size_t nrules, gh_buf *msg);

/* The authorizer the write checks ask for `escalate` and `bind`; upstream asks the whole
 * chain. NULL means privileged groups, then this policy's RBAC. */
typedef rbac_decision (*rbac_authorizer_fn)(void *ctx, const rbac_attrs *a);

typedef struct rbac_write_check {
	bool allowed;
	int status; /* 403 Forbidden, or 404 when a binding's role does not exist */
	/* The error message: for 403 the part after "<resource> \"<name>\" is forbidden: " */
	gh_buf msg;
} rbac_write_check;

/* Role / ClusterRole create (old NULL) or update (policybased storage): allowed for
 * system:masters, for `escalate` on roles/clusterroles, or when the user covers the rules;
 * an aggregationRule (new, or old on update) needs cluster-admin coverage
 * ("must have cluster-admin privileges to use the aggregationRule"). The caller skips the
 * check for updates that touch only GC fields. Free c->msg with gh_buf_free. */
void rbac_check_role_write(const rbac_policy *p, const rbac_user *u, const rbac_role *r,
			   const rbac_role *old, rbac_authorizer_fn fn, void *ctx, rbac_write_check *c);
/* RoleBinding / ClusterRoleBinding create or update: allowed for system:masters, for `bind`
 * on the referenced role, or when the user covers the role's rules. */
void rbac_check_binding_write(const rbac_policy *p, const rbac_user *u, const rbac_binding *b,
			      rbac_authorizer_fn fn, void *ctx, rbac_write_check *c);

/* ---- the bootstrap policy ------------------------------------------------------------------ */

/* What kube-apiserver creates at start (bootstrappolicy, v1.32), user-facing part:
 * cluster-admin, admin/edit/view (rules from aggregation), system:aggregate-to-*,
 * system:basic-user, system:discovery, system:public-info-viewer, system:monitoring,
 * system:service-account-issuer-discovery, system:auth-delegator, and their bindings.
 * Static data. */
const rbac_role *rbac_default_cluster_roles(size_t *n);
const rbac_binding *rbac_default_cluster_role_bindings(size_t *n);
bool rbac_objects_add_defaults(rbac_objects *s, gh_err *err) GH_MUST_CHECK;

#endif
