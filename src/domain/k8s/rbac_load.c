/* The RBAC loader: decoded documents -> objects of a rbac_objects set, with a diagnostic
 * per object that cannot be used. See rbac_obj.h for what is accepted. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_obj.h"
#include "domain/k8s/rbac_obj_internal.h"

#define PATH_MAX_LEN 256
#define MSG_MAX_LEN 320

typedef struct loader {
	rbac_objects *s;
	rbac_load_opts o;
	rbac_load_stats st;
	size_t added;
	gh_err *err;
	bool fatal;
	/* the document or object being read */
	size_t doc;
	long item;
	gh_arena tmp;
	gh_str kind, name, ns;
	char path[PATH_MAX_LEN];
	size_t plen;
	bool bad;
	char bad_path[PATH_MAX_LEN];
	char msg[MSG_MAX_LEN];
} loader;

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* ---- the path of the field being read ------------------------------------------------- */

static size_t path_push(loader *L, const char *fmt, ...) GH_PRINTF(2, 3);
static size_t path_push(loader *L, const char *fmt, ...)
{
	size_t old = L->plen;
	char seg[96];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(seg, sizeof seg, fmt, ap);
	va_end(ap);
	if (k < 0)
		k = 0;
	if ((size_t)k >= sizeof seg)
		k = sizeof seg - 1;
	bool dot = L->plen > 0 && seg[0] != '[';
	if (L->plen + (dot ? 1 : 0) + (size_t)k < sizeof L->path) {
		if (dot)
			L->path[L->plen++] = '.';
		memcpy(L->path + L->plen, seg, (size_t)k);
		L->plen += (size_t)k;
	}
	L->path[L->plen] = '\0';
	return old;
}

static void path_pop(loader *L, size_t old)
{
	L->plen = old;
	L->path[old] = '\0';
}

/* Records the first problem of the current object; always returns false. */
static bool fail(loader *L, const char *fmt, ...) GH_PRINTF(2, 3);
static bool fail(loader *L, const char *fmt, ...)
{
	if (L->bad)
		return false;
	L->bad = true;
	memcpy(L->bad_path, L->path, L->plen + 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(L->msg, sizeof L->msg, fmt, ap);
	va_end(ap);
	return false;
}

static bool oom(loader *L)
{
	L->fatal = true;
	gh_fail(L->err, "InternalError", 500, "rbac: out of memory");
	return false;
}

static void record_diag(loader *L, const char *field, const char *msg)
{
	rbac_objects *s = L->s;
	L->st.failed++;
	if (s->ndiags >= L->o.max_diags) {
		L->st.diags_dropped++;
		return;
	}
	if (!rbac_grow((void **)&s->diags, &s->capdiags, s->ndiags + 1, sizeof *s->diags)) {
		L->st.diags_dropped++;
		return;
	}
	rbac_diag *d = &s->diags[s->ndiags];
	*d = (rbac_diag){ .doc = L->doc, .item = L->item };
	if (!rbac_copy_str(&s->arena, L->kind, &d->kind) || !rbac_copy_str(&s->arena, L->name, &d->name) ||
	    !rbac_copy_str(&s->arena, L->ns, &d->namespace) ||
	    !rbac_copy_str(&s->arena, gh_str_c(field), &d->field) ||
	    !rbac_copy_str(&s->arena, gh_str_c(msg), &d->msg)) {
		L->st.diags_dropped++;
		return;
	}
	s->ndiags++;
}

/* ---- typed reads ---------------------------------------------------------------------- */

static bool check_len(loader *L, size_t n)
{
	if (n > L->o.max_string)
		return fail(L, "longer than %zu bytes", L->o.max_string);
	return true;
}

/* A string field: missing or null is "" (encoding/json leaves the zero value). */
static bool get_str(loader *L, const json_t *v, gh_str *out)
{
	*out = (gh_str){ "", 0 };
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return fail(L, "expected a string, found %s", type_name(v));
	gh_str s = { json_string_value(v), json_string_length(v) };
	if (!check_len(L, s.n))
		return false;
	*out = s; /* borrowed from the tree, copied when the object is added */
	return true;
}

static bool get_member_str(loader *L, const json_t *obj, const char *key, gh_str *out)
{
	size_t old = path_push(L, "%s", key);
	bool ok = get_str(L, json_object_get(obj, key), out);
	path_pop(L, old);
	return ok;
}

static bool get_strs(loader *L, const json_t *v, rbac_strs *out)
{
	*out = (rbac_strs){ NULL, 0 };
	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v))
		return fail(L, "expected a list of strings, found %s", type_name(v));
	size_t n = json_array_size(v);
	if (n > L->o.max_list)
		return fail(L, "more than %zu entries", L->o.max_list);
	if (!n)
		return true;
	gh_str *a = gh_arena_alloc(&L->tmp, n * sizeof *a);
	if (!a)
		return oom(L);
	for (size_t i = 0; i < n; i++) {
		size_t old = path_push(L, "[%zu]", i);
		bool ok = get_str(L, json_array_get(v, i), &a[i]);
		path_pop(L, old);
		if (!ok)
			return false;
	}
	*out = (rbac_strs){ a, n };
	return true;
}

static bool get_member_strs(loader *L, const json_t *obj, const char *key, rbac_strs *out)
{
	size_t old = path_push(L, "%s", key);
	bool ok = get_strs(L, json_object_get(obj, key), out);
	path_pop(L, old);
	return ok;
}

/* An object field: missing or null is an empty object. */
static bool get_obj(loader *L, const json_t *v, const json_t **out)
{
	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_object(v))
		return fail(L, "expected an object, found %s", type_name(v));
	*out = v;
	return true;
}

static bool get_list(loader *L, const json_t *v, size_t *n)
{
	*n = 0;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v))
		return fail(L, "expected a list, found %s", type_name(v));
	*n = json_array_size(v);
	if (*n > L->o.max_list)
		return fail(L, "more than %zu entries", L->o.max_list);
	return true;
}

/* map[string]string */
static bool get_labels(loader *L, const json_t *v, const rbac_label **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_object(v))
		return fail(L, "expected a map of strings, found %s", type_name(v));
	size_t n = json_object_size(v);
	if (n > L->o.max_list)
		return fail(L, "more than %zu entries", L->o.max_list);
	if (!n)
		return true;
	rbac_label *a = gh_arena_alloc(&L->tmp, n * sizeof *a);
	if (!a)
		return oom(L);
	size_t i = 0;
	const char *k;
	size_t klen;
	json_t *val;
	json_object_keylen_foreach((json_t *)v, k, klen, val)
	{
		if (i == n)
			break;
		size_t old = path_push(L, "%.*s", (int)(klen > 63 ? 63 : klen), k);
		bool ok = check_len(L, klen) && get_str(L, val, &a[i].value);
		path_pop(L, old);
		if (!ok)
			return false;
		a[i].key = (gh_str){ k, klen };
		i++;
	}
	*out = a;
	*nout = i;
	return true;
}

/* ---- the four kinds --------------------------------------------------------------------- */

static bool get_rule(loader *L, const json_t *v, rbac_rule *r)
{
	*r = (rbac_rule){ 0 };
	const json_t *o;
	if (!get_obj(L, v, &o))
		return false;
	if (!o)
		return true;
	return get_member_strs(L, o, "verbs", &r->verbs) &&
	       get_member_strs(L, o, "apiGroups", &r->api_groups) &&
	       get_member_strs(L, o, "resources", &r->resources) &&
	       get_member_strs(L, o, "resourceNames", &r->resource_names) &&
	       get_member_strs(L, o, "nonResourceURLs", &r->non_resource_urls);
}

static bool get_rules(loader *L, const json_t *obj, rbac_role *role)
{
	size_t old = path_push(L, "rules");
	const json_t *v = json_object_get(obj, "rules");
	size_t n;
	bool ok = get_list(L, v, &n);
	rbac_rule *rules = NULL;
	if (ok && n && !(rules = gh_arena_alloc(&L->tmp, n * sizeof *rules)))
		ok = oom(L);
	for (size_t i = 0; ok && i < n; i++) {
		size_t o2 = path_push(L, "[%zu]", i);
		ok = get_rule(L, json_array_get(v, i), &rules[i]);
		path_pop(L, o2);
	}
	path_pop(L, old);
	role->rules = rules;
	role->nrules = ok ? n : 0;
	return ok;
}

static bool get_selector(loader *L, const json_t *v, rbac_selector *sel)
{
	*sel = (rbac_selector){ 0 };
	const json_t *o;
	if (!get_obj(L, v, &o))
		return false;
	if (!o)
		return true;
	size_t old = path_push(L, "matchLabels");
	bool ok = get_labels(L, json_object_get(o, "matchLabels"), &sel->match_labels, &sel->nmatch_labels);
	path_pop(L, old);
	if (!ok)
		return false;
	old = path_push(L, "matchExpressions");
	const json_t *ev = json_object_get(o, "matchExpressions");
	size_t n;
	ok = get_list(L, ev, &n);
	rbac_sel_expr *e = NULL;
	if (ok && n && !(e = gh_arena_alloc(&L->tmp, n * sizeof *e)))
		ok = oom(L);
	for (size_t i = 0; ok && i < n; i++) {
		size_t o2 = path_push(L, "[%zu]", i);
		const json_t *x;
		ok = get_obj(L, json_array_get(ev, i), &x);
		if (ok && x)
			ok = get_member_str(L, x, "key", &e[i].key) &&
			     get_member_str(L, x, "operator", &e[i].op) &&
			     get_member_strs(L, x, "values", &e[i].values);
		path_pop(L, o2);
	}
	path_pop(L, old);
	sel->exprs = e;
	sel->nexprs = ok ? n : 0;
	return ok;
}

static bool get_aggregation(loader *L, const json_t *obj, rbac_role *role)
{
	size_t old = path_push(L, "aggregationRule");
	const json_t *agg;
	bool ok = get_obj(L, json_object_get(obj, "aggregationRule"), &agg);
	if (ok && agg) {
		role->has_aggregation = true;
		size_t o2 = path_push(L, "clusterRoleSelectors");
		const json_t *v = json_object_get(agg, "clusterRoleSelectors");
		size_t n;
		ok = get_list(L, v, &n);
		rbac_selector *sel = NULL;
		if (ok && n && !(sel = gh_arena_alloc(&L->tmp, n * sizeof *sel)))
			ok = oom(L);
		for (size_t i = 0; ok && i < n; i++) {
			size_t o3 = path_push(L, "[%zu]", i);
			ok = get_selector(L, json_array_get(v, i), &sel[i]);
			path_pop(L, o3);
		}
		path_pop(L, o2);
		role->selectors = sel;
		role->nselectors = ok ? n : 0;
	}
	path_pop(L, old);
	return ok;
}

static bool get_subjects(loader *L, const json_t *obj, rbac_binding *b)
{
	size_t old = path_push(L, "subjects");
	const json_t *v = json_object_get(obj, "subjects");
	size_t n;
	bool ok = get_list(L, v, &n);
	rbac_subject *s = NULL;
	if (ok && n && !(s = gh_arena_alloc(&L->tmp, n * sizeof *s)))
		ok = oom(L);
	for (size_t i = 0; ok && i < n; i++) {
		size_t o2 = path_push(L, "[%zu]", i);
		const json_t *x;
		s[i] = (rbac_subject){ 0 };
		ok = get_obj(L, json_array_get(v, i), &x);
		if (ok && x)
			ok = get_member_str(L, x, "kind", &s[i].kind) &&
			     get_member_str(L, x, "apiGroup", &s[i].api_group) &&
			     get_member_str(L, x, "name", &s[i].name) &&
			     get_member_str(L, x, "namespace", &s[i].namespace);
		path_pop(L, o2);
	}
	path_pop(L, old);
	b->subjects = s;
	b->nsubjects = ok ? n : 0;
	return ok;
}

static bool get_role_ref(loader *L, const json_t *obj, rbac_binding *b)
{
	size_t old = path_push(L, "roleRef");
	const json_t *r;
	bool ok = get_obj(L, json_object_get(obj, "roleRef"), &r);
	if (ok && r)
		ok = get_member_str(L, r, "apiGroup", &b->role_ref.api_group) &&
		     get_member_str(L, r, "kind", &b->role_ref.kind) &&
		     get_member_str(L, r, "name", &b->role_ref.name);
	path_pop(L, old);
	return ok;
}

enum kind { K_ROLE, K_CLUSTER_ROLE, K_ROLE_BINDING, K_CLUSTER_ROLE_BINDING, K_OTHER };

static enum kind kind_of(gh_str k)
{
	if (gh_str_eq_c(k, "Role"))
		return K_ROLE;
	if (gh_str_eq_c(k, "ClusterRole"))
		return K_CLUSTER_ROLE;
	if (gh_str_eq_c(k, "RoleBinding"))
		return K_ROLE_BINDING;
	if (gh_str_eq_c(k, "ClusterRoleBinding"))
		return K_CLUSTER_ROLE_BINDING;
	return K_OTHER;
}

/* The first field error of an object the API server would refuse. */
static bool validated(loader *L, const rbac_role *r, const rbac_binding *b)
{
	if (!L->o.validate)
		return true;
	rbac_field_errors fe;
	rbac_field_errors_init(&fe);
	bool ok = r ? rbac_validate_role(r, &fe) : rbac_validate_binding(b, &fe);
	if (!ok && fe.n) {
		L->bad = true;
		snprintf(L->bad_path, sizeof L->bad_path, "%.*s", GH_STR_ARG(fe.v[0].field));
		gh_str t = fe.v[0].text;
		/* the text repeats the field; keep what follows "field: " */
		if (t.n > fe.v[0].field.n + 2)
			t = gh_str_sub(t, fe.v[0].field.n + 2, t.n);
		snprintf(L->msg, sizeof L->msg, "%.*s", GH_STR_ARG(t));
	}
	rbac_field_errors_free(&fe);
	return ok;
}

static void load_object(loader *L, const json_t *d, enum kind k)
{
	const json_t *meta;
	gh_str name = { "", 0 }, ns = { "", 0 };
	size_t old = path_push(L, "metadata");
	bool ok = get_obj(L, json_object_get(d, "metadata"), &meta);
	if (ok && meta)
		ok = get_member_str(L, meta, "name", &name) && get_member_str(L, meta, "namespace", &ns);
	L->name = name;
	bool cluster = k == K_CLUSTER_ROLE || k == K_CLUSTER_ROLE_BINDING;
	if (cluster)
		ns = (gh_str){ "", 0 };
	else if (ns.n == 0)
		ns = L->o.default_namespace;
	L->ns = ns;
	if (ok && name.n == 0) {
		size_t o2 = path_push(L, "name");
		ok = fail(L, "name is required");
		path_pop(L, o2);
	}
	const rbac_label *labels = NULL;
	size_t nlabels = 0;
	if (ok && meta && (k == K_ROLE || k == K_CLUSTER_ROLE)) {
		size_t o2 = path_push(L, "labels");
		ok = get_labels(L, json_object_get(meta, "labels"), &labels, &nlabels);
		path_pop(L, o2);
	}
	path_pop(L, old);
	if (!ok)
		return;

	gh_err e;
	if (k == K_ROLE || k == K_CLUSTER_ROLE) {
		rbac_role r = { .cluster = cluster, .name = name, .namespace = ns, .labels = labels,
				.nlabels = nlabels };
		if (!get_rules(L, d, &r) || (cluster && !get_aggregation(L, d, &r)) || !validated(L, &r, NULL))
			return;
		if (!rbac_objects_add_role(L->s, &r, &e)) {
			L->fatal = true;
			if (L->err)
				*L->err = e;
			return;
		}
	} else {
		rbac_binding b = { .cluster = cluster, .name = name, .namespace = ns };
		if (!get_role_ref(L, d, &b) || !get_subjects(L, d, &b) || !validated(L, NULL, &b))
			return;
		if (!rbac_objects_add_binding(L->s, &b, &e)) {
			L->fatal = true;
			if (L->err)
				*L->err = e;
			return;
		}
	}
	L->added++;
	L->st.loaded++;
}

static bool has_suffix_c(gh_str s, const char *suf)
{
	return gh_str_has_suffix(s, gh_str_c(suf));
}

static void load_doc(loader *L, const json_t *d, unsigned depth, gh_str inh_kind, gh_str inh_api)
{
	if (L->fatal)
		return;
	L->kind = L->name = L->ns = (gh_str){ "", 0 };
	L->bad = false;
	L->plen = 0;
	L->path[0] = '\0';
	if (!json_is_object(d)) {
		char m[96];
		snprintf(m, sizeof m, "a document must be an object, found %s", type_name(d));
		record_diag(L, "", m);
		return;
	}
	const json_t *kv = json_object_get(d, "kind"), *av = json_object_get(d, "apiVersion");
	if ((kv && !json_is_string(kv) && !json_is_null(kv)) || (av && !json_is_string(av) && !json_is_null(av))) {
		record_diag(L, kv && !json_is_string(kv) ? "kind" : "apiVersion", "expected a string");
		return;
	}
	gh_str kind = json_is_string(kv) ? (gh_str){ json_string_value(kv), json_string_length(kv) } : inh_kind;
	gh_str api = json_is_string(av) ? (gh_str){ json_string_value(av), json_string_length(av) } : inh_api;
	if (kind.n > 256)
		kind.n = 256; /* only ever displayed */
	L->kind = kind;

	const json_t *items = json_object_get(d, "items");
	if (has_suffix_c(kind, "List") && items) {
		if (json_is_null(items))
			return;
		if (!json_is_array(items)) {
			char m[96];
			snprintf(m, sizeof m, "expected a list, found %s", type_name(items));
			record_diag(L, "items", m);
			return;
		}
		if (depth >= RBAC_LOAD_MAX_DEPTH) {
			record_diag(L, "items", "Lists nested too deep");
			return;
		}
		/* A typed list (ClusterRoleList) names the kind of its items. */
		gh_str item_kind = gh_str_eq_c(kind, "List") ? (gh_str){ "", 0 } : gh_str_sub(kind, 0, kind.n - 4);
		long saved = L->item;
		size_t n = json_array_size(items);
		for (size_t i = 0; i < n && !L->fatal; i++) {
			L->item = (long)i;
			load_doc(L, json_array_get(items, i), depth + 1, item_kind, api);
		}
		L->item = saved;
		return;
	}
	enum kind k = kind_of(kind);
	if (k == K_OTHER) {
		L->st.skipped++;
		return;
	}
	if (!json_is_string(av) && inh_api.n == 0) {
		record_diag(L, "apiVersion", "apiVersion is required");
		return;
	}
	if (!gh_str_has_prefix(api, GH_STR(RBAC_GROUP "/"))) {
		L->st.skipped++; /* a kind of the same name in another API group */
		return;
	}
	if (L->added >= L->o.max_objects) {
		L->fatal = true;
		gh_fail(L->err, "LimitExceeded", 413, "rbac: more than %zu RBAC objects in one load",
			L->o.max_objects);
		return;
	}
	gh_arena_init(&L->tmp, 4096);
	load_object(L, d, k);
	if (L->bad && !L->fatal)
		record_diag(L, L->bad_path, L->msg);
	gh_arena_free(&L->tmp);
}

bool rbac_objects_load(rbac_objects *s, const json_t *docs, const rbac_load_opts *opts,
		       rbac_load_stats *st, gh_err *err)
{
	loader *L = calloc(1, sizeof *L);
	if (!L)
		return gh_fail(err, "InternalError", 500, "rbac: out of memory");
	L->s = s;
	L->err = err;
	L->item = -1;
	if (opts)
		L->o = *opts;
	if (L->o.default_namespace.n == 0)
		L->o.default_namespace = GH_STR("default");
	if (!L->o.max_objects)
		L->o.max_objects = RBAC_DEFAULT_MAX_OBJECTS;
	if (!L->o.max_list)
		L->o.max_list = RBAC_DEFAULT_MAX_LIST;
	if (!L->o.max_string)
		L->o.max_string = RBAC_DEFAULT_MAX_STRING;
	if (!L->o.max_diags)
		L->o.max_diags = RBAC_DEFAULT_MAX_DIAGS;
	if (!docs) {
		/* nothing to load */
	} else if (json_is_array(docs)) {
		size_t n = json_array_size(docs);
		for (size_t i = 0; i < n && !L->fatal; i++) {
			L->doc = i;
			L->item = -1;
			load_doc(L, json_array_get(docs, i), 0, (gh_str){ "", 0 }, (gh_str){ "", 0 });
		}
	} else {
		load_doc(L, docs, 0, (gh_str){ "", 0 }, (gh_str){ "", 0 });
	}
	bool ok = !L->fatal;
	if (st)
		*st = L->st;
	free(L);
	return ok;
}

void rbac_diag_format(const rbac_diag *d, gh_buf *out)
{
	gh_buf_printf(out, "document %zu", d->doc + 1);
	if (d->item >= 0)
		gh_buf_printf(out, ", item %ld", d->item);
	gh_buf_puts(out, ": ");
	if (d->kind.n || d->name.n) {
		gh_buf_put_str(out, d->kind);
		if (d->name.n) {
			gh_buf_puts(out, d->kind.n ? " \"" : "\"");
			if (d->namespace.n)
				gh_buf_printf(out, GH_STR_FMT "/", GH_STR_ARG(d->namespace));
			gh_buf_printf(out, GH_STR_FMT "\"", GH_STR_ARG(d->name));
		}
		gh_buf_puts(out, ": ");
	}
	if (d->field.n)
		gh_buf_printf(out, GH_STR_FMT ": ", GH_STR_ARG(d->field));
	gh_buf_put_str(out, d->msg);
}
