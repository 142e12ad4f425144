#include "domain/aws/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "codec/url.h"
#include "crypto/hash.h"

#define MSG_MISMATCH                                                                           \
	"The request signature we calculated does not match the signature you provided. Check " \
	"your AWS Secret Access Key and signing method. Consult the service documentation for " \
	"details."
#define MSG_HOST_UNSIGNED "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
#define TERMINATOR "aws4_request"

/* ---------- scratch memory: a stack region first, heap chunks only for big requests ---------- */

typedef struct sv_chunk {
	struct sv_chunk *next;
	void *pad; /* keeps the payload 16-byte aligned */
} sv_chunk;

typedef struct sv_mem {
	char *base;
	size_t cap, used;
	sv_chunk *heap;
} sv_mem;

static void *sv_alloc(sv_mem *m, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n <= m->cap - m->used) {
		void *p = m->base + m->used;
		m->used += n;
		return p;
	}
	sv_chunk *c = malloc(sizeof *c + n);
	if (!c)
		return NULL;
	c->next = m->heap;
	m->heap = c;
	return c + 1;
}

static void sv_mem_free(sv_mem *m)
{
	while (m->heap) {
		sv_chunk *next = m->heap->next;
		free(m->heap);
		m->heap = next;
	}
}

/* A growable writer over sv_mem. */
typedef struct cw {
	char *p;
	size_t n, cap;
	sv_mem *m;
	bool oom;
} cw;

static void cw_init(cw *w, sv_mem *m, size_t cap)
{
	w->m = m;
	w->n = 0;
	w->oom = false;
	w->p = sv_alloc(m, cap);
	w->cap = w->p ? cap : 0;
	w->oom = !w->p;
}

static char *cw_room(cw *w, size_t n)
{
	if (w->oom)
		return NULL;
	if (n > w->cap - w->n) {
		size_t cap = w->cap * 2;
		if (cap < w->n + n + 256)
			cap = w->n + n + 256;
		char *q = sv_alloc(w->m, cap);
		if (!q) {
			w->oom = true;
			return NULL;
		}
		memcpy(q, w->p, w->n);
		w->p = q;
		w->cap = cap;
	}
	return w->p + w->n;
}

static void cw_put(cw *w, const void *p, size_t n)
{
	if (n == 0)
		return;
	char *d = cw_room(w, n);
	if (!d)
		return;
	memcpy(d, p, n);
	w->n += n;
}

static void cw_puts(cw *w, gh_str s)
{
	cw_put(w, s.p, s.n);
}

static void cw_putc(cw *w, char c)
{
	char *d = cw_room(w, 1);
	if (d) {
		*d = c;
		w->n++;
	}
}

static void cw_lower(cw *w, gh_str s)
{
	char *d = cw_room(w, s.n);
	if (!d)
		return;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		d[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	w->n += s.n;
}

static void cw_encode(cw *w, gh_str s, bool keep_slash)
{
	char *d = cw_room(w, 3 * s.n);
	if (!d)
		return;
	w->n += url_encode_aws(s, keep_slash, d);
}

static gh_str cw_str(const cw *w)
{
	return (gh_str){ w->p, w->n };
}

/* ---------- small helpers ---------- */

/* Renders an untrusted value for a message: printable ASCII kept, the rest escaped,
 * long values cut, so a message can neither carry control bytes nor grow unbounded. */
static const char *sv_quote(gh_str s, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (o + 8 >= cap) {
			memcpy(out + o, "...", 4);
			return out;
		}
		unsigned char c = (unsigned char)s.p[i];
		if (c >= 0x20 && c < 0x7f && c != '\'')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

/* Comparisons and searches inlined here: they run per pair and per header. */
#define LIT(s) { (s), sizeof(s) - 1 }

static bool str_is(gh_str s, gh_str lit)
{
	return s.n == lit.n && (lit.n == 0 || memcmp(s.p, lit.p, lit.n) == 0);
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool same_folded(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* Inline so that the length test, which settles most comparisons, costs no call. */
static inline bool str_ieq(gh_str a, gh_str b)
{
	return a.n == b.n && same_folded(a.p, b.p, a.n);
}

/* gh_str_find, inlined: credentials, paths and header lists are a few dozen bytes,
 * too short for memchr's call to pay off. */
static inline size_t find_byte(gh_str s, char c, size_t from)
{
	for (size_t i = from; i < s.n; i++)
		if (s.p[i] == c)
			return i;
	return s.n;
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

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static gh_str trim_ws(gh_str s)
{
	while (s.n && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static const sigv4_header *find_header(const sigv4_request *req, gh_str name, size_t *count)
{
	const sigv4_header *first = NULL;
	size_t c = 0;
	for (size_t i = 0; i < req->n_headers; i++) {
		if (str_ieq(req->headers[i].name, name)) {
			if (!first)
				first = &req->headers[i];
			c++;
		}
	}
	if (count)
		*count = c;
	return first;
}

static bool is_lower_hex(gh_str s, size_t n)
{
	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

static bool check_bounds(const sigv4_request *req, gh_err *err)
{
	if (req->method.n == 0 || req->method.n > SIGV4_MAX_METHOD_BYTES)
		return gh_fail(err, "InvalidRequest", 400, "HTTP method is %zu bytes, expected 1 to %d",
			       req->method.n, SIGV4_MAX_METHOD_BYTES);
	if (req->path.n > SIGV4_MAX_PATH_BYTES)
		return gh_fail(err, "RequestTooLarge", 413,
			       "request path is %zu bytes, more than the %d allowed", req->path.n,
			       SIGV4_MAX_PATH_BYTES);
	if (req->path.n > 0 && req->path.p[0] != '/')
		return gh_fail(err, "InvalidRequest", 400, "request path must begin with '/'");
	if (req->query.n > SIGV4_MAX_QUERY_BYTES)
		return gh_fail(err, "RequestTooLarge", 413,
			       "query string is %zu bytes, more than the %d allowed", req->query.n,
			       SIGV4_MAX_QUERY_BYTES);
	if (req->n_headers > SIGV4_MAX_HEADERS)
		return gh_fail(err, "RequestTooLarge", 413,
			       "request has %zu headers, more than the %d allowed", req->n_headers,
			       SIGV4_MAX_HEADERS);
	size_t bytes = 0;
	for (size_t i = 0; i < req->n_headers; i++)
		bytes += req->headers[i].name.n + req->headers[i].value.n;
	if (bytes > SIGV4_MAX_HEADER_BYTES)
		return gh_fail(err, "RequestTooLarge", 413,
			       "request headers total %zu bytes, more than the %d allowed", bytes,
			       SIGV4_MAX_HEADER_BYTES);
	return true;
}

static bool oom(gh_err *err)
{
	return gh_fail(err, "OutOfMemory", 500, "out of memory building a canonical request");
}

/* ---------- canonical request ---------- */

/* Removes "." and empty segments and lets ".." pop, keeping a trailing slash; the
 * result always starts with '/'. */
static bool normalize_path(gh_str path, cw *out, sv_mem *m)
{
	size_t max = 1;
	for (size_t i = 0; i < path.n; i++)
		max += path.p[i] == '/';
	gh_str *seg = sv_alloc(m, max * sizeof *seg);
	if (!seg)
		return false;
	size_t n = 0, pos = 0;
	while (pos <= path.n) {
		size_t slash = find_byte(path, '/', pos);
		gh_str s = gh_str_sub(path, pos, slash - pos);
		if (s.n == 2 && s.p[0] == '.' && s.p[1] == '.') {
			if (n > 0)
				n--;
		} else if (s.n > 0 && !(s.n == 1 && s.p[0] == '.')) {
			seg[n++] = s;
		}
		pos = slash + 1;
	}
	bool trailing = path.n > 0 && path.p[path.n - 1] == '/';
	cw_putc(out, '/');
	for (size_t i = 0; i < n; i++) {
		cw_puts(out, seg[i]);
		if (i + 1 < n || trailing)
			cw_putc(out, '/');
	}
	return !out->oom;
}

static bool canon_path(const sigv4_request *req, cw *w, sv_mem *m)
{
	gh_str path = req->path.n ? req->path : GH_STR("/");
	if (!(req->flags & SIGV4_NO_NORMALIZE)) {
		cw tmp;
		cw_init(&tmp, m, path.n + 2);
		if (!normalize_path(path, &tmp, m))
			return false;
		path = cw_str(&tmp);
	}
	if (req->flags & SIGV4_NO_DOUBLE_ENCODE)
		cw_puts(w, path);
	else
		cw_encode(w, path, true);
	return !w->oom;
}

typedef struct qpair {
	gh_str k, v; /* encoded */
} qpair;

static int cmp_str(gh_str a, gh_str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	if (c)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

static int cmp_qpair(const void *x, const void *y)
{
	const qpair *a = x, *b = y;
	int c = cmp_str(a->k, b->k);
	return c ? c : cmp_str(a->v, b->v);
}

/* A signed query has about ten pairs: insertion sort spares qsort's indirect calls there.
 * Pairs that compare equal are byte-identical, so any correct sort gives the same text. */
static void sort_pairs(qpair *p, size_t n)
{
	if (n > 32) {
		qsort(p, n, sizeof *p, cmp_qpair);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		qpair x = p[i];
		size_t j = i;
		for (; j > 0 && cmp_qpair(&p[j - 1], &x) > 0; j--)
			p[j] = p[j - 1];
		p[j] = x;
	}
}

static bool upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static int upper_hex_value(char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

/* Is the '%' at s[i] an escape that encoding would write back as is: two uppercase hex
 * digits (inside n) of a byte that needs escaping? */
static bool canonical_escape(const char *s, size_t i, size_t n)
{
	if (i + 2 >= n || !upper_hex(s[i + 1]) || !upper_hex(s[i + 2]))
		return false;
	return !url_is_unreserved((unsigned char)(upper_hex_value(s[i + 1]) << 4 | upper_hex_value(s[i + 2])));
}

/* One raw pair, found in a single pass: where it ends, where its name ends, and whether
 * each part is already canonical (encode(decode(part)) == part: unreserved bytes and
 * canonical escapes only). Such a part is used in place, which spares most parameters a
 * decode and an encode. An escape's two digits are never '&' or '=', so skipping them
 * cannot hide a delimiter. */
typedef struct canon_scan {
	size_t end;		/* the pair's '&', or q.n */
	size_t eq;		/* its first '=', or end */
	bool name_ok, value_ok;
} canon_scan;

static void scan_canon_pair(gh_str q, size_t pos, canon_scan *cs)
{
	size_t i = pos, eq = SIZE_MAX;
	bool name_ok = true, value_ok = true;
	for (; i < q.n; i++) {
		unsigned char c = (unsigned char)q.p[i];
		if (url_is_unreserved(c))
			continue;
		if (c == '&')
			break;
		if (c == '=' && eq == SIZE_MAX) {
			eq = i;
		} else if (c == '%' && canonical_escape(q.p, i, q.n)) {
			i += 2;
		} else if (eq == SIZE_MAX) {
			name_ok = false;
		} else {
			value_ok = false;
		}
	}
	cs->end = i;
	cs->eq = eq == SIZE_MAX ? i : eq;
	cs->name_ok = name_ok;
	cs->value_ok = value_ok;
}

/* The canonical (decoded, then re-encoded) form of one raw name or value. */
static bool canon_part(gh_str raw, bool canonical, sv_mem *m, gh_str *out, gh_str *decoded)
{
	if (canonical) {
		*out = raw;
		if (decoded)
			*decoded = (gh_str){ NULL, 0 };
		return true;
	}
	char *d = sv_alloc(m, raw.n + 1), *e = sv_alloc(m, 3 * raw.n + 1);
	size_t dn;
	if (!d || !e || !url_decode(raw, true, d, &dn, NULL))
		return false;
	*out = (gh_str){ e, url_encode_aws((gh_str){ d, dn }, false, e) };
	if (decoded)
		*decoded = (gh_str){ d, dn };
	return true;
}

/* Is the pair named `want`? Names are compared decoded, as the parser sees them. */
static bool pair_named(gh_str raw_name, gh_str decoded, gh_str want)
{
	return str_is(decoded.p ? decoded : raw_name, want);
}

static bool canon_query(const sigv4_request *req, enum sigv4_form form, cw *w, sv_mem *m,
			gh_err *err)
{
	gh_str q = req->query;
	if (q.n == 0)
		return true;
	if (!url_check_escapes(q, err))
		return false;
	size_t max = 1 + count_byte(q, '&');
	qpair *pairs = sv_alloc(m, max * sizeof *pairs);
	if (!pairs)
		return oom(err);
	size_t np = 0, total = 0;
	for (size_t pos = 0; pos < q.n;) {
		canon_scan cs;
		scan_canon_pair(q, pos, &cs);
		gh_str raw_name = { q.p + pos, cs.eq - pos };
		gh_str raw_value = cs.eq < cs.end ? (gh_str){ q.p + cs.eq + 1, cs.end - cs.eq - 1 }
						  : (gh_str){ q.p + cs.end, 0 };
		bool empty = cs.end == pos;
		pos = cs.end + 1;
		if (empty)
			continue;
		if (++total > SIGV4_MAX_QUERY_PARAMS)
			return gh_fail(err, "RequestTooLarge", 413,
				       "query string has more than %d parameters", SIGV4_MAX_QUERY_PARAMS);
		gh_str name_dec;
		if (!canon_part(raw_name, cs.name_ok, m, &pairs[np].k, &name_dec) ||
		    !canon_part(raw_value, cs.value_ok, m, &pairs[np].v, NULL))
			return oom(err);
		if (form == SIGV4_FORM_QUERY && pair_named(raw_name, name_dec, GH_STR("X-Amz-Signature")))
			continue;
		if ((req->flags & SIGV4_UNSIGNED_TOKEN_PARAM) &&
		    pair_named(raw_name, name_dec, GH_STR("X-Amz-Security-Token")))
			continue;
		np++;
	}
	sort_pairs(pairs, np);
	for (size_t i = 0; i < np; i++) {
		if (i)
			cw_putc(w, '&');
		cw_puts(w, pairs[i].k);
		cw_putc(w, '=');
		cw_puts(w, pairs[i].v);
	}
	return !w->oom || oom(err);
}

/* Trims and folds every run of white space (line folds included) to one space. */
static void put_header_value(cw *w, gh_str v)
{
	v = trim_ws(v);
	char *d = cw_room(w, v.n);
	if (!d)
		return;
	size_t o = 0;
	bool in_space = false;
	for (size_t i = 0; i < v.n; i++) {
		if (is_space(v.p[i])) {
			if (!in_space)
				d[o++] = ' ';
			in_space = true;
		} else {
			d[o++] = v.p[i];
			in_space = false;
		}
	}
	w->n += o;
}

static void canon_headers(const sigv4_request *req, gh_str signed_headers, cw *w)
{
	size_t pos = 0;
	while (pos <= signed_headers.n) {
		size_t semi = find_byte(signed_headers, ';', pos);
		gh_str name = gh_str_sub(signed_headers, pos, semi - pos);
		pos = semi + 1;
		if (name.n == 0)
			continue;
		cw_lower(w, name);
		cw_putc(w, ':');
		bool first = true;
		for (size_t i = 0; i < req->n_headers; i++) {
			if (!str_ieq(req->headers[i].name, name))
				continue;
			if (!first)
				cw_putc(w, ',');
			put_header_value(w, req->headers[i].value);
			first = false;
		}
		cw_putc(w, '\n');
	}
}

static void put_payload_hash(const sigv4_request *req, cw *w)
{
	if (req->payload_hash.n) {
		cw_puts(w, req->payload_hash);
		return;
	}
	if (req->payload.n == 0) { /* most SigV4 requests (GET, presigned) have no body */
		cw_puts(w, GH_STR("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
		return;
	}
	char hex[65];
	gh_sha256_hex(req->payload.p, req->payload.n, hex);
	cw_put(w, hex, 64);
}

/* Writes the canonical request; q_off and q_len locate its query line (for presigning). */
static bool build_canonical(const sigv4_request *req, const sigv4_parsed *p, cw *w, sv_mem *m,
			    size_t *q_off, size_t *q_len, gh_err *err)
{
	if (!check_bounds(req, err))
		return false;
	cw_puts(w, req->method);
	cw_putc(w, '\n');
	if (!canon_path(req, w, m))
		return oom(err);
	cw_putc(w, '\n');
	size_t qo = w->n;
	if (!canon_query(req, p->form, w, m, err))
		return false;
	if (q_off) {
		*q_off = qo;
		*q_len = w->n - qo;
	}
	cw_putc(w, '\n');
	canon_headers(req, p->signed_headers, w);
	cw_putc(w, '\n');
	cw_puts(w, p->signed_headers);
	cw_putc(w, '\n');
	put_payload_hash(req, w);
	return !w->oom || oom(err);
}

static void build_string_to_sign(const sigv4_parsed *p, gh_str canonical, cw *w)
{
	char hex[65];
	gh_sha256_hex(canonical.p, canonical.n, hex);
	cw_puts(w, GH_STR(SIGV4_ALGORITHM "\n"));
	cw_puts(w, p->amz_date);
	cw_putc(w, '\n');
	cw_puts(w, p->scope);
	cw_putc(w, '\n');
	cw_put(w, hex, 64);
}

static void sign_string(const uint8_t key[SIGV4_KEY_LEN], gh_str sts, char hex[65])
{
	uint8_t mac[GH_SHA256_LEN];
	gh_hmac_sha256(key, SIGV4_KEY_LEN, sts.p, sts.n, mac);
	gh_hex_encode(mac, sizeof mac, hex);
}

#define SV_STACK 12288
#define SV_DECLARE(m)                                   \
	_Alignas(16) char m##_stack[SV_STACK];          \
	sv_mem m = { m##_stack, sizeof m##_stack, 0, NULL }

/* Canonical request then string to sign, both in m. */
static bool build_sts(const sigv4_request *req, const sigv4_parsed *p, sv_mem *m, gh_str *canonical,
		      gh_str *sts, size_t *q_off, size_t *q_len, gh_err *err)
{
	cw c, s;
	cw_init(&c, m, 1024 + req->query.n * 2);
	if (!build_canonical(req, p, &c, m, q_off, q_len, err))
		return false;
	cw_init(&s, m, 128 + p->scope.n + p->amz_date.n);
	build_string_to_sign(p, cw_str(&c), &s);
	if (s.oom)
		return oom(err);
	*canonical = cw_str(&c);
	*sts = cw_str(&s);
	return true;
}

void sigv4_signing_key(gh_str secret, gh_str yyyymmdd, gh_str region, gh_str service,
		       uint8_t out[SIGV4_KEY_LEN])
{
	uint8_t k[GH_SHA256_LEN];
	char stackbuf[256];
	size_t n = 4 + secret.n;
	char *seed = n <= sizeof stackbuf ? stackbuf : malloc(n);
	if (!seed) {
		memset(out, 0, SIGV4_KEY_LEN); /* a zero key verifies nothing real */
		return;
	}
	memcpy(seed, "AWS4", 4);
	if (secret.n)
		memcpy(seed + 4, secret.p, secret.n);
	gh_hmac_sha256(seed, n, yyyymmdd.p, yyyymmdd.n, k);
	gh_secure_zero(seed, n);
	if (seed != stackbuf)
		free(seed);
	gh_hmac_sha256(k, sizeof k, region.p, region.n, k);
	gh_hmac_sha256(k, sizeof k, service.p, service.n, k);
	gh_hmac_sha256(k, sizeof k, TERMINATOR, sizeof TERMINATOR - 1, out);
	gh_secure_zero(k, sizeof k);
}

bool sigv4_verify(const sigv4_request *req, const sigv4_parsed *p, const uint8_t key[SIGV4_KEY_LEN],
		  gh_err *err)
{
	SV_DECLARE(m);
	gh_str canonical, sts;
	bool ok = build_sts(req, p, &m, &canonical, &sts, NULL, NULL, err);
	char hex[65];
	if (ok) {
		sign_string(key, sts, hex);
		/* Both sides are 64 bytes here (sigv4_parse checked the client's), so the
		 * comparison time depends on nothing secret. */
		ok = p->signature.n == SIGV4_SIG_HEX_LEN && gh_ct_eq(hex, p->signature.p, SIGV4_SIG_HEX_LEN);
		if (!ok)
			gh_fail(err, "SignatureDoesNotMatch", 403, MSG_MISMATCH);
		gh_secure_zero(hex, sizeof hex);
	}
	sv_mem_free(&m);
	return ok;
}

bool sigv4_canonical_request(const sigv4_request *req, const sigv4_parsed *p, gh_buf *out, gh_err *err)
{
	SV_DECLARE(m);
	cw c;
	cw_init(&c, &m, 1024);
	bool ok = build_canonical(req, p, &c, &m, NULL, NULL, err);
	if (ok && !gh_buf_put(out, c.p, c.n))
		ok = oom(err);
	sv_mem_free(&m);
	return ok;
}

bool sigv4_string_to_sign(const sigv4_request *req, const sigv4_parsed *p, gh_buf *out, gh_err *err)
{
	SV_DECLARE(m);
	gh_str canonical, sts;
	bool ok = build_sts(req, p, &m, &canonical, &sts, NULL, NULL, err);
	if (ok && !gh_buf_put_str(out, sts))
		ok = oom(err);
	sv_mem_free(&m);
	return ok;
}

/* ---------- parsing ---------- */

/* Splits AKID/date/region/service/terminator. */
static bool split_credential(gh_str cred, sigv4_parsed *out, gh_err *err)
{
	gh_str part[5];
	size_t n = 0, pos = 0;
	while (pos <= cred.n && n < 6) {
		size_t slash = find_byte(cred, '/', pos);
		if (n < 5)
			part[n] = gh_str_sub(cred, pos, slash - pos);
		n++;
		pos = slash + 1;
	}
	if (n != 5 || part[0].n == 0) {
		char q[128];
		return gh_fail(err, "IncompleteSignature", 400,
			       "Credential must have exactly 5 slash-delimited elements, e.g. "
			       "keyid/date/region/service/term, got '%s'",
			       sv_quote(cred, q, sizeof q));
	}
	out->credential = cred;
	out->access_key_id = part[0];
	out->scope_date = part[1];
	out->region = part[2];
	out->service = part[3];
	out->terminator = part[4];
	out->scope = gh_str_sub(cred, part[0].n + 1, cred.n);
	return true;
}

/* AWS reports every scope problem it finds in one message. */
static bool check_terminator_and_date(const sigv4_parsed *p, gh_err *err)
{
	char msg[GH_ERR_MSG_MAX], q1[96], q2[96];
	size_t o = 0;
	msg[0] = '\0';
	if (!str_is(p->terminator, GH_STR(TERMINATOR)))
		o += (size_t)snprintf(msg + o, sizeof msg - o,
				      "Credential should be scoped with a valid terminator: '" TERMINATOR
				      "', not '%s'. ",
				      sv_quote(p->terminator, q1, sizeof q1));
	gh_str day = gh_str_sub(p->amz_date, 0, 8);
	if (o < sizeof msg && !gh_str_eq(p->scope_date, day))
		o += (size_t)snprintf(msg + o, sizeof msg - o,
				      "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
				      "version of date from HTTP: '%s' != '" GH_STR_FMT "', from '" GH_STR_FMT
				      "'. ",
				      sv_quote(p->scope_date, q2, sizeof q2), GH_STR_ARG(day),
				      GH_STR_ARG(p->amz_date));
	if (o == 0)
		return true;
	if (o < sizeof msg && msg[o - 1] == ' ')
		msg[o - 1] = '\0';
	return gh_fail(err, "SignatureDoesNotMatch", 403, "%s", msg);
}

static bool signed_headers_have_host(gh_str list)
{
	size_t pos = 0;
	while (pos <= list.n) {
		size_t semi = find_byte(list, ';', pos);
		if (str_ieq(gh_str_sub(list, pos, semi - pos), GH_STR("host")))
			return true;
		pos = semi + 1;
	}
	return false;
}

static bool parse_amz_date(gh_str s, sigv4_parsed *out, gh_err *err)
{
	if (!gh_time_parse_amzdate(s, &out->date)) {
		char q[128];
		return gh_fail(err, "IncompleteSignature", 400,
			       "Date must be in ISO-8601 'basic format'. Got '%s'. See "
			       "http://en.wikipedia.org/wiki/ISO_8601",
			       sv_quote(s, q, sizeof q));
	}
	out->amz_date = s;
	return true;
}

/* The checks common to both forms once the raw parameters are known. */
static bool finish_parse(sigv4_parsed *out, gh_err *err)
{
	if (!check_terminator_and_date(out, err))
		return false;
	if (!signed_headers_have_host(out->signed_headers))
		return gh_fail(err, "SignatureDoesNotMatch", 403, MSG_HOST_UNSIGNED);
	if (!is_lower_hex(out->signature, SIGV4_SIG_HEX_LEN))
		return gh_fail(err, "SignatureDoesNotMatch", 403, MSG_MISMATCH);
	return true;
}

static bool unsupported_algorithm(gh_str alg, gh_err *err)
{
	char q[96];
	return gh_fail(err, "IncompleteSignature", 400, "Unsupported AWS 'algorithm': '%s'.",
		       sv_quote(alg, q, sizeof q));
}

static bool parse_header_form(const sigv4_request *req, const sigv4_header *auth, gh_arena *arena,
			      sigv4_parsed *out, gh_err *err)
{
	gh_str v = trim_ws(auth->value);
	size_t sp = 0;
	while (sp < v.n && v.p[sp] != ' ' && v.p[sp] != '\t')
		sp++;
	gh_str alg = gh_str_sub(v, 0, sp);
	if (!gh_str_eq_c(alg, SIGV4_ALGORITHM))
		return unsupported_algorithm(alg, err);
	gh_str rest = trim_ws(gh_str_sub(v, sp, v.n));
	static const char *const keys[3] = { "Credential", "Signature", "SignedHeaders" };
	gh_str val[3] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	bool seen[3] = { false, false, false };
	size_t pos = 0;
	while (pos <= rest.n) {
		size_t comma = gh_str_find(rest, ',', pos);
		gh_str pair = trim_ws(gh_str_sub(rest, pos, comma - pos));
		pos = comma + 1;
		if (pair.n == 0)
			continue;
		gh_str k, val_s;
		if (!gh_str_cut(pair, '=', &k, &val_s)) {
			char q[128];
			return gh_fail(err, "IncompleteSignature", 400,
				       "'%s' not a valid key=value pair (missing equal-sign) in "
				       "Authorization header",
				       sv_quote(pair, q, sizeof q));
		}
		for (int i = 0; i < 3; i++) {
			if (!gh_str_eq_c(k, keys[i]))
				continue;
			if (seen[i])
				return gh_fail(err, "IncompleteSignature", 400,
					       "Authorization header has more than one '%s' parameter.",
					       keys[i]);
			seen[i] = true;
			val[i] = val_s;
		}
	}
	const sigv4_header *xdate = find_header(req, GH_STR("x-amz-date"), NULL);
	const sigv4_header *hdate = xdate ? NULL : find_header(req, GH_STR("date"), NULL);
	char msg[GH_ERR_MSG_MAX];
	size_t o = 0;
	for (int i = 0; i < 3; i++)
		if (val[i].n == 0)
			o += (size_t)snprintf(msg + o, sizeof msg - o,
					      "Authorization header requires '%s' parameter. ", keys[i]);
	if (!xdate && !hdate)
		o += (size_t)snprintf(msg + o, sizeof msg - o,
				      "Authorization header requires existence of either a "
				      "'X-Amz-Date' or a 'Date' header. ");
	if (o)
		return gh_fail(err, "IncompleteSignature", 400, "%sAuthorization=" SIGV4_ALGORITHM, msg);
	out->form = SIGV4_FORM_HEADER;
	out->signature = val[1];
	out->signed_headers = val[2];
	if (xdate) {
		if (!parse_amz_date(trim_ws(xdate->value), out, err))
			return false;
	} else {
		/* A Date header is RFC 1123; some clients put the basic ISO form there too. */
		int64_t t;
		if (gh_time_parse_http(trim_ws(hdate->value), &t)) {
			char buf[GH_AMZDATE_LEN + 1];
			gh_time_amzdate(t, buf);
			out->amz_date = gh_arena_str(arena, gh_str_c(buf));
			if (!out->amz_date.p)
				return oom(err);
			out->date = t;
		} else if (!parse_amz_date(trim_ws(hdate->value), out, err)) {
			return false;
		}
	}
	if (!split_credential(val[0], out, err))
		return false;
	const sigv4_header *tok = find_header(req, GH_STR("x-amz-security-token"), NULL);
	if (tok)
		out->security_token = trim_ws(tok->value);
	return finish_parse(out, err);
}

enum { QP_ALG, QP_CRED, QP_SIG, QP_SH, QP_DATE, QP_EXPIRES, QP_TOKEN, QP_N };
static const gh_str QP_NAMES[QP_N] = {
	LIT("X-Amz-Algorithm"), LIT("X-Amz-Credential"), LIT("X-Amz-Signature"), LIT("X-Amz-SignedHeaders"),
	LIT("X-Amz-Date"),	LIT("X-Amz-Expires"),	 LIT("X-Amz-Security-Token"),
};

/* Where each authentication parameter first appears and how often: one pass over the
 * pairs instead of a search (and a count) per name. */
typedef struct auth_params {
	const url_param *first[QP_N];
	size_t count[QP_N];
} auth_params;

static void find_auth_params(const url_query *q, auth_params *ap)
{
	memset(ap, 0, sizeof *ap);
	for (size_t i = 0; i < q->n; i++) {
		for (int k = 0; k < QP_N; k++) {
			if (!str_is(q->params[i].name, QP_NAMES[k]))
				continue;
			if (!ap->first[k])
				ap->first[k] = &q->params[i];
			ap->count[k]++;
			break;
		}
	}
}

static bool parse_query_form(const auth_params *ap, sigv4_parsed *out, gh_err *err)
{
	const url_param *const *qp = ap->first;
	for (int i = 0; i < QP_N; i++)
		if (ap->count[i] > 1)
			return gh_fail(err, "IncompleteSignature", 400,
				       "AWS query-string parameter '" GH_STR_FMT "' appears more than once.",
				       GH_STR_ARG(QP_NAMES[i]));
	char msg[GH_ERR_MSG_MAX];
	size_t o = 0;
	for (int i = QP_ALG; i <= QP_DATE; i++)
		if (!qp[i] || qp[i]->value.n == 0)
			o += (size_t)snprintf(msg + o, sizeof msg - o,
					      "AWS query-string parameters must include '" GH_STR_FMT "'. ",
					      GH_STR_ARG(QP_NAMES[i]));
	if (o)
		return gh_fail(err, "IncompleteSignature", 400,
			       "%sRe-examine the query-string parameters.", msg);
	if (!str_is(qp[QP_ALG]->value, GH_STR(SIGV4_ALGORITHM)))
		return unsupported_algorithm(qp[QP_ALG]->value, err);
	out->form = SIGV4_FORM_QUERY;
	out->signature = qp[QP_SIG]->value;
	out->signed_headers = qp[QP_SH]->value;
	if (!parse_amz_date(qp[QP_DATE]->value, out, err))
		return false;
	if (!split_credential(qp[QP_CRED]->value, out, err))
		return false;
	if (qp[QP_EXPIRES]) {
		out->has_expires = true;
		out->expires = qp[QP_EXPIRES]->value;
	}
	if (qp[QP_TOKEN])
		out->security_token = qp[QP_TOKEN]->value;
	return finish_parse(out, err);
}

static bool has_query_auth(const auth_params *ap)
{
	for (int i = QP_ALG; i <= QP_SH; i++)
		if (ap->first[i])
			return true;
	return false;
}

/* Everything after the query parse, shared by both entry points. */
static bool parse_from_query(const sigv4_request *req, const url_query *q, gh_arena *arena, sigv4_parsed *out,
			 gh_err *err)
{
	if (q->n > SIGV4_MAX_QUERY_PARAMS)
		return gh_fail(err, "RequestTooLarge", 413,
			       "query string has %zu parameters, more than the %d allowed", q->n,
			       SIGV4_MAX_QUERY_PARAMS);
	auth_params ap;
	find_auth_params(q, &ap);
	size_t n_auth;
	const sigv4_header *auth = find_header(req, GH_STR("authorization"), &n_auth);
	if (auth) {
		if (n_auth > 1)
			return gh_fail(err, "IncompleteSignature", 400,
				       "Request has more than one Authorization header.");
		if (ap.first[QP_ALG])
			return gh_fail(err, "IncompleteSignature", 400,
				       "Found both 'X-Amz-Algorithm' as a query-string param and "
				       "'Authorization' as HTTP header.");
		return parse_header_form(req, auth, arena, out, err);
	}
	if (has_query_auth(&ap))
		return parse_query_form(&ap, out, err);
	return gh_fail(err, "MissingAuthenticationToken", 403, "Request is missing Authentication Token");
}

bool sigv4_parse(const sigv4_request *req, gh_arena *arena, sigv4_parsed *out, gh_err *err)
{
	memset(out, 0, sizeof *out);
	if (!check_bounds(req, err))
		return false;
	url_query q;
	if (!url_query_parse_arena(arena, req->query, URL_QUERY_FORM, &q, err))
		return false;
	return parse_from_query(req, &q, arena, out, err);
}

bool sigv4_parse_with_query(const sigv4_request *req, const url_query *q, gh_arena *arena, sigv4_parsed *out,
			    gh_err *err)
{
	memset(out, 0, sizeof *out);
	if (!check_bounds(req, err))
		return false;
	return parse_from_query(req, q, arena, out, err);
}

/* ---------- time and scope ---------- */

bool sigv4_check_time(const sigv4_parsed *p, int64_t now, gh_err *err)
{
	char a[GH_AMZDATE_LEN + 1], b[GH_AMZDATE_LEN + 1];
	gh_time_amzdate(now, b);
	if (p->date > now + SIGV4_SKEW_SECONDS) {
		gh_time_amzdate(now + SIGV4_SKEW_SECONDS, a);
		return gh_fail(err, "SignatureDoesNotMatch", 403,
			       "Signature not yet current: " GH_STR_FMT
			       " is still later than %s (%s + 15 min.)",
			       GH_STR_ARG(p->amz_date), a, b);
	}
	if (p->form == SIGV4_FORM_HEADER) {
		if (p->date < now - SIGV4_SKEW_SECONDS) {
			gh_time_amzdate(now - SIGV4_SKEW_SECONDS, a);
			return gh_fail(err, "SignatureDoesNotMatch", 403,
				       "Signature expired: " GH_STR_FMT
				       " is now earlier than %s (%s - 15 min.)",
				       GH_STR_ARG(p->amz_date), a, b);
		}
		return true;
	}
	/* Query form: S3's AuthorizationQueryParametersError texts for a bad X-Amz-Expires. */
	if (!p->has_expires)
		return gh_fail(err, "AuthorizationQueryParametersError", 400,
			       "Query-string authentication version 4 requires the X-Amz-Algorithm, "
			       "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
			       "and X-Amz-Expires parameters.");
	int64_t exp;
	if (!gh_str_to_i64(p->expires, &exp))
		return gh_fail(err, "AuthorizationQueryParametersError", 400,
			       "X-Amz-Expires should be a number");
	if (exp < 0)
		return gh_fail(err, "AuthorizationQueryParametersError", 400,
			       "X-Amz-Expires must be non-negative");
	if (exp == 0)
		return gh_fail(err, "AuthorizationQueryParametersError", 400,
			       "X-Amz-Expires must be at least 1 second");
	if (exp > SIGV4_MAX_EXPIRES)
		return gh_fail(err, "AuthorizationQueryParametersError", 400,
			       "X-Amz-Expires must be less than a week (in seconds) that is 604800");
	if (now > p->date + exp) {
		gh_time_amzdate(p->date + exp, a);
		return gh_fail(err, "AccessDenied", 403,
			       "Request has expired (X-Amz-Date " GH_STR_FMT " + X-Amz-Expires %lld s "
			       "ended at %s; server time is %s)",
			       GH_STR_ARG(p->amz_date), (long long)exp, a, b);
	}
	return true;
}

bool sigv4_check_scope(const sigv4_parsed *p, gh_str region, gh_str service, gh_err *err)
{
	char msg[GH_ERR_MSG_MAX], q[96], s[96];
	size_t o = 0;
	msg[0] = '\0';
	if (!gh_str_eq(p->region, region))
		o += (size_t)snprintf(msg + o, sizeof msg - o,
				      "Credential should be scoped to a valid region, not '%s'. ",
				      sv_quote(p->region, q, sizeof q));
	if (o < sizeof msg && !gh_str_eq(p->service, service))
		o += (size_t)snprintf(msg + o, sizeof msg - o,
				      "Credential should be scoped to correct service: '%s'. ",
				      sv_quote(service, s, sizeof s));
	if (o == 0)
		return check_terminator_and_date(p, err);
	if (o < sizeof msg && msg[o - 1] == ' ')
		msg[o - 1] = '\0';
	return gh_fail(err, "SignatureDoesNotMatch", 403, "%s", msg);
}

/* ---------- signing ---------- */

static bool is_token(gh_str s)
{
	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && !(c && strchr("!#$%&'*+-.^_`|~", c)))
			return false;
	}
	return true;
}

static bool skip_when_signing(gh_str name)
{
	static const char *const skip[] = { "authorization", "user-agent", "x-amzn-trace-id", "expect",
					    "x-amz-date", "x-amz-security-token", "x-amz-content-sha256" };
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (gh_str_ieq_c(name, skip[i]))
			return true;
	return false;
}

static int cmp_lower_name(const void *x, const void *y)
{
	const gh_str *a = x, *b = y;
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		unsigned char ca = (unsigned char)a->p[i], cb = (unsigned char)b->p[i];
		ca = (ca >= 'A' && ca <= 'Z') ? (unsigned char)(ca + 32) : ca;
		cb = (cb >= 'A' && cb <= 'Z') ? (unsigned char)(cb + 32) : cb;
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return a->n < b->n ? -1 : a->n > b->n;
}

/* The lowercase, sorted, de-duplicated ';' list of the given header names. */
static gh_str signed_list(const sigv4_header *h, size_t n, sv_mem *m)
{
	gh_str *names = sv_alloc(m, (n + 1) * sizeof *names);
	cw w;
	cw_init(&w, m, 256);
	if (!names)
		return (gh_str){ NULL, 0 };
	for (size_t i = 0; i < n; i++)
		names[i] = h[i].name;
	qsort(names, n, sizeof *names, cmp_lower_name);
	for (size_t i = 0; i < n; i++) {
		if (i && cmp_lower_name(&names[i - 1], &names[i]) == 0)
			continue;
		if (w.n)
			cw_putc(&w, ';');
		cw_lower(&w, names[i]);
	}
	return w.oom ? (gh_str){ NULL, 0 } : cw_str(&w);
}

typedef struct sign_ctx {
	sigv4_request req;
	sigv4_parsed p;
	sigv4_header *headers;
	size_t n;
	char date[GH_AMZDATE_LEN + 1];
	char content[65];
	gh_str scope;
} sign_ctx;

/* Copies the request's signable headers, adds the ones signing introduces, and fills a
 * sigv4_parsed as the verifier would see it. */
static bool sign_prepare(const sigv4_request *req, const sigv4_sign_params *sp, bool header_form,
			 sign_ctx *c, sv_mem *m, gh_err *err)
{
	if (!check_bounds(req, err))
		return false;
	memset(c, 0, sizeof *c);
	c->req = *req;
	c->headers = sv_alloc(m, (req->n_headers + 3) * sizeof *c->headers);
	if (!c->headers)
		return oom(err);
	for (size_t i = 0; i < req->n_headers; i++) {
		gh_str name = req->headers[i].name;
		if (skip_when_signing(name))
			continue;
		/* A name outside RFC 9110's token characters cannot travel in SignedHeaders. */
		if (!is_token(name)) {
			char q[96];
			return gh_fail(err, "InvalidRequest", 400, "header name '%s' is not an HTTP token",
				       sv_quote(name, q, sizeof q));
		}
		c->headers[c->n++] = req->headers[i];
	}
	gh_time_amzdate(sp->time, c->date);
	if (header_form) {
		c->headers[c->n++] = (sigv4_header){ GH_STR("X-Amz-Date"), gh_str_c(c->date) };
		if (sp->session_token.n && !sp->omit_session_token)
			c->headers[c->n++] = (sigv4_header){ GH_STR("X-Amz-Security-Token"), sp->session_token };
		if (sp->sign_content_sha256) {
			/* The header carries exactly what the payload line of the canonical request will. */
			gh_str ph = req->payload_hash;
			if (ph.n >= sizeof c->content)
				return gh_fail(err, "InvalidRequest", 400, "payload hash is %zu bytes, more than 64", ph.n);
			if (ph.n)
				memcpy(c->content, ph.p, ph.n);
			else
				gh_sha256_hex(req->payload.p ? req->payload.p : "", req->payload.n, c->content);
			gh_str cv = ph.n ? (gh_str){ c->content, ph.n } : (gh_str){ c->content, 64 };
			c->headers[c->n++] = (sigv4_header){ GH_STR("x-amz-content-sha256"), cv };
		}
	}
	c->req.headers = c->headers;
	c->req.n_headers = c->n;
	cw sc;
	cw_init(&sc, m, 64 + sp->region.n + sp->service.n);
	char day[9];
	gh_time_yyyymmdd(sp->time, day);
	cw_puts(&sc, gh_str_c(day));
	cw_putc(&sc, '/');
	cw_puts(&sc, sp->region);
	cw_putc(&sc, '/');
	cw_puts(&sc, sp->service);
	cw_puts(&sc, GH_STR("/" TERMINATOR));
	c->p.form = header_form ? SIGV4_FORM_HEADER : SIGV4_FORM_QUERY;
	c->p.scope = cw_str(&sc);
	c->p.amz_date = gh_str_c(c->date);
	c->p.date = sp->time;
	c->p.signed_headers = signed_list(c->headers, c->n, m);
	if (sc.oom || !c->p.signed_headers.p)
		return oom(err);
	return true;
}

static void signature_for(const sign_ctx *c, const sigv4_sign_params *sp, gh_str sts, char hex[65])
{
	uint8_t key[SIGV4_KEY_LEN];
	gh_str day = gh_str_sub(c->p.scope, 0, 8);
	sigv4_signing_key(sp->secret_access_key, day, sp->region, sp->service, key);
	sign_string(key, sts, hex);
	gh_secure_zero(key, sizeof key);
}

bool sigv4_sign_headers(const sigv4_request *req, const sigv4_sign_params *sp, sigv4_signed *out,
			gh_err *err)
{
	memset(out, 0, sizeof *out);
	SV_DECLARE(m);
	sign_ctx c;
	gh_str canonical, sts;
	bool ok = sign_prepare(req, sp, true, &c, &m, err) &&
		  build_sts(&c.req, &c.p, &m, &canonical, &sts, NULL, NULL, err);
	if (ok) {
		signature_for(&c, sp, sts, out->signature);
		memcpy(out->amz_date, c.date, sizeof out->amz_date);
		memcpy(out->content_sha256, c.content, sizeof out->content_sha256);
		/* Pieces, not printf: "%.*s" would stop at a NUL inside a header name. */
		gh_buf *a = &out->authorization;
		gh_buf_puts(a, SIGV4_ALGORITHM " Credential=");
		gh_buf_put_str(a, sp->access_key_id);
		gh_buf_putc(a, '/');
		gh_buf_put_str(a, c.p.scope);
		gh_buf_puts(a, ", SignedHeaders=");
		gh_buf_put_str(a, c.p.signed_headers);
		gh_buf_puts(a, ", Signature=");
		gh_buf_puts(a, out->signature);
		gh_buf_put_str(&out->signed_headers, c.p.signed_headers);
		if (out->authorization.oom || out->signed_headers.oom) {
			sigv4_signed_free(out);
			ok = oom(err);
		}
	}
	sv_mem_free(&m);
	return ok;
}

void sigv4_signed_free(sigv4_signed *s)
{
	gh_buf_free(&s->authorization);
	gh_buf_free(&s->signed_headers);
}

static void put_param(cw *w, const char *name, gh_str value)
{
	if (w->n)
		cw_putc(w, '&');
	cw_puts(w, gh_str_c(name));
	cw_putc(w, '=');
	cw_encode(w, value, false);
}

bool sigv4_presign_url(const sigv4_request *req, gh_str base, const sigv4_sign_params *sp,
		       gh_buf *url, char *signature_out, gh_err *err)
{
	SV_DECLARE(m);
	sign_ctx c;
	bool ok = sign_prepare(req, sp, false, &c, &m, err);
	if (!ok) {
		sv_mem_free(&m);
		return false;
	}
	cw q;
	cw_init(&q, &m, req->query.n + 512 + sp->session_token.n * 3);
	cw_puts(&q, req->query);
	put_param(&q, "X-Amz-Algorithm", GH_STR(SIGV4_ALGORITHM));
	cw cred;
	cw_init(&cred, &m, 128);
	cw_puts(&cred, sp->access_key_id);
	cw_putc(&cred, '/');
	cw_puts(&cred, c.p.scope);
	put_param(&q, "X-Amz-Credential", cw_str(&cred));
	put_param(&q, "X-Amz-Date", c.p.amz_date);
	char exp[24];
	if (sp->expires > 0) {
		snprintf(exp, sizeof exp, "%lld", (long long)sp->expires);
		put_param(&q, "X-Amz-Expires", gh_str_c(exp));
	}
	if (sp->session_token.n && !sp->omit_session_token)
		put_param(&q, "X-Amz-Security-Token", sp->session_token);
	put_param(&q, "X-Amz-SignedHeaders", c.p.signed_headers);
	c.req.query = cw_str(&q);
	gh_str canonical, sts;
	size_t q_off = 0, q_len = 0;
	char sig[65];
	ok = !q.oom && !cred.oom;
	if (!ok)
		oom(err);
	ok = ok && build_sts(&c.req, &c.p, &m, &canonical, &sts, &q_off, &q_len, err);
	if (ok) {
		signature_for(&c, sp, sts, sig);
		gh_buf_put_str(url, base);
		gh_buf_put_str(url, req->path.n ? req->path : GH_STR("/"));
		gh_buf_putc(url, '?');
		gh_buf_put(url, canonical.p + q_off, q_len);
		if (sp->session_token.n && sp->omit_session_token) {
			cw t;
			cw_init(&t, &m, sp->session_token.n * 3 + 32);
			put_param(&t, "X-Amz-Security-Token", sp->session_token);
			gh_buf_putc(url, '&');
			gh_buf_put(url, t.p, t.n);
		}
		gh_buf_printf(url, "&X-Amz-Signature=%s", sig);
		if (signature_out)
			memcpy(signature_out, sig, 65);
		if (url->oom)
			ok = oom(err);
	}
	sv_mem_free(&m);
	return ok;
}
