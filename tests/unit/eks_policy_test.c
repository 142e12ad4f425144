#include <jansson.h>

#include "domain/eks/access_policy.h"
#include "domain/eks/eks_errors.h"
#include "domain/eks/policy_authz.h"
#include "test.h"

static char *s(gh_str v)
{
	static char buf[8][1024];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%.*s", (int)v.n, v.p ? v.p : "");
	return buf[k];
}

/* ---- the catalog against the shared reference -------------------------------------------------- */

/* The JSON list at `key` (absent = empty) equals the C list, in order. */
static bool same_list(json_t *rule, const char *key, const gh_eks_strs *l, const char *policy, size_t r)
{
	json_t *arr = json_object_get(rule, key);
	size_t n = arr ? json_array_size(arr) : 0;
	if (arr && !json_is_array(arr)) {
		test_failed(__FILE__, __LINE__, "%s rule %zu: %s is not a list", policy, r, key);
		return false;
	}
	if (n != l->n) {
		test_failed(__FILE__, __LINE__, "%s rule %zu: %s has %zu items in the JSON, %zu in C", policy, r, key, n,
			    l->n);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *want = json_string_value(json_array_get(arr, i));
		if (!want || !gh_str_eq_c(l->v[i], want)) {
			test_failed(__FILE__, __LINE__, "%s rule %zu: %s[%zu] is \"%s\" in the JSON, \"%s\" in C", policy, r,
				    key, i, want ? want : "(not a string)", s(l->v[i]));
			return false;
		}
	}
	return true;
}

TEST(eks_policy_catalog_matches_shared_reference)
{
	const char *path = test_shared_path("reference/eks/access-policies.json");
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		test_failed(__FILE__, __LINE__, "%s: %s", path, jerr.text);
		return;
	}
	json_t *pols = json_object_get(doc, "policies");
	REQUIRE(json_is_array(pols) && json_array_size(pols) > 0);
	size_t idx;
	json_t *jp;
	json_array_foreach(pols, idx, jp)
	{
		const char *name = json_string_value(json_object_get(jp, "name"));
		const char *arn = json_string_value(json_object_get(jp, "arn"));
		REQUIRE(name && arn);
		const gh_eks_access_policy *p = gh_eks_policy_by_name(gh_str_c(name));
		if (!p) {
			test_failed(__FILE__, __LINE__, "%s is missing from the C catalog", name);
			continue;
		}
		CHECK_STR_EQ(s(p->arn), arn);
		CHECK_INT_EQ(p->source, GH_EKS_POLICY_SRC_REFERENCE);
		json_t *rules = json_object_get(jp, "rules");
		if (json_is_null(rules) || !rules) {
			if (p->rules_published || p->n_rules)
				test_failed(__FILE__, __LINE__, "%s: no rules in the JSON, %zu in C", name, p->n_rules);
			continue;
		}
		REQUIRE(json_is_array(rules));
		if (!p->rules_published || json_array_size(rules) != p->n_rules) {
			test_failed(__FILE__, __LINE__, "%s: %zu rules in the JSON, %zu in C", name, json_array_size(rules),
				    p->n_rules);
			continue;
		}
		size_t r;
		json_t *jr;
		json_array_foreach(rules, r, jr)
		{
			const gh_eks_policy_rule *cr = &p->rules[r];
			same_list(jr, "apiGroups", &cr->api_groups, name, r);
			same_list(jr, "resources", &cr->resources, name, r);
			same_list(jr, "verbs", &cr->verbs, name, r);
			same_list(jr, "resourceNames", &cr->resource_names, name, r);
			same_list(jr, "nonResourceURLs", &cr->non_resource_urls, name, r);
			const char *key;
			json_t *v;
			json_object_foreach(jr, key, v)
			{
				if (strcmp(key, "apiGroups") && strcmp(key, "resources") && strcmp(key, "verbs") &&
				    strcmp(key, "resourceNames") && strcmp(key, "nonResourceURLs"))
					test_failed(__FILE__, __LINE__, "%s rule %zu: unknown key %s", name, r, key);
			}
		}
	}
	/* Every C policy that claims the reference as its source is in the JSON. */
	size_t refs = 0;
	for (size_t i = 0; i < gh_eks_policy_count(); i++)
		if (gh_eks_policy_at(i)->source == GH_EKS_POLICY_SRC_REFERENCE)
			refs++;
	CHECK_INT_EQ(refs, json_array_size(pols));
	json_decref(doc);
}

TEST(eks_policy_catalog_shape)
{
	static const gh_str prefix = GH_STR("arn:aws:eks::aws:cluster-access-policy/");
	CHECK_INT_EQ(gh_eks_policy_count(), 33);
	for (size_t i = 0; i < gh_eks_policy_count(); i++) {
		const gh_eks_access_policy *p = gh_eks_policy_at(i);
		/* ListAccessPolicies order: by name, bytewise, no duplicates. */
		if (i) {
			gh_str prev = gh_eks_policy_at(i - 1)->name;
			size_t n = prev.n < p->name.n ? prev.n : p->name.n;
			int c = memcmp(prev.p, p->name.p, n);
			if (c > 0 || (c == 0 && prev.n >= p->name.n))
				test_failed(__FILE__, __LINE__, "%s sorts before %s", s(p->name), s(prev));
		}
		CHECK(gh_str_has_prefix(p->arn, prefix));
		CHECK(gh_str_eq(gh_str_sub(p->arn, prefix.n, p->arn.n), p->name));
		CHECK(p->rules_published == (p->n_rules > 0));
		if (p->source == GH_EKS_POLICY_SRC_LIVE_LIST)
			CHECK(!p->rules_published);
		CHECK(gh_eks_policy_by_arn(p->arn, NULL) == p);
	}
	CHECK(gh_eks_policy_at(33) == NULL);
	CHECK_STR_EQ(s(gh_eks_policy_at(0)->name), "AIDevOpsAgentAccessPolicy");
	CHECK_STR_EQ(s(gh_eks_policy_at(32)->name), "AmazonSagemakerHyperpodUserClusterPolicy");

	const gh_eks_access_policy *sr = gh_eks_policy_by_name(GH_STR("AmazonEKSSecretReaderPolicy"));
	REQUIRE(sr && sr->n_rules == 1);
	CHECK_INT_EQ(sr->source, GH_EKS_POLICY_SRC_GUIDE_LATER);
	CHECK_STR_EQ(s(sr->rules[0].resources.v[0]), "secrets");
	const gh_eks_access_policy *argo = gh_eks_policy_by_name(GH_STR("AmazonEKSArgoCDPolicy"));
	REQUIRE(argo);
	CHECK(!argo->rules_published);
	CHECK(gh_eks_policy_by_name(GH_STR("AmazonEKSAutoNodePolicy"))->auto_node);
	CHECK(gh_eks_policy_by_name(GH_STR("AmazonEKSHybridPolicy"))->service_linked_only);
	CHECK(!gh_eks_policy_by_name(GH_STR("AmazonEKSViewPolicy"))->service_linked_only);
	CHECK(gh_eks_policy_by_name(GH_STR("amazoneksviewpolicy")) == NULL);
}

TEST(eks_policy_arns)
{
	gh_str part;
	const gh_eks_access_policy *p =
		gh_eks_policy_by_arn(GH_STR("arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"), &part);
	REQUIRE(p);
	CHECK_STR_EQ(s(part), "aws-cn");
	gh_buf b = { 0 };
	REQUIRE(gh_eks_policy_arn(&b, GH_STR("aws-cn"), p));
	CHECK_STR_EQ(b.p, "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
	gh_buf_free(&b);
	const char *bad[] = {
		"arn:aws:eks:aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", /* the README typo */
		"arn:aws:eks:us-east-1:aws:cluster-access-policy/AmazonEKSViewPolicy",
		"arn:aws:eks::111122223333:cluster-access-policy/AmazonEKSViewPolicy",
		"arn:aws:iam::aws:cluster-access-policy/AmazonEKSViewPolicy",
		"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy/",
		"arn:aws:eks::aws:cluster-access-policy/AmazonEKSMadeUpPolicy",
		"arn:aws:eks::aws:access-policy/AmazonEKSViewPolicy",
		"arn:aws-xx:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
		"AmazonEKSViewPolicy",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (gh_eks_policy_by_arn(gh_str_c(bad[i]), NULL))
			test_failed(__FILE__, __LINE__, "found %s", bad[i]);
}

/* ---- associations --------------------------------------------------------------------------------- */

#define POLICY(n) "arn:aws:eks::aws:cluster-access-policy/" n

static gh_eks_associate_input assoc_in(const char *policy_arn, const char *scope, const gh_str *ns, size_t n)
{
	static gh_str st;
	st = gh_str_c(scope);
	return (gh_eks_associate_input){ .entry_type = GH_EKS_ENTRY_STANDARD, .partition = GH_STR("aws"),
					 .policy_arn = gh_str_c(policy_arn), .scope_type = scope ? &st : NULL,
					 .namespaces = ns, .n_namespaces = n, .now_ms = 1700000000000 };
}

TEST(eks_policy_associate_scopes)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_association as;
	long rep;
	gh_err e = { 0 };
	gh_eks_associate_input in = assoc_in(POLICY("AmazonEKSClusterAdminPolicy"), "cluster", NULL, 0);
	REQUIRE(gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_INT_EQ(rep, -1);
	CHECK_INT_EQ(as.scope.type, GH_EKS_SCOPE_CLUSTER);
	CHECK_INT_EQ(as.scope.n_namespaces, 0);
	CHECK_STR_EQ(s(as.policy_arn), POLICY("AmazonEKSClusterAdminPolicy"));
	CHECK_STR_EQ(s(as.policy->name), "AmazonEKSClusterAdminPolicy");
	CHECK_INT_EQ(as.associated_at_ms, 1700000000000);

	const gh_str ns[] = { GH_STR("dev-*"), GH_STR("production"), GH_STR("*"), GH_STR("*-prod"), GH_STR("a") };
	in = assoc_in(POLICY("AmazonEKSEditPolicy"), "namespace", ns, 5);
	REQUIRE(gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_INT_EQ(as.scope.type, GH_EKS_SCOPE_NAMESPACE);
	REQUIRE(as.scope.n_namespaces == 5);
	CHECK_STR_EQ(s(as.scope.namespaces[0]), "dev-*");

	in = assoc_in(POLICY("AmazonEKSEditPolicy"), "namespace", NULL, 0);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
	CHECK_STR_EQ(e.msg, "At least one namespace is required for an access scope of type namespace.");
	in = assoc_in(POLICY("AmazonEKSEditPolicy"), "cluster", ns, 1);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.msg, "Namespaces can't be specified for an access scope of type cluster.");
	in = assoc_in(POLICY("AmazonEKSEditPolicy"), "Namespace", ns, 1);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.msg, "The accessScope type Namespace is invalid. Valid values are cluster, namespace.");
	in = assoc_in(POLICY("AmazonEKSEditPolicy"), NULL, NULL, 0);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.msg, "The accessScope type is required: cluster or namespace.");

	const char *bad_ns[] = { "Dev", "-dev", "dev-", "dev_x", "dev.x", "", "d\xc3\xa9v",
				 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 64 */ };
	for (size_t i = 0; i < sizeof bad_ns / sizeof *bad_ns; i++) {
		gh_str one[] = { gh_str_c(bad_ns[i]) };
		in = assoc_in(POLICY("AmazonEKSViewPolicy"), "namespace", one, 1);
		gh_err_clear(&e);
		if (gh_eks_associate(&in, &a, &as, &rep, &e)) {
			test_failed(__FILE__, __LINE__, "namespace \"%s\" accepted", bad_ns[i]);
			continue;
		}
		char want[512];
		snprintf(want, sizeof want,
			 "The namespace %s is invalid: a namespace must consist of lower case alphanumeric characters or "
			 "'-', start and end with an alphanumeric character and be at most 63 characters long; '*' may be "
			 "used as a wildcard.",
			 bad_ns[i]);
		CHECK_STR_EQ(e.msg, want);
	}
	gh_arena_free(&a);
}

TEST(eks_policy_associate_targets)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_association as;
	long rep;
	gh_err e = { 0 };
	gh_eks_associate_input in = assoc_in(POLICY("AmazonEKSMadeUpPolicy"), "cluster", NULL, 0);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.code, GH_EKS_RESOURCE_NOT_FOUND);
	CHECK_INT_EQ(e.status, 404);
	CHECK_STR_EQ(e.msg, "The specified policyArn could not be found.");
	in = assoc_in("arn:aws:eks:aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster", NULL, 0);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.code, GH_EKS_RESOURCE_NOT_FOUND);
	/* Another partition's ARN is not this cluster's policy. */
	in = assoc_in("arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "cluster", NULL, 0);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.code, GH_EKS_RESOURCE_NOT_FOUND);
	in.partition = GH_STR("aws-cn");
	REQUIRE(gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(s(as.policy_arn), "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");

	/* Node types take no policies; EC2 (Auto Mode) takes the Auto Mode node policy. */
	for (int t = GH_EKS_ENTRY_EC2_LINUX; t < GH_EKS_ENTRY_NTYPES; t++) {
		in = assoc_in(POLICY("AmazonEKSViewPolicy"), "cluster", NULL, 0);
		in.entry_type = (gh_eks_entry_type)t;
		CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
		CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
		if (t != GH_EKS_ENTRY_EC2) {
			char want[200];
			snprintf(want, sizeof want,
				 "Access policies can't be associated with access entries of type %s: Amazon EKS grants them "
				 "the permissions they need.",
				 gh_eks_entry_type_name((gh_eks_entry_type)t));
			CHECK_STR_EQ(e.msg, want);
		}
	}
	in = assoc_in(POLICY("AmazonEKSAutoNodePolicy"), "cluster", NULL, 0);
	in.entry_type = GH_EKS_ENTRY_EC2;
	CHECK(gh_eks_associate(&in, &a, &as, &rep, &e));
	in = assoc_in(POLICY("AmazonEKSViewPolicy"), "cluster", NULL, 0);
	in.entry_type = GH_EKS_ENTRY_EC2;
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.msg, "Access entries of type EC2 can only be associated with the AmazonEKSAutoNodePolicy access "
			    "policy.");
	in = assoc_in(POLICY("AmazonEKSAutoNodePolicy"), "cluster", NULL, 0);
	in.entry_type = GH_EKS_ENTRY_EC2_LINUX;
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	/* Policies reserved for service-linked roles. */
	in = assoc_in(POLICY("AmazonEKSHybridPolicy"), "cluster", NULL, 0);
	CHECK(!gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_STR_EQ(e.msg, "The access policy AmazonEKSHybridPolicy is designated for AWS service-linked roles only and "
			    "cannot be associated with this access entry.");
	gh_arena_free(&a);
}

TEST(eks_policy_associate_replaces)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_err e = { 0 };
	gh_eks_association existing[2];
	long rep;
	gh_eks_associate_input in = assoc_in(POLICY("AmazonEKSViewPolicy"), "cluster", NULL, 0);
	REQUIRE(gh_eks_associate(&in, &a, &existing[0], &rep, &e));
	in = assoc_in(POLICY("AmazonEKSEditPolicy"), "cluster", NULL, 0);
	in.now_ms = 1700000000500;
	REQUIRE(gh_eks_associate(&in, &a, &existing[1], &rep, &e));

	/* Associating Edit again replaces its scope: one association per policy. */
	const gh_str ns[] = { GH_STR("production"), GH_STR("staging") };
	gh_eks_association as;
	in = assoc_in(POLICY("AmazonEKSEditPolicy"), "namespace", ns, 2);
	in.existing = existing;
	in.n_existing = 2;
	in.now_ms = 1700000009999;
	REQUIRE(gh_eks_associate(&in, &a, &as, &rep, &e));
	CHECK_INT_EQ(rep, 1);
	CHECK_INT_EQ(as.associated_at_ms, 1700000000500);
	CHECK_INT_EQ(as.modified_at_ms, 1700000009999);
	CHECK_INT_EQ(as.scope.type, GH_EKS_SCOPE_NAMESPACE);

	CHECK_INT_EQ(gh_eks_association_find(existing, 2, GH_STR(POLICY("AmazonEKSEditPolicy"))), 1);
	CHECK_INT_EQ(gh_eks_association_find(existing, 2, GH_STR(POLICY("AmazonEKSAdminPolicy"))), -1);
	CHECK_INT_EQ(gh_eks_association_find(existing, 2, GH_STR("nope")), -1);
	gh_arena_free(&a);
}

/* ---- the matcher ---------------------------------------------------------------------------------- */

TEST(eks_policy_namespace_glob)
{
	static const struct {
		const char *pat, *ns;
		bool match;
	} cases[] = {
		{ "dev-*", "dev-a", true },   { "dev-*", "dev-", true },     { "dev-*", "dev", false },
		{ "dev-*", "xdev-a", false }, { "*", "anything", true },     { "*-prod", "team-prod", true },
		{ "*-prod", "prod", false },  { "a*b*c", "axxbyyc", true },  { "a*b*c", "acb", false },
		{ "prod", "prod", true },     { "prod", "production", false }, { "**", "x", true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (gh_eks_namespace_match(gh_str_c(cases[i].pat), gh_str_c(cases[i].ns)) != cases[i].match)
			test_failed(__FILE__, __LINE__, "%s vs %s", cases[i].pat, cases[i].ns);
}

#define STRS(...) { (const gh_str[]){ __VA_ARGS__ }, sizeof((const gh_str[]){ __VA_ARGS__ }) / sizeof(gh_str) }

TEST(eks_policy_rbac_matching)
{
	gh_eks_policy_rule logs = { .api_groups = STRS(GH_STR("")), .resources = STRS(GH_STR("*/log")),
				    .verbs = STRS(GH_STR("get")) };
	gh_eks_authz_request r = { .resource_request = true, .verb = GH_STR("get"), .ns = GH_STR("x"),
				   .resource = GH_STR("pods"), .subresource = GH_STR("log") };
	CHECK(gh_eks_rule_allows(&logs, &r));
	r.subresource = GH_STR("exec");
	CHECK(!gh_eks_rule_allows(&logs, &r));
	r.subresource = GH_STR("");
	CHECK(!gh_eks_rule_allows(&logs, &r)); /* * / log is not pods */

	gh_eks_policy_rule pods = { .api_groups = STRS(GH_STR("")), .resources = STRS(GH_STR("pods"), GH_STR("pods/*")),
				    .verbs = STRS(GH_STR("*")) };
	r.resource = GH_STR("pods");
	r.subresource = GH_STR("log");
	CHECK(!gh_eks_rule_allows(&pods, &r)); /* pods does not cover pods/log, pods/ * is literal */
	r.subresource = GH_STR("");
	CHECK(gh_eks_rule_allows(&pods, &r));
	r.api_group = GH_STR("apps");
	CHECK(!gh_eks_rule_allows(&pods, &r));

	gh_eks_policy_rule named = { .api_groups = STRS(GH_STR("")), .resources = STRS(GH_STR("configmaps")),
				     .verbs = STRS(GH_STR("get"), GH_STR("list")), .resource_names = STRS(GH_STR("cfg")) };
	r = (gh_eks_authz_request){ .resource_request = true, .verb = GH_STR("get"), .ns = GH_STR("x"),
				    .resource = GH_STR("configmaps"), .name = GH_STR("cfg") };
	CHECK(gh_eks_rule_allows(&named, &r));
	r.name = GH_STR("other");
	CHECK(!gh_eks_rule_allows(&named, &r));
	r.name = GH_STR("");
	r.verb = GH_STR("list");
	CHECK(!gh_eks_rule_allows(&named, &r)); /* a list has no name to match */

	gh_eks_policy_rule urls = { .non_resource_urls = STRS(GH_STR("/api*"), GH_STR("/healthz"), GH_STR("/logs/*")),
				    .verbs = STRS(GH_STR("get")) };
	r = (gh_eks_authz_request){ .verb = GH_STR("get"), .path = GH_STR("/apis/apps") };
	CHECK(gh_eks_rule_allows(&urls, &r));
	r.path = GH_STR("/healthz");
	CHECK(gh_eks_rule_allows(&urls, &r));
	r.path = GH_STR("/healthz/etcd");
	CHECK(!gh_eks_rule_allows(&urls, &r));
	r.path = GH_STR("/logs");
	CHECK(!gh_eks_rule_allows(&urls, &r)); /* "/logs/ *" needs the slash */
	r.path = GH_STR("/logs/x");
	CHECK(gh_eks_rule_allows(&urls, &r));
	r.verb = GH_STR("post");
	CHECK(!gh_eks_rule_allows(&urls, &r));
	/* A resource rule never matches a non-resource request, nor the reverse. */
	r = (gh_eks_authz_request){ .verb = GH_STR("get"), .path = GH_STR("/api") };
	CHECK(!gh_eks_rule_allows(&pods, &r));
	r = (gh_eks_authz_request){ .resource_request = true, .verb = GH_STR("get"), .resource = GH_STR("pods") };
	CHECK(!gh_eks_rule_allows(&urls, &r));

	CHECK(gh_eks_resource_cluster_scoped(GH_STR(""), GH_STR("nodes")));
	CHECK(gh_eks_resource_cluster_scoped(GH_STR("rbac.authorization.k8s.io"), GH_STR("clusterroles")));
	CHECK(!gh_eks_resource_cluster_scoped(GH_STR("rbac.authorization.k8s.io"), GH_STR("roles")));
	CHECK(!gh_eks_resource_cluster_scoped(GH_STR("apps"), GH_STR("nodes")));
}

/* ---- the decision table ----------------------------------------------------------------------------- */

typedef struct row {
	const char *policy; /* AmazonEKS<policy>Policy */
	const char *scope;  /* "cluster" or "ns:a,b" */
	const char *verb, *ns, *group, *resource, *sub, *name;
	const char *path; /* non-NULL: a non-resource request */
	bool impersonated;
	bool allow;
} row;

#define RES(verb, ns, group, res, sub, name) verb, ns, group, res, sub, name, NULL
#define URL(verb, path) verb, "", "", "", "", "", path
#define ALLOW false, true
#define NOOP false, false
#define IMP_NOOP true, false

static const row decisions[] = {
	/* AdminView reads everything, secrets included, and writes nothing. */
	{ "AdminView", "cluster", RES("get", "default", "", "secrets", "", "db"), ALLOW },
	{ "AdminView", "cluster", RES("list", "", "", "secrets", "", ""), ALLOW },
	{ "AdminView", "cluster", RES("watch", "kube-system", "", "configmaps", "", ""), ALLOW },
	{ "AdminView", "cluster", RES("get", "", "", "nodes", "", "ip-10-0-0-1"), ALLOW },
	{ "AdminView", "cluster", RES("get", "default", "", "pods", "log", "web"), ALLOW },
	{ "AdminView", "cluster", RES("list", "", "apiextensions.k8s.io", "customresourcedefinitions", "", ""), ALLOW },
	{ "AdminView", "cluster", RES("create", "default", "", "pods", "", ""), NOOP },
	{ "AdminView", "cluster", RES("delete", "default", "", "secrets", "", "db"), NOOP },
	{ "AdminView", "cluster", URL("get", "/healthz"), NOOP },
	{ "AdminView", "ns:team-a", RES("get", "team-a", "", "secrets", "", "db"), ALLOW },
	{ "AdminView", "ns:team-a", RES("get", "team-b", "", "secrets", "", "db"), NOOP },
	{ "AdminView", "ns:production", RES("get", "production", "", "nodes", "", "n1"), NOOP },
	/* View: the workloads, never secrets. */
	{ "View", "cluster", RES("get", "default", "", "secrets", "", "db"), NOOP },
	{ "View", "cluster", RES("list", "", "", "secrets", "", ""), NOOP },
	{ "View", "cluster", RES("get", "default", "", "pods", "", "web"), ALLOW },
	{ "View", "cluster", RES("get", "default", "", "pods", "log", "web"), ALLOW },
	{ "View", "cluster", RES("create", "default", "", "pods", "exec", "web"), NOOP },
	{ "View", "cluster", RES("list", "default", "apps", "deployments", "", ""), ALLOW },
	{ "View", "cluster", RES("get", "default", "apps", "deployments", "scale", "web"), ALLOW },
	{ "View", "cluster", RES("update", "default", "apps", "deployments", "", "web"), NOOP },
	{ "View", "cluster", RES("list", "", "", "namespaces", "", ""), ALLOW },
	{ "View", "cluster", RES("list", "", "", "nodes", "", ""), NOOP },
	{ "View", "cluster", RES("get", "default", "", "configmaps", "", "cfg"), ALLOW },
	{ "View", "cluster", RES("list", "default", "discovery.k8s.io", "endpointslices", "", ""), ALLOW },
	{ "View", "cluster", RES("get", "default", "rbac.authorization.k8s.io", "roles", "", "r"), NOOP },
	{ "View", "cluster", URL("get", "/api"), NOOP },
	{ "View", "ns:production", RES("list", "production", "", "pods", "", ""), ALLOW },
	{ "View", "ns:production", RES("list", "", "", "pods", "", ""), NOOP },
	{ "View", "ns:production", RES("list", "", "", "namespaces", "", ""), NOOP },
	{ "View", "ns:production", RES("get", "production", "", "namespaces", "", "production"), ALLOW },
	/* Edit writes in the scoped namespaces only. */
	{ "Edit", "ns:production,staging", RES("create", "production", "apps", "deployments", "", ""), ALLOW },
	{ "Edit", "ns:production,staging", RES("update", "staging", "apps", "deployments", "", "web"), ALLOW },
	{ "Edit", "ns:production,staging", RES("create", "dev", "apps", "deployments", "", ""), NOOP },
	{ "Edit", "ns:production,staging", RES("delete", "production", "", "secrets", "", "db"), ALLOW },
	{ "Edit", "ns:production,staging", RES("get", "production", "", "secrets", "", "db"), ALLOW },
	{ "Edit", "ns:production,staging", RES("create", "production", "", "pods", "exec", "web"), ALLOW },
	{ "Edit", "ns:production,staging", RES("impersonate", "production", "", "serviceaccounts", "", "app"), ALLOW },
	{ "Edit", "ns:production,staging", RES("patch", "production", "", "services", "", "web"), ALLOW },
	{ "Edit", "ns:production,staging", RES("create", "production", "rbac.authorization.k8s.io", "roles", "", ""),
	  NOOP },
	{ "Edit", "ns:production,staging", RES("list", "", "", "nodes", "", ""), NOOP },
	{ "Edit", "ns:production,staging", RES("create", "", "", "namespaces", "", ""), NOOP },
	{ "Edit", "ns:production,staging", RES("create", "", "", "persistentvolumes", "", ""), NOOP },
	{ "Edit", "ns:production,staging", RES("create", "production", "apps", "deployments", "", ""), IMP_NOOP },
	{ "Edit", "cluster", RES("create", "dev", "apps", "deployments", "", ""), ALLOW },
	{ "Edit", "ns:dev-*", RES("create", "dev-team1", "", "configmaps", "", ""), ALLOW },
	{ "Edit", "ns:dev-*", RES("create", "dev", "", "configmaps", "", ""), NOOP },
	{ "Edit", "ns:dev-*", RES("create", "prod-dev-x", "", "configmaps", "", ""), NOOP },
	/* Admin adds namespaced RBAC and local access reviews. */
	{ "Admin", "ns:production", RES("create", "production", "rbac.authorization.k8s.io", "roles", "", ""), ALLOW },
	{ "Admin", "ns:production", RES("delete", "production", "rbac.authorization.k8s.io", "rolebindings", "", "rb"),
	  ALLOW },
	{ "Admin", "ns:production", RES("create", "", "rbac.authorization.k8s.io", "clusterroles", "", ""), NOOP },
	{ "Admin", "ns:production", RES("create", "production", "authorization.k8s.io", "localsubjectaccessreviews", "",
					""),
	  ALLOW },
	{ "Admin", "ns:production", RES("get", "production", "", "pods", "log", "web"), ALLOW },
	{ "Admin", "cluster", RES("list", "", "rbac.authorization.k8s.io", "clusterrolebindings", "", ""), NOOP },
	/* ClusterAdmin: everything, non-resource URLs included, at cluster scope. */
	{ "ClusterAdmin", "cluster", RES("delete", "", "", "nodes", "", "n1"), ALLOW },
	{ "ClusterAdmin", "cluster", URL("get", "/healthz"), ALLOW },
	{ "ClusterAdmin", "cluster", URL("get", "/metrics"), ALLOW },
	{ "ClusterAdmin", "cluster", RES("escalate", "", "rbac.authorization.k8s.io", "clusterroles", "", "x"), ALLOW },
	{ "ClusterAdmin", "cluster", RES("impersonate", "", "", "users", "", "bob"), ALLOW },
	{ "ClusterAdmin", "cluster", RES("create", "default", "", "pods", "", ""), IMP_NOOP },
	{ "ClusterAdmin", "cluster", URL("get", "/healthz"), IMP_NOOP },
	{ "ClusterAdmin", "ns:production", URL("get", "/healthz"), NOOP },
	{ "ClusterAdmin", "ns:production", RES("list", "", "", "nodes", "", ""), NOOP },
	{ "ClusterAdmin", "ns:production", RES("delete", "production", "", "secrets", "", "db"), ALLOW },
	{ "ClusterAdmin", "ns:production", RES("delete", "staging", "", "secrets", "", "db"), NOOP },
	{ "ClusterAdmin", "ns:production", RES("list", "", "", "namespaces", "", ""), NOOP },
	{ "ClusterAdmin", "ns:production",
	  RES("get", "production", "apiextensions.k8s.io", "customresourcedefinitions", "", "x"), NOOP },
	{ "ClusterAdmin", "ns:*", RES("get", "anything", "", "pods", "", "p"), ALLOW },
	/* The small published policies. */
	{ "Hybrid", "cluster", RES("list", "", "", "nodes", "", ""), ALLOW },
	{ "Hybrid", "cluster", RES("get", "", "", "nodes", "", "n1"), NOOP },
	{ "SecretReader", "cluster", RES("get", "default", "", "secrets", "", "db"), ALLOW },
	{ "SecretReader", "cluster", RES("get", "default", "", "configmaps", "", "cfg"), NOOP },
	/* Policies without published rules grant nothing. */
	{ "AutoNode", "cluster", RES("get", "default", "", "pods", "", "p"), NOOP },
	{ "ArgoCD", "cluster", RES("get", "default", "", "pods", "", "p"), NOOP },
	/* Impersonation loses everything. */
	{ "AdminView", "cluster", RES("get", "default", "", "secrets", "", "db"), IMP_NOOP },
};

/* One association from a row's policy and scope. */
static gh_eks_association row_assoc(const row *rw, gh_str *ns_store, size_t cap)
{
	char name[96];
	snprintf(name, sizeof name, "AmazonEKS%sPolicy", rw->policy);
	gh_eks_association as = { .policy = gh_eks_policy_by_name(gh_str_c(name)) };
	if (strncmp(rw->scope, "ns:", 3) == 0) {
		as.scope.type = GH_EKS_SCOPE_NAMESPACE;
		gh_str rest = gh_str_c(rw->scope + 3), head, tail;
		size_t n = 0;
		while (rest.n && n < cap) {
			gh_str_cut(rest, ',', &head, &tail);
			ns_store[n++] = head;
			rest = tail;
		}
		as.scope.namespaces = ns_store;
		as.scope.n_namespaces = n;
	}
	return as;
}

TEST(eks_policy_decision_table)
{
	CHECK(sizeof decisions / sizeof *decisions >= 60);
	gh_arena a;
	gh_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof decisions / sizeof *decisions; i++) {
		const row *rw = &decisions[i];
		gh_str ns[4];
		gh_eks_association as = row_assoc(rw, ns, 4);
		if (!as.policy) {
			test_failed(__FILE__, __LINE__, "row %zu: no policy %s", i, rw->policy);
			continue;
		}
		gh_eks_authz_request req = {
			.user = GH_STR("arn:aws:sts::111122223333:assumed-role/dev/alice"),
			.resource_request = rw->path == NULL,
			.verb = gh_str_c(rw->verb),
			.ns = gh_str_c(rw->ns),
			.api_group = gh_str_c(rw->group),
			.resource = gh_str_c(rw->resource),
			.subresource = gh_str_c(rw->sub),
			.name = gh_str_c(rw->name),
			.path = gh_str_c(rw->path),
			.impersonated = rw->impersonated,
		};
		gh_eks_authz_result r;
		gh_eks_authz_decision d = gh_eks_authorize(&as, 1, &req, &a, &r);
		if ((d == GH_EKS_AUTHZ_ALLOW) != rw->allow) {
			test_failed(__FILE__, __LINE__, "row %zu: %s %s: %s %s %s/%s/%s%s%s in \"%s\"%s: got %s (%s)", i,
				    rw->policy, rw->scope, rw->verb, rw->path ? rw->path : "", rw->group, rw->resource,
				    rw->sub, rw->name[0] ? " " : "", rw->name, rw->ns, rw->impersonated ? " (impersonated)" : "",
				    d == GH_EKS_AUTHZ_ALLOW ? "Allow" : "NoOpinion", s(r.reason));
			continue;
		}
		CHECK_INT_EQ(r.association, rw->allow ? 0 : -1);
		CHECK(r.reason.n > 0);
	}
	gh_arena_free(&a);
}

TEST(eks_policy_reasons)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	const gh_str ns[] = { GH_STR("production"), GH_STR("staging") };
	gh_eks_association as[3] = {
		{ .policy = gh_eks_policy_by_name(GH_STR("AmazonEKSAutoNodePolicy")) },
		{ .policy = gh_eks_policy_by_name(GH_STR("AmazonEKSViewPolicy")) },
		{ .policy = gh_eks_policy_by_name(GH_STR("AmazonEKSEditPolicy")),
		  .scope = { GH_EKS_SCOPE_NAMESPACE, ns, 2 } },
	};
	gh_eks_authz_result r;
	gh_eks_authz_request req = { .resource_request = true, .verb = GH_STR("create"), .ns = GH_STR("staging"),
				     .api_group = GH_STR("apps"), .resource = GH_STR("deployments") };
	CHECK_INT_EQ(gh_eks_authorize(as, 3, &req, &a, &r), GH_EKS_AUTHZ_ALLOW);
	CHECK_INT_EQ(r.association, 2);
	CHECK_STR_EQ(s(r.reason), "EKS access policy AmazonEKSEditPolicy (namespace scope: production, staging)");

	req.verb = GH_STR("list");
	req.ns = GH_STR("");
	req.api_group = GH_STR("");
	req.resource = GH_STR("pods");
	CHECK_INT_EQ(gh_eks_authorize(as, 3, &req, &a, &r), GH_EKS_AUTHZ_ALLOW);
	CHECK_INT_EQ(r.association, 1);
	CHECK_STR_EQ(s(r.reason), "EKS access policy AmazonEKSViewPolicy (cluster scope)");

	req.verb = GH_STR("delete");
	CHECK_INT_EQ(gh_eks_authorize(as, 3, &req, &a, &r), GH_EKS_AUTHZ_NO_OPINION);
	CHECK_STR_EQ(s(r.reason),
		     "no associated EKS access policy allows the request: EKS access policy AmazonEKSAutoNodePolicy (cluster "
		     "scope): AWS publishes no rules for this policy, so it grants nothing here; EKS access policy "
		     "AmazonEKSViewPolicy (cluster scope): no rule matches; EKS access policy AmazonEKSEditPolicy "
		     "(namespace scope: production, staging): cluster-scoped requests need a cluster-scoped association");
	req.ns = GH_STR("dev");
	CHECK_INT_EQ(gh_eks_authorize(as + 2, 1, &req, &a, &r), GH_EKS_AUTHZ_NO_OPINION);
	CHECK_CONTAINS(s(r.reason), "the namespace is not in the scope");
	req.impersonated = true;
	req.ns = GH_STR("staging");
	CHECK_INT_EQ(gh_eks_authorize(as, 3, &req, &a, &r), GH_EKS_AUTHZ_NO_OPINION);
	CHECK_STR_EQ(s(r.reason), "EKS access policies do not apply to impersonated requests: only Kubernetes RBAC "
				  "authorizes them");
	req.impersonated = false;
	CHECK_INT_EQ(gh_eks_authorize(NULL, 0, &req, &a, &r), GH_EKS_AUTHZ_NO_OPINION);
	CHECK_STR_EQ(s(r.reason), "no EKS access policy is associated with the access entry");
	gh_arena_free(&a);
}
