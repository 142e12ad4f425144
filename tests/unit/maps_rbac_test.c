/* The published RBAC after writes through the Kubernetes API (engine_kube_write): each
 * write is applied to the cluster's in-memory source and one shard recompiled; the result
 * must decide as a whole reload from the store does, other clusters' entries must be the
 * same objects as before, and aws-auth keeps its last-known-good sections. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/k8s/rbac.h"
#include "domain/k8s/resources.h"
#include "engine/engine_internal.h"
#include "engine/kube.h"
#include "engine/maps.h"
#include "store/cluster_store.h"
#include "test.h"

static const char *const masters[] = { "system:masters", "system:authenticated" };
static const kube_user admin = { .name = "admin", .groups = masters, .ngroups = 2 };

static bool kwrite(gh_engine *e, int op, const char *group, const char *kind, const char *ns, const char *name,
		   const char *json)
{
	json_t *body = json ? json_loads(json, 0, NULL) : NULL;
	const k8s_resource *r = k8s_resource_by_kind(gh_str_c(group), gh_str_c(kind));
	if (!r || (json && !body)) {
		json_decref(body);
		return false;
	}
	kube_write w = { .op = op, .res = r, .ns = ns, .name = op == KUBE_CREATE ? "" : name, .body = body,
			 .user = &admin };
	kube_write_result out = { 0 };
	kube_status st = { 0 };
	bool ok = engine_kube_write(e, "demo", &w, &out, &st);
	if (!ok)
		test_failed(__FILE__, __LINE__, "%s %s/%s: %s", kind, ns, name, st.message ? st.message : "?");
	kube_write_result_clear(&out);
	kube_status_clear(&st);
	json_decref(body);
	return ok;
}

#define RB "rbac.authorization.k8s.io"

/* Decisions of a fixed set of requests on the published policy, as a bit string. */
static void decisions(gh_engine *e, char *out, size_t n)
{
	static const char *const users[] = { "alice", "bob", "carol", "system:serviceaccount:team-a:bot" };
	static const char *const nss[] = { "", "team-a", "team-b", "default" };
	static const char *const verbs[] = { "get", "list", "delete" };
	static const char *const res[] = { "pods", "secrets", "nodes", "widgets" };
	gh_cluster_maps *m = maps_acquire(e);
	const gh_cluster_map *cm = maps_find(m, GH_STR("demo"));
	size_t k = 0;
	for (size_t u = 0; u < 4; u++)
		for (size_t s = 0; s < 4; s++)
			for (size_t v = 0; v < 3; v++)
				for (size_t r = 0; r < 4 && k + 1 < n; r++) {
					gh_str g = GH_STR("devs");
					rbac_attrs a = { .user = { .name = gh_str_c(users[u]), .groups = &g, .ngroups = u == 1 },
							 .resource_request = true, .verb = gh_str_c(verbs[v]),
							 .namespace = gh_str_c(nss[s]), .resource = gh_str_c(res[r]) };
					rbac_verdict vd;
					out[k++] = cm && cm->rbac && rbac_authorize(cm->rbac, &a, &vd, NULL) == RBAC_ALLOW ? '1' : '0';
				}
	out[k] = '\0';
	maps_unref(m);
}

/* The incrementally published decisions equal those of a whole reload from the store. */
static void same_as_reload(gh_engine *e, const char *step)
{
	char inc[256], full[256];
	decisions(e, inc, sizeof inc);
	pthread_mutex_lock(&e->write_mu);
	maps_rbac_free(e->rbac);
	e->rbac = NULL;
	gh_err err;
	bool ok = maps_publish(e, &err);
	pthread_mutex_unlock(&e->write_mu);
	if (!ok)
		test_failed(__FILE__, __LINE__, "%s: reload: %s", step, err.msg);
	decisions(e, full, sizeof full);
	if (strcmp(inc, full) != 0)
		test_failed(__FILE__, __LINE__, "%s: incremental %s != reload %s", step, inc, full);
}

static bool allowed(gh_engine *e, const char *user, const char *ns, const char *verb, const char *resource)
{
	gh_cluster_maps *m = maps_acquire(e);
	const gh_cluster_map *cm = maps_find(m, GH_STR("demo"));
	rbac_attrs a = { .user = { .name = gh_str_c(user) }, .resource_request = true, .verb = gh_str_c(verb),
			 .namespace = gh_str_c(ns), .resource = gh_str_c(resource) };
	rbac_verdict v;
	bool ok = cm && cm->rbac && rbac_authorize(cm->rbac, &a, &v, NULL) == RBAC_ALLOW;
	maps_unref(m);
	return ok;
}

TEST(maps_rbac_writes_publish_incrementally)
{
	char dir[] = "/tmp/gh-maps-rbac-XXXXXX";
	REQUIRE(mkdtemp(dir));
	gh_log_set_level(GH_LOG_ERROR);
	gh_engine_config cfg = { .state_dir = dir, .region = "us-east-1", .partition = "aws" };
	gh_engine *e;
	gh_err err;
	REQUIRE(engine_open(&cfg, &e, NULL, &err));
	REQUIRE(db_begin(e->db, &err));
	bool created = cluster_store_create(db_conn(e->db), "other", e->account, "us-east-1", "aws", NULL, engine_now(e), &err);
	REQUIRE(db_commit(e->db, &err) && created);
	REQUIRE(engine_publish(e, GH_PUBLISH_MAPS, &err));

	REQUIRE(kwrite(e, KUBE_CREATE, "", "Namespace", "", "team-a", "{\"metadata\":{\"name\":\"team-a\"}}"));
	REQUIRE(kwrite(e, KUBE_CREATE, RB, "Role", "team-a", "pods",
		       "{\"metadata\":{\"name\":\"pods\",\"namespace\":\"team-a\"},\"rules\":[{\"apiGroups\":[\"\"],"
		       "\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]}"));
	CHECK(!allowed(e, "alice", "team-a", "get", "pods"));
	REQUIRE(kwrite(e, KUBE_CREATE, RB, "RoleBinding", "team-a", "alice-pods",
		       "{\"metadata\":{\"name\":\"alice-pods\",\"namespace\":\"team-a\"},\"roleRef\":{\"apiGroup\":\"" RB
		       "\",\"kind\":\"Role\",\"name\":\"pods\"},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"" RB
		       "\",\"name\":\"alice\"},{\"kind\":\"ServiceAccount\",\"name\":\"bot\"}]}"));
	CHECK(allowed(e, "alice", "team-a", "get", "pods"));
	CHECK(allowed(e, "system:serviceaccount:team-a:bot", "team-a", "list", "pods"));
	CHECK(!allowed(e, "alice", "default", "get", "pods"));
	same_as_reload(e, "RoleBinding create");

	/* a RoleBinding to a ClusterRole created after it: resolved once the ClusterRole is there */
	REQUIRE(kwrite(e, KUBE_CREATE, RB, "RoleBinding", "team-a", "bob-widgets",
		       "{\"metadata\":{\"name\":\"bob-widgets\",\"namespace\":\"team-a\"},\"roleRef\":{\"apiGroup\":\"" RB
		       "\",\"kind\":\"ClusterRole\",\"name\":\"widgets\"},\"subjects\":[{\"kind\":\"Group\",\"apiGroup\":\"" RB
		       "\",\"name\":\"devs\"}]}"));
	same_as_reload(e, "RoleBinding to a missing ClusterRole");
	REQUIRE(kwrite(e, KUBE_CREATE, RB, "ClusterRole", "", "widgets",
		       "{\"metadata\":{\"name\":\"widgets\",\"labels\":{\"rbac.authorization.k8s.io/aggregate-to-view\":"
		       "\"true\"}},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"widgets\"],\"verbs\":[\"get\"]}]}"));
	same_as_reload(e, "ClusterRole create");
	/* aggregated into view (and so edit and admin) */
	gh_cluster_maps *m2 = maps_acquire(e);
	const rbac_role *view = rbac_policy_role(maps_find(m2, GH_STR("demo"))->rbac, GH_STR(""), GH_STR("view"));
	bool has = false;
	for (size_t i = 0; view && i < view->nrules; i++)
		for (size_t k = 0; k < view->rules[i].resources.n; k++)
			has |= gh_str_eq_c(view->rules[i].resources.v[k], "widgets");
	CHECK(has);
	maps_unref(m2);
	REQUIRE(kwrite(e, KUBE_UPDATE, RB, "ClusterRole", "", "widgets",
		       "{\"metadata\":{\"name\":\"widgets\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"widgets\","
		       "\"secrets\"],\"verbs\":[\"get\",\"delete\"]}]}"));
	same_as_reload(e, "ClusterRole update");
	REQUIRE(kwrite(e, KUBE_CREATE, RB, "ClusterRoleBinding", "", "carol-nodes",
		       "{\"metadata\":{\"name\":\"carol-nodes\"},\"roleRef\":{\"apiGroup\":\"" RB
		       "\",\"kind\":\"ClusterRole\",\"name\":\"view\"},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"" RB
		       "\",\"name\":\"carol\"}]}"));
	CHECK(allowed(e, "carol", "team-b", "list", "pods"));
	same_as_reload(e, "ClusterRoleBinding create");
	REQUIRE(kwrite(e, KUBE_UPDATE, RB, "Role", "team-a", "pods",
		       "{\"metadata\":{\"name\":\"pods\",\"namespace\":\"team-a\"},\"rules\":[{\"apiGroups\":[\"\"],"
		       "\"resources\":[\"pods\",\"secrets\"],\"verbs\":[\"delete\"]}]}"));
	CHECK(allowed(e, "alice", "team-a", "delete", "secrets"));
	CHECK(!allowed(e, "alice", "team-a", "get", "pods"));
	same_as_reload(e, "Role update");
	REQUIRE(kwrite(e, KUBE_DELETE, RB, "ClusterRoleBinding", "", "carol-nodes", NULL));
	CHECK(!allowed(e, "carol", "team-b", "list", "pods"));
	same_as_reload(e, "ClusterRoleBinding delete");

	/* held, so the entry stays alive and its address means something */
	gh_cluster_maps *before = maps_acquire(e);
	const gh_cluster_map *other = maps_find(before, GH_STR("other"));
	CHECK(other != NULL);

	/* aws-auth: a broken section keeps the last good one, on this path as on every other */
	REQUIRE(kwrite(e, KUBE_UPDATE, "", "ConfigMap", "kube-system", "aws-auth",
		       "{\"metadata\":{\"name\":\"aws-auth\",\"namespace\":\"kube-system\"},\"data\":{\"mapUsers\":"
		       "\"- userarn: arn:aws:iam::111122223333:user/dana\\n  username: dana\\n\"}}"));
	gh_cluster_maps *m = maps_acquire(e);
	const gh_cluster_map *demo = maps_find(m, GH_STR("demo"));
	CHECK(demo && demo->cfg && demo->cfg->n_users == 1);
	maps_unref(m);
	REQUIRE(kwrite(e, KUBE_UPDATE, "", "ConfigMap", "kube-system", "aws-auth",
		       "{\"metadata\":{\"name\":\"aws-auth\",\"namespace\":\"kube-system\"},\"data\":{\"mapUsers\":"
		       "\"- userarn: [oops\\n\"}}"));
	m = maps_acquire(e);
	demo = maps_find(m, GH_STR("demo"));
	CHECK(demo && demo->cfg && demo->cfg->n_users == 1 && demo->cfg->kept_previous[1]);
	CHECK(maps_find(m, GH_STR("other")) == other); /* never rebuilt by writes to demo */
	maps_unref(m);
	maps_unref(before);

	/* deleting the namespace deletes its RBAC */
	REQUIRE(kwrite(e, KUBE_DELETE, "", "Namespace", "", "team-a", NULL));
	CHECK(!allowed(e, "alice", "team-a", "delete", "secrets"));
	same_as_reload(e, "Namespace delete");
	engine_close(e);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}
