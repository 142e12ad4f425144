/* rbac_fuzz: bytes -> YAML (or JSON) documents -> RBAC loader (validating or not) ->
 * compiled policy (with or without the bootstrap roles) -> decisions, rules-for, who-can;
 * the same objects through an rbac_source (and one deleted) decide as a full compile
 * and Covers. The first byte picks the options. Findings are crashes, sanitizer reports,
 * leaks, and any decision where the indexed evaluator and the linear reference disagree
 * (decision, binding, subject or reason). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "codec/yaml.h"
#include "domain/k8s/rbac.h"
#include "domain/k8s/rbac_source.h"

#define S(lit) { lit, sizeof(lit) - 1 }

static const gh_str g_auth[] = { S("system:authenticated"), S("g") };
static const gh_str g_sa[] = { S("system:serviceaccounts"), S("system:serviceaccounts:ns"), S("system:authenticated") };
static const gh_str g_masters[] = { S("system:masters") };

static const rbac_user users[] = {
	{ .name = S("alice"), .groups = g_auth, .ngroups = 2 },
	{ .name = S("system:serviceaccount:ns:sa"), .groups = g_sa, .ngroups = 3 },
	{ .name = S("bob") },
	{ .name = S("root"), .groups = g_masters, .ngroups = 1 },
};

static const rbac_attrs reqs[] = {
	{ .resource_request = true, .verb = S("get"), .namespace = S("ns"), .resource = S("pods"), .name = S("p") },
	{ .resource_request = true, .verb = S("list"), .namespace = S(""), .api_group = S("apps"),
	  .resource = S("deployments") },
	{ .resource_request = true, .verb = S("create"), .namespace = S("ns"), .resource = S("pods"),
	  .subresource = S("exec"), .name = S("p") },
	{ .resource_request = true, .verb = S("*"), .namespace = S("default"), .api_group = S("*"), .resource = S("*"),
	  .subresource = S("status") },
	{ .resource_request = true, .verb = S("update"), .namespace = S("ns"), .api_group = S("rbac.authorization.k8s.io"),
	  .resource = S("roles"), .name = S("") },
	{ .verb = S("get"), .path = S("/api/v1") },
	{ .verb = S("get"), .path = S("/version") },
	{ .verb = S("post"), .path = S("") },
};

static void check_same(const rbac_policy *p, const rbac_attrs *a)
{
	gh_buf r1 = { 0 }, r2 = { 0 };
	rbac_verdict v1, v2;
	rbac_decision d1 = rbac_authorize(p, a, &v1, &r1);
	rbac_decision d2 = rbac_authorize_linear(p, a, &v2, &r2);
	if (d1 != d2 || v1.binding != v2.binding || v1.subject != v2.subject || v1.nerrors != v2.nerrors ||
	    !gh_str_eq(gh_buf_str(&r1), gh_buf_str(&r2)))
		abort();
	gh_buf_free(&r1);
	gh_buf_free(&r2);
}

/* Two policies of the same objects decide alike (same decision, same reason). */
static void check_equal(const rbac_policy *p, const rbac_policy *q)
{
	for (size_t u = 0; u < sizeof users / sizeof users[0]; u++)
		for (size_t r = 0; r < sizeof reqs / sizeof reqs[0]; r++) {
			rbac_attrs a = reqs[r];
			a.user = users[u];
			gh_buf r1 = { 0 }, r2 = { 0 };
			rbac_verdict v1, v2;
			if (rbac_authorize(p, &a, &v1, &r1) != rbac_authorize(q, &a, &v2, &r2) ||
			    !gh_str_eq(gh_buf_str(&r1), gh_buf_str(&r2)))
				abort();
			gh_buf_free(&r1);
			gh_buf_free(&r2);
		}
	if (rbac_policy_nbindings(p) != rbac_policy_nbindings(q))
		abort();
}

static bool same_key(bool c1, gh_str ns1, gh_str n1, bool c2, gh_str ns2, gh_str n2)
{
	return c1 == c2 && (c1 || gh_str_eq(ns1, ns2)) && gh_str_eq(n1, n2);
}

/* The incremental path: the objects in a source's store layer, then one object (a role or a
 * binding, by the flags) deleted through rbac_source_replace, each time against a full
 * compile of the same objects. */
static void check_source(const rbac_objects *s, const rbac_policy *full, uint8_t flags)
{
	rbac_source *src = rbac_source_new();
	gh_err e;
	rbac_policy *inc = NULL;
	if (!src || !rbac_source_add(src, RBAC_LAYER_STORE, s, &e) || !rbac_source_policy(src, &inc, &e)) {
		rbac_source_free(src);
		return;
	}
	check_equal(inc, full);
	rbac_policy_free(inc);
	size_t nr, nb;
	const rbac_role *r = rbac_objects_roles(s, &nr);
	const rbac_binding *b = rbac_objects_bindings(s, &nb);
	bool role = (flags & 0x80) ? nr > 0 : nb == 0;
	rbac_objects *rest = rbac_objects_new();
	if (rest && (role ? nr : nb)) {
		bool cl = role ? r[0].cluster : b[0].cluster;
		gh_str ns = role ? r[0].namespace : b[0].namespace, name = role ? r[0].name : b[0].name;
		bool ok = true;
		for (size_t i = 0; ok && i < nr; i++)
			if (!role || !same_key(cl, ns, name, r[i].cluster, r[i].namespace, r[i].name))
				ok = rbac_objects_add_role(rest, &r[i], &e);
		for (size_t i = 0; ok && i < nb; i++)
			if (role || !same_key(cl, ns, name, b[i].cluster, b[i].namespace, b[i].name))
				ok = rbac_objects_add_binding(rest, &b[i], &e);
		const char *kind = role ? (cl ? "ClusterRole" : "Role") : (cl ? "ClusterRoleBinding" : "RoleBinding");
		rbac_policy *full2 = NULL;
		if (ok && rbac_source_replace(src, gh_str_c(kind), ns, name, NULL, &e) &&
		    rbac_source_policy(src, &inc, &e)) {
			if (rbac_policy_compile(rest, &full2, &e))
				check_equal(inc, full2);
			rbac_policy_free(inc);
			rbac_policy_free(full2);
		}
	}
	rbac_objects_free(rest);
	rbac_source_free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 64 * 1024)
		return 0;
	uint8_t flags = data[0];
	gh_str text = { (const char *)data + 1, size - 1 };
	json_t *docs = NULL;
	gh_err e = { 0 };
	if (flags & 1) {
		json_error_t je;
		docs = json_loadb(text.p, text.n, JSON_DECODE_ANY, &je);
	} else {
		gh_yaml_opts yo = { .max_nodes = 20000 };
		if (!gh_yaml_load_all(text, &yo, &docs, &e))
			docs = NULL;
	}
	if (!docs)
		return 0;

	rbac_objects *s = rbac_objects_new();
	if (!s) {
		json_decref(docs);
		return 0;
	}
	if (flags & 2)
		(void)rbac_objects_add_defaults(s, &e);
	rbac_load_opts lo = { .validate = (flags & 4) != 0, .max_list = 64, .max_string = 256 };
	rbac_load_stats st;
	(void)rbac_objects_load(s, docs, &lo, &st, &e);
	json_decref(docs);
	size_t nd;
	const rbac_diag *d = rbac_objects_diags(s, &nd);
	gh_buf b = { 0 };
	for (size_t i = 0; i < nd; i++)
		rbac_diag_format(&d[i], &b);
	gh_buf_free(&b);

	/* what was loaded validates without crashing */
	size_t nr, nbind;
	const rbac_role *roles = rbac_objects_roles(s, &nr);
	const rbac_binding *binds = rbac_objects_bindings(s, &nbind);
	rbac_field_errors fe;
	rbac_field_errors_init(&fe);
	for (size_t i = 0; i < nr && i < 64; i++)
		(void)rbac_validate_role(&roles[i], &fe);
	for (size_t i = 0; i < nbind && i < 64; i++) {
		(void)rbac_validate_binding(&binds[i], &fe);
		if (i)
			(void)rbac_validate_binding_update(&binds[i - 1], &binds[i], &fe);
	}
	gh_buf m = { 0 };
	rbac_invalid_message("Role", GH_STR("x"), &fe, &m);
	gh_buf_free(&m);
	rbac_field_errors_free(&fe);

	rbac_policy *p = NULL;
	if (rbac_policy_compile(s, &p, &e)) {
		for (size_t u = 0; u < sizeof users / sizeof users[0]; u++)
			for (size_t r = 0; r < sizeof reqs / sizeof reqs[0]; r++) {
				rbac_attrs a = reqs[r];
				a.user = users[u];
				check_same(p, &a);
			}
		gh_arena a;
		gh_arena_init(&a, 0);
		rbac_rules_result rr;
		if (rbac_rules_for(p, &users[(flags >> 3) & 3], GH_STR("ns"), &a, &rr)) {
			/* the user's own rules cover themselves */
			rbac_rule *own = rr.nall ? malloc(rr.nall * sizeof *own) : NULL;
			for (size_t i = 0; own && i < rr.nall; i++)
				own[i] = *rr.all[i];
			if (own && rr.nall < 512 && !rbac_covers(rr.all, rr.nall, own, rr.nall, &a, NULL, NULL))
				abort();
			free(own);
		}
		rbac_who_can_result wc;
		(void)rbac_who_can(p, &reqs[(flags >> 5) & 7], &a, &wc);
		if (nr) {
			gh_buf msg = { 0 };
			(void)rbac_confirm_no_escalation(p, &users[2], GH_STR("ns"), roles[0].rules,
							 roles[0].nrules < 16 ? roles[0].nrules : 16, &msg);
			gh_buf_free(&msg);
		}
		gh_arena_free(&a);
		check_source(s, p, flags);
		rbac_policy_free(p);
	}
	rbac_objects_free(s);
	return 0;
}
