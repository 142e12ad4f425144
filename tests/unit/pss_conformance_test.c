/* Pod Security conformance: every fixture of upstream's test/testdata (../shared/conformance/
 * pod-security/<level>/v1.<N>/<pass|fail>/<file>.yaml), evaluated at <level>:v1.<N>. A pass
 * fixture is allowed with no warning; a fail fixture is denied with the substring its file
 * prefix calls for, never "unknown forbidden reason"; wrapped in a Deployment it gives a
 * warning and is never rejected. Prints the counts per level. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/yaml.h"
#include "domain/k8s/pss.h"
#include "domain/k8s/pss_admit.h"
#include "domain/k8s/pss_pod.h"
#include "test.h"

/* conformance/README.md: the substring a fail fixture's message must hold, by file prefix
 * (longest prefix first where two overlap). */
static const char *expected_substring(const char *file, char *buf, size_t n)
{
	static const struct {
		const char *prefix, *want;
	} table[] = {
		{ "apparmorprofile", "forbidden AppArmor profile" },
		{ "capabilities_baseline", "capabilities" },
		{ "capabilities_restricted", "unrestricted capabilities" },
		{ "hostnamespaces", "host namespaces" },
		{ "hostpathvolumes", "hostPath" },
		{ "hostports", "hostPort" },
		{ "hostprobesandhostlifecycle", "probe or lifecycle host" },
		{ "procmount", "procMount" },
		{ "restrictedvolumes", "restricted volume types" },
		{ "selinuxoptions", "seLinuxOptions" },
		{ "seccompprofile_", "seccompProfile" },
		{ "sysctls", "forbidden sysctl" },
		{ "windowshostprocess", "hostProcess" },
	};
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (strncmp(file, table[i].prefix, strlen(table[i].prefix)) == 0)
			return table[i].want;
	static const char *const ids[] = { "allowPrivilegeEscalation", "privileged", "runAsNonRoot", "runAsUser" };
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		if (strncasecmp(file, ids[i], strlen(ids[i])) == 0 &&
		    (file[strlen(ids[i])] >= '0' && file[strlen(ids[i])] <= '9')) {
			snprintf(buf, n, "%s", ids[i]);
			return buf;
		}
	}
	return NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml names of a folder, sorted; *n = 0 when it does not exist. */
static char **list_yaml(const char *dir, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			v = realloc(v, cap * sizeof *v);
		}
		v[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, *n, sizeof *v, cmp_names);
	return v;
}

static json_t *load_yaml(const char *path)
{
	size_t len;
	char *text = test_read_file(path, &len);
	if (!text)
		return NULL;
	json_t *doc = NULL;
	gh_err e = { 0 };
	if (!gh_yaml_load((gh_str){ text, len }, NULL, &doc, &e))
		test_failed(__FILE__, __LINE__, "%s: %s", path, e.msg);
	free(text);
	return doc;
}

/* The fixture pod as a Deployment's template, then through the controller path of the
 * admission decision at enforce=warn=lv: a warning exactly when the pod fails, never a
 * rejection. */
static void check_deployment(json_t *pod, pss_lv lv, bool fails, const char *path)
{
	json_t *labels = json_pack("{s:s, s:s, s:s, s:s}", "pod-security.kubernetes.io/enforce", pss_level_name(lv.level),
				   "pod-security.kubernetes.io/enforce-version", "", "pod-security.kubernetes.io/warn",
				   pss_level_name(lv.level), "pod-security.kubernetes.io/warn-version", "");
	char ver[24];
	snprintf(ver, sizeof ver, "v1.%lld", (long long)lv.minor);
	json_object_set_new(labels, "pod-security.kubernetes.io/enforce-version", json_string(ver));
	json_object_set_new(labels, "pod-security.kubernetes.io/warn-version", json_string(ver));
	json_t *deploy = json_pack("{s:s, s:s, s:{s:s}, s:{s:{s:O, s:O}}}", "apiVersion", "apps/v1", "kind",
				   "Deployment", "metadata", "name", "wrapped", "spec", "template", "metadata",
				   json_object_get(pod, "metadata"), "spec", json_object_get(pod, "spec"));
	pss_config *cfg = pss_config_default();
	pss_request r = { .op = PSS_OP_CREATE,
			  .resource = { GH_STR("apps"), GH_STR("v1"), GH_STR("deployments") },
			  .name = GH_STR("wrapped"),
			  .namespace = GH_STR("conformance"),
			  .ns_labels = labels,
			  .object = deploy };
	gh_arena a;
	gh_arena_init(&a, 0);
	pss_response res;
	pss_admit(cfg, &r, &a, &res);
	if (!res.allowed)
		test_failed(__FILE__, __LINE__, "%s: deployment rejected: %s", path, res.message);
	if (fails != (res.nwarnings == 1))
		test_failed(__FILE__, __LINE__, "%s: deployment gave %zu warnings (fails=%d)", path, res.nwarnings, fails);
	for (size_t i = 0; i < res.nwarnings; i++)
		if (strstr(res.warnings[i], "unknown forbidden reason"))
			test_failed(__FILE__, __LINE__, "%s: %s", path, res.warnings[i]);
	gh_arena_free(&a);
	pss_config_free(cfg);
	json_decref(deploy);
	json_decref(labels);
}

/* Returns how many fixtures ran. */
static size_t run_dir(const char *level, int minor, bool pass)
{
	char rel[128], dir[512];
	snprintf(rel, sizeof rel, "conformance/pod-security/%s/v1.%d/%s", level, minor, pass ? "pass" : "fail");
	snprintf(dir, sizeof dir, "%s", test_shared_path(rel));
	size_t n;
	char **files = list_yaml(dir, &n);
	pss_lv lv = { .minor = minor };
	(void)pss_level_parse(gh_str_c(level), &lv.level);
	pss_result r = { 0 };
	for (size_t i = 0; i < n; i++) {
		char path[768];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		json_t *pod = load_yaml(path);
		gh_arena a;
		gh_arena_init(&a, 0);
		pss_pod p;
		gh_err e = { 0 };
		if (!pod || !pss_pod_decode_object(pod, &a, &p, &e)) {
			test_failed(__FILE__, __LINE__, "%s: decode: %s", path, e.msg);
		} else {
			bool allowed = pss_evaluate(&p, lv, &r);
			const char *detail = r.detail.p ? r.detail.p : "";
			char idbuf[64];
			const char *want = expected_substring(files[i], idbuf, sizeof idbuf);
			if (pass && !allowed) {
				test_failed(__FILE__, __LINE__, "%s: denied: %s", path, detail);
			} else if (!pass && allowed) {
				test_failed(__FILE__, __LINE__, "%s: allowed", path);
			} else if (!pass && (!want || !strstr(detail, want))) {
				test_failed(__FILE__, __LINE__, "%s: \"%s\" lacks \"%s\"", path, detail, want ? want : "?");
			} else if (strstr(detail, "unknown forbidden reason")) {
				test_failed(__FILE__, __LINE__, "%s: %s", path, detail);
			}
			check_deployment(pod, lv, !pass, path);
		}
		gh_arena_free(&a);
		json_decref(pod);
		free(files[i]);
	}
	pss_result_free(&r);
	free(files);
	return n;
}

TEST(pss_conformance_every_fixture)
{
	const char *levels[] = { "baseline", "restricted" };
	size_t total = 0;
	for (size_t l = 0; l < 2; l++) {
		size_t pass = 0, fail = 0, versions = 0;
		for (int minor = 0; minor <= PSS_MAX_MINOR; minor++) {
			size_t np = run_dir(levels[l], minor, true);
			size_t nf = run_dir(levels[l], minor, false);
			versions += (np + nf) > 0;
			pass += np;
			fail += nf;
		}
		printf("pss conformance: %s: %zu versions, %zu pass + %zu fail fixtures\n", levels[l], versions, pass,
		       fail);
		CHECK(versions == PSS_MAX_MINOR + 1);
		total += pass + fail;
	}
	CHECK_INT_EQ(total, 4537);
}
