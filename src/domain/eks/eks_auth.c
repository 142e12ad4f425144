#include "domain/eks/eks_auth.h"

#include <stdio.h>
#include <string.h>

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool param(gh_err *err, const char *member, const char *why)
{
	return gh_fail(err, GH_EKS_AUTH_INVALID_PARAMETER, 400, "1 validation error detected: Value at '%s' failed to satisfy constraint: %s",
		       member, why);
}

bool eks_auth_validate(gh_str cluster, gh_str token, gh_err *err)
{
	if (cluster.n < 1 || cluster.n > 100)
		return param(err, "clusterName", "Member must have length between 1 and 100");
	if (!is_alnum(cluster.p[0]))
		return param(err, "clusterName", "Member must satisfy regular expression pattern: [0-9A-Za-z][A-Za-z0-9\\-_]*");
	for (size_t i = 1; i < cluster.n; i++)
		if (!is_alnum(cluster.p[i]) && cluster.p[i] != '-' && cluster.p[i] != '_')
			return param(err, "clusterName",
				     "Member must satisfy regular expression pattern: [0-9A-Za-z][A-Za-z0-9\\-_]*");
	if (token.n < 1)
		return param(err, "token", "Member must have length greater than or equal to 1");
	/* Three non-empty runs of the JWT alphabet (plus '='), separated by exactly two dots. */
	size_t dots = 0, run = 0;
	for (size_t i = 0; i < token.n; i++) {
		char c = token.p[i];
		if (c == '.') {
			if (!run || ++dots > 2)
				break;
			run = 0;
		} else if (is_alnum(c) || c == '-' || c == '_' || c == '=') {
			run++;
		} else {
			run = 0;
			dots = 3;
			break;
		}
	}
	if (dots != 2 || !run)
		return param(err, "token",
			     "Member must satisfy regular expression pattern: [A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+");
	return true;
}

static void put_clean(char *out, size_t n, size_t *at, const char *s)
{
	for (; *s && *at + 1 < n; s++) {
		char c = *s;
		bool ok = is_alnum(c) || strchr("_+=,.@-", c);
		out[(*at)++] = ok ? c : '-';
	}
	out[*at] = 0;
}

void eks_auth_session_name(const char *cluster, const char *pod, const char *uuid, char *out, size_t n)
{
	/* EKS keeps the prefix, cluster and pod intact where it can and lets the truncation
	 * fall on the end: the name is for people reading CloudTrail, the uuid for uniqueness. */
	size_t lim = n < GH_EKS_AUTH_SESSION_NAME_MAX + 1 ? n : GH_EKS_AUTH_SESSION_NAME_MAX + 1, at = 0;
	if (!lim)
		return;
	out[0] = 0;
	put_clean(out, lim, &at, "eks-");
	put_clean(out, lim, &at, cluster);
	put_clean(out, lim, &at, "-");
	put_clean(out, lim, &at, pod);
	put_clean(out, lim, &at, "-");
	put_clean(out, lim, &at, uuid);
}

void eks_auth_session_tags(const eks_auth_subject *s, iam_tag *tags, gh_str *keys)
{
	const char *k[GH_EKS_AUTH_NTAGS] = { "eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace",
					     "kubernetes-service-account", "kubernetes-pod-name", "kubernetes-pod-uid" };
	const char *v[GH_EKS_AUTH_NTAGS] = { s->cluster_arn, s->cluster, s->ns, s->sa, s->pod_name, s->pod_uid };
	for (size_t i = 0; i < GH_EKS_AUTH_NTAGS; i++) {
		tags[i] = (iam_tag){ gh_str_c(k[i]), gh_str_c(v[i] ? v[i] : "") };
		keys[i] = tags[i].key;
	}
}
