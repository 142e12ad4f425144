#include "codec/jsonpatch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages quote paths and keys from the request; this keeps one within a readable size. */
#define SHOW_MAX 200
#define SHOW(s, n) (int)((n) > SHOW_MAX ? SHOW_MAX : (n)), (s)

#define BAD_REQUEST(err, ...) gh_fail((err), "BadRequest", 400, __VA_ARGS__)
#define INVALID(err, ...) gh_fail((err), "Invalid", 422, __VA_ARGS__)
#define NO_MEMORY(err) gh_fail((err), "InternalError", 500, "json patch: out of memory")

/* ---- shared helpers -------------------------------------------------------------------- */

/* Depth of v counting from `level`, or more than `limit` as soon as that is certain. */
static unsigned depth_from(const json_t *v, unsigned level, unsigned limit)
{
	if (!json_is_object(v) && !json_is_array(v))
		return level;
	unsigned best = level + 1;
	if (best > limit)
		return best;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach((json_t *)v, k, c)
		{
			unsigned d = depth_from(c, level + 1, limit);
			if (d > best)
				best = d;
			if (best > limit)
				return best;
		}
	} else {
		for (size_t i = 0; i < json_array_size(v); i++) {
			unsigned d = depth_from(json_array_get(v, i), level + 1, limit);
			if (d > best)
				best = d;
			if (best > limit)
				return best;
		}
	}
	return best;
}

bool json_patch_depth_ok(const json_t *v, unsigned max_depth)
{
	return depth_from(v, 0, max_depth) <= max_depth;
}

bool json_patch_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *k;
		size_t klen;
		json_t *v;
		json_object_keylen_foreach((json_t *)a, k, klen, v)
		{
			const json_t *w = json_object_getn(b, k, klen);
			if (!w || !json_patch_equal(v, w))
				return false;
		}
		return true;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_patch_equal(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal(a, b);
}

/* Roughly the bytes v serializes to (each node counts 8, plus its key and string bytes),
 * counting no further than cap. The trees are depth-checked, so recursion is bounded. */
static size_t value_size(const json_t *v, size_t cap)
{
	size_t n = 8;
	if (json_is_string(v)) {
		n += json_string_length(v);
	} else if (json_is_object(v)) {
		const char *k;
		size_t klen;
		json_t *c;
		json_object_keylen_foreach((json_t *)v, k, klen, c)
		{
			if (n > cap)
				break;
			n += klen + value_size(c, cap - n);
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v) && n <= cap; i++)
			n += value_size(json_array_get(v, i), cap - n);
	}
	return n;
}

static void copy_problem(const gh_err *e, char *problem, size_t problem_len)
{
	if (problem && problem_len)
		snprintf(problem, problem_len, "%s", e->msg);
}

/* ---- RFC 6901 pointers ----------------------------------------------------------------- */

typedef struct jptr {
	const char *text; /* the pointer as written, for messages */
	size_t text_len;
	char *buf;	  /* decoded tokens, each NUL-terminated */
	size_t *off, *len;
	size_t n;
} jptr;

static void jptr_free(jptr *p)
{
	free(p->buf);
	free(p->off);
	free(p->len);
	*p = (jptr){ 0 };
}

/* Decodes "/a~1b/c" into tokens "a/b", "c". `what` names the member for messages. */
static bool jptr_parse(const char *s, size_t n, const char *what, jptr *p, gh_err *err)
{
	*p = (jptr){ .text = s, .text_len = n };
	if (n > JSON_PATCH_MAX_POINTER)
		return BAD_REQUEST(err, "json patch: %s is %zu bytes, over the limit of %u", what, n,
				   JSON_PATCH_MAX_POINTER);
	if (n == 0)
		return true;
	if (s[0] != '/')
		return INVALID(err, "invalid JSON pointer \"%.*s\" in %s: it must be empty or start with '/'",
			       SHOW(s, n), what);
	size_t slashes = 0;
	for (size_t i = 0; i < n; i++)
		slashes += s[i] == '/';
	p->buf = malloc(n + 1);
	p->off = malloc(slashes * sizeof *p->off);
	p->len = malloc(slashes * sizeof *p->len);
	if (!p->buf || !p->off || !p->len) {
		jptr_free(p);
		return NO_MEMORY(err);
	}
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		/* s[i] is '/': a token follows up to the next '/'. */
		i++;
		p->off[p->n] = w;
		while (i < n && s[i] != '/') {
			char c = s[i];
			if (c == '~') {
				char e = i + 1 < n ? s[i + 1] : '\0';
				if (e != '0' && e != '1') {
					jptr_free(p);
					return INVALID(err, "invalid JSON pointer \"%.*s\" in %s: '~' must be followed by '0' or '1'",
						       SHOW(s, n), what);
				}
				c = e == '0' ? '~' : '/';
				i++;
			}
			p->buf[w++] = c;
			i++;
		}
		p->len[p->n] = w - p->off[p->n];
		p->buf[w++] = '\0';
		p->n++;
	}
	p->text = s;
	p->text_len = n;
	return true;
}

static const char *tok(const jptr *p, size_t i)
{
	return p->buf + p->off[i];
}

enum idx_kind { IDX_OK, IDX_DASH, IDX_SYNTAX, IDX_LEADING_ZERO, IDX_NEGATIVE };

/* RFC 6901 array index: "0" or digits without a leading zero; "-" is past the end. */
static enum idx_kind parse_index(const char *t, size_t n, size_t *out)
{
	if (n == 1 && t[0] == '-')
		return IDX_DASH;
	size_t start = 0;
	bool neg = n > 1 && t[0] == '-';
	if (neg)
		start = 1;
	if (n == start)
		return IDX_SYNTAX;
	for (size_t i = start; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return IDX_SYNTAX;
	if (neg)
		return IDX_NEGATIVE;
	if (n > 1 && t[0] == '0')
		return IDX_LEADING_ZERO;
	size_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (v > (SIZE_MAX - 9) / 10) {
			*out = SIZE_MAX; /* past any array */
			return IDX_OK;
		}
		v = v * 10 + (size_t)(t[i] - '0');
	}
	*out = v;
	return IDX_OK;
}

/* The container named by the first `upto` tokens, or NULL when a step is missing. Scalars
 * count as missing: nothing can be inside them. */
static json_t *walk(json_t *root, const jptr *p, size_t upto)
{
	json_t *cur = root;
	for (size_t i = 0; i < upto && cur; i++) {
		if (json_is_object(cur)) {
			cur = json_object_getn(cur, tok(p, i), p->len[i]);
		} else if (json_is_array(cur)) {
			size_t idx;
			if (parse_index(tok(p, i), p->len[i], &idx) != IDX_OK || idx >= json_array_size(cur))
				return NULL;
			cur = json_array_get(cur, idx);
		} else {
			return NULL;
		}
	}
	return (json_is_object(cur) || json_is_array(cur)) ? cur : NULL;
}

/* Why an array index is unusable, in evanphx's words (`why` gets the reason). */
static void index_problem(enum idx_kind k, const char *t, size_t n, bool for_add, char *why, size_t wl)
{
	switch (k) {
	case IDX_SYNTAX:
	case IDX_DASH:
		if (for_add)
			snprintf(why, wl, "value was not a proper array index: '%.*s': strconv.Atoi: parsing \"%.*s\": invalid syntax",
				 SHOW(t, n), SHOW(t, n));
		else
			snprintf(why, wl, "strconv.Atoi: parsing \"%.*s\": invalid syntax", SHOW(t, n));
		break;
	case IDX_LEADING_ZERO:
		snprintf(why, wl, "value was not a proper array index: '%.*s': leading zeros are not allowed", SHOW(t, n));
		break;
	default:
		snprintf(why, wl, "Unable to access invalid index: %.*s: invalid index referenced", SHOW(t, n));
		break;
	}
}

/* Puts `value` (consumed) at the last token of p inside `parent`: objects set the member,
 * arrays insert before the index or append at "-". */
static bool put_at(json_t *parent, const jptr *p, json_t *value, char *why, size_t wl)
{
	const char *t = tok(p, p->n - 1);
	size_t tl = p->len[p->n - 1];
	if (json_is_object(parent)) {
		if (json_object_setn_new(parent, t, tl, value) != 0) {
			snprintf(why, wl, "out of memory");
			return false;
		}
		return true;
	}
	size_t idx = 0;
	enum idx_kind k = parse_index(t, tl, &idx);
	if (k == IDX_DASH)
		idx = json_array_size(parent);
	else if (k != IDX_OK || idx > json_array_size(parent)) {
		index_problem(k == IDX_OK ? IDX_NEGATIVE : k, t, tl, true, why, wl);
		json_decref(value);
		return false;
	}
	if (json_array_insert_new(parent, idx, value) != 0) {
		snprintf(why, wl, "out of memory");
		return false;
	}
	return true;
}

enum find_res { FOUND, NO_KEY, BAD_INDEX };

/* The member at the last token of p inside `parent` (borrowed), or why not. */
static enum find_res find_at(json_t *parent, const jptr *p, json_t **val, size_t *index, char *why, size_t wl)
{
	const char *t = tok(p, p->n - 1);
	size_t tl = p->len[p->n - 1];
	if (json_is_object(parent)) {
		*val = json_object_getn(parent, t, tl);
		return *val ? FOUND : NO_KEY;
	}
	size_t idx = 0;
	enum idx_kind k = parse_index(t, tl, &idx);
	if (k != IDX_OK || idx >= json_array_size(parent)) {
		index_problem(k == IDX_OK ? IDX_NEGATIVE : k, t, tl, false, why, wl);
		return BAD_INDEX;
	}
	*val = json_array_get(parent, idx);
	*index = idx;
	return FOUND;
}

static void remove_at(json_t *parent, const jptr *p, size_t index)
{
	if (json_is_object(parent))
		json_object_deln(parent, tok(p, p->n - 1), p->len[p->n - 1]);
	else
		json_array_remove(parent, index);
}

/* ---- RFC 6902 -------------------------------------------------------------------------- */

typedef struct patcher {
	json_t *root; /* owned: the document being built */
	size_t copied; /* bytes copied so far, against JSON_PATCH_MAX_COPY_BYTES */
	gh_err *err;
} patcher;

enum member_state { M_OK, M_MISSING, M_NOT_STRING };

static enum member_state str_member(const json_t *op, const char *name, const char **s, size_t *n)
{
	const json_t *v = json_object_get(op, name);
	if (!v || json_is_null(v))
		return M_MISSING;
	if (!json_is_string(v))
		return M_NOT_STRING;
	*s = json_string_value(v);
	*n = json_string_length(v);
	return M_OK;
}

/* Go's name for a JSON value's kind, as encoding/json reports an unmarshal type error. */
static const char *go_json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	case JSON_NULL: return "null";
	default: return "number";
	}
}

/* Reads and parses "path" or "from". evanphx words the failure differently per operation:
 * `missing` is its text for an absent member ("" when it drops the cause). */
static bool member_ptr(patcher *P, const json_t *op, const char *name, const char *prefix,
		       const char *missing, jptr *p)
{
	const char *s = NULL;
	size_t n = 0;
	switch (str_member(op, name, &s, &n)) {
	case M_MISSING:
		return INVALID(P->err, "%s: %smissing value", prefix, missing);
	case M_NOT_STRING:
		if (!*missing)
			return INVALID(P->err, "%s: missing value", prefix);
		return INVALID(P->err, "%s: json: cannot unmarshal %s into Go value of type string", prefix,
			       go_json_kind(json_object_get(op, name)));
	default:
		return jptr_parse(s, n, name, p, P->err);
	}
}

/* The operation's "value", deep-copied so the result never shares nodes with the patch. */
static json_t *value_copy(patcher *P, const json_t *op, const char *kind)
{
	const json_t *v = json_object_get(op, "value");
	if (!v) {
		INVALID(P->err, "%s operation failed to decode value: operation, missing value field: missing value", kind);
		return NULL;
	}
	json_t *c = json_deep_copy(v);
	if (!c)
		NO_MEMORY(P->err);
	return c;
}

/* A value placed under `p` must keep the document within JSON_PATCH_MAX_DEPTH. */
static bool depth_fits(patcher *P, const jptr *p, const json_t *value)
{
	if (p->n > JSON_PATCH_MAX_DEPTH || depth_from(value, (unsigned)p->n, JSON_PATCH_MAX_DEPTH) > JSON_PATCH_MAX_DEPTH)
		return INVALID(P->err, "json patch: the document at %.*s would nest deeper than %u levels",
			       SHOW(p->text, p->text_len), JSON_PATCH_MAX_DEPTH);
	return true;
}

static void set_root(patcher *P, json_t *value)
{
	json_decref(P->root);
	P->root = value;
}

static bool op_add(patcher *P, const json_t *op)
{
	jptr p;
	if (!member_ptr(P, op, "path", "add operation failed to decode path", "", &p))
		return false;
	json_t *value = value_copy(P, op, "add");
	bool ok = value && depth_fits(P, &p, value);
	if (ok && p.n == 0) {
		set_root(P, value);
		value = NULL;
	} else if (ok) {
		json_t *parent = walk(P->root, &p, p.n - 1);
		char why[GH_ERR_MSG_MAX];
		if (!parent) {
			ok = INVALID(P->err, "add operation does not apply: doc is missing path: \"%.*s\": missing value",
				     SHOW(p.text, p.text_len));
		} else {
			json_t *v = value;
			value = NULL; /* put_at consumes it either way */
			if (!put_at(parent, &p, v, why, sizeof why))
				ok = INVALID(P->err, "error in add for path: '%.*s': %s", SHOW(p.text, p.text_len), why);
		}
	}
	json_decref(value);
	jptr_free(&p);
	return ok;
}

static bool op_remove(patcher *P, const json_t *op)
{
	jptr p;
	if (!member_ptr(P, op, "path", "remove operation failed to decode path", "", &p))
		return false;
	bool ok = true;
	json_t *parent = p.n ? walk(P->root, &p, p.n - 1) : NULL;
	char why[GH_ERR_MSG_MAX];
	json_t *val;
	size_t idx = 0;
	if (!parent) {
		ok = INVALID(P->err, "remove operation does not apply: doc is missing path: \"%.*s\": missing value",
			     SHOW(p.text, p.text_len));
	} else {
		enum find_res r = find_at(parent, &p, &val, &idx, why, sizeof why);
		if (r == NO_KEY)
			ok = INVALID(P->err, "error in remove for path: '%.*s': Unable to remove nonexistent key: %.*s: missing value",
				     SHOW(p.text, p.text_len), SHOW(tok(&p, p.n - 1), p.len[p.n - 1]));
		else if (r == BAD_INDEX)
			ok = INVALID(P->err, "error in remove for path: '%.*s': %s", SHOW(p.text, p.text_len), why);
		else
			remove_at(parent, &p, idx);
	}
	jptr_free(&p);
	return ok;
}

static bool op_replace(patcher *P, const json_t *op)
{
	jptr p;
	if (!member_ptr(P, op, "path", "replace operation failed to decode path",
			"operation missing path field: ", &p))
		return false;
	json_t *value = value_copy(P, op, "replace");
	bool ok = value && depth_fits(P, &p, value);
	if (ok && p.n == 0) {
		set_root(P, value);
		value = NULL;
	} else if (ok) {
		json_t *parent = walk(P->root, &p, p.n - 1), *old;
		size_t idx = 0;
		char why[GH_ERR_MSG_MAX];
		if (!parent)
			ok = INVALID(P->err, "replace operation does not apply: doc is missing path: %.*s: missing value",
				     SHOW(p.text, p.text_len));
		else if (find_at(parent, &p, &old, &idx, why, sizeof why) != FOUND)
			ok = INVALID(P->err, "replace operation does not apply: doc is missing key: %.*s: missing value",
				     SHOW(p.text, p.text_len));
		else {
			json_t *v = value;
			value = NULL; /* the setters consume it either way */
			if (json_is_object(parent) ? json_object_setn_new(parent, tok(&p, p.n - 1), p.len[p.n - 1], v) != 0
						   : json_array_set_new(parent, idx, v) != 0)
				ok = NO_MEMORY(P->err);
		}
	}
	json_decref(value);
	jptr_free(&p);
	return ok;
}

/* "from" must not be a proper prefix of "path" (RFC 6902 4.4): a value cannot move into
 * itself. Compared on the written pointers, token by token. */
static bool is_proper_prefix(const jptr *from, const jptr *path)
{
	if (from->n >= path->n)
		return false;
	for (size_t i = 0; i < from->n; i++)
		if (from->len[i] != path->len[i] || memcmp(tok(from, i), tok(path, i), from->len[i]) != 0)
			return false;
	return true;
}

/* Reads the source of move/copy: a borrowed node and where it sits. */
static bool source_of(patcher *P, const jptr *from, const char *kind, json_t **parent, json_t **val, size_t *idx)
{
	*parent = NULL;
	if (from->n == 0) {
		*val = P->root;
		return true;
	}
	*parent = walk(P->root, from, from->n - 1);
	if (!*parent)
		return INVALID(P->err, "%s operation does not apply: doc is missing from path: %.*s: missing value", kind,
			       SHOW(from->text, from->text_len));
	char why[GH_ERR_MSG_MAX];
	const char *key = tok(from, from->n - 1);
	size_t kl = from->len[from->n - 1];
	switch (find_at(*parent, from, val, idx, why, sizeof why)) {
	case FOUND:
		return true;
	case NO_KEY:
		/* evanphx names the key, not the path, in move's message. */
		if (strcmp(kind, "move") == 0)
			return INVALID(P->err, "error in move for path: '%.*s': Unable to remove nonexistent key: %.*s: missing value",
				       SHOW(key, kl), SHOW(key, kl));
		return INVALID(P->err, "error in copy for from: '%.*s': Unable to copy nonexistent key: %.*s: missing value",
			       SHOW(from->text, from->text_len), SHOW(key, kl));
	default:
		if (strcmp(kind, "move") == 0)
			return INVALID(P->err, "error in move for path: '%.*s': %s", SHOW(key, kl), why);
		return INVALID(P->err, "error in copy for from: '%.*s': %s", SHOW(from->text, from->text_len), why);
	}
}

/* Places `value` (consumed) at `to` for move and copy. */
static bool place(patcher *P, const jptr *to, json_t *value, const char *kind)
{
	if (!depth_fits(P, to, value)) {
		json_decref(value);
		return false;
	}
	if (to->n == 0) {
		set_root(P, value);
		return true;
	}
	json_t *parent = walk(P->root, to, to->n - 1);
	if (!parent) {
		json_decref(value);
		return INVALID(P->err, "%s operation does not apply: doc is missing destination path: %.*s: missing value",
			       kind, SHOW(to->text, to->text_len));
	}
	char why[GH_ERR_MSG_MAX];
	if (put_at(parent, to, value, why, sizeof why))
		return true;
	if (strcmp(kind, "move") == 0)
		return INVALID(P->err, "error in move for path: '%.*s': %s", SHOW(to->text, to->text_len), why);
	return INVALID(P->err, "error while adding value during copy: %s", why);
}

static bool op_move(patcher *P, const json_t *op)
{
	jptr from, to;
	if (!member_ptr(P, op, "from", "move operation failed to decode from", "operation, missing from field: ", &from))
		return false;
	if (!member_ptr(P, op, "path", "move operation failed to decode path", "operation missing path field: ", &to)) {
		jptr_free(&from);
		return false;
	}
	bool ok;
	json_t *parent, *val;
	size_t idx = 0;
	if (is_proper_prefix(&from, &to))
		ok = INVALID(P->err, "move operation does not apply: from path %.*s is a prefix of destination path %.*s",
			     SHOW(from.text, from.text_len), SHOW(to.text, to.text_len));
	else if ((ok = source_of(P, &from, "move", &parent, &val, &idx))) {
		json_incref(val);
		if (parent)
			remove_at(parent, &from, idx);
		else
			set_root(P, json_null()); /* moving the root: "to" is "" too (prefix check) */
		ok = place(P, &to, val, "move");
	}
	jptr_free(&from);
	jptr_free(&to);
	return ok;
}

static bool op_copy(patcher *P, const json_t *op)
{
	jptr from, to;
	if (!member_ptr(P, op, "from", "copy operation failed to decode from", "operation, missing from field: ", &from))
		return false;
	if (!member_ptr(P, op, "path", "copy operation failed to decode path", "", &to)) {
		jptr_free(&from);
		return false;
	}
	json_t *parent, *val;
	size_t idx = 0;
	bool ok = source_of(P, &from, "copy", &parent, &val, &idx);
	if (ok) {
		P->copied += value_size(val, JSON_PATCH_MAX_COPY_BYTES + 1);
		if (P->copied > JSON_PATCH_MAX_COPY_BYTES) {
			ok = gh_fail(P->err, "RequestEntityTooLarge", 413,
				     "Unable to complete the copy, the accumulated size increase of copy is %zu, exceeding the limit %zu",
				     P->copied, JSON_PATCH_MAX_COPY_BYTES);
		} else {
			json_t *c = json_deep_copy(val);
			ok = c ? place(P, &to, c, "copy") : NO_MEMORY(P->err);
		}
	}
	jptr_free(&from);
	jptr_free(&to);
	return ok;
}

static bool op_test(patcher *P, const json_t *op)
{
	jptr p;
	if (!member_ptr(P, op, "path", "test operation failed to decode path", "operation missing path field: ", &p))
		return false;
	const json_t *want = json_object_get(op, "value");
	bool ok = true;
	json_t *have = NULL;
	if (!want) {
		ok = INVALID(P->err, "test operation failed to decode value: operation, missing value field: missing value");
	} else if (p.n == 0) {
		have = P->root;
	} else {
		json_t *parent = walk(P->root, &p, p.n - 1);
		char why[GH_ERR_MSG_MAX];
		size_t idx;
		if (!parent) {
			ok = INVALID(P->err, "test operation does not apply: is missing path: %.*s: missing value",
				     SHOW(p.text, p.text_len));
		} else {
			enum find_res r = find_at(parent, &p, &have, &idx, why, sizeof why);
			if (r == BAD_INDEX)
				ok = INVALID(P->err, "error in test for path: '%.*s': %s", SHOW(p.text, p.text_len), why);
			else if (r == NO_KEY)
				have = NULL;
		}
	}
	if (ok && (!have || !json_patch_equal(have, want)))
		ok = INVALID(P->err, "testing value %.*s failed: test failed", SHOW(p.text, p.text_len));
	jptr_free(&p);
	return ok;
}

/* DecodePatch's checks, all before any operation runs, as kube-apiserver makes them. */
static bool check_patch_shape(const json_t *patch, gh_err *err)
{
	if (!json_is_array(patch))
		return BAD_REQUEST(err, "json: cannot unmarshal %s into Go value of type jsonpatch.Patch",
				   patch ? go_json_kind(patch) : "null");
	for (size_t i = 0; i < json_array_size(patch); i++) {
		const json_t *op = json_array_get(patch, i);
		if (!json_is_object(op) && !json_is_null(op))
			return BAD_REQUEST(err, "json: cannot unmarshal %s into Go value of type jsonpatch.Operation",
					   go_json_kind(op));
	}
	if (json_array_size(patch) > JSON_PATCH_MAX_OPS)
		return gh_fail(err, "RequestEntityTooLarge", 413,
			       "Request entity too large: The allowed maximum operations in a JSON patch is %u, got %zu",
			       JSON_PATCH_MAX_OPS, json_array_size(patch));
	if (!json_patch_depth_ok(patch, JSON_PATCH_MAX_DEPTH))
		return BAD_REQUEST(err, "json patch: the patch nests deeper than %u levels", JSON_PATCH_MAX_DEPTH);
	return true;
}

static bool check_doc(const json_t *doc, gh_err *err)
{
	if (!doc)
		return BAD_REQUEST(err, "json patch: no document to patch");
	if (!json_patch_depth_ok(doc, JSON_PATCH_MAX_DEPTH))
		return INVALID(err, "json patch: the document nests deeper than %u levels", JSON_PATCH_MAX_DEPTH);
	return true;
}

bool json_patch_apply_err(const json_t *doc, const json_t *patch, json_t **out, gh_err *err)
{
	*out = NULL;
	if (!check_patch_shape(patch, err) || !check_doc(doc, err))
		return false;
	patcher P = { .root = json_deep_copy(doc), .err = err };
	if (!P.root)
		return NO_MEMORY(err);
	bool ok = true;
	for (size_t i = 0; ok && i < json_array_size(patch); i++) {
		const json_t *op = json_array_get(patch, i);
		const json_t *k = json_object_get(op, "op");
		const char *kind = json_is_string(k) ? json_string_value(k) : "unknown";
		if (strcmp(kind, "add") == 0)
			ok = op_add(&P, op);
		else if (strcmp(kind, "remove") == 0)
			ok = op_remove(&P, op);
		else if (strcmp(kind, "replace") == 0)
			ok = op_replace(&P, op);
		else if (strcmp(kind, "move") == 0)
			ok = op_move(&P, op);
		else if (strcmp(kind, "copy") == 0)
			ok = op_copy(&P, op);
		else if (strcmp(kind, "test") == 0)
			ok = op_test(&P, op);
		else
			ok = INVALID(err, "Unexpected kind: %.*s", SHOW(kind, strlen(kind)));
	}
	if (!ok) {
		json_decref(P.root);
		return false;
	}
	*out = P.root;
	return true;
}

bool json_patch_apply(const json_t *doc, const json_t *patch, json_t **out, char *problem, size_t problem_len)
{
	gh_err e = { 0 };
	if (json_patch_apply_err(doc, patch, out, &e))
		return true;
	copy_problem(&e, problem, problem_len);
	return false;
}

/* ---- RFC 7386 -------------------------------------------------------------------------- */

/* MergePatch(target, patch) of RFC 7386 section 2; `target` (owned, may be NULL) is reused
 * in place since it is our private copy. Returns an owned node or NULL (out of memory). */
static json_t *merge_into(json_t *target, const json_t *patch)
{
	if (!json_is_object(patch)) {
		json_decref(target);
		return json_deep_copy(patch);
	}
	if (!json_is_object(target)) {
		json_decref(target);
		target = json_object();
		if (!target)
			return NULL;
	}
	const char *k;
	size_t klen;
	json_t *v;
	json_object_keylen_foreach((json_t *)patch, k, klen, v)
	{
		if (json_is_null(v)) {
			json_object_deln(target, k, klen);
			continue;
		}
		json_t *cur = json_incref(json_object_getn(target, k, klen));
		json_t *merged = merge_into(cur, v);
		if (!merged || json_object_setn_new(target, k, klen, merged) != 0) {
			json_decref(target);
			return NULL;
		}
	}
	return target;
}

bool json_merge_patch_apply_err(const json_t *doc, const json_t *patch, json_t **out, gh_err *err)
{
	*out = NULL;
	if (!patch)
		return BAD_REQUEST(err, "Invalid JSON Patch");
	if (!json_patch_depth_ok(patch, JSON_PATCH_MAX_DEPTH))
		return BAD_REQUEST(err, "json merge patch: the patch nests deeper than %u levels", JSON_PATCH_MAX_DEPTH);
	if (!check_doc(doc, err))
		return false;
	json_t *copy = json_deep_copy(doc);
	if (!copy)
		return NO_MEMORY(err);
	/* The result nests no deeper than the deeper of its inputs: no check after. */
	json_t *res = merge_into(copy, patch);
	if (!res)
		return NO_MEMORY(err);
	*out = res;
	return true;
}

bool json_merge_patch_apply(const json_t *doc, const json_t *patch, json_t **out, char *problem,
			    size_t problem_len)
{
	gh_err e = { 0 };
	if (json_merge_patch_apply_err(doc, patch, out, &e))
		return true;
	copy_problem(&e, problem, problem_len);
	return false;
}
