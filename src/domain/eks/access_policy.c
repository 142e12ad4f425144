#include "domain/eks/access_policy.h"

#include <string.h>

#include "domain/aws/arn.h"
#include "domain/eks/eks_errors.h"

/* ---- the catalog ---------------------------------------------------------------------- */

const gh_eks_access_policy *gh_eks_policy_by_name(gh_str name)
{
	/* 33 entries: a linear scan beats keeping an index in sync. */
	for (size_t i = 0; i < gh_eks_policy_count(); i++)
		if (gh_str_eq(gh_eks_policy_at(i)->name, name))
			return gh_eks_policy_at(i);
	return NULL;
}

const gh_eks_access_policy *gh_eks_policy_by_arn(gh_str arn, gh_str *partition)
{
	static const gh_str prefix = GH_STR("cluster-access-policy/");
	arn_parts p;
	if (!arn_parse(arn, &p, NULL) || !arn_partition_known(p.partition) || !gh_str_eq_c(p.service, "eks") ||
	    p.region.n != 0 || !gh_str_eq_c(p.account, "aws") || !gh_str_has_prefix(p.resource, prefix))
		return NULL;
	const gh_eks_access_policy *pol = gh_eks_policy_by_name(gh_str_sub(p.resource, prefix.n, p.resource.n));
	if (pol && partition)
		*partition = p.partition;
	return pol;
}

bool gh_eks_policy_arn(gh_buf *out, gh_str partition, const gh_eks_access_policy *p)
{
	gh_buf_reset(out);
	return gh_buf_printf(out, "arn:" GH_STR_FMT ":eks::aws:cluster-access-policy/" GH_STR_FMT,
			     GH_STR_ARG(partition), GH_STR_ARG(p->name)) &&
	       !out->oom;
}

/* ---- associations --------------------------------------------------------------------- */

const char *gh_eks_scope_type_name(gh_eks_scope_type t)
{
	return t == GH_EKS_SCOPE_NAMESPACE ? "namespace" : "cluster";
}

static bool invalid(gh_err *err, const char *msg)
{
	return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER, "%s", msg);
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* An RFC 1123 label (what a namespace name is) in which '*' may stand for any run of
 * characters: a '*' counts as a letter for the rules on the first and last character. */
bool gh_eks_validate_scope_namespace(gh_str ns, gh_err *err)
{
	bool ok = ns.n >= 1 && ns.n <= 63;
	for (size_t i = 0; ok && i < ns.n; i++) {
		char c = ns.p[i];
		bool edge = i == 0 || i == ns.n - 1;
		ok = lower_alnum(c) || c == '*' || (c == '-' && !edge);
	}
	if (ok)
		return true;
	return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
		       "The namespace " GH_STR_FMT " is invalid: a namespace must consist of lower case alphanumeric "
		       "characters or '-', start and end with an alphanumeric character and be at most 63 "
		       "characters long; '*' may be used as a wildcard.",
		       GH_STR_ARG(ns));
}

static bool policy_allowed_for(const gh_eks_access_policy *p, gh_eks_entry_type t, gh_err *err)
{
	if (p->service_linked_only)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "The access policy " GH_STR_FMT " is designated for AWS service-linked roles only and "
			       "cannot be associated with this access entry.",
			       GH_STR_ARG(p->name));
	if (t == GH_EKS_ENTRY_STANDARD || (t == GH_EKS_ENTRY_EC2 && p->auto_node))
		return true;
	if (t == GH_EKS_ENTRY_EC2)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "Access entries of type EC2 can only be associated with the AmazonEKSAutoNodePolicy "
			       "access policy.");
	return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
		       "Access policies can't be associated with access entries of type %s: Amazon EKS grants them "
		       "the permissions they need.",
		       gh_eks_entry_type_name(t));
}

long gh_eks_association_find(const gh_eks_association *v, size_t n, gh_str policy_arn)
{
	gh_str part;
	const gh_eks_access_policy *p = gh_eks_policy_by_arn(policy_arn, &part);
	for (size_t i = 0; p && i < n; i++)
		if (v[i].policy == p)
			return (long)i;
	return -1;
}

bool gh_eks_associate(const gh_eks_associate_input *in, gh_arena *a, gh_eks_association *out, long *replaces,
		      gh_err *err)
{
	*out = (gh_eks_association){ 0 };
	*replaces = -1;
	gh_str part = GH_STR("");
	const gh_eks_access_policy *p = gh_eks_policy_by_arn(in->policy_arn, &part);
	if (!p || !gh_str_eq(part, in->partition))
		return gh_fail(err, GH_EKS_RESOURCE_NOT_FOUND, GH_EKS_STATUS_RESOURCE_NOT_FOUND,
			       "The specified policyArn could not be found.");
	if (!policy_allowed_for(p, in->entry_type, err))
		return false;
	if (!in->scope_type)
		return invalid(err, "The accessScope type is required: cluster or namespace.");
	gh_eks_scope_type st;
	if (gh_str_eq_c(*in->scope_type, "cluster"))
		st = GH_EKS_SCOPE_CLUSTER;
	else if (gh_str_eq_c(*in->scope_type, "namespace"))
		st = GH_EKS_SCOPE_NAMESPACE;
	else
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "The accessScope type " GH_STR_FMT " is invalid. Valid values are cluster, namespace.",
			       GH_STR_ARG(*in->scope_type));
	if (st == GH_EKS_SCOPE_CLUSTER && in->n_namespaces > 0)
		return invalid(err, "Namespaces can't be specified for an access scope of type cluster.");
	if (st == GH_EKS_SCOPE_NAMESPACE && in->n_namespaces == 0)
		return invalid(err, "At least one namespace is required for an access scope of type namespace.");
	for (size_t i = 0; i < in->n_namespaces; i++)
		if (!gh_eks_validate_scope_namespace(in->namespaces[i], err))
			return false;

	out->policy = p;
	out->scope.type = st;
	out->scope.n_namespaces = in->n_namespaces;
	out->associated_at_ms = out->modified_at_ms = in->now_ms;
	for (size_t i = 0; i < in->n_existing; i++) {
		if (in->existing[i].policy == p) {
			*replaces = (long)i;
			out->associated_at_ms = in->existing[i].associated_at_ms;
		}
	}
	gh_buf b = { 0 };
	bool ok = gh_eks_policy_arn(&b, in->partition, p);
	out->policy_arn = gh_arena_str(a, gh_buf_str(&b));
	ok = ok && out->policy_arn.n == b.n;
	gh_buf_free(&b);
	gh_str *ns = in->n_namespaces ? gh_arena_alloc(a, in->n_namespaces * sizeof *ns) : NULL;
	ok = ok && (ns || in->n_namespaces == 0);
	for (size_t i = 0; ok && i < in->n_namespaces; i++) {
		ns[i] = gh_arena_str(a, in->namespaces[i]);
		ok = ns[i].n == in->namespaces[i].n;
	}
	out->scope.namespaces = ns;
	return ok || gh_fail(err, GH_EKS_SERVER, GH_EKS_STATUS_SERVER, "out of memory");
}
