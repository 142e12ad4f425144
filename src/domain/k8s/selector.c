#include "domain/k8s/selector.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct lexer {
	gh_str s;
	size_t i;
} lexer;

static void skip_ws(lexer *l)
{
	while (l->i < l->s.n && isspace((unsigned char)l->s.p[l->i]))
		l->i++;
}

static bool is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '/';
}

static gh_str take_word(lexer *l)
{
	size_t st = l->i;
	while (l->i < l->s.n && is_key_char(l->s.p[l->i]))
		l->i++;
	return gh_str_sub(l->s, st, l->i - st);
}

/* fmt has exactly one %.*s, which gets `what`. */
static bool fail(char *problem, size_t plen, const char *fmt, gh_str what)
{
	snprintf(problem, plen, fmt, GH_STR_ARG(what));
	return false;
}

/* A label key: optional DNS-subdomain prefix and '/', then a name of at most 63
 * characters beginning and ending with an alphanumeric. */
static bool valid_key(gh_str k)
{
	gh_str prefix = { 0 }, name = k;
	size_t slash = gh_str_find(k, '/', 0);
	if (slash < k.n) {
		prefix = gh_str_sub(k, 0, slash);
		name = gh_str_sub(k, slash + 1, k.n);
		if (!prefix.n || prefix.n > 253)
			return false;
	}
	if (!name.n || name.n > 63 || !isalnum((unsigned char)name.p[0]) ||
	    !isalnum((unsigned char)name.p[name.n - 1]))
		return false;
	for (size_t i = 0; i < name.n; i++)
		if (!isalnum((unsigned char)name.p[i]) && name.p[i] != '-' && name.p[i] != '_' && name.p[i] != '.')
			return false;
	return true;
}

static bool valid_value(gh_str v)
{
	if (!v.n)
		return true;
	if (v.n > 63 || !isalnum((unsigned char)v.p[0]) || !isalnum((unsigned char)v.p[v.n - 1]))
		return false;
	for (size_t i = 0; i < v.n; i++)
		if (!isalnum((unsigned char)v.p[i]) && v.p[i] != '-' && v.p[i] != '_' && v.p[i] != '.')
			return false;
	return true;
}

static bool add_req(k8s_selector *out, size_t *cap, gh_arena *a, k8s_sel_req r)
{
	if (out->n == *cap)
		return false;
	(void)a;
	out->reqs[out->n++] = r;
	return true;
}

bool k8s_label_selector_parse(gh_str s, gh_arena *a, k8s_selector *out, char *problem, size_t plen)
{
	*out = (k8s_selector){ 0 };
	if (s.n > K8S_SELECTOR_MAX_BYTES)
		return fail(problem, plen, "label selector is longer than 8192 bytes%.*s", GH_STR(""));
	size_t cap = K8S_SELECTOR_MAX_REQS;
	out->reqs = gh_arena_alloc(a, cap * sizeof *out->reqs);
	if (!out->reqs)
		return fail(problem, plen, "out of memory%.*s", GH_STR(""));
	lexer l = { s, 0 };
	skip_ws(&l);
	if (l.i == s.n)
		return true;
	for (;;) {
		skip_ws(&l);
		k8s_sel_req r = { 0 };
		bool negate = false;
		if (l.i < s.n && s.p[l.i] == '!') {
			negate = true;
			l.i++;
			skip_ws(&l);
		}
		r.key = take_word(&l);
		if (!r.key.n)
			return fail(problem, plen, "unable to parse requirement: found '%.*s', expected: identifier",
				    gh_str_sub(s, l.i, 1));
		if (!valid_key(r.key))
			return fail(problem, plen,
				    "unable to parse requirement: invalid label key \"%.*s\": name part must consist "
				    "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
				    "alphanumeric character",
				    r.key);
		skip_ws(&l);
		if (negate) {
			r.op = SEL_NOT_EXISTS;
		} else if (l.i >= s.n || s.p[l.i] == ',') {
			r.op = SEL_EXISTS;
		} else {
			gh_str rest = gh_str_sub(s, l.i, s.n);
			bool set = false;
			if (gh_str_has_prefix(rest, GH_STR("==")))
				r.op = SEL_EQ, l.i += 2;
			else if (gh_str_has_prefix(rest, GH_STR("!=")))
				r.op = SEL_NEQ, l.i += 2;
			else if (gh_str_has_prefix(rest, GH_STR("=")))
				r.op = SEL_EQ, l.i += 1;
			else if (gh_str_has_prefix(rest, GH_STR("notin")) && rest.n > 5 &&
				 (isspace((unsigned char)rest.p[5]) || rest.p[5] == '('))
				r.op = SEL_NOTIN, l.i += 5, set = true;
			else if (gh_str_has_prefix(rest, GH_STR("in")) && rest.n > 2 &&
				 (isspace((unsigned char)rest.p[2]) || rest.p[2] == '('))
				r.op = SEL_IN, l.i += 2, set = true;
			else
				return fail(problem, plen,
					    "unable to parse requirement: found '%.*s', expected: in, notin, =, ==, !=, "
					    "gt, lt",
					    gh_str_sub(s, l.i, 1));
			skip_ws(&l);
			r.values = gh_arena_alloc(a, K8S_SELECTOR_MAX_VALUES * sizeof *r.values);
			if (!r.values)
				return fail(problem, plen, "out of memory%.*s", GH_STR(""));
			if (set) {
				if (l.i >= s.n || s.p[l.i] != '(')
					return fail(problem, plen, "found '%.*s', expected: '('", gh_str_sub(s, l.i, 1));
				l.i++;
				for (;;) {
					skip_ws(&l);
					gh_str v = take_word(&l);
					if (!valid_value(v))
						return fail(problem, plen, "invalid label value: \"%.*s\"", v);
					if (r.nvalues == K8S_SELECTOR_MAX_VALUES)
						return fail(problem, plen, "too many values in a set%.*s", GH_STR(""));
					r.values[r.nvalues++] = v;
					skip_ws(&l);
					if (l.i < s.n && s.p[l.i] == ',') {
						l.i++;
						continue;
					}
					if (l.i < s.n && s.p[l.i] == ')') {
						l.i++;
						break;
					}
					return fail(problem, plen, "found '%.*s', expected: ',' or ')'",
						    gh_str_sub(s, l.i, 1));
				}
			} else {
				gh_str v = take_word(&l);
				if (!valid_value(v))
					return fail(problem, plen, "invalid label value: \"%.*s\"", v);
				r.values[r.nvalues++] = v;
			}
		}
		if (!add_req(out, &cap, a, r))
			return fail(problem, plen, "label selector has more than 64 requirements%.*s", GH_STR(""));
		skip_ws(&l);
		if (l.i >= s.n)
			return true;
		if (s.p[l.i] != ',')
			return fail(problem, plen, "found '%.*s', expected: ',' or 'end of string'",
				    gh_str_sub(s, l.i, 1));
		l.i++;
	}
}

bool k8s_field_selector_parse(gh_str s, gh_arena *a, k8s_selector *out, char *problem, size_t plen)
{
	*out = (k8s_selector){ 0 };
	if (s.n > K8S_SELECTOR_MAX_BYTES)
		return fail(problem, plen, "field selector is longer than 8192 bytes%.*s", GH_STR(""));
	out->reqs = gh_arena_alloc(a, K8S_SELECTOR_MAX_REQS * sizeof *out->reqs);
	if (!out->reqs)
		return fail(problem, plen, "out of memory%.*s", GH_STR(""));
	gh_str rest = gh_str_trim(s);
	while (rest.n) {
		gh_str term, tail;
		if (!gh_str_cut(rest, ',', &term, &tail))
			term = rest, tail = (gh_str){ "", 0 };
		rest = tail;
		term = gh_str_trim(term);
		if (!term.n)
			continue;
		k8s_sel_req r = { 0 };
		r.values = gh_arena_alloc(a, sizeof *r.values);
		size_t eq = gh_str_find(term, '=', 0);
		if (eq == term.n || !r.values)
			return fail(problem, plen, "invalid selector: '%.*s': expected key=value, key==value or key!=value",
				    term);
		if (eq > 0 && term.p[eq - 1] == '!') {
			r.op = SEL_NEQ;
			r.key = gh_str_trim(gh_str_sub(term, 0, eq - 1));
			r.values[0] = gh_str_sub(term, eq + 1, term.n);
		} else {
			r.op = SEL_EQ;
			r.key = gh_str_trim(gh_str_sub(term, 0, eq));
			size_t v = eq + 1;
			if (v < term.n && term.p[v] == '=')
				v++;
			r.values[0] = gh_str_sub(term, v, term.n);
		}
		r.nvalues = 1;
		if (out->n == K8S_SELECTOR_MAX_REQS)
			return fail(problem, plen, "field selector has more than 64 requirements%.*s", GH_STR(""));
		out->reqs[out->n++] = r;
	}
	return true;
}

static bool in_values(const k8s_sel_req *r, const char *v, size_t n)
{
	for (size_t i = 0; i < r->nvalues; i++)
		if (r->values[i].n == n && memcmp(r->values[i].p, v, n) == 0)
			return true;
	return false;
}

/* One requirement against a value that may be absent (v == NULL). */
static bool req_match(const k8s_sel_req *r, const char *v, size_t n)
{
	switch (r->op) {
	case SEL_EXISTS: return v != NULL;
	case SEL_NOT_EXISTS: return v == NULL;
	case SEL_EQ:
	case SEL_IN: return v && in_values(r, v, n);
	case SEL_NEQ:
	case SEL_NOTIN: return !v || !in_values(r, v, n);
	}
	return false;
}

bool k8s_selector_match_labels(const k8s_selector *sel, const json_t *labels)
{
	char key[320];
	for (size_t i = 0; i < sel->n; i++) {
		const k8s_sel_req *r = &sel->reqs[i];
		if (r->key.n >= sizeof key)
			return false;
		memcpy(key, r->key.p, r->key.n);
		key[r->key.n] = '\0';
		json_t *v = json_object_get(labels, key);
		if (!req_match(r, json_is_string(v) ? json_string_value(v) : NULL, json_string_length(v)))
			return false;
	}
	return true;
}

/* A dotted path into the object; missing fields read as "" (upstream's field sets carry
 * every supported field, empty when unset). */
static const char *field_value(const json_t *obj, gh_str path, char *scratch, size_t n)
{
	const json_t *cur = obj;
	size_t i = 0;
	while (cur && i < path.n) {
		size_t dot = gh_str_find(path, '.', i);
		gh_str seg = gh_str_sub(path, i, dot - i);
		if (seg.n >= n)
			return "";
		memcpy(scratch, seg.p, seg.n);
		scratch[seg.n] = '\0';
		cur = json_object_get(cur, scratch);
		i = dot + 1;
	}
	if (json_is_string(cur))
		return json_string_value(cur);
	if (json_is_boolean(cur))
		return json_is_true(cur) ? "true" : "false";
	if (json_is_integer(cur)) {
		snprintf(scratch, n, "%lld", (long long)json_integer_value(cur));
		return scratch;
	}
	return "";
}

bool k8s_selector_match_fields(const k8s_selector *sel, const json_t *obj)
{
	char scratch[256];
	for (size_t i = 0; i < sel->n; i++) {
		const char *v = field_value(obj, sel->reqs[i].key, scratch, sizeof scratch);
		if (!req_match(&sel->reqs[i], v, strlen(v)))
			return false;
	}
	return true;
}

gh_str k8s_field_selector_name(const k8s_selector *sel)
{
	for (size_t i = 0; i < sel->n; i++)
		if (sel->reqs[i].op == SEL_EQ && gh_str_eq_c(sel->reqs[i].key, "metadata.name"))
			return sel->reqs[i].values[0];
	return (gh_str){ "", 0 };
}
