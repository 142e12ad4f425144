/* The incrementally maintained policy (rbac_source.h) against a fresh full compile of the
 * same objects and against the linear reference: random sequences of creates, updates and
 * deletes of Roles, ClusterRoles (aggregating ones included), RoleBindings and
 * ClusterRoleBindings, over a base layer and an overriding manifest layer (itself replaced
 * now and then, as when the manifests are read again), each step
 * checked with decisions, RulesFor, who-can, escalation checks and the binding order. Older
 * policies are kept alive across later changes: shards they share must not change under
 * them. */
#include <stdint.h>

#include "domain/k8s/rbac.h"
#include "domain/k8s/rbac_source.h"
#include "test.h"

rbac_decision rbac_test_decide(const rbac_policy *p, const rbac_attrs *a, gh_buf *reason, const char *file, int line);

static uint64_t seed;
static uint32_t draw(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)(seed % n);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const gh_str s_verbs[] = { GH_STR("get"), GH_STR("list"), GH_STR("*"), GH_STR("delete"), GH_STR("bind") };
static const gh_str s_groups[] = { GH_STR(""), GH_STR("apps"), GH_STR("*") };
static const gh_str s_res[] = { GH_STR("pods"), GH_STR("pods/log"), GH_STR("*"), GH_STR("secrets"), GH_STR("*/status") };
static const gh_str s_names[] = { GH_STR("a"), GH_STR("b") };
static const gh_str s_urls[] = { GH_STR("/api"), GH_STR("/api*"), GH_STR("*") };
static const gh_str s_users[] = { GH_STR("u0"), GH_STR("u1"), GH_STR("system:serviceaccount:n0:s0") };
static const gh_str s_teams[] = { GH_STR("g0"), GH_STR("g1") };
static const gh_str s_ns[] = { GH_STR("n0"), GH_STR("n1"), GH_STR("n2") };
static const gh_str s_roles[] = { GH_STR("r0"), GH_STR("r1"), GH_STR("r2"), GH_STR("agg") };
static const gh_str s_binds[] = { GH_STR("b0"), GH_STR("b1"), GH_STR("b2"), GH_STR("b3") };
static const gh_str s_kinds[] = { GH_STR("ClusterRole"), GH_STR("Role"), GH_STR("ClusterRoleBinding"),
				  GH_STR("RoleBinding") };

/* Storage for one generated object's strings and arrays. */
typedef struct gen {
	gh_str str[3][5][3];
	rbac_rule rules[3];
	rbac_label label;
	rbac_selector sel;
	rbac_subject subj[3];
} gen;

static rbac_strs some(const gh_str *pool, size_t n, gh_str *buf)
{
	size_t k = 1 + draw(2);
	for (size_t i = 0; i < k; i++)
		buf[i] = pool[draw((uint32_t)n)];
	return (rbac_strs){ buf, k };
}

/* A random object of `kind` named ns/name, added to a fresh set. */
static rbac_objects *make(gen *g, int kind, gh_str ns, gh_str name)
{
	rbac_objects *o = rbac_objects_new();
	gh_err e;
	bool ok = o != NULL;
	if (ok && kind <= 1) {
		size_t nr = draw(4);
		for (size_t k = 0; k < nr; k++)
			g->rules[k] = (rbac_rule){ .verbs = some(s_verbs, N_OF(s_verbs), g->str[k][0]),
						   .api_groups = some(s_groups, N_OF(s_groups), g->str[k][1]),
						   .resources = some(s_res, N_OF(s_res), g->str[k][2]),
						   .resource_names = draw(3) ? (rbac_strs){ 0 }
									    : some(s_names, N_OF(s_names), g->str[k][3]),
						   .non_resource_urls = draw(2) ? (rbac_strs){ 0 }
										: some(s_urls, N_OF(s_urls), g->str[k][4]) };
		rbac_role r = { .cluster = kind == 0, .name = name, .namespace = kind == 0 ? GH_STR("") : ns,
				.rules = g->rules, .nrules = nr };
		if (kind == 0) {
			/* ClusterRoles carry a label that the "agg" roles select, so aggregation
			 * follows the writes */
			g->label = (rbac_label){ GH_STR("agg"), draw(2) ? GH_STR("yes") : GH_STR("no") };
			r.labels = &g->label;
			r.nlabels = 1;
			if (gh_str_eq_c(name, "agg") || draw(6) == 0) {
				g->sel = (rbac_selector){ .match_labels = &g->label, .nmatch_labels = 1 };
				g->label.value = GH_STR("yes");
				r.has_aggregation = true;
				r.selectors = &g->sel;
				r.nselectors = 1;
				r.nlabels = draw(2); /* sometimes selected itself, sometimes by another */
			}
		}
		ok = rbac_objects_add_role(o, &r, &e);
	} else if (ok) {
		size_t ns_ = 1 + draw(3);
		for (size_t k = 0; k < ns_; k++) {
			uint32_t sk = draw(3);
			g->subj[k] = (rbac_subject){ .kind = sk == 0 ? GH_STR("User") : sk == 1 ? GH_STR("Group")
											: GH_STR("ServiceAccount"),
						     .name = sk == 1 ? s_teams[draw(2)] : sk == 0 ? s_users[draw(3)] : GH_STR("s0"),
						     .namespace = sk == 2 && draw(2) ? GH_STR("n0") : GH_STR("") };
		}
		uint32_t rk = draw(7);
		rbac_binding b = { .cluster = kind == 2, .name = name, .namespace = kind == 2 ? GH_STR("") : ns,
				   .role_ref = { GH_STR(RBAC_GROUP), rk < 4 ? GH_STR("ClusterRole") : rk < 6 ? GH_STR("Role")
											    : GH_STR("Odd"),
						 s_roles[draw(4)] },
				   .subjects = g->subj, .nsubjects = ns_ };
		ok = rbac_objects_add_binding(o, &b, &e);
	}
	if (!ok) {
		rbac_objects_free(o);
		return NULL;
	}
	return o;
}

/* The store as the model sees it: one entry per kind/namespace/name. */
typedef struct entry {
	int kind;
	gh_str ns, name;
	rbac_objects *obj;
} entry;

static bool add_all(rbac_objects *dst, const rbac_objects *src, gh_err *e)
{
	size_t nr, nb;
	const rbac_role *r = rbac_objects_roles(src, &nr);
	const rbac_binding *b = rbac_objects_bindings(src, &nb);
	for (size_t i = 0; i < nr; i++)
		if (!rbac_objects_add_role(dst, &r[i], e))
			return false;
	for (size_t i = 0; i < nb; i++)
		if (!rbac_objects_add_binding(dst, &b[i], e))
			return false;
	return true;
}

static rbac_policy *full_compile(const rbac_objects *base, const entry *st, size_t n, const rbac_objects *top)
{
	rbac_objects *all = rbac_objects_new();
	gh_err e;
	bool ok = all && add_all(all, base, &e);
	for (size_t i = 0; ok && i < n; i++)
		ok = add_all(all, st[i].obj, &e);
	ok = ok && add_all(all, top, &e);
	rbac_policy *p = NULL;
	if (!ok || !rbac_policy_compile(all, &p, &e))
		p = NULL;
	rbac_objects_free(all);
	return p;
}

static void same_binding(const rbac_binding *a, const rbac_binding *b, const char *what)
{
	if ((a == NULL) != (b == NULL) ||
	    (a && (!gh_str_eq(a->name, b->name) || !gh_str_eq(a->namespace, b->namespace) || a->cluster != b->cluster)))
		test_failed(__FILE__, __LINE__, "%s: the bindings differ", what);
}

static void random_attrs(rbac_attrs *a, gh_str *g)
{
	size_t ng = draw(3);
	for (size_t k = 0; k < ng; k++)
		g[k] = s_teams[draw(2)];
	static const gh_str nsq[] = { GH_STR("n0"), GH_STR("n1"), GH_STR("n2"), GH_STR(""), GH_STR("n9") };
	*a = (rbac_attrs){ .user = { .name = s_users[draw(3)], .groups = g, .ngroups = ng },
			   .resource_request = draw(5) != 0, .verb = s_verbs[draw(N_OF(s_verbs))],
			   .namespace = nsq[draw(5)] };
	if (a->resource_request) {
		static const gh_str sub[] = { GH_STR(""), GH_STR("log"), GH_STR("status") };
		a->api_group = s_groups[draw(3)];
		a->resource = draw(2) ? GH_STR("pods") : GH_STR("secrets");
		a->subresource = sub[draw(3)];
		a->name = s_names[draw(2)];
	} else {
		a->path = draw(2) ? GH_STR("/api") : GH_STR("/apis");
	}
}

static bool applies(const rbac_user *u, const rbac_subject *s, gh_str bns)
{
	if (gh_str_eq_c(s->kind, "User"))
		return gh_str_eq(u->name, s->name);
	if (gh_str_eq_c(s->kind, "Group")) {
		for (size_t i = 0; i < u->ngroups; i++)
			if (gh_str_eq(u->groups[i], s->name))
				return true;
		return false;
	}
	if (!gh_str_eq_c(s->kind, "ServiceAccount"))
		return false;
	gh_str ns = s->namespace.n ? s->namespace : bns;
	char want[128];
	int k = snprintf(want, sizeof want, "system:serviceaccount:%.*s:%.*s", GH_STR_ARG(ns), GH_STR_ARG(s->name));
	return ns.n && gh_str_eq(u->name, (gh_str){ want, (size_t)k });
}

/* RulesFor the plain way, through the public views only (bindings in order, roles by
 * name): the rules in order and whether some role was missing. */
static size_t plain_rules_for(const rbac_policy *p, const rbac_user *u, gh_str ns, const rbac_rule **out, size_t cap,
			      bool *incomplete)
{
	size_t n = 0;
	*incomplete = false;
	for (size_t i = 0; i < rbac_policy_nbindings(p); i++) {
		const rbac_binding *b = rbac_policy_binding(p, i);
		if (!b->cluster && (!ns.n || !gh_str_eq(b->namespace, ns)))
			continue;
		bool any = false;
		for (size_t k = 0; k < b->nsubjects && !any; k++)
			any = applies(u, &b->subjects[k], b->namespace);
		if (!any)
			continue;
		const rbac_role *r = NULL;
		if (gh_str_eq_c(b->role_ref.kind, "ClusterRole"))
			r = rbac_policy_role(p, GH_STR(""), b->role_ref.name);
		else if (gh_str_eq_c(b->role_ref.kind, "Role") && !b->cluster)
			r = rbac_policy_role(p, b->namespace, b->role_ref.name);
		if (!r) {
			*incomplete = true;
			continue;
		}
		for (size_t k = 0; k < r->nrules && n < cap; k++)
			out[n++] = &r->rules[k];
	}
	return n;
}

/* Everything a caller can ask, on both policies: the same answers. */
static size_t compare(const rbac_policy *inc, const rbac_policy *full, int queries)
{
	size_t allows = 0;
	CHECK_INT_EQ(rbac_policy_nbindings(inc), rbac_policy_nbindings(full));
	for (size_t i = 0; i < rbac_policy_nbindings(full); i++)
		same_binding(rbac_policy_binding(inc, i), rbac_policy_binding(full, i), "binding order");
	for (size_t k = 0; k < N_OF(s_roles); k++) {
		const rbac_role *a = rbac_policy_role(inc, GH_STR(""), s_roles[k]), *b = rbac_policy_role(full, GH_STR(""), s_roles[k]);
		CHECK((a == NULL) == (b == NULL));
		if (a && b)
			CHECK_INT_EQ(a->nrules, b->nrules);
	}
	gh_arena ar;
	gh_arena_init(&ar, 0);
	for (int q = 0; q < queries; q++) {
		gh_str g[2];
		rbac_attrs a;
		random_attrs(&a, g);
		gh_buf r1 = { 0 }, r2 = { 0 };
		rbac_decision d1 = rbac_test_decide(inc, &a, &r1, __FILE__, __LINE__);
		rbac_decision d2 = rbac_test_decide(full, &a, &r2, __FILE__, __LINE__);
		if (d1 != d2 || !gh_str_eq(gh_buf_str(&r1), gh_buf_str(&r2)))
			test_failed(__FILE__, __LINE__, "incremental and full differ: %d \"%s\" vs %d \"%s\"", d1,
				    r1.p ? r1.p : "", d2, r2.p ? r2.p : "");
		allows += d1 == RBAC_ALLOW;
		gh_buf_free(&r1);
		gh_buf_free(&r2);

		rbac_rules_result x, y;
		if (!rbac_rules_for(inc, &a.user, a.namespace, &ar, &x) || !rbac_rules_for(full, &a.user, a.namespace, &ar, &y)) {
			test_failed(__FILE__, __LINE__, "rbac_rules_for failed");
			break;
		}
		CHECK_INT_EQ(x.nall, y.nall);
		CHECK_INT_EQ(x.nresource, y.nresource);
		const rbac_rule *plain[256];
		bool pinc;
		size_t np = plain_rules_for(inc, &a.user, a.namespace, plain, 256, &pinc);
		CHECK_INT_EQ(np, x.nall);
		CHECK(pinc == x.incomplete);
		for (size_t i = 0; i < np && i < x.nall; i++)
			CHECK(plain[i] == x.all[i]);
		CHECK(x.incomplete == y.incomplete && gh_str_eq(x.evaluation_error, y.evaluation_error));
		for (size_t i = 0; i < x.nall && i < y.nall; i++) {
			gh_buf s1 = { 0 }, s2 = { 0 };
			rbac_rule_compact_string(x.all[i], &s1);
			rbac_rule_compact_string(y.all[i], &s2);
			if (!gh_str_eq(gh_buf_str(&s1), gh_buf_str(&s2)))
				test_failed(__FILE__, __LINE__, "RulesFor differ: %s vs %s", s1.p, s2.p);
			gh_buf_free(&s1);
			gh_buf_free(&s2);
		}

		rbac_who_can_result w1, w2;
		if (!rbac_who_can(inc, &a, &ar, &w1) || !rbac_who_can(full, &a, &ar, &w2)) {
			test_failed(__FILE__, __LINE__, "rbac_who_can failed");
			break;
		}
		CHECK_INT_EQ(w1.ngrants, w2.ngrants);
		CHECK(gh_str_eq(w1.evaluation_error, w2.evaluation_error));
		for (size_t i = 0; i < w1.ngrants && i < w2.ngrants; i++) {
			CHECK(w1.grants[i].kind == w2.grants[i].kind && gh_str_eq(w1.grants[i].name, w2.grants[i].name));
			same_binding(w1.grants[i].binding, w2.grants[i].binding, "who-can");
		}

		gh_str vb[2], gr[2], rs[2];
		rbac_rule want = { .verbs = some(s_verbs, N_OF(s_verbs), vb), .api_groups = some(s_groups, N_OF(s_groups), gr),
				   .resources = some(s_res, N_OF(s_res), rs) };
		want.verbs.n = want.api_groups.n = want.resources.n = 1;
		gh_buf m1 = { 0 }, m2 = { 0 };
		bool c1 = rbac_confirm_no_escalation(inc, &a.user, a.namespace, &want, 1, &m1);
		bool c2 = rbac_confirm_no_escalation(full, &a.user, a.namespace, &want, 1, &m2);
		CHECK(c1 == c2 && gh_str_eq(gh_buf_str(&m1), gh_buf_str(&m2)));
		gh_buf_free(&m1);
		gh_buf_free(&m2);

		rbac_binding probe = { .cluster = a.namespace.n == 0, .name = GH_STR("p"), .namespace = a.namespace,
				       .role_ref = { GH_STR(RBAC_GROUP), draw(2) ? GH_STR("ClusterRole") : GH_STR("Role"),
						     s_roles[draw(4)] } };
		rbac_write_check k1, k2;
		rbac_check_binding_write(inc, &a.user, &probe, NULL, NULL, &k1);
		rbac_check_binding_write(full, &a.user, &probe, NULL, NULL, &k2);
		CHECK(k1.allowed == k2.allowed && k1.status == k2.status && gh_str_eq(gh_buf_str(&k1.msg), gh_buf_str(&k2.msg)));
		gh_buf_free(&k1.msg);
		gh_buf_free(&k2.msg);
	}
	gh_arena_free(&ar);
	return allows;
}

#define KEEP 4 /* older policies kept alive */

TEST(rbac_source_incremental_matches_full)
{
	seed = 0x2545f4914f6cdd1dULL;
	size_t steps = 0, decisions = 0, allows = 0, compiled = 0, shards = 0;
	for (int round = 0; round < 12; round++) {
		gen g;
		gh_err e;
		/* a base layer (as the defaults) and a manifest layer that overrides some names */
		rbac_objects *base = rbac_objects_new(), *top = rbac_objects_new();
		REQUIRE(base && top && rbac_objects_add_defaults(base, &e));
		for (int i = 0; i < 6; i++) {
			int kind = (int)draw(4);
			rbac_objects *o = make(&g, kind, s_ns[draw(3)], kind <= 1 ? s_roles[draw(4)] : s_binds[draw(4)]);
			REQUIRE(o && add_all(i < 3 ? base : top, o, &e));
			rbac_objects_free(o);
		}
		rbac_source *src = rbac_source_new();
		REQUIRE(src && rbac_source_add(src, RBAC_LAYER_DEFAULTS, base, &e) &&
			rbac_source_add(src, RBAC_LAYER_MANIFESTS, top, &e));
		entry st[64];
		size_t n = 0;
		rbac_policy *kept_inc[KEEP] = { 0 }, *kept_full[KEEP] = { 0 };
		for (int step = 0; step < 120; step++) {
			int kind = (int)draw(4);
			gh_str ns = kind & 1 ? s_ns[draw(3)] : GH_STR("");
			gh_str name = kind <= 1 ? s_roles[draw(4)] : s_binds[draw(4)];
			size_t at = n;
			for (size_t i = 0; i < n; i++)
				if (st[i].kind == kind && gh_str_eq(st[i].ns, ns) && gh_str_eq(st[i].name, name))
					at = i;
			if (step % 40 == 39) {
				/* the manifests read again, changed */
				rbac_source_clear_layer(src, RBAC_LAYER_MANIFESTS);
				rbac_objects_free(top);
				top = rbac_objects_new();
				REQUIRE(top);
				for (int i = 0; i < 3; i++) {
					int k = (int)draw(4);
					rbac_objects *o = make(&g, k, s_ns[draw(3)], k <= 1 ? s_roles[draw(4)] : s_binds[draw(4)]);
					REQUIRE(o && add_all(top, o, &e));
					rbac_objects_free(o);
				}
				REQUIRE(rbac_source_add(src, RBAC_LAYER_MANIFESTS, top, &e));
			}
			bool del = draw(4) == 0;
			rbac_objects *o = del ? NULL : make(&g, kind, ns, name);
			REQUIRE(del || o);
			REQUIRE(rbac_source_replace(src, s_kinds[kind], ns, name, o, &e));
			if (at < n) {
				rbac_objects_free(st[at].obj);
				st[at] = st[--n];
			}
			if (o) {
				REQUIRE(n < N_OF(st));
				/* new entries at a random place: the store's order must not matter */
				size_t pos = draw((uint32_t)n + 1);
				st[n++] = st[pos];
				st[pos] = (entry){ kind, ns, name, o };
			}
			rbac_policy *inc, *full = full_compile(base, st, n, top);
			REQUIRE(full && rbac_source_policy(src, &inc, &e));
			rbac_source_stats ss;
			rbac_source_stats_get(src, &ss);
			compiled += ss.compiled;
			shards += ss.shards;
			allows += compare(inc, full, 25);
			decisions += 25;
			steps++;
			/* an older pair, still answering as it did */
			int old = (int)draw(KEEP);
			if (kept_inc[old])
				compare(kept_inc[old], kept_full[old], 5);
			rbac_policy_free(kept_inc[old]);
			rbac_policy_free(kept_full[old]);
			kept_inc[old] = inc;
			kept_full[old] = full;
		}
		for (int k = 0; k < KEEP; k++) {
			rbac_policy_free(kept_inc[k]);
			rbac_policy_free(kept_full[k]);
		}
		for (size_t i = 0; i < n; i++)
			rbac_objects_free(st[i].obj);
		rbac_source_free(src);
		rbac_objects_free(base);
		rbac_objects_free(top);
	}
	CHECK(allows > decisions / 20);
	CHECK(compiled < shards);
	printf("  rbac: %zu incremental steps, %zu x 2 decisions (%zu allowed) and queries, incremental == full == linear;"
	       " %zu of %zu shards compiled\n",
	       steps, decisions, allows, compiled, shards);
}
