#include "codec/url.h"

#include <stdio.h>
#include <string.h>

/* Renders up to three bytes of a bad escape so that control bytes cannot reach a log. */
static void escape_snippet(const char *p, size_t n, char out[16])
{
	size_t o = 0;
	for (size_t i = 0; i < n && i < 3; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 16 - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/* Decodes in into out; `base` is in's offset in the caller's input, for the message.
 * Runs without '%' (and '+') are copied whole: most values have none. */
static bool decode_at(gh_str in, bool plus_space, size_t base, const char *code, int status,
		      char *out, size_t *out_n, gh_err *err)
{
	size_t o = 0, i = 0;
	while (i < in.n) {
		size_t run = i;
		while (run < in.n && in.p[run] != '%' && !(plus_space && in.p[run] == '+'))
			run++;
		memcpy(out + o, in.p + i, run - i);
		o += run - i;
		i = run;
		if (i == in.n)
			break;
		if (in.p[i] == '+') {
			out[o++] = ' ';
			i++;
			continue;
		}
		int hi = i + 2 < in.n ? gh_hex_digit((unsigned char)in.p[i + 1]) : -1;
		int lo = i + 2 < in.n ? gh_hex_digit((unsigned char)in.p[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			char snip[16];
			escape_snippet(in.p + i, in.n - i, snip);
			return gh_fail(err, code, status, "invalid percent-escape \"%s\" at byte %zu", snip,
				       base + i);
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 3;
	}
	*out_n = o;
	return true;
}

bool url_decode(gh_str in, bool plus_space, char *out, size_t *out_n, gh_err *err)
{
	return decode_at(in, plus_space, 0, "InvalidEncoding", 400, out, out_n, err);
}

bool url_check_escapes(gh_str in, gh_err *err)
{
	const char *p = in.n ? memchr(in.p, '%', in.n) : NULL;
	while (p) {
		size_t i = (size_t)(p - in.p);
		if (i + 2 >= in.n || gh_hex_digit((unsigned char)in.p[i + 1]) < 0 || gh_hex_digit((unsigned char)in.p[i + 2]) < 0) {
			char snip[16];
			escape_snippet(in.p + i, in.n - i, snip);
			return gh_fail(err, "MalformedQueryString", 404, "invalid percent-escape \"%s\" at byte %zu",
				       snip, i);
		}
		p = memchr(in.p + i + 3, '%', in.n - i - 3);
	}
	return true;
}

bool url_decode_buf(gh_str in, bool plus_space, gh_buf *out, gh_err *err)
{
	if (!gh_buf_reserve(out, in.n + 1))
		return gh_fail(err, "OutOfMemory", 500, "out of memory decoding %zu bytes", in.n);
	size_t n;
	if (!url_decode(in, plus_space, out->p + out->n, &n, err))
		return false;
	out->n += n;
	out->p[out->n] = '\0';
	return true;
}

/* 1 for A-Z a-z 0-9 - . _ ~ */
const unsigned char url_unreserved_table[256] = {
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
	['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
	['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

size_t url_encode_aws(gh_str in, bool keep_slash, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (size_t i = 0; i < in.n; i++) {
		unsigned char c = (unsigned char)in.p[i];
		if (url_unreserved_table[c] || (keep_slash && c == '/')) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	return o;
}

size_t url_encoded_len_aws(gh_str in, bool keep_slash)
{
	size_t n = 0;
	for (size_t i = 0; i < in.n; i++) {
		unsigned char c = (unsigned char)in.p[i];
		n += url_is_unreserved(c) || (keep_slash && c == '/') ? 1 : 3;
	}
	return n;
}

bool url_encode_aws_buf(gh_str in, bool keep_slash, gh_buf *out)
{
	size_t need = url_encoded_len_aws(in, keep_slash);
	if (!gh_buf_reserve(out, need + 1))
		return false;
	out->n += url_encode_aws(in, keep_slash, out->p + out->n);
	out->p[out->n] = '\0';
	return true;
}

/* Bytes the query scanner must look at; every other byte is copied as is. */
enum { QC_AMP = 1, QC_SEMI = 2, QC_EQ = 4, QC_ESC = 8 };
static const unsigned char QUERY_CLASS[256] = {
	['&'] = QC_AMP, [';'] = QC_SEMI, ['='] = QC_EQ, ['%'] = QC_ESC, ['+'] = QC_ESC,
};

/* One pair as found by a single pass over its bytes. */
typedef struct pair_scan {
	size_t end;		/* offset of the '&' that ends the pair, or raw.n */
	size_t eq, semi;	/* first '=' and first ';', or end when absent */
	bool name_esc, value_esc; /* a '%' or '+' in that part: it needs decoding */
} pair_scan;

static void scan_pair(gh_str raw, size_t pos, pair_scan *ps)
{
	const unsigned char *p = (const unsigned char *)raw.p;
	size_t eq = SIZE_MAX, semi = SIZE_MAX, i = pos;
	bool name_esc = false, value_esc = false;
	for (; i < raw.n; i++) {
		unsigned char k = QUERY_CLASS[p[i]];
		if (!k)
			continue;
		if (k == QC_AMP)
			break;
		if (k == QC_EQ && eq == SIZE_MAX)
			eq = i;
		else if (k == QC_SEMI && semi == SIZE_MAX)
			semi = i;
		else if (k == QC_ESC && eq == SIZE_MAX)
			name_esc = true;
		else if (k == QC_ESC)
			value_esc = true;
	}
	ps->end = i;
	ps->eq = eq == SIZE_MAX ? i : eq;
	ps->semi = semi == SIZE_MAX ? i : semi;
	ps->name_esc = name_esc;
	ps->value_esc = value_esc;
}

/* Decodes one part into scratch; a part without '%' or '+' is copied whole. Either way
 * the decoded bytes live in scratch, as the callers were promised. */
static bool decode_part(gh_str raw, bool esc, bool plus, size_t base, char *scratch, size_t *used,
			gh_str *out, gh_err *err)
{
	char *d = scratch + *used;
	size_t n = raw.n;
	if (!esc) {
		if (n)
			memcpy(d, raw.p, n);
	} else if (!decode_at(raw, plus, base, "MalformedQueryString", 404, d, &n, err)) {
		return false;
	}
	*out = (gh_str){ d, n };
	*used += n;
	return true;
}

/* Fills p from the scanned pair at [pos, ps->end): the ';' rule first, then the name's
 * escapes, then the value's, as before the scan was a single pass. */
static bool parse_pair(gh_str raw, size_t pos, const pair_scan *ps, unsigned mode, url_param *p,
		       char *scratch, size_t *used, gh_err *err)
{
	bool plus = (mode & URL_PLUS_SPACE) != 0;
	if ((mode & URL_REJECT_SEMICOLON) && ps->semi < ps->end)
		return gh_fail(err, "MalformedQueryString", 404,
			       "invalid semicolon separator in query at byte %zu", ps->semi);
	memset(p, 0, sizeof *p);
	p->offset = pos;
	p->has_eq = ps->eq < ps->end;
	p->raw_name = (gh_str){ raw.p + pos, ps->eq - pos };
	p->raw_value = p->has_eq ? (gh_str){ raw.p + ps->eq + 1, ps->end - ps->eq - 1 }
				 : (gh_str){ raw.p + ps->end, 0 };
	return decode_part(p->raw_name, ps->name_esc, plus, pos, scratch, used, &p->name, err) &&
	       decode_part(p->raw_value, ps->value_esc, plus, ps->eq + 1, scratch, used, &p->value, err);
}

bool url_query_parse(gh_str raw, unsigned mode, url_param *out, size_t max_params, size_t *n_out,
		     char *scratch, size_t scratch_cap, gh_err *err)
{
	*n_out = 0;
	if (raw.n > URL_QUERY_MAX_BYTES)
		return gh_fail(err, "RequestTooLarge", 413,
			       "query string is %zu bytes, more than the %d allowed", raw.n,
			       URL_QUERY_MAX_BYTES);
	if (scratch_cap < raw.n)
		return gh_fail(err, "InternalError", 500, "query scratch space too small");
	size_t used = 0, n = 0, pos = 0;
	while (pos < raw.n) {
		pair_scan ps;
		scan_pair(raw, pos, &ps);
		if (ps.end > pos) {
			if (n == max_params)
				return gh_fail(err, "RequestTooLarge", 413,
					       "query string has more than %zu parameters (at byte %zu)",
					       max_params, pos);
			if (!parse_pair(raw, pos, &ps, mode, &out[n], scratch, &used, err))
				return false;
			n++;
		}
		pos = ps.end + 1;
	}
	*n_out = n;
	return true;
}

/* How many times c occurs. Whole blocks of a fixed size let the compiler use vector
 * compares (GCC does at -O2); a separator is too frequent for memchr to pay off. */
static size_t count_byte(gh_str s, char c)
{
	enum { BLOCK = 32 };
	size_t count = 0, i = 0;
	for (; s.n - i >= BLOCK; i += BLOCK) {
		unsigned char in_block = 0;
		for (int k = 0; k < BLOCK; k++)
			in_block += s.p[i + k] == c;
		count += in_block;
	}
	for (; i < s.n; i++)
		count += s.p[i] == c;
	return count;
}

bool url_query_parse_arena(gh_arena *a, gh_str raw, unsigned mode, url_query *out, gh_err *err)
{
	out->params = NULL;
	out->n = 0;
	if (raw.n > URL_QUERY_MAX_BYTES)
		return gh_fail(err, "RequestTooLarge", 413,
			       "query string is %zu bytes, more than the %d allowed", raw.n,
			       URL_QUERY_MAX_BYTES);
	size_t pairs = 1 + count_byte(raw, '&');
	if (pairs > URL_QUERY_MAX_PARAMS + 1)
		pairs = URL_QUERY_MAX_PARAMS + 1;
	url_param *params = gh_arena_alloc(a, pairs * sizeof *params);
	char *scratch = gh_arena_alloc(a, raw.n + 1);
	if (!params || !scratch)
		return gh_fail(err, "OutOfMemory", 500, "out of memory parsing a query string");
	size_t n;
	if (!url_query_parse(raw, mode, params, URL_QUERY_MAX_PARAMS, &n, scratch, raw.n + 1, err))
		return false;
	out->params = params;
	out->n = n;
	return true;
}

/* Length first: most names differ in length, and then no bytes are compared. */
static bool same(gh_str a, gh_str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static bool same_ignoring_case(gh_str a, gh_str b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++) {
		char x = a.p[i], y = b.p[i];
		x = (x >= 'A' && x <= 'Z') ? (char)(x + 32) : x;
		y = (y >= 'A' && y <= 'Z') ? (char)(y + 32) : y;
		if (x != y)
			return false;
	}
	return true;
}

const url_param *url_query_first(const url_query *q, gh_str name)
{
	for (size_t i = 0; i < q->n; i++)
		if (same(q->params[i].name, name))
			return &q->params[i];
	return NULL;
}

const url_param *url_query_ifirst(const url_query *q, gh_str name)
{
	for (size_t i = 0; i < q->n; i++)
		if (same_ignoring_case(q->params[i].name, name))
			return &q->params[i];
	return NULL;
}

size_t url_query_count(const url_query *q, gh_str name)
{
	size_t c = 0;
	for (size_t i = 0; i < q->n; i++)
		c += same(q->params[i].name, name);
	return c;
}
