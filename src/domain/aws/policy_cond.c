/* policy_cond: condition operators, policy variables and wildcard matching.
 *
 * Semantics follow the IAM condition-operator reference: a key absent from the request
 * makes a positive operator false and a negated one (StringNotEquals, NotIpAddress, ...)
 * true; ...IfExists makes an absent key true; ForAllValues is true on an absent key and
 * ForAnyValue false; Null tests presence. Several policy values for one key are ORed (a
 * negated operator is the NOR). Whatever cannot be compared is T_UNKNOWN. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "domain/aws/policy_internal.h"

tri tri_not(tri a)
{
	return a == T_UNKNOWN ? T_UNKNOWN : a == T_TRUE ? T_FALSE : T_TRUE;
}

tri tri_or(tri a, tri b)
{
	if (a == T_TRUE || b == T_TRUE)
		return T_TRUE;
	return (a == T_UNKNOWN || b == T_UNKNOWN) ? T_UNKNOWN : T_FALSE;
}

tri tri_and(tri a, tri b)
{
	if (a == T_FALSE || b == T_FALSE)
		return T_FALSE;
	return (a == T_UNKNOWN || b == T_UNKNOWN) ? T_UNKNOWN : T_TRUE;
}

/* ---- operators ------------------------------------------------------------------ */

static const cond_op ops[] = {
	{ "StringEquals", FAM_STRING, CMP_EQ, false },
	{ "StringNotEquals", FAM_STRING, CMP_EQ, true },
	{ "StringEqualsIgnoreCase", FAM_STRING, CMP_IEQ, false },
	{ "StringNotEqualsIgnoreCase", FAM_STRING, CMP_IEQ, true },
	{ "StringLike", FAM_STRING, CMP_LIKE, false },
	{ "StringNotLike", FAM_STRING, CMP_LIKE, true },
	{ "NumericEquals", FAM_NUMERIC, CMP_EQ, false },
	{ "NumericNotEquals", FAM_NUMERIC, CMP_EQ, true },
	{ "NumericLessThan", FAM_NUMERIC, CMP_LT, false },
	{ "NumericLessThanEquals", FAM_NUMERIC, CMP_LE, false },
	{ "NumericGreaterThan", FAM_NUMERIC, CMP_GT, false },
	{ "NumericGreaterThanEquals", FAM_NUMERIC, CMP_GE, false },
	{ "DateEquals", FAM_DATE, CMP_EQ, false },
	{ "DateNotEquals", FAM_DATE, CMP_EQ, true },
	{ "DateLessThan", FAM_DATE, CMP_LT, false },
	{ "DateLessThanEquals", FAM_DATE, CMP_LE, false },
	{ "DateGreaterThan", FAM_DATE, CMP_GT, false },
	{ "DateGreaterThanEquals", FAM_DATE, CMP_GE, false },
	{ "Bool", FAM_BOOL, CMP_EQ, false },
	{ "BinaryEquals", FAM_BINARY, CMP_EQ, false },
	{ "IpAddress", FAM_IP, CMP_EQ, false },
	{ "NotIpAddress", FAM_IP, CMP_EQ, true },
	{ "ArnEquals", FAM_ARN, CMP_LIKE, false },
	{ "ArnLike", FAM_ARN, CMP_LIKE, false },
	{ "ArnNotEquals", FAM_ARN, CMP_LIKE, true },
	{ "ArnNotLike", FAM_ARN, CMP_LIKE, true },
	{ "Null", FAM_NULL, CMP_EQ, false },
};

static bool strip_prefix_ci(gh_str *s, const char *prefix)
{
	gh_str p = gh_str_c(prefix);
	if (s->n < p.n || !gh_str_ieq(gh_str_sub(*s, 0, p.n), p))
		return false;
	*s = gh_str_sub(*s, p.n, s->n - p.n);
	return true;
}

static bool strip_suffix_ci(gh_str *s, const char *suffix)
{
	gh_str x = gh_str_c(suffix);
	if (s->n < x.n || !gh_str_ieq(gh_str_sub(*s, s->n - x.n, x.n), x))
		return false;
	s->n -= x.n;
	return true;
}

/* Operator names are matched case-insensitively: accepting "stringequals" costs nothing,
 * while rejecting a spelling IAM takes would break policies that work on AWS. Null takes
 * neither IfExists nor a set prefix (its whole point is presence). */
bool cond_op_lookup(gh_str written, const cond_op **op, cond_set *set, bool *if_exists)
{
	gh_str s = written;
	*set = strip_prefix_ci(&s, "ForAnyValue:") ? SET_ANY
	       : strip_prefix_ci(&s, "ForAllValues:") ? SET_ALL
							: SET_NONE;
	*if_exists = strip_suffix_ci(&s, "IfExists");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!gh_str_ieq_c(s, ops[i].name))
			continue;
		if (ops[i].family == FAM_NULL && (*if_exists || *set != SET_NONE))
			return false;
		*op = &ops[i];
		return true;
	}
	return false;
}

const policy_ctx_key *ctx_find(const policy_request *r, gh_str name)
{
	for (size_t i = 0; i < r->nctx; i++)
		if (gh_str_ieq(r->ctx[i].name, name))
			return &r->ctx[i];
	return NULL;
}

/* ---- policy variables ------------------------------------------------------------ */

/* A pattern after variable substitution: wildcards come only from the policy's own
 * text, never from substituted request values or ${*}, ${?}, ${$}. */
typedef struct pat {
	const char *c;
	const uint8_t *w; /* per-char wildcard flags; NULL: derived from c when `wild` */
	size_t n;
	bool wild;
} pat;

static bool pat_is_wild(const pat *p, size_t i)
{
	if (p->w)
		return p->w[i] != 0;
	return p->wild && (p->c[i] == '*' || p->c[i] == '?');
}

static pat pat_sub(const pat *p, size_t off, size_t len)
{
	pat s = *p;
	s.c += off;
	if (s.w)
		s.w += off;
	s.n = len;
	return s;
}

typedef struct seg {
	gh_str text;
	bool literal; /* the policy's own text: wildcards stay wildcards */
	bool failed;
	gh_str var;   /* the ${...} text, for messages */
} seg;

static size_t find_dollar_brace(gh_str v, size_t from)
{
	for (size_t i = from; i + 1 < v.n; i++)
		if (v.p[i] == '$' && v.p[i + 1] == '{')
			return i;
	return v.n;
}

static void resolve_var(const eval_env *env, gh_str inner, seg *s)
{
	gh_str t = gh_str_trim(inner);
	s->literal = false;
	if (t.n == 1 && (t.p[0] == '*' || t.p[0] == '?' || t.p[0] == '$')) {
		s->text = t;
		return;
	}
	gh_str name = t, def = { "", 0 };
	bool has_default = false;
	gh_str head, tail;
	if (gh_str_cut(t, ',', &head, &tail)) {
		name = gh_str_trim(head);
		tail = gh_str_trim(tail);
		if (tail.n < 2 || tail.p[0] != '\'' || tail.p[tail.n - 1] != '\'') {
			s->failed = true;
			return;
		}
		def = gh_str_sub(tail, 1, tail.n - 2);
		has_default = true;
	}
	const policy_ctx_key *k = ctx_find(env->req, name);
	if (k && k->n == 1)
		s->text = k->values[0];
	else if ((!k || k->n == 0) && has_default)
		s->text = def;
	else
		s->failed = true; /* absent without default, or multivalued */
}

static bool seg_next(const eval_env *env, gh_str v, size_t *i, seg *s)
{
	if (*i >= v.n)
		return false;
	*s = (seg){ .literal = true };
	size_t start = *i, d = find_dollar_brace(v, start);
	size_t close = d < v.n ? gh_str_find(v, '}', d + 2) : v.n;
	if (d > start || close == v.n) {
		/* Plain text, or a "${" never closed, which IAM leaves as text. */
		size_t end = (d > start) ? d : v.n;
		s->text = gh_str_sub(v, start, end - start);
		*i = end;
		return true;
	}
	s->var = gh_str_sub(v, d, close + 1 - d);
	resolve_var(env, gh_str_sub(v, d + 2, close - d - 2), s);
	*i = close + 1;
	return true;
}

static void set_why(char *why, size_t whylen, const char *fmt, gh_str a)
{
	if (why && whylen)
		snprintf(why, whylen, fmt, GH_STR_ARG(a));
}

static tri expand(eval_env *env, gh_str v, bool wild, pat *out, char *why, size_t whylen)
{
	*out = (pat){ v.p, NULL, v.n, wild };
	if (!env->variables || find_dollar_brace(v, 0) == v.n)
		return T_TRUE;
	size_t total = 0, i = 0;
	seg s;
	while (seg_next(env, v, &i, &s)) {
		if (s.failed) {
			set_why(why, whylen, "policy variable " GH_STR_FMT
				" has no single value in the request", s.var);
			return T_UNKNOWN;
		}
		total += s.text.n;
	}
	char *c = gh_arena_alloc(env->a, total + 1);
	uint8_t *w = gh_arena_alloc(env->a, total + 1);
	if (!c || !w) {
		env->oom = true;
		return T_UNKNOWN;
	}
	size_t at = 0;
	i = 0;
	while (seg_next(env, v, &i, &s)) {
		for (size_t k = 0; k < s.text.n; k++) {
			char ch = s.text.p[k];
			c[at] = ch;
			w[at++] = s.literal && wild && (ch == '*' || ch == '?');
		}
	}
	*out = (pat){ c, w, total, wild };
	return T_TRUE;
}

/* ---- wildcard matching ----------------------------------------------------------- */

static char fold(char c, bool ignore_case)
{
	return (ignore_case && c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* '?' is one character, so it eats a whole UTF-8 sequence. */
static size_t skip_char(gh_str s, size_t i)
{
	i++;
	while (i < s.n && ((unsigned char)s.p[i] & 0xC0) == 0x80)
		i++;
	return i;
}

/* The classic single-backtrack glob: linear in practice, O(n*m) at worst, and both n
 * and m are bounded by the document and request sizes. */
static bool glob(const pat *p, gh_str s, bool ignore_case)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < s.n) {
		if (pi < p->n && pat_is_wild(p, pi) && p->c[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < p->n && pat_is_wild(p, pi) && p->c[pi] == '?') {
			pi++;
			si = skip_char(s, si);
		} else if (pi < p->n && fold(p->c[pi], ignore_case) == fold(s.p[si], ignore_case)) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < p->n && pat_is_wild(p, pi) && p->c[pi] == '*')
		pi++;
	return pi == p->n;
}

bool glob_plain(gh_str pattern, gh_str subject, bool ignore_case)
{
	pat p = { pattern.p, NULL, pattern.n, true };
	return glob(&p, subject, ignore_case);
}

tri match_like(eval_env *env, gh_str pattern, gh_str subject, bool ignore_case,
	       char *why, size_t whylen)
{
	pat p;
	tri t = expand(env, pattern, true, &p, why, whylen);
	if (t != T_TRUE)
		return t;
	return glob(&p, subject, ignore_case) ? T_TRUE : T_FALSE;
}

/* Offsets of the five section separators of an ARN-shaped text, or false. */
static bool arn_cuts(const char *c, size_t n, size_t cut[5])
{
	if (n < 4 || memcmp(c, "arn:", 4) != 0)
		return false;
	cut[0] = 3;
	size_t k = 1;
	for (size_t i = 4; i < n && k < 5; i++)
		if (c[i] == ':')
			cut[k++] = i;
	return k == 5;
}

/* ArnEquals and ArnLike are the same operator on AWS: each of the six sections is
 * matched on its own, with * and ? confined to the section. */
tri match_arn(eval_env *env, gh_str pattern, gh_str subject, char *why, size_t whylen)
{
	pat p;
	tri t = expand(env, pattern, true, &p, why, whylen);
	if (t != T_TRUE)
		return t;
	if (p.n == 1 && pat_is_wild(&p, 0) && p.c[0] == '*')
		return T_TRUE;
	size_t pc[5], sc[5];
	if (!arn_cuts(p.c, p.n, pc)) {
		if (why && whylen)
			snprintf(why, whylen, "policy value \"%.*s\" is not an ARN",
				 (int)(p.n > 200 ? 200 : p.n), p.c);
		return T_UNKNOWN;
	}
	if (!arn_cuts(subject.p, subject.n, sc))
		return T_FALSE;
	size_t pstart = 0, sstart = 0;
	for (int k = 0; k <= 5; k++) {
		size_t pend = k < 5 ? pc[k] : p.n, send = k < 5 ? sc[k] : subject.n;
		pat ps = pat_sub(&p, pstart, pend - pstart);
		if (!glob(&ps, gh_str_sub(subject, sstart, send - sstart), false))
			return T_FALSE;
		pstart = pend + 1;
		sstart = send + 1;
	}
	return T_TRUE;
}

/* ---- value parsers --------------------------------------------------------------- */

static bool parse_number(gh_str s, double *out)
{
	char buf[64];
	size_t i = 0, digits = 0;
	if (s.n == 0 || s.n >= sizeof buf)
		return false;
	if (s.p[0] == '-')
		i++;
	for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++)
		digits++;
	if (i < s.n && s.p[i] == '.') {
		size_t frac = 0;
		for (i++; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++)
			frac++;
		if (frac == 0)
			return false;
	}
	if (i != s.n || digits == 0)
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

/* Epoch seconds, a bare date (midnight UTC) or ISO 8601 with a zone. */
static bool parse_date(gh_str s, int64_t *t)
{
	if (gh_str_to_i64(s, t))
		return true;
	if (s.n == 10 && s.p[4] == '-' && s.p[7] == '-') {
		char buf[32];
		snprintf(buf, sizeof buf, "%.10sT00:00:00Z", s.p);
		return gh_time_parse_iso8601(gh_str_c(buf), t);
	}
	return gh_time_parse_iso8601(s, t);
}

static bool parse_bool(gh_str s, bool *b)
{
	if (gh_str_ieq_c(s, "true"))
		*b = true;
	else if (gh_str_ieq_c(s, "false"))
		*b = false;
	else
		return false;
	return true;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard alphabet; '=' padding optional but only at the end. */
static bool b64_decode(eval_env *env, gh_str s, uint8_t **out, size_t *outn)
{
	while (s.n && s.p[s.n - 1] == '=')
		s.n--;
	if (s.n % 4 == 1)
		return false;
	uint8_t *o = gh_arena_alloc(env->a, s.n * 3 / 4 + 1);
	if (!o) {
		env->oom = true;
		return false;
	}
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < s.n; i++) {
		int v = b64_val(s.p[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (uint8_t)(acc >> bits);
		}
	}
	*out = o;
	*outn = n;
	return true;
}

typedef struct ipnet {
	int family; /* 4 or 6 */
	uint8_t addr[16];
	int prefix;
} ipnet;

static bool parse_ip(gh_str s, bool allow_prefix, ipnet *net)
{
	char buf[64];
	if (s.n == 0 || s.n >= sizeof buf || memchr(s.p, '\0', s.n))
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	char *slash = strchr(buf, '/');
	if (slash && !allow_prefix)
		return false;
	if (slash)
		*slash = '\0';
	net->family = strchr(buf, ':') ? 6 : 4;
	int max = net->family == 4 ? 32 : 128;
	if (inet_pton(net->family == 4 ? AF_INET : AF_INET6, buf, net->addr) != 1)
		return false;
	net->prefix = max;
	if (slash) {
		int64_t p;
		gh_str ps = gh_str_c(slash + 1);
		if (ps.n == 0 || ps.n > 3 || ps.p[0] == '-' || !gh_str_to_i64(ps, &p) || p > max)
			return false;
		net->prefix = (int)p;
	}
	return true;
}

static bool ip_in(const ipnet *net, const ipnet *ip)
{
	if (net->family != ip->family)
		return false;
	int full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr, ip->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xFF << (8 - rest));
	return (net->addr[full] & mask) == (ip->addr[full] & mask);
}

/* ---- one comparison -------------------------------------------------------------- */

static tri cmp_order(cond_cmp cmp, int order)
{
	switch (cmp) {
	case CMP_LT:
		return order < 0 ? T_TRUE : T_FALSE;
	case CMP_LE:
		return order <= 0 ? T_TRUE : T_FALSE;
	case CMP_GT:
		return order > 0 ? T_TRUE : T_FALSE;
	case CMP_GE:
		return order >= 0 ? T_TRUE : T_FALSE;
	default:
		return order == 0 ? T_TRUE : T_FALSE;
	}
}

static tri unknown_value(char *why, size_t whylen, const char *side, gh_str v, const char *what)
{
	if (why && whylen)
		snprintf(why, whylen, "%s value \"%.*s\" is not %s", side,
			 (int)(v.n > 160 ? 160 : v.n), v.p, what);
	return T_UNKNOWN;
}

static tri compare_string(eval_env *env, cond_cmp cmp, gh_str pv, gh_str cv, char *why,
			  size_t whylen)
{
	pat p;
	tri t = expand(env, pv, cmp == CMP_LIKE, &p, why, whylen);
	if (t != T_TRUE)
		return t;
	return glob(&p, cv, cmp == CMP_IEQ) ? T_TRUE : T_FALSE;
}

static tri compare_numeric(cond_cmp cmp, gh_str pv, gh_str cv, char *why, size_t whylen)
{
	double a, b;
	if (!parse_number(pv, &b))
		return unknown_value(why, whylen, "policy", pv, "a number");
	if (!parse_number(cv, &a))
		return unknown_value(why, whylen, "request", cv, "a number");
	return cmp_order(cmp, a < b ? -1 : a > b ? 1 : 0);
}

static tri compare_date(cond_cmp cmp, gh_str pv, gh_str cv, char *why, size_t whylen)
{
	int64_t a, b;
	if (!parse_date(pv, &b))
		return unknown_value(why, whylen, "policy", pv, "a date");
	if (!parse_date(cv, &a))
		return unknown_value(why, whylen, "request", cv, "a date");
	return cmp_order(cmp, a < b ? -1 : a > b ? 1 : 0);
}

static tri compare_bool(eval_env *env, gh_str pv, gh_str cv, char *why, size_t whylen)
{
	pat p;
	tri t = expand(env, pv, false, &p, why, whylen);
	if (t != T_TRUE)
		return t;
	gh_str pe = { p.c, p.n };
	bool a, b;
	if (!parse_bool(pe, &b))
		return unknown_value(why, whylen, "policy", pe, "true or false");
	if (!parse_bool(cv, &a))
		return unknown_value(why, whylen, "request", cv, "true or false");
	return a == b ? T_TRUE : T_FALSE;
}

static tri compare_binary(eval_env *env, gh_str pv, gh_str cv, char *why, size_t whylen)
{
	uint8_t *a, *b;
	size_t an, bn;
	if (!b64_decode(env, pv, &b, &bn))
		return unknown_value(why, whylen, "policy", pv, "base64");
	if (!b64_decode(env, cv, &a, &an))
		return unknown_value(why, whylen, "request", cv, "base64");
	return (an == bn && memcmp(a, b, an) == 0) ? T_TRUE : T_FALSE;
}

static tri compare_ip(gh_str pv, gh_str cv, char *why, size_t whylen)
{
	ipnet net, ip;
	if (!parse_ip(pv, true, &net))
		return unknown_value(why, whylen, "policy", pv, "an IP address or CIDR block");
	if (!parse_ip(cv, false, &ip))
		return unknown_value(why, whylen, "request", cv, "an IP address");
	return ip_in(&net, &ip) ? T_TRUE : T_FALSE;
}

/* The positive form of the operator for one request value and one policy value. */
static tri compare_one(eval_env *env, const cond_op *op, gh_str pv, gh_str cv, char *why,
		       size_t whylen)
{
	switch (op->family) {
	case FAM_STRING:
		return compare_string(env, op->cmp, pv, cv, why, whylen);
	case FAM_NUMERIC:
		return compare_numeric(op->cmp, pv, cv, why, whylen);
	case FAM_DATE:
		return compare_date(op->cmp, pv, cv, why, whylen);
	case FAM_BOOL:
		return compare_bool(env, pv, cv, why, whylen);
	case FAM_BINARY:
		return compare_binary(env, pv, cv, why, whylen);
	case FAM_IP:
		return compare_ip(pv, cv, why, whylen);
	case FAM_ARN:
		return match_arn(env, pv, cv, why, whylen);
	case FAM_NULL:
		break;
	}
	return T_UNKNOWN;
}

/* One request value against all the policy values: OR, then NOT for negated operators. */
static tri match_value(eval_env *env, const pol_cond *c, gh_str cv, char *why, size_t whylen)
{
	tri r = T_FALSE;
	for (size_t i = 0; i < c->n && r != T_TRUE; i++) {
		char sub[200] = "";
		tri t = compare_one(env, c->op, c->values[i], cv, sub, sizeof sub);
		if (t == T_UNKNOWN && r != T_UNKNOWN && why && whylen)
			snprintf(why, whylen, "%s", sub);
		r = tri_or(r, t);
	}
	return c->op->negated ? tri_not(r) : r;
}

static tri eval_null(const pol_cond *c, bool present, char *why, size_t whylen)
{
	tri r = T_FALSE;
	for (size_t i = 0; i < c->n; i++) {
		bool b;
		if (!parse_bool(c->values[i], &b)) {
			unknown_value(why, whylen, "policy", c->values[i], "true or false");
			r = tri_or(r, T_UNKNOWN);
		} else {
			r = tri_or(r, b == !present ? T_TRUE : T_FALSE);
		}
	}
	if (r == T_FALSE && why && whylen)
		snprintf(why, whylen, "the key is %s in the request", present ? "present" : "absent");
	return r;
}

static tri eval_absent(const pol_cond *c, char *why, size_t whylen)
{
	bool t = c->set == SET_ALL || c->if_exists || (c->set == SET_NONE && c->op->negated);
	if (!t && why && whylen)
		snprintf(why, whylen, "the key is absent from the request");
	return t ? T_TRUE : T_FALSE;
}

/* The key is present: one value (no set operator), any value, or every value. */
static tri eval_present(eval_env *env, const pol_cond *c, const policy_ctx_key *k, char *why,
			size_t whylen)
{
	char why_unknown[200] = "", why_false[200] = "";
	tri r = c->set == SET_ALL ? T_TRUE : T_FALSE;
	size_t n = c->set == SET_NONE ? 1 : k->n;
	for (size_t i = 0; i < n; i++) {
		char vwhy[200] = "";
		tri t = match_value(env, c, k->values[i], vwhy, sizeof vwhy);
		if (t == T_UNKNOWN && why_unknown[0] == '\0')
			snprintf(why_unknown, sizeof why_unknown, "%s", vwhy);
		if (t == T_FALSE && why_false[0] == '\0')
			snprintf(why_false, sizeof why_false, "request value \"%.*s\" does not satisfy it",
				 (int)(k->values[i].n > 120 ? 120 : k->values[i].n), k->values[i].p);
		r = c->set == SET_ALL ? tri_and(r, t) : tri_or(r, t);
	}
	if (r == T_UNKNOWN)
		snprintf(why, whylen, "%s", why_unknown);
	else if (r == T_FALSE && c->set == SET_ANY)
		snprintf(why, whylen, "no request value satisfies it");
	else if (r == T_FALSE)
		snprintf(why, whylen, "%s", why_false);
	return r;
}

tri cond_eval(eval_env *env, const pol_cond *c, char *why, size_t whylen)
{
	const policy_ctx_key *k = ctx_find(env->req, c->key);
	bool present = k && k->n > 0;
	char sub[240] = "";
	tri r;
	if (c->op->family == FAM_NULL)
		r = eval_null(c, present, sub, sizeof sub);
	else if (!present)
		r = eval_absent(c, sub, sizeof sub);
	else if (c->set == SET_NONE && k->n > 1) {
		/* IAM leaves this undefined; undetermined is the only safe answer. */
		snprintf(sub, sizeof sub,
			 "the key has %zu values in the request; use ForAnyValue: or ForAllValues:",
			 k->n);
		r = T_UNKNOWN;
	} else {
		r = eval_present(env, c, k, sub, sizeof sub);
	}
	if (r != T_TRUE && why && whylen)
		snprintf(why, whylen, "%.*s on \"%.*s\": %s", (int)c->opname.n, c->opname.p,
			 (int)(c->key.n > 100 ? 100 : c->key.n), c->key.p, sub);
	return r;
}
