/* Pod Security through the engine: namespace labels come from the cluster's stored
 * Namespace objects, the cache of them follows every committed write, and a namespace
 * update that tightens enforce is checked against the stored pods. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_internal.h"
#include "engine/pss_admit.h"
#include "store/cluster_store.h"
#include "test.h"

typedef struct put {
	const char *kind, *ns, *name, *body;
} put;

static bool put_tx(gh_engine *e, void *ctx, gh_err *err)
{
	const put *p = ctx;
	return cluster_store_put_object(db_conn(e->db), "demo", p->kind, p->ns, p->name, p->body, err);
}

static pss_response admit_pod(gh_engine *e, gh_arena *a, json_t *pod)
{
	gh_admission_request r = { .req = { .op = PSS_OP_CREATE,
					    .resource = { GH_STR(""), GH_STR("v1"), GH_STR("pods") },
					    .name = GH_STR("p"),
					    .namespace = GH_STR("team"),
					    .object = pod } };
	pss_response res;
	engine_pss_admit(e, GH_STR("demo"), &r, a, &res);
	return res;
}

TEST(pss_engine_namespace_labels_follow_the_store)
{
	char dir[] = "/tmp/gh-pss-engine-XXXXXX";
	REQUIRE(mkdtemp(dir));
	gh_engine_config cfg = { .state_dir = dir };
	gh_engine *e = NULL;
	gh_err err = { 0 };
	REQUIRE(engine_open(&cfg, &e, NULL, &err));
	gh_arena a;
	gh_arena_init(&a, 0);
	json_t *pod = json_loads("{\"metadata\":{\"name\":\"p\",\"namespace\":\"team\"},"
				 "\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}",
				 0, NULL);

	/* No Namespace stored: the defaults (privileged) allow. */
	pss_response r = admit_pod(e, &a, pod);
	CHECK(r.allowed && r.naudit == 0);

	put ns = { "Namespace", "", "team",
		   "{\"metadata\":{\"name\":\"team\",\"labels\":{\"pod-security.kubernetes.io/enforce\":\"baseline\"}}}" };
	REQUIRE(engine_tx(e, put_tx, &ns, &err));
	r = admit_pod(e, &a, pod);
	CHECK(!r.allowed);
	CHECK_STR_EQ(r.message, "violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true)");
	r = admit_pod(e, &a, pod); /* from the cache this time: same answer */
	CHECK(!r.allowed);

	/* A label change is seen by the very next request. */
	ns.body = "{\"metadata\":{\"name\":\"team\",\"labels\":{\"pod-security.kubernetes.io/warn\":\"baseline\"}}}";
	REQUIRE(engine_tx(e, put_tx, &ns, &err));
	r = admit_pod(e, &a, pod);
	CHECK(r.allowed);
	REQUIRE(r.nwarnings == 1);
	CHECK_STR_EQ(r.warnings[0], "would violate PodSecurity \"baseline:latest\": host namespaces (hostPID=true)");

	/* Tightening enforce on the namespace warns about its stored pods only. */
	put p1 = { "Pod", "team", "p", json_dumps(pod, JSON_COMPACT) };
	put p2 = { "Pod", "other", "q",
		   "{\"metadata\":{\"name\":\"q\",\"namespace\":\"other\"},\"spec\":{\"hostPID\":true}}" };
	REQUIRE(engine_tx(e, put_tx, &p1, &err));
	REQUIRE(engine_tx(e, put_tx, &p2, &err));
	json_t *newns = json_loads("{\"metadata\":{\"name\":\"team\",\"labels\":{\"pod-security.kubernetes.io/enforce\":"
				   "\"restricted\"}}}", 0, NULL);
	json_t *oldns = json_loads(ns.body, 0, NULL);
	gh_admission_request nr = { .req = { .op = PSS_OP_UPDATE,
					     .resource = { GH_STR(""), GH_STR("v1"), GH_STR("namespaces") },
					     .name = GH_STR("team"),
					     .object = newns,
					     .old_object = oldns } };
	engine_pss_admit(e, GH_STR("demo"), &nr, &a, &r);
	CHECK(r.allowed);
	REQUIRE(r.nwarnings == 2);
	CHECK_STR_EQ(r.warnings[0],
		     "existing pods in namespace \"team\" violate the new PodSecurity enforce level \"restricted:latest\"");
	CHECK_STR_EQ(r.warnings[1], "p: host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, "
				    "runAsNonRoot != true, seccompProfile");
	free((char *)p1.body);
	json_decref(newns);
	json_decref(oldns);
	json_decref(pod);
	gh_arena_free(&a);
	engine_close(e);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

TEST(pss_engine_config_file_errors_name_the_file)
{
	pss_config *c = NULL;
	gh_err err = { 0 };
	CHECK(!engine_pss_load("/nonexistent/pss.yaml", &c, &err));
	CHECK_CONTAINS(err.msg, "/nonexistent/pss.yaml");
	char dir[] = "/tmp/gh-pss-cfg-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char outer[256], inner[256];
	snprintf(outer, sizeof outer, "%s/admission.yaml", dir);
	snprintf(inner, sizeof inner, "%s/pss.yaml", dir);
	FILE *f = fopen(outer, "w");
	REQUIRE(f);
	fputs("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n"
	      "- name: PodSecurity\n  path: pss.yaml\n", f);
	fclose(f);
	f = fopen(inner, "w");
	REQUIRE(f);
	fputs("apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n"
	      "defaults: {enforce: baseline, enforce-version: v1.30}\n", f);
	fclose(f);
	REQUIRE(engine_pss_load(outer, &c, &err));
	CHECK(pss_config_defaults(c)->enforce.level == PSS_BASELINE && pss_config_defaults(c)->enforce.minor == 30);
	pss_config_free(c);
	f = fopen(inner, "w");
	REQUIRE(f);
	fputs("kind: PodSecurityConfiguration\napiVersion: pod-security.admission.config.k8s.io/v1\n"
	      "defaults: {warn: loud}\n", f);
	fclose(f);
	CHECK(!engine_pss_load(outer, &c, &err));
	CHECK_CONTAINS(err.msg, "pss.yaml: defaults.warn: Invalid value: \"loud\"");
	unlink(outer);
	unlink(inner);
	rmdir(dir);
}
