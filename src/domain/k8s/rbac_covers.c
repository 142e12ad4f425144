/* Escalation prevention: Covers (component-helpers policy_comparator.go), CompactRules and
 * CompactString (the message), ConfirmNoEscalation, and the checks the RBAC storage runs
 * on role and binding writes (pkg/registry/rbac). */
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_internal.h"
#include "domain/k8s/rbac_obj_internal.h"

/* ---- Covers ------------------------------------------------------------------------------------ */

static bool has(rbac_strs set, gh_str e)
{
	for (size_t i = 0; i < set.n; i++)
		if (rbac_eq(set.v[i], e))
			return true;
	return false;
}

static bool has_all(rbac_strs set, rbac_strs contains)
{
	for (size_t i = 0; i < contains.n; i++)
		if (!has(set, contains.v[i]))
			return false;
	return true;
}

static bool resource_covers_all(rbac_strs set, rbac_strs covers)
{
	if (has(set, GH_STR("*")) || has_all(set, covers))
		return true;
	for (size_t i = 0; i < covers.n; i++) {
		gh_str path = covers.v[i];
		if (has(set, path))
			continue;
		size_t slash = gh_str_find(path, '/', 0);
		if (slash == path.n)
			return false;
		/* "*" + "/" + what follows the first slash */
		bool found = false;
		for (size_t k = 0; k < set.n && !found; k++) {
			gh_str s = set.v[k];
			found = s.n == path.n - slash + 1 && s.p[0] == '*' &&
				memcmp(s.p + 1, path.p + slash, path.n - slash) == 0;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool url_covers(gh_str owner, gh_str sub)
{
	if (rbac_eq(owner, sub))
		return true;
	if (owner.n == 0 || owner.p[owner.n - 1] != '*')
		return false;
	while (owner.n && owner.p[owner.n - 1] == '*')
		owner.n--;
	return gh_str_has_prefix(sub, owner);
}

static bool urls_cover_all(rbac_strs set, rbac_strs covers)
{
	for (size_t i = 0; i < covers.n; i++) {
		bool covered = false;
		for (size_t k = 0; k < set.n && !covered; k++)
			covered = url_covers(set.v[k], covers.v[i]);
		if (!covered)
			return false;
	}
	return true;
}

static bool rule_covers(const rbac_rule *owner, const rbac_rule *sub)
{
	bool verbs = has(owner->verbs, GH_STR("*")) || has_all(owner->verbs, sub->verbs);
	bool groups = has(owner->api_groups, GH_STR("*")) || has_all(owner->api_groups, sub->api_groups);
	bool resources = resource_covers_all(owner->resources, sub->resources);
	bool urls = urls_cover_all(owner->non_resource_urls, sub->non_resource_urls);
	bool names = sub->resource_names.n == 0 ? owner->resource_names.n == 0
						 : owner->resource_names.n == 0 ||
							   has_all(owner->resource_names, sub->resource_names);
	return verbs && groups && resources && names && urls;
}

static rbac_strs one(const gh_str *s)
{
	return (rbac_strs){ s, 1 };
}

typedef struct atoms {
	rbac_rule *v;
	size_t n, cap;
	bool oom;
} atoms;

static void push(atoms *m, rbac_rule r)
{
	if (!rbac_grow((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v)) {
		m->oom = true;
		return;
	}
	m->v[m->n++] = r;
}

/* BreakdownRule, keeping the atoms that no owner rule covers. */
static void uncovered(const rbac_rule *const *owner, size_t nowner, const rbac_rule *r, atoms *m)
{
	for (size_t g = 0; g < r->api_groups.n; g++)
		for (size_t res = 0; res < r->resources.n; res++)
			for (size_t v = 0; v < r->verbs.n; v++) {
				size_t nn = r->resource_names.n ? r->resource_names.n : 1;
				for (size_t k = 0; k < nn; k++) {
					rbac_rule a = { .verbs = one(&r->verbs.v[v]), .api_groups = one(&r->api_groups.v[g]),
							.resources = one(&r->resources.v[res]) };
					if (r->resource_names.n)
						a.resource_names = one(&r->resource_names.v[k]);
					bool covered = false;
					for (size_t o = 0; o < nowner && !covered; o++)
						covered = rule_covers(owner[o], &a);
					if (!covered)
						push(m, a);
				}
			}
	for (size_t u = 0; u < r->non_resource_urls.n; u++)
		for (size_t v = 0; v < r->verbs.n; v++) {
			rbac_rule a = { .verbs = one(&r->verbs.v[v]), .non_resource_urls = one(&r->non_resource_urls.v[u]) };
			bool covered = false;
			for (size_t o = 0; o < nowner && !covered; o++)
				covered = rule_covers(owner[o], &a);
			if (!covered)
				push(m, a);
		}
}

bool rbac_covers(const rbac_rule *const *owner, size_t nowner, const rbac_rule *servant, size_t nservant,
		 gh_arena *a, rbac_rule **missing, size_t *nmissing)
{
	atoms m = { 0 };
	for (size_t i = 0; i < nservant; i++)
		uncovered(owner, nowner, &servant[i], &m);
	bool covers = m.n == 0 && !m.oom;
	if (missing) {
		*missing = NULL;
		*nmissing = 0;
		if (m.n && a && (*missing = gh_arena_alloc(a, m.n * sizeof **missing))) {
			memcpy(*missing, m.v, m.n * sizeof *m.v);
			*nmissing = m.n;
		}
	}
	free(m.v);
	return covers;
}

/* ---- the message ---------------------------------------------------------------------------- */

void rbac_rule_compact_string(const rbac_rule *r, gh_buf *out)
{
	const struct {
		const char *name;
		rbac_strs s;
	} parts[] = { { "APIGroups", r->api_groups },
		      { "Resources", r->resources },
		      { "NonResourceURLs", r->non_resource_urls },
		      { "ResourceNames", r->resource_names },
		      { "Verbs", r->verbs } };
	gh_buf_putc(out, '{');
	bool first = true;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (!parts[i].s.n)
			continue;
		if (!first)
			gh_buf_puts(out, ", ");
		first = false;
		gh_buf_printf(out, "%s:", parts[i].name);
		rbac_go_quote_list(out, parts[i].s.v, parts[i].s.n);
	}
	gh_buf_putc(out, '}');
}

static int cmp_str(const void *x, const void *y)
{
	return rbac_strcmp(*(const gh_str *)x, *(const gh_str *)y);
}

/* Whether two simple atoms fall in one CompactRules group: same group, resource and name. */
static bool same_simple(const rbac_rule *x, const rbac_rule *y)
{
	return rbac_eq(x->api_groups.v[0], y->api_groups.v[0]) && rbac_eq(x->resources.v[0], y->resources.v[0]) &&
	       x->resource_names.n == y->resource_names.n &&
	       (!x->resource_names.n || rbac_eq(x->resource_names.v[0], y->resource_names.v[0]));
}

/* CompactRules (resource atoms of one group, resource and name, differing only by verb,
 * become one rule whose verbs keep their order; URL atoms stay as they are), then
 * CompactString of each, sorted and deduplicated (sets.String.List), one per line. */
static void missing_lines(const rbac_rule *m, size_t n, gh_buf *out)
{
	size_t *group = malloc((n + 1) * sizeof *group); /* first atom of each atom's group */
	gh_str *verbs = malloc((n + 1) * sizeof *verbs);
	size_t *ends = malloc((n + 1) * sizeof *ends);
	gh_buf text = { 0 };
	size_t nl = 0;
	if (!group || !verbs || !ends)
		goto done;
	for (size_t i = 0; i < n; i++) {
		group[i] = i;
		if (m[i].non_resource_urls.n)
			continue;
		for (size_t k = 0; k < i; k++)
			if (group[k] == k && !m[k].non_resource_urls.n && same_simple(&m[k], &m[i])) {
				group[i] = k;
				break;
			}
	}
	for (size_t i = 0; i < n; i++) {
		if (group[i] != i)
			continue;
		rbac_rule r = m[i];
		if (!r.non_resource_urls.n) {
			size_t nv = 0;
			for (size_t k = i; k < n; k++)
				if (group[k] == i)
					verbs[nv++] = m[k].verbs.v[0];
			r.verbs = (rbac_strs){ verbs, nv };
		}
		rbac_rule_compact_string(&r, &text);
		ends[nl++] = text.n;
	}
	if (!text.oom) {
		gh_str *lines = malloc((nl + 1) * sizeof *lines);
		if (!lines)
			goto done;
		for (size_t i = 0, start = 0; i < nl; i++) {
			lines[i] = (gh_str){ text.p + start, ends[i] - start };
			start = ends[i];
		}
		qsort(lines, nl, sizeof *lines, cmp_str);
		for (size_t i = 0; i < nl; i++) {
			if (i && rbac_eq(lines[i], lines[i - 1]))
				continue;
			if (i)
				gh_buf_putc(out, '\n');
			gh_buf_put_str(out, lines[i]);
		}
		free(lines);
	}
done:
	gh_buf_free(&text);
	free(group);
	free(verbs);
	free(ends);
}

static void user_header(const rbac_user *u, gh_buf *msg)
{
	gh_buf_puts(msg, "user ");
	rbac_go_quote(msg, u->name);
	gh_buf_puts(msg, " (groups=");
	rbac_go_quote_list(msg, u->groups, u->ngroups);
	gh_buf_puts(msg, ") is attempting to grant RBAC permissions not currently held:\n");
}

bool rbac_confirm_no_escalation(const rbac_policy *p, const rbac_user *u, gh_str ns, const rbac_rule *rules,
				size_t nrules, gh_buf *msg)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	rbac_rules_result own;
	if (!rbac_rules_for_impl(p, u, ns, true, &a, &own)) {
		/* out of memory: refuse rather than let an unchecked grant through */
		gh_buf_puts(msg, "out of memory checking for privilege escalation");
		gh_arena_free(&a);
		return false;
	}
	rbac_rule *missing;
	size_t nmissing;
	bool ok = rbac_covers(own.all, own.nall, rules, nrules, &a, &missing, &nmissing);
	if (!ok) {
		user_header(u, msg);
		missing_lines(missing, nmissing, msg);
		if (own.evaluation_error.n) {
			gh_buf_puts(msg, "; resolution errors: [");
			gh_buf_put_str(msg, own.evaluation_error);
			gh_buf_putc(msg, ']');
		}
	}
	gh_arena_free(&a);
	return ok;
}

/* ---- the storage checks ---------------------------------------------------------------------- */

static const char *const masters[] = { RBAC_SYSTEM_MASTERS };

static rbac_decision ask(const rbac_policy *p, rbac_authorizer_fn fn, void *ctx, const rbac_attrs *a)
{
	if (fn)
		return fn(ctx, a);
	if (rbac_privileged_allows(&a->user, masters, 1))
		return RBAC_ALLOW;
	rbac_verdict v;
	return rbac_authorize(p, a, &v, NULL);
}

static const gh_str full_verbs[] = { { "*", 1 } };
static const rbac_rule full_authority[] = {
	{ .verbs = { full_verbs, 1 }, .api_groups = { full_verbs, 1 }, .resources = { full_verbs, 1 } },
	{ .verbs = { full_verbs, 1 }, .non_resource_urls = { full_verbs, 1 } },
};

void rbac_check_role_write(const rbac_policy *p, const rbac_user *u, const rbac_role *r, const rbac_role *old,
			   rbac_authorizer_fn fn, void *ctx, rbac_write_check *c)
{
	*c = (rbac_write_check){ .allowed = true };
	if (rbac_privileged_allows(u, masters, 1))
		return;
	rbac_attrs esc = { .user = *u, .resource_request = true, .verb = GH_STR("escalate"),
			   .namespace = r->cluster ? (gh_str){ "", 0 } : r->namespace,
			   .api_group = GH_STR(RBAC_GROUP),
			   .resource = r->cluster ? GH_STR("clusterroles") : GH_STR("roles"), .name = r->name };
	if (ask(p, fn, ctx, &esc) == RBAC_ALLOW)
		return;
	gh_str ns = r->cluster ? (gh_str){ "", 0 } : r->namespace;
	if (!rbac_confirm_no_escalation(p, u, ns, r->rules, r->nrules, &c->msg)) {
		c->allowed = false;
		c->status = 403;
		return;
	}
	if (r->cluster && (r->has_aggregation || (old && old->has_aggregation))) {
		gh_buf tmp = { 0 };
		bool ok = rbac_confirm_no_escalation(p, u, ns, full_authority, 2, &tmp);
		gh_buf_free(&tmp);
		if (!ok) {
			c->allowed = false;
			c->status = 403;
			gh_buf_puts(&c->msg, "must have cluster-admin privileges to use the aggregationRule");
		}
	}
}

void rbac_check_binding_write(const rbac_policy *p, const rbac_user *u, const rbac_binding *b, rbac_authorizer_fn fn,
			      void *ctx, rbac_write_check *c)
{
	*c = (rbac_write_check){ .allowed = true };
	if (rbac_privileged_allows(u, masters, 1))
		return;
	gh_str ns = b->cluster ? (gh_str){ "", 0 } : b->namespace;
	bool cr = gh_str_eq_c(b->role_ref.kind, "ClusterRole"), role = gh_str_eq_c(b->role_ref.kind, "Role");
	if (cr || role) {
		rbac_attrs bind = { .user = *u, .resource_request = true, .verb = GH_STR("bind"), .namespace = ns,
				    .api_group = b->role_ref.api_group,
				    .resource = cr ? GH_STR("clusterroles") : GH_STR("roles"), .name = b->role_ref.name };
		if (ask(p, fn, ctx, &bind) == RBAC_ALLOW)
			return;
	}
	rbac_binding probe = *b;
	probe.namespace = ns;
	uint8_t ek;
	const prole *r = rbac_lookup_ref(p, &probe, &ek);
	if (!r) {
		c->allowed = false;
		/* a missing role is the registry's NotFound; an unknown kind a plain error (500) */
		c->status = ek == RBAC_ERR_UNSUPPORTED_KIND ? 500 : 404;
		rbac_ref_error(&probe, ek, true, &c->msg);
		return;
	}
	if (!rbac_confirm_no_escalation(p, u, ns, r->r.rules, r->r.nrules, &c->msg)) {
		c->allowed = false;
		c->status = 403;
	}
}
