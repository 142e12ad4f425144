/* Fuzzes the token checks on arbitrary input. The first byte picks how the rest is used:
 * as the token itself, or as a URL wrapped into a token (so the URL, query and date
 * parsers are reached). Invariants: no crash; steps are traced in order, once each, and
 * stop at the first failure; a success gives views inside the decoded URL and a request
 * that sigv4 can parse and verify (against a fixed key) without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "domain/authn/token.h"
#include "domain/aws/sigv4.h"

typedef struct tr {
	int last;
	bool failed;
} tr;

static void on_step(void *ud, int step, const char *name, bool passed, const char *detail)
{
	tr *t = ud;
	if (t->failed || step <= t->last || step > TOKEN_STEPS || !name || !detail)
		abort();
	t->last = step;
	t->failed = !passed;
}

static bool inside(gh_str s, gh_str url)
{
	return s.n == 0 || (s.p >= url.p && s.p + s.n <= url.p + url.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *eps[] = { "http://127.0.0.1:43121" };
	token_config cfg = { 0 };
	cfg.cluster_id = "fuzz-cluster";
	cfg.server_region = (data[0] & 2) ? "us-west-2" : NULL;
	cfg.partition = (data[0] & 4) ? "aws-cn" : "aws";
	cfg.extra_endpoints = eps;
	cfg.n_extra_endpoints = 1;
	char *tok;
	size_t n;
	if (data[0] & 1) {
		tok = malloc(11 + base64_encoded_len(size - 1, false) + 1);
		memcpy(tok, TOKEN_PREFIX, 11);
		n = 11 + base64_encode(data + 1, size - 1, BASE64_URL, false, tok + 11);
	} else {
		tok = malloc(size);
		memcpy(tok, data + 1, size - 1);
		n = size - 1;
	}
	gh_arena a;
	gh_arena_init(&a, 0);
	tr t = { 0, false };
	token_trace trace = { on_step, &t };
	token_result r;
	gh_err e = { 0 };
	if (token_check(&cfg, (gh_str){ tok, n }, 1682640000, &a, &trace, &r, &e)) {
		if (t.failed || t.last != 15)
			abort();
		if (!inside(r.host, r.host) || !inside(r.raw_query, r.url) || r.request.n_headers != 2)
			abort();
		sigv4_parsed p;
		if (token_parse_signature(&r, &a, &trace, &p, &e)) {
			uint8_t key[SIGV4_KEY_LEN] = { 1, 2, 3 };
			(void)sigv4_verify(&r.request, &p, key, &e);
		}
	} else if (!t.failed || !e.code) {
		abort();
	}
	gh_arena_free(&a);
	free(tok);
	return 0;
}
