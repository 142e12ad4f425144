#include "codec/smpatch.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "codec/jsonpatch.h"

#define PATH_MAX_BYTES 512
#define FMT_MAX 1024 /* Go-style renderings of values in messages stop here */

#define DIRECTIVE "$patch"
#define RETAIN_KEYS "$retainKeys"
#define SET_ORDER_PREFIX "$setElementOrder"
#define DELETE_PRIMITIVE_PREFIX "$deleteFromPrimitiveList"

/* Upstream's sentinel errors (k8s.io/apimachinery/pkg/util/mergepatch). */
#define ERR_NO_LIST_OF_LISTS "lists of lists are not supported"
#define ERR_PRIMITIVE_LIST "invalid patch format of primitive list"
#define ERR_RETAIN_KEYS "invalid patch format of retainKeys"
#define ERR_SET_ORDER "invalid patch format of setElementOrder list"

typedef struct smp {
	const smp_field *schema;
	size_t nschema;
	gh_err *err;
	/* Where the merge is, as a schema path ("spec.containers[].env"). `lost` is set below
	 * a key that could be mistaken for path syntax, so that no schema entry matches there. */
	char path[PATH_MAX_BYTES];
	size_t plen;
	bool lost;
} smp;

typedef struct mark {
	size_t plen;
	bool lost;
} mark;

/* ---- Go renderings, for upstream's messages -------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	size_t xn = json_string_length(x), yn = json_string_length(y);
	int c = memcmp(json_string_value(x), json_string_value(y), xn < yn ? xn : yn);
	return c ? c : (xn > yn) - (xn < yn);
}

/* fmt's %v of the value encoding/json would build: map[k:v ...] with sorted keys, [a b],
 * strings bare, <nil>. Output stops growing past FMT_MAX. */
static void gofmt(gh_buf *b, const json_t *v)
{
	if (b->n > FMT_MAX)
		return;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		json_t **keys = calloc(n ? n : 1, sizeof *keys);
		if (!keys) {
			b->oom = true;
			return;
		}
		const char *k;
		size_t klen;
		json_t *c;
		json_object_keylen_foreach((json_t *)v, k, klen, c)
			keys[i++] = json_stringn_nocheck(k, klen);
		qsort(keys, n, sizeof *keys, key_cmp);
		gh_buf_puts(b, "map[");
		for (i = 0; i < n; i++) {
			if (keys[i]) {
				if (i)
					gh_buf_putc(b, ' ');
				gh_buf_put(b, json_string_value(keys[i]), json_string_length(keys[i]));
				gh_buf_putc(b, ':');
				gofmt(b, json_object_getn(v, json_string_value(keys[i]), json_string_length(keys[i])));
			}
			json_decref(keys[i]);
		}
		free(keys);
		gh_buf_putc(b, ']');
		break;
	}
	case JSON_ARRAY:
		gh_buf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				gh_buf_putc(b, ' ');
			gofmt(b, json_array_get(v, i));
		}
		gh_buf_putc(b, ']');
		break;
	case JSON_STRING: gh_buf_put(b, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: gh_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
	case JSON_REAL: gh_buf_printf(b, "%.17g", json_real_value(v)); break;
	case JSON_TRUE: gh_buf_puts(b, "true"); break;
	case JSON_FALSE: gh_buf_puts(b, "false"); break;
	default: gh_buf_puts(b, "<nil>"); break;
	}
}

/* reflect.TypeOf(v) as Go prints it, for ErrBadArgType. */
static const char *go_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "map[string]interface {}";
	case JSON_ARRAY: return "[]interface {}";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int64";
	case JSON_REAL: return "float64";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "<nil>";
	}
}

/* Fails with `fmt` where each %v takes the next value (rendered as Go's fmt would) and each
 * %s the next C string. Nothing else is interpreted. */
static bool failv(smp *S, const char *code, int status, const char *fmt, ...)
{
	gh_buf b = { 0 };
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && (p[1] == 'v' || p[1] == 's')) {
			if (p[1] == 'v')
				gofmt(&b, va_arg(ap, const json_t *));
			else
				gh_buf_puts(&b, va_arg(ap, const char *));
			p++;
		} else {
			gh_buf_putc(&b, *p);
		}
	}
	va_end(ap);
	gh_fail(S->err, code, status, "%s", b.p && !b.oom ? b.p : "strategic merge patch: out of memory");
	gh_buf_free(&b);
	return false;
}

/* kube-apiserver passes plain errors through as a 500 Status with reason Unknown. */
#define UNKNOWN(S, ...) failv((S), "Unknown", 500, __VA_ARGS__)
#define BAD(S, msg) gh_fail((S)->err, "BadRequest", 400, "%s", (msg))
#define NO_MEMORY(S) gh_fail((S)->err, "InternalError", 500, "strategic merge patch: out of memory")

static bool no_merge_key(smp *S, const json_t *m, const char *key)
{
	return UNKNOWN(S, "map: %v does not contain declared merge key: %s", m, key);
}

/* ---- schema paths ---------------------------------------------------------------------- */

static mark path_push(smp *S, const char *k, size_t kl)
{
	mark m = { S->plen, S->lost };
	size_t need = kl + (S->plen ? 1 : 0);
	if (S->plen + need >= sizeof S->path || memchr(k, '.', kl) || memchr(k, '[', kl) || memchr(k, ']', kl) ||
	    memchr(k, '\0', kl)) {
		S->lost = true;
		return m;
	}
	if (S->plen)
		S->path[S->plen++] = '.';
	memcpy(S->path + S->plen, k, kl);
	S->plen += kl;
	S->path[S->plen] = '\0';
	return m;
}

static mark path_elem(smp *S)
{
	mark m = { S->plen, S->lost };
	if (S->plen + 2 >= sizeof S->path) {
		S->lost = true;
		return m;
	}
	memcpy(S->path + S->plen, "[]", 3);
	S->plen += 2;
	return m;
}

static void path_pop(smp *S, mark m)
{
	S->plen = m.plen;
	S->lost = m.lost;
	S->path[S->plen] = '\0';
}

static const smp_field *field_here(const smp *S)
{
	if (S->lost)
		return NULL;
	for (size_t i = 0; i < S->nschema; i++)
		if (S->schema[i].path && strcmp(S->schema[i].path, S->path) == 0)
			return &S->schema[i];
	return NULL;
}

/* Whether the field's strategy list ("merge,retainKeys") holds `word`. */
static bool has_strategy(const smp_field *f, const char *word)
{
	if (!f || !f->strategy)
		return false;
	size_t wl = strlen(word);
	for (const char *p = f->strategy; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == wl && memcmp(p, word, n) == 0)
			return true;
		p += n + (e ? 1 : 0);
	}
	return false;
}

static const char *path_name(const smp *S)
{
	return S->lost ? "(unnamed field)" : S->plen ? S->path : "(root)";
}

/* ---- values ---------------------------------------------------------------------------- */

static bool has_prefix(const char *k, size_t kl, const char *prefix)
{
	size_t pl = strlen(prefix);
	return kl >= pl && memcmp(k, prefix, pl) == 0;
}

static bool is_container(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
}

/* Go's == on two interface{} values from encoding/json: absent (nil) equals absent, scalars
 * equal when of one type and value (int64 1 is not float64 1). Maps and slices never
 * compare equal (Go would panic; upstream only compares merge keys and primitives). */
static bool go_eq(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return !a && !b;
	if (is_container(a) || is_container(b))
		return false;
	return json_equal(a, b);
}

/* Deletes null members, at every depth, of a value the patch brings in whole
 * (discardNullValuesFromPatch). Returns a new reference to v. */
static json_t *strip_nulls(json_t *v)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *c, *tmp;
		json_object_foreach_safe(v, tmp, k, c)
		{
			if (json_is_null(c))
				json_object_del(v, k);
			else
				json_decref(strip_nulls(c));
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			json_decref(strip_nulls(json_array_get(v, i)));
	}
	return json_incref(v);
}

enum gkind { GK_NIL, GK_MAP, GK_SLICE, GK_STRING, GK_INT, GK_FLOAT, GK_BOOL };

static enum gkind kind_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return GK_MAP;
	case JSON_ARRAY: return GK_SLICE;
	case JSON_STRING: return GK_STRING;
	case JSON_INTEGER: return GK_INT;
	case JSON_REAL: return GK_FLOAT;
	case JSON_TRUE:
	case JSON_FALSE: return GK_BOOL;
	default: return GK_NIL;
	}
}

/* sliceElementType: every element of a and b (either may be NULL) has one Go type, and it
 * is not a list. *found is false when there are no elements at all. */
static bool element_kind(smp *S, const json_t *a, const json_t *b, enum gkind *kind, bool *found)
{
	*found = false;
	const json_t *lists[2] = { a, b };
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < json_array_size(lists[l]); i++) {
			enum gkind k = kind_of(json_array_get(lists[l], i));
			if (!*found) {
				if (k == GK_SLICE)
					return gh_fail(S->err, "Invalid", 422, ERR_NO_LIST_OF_LISTS);
				*kind = k;
				*found = true;
			} else if (k != *kind) {
				json_t *empty = json_array();
				bool r = UNKNOWN(S, "list element types are not identical: [%v %v]", a ? a : empty,
						 b ? b : empty);
				json_decref(empty);
				return r;
			}
		}
	}
	return true;
}

/* ---- element order --------------------------------------------------------------------- */

/* The position in `list` of the element whose merge key (or value, for primitives) equals
 * item's, or SIZE_MAX. */
static size_t index_in(const json_t *list, const json_t *item, const char *key)
{
	const json_t *want = key ? json_object_get(item, key) : item;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *el = json_array_get(list, i);
		if (go_eq(want, key ? json_object_get(el, key) : el))
			return i;
	}
	return SIZE_MAX;
}

typedef struct ranked {
	size_t rank, pos;
	json_t *v;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static bool check_merge_keys(smp *S, const json_t *list, const char *key)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *el = json_array_get(list, i);
		if (!json_is_object(el))
			return UNKNOWN(S, "expected a map[string]interface {}, but received a %s", go_type(el));
		if (!json_object_get(el, key))
			return no_merge_key(S, el, key);
	}
	return true;
}

static bool is_delete_element(const json_t *el)
{
	const json_t *d = json_object_get(el, DIRECTIVE);
	return json_is_string(d) && strcmp(json_string_value(d), "delete") == 0;
}

/* normalizeSliceOrder: `items` sorted (stably) by their position in `order`; for maps,
 * elements marked for deletion go last. Returns a new array. */
static json_t *sort_by(smp *S, const json_t *items, const json_t *order, const char *key)
{
	if (key && (!check_merge_keys(S, items, key) || !check_merge_keys(S, order, key)))
		return NULL;
	size_t n = json_array_size(items);
	ranked *r = calloc(n ? n : 1, sizeof *r);
	json_t *out = json_array();
	if (!r || !out) {
		free(r);
		json_decref(out);
		NO_MEMORY(S);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *el = json_array_get(items, i);
		bool last = key && is_delete_element(el);
		r[i] = (ranked){ last ? SIZE_MAX : index_in(order, el, key), i + (last ? n : 0), el };
	}
	qsort(r, n, sizeof *r, ranked_cmp);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++)
		ok = json_array_append(out, r[i].v) == 0;
	free(r);
	if (!ok) {
		json_decref(out);
		NO_MEMORY(S);
		return NULL;
	}
	return out;
}

/* normalizeElementOrder + mergeSortedSlice: patch items in `patch_order`, server-only items
 * in `server_order`, then interleaved: a server-only item goes first only when both it and
 * the next patch item are in the stored list and it came first there. So new items from
 * the patch land before the remaining stored ones, as upstream places them. */
static json_t *normalize(smp *S, const json_t *patch_items, const json_t *server_only, const json_t *patch_order,
			 const json_t *server_order, const char *key)
{
	json_t *right = sort_by(S, patch_items, patch_order, key);
	json_t *left = right ? sort_by(S, server_only, server_order, key) : NULL;
	json_t *out = left ? json_array() : NULL;
	if (!out) {
		json_decref(right);
		json_decref(left);
		if (left)
			NO_MEMORY(S);
		return NULL;
	}
	size_t i = 0, j = 0, nl = json_array_size(left), nr = json_array_size(right);
	bool ok = true;
	while (ok && (i < nl || j < nr)) {
		json_t *pick;
		if (i >= nl) {
			pick = json_array_get(right, j++);
		} else if (j >= nr) {
			pick = json_array_get(left, i++);
		} else {
			size_t li = index_in(server_order, json_array_get(left, i), key);
			size_t ri = index_in(server_order, json_array_get(right, j), key);
			if (li != SIZE_MAX && ri != SIZE_MAX && li < ri)
				pick = json_array_get(left, i++);
			else
				pick = json_array_get(right, j++);
		}
		ok = json_array_append(out, pick) == 0;
	}
	json_decref(left);
	json_decref(right);
	if (!ok) {
		json_decref(out);
		NO_MEMORY(S);
		return NULL;
	}
	return out;
}

/* Splits `merged` into the elements `by` names and the others. */
static bool partition(smp *S, const json_t *merged, const json_t *by, const char *key, json_t **in, json_t **out)
{
	*in = json_array();
	*out = json_array();
	if (!*in || !*out)
		goto oom;
	for (size_t i = 0; i < json_array_size(merged); i++) {
		json_t *el = json_array_get(merged, i);
		if (key && !json_is_object(el)) {
			UNKNOWN(S, "expected a map[string]interface {}, but received a %s", go_type(el));
			goto fail;
		}
		if (key && !json_object_get(el, key)) {
			no_merge_key(S, el, key);
			goto fail;
		}
		if (json_array_append(index_in(by, el, key) == SIZE_MAX ? *out : *in, el) != 0)
			goto oom;
	}
	return true;
oom:
	NO_MEMORY(S);
fail:
	json_decref(*in);
	json_decref(*out);
	*in = *out = NULL;
	return false;
}

/* Orders `merged` by `patch_order` then the stored list; consumes merged. */
static json_t *order_merged(smp *S, json_t *merged, const json_t *patch_order, const json_t *server_order,
			    const char *key)
{
	json_t *in, *out, *res = NULL;
	if (partition(S, merged, patch_order, key, &in, &out)) {
		res = normalize(S, in, out, patch_order, server_order, key);
		json_decref(in);
		json_decref(out);
	}
	json_decref(merged);
	return res;
}

/* ---- merging --------------------------------------------------------------------------- */

static json_t *merge_map(smp *S, json_t *orig, json_t *patch);
static json_t *merge_list_field(smp *S, json_t *orig, json_t *patch);

/* A value the stored object lacks (or holds with another type): merged into an empty
 * value, which drops nulls and applies directives instead of storing them. */
static json_t *fresh(smp *S, json_t *v)
{
	if (json_is_object(v))
		return merge_map(S, NULL, v);
	if (json_is_array(v)) {
		json_t *empty = json_array();
		json_t *r = empty ? merge_list_field(S, empty, v) : NULL;
		if (!empty)
			NO_MEMORY(S);
		json_decref(empty);
		return r;
	}
	return json_incref(v);
}

/* merge_map for a list element, with the schema path stepping into the element. */
static json_t *merge_element(smp *S, json_t *orig, json_t *patch)
{
	mark m = path_elem(S);
	json_t *r = merge_map(S, orig, patch);
	path_pop(S, m);
	return r;
}

/* $deleteFromPrimitiveList/<field>: the stored values minus the listed ones. */
static json_t *delete_from_list(smp *S, const json_t *orig, const json_t *del)
{
	enum gkind kind;
	bool found;
	if (!element_kind(S, orig, del, &kind, &found))
		return NULL;
	if (found && kind == GK_MAP) {
		BAD(S, ERR_PRIMITIVE_LIST);
		return NULL;
	}
	json_t *out = json_array();
	if (!out) {
		NO_MEMORY(S);
		return NULL;
	}
	for (size_t i = 0; i < json_array_size(orig); i++) {
		json_t *el = json_array_get(orig, i);
		if (index_in(del, el, NULL) == SIZE_MAX && json_array_append(out, el) != 0) {
			json_decref(out);
			NO_MEMORY(S);
			return NULL;
		}
	}
	return out;
}

/* A merge list of primitives: the union, patch values first in patch order. */
static json_t *merge_primitives(smp *S, json_t *orig, json_t *patch)
{
	json_t *merged = json_array();
	if (!merged) {
		NO_MEMORY(S);
		return NULL;
	}
	const json_t *lists[2] = { orig, patch };
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < json_array_size(lists[l]); i++) {
			json_t *el = json_array_get(lists[l], i);
			if (index_in(merged, el, NULL) == SIZE_MAX && json_array_append(merged, el) != 0) {
				json_decref(merged);
				NO_MEMORY(S);
				return NULL;
			}
		}
	return order_merged(S, merged, patch, orig, NULL);
}

/* mergeSliceWithSpecialElements: applies "$patch" elements to `base` (our copy of the
 * stored list) and returns the plain patch elements; *replace when one said replace. */
static json_t *special_elements(smp *S, json_t *base, json_t *patch, const char *key, bool *replace)
{
	json_t *plain = json_array();
	if (!plain) {
		NO_MEMORY(S);
		return NULL;
	}
	*replace = false;
	for (size_t i = 0; i < json_array_size(patch); i++) {
		json_t *el = json_array_get(patch, i);
		json_t *d = json_object_get(el, DIRECTIVE);
		const char *dv = json_string_value(d);
		bool ok = true;
		if (!d) {
			ok = json_array_append(plain, el) == 0 || NO_MEMORY(S);
		} else if (dv && strcmp(dv, "delete") == 0) {
			json_t *kv = json_object_get(el, key);
			if (!kv) {
				ok = no_merge_key(S, el, key);
			} else {
				for (size_t j = json_array_size(base); j-- > 0;)
					if (go_eq(json_object_get(json_array_get(base, j), key), kv))
						json_array_remove(base, j);
			}
		} else if (dv && strcmp(dv, "replace") == 0) {
			*replace = true; /* later elements are still scanned for their directives */
		} else if (dv && strcmp(dv, "merge") == 0) {
			ok = UNKNOWN(S, "merging lists cannot yet be specified in the patch");
		} else {
			ok = UNKNOWN(S, "unknown patch type: %v in map: %v", d, el);
		}
		if (!ok) {
			json_decref(plain);
			return NULL;
		}
	}
	return plain;
}

/* A merge list of maps keyed by `key`. */
static json_t *merge_keyed(smp *S, json_t *orig, json_t *patch, const char *key)
{
	bool replace;
	json_t *base = json_copy(orig);
	json_t *plain = base ? special_elements(S, base, patch, key, &replace) : NULL;
	if (!plain) {
		if (!base)
			NO_MEMORY(S);
		json_decref(base);
		return NULL;
	}
	if (replace) {
		/* The plain elements are the whole list; nothing is left to merge into it. */
		json_decref(base);
		base = json_array();
		for (size_t i = 0; base && i < json_array_size(plain); i++) {
			json_t *el = merge_element(S, NULL, json_array_get(plain, i));
			if (!el || json_array_append_new(base, el) != 0) {
				json_decref(base);
				json_decref(plain);
				return NULL;
			}
		}
		json_decref(plain);
		if (!base) {
			NO_MEMORY(S);
			return NULL;
		}
		plain = json_array();
		if (!plain) {
			json_decref(base);
			NO_MEMORY(S);
			return NULL;
		}
	}
	/* The stored order, before the patch's new elements join `merged`. */
	json_t *server = json_copy(base);
	json_t *merged = base;
	bool ok = server != NULL || NO_MEMORY(S);
	for (size_t i = 0; ok && i < json_array_size(plain); i++) {
		json_t *el = json_array_get(plain, i);
		json_t *kv = json_object_get(el, key);
		if (!kv) {
			ok = no_merge_key(S, el, key);
			break;
		}
		size_t at = index_in(merged, el, key);
		json_t *r = merge_element(S, at == SIZE_MAX ? NULL : json_array_get(merged, at), el);
		if (!r)
			ok = false;
		else if (at == SIZE_MAX)
			ok = json_array_append_new(merged, r) == 0 || NO_MEMORY(S);
		else
			ok = json_array_set_new(merged, at, r) == 0 || NO_MEMORY(S);
	}
	json_t *res = NULL;
	if (ok)
		res = order_merged(S, json_incref(merged), plain, server, key);
	json_decref(merged);
	json_decref(server);
	json_decref(plain);
	return res;
}

/* mergeSlice for a field whose strategy is merge. */
static json_t *merge_slice(smp *S, json_t *orig, json_t *patch, const char *key)
{
	size_t no = json_array_size(orig), np = json_array_size(patch);
	if (no == 0 && np == 0)
		return json_incref(orig);
	if (no > SMP_MAX_LIST || np > SMP_MAX_LIST) {
		gh_fail(S->err, "BadRequest", 400, "strategic merge patch: the list %s has %zu elements, over the limit of %u",
			path_name(S), no > np ? no : np, SMP_MAX_LIST);
		return NULL;
	}
	enum gkind kind;
	bool found;
	if (!element_kind(S, orig, patch, &kind, &found))
		return NULL;
	if (kind != GK_MAP)
		return merge_primitives(S, orig, patch);
	if (!key || !*key) {
		UNKNOWN(S, "cannot merge lists without merge key for %s", path_name(S));
		return NULL;
	}
	return merge_keyed(S, orig, patch, key);
}

/* A list field present on both sides: merged when the schema says so, else replaced. */
static json_t *merge_list_field(smp *S, json_t *orig, json_t *patch)
{
	const smp_field *f = field_here(S);
	if (!has_strategy(f, "merge"))
		return strip_nulls(patch);
	return merge_slice(S, orig, patch, f->merge_key);
}

/* handleDirectiveInMergeMap. */
static json_t *map_directive(smp *S, json_t *d, json_t *patch)
{
	const char *dv = json_string_value(d);
	if (dv && strcmp(dv, "replace") == 0) {
		json_object_del(patch, DIRECTIVE);
		return merge_map(S, NULL, patch);
	}
	if (dv && strcmp(dv, "delete") == 0) {
		json_t *empty = json_object();
		if (!empty)
			NO_MEMORY(S);
		return empty;
	}
	UNKNOWN(S, "unknown patch type: %v in map: %v", d, patch);
	return NULL;
}

static bool in_string_list(const json_t *list, const char *k, size_t kl)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *s = json_array_get(list, i);
		if (json_is_string(s) && json_string_length(s) == kl && memcmp(json_string_value(s), k, kl) == 0)
			return true;
	}
	return false;
}

/* applyRetainKeysDirective: only listed keys survive in `o`, and the patch may only set
 * listed keys. */
static bool retain_keys(smp *S, json_t *o, json_t *patch)
{
	json_t *rk = json_incref(json_object_get(patch, RETAIN_KEYS));
	if (!rk)
		return true;
	json_object_del(patch, RETAIN_KEYS);
	bool ok = json_is_array(rk) || BAD(S, ERR_RETAIN_KEYS);
	const char *k;
	size_t kl;
	json_t *v;
	if (ok) {
		json_object_keylen_foreach(patch, k, kl, v)
		{
			if (json_is_null(v) || has_prefix(k, kl, DELETE_PRIMITIVE_PREFIX) || has_prefix(k, kl, SET_ORDER_PREFIX))
				continue;
			if (!in_string_list(rk, k, kl)) {
				ok = BAD(S, ERR_RETAIN_KEYS);
				break;
			}
		}
	}
	if (ok) {
		json_t *tmp;
		json_object_keylen_foreach_safe(o, tmp, k, kl, v)
		{
			if (!in_string_list(rk, k, kl))
				json_object_deln(o, k, kl);
		}
	}
	json_decref(rk);
	return ok;
}

/* validatePatchWithSetOrderList: the patch list's elements appear in the order list, in the
 * same relative order. */
static bool merge_key_equal(smp *S, const json_t *l, const json_t *r, const char *key, bool *eq)
{
	if (!key) {
		*eq = go_eq(l, r);
		return true;
	}
	if (!json_is_object(l))
		return UNKNOWN(S, "expected a map[string]interface {}, but received a %s", go_type(l));
	if (!json_is_object(r))
		return UNKNOWN(S, "expected a map[string]interface {}, but received a %s", go_type(r));
	if (!json_object_get(l, key))
		return no_merge_key(S, l, key);
	if (!json_object_get(r, key))
		return no_merge_key(S, r, key);
	*eq = go_eq(json_object_get(l, key), json_object_get(r, key));
	return true;
}

static bool validate_order(smp *S, const json_t *patch_list, const json_t *order, const char *key)
{
	size_t np = json_array_size(patch_list), no = json_array_size(order);
	if (np == 0 || no == 0)
		return true;
	size_t pi = 0, si = 0;
	while (pi < np && si < no) {
		const json_t *el = json_array_get(patch_list, pi);
		if (key && !json_is_object(el))
			return UNKNOWN(S, "expected a map[string]interface {}, but received a %s", go_type(el));
		if (json_object_get(el, DIRECTIVE)) {
			pi++;
			continue;
		}
		bool eq = false;
		if (!merge_key_equal(S, el, json_array_get(order, si), key, &eq))
			return false;
		if (eq)
			pi++;
		si++;
	}
	/* Directive elements left over are deletions, which the order list never names. */
	while (pi < np && json_object_get(json_array_get(patch_list, pi), DIRECTIVE))
		pi++;
	if (pi < np)
		return UNKNOWN(S, "The order in patch list:\n%v\n doesn't match $setElementOrder list:\n%v\n", patch_list,
			       order);
	return true;
}

/* mergePatchIntoOriginal: each $setElementOrder/<field> merges its field and orders it. */
static bool set_one_order(smp *S, json_t *o, json_t *patch, const char *k, size_t kl, json_t *order)
{
	if (!json_is_array(order))
		return UNKNOWN(S, "expected a []interface {}, but received a %s", go_type(order));
	size_t pl = strlen(SET_ORDER_PREFIX);
	if (kl <= pl || k[pl] != '/')
		return BAD(S, ERR_SET_ORDER);
	const char *name = k + pl + 1;
	size_t nl = kl - pl - 1;
	json_t *cur = json_object_getn(o, name, nl), *pv = json_object_getn(patch, name, nl);
	if (cur && !json_is_array(cur))
		return UNKNOWN(S, "expected a []interface {}, but received a %s", go_type(cur));
	if (pv && !json_is_array(pv))
		return UNKNOWN(S, "expected a []interface {}, but received a %s", go_type(pv));
	if (!cur && !pv)
		return true;
	mark m = path_push(S, name, nl);
	const smp_field *f = field_here(S);
	const char *key = f && f->merge_key && *f->merge_key ? f->merge_key : NULL;
	json_t *merged = NULL;
	bool ok = validate_order(S, pv, order, key);
	if (ok) {
		if (!pv)
			merged = json_incref(cur);
		else
			merged = cur ? merge_list_field(S, cur, pv) : fresh(S, pv);
		ok = merged != NULL;
	}
	enum gkind kind = GK_NIL;
	bool found = false;
	ok = ok && element_kind(S, cur, pv, &kind, &found);
	if (ok && found && json_array_size(merged)) {
		if (kind == GK_MAP && !key) {
			ok = UNKNOWN(S, "cannot merge lists without merge key for %s", path_name(S));
		} else {
			json_t *empty = json_array();
			json_t *ordered = empty ? order_merged(S, json_incref(merged), order, cur ? cur : empty,
							      kind == GK_MAP ? key : NULL)
						: NULL;
			json_decref(empty);
			json_decref(merged);
			merged = ordered;
			ok = merged != NULL;
		}
	}
	path_pop(S, m);
	if (ok) {
		ok = json_object_setn_new(o, name, nl, merged) == 0 || NO_MEMORY(S);
		merged = NULL;
		json_object_deln(patch, name, nl);
	}
	json_decref(merged);
	return ok;
}

/* One key of the patch, handled in place: false with S->err set on failure. */
typedef bool (*key_fn)(smp *S, json_t *o, json_t *patch, const char *k, size_t kl);

/* Runs fn over a copy of the patch's keys, since handling a key may delete others. */
static bool for_each_key(smp *S, json_t *o, json_t *patch, key_fn fn)
{
	json_t *keys = json_array();
	const char *k;
	size_t kl;
	json_t *v;
	bool ok = keys != NULL;
	if (ok)
		json_object_keylen_foreach(patch, k, kl, v)
		{
			if (json_array_append_new(keys, json_stringn_nocheck(k, kl)) != 0) {
				ok = false;
				break;
			}
		}
	if (!ok) {
		json_decref(keys);
		return NO_MEMORY(S);
	}
	for (size_t i = 0; ok && i < json_array_size(keys); i++) {
		const json_t *key = json_array_get(keys, i);
		ok = fn(S, o, patch, json_string_value(key), json_string_length(key));
	}
	json_decref(keys);
	return ok;
}

static bool order_key(smp *S, json_t *o, json_t *patch, const char *k, size_t kl)
{
	if (!has_prefix(k, kl, SET_ORDER_PREFIX))
		return true;
	json_t *order = json_incref(json_object_getn(patch, k, kl));
	json_object_deln(patch, k, kl);
	bool ok = set_one_order(S, o, patch, k, kl, order);
	json_decref(order);
	return ok;
}

/* One step of mergeMap's main loop, over what the directives left in the patch. */
static bool merge_key(smp *S, json_t *o, json_t *patch, const char *k, size_t kl)
{
	json_t *v = json_object_getn(patch, k, kl);
	bool delete_list = false;
	if (!v)
		return true;
	if (kl && k[0] == '$') {
		size_t pl = strlen(DELETE_PRIMITIVE_PREFIX);
		if (!has_prefix(k, kl, DELETE_PRIMITIVE_PREFIX))
			return failv(S, "BadRequest", 400, "unknown patch directive: %s in map: %v", k, patch);
		if (kl <= pl || k[pl] != '/')
			return BAD(S, ERR_PRIMITIVE_LIST);
		k += pl + 1;
		kl -= pl + 1;
		delete_list = true;
	}
	if (json_is_null(v)) {
		json_object_deln(o, k, kl);
		return true;
	}
	json_t *cur = json_object_getn(o, k, kl), *res;
	/* Deleting from a list the object lacks (or holds as another type) is a no-op. */
	if (delete_list && !(json_is_array(cur) && json_is_array(v)))
		return true;
	/* Upstream's removeDirectives: a value replacing none (or one of another type) that only
	 * says "$patch: delete" is dropped rather than stored. */
	if (!delete_list && is_delete_element(v) && !json_is_object(cur)) {
		json_object_deln(o, k, kl);
		return true;
	}
	mark m = path_push(S, k, kl);
	if (delete_list)
		res = delete_from_list(S, cur, v);
	else if (json_is_object(cur) && json_is_object(v))
		res = has_strategy(field_here(S), "replace") ? fresh(S, v) : merge_map(S, cur, v);
	else if (json_is_array(cur) && json_is_array(v))
		res = merge_list_field(S, cur, v);
	else
		res = fresh(S, v);
	path_pop(S, m);
	return res && (json_object_setn_new(o, k, kl, res) == 0 || NO_MEMORY(S));
}

/* mergeMap: `orig` (our copy, may be NULL) merged with `patch` (our copy; consumed key by
 * key). Returns a new reference, or NULL with S->err set. */
static json_t *merge_map(smp *S, json_t *orig, json_t *patch)
{
	json_t *d = json_object_get(patch, DIRECTIVE);
	if (d)
		return map_directive(S, d, patch);
	json_t *o = orig ? json_incref(orig) : json_object();
	if (!o) {
		NO_MEMORY(S);
		return NULL;
	}
	if (!retain_keys(S, o, patch) || !for_each_key(S, o, patch, order_key) || !for_each_key(S, o, patch, merge_key)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

bool smp_apply_err(const json_t *doc, const json_t *patch, const smp_field *schema, size_t nschema,
		   json_t **out, gh_err *err)
{
	*out = NULL;
	if (!json_is_object(doc) || !json_is_object(patch))
		return gh_fail(err, "BadRequest", 400, "invalid JSON document");
	if (!json_patch_depth_ok(patch, JSON_PATCH_MAX_DEPTH))
		return gh_fail(err, "BadRequest", 400, "strategic merge patch: the patch nests deeper than %u levels",
			       JSON_PATCH_MAX_DEPTH);
	if (!json_patch_depth_ok(doc, JSON_PATCH_MAX_DEPTH))
		return gh_fail(err, "Invalid", 422, "strategic merge patch: the document nests deeper than %u levels",
			       JSON_PATCH_MAX_DEPTH);
	smp S = { .schema = schema, .nschema = schema ? nschema : 0, .err = err };
	/* Private copies: merging reuses and edits both, as upstream does with its maps. */
	json_t *d = json_deep_copy(doc), *p = json_deep_copy(patch);
	json_t *res = d && p ? merge_map(&S, d, p) : NULL;
	if (!d || !p)
		NO_MEMORY(&S);
	json_decref(d);
	json_decref(p);
	if (!res)
		return false;
	if (!json_is_object(res) || !json_patch_depth_ok(res, JSON_PATCH_MAX_DEPTH)) {
		json_decref(res);
		return gh_fail(err, "Invalid", 422, "strategic merge patch: the result nests deeper than %u levels",
			       JSON_PATCH_MAX_DEPTH);
	}
	*out = res;
	return true;
}

bool smp_apply(const json_t *doc, const json_t *patch, const smp_field *schema, size_t nschema, json_t **out,
	       char *problem, size_t problem_len)
{
	gh_err e = { 0 };
	if (smp_apply_err(doc, patch, schema, nschema, out, &e))
		return true;
	if (problem && problem_len)
		snprintf(problem, problem_len, "%s", e.msg);
	return false;
}
