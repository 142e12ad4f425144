/* Pod Security: exact texts (upstream's check tests and the spec's example), labels,
 * configuration, exemptions, the namespace rules, and the decoder on hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/pss.h"
#include "domain/k8s/pss_admit.h"
#include "domain/k8s/pss_pod.h"
#include "domain/k8s/pss_policy.h"
#include "test.h"

/* The detail of evaluating `pod_json` (a whole Pod) at level:version, "" when allowed; a
 * decode error as "decode: <message>". Static buffer. */
static const char *detail_of(const char *pod_json, pss_level level, int64_t minor)
{
	static char out[4096];
	json_error_t je;
	json_t *doc = json_loads(pod_json, 0, &je);
	if (!doc) {
		snprintf(out, sizeof out, "json: %s", je.text);
		return out;
	}
	gh_arena a;
	gh_arena_init(&a, 0);
	pss_pod p;
	gh_err e = { 0 };
	pss_result r = { 0 };
	if (!pss_pod_decode_object(doc, &a, &p, &e))
		snprintf(out, sizeof out, "decode: %s", e.msg);
	else if (pss_evaluate(&p, (pss_lv){ level, minor }, &r))
		out[0] = '\0';
	else
		snprintf(out, sizeof out, "%s", r.detail.p);
	pss_result_free(&r);
	gh_arena_free(&a);
	json_decref(doc);
	return out;
}

#define LATEST PSS_LATEST

TEST(pss_spec_example_warning_is_byte_exact)
{
	pss_config *cfg = pss_config_default();
	json_t *labels = json_pack("{s:s}", "pod-security.kubernetes.io/warn", "restricted");
	json_t *pod = json_loads("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}",
				 0, NULL);
	pss_request r = { .op = PSS_OP_CREATE, .resource = { GH_STR(""), GH_STR("v1"), GH_STR("pods") },
			  .name = GH_STR("p"), .namespace = GH_STR("ns"), .ns_labels = labels, .object = pod };
	gh_arena a;
	gh_arena_init(&a, 0);
	pss_response res;
	pss_admit(cfg, &r, &a, &res);
	CHECK(res.allowed);
	REQUIRE(res.nwarnings == 1);
	CHECK_STR_EQ(res.warnings[0],
		     "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"c\" "
		     "must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"c\" "
		     "must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"c\" "
		     "must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"c\" must set "
		     "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
	gh_arena_free(&a);
	json_decref(pod);
	json_decref(labels);
	pss_config_free(cfg);
}

TEST(pss_upstream_detail_texts)
{
	CHECK_STR_EQ(detail_of("{\"spec\":{\"hostNetwork\":true,\"hostIPC\":true,\"hostPID\":true}}", PSS_BASELINE, LATEST),
		     "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"securityContext\":{}},"
			       "{\"name\":\"c\",\"securityContext\":{\"privileged\":false}},"
			       "{\"name\":\"d\",\"securityContext\":{\"privileged\":true}},"
			       "{\"name\":\"e\",\"securityContext\":{\"privileged\":true}}]}}",
			       PSS_BASELINE, LATEST),
		     "privileged (containers \"d\", \"e\" must not set securityContext.privileged=true)");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"hostPort\":0}]},"
			       "{\"name\":\"b\",\"ports\":[{\"hostPort\":0},{\"hostPort\":10},{\"hostPort\":20}]},"
			       "{\"name\":\"c\",\"ports\":[{\"hostPort\":0},{\"hostPort\":10},{\"hostPort\":30}]}]}}",
			       PSS_BASELINE, LATEST),
		     "hostPort (containers \"b\", \"c\" use hostPorts 10, 20, 30)");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"containers\":[{\"name\":\"b\",\"ports\":[{\"hostPort\":20}]}]}}",
			       PSS_BASELINE, LATEST),
		     "hostPort (container \"b\" uses hostPort 20)");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"volumes\":[{\"name\":\"a\",\"hostPath\":{}},{\"name\":\"b\",\"hostPath\":{}},"
			       "{\"name\":\"c\",\"emptyDir\":{}}]}}",
			       PSS_BASELINE, LATEST),
		     "hostPath volumes (volumes \"a\", \"b\")");
	/* seLinuxOptions, upstream's "invalid pod and containers" case at v1.31+. */
	CHECK_STR_EQ(
		detail_of("{\"spec\":{\"securityContext\":{\"seLinuxOptions\":{\"type\":\"foo\",\"user\":\"bar\",\"role\":\"baz\"}},"
			  "\"containers\":[{\"name\":\"a\",\"securityContext\":{\"seLinuxOptions\":{\"type\":\"container_t\"}}},"
			  "{\"name\":\"d\",\"securityContext\":{\"seLinuxOptions\":{\"type\":\"container_engine_t\"}}},"
			  "{\"name\":\"e\",\"securityContext\":{\"seLinuxOptions\":{\"type\":\"bar\"}}},"
			  "{\"name\":\"f\",\"securityContext\":{\"seLinuxOptions\":{\"user\":\"bar\"}}},"
			  "{\"name\":\"g\",\"securityContext\":{\"seLinuxOptions\":{\"role\":\"baz\"}}}]}}",
			  PSS_BASELINE, 31),
		"seLinuxOptions (pod and containers \"e\", \"f\", \"g\" set forbidden securityContext.seLinuxOptions: "
		"types \"bar\", \"foo\"; user may not be set; role may not be set)");
	/* container_engine_t only from v1.31. */
	CHECK_STR_EQ(detail_of("{\"spec\":{\"containers\":[{\"name\":\"d\",\"securityContext\":{\"seLinuxOptions\":"
			       "{\"type\":\"container_engine_t\"}}}]}}",
			       PSS_BASELINE, 30),
		     "seLinuxOptions (container \"d\" set forbidden securityContext.seLinuxOptions: type "
		     "\"container_engine_t\")");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"securityContext\":{\"appArmorProfile\":{\"type\":\"Unconfined\"}}}}",
			       PSS_BASELINE, LATEST),
		     "forbidden AppArmor profile (pod must not set AppArmor profile type to \"Unconfined\")");
	CHECK_STR_EQ(detail_of("{\"metadata\":{\"annotations\":{"
			       "\"container.apparmor.security.beta.kubernetes.io/a\":\"\","
			       "\"container.apparmor.security.beta.kubernetes.io/e\":\"unconfined\","
			       "\"container.apparmor.security.beta.kubernetes.io/b\":\"runtime/default\","
			       "\"container.apparmor.security.beta.kubernetes.io/f\":\"unknown\"}},\"spec\":{}}",
			       PSS_BASELINE, LATEST),
		     "forbidden AppArmor profiles (annotations must not set AppArmor profile type to "
		     "\"container.apparmor.security.beta.kubernetes.io/e=\"unconfined\"\", "
		     "\"container.apparmor.security.beta.kubernetes.io/f=\"unknown\"\")");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"securityContext\":{\"sysctls\":[{\"name\":\"a\"},{\"name\":\"b\"},"
			       "{\"name\":\"kernel.shm_rmid_forced\"}]}}}",
			       PSS_BASELINE, LATEST),
		     "forbidden sysctls (a, b)");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"securityContext\":{\"sysctls\":[{\"name\":\"net.ipv4.tcp_notsent_lowat\"}]}}}",
			       PSS_BASELINE, 36),
		     "forbidden sysctls (net.ipv4.tcp_notsent_lowat)");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"securityContext\":{\"sysctls\":[{\"name\":\"net.ipv4.tcp_notsent_lowat\"}]}}}",
			       PSS_BASELINE, 37),
		     "");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"containers\":[{\"name\":\"a\",\"livenessProbe\":{\"httpGet\":{\"host\":\"z\"}}},"
			       "{\"name\":\"b\",\"lifecycle\":{\"preStop\":{\"tcpSocket\":{\"host\":\"y\"}}}}]}}",
			       PSS_BASELINE, 34),
		     "probe or lifecycle host (containers \"a\", \"b\" use probe or lifecycle hosts \"y\", \"z\")");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"containers\":[{\"name\":\"a\",\"livenessProbe\":{\"httpGet\":{\"host\":\"z\"}}}]}}",
			       PSS_BASELINE, 33),
		     "");
	CHECK_STR_EQ(detail_of("{\"metadata\":{\"annotations\":{\"seccomp.security.alpha.kubernetes.io/pod\":\"unconfined\","
			       "\"container.seccomp.security.alpha.kubernetes.io/c\":\"x\"}},"
			       "\"spec\":{\"containers\":[{\"name\":\"c\"}]}}",
			       PSS_BASELINE, 18),
		     "seccompProfile (forbidden annotations container.seccomp.security.alpha.kubernetes.io/c=\"x\", "
		     "seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")");
	CHECK_STR_EQ(detail_of("{\"spec\":{\"securityContext\":{\"windowsOptions\":{\"hostProcess\":true}},"
			       "\"containers\":[{\"name\":\"c\",\"securityContext\":{\"windowsOptions\":{\"hostProcess\":true}}}]}}",
			       PSS_BASELINE, LATEST),
		     "hostProcess (pod and container \"c\" must not set securityContext.windowsOptions.hostProcess=true)");
}

static const char *restricted_ok_sc =
	"\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}";

TEST(pss_restricted_texts_and_versions)
{
	char pod[1024];
	snprintf(pod, sizeof pod,
		 "{\"spec\":{\"securityContext\":{\"runAsNonRoot\":false,\"runAsUser\":0,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
		 "\"volumes\":[{\"name\":\"v\",\"nfs\":{}},{\"name\":\"w\",\"gitRepo\":{}},{\"name\":\"x\",\"configMap\":{}}],"
		 "\"containers\":[{\"name\":\"c\",%s},{\"name\":\"d\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
		 "\"runAsNonRoot\":false,\"runAsUser\":0,\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"NET_BIND_SERVICE\",\"SYS_ADMIN\"]}}}]}}",
		 restricted_ok_sc);
	CHECK_STR_EQ(detail_of(pod, PSS_RESTRICTED, LATEST),
		     "unrestricted capabilities (container \"d\" must not include \"SYS_ADMIN\" in "
		     "securityContext.capabilities.add), restricted volume types (volumes \"v\", \"w\" use restricted "
		     "volume types \"gitRepo\", \"nfs\"), runAsNonRoot != true (pod and container \"d\" must not set "
		     "securityContext.runAsNonRoot=false), runAsUser=0 (pod and container \"d\" must not set "
		     "runAsUser=0)");
	/* Before v1.22 the baseline capabilities check applies at restricted; before v1.23 no runAsUser. */
	CHECK_STR_EQ(detail_of(pod, PSS_RESTRICTED, 21),
		     "non-default capabilities (container \"d\" must not include \"SYS_ADMIN\" in "
		     "securityContext.capabilities.add), restricted volume types (volumes \"v\", \"w\" use restricted "
		     "volume types \"gitRepo\", \"nfs\"), runAsNonRoot != true (pod and container \"d\" must not set "
		     "securityContext.runAsNonRoot=false)");
	/* Windows pods skip the Linux-only checks from v1.25. */
	const char *win = "{\"spec\":{\"os\":{\"name\":\"windows\"},\"securityContext\":{\"runAsNonRoot\":true},"
			  "\"containers\":[{\"name\":\"c\"}]}}";
	CHECK_STR_EQ(detail_of(win, PSS_RESTRICTED, 25), "");
	CHECK_STR_EQ(detail_of(win, PSS_RESTRICTED, 24),
		     "allowPrivilegeEscalation != false (container \"c\" must set "
		     "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"c\" must set "
		     "securityContext.capabilities.drop=[\"ALL\"]), seccompProfile (pod or container \"c\" must set "
		     "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
	/* User-namespace pods: relaxed runAsNonRoot, runAsUser and baseline procMount from v1.35,
	 * while procMount_restricted still applies. */
	snprintf(pod, sizeof pod,
		 "{\"spec\":{\"hostUsers\":false,\"securityContext\":{\"runAsUser\":0,\"seccompProfile\":{\"type\":\"Localhost\"}},"
		 "\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
		 "\"procMount\":\"Unmasked\",\"capabilities\":{\"drop\":[\"ALL\"]}}}]}}");
	CHECK_STR_EQ(detail_of(pod, PSS_BASELINE, 35), "");
	CHECK_STR_EQ(detail_of(pod, PSS_RESTRICTED, 35),
		     "procMount (container \"c\" must not set securityContext.procMount to \"Unmasked\")");
	CHECK_STR_EQ(detail_of(pod, PSS_BASELINE, 34),
		     "procMount (container \"c\" must not set securityContext.procMount to \"Unmasked\")");
	CHECK_STR_EQ(detail_of(pod, PSS_RESTRICTED, 34),
		     "procMount (container \"c\" must not set securityContext.procMount to \"Unmasked\"), runAsNonRoot != true "
		     "(pod or container \"c\" must set securityContext.runAsNonRoot=true), runAsUser=0 (pod must not set "
		     "runAsUser=0)");
	/* Containers are named init, then regular, then ephemeral. */
	CHECK_STR_EQ(detail_of("{\"spec\":{\"ephemeralContainers\":[{\"name\":\"e\"}],\"containers\":[{\"name\":\"r\"}],"
			       "\"initContainers\":[{\"name\":\"i\"}],\"securityContext\":{\"runAsNonRoot\":true,"
			       "\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}}",
			       PSS_RESTRICTED, LATEST),
		     "allowPrivilegeEscalation != false (containers \"i\", \"r\", \"e\" must set "
		     "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (containers \"i\", \"r\", "
		     "\"e\" must set securityContext.capabilities.drop=[\"ALL\"])");
	/* Privileged runs nothing; a version past the newest known is the newest. */
	CHECK_STR_EQ(detail_of("{\"spec\":{\"hostPID\":true}}", PSS_PRIVILEGED, LATEST), "");
	CHECK_STR_EQ(detail_of(win, PSS_RESTRICTED, 10000), "");
}

TEST(pss_levels_and_versions)
{
	int64_t m;
	CHECK(pss_version_parse(GH_STR("latest"), &m) && m == PSS_LATEST);
	CHECK(pss_version_parse(GH_STR("v1.0"), &m) && m == 0);
	CHECK(pss_version_parse(GH_STR("v1.37"), &m) && m == 37);
	CHECK(pss_version_parse(GH_STR("v1.10000"), &m) && m == 10000);
	CHECK(!pss_version_parse(GH_STR("v1.01"), &m));
	CHECK(!pss_version_parse(GH_STR("v2.0"), &m));
	CHECK(!pss_version_parse(GH_STR("v1."), &m));
	CHECK(!pss_version_parse(GH_STR("v1.-1"), &m));
	CHECK(!pss_version_parse(GH_STR("1.25"), &m));
	CHECK(!pss_version_parse(GH_STR("v1.99999999999999999999"), &m));
	pss_level l;
	CHECK(pss_level_parse(GH_STR("baseline"), &l) && l == PSS_BASELINE);
	CHECK(!pss_level_parse(GH_STR("Baseline"), &l));
	char buf[PSS_LV_MAX];
	CHECK_STR_EQ(pss_lv_format((pss_lv){ PSS_RESTRICTED, PSS_LATEST }, buf, sizeof buf), "restricted:latest");
	CHECK_STR_EQ(pss_lv_format((pss_lv){ PSS_BASELINE, 25 }, buf, sizeof buf), "baseline:v1.25");
	const char *ids[32];
	size_t n = pss_checks_for((pss_lv){ PSS_RESTRICTED, PSS_LATEST }, ids, 32);
	CHECK_INT_EQ(n, 15);
	CHECK_STR_EQ(ids[0], "appArmorProfile");
	CHECK_STR_EQ(ids[n - 1], "seccompProfile_restricted");
	CHECK_INT_EQ(pss_checks_for((pss_lv){ PSS_BASELINE, 0 }, ids, 32), 11);
}

TEST(pss_labels_to_policy)
{
	pss_policy defaults = { { PSS_PRIVILEGED, PSS_LATEST }, { PSS_PRIVILEGED, PSS_LATEST }, { PSS_PRIVILEGED, PSS_LATEST } };
	pss_policy p;
	pss_label_errors errs;
	json_t *l = json_pack("{s:s, s:s}", "pod-security.kubernetes.io/enforce", "baseline",
			      "pod-security.kubernetes.io/enforce-version", "v1.30");
	pss_policy_from_labels(l, &defaults, &p, &errs);
	CHECK_INT_EQ(errs.n, 0);
	CHECK(p.enforce.level == PSS_BASELINE && p.enforce.minor == 30);
	/* No warn label and a stricter enforce: warn copies enforce, version included. */
	CHECK(p.warn.level == PSS_BASELINE && p.warn.minor == 30);
	CHECK(p.audit.level == PSS_PRIVILEGED);
	json_object_set_new(l, "pod-security.kubernetes.io/warn-version", json_string("v1.20"));
	pss_policy_from_labels(l, &defaults, &p, &errs);
	CHECK(p.warn.level == PSS_BASELINE && p.warn.minor == 20);
	json_decref(l);

	/* Only a valid enforce label carries warn along; defaults do not. */
	l = json_pack("{s:s}", "pod-security.kubernetes.io/enforce", "foo");
	pss_policy_from_labels(l, &defaults, &p, &errs);
	CHECK(p.enforce.level == PSS_RESTRICTED && p.warn.level == PSS_PRIVILEGED && errs.n == 1);
	json_decref(l);
	pss_policy strict = defaults;
	strict.enforce.level = PSS_RESTRICTED;
	pss_policy_from_labels(NULL, &strict, &p, &errs);
	CHECK(p.enforce.level == PSS_RESTRICTED && p.warn.level == PSS_PRIVILEGED);

	/* Invalid values: enforce fails closed, audit and warn fail open, versions read latest. */
	l = json_pack("{s:s, s:s, s:s, s:s}", "pod-security.kubernetes.io/enforce", "strict",
		      "pod-security.kubernetes.io/audit", "loud", "pod-security.kubernetes.io/warn", "x",
		      "pod-security.kubernetes.io/warn-version", "1.25");
	pss_policy_from_labels(l, &defaults, &p, &errs);
	CHECK(p.enforce.level == PSS_RESTRICTED && p.enforce.minor == PSS_LATEST);
	CHECK(p.audit.level == PSS_PRIVILEGED && p.warn.level == PSS_PRIVILEGED && p.warn.minor == PSS_LATEST);
	REQUIRE(errs.n == 4);
	gh_buf b = { 0 };
	pss_label_errors_format(&b, &errs);
	CHECK_STR_EQ(b.p, "[metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of "
			  "privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/audit]: Invalid "
			  "value: \"loud\": must be one of privileged, baseline, restricted, "
			  "metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"x\": must be one of "
			  "privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/warn-version]: "
			  "Invalid value: \"1.25\": must be \"latest\" or \"v1.x\"]");
	gh_buf_free(&b);
	json_decref(l);
}

TEST(pss_config_files)
{
	pss_config *c = NULL;
	gh_err e = { 0 };
	char *path = NULL;
	const char *yaml = "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n"
			   "defaults:\n  enforce: baseline\n  enforce-version: v1.29\n  warn: restricted\n"
			   "exemptions:\n  usernames: [ci-bot]\n  namespaces: [kube-system]\n  runtimeClasses: [kata]\n";
	REQUIRE(pss_config_parse(gh_str_c(yaml), &c, &path, &e));
	const pss_policy *d = pss_config_defaults(c);
	CHECK(d->enforce.level == PSS_BASELINE && d->enforce.minor == 29);
	CHECK(d->warn.level == PSS_RESTRICTED && d->warn.minor == PSS_LATEST);
	CHECK(d->audit.level == PSS_PRIVILEGED);
	CHECK(pss_config_exempt_user(c, GH_STR("ci-bot")) && !pss_config_exempt_user(c, GH_STR("ci")));
	CHECK(pss_config_exempt_namespace(c, GH_STR("kube-system")));
	CHECK(pss_config_exempt_runtime_class(c, GH_STR("kata")));
	pss_config_free(c);

	const char *wrapped = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n"
			      "- name: Other\n  configuration: {}\n- name: PodSecurity\n  configuration:\n"
			      "    apiVersion: pod-security.admission.config.k8s.io/v1beta1\n"
			      "    kind: PodSecurityConfiguration\n    defaults:\n      enforce: restricted\n";
	REQUIRE(pss_config_parse(gh_str_c(wrapped), &c, &path, &e));
	CHECK(pss_config_defaults(c)->enforce.level == PSS_RESTRICTED);
	pss_config_free(c);

	const char *by_path = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n"
			      "- name: PodSecurity\n  path: pss.yaml\n";
	REQUIRE(pss_config_parse(gh_str_c(by_path), &c, &path, &e));
	CHECK(c == NULL);
	CHECK_STR_EQ(path, "pss.yaml");
	free(path);

	CHECK(!pss_config_parse(GH_STR("apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n"
				       "defaults:\n  enforce: strict\n"),
				&c, NULL, &e));
	CHECK_STR_EQ(e.msg, "defaults.enforce: Invalid value: \"strict\": must be one of privileged, baseline, restricted");
	CHECK(!pss_config_parse(GH_STR("apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n"
				       "defaults:\n  audit-version: \"1.2\"\n"),
				&c, NULL, &e));
	CHECK_STR_EQ(e.msg, "defaults.audit-version: Invalid value: \"1.2\": must be \"latest\" or \"v1.x\"");
	CHECK(!pss_config_parse(GH_STR("apiVersion: v1\nkind: ConfigMap\n"), &c, NULL, &e));
	CHECK_CONTAINS(e.msg, "apiVersion: must be pod-security.admission.config.k8s.io/v1 or v1beta1");
	CHECK(!pss_config_parse(GH_STR("apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n"
				       "exemptions:\n  usernames: [\"\"]\n"),
				&c, NULL, &e));
	CHECK_STR_EQ(e.msg, "exemptions.usernames[0]: must be a non-empty string");
	CHECK(!pss_config_parse(GH_STR("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n"),
				&c, NULL, &e));
	CHECK_STR_EQ(e.msg, "plugins: no plugin named PodSecurity");
}

/* One admission call with the default configuration unless cfg is given. */
typedef struct admit_case {
	pss_op op;
	const char *group, *resource, *subresource, *ns, *user;
	const char *labels, *object, *old_object; /* JSON */
} admit_case;

static pss_response run_admit(const pss_config *cfg, const admit_case *c, gh_arena *a, const json_t *const *pods,
			      size_t npods)
{
	json_t *labels = c->labels ? json_loads(c->labels, 0, NULL) : NULL;
	json_t *obj = c->object ? json_loads(c->object, 0, NULL) : NULL;
	json_t *old = c->old_object ? json_loads(c->old_object, 0, NULL) : NULL;
	pss_request r = { .op = c->op,
			  .resource = { gh_str_c(c->group), GH_STR("v1"), gh_str_c(c->resource) },
			  .subresource = gh_str_c(c->subresource),
			  .kind = gh_str_c(strcmp(c->resource, "namespaces") == 0 ? "Namespace" : ""),
			  .name = GH_STR("x"),
			  .namespace = gh_str_c(c->ns ? c->ns : "ns"),
			  .ns_labels = labels,
			  .object = obj,
			  .old_object = old,
			  .username = gh_str_c(c->user),
			  .ns_pods = pods,
			  .nns_pods = npods };
	pss_response res;
	pss_admit(cfg, &r, a, &res);
	/* The response points into the arena only, so the JSON can go. */
	json_decref(labels);
	json_decref(obj);
	json_decref(old);
	return res;
}

static const char *audit_value(const pss_response *r, const char *key)
{
	for (size_t i = 0; i < r->naudit; i++)
		if (strcmp(r->audit[i].key, key) == 0)
			return r->audit[i].value;
	return NULL;
}

#define BAD_POD "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}"
#define ENFORCE_BASELINE "{\"pod-security.kubernetes.io/enforce\":\"baseline\"}"

TEST(pss_admit_pods)
{
	pss_config *cfg = pss_config_default();
	gh_arena a;
	gh_arena_init(&a, 0);
	admit_case c = { PSS_OP_CREATE, "", "pods", "", "ns", "alice", ENFORCE_BASELINE, BAD_POD, NULL };
	pss_response r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(!r.allowed);
	CHECK_INT_EQ(r.code, 403);
	CHECK_STR_EQ(r.reason, "Forbidden");
	CHECK_STR_EQ(r.message, "violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true)");
	CHECK_STR_EQ(audit_value(&r, "enforce-policy"), "baseline:latest");
	CHECK_INT_EQ(r.nwarnings, 0); /* no warnings on a denied request */

	/* Ignored subresources, DELETE, and privileged namespaces allow without a look. */
	c.subresource = "status";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed && r.naudit == 0);
	c.subresource = "ephemeralcontainers";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(!r.allowed);
	c.subresource = "";
	c.op = PSS_OP_DELETE;
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	c.op = PSS_OP_CREATE;
	c.labels = NULL;
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed && r.naudit == 0);

	/* Audit and warn at other levels; invalid labels set the audit error. */
	c.labels = "{\"pod-security.kubernetes.io/audit\":\"baseline\",\"pod-security.kubernetes.io/warn\":\"baseline\","
		   "\"pod-security.kubernetes.io/warn-version\":\"v1.5\",\"pod-security.kubernetes.io/enforce-version\":\"x\"}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	CHECK_STR_EQ(audit_value(&r, "audit-violations"),
		     "would violate PodSecurity \"baseline:latest\": host namespaces (hostPID=true)");
	CHECK_STR_EQ(audit_value(&r, "enforce-policy"), "privileged:latest");
	CHECK_STR_EQ(audit_value(&r, "error"), "Failed to parse policy: metadata.labels[pod-security.kubernetes.io/"
					       "enforce-version]: Invalid value: \"x\": must be \"latest\" or \"v1.x\"");
	REQUIRE(r.nwarnings == 1);
	CHECK_STR_EQ(r.warnings[0], "would violate PodSecurity \"baseline:v1.5\": host namespaces (hostPID=true)");
	/* Sorted keys, as Go's map encodes them. */
	REQUIRE(r.naudit == 3);
	CHECK_STR_EQ(r.audit[0].key, "audit-violations");
	CHECK_STR_EQ(r.audit[2].key, "error");

	/* UPDATE: only significant changes are evaluated. */
	c.labels = ENFORCE_BASELINE;
	c.op = PSS_OP_UPDATE;
	c.old_object = BAD_POD;
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed && r.naudit == 0);
	c.old_object = "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"old\"}]}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(!r.allowed);
	c.old_object = "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"i\"}],"
		       "\"ephemeralContainers\":[]}}";
	c.object = "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"i\"}],"
		   "\"ephemeralContainers\":[{\"name\":\"debug\",\"image\":\"busybox\"}]}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(!r.allowed);

	/* A pod that does not decode is a bad request naming the field. */
	c.op = PSS_OP_CREATE;
	c.object = "{\"spec\":{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":\"yes\"}}]}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(!r.allowed);
	CHECK_INT_EQ(r.code, 400);
	CHECK_STR_EQ(r.message, "failed to decode pod: spec.containers[0].securityContext.privileged: expected a boolean, "
				"got string");
	gh_arena_free(&a);
	pss_config_free(cfg);
}

TEST(pss_admit_exemptions_and_controllers)
{
	pss_config *cfg = NULL;
	gh_err e = { 0 };
	REQUIRE(pss_config_parse(GH_STR("apiVersion: pod-security.admission.config.k8s.io/v1\n"
					"kind: PodSecurityConfiguration\ndefaults: {enforce: restricted, warn: restricted}\n"
					"exemptions: {usernames: [bot], namespaces: [kube-system], runtimeClasses: [kata]}\n"),
				&cfg, NULL, &e));
	gh_arena a;
	gh_arena_init(&a, 0);
	admit_case c = { PSS_OP_CREATE, "", "pods", "", "kube-system", "alice", NULL, BAD_POD, NULL };
	pss_response r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	CHECK_STR_EQ(audit_value(&r, "exempt"), "namespace");
	c.ns = "ns";
	c.user = "bot";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	CHECK_STR_EQ(audit_value(&r, "exempt"), "user");
	c.user = "alice";
	c.object = "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"runtimeClassName\":\"kata\",\"hostPID\":true}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	CHECK_STR_EQ(audit_value(&r, "exempt"), "runtimeClass");

	/* Controllers are warned about (warn, never enforce) and never refused. */
	c.group = "batch";
	c.resource = "cronjobs";
	c.object = "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"hostPID\":true,"
		   "\"containers\":[{\"name\":\"c\"}]}}}}}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	REQUIRE(r.nwarnings == 1);
	CHECK_CONTAINS(r.warnings[0], "would violate PodSecurity \"restricted:latest\": host namespaces (hostPID=true), ");
	CHECK(audit_value(&r, "enforce-policy") == NULL);
	c.object = "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"volumes\":7}}}}}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	CHECK_STR_EQ(audit_value(&r, "error"),
		     "failed to decode pod template: spec.jobTemplate.spec.template.spec.volumes: expected an array, got number");
	c.group = "apps";
	c.resource = "deployments";
	c.object = "{\"spec\":{}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed && r.nwarnings == 0);
	c.subresource = "scale";
	c.object = "{\"spec\":{\"template\":{\"spec\":{\"hostPID\":true}}}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed && r.nwarnings == 0);
	gh_arena_free(&a);
	pss_config_free(cfg);
}

TEST(pss_admit_namespaces)
{
	pss_config *cfg = pss_config_default();
	gh_arena a;
	gh_arena_init(&a, 0);
	admit_case c = { PSS_OP_CREATE, "", "namespaces", "", "team", "alice", NULL,
			 "{\"metadata\":{\"name\":\"team\",\"labels\":{\"pod-security.kubernetes.io/enforce\":\"strict\"}}}",
			 NULL };
	pss_response r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(!r.allowed);
	CHECK_INT_EQ(r.code, 422);
	CHECK_STR_EQ(r.reason, "Invalid");
	CHECK_STR_EQ(r.message, "Namespace \"x\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid "
				"value: \"strict\": must be one of privileged, baseline, restricted");
	REQUIRE(r.ncauses == 1);
	CHECK_STR_EQ(r.causes[0].field, "metadata.labels[pod-security.kubernetes.io/enforce]");
	CHECK_STR_EQ(r.causes[0].reason, "FieldValueInvalid");

	/* UPDATE keeping the same invalid labels is allowed; changing to invalid is not. */
	c.op = PSS_OP_UPDATE;
	c.old_object = c.object;
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(r.allowed);
	c.old_object = "{\"metadata\":{\"name\":\"team\"}}";
	r = run_admit(cfg, &c, &a, NULL, 0);
	CHECK(!r.allowed && r.code == 422);

	/* Tightening enforce warns about the existing pods, grouped by reasons. */
	json_t *pods[5];
	pods[0] = json_loads("{\"metadata\":{\"name\":\"web-2\",\"ownerReferences\":[{\"controller\":true,\"uid\":\"rs1\"}]},"
			     "\"spec\":{\"hostPID\":true}}", 0, NULL);
	pods[1] = json_loads("{\"metadata\":{\"name\":\"web-1\",\"ownerReferences\":[{\"controller\":true,\"uid\":\"rs1\"}]},"
			     "\"spec\":{\"hostPID\":true}}", 0, NULL);
	pods[2] = json_loads("{\"metadata\":{\"name\":\"web-3\"},\"spec\":{\"hostPID\":true}}", 0, NULL);
	pods[3] = json_loads("{\"metadata\":{\"name\":\"db\"},\"spec\":{\"containers\":[{\"name\":\"c\","
			     "\"securityContext\":{\"privileged\":true}}]}}", 0, NULL);
	pods[4] = json_loads("{\"metadata\":{\"name\":\"fine\"},\"spec\":{}}", 0, NULL);
	c.object = "{\"metadata\":{\"name\":\"team\",\"labels\":{\"pod-security.kubernetes.io/enforce\":\"baseline\"}}}";
	r = run_admit(cfg, &c, &a, (const json_t *const *)pods, 5);
	CHECK(r.allowed);
	REQUIRE(r.nwarnings == 3);
	CHECK_STR_EQ(r.warnings[0], "existing pods in namespace \"team\" violate the new PodSecurity enforce level "
				    "\"baseline:latest\"");
	CHECK_STR_EQ(r.warnings[1], "db: privileged");
	CHECK_STR_EQ(r.warnings[2], "web-1 (and 2 other pods): host namespaces");
	/* Same level again, or relaxed at the same version: nothing to say. */
	c.old_object = c.object;
	r = run_admit(cfg, &c, &a, (const json_t *const *)pods, 5);
	CHECK(r.allowed && r.nwarnings == 0);
	c.old_object = "{\"metadata\":{\"name\":\"team\",\"labels\":{\"pod-security.kubernetes.io/enforce\":\"restricted\"}}}";
	r = run_admit(cfg, &c, &a, (const json_t *const *)pods, 5);
	CHECK(r.allowed && r.nwarnings == 0);
	for (size_t i = 0; i < 5; i++)
		json_decref(pods[i]);
	gh_arena_free(&a);
	pss_config_free(cfg);
}

TEST(pss_decoder_rejects_hostile_input)
{
	static const struct {
		const char *pod, *error;
	} cases[] = {
		{ "[]", "the pod is not a JSON object" },
		{ "{}", "spec: required" },
		{ "{\"spec\":3}", "spec: expected an object, got number" },
		{ "{\"metadata\":[],\"spec\":{}}", "metadata: expected an object, got array" },
		{ "{\"metadata\":{\"annotations\":{\"a\":1}},\"spec\":{}}", "metadata.annotations[a]: expected a string, got number" },
		{ "{\"spec\":{\"hostPID\":\"true\"}}", "spec.hostPID: expected a boolean, got string" },
		{ "{\"spec\":{\"containers\":{}}}", "spec.containers: expected an array, got object" },
		{ "{\"spec\":{\"containers\":[7]}}", "spec.containers[0].: expected an object, got number" },
		{ "{\"spec\":{\"initContainers\":[{\"name\":1}]}}", "spec.initContainers[0].name: expected a string, got number" },
		{ "{\"spec\":{\"containers\":[{\"securityContext\":{\"capabilities\":{\"add\":[\"A\",2]}}}]}}",
		  "spec.containers[0].securityContext.capabilities.add[1]: expected a string, got number" },
		{ "{\"spec\":{\"containers\":[{\"ports\":[{\"hostPort\":1.5}]}]}}",
		  "spec.containers[0].ports[0].hostPort: expected an integer, got number" },
		{ "{\"spec\":{\"containers\":[{\"ports\":[{\"hostPort\":4294967296}]}]}}",
		  "spec.containers[0].ports[0].hostPort: 4294967296 is out of range" },
		{ "{\"spec\":{\"securityContext\":{\"runAsUser\":\"0\"}}}", "spec.securityContext.runAsUser: expected an integer, got string" },
		{ "{\"spec\":{\"securityContext\":{\"sysctls\":[{\"name\":false}]}}}",
		  "spec.securityContext.sysctls[0].name: expected a string, got boolean" },
		{ "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"hostPath\":\"/\"}]}}", "spec.volumes[0].hostPath: expected an object, got string" },
		{ "{\"spec\":{\"ephemeralContainers\":[{\"lifecycle\":{\"preStop\":{\"httpGet\":{\"host\":[]}}}}]}}",
		  "spec.ephemeralContainers[0].lifecycle.preStop.httpGet.host: expected a string, got array" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK_STR_EQ(detail_of(cases[i].pod, PSS_RESTRICTED, LATEST) + 8, cases[i].error);

	/* Bounds: too many containers in all. */
	gh_buf b = { 0 };
	gh_buf_puts(&b, "{\"spec\":{\"containers\":[");
	for (int i = 0; i < 300; i++)
		gh_buf_printf(&b, "%s{\"name\":\"c%d\"}", i ? "," : "", i);
	gh_buf_puts(&b, "],\"initContainers\":[");
	for (int i = 0; i < 300; i++)
		gh_buf_printf(&b, "%s{\"name\":\"i%d\"}", i ? "," : "", i);
	gh_buf_puts(&b, "]}}");
	CHECK_STR_EQ(detail_of(b.p, PSS_RESTRICTED, LATEST), "decode: spec.containers: more than 512 containers in all");
	gh_buf_free(&b);
	/* null reads as absent, as Go's decoder makes it nil. */
	CHECK_STR_EQ(detail_of("{\"metadata\":null,\"spec\":{\"hostPID\":null,\"containers\":null,\"securityContext\":null}}",
			       PSS_BASELINE, LATEST),
		     "");
}

/* Upstream's TestPolicyToEvaluate table (api/helpers_test.go), privileged defaults. */
TEST(pss_policy_to_evaluate_upstream_cases)
{
	static const struct {
		const char *labels; /* JSON, keys without the prefix */
		const char *enforce, *warn, *audit;
		size_t nerrs;
	} cases[] = {
		{ "{\"enforce\":\"baseline\"}", "baseline:latest", "baseline:latest", "privileged:latest", 0 },
		{ "{\"warn\":\"restricted\"}", "privileged:latest", "restricted:latest", "privileged:latest", 0 },
		{ "{\"audit\":\"baseline\"}", "privileged:latest", "privileged:latest", "baseline:latest", 0 },
		{ "{\"enforce\":\"baseline\",\"warn\":\"restricted\"}", "baseline:latest", "restricted:latest",
		  "privileged:latest", 0 },
		{ "{\"enforce\":\"baseline\",\"enforce-version\":\"v1.22\"}", "baseline:v1.22", "baseline:v1.22",
		  "privileged:latest", 0 },
		{ "{\"enforce\":\"baseline\",\"enforce-version\":\"v1.22\",\"warn-version\":\"latest\"}", "baseline:v1.22",
		  "baseline:latest", "privileged:latest", 0 },
		{ "{\"enforce\":\"baseline\",\"warn-version\":\"v1.23\"}", "baseline:latest", "baseline:v1.23",
		  "privileged:latest", 0 },
		{ "{\"enforce\":\"baseline\",\"enforce-version\":\"v1.20\",\"warn\":\"restricted\",\"warn-version\":\"v1.21\","
		  "\"audit\":\"restricted\",\"audit-version\":\"v1.22\"}",
		  "baseline:v1.20", "restricted:v1.21", "restricted:v1.22", 0 },
		{ "{\"enforce\":\"baseline\",\"warn\":\"privileged\"}", "baseline:latest", "privileged:latest",
		  "privileged:latest", 0 },
		{ "{\"enforce\":\"baseline\",\"warn\":\"foo\"}", "baseline:latest", "privileged:latest", "privileged:latest", 1 },
		{ "{\"enforce\":\"foo\"}", "restricted:latest", "privileged:latest", "privileged:latest", 1 },
	};
	pss_policy defaults = { { PSS_PRIVILEGED, PSS_LATEST }, { PSS_PRIVILEGED, PSS_LATEST }, { PSS_PRIVILEGED, PSS_LATEST } };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *in = json_loads(cases[i].labels, 0, NULL), *labels = json_pack("{s:s}", "other-label", "foo-bar");
		const char *k;
		json_t *v;
		json_object_foreach(in, k, v) {
			char key[96];
			snprintf(key, sizeof key, "pod-security.kubernetes.io/%s", k);
			json_object_set(labels, key, v);
		}
		pss_policy p;
		pss_label_errors errs;
		pss_policy_from_labels(labels, &defaults, &p, &errs);
		char e[PSS_LV_MAX], w[PSS_LV_MAX], a[PSS_LV_MAX];
		CHECK_STR_EQ(pss_lv_format(p.enforce, e, sizeof e), cases[i].enforce);
		CHECK_STR_EQ(pss_lv_format(p.warn, w, sizeof w), cases[i].warn);
		CHECK_STR_EQ(pss_lv_format(p.audit, a, sizeof a), cases[i].audit);
		CHECK_INT_EQ(errs.n, cases[i].nerrs);
		json_decref(in);
		json_decref(labels);
	}
}

/* Upstream's TestRestrictedVolumes: every allowed source passes, every restricted source is
 * named in upstream's order. A volume with no source at all is defaulted to emptyDir by the
 * API server before admission, so "unknown" is a source gatehouse does not know. */
TEST(pss_restricted_volumes_upstream_case)
{
	static const char *const allowed[] = { "emptyDir", "secret", "persistentVolumeClaim", "downwardAPI", "configMap",
					       "projected", "csi", "ephemeral", "image" };
	static const char *const restricted[] = { "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo",
						  "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs",
						  "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
						  "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos" };
	gh_buf b = { 0 };
	gh_buf_puts(&b, "{\"spec\":{\"volumes\":[");
	for (size_t i = 0; i < 9; i++)
		gh_buf_printf(&b, "{\"name\":\"a%zu\",\"%s\":{}},", i + 1, allowed[i]);
	for (size_t i = 0; i < 21; i++)
		gh_buf_printf(&b, "{\"name\":\"b%zu\",\"%s\":{}},", i + 1, restricted[i]);
	gh_buf_puts(&b, "{\"name\":\"c1\",\"somethingNew\":{}},{\"name\":\"d1\"}]}}");
	CHECK_STR_EQ(detail_of(b.p, PSS_RESTRICTED, LATEST) + strlen("restricted volume types ("),
		     "volumes \"b1\", \"b2\", \"b3\", \"b4\", \"b5\", \"b6\", \"b7\", \"b8\", \"b9\", \"b10\", \"b11\", \"b12\", "
		     "\"b13\", \"b14\", \"b15\", \"b16\", \"b17\", \"b18\", \"b19\", \"b20\", \"b21\", \"c1\" use restricted volume "
		     "types \"awsElasticBlockStore\", \"azureDisk\", \"azureFile\", \"cephfs\", \"cinder\", \"fc\", \"flexVolume\", "
		     "\"flocker\", \"gcePersistentDisk\", \"gitRepo\", \"glusterfs\", \"hostPath\", \"iscsi\", \"nfs\", "
		     "\"photonPersistentDisk\", \"portworxVolume\", \"quobyte\", \"rbd\", \"scaleIO\", \"storageos\", \"unknown\", "
		     "\"vsphereVolume\")");
	gh_buf_free(&b);
}
