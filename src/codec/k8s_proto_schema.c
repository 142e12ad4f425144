#include "codec/k8s_proto_schema.h"

#include <stdbool.h>
#include <string.h>

/* Field numbers: upstream generated.proto. Names and flags: the Go struct tags. A field
 * upstream has but these tables lack is skipped on decode; add it here to keep it. */

#define R PB_REPEATED
#define P PB_POINTER
#define A PB_ALWAYS
#define S(num, name, flags) { num, name, PB_STRING, flags, NULL }
#define F(num, name, kind, flags) { num, name, kind, flags, NULL }
#define M(num, name, sub, flags) { num, name, PB_MESSAGE, flags, &sub }
#define MSG(var, goname, ...)                                                      \
	static const pb_field var##_fields[] = { __VA_ARGS__ };                    \
	static const pb_msg var = { goname, var##_fields,                          \
				    sizeof var##_fields / sizeof var##_fields[0] }

/* ---- meta/v1 (k8s.io/apimachinery/pkg/apis/meta/v1) ------------------------------- */

MSG(owner_reference, "OwnerReference",
    S(1, "kind", A), S(3, "name", A), S(4, "uid", A), S(5, "apiVersion", A),
    F(6, "controller", PB_BOOL, P), F(7, "blockOwnerDeletion", PB_BOOL, P));

/* managedFields (17) is not listed: clients do not send it and the sandbox recomputes it. */
MSG(object_meta, "ObjectMeta",
    S(1, "name", 0), S(2, "generateName", 0), S(3, "namespace", 0), S(4, "selfLink", 0),
    S(5, "uid", 0), S(6, "resourceVersion", 0), F(7, "generation", PB_INT64, 0),
    F(8, "creationTimestamp", PB_TIME, A), F(9, "deletionTimestamp", PB_TIME, P),
    F(10, "deletionGracePeriodSeconds", PB_INT64, P), F(11, "labels", PB_MAP_STRING, 0),
    F(12, "annotations", PB_MAP_STRING, 0), M(13, "ownerReferences", owner_reference, R),
    S(14, "finalizers", R));

/* LabelSelectorRequirement and FieldSelectorRequirement share this shape. */
MSG(selector_requirement, "LabelSelectorRequirement",
    S(1, "key", A), S(2, "operator", A), S(3, "values", R));

MSG(label_selector, "LabelSelector",
    F(1, "matchLabels", PB_MAP_STRING, 0), M(2, "matchExpressions", selector_requirement, R));

MSG(preconditions, "Preconditions", S(1, "uid", P), S(2, "resourceVersion", P));

MSG(delete_options, "DeleteOptions",
    F(1, "gracePeriodSeconds", PB_INT64, P), M(2, "preconditions", preconditions, P),
    F(3, "orphanDependents", PB_BOOL, P), S(4, "propagationPolicy", P), S(5, "dryRun", R),
    F(6, "ignoreStoreReadErrorWithClusterBreakingPotential", PB_BOOL, P));

/* ---- authentication/v1 -------------------------------------------------------------- */

MSG(user_info, "UserInfo",
    S(1, "username", 0), S(2, "uid", 0), S(3, "groups", R), F(4, "extra", PB_MAP_EXTRA, 0));

MSG(self_subject_review_status, "SelfSubjectReviewStatus", M(1, "userInfo", user_info, A));

MSG(self_subject_review, "SelfSubjectReview",
    M(1, "metadata", object_meta, A), M(2, "status", self_subject_review_status, A));

MSG(token_review_spec, "TokenReviewSpec", S(1, "token", 0), S(2, "audiences", R));

MSG(token_review_status, "TokenReviewStatus",
    F(1, "authenticated", PB_BOOL, 0), M(2, "user", user_info, A), S(3, "error", 0),
    S(4, "audiences", R));

MSG(token_review, "TokenReview",
    M(1, "metadata", object_meta, A), M(2, "spec", token_review_spec, A),
    M(3, "status", token_review_status, A));

MSG(bound_object_reference, "BoundObjectReference",
    S(1, "kind", 0), S(2, "apiVersion", 0), S(3, "name", 0), S(4, "uid", 0));

MSG(token_request_spec, "TokenRequestSpec",
    S(1, "audiences", R | A), M(3, "boundObjectRef", bound_object_reference, P),
    F(4, "expirationSeconds", PB_INT64, P));

MSG(token_request_status, "TokenRequestStatus",
    S(1, "token", A), F(2, "expirationTimestamp", PB_TIME, A));

MSG(token_request, "TokenRequest",
    M(1, "metadata", object_meta, A), M(2, "spec", token_request_spec, A),
    M(3, "status", token_request_status, A));

/* ---- authorization/v1 --------------------------------------------------------------- */

MSG(field_selector_attributes, "FieldSelectorAttributes",
    S(1, "rawSelector", 0), M(2, "requirements", selector_requirement, R));

MSG(label_selector_attributes, "LabelSelectorAttributes",
    S(1, "rawSelector", 0), M(2, "requirements", selector_requirement, R));

MSG(resource_attributes, "ResourceAttributes",
    S(1, "namespace", 0), S(2, "verb", 0), S(3, "group", 0), S(4, "version", 0),
    S(5, "resource", 0), S(6, "subresource", 0), S(7, "name", 0),
    M(8, "fieldSelector", field_selector_attributes, P),
    M(9, "labelSelector", label_selector_attributes, P));

MSG(non_resource_attributes, "NonResourceAttributes", S(1, "path", 0), S(2, "verb", 0));

MSG(subject_access_review_spec, "SubjectAccessReviewSpec",
    M(1, "resourceAttributes", resource_attributes, P),
    M(2, "nonResourceAttributes", non_resource_attributes, P), S(3, "user", 0),
    S(4, "groups", R), F(5, "extra", PB_MAP_EXTRA, 0), S(6, "uid", 0));

MSG(self_subject_access_review_spec, "SelfSubjectAccessReviewSpec",
    M(1, "resourceAttributes", resource_attributes, P),
    M(2, "nonResourceAttributes", non_resource_attributes, P));

MSG(subject_access_review_status, "SubjectAccessReviewStatus",
    F(1, "allowed", PB_BOOL, A), S(2, "reason", 0), S(3, "evaluationError", 0),
    F(4, "denied", PB_BOOL, 0));

MSG(subject_access_review, "SubjectAccessReview",
    M(1, "metadata", object_meta, A), M(2, "spec", subject_access_review_spec, A),
    M(3, "status", subject_access_review_status, A));

MSG(local_subject_access_review, "LocalSubjectAccessReview",
    M(1, "metadata", object_meta, A), M(2, "spec", subject_access_review_spec, A),
    M(3, "status", subject_access_review_status, A));

MSG(self_subject_access_review, "SelfSubjectAccessReview",
    M(1, "metadata", object_meta, A), M(2, "spec", self_subject_access_review_spec, A),
    M(3, "status", subject_access_review_status, A));

MSG(resource_rule, "ResourceRule",
    S(1, "verbs", R | A), S(2, "apiGroups", R), S(3, "resources", R), S(4, "resourceNames", R));

MSG(non_resource_rule, "NonResourceRule", S(1, "verbs", R | A), S(2, "nonResourceURLs", R));

MSG(subject_rules_review_status, "SubjectRulesReviewStatus",
    M(1, "resourceRules", resource_rule, R | A), M(2, "nonResourceRules", non_resource_rule, R | A),
    F(3, "incomplete", PB_BOOL, A), S(4, "evaluationError", 0));

MSG(self_subject_rules_review_spec, "SelfSubjectRulesReviewSpec", S(1, "namespace", 0));

MSG(self_subject_rules_review, "SelfSubjectRulesReview",
    M(1, "metadata", object_meta, A), M(2, "spec", self_subject_rules_review_spec, A),
    M(3, "status", subject_rules_review_status, A));

/* ---- core/v1 ------------------------------------------------------------------------ */

MSG(secret, "Secret",
    M(1, "metadata", object_meta, A), F(2, "data", PB_MAP_BYTES, 0), S(3, "type", 0),
    F(4, "stringData", PB_MAP_STRING, 0), F(5, "immutable", PB_BOOL, P));

MSG(config_map, "ConfigMap",
    M(1, "metadata", object_meta, A), F(2, "data", PB_MAP_STRING, 0),
    F(3, "binaryData", PB_MAP_BYTES, 0), F(4, "immutable", PB_BOOL, P));

MSG(namespace_spec, "NamespaceSpec", S(1, "finalizers", R));

/* conditions (2) is status the server writes; a client's create never carries it. */
MSG(namespace_status, "NamespaceStatus", S(1, "phase", 0));

MSG(namespace, "Namespace",
    M(1, "metadata", object_meta, A), M(2, "spec", namespace_spec, A),
    M(3, "status", namespace_status, A));

MSG(object_reference, "ObjectReference",
    S(1, "kind", 0), S(2, "namespace", 0), S(3, "name", 0), S(4, "uid", 0),
    S(5, "apiVersion", 0), S(6, "resourceVersion", 0), S(7, "fieldPath", 0));

MSG(local_object_reference, "LocalObjectReference", S(1, "name", 0));

MSG(service_account, "ServiceAccount",
    M(1, "metadata", object_meta, A), M(2, "secrets", object_reference, R),
    M(3, "imagePullSecrets", local_object_reference, R),
    F(4, "automountServiceAccountToken", PB_BOOL, P));

/* ---- core/v1 Pod (a subset: what admission and Pod Security look at) --------------- */

/* Structs with no field listed here still appear as {} when Go would write them. */
#define EMPTY_MSG(var, goname) static const pb_msg var = { goname, NULL, 0 }

EMPTY_MSG(pod_status, "PodStatus");

MSG(key_to_path, "KeyToPath", S(1, "key", A), S(2, "path", A), F(3, "mode", PB_INT32, P));

MSG(host_path_volume_source, "HostPathVolumeSource", S(1, "path", A), S(2, "type", P));

MSG(empty_dir_volume_source, "EmptyDirVolumeSource",
    S(1, "medium", 0), F(2, "sizeLimit", PB_QUANTITY, P));

MSG(secret_volume_source, "SecretVolumeSource",
    S(1, "secretName", 0), M(2, "items", key_to_path, R), F(3, "defaultMode", PB_INT32, P),
    F(4, "optional", PB_BOOL, P));

MSG(config_map_volume_source, "ConfigMapVolumeSource",
    M(1, "localObjectReference", local_object_reference, PB_INLINE), M(2, "items", key_to_path, R),
    F(3, "defaultMode", PB_INT32, P), F(4, "optional", PB_BOOL, P));

MSG(pvc_volume_source, "PersistentVolumeClaimVolumeSource",
    S(1, "claimName", A), F(2, "readOnly", PB_BOOL, 0));

/* SecretProjection and ConfigMapProjection share this shape. */
MSG(object_projection, "ConfigMapProjection",
    M(1, "localObjectReference", local_object_reference, PB_INLINE), M(2, "items", key_to_path, R),
    F(4, "optional", PB_BOOL, P));

MSG(service_account_token_projection, "ServiceAccountTokenProjection",
    S(1, "audience", 0), F(2, "expirationSeconds", PB_INT64, P), S(3, "path", A));

MSG(volume_projection, "VolumeProjection",
    M(1, "secret", object_projection, P), M(3, "configMap", object_projection, P),
    M(4, "serviceAccountToken", service_account_token_projection, P));

MSG(projected_volume_source, "ProjectedVolumeSource",
    M(1, "sources", volume_projection, R | A), F(2, "defaultMode", PB_INT32, P));

MSG(volume_source, "VolumeSource",
    M(1, "hostPath", host_path_volume_source, P), M(2, "emptyDir", empty_dir_volume_source, P),
    M(6, "secret", secret_volume_source, P), M(10, "persistentVolumeClaim", pvc_volume_source, P),
    M(19, "configMap", config_map_volume_source, P), M(26, "projected", projected_volume_source, P));

MSG(volume, "Volume", S(1, "name", A), M(2, "volumeSource", volume_source, PB_INLINE));

MSG(container_port, "ContainerPort",
    S(1, "name", 0), F(2, "hostPort", PB_INT32, 0), F(3, "containerPort", PB_INT32, A),
    S(4, "protocol", 0), S(5, "hostIP", 0));

MSG(object_field_selector, "ObjectFieldSelector", S(1, "apiVersion", 0), S(2, "fieldPath", A));

/* ConfigMapKeySelector and SecretKeySelector share this shape. */
MSG(key_selector, "SecretKeySelector",
    M(1, "localObjectReference", local_object_reference, PB_INLINE), S(2, "key", A),
    F(3, "optional", PB_BOOL, P));

MSG(env_var_source, "EnvVarSource",
    M(1, "fieldRef", object_field_selector, P), M(3, "configMapKeyRef", key_selector, P),
    M(4, "secretKeyRef", key_selector, P));

MSG(env_var, "EnvVar", S(1, "name", A), S(2, "value", 0), M(3, "valueFrom", env_var_source, P));

/* ConfigMapEnvSource and SecretEnvSource share this shape. */
MSG(env_source, "SecretEnvSource",
    M(1, "localObjectReference", local_object_reference, PB_INLINE), F(2, "optional", PB_BOOL, P));

MSG(env_from_source, "EnvFromSource",
    S(1, "prefix", 0), M(2, "configMapRef", env_source, P), M(3, "secretRef", env_source, P));

MSG(resource_requirements, "ResourceRequirements",
    F(1, "limits", PB_MAP_QUANTITY, 0), F(2, "requests", PB_MAP_QUANTITY, 0));

MSG(volume_mount, "VolumeMount",
    S(1, "name", A), F(2, "readOnly", PB_BOOL, 0), S(3, "mountPath", A), S(4, "subPath", 0),
    S(5, "mountPropagation", P), S(6, "subPathExpr", 0));

MSG(capabilities, "Capabilities", S(1, "add", R), S(2, "drop", R));

MSG(se_linux_options, "SELinuxOptions",
    S(1, "user", 0), S(2, "role", 0), S(3, "type", 0), S(4, "level", 0));

/* SeccompProfile and AppArmorProfile share this shape. */
MSG(security_profile, "SeccompProfile", S(1, "type", A), S(2, "localhostProfile", P));

MSG(security_context, "SecurityContext",
    M(1, "capabilities", capabilities, P), F(2, "privileged", PB_BOOL, P),
    M(3, "seLinuxOptions", se_linux_options, P), F(4, "runAsUser", PB_INT64, P),
    F(5, "runAsNonRoot", PB_BOOL, P), F(6, "readOnlyRootFilesystem", PB_BOOL, P),
    F(7, "allowPrivilegeEscalation", PB_BOOL, P), F(8, "runAsGroup", PB_INT64, P),
    S(9, "procMount", P), M(11, "seccompProfile", security_profile, P),
    M(12, "appArmorProfile", security_profile, P));

MSG(container, "Container",
    S(1, "name", A), S(2, "image", 0), S(3, "command", R), S(4, "args", R), S(5, "workingDir", 0),
    M(6, "ports", container_port, R), M(7, "env", env_var, R),
    M(8, "resources", resource_requirements, A), M(9, "volumeMounts", volume_mount, R),
    S(13, "terminationMessagePath", 0), S(14, "imagePullPolicy", 0),
    M(15, "securityContext", security_context, P), F(16, "stdin", PB_BOOL, 0),
    F(17, "stdinOnce", PB_BOOL, 0), F(18, "tty", PB_BOOL, 0), M(19, "envFrom", env_from_source, R),
    S(20, "terminationMessagePolicy", 0));

MSG(sysctl, "Sysctl", S(1, "name", A), S(2, "value", A));

MSG(pod_security_context, "PodSecurityContext",
    M(1, "seLinuxOptions", se_linux_options, P), F(2, "runAsUser", PB_INT64, P),
    F(3, "runAsNonRoot", PB_BOOL, P), F(4, "supplementalGroups", PB_INT64, R),
    F(5, "fsGroup", PB_INT64, P), F(6, "runAsGroup", PB_INT64, P), M(7, "sysctls", sysctl, R),
    S(9, "fsGroupChangePolicy", P), M(10, "seccompProfile", security_profile, P),
    M(11, "appArmorProfile", security_profile, P));

MSG(pod_spec, "PodSpec",
    M(1, "volumes", volume, R), M(2, "containers", container, R | A), S(3, "restartPolicy", 0),
    F(4, "terminationGracePeriodSeconds", PB_INT64, P),
    F(5, "activeDeadlineSeconds", PB_INT64, P), S(6, "dnsPolicy", 0),
    F(7, "nodeSelector", PB_MAP_STRING, 0), S(8, "serviceAccountName", 0),
    S(9, "serviceAccount", 0), S(10, "nodeName", 0), F(11, "hostNetwork", PB_BOOL, 0),
    F(12, "hostPID", PB_BOOL, 0), F(13, "hostIPC", PB_BOOL, 0),
    M(14, "securityContext", pod_security_context, P),
    M(15, "imagePullSecrets", local_object_reference, R), S(16, "hostname", 0),
    S(17, "subdomain", 0), S(19, "schedulerName", 0), M(20, "initContainers", container, R),
    F(21, "automountServiceAccountToken", PB_BOOL, P), S(24, "priorityClassName", 0),
    F(25, "priority", PB_INT32, P), F(27, "shareProcessNamespace", PB_BOOL, P),
    F(30, "enableServiceLinks", PB_BOOL, P));

MSG(pod, "Pod",
    M(1, "metadata", object_meta, A), M(2, "spec", pod_spec, A), M(3, "status", pod_status, A));

MSG(pod_template_spec, "PodTemplateSpec", M(1, "metadata", object_meta, A), M(2, "spec", pod_spec, A));

/* ---- apps/v1 Deployment ------------------------------------------------------------- */

EMPTY_MSG(deployment_status, "DeploymentStatus");

MSG(rolling_update_deployment, "RollingUpdateDeployment",
    F(1, "maxUnavailable", PB_INT_OR_STRING, P), F(2, "maxSurge", PB_INT_OR_STRING, P));

MSG(deployment_strategy, "DeploymentStrategy",
    S(1, "type", 0), M(2, "rollingUpdate", rolling_update_deployment, P));

MSG(deployment_spec, "DeploymentSpec",
    F(1, "replicas", PB_INT32, P), M(2, "selector", label_selector, P),
    M(3, "template", pod_template_spec, A), M(4, "strategy", deployment_strategy, A),
    F(5, "minReadySeconds", PB_INT32, 0), F(6, "revisionHistoryLimit", PB_INT32, P),
    F(7, "paused", PB_BOOL, 0), F(9, "progressDeadlineSeconds", PB_INT32, P));

MSG(deployment, "Deployment",
    M(1, "metadata", object_meta, A), M(2, "spec", deployment_spec, A),
    M(3, "status", deployment_status, A));

/* ---- rbac/v1 ------------------------------------------------------------------------ */

MSG(policy_rule, "PolicyRule",
    S(1, "verbs", R | A), S(2, "apiGroups", R), S(3, "resources", R), S(4, "resourceNames", R),
    S(5, "nonResourceURLs", R));

MSG(aggregation_rule, "AggregationRule", M(1, "clusterRoleSelectors", label_selector, R));

MSG(role, "Role", M(1, "metadata", object_meta, A), M(2, "rules", policy_rule, R | A));

MSG(cluster_role, "ClusterRole",
    M(1, "metadata", object_meta, A), M(2, "rules", policy_rule, R | A),
    M(3, "aggregationRule", aggregation_rule, P));

MSG(subject, "Subject", S(1, "kind", A), S(2, "apiGroup", 0), S(3, "name", A), S(4, "namespace", 0));

MSG(role_ref, "RoleRef", S(1, "apiGroup", A), S(2, "kind", A), S(3, "name", A));

MSG(role_binding, "RoleBinding",
    M(1, "metadata", object_meta, A), M(2, "subjects", subject, R), M(3, "roleRef", role_ref, A));

MSG(cluster_role_binding, "ClusterRoleBinding",
    M(1, "metadata", object_meta, A), M(2, "subjects", subject, R), M(3, "roleRef", role_ref, A));

/* ---- the top-level registry ---------------------------------------------------------- */

static const struct {
	const char *api_version, *kind;
	const pb_msg *msg;
} registry[] = {
	{ "authentication.k8s.io/v1", "SelfSubjectReview", &self_subject_review },
	/* kubectl auth whoami falls back to the beta when v1 is not served; same shape. */
	{ "authentication.k8s.io/v1beta1", "SelfSubjectReview", &self_subject_review },
	{ "authentication.k8s.io/v1", "TokenReview", &token_review },
	{ "authentication.k8s.io/v1", "TokenRequest", &token_request },
	{ "authorization.k8s.io/v1", "SelfSubjectAccessReview", &self_subject_access_review },
	{ "authorization.k8s.io/v1", "SubjectAccessReview", &subject_access_review },
	{ "authorization.k8s.io/v1", "LocalSubjectAccessReview", &local_subject_access_review },
	{ "authorization.k8s.io/v1", "SelfSubjectRulesReview", &self_subject_rules_review },
	{ "v1", "Secret", &secret },
	{ "v1", "ConfigMap", &config_map },
	{ "v1", "Namespace", &namespace },
	{ "v1", "ServiceAccount", &service_account },
	{ "v1", "Pod", &pod },
	{ "apps/v1", "Deployment", &deployment },
	{ "rbac.authorization.k8s.io/v1", "Role", &role },
	{ "rbac.authorization.k8s.io/v1", "ClusterRole", &cluster_role },
	{ "rbac.authorization.k8s.io/v1", "RoleBinding", &role_binding },
	{ "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", &cluster_role_binding },
	/* client-go encodes DeleteOptions in the group version of the client that deletes. */
	{ "meta.k8s.io/v1", "DeleteOptions", &delete_options },
	{ "v1", "DeleteOptions", &delete_options },
	{ "rbac.authorization.k8s.io/v1", "DeleteOptions", &delete_options },
	{ "authentication.k8s.io/v1", "DeleteOptions", &delete_options },
	{ "authorization.k8s.io/v1", "DeleteOptions", &delete_options },
	{ "apps/v1", "DeleteOptions", &delete_options },
};

static bool eq(const char *lit, const char *s, size_t n)
{
	return strlen(lit) == n && memcmp(lit, s, n) == 0;
}

const pb_msg *k8s_proto_schema_find(const char *api_version, size_t av_len, const char *kind,
				    size_t kind_len)
{
	for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
		if (eq(registry[i].api_version, api_version, av_len) && eq(registry[i].kind, kind, kind_len))
			return registry[i].msg;
	return NULL;
}
