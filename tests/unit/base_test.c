#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "base/timefmt.h"
#include "test.h"

TEST(str_views)
{
	gh_str s = GH_STR("  hello world \n");
	gh_str t = gh_str_trim(s);
	CHECK(gh_str_eq_c(t, "hello world"));
	gh_str head, tail;
	CHECK(gh_str_cut(t, ' ', &head, &tail));
	CHECK(gh_str_eq_c(head, "hello"));
	CHECK(gh_str_eq_c(tail, "world"));
	CHECK(!gh_str_cut(GH_STR("abc"), '/', &head, &tail));
	CHECK(gh_str_ieq_c(GH_STR("X-Amz-Date"), "x-amz-date"));
	int64_t v;
	CHECK(gh_str_to_i64(GH_STR("900"), &v) && v == 900);
	CHECK(gh_str_to_i64(GH_STR("-5"), &v) && v == -5);
	CHECK(!gh_str_to_i64(GH_STR("9x"), &v));
	CHECK(!gh_str_to_i64(GH_STR(""), &v));
	CHECK(!gh_str_to_i64(GH_STR("99999999999999999999"), &v));
}

TEST(buf_grows_and_formats)
{
	gh_buf b = { 0 };
	for (int i = 0; i < 1000; i++)
		gh_buf_printf(&b, "%d,", i);
	CHECK(!b.oom);
	CHECK(b.n > 3000);
	CHECK(b.p[b.n] == '\0');
	char *p = gh_buf_take(&b);
	CHECK(strncmp(p, "0,1,2,", 6) == 0);
	free(p);
	CHECK(b.p == NULL);
}

TEST(hex_roundtrip)
{
	uint8_t in[4] = { 0xde, 0xad, 0xbe, 0xef }, out[4];
	char hex[9];
	gh_hex_encode(in, 4, hex);
	CHECK_STR_EQ(hex, "deadbeef");
	CHECK(gh_hex_decode(gh_str_c(hex), out, 4) && memcmp(in, out, 4) == 0);
	CHECK(!gh_hex_decode(GH_STR("deadbeeg"), out, 4));
	CHECK(!gh_hex_decode(GH_STR("deadbe"), out, 4));
}

TEST(arena_allocates_aligned)
{
	gh_arena a;
	gh_arena_init(&a, 64);
	for (int i = 0; i < 100; i++) {
		void *p = gh_arena_alloc(&a, (size_t)i * 7 + 1);
		CHECK(p && ((uintptr_t)p % 16) == 0);
	}
	gh_str s = gh_arena_str(&a, GH_STR("copy"));
	CHECK(gh_str_eq_c(s, "copy"));
	gh_arena_free(&a);
}

TEST(time_formats)
{
	char amz[GH_AMZDATE_LEN + 1], iso[GH_ISO8601_LEN + 1];
	gh_time_amzdate(1682640000, amz);
	CHECK_STR_EQ(amz, "20230428T000000Z");
	gh_time_iso8601(1440938160, iso);
	CHECK_STR_EQ(iso, "2015-08-30T12:36:00Z");
	int64_t t;
	CHECK(gh_time_parse_amzdate(GH_STR("20150830T123600Z"), &t) && t == 1440938160);
	CHECK(!gh_time_parse_amzdate(GH_STR("20150830T123600"), &t));
	CHECK(!gh_time_parse_amzdate(GH_STR("20150230T123600Z"), &t));
	CHECK(!gh_time_parse_amzdate(GH_STR("2015-8-30T123600Z"), &t));
	CHECK(gh_time_parse_iso8601(GH_STR("2015-08-30T12:36:00Z"), &t) && t == 1440938160);
	CHECK(gh_time_parse_iso8601(GH_STR("2015-08-30T14:36:00.123+02:00"), &t) && t == 1440938160);
	CHECK(!gh_time_parse_iso8601(GH_STR("2015-08-30T12:36:00"), &t));
	CHECK(gh_time_parse_http(GH_STR("Sun, 30 Aug 2015 12:36:00 GMT"), &t) && t == 1440938160);
	CHECK(gh_time_parse_amzdate(GH_STR("20240229T000000Z"), &t));
	CHECK(!gh_time_parse_amzdate(GH_STR("20230229T000000Z"), &t));
}

TEST(err_convention)
{
	gh_err e = { 0 };
	CHECK(!gh_fail(&e, "InvalidInput", 400, "field %s is bad", "x"));
	CHECK_STR_EQ(e.code, "InvalidInput");
	CHECK_STR_EQ(e.msg, "field x is bad");
	CHECK(!gh_fail_wrap(&e, "loading %s", "y"));
	CHECK_STR_EQ(e.msg, "loading y: field x is bad");
	CHECK(!gh_fail(NULL, "X", 0, "ignored"));
}

#include "crypto/hash.h"

TEST(sha256_and_hmac)
{
	char hex[65];
	gh_sha256_hex("", 0, hex);
	CHECK_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	uint8_t mac[32];
	gh_hmac_sha256("key", 3, "The quick brown fox jumps over the lazy dog", 43, mac);
	gh_hex_encode(mac, 32, hex);
	CHECK_STR_EQ(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
	CHECK(gh_ct_eq("abc", "abc", 3));
	CHECK(!gh_ct_eq("abc", "abd", 3));
	CHECK(!gh_ct_str_eq(GH_STR("ab"), GH_STR("abc")));
	uint8_t r1[16], r2[16];
	REQUIRE(gh_random_bytes(r1, 16) && gh_random_bytes(r2, 16));
	CHECK(memcmp(r1, r2, 16) != 0);
}

TEST(gh_fail_may_reuse_its_own_message)
{
	gh_err err = { 0 };
	gh_fail(&err, "Inner", 400, "inner reason");
	gh_fail(&err, "Outer", 500, "outer: %s", err.msg);
	CHECK_STR_EQ(err.msg, "outer: inner reason");
	CHECK_STR_EQ(err.code, "Outer");
}
