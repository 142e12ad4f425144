#include "domain/k8s/rbac_util.h"

#include <stdio.h>

static inline uint64_t mum(uint64_t a, uint64_t b)
{
	__extension__ typedef unsigned __int128 u128;
	u128 r = (u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* In the manner of wyhash: 16 bytes per 64x64->128 multiply, overlapping reads for the
 * tail, the length folded in at the end. */
uint64_t rbac_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t a, b, h = seed ^ 0xa0761d6478bd642fULL;
	if (n <= 16) {
		if (n >= 8) {
			a = rd64(s);
			b = rd64(s + n - 8);
		} else if (n >= 4) {
			a = rd32(s);
			b = rd32(s + n - 4);
		} else if (n) {
			a = ((uint64_t)s[0] << 16) | ((uint64_t)s[n >> 1] << 8) | s[n - 1];
			b = 0;
		} else {
			a = b = 0;
		}
	} else {
		size_t i = n;
		while (i > 16) {
			h = mum(rd64(s) ^ 0xe7037ed1a0b428dbULL, rd64(s + 8) ^ h);
			s += 16;
			i -= 16;
		}
		a = rd64(s + i - 16);
		b = rd64(s + i - 8);
	}
	h = mum(a ^ 0xe7037ed1a0b428dbULL, b ^ h);
	h = mum(h ^ 0x8ebc6af09c88c6e3ULL, (uint64_t)n ^ 0x589965cc75374cc3ULL);
	return h ? h : 1;
}

int rbac_strcmp(gh_str a, gh_str b)
{
	size_t m = a.n < b.n ? a.n : b.n;
	int c = m ? memcmp(a.p, b.p, m) : 0;
	if (c)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

/* ---- Go quoting ----------------------------------------------------------------------- */

/* One UTF-8 rune at s[0..n), strict like Go's utf8.DecodeRune (no overlongs, no
 * surrogates, at most U+10FFFF). Returns its length, or 0 when s[0] starts no valid rune. */
static size_t utf8_rune(const unsigned char *s, size_t n, uint32_t *r)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*r = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*r = v;
	return len;
}

/* The non-printing runes of unicode.IsPrint outside the unassigned ones. */
static bool rune_printable(uint32_t r)
{
	if (r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0xa0) || r == 0xad)
		return false;
	if (r == 0x61c || r == 0x1680 || r == 0x180e || (r >= 0x2000 && r <= 0x200f) ||
	    (r >= 0x2028 && r <= 0x202f) || (r >= 0x205f && r <= 0x206f) || r == 0x3000 ||
	    r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb) || (r >= 0xe000 && r <= 0xf8ff) ||
	    (r & 0xfffe) == 0xfffe || (r >= 0xfdd0 && r <= 0xfdef) || r >= 0xf0000)
		return false;
	return true;
}

void rbac_go_quote(gh_buf *b, gh_str s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	gh_buf_putc(b, '"');
	for (size_t i = 0; i < s.n;) {
		uint32_t r;
		size_t len = utf8_rune(p + i, s.n - i, &r);
		if (len == 0) {
			gh_buf_printf(b, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (r == '"' || r == '\\') {
			gh_buf_putc(b, '\\');
			gh_buf_putc(b, (char)r);
		} else if (rune_printable(r)) {
			gh_buf_put(b, p + i, len);
		} else {
			switch (r) {
			case '\a': gh_buf_puts(b, "\\a"); break;
			case '\b': gh_buf_puts(b, "\\b"); break;
			case '\f': gh_buf_puts(b, "\\f"); break;
			case '\n': gh_buf_puts(b, "\\n"); break;
			case '\r': gh_buf_puts(b, "\\r"); break;
			case '\t': gh_buf_puts(b, "\\t"); break;
			case '\v': gh_buf_puts(b, "\\v"); break;
			default:
				if (r < 0x20 || r == 0x7f)
					gh_buf_printf(b, "\\x%02x", (unsigned)r);
				else if (r < 0x10000)
					gh_buf_printf(b, "\\u%04x", (unsigned)r);
				else
					gh_buf_printf(b, "\\U%08x", (unsigned)r);
			}
		}
		i += len;
	}
	gh_buf_putc(b, '"');
}

void rbac_go_quote_list(gh_buf *b, const gh_str *v, size_t n)
{
	gh_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			gh_buf_putc(b, ' ');
		rbac_go_quote(b, v[i]);
	}
	gh_buf_putc(b, ']');
}

/* ---- label syntax ----------------------------------------------------------------------- */

static void why_add(gh_buf *why, const char *prefix, const char *msg)
{
	if (!why)
		return;
	if (why->n)
		gh_buf_putc(why, '\n');
	gh_buf_puts(why, prefix);
	gh_buf_puts(why, msg);
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool qname_syntax(gh_str s)
{
	if (s.n == 0 || !is_alnum(s.p[0]) || !is_alnum(s.p[s.n - 1]))
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!is_alnum(s.p[i]) && s.p[i] != '-' && s.p[i] != '_' && s.p[i] != '.')
			return false;
	return true;
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static bool dns_label_syntax(gh_str s)
{
	if (s.n == 0 || !lower_alnum(s.p[0]) || !lower_alnum(s.p[s.n - 1]))
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!lower_alnum(s.p[i]) && s.p[i] != '-')
			return false;
	return true;
}

static bool dns_subdomain_syntax(gh_str s)
{
	size_t start = 0;
	for (size_t i = 0; i <= s.n; i++) {
		if (i == s.n || s.p[i] == '.') {
			if (!dns_label_syntax(gh_str_sub(s, start, i - start)))
				return false;
			start = i + 1;
		}
	}
	return true;
}

#define QNAME_MSG                                                                                  \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
	"alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "      \
	"validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define SUBDOMAIN_MSG                                                                               \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " \
	"'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used " \
	"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define LABEL_MSG                                                                                  \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and " \
	"must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "  \
	"used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

bool rbac_check_dns_subdomain(gh_str s, gh_buf *why)
{
	bool ok = true;
	if (s.n > 253)
		why_add(why, "", "must be no more than 253 characters"), ok = false;
	if (!dns_subdomain_syntax(s))
		why_add(why, "", SUBDOMAIN_MSG), ok = false;
	return ok;
}

bool rbac_check_dns_label(gh_str s, gh_buf *why)
{
	bool ok = true;
	if (s.n > 63)
		why_add(why, "", "must be no more than 63 characters"), ok = false;
	if (!dns_label_syntax(s))
		why_add(why, "", LABEL_MSG), ok = false;
	return ok;
}

bool rbac_check_qualified_name(gh_str s, gh_buf *why)
{
	gh_str name = s;
	bool ok = true;
	size_t slash = gh_str_find(s, '/', 0);
	if (slash < s.n) {
		if (gh_str_find(s, '/', slash + 1) < s.n) {
			why_add(why, "a qualified name ", QNAME_MSG " with an optional DNS subdomain prefix "
							   "and '/' (e.g. 'example.com/MyName')");
			return false;
		}
		gh_str prefix = gh_str_sub(s, 0, slash);
		name = gh_str_sub(s, slash + 1, s.n);
		if (prefix.n == 0) {
			why_add(why, "prefix part ", "must be non-empty"), ok = false;
		} else {
			if (prefix.n > 253)
				why_add(why, "prefix part ", "must be no more than 253 characters"), ok = false;
			if (!dns_subdomain_syntax(prefix))
				why_add(why, "prefix part ", SUBDOMAIN_MSG), ok = false;
		}
	}
	if (name.n == 0)
		why_add(why, "name part ", "must be non-empty"), ok = false;
	else if (name.n > 63)
		why_add(why, "name part ", "must be no more than 63 characters"), ok = false;
	if (!qname_syntax(name))
		why_add(why, "name part ", QNAME_MSG), ok = false;
	return ok;
}

bool rbac_check_label_value(gh_str s, gh_buf *why)
{
	bool ok = true;
	if (s.n > 63)
		why_add(why, "", "must be no more than 63 characters"), ok = false;
	if (s.n && !qname_syntax(s))
		why_add(why, "",
			"a valid label must be an empty string or consist of alphanumeric characters, "
			"'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
			"'MyValue',  or 'my_value',  or '12345', regex used for validation is "
			"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
			ok = false;
	return ok;
}

bool rbac_check_path_segment(gh_str s, gh_buf *why)
{
	if (gh_str_eq_c(s, ".")) {
		why_add(why, "", "may not be '.'");
		return false;
	}
	if (gh_str_eq_c(s, "..")) {
		why_add(why, "", "may not be '..'");
		return false;
	}
	bool ok = true;
	if (gh_str_find(s, '/', 0) < s.n)
		why_add(why, "", "may not contain '/'"), ok = false;
	if (gh_str_find(s, '%', 0) < s.n)
		why_add(why, "", "may not contain '%'"), ok = false;
	return ok;
}

/* ---- label selectors -------------------------------------------------------------------- */

enum { OP_IN, OP_NOT_IN, OP_EXISTS, OP_DOES_NOT_EXIST, OP_BAD };

static int op_of(gh_str op)
{
	if (gh_str_eq_c(op, "In"))
		return OP_IN;
	if (gh_str_eq_c(op, "NotIn"))
		return OP_NOT_IN;
	if (gh_str_eq_c(op, "Exists"))
		return OP_EXISTS;
	if (gh_str_eq_c(op, "DoesNotExist"))
		return OP_DOES_NOT_EXIST;
	return OP_BAD;
}

static bool requirement_valid(gh_str key, const gh_str *vals, size_t n, gh_buf *why)
{
	gh_buf w = { 0 };
	bool ok = rbac_check_qualified_name(key, &w);
	for (size_t i = 0; ok && i < n; i++)
		ok = rbac_check_label_value(vals[i], &w);
	if (!ok && why)
		gh_buf_put_str(why, gh_buf_str(&w));
	gh_buf_free(&w);
	return ok;
}

bool rbac_selector_valid(const rbac_selector *s, gh_buf *why)
{
	for (size_t i = 0; i < s->nmatch_labels; i++)
		if (!requirement_valid(s->match_labels[i].key, &s->match_labels[i].value, 1, why))
			return false;
	for (size_t i = 0; i < s->nexprs; i++) {
		const rbac_sel_expr *e = &s->exprs[i];
		int op = op_of(e->op);
		if (op == OP_BAD) {
			if (why) {
				rbac_go_quote(why, e->op);
				gh_buf_puts(why, " is not a valid label selector operator");
			}
			return false;
		}
		if ((op == OP_IN || op == OP_NOT_IN) && e->values.n == 0) {
			if (why)
				gh_buf_puts(why, "for 'in', 'notin' operators, values set can't be empty");
			return false;
		}
		if ((op == OP_EXISTS || op == OP_DOES_NOT_EXIST) && e->values.n != 0) {
			if (why)
				gh_buf_puts(why, "values set must be empty for exists and does not exist");
			return false;
		}
		if (!requirement_valid(e->key, e->values.v, e->values.n, why))
			return false;
	}
	return true;
}

static const gh_str *label_get(const rbac_label *l, size_t n, gh_str key)
{
	/* Duplicated keys cannot come from a map; if a builder adds them, the last wins. */
	const gh_str *v = NULL;
	for (size_t i = 0; i < n; i++)
		if (rbac_eq(l[i].key, key))
			v = &l[i].value;
	return v;
}

bool rbac_selector_matches(const rbac_selector *s, const rbac_label *labels, size_t n)
{
	for (size_t i = 0; i < s->nmatch_labels; i++) {
		const gh_str *v = label_get(labels, n, s->match_labels[i].key);
		if (!v || !rbac_eq(*v, s->match_labels[i].value))
			return false;
	}
	for (size_t i = 0; i < s->nexprs; i++) {
		const rbac_sel_expr *e = &s->exprs[i];
		const gh_str *v = label_get(labels, n, e->key);
		bool in = false;
		for (size_t j = 0; v && j < e->values.n && !in; j++)
			in = rbac_eq(*v, e->values.v[j]);
		switch (op_of(e->op)) {
		case OP_IN:
			if (!in)
				return false;
			break;
		case OP_NOT_IN:
			if (in)
				return false;
			break;
		case OP_EXISTS:
			if (!v)
				return false;
			break;
		case OP_DOES_NOT_EXIST:
			if (v)
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}
