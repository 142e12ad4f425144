/* Compiling a set of RBAC objects into a policy: last-wins deduplication, ClusterRole
 * aggregation, role resolution, and the indexes a decision uses (subjects, namespaces,
 * rule atoms). See rbac.h for the semantics and rbac_internal.h for the layout. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_internal.h"
#include "domain/k8s/rbac_obj_internal.h"

#define MAX_WARNINGS 100
#define MAX_AGG_PASSES 100

/* ---- hash tables ------------------------------------------------------------------------- */

static bool htab_alloc(rbac_htab *t, size_t n)
{
	size_t cap = 16;
	while (cap < n + n / 2 + 1)
		cap <<= 1;
	t->slots = calloc(cap, sizeof *t->slots);
	t->mask = cap - 1;
	return t->slots != NULL;
}

static void htab_put(rbac_htab *t, uint64_t h, uint32_t idx)
{
	size_t i = h & t->mask;
	while (t->slots[i])
		i = (i + 1) & t->mask;
	t->slots[i] = (h & 0xffffffff00000000ULL) | ((uint64_t)idx + 1);
}

/* A growable table of distinct strings (the strings must outlive it). */
typedef struct strtab {
	rbac_htab t;
	gh_str *v;
	uint64_t *h;
	size_t n, cap;
} strtab;

static uint32_t strtab_find(const strtab *s, gh_str x, uint64_t h)
{
	if (!s->t.slots)
		return RBAC_NONE;
	for (size_t i = h & s->t.mask;; i = (i + 1) & s->t.mask) {
		uint64_t e = s->t.slots[i];
		if (!e)
			return RBAC_NONE;
		if ((e >> 32) == (h >> 32)) {
			uint32_t idx = (uint32_t)e - 1;
			if (rbac_eq(s->v[idx], x))
				return idx;
		}
	}
}

static bool strtab_add(strtab *s, gh_str x, uint64_t h, uint32_t *id)
{
	if (s->n + 1 >= RBAC_NONE)
		return false;
	if (!rbac_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v))
		return false;
	size_t hcap = s->cap;
	uint64_t *nh = realloc(s->h, hcap * sizeof *nh);
	if (!nh)
		return false;
	s->h = nh;
	if (!s->t.slots || (s->n + 1) * 3 > (s->t.mask + 1) * 2) {
		rbac_htab t;
		if (!htab_alloc(&t, (s->n + 1) * 2))
			return false;
		for (size_t i = 0; i < s->n; i++)
			htab_put(&t, s->h[i], (uint32_t)i);
		free(s->t.slots);
		s->t = t;
	}
	s->v[s->n] = x;
	s->h[s->n] = h;
	htab_put(&s->t, h, (uint32_t)s->n);
	*id = (uint32_t)s->n++;
	return true;
}

static void strtab_free(strtab *s)
{
	free(s->t.slots);
	free(s->v);
	free(s->h);
	*s = (strtab){ 0 };
}

/* ---- lookups used at decision time ---------------------------------------------------------- */

uint32_t rbac_vocab_find(const rbac_shard *p, const char *s, size_t n)
{
	if (!p->vocab_tab.slots)
		return RBAC_NONE;
	gh_str x = { s, n };
	uint64_t h = rbac_hash(s, n, 0x6a09e667f3bcc908ULL);
	for (size_t i = h & p->vocab_tab.mask;; i = (i + 1) & p->vocab_tab.mask) {
		uint64_t e = p->vocab_tab.slots[i];
		if (!e)
			return RBAC_NONE;
		if ((e >> 32) == (h >> 32)) {
			uint32_t idx = (uint32_t)e - 1;
			if (rbac_eq(p->vocab[idx], x))
				return idx;
		}
	}
}

/* Equality of up to RBAC_KEY_HEAD bytes without a call: whole words, then the rest. */
static inline bool head_eq(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	for (; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline bool key_is(const skey *k, uint32_t cls, gh_str name)
{
	if (k->len != name.n || k->cls != cls)
		return false;
	size_t h = name.n < RBAC_KEY_HEAD ? name.n : RBAC_KEY_HEAD;
	return head_eq(k->head, name.p, h) &&
	       (name.n <= RBAC_KEY_HEAD || memcmp(k->name + RBAC_KEY_HEAD, name.p + RBAC_KEY_HEAD, name.n - RBAC_KEY_HEAD) == 0);
}

const skey *rbac_key_find(const rbac_shard *p, uint32_t cls, gh_str name, uint64_t h)
{
	if (!p->keys)
		return NULL;
	for (size_t i = h & p->key_mask;; i = (i + 1) & p->key_mask) {
		const skey *k = &p->keys[i];
		if (!k->hash)
			return NULL;
		if (k->hash == h && key_is(k, cls, name))
			return k;
	}
}

const atom *rbac_atom_find(const rbac_shard *p, uint32_t role, uint32_t v, uint32_t g, uint32_t r)
{
	if (!p->atom_tab.slots)
		return NULL;
	uint64_t h = rbac_atom_hash(role, v, g, r);
	for (size_t i = h & p->atom_tab.mask;; i = (i + 1) & p->atom_tab.mask) {
		uint64_t e = p->atom_tab.slots[i];
		if (!e)
			return NULL;
		if ((e >> 32) == (h >> 32)) {
			const atom *a = &p->atoms[(uint32_t)e - 1];
			if (a->role == role && a->v == v && a->g == g && a->r == r)
				return a;
		}
	}
}

const prole *rbac_lookup_role(const rbac_shard *p, gh_str ns, gh_str name)
{
	const prole *v = ns.n ? p->nroles : p->croles;
	size_t lo = 0, hi = ns.n ? p->nnroles : p->ncroles;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = ns.n ? rbac_strcmp(v[mid].r.namespace, ns) : 0;
		if (!c)
			c = rbac_strcmp(v[mid].r.name, name);
		if (!c)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* GetRoleReferenceRules within one shard: a Role in the binding's namespace (a
 * ClusterRoleBinding has none, so its Role is never found), a ClusterRole by name (only the
 * cluster shard has them), or an unsupported kind. */
static const prole *shard_lookup_ref(const rbac_shard *p, const rbac_binding *b, uint8_t *err_kind)
{
	const prole *r = NULL;
	if (gh_str_eq_c(b->role_ref.kind, "Role")) {
		r = b->namespace.n ? rbac_lookup_role(p, b->namespace, b->role_ref.name) : NULL;
		*err_kind = r ? RBAC_ERR_NONE : RBAC_ERR_ROLE_NOT_FOUND;
	} else if (gh_str_eq_c(b->role_ref.kind, "ClusterRole")) {
		r = rbac_lookup_role(p, (gh_str){ "", 0 }, b->role_ref.name);
		*err_kind = r ? RBAC_ERR_NONE : RBAC_ERR_CLUSTER_ROLE_NOT_FOUND;
	} else {
		*err_kind = RBAC_ERR_UNSUPPORTED_KIND;
	}
	return r;
}

const prole *rbac_lookup_ref(const rbac_policy *p, const rbac_binding *b, uint8_t *err_kind)
{
	if (gh_str_eq_c(b->role_ref.kind, "Role") && b->namespace.n) {
		const rbac_shard *s = rbac_policy_shard(p, b->namespace);
		const prole *r = s ? rbac_lookup_role(s, b->namespace, b->role_ref.name) : NULL;
		*err_kind = r ? RBAC_ERR_NONE : RBAC_ERR_ROLE_NOT_FOUND;
		return r;
	}
	return shard_lookup_ref(p->cs, b, err_kind);
}

const prole *rbac_binding_role(const rbac_policy *p, const pbinding *pb, uint8_t *err_kind)
{
	if (!pb->ext) {
		*err_kind = pb->err_kind;
		return pb->role;
	}
	const prole *r = rbac_lookup_role(p->cs, (gh_str){ "", 0 }, pb->b.role_ref.name);
	*err_kind = r ? RBAC_ERR_NONE : RBAC_ERR_CLUSTER_ROLE_NOT_FOUND;
	return r;
}

/* ---- the compiler ------------------------------------------------------------------------ */

typedef struct cc {
	rbac_shard *p;
	const rbac_role *const *roles;
	size_t nroles;
	const rbac_binding *const *binds;
	size_t nbinds;
	strtab strs; /* interned binding strings */
	bool oom;
} cc;

static void warn(cc *c, const char *fmt, ...) GH_PRINTF(2, 3);
static void warn(cc *c, const char *fmt, ...)
{
	rbac_shard *p = c->p;
	if (p->nwarnings > MAX_WARNINGS)
		return;
	if (!rbac_grow((void **)&p->warnings, &p->capwarnings, p->nwarnings + 1, sizeof *p->warnings))
		return;
	char buf[512];
	if (p->nwarnings == MAX_WARNINGS) {
		snprintf(buf, sizeof buf, "more warnings not shown");
	} else {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
	}
	p->warnings[p->nwarnings] = gh_arena_str(&p->arena, gh_str_c(buf));
	p->nwarnings++;
}

static gh_str intern(cc *c, gh_str s)
{
	if (s.n == 0)
		return (gh_str){ "", 0 };
	uint64_t h = rbac_hash(s.p, s.n, 0xa54ff53a5f1d36f1ULL);
	uint32_t id = strtab_find(&c->strs, s, h);
	if (id != RBAC_NONE)
		return c->strs.v[id];
	gh_str copy;
	if (!rbac_copy_str(&c->p->arena, s, &copy) || !strtab_add(&c->strs, copy, h, &id)) {
		c->oom = true;
		return (gh_str){ "", 0 };
	}
	return copy;
}

/* ---- ordering and last-wins deduplication ---------------------------------------------------- */

typedef struct sort_ent {
	gh_str ns, name;
	size_t idx;
} sort_ent;

static int sort_cmp(const void *x, const void *y)
{
	const sort_ent *a = x, *b = y;
	int c = rbac_strcmp(a->ns, b->ns);
	if (!c)
		c = rbac_strcmp(a->name, b->name);
	if (!c)
		c = a->idx < b->idx ? -1 : a->idx > b->idx;
	return c;
}

/* Sorts e[0..n) and keeps the last added of each (ns, name); returns the new count. */
static size_t sort_dedup(cc *c, sort_ent *e, size_t n, const char *kind)
{
	if (n > 1)
		qsort(e, n, sizeof *e, sort_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && rbac_eq(e[i].ns, e[i + 1].ns) && rbac_eq(e[i].name, e[i + 1].name)) {
			warn(c, "%s \"%.*s%s%.*s\" is defined more than once; the last definition is used", kind,
			     GH_STR_ARG(e[i].ns), e[i].ns.n ? "/" : "", GH_STR_ARG(e[i].name));
			continue;
		}
		e[m++] = e[i];
	}
	return m;
}

/* ---- roles and aggregation ----------------------------------------------------------------- */

static bool strs_equal(rbac_strs a, rbac_strs b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (!rbac_eq(a.v[i], b.v[i]))
			return false;
	return true;
}

static bool rules_equal(const rbac_rule *a, const rbac_rule *b)
{
	return strs_equal(a->verbs, b->verbs) && strs_equal(a->api_groups, b->api_groups) &&
	       strs_equal(a->resources, b->resources) && strs_equal(a->resource_names, b->resource_names) &&
	       strs_equal(a->non_resource_urls, b->non_resource_urls);
}

static uint64_t strs_hash(uint64_t h, rbac_strs s)
{
	h = rbac_mix64(h ^ s.n);
	for (size_t i = 0; i < s.n; i++)
		h = rbac_mix64(h ^ rbac_hash(s.v[i].p, s.v[i].n, 7));
	return h;
}

static uint64_t rule_hash(const rbac_rule *r)
{
	uint64_t h = strs_hash(1, r->verbs);
	h = strs_hash(h, r->api_groups);
	h = strs_hash(h, r->resources);
	h = strs_hash(h, r->resource_names);
	h = strs_hash(h, r->non_resource_urls);
	return h ? h : 1;
}

typedef struct rule_vec {
	rbac_rule *v;
	uint64_t *h;
	size_t n, cap;
	rbac_htab t;
} rule_vec;

static bool rule_vec_add_unique(rule_vec *rv, const rbac_rule *r)
{
	uint64_t h = rule_hash(r);
	if (rv->t.slots) {
		for (size_t i = h & rv->t.mask;; i = (i + 1) & rv->t.mask) {
			uint64_t e = rv->t.slots[i];
			if (!e)
				break;
			if ((e >> 32) == (h >> 32) && rules_equal(&rv->v[(uint32_t)e - 1], r))
				return true;
		}
	}
	if (!rbac_grow((void **)&rv->v, &rv->cap, rv->n + 1, sizeof *rv->v))
		return false;
	uint64_t *nh = realloc(rv->h, rv->cap * sizeof *nh);
	if (!nh)
		return false;
	rv->h = nh;
	if (!rv->t.slots || (rv->n + 1) * 3 > (rv->t.mask + 1) * 2) {
		rbac_htab t;
		if (!htab_alloc(&t, (rv->n + 1) * 2))
			return false;
		for (size_t i = 0; i < rv->n; i++)
			htab_put(&t, rv->h[i], (uint32_t)i);
		free(rv->t.slots);
		rv->t = t;
	}
	rv->v[rv->n] = *r;
	rv->h[rv->n] = h;
	htab_put(&rv->t, h, (uint32_t)rv->n);
	rv->n++;
	return true;
}

static void rule_vec_reset(rule_vec *rv)
{
	rv->n = 0;
	if (rv->t.slots)
		memset(rv->t.slots, 0, (rv->t.mask + 1) * sizeof *rv->t.slots);
}

static void rule_vec_free(rule_vec *rv)
{
	free(rv->v);
	free(rv->h);
	free(rv->t.slots);
}

/* The aggregation controller, run to a fixed point: each aggregated role's rules become the
 * rules of the roles its selectors select (by name, itself skipped, deep-equal duplicates
 * dropped), in name order, pass after pass until no role changes. */
static bool aggregate(cc *c)
{
	rbac_shard *p = c->p;
	size_t nagg = 0;
	uint32_t *agg = malloc((p->ncroles + 1) * sizeof *agg);
	if (!agg)
		return false;
	gh_buf why = { 0 };
	for (size_t i = 0; i < p->ncroles; i++) {
		const rbac_role *r = &p->croles[i].r;
		if (!r->has_aggregation)
			continue;
		bool valid = true;
		for (size_t s = 0; s < r->nselectors && valid; s++) {
			gh_buf_reset(&why);
			if (!rbac_selector_valid(&r->selectors[s], &why)) {
				valid = false;
				for (size_t k = 0; k < why.n; k++)
					if (why.p[k] == '\n')
						why.p[k] = ';';
				warn(c, "ClusterRole \"%.*s\": aggregationRule.clusterRoleSelectors[%zu]: %s; its rules are "
					"not aggregated", GH_STR_ARG(r->name), s, why.p ? why.p : "invalid");
			}
		}
		if (valid)
			agg[nagg++] = (uint32_t)i;
	}
	gh_buf_free(&why);
	rule_vec rv = { 0 };
	bool ok = true, changed = true;
	size_t pass;
	for (pass = 0; ok && changed && pass < MAX_AGG_PASSES; pass++) {
		changed = false;
		for (size_t k = 0; ok && k < nagg; k++) {
			prole *self = &p->croles[agg[k]];
			rule_vec_reset(&rv);
			for (size_t s = 0; ok && s < self->r.nselectors; s++) {
				const rbac_selector *sel = &self->r.selectors[s];
				for (size_t j = 0; ok && j < p->ncroles; j++) {
					const rbac_role *o = &p->croles[j].r;
					if (j == agg[k] || !rbac_selector_matches(sel, o->labels, o->nlabels))
						continue;
					for (size_t ri = 0; ok && ri < o->nrules; ri++)
						ok = rule_vec_add_unique(&rv, &o->rules[ri]);
				}
			}
			if (!ok)
				break;
			bool same = rv.n == self->r.nrules;
			for (size_t i = 0; same && i < rv.n; i++)
				same = rules_equal(&rv.v[i], &self->r.rules[i]);
			if (same)
				continue;
			rbac_rule *nr = NULL;
			if (rv.n && !(nr = gh_arena_alloc(&p->arena, rv.n * sizeof *nr))) {
				ok = false;
				break;
			}
			if (rv.n)
				memcpy(nr, rv.v, rv.n * sizeof *nr);
			self->r.rules = nr;
			self->r.nrules = rv.n;
			changed = true;
		}
	}
	if (ok && changed)
		warn(c, "ClusterRole aggregation did not settle after %zu passes (selectors form a cycle)", pass);
	rule_vec_free(&rv);
	free(agg);
	return ok;
}

static bool copy_roles(cc *c)
{
	rbac_shard *p = c->p;
	size_t n = c->nroles;
	const rbac_role *const *in = c->roles;
	sort_ent *ce = malloc((n + 1) * sizeof *ce), *ne = malloc((n + 1) * sizeof *ne);
	if (!ce || !ne) {
		free(ce);
		free(ne);
		return false;
	}
	size_t nc = 0, nn = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i]->cluster)
			ce[nc++] = (sort_ent){ { "", 0 }, in[i]->name, i };
		else
			ne[nn++] = (sort_ent){ in[i]->namespace, in[i]->name, i };
	}
	nc = sort_dedup(c, ce, nc, "ClusterRole");
	nn = sort_dedup(c, ne, nn, "Role");
	p->croles = calloc(nc + 1, sizeof *p->croles);
	p->nroles = calloc(nn + 1, sizeof *p->nroles);
	bool ok = p->croles && p->nroles;
	for (size_t i = 0; ok && i < nc; i++) {
		ok = rbac_copy_role(&p->arena, in[ce[i].idx], &p->croles[i].r);
		p->croles[i].id = (uint32_t)i;
	}
	for (size_t i = 0; ok && i < nn; i++) {
		ok = rbac_copy_role(&p->arena, in[ne[i].idx], &p->nroles[i].r);
		p->nroles[i].id = (uint32_t)(nc + i);
		p->nroles[i].r.has_aggregation = false; /* Roles have no aggregationRule */
		p->nroles[i].r.nselectors = 0;
	}
	p->ncroles = nc;
	p->nnroles = nn;
	p->index_bytes += (nc + nn) * sizeof(prole);
	free(ce);
	free(ne);
	return ok;
}

static prole *role_by_id(rbac_shard *p, size_t id)
{
	return (prole *)rbac_role_by_id(p, (uint32_t)id);
}

/* ---- rule atoms ------------------------------------------------------------------------------ */

typedef struct raw_atom {
	uint32_t role, v, g, r;
	uint32_t rule;
} raw_atom;

static int raw_cmp(const void *x, const void *y)
{
	const raw_atom *a = x, *b = y;
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	if (a->r != b->r)
		return a->r < b->r ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

static bool vocab_id(strtab *vt, gh_str s, uint32_t *id)
{
	uint64_t h = rbac_hash(s.p, s.n, 0x6a09e667f3bcc908ULL);
	*id = strtab_find(vt, s, h);
	if (*id != RBAC_NONE)
		return true;
	return strtab_add(vt, s, h, id);
}

static uint64_t rules_hash(const rbac_role *r)
{
	uint64_t h = rbac_mix64(r->nrules + 1);
	for (size_t i = 0; i < r->nrules; i++)
		h = rbac_mix64(h ^ rule_hash(&r->rules[i]));
	return h ? h : 1;
}

static bool same_rules(const rbac_role *a, const rbac_role *b)
{
	if (a->nrules != b->nrules)
		return false;
	for (size_t i = 0; i < a->nrules; i++)
		if (!rules_equal(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

/* Expands each distinct rule set into (verb, group, resource) atoms with their
 * resourceNames; roles whose rules are deep-equal (the same Role in many namespaces) share
 * one atom set. */
static bool build_atoms(cc *c)
{
	rbac_shard *p = c->p;
	size_t nroles = p->ncroles + p->nnroles;
	strtab vt = { 0 };
	raw_atom *raw = NULL;
	size_t nraw = 0, capraw = 0, total = 0;
	p->rinfo = calloc(nroles + 1, sizeof *p->rinfo);
	uint32_t *rep = malloc((nroles + 1) * sizeof *rep); /* atom set -> its first role */
	uint64_t *rep_h = malloc((nroles + 1) * sizeof *rep_h);
	rbac_htab sets = { 0 };
	bool ok = p->rinfo && rep && rep_h && htab_alloc(&sets, nroles);
	size_t naset = 0;
	for (size_t id = 0; ok && id < nroles; id++) {
		prole *pr = role_by_id(p, id);
		const rbac_role *r = &pr->r;
		size_t nnonres = 0;
		for (size_t i = 0; i < r->nrules; i++)
			nnonres += r->rules[i].non_resource_urls.n > 0;
		if (nnonres) {
			pr->nonres = gh_arena_alloc(&p->arena, nnonres * sizeof *pr->nonres);
			if (!pr->nonres) {
				ok = false;
				break;
			}
			for (size_t i = 0; i < r->nrules; i++)
				if (r->rules[i].non_resource_urls.n)
					pr->nonres[pr->nnonres++] = &r->rules[i];
		}
		/* a rule set seen before? */
		uint64_t h = rules_hash(r);
		uint32_t found = RBAC_NONE;
		size_t at = h & sets.mask;
		for (; sets.slots[at]; at = (at + 1) & sets.mask) {
			uint32_t k = (uint32_t)sets.slots[at] - 1;
			if ((sets.slots[at] >> 32) == (h >> 32) && rep_h[k] == h && same_rules(&role_by_id(p, rep[k])->r, r)) {
				found = k;
				break;
			}
		}
		if (found != RBAC_NONE) {
			p->rinfo[id].aset = found;
			continue;
		}
		uint32_t aset = (uint32_t)naset++;
		rep[aset] = (uint32_t)id;
		rep_h[aset] = h;
		htab_put(&sets, h, aset);
		p->rinfo[id].aset = aset;

		size_t count = 0;
		for (size_t i = 0; i < r->nrules; i++) {
			const rbac_rule *ru = &r->rules[i];
			if (count <= RBAC_ROLE_ATOM_CAP && ru->verbs.n <= RBAC_ROLE_ATOM_CAP &&
			    ru->api_groups.n <= RBAC_ROLE_ATOM_CAP && ru->resources.n <= RBAC_ROLE_ATOM_CAP)
				count += ru->verbs.n * ru->api_groups.n * ru->resources.n;
			else
				count = RBAC_ROLE_ATOM_CAP + 1;
		}
		if (count > RBAC_ROLE_ATOM_CAP || total + count > RBAC_TOTAL_ATOM_CAP) {
			p->rinfo[id].unindexed = 1;
			warn(c, "%s \"%.*s%s%.*s\" has too many rule combinations to index; it is evaluated rule by rule",
			     r->cluster ? "ClusterRole" : "Role", GH_STR_ARG(r->namespace), r->namespace.n ? "/" : "",
			     GH_STR_ARG(r->name));
			continue;
		}
		total += count;
		if (!rbac_grow((void **)&raw, &capraw, nraw + count, sizeof *raw)) {
			ok = false;
			break;
		}
		size_t first = nraw;
		for (size_t i = 0; ok && i < r->nrules; i++) {
			const rbac_rule *ru = &r->rules[i];
			for (size_t a = 0; ok && a < ru->verbs.n; a++) {
				uint32_t v;
				ok = vocab_id(&vt, ru->verbs.v[a], &v);
				for (size_t b = 0; ok && b < ru->api_groups.n; b++) {
					uint32_t g;
					ok = vocab_id(&vt, ru->api_groups.v[b], &g);
					for (size_t d = 0; ok && d < ru->resources.n; d++) {
						uint32_t rr;
						ok = vocab_id(&vt, ru->resources.v[d], &rr);
						if (ok)
							raw[nraw++] = (raw_atom){ aset, v, g, rr, (uint32_t)i };
					}
				}
			}
		}
		if (ok && nraw - first > 1)
			qsort(raw + first, nraw - first, sizeof *raw, raw_cmp);
	}
	free(sets.slots);
	p->nasets = naset;
	/* the vocabulary becomes the policy's */
	if (ok) {
		p->vocab = vt.v;
		p->nvocab = vt.n;
		p->vocab_tab = vt.t;
		vt.v = NULL;
		vt.t.slots = NULL;
		p->star = rbac_vocab_find(p, "*", 1);
		p->vocab_kind = calloc(p->nvocab + 1, 1);
		ok = p->vocab_kind != NULL;
		for (size_t i = 0; ok && i < p->nvocab; i++) {
			gh_str s = p->vocab[i];
			p->vocab_kind[i] = gh_str_eq_c(s, "*") ? 1 : (s.n > 2 && s.p[0] == '*' && s.p[1] == '/') ? 2 : 0;
		}
		p->index_bytes += (p->vocab_tab.mask + 1) * 8 + p->nvocab * (sizeof(gh_str) + 1);
	}
	strtab_free(&vt);
	/* merge the raw atoms of each (set, verb, group, resource) */
	size_t natoms = 0, capnames = 0;
	uint16_t *types = ok ? calloc(naset + 1, sizeof *types) : NULL;
	ok = ok && types;
	if (ok && nraw) {
		p->atoms = malloc(nraw * sizeof *p->atoms);
		ok = p->atoms != NULL;
	}
	for (size_t i = 0; ok && i < nraw;) {
		size_t j = i;
		bool any = false;
		const rbac_role *r = &role_by_id(p, rep[raw[i].role])->r;
		while (j < nraw && raw[j].role == raw[i].role && raw[j].v == raw[i].v && raw[j].g == raw[i].g &&
		       raw[j].r == raw[i].r) {
			if (r->rules[raw[j].rule].resource_names.n == 0)
				any = true;
			j++;
		}
		atom *a = &p->atoms[natoms++];
		*a = (atom){ raw[i].role, raw[i].v, raw[i].g, raw[i].r, 0, RBAC_ANY_NAME };
		if (!any) {
			a->names_off = (uint32_t)p->nnames;
			uint32_t last_rule = RBAC_NONE;
			for (size_t k = i; ok && k < j; k++) {
				if (raw[k].rule == last_rule)
					continue;
				last_rule = raw[k].rule;
				rbac_strs rn = r->rules[raw[k].rule].resource_names;
				ok = rbac_grow((void **)&p->names, &capnames, p->nnames + rn.n, sizeof *p->names);
				for (size_t m = 0; ok && m < rn.n; m++)
					p->names[p->nnames++] = rn.v[m];
			}
			a->names_n = (uint32_t)(p->nnames - a->names_off);
		}
		unsigned vs = p->vocab_kind[a->v] == 1, gs = p->vocab_kind[a->g] == 1;
		unsigned rt = p->vocab_kind[a->r];
		types[a->role] |= (uint16_t)(1u << RBAC_ATOM_TYPE(vs, gs, rt));
		i = j;
	}
	for (size_t id = 0; ok && id < nroles; id++) {
		rinfo *ri = &p->rinfo[id];
		ri->atom_types = types[ri->aset];
		ri->unindexed = p->rinfo[rep[ri->aset]].unindexed;
		role_by_id(p, id)->atom_types = ri->atom_types;
		role_by_id(p, id)->unindexed = ri->unindexed;
	}
	free(types);
	free(raw);
	free(rep);
	free(rep_h);
	p->natoms = natoms;
	if (ok && natoms) {
		ok = htab_alloc(&p->atom_tab, natoms);
		for (size_t i = 0; ok && i < natoms; i++) {
			const atom *a = &p->atoms[i];
			htab_put(&p->atom_tab, rbac_atom_hash(a->role, a->v, a->g, a->r), (uint32_t)i);
		}
		p->index_bytes += natoms * sizeof(atom) + (p->atom_tab.mask + 1) * 8 + p->nnames * sizeof(gh_str);
	}
	p->index_bytes += nroles * sizeof(rinfo);
	return ok;
}

/* ---- bindings ---------------------------------------------------------------------------- */

static bool copy_binding(cc *c, const rbac_binding *in, pbinding *out, rbac_subject *s)
{
	rbac_binding *b = &out->b;
	*b = (rbac_binding){ .cluster = in->cluster, .nsubjects = in->nsubjects };
	if (!rbac_copy_str(&c->p->arena, in->name, &b->name))
		return false;
	b->namespace = in->cluster ? (gh_str){ "", 0 } : intern(c, in->namespace);
	b->role_ref.api_group = intern(c, in->role_ref.api_group);
	b->role_ref.kind = intern(c, in->role_ref.kind);
	b->role_ref.name = intern(c, in->role_ref.name);
	if (in->nsubjects) {
		for (size_t i = 0; i < in->nsubjects; i++) {
			s[i].kind = intern(c, in->subjects[i].kind);
			s[i].api_group = intern(c, in->subjects[i].api_group);
			s[i].name = intern(c, in->subjects[i].name);
			s[i].namespace = intern(c, in->subjects[i].namespace);
		}
		b->subjects = s;
	}
	return !c->oom;
}

static bool copy_bindings(cc *c, strtab *errs)
{
	rbac_shard *p = c->p;
	size_t n = c->nbinds;
	const rbac_binding *const *in = c->binds;
	sort_ent *ce = malloc((n + 1) * sizeof *ce), *ne = malloc((n + 1) * sizeof *ne);
	if (!ce || !ne) {
		free(ce);
		free(ne);
		return false;
	}
	size_t nc = 0, nn = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i]->cluster)
			ce[nc++] = (sort_ent){ { "", 0 }, in[i]->name, i };
		else
			ne[nn++] = (sort_ent){ in[i]->namespace, in[i]->name, i };
	}
	nc = sort_dedup(c, ce, nc, "ClusterRoleBinding");
	nn = sort_dedup(c, ne, nn, "RoleBinding");
	p->b = calloc(nc + nn + 1, sizeof *p->b);
	size_t nsubj = 0;
	for (size_t i = 0; i < nc + nn; i++)
		nsubj += in[i < nc ? ce[i].idx : ne[i - nc].idx]->nsubjects;
	p->subj = nsubj < RBAC_NONE ? calloc(nsubj + 1, sizeof *p->subj) : NULL;
	p->nsubj = nsubj;
	bool ok = p->b && p->subj;
	for (size_t i = 0, off = 0; ok && i < nc + nn; i++) {
		const rbac_binding *src = in[i < nc ? ce[i].idx : ne[i - nc].idx];
		pbinding *pb = &p->b[i];
		ok = copy_binding(c, src, pb, p->subj + off);
		off += src->nsubjects;
		if (!ok)
			break;
		pb->role = shard_lookup_ref(p, &pb->b, &pb->err_kind);
		/* a namespace shard has no ClusterRoles: the policy's cluster shard answers */
		pb->ext = p->nsname.n && pb->err_kind == RBAC_ERR_CLUSTER_ROLE_NOT_FOUND;
		if (pb->err_kind != RBAC_ERR_NONE) {
			gh_buf m = { 0 };
			rbac_ref_error(&pb->b, pb->err_kind, false, &m);
			gh_str msg = gh_buf_str(&m);
			uint64_t h = rbac_hash(msg.p, msg.n, 11);
			uint32_t id = strtab_find(errs, msg, h);
			if (id == RBAC_NONE) {
				gh_str copy = gh_arena_str(&p->arena, msg);
				ok = !m.oom && copy.n == msg.n && strtab_add(errs, copy, h, &id);
			}
			gh_buf_free(&m);
			pb->err = id + 1;
		}
	}
	p->nb = ok ? nc + nn : 0;
	p->ncrb = ok ? nc : 0;
	p->index_bytes += (nc + nn) * sizeof(pbinding) + nsubj * sizeof(rbac_subject);
	free(ce);
	free(ne);
	return ok;
}

static bool build_namespaces(cc *c)
{
	rbac_shard *p = c->p;
	size_t n = 0;
	for (size_t i = p->ncrb; i < p->nb; i++)
		if (i == p->ncrb || !rbac_eq(p->b[i].b.namespace, p->b[i - 1].b.namespace))
			n++;
	/* a shard holds RoleBindings of one namespace at most: the policy's table finds it */
	p->ns = calloc(n + 1, sizeof *p->ns);
	p->ns_first = calloc(n + 1, sizeof *p->ns_first);
	p->ns_count = calloc(n + 1, sizeof *p->ns_count);
	if (!p->ns || !p->ns_first || !p->ns_count)
		return false;
	for (size_t i = p->ncrb; i < p->nb; i++) {
		if (i == p->ncrb || !rbac_eq(p->b[i].b.namespace, p->b[i - 1].b.namespace)) {
			p->ns[p->nns] = p->b[i].b.namespace;
			p->ns_first[p->nns] = (uint32_t)i;
			p->nns++;
		}
		p->ns_count[p->nns - 1]++;
	}
	p->index_bytes += n * (sizeof(gh_str) + 8);
	return true;
}

/* The subject index: for each key (user name, service account, group), the
 * ClusterRoleBindings naming it and, per namespace, the RoleBindings, each list in visiting
 * order, each posting with the binding's role and the first subject with that key. */
typedef struct raw_post {
	uint32_t key, ns, binding, subject; /* ns: namespace id + 1, 0 for a ClusterRoleBinding */
} raw_post;

static bool build_subjects(cc *c)
{
	rbac_shard *p = c->p;
	size_t total = 0;
	for (size_t i = 0; i < p->nb; i++)
		total += p->b[i].b.nsubjects;
	if (total >= RBAC_NONE)
		return false;
	raw_post *raw = malloc((total + 1) * sizeof *raw);
	uint32_t *bns = malloc((p->nb + 1) * sizeof *bns);
	strtab keys[3];
	memset(keys, 0, sizeof keys);
	bool ok = raw && bns;
	for (size_t i = 0, ns = 0; ok && i < p->nb; i++) {
		if (i < p->ncrb) {
			bns[i] = 0;
		} else {
			while (ns + 1 < p->nns && p->ns_first[ns + 1] <= i)
				ns++;
			bns[i] = (uint32_t)ns + 1;
		}
	}
	size_t np = 0;
	gh_buf sa = { 0 };
	for (size_t i = 0; ok && i < p->nb; i++) {
		const rbac_binding *b = &p->b[i].b;
		for (size_t s = 0; ok && s < b->nsubjects; s++) {
			const rbac_subject *sub = &b->subjects[s];
			uint32_t cls;
			gh_str name;
			switch (rbac_subject_kind_of(sub->kind)) {
			case RBAC_SUBJECT_USER:
				cls = rbac_user_key(sub->name, &name);
				break;
			case RBAC_SUBJECT_GROUP:
				cls = RBAC_KEY_GROUP, name = sub->name;
				break;
			case RBAC_SUBJECT_SERVICE_ACCOUNT: {
				gh_str ns = sub->namespace.n ? sub->namespace : b->namespace;
				if (ns.n == 0)
					continue; /* matches nobody */
				gh_buf_reset(&sa);
				gh_buf_put_str(&sa, ns);
				gh_buf_putc(&sa, ':');
				gh_buf_put_str(&sa, sub->name);
				if (sa.oom) {
					ok = false;
					continue;
				}
				cls = RBAC_KEY_SA, name = intern(c, gh_buf_str(&sa));
				break;
			}
			default:
				continue;
			}
			uint64_t h = rbac_key_hash(cls, name);
			uint32_t id = strtab_find(&keys[cls], name, h);
			if (id == RBAC_NONE && !strtab_add(&keys[cls], name, h, &id)) {
				ok = false;
				continue;
			}
			raw[np++] = (raw_post){ id | (cls << 30), bns[i], (uint32_t)i, (uint32_t)s };
		}
	}
	gh_buf_free(&sa);
	size_t nk = keys[0].n + keys[1].n + keys[2].n;
	ok = ok && !c->oom && nk < ((size_t)1 << 30);
	uint32_t *start = ok ? calloc(nk + 2, sizeof *start) : NULL;
	posting *sorted = ok ? malloc((np + 1) * sizeof *sorted) : NULL;
	uint32_t *sorted_ns = ok ? malloc((np + 1) * sizeof *sorted_ns) : NULL;
	ok = ok && start && sorted && sorted_ns;
	if (ok) {
		size_t cap = 16;
		while (cap < nk + nk / 3 + 1)
			cap <<= 1;
		p->keys = aligned_alloc(64, cap * sizeof *p->keys);
		p->post = malloc((np + 1) * sizeof *p->post);
		ok = p->keys && p->post;
		if (ok) {
			memset(p->keys, 0, cap * sizeof *p->keys);
			p->key_mask = cap - 1;
		}
	}
	if (ok) {
		/* key ids: users, then groups, then service accounts */
		size_t base[3] = { 0, keys[0].n, keys[0].n + keys[1].n };
		for (size_t k = 0; k < np; k++) {
			raw[k].key = (uint32_t)(base[raw[k].key >> 30] + (raw[k].key & 0x3fffffffu));
			start[raw[k].key + 1]++;
		}
		for (size_t k = 0; k < nk; k++)
			start[k + 1] += start[k];
		/* a stable counting sort by key keeps each key's postings in binding order */
		uint32_t *fill = malloc((nk + 1) * sizeof *fill);
		ok = fill != NULL;
		if (ok) {
			memcpy(fill, start, nk * sizeof *fill);
			for (size_t k = 0; k < np; k++) {
				uint32_t at = fill[raw[k].key]++;
				const pbinding *pb = &p->b[raw[k].binding];
				sorted[at] = (posting){ raw[k].binding,
							pb->ext ? RBAC_EXTERN : pb->role ? pb->role->id : RBAC_NONE,
							(uint32_t)(pb->b.subjects - p->subj) + raw[k].subject };
				sorted_ns[at] = raw[k].ns;
			}
			free(fill);
		}
		/* the table, each key's postings (a binding once, with its first subject), and its
		 * namespaces */
		size_t out = 0, capnsr = 0;
		for (size_t k = 0; ok && k < nk; k++) {
			uint32_t cls = k < base[1] ? RBAC_KEY_USER : k < base[2] ? RBAC_KEY_GROUP : RBAC_KEY_SA;
			gh_str name = keys[cls].v[k - base[cls]];
			uint64_t h = keys[cls].h[k - base[cls]];
			size_t at = h & p->key_mask;
			while (p->keys[at].hash)
				at = (at + 1) & p->key_mask;
			skey *e = &p->keys[at];
			*e = (skey){ .hash = h, .len = (uint32_t)name.n, .cls = cls, .name = name.p };
			memcpy(e->head, name.p, name.n < RBAC_KEY_HEAD ? name.n : RBAC_KEY_HEAD);
			e->crb_off = (uint32_t)out;
			size_t first_nsr = p->nnsr;
			uint32_t cur_ns = RBAC_NONE;
			for (size_t m = start[k]; ok && m < start[k + 1]; m++) {
				if (out > e->crb_off && p->post[out - 1].binding == sorted[m].binding)
					continue; /* the same binding names the key twice: the first subject counts */
				uint32_t ns = sorted_ns[m];
				if (ns && ns != cur_ns) {
					ok = rbac_grow((void **)&p->nsr, &capnsr, p->nnsr + 1, sizeof *p->nsr);
					if (!ok)
						break;
					p->nsr[p->nnsr++] = (nsrange){ ns - 1, (uint32_t)(out - e->crb_off), 0 };
					cur_ns = ns;
				}
				if (ns)
					p->nsr[p->nnsr - 1].n++;
				else
					e->crb_n++;
				p->post[out++] = sorted[m];
			}
			e->n = (uint32_t)(out - e->crb_off);
			e->ns_n = (uint32_t)(p->nnsr - first_nsr);
			if (e->ns_n == 1) { /* kept inline: the range follows the ClusterRoleBindings */
				e->ns = p->nsr[first_nsr].ns;
				p->nnsr--;
			} else {
				e->ns = (uint32_t)first_nsr;
			}
		}
		p->npost = out;
		p->nkeys = nk;
		p->index_bytes += (p->key_mask + 1) * sizeof(skey) + p->npost * sizeof(posting) + p->nnsr * sizeof(nsrange);
	}
	free(start);
	free(sorted);
	free(sorted_ns);
	strtab_free(&keys[0]);
	strtab_free(&keys[1]);
	strtab_free(&keys[2]);
	free(raw);
	free(bns);
	return ok;
}

bool rbac_shard_compile(gh_str ns, const rbac_role *const *roles, size_t nroles, const rbac_binding *const *binds,
			size_t nbinds, rbac_shard **out)
{
	*out = NULL;
	rbac_shard *p = calloc(1, sizeof *p);
	if (!p)
		return false;
	atomic_init(&p->refs, 1);
	/* sized to the input: most namespace shards hold a few objects, and a fixed megabyte
	 * block each would cost 500 MB at 500 namespaces (copies take ~150 B an object) */
	size_t block = (nroles + nbinds) * 192;
	gh_arena_init(&p->arena, block < 2048 ? 2048 : block > ((size_t)1 << 20) ? (size_t)1 << 20 : block);
	p->nsname = gh_arena_str(&p->arena, ns);
	cc c = { .p = p, .roles = roles, .nroles = nroles, .binds = binds, .nbinds = nbinds };
	strtab errs = { 0 };
	bool ok = p->nsname.n == ns.n && copy_roles(&c) && aggregate(&c) && build_atoms(&c) &&
		  copy_bindings(&c, &errs) && build_namespaces(&c) && build_subjects(&c) && !c.oom;
	p->errs = errs.v;
	p->nerrs = errs.n;
	errs.v = NULL;
	strtab_free(&errs);
	strtab_free(&c.strs);
	if (!ok) {
		rbac_shard_unref(p);
		return false;
	}
	*out = p;
	return true;
}

void rbac_shard_unref(rbac_shard *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	gh_arena_free(&p->arena);
	free(p->croles);
	free(p->nroles);
	free(p->rinfo);
	free(p->b);
	free(p->ns);
	free(p->ns_first);
	free(p->ns_count);
	free(p->subj);
	free(p->keys);
	free(p->post);
	free(p->nsr);
	free(p->vocab);
	free(p->vocab_kind);
	free(p->vocab_tab.slots);
	free(p->atoms);
	free(p->atom_tab.slots);
	free(p->names);
	free(p->errs);
	free(p->warnings);
	free(p);
}

/* ---- the policy: shards put together ------------------------------------------------------- */

bool rbac_policy_assemble(rbac_shard *cs, rbac_shard **shards, size_t n, rbac_policy **out)
{
	*out = NULL;
	rbac_policy *p = calloc(1, sizeof *p);
	size_t cap = 16;
	while (cap < n + n / 2 + 1)
		cap <<= 1;
	/* every shard keeps up to MAX_WARNINGS + 1; the policy shows as many, as one compile did */
	size_t nw = cs->nwarnings;
	for (size_t i = 0; i < n; i++)
		nw += shards[i]->nwarnings;
	if (nw > MAX_WARNINGS + 1)
		nw = MAX_WARNINGS + 1;
	gh_str *w = NULL;
	if (p) {
		p->cs = cs;
		p->shards = shards;
		p->nshards = n;
		p->nst = aligned_alloc(64, cap * sizeof *p->nst);
		if (p->nst)
			memset(p->nst, 0, cap * sizeof *p->nst);
		p->nst_mask = cap - 1;
		p->bfirst = malloc((n + 1) * sizeof *p->bfirst);
		w = malloc((nw + 1) * sizeof *w);
	}
	if (!p || !p->nst || !p->bfirst || !w) {
		free(w);
		if (p) {
			p->warnings = NULL;
			rbac_policy_free(p);
		} else {
			rbac_shard_unref(cs);
			for (size_t i = 0; i < n; i++)
				rbac_shard_unref(shards[i]);
			free(shards);
		}
		return false;
	}
	static const gh_str more = { "more warnings not shown", 23 };
	size_t nb = cs->nb, k = 0;
	for (size_t i = 0; i < cs->nwarnings && k < nw; i++)
		w[k++] = cs->warnings[i];
	for (size_t i = 0; i < n; i++) {
		p->bfirst[i] = nb;
		nb += shards[i]->nb;
		for (size_t j = 0; j < shards[i]->nwarnings && k < nw; j++)
			w[k++] = shards[i]->warnings[j];
		gh_str ns = shards[i]->nsname;
		uint64_t h = rbac_ns_hash(ns);
		size_t at = h & p->nst_mask;
		while (p->nst[at].hash)
			at = (at + 1) & p->nst_mask;
		nsslot *e = &p->nst[at];
		*e = (nsslot){ .hash = h, .s = shards[i], .keys = shards[i]->keys, .key_mask = (uint32_t)shards[i]->key_mask,
			       .len = (uint32_t)ns.n, .name = ns.p };
		memcpy(e->head, ns.p, ns.n < sizeof e->head ? ns.n : sizeof e->head);
	}
	if (nw == MAX_WARNINGS + 1)
		w[MAX_WARNINGS] = more;
	p->nb = nb;
	p->warnings = w;
	p->nwarnings = nw;
	*out = p;
	return true;
}

const nsslot *rbac_policy_ns(const rbac_policy *p, gh_str ns)
{
	uint64_t h = rbac_ns_hash(ns);
	size_t hl = sizeof p->nst->head;
	for (size_t i = h & p->nst_mask;; i = (i + 1) & p->nst_mask) {
		const nsslot *k = &p->nst[i];
		if (!k->hash)
			return NULL;
		if (k->hash == h && k->len == ns.n && memcmp(k->head, ns.p, ns.n < hl ? ns.n : hl) == 0 &&
		    (ns.n <= hl || memcmp(k->name + hl, ns.p + hl, ns.n - hl) == 0))
			return k;
	}
}

const rbac_shard *rbac_policy_shard(const rbac_policy *p, gh_str ns)
{
	const nsslot *k = rbac_policy_ns(p, ns);
	return k ? k->s : NULL;
}

typedef struct scope_ent {
	bool ns_scoped; /* false for cluster-scoped objects */
	gh_str ns;
	size_t idx;
} scope_ent;

static int scope_cmp(const void *x, const void *y)
{
	const scope_ent *a = x, *b = y;
	if (a->ns_scoped != b->ns_scoped)
		return a->ns_scoped ? 1 : -1;
	int c = rbac_strcmp(a->ns, b->ns);
	return c ? c : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

static bool same_scope(const scope_ent *a, bool ns_scoped, gh_str ns)
{
	return a->ns_scoped == ns_scoped && rbac_eq(a->ns, ns);
}

/* Groups objects by scope (cluster first, then each namespace), keeping the order they
 * were added in within a scope, so last-wins deduplication is unchanged. A namespaced
 * object without a namespace (the loader always sets one) gets a shard of its own that no
 * request reaches, as it reached none before. */
static scope_ent *by_scope(size_t n, const void *v, size_t size, bool roles)
{
	scope_ent *e = malloc((n + 1) * sizeof *e);
	if (!e)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const void *o = (const char *)v + i * size;
		bool cl = roles ? ((const rbac_role *)o)->cluster : ((const rbac_binding *)o)->cluster;
		gh_str ns = roles ? ((const rbac_role *)o)->namespace : ((const rbac_binding *)o)->namespace;
		e[i] = (scope_ent){ !cl, cl ? (gh_str){ "", 0 } : ns, i };
	}
	if (n > 1)
		qsort(e, n, sizeof *e, scope_cmp);
	return e;
}

bool rbac_policy_compile(const rbac_objects *objs, rbac_policy **out, gh_err *err)
{
	*out = NULL;
	size_t nr, nb;
	const rbac_role *roles = rbac_objects_roles(objs, &nr);
	const rbac_binding *binds = rbac_objects_bindings(objs, &nb);
	scope_ent *re = by_scope(nr, roles, sizeof *roles, true), *be = by_scope(nb, binds, sizeof *binds, false);
	const rbac_role **rp = malloc((nr + 1) * sizeof *rp);
	const rbac_binding **bp = malloc((nb + 1) * sizeof *bp);
	rbac_shard **shards = NULL, *cs = NULL;
	size_t nshards = 0, cap = 0;
	bool ok = re && be && rp && bp;
	size_t i = 0, j = 0;
	while (ok && (i < nr || j < nb || !cs)) {
		/* the next scope: the cluster first, then the least namespace left */
		gh_str ns = { "", 0 };
		bool nss = cs != NULL;
		if (nss) {
			if (i < nr && (j >= nb || scope_cmp(&re[i], &be[j]) <= 0))
				ns = re[i].ns;
			else
				ns = be[j].ns;
		}
		size_t k = 0, m = 0;
		for (; i < nr && same_scope(&re[i], nss, ns); i++)
			rp[k++] = &roles[re[i].idx];
		for (; j < nb && same_scope(&be[j], nss, ns); j++)
			bp[m++] = &binds[be[j].idx];
		rbac_shard *s;
		ok = rbac_shard_compile(ns, rp, k, bp, m, &s);
		if (ok && !cs) {
			cs = s;
		} else if (ok) {
			ok = rbac_grow((void **)&shards, &cap, nshards + 1, sizeof *shards);
			if (ok)
				shards[nshards++] = s;
			else
				rbac_shard_unref(s);
		}
	}
	free(re);
	free(be);
	free(rp);
	free(bp);
	if (!ok) {
		rbac_shard_unref(cs);
		for (size_t k = 0; k < nshards; k++)
			rbac_shard_unref(shards[k]);
		free(shards);
		return gh_fail(err, "InternalError", 500, "rbac: out of memory compiling the policy");
	}
	if (!rbac_policy_assemble(cs, shards, nshards, out))
		return gh_fail(err, "InternalError", 500, "rbac: out of memory compiling the policy");
	return true;
}

void rbac_policy_free(rbac_policy *p)
{
	if (!p)
		return;
	rbac_shard_unref(p->cs);
	for (size_t i = 0; i < p->nshards; i++)
		rbac_shard_unref(p->shards[i]);
	free(p->shards);
	free(p->nst);
	free(p->bfirst);
	free((void *)p->warnings);
	free(p);
}

const gh_str *rbac_policy_warnings(const rbac_policy *p, size_t *n)
{
	*n = p->nwarnings;
	return p->warnings;
}

static void shard_stats(const rbac_shard *p, rbac_policy_stats *st)
{
	for (size_t i = 0; i < p->ncroles + p->nnroles; i++)
		st->unindexed_roles += (i < p->ncroles ? p->croles[i] : p->nroles[i - p->ncroles]).unindexed;
	st->cluster_roles += p->ncroles;
	st->roles += p->nnroles;
	st->cluster_role_bindings += p->ncrb;
	st->role_bindings += p->nb - p->ncrb;
	st->namespaces += p->nns;
	st->subject_keys += p->nkeys;
	st->postings += p->npost;
	st->atoms += p->natoms;
	st->index_bytes += p->index_bytes;
}

void rbac_policy_stats_get(const rbac_policy *p, rbac_policy_stats *st)
{
	/* subject_keys counts a key once per shard that names it */
	*st = (rbac_policy_stats){ 0 };
	shard_stats(p->cs, st);
	for (size_t i = 0; i < p->nshards; i++)
		shard_stats(p->shards[i], st);
	st->index_bytes += p->nshards * (sizeof(rbac_shard *) + sizeof(size_t)) + (p->nst_mask + 1) * sizeof *p->nst;
}

const rbac_role *rbac_policy_role(const rbac_policy *p, gh_str ns, gh_str name)
{
	const rbac_shard *s = ns.n ? rbac_policy_shard(p, ns) : p->cs;
	const prole *r = s ? rbac_lookup_role(s, ns, name) : NULL;
	return r ? &r->r : NULL;
}

const rbac_binding *rbac_policy_binding(const rbac_policy *p, size_t i)
{
	if (i >= p->nb)
		return NULL;
	if (i < p->cs->nb)
		return &p->cs->b[i].b;
	size_t lo = 0, hi = p->nshards; /* the last shard whose first binding is <= i */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->bfirst[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &p->shards[lo]->b[i - p->bfirst[lo]].b;
}

size_t rbac_policy_nbindings(const rbac_policy *p)
{
	return p->nb;
}
