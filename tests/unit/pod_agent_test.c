/* EKS Auth request validation, session names and tags; the node agent's Host check, token
 * time check, credential cache (with the clock passed in) and rate limiter. */
#include <stdio.h>

#include "codec/base64.h"
#include "domain/eks/eks_auth.h"
#include "domain/eks/pod_agent.h"
#include "test.h"

static const char *jwt_with(const char *payload, char *out, size_t n)
{
	gh_buf b = { 0 };
	const char *hdr = "{\"alg\":\"RS256\",\"kid\":\"k\"}";
	base64_encode_buf(hdr, strlen(hdr), BASE64_URL, false, &b);
	gh_buf_puts(&b, ".");
	base64_encode_buf(payload, strlen(payload), BASE64_URL, false, &b);
	gh_buf_puts(&b, ".c2ln");
	snprintf(out, n, "%.*s", (int)b.n, b.p);
	gh_buf_free(&b);
	return out;
}

TEST(eks_auth_validate_request)
{
	gh_err err = { 0 };
	CHECK(eks_auth_validate(GH_STR("demo"), GH_STR("aa.bb.cc"), &err));
	CHECK(eks_auth_validate(GH_STR("a_b-9"), GH_STR("a-_=.b.c=="), &err));
	CHECK(!eks_auth_validate(GH_STR(""), GH_STR("a.b.c"), &err));
	CHECK_STR_EQ(err.code, "InvalidParameterException");
	CHECK_INT_EQ(err.status, 400);
	CHECK_CONTAINS(err.msg, "clusterName");
	CHECK(!eks_auth_validate(GH_STR("-demo"), GH_STR("a.b.c"), &err));
	CHECK(!eks_auth_validate(GH_STR("de.mo"), GH_STR("a.b.c"), &err));
	char longname[102];
	memset(longname, 'a', 101);
	longname[101] = 0;
	CHECK(!eks_auth_validate(gh_str_c(longname), GH_STR("a.b.c"), &err));
	longname[100] = 0;
	CHECK(eks_auth_validate(gh_str_c(longname), GH_STR("a.b.c"), &err));
	static const char *const bad[] = { "", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.", "a.b.c d", "a.b.c/", "Bearer a.b.c" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(!eks_auth_validate(GH_STR("demo"), gh_str_c(bad[i]), &err));
		CHECK_CONTAINS(err.msg, "token");
	}
}

TEST(eks_auth_session_name_and_tags)
{
	char name[GH_EKS_AUTH_SESSION_NAME_MAX + 1];
	eks_auth_session_name("demo", "web-1", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", name, sizeof name);
	CHECK_STR_EQ(name, "eks-demo-web-1-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	eks_auth_session_name("a-very-long-cluster-name", "a-very-long-pod-name-abcdef", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
			      name, sizeof name);
	CHECK_INT_EQ(strlen(name), 64);
	CHECK_STR_EQ(name, "eks-a-very-long-cluster-name-a-very-long-pod-name-abcdef-0f1e2d3");
	eks_auth_session_name("demo", "we/ird pod", "u", name, sizeof name);
	CHECK_STR_EQ(name, "eks-demo-we-ird-pod-u");

	eks_auth_subject s = { .cluster_arn = "arn:aws:eks:us-east-1:111122223333:cluster/demo", .cluster = "demo",
			       .ns = "team-a", .sa = "app", .pod_name = "web-1", .pod_uid = NULL };
	iam_tag tags[GH_EKS_AUTH_NTAGS];
	gh_str keys[GH_EKS_AUTH_NTAGS];
	eks_auth_session_tags(&s, tags, keys);
	static const char *const want[][2] = { { "eks-cluster-arn", "arn:aws:eks:us-east-1:111122223333:cluster/demo" },
					       { "eks-cluster-name", "demo" },
					       { "kubernetes-namespace", "team-a" },
					       { "kubernetes-service-account", "app" },
					       { "kubernetes-pod-name", "web-1" },
					       { "kubernetes-pod-uid", "" } };
	for (size_t i = 0; i < GH_EKS_AUTH_NTAGS; i++) {
		CHECK(gh_str_eq_c(tags[i].key, want[i][0]));
		CHECK(gh_str_eq_c(tags[i].value, want[i][1]));
		CHECK(gh_str_eq(keys[i], tags[i].key));
	}
	gh_err err = { 0 };
	CHECK(iam_validate_tags(tags, GH_EKS_AUTH_NTAGS, "tags", &err));
}

TEST(agent_host_check)
{
	const char *extra[] = { "127.0.0.1", "localhost" };
	CHECK(agent_host_ok(GH_STR("169.254.170.23"), NULL, 0));
	CHECK(agent_host_ok(GH_STR("169.254.170.23:80"), NULL, 0));
	CHECK(agent_host_ok(GH_STR("[fd00:ec2::23]"), NULL, 0));
	CHECK(agent_host_ok(GH_STR("[fd00:ec2::23]:80"), NULL, 0));
	CHECK(agent_host_ok(GH_STR("FD00:EC2::23"), NULL, 0));
	CHECK(!agent_host_ok(GH_STR("127.0.0.1:9446"), NULL, 0));
	CHECK(agent_host_ok(GH_STR("127.0.0.1:9446"), extra, 2));
	CHECK(agent_host_ok(GH_STR("localhost"), extra, 2));
	CHECK(!agent_host_ok(GH_STR(""), extra, 2));
	CHECK(!agent_host_ok(GH_STR("169.254.170.2"), extra, 2));
	CHECK(!agent_host_ok(GH_STR("169.254.170.23.evil.com"), extra, 2));
	CHECK(!agent_host_ok(GH_STR("[fd00:ec2::23"), extra, 2));
	CHECK(!agent_host_ok(GH_STR("[]:80"), extra, 2));
}

TEST(agent_token_time_check)
{
	char t[512];
	gh_err err = { 0 };
	int64_t now = 1700000000;
	CHECK(agent_token_check(gh_str_c(jwt_with("{\"exp\":1700000100,\"iat\":1699999000,\"nbf\":1699999000}", t, sizeof t)),
				now, &err));
	CHECK(agent_token_check(gh_str_c(jwt_with("{}", t, sizeof t)), now, &err)); /* absent claims are not checked */
	CHECK(!agent_token_check(gh_str_c(jwt_with("{\"exp\":1699999999}", t, sizeof t)), now, &err));
	CHECK_CONTAINS(err.msg, "expired");
	CHECK_INT_EQ(err.status, 400);
	CHECK(!agent_token_check(gh_str_c(jwt_with("{\"nbf\":1700000001}", t, sizeof t)), now, &err));
	CHECK(!agent_token_check(gh_str_c(jwt_with("{\"iat\":1700000001}", t, sizeof t)), now, &err));
	CHECK(!agent_token_check(gh_str_c(jwt_with("{\"exp\":\"soon\"}", t, sizeof t)), now, &err));
	CHECK(!agent_token_check(GH_STR(""), now, &err));
	CHECK_CONTAINS(err.msg, "empty");
	CHECK(!agent_token_check(GH_STR("Bearer x.y.z"), now, &err));
	CHECK(!agent_token_check(GH_STR("a.b"), now, &err));
}

static void key_of(int i, uint8_t key[32])
{
	memset(key, 0, 32);
	key[0] = (uint8_t)i;
	key[1] = (uint8_t)(i >> 8);
	key[31] = 7;
}

static agent_creds creds(const char *akid, int64_t expires)
{
	agent_creds c = { .expires = expires };
	snprintf(c.akid, sizeof c.akid, "%s", akid);
	return c;
}

TEST(agent_cache_rules)
{
	agent_cache *c = agent_cache_new(AGENT_CACHE_SIZE);
	REQUIRE(c);
	uint8_t k[32];
	key_of(1, k);
	agent_creds out;
	int64_t t0 = 1000000;
	CHECK_INT_EQ(agent_cache_get(c, k, t0, &out), AGENT_MISS);
	/* 6 h credentials: refreshed after 3 h, served until 15 s before they expire */
	agent_creds six = creds("ASIA6H", t0 + 6 * 3600);
	agent_cache_put(c, k, &six, t0);
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 10, &out), AGENT_HIT);
	CHECK_STR_EQ(out.akid, "ASIA6H");
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 3 * 3600 - 1, &out), AGENT_HIT);
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 3 * 3600, &out), AGENT_REFRESH);
	/* a refresh failing with a transient error keeps them and waits a minute */
	CHECK(!agent_cache_failed(c, k, "ThrottlingException", t0 + 3 * 3600));
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 3 * 3600 + 59, &out), AGENT_HIT);
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 3 * 3600 + 60, &out), AGENT_REFRESH);
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 6 * 3600 - 16, &out), AGENT_REFRESH);
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 6 * 3600 - 15, &out), AGENT_MISS); /* never with <= 15 s left */
	CHECK_INT_EQ(agent_cache_len(c), 0);
	/* 59-minute credentials are refreshed at their TTL, i.e. when they run out */
	agent_creds short_ = creds("ASIA59", t0 + 59 * 60);
	agent_cache_put(c, k, &short_, t0);
	CHECK_INT_EQ(agent_cache_get(c, k, t0 + 59 * 60 - 20, &out), AGENT_HIT);
	/* the four final errors evict */
	static const char *const final[] = { "ResourceNotFoundException", "ExpiredTokenException",
					     "InvalidTokenException", "AccessDeniedException" };
	for (size_t i = 0; i < 4; i++) {
		agent_cache_put(c, k, &six, t0);
		CHECK(agent_cache_failed(c, k, final[i], t0 + 1));
		CHECK_INT_EQ(agent_cache_get(c, k, t0 + 2, &out), AGENT_MISS);
	}
	CHECK(!agent_error_evicts("InternalServerException"));
	CHECK(!agent_error_evicts(NULL));
	agent_cache_free(c);
}

TEST(agent_cache_lru)
{
	agent_cache *c = agent_cache_new(3);
	REQUIRE(c);
	uint8_t k[32];
	agent_creds out, cr = creds("A", 100000);
	for (int i = 0; i < 3; i++) {
		key_of(i, k);
		agent_cache_put(c, k, &cr, 0);
	}
	key_of(0, k);
	CHECK_INT_EQ(agent_cache_get(c, k, 1, &out), AGENT_HIT); /* 0 is now the most recent; 1 the least */
	key_of(3, k);
	agent_cache_put(c, k, &cr, 1);
	CHECK_INT_EQ(agent_cache_len(c), 3);
	key_of(1, k);
	CHECK_INT_EQ(agent_cache_get(c, k, 2, &out), AGENT_MISS);
	for (int i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		key_of(i, k);
		CHECK_INT_EQ(agent_cache_get(c, k, 2, &out), AGENT_HIT);
	}
	/* churn through many keys: the size bound holds and the newest survive */
	for (int i = 10; i < 1000; i++) {
		key_of(i, k);
		agent_cache_put(c, k, &cr, 3);
	}
	CHECK_INT_EQ(agent_cache_len(c), 3);
	key_of(999, k);
	CHECK_INT_EQ(agent_cache_get(c, k, 4, &out), AGENT_HIT);
	key_of(996, k);
	CHECK_INT_EQ(agent_cache_get(c, k, 4, &out), AGENT_MISS);
	agent_cache_free(c);
}

TEST(agent_rate_limit)
{
	agent_rate r = { 0 };
	int64_t t = 5000000000;
	int allowed = 0;
	for (int i = 0; i < 600; i++)
		allowed += agent_rate_allow(&r, t);
	CHECK_INT_EQ(allowed, AGENT_BURST); /* a burst of 500 at one instant */
	CHECK(!agent_rate_allow(&r, t));
	CHECK(agent_rate_allow(&r, t + 1000000)); /* 1 ms later: one more (1000/s) */
	CHECK(!agent_rate_allow(&r, t + 1000000));
	allowed = 0;
	for (int i = 0; i < 2000; i++) /* steady 2000/s for one second: half get through */
		allowed += agent_rate_allow(&r, t + 1000000 + (int64_t)(i + 1) * 500000);
	CHECK(allowed >= 990 && allowed <= 1010);
}
