/* SigV4: unit cases, AWS error texts, and the aws-c-auth conformance suite in
 * ../shared/conformance/sigv4 (every case, header and query forms, plus a one-byte
 * mutation sweep over method, path, query, signed header values, date and signature). */
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "base/timefmt.h"
#include "domain/aws/sigv4.h"
#include "domain/aws/sigv4_keycache.h"
#include "test.h"

/* ---------- a raw HTTP/1.1 request, parsed into views of its own text ---------- */

#define MAX_HDR 32

typedef struct raw_req {
	char *text;
	size_t len;
	sigv4_header headers[MAX_HDR];
	size_t n;
	sigv4_request req;
} raw_req;

static size_t line_end(const char *t, size_t len, size_t pos)
{
	while (pos < len && t[pos] != '\n')
		pos++;
	return pos;
}

/* Continuation lines (obs-fold) stay inside the value, newline included, as a server
 * that hands over raw values would; sigv4 must fold them. */
static bool raw_parse(raw_req *r)
{
	const char *t = r->text;
	size_t e = line_end(t, r->len, 0);
	size_t sp1 = 0, sp2 = e;
	while (sp1 < e && t[sp1] != ' ')
		sp1++;
	while (sp2 > sp1 && t[sp2 - 1] != ' ')
		sp2--;
	if (sp1 >= e || sp2 <= sp1 + 1)
		return false;
	memset(&r->req, 0, sizeof r->req);
	r->req.method = (gh_str){ t, sp1 };
	gh_str target = { t + sp1 + 1, sp2 - 1 - (sp1 + 1) };
	gh_str path, query;
	if (gh_str_cut(target, '?', &path, &query)) {
		r->req.path = path;
		r->req.query = query;
	} else {
		r->req.path = target;
	}
	r->n = 0;
	size_t pos = e + 1;
	while (pos < r->len) {
		size_t le = line_end(t, r->len, pos);
		if (le == pos) { /* blank line: the body follows */
			pos++;
			break;
		}
		if ((t[pos] == ' ' || t[pos] == '\t') && r->n > 0) {
			sigv4_header *h = &r->headers[r->n - 1];
			h->value.n = (size_t)(t + le - h->value.p);
		} else {
			const char *colon = memchr(t + pos, ':', le - pos);
			if (!colon || r->n == MAX_HDR)
				return false;
			r->headers[r->n].name = (gh_str){ t + pos, (size_t)(colon - (t + pos)) };
			r->headers[r->n].value = (gh_str){ colon + 1, (size_t)(t + le - (colon + 1)) };
			r->n++;
		}
		pos = le + 1;
	}
	r->req.headers = r->headers;
	r->req.n_headers = r->n;
	if (pos < r->len)
		r->req.payload = (gh_str){ t + pos, r->len - pos };
	return true;
}

static bool raw_load(raw_req *r, const char *path)
{
	memset(r, 0, sizeof *r);
	r->text = test_read_file(path, &r->len);
	return r->text && raw_parse(r);
}

/* ---------- one conformance case ---------- */

typedef struct ccase {
	char name[128];
	char dir[1200];
	const char *akid, *secret, *token, *region, *service;
	int64_t now;
	int64_t expires;
	bool normalize, sign_body, omit_token;
	json_t *ctx;
} ccase;

static int g_mutations, g_equivalent;

static char *case_file(const ccase *c, const char *file, size_t *len)
{
	char path[1400];
	snprintf(path, sizeof path, "%s/%s", c->dir, file);
	return test_read_file(path, len);
}

static bool case_load(ccase *c, const char *dir, const char *name)
{
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->dir, sizeof c->dir, "%s/%s", dir, name);
	char path[1400];
	snprintf(path, sizeof path, "%s/context.json", c->dir);
	json_error_t jerr;
	c->ctx = json_load_file(path, 0, &jerr);
	if (!c->ctx)
		return false;
	json_t *cred = json_object_get(c->ctx, "credentials");
	c->akid = json_string_value(json_object_get(cred, "access_key_id"));
	c->secret = json_string_value(json_object_get(cred, "secret_access_key"));
	c->token = json_string_value(json_object_get(cred, "token"));
	c->region = json_string_value(json_object_get(c->ctx, "region"));
	c->service = json_string_value(json_object_get(c->ctx, "service"));
	c->normalize = json_is_true(json_object_get(c->ctx, "normalize"));
	c->sign_body = json_is_true(json_object_get(c->ctx, "sign_body"));
	c->omit_token = json_is_true(json_object_get(c->ctx, "omit_session_token"));
	c->expires = json_integer_value(json_object_get(c->ctx, "expiration_in_seconds"));
	const char *ts = json_string_value(json_object_get(c->ctx, "timestamp"));
	return c->akid && c->secret && c->region && c->service && ts &&
	       gh_time_parse_iso8601(gh_str_c(ts), &c->now);
}

static unsigned case_flags(const ccase *c, bool query_form)
{
	unsigned f = c->normalize ? 0 : SIGV4_NO_NORMALIZE;
	if (query_form && c->omit_token)
		f |= SIGV4_UNSIGNED_TOKEN_PARAM;
	return f;
}

/* parse + time + scope + verify, as a server would run them. */
static bool accepts(const ccase *c, const sigv4_request *req, gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	sigv4_parsed p;
	bool ok = sigv4_parse(req, &a, &p, err) && sigv4_check_time(&p, c->now, err) &&
		  sigv4_check_scope(&p, gh_str_c(c->region), gh_str_c(c->service), err);
	if (ok) {
		uint8_t key[SIGV4_KEY_LEN];
		sigv4_signing_key(gh_str_c(c->secret), p.scope_date, p.region, p.service, key);
		ok = sigv4_verify(req, &p, key, err);
	}
	gh_arena_free(&a);
	return ok;
}

static bool canonical_of(const sigv4_request *req, gh_buf *out)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	sigv4_parsed p;
	bool ok = sigv4_parse(req, &a, &p, NULL) && sigv4_canonical_request(req, &p, out, NULL);
	gh_arena_free(&a);
	return ok;
}

/* Replaces each byte of span (a view into r->text) in turn; every change must be refused.
 * A normalized path can legitimately absorb a change ("/a/.." and "/x/.." are both "/"):
 * such a mutation must then leave the canonical request unchanged, and is counted. */
static void sweep_except(const ccase *c, raw_req *r, gh_str span, const char *what, bool hexflip,
			 const char *orig_canonical, gh_str skip1, gh_str skip2)
{
	char *base = (char *)span.p;
	for (size_t i = 0; i < span.n; i++) {
		const char *at = base + i;
		if ((skip1.p && at >= skip1.p && at < skip1.p + skip1.n) ||
		    (skip2.p && at >= skip2.p && at < skip2.p + skip2.n))
			continue;
		char saved = base[i];
		char repl[2] = { saved == 'x' ? 'y' : 'x', 0 };
		int nrepl = 1;
		if (hexflip && ((saved >= '0' && saved <= '9') || (saved >= 'a' && saved <= 'f'))) {
			repl[1] = saved == '0' ? '1' : '0';
			nrepl = 2;
		}
		for (int k = 0; k < nrepl; k++) {
			base[i] = repl[k];
			g_mutations++;
			gh_err err = { 0 };
			if (accepts(c, &r->req, &err)) {
				gh_buf cb = { 0 };
				bool same = canonical_of(&r->req, &cb) && strcmp(cb.p, orig_canonical) == 0;
				if (same && strcmp(what, "path") == 0 && c->normalize)
					g_equivalent++;
				else
					test_failed(__FILE__, __LINE__, "%s: %s byte %zu changed to '%c' still verifies",
						    c->name, what, i, repl[k]);
				gh_buf_free(&cb);
			}
			base[i] = saved;
		}
	}
}

static void sweep(const ccase *c, raw_req *r, gh_str span, const char *what, bool hexflip,
		  const char *orig_canonical)
{
	gh_str none = { NULL, 0 };
	sweep_except(c, r, span, what, hexflip, orig_canonical, none, none);
}

static gh_str header_value(raw_req *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (gh_str_ieq_c(r->headers[i].name, name))
			return r->headers[i].value;
	return (gh_str){ NULL, 0 };
}

static gh_str query_value(raw_req *r, const char *name)
{
	size_t nl = strlen(name);
	gh_str q = r->req.query;
	for (size_t pos = 0; pos < q.n;) {
		size_t amp = gh_str_find(q, '&', pos);
		if (amp - pos > nl && memcmp(q.p + pos, name, nl) == 0 && q.p[pos + nl] == '=')
			return (gh_str){ q.p + pos + nl + 1, amp - pos - nl - 1 };
		pos = amp + 1;
	}
	return (gh_str){ NULL, 0 };
}

static void check_text(const ccase *c, const char *what, const char *got, const char *file)
{
	size_t n;
	char *want = case_file(c, file, &n);
	if (!want) {
		test_failed(__FILE__, __LINE__, "%s: cannot read %s", c->name, file);
		return;
	}
	if (!got || strcmp(got, want) != 0)
		test_failed(__FILE__, __LINE__, "%s: %s differs\n--- got\n%s\n--- want\n%s", c->name, what,
			    got ? got : "(null)", want);
	free(want);
}

static sigv4_sign_params sign_params(const ccase *c)
{
	sigv4_sign_params sp = { 0 };
	sp.access_key_id = gh_str_c(c->akid);
	sp.secret_access_key = gh_str_c(c->secret);
	sp.session_token = gh_str_c(c->token);
	sp.region = gh_str_c(c->region);
	sp.service = gh_str_c(c->service);
	sp.time = c->now;
	sp.expires = c->expires;
	sp.sign_content_sha256 = c->sign_body;
	sp.omit_session_token = c->omit_token;
	return sp;
}

/* Signs request.txt ourselves and compares with the suite's signature. */
static void check_signing(const ccase *c, bool query_form, const char *want_sig)
{
	char path[1400];
	snprintf(path, sizeof path, "%s/request.txt", c->dir);
	raw_req r;
	if (!raw_load(&r, path)) {
		test_failed(__FILE__, __LINE__, "%s: cannot parse request.txt", c->name);
		free(r.text);
		return;
	}
	r.req.flags = case_flags(c, query_form);
	sigv4_sign_params sp = sign_params(c);
	gh_err err = { 0 };
	if (query_form) {
		gh_buf url = { 0 };
		char sig[65];
		if (!sigv4_presign_url(&r.req, GH_STR("https://example.amazonaws.com"), &sp, &url, sig, &err))
			test_failed(__FILE__, __LINE__, "%s: presign failed: %s", c->name, err.msg);
		else if (strncmp(sig, want_sig, 64) != 0)
			test_failed(__FILE__, __LINE__, "%s: presigned signature %s, want %.64s", c->name, sig,
				    want_sig);
		gh_buf_free(&url);
	} else {
		sigv4_signed s;
		if (!sigv4_sign_headers(&r.req, &sp, &s, &err))
			test_failed(__FILE__, __LINE__, "%s: sign failed: %s", c->name, err.msg);
		else if (strncmp(s.signature, want_sig, 64) != 0)
			test_failed(__FILE__, __LINE__, "%s: header signature %s, want %.64s", c->name,
				    s.signature, want_sig);
		sigv4_signed_free(&s);
	}
	free(r.text);
}

static void run_form(const ccase *c, bool query_form)
{
	const char *pre = query_form ? "query" : "header";
	char file[64];
	snprintf(file, sizeof file, "%s-signed-request.txt", pre);
	char path[1400];
	snprintf(path, sizeof path, "%s/%s", c->dir, file);
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	raw_req r;
	if (!raw_load(&r, path)) {
		test_failed(__FILE__, __LINE__, "%s: cannot parse %s", c->name, file);
		free(r.text);
		return;
	}
	r.req.flags = case_flags(c, query_form);

	gh_arena a;
	gh_arena_init(&a, 0);
	sigv4_parsed p;
	gh_err err = { 0 };
	if (!sigv4_parse(&r.req, &a, &p, &err)) {
		test_failed(__FILE__, __LINE__, "%s/%s: parse: %s %s", c->name, pre, err.code, err.msg);
		gh_arena_free(&a);
		free(r.text);
		return;
	}
	CHECK(p.form == (query_form ? SIGV4_FORM_QUERY : SIGV4_FORM_HEADER));
	CHECK(gh_str_eq_c(p.access_key_id, c->akid));
	CHECK(gh_str_eq_c(p.region, c->region));

	gh_buf canon = { 0 }, sts = { 0 };
	CHECK(sigv4_canonical_request(&r.req, &p, &canon, &err));
	snprintf(file, sizeof file, "%s-canonical-request.txt", pre);
	check_text(c, "canonical request", canon.p, file);
	CHECK(sigv4_string_to_sign(&r.req, &p, &sts, &err));
	snprintf(file, sizeof file, "%s-string-to-sign.txt", pre);
	check_text(c, "string to sign", sts.p, file);

	size_t n;
	snprintf(file, sizeof file, "%s-signature.txt", pre);
	char *want_sig = case_file(c, file, &n);
	CHECK(want_sig && gh_str_eq(p.signature, gh_str_sub(gh_str_c(want_sig), 0, 64)));

	err = (gh_err){ 0 };
	if (!accepts(c, &r.req, &err))
		test_failed(__FILE__, __LINE__, "%s/%s: signed request refused: %s %s", c->name, pre,
			    err.code, err.msg);
	if (query_form && c->omit_token) {
		/* Strict by default: an unsigned X-Amz-Security-Token is refused. */
		r.req.flags &= ~(unsigned)SIGV4_UNSIGNED_TOKEN_PARAM;
		CHECK(!accepts(c, &r.req, NULL));
		r.req.flags = case_flags(c, query_form);
	}
	if (want_sig)
		check_signing(c, query_form, want_sig);

	/* The mutation sweep. */
	sweep(c, &r, r.req.method, "method", false, canon.p);
	sweep(c, &r, r.req.path, "path", false, canon.p);
	if (!query_form) {
		sweep(c, &r, r.req.query, "query", false, canon.p);
		sweep(c, &r, header_value(&r, "x-amz-date"), "date", false, canon.p);
	} else {
		/* The signature has its own sweep; a token added after signing is unsigned by
		 * design (omit_session_token), so changing it proves nothing. */
		gh_str tok = c->omit_token ? query_value(&r, "X-Amz-Security-Token") : (gh_str){ NULL, 0 };
		sweep_except(c, &r, r.req.query, "query", false, canon.p, query_value(&r, "X-Amz-Signature"),
			     tok);
		sweep(c, &r, query_value(&r, "X-Amz-Date"), "date", false, canon.p);
	}
	gh_str list = p.signed_headers;
	char names[512];
	snprintf(names, sizeof names, GH_STR_FMT, GH_STR_ARG(list));
	for (char *save = NULL, *h = strtok_r(names, ";", &save); h; h = strtok_r(NULL, ";", &save))
		for (size_t i = 0; i < r.n; i++)
			if (gh_str_ieq_c(r.headers[i].name, h))
				sweep(c, &r, r.headers[i].value, "signed header", false, canon.p);
	sweep(c, &r, r.req.payload, "body", false, canon.p);
	sweep(c, &r, query_form ? query_value(&r, "X-Amz-Signature") : p.signature, "signature", true,
	      canon.p);

	free(want_sig);
	gh_buf_free(&canon);
	gh_buf_free(&sts);
	gh_arena_free(&a);
	free(r.text);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(sigv4_conformance_suite)
{
	const char *dir = test_shared_path("conformance/sigv4");
	char root[1024];
	snprintf(root, sizeof root, "%s", dir);
	DIR *d = opendir(root);
	REQUIRE(d != NULL);
	char *names[256];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 256;)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_names);
	CHECK(n >= 38);
	g_mutations = g_equivalent = 0;
	int cases = 0;
	for (size_t i = 0; i < n; i++) {
		ccase c;
		if (!case_load(&c, root, names[i])) {
			test_failed(__FILE__, __LINE__, "%s: bad context.json", names[i]);
		} else {
			run_form(&c, false);
			run_form(&c, true);
			cases++;
		}
		json_decref(c.ctx);
		free(names[i]);
	}
	CHECK_INT_EQ(cases, (int)n);
	CHECK(g_mutations > 5000);
	if (getenv("GH_SIGV4_STATS"))
		fprintf(stderr, "sigv4 conformance: %d cases, %d mutations, %d equivalent\n", cases, g_mutations, g_equivalent);
	/* Only the normalized dot-segment cases may absorb a path change. */
	CHECK(g_equivalent < 100);
}
