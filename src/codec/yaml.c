#include "codec/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/arena.h"

/* ---- scalar resolution ------------------------------------------------------------ */

enum scalar_kind { K_STR, K_NULL, K_TRUE, K_FALSE, K_INT, K_FLOAT, K_NONFINITE };

typedef struct resolved {
	enum scalar_kind kind;
	long long i;
	double f;
} resolved;

static bool in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, s, n) == 0)
			return true;
	return false;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const core_true[] = { "true", "True", "TRUE", NULL };
static const char *const core_false[] = { "false", "False", "FALSE", NULL };
static const char *const v11_true[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
					"on", "On", "ON", NULL };
static const char *const v11_false[] = { "n", "N", "no", "No", "NO", "false", "False", "FALSE",
					 "off", "Off", "OFF", NULL };
static const char *const pos_inf[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL };
static const char *const neg_inf[] = { "-.inf", "-.Inf", "-.INF", NULL };
static const char *const nan_words[] = { ".nan", ".NaN", ".NAN", NULL };

static bool all_in(const char *s, size_t n, const char *set)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]) || s[i] == '\0')
			return false;
	return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? , the float form both schemas share. */
static bool float_form(const char *s, size_t n)
{
	size_t i = 0, d = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (i < n && s[i] == '.') {
		i++;
		size_t frac = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, frac++;
		if (d == 0 && frac == 0)
			return false;
	} else if (d == 0) {
		return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, e++;
		if (e == 0)
			return false;
	}
	return i == n;
}

/* Parses digits in `base` (after any prefix) with an optional sign already split off. */
static bool parse_int(const char *s, size_t n, int base, bool neg, long long *out)
{
	if (n == 0 || n > 80)
		return false;
	char buf[96];
	size_t k = 0;
	if (neg)
		buf[k++] = '-';
	memcpy(buf + k, s, n);
	buf[k + n] = '\0';
	errno = 0;
	char *end;
	long long v = strtoll(buf, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool to_double(const char *s, size_t n, double *out)
{
	if (n == 0 || n > 350)
		return false;
	char buf[360];
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (*end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool resolve_nonfinite(const char *s, size_t n, resolved *r)
{
	if (in_list(s, n, pos_inf) || in_list(s, n, neg_inf) || in_list(s, n, nan_words)) {
		r->kind = K_NONFINITE;
		return true;
	}
	return false;
}

static bool resolve_number_core(const char *s, size_t n, resolved *r)
{
	if (n > 2 && s[0] == '0' && s[1] == 'o' && all_in(s + 2, n - 2, "01234567"))
		return parse_int(s + 2, n - 2, 8, false, &r->i) && (r->kind = K_INT, true);
	if (n > 2 && s[0] == '0' && s[1] == 'x' && all_in(s + 2, n - 2, "0123456789abcdefABCDEF"))
		return parse_int(s + 2, n - 2, 16, false, &r->i) && (r->kind = K_INT, true);
	size_t sign = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	if (all_in(s + sign, n - sign, "0123456789")) {
		if (parse_int(s + sign, n - sign, 10, s[0] == '-', &r->i)) {
			r->kind = K_INT;
			return true;
		}
		/* Beyond 64 bits: a JSON number still, as Go's decoders would give. */
		return to_double(s, n, &r->f) && (r->kind = K_FLOAT, true);
	}
	if (float_form(s, n))
		return to_double(s, n, &r->f) && (r->kind = K_FLOAT, true);
	return false;
}

/* yaml.v2: '_' is dropped, then Go's ParseInt with base 0 (0b, 0o, 0x, leading-0 octal),
 * then the float form. Only tried when the text starts with a digit, a sign or a '.'. */
static bool resolve_number_v11(const char *s, size_t n, resolved *r)
{
	if (n == 0 || !strchr("0123456789+-.", s[0]))
		return false;
	char buf[128];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		if (k == sizeof buf - 1)
			return false;
		buf[k++] = s[i];
	}
	const char *p = buf;
	size_t m = k;
	bool neg = false;
	if (m && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		p++, m--;
	}
	struct {
		const char *prefix, *digits;
		int base;
	} forms[] = { { "0b", "01", 2 }, { "0o", "01234567", 8 }, { "0x", "0123456789abcdefABCDEF", 16 } };
	for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
		if (m > 2 && (p[0] == '0' && (p[1] == forms[f].prefix[1] || p[1] == (forms[f].prefix[1] ^ 32))) &&
		    all_in(p + 2, m - 2, forms[f].digits))
			return parse_int(p + 2, m - 2, forms[f].base, neg, &r->i) && (r->kind = K_INT, true);
	}
	if (m > 1 && p[0] == '0' && all_in(p + 1, m - 1, "01234567"))
		return parse_int(p + 1, m - 1, 8, neg, &r->i) && (r->kind = K_INT, true);
	/* Leading-zero digits that are not octal fail Go's ParseInt and fall to the float form. */
	if (all_in(p, m, "0123456789") && !(m > 1 && p[0] == '0')) {
		if (parse_int(p, m, 10, neg, &r->i)) {
			r->kind = K_INT;
			return true;
		}
		return to_double(buf, k, &r->f) && (r->kind = K_FLOAT, true);
	}
	if (float_form(buf, k))
		return to_double(buf, k, &r->f) && (r->kind = K_FLOAT, true);
	return false;
}

static resolved resolve_plain(const char *s, size_t n, enum gh_yaml_schema schema)
{
	resolved r = { K_STR, 0, 0 };
	bool v11 = schema == GH_YAML_SCHEMA_V11;
	if (in_list(s, n, null_words))
		r.kind = K_NULL;
	else if (in_list(s, n, v11 ? v11_true : core_true))
		r.kind = K_TRUE;
	else if (in_list(s, n, v11 ? v11_false : core_false))
		r.kind = K_FALSE;
	else if (resolve_nonfinite(s, n, &r))
		;
	else if (v11 ? resolve_number_v11(s, n, &r) : resolve_number_core(s, n, &r))
		;
	else
		r.kind = K_STR;
	return r;
}

/* ---- marks ----------------------------------------------------------------------- */

typedef struct mark_entry {
	const void *node;
	const char *key; /* NULL for the node itself */
	size_t key_len;
	size_t seq;
	gh_yaml_mark mark;
} mark_entry;

struct gh_yaml_marks {
	mark_entry *v;
	size_t n, cap;
	gh_arena keys;
	bool oom;
};

static void marks_add(gh_yaml_marks *m, const void *node, const char *key, size_t key_len,
		      gh_yaml_mark mark)
{
	if (!m || m->oom)
		return;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		mark_entry *v = realloc(m->v, cap * sizeof *v);
		if (!v) {
			m->oom = true;
			return;
		}
		m->v = v;
		m->cap = cap;
	}
	const char *k = NULL;
	if (key) {
		k = gh_arena_strndup(&m->keys, key, key_len);
		if (!k) {
			m->oom = true;
			return;
		}
	}
	m->v[m->n] = (mark_entry){ node, k, key_len, m->n, mark };
	m->n++;
}

static int mark_cmp(const void *a, const void *b)
{
	const mark_entry *x = a, *y = b;
	if (x->node != y->node)
		return (uintptr_t)x->node < (uintptr_t)y->node ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Addresses of freed nodes can be reused, so the latest entry for an address wins. */
static gh_yaml_mark marks_find(const gh_yaml_marks *m, const void *node, const char *key,
			       size_t key_len)
{
	gh_yaml_mark none = { 0, 0 };
	if (!m || !node)
		return none;
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)m->v[mid].node < (uintptr_t)node)
			lo = mid + 1;
		else
			hi = mid;
	}
	gh_yaml_mark found = none;
	for (size_t i = lo; i < m->n && m->v[i].node == node; i++) {
		const mark_entry *e = &m->v[i];
		if (!key && !e->key)
			found = e->mark;
		else if (key && e->key && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
			found = e->mark;
	}
	return found;
}

gh_yaml_mark gh_yaml_marks_node(const gh_yaml_marks *m, const json_t *node)
{
	return marks_find(m, node, NULL, 0);
}

gh_yaml_mark gh_yaml_marks_member(const gh_yaml_marks *m, const json_t *obj, const char *key,
				  size_t key_len)
{
	return key ? marks_find(m, obj, key, key_len) : (gh_yaml_mark){ 0, 0 };
}

/* Shared nodes (true, false, null) in a sequence are recorded under their index. */
static size_t index_key(char *buf, size_t i)
{
	return (size_t)snprintf(buf, 24, "#%zu", i);
}

gh_yaml_mark gh_yaml_marks_element(const gh_yaml_marks *m, const json_t *arr, size_t i)
{
	const json_t *el = json_array_get(arr, i);
	gh_yaml_mark at = marks_find(m, el, NULL, 0);
	if (at.line || !el)
		return at;
	char k[24];
	return marks_find(m, arr, k, index_key(k, i));
}

void gh_yaml_marks_free(gh_yaml_marks *m)
{
	if (!m)
		return;
	free(m->v);
	gh_arena_free(&m->keys);
	free(m);
}

/* ---- the loader -------------------------------------------------------------------- */

typedef struct frame {
	json_t *node;	 /* object or array being filled */
	gh_yaml_mark mark;
	char *anchor;	 /* anchor on this collection, owned */
	size_t nodes_at_start;
	bool have_key;	 /* mappings: a key waits for its value */
	bool key_is_merge;
	char *key;	 /* owned */
	size_t key_len;
	gh_yaml_mark key_mark;
	json_t *merges; /* mappings: objects named by "<<", merged at the end */
} frame;

typedef struct anchor_def {
	char *name;
	json_t *value;
	size_t nodes;
} anchor_def;

typedef struct loader {
	gh_yaml_opts o;
	gh_str in;
	yaml_parser_t parser;
	frame *stack;
	size_t depth;
	anchor_def *anchors;
	size_t n_anchors, cap_anchors;
	size_t nodes;
	json_t *root;
	gh_yaml_marks *marks;
	gh_yaml_mark where;
	gh_err *err;
} loader;

static gh_yaml_mark mark_of(yaml_mark_t m)
{
	return (gh_yaml_mark){ (unsigned)m.line + 1, (unsigned)m.column + 1 };
}

static bool fail_at(loader *L, gh_yaml_mark at, const char *fmt, ...) GH_PRINTF(3, 4);
static bool fail_at(loader *L, gh_yaml_mark at, const char *fmt, ...)
{
	char msg[GH_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	L->where = at;
	if (at.line)
		return gh_fail(L->err, "InvalidYAML", 400, "yaml: line %u, column %u: %s", at.line,
			       at.column, msg);
	return gh_fail(L->err, "InvalidYAML", 400, "yaml: %s", msg);
}

static gh_yaml_mark mark_at_offset(gh_str in, size_t off)
{
	gh_yaml_mark m = { 1, 1 };
	for (size_t i = 0; i < off && i < in.n; i++) {
		if (in.p[i] == '\n')
			m.line++, m.column = 1;
		else if (((unsigned char)in.p[i] & 0xC0) != 0x80)
			m.column++;
	}
	return m;
}

static bool fail_parser(loader *L)
{
	yaml_parser_t *p = &L->parser;
	if (p->error == YAML_MEMORY_ERROR)
		return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	const char *problem = p->problem ? p->problem : "unknown problem parsing YAML content";
	if (p->error == YAML_READER_ERROR)
		return fail_at(L, mark_at_offset(L->in, p->problem_offset), "%s", problem);
	return fail_at(L, mark_of(p->problem_mark), "%s", problem);
}

static bool count_nodes(loader *L, size_t n, gh_yaml_mark at, bool alias)
{
	if (n > L->o.max_nodes || L->nodes > L->o.max_nodes - n) {
		if (alias)
			return fail_at(L, at, "document contains excessive aliasing (more than %zu nodes)",
				       L->o.max_nodes);
		return fail_at(L, at, "document has more than %zu nodes", L->o.max_nodes);
	}
	L->nodes += n;
	return true;
}

static const char *tag_short(const char *tag)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	if (tag && strncmp(tag, prefix, sizeof prefix - 1) == 0)
		return tag + sizeof prefix - 1;
	return NULL;
}

static const char *kind_tag(enum scalar_kind k)
{
	switch (k) {
	case K_NULL: return "!!null";
	case K_TRUE:
	case K_FALSE: return "!!bool";
	case K_INT: return "!!int";
	case K_FLOAT:
	case K_NONFINITE: return "!!float";
	default: return "!!str";
	}
}

/* Checks an explicit core tag against what the text resolves to (!!int 12 is fine,
 * !!int abc is not; an int satisfies !!float). */
static bool tag_accepts(const char *want, enum scalar_kind k)
{
	if (strcmp(want, "null") == 0)
		return k == K_NULL;
	if (strcmp(want, "bool") == 0)
		return k == K_TRUE || k == K_FALSE;
	if (strcmp(want, "int") == 0)
		return k == K_INT;
	if (strcmp(want, "float") == 0)
		return k == K_INT || k == K_FLOAT || k == K_NONFINITE;
	return true;
}

static json_t *json_of(const resolved *r, const char *s, size_t n, bool as_float)
{
	switch (r->kind) {
	case K_NULL: return json_null();
	case K_TRUE: return json_true();
	case K_FALSE: return json_false();
	case K_INT: return as_float ? json_real((double)r->i) : json_integer(r->i);
	case K_FLOAT: return json_real(r->f);
	default: return json_stringn(s, n);
	}
}

static bool make_scalar(loader *L, const yaml_event_t *ev, json_t **out)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	gh_yaml_mark at = mark_of(ev->start_mark);
	const char *tag = (const char *)ev->data.scalar.tag;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	json_t *v = NULL;
	if (L->o.mode == GH_YAML_STRINGS) {
		v = L->o.strings_null && plain && !tag && in_list(s, n, null_words) ? json_null() : json_stringn(s, n);
	} else {
		const char *core = tag_short(tag);
		bool resolvable = core && (strcmp(core, "null") == 0 || strcmp(core, "bool") == 0 ||
					   strcmp(core, "int") == 0 || strcmp(core, "float") == 0);
		resolved r = { K_STR, 0, 0 };
		if (resolvable || (!tag && plain))
			r = resolve_plain(s, n, L->o.schema);
		if (resolvable && !tag_accepts(core, r.kind))
			return fail_at(L, at, "cannot decode %s `%.*s` as a !!%s", kind_tag(r.kind),
				       (int)(n > 64 ? 64 : n), s, core);
		if (r.kind == K_NONFINITE)
			return fail_at(L, at, "%.*s has no JSON representation", (int)(n > 64 ? 64 : n), s);
		v = json_of(&r, s, n, resolvable && strcmp(core, "float") == 0);
	}
	if (!v)
		return fail_at(L, at, "scalar is not valid UTF-8 or memory ran out");
	*out = v;
	return true;
}

static bool register_anchor(loader *L, const char *name, json_t *value, size_t nodes)
{
	if (L->n_anchors == L->cap_anchors) {
		size_t cap = L->cap_anchors ? L->cap_anchors * 2 : 16;
		anchor_def *a = realloc(L->anchors, cap * sizeof *a);
		if (!a)
			return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
		L->anchors = a;
		L->cap_anchors = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	L->anchors[L->n_anchors++] = (anchor_def){ copy, json_incref(value), nodes };
	return true;
}

static void drop_anchors(loader *L)
{
	for (size_t i = 0; i < L->n_anchors; i++) {
		free(L->anchors[i].name);
		json_decref(L->anchors[i].value);
	}
	L->n_anchors = 0;
}

static const anchor_def *find_anchor(const loader *L, const char *name)
{
	for (size_t i = L->n_anchors; i-- > 0;)
		if (strcmp(L->anchors[i].name, name) == 0)
			return &L->anchors[i];
	return NULL;
}

static bool anchor_in_progress(const loader *L, const char *name)
{
	for (size_t i = 0; i < L->depth; i++)
		if (L->stack[i].anchor && strcmp(L->stack[i].anchor, name) == 0)
			return true;
	return false;
}

static bool check_anchor_allowed(loader *L, const yaml_char_t *anchor, yaml_mark_t m)
{
	if (anchor && L->o.no_aliases)
		return fail_at(L, mark_of(m), "anchors and aliases are not allowed here");
	return true;
}

static bool key_text(loader *L, json_t *v, gh_yaml_mark at, char **key, size_t *len)
{
	if (json_is_string(v)) {
		*len = json_string_length(v);
		*key = malloc(*len + 1);
		if (*key)
			memcpy(*key, json_string_value(v), *len + 1);
	} else if (json_is_object(v) || json_is_array(v)) {
		return fail_at(L, at, "invalid map key: a %s cannot be a key",
			       json_is_object(v) ? "mapping" : "sequence");
	} else {
		*key = json_is_null(v) ? strdup("null") : json_dumps(v, JSON_ENCODE_ANY);
		*len = *key ? strlen(*key) : 0;
	}
	if (!*key)
		return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	return true;
}

static bool is_mergeable(const json_t *v)
{
	if (json_is_object(v))
		return true;
	if (!json_is_array(v))
		return false;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
		if (!json_is_object(e))
			return false;
	return true;
}

/* Places a finished node (taking the reference) where the open collection expects it. */
static bool put_value(loader *L, json_t *v, gh_yaml_mark at, bool mark_node)
{
	if (mark_node && v != json_true() && v != json_false() && v != json_null())
		marks_add(L->marks, v, NULL, 0, at);
	if (L->depth == 0) {
		json_decref(L->root);
		L->root = v;
		return true;
	}
	frame *f = &L->stack[L->depth - 1];
	if (json_is_array(f->node)) {
		if (L->marks && (v == json_true() || v == json_false() || v == json_null())) {
			char k[24];
			marks_add(L->marks, f->node, k, index_key(k, json_array_size(f->node)), at);
		}
		if (json_array_append_new(f->node, v) != 0)
			return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
		return true;
	}
	if (!f->have_key) {
		bool ok = key_text(L, v, at, &f->key, &f->key_len);
		json_decref(v);
		if (!ok)
			return false;
		f->have_key = true;
		f->key_is_merge = false;
		f->key_mark = at;
		return true;
	}
	f->have_key = false;
	if (f->key_is_merge) {
		if (!is_mergeable(v)) {
			json_decref(v);
			return fail_at(L, at, "map merge requires map or sequence of maps as the value");
		}
		if (!f->merges && !(f->merges = json_array())) {
			json_decref(v);
			return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
		}
		return json_array_append_new(f->merges, v) == 0 ||
		       gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	}
	if (L->o.strict_keys && json_object_getn(f->node, f->key, f->key_len)) {
		json_decref(v);
		return fail_at(L, f->key_mark, "key \"%.*s\" already set in map",
			       (int)(f->key_len > 64 ? 64 : f->key_len), f->key);
	}
	if (json_object_setn_new_nocheck(f->node, f->key, f->key_len, v) != 0)
		return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	marks_add(L->marks, f->node, f->key, f->key_len, f->key_mark);
	free(f->key);
	f->key = NULL;
	return true;
}

static bool take_key(loader *L, frame *f, const char *s, size_t n, gh_yaml_mark at)
{
	f->key = malloc(n + 1);
	if (!f->key)
		return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	memcpy(f->key, s, n);
	f->key[n] = '\0';
	f->key_len = n;
	f->have_key = true;
	f->key_is_merge = false;
	f->key_mark = at;
	return true;
}

static bool on_scalar(loader *L, const yaml_event_t *ev)
{
	gh_yaml_mark at = mark_of(ev->start_mark);
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	if (!check_anchor_allowed(L, ev->data.scalar.anchor, ev->start_mark) || !count_nodes(L, 1, at, false))
		return false;
	frame *f = L->depth ? &L->stack[L->depth - 1] : NULL;
	bool plain_untagged = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
	if (f && json_is_object(f->node) && !f->have_key) {
		if (plain_untagged && n == 2 && memcmp(s, "<<", 2) == 0) {
			f->have_key = true;
			f->key_is_merge = true;
			f->key_mark = at;
			return true;
		}
		/* Keys keep their text in both modes: JSON objects have only string keys. */
		if (anchor) {
			json_t *k = json_stringn_nocheck(s, n);
			bool ok = k && register_anchor(L, anchor, k, 1);
			json_decref(k);
			if (!ok)
				return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
		}
		return take_key(L, f, s, n, at);
	}
	json_t *v = NULL;
	if (!f && plain_untagged && n == 0)
		v = json_null(); /* an empty document, whatever the mode */
	else if (!make_scalar(L, ev, &v))
		return false;
	if (anchor && !register_anchor(L, anchor, v, 1)) {
		json_decref(v);
		return false;
	}
	return put_value(L, v, at, true);
}

static bool on_start(loader *L, const yaml_event_t *ev, bool mapping)
{
	gh_yaml_mark at = mark_of(ev->start_mark);
	const yaml_char_t *anchor = mapping ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	if (!check_anchor_allowed(L, anchor, ev->start_mark) || !count_nodes(L, 1, at, false))
		return false;
	if (L->depth >= L->o.max_depth)
		return fail_at(L, at, "exceeded max depth of %u", L->o.max_depth);
	if (L->depth && json_is_object(L->stack[L->depth - 1].node) && !L->stack[L->depth - 1].have_key)
		return fail_at(L, at, "invalid map key: a %s cannot be a key", mapping ? "mapping" : "sequence");
	json_t *node = mapping ? json_object() : json_array();
	char *name = anchor ? strdup((const char *)anchor) : NULL;
	if (!node || (anchor && !name)) {
		json_decref(node);
		free(name);
		return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	}
	marks_add(L->marks, node, NULL, 0, at);
	L->stack[L->depth++] = (frame){ .node = node, .mark = at, .anchor = name, .nodes_at_start = L->nodes };
	return true;
}

static void merge_into(json_t *dst, json_t *src)
{
	const char *k;
	size_t klen;
	json_t *v;
	json_object_keylen_foreach(src, k, klen, v)
	{
		if (!json_object_getn(dst, k, klen))
			json_object_setn_nocheck(dst, k, klen, v);
	}
}

static void frame_release(frame *f)
{
	json_decref(f->node);
	json_decref(f->merges);
	free(f->anchor);
	free(f->key);
	*f = (frame){ 0 };
}

static bool on_end(loader *L)
{
	frame *f = &L->stack[L->depth - 1];
	if (f->merges) {
		size_t i;
		json_t *m;
		json_array_foreach(f->merges, i, m) {
			if (json_is_object(m)) {
				merge_into(f->node, m);
			} else {
				size_t j;
				json_t *e;
				json_array_foreach(m, j, e)
					merge_into(f->node, e);
			}
		}
	}
	json_t *node = json_incref(f->node);
	gh_yaml_mark at = f->mark;
	char *anchor = f->anchor;
	size_t nodes = L->nodes - f->nodes_at_start;
	f->anchor = NULL;
	frame_release(f);
	L->depth--;
	bool ok = !anchor || register_anchor(L, anchor, node, nodes);
	free(anchor);
	if (!ok) {
		json_decref(node);
		return false;
	}
	return put_value(L, node, at, false);
}

static bool on_alias(loader *L, const yaml_event_t *ev)
{
	gh_yaml_mark at = mark_of(ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	if (L->o.no_aliases)
		return fail_at(L, at, "anchors and aliases are not allowed here");
	if (anchor_in_progress(L, name))
		return fail_at(L, at, "anchor '%s' value contains itself", name);
	const anchor_def *a = find_anchor(L, name);
	if (!a)
		return fail_at(L, at, "unknown anchor '%s' referenced", name);
	if (!count_nodes(L, a->nodes, at, true))
		return false;
	json_t *copy = json_deep_copy(a->value);
	if (!copy)
		return gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
	return put_value(L, copy, at, true);
}

static bool finish_document(loader *L, json_t *docs)
{
	json_t *root = L->root ? L->root : json_null();
	L->root = NULL;
	drop_anchors(L);
	if (!docs) {
		L->root = root;
		return true;
	}
	if (json_is_null(root))
		return true;
	return json_array_append_new(docs, root) == 0 ||
	       gh_fail(L->err, "InternalError", 500, "yaml: out of memory");
}

static bool run(loader *L, json_t *docs, json_t **single)
{
	bool done = false, ok = true, seen_doc = false;
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&L->parser, &ev))
			return fail_parser(L);
		switch (ev.type) {
		case YAML_SCALAR_EVENT: ok = on_scalar(L, &ev); break;
		case YAML_SEQUENCE_START_EVENT: ok = on_start(L, &ev, false); break;
		case YAML_MAPPING_START_EVENT: ok = on_start(L, &ev, true); break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: ok = on_end(L); break;
		case YAML_ALIAS_EVENT: ok = on_alias(L, &ev); break;
		case YAML_DOCUMENT_END_EVENT:
			seen_doc = true;
			ok = finish_document(L, docs);
			/* Like yaml.v2's Unmarshal: the first document is the value, the rest unread. */
			if (!docs)
				done = true;
			break;
		case YAML_STREAM_END_EVENT: done = true; break;
		default: break;
		}
		yaml_event_delete(&ev);
	}
	if (!ok)
		return false;
	if (single)
		*single = seen_doc && L->root ? json_incref(L->root) : json_null();
	return true;
}

static gh_yaml_opts resolve_opts(const gh_yaml_opts *opts)
{
	gh_yaml_opts o = opts ? *opts : (gh_yaml_opts){ 0 };
	if (!o.max_bytes)
		o.max_bytes = GH_YAML_DEFAULT_MAX_BYTES;
	if (!o.max_depth)
		o.max_depth = GH_YAML_DEFAULT_MAX_DEPTH;
	if (!o.max_nodes)
		o.max_nodes = GH_YAML_DEFAULT_MAX_NODES;
	return o;
}

static void loader_release(loader *L)
{
	while (L->depth)
		frame_release(&L->stack[--L->depth]);
	free(L->stack);
	drop_anchors(L);
	free(L->anchors);
	json_decref(L->root);
	yaml_parser_delete(&L->parser);
}

bool gh_yaml_load_marked(gh_str in, const gh_yaml_opts *opts, bool all, json_t **out,
			 gh_yaml_marks **marks, gh_yaml_mark *where, gh_err *err)
{
	*out = NULL;
	if (marks)
		*marks = NULL;
	if (where)
		*where = (gh_yaml_mark){ 0, 0 };
	loader L = { .o = resolve_opts(opts), .in = in, .err = err };
	if (in.n > L.o.max_bytes)
		return gh_fail(err, "InvalidYAML", 400, "yaml: input is %zu bytes, over the limit of %zu",
			       in.n, L.o.max_bytes);
	if (marks) {
		L.marks = calloc(1, sizeof *L.marks);
		if (!L.marks)
			return gh_fail(err, "InternalError", 500, "yaml: out of memory");
		gh_arena_init(&L.marks->keys, 0);
	}
	json_t *docs = all ? json_array() : NULL;
	L.stack = calloc(L.o.max_depth, sizeof *L.stack);
	if (!L.stack || (all && !docs) || !yaml_parser_initialize(&L.parser)) {
		free(L.stack);
		json_decref(docs);
		gh_yaml_marks_free(L.marks);
		return gh_fail(err, "InternalError", 500, "yaml: out of memory");
	}
	yaml_parser_set_input_string(&L.parser, (const unsigned char *)(in.p ? in.p : ""), in.n);
	json_t *single = NULL;
	bool ok = run(&L, docs, all ? NULL : &single);
	if (ok && L.marks && L.marks->oom)
		ok = gh_fail(err, "InternalError", 500, "yaml: out of memory");
	loader_release(&L);
	if (!ok) {
		json_decref(docs);
		json_decref(single);
		gh_yaml_marks_free(L.marks);
		if (where)
			*where = L.where;
		return false;
	}
	*out = all ? docs : single;
	if (marks) {
		if (L.marks->n)
			qsort(L.marks->v, L.marks->n, sizeof *L.marks->v, mark_cmp);
		*marks = L.marks;
	}
	return true;
}

bool gh_yaml_load(gh_str in, const gh_yaml_opts *opts, json_t **out, gh_err *err)
{
	return gh_yaml_load_marked(in, opts, false, out, NULL, NULL, err);
}

bool gh_yaml_load_all(gh_str in, const gh_yaml_opts *opts, json_t **out, gh_err *err)
{
	return gh_yaml_load_marked(in, opts, true, out, NULL, NULL, err);
}
