/* Fuzzes SigV4 on an arbitrary raw HTTP request: parse, canonicalize, string to sign,
 * clock and scope checks, verification against a fixed key. Then it signs the request
 * itself (header form and presigned form) and requires that what it signed verifies,
 * whenever the request leaves room for that (no auth headers or parameters of its own).
 * Invariants: no crash, no leak, sign-then-verify always holds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "codec/url.h"
#include "domain/aws/sigv4.h"

#define MAX_HDR 40
#define T0 1440938160

typedef struct raw {
	sigv4_header h[MAX_HDR + 4];
	size_t n;
	sigv4_request req;
} raw;

static void parse_raw(const char *t, size_t len, raw *r)
{
	memset(r, 0, sizeof *r);
	size_t e = 0;
	while (e < len && t[e] != '\n')
		e++;
	size_t sp1 = 0, sp2 = e;
	while (sp1 < e && t[sp1] != ' ')
		sp1++;
	while (sp2 > sp1 && t[sp2 - 1] != ' ')
		sp2--;
	r->req.method = (gh_str){ t, sp1 };
	gh_str target = sp2 > sp1 + 1 ? (gh_str){ t + sp1 + 1, sp2 - sp1 - 2 } : (gh_str){ t + sp1, 0 };
	gh_str path, query;
	if (gh_str_cut(target, '?', &path, &query)) {
		r->req.path = path;
		r->req.query = query;
	} else {
		r->req.path = target;
	}
	size_t pos = e + 1;
	while (pos < len) {
		size_t le = pos;
		while (le < len && t[le] != '\n')
			le++;
		if (le == pos) {
			pos++;
			break;
		}
		if ((t[pos] == ' ' || t[pos] == '\t') && r->n) {
			r->h[r->n - 1].value.n = (size_t)(t + le - r->h[r->n - 1].value.p);
		} else if (r->n < MAX_HDR) {
			const char *c = memchr(t + pos, ':', le - pos);
			if (c) {
				r->h[r->n].name = (gh_str){ t + pos, (size_t)(c - t - pos) };
				r->h[r->n].value = (gh_str){ c + 1, (size_t)(t + le - c - 1) };
				r->n++;
			}
		}
		pos = le + 1;
	}
	r->req.headers = r->h;
	r->req.n_headers = r->n;
	if (pos < len)
		r->req.payload = (gh_str){ t + pos, len - pos };
}

static bool has_header(const raw *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (gh_str_ieq_c(r->h[i].name, name))
			return true;
	return false;
}

static sigv4_sign_params params(bool token)
{
	sigv4_sign_params sp = { 0 };
	sp.access_key_id = GH_STR("AKIDEXAMPLE");
	sp.secret_access_key = GH_STR("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	sp.session_token = token ? GH_STR("tok/en+") : (gh_str){ NULL, 0 };
	sp.region = GH_STR("us-east-1");
	sp.service = GH_STR("service");
	sp.time = T0;
	sp.expires = 300;
	sp.sign_content_sha256 = token;
	return sp;
}

/* True when it verifies or is refused only for its size (signing added bytes). */
static bool verifies(const sigv4_request *req, const sigv4_sign_params *sp)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	sigv4_parsed p;
	gh_err e = { 0 };
	bool ok = sigv4_parse(req, &a, &p, &e) && sigv4_check_time(&p, T0, &e) &&
		  sigv4_check_scope(&p, sp->region, sp->service, &e);
	if (ok) {
		uint8_t key[SIGV4_KEY_LEN];
		sigv4_signing_key(sp->secret_access_key, p.scope_date, p.region, p.service, key);
		ok = sigv4_verify(req, &p, key, &e);
	}
	gh_arena_free(&a);
	return ok || (e.code && strcmp(e.code, "RequestTooLarge") == 0);
}

static void sign_and_verify(raw *r, bool token)
{
	static const char *own[] = { "authorization", "x-amz-date", "date", "x-amz-security-token",
				     "x-amz-content-sha256" };
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (has_header(r, own[i]))
			return;
	if (!has_header(r, "host"))
		return;
	gh_buf dq = { 0 };
	bool clean = url_decode_buf(r->req.query, true, &dq, NULL) && !memmem(dq.p ? dq.p : "", dq.n, "X-Amz-", 6);
	gh_buf_free(&dq);
	if (!clean)
		return;
	sigv4_sign_params sp = params(token);

	/* Header form. */
	sigv4_signed s;
	if (sigv4_sign_headers(&r->req, &sp, &s, NULL)) {
		raw v = *r;
		v.req.headers = v.h;
		v.h[v.n++] = (sigv4_header){ GH_STR("X-Amz-Date"), gh_str_c(s.amz_date) };
		if (token) {
			v.h[v.n++] = (sigv4_header){ GH_STR("X-Amz-Security-Token"), sp.session_token };
			v.h[v.n++] = (sigv4_header){ GH_STR("x-amz-content-sha256"), gh_str_c(s.content_sha256) };
		}
		v.h[v.n++] = (sigv4_header){ GH_STR("Authorization"), gh_buf_str(&s.authorization) };
		v.req.n_headers = v.n;
		if (v.n <= SIGV4_MAX_HEADERS && !verifies(&v.req, &sp))
			abort();
		sigv4_signed_free(&s);
	}

	/* Presigned form. */
	gh_buf url = { 0 };
	if (sigv4_presign_url(&r->req, GH_STR("https://h"), &sp, &url, NULL, NULL)) {
		const char *qm = memchr(url.p, '?', url.n);
		if (!qm)
			abort();
		raw v = *r;
		v.req.headers = v.h;
		v.req.query = (gh_str){ qm + 1, (size_t)(url.p + url.n - qm - 1) };
		if (v.req.query.n <= SIGV4_MAX_QUERY_BYTES && !verifies(&v.req, &sp))
			abort();
	}
	gh_buf_free(&url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	raw r;
	parse_raw((const char *)data + 1, size - 1, &r);
	r.req.flags = data[0] & 7;

	gh_arena a;
	gh_arena_init(&a, 0);
	sigv4_parsed p;
	gh_err e = { 0 };
	gh_buf c = { 0 }, sts = { 0 };
	if (sigv4_parse(&r.req, &a, &p, &e)) {
		if (p.signature.n != SIGV4_SIG_HEX_LEN || p.amz_date.n != 16)
			abort();
		(void)sigv4_check_time(&p, T0, &e);
		(void)sigv4_check_scope(&p, GH_STR("us-east-1"), GH_STR("service"), &e);
		(void)sigv4_canonical_request(&r.req, &p, &c, &e);
		(void)sigv4_string_to_sign(&r.req, &p, &sts, &e);
		uint8_t key[SIGV4_KEY_LEN] = { 0 };
		(void)sigv4_verify(&r.req, &p, key, &e);
	} else if (!e.code) {
		abort();
	}
	/* The builders must also cope with a parse they did not get from sigv4_parse. */
	sigv4_parsed any = { 0 };
	any.form = (data[0] & 8) ? SIGV4_FORM_QUERY : SIGV4_FORM_HEADER;
	any.signed_headers = (gh_str){ (const char *)data + 1, size - 1 < 64 ? size - 1 : 64 };
	(void)sigv4_canonical_request(&r.req, &any, &c, &e);
	gh_buf_free(&c);
	gh_buf_free(&sts);
	gh_arena_free(&a);
	if (!(r.req.flags & (SIGV4_UNSIGNED_TOKEN_PARAM)))
		sign_and_verify(&r, data[0] & 16);
	return 0;
}
