#include "domain/k8s/resources.h"

#include <stdio.h>
#include <string.h>

#define RBAC "rbac.authorization.k8s.io"
#define AUTHN "authentication.k8s.io"
#define AUTHZ "authorization.k8s.io"

/* Short names and categories as kube-apiserver 1.32 advertises them (kubectl resolves
 * `kubectl get cm` and `kubectl get all` from these). */
static const k8s_resource table[] = {
	{ "", "v1", "configmaps", "ConfigMap", "configmap", true, true, K8S_VERBS_ALL, "cm", NULL, false },
	{ "", "v1", "events", "Event", "event", true, true, K8S_VERBS_ALL, "ev", NULL, false },
	{ "", "v1", "limitranges", "LimitRange", "limitrange", true, true, K8S_VERBS_ALL, "limits", NULL, false },
	{ "", "v1", "namespaces", "Namespace", "namespace", false, true,
	  K8S_VERBS_ALL & ~K8S_VERB_DELETECOLLECTION, "ns", NULL, false },
	{ "", "v1", "pods", "Pod", "pod", true, true, K8S_VERBS_ALL, "po", "all", false },
	{ "", "v1", "resourcequotas", "ResourceQuota", "resourcequota", true, true, K8S_VERBS_ALL, "quota", NULL,
	  false },
	{ "", "v1", "secrets", "Secret", "secret", true, true, K8S_VERBS_ALL, NULL, NULL, false },
	{ "", "v1", "serviceaccounts", "ServiceAccount", "serviceaccount", true, true, K8S_VERBS_ALL, "sa", NULL,
	  false },
	{ "apps", "v1", "daemonsets", "DaemonSet", "daemonset", true, true, K8S_VERBS_ALL, "ds", "all", true },
	{ "apps", "v1", "deployments", "Deployment", "deployment", true, true, K8S_VERBS_ALL, "deploy", "all", true },
	{ "apps", "v1", "replicasets", "ReplicaSet", "replicaset", true, true, K8S_VERBS_ALL, "rs", "all", true },
	{ "apps", "v1", "statefulsets", "StatefulSet", "statefulset", true, true, K8S_VERBS_ALL, "sts", "all", true },
	{ "authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", "selfsubjectreview", false, false,
	  K8S_VERBS_CREATE_ONLY, NULL, NULL, false },
	{ AUTHN, "v1", "tokenreviews", "TokenReview", "tokenreview", false, false, K8S_VERBS_CREATE_ONLY, NULL, NULL,
	  false },
	{ AUTHZ, "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview", "localsubjectaccessreview", true,
	  false, K8S_VERBS_CREATE_ONLY, NULL, NULL, false },
	{ AUTHZ, "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", "selfsubjectaccessreview", false,
	  false, K8S_VERBS_CREATE_ONLY, NULL, NULL, false },
	{ AUTHZ, "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", "selfsubjectrulesreview", false, false,
	  K8S_VERBS_CREATE_ONLY, NULL, NULL, false },
	{ AUTHZ, "v1", "subjectaccessreviews", "SubjectAccessReview", "subjectaccessreview", false, false,
	  K8S_VERBS_CREATE_ONLY, NULL, NULL, false },
	{ "batch", "v1", "cronjobs", "CronJob", "cronjob", true, true, K8S_VERBS_ALL, "cj", "all", true },
	{ "batch", "v1", "jobs", "Job", "job", true, true, K8S_VERBS_ALL, NULL, "all", true },
	{ "networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", "networkpolicy", true, true, K8S_VERBS_ALL,
	  "netpol", NULL, true },
	{ RBAC, "v1", "clusterrolebindings", "ClusterRoleBinding", "clusterrolebinding", false, true, K8S_VERBS_ALL,
	  NULL, NULL, false },
	{ RBAC, "v1", "clusterroles", "ClusterRole", "clusterrole", false, true, K8S_VERBS_ALL, NULL, NULL, false },
	{ RBAC, "v1", "rolebindings", "RoleBinding", "rolebinding", true, true, K8S_VERBS_ALL, NULL, NULL, false },
	{ RBAC, "v1", "roles", "Role", "role", true, true, K8S_VERBS_ALL, NULL, NULL, false },
};

static const k8s_group_version gvs[] = {
	{ "", "v1" },	       { "apps", "v1" },    { AUTHN, "v1" }, { AUTHZ, "v1" },
	{ "batch", "v1" },     { "networking.k8s.io", "v1" }, { RBAC, "v1" },
};

const k8s_resource *k8s_resources(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

const k8s_group_version *k8s_group_versions(size_t *n)
{
	*n = sizeof gvs / sizeof gvs[0];
	return gvs;
}

const k8s_resource *k8s_resource_find(gh_str group, gh_str version, gh_str resource)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (gh_str_eq_c(group, table[i].group) && gh_str_eq_c(version, table[i].version) &&
		    gh_str_eq_c(resource, table[i].resource))
			return &table[i];
	return NULL;
}

const k8s_resource *k8s_resource_by_kind(gh_str group, gh_str kind)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].stored && gh_str_eq_c(group, table[i].group) && gh_str_eq_c(kind, table[i].kind))
			return &table[i];
	return NULL;
}

void k8s_resource_api_version(const k8s_resource *r, char *out, size_t n)
{
	if (r->group[0])
		snprintf(out, n, "%s/%s", r->group, r->version);
	else
		snprintf(out, n, "%s", r->version);
}

size_t k8s_verb_names(unsigned verbs, const char **out, size_t cap)
{
	/* The order kube-apiserver lists them in discovery. */
	static const struct {
		unsigned bit;
		const char *name;
	} order[] = { { K8S_VERB_CREATE, "create" }, { K8S_VERB_DELETE, "delete" },
		      { K8S_VERB_DELETECOLLECTION, "deletecollection" }, { K8S_VERB_GET, "get" },
		      { K8S_VERB_LIST, "list" }, { K8S_VERB_PATCH, "patch" },
		      { K8S_VERB_UPDATE, "update" }, { K8S_VERB_WATCH, "watch" } };
	size_t k = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0] && k < cap; i++)
		if (verbs & order[i].bit)
			out[k++] = order[i].name;
	return k;
}
