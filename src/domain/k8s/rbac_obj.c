/* The object set and its deep copies. The loader is in rbac_load.c, validation in
 * rbac_validate.c. */
#include "domain/k8s/rbac_obj.h"

#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_obj_internal.h"

rbac_subject_kind rbac_subject_kind_of(gh_str kind)
{
	if (gh_str_eq_c(kind, "User"))
		return RBAC_SUBJECT_USER;
	if (gh_str_eq_c(kind, "Group"))
		return RBAC_SUBJECT_GROUP;
	if (gh_str_eq_c(kind, "ServiceAccount"))
		return RBAC_SUBJECT_SERVICE_ACCOUNT;
	return RBAC_SUBJECT_OTHER;
}

rbac_objects *rbac_objects_new(void)
{
	rbac_objects *s = calloc(1, sizeof *s);
	if (s)
		gh_arena_init(&s->arena, 1 << 16);
	return s;
}

void rbac_objects_free(rbac_objects *s)
{
	if (!s)
		return;
	gh_arena_free(&s->arena);
	free(s->roles);
	free(s->bindings);
	free(s->diags);
	free(s);
}

bool rbac_grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* ---- deep copies into the set's arena ---------------------------------------------------- */

bool rbac_copy_str(gh_arena *a, gh_str in, gh_str *out)
{
	if (in.n == 0) {
		*out = (gh_str){ "", 0 };
		return true;
	}
	char *d = gh_arena_strndup(a, in.p, in.n);
	if (!d)
		return false;
	*out = (gh_str){ d, in.n };
	return true;
}

bool rbac_copy_strs(gh_arena *a, rbac_strs in, rbac_strs *out)
{
	out->n = 0;
	out->v = NULL;
	if (in.n == 0)
		return true;
	gh_str *v = gh_arena_alloc(a, in.n * sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < in.n; i++)
		if (!rbac_copy_str(a, in.v[i], &v[i]))
			return false;
	out->v = v;
	out->n = in.n;
	return true;
}

bool rbac_copy_rule(gh_arena *a, const rbac_rule *in, rbac_rule *out)
{
	return rbac_copy_strs(a, in->verbs, &out->verbs) &&
	       rbac_copy_strs(a, in->api_groups, &out->api_groups) &&
	       rbac_copy_strs(a, in->resources, &out->resources) &&
	       rbac_copy_strs(a, in->resource_names, &out->resource_names) &&
	       rbac_copy_strs(a, in->non_resource_urls, &out->non_resource_urls);
}

static bool copy_labels(gh_arena *a, const rbac_label *in, size_t n, const rbac_label **out)
{
	*out = NULL;
	if (!n)
		return true;
	rbac_label *v = gh_arena_alloc(a, n * sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!rbac_copy_str(a, in[i].key, &v[i].key) || !rbac_copy_str(a, in[i].value, &v[i].value))
			return false;
	*out = v;
	return true;
}

bool rbac_copy_role(gh_arena *a, const rbac_role *in, rbac_role *out)
{
	*out = (rbac_role){ .cluster = in->cluster, .nlabels = in->nlabels, .nrules = in->nrules,
			    .has_aggregation = in->has_aggregation, .nselectors = in->nselectors };
	if (!rbac_copy_str(a, in->name, &out->name) ||
	    !rbac_copy_str(a, in->cluster ? (gh_str){ "", 0 } : in->namespace, &out->namespace) ||
	    !copy_labels(a, in->labels, in->nlabels, &out->labels))
		return false;
	if (in->nrules) {
		rbac_rule *r = gh_arena_alloc(a, in->nrules * sizeof *r);
		if (!r)
			return false;
		for (size_t i = 0; i < in->nrules; i++)
			if (!rbac_copy_rule(a, &in->rules[i], &r[i]))
				return false;
		out->rules = r;
	}
	if (in->nselectors) {
		rbac_selector *sel = gh_arena_alloc(a, in->nselectors * sizeof *sel);
		if (!sel)
			return false;
		for (size_t i = 0; i < in->nselectors; i++) {
			const rbac_selector *s = &in->selectors[i];
			sel[i].nmatch_labels = s->nmatch_labels;
			sel[i].nexprs = s->nexprs;
			if (!copy_labels(a, s->match_labels, s->nmatch_labels, &sel[i].match_labels))
				return false;
			if (s->nexprs) {
				rbac_sel_expr *e = gh_arena_alloc(a, s->nexprs * sizeof *e);
				if (!e)
					return false;
				for (size_t j = 0; j < s->nexprs; j++)
					if (!rbac_copy_str(a, s->exprs[j].key, &e[j].key) ||
					    !rbac_copy_str(a, s->exprs[j].op, &e[j].op) ||
					    !rbac_copy_strs(a, s->exprs[j].values, &e[j].values))
						return false;
				sel[i].exprs = e;
			}
		}
		out->selectors = sel;
	}
	return true;
}

bool rbac_copy_binding(gh_arena *a, const rbac_binding *in, rbac_binding *out)
{
	*out = (rbac_binding){ .cluster = in->cluster, .nsubjects = in->nsubjects };
	if (!rbac_copy_str(a, in->name, &out->name) ||
	    !rbac_copy_str(a, in->cluster ? (gh_str){ "", 0 } : in->namespace, &out->namespace) ||
	    !rbac_copy_str(a, in->role_ref.api_group, &out->role_ref.api_group) ||
	    !rbac_copy_str(a, in->role_ref.kind, &out->role_ref.kind) ||
	    !rbac_copy_str(a, in->role_ref.name, &out->role_ref.name))
		return false;
	if (in->nsubjects) {
		rbac_subject *s = gh_arena_alloc(a, in->nsubjects * sizeof *s);
		if (!s)
			return false;
		for (size_t i = 0; i < in->nsubjects; i++)
			if (!rbac_copy_str(a, in->subjects[i].kind, &s[i].kind) ||
			    !rbac_copy_str(a, in->subjects[i].api_group, &s[i].api_group) ||
			    !rbac_copy_str(a, in->subjects[i].name, &s[i].name) ||
			    !rbac_copy_str(a, in->subjects[i].namespace, &s[i].namespace))
				return false;
		out->subjects = s;
	}
	return true;
}

static bool room(const rbac_objects *s, gh_err *err)
{
	if (s->nroles + s->nbindings >= RBAC_MAX_OBJECTS)
		return gh_fail(err, "LimitExceeded", 413, "rbac: more than %zu objects", RBAC_MAX_OBJECTS);
	return true;
}

bool rbac_objects_add_role(rbac_objects *s, const rbac_role *r, gh_err *err)
{
	if (!room(s, err))
		return false;
	if (!rbac_grow((void **)&s->roles, &s->caproles, s->nroles + 1, sizeof *s->roles) ||
	    !rbac_copy_role(&s->arena, r, &s->roles[s->nroles]))
		return gh_fail(err, "InternalError", 500, "rbac: out of memory");
	s->nroles++;
	return true;
}

bool rbac_objects_add_binding(rbac_objects *s, const rbac_binding *b, gh_err *err)
{
	if (!room(s, err))
		return false;
	if (!rbac_grow((void **)&s->bindings, &s->capbindings, s->nbindings + 1, sizeof *s->bindings) ||
	    !rbac_copy_binding(&s->arena, b, &s->bindings[s->nbindings]))
		return gh_fail(err, "InternalError", 500, "rbac: out of memory");
	s->nbindings++;
	return true;
}

const rbac_role *rbac_objects_roles(const rbac_objects *s, size_t *n)
{
	*n = s->nroles;
	return s->roles;
}

const rbac_binding *rbac_objects_bindings(const rbac_objects *s, size_t *n)
{
	*n = s->nbindings;
	return s->bindings;
}

const rbac_diag *rbac_objects_diags(const rbac_objects *s, size_t *n)
{
	*n = s->ndiags;
	return s->diags;
}
