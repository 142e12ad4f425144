/* token: the spec table (spec/authn-and-mapping.md section 2 and upstream's
 * TestVerifyTokenPreSTSValidations), the host table (TestSTSEndpoints,
 * TestSTSEndpointResolution and more), hostile tokens each with its own error, the
 * TestGetWithSTS golden vector verified back through sigv4, and the check trace. */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "base/timefmt.h"
#include "codec/base64.h"
#include "domain/authn/token.h"
#include "domain/aws/sigv4.h"
#include "domain/aws/sigv4_keycache.h"
#include "test.h"

#define NOW 1682640000 /* 2023-04-28T00:00:00Z */
#define NOW_STR "20230428T000000Z"

static char *to_token(const char *url, size_t n)
{
	char *t = malloc(11 + base64_encoded_len(n, false) + 1);
	memcpy(t, TOKEN_PREFIX, 11);
	base64_encode(url, n, BASE64_URL, false, t + 11);
	return t;
}

static token_config cfg_for(const char *partition, const char *region)
{
	token_config c = { 0 };
	c.partition = partition;
	c.server_region = region;
	c.cluster_id = "test-cluster";
	return c;
}

/* Checks 1..15 on the token of `url`; returns the error (code NULL on success). */
static gh_err check_url_cfg(const token_config *cfg, const char *url, size_t n, int64_t now)
{
	char *tok = to_token(url, n);
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	gh_err err = { 0 };
	if (token_check(cfg, gh_str_c(tok), now, &a, NULL, &r, &err))
		err.code = NULL;
	gh_arena_free(&a);
	free(tok);
	return err;
}

static gh_err check_url(const char *partition, const char *url)
{
	token_config c = cfg_for(partition, NULL);
	return check_url_cfg(&c, url, strlen(url), NOW);
}

static void expect_error(const char *partition, const char *url, const char *code, const char *msg, int line)
{
	gh_err e = check_url(partition, url);
	if (!e.code || strcmp(e.code, code) != 0 || !strstr(e.msg, msg))
		test_failed(__FILE__, line, "%s: want %s \"%s\", got %s \"%s\"", url, code, msg,
			    e.code ? e.code : "success", e.msg);
}

static void expect_ok(const char *partition, const char *url, int line)
{
	gh_err e = check_url(partition, url);
	if (e.code)
		test_failed(__FILE__, line, "%s: unexpected %s \"%s\"", url, e.code, e.msg);
}

#define Q_OK "action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-expires=60&x-amz-date=" NOW_STR
#define FP "input token was not properly formatted: "

/* Every row of upstream's TestVerifyTokenPreSTSValidations, with its time made ours. */
TEST(token_upstream_pre_sts_validations)
{
	char big[TOKEN_DEFAULT_MAX_LEN + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	token_config c = cfg_for("aws", NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	gh_err e = { 0 };
	CHECK(!token_check(&c, gh_str_c(big), NOW, &a, NULL, &r, &e));
	CHECK_STR_EQ(e.code, "TokenTooLarge");
	CHECK_STR_EQ(e.msg, FP "token is too large");
	CHECK(!token_check(&c, GH_STR("k8s-aws-v2.asdfasdfa"), NOW, &a, NULL, &r, &e));
	CHECK_STR_EQ(e.msg, FP "token is missing expected \"k8s-aws-v1.\" prefix");
	CHECK(!token_check(&c, GH_STR("k8s-aws-v1.decodingerror"), NOW, &a, NULL, &r, &e));
	CHECK_STR_EQ(e.code, "TokenBase64");
	CHECK_STR_EQ(e.msg, FP "illegal base64 data at input byte 12");
	gh_arena_free(&a);

	expect_error("aws", ":ab:cd.af:/asda", "TokenURL", "missing protocol scheme", __LINE__);
	expect_error("aws", "http://", "TokenScheme", FP "unexpected scheme \"http\" in pre-signed URL", __LINE__);
	expect_error("aws", "https://google.com", "TokenHost",
		     FP "could not parse region for pre-signed URL google.com, invalid host format: google.com",
		     __LINE__);
	expect_error("aws-cn", "https://sts.cn-north-1.amazonaws.com.cn/abc", "TokenPath",
		     FP "unexpected path in pre-signed URL", __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/abc", "TokenPath", "unexpected path in pre-signed URL", __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/?NoInWhiteList=abc", "TokenParamNotAllowed",
		     FP "non-whitelisted query parameter \"NoInWhiteList\"", __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/?action=get&action=post", "TokenMultipleValues",
		     FP "query parameter with multiple values not supported", __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/?action=NotGetCallerIdenity", "TokenAction",
		     FP "unexpected action parameter in pre-signed URL", __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=abc%3bx-k8s-aws-i%3bdef",
		     "TokenUnsignedClusterId", FP "client did not sign the x-k8s-aws-id header in the pre-signed URL",
		     __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=" NOW_STR "&x-amz-expires=9999999",
		     "TokenExpiresParam", FP "invalid X-Amz-Expires parameter in pre-signed URL: 9999999", __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=xxxxxxx&x-amz-expires=60",
		     "TokenDate",
		     FP "error parsing X-Amz-Date parameter xxxxxxx into format 20060102T150405Z: parsing time "
			"\"xxxxxxx\" as \"20060102T150405Z\": cannot parse \"xxxxxxx\" as \"2006\"",
		     __LINE__);
	expect_error("aws", "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=19900422T010203Z&x-amz-expires=60",
		     "TokenExpired", FP "X-Amz-Date parameter is expired (15 minute expiration) 1990-04-22 01:02:03 +0000 UTC",
		     __LINE__);
	expect_error("aws", "https://sts.sa-east-1.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=" NOW_STR "&x-amz-expires=60%gh",
		     "TokenQuery", FP "malformed query parameter", __LINE__);
	expect_ok("aws", "https://sts.us-east-2.amazonaws.com/?" Q_OK, __LINE__);
	expect_ok("aws", "https://sts.ap-northeast-2.amazonaws.com/?" Q_OK, __LINE__);
	expect_ok("aws", "https://sts.ca-central-1.amazonaws.com/?" Q_OK, __LINE__);
	expect_ok("aws", "https://sts.eu-west-1.amazonaws.com/?" Q_OK, __LINE__);
	expect_ok("aws", "https://sts.sa-east-1.amazonaws.com/?" Q_OK, __LINE__);
	expect_error("aws", "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAAAAAAAAAAAAAAAAA%2F20220601%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date=" NOW_STR "&X-Amz-Expires=900&X-Amz-Security-Token=XXXXXXXXXXXXX&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&x-amz-credential=eve&X-Amz-Signature=999999999999999999",
		     "TokenDuplicateParam", FP "duplicate query parameter found: \"x-amz-credential\"", __LINE__);
}

/* The spec table, one row per check, at its boundaries. */
TEST(token_spec_table_rows)
{
	token_config c = cfg_for("aws", NULL);
	/* 1: the limit itself passes, one more byte fails; upstream's 4096 is configurable. */
	char *tok = to_token("https://sts.amazonaws.com/?" Q_OK, strlen("https://sts.amazonaws.com/?" Q_OK));
	size_t n = strlen(tok);
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	gh_err e = { 0 };
	c.max_token_len = n;
	CHECK(token_check(&c, gh_str_c(tok), NOW, &a, NULL, &r, &e));
	c.max_token_len = n - 1;
	CHECK(!token_check(&c, gh_str_c(tok), NOW, &a, NULL, &r, &e) && strcmp(e.code, "TokenTooLarge") == 0);
	c.max_token_len = 0;
	char *big = calloc(1, 5000);
	memcpy(big, tok, n);
	memset(big + n, 'A', 4100 - n);
	CHECK(!token_check(&c, gh_str_c(big), NOW, &a, NULL, &r, &e));
	CHECK_STR_EQ(e.code, "TokenBase64"); /* 4100 bytes: past 4096, still under 16384 */
	free(big);
	free(tok);
	gh_arena_free(&a);

	/* 3: '=' padding, '+' and '/' fail; CR/LF anywhere are skipped. */
	const char *url = "https://sts.amazonaws.com/?" Q_OK;
	tok = to_token(url, strlen(url));
	n = strlen(tok);
	char *v = malloc(n + 8);
	gh_arena_init(&a, 0);
	snprintf(v, n + 8, "%s=", tok);
	CHECK(!token_check(&c, gh_str_c(v), NOW, &a, NULL, &r, &e) && strcmp(e.code, "TokenBase64") == 0);
	snprintf(v, n + 8, "%.20s\r\n%s", tok, tok + 20);
	CHECK(token_check(&c, gh_str_c(v), NOW, &a, NULL, &r, &e));
	CHECK(gh_str_eq_c(r.url, url));
	snprintf(v, n + 8, "%.20s+%s", tok, tok + 20);
	CHECK(!token_check(&c, gh_str_c(v), NOW, &a, NULL, &r, &e));
	CHECK_STR_EQ(e.msg, FP "illegal base64 data at input byte 9");
	free(v);
	free(tok);
	gh_arena_free(&a);

	/* 4: the scheme is compared lowercased, as Go lowercases it. */
	expect_ok("aws", "HTTPS://sts.amazonaws.com/?" Q_OK, __LINE__);
	/* 5: a port fails. */
	expect_error("aws", "https://sts.us-west-2.amazonaws.com:443/?" Q_OK, "TokenHost",
		     FP "unexpected hostname \"sts.us-west-2.amazonaws.com:443\" in pre-signed URL", __LINE__);
	/* 6: exactly "/". */
	expect_error("aws", "https://sts.amazonaws.com?" Q_OK, "TokenPath", "unexpected path", __LINE__);
	expect_error("aws", "https://sts.amazonaws.com//?" Q_OK, "TokenPath", "unexpected path", __LINE__);
	/* 7: a raw ';'. */
	expect_error("aws", "https://sts.amazonaws.com/?" Q_OK ";x=1", "TokenQuery", FP "malformed query parameter", __LINE__);
	/* 8: case-insensitive duplicates. */
	expect_error("aws", "https://sts.amazonaws.com/?" Q_OK "&Action=GetCallerIdentity", "TokenDuplicateParam",
		     FP "duplicate query parameter found: \"Action\"", __LINE__);
	/* 9: keys are matched case-insensitively against the allowlist. */
	expect_ok("aws", "https://sts.amazonaws.com/?ACTION=GetCallerIdentity&X-AMZ-SIGNEDHEADERS=host%3BX-K8S-AWS-ID&X-Amz-Expires=60&X-Amz-Date=" NOW_STR "&VERSION=2011-06-15",
		  __LINE__);
	/* 10: the value is case-sensitive. */
	expect_error("aws", "https://sts.amazonaws.com/?action=getcalleridentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-expires=60&x-amz-date=" NOW_STR,
		     "TokenAction", "unexpected action parameter", __LINE__);
	/* 12: 0 and 900 pass, 901 and -1 fail, a missing value reads as 0 and fails. */
	expect_ok("aws", "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-expires=0&x-amz-date=" NOW_STR, __LINE__);
	expect_ok("aws", "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-expires=900&x-amz-date=" NOW_STR, __LINE__);
	expect_ok("aws", "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-expires=%2B60&x-amz-date=" NOW_STR, __LINE__);
	/* 13/14: exactly 15 minutes old passes, one second more fails; no future bound
	 * upstream (ours is step 15). */
	c = cfg_for("aws", NULL);
	const char *q = "https://sts.amazonaws.com/?" Q_OK;
	CHECK(check_url_cfg(&c, q, strlen(q), NOW + 900).code == NULL);
	gh_err late = check_url_cfg(&c, q, strlen(q), NOW + 901);
	CHECK(late.code && strcmp(late.code, "TokenExpired") == 0);
	CHECK_STR_EQ(late.msg, FP "X-Amz-Date parameter is expired (15 minute expiration) 2023-04-28 00:00:00 +0000 UTC");
	/* A fractional second is accepted by Go and shown by Time.String. */
	const char *fq = "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-expires=60&x-amz-date=20230428T000000.250Z";
	CHECK(check_url_cfg(&c, fq, strlen(fq), NOW + 900).code == NULL);
	gh_err fl = check_url_cfg(&c, fq, strlen(fq), NOW + 901);
	CHECK_STR_EQ(fl.msg, FP "X-Amz-Date parameter is expired (15 minute expiration) 2023-04-28 00:00:00.25 +0000 UTC");
	/* 15: 5 minutes ahead passes, 5 minutes and 1 second fails; configurable, or off. */
	CHECK(check_url_cfg(&c, q, strlen(q), NOW - 300).code == NULL);
	gh_err fut = check_url_cfg(&c, q, strlen(q), NOW - 301);
	CHECK(fut.code && strcmp(fut.code, "TokenFuture") == 0);
	CHECK_CONTAINS(fut.msg, FP "X-Amz-Date parameter is in the future");
	c.max_future_skew = -1;
	CHECK(check_url_cfg(&c, q, strlen(q), NOW - 86400).code == NULL);
	c.max_future_skew = 60;
	CHECK(check_url_cfg(&c, q, strlen(q), NOW - 61).code != NULL);
}

typedef struct host_case {
	const char *partition, *host;
	bool valid;
	const char *region;
} host_case;

/* Upstream's TestSTSEndpoints and TestSTSEndpointResolution, then our own rows. */
static const host_case HOSTS[] = {
	{ "aws", "sts.amazonaws.com", true, "" },
	{ "aws-cn", "sts.amazonaws.com", false, "" },
	{ "aws-us-gov", "sts.amazonaws.com", false, "" },
	{ "aws-iso", "sts.amazonaws.com", false, "" },
	{ "aws-iso-b", "sts.amazonaws.com", false, "" },
	{ "aws-iso-e", "sts.amazonaws.com", false, "" },
	{ "aws-iso-f", "sts.amazonaws.com", false, "" },
	{ "aws-not-a-partition", "sts.amazonaws.com", false, "" },
	{ "aws-cn", "sts.cn-northwest-1.amazonaws.com.cn", true, "" },
	{ "aws-cn", "sts.cn-north-1.amazonaws.com.cn", true, "" },
	{ "aws-cn", "sts.us-iso-east-1.c2s.ic.gov", false, "" },
	{ "aws-cn", "sts.not-a-region1.amazonaws.com.cn", false, "" },
	{ "aws-cn", "sts.not-a-region2.amazonaws.com.cn", true, "not-a-region2" },
	{ "aws", "sts-fips.us-west-2.amazonaws.com", true, "" },
	{ "aws", "sts-fips.us-east-1.amazonaws.com", true, "" },
	{ "aws", "sts.us-east-1.amazonaws.com", true, "" },
	{ "aws", "sts.us-east-2.amazonaws.com", true, "" },
	{ "aws", "sts.us-west-1.amazonaws.com", true, "" },
	{ "aws", "sts.us-west-2.amazonaws.com", true, "" },
	{ "aws", "sts.ap-south-1.amazonaws.com", true, "" },
	{ "aws", "sts.ap-northeast-1.amazonaws.com", true, "" },
	{ "aws", "sts.ap-northeast-2.amazonaws.com", true, "" },
	{ "aws", "sts.ap-southeast-1.amazonaws.com", true, "" },
	{ "aws", "sts.ap-southeast-2.amazonaws.com", true, "" },
	{ "aws", "sts.ca-central-1.amazonaws.com", true, "" },
	{ "aws", "sts.eu-central-1.amazonaws.com", true, "" },
	{ "aws", "sts.eu-west-1.amazonaws.com", true, "" },
	{ "aws", "sts.eu-west-2.amazonaws.com", true, "" },
	{ "aws", "sts.eu-west-3.amazonaws.com", true, "" },
	{ "aws", "sts.eu-north-1.amazonaws.com", true, "" },
	{ "aws", "sts.amazonaws.com.cn", false, "" },
	{ "aws", "website.amazonaws.com", false, "" },
	{ "aws", "sts.default-region.amazonaws.com", true, "default-region" },
	{ "aws-iso", "sts.us-iso-east-1.c2s.ic.gov", true, "" },
	{ "aws-iso", "sts.cn-north-1.amazonaws.com.cn", false, "" },
	{ "aws-iso-b", "sts.cn-north-1.amazonaws.com.cn", false, "" },
	{ "aws-us-gov", "sts.us-gov-east-1.amazonaws.com", true, "" },
	{ "aws-cn", "sts-fips.us-east-1.amazonaws.com", false, "" },
	{ "aws-cn", "sts.us-isob-east-1.amazonaws.com.cn", false, "" },
	{ "aws-cn", "sts.us-isob-east-1.amazonaws.com.cn", true, "us-isob-east-1" },
	{ "aws-iso-b", "sts.us-isob-east-1.amazonaws.com.cn", false, "" },
	{ "aws-iso-b", "sts.us-isob-east-1.amazonaws.com.cn", false, "us-isob-east-1" },
	{ "aws", "sts.us-west-2.api.aws", true, "" },
	{ "aws-cn", "sts.cn-north-1.api.amazonwebservices.com.cn", true, "" },
	{ "aws", "sts.cn-north-1.api.amazonwebservices.com.cn", false, "" },
	{ "aws", "sts.not-a-region.amazonaws.com", true, "" },
	{ "aws", "sts.not-a-region.amazonaws.com", true, "not-a-region" },
	{ "aws", "sts.not-a-region.amazonaws.com", true, "us-west-2" },
	{ "aws-cn", "sts.not-a-region3.amazonaws.com.cn", false, "" },
	{ "aws-cn", "sts.not-a-region4.amazonaws.com.cn", true, "not-a-region4" },
	{ "aws-cn", "sts.not-a-region5.amazonaws.com.cn", false, "us-west-2" },
	{ "aws-cn", "sts.us-west-2.amazonaws.com.cn", false, "" },
	{ "aws", "sts.us-west-2.amazonaws.com.cn", false, "" },
	{ "aws", "sts.us-west-2.amazonaws.com.cn", false, "us-west-2" },
	{ "aws-cn", "sts.not-a-region.amazonaws.com", false, "not-a-region" },
	/* gatehouse rows: newer regions, fips + dual-stack, gov fips, iso, eusc */
	{ "aws", "sts.il-central-1.amazonaws.com", true, "" },
	{ "aws", "sts.mx-central-1.amazonaws.com", true, "" },
	{ "aws", "sts-fips.us-east-1.api.aws", true, "" },
	{ "aws", "sts.aws-global.amazonaws.com", false, "" },
	{ "aws", "sts.us-gov-west-1.amazonaws.com", true, "" }, /* gov shares the aws domain, as upstream */
	{ "aws-us-gov", "sts.us-gov-west-1.api.aws", true, "" },
	{ "aws-us-gov", "sts-fips.us-gov-west-1.api.aws", true, "" },
	{ "aws-us-gov", "sts-fips.us-gov-west-1.amazonaws.com", false, "" }, /* gov fips is sts.<r>.amazonaws.com */
	{ "aws-iso", "sts-fips.us-iso-east-1.c2s.ic.gov", true, "" },
	{ "aws-iso", "sts.us-iso-east-1.api.aws.ic.gov", false, "" }, /* no iso dual-stack domain upstream */
	{ "aws-iso-b", "sts.us-isob-east-1.sc2s.sgov.gov", true, "" },
	{ "aws-iso-e", "sts.eu-isoe-west-1.cloud.adc-e.uk", true, "" },
	{ "aws-iso-f", "sts.us-isof-south-1.csp.hci.ic.gov", true, "" },
	{ "aws-eusc", "sts.eusc-de-east-1.amazonaws.eu", true, "" },
	{ "aws-eusc", "sts.eusc-de-east-1.api.amazonwebservices.eu", true, "" },
	{ "aws", "sts.eusc-de-east-1.amazonaws.eu", false, "" },
	{ "aws-eusc", "sts.us-east-1.amazonaws.com", false, "" },
	/* ports, case, shape */
	{ "aws", "sts.us-west-2.amazonaws.com:443", false, "" },
	{ "aws", "sts.us-west-2.amazonaws.com:443", false, "us-west-2" },
	{ "aws", "sts.amazonaws.com:443", false, "" },
	{ "aws", "sts.amazonaws.com:", false, "" },
	{ "aws", "STS.US-WEST-2.AMAZONAWS.COM", false, "" },
	{ "aws", "sts.us-west-2.amazonaws.com.", false, "" },
	{ "aws", "sts.us-west-2.amazonaws.com.evil.example", false, "" },
	{ "aws", "evil.sts.us-west-2.amazonaws.com", false, "" },
	{ "aws", "sts..amazonaws.com", false, "" },
	{ "aws", "sts.-bad.amazonaws.com", false, "" },
	{ "aws", "sts.us_west_2.amazonaws.com", false, "" },
	{ "aws", "", false, "" },
	{ "aws", "sts", false, "" },
	{ "aws", "sts.wrongformat", false, "" },
	/* VPC endpoints are refused */
	{ "aws", "vpce-0123456789abcdef0-abcdefgh.sts.us-east-1.vpce.amazonaws.com", false, "" },
	{ "aws", "vpce-0123456789abcdef0-abcdefgh-us-east-1a.sts.us-east-1.vpce.amazonaws.com", false, "us-east-1" },
	{ "aws", "sts.us-east-1.vpce.amazonaws.com", false, "us-east-1" },
	{ "aws-cn", "vpce-0123.sts.cn-north-1.vpce.amazonaws.com.cn", false, "cn-north-1" },
};

TEST(token_host_table)
{
	size_t n = sizeof HOSTS / sizeof HOSTS[0];
	CHECK(n >= 40);
	for (size_t i = 0; i < n; i++) {
		token_config c = cfg_for(HOSTS[i].partition, HOSTS[i].region[0] ? HOSTS[i].region : NULL);
		gh_err e = { 0 };
		bool ok = token_check_host(&c, gh_str_c(HOSTS[i].host), &e);
		if (ok != HOSTS[i].valid)
			test_failed(__FILE__, __LINE__, "host %s partition %s region '%s': got %s (%s)",
				    HOSTS[i].host, HOSTS[i].partition, HOSTS[i].region, ok ? "valid" : "invalid", e.msg);
		if (!ok)
			CHECK_STR_EQ(e.code, "TokenHost");
	}
	/* The message of each kind of host failure. */
	token_config c = cfg_for("aws-cn", NULL);
	gh_err e = { 0 };
	CHECK(!token_check_host(&c, GH_STR("sts.amazonaws.com"), &e));
	CHECK_STR_EQ(e.msg, FP "global endpoint unsupported in partition aws-cn");
	CHECK(!token_check_host(&c, GH_STR("sts.us-west-2.amazonaws.com"), &e));
	CHECK_STR_EQ(e.msg, FP "partition {aws-cn} does not support hostname sts.us-west-2.amazonaws.com");
	CHECK(!token_check_host(&c, GH_STR("sts.-x.amazonaws.com"), &e));
	CHECK_STR_EQ(e.msg, FP "invalid region identifier format provided: -x");
	CHECK(!token_check_host(&c, GH_STR(""), &e));
	CHECK_STR_EQ(e.msg, FP "could not parse region for pre-signed URL , host is empty");
	c = cfg_for("aws-not-a-partition", NULL);
	CHECK(!token_check_host(&c, GH_STR("sts.us-west-2.amazonaws.com"), &e));
	CHECK_STR_EQ(e.msg, "partition aws-not-a-partition not valid");
	CHECK(!token_config_validate(&c, &e));
	c = cfg_for("aws", NULL);
	CHECK(token_config_validate(&c, &e));
}

typedef struct hostile {
	const char *name;
	const char *url; /* NULL: use raw */
	const char *raw; /* a token given as is */
	const char *code, *msg;
} hostile;

#define BASEQ "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=" NOW_STR
#define UWEST "https://sts.us-west-2.amazonaws.com/?"

static const hostile HOSTILE[] = {
	{ "empty", NULL, "", "TokenPrefix", "missing expected \"k8s-aws-v1.\" prefix" },
	{ "prefix only", NULL, "k8s-aws-v1.", "TokenScheme", "unexpected scheme \"\" in pre-signed URL" },
	{ "wrong case prefix", NULL, "K8S-AWS-V1.aHR0cHM6Ly8", "TokenPrefix", "prefix" },
	{ "padding", NULL, "k8s-aws-v1.aHR0cHM6Ly9zdHM=", "TokenBase64", "illegal base64 data at input byte 15" },
	{ "std alphabet slash", NULL, "k8s-aws-v1.aHR0cHM6Ly9/dHM", "TokenBase64", "illegal base64 data at input byte 11" },
	{ "std alphabet plus", NULL, "k8s-aws-v1.aHR0+HM6Ly9zdHM", "TokenBase64", "illegal base64 data at input byte 4" },
	{ "lone trailing sextet", NULL, "k8s-aws-v1.aHR0c", "TokenBase64", "illegal base64 data at input byte 4" },
	{ "NUL in base64", NULL, "k8s-aws-v1.aHR0\x01", "TokenBase64", "illegal base64 data at input byte 4" },
	{ "non-https", "http://sts.us-west-2.amazonaws.com/?" BASEQ, NULL, "TokenScheme", "unexpected scheme \"http\"" },
	{ "ftp", "ftp://sts.us-west-2.amazonaws.com/?" BASEQ, NULL, "TokenScheme", "unexpected scheme \"ftp\"" },
	{ "missing scheme", "//sts.us-west-2.amazonaws.com/?" BASEQ, NULL, "TokenScheme", "unexpected scheme \"\"" },
	{ "no scheme colon", ":ab:cd.af:/asda", NULL, "TokenURL", "missing protocol scheme" },
	{ "colon in first segment", "sts:x/y", NULL, "TokenScheme", "unexpected scheme \"sts\"" },
	{ "userinfo", "https://user:pw@sts.us-west-2.amazonaws.com/?" BASEQ, NULL, "TokenHost", "unexpected userinfo" },
	{ "bad userinfo", "https://us er@sts.us-west-2.amazonaws.com/?" BASEQ, NULL, "TokenURL", "net/url: invalid userinfo" },
	{ "fragment", UWEST BASEQ "#frag", NULL, "TokenFragment", "unexpected fragment" },
	{ "bad fragment escape", UWEST BASEQ "#%zz", NULL, "TokenURL", "invalid URL escape \"%zz\"" },
	{ "path /x", "https://sts.us-west-2.amazonaws.com/x?" BASEQ, NULL, "TokenPath", "unexpected path" },
	{ "encoded slash path", "https://sts.us-west-2.amazonaws.com/%2F?" BASEQ, NULL, "TokenPath", "unexpected path" },
	{ "bad path escape", "https://sts.us-west-2.amazonaws.com/%g0?" BASEQ, NULL, "TokenURL", "invalid URL escape \"%g0\"" },
	{ "opaque", "https:sts.us-west-2.amazonaws.com?" BASEQ, NULL, "TokenHost", "host is empty" },
	{ "port", "https://sts.us-west-2.amazonaws.com:8443/?" BASEQ, NULL, "TokenHost", "unexpected hostname \"sts.us-west-2.amazonaws.com:8443\"" },
	{ "bad port", "https://sts.us-west-2.amazonaws.com:x1/?" BASEQ, NULL, "TokenURL", "invalid port \":x1\" after host" },
	{ "space in host", "https://sts us-west-2.amazonaws.com/?" BASEQ, NULL, "TokenURL", "invalid character \" \" in host name" },
	{ "escape in host", "https://sts%2eus-west-2.amazonaws.com/?" BASEQ, NULL, "TokenURL", "invalid URL escape \"%2e\"" },
	{ "vpce host", "https://vpce-0abc-1234.sts.us-west-2.vpce.amazonaws.com/?" BASEQ, NULL, "TokenHost", "unexpected hostname" },
	{ "evil suffix", "https://sts.us-west-2.amazonaws.com.evil.example/?" BASEQ, NULL, "TokenHost", "unexpected hostname" },
	{ "invalid utf-8 host", "https://sts.us-west-2.amazonaws.com\xff/?" BASEQ, NULL, "TokenHost", "unexpected hostname \"sts.us-west-2.amazonaws.com\\xff\"" },
	{ "NUL in URL", "https://sts.us-west-2.amazonaws.com/?" BASEQ "\0x", NULL, "TokenURL", "net/url: invalid control character in URL" },
	{ "newline in URL", "https://sts.us-west-2.amazonaws.com/?" BASEQ "\nx", NULL, "TokenURL", "invalid control character" },
	{ "bad query escape", UWEST BASEQ "&Version=%zz", NULL, "TokenQuery", "malformed query parameter" },
	{ "semicolon", UWEST BASEQ ";Version=1", NULL, "TokenQuery", "malformed query parameter" },
	{ "duplicate different case", UWEST BASEQ "&x-amz-date=" NOW_STR, NULL, "TokenDuplicateParam", "duplicate query parameter found: \"x-amz-date\"" },
	{ "multiple values", UWEST BASEQ "&X-Amz-Date=" NOW_STR, NULL, "TokenMultipleValues", "multiple values not supported" },
	{ "unknown param", UWEST BASEQ "&foo=bar", NULL, "TokenParamNotAllowed", "non-whitelisted query parameter \"foo\"" },
	{ "empty name", UWEST BASEQ "&=bar", NULL, "TokenParamNotAllowed", "non-whitelisted query parameter \"\"" },
	{ "invalid utf-8 name", UWEST BASEQ "&x%FFy=1", NULL, "TokenParamNotAllowed", "non-whitelisted query parameter \"x\\xffy\"" },
	{ "action missing", UWEST "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=" NOW_STR, NULL, "TokenAction", "unexpected action parameter" },
	{ "action lowercase", UWEST "Action=getcalleridentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=" NOW_STR, NULL, "TokenAction", "unexpected action parameter" },
	{ "action with NUL", UWEST "Action=GetCallerIdentity%00&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=" NOW_STR, NULL, "TokenAction", "unexpected action parameter" },
	{ "other action", UWEST "Action=AssumeRole&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=" NOW_STR, NULL, "TokenAction", "unexpected action parameter" },
	{ "no cluster id signed", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Date=" NOW_STR, NULL, "TokenUnsignedClusterId", "did not sign the x-k8s-aws-id header" },
	{ "cluster id prefix only", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-idx&X-Amz-Expires=60&X-Amz-Date=" NOW_STR, NULL, "TokenUnsignedClusterId", "did not sign" },
	{ "expires 901", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=901&X-Amz-Date=" NOW_STR, NULL, "TokenExpiresParam", "pre-signed URL: 901" },
	{ "expires -1", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=-1&X-Amz-Date=" NOW_STR, NULL, "TokenExpiresParam", "pre-signed URL: -1" },
	{ "expires abc", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=abc&X-Amz-Date=" NOW_STR, NULL, "TokenExpiresParam", "pre-signed URL: 0" },
	{ "expires missing", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Date=" NOW_STR, NULL, "TokenExpiresParam", "pre-signed URL: 0" },
	{ "expires huge", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=99999999999999999999x&X-Amz-Date=" NOW_STR, NULL, "TokenExpiresParam", "pre-signed URL: 9223372036854775807" },
	{ "expires hex", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=0x10&X-Amz-Date=" NOW_STR, NULL, "TokenExpiresParam", "pre-signed URL: 0" },
	{ "date missing", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60", NULL, "TokenDate", "X-Amz-Date parameter must be present in pre-signed URL" },
	{ "date empty", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=", NULL, "TokenDate", "must be present" },
	{ "date bad", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=2023-04-28", NULL, "TokenDate", "cannot parse \"-04-28\" as \"01\"" },
	{ "date month 13", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20231301T000000Z", NULL, "TokenDate", "parsing time \"20231301T000000Z\": month out of range" },
	{ "date feb 30", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20230230T000000Z", NULL, "TokenDate", "day out of range" },
	{ "date hour 24", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20230428T240000Z", NULL, "TokenDate", "hour out of range" },
	{ "date no T", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20230428 000000Z", NULL, "TokenDate", "cannot parse \" 000000Z\" as \"T\"" },
	{ "date extra text", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20230428T000000Zjunk", NULL, "TokenDate", "extra text: \"junk\"" },
	{ "date no Z", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20230428T000000", NULL, "TokenDate", "cannot parse \"\" as \"Z\"" },
	{ "date expired", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20230427T234459Z", NULL, "TokenExpired", "expired (15 minute expiration) 2023-04-27 23:44:59 +0000 UTC" },
	{ "date future", UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20230428T001000Z", NULL, "TokenFuture", "in the future" },
	{ "global in partition", "https://sts.amazonaws.com.cn/?" BASEQ, NULL, "TokenHost", "unexpected hostname \"sts.amazonaws.com.cn\"" },
	{ "dual-stack other partition", "https://sts.cn-north-1.api.amazonwebservices.com.cn/?" BASEQ, NULL, "TokenHost", "partition {aws} does not support hostname" },
	{ "ipv6 literal", "https://[::1]:443/?" BASEQ, NULL, "TokenHost", "invalid host format" },
};

TEST(token_hostile_variants)
{
	size_t n = sizeof HOSTILE / sizeof HOSTILE[0];
	CHECK(n >= 30);
	token_config c = cfg_for("aws", NULL);
	for (size_t i = 0; i < n; i++) {
		const hostile *h = &HOSTILE[i];
		char *tok;
		size_t tn;
		if (h->url) {
			/* Some URLs carry a NUL on purpose: measure through the visible end. */
			size_t un = strlen(h->url);
			if (strcmp(h->name, "NUL in URL") == 0)
				un += 2;
			tok = to_token(h->url, un);
			tn = strlen(tok);
		} else {
			tok = strdup(h->raw);
			tn = strlen(tok);
		}
		gh_arena a;
		gh_arena_init(&a, 0);
		token_result r;
		gh_err e = { 0 };
		bool ok = token_check(&c, (gh_str){ tok, tn }, NOW, &a, NULL, &r, &e);
		if (ok || !e.code || strcmp(e.code, h->code) != 0 || !strstr(e.msg, h->msg))
			test_failed(__FILE__, __LINE__, "%s: want %s \"%s\", got %s \"%s\"", h->name, h->code, h->msg,
				    ok ? "success" : e.code, e.msg);
		if (!ok && strncmp(e.msg, FP, strlen(FP)) != 0)
			test_failed(__FILE__, __LINE__, "%s: message lacks the upstream prefix: %s", h->name, e.msg);
		CHECK_INT_EQ(e.status, 401);
		gh_arena_free(&a);
		free(tok);
	}
	/* Every variant fails with its own message. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(HOSTILE[i].name, HOSTILE[j].name) == 0)
				test_failed(__FILE__, __LINE__, "duplicate hostile case %s", HOSTILE[i].name);
	/* A huge token is refused before it is decoded. */
	char *huge = malloc(1 << 20);
	memcpy(huge, TOKEN_PREFIX, 11);
	memset(huge + 11, 'A', (1 << 20) - 11);
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	gh_err e = { 0 };
	CHECK(!token_check(&c, (gh_str){ huge, 1 << 20 }, NOW, &a, NULL, &r, &e));
	CHECK_STR_EQ(e.code, "TokenTooLarge");
	gh_arena_free(&a);
	free(huge);
}

/* ---------- golden vector and signature verification ---------- */

#define GOLDEN_AKID "ASIAR2TG44V6AS3ZZE7C"
#define GOLDEN_SECRET "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/Q"
#define GOLDEN_SIG "e211dba77aba9dc44b0b6be38b8eaad092599c5157f6314444c5b9d85747f5ce"
#define GOLDEN_TOKEN                                                                                       \
	"k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9u" \
	"PTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BU0lBUjJURzQ0VjZB"     \
	"UzNaWkU3QyUyRjIwMjMwNDI4JTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyMzA0MjhUMDAw"     \
	"MDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1"     \
	"cmU9ZTIxMWRiYTc3YWJhOWRjNDRiMGI2YmUzOGI4ZWFhZDA5MjU5OWM1MTU3ZjYzMTQ0NDRjNWI5ZDg1NzQ3ZjVjZQ"

/* Presigns GetCallerIdentity as aws-iam-authenticator does; returns the token. */
static char *make_token(const char *host, const char *region, const char *cluster, const char *token,
			int64_t t, char sig[65])
{
	char base[256];
	snprintf(base, sizeof base, "https://%s", host);
	sigv4_header h[2] = { { GH_STR("host"), gh_str_c(host) }, { GH_STR("x-k8s-aws-id"), gh_str_c(cluster) } };
	sigv4_request req = { 0 };
	req.method = GH_STR("GET");
	req.path = GH_STR("/");
	req.query = GH_STR("Action=GetCallerIdentity&Version=2011-06-15");
	req.headers = h;
	req.n_headers = 2;
	sigv4_sign_params sp = { 0 };
	sp.access_key_id = GH_STR(GOLDEN_AKID);
	sp.secret_access_key = GH_STR(GOLDEN_SECRET);
	sp.session_token = gh_str_c(token);
	sp.region = gh_str_c(region);
	sp.service = GH_STR("sts");
	sp.time = t;
	sp.expires = 60;
	gh_buf url = { 0 };
	gh_err e = { 0 };
	if (!sigv4_presign_url(&req, gh_str_c(base), &sp, &url, sig, &e)) {
		test_failed(__FILE__, __LINE__, "presign: %s", e.msg);
		return NULL;
	}
	char *tok = to_token(url.p, url.n);
	gh_buf_free(&url);
	return tok;
}

/* The whole local verification: checks 1..16 then the signature. */
static bool verify_token(const token_config *c, const char *tok, int64_t now, const char *secret, gh_err *e,
			 token_result *r, gh_arena *a)
{
	sigv4_parsed p;
	if (!token_check(c, gh_str_c(tok), now, a, NULL, r, e) || !token_parse_signature(r, a, NULL, &p, e))
		return false;
	uint8_t key[SIGV4_KEY_LEN];
	sigv4_signing_key(gh_str_c(secret), p.scope_date, p.region, p.service, key);
	return sigv4_verify(&r->request, &p, key, e);
}

TEST(token_golden_vector_get_with_sts)
{
	char sig[65];
	char *tok = make_token("sts.us-west-2.amazonaws.com", "us-west-2", "test-cluster", NULL, NOW, sig);
	REQUIRE(tok);
	CHECK_STR_EQ(sig, GOLDEN_SIG);
	CHECK_STR_EQ(tok, GOLDEN_TOKEN); /* byte for byte what upstream's TestGetWithSTS expects */

	token_config c = cfg_for("aws", "us-west-2");
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	gh_err e = { 0 };
	CHECK(verify_token(&c, GOLDEN_TOKEN, NOW + 60, GOLDEN_SECRET, &e, &r, &a));
	CHECK(gh_str_eq_c(r.host, "sts.us-west-2.amazonaws.com"));
	CHECK(gh_str_eq_c(r.access_key_id, GOLDEN_AKID));
	CHECK(gh_str_eq_c(r.region, "us-west-2"));
	CHECK(gh_str_eq_c(r.service, "sts"));
	CHECK(gh_str_eq_c(r.scope_date, "20230428"));
	CHECK(gh_str_eq_c(r.amz_date, NOW_STR));
	CHECK(r.security_token.n == 0);
	CHECK_INT_EQ(r.expires_at, NOW + 900);
	CHECK_INT_EQ(r.expires_param, 60);
	CHECK(gh_str_has_prefix(r.url, GH_STR("https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&")));

	/* Bound to the cluster: the same token for another cluster does not verify. */
	token_config other = cfg_for("aws", NULL);
	other.cluster_id = "other-cluster";
	CHECK(!verify_token(&other, GOLDEN_TOKEN, NOW + 60, GOLDEN_SECRET, &e, &r, &a));
	CHECK_STR_EQ(e.code, "SignatureDoesNotMatch");
	/* Wrong secret. */
	CHECK(!verify_token(&c, GOLDEN_TOKEN, NOW + 60, "wrong/secret", &e, &r, &a));
	CHECK_STR_EQ(e.code, "SignatureDoesNotMatch");
	/* Expired after 15 minutes whatever X-Amz-Expires says (60). */
	CHECK(verify_token(&c, GOLDEN_TOKEN, NOW + 900, GOLDEN_SECRET, &e, &r, &a));
	CHECK(!verify_token(&c, GOLDEN_TOKEN, NOW + 901, GOLDEN_SECRET, &e, &r, &a));
	CHECK_STR_EQ(e.code, "TokenExpired");

	/* Through the key cache. */
	sigv4_keycache *kc = sigv4_keycache_new(64);
	REQUIRE(kc);
	sigv4_parsed p;
	CHECK(token_check(&c, GH_STR(GOLDEN_TOKEN), NOW, &a, NULL, &r, &e) && token_parse_signature(&r, &a, NULL, &p, &e));
	uint8_t key[SIGV4_KEY_LEN];
	for (int i = 0; i < 3; i++) {
		sigv4_keycache_get(kc, p.access_key_id, GH_STR(GOLDEN_SECRET), p.scope_date, p.region, p.service, key);
		CHECK(sigv4_verify(&r.request, &p, key, &e));
	}
	sigv4_keycache_stats st = sigv4_keycache_stats_get(kc);
	CHECK_INT_EQ(st.misses, 1);
	CHECK_INT_EQ(st.hits, 2);
	sigv4_keycache_free(kc);
	gh_arena_free(&a);
	free(tok);
}

TEST(token_session_token_and_regions)
{
	const char *session = "IQoJb3JpZ2luX2VjEA4aCXVzLWVhc3QtMSJHMEUCIQD+/=";
	char sig[65];
	char *tok = make_token("sts.eu-west-1.amazonaws.com", "eu-west-1", "test-cluster", session, NOW, sig);
	REQUIRE(tok);
	token_config c = cfg_for("aws", NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	gh_err e = { 0 };
	CHECK(verify_token(&c, tok, NOW, GOLDEN_SECRET, &e, &r, &a));
	CHECK(gh_str_eq_c(r.security_token, session));
	free(tok);

	/* Global endpoint: the scope must be us-east-1. */
	tok = make_token("sts.amazonaws.com", "us-east-1", "test-cluster", NULL, NOW, sig);
	CHECK(verify_token(&c, tok, NOW, GOLDEN_SECRET, &e, &r, &a));
	free(tok);
	tok = make_token("sts.amazonaws.com", "us-west-2", "test-cluster", NULL, NOW, sig);
	CHECK(!verify_token(&c, tok, NOW, GOLDEN_SECRET, &e, &r, &a));
	CHECK_STR_EQ(e.code, "SignatureDoesNotMatch");
	CHECK_STR_EQ(e.msg, "Credential should be scoped to a valid region, not 'us-west-2'.");
	free(tok);
	/* A regional host signed for another region. */
	tok = make_token("sts.us-west-2.amazonaws.com", "us-east-1", "test-cluster", NULL, NOW, sig);
	CHECK(!verify_token(&c, tok, NOW, GOLDEN_SECRET, &e, &r, &a));
	CHECK_CONTAINS(e.msg, "not 'us-east-1'");
	free(tok);
	/* Tampering with any signed parameter breaks the signature. */
	tok = make_token("sts.us-west-2.amazonaws.com", "us-west-2", "test-cluster", NULL, NOW, sig);
	gh_arena_free(&a);
	gh_arena_init(&a, 0);
	CHECK(token_check(&c, gh_str_c(tok), NOW, &a, NULL, &r, &e));
	gh_buf u = { 0 };
	gh_buf_put_str(&u, r.url);
	char *ver = strstr(u.p, "2011-06-15");
	REQUIRE(ver);
	ver[3] = '2'; /* Version=2012-06-15 */
	char *t2 = to_token(u.p, u.n);
	CHECK(!verify_token(&c, t2, NOW, GOLDEN_SECRET, &e, &r, &a));
	CHECK_STR_EQ(e.code, "SignatureDoesNotMatch");
	free(t2);
	gh_buf_free(&u);
	free(tok);
	gh_arena_free(&a);
}

TEST(token_signature_step_errors)
{
	token_config c = cfg_for("aws", NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	sigv4_parsed p;
	gh_err e = { 0 };
	/* Passes upstream's checks (lowercase names, no signature) but not SigV4, whose
	 * parameter names are case-sensitive. */
	const char *u = "https://sts.amazonaws.com/?" Q_OK;
	char *tok = to_token(u, strlen(u));
	CHECK(token_check(&c, gh_str_c(tok), NOW, &a, NULL, &r, &e));
	CHECK(!token_parse_signature(&r, &a, NULL, &p, &e));
	CHECK_STR_EQ(e.code, "MissingAuthenticationToken");
	free(tok);
	u = "https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=" NOW_STR;
	tok = to_token(u, strlen(u));
	CHECK(token_check(&c, gh_str_c(tok), NOW, &a, NULL, &r, &e));
	CHECK(!token_parse_signature(&r, &a, NULL, &p, &e));
	CHECK_STR_EQ(e.code, "IncompleteSignature");
	CHECK_STR_EQ(e.msg, "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string "
			    "parameters must include 'X-Amz-Credential'. AWS query-string parameters must "
			    "include 'X-Amz-Signature'. Re-examine the query-string parameters.");
	free(tok);
	/* A fractional X-Amz-Date passes Go's parser, not SigV4's. */
	u = "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20230428%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date=20230428T000000.5Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=" GOLDEN_SIG;
	tok = to_token(u, strlen(u));
	CHECK(token_check(&c, gh_str_c(tok), NOW, &a, NULL, &r, &e));
	CHECK(!token_parse_signature(&r, &a, NULL, &p, &e));
	CHECK_CONTAINS(e.msg, "Date must be in ISO-8601 'basic format'");
	free(tok);
	/* The wrong service. */
	u = "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20230428%2Fus-west-2%2Fiam%2Faws4_request&X-Amz-Date=" NOW_STR "&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=" GOLDEN_SIG;
	tok = to_token(u, strlen(u));
	CHECK(token_check(&c, gh_str_c(tok), NOW, &a, NULL, &r, &e));
	CHECK(!token_parse_signature(&r, &a, NULL, &p, &e));
	CHECK_STR_EQ(e.msg, "Credential should be scoped to correct service: 'sts'.");
	free(tok);
	gh_arena_free(&a);
}

TEST(token_extra_endpoints)
{
	const char *eps[] = { "http://127.0.0.1:43121", "https://localhost:8443/" };
	token_config c = cfg_for("aws", NULL);
	c.extra_endpoints = eps;
	c.n_extra_endpoints = 2;
	gh_err e = { 0 };
	CHECK(token_config_validate(&c, &e));
	const char *ok1 = "http://127.0.0.1:43121/?" BASEQ;
	const char *ok2 = "https://LOCALHOST:8443/?" BASEQ;
	CHECK(check_url_cfg(&c, ok1, strlen(ok1), NOW).code == NULL);
	CHECK(check_url_cfg(&c, ok2, strlen(ok2), NOW).code == NULL);
	const char *bad_port = "http://127.0.0.1:43122/?" BASEQ;
	gh_err b = check_url_cfg(&c, bad_port, strlen(bad_port), NOW);
	CHECK(b.code && strcmp(b.code, "TokenScheme") == 0);
	const char *bad_scheme = "https://127.0.0.1:43121/?" BASEQ;
	b = check_url_cfg(&c, bad_scheme, strlen(bad_scheme), NOW);
	CHECK(b.code && strcmp(b.code, "TokenHost") == 0);
	const char *bad_path = "http://127.0.0.1:43121/x?" BASEQ;
	b = check_url_cfg(&c, bad_path, strlen(bad_path), NOW);
	CHECK(b.code && strcmp(b.code, "TokenPath") == 0);

	/* A token for the sandbox verifies with any scope region, only for sts. */
	char sig[65];
	char *tok = make_token("127.0.0.1:43121", "eu-central-1", "test-cluster", NULL, NOW, sig);
	REQUIRE(tok);
	/* make_token builds https://; rebuild the token for http. */
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	token_config plain = c;
	CHECK(!token_check(&plain, gh_str_c(tok), NOW, &a, NULL, &r, &e)); /* https://127.0.0.1:43121 is not listed */
	const char *eps2[] = { "https://127.0.0.1:43121" };
	plain.extra_endpoints = eps2;
	plain.n_extra_endpoints = 1;
	CHECK(verify_token(&plain, tok, NOW, GOLDEN_SECRET, &e, &r, &a));
	CHECK(r.extra_endpoint);
	free(tok);
	gh_arena_free(&a);

	const char *bad[] = { "127.0.0.1:43121", "http://h/path", "gopher://h", "http://u@h" };
	for (int i = 0; i < 4; i++) {
		c.extra_endpoints = &bad[i];
		c.n_extra_endpoints = 1;
		CHECK(!token_config_validate(&c, &e));
	}
}

typedef struct trace_log {
	int n;
	int steps[TOKEN_STEPS + 2];
	bool passed[TOKEN_STEPS + 2];
	char last_detail[GH_ERR_MSG_MAX];
} trace_log;

static void on_step(void *ud, int step, const char *name, bool passed, const char *detail)
{
	trace_log *l = ud;
	if (l->n < TOKEN_STEPS + 2) {
		l->steps[l->n] = step;
		l->passed[l->n] = passed;
		l->n++;
	}
	CHECK(name && name[0]);
	snprintf(l->last_detail, sizeof l->last_detail, "%s", detail);
}

TEST(token_check_trace)
{
	token_config c = cfg_for("aws", NULL);
	trace_log log = { 0 };
	token_trace tr = { on_step, &log };
	gh_arena a;
	gh_arena_init(&a, 0);
	token_result r;
	sigv4_parsed p;
	gh_err e = { 0 };
	CHECK(token_check(&c, GH_STR(GOLDEN_TOKEN), NOW, &a, &tr, &r, &e));
	CHECK(token_parse_signature(&r, &a, &tr, &p, &e));
	CHECK_INT_EQ(log.n, 16);
	for (int i = 0; i < log.n; i++) {
		CHECK_INT_EQ(log.steps[i], i + 1);
		CHECK(log.passed[i]);
	}
	CHECK_CONTAINS(log.last_detail, "20230428/us-west-2/sts/aws4_request");

	/* A failure at step 12 reports 1..11 passed, 12 failed, nothing after. */
	memset(&log, 0, sizeof log);
	const char *u = UWEST "Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=901&X-Amz-Date=" NOW_STR;
	char *tok = to_token(u, strlen(u));
	CHECK(!token_check(&c, gh_str_c(tok), NOW, &a, &tr, &r, &e));
	CHECK_INT_EQ(log.n, 12);
	CHECK(log.passed[10] && !log.passed[11]);
	CHECK_STR_EQ(log.last_detail, e.msg);
	free(tok);
	gh_arena_free(&a);
}
