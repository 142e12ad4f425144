/* The bootstrap policy kube-apiserver v1.32 writes at start (plugin/pkg/auth/authorizer/
 * rbac/bootstrappolicy), user-facing part, as static data. Lists are sorted as upstream's
 * rule builder sorts them, so the objects compare equal to what the API serves. Controller
 * and node roles are not here. */
#include "domain/k8s/rbac.h"

#define S(lit) { lit, sizeof(lit) - 1 }
#define V(...) { (const gh_str[]){ __VA_ARGS__ }, sizeof((const gh_str[]){ __VA_ARGS__ }) / sizeof(gh_str) }
#define RES(v_, g_, r_) { .verbs = v_, .api_groups = g_, .resources = r_ }
#define URLS(v_, u_) { .verbs = v_, .non_resource_urls = u_ }
#define RULES(...) .rules = (const rbac_rule[]){ __VA_ARGS__ }, \
	.nrules = sizeof((const rbac_rule[]){ __VA_ARGS__ }) / sizeof(rbac_rule)
#define LABELS(...) .labels = (const rbac_label[]){ __VA_ARGS__ }, \
	.nlabels = sizeof((const rbac_label[]){ __VA_ARGS__ }) / sizeof(rbac_label)

#define BOOTSTRAP { S("kubernetes.io/bootstrapping"), S("rbac-defaults") }
#define TO_ADMIN { S("rbac.authorization.k8s.io/aggregate-to-admin"), S("true") }
#define TO_EDIT { S("rbac.authorization.k8s.io/aggregate-to-edit"), S("true") }
#define TO_VIEW { S("rbac.authorization.k8s.io/aggregate-to-view"), S("true") }
#define AGGREGATE(label)                                                                     \
	.has_aggregation = true,                                                             \
	.selectors = (const rbac_selector[]){ { .match_labels = (const rbac_label[]){ label }, \
						.nmatch_labels = 1 } },                      \
	.nselectors = 1

#define READ V(S("get"), S("list"), S("watch"))
#define WRITE V(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update"))
#define READ_WRITE \
	V(S("create"), S("delete"), S("deletecollection"), S("get"), S("list"), S("patch"), S("update"), S("watch"))
#define CORE V(S(""))

static const rbac_role cluster_roles[] = {
	{ .cluster = true, .name = S("admin"), LABELS(BOOTSTRAP), AGGREGATE(TO_ADMIN) },
	{ .cluster = true, .name = S("cluster-admin"), LABELS(BOOTSTRAP),
	  RULES(RES(V(S("*")), V(S("*")), V(S("*"))), URLS(V(S("*")), V(S("*")))) },
	{ .cluster = true, .name = S("edit"), LABELS(BOOTSTRAP, TO_ADMIN), AGGREGATE(TO_EDIT) },
	{ .cluster = true, .name = S("system:aggregate-to-admin"), LABELS(BOOTSTRAP, TO_ADMIN),
	  RULES(RES(V(S("create")), V(S("authorization.k8s.io")), V(S("localsubjectaccessreviews"))),
		RES(READ_WRITE, V(S("rbac.authorization.k8s.io")), V(S("rolebindings"), S("roles")))) },
	{ .cluster = true, .name = S("system:aggregate-to-edit"), LABELS(BOOTSTRAP, TO_EDIT),
	  RULES(RES(READ, CORE,
		    V(S("pods/attach"), S("pods/exec"), S("pods/portforward"), S("pods/proxy"), S("secrets"),
		      S("services/proxy"))),
		RES(V(S("impersonate")), CORE, V(S("serviceaccounts"))),
		RES(WRITE, CORE,
		    V(S("pods"), S("pods/attach"), S("pods/exec"), S("pods/portforward"), S("pods/proxy"))),
		RES(V(S("create")), CORE, V(S("pods/eviction"))),
		RES(WRITE, CORE,
		    V(S("configmaps"), S("events"), S("persistentvolumeclaims"), S("replicationcontrollers"),
		      S("replicationcontrollers/scale"), S("secrets"), S("serviceaccounts"), S("services"),
		      S("services/proxy"))),
		RES(V(S("create")), CORE, V(S("serviceaccounts/token"))),
		RES(WRITE, V(S("apps")),
		    V(S("daemonsets"), S("deployments"), S("deployments/rollback"), S("deployments/scale"),
		      S("replicasets"), S("replicasets/scale"), S("statefulsets"), S("statefulsets/scale"))),
		RES(WRITE, V(S("autoscaling")), V(S("horizontalpodautoscalers"))),
		RES(WRITE, V(S("batch")), V(S("cronjobs"), S("jobs"))),
		RES(WRITE, V(S("extensions")),
		    V(S("daemonsets"), S("deployments"), S("deployments/rollback"), S("deployments/scale"),
		      S("ingresses"), S("networkpolicies"), S("replicasets"), S("replicasets/scale"),
		      S("replicationcontrollers/scale"))),
		RES(WRITE, V(S("policy")), V(S("poddisruptionbudgets"))),
		RES(WRITE, V(S("networking.k8s.io")), V(S("ingresses"), S("networkpolicies"))),
		RES(READ_WRITE, V(S("coordination.k8s.io")), V(S("leases")))) },
	{ .cluster = true, .name = S("system:aggregate-to-view"), LABELS(BOOTSTRAP, TO_VIEW),
	  RULES(RES(READ, CORE,
		    V(S("configmaps"), S("endpoints"), S("persistentvolumeclaims"),
		      S("persistentvolumeclaims/status"), S("pods"), S("replicationcontrollers"),
		      S("replicationcontrollers/scale"), S("serviceaccounts"), S("services"),
		      S("services/status"))),
		RES(READ, CORE,
		    V(S("bindings"), S("events"), S("limitranges"), S("namespaces/status"), S("pods/log"),
		      S("pods/status"), S("replicationcontrollers/status"), S("resourcequotas"),
		      S("resourcequotas/status"))),
		RES(READ, CORE, V(S("namespaces"))),
		RES(READ, V(S("discovery.k8s.io")), V(S("endpointslices"))),
		RES(READ, V(S("apps")),
		    V(S("controllerrevisions"), S("daemonsets"), S("daemonsets/status"), S("deployments"),
		      S("deployments/scale"), S("deployments/status"), S("replicasets"), S("replicasets/scale"),
		      S("replicasets/status"), S("statefulsets"), S("statefulsets/scale"),
		      S("statefulsets/status"))),
		RES(READ, V(S("autoscaling")), V(S("horizontalpodautoscalers"), S("horizontalpodautoscalers/status"))),
		RES(READ, V(S("batch")), V(S("cronjobs"), S("cronjobs/status"), S("jobs"), S("jobs/status"))),
		RES(READ, V(S("extensions")),
		    V(S("daemonsets"), S("daemonsets/status"), S("deployments"), S("deployments/scale"),
		      S("deployments/status"), S("ingresses"), S("ingresses/status"), S("networkpolicies"),
		      S("replicasets"), S("replicasets/scale"), S("replicasets/status"),
		      S("replicationcontrollers/scale"))),
		RES(READ, V(S("policy")), V(S("poddisruptionbudgets"), S("poddisruptionbudgets/status"))),
		RES(READ, V(S("networking.k8s.io")), V(S("ingresses"), S("ingresses/status"), S("networkpolicies")))) },
	{ .cluster = true, .name = S("system:auth-delegator"), LABELS(BOOTSTRAP),
	  RULES(RES(V(S("create")), V(S("authentication.k8s.io")), V(S("tokenreviews"))),
		RES(V(S("create")), V(S("authorization.k8s.io")), V(S("subjectaccessreviews")))) },
	{ .cluster = true, .name = S("system:basic-user"), LABELS(BOOTSTRAP),
	  RULES(RES(V(S("create")), V(S("authorization.k8s.io")),
		    V(S("selfsubjectaccessreviews"), S("selfsubjectrulesreviews"))),
		RES(V(S("create")), V(S("authentication.k8s.io")), V(S("selfsubjectreviews")))) },
	{ .cluster = true, .name = S("system:discovery"), LABELS(BOOTSTRAP),
	  RULES(URLS(V(S("get")), V(S("/api"), S("/api/*"), S("/apis"), S("/apis/*"), S("/healthz"), S("/livez"),
				    S("/openapi"), S("/openapi/*"), S("/readyz"), S("/version"), S("/version/")))) },
	{ .cluster = true, .name = S("system:monitoring"), LABELS(BOOTSTRAP),
	  RULES(URLS(V(S("get")), V(S("/healthz"), S("/healthz/*"), S("/livez"), S("/livez/*"), S("/metrics"),
				    S("/metrics/slis"), S("/readyz"), S("/readyz/*")))) },
	{ .cluster = true, .name = S("system:public-info-viewer"), LABELS(BOOTSTRAP),
	  RULES(URLS(V(S("get")), V(S("/healthz"), S("/livez"), S("/readyz"), S("/version"), S("/version/")))) },
	{ .cluster = true, .name = S("system:service-account-issuer-discovery"), LABELS(BOOTSTRAP),
	  RULES(URLS(V(S("get")), V(S("/.well-known/openid-configuration"), S("/openid/v1/jwks")))) },
	{ .cluster = true, .name = S("view"), LABELS(BOOTSTRAP, TO_EDIT), AGGREGATE(TO_VIEW) },
};

#define GROUP(n) { .kind = S("Group"), .api_group = S(RBAC_GROUP), .name = S(n) }
#define SUBJECTS(...) .subjects = (const rbac_subject[]){ __VA_ARGS__ }, \
	.nsubjects = sizeof((const rbac_subject[]){ __VA_ARGS__ }) / sizeof(rbac_subject)
#define CRB(n, role, ...) \
	{ .cluster = true, .name = S(n), .role_ref = { S(RBAC_GROUP), S("ClusterRole"), S(role) }, SUBJECTS(__VA_ARGS__) }

static const rbac_binding cluster_role_bindings[] = {
	CRB("cluster-admin", "cluster-admin", GROUP("system:masters")),
	CRB("system:basic-user", "system:basic-user", GROUP("system:authenticated")),
	CRB("system:discovery", "system:discovery", GROUP("system:authenticated")),
	CRB("system:monitoring", "system:monitoring", GROUP("system:monitoring")),
	CRB("system:public-info-viewer", "system:public-info-viewer", GROUP("system:authenticated"),
	    GROUP("system:unauthenticated")),
	CRB("system:service-account-issuer-discovery", "system:service-account-issuer-discovery",
	    GROUP("system:serviceaccounts")),
};

const rbac_role *rbac_default_cluster_roles(size_t *n)
{
	*n = sizeof cluster_roles / sizeof cluster_roles[0];
	return cluster_roles;
}

const rbac_binding *rbac_default_cluster_role_bindings(size_t *n)
{
	*n = sizeof cluster_role_bindings / sizeof cluster_role_bindings[0];
	return cluster_role_bindings;
}

bool rbac_objects_add_defaults(rbac_objects *s, gh_err *err)
{
	for (size_t i = 0; i < sizeof cluster_roles / sizeof cluster_roles[0]; i++)
		if (!rbac_objects_add_role(s, &cluster_roles[i], err))
			return false;
	for (size_t i = 0; i < sizeof cluster_role_bindings / sizeof cluster_role_bindings[0]; i++)
		if (!rbac_objects_add_binding(s, &cluster_role_bindings[i], err))
			return false;
	return true;
}
