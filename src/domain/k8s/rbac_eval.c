/* RBAC decisions: the indexed evaluator, the linear reference (VisitRulesFor + RuleAllows
 * exactly as upstream writes them), the privileged-group authorizer, and upstream's reason
 * strings. */
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_internal.h"

#define SA_PREFIX "system:serviceaccount:"
#define STACK_LISTS 64

/* ---- upstream's matching functions ---------------------------------------------------------- */

/* serviceaccount.MatchesUsername */
static bool sa_matches(gh_str ns, gh_str name, gh_str user)
{
	size_t pl = sizeof SA_PREFIX - 1;
	return user.n == pl + ns.n + 1 + name.n && memcmp(user.p, SA_PREFIX, pl) == 0 &&
	       (ns.n == 0 || memcmp(user.p + pl, ns.p, ns.n) == 0) && user.p[pl + ns.n] == ':' &&
	       (name.n == 0 || memcmp(user.p + pl + ns.n + 1, name.p, name.n) == 0);
}

bool rbac_subject_applies(const rbac_user *u, const rbac_subject *s, gh_str binding_ns)
{
	switch (rbac_subject_kind_of(s->kind)) {
	case RBAC_SUBJECT_USER:
		return rbac_eq(u->name, s->name);
	case RBAC_SUBJECT_GROUP:
		for (size_t i = 0; i < u->ngroups; i++)
			if (rbac_eq(u->groups[i], s->name))
				return true;
		return false;
	case RBAC_SUBJECT_SERVICE_ACCOUNT: {
		gh_str ns = s->namespace.n ? s->namespace : binding_ns;
		return ns.n && sa_matches(ns, s->name, u->name);
	}
	default:
		return false;
	}
}

long rbac_applies_to(const rbac_user *u, const rbac_binding *b)
{
	for (size_t i = 0; i < b->nsubjects; i++)
		if (rbac_subject_applies(u, &b->subjects[i], b->namespace))
			return (long)i;
	return -1;
}

static bool star_or_has(rbac_strs set, gh_str v)
{
	for (size_t i = 0; i < set.n; i++)
		if (gh_str_eq_c(set.v[i], "*") || rbac_eq(set.v[i], v))
			return true;
	return false;
}

/* r == resource + "/" + sub, without building the string */
static bool eq_combined(gh_str r, gh_str resource, gh_str sub)
{
	return r.n == resource.n + 1 + sub.n && (resource.n == 0 || memcmp(r.p, resource.p, resource.n) == 0) &&
	       r.p[resource.n] == '/' && (sub.n == 0 || memcmp(r.p + resource.n + 1, sub.p, sub.n) == 0);
}

static bool resource_matches(rbac_strs res, gh_str resource, gh_str sub)
{
	for (size_t i = 0; i < res.n; i++) {
		gh_str r = res.v[i];
		if (gh_str_eq_c(r, "*"))
			return true;
		if (sub.n ? eq_combined(r, resource, sub) : rbac_eq(r, resource))
			return true;
		if (sub.n == 0)
			continue;
		if (r.n == sub.n + 2 && r.p[0] == '*' && r.p[1] == '/' && memcmp(r.p + 2, sub.p, sub.n) == 0)
			return true;
	}
	return false;
}

static bool name_matches(rbac_strs names, gh_str name)
{
	if (names.n == 0)
		return true;
	for (size_t i = 0; i < names.n; i++)
		if (rbac_eq(names.v[i], name))
			return true;
	return false;
}

static bool url_matches(rbac_strs urls, gh_str path)
{
	for (size_t i = 0; i < urls.n; i++) {
		gh_str u = urls.v[i];
		if (gh_str_eq_c(u, "*") || rbac_eq(u, path))
			return true;
		if (u.n && u.p[u.n - 1] == '*') {
			gh_str prefix = u;
			while (prefix.n && prefix.p[prefix.n - 1] == '*')
				prefix.n--;
			if (gh_str_has_prefix(path, prefix))
				return true;
		}
	}
	return false;
}

bool rbac_rule_allows(const rbac_attrs *a, const rbac_rule *r)
{
	if (a->resource_request)
		return star_or_has(r->verbs, a->verb) && star_or_has(r->api_groups, a->api_group) &&
		       resource_matches(r->resources, a->resource, a->subresource) &&
		       name_matches(r->resource_names, a->name);
	return star_or_has(r->verbs, a->verb) && url_matches(r->non_resource_urls, a->path);
}

/* ---- messages ---------------------------------------------------------------------------- */

void rbac_describe(const rbac_binding *b, const rbac_subject *s, gh_buf *out)
{
	gh_buf_puts(out, b->cluster ? "ClusterRoleBinding " : "RoleBinding ");
	if (b->cluster) {
		rbac_go_quote(out, b->name);
	} else {
		gh_buf tmp = { 0 };
		gh_buf_printf(&tmp, GH_STR_FMT "/" GH_STR_FMT, GH_STR_ARG(b->name), GH_STR_ARG(b->namespace));
		rbac_go_quote(out, gh_buf_str(&tmp));
		gh_buf_free(&tmp);
	}
	gh_buf_printf(out, " of " GH_STR_FMT " ", GH_STR_ARG(b->role_ref.kind));
	rbac_go_quote(out, b->role_ref.name);
	gh_buf_printf(out, " to " GH_STR_FMT " ", GH_STR_ARG(s->kind));
	if (rbac_subject_kind_of(s->kind) == RBAC_SUBJECT_SERVICE_ACCOUNT) {
		gh_buf tmp = { 0 };
		gh_str ns = s->namespace.n ? s->namespace : b->namespace;
		gh_buf_printf(&tmp, GH_STR_FMT "/" GH_STR_FMT, GH_STR_ARG(s->name), GH_STR_ARG(ns));
		rbac_go_quote(out, gh_buf_str(&tmp));
		gh_buf_free(&tmp);
	} else {
		rbac_go_quote(out, s->name);
	}
}

void rbac_ref_error(const rbac_binding *b, uint8_t err_kind, bool storage, gh_buf *out)
{
	switch (err_kind) {
	case RBAC_ERR_ROLE_NOT_FOUND:
		gh_buf_puts(out, storage ? "roles." RBAC_GROUP " " : "role." RBAC_GROUP " ");
		rbac_go_quote(out, b->role_ref.name);
		gh_buf_puts(out, " not found");
		break;
	case RBAC_ERR_CLUSTER_ROLE_NOT_FOUND:
		gh_buf_puts(out, storage ? "clusterroles." RBAC_GROUP " " : "clusterrole." RBAC_GROUP " ");
		rbac_go_quote(out, b->role_ref.name);
		gh_buf_puts(out, " not found");
		break;
	case RBAC_ERR_UNSUPPORTED_KIND:
		gh_buf_puts(out, "unsupported role reference kind: ");
		rbac_go_quote(out, b->role_ref.kind);
		break;
	default:
		break;
	}
}

typedef struct msg_ref {
	gh_str m;
	size_t i;
} msg_ref;

static int msg_cmp(const void *x, const void *y)
{
	const msg_ref *a = x, *b = y;
	int c = rbac_strcmp(a->m, b->m);
	return c ? c : (a->i < b->i ? -1 : a->i > b->i);
}

/* utilerrors.NewAggregate(errs).Error(): one message as is, several as "[a, b]", a message
 * repeated later dropped. Quadratic for a few, sorted for many (a user bound to thousands
 * of missing roles must not make a reason cost seconds). */
void rbac_aggregate(const gh_str *msgs, size_t n, gh_buf *out)
{
	bool stack_dup[32], *dup = n <= 32 ? stack_dup : calloc(n, sizeof *dup);
	if (!dup)
		return;
	if (n <= 32) {
		for (size_t i = 0; i < n; i++) {
			dup[i] = false;
			for (size_t j = 0; j < i && !dup[i]; j++)
				dup[i] = rbac_eq(msgs[i], msgs[j]);
		}
	} else {
		msg_ref *r = malloc(n * sizeof *r);
		if (!r) {
			free(dup);
			return;
		}
		for (size_t i = 0; i < n; i++)
			r[i] = (msg_ref){ msgs[i], i };
		qsort(r, n, sizeof *r, msg_cmp);
		for (size_t i = 1; i < n; i++)
			if (rbac_eq(r[i].m, r[i - 1].m))
				dup[r[i].i] = true;
		free(r);
	}
	size_t shown = 0, first = out->n;
	for (size_t i = 0; i < n; i++) {
		if (dup[i])
			continue;
		if (shown++)
			gh_buf_puts(out, ", ");
		gh_buf_put_str(out, msgs[i]);
	}
	if (dup != stack_dup)
		free(dup);
	if (shown > 1) {
		gh_buf_putc(out, ']');
		if (gh_buf_reserve(out, 1)) {
			memmove(out->p + first + 1, out->p + first, out->n - first + 1);
			out->p[first] = '[';
			out->n++;
		}
	}
}

/* ---- the index walk --------------------------------------------------------------------------- */

typedef struct plist {
	const posting *p, *end;
} plist;

/* The keys a user is looked up under (name, then each group) with their hashes, computed
 * once per request for the cluster shard and the namespace's shard alike. */
typedef struct ukeys {
	gh_str name;
	uint32_t cls;
	size_t n;
	uint64_t stack[STACK_LISTS], *h;
} ukeys;

static bool ukeys_init(ukeys *k, const rbac_user *u)
{
	k->n = 1 + u->ngroups;
	k->h = k->n > STACK_LISTS ? malloc(k->n * sizeof *k->h) : k->stack;
	if (!k->h)
		return false;
	k->cls = rbac_user_key(u->name, &k->name);
	k->h[0] = rbac_key_hash(k->cls, k->name);
	for (size_t i = 0; i < u->ngroups; i++)
		k->h[i + 1] = rbac_key_hash(RBAC_KEY_GROUP, u->groups[i]);
	return true;
}

static void ukeys_free(ukeys *k)
{
	if (k->h != k->stack)
		free(k->h);
}

/* Starts the (independent) table misses of every key at once, so they overlap instead of
 * queueing one behind the other, and behind the cluster shard's work. */
static void ukeys_prefetch(const skey *keys, size_t mask, const ukeys *k)
{
	if (!keys)
		return;
	for (size_t i = 0; i < k->n; i++)
		__builtin_prefetch(&keys[k->h[i] & mask]);
}

/* The posting lists of the user's keys in one shard: ClusterRoleBindings in the cluster
 * shard, or the RoleBindings of a namespace shard (which holds one namespace, so a key's
 * RoleBindings are all of its postings after the ClusterRoleBindings, none there). All are
 * found (and prefetched) up front so the memory they live in is on its way while the first
 * lists are evaluated. */
typedef struct lists {
	plist stack[STACK_LISTS];
	plist *l;
	size_t n;
} lists;

static void lists_free(lists *ls)
{
	if (ls->l != ls->stack)
		free(ls->l);
}

static bool lists_init(lists *ls, const rbac_shard *p, const rbac_user *u, const ukeys *uk, bool cluster)
{
	ls->l = ls->stack;
	ls->n = 0;
	if (!p->keys)
		return true;
	if (uk->n > STACK_LISTS && !(ls->l = malloc(uk->n * sizeof *ls->l)))
		return false;
	for (size_t i = 0; i < uk->n; i++) {
		const skey *k = i ? rbac_key_find(p, RBAC_KEY_GROUP, u->groups[i - 1], uk->h[i])
				  : rbac_key_find(p, uk->cls, uk->name, uk->h[0]);
		if (!k)
			continue;
		const posting *base = rbac_key_postings(p->post, k);
		plist pl = cluster ? (plist){ base, base + k->crb_n } : (plist){ base + k->crb_n, base + k->n };
		if (pl.p == pl.end)
			continue;
		__builtin_prefetch(pl.p);
		ls->l[ls->n++] = pl;
	}
	return true;
}

/* The next binding of the union, in order, with the least subject index among the lists
 * that hold it; false when all are done. */
static inline bool lists_next(plist *l, size_t k, posting *out)
{
	if (k == 1) {
		if (l[0].p == l[0].end)
			return false;
		*out = *l[0].p++;
		return true;
	}
	uint32_t min = UINT32_MAX;
	for (size_t i = 0; i < k; i++)
		if (l[i].p < l[i].end && l[i].p->binding < min)
			min = l[i].p->binding;
	if (min == UINT32_MAX)
		return false;
	out->binding = min;
	out->role = RBAC_NONE;
	out->subject = UINT32_MAX;
	for (size_t i = 0; i < k; i++)
		if (l[i].p < l[i].end && l[i].p->binding == min) {
			out->role = l[i].p->role;
			if (l[i].p->subject < out->subject)
				out->subject = l[i].p->subject;
			l[i].p++;
		}
	return true;
}

bool rbac_walk(const rbac_policy *p, const rbac_user *u, gh_str ns, rbac_visit_fn fn, void *ctx)
{
	ukeys uk;
	if (!ukeys_init(&uk, u))
		return false;
	const rbac_shard *s = ns.n ? rbac_policy_shard(p, ns) : NULL;
	lists ls;
	bool go_on = lists_init(&ls, p->cs, u, &uk, true);
	if (!go_on) {
		ukeys_free(&uk);
		return false;
	}
	posting pst;
	while (go_on && lists_next(ls.l, ls.n, &pst)) {
		const pbinding *pb = &p->cs->b[pst.binding];
		go_on = fn(ctx, pb, pb->role, pb->err_kind);
	}
	lists_free(&ls);
	if (go_on && s) {
		if (!lists_init(&ls, s, u, &uk, false)) {
			ukeys_free(&uk);
			return false;
		}
		while (go_on && lists_next(ls.l, ls.n, &pst)) {
			const pbinding *pb = &s->b[pst.binding];
			uint8_t ek;
			const prole *r = rbac_binding_role(p, pb, &ek);
			go_on = fn(ctx, pb, r, ek);
		}
		lists_free(&ls);
	}
	ukeys_free(&uk);
	return go_on;
}

/* ---- the compiled role check ------------------------------------------------------------------ */

static uint32_t find_joined(const rbac_shard *p, gh_str a, char sep, gh_str b)
{
	char stack[256];
	size_t n = a.n + 1 + b.n;
	char *s = n <= sizeof stack ? stack : malloc(n);
	if (!s)
		return RBAC_NONE;
	memcpy(s, a.p, a.n);
	s[a.n] = sep;
	memcpy(s + a.n + 1, b.p, b.n);
	uint32_t id = rbac_vocab_find(p, s, n);
	if (s != stack)
		free(s);
	return id;
}

static size_t add_unique(uint32_t *v, size_t n, uint32_t id)
{
	if (id == RBAC_NONE)
		return n;
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return n;
	v[n] = id;
	return n + 1;
}

static void prepare(const rbac_shard *p, rbac_req *req)
{
	const rbac_attrs *a = req->a;
	uint32_t verbs[2], groups[2], res[3];
	size_t nv = 0, ng = 0, nr = 0;
	nv = add_unique(verbs, nv, rbac_vocab_find(p, a->verb.p, a->verb.n));
	nv = add_unique(verbs, nv, p->star);
	ng = add_unique(groups, ng, rbac_vocab_find(p, a->api_group.p, a->api_group.n));
	ng = add_unique(groups, ng, p->star);
	if (a->subresource.n) {
		nr = add_unique(res, nr, find_joined(p, a->resource, '/', a->subresource));
		nr = add_unique(res, nr, p->star);
		nr = add_unique(res, nr, find_joined(p, GH_STR("*"), '/', a->subresource));
	} else {
		nr = add_unique(res, nr, rbac_vocab_find(p, a->resource.p, a->resource.n));
		nr = add_unique(res, nr, p->star);
	}
	req->ncombo = 0;
	for (size_t i = 0; i < nv; i++)
		for (size_t j = 0; j < ng; j++)
			for (size_t k = 0; k < nr; k++) {
				unsigned vs = p->vocab_kind[verbs[i]] == 1, gs = p->vocab_kind[groups[j]] == 1;
				unsigned rt = p->vocab_kind[res[k]];
				req->combo[req->ncombo].v = verbs[i];
				req->combo[req->ncombo].g = groups[j];
				req->combo[req->ncombo].r = res[k];
				req->combo[req->ncombo].type = (uint16_t)(1u << RBAC_ATOM_TYPE(vs, gs, rt));
				req->ncombo++;
			}
	req->ready = true;
}

bool rbac_role_allows(const rbac_shard *p, uint32_t role_id, rbac_req *req)
{
	const rbac_attrs *a = req->a;
	if (!a->resource_request) {
		const prole *role = rbac_role_by_id(p, role_id);
		for (uint32_t i = 0; i < role->nnonres; i++)
			if (rbac_rule_allows(a, role->nonres[i]))
				return true;
		return false;
	}
	const rinfo *ri = &p->rinfo[role_id];
	if (ri->unindexed) {
		const prole *role = rbac_role_by_id(p, role_id);
		for (size_t i = 0; i < role->r.nrules; i++)
			if (rbac_rule_allows(a, &role->r.rules[i]))
				return true;
		return false;
	}
	if (!ri->atom_types)
		return false;
	if (!req->ready)
		prepare(p, req);
	for (uint32_t i = 0; i < req->ncombo; i++) {
		if (!(ri->atom_types & req->combo[i].type))
			continue;
		const atom *at = rbac_atom_find(p, ri->aset, req->combo[i].v, req->combo[i].g, req->combo[i].r);
		if (!at)
			continue;
		if (at->names_n == RBAC_ANY_NAME)
			return true;
		for (uint32_t j = 0; j < at->names_n; j++)
			if (rbac_eq(p->names[at->names_off + j], a->name))
				return true;
	}
	return false;
}

/* ---- decisions -------------------------------------------------------------------------------- */

typedef struct errs {
	const gh_str *stack[16];
	const gh_str **v;
	size_t n, cap;
} errs;

static void errs_push(errs *e, const gh_str *id)
{
	if (e->n == e->cap) {
		size_t cap = e->cap * 2;
		const gh_str **n = e->v == e->stack ? malloc(cap * sizeof *n) : realloc(e->v, cap * sizeof *n);
		if (!n)
			return;
		if (e->v == e->stack)
			memcpy(n, e->stack, sizeof e->stack);
		e->v = n;
		e->cap = cap;
	}
	e->v[e->n++] = id;
}

static void allow_reason(const rbac_binding *b, const rbac_subject *s, gh_buf *reason)
{
	gh_buf_puts(reason, "RBAC: allowed by ");
	rbac_describe(b, s, reason);
}

/* One phase of the walk over shard s; true when a binding allowed. ClusterRoles named by
 * a namespace shard's RoleBindings are checked in the cluster shard (creq, prepared for
 * its vocabulary). */
static bool decide_phase(const rbac_policy *pol, const rbac_shard *p, plist *l, size_t k, rbac_req *req,
			 rbac_req *creq, rbac_verdict *v, errs *e)
{
	posting pst;
	while (lists_next(l, k, &pst)) {
		const rbac_shard *rs = p;
		rbac_req *rq = req;
		uint32_t role = pst.role;
		if (role == RBAC_EXTERN) {
			const prole *r = rbac_lookup_role(pol->cs, (gh_str){ "", 0 }, p->b[pst.binding].b.role_ref.name);
			role = r ? r->id : RBAC_NONE;
			rs = pol->cs;
			rq = creq;
		}
		if (role == RBAC_NONE) {
			v->nerrors++;
			if (e)
				errs_push(e, &p->errs[p->b[pst.binding].err - 1]);
			continue;
		}
		if (rbac_role_allows(rs, role, rq)) {
			const rbac_binding *b = &p->b[pst.binding].b;
			v->decision = RBAC_ALLOW;
			v->binding = b;
			v->subject = &p->subj[pst.subject];
			return true;
		}
	}
	return false;
}

rbac_decision rbac_authorize(const rbac_policy *p, const rbac_attrs *a, rbac_verdict *v, gh_buf *reason)
{
	*v = (rbac_verdict){ .decision = RBAC_NO_OPINION };
	rbac_req creq = { .a = a }, req = { .a = a };
	errs e = { .n = 0, .cap = 16 };
	e.v = e.stack;
	ukeys uk;
	if (!ukeys_init(&uk, &a->user))
		return RBAC_NO_OPINION;
	/* the namespace's shard first: its key slots and header load while the cluster shard
	 * is walked */
	const nsslot *slot = a->namespace.n ? rbac_policy_ns(p, a->namespace) : NULL;
	const rbac_shard *s = slot ? slot->s : NULL;
	if (slot) {
		ukeys_prefetch(slot->keys, slot->key_mask, &uk);
		for (size_t off = 0; off < sizeof *s; off += 64)
			__builtin_prefetch((const char *)s + off);
	}
	ukeys_prefetch(p->cs->keys, p->cs->key_mask, &uk);
	lists ls;
	bool allowed = false, ok = lists_init(&ls, p->cs, &a->user, &uk, true);
	if (ok) {
		allowed = decide_phase(p, p->cs, ls.l, ls.n, &creq, &creq, v, reason ? &e : NULL);
		lists_free(&ls);
	}
	if (ok && !allowed && s && (ok = lists_init(&ls, s, &a->user, &uk, false))) {
		allowed = decide_phase(p, s, ls.l, ls.n, &req, &creq, v, reason ? &e : NULL);
		lists_free(&ls);
	}
	ukeys_free(&uk);
	if (!ok) {
		if (e.v != e.stack)
			free(e.v);
		*v = (rbac_verdict){ .decision = RBAC_NO_OPINION };
		return RBAC_NO_OPINION;
	}
	if (allowed) {
		v->nerrors = 0;
		if (reason)
			allow_reason(v->binding, v->subject, reason);
	} else if (reason && e.n) {
		gh_str *msgs = malloc(e.n * sizeof *msgs);
		if (msgs) {
			for (size_t i = 0; i < e.n; i++)
				msgs[i] = *e.v[i];
			gh_buf_puts(reason, "RBAC: ");
			rbac_aggregate(msgs, e.n, reason);
			free(msgs);
		}
	}
	if (e.v != e.stack)
		free(e.v);
	return v->decision;
}

typedef struct lctx {
	const rbac_policy *p;
	const rbac_attrs *a;
	gh_buf *reason;
	gh_buf msgs; /* messages, NUL-separated */
	size_t nerrors;
	rbac_verdict *v;
} lctx;

/* One binding of VisitRulesFor with the authorizing visitor; true when it allowed. */
static bool linear_binding(lctx *c, const rbac_shard *s, size_t i)
{
	const rbac_binding *b = &s->b[i].b;
	long si = rbac_applies_to(&c->a->user, b);
	if (si < 0)
		return false;
	uint8_t ek;
	const prole *r = rbac_lookup_ref(c->p, b, &ek);
	if (!r) {
		c->nerrors++;
		if (c->reason) {
			rbac_ref_error(b, ek, false, &c->msgs);
			gh_buf_putc(&c->msgs, '\0');
		}
		return false;
	}
	for (size_t k = 0; k < r->r.nrules; k++) {
		if (rbac_rule_allows(c->a, &r->r.rules[k])) {
			c->v->decision = RBAC_ALLOW;
			c->v->binding = b;
			c->v->subject = &b->subjects[si];
			return true;
		}
	}
	return false;
}

rbac_decision rbac_authorize_linear(const rbac_policy *p, const rbac_attrs *a, rbac_verdict *v, gh_buf *reason)
{
	*v = (rbac_verdict){ .decision = RBAC_NO_OPINION };
	lctx c = { .p = p, .a = a, .reason = reason, .v = v };
	bool allowed = false;
	for (size_t i = 0; i < p->cs->ncrb && !allowed; i++)
		allowed = linear_binding(&c, p->cs, i);
	const rbac_shard *s = !allowed && a->namespace.n ? rbac_policy_shard(p, a->namespace) : NULL;
	for (size_t i = 0; s && i < s->nb && !allowed; i++)
		allowed = linear_binding(&c, s, i);
	if (allowed) {
		if (reason)
			allow_reason(v->binding, v->subject, reason);
	} else {
		v->nerrors = c.nerrors;
		if (reason && c.nerrors && c.msgs.p) {
			size_t n = 0;
			for (size_t i = 0; i < c.msgs.n; i++)
				n += c.msgs.p[i] == '\0';
			gh_str *m = malloc((n + 1) * sizeof *m);
			if (m) {
				size_t k = 0, start = 0;
				for (size_t i = 0; i < c.msgs.n; i++)
					if (c.msgs.p[i] == '\0') {
						m[k++] = (gh_str){ c.msgs.p + start, i - start };
						start = i + 1;
					}
				gh_buf_puts(reason, "RBAC: ");
				rbac_aggregate(m, k, reason);
				free(m);
			}
		}
	}
	gh_buf_free(&c.msgs);
	return v->decision;
}

bool rbac_privileged_allows(const rbac_user *u, const char *const *groups, size_t ngroups)
{
	for (size_t i = 0; i < u->ngroups; i++)
		for (size_t j = 0; j < ngroups; j++)
			if (gh_str_eq_c(u->groups[i], groups[j]))
				return true;
	return false;
}
