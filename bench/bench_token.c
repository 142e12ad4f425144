/* bench_token: k8s-aws-v1 token verification in process, on one core.
 *
 * Measures the whole local path a TokenReview takes before mapping: the 15 ordered format
 * checks, the signature parse, the derived signing key (from the cache, or derived every
 * time for comparison) and the HMAC verification. The token is made here with the
 * aws-iam-authenticator golden-vector credentials. Prints tokens per second. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "codec/base64.h"
#include "domain/authn/token.h"
#include "domain/aws/sigv4.h"
#include "domain/aws/sigv4_keycache.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char AKID[] = "ASIAR2TG44V6AS3ZZE7C";
static const char SECRET[] = "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/Q";

static bool make_token(int64_t t, gh_buf *token)
{
	sigv4_header h[2] = { { GH_STR("host"), GH_STR("sts.us-west-2.amazonaws.com") },
			      { GH_STR("x-k8s-aws-id"), GH_STR("test-cluster") } };
	sigv4_request req = { .method = GH_STR("GET"), .path = GH_STR("/"),
			      .query = GH_STR("Action=GetCallerIdentity&Version=2011-06-15"), .headers = h,
			      .n_headers = 2 };
	sigv4_sign_params sp = { .access_key_id = GH_STR(AKID), .secret_access_key = GH_STR(SECRET),
				 .region = GH_STR("us-west-2"), .service = GH_STR("sts"), .time = t, .expires = 60 };
	gh_buf url = { 0 };
	gh_err err;
	if (!sigv4_presign_url(&req, GH_STR("https://sts.us-west-2.amazonaws.com"), &sp, &url, NULL, &err)) {
		fprintf(stderr, "presign: %s\n", err.msg);
		return false;
	}
	gh_buf_puts(token, TOKEN_PREFIX);
	base64_encode_buf(url.p, url.n, BASE64_URL, false, token);
	gh_buf_free(&url);
	return true;
}

static bool verify_once(const token_config *cfg, gh_str tok, int64_t now, sigv4_keycache *cache, gh_arena *a)
{
	token_result r;
	sigv4_parsed p;
	gh_err err;
	if (!token_check(cfg, tok, now, a, NULL, &r, &err) || !token_parse_signature(&r, a, NULL, &p, &err))
		return false;
	uint8_t key[SIGV4_KEY_LEN];
	if (cache)
		sigv4_keycache_get(cache, p.access_key_id, GH_STR(SECRET), p.scope_date, p.region, p.service, key);
	else
		sigv4_signing_key(GH_STR(SECRET), p.scope_date, p.region, p.service, key);
	return sigv4_verify(&r.request, &p, key, &err);
}

static void run(const char *label, const token_config *cfg, gh_str tok, int64_t now, sigv4_keycache *cache)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	/* Warm up and prove the path verifies before timing it. */
	if (!verify_once(cfg, tok, now, cache, &a)) {
		printf("%-34s FAILED to verify\n", label);
		gh_arena_free(&a);
		return;
	}
	long n = 0;
	double t0 = now_s(), t1;
	do {
		for (int i = 0; i < 1000; i++) {
			gh_arena_free(&a);
			if (!verify_once(cfg, tok, now, cache, &a)) {
				printf("verification failed during the run\n");
				return;
			}
		}
		n += 1000;
		t1 = now_s();
	} while (t1 - t0 < 2.0);
	gh_arena_free(&a);
	printf("%-34s %10.0f tokens/s  (%.2f us each, %ld runs)\n", label, (double)n / (t1 - t0),
	       (t1 - t0) / (double)n * 1e6, n);
}

int main(void)
{
	int64_t t = 1682640000;
	gh_buf token = { 0 };
	if (!make_token(t, &token))
		return 1;
	token_config cfg = { .partition = "aws", .server_region = "us-west-2", .cluster_id = "test-cluster" };
	sigv4_keycache *cache = sigv4_keycache_new(1024);
	printf("token of %zu bytes, aws-iam-authenticator golden-vector credentials\n", token.n);
	run("verify, derived-key cache", &cfg, gh_buf_str(&token), t + 60, cache);
	run("verify, key derived every time", &cfg, gh_buf_str(&token), t + 60, NULL);
	sigv4_keycache_free(cache);
	gh_buf_free(&token);
	return 0;
}
