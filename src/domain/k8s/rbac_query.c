/* Queries over a compiled policy: RulesFor (SelfSubjectRulesReview, can-i --list) and
 * who-can. */
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_internal.h"
#include "domain/k8s/rbac_obj_internal.h"

typedef struct rctx {
	const rbac_policy *p;
	bool storage;
	const rbac_rule **rules;
	size_t n, cap;
	gh_buf msgs; /* NUL-separated */
	size_t nerrors;
	bool oom;
} rctx;

static bool visit_rules(void *vctx, const pbinding *pb, const prole *role, uint8_t err_kind)
{
	rctx *c = vctx;
	if (!role) {
		c->nerrors++;
		rbac_ref_error(&pb->b, err_kind, c->storage, &c->msgs);
		gh_buf_putc(&c->msgs, '\0');
		return true;
	}
	const rbac_role *r = &role->r;
	if (!rbac_grow((void **)&c->rules, &c->cap, c->n + r->nrules, sizeof *c->rules)) {
		c->oom = true;
		return false;
	}
	for (size_t i = 0; i < r->nrules; i++)
		c->rules[c->n++] = &r->rules[i];
	return true;
}

/* The aggregate of NUL-separated messages, into the arena. */
static gh_str aggregate_into(gh_arena *a, const gh_buf *msgs, bool *oom)
{
	if (!msgs->n)
		return (gh_str){ "", 0 };
	size_t n = 0;
	for (size_t i = 0; i < msgs->n; i++)
		n += msgs->p[i] == '\0';
	gh_str *m = malloc((n + 1) * sizeof *m);
	if (!m) {
		*oom = true;
		return (gh_str){ "", 0 };
	}
	size_t k = 0, start = 0;
	for (size_t i = 0; i < msgs->n; i++)
		if (msgs->p[i] == '\0') {
			m[k++] = (gh_str){ msgs->p + start, i - start };
			start = i + 1;
		}
	gh_buf out = { 0 };
	rbac_aggregate(m, k, &out);
	free(m);
	gh_str s = gh_arena_str(a, gh_buf_str(&out));
	if (out.oom || s.n != out.n)
		*oom = true;
	gh_buf_free(&out);
	return s;
}

bool rbac_rules_for_impl(const rbac_policy *p, const rbac_user *u, gh_str ns, bool storage, gh_arena *a,
			 rbac_rules_result *out)
{
	*out = (rbac_rules_result){ 0 };
	rctx c = { .p = p, .storage = storage };
	bool walked = rbac_walk(p, u, ns, visit_rules, &c);
	bool ok = walked && !c.oom && !c.msgs.oom;
	if (ok && c.n) {
		out->all = gh_arena_alloc(a, c.n * sizeof *out->all);
		out->resource = gh_arena_alloc(a, c.n * sizeof *out->resource);
		out->non_resource = gh_arena_alloc(a, c.n * sizeof *out->non_resource);
		ok = out->all && out->resource && out->non_resource;
		for (size_t i = 0; ok && i < c.n; i++) {
			const rbac_rule *r = c.rules[i];
			out->all[out->nall++] = r;
			if (r->resources.n)
				out->resource[out->nresource++] = r;
			if (r->non_resource_urls.n)
				out->non_resource[out->nnon_resource++] = r;
		}
	}
	if (ok) {
		out->incomplete = c.nerrors > 0;
		bool oom = false;
		out->evaluation_error = aggregate_into(a, &c.msgs, &oom);
		ok = !oom;
	}
	free(c.rules);
	gh_buf_free(&c.msgs);
	return ok;
}

bool rbac_rules_for(const rbac_policy *p, const rbac_user *u, gh_str ns, gh_arena *a, rbac_rules_result *out)
{
	return rbac_rules_for_impl(p, u, ns, false, a, out);
}

/* ---- who can ---------------------------------------------------------------------------------- */

typedef struct wctx {
	const rbac_policy *p;
	rbac_req req, creq;   /* for the namespace shard, for the cluster shard */
	int8_t *cache, *ccache; /* per role id of each: -1 unknown, 0, 1 */
	rbac_grant *g;
	size_t n, cap;
	gh_buf msgs;
	size_t nerrors;
	bool oom;
} wctx;

static void who_binding(wctx *c, const rbac_shard *s, size_t bi)
{
	const pbinding *pb = &s->b[bi];
	uint8_t ek;
	const prole *role = rbac_binding_role(c->p, pb, &ek);
	if (!role) {
		c->nerrors++;
		rbac_ref_error(&pb->b, ek, false, &c->msgs);
		gh_buf_putc(&c->msgs, '\0');
		return;
	}
	bool in_cs = s == c->p->cs || pb->ext;
	int8_t *k = in_cs ? &c->ccache[role->id] : &c->cache[role->id];
	if (*k < 0)
		*k = rbac_role_allows(in_cs ? c->p->cs : s, role->id, in_cs ? &c->creq : &c->req) ? 1 : 0;
	if (!*k)
		return;
	const rbac_binding *b = &pb->b;
	for (size_t i = 0; i < b->nsubjects; i++) {
		const rbac_subject *s = &b->subjects[i];
		rbac_grant g = { .kind = rbac_subject_kind_of(s->kind), .name = s->name, .binding = b };
		if (g.kind == RBAC_SUBJECT_OTHER)
			continue;
		if (g.kind == RBAC_SUBJECT_SERVICE_ACCOUNT) {
			g.namespace = s->namespace.n ? s->namespace : b->namespace;
			if (!g.namespace.n)
				continue;
		}
		if (!rbac_grow((void **)&c->g, &c->cap, c->n + 1, sizeof *c->g)) {
			c->oom = true;
			return;
		}
		c->g[c->n++] = g;
	}
}

bool rbac_who_can(const rbac_policy *p, const rbac_attrs *a, gh_arena *arena, rbac_who_can_result *out)
{
	*out = (rbac_who_can_result){ 0 };
	const rbac_shard *s = a->namespace.n ? rbac_policy_shard(p, a->namespace) : NULL;
	size_t ncs = p->cs->ncroles + p->cs->nnroles, nns = s ? s->ncroles + s->nnroles : 0;
	wctx c = { .p = p, .req = { .a = a }, .creq = { .a = a } };
	c.ccache = malloc(ncs + 1);
	c.cache = malloc(nns + 1);
	if (!c.cache || !c.ccache) {
		free(c.cache);
		free(c.ccache);
		return false;
	}
	memset(c.ccache, -1, ncs + 1);
	memset(c.cache, -1, nns + 1);
	for (size_t i = 0; i < p->cs->ncrb && !c.oom; i++)
		who_binding(&c, p->cs, i);
	for (size_t i = 0; s && i < s->nb && !c.oom; i++)
		who_binding(&c, s, i);
	bool ok = !c.oom && !c.msgs.oom;
	if (ok && c.n) {
		out->grants = gh_arena_alloc(arena, c.n * sizeof *out->grants);
		ok = out->grants != NULL;
		if (ok) {
			memcpy(out->grants, c.g, c.n * sizeof *c.g);
			out->ngrants = c.n;
		}
	}
	if (ok) {
		out->incomplete = c.nerrors > 0;
		bool oom = false;
		out->evaluation_error = aggregate_into(arena, &c.msgs, &oom);
		ok = !oom;
	}
	free(c.cache);
	free(c.ccache);
	free(c.g);
	gh_buf_free(&c.msgs);
	return ok;
}
