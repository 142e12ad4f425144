/* The strategic-merge schemas of the kinds the sandbox stores, transcribed from the
 * patchStrategy/patchMergeKey struct tags of k8s.io/api (core/v1, apps/v1, batch/v1,
 * rbac/v1) and k8s.io/apimachinery's ObjectMeta. A field absent here has no strategy:
 * maps merge, lists are replaced. That is deliberate for fields such as tolerations,
 * envFrom, ServiceAccount.imagePullSecrets and every RBAC list (rules, subjects): upstream
 * gives them no strategy either, so `kubectl apply` replaces them wholesale. */
#include <string.h>

#include "codec/smpatch.h"

/* ObjectMeta: ownerReferences merge by uid; finalizers are a merged list of strings. */
#define META(P)                                              \
	{ P "metadata.ownerReferences", "merge", "uid" }, \
	{ P "metadata.finalizers", "merge", NULL }

/* Container and EphemeralContainer. Ports are keyed by containerPort only (upstream's tag;
 * the same port with two protocols is the known limitation of strategic merge). */
#define CONTAINER(C)                                          \
	{ C "ports", "merge", "containerPort" },          \
	{ C "env", "merge", "name" },                     \
	{ C "volumeMounts", "merge", "mountPath" },       \
	{ C "volumeDevices", "merge", "devicePath" }

#define POD_SPEC(P)                                                        \
	{ P "volumes", "merge,retainKeys", "name" },                      \
	{ P "initContainers", "merge", "name" },                          \
	CONTAINER(P "initContainers[]."),                                  \
	{ P "containers", "merge", "name" },                              \
	CONTAINER(P "containers[]."),                                      \
	{ P "ephemeralContainers", "merge", "name" },                     \
	CONTAINER(P "ephemeralContainers[]."),                             \
	{ P "imagePullSecrets", "merge", "name" },                        \
	{ P "hostAliases", "merge", "ip" },                               \
	{ P "topologySpreadConstraints", "merge", "topologyKey" },        \
	{ P "schedulingGates", "merge", "name" },                         \
	{ P "resourceClaims", "merge,retainKeys", "name" },               \
	{ P "tolerations", "replace", NULL }

/* A workload whose pod template sits at spec.template. */
#define WORKLOAD                                        \
	META(""), META("spec.template."),               \
	POD_SPEC("spec.template.spec."),                \
	{ "status.conditions", "merge", "type" }

static const smp_field meta_schema[] = { META("") };

static const smp_field pod_schema[] = {
	META(""),
	POD_SPEC("spec."),
	{ "status.conditions", "merge", "type" },
};

static const smp_field deployment_schema[] = {
	WORKLOAD,
	{ "spec.strategy", "retainKeys", NULL },
};

static const smp_field workload_schema[] = { WORKLOAD };

static const smp_field cronjob_schema[] = {
	META(""),
	META("spec.jobTemplate."),
	META("spec.jobTemplate.spec.template."),
	POD_SPEC("spec.jobTemplate.spec.template.spec."),
};

static const smp_field service_account_schema[] = {
	META(""),
	{ "secrets", "merge", "name" },
};

static const smp_field service_schema[] = {
	META(""),
	{ "spec.ports", "merge", "port" },
};

#define TABLE(t) t, sizeof t / sizeof t[0]

static const struct {
	const char *group, *kind;
	const smp_field *fields;
	size_t n;
} kinds[] = {
	{ "", "Pod", TABLE(pod_schema) },
	{ "", "ServiceAccount", TABLE(service_account_schema) },
	{ "", "Service", TABLE(service_schema) },
	{ "", "ConfigMap", TABLE(meta_schema) },
	{ "", "Secret", TABLE(meta_schema) },
	{ "", "Namespace", TABLE(meta_schema) },
	{ "apps", "Deployment", TABLE(deployment_schema) },
	{ "apps", "ReplicaSet", TABLE(workload_schema) },
	{ "apps", "StatefulSet", TABLE(workload_schema) },
	{ "apps", "DaemonSet", TABLE(workload_schema) },
	{ "batch", "Job", TABLE(workload_schema) },
	{ "batch", "CronJob", TABLE(cronjob_schema) },
	{ "rbac.authorization.k8s.io", "Role", TABLE(meta_schema) },
	{ "rbac.authorization.k8s.io", "ClusterRole", TABLE(meta_schema) },
	{ "rbac.authorization.k8s.io", "RoleBinding", TABLE(meta_schema) },
	{ "rbac.authorization.k8s.io", "ClusterRoleBinding", TABLE(meta_schema) },
};

const smp_field *smp_schema_for_kind(const char *group, const char *kind, size_t *n)
{
	*n = 0;
	if (!kind)
		return NULL;
	/* The core group is "" in apiVersion "v1" and "core" in RBAC rules and discovery. */
	if (!group || strcmp(group, "core") == 0)
		group = "";
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(kinds[i].group, group) == 0 && strcmp(kinds[i].kind, kind) == 0) {
			*n = kinds[i].n;
			return kinds[i].fields;
		}
	}
	return NULL;
}
