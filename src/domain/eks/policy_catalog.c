/* policy_catalog: the EKS managed access policies, as product data.
 *
 * Rules marked REFERENCE are the user guide's access policy reference (awsdocs/
 * amazon-eks-user-guide latest/ug/manage-access/k8s-access/access-policy-reference.adoc at
 * 4d52b4d), rule for rule and in the guide's order; tests/unit/eks_policy_test.c checks them
 * against ../shared/reference/eks/access-policies.json. AmazonEKSSecretReaderPolicy's rules
 * come from the same page as updated on 2025-11-06. LIVE_LIST names come from a live
 * ListAccessPolicies (spec authn-and-mapping.md section 7) and have no published rules.
 * The table is sorted by name, bytewise, which is the order ListAccessPolicies answers in. */
#include "domain/eks/access_policy.h"

#define S(x) { (x), sizeof(x) - 1 }
#define L(...) { (const gh_str[]){ __VA_ARGS__ }, sizeof((const gh_str[]){ __VA_ARGS__ }) / sizeof(gh_str) }

/* AmazonEKSAdminPolicy */
static const gh_eks_policy_rule rules_admin[] = {
	{
		.api_groups = L(S("apps")),
		.resources = L(S("daemonsets"), S("deployments"), S("deployments/rollback"),
		      S("deployments/scale"), S("replicasets"), S("replicasets/scale"),
		      S("statefulsets"), S("statefulsets/scale")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("apps")),
		.resources = L(S("controllerrevisions"), S("daemonsets"), S("daemonsets/status"),
		      S("deployments"), S("deployments/scale"), S("deployments/status"),
		      S("replicasets"), S("replicasets/scale"), S("replicasets/status"),
		      S("statefulsets"), S("statefulsets/scale"), S("statefulsets/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("authorization.k8s.io")),
		.resources = L(S("localsubjectaccessreviews")),
		.verbs = L(S("create")),
	},
	{
		.api_groups = L(S("autoscaling")),
		.resources = L(S("horizontalpodautoscalers")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("autoscaling")),
		.resources = L(S("horizontalpodautoscalers"), S("horizontalpodautoscalers/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("batch")),
		.resources = L(S("cronjobs"), S("jobs")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("batch")),
		.resources = L(S("cronjobs"), S("cronjobs/status"), S("jobs"), S("jobs/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("discovery.k8s.io")),
		.resources = L(S("endpointslices")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("extensions")),
		.resources = L(S("daemonsets"), S("deployments"), S("deployments/rollback"),
		      S("deployments/scale"), S("ingresses"), S("networkpolicies"), S("replicasets"),
		      S("replicasets/scale"), S("replicationcontrollers/scale")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("extensions")),
		.resources = L(S("daemonsets"), S("daemonsets/status"), S("deployments"),
		      S("deployments/scale"), S("deployments/status"), S("ingresses"),
		      S("ingresses/status"), S("networkpolicies"), S("replicasets"),
		      S("replicasets/scale"), S("replicasets/status"),
		      S("replicationcontrollers/scale")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("networking.k8s.io")),
		.resources = L(S("ingresses"), S("ingresses/status"), S("networkpolicies")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("networking.k8s.io")),
		.resources = L(S("ingresses"), S("networkpolicies")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("policy")),
		.resources = L(S("poddisruptionbudgets")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("policy")),
		.resources = L(S("poddisruptionbudgets"), S("poddisruptionbudgets/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("rbac.authorization.k8s.io")),
		.resources = L(S("rolebindings"), S("roles")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("get"), S("list"),
		      S("patch"), S("update"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("configmaps"), S("endpoints"), S("persistentvolumeclaims"),
		      S("persistentvolumeclaims/status"), S("pods"), S("replicationcontrollers"),
		      S("replicationcontrollers/scale"), S("serviceaccounts"), S("services"),
		      S("services/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("pods/attach"), S("pods/exec"), S("pods/portforward"), S("pods/proxy"),
		      S("secrets"), S("services/proxy")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("configmaps"), S("events"), S("persistentvolumeclaims"),
		      S("replicationcontrollers"), S("replicationcontrollers/scale"), S("secrets"),
		      S("serviceaccounts"), S("services"), S("services/proxy")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("pods"), S("pods/attach"), S("pods/exec"), S("pods/portforward"),
		      S("pods/proxy")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("serviceaccounts")),
		.verbs = L(S("impersonate")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("bindings"), S("events"), S("limitranges"), S("namespaces/status"),
		      S("pods/log"), S("pods/status"), S("replicationcontrollers/status"),
		      S("resourcequotas"), S("resourcequotas/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("namespaces")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
};

/* AmazonEKSClusterAdminPolicy */
static const gh_eks_policy_rule rules_clusteradmin[] = {
	{
		.api_groups = L(S("*")),
		.resources = L(S("*")),
		.verbs = L(S("*")),
	},
	{
		.verbs = L(S("*")),
		.non_resource_urls = L(S("*")),
	},
};

/* AmazonEKSAdminViewPolicy */
static const gh_eks_policy_rule rules_adminview[] = {
	{
		.api_groups = L(S("*")),
		.resources = L(S("*")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
};

/* AmazonEKSEditPolicy */
static const gh_eks_policy_rule rules_edit[] = {
	{
		.api_groups = L(S("apps")),
		.resources = L(S("daemonsets"), S("deployments"), S("deployments/rollback"),
		      S("deployments/scale"), S("replicasets"), S("replicasets/scale"),
		      S("statefulsets"), S("statefulsets/scale")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("apps")),
		.resources = L(S("controllerrevisions"), S("daemonsets"), S("daemonsets/status"),
		      S("deployments"), S("deployments/scale"), S("deployments/status"),
		      S("replicasets"), S("replicasets/scale"), S("replicasets/status"),
		      S("statefulsets"), S("statefulsets/scale"), S("statefulsets/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("autoscaling")),
		.resources = L(S("horizontalpodautoscalers"), S("horizontalpodautoscalers/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("autoscaling")),
		.resources = L(S("horizontalpodautoscalers")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("batch")),
		.resources = L(S("cronjobs"), S("jobs")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("batch")),
		.resources = L(S("cronjobs"), S("cronjobs/status"), S("jobs"), S("jobs/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("discovery.k8s.io")),
		.resources = L(S("endpointslices")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("extensions")),
		.resources = L(S("daemonsets"), S("deployments"), S("deployments/rollback"),
		      S("deployments/scale"), S("ingresses"), S("networkpolicies"), S("replicasets"),
		      S("replicasets/scale"), S("replicationcontrollers/scale")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("extensions")),
		.resources = L(S("daemonsets"), S("daemonsets/status"), S("deployments"),
		      S("deployments/scale"), S("deployments/status"), S("ingresses"),
		      S("ingresses/status"), S("networkpolicies"), S("replicasets"),
		      S("replicasets/scale"), S("replicasets/status"),
		      S("replicationcontrollers/scale")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("networking.k8s.io")),
		.resources = L(S("ingresses"), S("networkpolicies")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("networking.k8s.io")),
		.resources = L(S("ingresses"), S("ingresses/status"), S("networkpolicies")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("policy")),
		.resources = L(S("poddisruptionbudgets")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("policy")),
		.resources = L(S("poddisruptionbudgets"), S("poddisruptionbudgets/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("namespaces")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("pods/attach"), S("pods/exec"), S("pods/portforward"), S("pods/proxy"),
		      S("secrets"), S("services/proxy")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("serviceaccounts")),
		.verbs = L(S("impersonate")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("pods"), S("pods/attach"), S("pods/exec"), S("pods/portforward"),
		      S("pods/proxy")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("configmaps"), S("events"), S("persistentvolumeclaims"),
		      S("replicationcontrollers"), S("replicationcontrollers/scale"), S("secrets"),
		      S("serviceaccounts"), S("services"), S("services/proxy")),
		.verbs = L(S("create"), S("delete"), S("deletecollection"), S("patch"), S("update")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("configmaps"), S("endpoints"), S("persistentvolumeclaims"),
		      S("persistentvolumeclaims/status"), S("pods"), S("replicationcontrollers"),
		      S("replicationcontrollers/scale"), S("serviceaccounts"), S("services"),
		      S("services/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("bindings"), S("events"), S("limitranges"), S("namespaces/status"),
		      S("pods/log"), S("pods/status"), S("replicationcontrollers/status"),
		      S("resourcequotas"), S("resourcequotas/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
};

/* AmazonEKSViewPolicy */
static const gh_eks_policy_rule rules_view[] = {
	{
		.api_groups = L(S("apps")),
		.resources = L(S("controllerrevisions"), S("daemonsets"), S("daemonsets/status"),
		      S("deployments"), S("deployments/scale"), S("deployments/status"),
		      S("replicasets"), S("replicasets/scale"), S("replicasets/status"),
		      S("statefulsets"), S("statefulsets/scale"), S("statefulsets/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("autoscaling")),
		.resources = L(S("horizontalpodautoscalers"), S("horizontalpodautoscalers/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("batch")),
		.resources = L(S("cronjobs"), S("cronjobs/status"), S("jobs"), S("jobs/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("discovery.k8s.io")),
		.resources = L(S("endpointslices")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("extensions")),
		.resources = L(S("daemonsets"), S("daemonsets/status"), S("deployments"),
		      S("deployments/scale"), S("deployments/status"), S("ingresses"),
		      S("ingresses/status"), S("networkpolicies"), S("replicasets"),
		      S("replicasets/scale"), S("replicasets/status"),
		      S("replicationcontrollers/scale")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("networking.k8s.io")),
		.resources = L(S("ingresses"), S("ingresses/status"), S("networkpolicies")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("policy")),
		.resources = L(S("poddisruptionbudgets"), S("poddisruptionbudgets/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("configmaps"), S("endpoints"), S("persistentvolumeclaims"),
		      S("persistentvolumeclaims/status"), S("pods"), S("replicationcontrollers"),
		      S("replicationcontrollers/scale"), S("serviceaccounts"), S("services"),
		      S("services/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("bindings"), S("events"), S("limitranges"), S("namespaces/status"),
		      S("pods/log"), S("pods/status"), S("replicationcontrollers/status"),
		      S("resourcequotas"), S("resourcequotas/status")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
	{
		.api_groups = L(S("")),
		.resources = L(S("namespaces")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
};

/* AmazonEKSHybridPolicy */
static const gh_eks_policy_rule rules_hybrid[] = {
	{
		.api_groups = L(S("*")),
		.resources = L(S("nodes")),
		.verbs = L(S("list")),
	},
};

/* AmazonEKSSecretReaderPolicy (user guide, 2025-11-06) */
static const gh_eks_policy_rule rules_secretreader[] = {
	{
		.api_groups = L(S("")),
		.resources = L(S("secrets")),
		.verbs = L(S("get"), S("list"), S("watch")),
	},
};

#define P(n) .name = S(n), .arn = S("arn:aws:eks::aws:cluster-access-policy/" n)
#define RULES(r) .rules_published = true, .rules = r, .n_rules = sizeof r / sizeof *r
#define NO_RULES .rules_published = false

static const gh_eks_access_policy catalog[] = {
	{ P("AIDevOpsAgentAccessPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonAIOpsAssistantPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonARCRegionSwitchScalingPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSACKPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSAdminPolicy"), RULES(rules_admin), .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSAdminViewPolicy"), RULES(rules_adminview), .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSArgoCDClusterPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSArgoCDPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSAutoNodePolicy"), NO_RULES,
	  .source = GH_EKS_POLICY_SRC_REFERENCE, .auto_node = true },
	{ P("AmazonEKSBlockStorageClusterPolicy"), NO_RULES,
	  .source = GH_EKS_POLICY_SRC_REFERENCE, .service_linked_only = true },
	{ P("AmazonEKSBlockStoragePolicy"), NO_RULES,
	  .source = GH_EKS_POLICY_SRC_REFERENCE, .service_linked_only = true },
	{ P("AmazonEKSClusterAdminPolicy"), RULES(rules_clusteradmin),
	  .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSComputeClusterPolicy"), NO_RULES,
	  .source = GH_EKS_POLICY_SRC_REFERENCE, .service_linked_only = true },
	{ P("AmazonEKSComputePolicy"), NO_RULES,
	  .source = GH_EKS_POLICY_SRC_REFERENCE, .service_linked_only = true },
	{ P("AmazonEKSEditPolicy"), RULES(rules_edit), .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSEventPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSHybridPolicy"), RULES(rules_hybrid),
	  .source = GH_EKS_POLICY_SRC_REFERENCE, .service_linked_only = true },
	{ P("AmazonEKSKROPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSLoadBalancingClusterPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSLoadBalancingPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSNetworkingClusterPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSNetworkingPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEKSPodIdentityPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSSecretAdminPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonEKSSecretReaderPolicy"), RULES(rules_secretreader),
	  .source = GH_EKS_POLICY_SRC_GUIDE_LATER },
	{ P("AmazonEKSViewPolicy"), RULES(rules_view), .source = GH_EKS_POLICY_SRC_REFERENCE },
	{ P("AmazonEMRJobPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonSagemakerHyperpodClusterPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonSagemakerHyperpodControllerPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonSagemakerHyperpodSpacePolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonSagemakerHyperpodSpaceTemplatePolicy"), NO_RULES,
	  .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonSagemakerHyperpodSystemNamespacePolicy"), NO_RULES,
	  .source = GH_EKS_POLICY_SRC_LIVE_LIST },
	{ P("AmazonSagemakerHyperpodUserClusterPolicy"), NO_RULES, .source = GH_EKS_POLICY_SRC_LIVE_LIST },
};

size_t gh_eks_policy_count(void)
{
	return sizeof catalog / sizeof *catalog;
}

const gh_eks_access_policy *gh_eks_policy_at(size_t i)
{
	return i < gh_eks_policy_count() ? &catalog[i] : NULL;
}
