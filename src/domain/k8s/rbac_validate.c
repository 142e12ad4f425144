/* Upstream's RBAC validation (pkg/apis/rbac/validation/validation.go, v1.32) with the
 * field.Error wording of apimachinery: "<field>: <type>[: <value>][: <detail>]", values
 * printed as Go prints them (%q for strings, %#v for lists and structs). */
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_obj.h"
#include "domain/k8s/rbac_obj_internal.h"
#include "domain/k8s/rbac_util.h"

#define T_REQUIRED "Required value"
#define T_INVALID "Invalid value"
#define T_NOT_SUPPORTED "Unsupported value"
#define T_FORBIDDEN "Forbidden"

void rbac_field_errors_init(rbac_field_errors *e)
{
	*e = (rbac_field_errors){ 0 };
	gh_arena_init(&e->arena, 4096);
}

void rbac_field_errors_free(rbac_field_errors *e)
{
	gh_arena_free(&e->arena);
	free(e->v);
	*e = (rbac_field_errors){ 0 };
}

/* value: the rendered bad value, or NULL for the types that print none. */
static void add(rbac_field_errors *e, const char *type, const char *field, const char *value,
		const char *detail)
{
	if (!rbac_grow((void **)&e->v, &e->cap, e->n + 1, sizeof *e->v))
		return;
	gh_buf b = { 0 };
	gh_buf_printf(&b, "%s: %s", field, type);
	if (value)
		gh_buf_printf(&b, ": %s", value);
	if (detail && *detail)
		gh_buf_printf(&b, ": %s", detail);
	rbac_field_error *fe = &e->v[e->n];
	fe->type = type;
	fe->field = gh_arena_str(&e->arena, gh_str_c(field));
	fe->text = gh_arena_str(&e->arena, gh_buf_str(&b));
	gh_buf_free(&b);
	if (!b.oom)
		e->n++;
}

static const char *quoted(gh_buf *b, gh_str s)
{
	gh_buf_reset(b);
	rbac_go_quote(b, s);
	return b->p ? b->p : "\"\"";
}

/* %#v of a []string */
static const char *go_slice(gh_buf *b, rbac_strs s)
{
	gh_buf_reset(b);
	if (s.n == 0) {
		gh_buf_puts(b, "[]string(nil)");
	} else {
		gh_buf_puts(b, "[]string{");
		for (size_t i = 0; i < s.n; i++) {
			if (i)
				gh_buf_puts(b, ", ");
			rbac_go_quote(b, s.v[i]);
		}
		gh_buf_putc(b, '}');
	}
	return b->p;
}

/* One field error per line of `why` (the util checks put one problem per line). */
static void add_each(rbac_field_errors *e, const char *type, const char *field, const char *value,
		     gh_str why)
{
	size_t start = 0;
	for (size_t i = 0; i <= why.n; i++) {
		if (i == why.n || why.p[i] == '\n') {
			char *d = gh_str_dup(gh_str_sub(why, start, i - start));
			if (d)
				add(e, type, field, value, d);
			free(d);
			start = i + 1;
		}
	}
}

static void not_supported(rbac_field_errors *e, const char *field, gh_str value, const char *const *ok,
			  size_t nok)
{
	gh_buf v = { 0 }, d = { 0 };
	gh_buf_puts(&d, "supported values: ");
	for (size_t i = 0; i < nok; i++) {
		if (i)
			gh_buf_puts(&d, ", ");
		rbac_go_quote(&d, gh_str_c(ok[i]));
	}
	add(e, T_NOT_SUPPORTED, field, quoted(&v, value), d.p);
	gh_buf_free(&v);
	gh_buf_free(&d);
}

static void check_name(rbac_field_errors *e, const char *field, gh_str name, bool object_meta)
{
	if (name.n == 0) {
		add(e, T_REQUIRED, field, NULL, object_meta ? "name or generateName is required" : "");
		return;
	}
	gh_buf why = { 0 }, v = { 0 };
	if (!rbac_check_path_segment(name, &why))
		add_each(e, T_INVALID, field, quoted(&v, name), gh_buf_str(&why));
	gh_buf_free(&why);
	gh_buf_free(&v);
}

static void check_labels(rbac_field_errors *e, const char *field, const rbac_label *l, size_t n)
{
	gh_buf why = { 0 }, v = { 0 };
	for (size_t i = 0; i < n; i++) {
		gh_buf_reset(&why);
		if (!rbac_check_qualified_name(l[i].key, &why))
			add_each(e, T_INVALID, field, quoted(&v, l[i].key), gh_buf_str(&why));
		gh_buf_reset(&why);
		if (!rbac_check_label_value(l[i].value, &why))
			add_each(e, T_INVALID, field, quoted(&v, l[i].value), gh_buf_str(&why));
	}
	gh_buf_free(&why);
	gh_buf_free(&v);
}

static void check_meta(rbac_field_errors *e, gh_str name, gh_str ns, bool namespaced)
{
	check_name(e, "metadata.name", name, true);
	if (namespaced) {
		if (ns.n == 0) {
			add(e, T_REQUIRED, "metadata.namespace", NULL, "");
		} else {
			gh_buf why = { 0 }, v = { 0 };
			if (!rbac_check_dns_label(ns, &why))
				add_each(e, T_INVALID, "metadata.namespace", quoted(&v, ns), gh_buf_str(&why));
			gh_buf_free(&why);
			gh_buf_free(&v);
		}
	} else if (ns.n) {
		add(e, T_FORBIDDEN, "metadata.namespace", NULL, "not allowed on this type");
	}
}

bool rbac_validate_rule(const rbac_rule *r, bool namespaced, const char *field, rbac_field_errors *out)
{
	size_t before = out->n;
	char f[192];
	if (r->verbs.n == 0) {
		snprintf(f, sizeof f, "%s.verbs", field);
		add(out, T_REQUIRED, f, NULL, "verbs must contain at least one value");
	}
	if (r->non_resource_urls.n) {
		gh_buf v = { 0 };
		snprintf(f, sizeof f, "%s.nonResourceURLs", field);
		if (namespaced)
			add(out, T_INVALID, f, go_slice(&v, r->non_resource_urls),
			    "namespaced rules cannot apply to non-resource URLs");
		if (r->api_groups.n || r->resources.n || r->resource_names.n)
			add(out, T_INVALID, f, go_slice(&v, r->non_resource_urls),
			    "rules cannot apply to both regular resources and non-resource URLs");
		gh_buf_free(&v);
		return out->n == before;
	}
	if (r->api_groups.n == 0) {
		snprintf(f, sizeof f, "%s.apiGroups", field);
		add(out, T_REQUIRED, f, NULL, "resource rules must supply at least one api group");
	}
	if (r->resources.n == 0) {
		snprintf(f, sizeof f, "%s.resources", field);
		add(out, T_REQUIRED, f, NULL, "resource rules must supply at least one resource");
	}
	return out->n == before;
}

static void check_selector(rbac_field_errors *e, const rbac_selector *s, size_t i)
{
	char base[96], f[256];
	snprintf(base, sizeof base, "aggregationRule.clusterRoleSelectors[%zu]", i);
	snprintf(f, sizeof f, "%s.matchLabels", base);
	check_labels(e, f, s->match_labels, s->nmatch_labels);
	gh_buf why = { 0 }, v = { 0 };
	for (size_t j = 0; j < s->nexprs; j++) {
		const rbac_sel_expr *x = &s->exprs[j];
		bool in = gh_str_eq_c(x->op, "In") || gh_str_eq_c(x->op, "NotIn");
		bool ex = gh_str_eq_c(x->op, "Exists") || gh_str_eq_c(x->op, "DoesNotExist");
		if (in && x->values.n == 0) {
			snprintf(f, sizeof f, "%s.matchExpressions[%zu].values", base, j);
			add(e, T_REQUIRED, f, NULL, "must be specified when `operator` is 'In' or 'NotIn'");
		} else if (ex && x->values.n) {
			snprintf(f, sizeof f, "%s.matchExpressions[%zu].values", base, j);
			add(e, T_FORBIDDEN, f, NULL, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
		} else if (!in && !ex) {
			snprintf(f, sizeof f, "%s.matchExpressions[%zu].operator", base, j);
			add(e, T_INVALID, f, quoted(&v, x->op), "not a valid selector operator");
		}
		gh_buf_reset(&why);
		snprintf(f, sizeof f, "%s.matchExpressions[%zu].key", base, j);
		if (!rbac_check_qualified_name(x->key, &why))
			add_each(e, T_INVALID, f, quoted(&v, x->key), gh_buf_str(&why));
		for (size_t k = 0; k < x->values.n; k++) {
			gh_buf_reset(&why);
			snprintf(f, sizeof f, "%s.matchExpressions[%zu].values[%zu]", base, j, k);
			if (!rbac_check_label_value(x->values.v[k], &why))
				add_each(e, T_INVALID, f, quoted(&v, x->values.v[k]), gh_buf_str(&why));
		}
	}
	if (!rbac_selector_valid(s, NULL))
		add(e, T_INVALID, base, "null", "invalid label selector.");
	gh_buf_free(&why);
	gh_buf_free(&v);
}

bool rbac_validate_role(const rbac_role *r, rbac_field_errors *out)
{
	size_t before = out->n;
	check_meta(out, r->name, r->namespace, !r->cluster);
	check_labels(out, "metadata.labels", r->labels, r->nlabels);
	char f[64];
	for (size_t i = 0; i < r->nrules; i++) {
		snprintf(f, sizeof f, "rules[%zu]", i);
		rbac_validate_rule(&r->rules[i], !r->cluster, f, out);
	}
	if (r->cluster && r->has_aggregation) {
		if (r->nselectors == 0)
			add(out, T_REQUIRED, "aggregationRule.clusterRoleSelectors", NULL,
			    "at least one clusterRoleSelector required if aggregationRule is non-nil");
		for (size_t i = 0; i < r->nselectors; i++)
			check_selector(out, &r->selectors[i], i);
	}
	return out->n == before;
}

static void check_subject(rbac_field_errors *e, const rbac_subject *s, bool namespaced, size_t i)
{
	char f[96];
	gh_buf v = { 0 }, why = { 0 };
	if (s->name.n == 0) {
		snprintf(f, sizeof f, "subjects[%zu].name", i);
		add(e, T_REQUIRED, f, NULL, "");
	}
	static const char *const rbac_group[] = { RBAC_GROUP };
	static const char *const empty_group[] = { "" };
	switch (rbac_subject_kind_of(s->kind)) {
	case RBAC_SUBJECT_SERVICE_ACCOUNT:
		snprintf(f, sizeof f, "subjects[%zu].name", i);
		if (s->name.n && !rbac_check_dns_subdomain(s->name, &why))
			add_each(e, T_INVALID, f, quoted(&v, s->name), gh_buf_str(&why));
		if (s->api_group.n) {
			snprintf(f, sizeof f, "subjects[%zu].apiGroup", i);
			not_supported(e, f, s->api_group, empty_group, 1);
		}
		if (!namespaced && s->namespace.n == 0) {
			snprintf(f, sizeof f, "subjects[%zu].namespace", i);
			add(e, T_REQUIRED, f, NULL, "");
		}
		break;
	case RBAC_SUBJECT_USER:
	case RBAC_SUBJECT_GROUP:
		if (!gh_str_eq_c(s->api_group, RBAC_GROUP)) {
			snprintf(f, sizeof f, "subjects[%zu].apiGroup", i);
			not_supported(e, f, s->api_group, rbac_group, 1);
		}
		break;
	default: {
		static const char *const kinds[] = { "ServiceAccount", "User", "Group" };
		snprintf(f, sizeof f, "subjects[%zu].kind", i);
		not_supported(e, f, s->kind, kinds, 3);
	}
	}
	gh_buf_free(&v);
	gh_buf_free(&why);
}

bool rbac_validate_binding(const rbac_binding *b, rbac_field_errors *out)
{
	size_t before = out->n;
	check_meta(out, b->name, b->namespace, !b->cluster);
	static const char *const rbac_group[] = { RBAC_GROUP };
	if (!gh_str_eq_c(b->role_ref.api_group, RBAC_GROUP))
		not_supported(out, "roleRef.apiGroup", b->role_ref.api_group, rbac_group, 1);
	if (b->cluster) {
		static const char *const kinds[] = { "ClusterRole" };
		if (!gh_str_eq_c(b->role_ref.kind, "ClusterRole"))
			not_supported(out, "roleRef.kind", b->role_ref.kind, kinds, 1);
	} else {
		static const char *const kinds[] = { "Role", "ClusterRole" };
		if (!gh_str_eq_c(b->role_ref.kind, "ClusterRole") && !gh_str_eq_c(b->role_ref.kind, "Role"))
			not_supported(out, "roleRef.kind", b->role_ref.kind, kinds, 2);
	}
	check_name(out, "roleRef.name", b->role_ref.name, false);
	for (size_t i = 0; i < b->nsubjects; i++)
		check_subject(out, &b->subjects[i], !b->cluster, i);
	return out->n == before;
}

bool rbac_validate_binding_update(const rbac_binding *old, const rbac_binding *b, rbac_field_errors *out)
{
	size_t before = out->n;
	rbac_validate_binding(b, out);
	const rbac_role_ref *r = &b->role_ref, *o = &old->role_ref;
	if (!rbac_eq(r->api_group, o->api_group) || !rbac_eq(r->kind, o->kind) || !rbac_eq(r->name, o->name)) {
		gh_buf v = { 0 };
		gh_buf_puts(&v, "rbac.RoleRef{APIGroup:");
		rbac_go_quote(&v, r->api_group);
		gh_buf_puts(&v, ", Kind:");
		rbac_go_quote(&v, r->kind);
		gh_buf_puts(&v, ", Name:");
		rbac_go_quote(&v, r->name);
		gh_buf_putc(&v, '}');
		add(out, T_INVALID, "roleRef", v.p, "cannot change roleRef");
		gh_buf_free(&v);
	}
	return out->n == before;
}

void rbac_invalid_message(const char *kind, gh_str name, const rbac_field_errors *e, gh_buf *out)
{
	gh_buf_printf(out, "%s." RBAC_GROUP " ", kind);
	rbac_go_quote(out, name);
	gh_buf_puts(out, " is invalid: ");
	size_t first = out->n, shown = 0;
	for (size_t i = 0; i < e->n; i++) {
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = rbac_eq(e->v[i].text, e->v[j].text);
		if (dup)
			continue;
		if (shown++)
			gh_buf_puts(out, ", ");
		gh_buf_put_str(out, e->v[i].text);
	}
	if (shown > 1 && !out->oom) {
		/* several: "[a, b]" */
		gh_buf_putc(out, ']');
		gh_buf_reserve(out, 1);
		if (!out->oom) {
			memmove(out->p + first + 1, out->p + first, out->n - first + 1);
			out->p[first] = '[';
			out->n++;
		}
	}
}
