/* RBAC queries (rules-for, who-can), escalation prevention (Covers and its message, the
 * role and binding write checks) and the helpers that shape upstream's strings. */
#include "domain/k8s/rbac.h"
#include "domain/k8s/rbac_util.h"
#include "test.h"

rbac_policy *rbac_test_fixture(void);

#define AUTHN GH_STR("system:authenticated")

static bool has_grant(const rbac_who_can_result *r, rbac_subject_kind k, const char *name, const char *ns,
		      const char *binding)
{
	for (size_t i = 0; i < r->ngrants; i++) {
		const rbac_grant *g = &r->grants[i];
		if (g->kind == k && gh_str_eq_c(g->name, name) && gh_str_eq_c(g->namespace, ns) &&
		    gh_str_eq_c(g->binding->name, binding))
			return true;
	}
	return false;
}

TEST(rbac_who_can)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	gh_arena a;
	gh_arena_init(&a, 0);
	rbac_who_can_result r;
	rbac_attrs q = { .resource_request = true, .verb = GH_STR("get"), .namespace = GH_STR("team-a"),
			 .resource = GH_STR("pods"), .name = GH_STR("p") };
	REQUIRE(rbac_who_can(p, &q, &a, &r));
	CHECK(has_grant(&r, RBAC_SUBJECT_GROUP, "system:masters", "", "cluster-admin"));
	CHECK(has_grant(&r, RBAC_SUBJECT_USER, "superuser", "", "super-admin"));
	CHECK(has_grant(&r, RBAC_SUBJECT_USER, "alice", "", "alice-pod-reader"));
	CHECK(has_grant(&r, RBAC_SUBJECT_SERVICE_ACCOUNT, "builder", "ci", "crb-sa"));
	CHECK(has_grant(&r, RBAC_SUBJECT_SERVICE_ACCOUNT, "c", "a:b", "colon-sa"));
	CHECK(has_grant(&r, RBAC_SUBJECT_USER, "both", "", "z-crb"));
	CHECK(has_grant(&r, RBAC_SUBJECT_USER, "both", "", "a-rb"));
	CHECK(has_grant(&r, RBAC_SUBJECT_GROUP, "readers", "", "cr-in-ns"));
	CHECK(!has_grant(&r, RBAC_SUBJECT_USER, "bob", "", "deployers"));
	/* the Robot and lower-case "user" subjects of "robots" can match nobody */
	for (size_t i = 0; i < r.ngrants; i++)
		CHECK(!gh_str_eq_c(r.grants[i].binding->name, "robots"));
	/* ClusterRoleBindings first, by name */
	REQUIRE(r.ngrants > 2);
	CHECK(r.grants[0].binding->cluster);
	CHECK(!r.grants[r.ngrants - 1].binding->cluster);
	CHECK(r.incomplete);
	CHECK(gh_str_eq_c(r.evaluation_error,
			  "[role.rbac.authorization.k8s.io \"deployer\" not found, clusterrole.rbac.authorization.k8s.io \"x\" "
			  "not found, role.rbac.authorization.k8s.io \"y\" not found, unsupported role reference kind: "
			  "\"Fancy\", clusterrole.rbac.authorization.k8s.io \"does-not-exist\" not found, "
			  "role.rbac.authorization.k8s.io \"nope\" not found]"));

	/* cluster-wide: RoleBindings do not count */
	q.namespace = GH_STR("");
	REQUIRE(rbac_who_can(p, &q, &a, &r));
	CHECK(has_grant(&r, RBAC_SUBJECT_USER, "alice", "", "alice-pod-reader"));
	CHECK(!has_grant(&r, RBAC_SUBJECT_GROUP, "readers", "", "cr-in-ns"));

	/* service accounts of a RoleBinding take its namespace */
	rbac_attrs sa = { .resource_request = true, .verb = GH_STR("get"), .namespace = GH_STR("team-a"),
			  .resource = GH_STR("serviceaccounts") };
	REQUIRE(rbac_who_can(p, &sa, &a, &r));
	CHECK(has_grant(&r, RBAC_SUBJECT_SERVICE_ACCOUNT, "robot", "team-a", "sa-local"));
	CHECK(!has_grant(&r, RBAC_SUBJECT_SERVICE_ACCOUNT, "robot", "team-b", "sa-other-ns"));

	/* non-resource */
	rbac_attrs url = { .verb = GH_STR("get"), .path = GH_STR("/metrics") };
	REQUIRE(rbac_who_can(p, &url, &a, &r));
	CHECK(has_grant(&r, RBAC_SUBJECT_GROUP, "system:monitoring", "", "system:monitoring"));
	CHECK(has_grant(&r, RBAC_SUBJECT_USER, "star", "", "url-star"));
	CHECK(!has_grant(&r, RBAC_SUBJECT_GROUP, "system:authenticated", "", "system:discovery"));

	/* every grant really allows: ask the authorizer as that subject */
	q.namespace = GH_STR("team-a");
	REQUIRE(rbac_who_can(p, &q, &a, &r));
	for (size_t i = 0; i < r.ngrants; i++) {
		const rbac_grant *g = &r.grants[i];
		char user[256];
		rbac_attrs as = q;
		if (g->kind == RBAC_SUBJECT_GROUP) {
			as.user = (rbac_user){ .name = GH_STR("someone"), .groups = &g->name, .ngroups = 1 };
		} else if (g->kind == RBAC_SUBJECT_USER) {
			as.user = (rbac_user){ .name = g->name };
		} else {
			snprintf(user, sizeof user, "system:serviceaccount:%.*s:%.*s", GH_STR_ARG(g->namespace),
				 GH_STR_ARG(g->name));
			as.user = (rbac_user){ .name = gh_str_c(user) };
		}
		rbac_verdict v;
		CHECK(rbac_authorize(p, &as, &v, NULL) == RBAC_ALLOW);
	}
	gh_arena_free(&a);
	rbac_policy_free(p);
}

static bool has_rule(const rbac_rule *const *v, size_t n, const char *verb, const char *resource_or_url)
{
	for (size_t i = 0; i < n; i++) {
		bool verb_ok = false, what_ok = false;
		for (size_t k = 0; k < v[i]->verbs.n; k++)
			verb_ok |= gh_str_eq_c(v[i]->verbs.v[k], verb);
		for (size_t k = 0; k < v[i]->resources.n; k++)
			what_ok |= gh_str_eq_c(v[i]->resources.v[k], resource_or_url);
		for (size_t k = 0; k < v[i]->non_resource_urls.n; k++)
			what_ok |= gh_str_eq_c(v[i]->non_resource_urls.v[k], resource_or_url);
		if (verb_ok && what_ok)
			return true;
	}
	return false;
}

TEST(rbac_rules_for)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	gh_arena a;
	gh_arena_init(&a, 0);
	rbac_rules_result r;

	rbac_user bob = { .name = GH_STR("bob") };
	REQUIRE(rbac_rules_for(p, &bob, GH_STR("team-a"), &a, &r));
	CHECK_INT_EQ(r.nresource, 1);
	CHECK_INT_EQ(r.nnon_resource, 0);
	CHECK(has_rule(r.resource, r.nresource, "create", "deployments"));
	CHECK(r.incomplete);
	CHECK(gh_str_eq_c(r.evaluation_error, "role.rbac.authorization.k8s.io \"nope\" not found"));

	REQUIRE(rbac_rules_for(p, &bob, GH_STR("team-b"), &a, &r));
	CHECK_INT_EQ(r.nresource, 1);
	CHECK(has_rule(r.resource, r.nresource, "get", "configmaps"));
	CHECK(!r.incomplete);
	CHECK_INT_EQ(r.evaluation_error.n, 0);

	gh_str g[] = { AUTHN };
	rbac_user carol = { .name = GH_STR("carol"), .groups = g, .ngroups = 1 };
	REQUIRE(rbac_rules_for(p, &carol, GH_STR("default"), &a, &r));
	CHECK_INT_EQ(r.nresource, 2); /* system:basic-user */
	CHECK_INT_EQ(r.nnon_resource, 2); /* system:discovery, system:public-info-viewer */
	CHECK(has_rule(r.resource, r.nresource, "create", "selfsubjectaccessreviews"));
	CHECK(has_rule(r.non_resource, r.nnon_resource, "get", "/version"));
	CHECK_INT_EQ(r.nall, 4);

	/* a ClusterRole bound in a namespace shows up only there */
	gh_str rg[] = { GH_STR("readers") };
	rbac_user reader = { .name = GH_STR("r"), .groups = rg, .ngroups = 1 };
	REQUIRE(rbac_rules_for(p, &reader, GH_STR("team-a"), &a, &r));
	CHECK(has_rule(r.resource, r.nresource, "get", "pods"));
	REQUIRE(rbac_rules_for(p, &reader, GH_STR("team-b"), &a, &r));
	CHECK_INT_EQ(r.nall, 0);

	/* aggregated rules are the role's rules */
	rbac_user viewer = { .name = GH_STR("viewer") };
	REQUIRE(rbac_rules_for(p, &viewer, GH_STR("dev"), &a, &r));
	CHECK_INT_EQ(r.nall, rbac_policy_role(p, GH_STR(""), GH_STR("system:aggregate-to-view"))->nrules);
	gh_arena_free(&a);
	rbac_policy_free(p);
}

/* ---- Covers ------------------------------------------------------------------------------------ */

#define L(...) { (const gh_str[]){ __VA_ARGS__ }, sizeof((const gh_str[]){ __VA_ARGS__ }) / sizeof(gh_str) }
#define NONE { NULL, 0 }

static bool covers1(rbac_rule owner, rbac_rule servant)
{
	const rbac_rule *o = &owner;
	return rbac_covers(&o, 1, &servant, 1, NULL, NULL, NULL);
}

TEST(rbac_covers_rules)
{
	rbac_rule pods_get = { .verbs = L(GH_STR("get")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods")) };
	rbac_rule pods_log = { .verbs = L(GH_STR("get")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods/log")) };
	rbac_rule star_log = { .verbs = L(GH_STR("get")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("*/log")) };
	rbac_rule all = { .verbs = L(GH_STR("*")), .api_groups = L(GH_STR("*")), .resources = L(GH_STR("*")) };
	rbac_rule named = { .verbs = L(GH_STR("get")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods")),
			    .resource_names = L(GH_STR("a"), GH_STR("b")) };
	rbac_rule named_a = { .verbs = L(GH_STR("get")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods")),
			      .resource_names = L(GH_STR("a")) };
	rbac_rule url_prefix = { .verbs = L(GH_STR("get")), .non_resource_urls = L(GH_STR("/api/*")) };
	rbac_rule url_api = { .verbs = L(GH_STR("get")), .non_resource_urls = L(GH_STR("/api")) };
	rbac_rule url_v1 = { .verbs = L(GH_STR("get")), .non_resource_urls = L(GH_STR("/api/v1")) };

	CHECK(covers1(all, pods_get));
	CHECK(covers1(all, pods_log));
	CHECK(!covers1(all, url_api)); /* resources do not cover URLs */
	CHECK(covers1(pods_get, pods_get));
	CHECK(!covers1(pods_get, pods_log));
	CHECK(covers1(star_log, pods_log));
	CHECK(!covers1(star_log, pods_get));
	CHECK(covers1(pods_get, named));      /* no names on the owner covers any name */
	CHECK(!covers1(named, pods_get));     /* an atom without a name needs an owner without names */
	CHECK(covers1(named, named_a));
	CHECK(!covers1(named_a, named));
	CHECK(covers1(url_prefix, url_v1));
	CHECK(!covers1(url_prefix, url_api));
	CHECK(!covers1(url_api, url_v1));

	/* the uncovered atoms */
	gh_arena a;
	gh_arena_init(&a, 0);
	rbac_rule servant = { .verbs = L(GH_STR("get"), GH_STR("delete")), .api_groups = L(GH_STR("")),
			      .resources = L(GH_STR("pods"), GH_STR("pods/log")) };
	const rbac_rule *owner[] = { &pods_get };
	rbac_rule *missing;
	size_t nmissing;
	CHECK(!rbac_covers(owner, 1, &servant, 1, &a, &missing, &nmissing));
	REQUIRE(nmissing == 3);
	gh_buf b = { 0 };
	for (size_t i = 0; i < nmissing; i++) {
		rbac_rule_compact_string(&missing[i], &b);
		gh_buf_putc(&b, '|');
	}
	CHECK_STR_EQ(b.p, "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}|"
			  "{APIGroups:[\"\"], Resources:[\"pods/log\"], Verbs:[\"get\"]}|"
			  "{APIGroups:[\"\"], Resources:[\"pods/log\"], Verbs:[\"delete\"]}|");
	gh_buf_free(&b);
	gh_arena_free(&a);
}

TEST(rbac_escalation_message)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	gh_str g[] = { AUTHN };
	rbac_user bob = { .name = GH_STR("bob"), .groups = g, .ngroups = 1 };
	rbac_rule del = { .verbs = L(GH_STR("delete")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods")) };
	gh_buf m = { 0 };
	CHECK(!rbac_confirm_no_escalation(p, &bob, GH_STR(""), &del, 1, &m));
	CHECK_STR_EQ(m.p, "user \"bob\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not "
			  "currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}");

	/* several: compacted by group/resource/name, sorted, one per line */
	rbac_rule many[] = {
		{ .verbs = L(GH_STR("get"), GH_STR("delete")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods")) },
		{ .verbs = L(GH_STR("get")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("secrets")),
		  .resource_names = L(GH_STR("b"), GH_STR("a")) },
		{ .verbs = L(GH_STR("get"), GH_STR("post")), .non_resource_urls = L(GH_STR("/foo"), GH_STR("/version")) },
		{ .verbs = L(GH_STR("create")), .api_groups = L(GH_STR("authorization.k8s.io")),
		  .resources = L(GH_STR("selfsubjectaccessreviews")) },
		{ .verbs = L(GH_STR("list")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods")) },
	};
	gh_buf_reset(&m);
	CHECK(!rbac_confirm_no_escalation(p, &bob, GH_STR(""), many, 5, &m));
	CHECK_STR_EQ(m.p, "user \"bob\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not "
			  "currently held:\n"
			  "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"delete\" \"list\"]}\n"
			  "{APIGroups:[\"\"], Resources:[\"secrets\"], ResourceNames:[\"a\"], Verbs:[\"get\"]}\n"
			  "{APIGroups:[\"\"], Resources:[\"secrets\"], ResourceNames:[\"b\"], Verbs:[\"get\"]}\n"
			  "{NonResourceURLs:[\"/foo\"], Verbs:[\"get\"]}\n"
			  "{NonResourceURLs:[\"/foo\"], Verbs:[\"post\"]}\n"
			  "{NonResourceURLs:[\"/version\"], Verbs:[\"post\"]}");

	/* covered: nothing written */
	rbac_rule dep = { .verbs = L(GH_STR("create")), .api_groups = L(GH_STR("apps")),
			  .resources = L(GH_STR("deployments")) };
	gh_buf_reset(&m);
	CHECK(rbac_confirm_no_escalation(p, &bob, GH_STR("team-a"), &dep, 1, &m));
	CHECK_INT_EQ(m.n, 0);

	/* resolution errors, in the registry's wording */
	rbac_user bob_alone = { .name = GH_STR("bob") };
	CHECK(!rbac_confirm_no_escalation(p, &bob_alone, GH_STR("team-a"), &del, 1, &m));
	CHECK_STR_EQ(m.p, "user \"bob\" (groups=[]) is attempting to grant RBAC permissions not currently held:\n"
			  "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}; resolution errors: "
			  "[roles.rbac.authorization.k8s.io \"nope\" not found]");
	gh_buf_free(&m);
	rbac_policy_free(p);
}

static rbac_decision allow_all(void *ctx, const rbac_attrs *a)
{
	int *calls = ctx;
	(*calls)++;
	return gh_str_eq_c(a->verb, "escalate") || gh_str_eq_c(a->verb, "bind") ? RBAC_ALLOW : RBAC_NO_OPINION;
}

TEST(rbac_write_checks)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	rbac_user bob = { .name = GH_STR("bob") };
	gh_str mg[] = { GH_STR("system:masters") };
	rbac_user root = { .name = GH_STR("root"), .groups = mg, .ngroups = 1 };
	rbac_user super = { .name = GH_STR("superuser") };
	rbac_write_check c;

	rbac_rule dep = { .verbs = L(GH_STR("create")), .api_groups = L(GH_STR("apps")),
			  .resources = L(GH_STR("deployments")) };
	rbac_rule del = { .verbs = L(GH_STR("delete")), .api_groups = L(GH_STR("")), .resources = L(GH_STR("pods")) };
	rbac_role ok_role = { .name = GH_STR("mine"), .namespace = GH_STR("team-a"), .rules = &dep, .nrules = 1 };
	rbac_role bad_role = { .name = GH_STR("mine"), .namespace = GH_STR("team-a"), .rules = &del, .nrules = 1 };

	rbac_check_role_write(p, &bob, &ok_role, NULL, NULL, NULL, &c);
	CHECK(c.allowed);
	gh_buf_free(&c.msg);
	rbac_check_role_write(p, &bob, &bad_role, NULL, NULL, NULL, &c);
	CHECK(!c.allowed);
	CHECK_INT_EQ(c.status, 403);
	CHECK(gh_str_has_prefix(gh_buf_str(&c.msg), GH_STR("user \"bob\" (groups=[]) is attempting to grant RBAC "
							    "permissions not currently held:\n{APIGroups:[\"\"], "
							    "Resources:[\"pods\"], Verbs:[\"delete\"]}")));
	gh_buf_free(&c.msg);
	rbac_check_role_write(p, &root, &bad_role, NULL, NULL, NULL, &c);
	CHECK(c.allowed);
	gh_buf_free(&c.msg);
	int calls = 0;
	rbac_check_role_write(p, &bob, &bad_role, NULL, allow_all, &calls, &c);
	CHECK(c.allowed);
	CHECK_INT_EQ(calls, 1);
	gh_buf_free(&c.msg);

	/* an aggregationRule needs cluster-admin coverage */
	rbac_label l = { GH_STR("x"), GH_STR("y") };
	rbac_selector sel = { .match_labels = &l, .nmatch_labels = 1 };
	rbac_role agg = { .cluster = true, .name = GH_STR("agg"), .has_aggregation = true, .selectors = &sel,
			  .nselectors = 1 };
	rbac_user alice = { .name = GH_STR("alice") };
	rbac_check_role_write(p, &alice, &agg, NULL, NULL, NULL, &c);
	CHECK(!c.allowed);
	CHECK_STR_EQ(c.msg.p, "must have cluster-admin privileges to use the aggregationRule");
	gh_buf_free(&c.msg);
	rbac_check_role_write(p, &super, &agg, NULL, NULL, NULL, &c);
	CHECK(c.allowed);
	gh_buf_free(&c.msg);
	/* removing one on update needs it too */
	rbac_role plain = { .cluster = true, .name = GH_STR("agg") };
	rbac_check_role_write(p, &alice, &plain, &agg, NULL, NULL, &c);
	CHECK(!c.allowed);
	gh_buf_free(&c.msg);
	rbac_check_role_write(p, &alice, &plain, NULL, NULL, NULL, &c);
	CHECK(c.allowed);
	gh_buf_free(&c.msg);

	/* bindings: covered, bind permission, escalation, a missing role */
	rbac_subject s = { .kind = GH_STR("User"), .api_group = GH_STR(RBAC_GROUP), .name = GH_STR("eve") };
	rbac_binding rb = { .name = GH_STR("x"), .namespace = GH_STR("team-a"),
			    .role_ref = { GH_STR(RBAC_GROUP), GH_STR("Role"), GH_STR("deployer") }, .subjects = &s,
			    .nsubjects = 1 };
	rbac_check_binding_write(p, &bob, &rb, NULL, NULL, &c);
	CHECK(c.allowed);
	gh_buf_free(&c.msg);
	rb.role_ref = (rbac_role_ref){ GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), GH_STR("admin") };
	rbac_check_binding_write(p, &bob, &rb, NULL, NULL, &c);
	CHECK(!c.allowed);
	CHECK_INT_EQ(c.status, 403);
	CHECK(gh_str_has_prefix(gh_buf_str(&c.msg), GH_STR("user \"bob\" (groups=[]) is attempting to grant")));
	gh_buf_free(&c.msg);
	calls = 0;
	rbac_check_binding_write(p, &bob, &rb, allow_all, &calls, &c);
	CHECK(c.allowed);
	CHECK_INT_EQ(calls, 1);
	gh_buf_free(&c.msg);
	rbac_check_binding_write(p, &super, &rb, NULL, NULL, &c);
	CHECK(c.allowed); /* cluster-admin covers admin */
	gh_buf_free(&c.msg);
	rb.role_ref.name = GH_STR("zzz");
	rbac_check_binding_write(p, &bob, &rb, NULL, NULL, &c);
	CHECK(!c.allowed);
	CHECK_INT_EQ(c.status, 404);
	CHECK_STR_EQ(c.msg.p, "clusterroles.rbac.authorization.k8s.io \"zzz\" not found");
	gh_buf_free(&c.msg);
	rb.role_ref.kind = GH_STR("Role");
	rbac_check_binding_write(p, &bob, &rb, NULL, NULL, &c);
	CHECK_INT_EQ(c.status, 404);
	CHECK_STR_EQ(c.msg.p, "roles.rbac.authorization.k8s.io \"zzz\" not found");
	gh_buf_free(&c.msg);
	rbac_check_binding_write(p, &root, &rb, NULL, NULL, &c);
	CHECK(c.allowed);
	gh_buf_free(&c.msg);
	/* a ClusterRoleBinding checks bind and coverage cluster-wide */
	rbac_binding crb = { .cluster = true, .name = GH_STR("c"),
			     .role_ref = { GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), GH_STR("pod-reader") },
			     .subjects = &s, .nsubjects = 1 };
	rbac_check_binding_write(p, &alice, &crb, NULL, NULL, &c);
	CHECK(c.allowed);
	gh_buf_free(&c.msg);
	rbac_check_binding_write(p, &bob, &crb, NULL, NULL, &c);
	CHECK(!c.allowed);
	gh_buf_free(&c.msg);
	rbac_policy_free(p);
}

/* ---- helpers -------------------------------------------------------------------------------- */

static char *quote(const char *s, size_t n)
{
	static char out[256];
	gh_buf b = { 0 };
	rbac_go_quote(&b, (gh_str){ s, n });
	snprintf(out, sizeof out, "%s", b.p);
	gh_buf_free(&b);
	return out;
}

TEST(rbac_go_quoting)
{
	CHECK_STR_EQ(quote("plain", 5), "\"plain\"");
	CHECK_STR_EQ(quote("", 0), "\"\"");
	CHECK_STR_EQ(quote("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	CHECK_STR_EQ(quote("\n\t\r\a\b\f\v", 7), "\"\\n\\t\\r\\a\\b\\f\\v\"");
	CHECK_STR_EQ(quote("\x01\x7f", 2), "\"\\x01\\x7f\"");
	CHECK_STR_EQ(quote("\0", 1), "\"\\x00\"");
	CHECK_STR_EQ(quote("\xff", 1), "\"\\xff\"");
	CHECK_STR_EQ(quote("\xc3", 1), "\"\\xc3\"");		   /* truncated rune */
	CHECK_STR_EQ(quote("\xc0\xaf", 2), "\"\\xc0\\xaf\"");	   /* overlong */
	CHECK_STR_EQ(quote("\xed\xa0\x80", 3), "\"\\xed\\xa0\\x80\""); /* surrogate */
	CHECK_STR_EQ(quote("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	CHECK_STR_EQ(quote("\xc2\xa0", 2), "\"\\u00a0\"");
	CHECK_STR_EQ(quote("\xe2\x80\x8b", 3), "\"\\u200b\"");
	CHECK_STR_EQ(quote("\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
	gh_buf b = { 0 };
	gh_str l[] = { GH_STR("a"), GH_STR("b c") };
	rbac_go_quote_list(&b, l, 2);
	rbac_go_quote_list(&b, NULL, 0);
	CHECK_STR_EQ(b.p, "[\"a\" \"b c\"][]");
	gh_buf_free(&b);
}

TEST(rbac_label_selectors)
{
	rbac_label labels[] = { { GH_STR("tier"), GH_STR("gold") }, { GH_STR("team"), GH_STR("a") } };
	rbac_sel_expr in = { GH_STR("tier"), GH_STR("In"), L(GH_STR("gold"), GH_STR("silver")) };
	rbac_sel_expr notin = { GH_STR("tier"), GH_STR("NotIn"), L(GH_STR("gold")) };
	rbac_sel_expr notin_absent = { GH_STR("zone"), GH_STR("NotIn"), L(GH_STR("x")) };
	rbac_sel_expr exists = { GH_STR("team"), GH_STR("Exists"), NONE };
	rbac_sel_expr dne = { GH_STR("team"), GH_STR("DoesNotExist"), NONE };
	rbac_sel_expr bad = { GH_STR("team"), GH_STR("exists"), NONE };
	rbac_label ml = { GH_STR("team"), GH_STR("a") }, ml2 = { GH_STR("team"), GH_STR("b") };
	rbac_selector empty = { 0 };
	CHECK(rbac_selector_matches(&empty, labels, 2));
	CHECK(rbac_selector_matches(&empty, NULL, 0));
	CHECK(rbac_selector_matches(&(rbac_selector){ .match_labels = &ml, .nmatch_labels = 1 }, labels, 2));
	CHECK(!rbac_selector_matches(&(rbac_selector){ .match_labels = &ml2, .nmatch_labels = 1 }, labels, 2));
	CHECK(rbac_selector_matches(&(rbac_selector){ .exprs = &in, .nexprs = 1 }, labels, 2));
	CHECK(!rbac_selector_matches(&(rbac_selector){ .exprs = &notin, .nexprs = 1 }, labels, 2));
	CHECK(rbac_selector_matches(&(rbac_selector){ .exprs = &notin_absent, .nexprs = 1 }, labels, 2));
	CHECK(rbac_selector_matches(&(rbac_selector){ .exprs = &exists, .nexprs = 1 }, labels, 2));
	CHECK(!rbac_selector_matches(&(rbac_selector){ .exprs = &dne, .nexprs = 1 }, labels, 2));
	CHECK(!rbac_selector_valid(&(rbac_selector){ .exprs = &bad, .nexprs = 1 }, NULL));
	rbac_sel_expr badkey = { GH_STR("a/b/c"), GH_STR("Exists"), NONE };
	gh_buf why = { 0 };
	CHECK(!rbac_selector_valid(&(rbac_selector){ .exprs = &badkey, .nexprs = 1 }, &why));
	CHECK(gh_str_has_prefix(gh_buf_str(&why), GH_STR("a qualified name must consist of alphanumeric characters")));
	gh_buf_free(&why);
	rbac_label badval = { GH_STR("k"), GH_STR("-x") };
	CHECK(!rbac_selector_valid(&(rbac_selector){ .match_labels = &badval, .nmatch_labels = 1 }, NULL));
	CHECK(rbac_selector_valid(&(rbac_selector){ .exprs = &in, .nexprs = 1 }, NULL));
}

TEST(rbac_policy_stats)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	rbac_policy_stats st;
	rbac_policy_stats_get(p, &st);
	CHECK(st.cluster_roles >= 14 + 20);
	CHECK_INT_EQ(st.roles, 3);
	CHECK_INT_EQ(st.role_bindings, 10);
	CHECK_INT_EQ(st.namespaces, 3);
	CHECK(st.subject_keys > 20);
	CHECK(st.atoms > 100);
	CHECK_INT_EQ(st.unindexed_roles, 0);
	CHECK_INT_EQ(rbac_policy_nbindings(p), st.cluster_role_bindings + st.role_bindings);
	/* visiting order: ClusterRoleBindings by name, then RoleBindings by namespace and name */
	for (size_t i = 1; i < rbac_policy_nbindings(p); i++) {
		const rbac_binding *a = rbac_policy_binding(p, i - 1), *b = rbac_policy_binding(p, i);
		if (a->cluster && b->cluster)
			CHECK(rbac_strcmp(a->name, b->name) < 0);
		else if (!a->cluster && !b->cluster)
			CHECK(rbac_strcmp(a->namespace, b->namespace) < 0 ||
			      (gh_str_eq(a->namespace, b->namespace) && rbac_strcmp(a->name, b->name) < 0));
		else
			CHECK(a->cluster && !b->cluster);
	}
	CHECK(rbac_policy_binding(p, 1u << 30) == NULL);
	rbac_policy_free(p);
}

TEST(rbac_unindexed_role_still_decides)
{
	/* a role with more atoms than the index takes is evaluated rule by rule */
	static gh_str verbs[200], res[200];
	static char vb[200][16], rb[200][16];
	for (int i = 0; i < 200; i++) {
		snprintf(vb[i], sizeof vb[i], "v%d", i);
		snprintf(rb[i], sizeof rb[i], "r%d", i);
		verbs[i] = gh_str_c(vb[i]);
		res[i] = gh_str_c(rb[i]);
	}
	gh_str core = GH_STR("");
	rbac_rule big = { .verbs = { verbs, 200 }, .api_groups = { &core, 1 }, .resources = { res, 200 } };
	rbac_role r = { .cluster = true, .name = GH_STR("big"), .rules = &big, .nrules = 1 };
	rbac_subject s = { .kind = GH_STR("User"), .name = GH_STR("u") };
	rbac_binding b = { .cluster = true, .name = GH_STR("b"), .role_ref = { GH_STR(RBAC_GROUP), GH_STR("ClusterRole"),
									      GH_STR("big") },
			   .subjects = &s, .nsubjects = 1 };
	rbac_objects *o = rbac_objects_new();
	gh_err e;
	REQUIRE(rbac_objects_add_role(o, &r, &e) && rbac_objects_add_binding(o, &b, &e));
	rbac_policy *p;
	REQUIRE(rbac_policy_compile(o, &p, &e));
	rbac_policy_stats st;
	rbac_policy_stats_get(p, &st);
	CHECK_INT_EQ(st.unindexed_roles, 1);
	rbac_attrs a = { .user = { .name = GH_STR("u") }, .resource_request = true, .verb = GH_STR("v199"),
			 .resource = GH_STR("r7") };
	rbac_verdict v1, v2;
	CHECK(rbac_authorize(p, &a, &v1, NULL) == RBAC_ALLOW);
	CHECK(rbac_authorize_linear(p, &a, &v2, NULL) == RBAC_ALLOW);
	a.verb = GH_STR("v200");
	CHECK(rbac_authorize(p, &a, &v1, NULL) == RBAC_NO_OPINION);
	rbac_policy_free(p);
	rbac_objects_free(o);
}
