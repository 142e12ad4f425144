/* The Kubernetes API's pure pieces: request info as kube-apiserver derives it, label and
 * field selectors, the served resources, and the object cache with its watch log. */
#include <string.h>

#include "domain/k8s/reqinfo.h"
#include "domain/k8s/resources.h"
#include "domain/k8s/selector.h"
#include "engine/kube_cache.h"
#include "test.h"

static k8s_reqinfo ri(const char *method, const char *path, bool watch)
{
	k8s_reqinfo r;
	CHECK(k8s_reqinfo_parse(gh_str_c(method), gh_str_c(path), watch, GH_STR(""), &r));
	return r;
}

#define CHECK_VIEW(v, s) CHECK(gh_str_eq_c((v), (s)))

TEST(reqinfo_resource_requests)
{
	k8s_reqinfo r = ri("GET", "/api/v1/namespaces/default/pods", false);
	CHECK(r.resource_request);
	CHECK_STR_EQ(r.verb, "list");
	CHECK_VIEW(r.namespace, "default");
	CHECK_VIEW(r.resource, "pods");
	CHECK_VIEW(r.group, "");
	r = ri("GET", "/api/v1/namespaces/default/pods", true);
	CHECK_STR_EQ(r.verb, "watch");
	r = ri("GET", "/api/v1/namespaces/default/pods/web/log", false);
	CHECK_STR_EQ(r.verb, "get");
	CHECK_VIEW(r.name, "web");
	CHECK_VIEW(r.subresource, "log");
	r = ri("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", false);
	CHECK_STR_EQ(r.verb, "create");
	CHECK_VIEW(r.group, "rbac.authorization.k8s.io");
	CHECK_VIEW(r.version, "v1");
	r = ri("DELETE", "/api/v1/namespaces/ns/configmaps", false);
	CHECK_STR_EQ(r.verb, "deletecollection");
	r = ri("DELETE", "/api/v1/namespaces/ns/configmaps/x", false);
	CHECK_STR_EQ(r.verb, "delete");
	r = ri("PUT", "/api/v1/namespaces/ns/configmaps/x", false);
	CHECK_STR_EQ(r.verb, "update");
	r = ri("PATCH", "/api/v1/namespaces/ns/configmaps/x", false);
	CHECK_STR_EQ(r.verb, "patch");
	/* a namespace is its own namespace; its status is a subresource of it */
	r = ri("GET", "/api/v1/namespaces/kube-system", false);
	CHECK_VIEW(r.resource, "namespaces");
	CHECK_VIEW(r.name, "kube-system");
	CHECK_VIEW(r.namespace, "kube-system");
	r = ri("PUT", "/api/v1/namespaces/kube-system/finalize", false);
	CHECK_VIEW(r.resource, "namespaces");
	CHECK_VIEW(r.subresource, "finalize");
	/* the deprecated /watch/ prefix */
	r = ri("GET", "/api/v1/watch/namespaces/a/pods", false);
	CHECK_STR_EQ(r.verb, "watch");
	CHECK_VIEW(r.namespace, "a");
}

TEST(reqinfo_non_resource_and_bounds)
{
	const char *paths[] = { "/version", "/api", "/apis", "/apis/apps", "/api/v1", "/apis/apps/v1", "/healthz",
				"/openapi/v3" };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		k8s_reqinfo r = ri("GET", paths[i], false);
		CHECK(!r.resource_request);
		CHECK_STR_EQ(r.verb, "get");
	}
	k8s_reqinfo r;
	CHECK(k8s_reqinfo_parse(GH_STR("GET"), GH_STR("/api/v1/namespaces/a/configmaps"), false, GH_STR("x"), &r));
	CHECK_VIEW(r.name, "x"); /* metadata.name= on a list names the object for authorization */
	char big[K8S_MAX_PATH + 16];
	memset(big, 'a', sizeof big - 1);
	big[0] = '/';
	big[sizeof big - 1] = '\0';
	CHECK(!k8s_reqinfo_parse(GH_STR("GET"), gh_str_c(big), false, GH_STR(""), &r));
}

static bool labels_match(const char *sel, const char *labels_json)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	k8s_selector s;
	char problem[300];
	bool ok = k8s_label_selector_parse(gh_str_c(sel), &a, &s, problem, sizeof problem);
	json_t *l = json_loads(labels_json, 0, NULL);
	bool m = ok && k8s_selector_match_labels(&s, l);
	json_decref(l);
	gh_arena_free(&a);
	return m;
}

TEST(label_selectors_match_as_upstream)
{
	CHECK(labels_match("app=web", "{\"app\":\"web\"}"));
	CHECK(labels_match("app==web,tier!=db", "{\"app\":\"web\",\"tier\":\"fe\"}"));
	CHECK(!labels_match("app=web,tier!=db", "{\"app\":\"web\",\"tier\":\"db\"}"));
	CHECK(labels_match("tier!=db", "{}")); /* != matches a missing label */
	CHECK(labels_match("env in (a, b)", "{\"env\":\"b\"}"));
	CHECK(!labels_match("env notin (a,b)", "{\"env\":\"a\"}"));
	CHECK(labels_match("env notin (a,b)", "{}"));
	CHECK(labels_match("legacy", "{\"legacy\":\"\"}"));
	CHECK(labels_match("!legacy", "{\"app\":\"x\"}"));
	CHECK(!labels_match("!legacy", "{\"legacy\":\"yes\"}"));
	CHECK(labels_match("", "{\"a\":\"b\"}"));
	CHECK(labels_match("example.com/team=core", "{\"example.com/team\":\"core\"}"));
}

TEST(label_selector_errors_name_the_problem)
{
	const char *bad[] = { "app=", "=web", "app=web,", "env in a", "env in (a", "app=we b", "-bad=x", "a==b==c" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		gh_arena a;
		gh_arena_init(&a, 0);
		k8s_selector s;
		char problem[300] = "";
		bool ok = k8s_label_selector_parse(gh_str_c(bad[i]), &a, &s, problem, sizeof problem);
		if (strcmp(bad[i], "app=") == 0) {
			CHECK(ok); /* an empty value is a valid value */
		} else {
			CHECK(!ok);
			CHECK(problem[0] != '\0');
		}
		gh_arena_free(&a);
	}
}

TEST(field_selectors)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	k8s_selector s;
	char problem[300];
	REQUIRE(k8s_field_selector_parse(GH_STR("metadata.name=web,status.phase!=Running"), &a, &s, problem,
					 sizeof problem));
	CHECK(gh_str_eq_c(k8s_field_selector_name(&s), "web"));
	json_t *pod = json_loads("{\"metadata\":{\"name\":\"web\"},\"status\":{\"phase\":\"Pending\"}}", 0, NULL);
	CHECK(k8s_selector_match_fields(&s, pod));
	json_object_set_new(json_object_get(pod, "status"), "phase", json_string("Running"));
	CHECK(!k8s_selector_match_fields(&s, pod));
	json_decref(pod);
	CHECK(!k8s_field_selector_parse(GH_STR("metadata.name"), &a, &s, problem, sizeof problem));
	gh_arena_free(&a);
}

TEST(resources_table_is_consistent)
{
	size_t n;
	const k8s_resource *rs = k8s_resources(&n);
	for (size_t i = 0; i < n; i++) {
		CHECK(k8s_resource_find(gh_str_c(rs[i].group), gh_str_c(rs[i].version), gh_str_c(rs[i].resource)) ==
		      &rs[i]);
		if (rs[i].stored)
			CHECK(k8s_resource_by_kind(gh_str_c(rs[i].group), gh_str_c(rs[i].kind)) == &rs[i]);
		else
			CHECK(rs[i].verbs == K8S_VERB_CREATE);
	}
	const char *names[8];
	CHECK_INT_EQ(k8s_verb_names(K8S_VERBS_ALL, names, 8), 8);
	CHECK_STR_EQ(names[0], "create");
	CHECK_STR_EQ(names[7], "watch");
}

TEST(kube_cache_lists_sorted_and_watches_in_order)
{
	kube_cache *c = kube_cache_new();
	REQUIRE(c);
	kube_cache_set_rv(c, 10);
	const char *names[] = { "b", "a", "c" };
	for (int i = 0; i < 3; i++)
		kube_cache_put(c, kobj_new("demo", "ConfigMap", "ns", names[i], "{}", 2, 11 + i), KUBE_ADDED);
	kube_cache_put(c, kobj_new("other", "ConfigMap", "ns", "z", "{}", 2, 14), KUBE_ADDED);
	kobj **objs;
	size_t n;
	int64_t rv;
	REQUIRE(kube_cache_list(c, "demo", "ConfigMap", "ns", &objs, &n, &rv));
	CHECK_INT_EQ(n, 3);
	CHECK_INT_EQ(rv, 14);
	CHECK_STR_EQ(objs[0]->name, "a");
	CHECK_STR_EQ(objs[2]->name, "c");
	kube_cache_list_free(objs, n);
	/* replace and delete */
	kube_cache_put(c, kobj_new("demo", "ConfigMap", "ns", "a", "{\"x\":1}", 7, 15), KUBE_MODIFIED);
	kobj *a = kube_cache_get(c, "demo", "ConfigMap", "ns", "a");
	REQUIRE(a);
	CHECK_STR_EQ(a->body, "{\"x\":1}");
	kobj_unref(a);
	kube_cache_delete(c, kobj_new("demo", "ConfigMap", "ns", "b", "{}", 2, 16));
	CHECK(kube_cache_get(c, "demo", "ConfigMap", "ns", "b") == NULL);
	/* a watch from rv 10 sees demo's events in order, not other's */
	int64_t since = 10;
	kube_event ev[16];
	int k = kube_cache_watch(c, "demo", "ConfigMap", NULL, &since, ev, 16, 10);
	CHECK_INT_EQ(k, 5);
	CHECK_INT_EQ(ev[3].type, KUBE_MODIFIED);
	CHECK_INT_EQ(ev[4].type, KUBE_DELETED);
	CHECK_INT_EQ(since, 16);
	for (int i = 0; i < k; i++)
		kobj_unref(ev[i].obj);
	/* nothing new: times out with 0 */
	CHECK_INT_EQ(kube_cache_watch(c, "demo", "ConfigMap", NULL, &since, ev, 16, 10), 0);
	/* many tables grow past their first size */
	for (int i = 0; i < 200; i++) {
		char nm[16];
		snprintf(nm, sizeof nm, "n%03d", i);
		kube_cache_put(c, kobj_new("demo", "Secret", "ns", nm, "{}", 2, 20 + i), KUBE_ADDED);
	}
	REQUIRE(kube_cache_list(c, "demo", "Secret", NULL, &objs, &n, &rv));
	CHECK_INT_EQ(n, 200);
	kube_cache_list_free(objs, n);
	kube_cache_free(c);
}

TEST(kube_cache_watch_too_old_is_gone)
{
	kube_cache *c = kube_cache_new();
	REQUIRE(c);
	for (int i = 0; i < KUBE_EVENT_LOG + 10; i++)
		kube_cache_put(c, kobj_new("demo", "ConfigMap", "ns", "x", "{}", 2, 1 + i), KUBE_MODIFIED);
	int64_t since = 1;
	kube_event ev[4];
	CHECK_INT_EQ(kube_cache_watch(c, "demo", "ConfigMap", NULL, &since, ev, 4, 10), -1);
	kube_cache_free(c);
}
