/* codec/url and codec/base64. */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "codec/base64.h"
#include "codec/url.h"
#include "test.h"

static bool decode_eq(const char *in, bool plus, const char *want)
{
	char out[256];
	size_t n;
	gh_err e = { 0 };
	return url_decode(gh_str_c(in), plus, out, &n, &e) && n == strlen(want) && memcmp(out, want, n) == 0;
}

TEST(url_decode_strict)
{
	CHECK(decode_eq("a%20b", false, "a b"));
	CHECK(decode_eq("a+b", false, "a+b"));
	CHECK(decode_eq("a+b", true, "a b"));
	CHECK(decode_eq("%E1%88%b4", false, "\xe1\x88\xb4"));
	CHECK(decode_eq("%00", false, "") == false); /* decodes to one NUL byte, not "" */
	char out[8];
	size_t n;
	CHECK(url_decode(GH_STR("%00"), false, out, &n, NULL) && n == 1 && out[0] == 0);
	gh_err e = { 0 };
	CHECK(!url_decode(GH_STR("abc%zz"), false, out, &n, &e));
	CHECK_STR_EQ(e.code, "InvalidEncoding");
	CHECK_STR_EQ(e.msg, "invalid percent-escape \"%zz\" at byte 3");
	CHECK(!url_decode(GH_STR("ab%4"), false, out, &n, &e));
	CHECK_STR_EQ(e.msg, "invalid percent-escape \"%4\" at byte 2");
	CHECK(!url_decode(GH_STR("%"), false, out, &n, &e));
	CHECK(!url_decode(GH_STR("%\x01" "1"), false, out, &n, &e));
	CHECK_CONTAINS(e.msg, "\\x01"); /* control bytes never reach a message raw */
	gh_buf b = { 0 };
	CHECK(url_decode_buf(GH_STR("x%2Fy"), false, &b, &e));
	CHECK_STR_EQ(b.p, "x/y");
	gh_buf_free(&b);
}

TEST(url_encode_aws)
{
	gh_buf b = { 0 };
	CHECK(url_encode_aws_buf(GH_STR("-._~AZaz09 /+=%\xe1\x88\xb4"), false, &b));
	CHECK_STR_EQ(b.p, "-._~AZaz09%20%2F%2B%3D%25%E1%88%B4");
	gh_buf_reset(&b);
	CHECK(url_encode_aws_buf(GH_STR("/a b/c%2F"), true, &b));
	CHECK_STR_EQ(b.p, "/a%20b/c%252F");
	CHECK_INT_EQ(url_encoded_len_aws(GH_STR("a b/"), true), 6);
	CHECK_INT_EQ(url_encoded_len_aws(GH_STR("a b/"), false), 8);
	gh_buf_free(&b);
	for (int c = 0; c < 256; c++) {
		bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				  c == '-' || c == '.' || c == '_' || c == '~';
		CHECK(url_is_unreserved((unsigned char)c) == unreserved);
	}
}

TEST(url_query_parse_pairs)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	url_query q;
	gh_err e = { 0 };
	CHECK(url_query_parse_arena(&a, GH_STR("a=1&&b&c=x%20y+z&=v&a=2&D=%3D"), URL_QUERY_FORM, &q, &e));
	REQUIRE(q.n == 6);
	CHECK(gh_str_eq_c(q.params[0].name, "a") && gh_str_eq_c(q.params[0].value, "1"));
	CHECK(gh_str_eq_c(q.params[1].name, "b") && q.params[1].value.n == 0 && !q.params[1].has_eq);
	CHECK(gh_str_eq_c(q.params[2].value, "x y z"));
	CHECK(gh_str_eq_c(q.params[2].raw_value, "x%20y+z"));
	CHECK_INT_EQ(q.params[2].offset, 7);
	CHECK(q.params[3].name.n == 0 && gh_str_eq_c(q.params[3].value, "v") && q.params[3].has_eq);
	CHECK(gh_str_eq_c(q.params[5].value, "="));
	CHECK(gh_str_eq_c(url_query_first(&q, GH_STR("a"))->value, "1"));
	CHECK(url_query_first(&q, GH_STR("d")) == NULL);
	CHECK(gh_str_eq_c(url_query_ifirst(&q, GH_STR("d"))->value, "="));
	CHECK_INT_EQ(url_query_count(&q, GH_STR("a")), 2);
	CHECK_INT_EQ(url_query_count(&q, GH_STR("zz")), 0);

	/* '+' stays literal without URL_PLUS_SPACE. */
	CHECK(url_query_parse_arena(&a, GH_STR("k=a+b"), 0, &q, &e));
	CHECK(gh_str_eq_c(q.params[0].value, "a+b"));
	/* Empty input. */
	CHECK(url_query_parse_arena(&a, GH_STR(""), URL_QUERY_GO, &q, &e) && q.n == 0);
	CHECK(url_query_parse_arena(&a, GH_STR("&&&"), URL_QUERY_GO, &q, &e) && q.n == 0);
	gh_arena_free(&a);
}

TEST(url_query_errors_name_positions)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	url_query q;
	gh_err e = { 0 };
	CHECK(!url_query_parse_arena(&a, GH_STR("ok=1&bad=%G1"), URL_QUERY_FORM, &q, &e));
	CHECK_STR_EQ(e.code, "MalformedQueryString");
	CHECK_STR_EQ(e.msg, "invalid percent-escape \"%G1\" at byte 9");
	CHECK(!url_query_parse_arena(&a, GH_STR("ok=1&b%x=1"), URL_QUERY_FORM, &q, &e));
	CHECK_STR_EQ(e.msg, "invalid percent-escape \"%x\" at byte 6");
	/* Go mode: a raw ';' is an error; form mode keeps it. */
	CHECK(!url_query_parse_arena(&a, GH_STR("a=1;b=2"), URL_QUERY_GO, &q, &e));
	CHECK_STR_EQ(e.msg, "invalid semicolon separator in query at byte 3");
	CHECK(url_query_parse_arena(&a, GH_STR("a=1;b=2"), URL_QUERY_FORM, &q, &e));
	CHECK(gh_str_eq_c(q.params[0].value, "1;b=2"));
	CHECK(url_query_parse_arena(&a, GH_STR("a=1%3Bb"), URL_QUERY_GO, &q, &e)); /* encoded is fine */

	/* Bounds: size and pair count. */
	char *big = malloc(URL_QUERY_MAX_BYTES + 2);
	memset(big, 'a', URL_QUERY_MAX_BYTES + 1);
	big[URL_QUERY_MAX_BYTES + 1] = 0;
	CHECK(!url_query_parse_arena(&a, gh_str_c(big), URL_QUERY_FORM, &q, &e));
	CHECK_STR_EQ(e.code, "RequestTooLarge");
	CHECK_CONTAINS(e.msg, "65537 bytes");
	gh_buf many = { 0 };
	for (int i = 0; i <= URL_QUERY_MAX_PARAMS; i++)
		gh_buf_printf(&many, "%sp%d=1", i ? "&" : "", i);
	CHECK(!url_query_parse_arena(&a, gh_buf_str(&many), URL_QUERY_FORM, &q, &e));
	CHECK_CONTAINS(e.msg, "more than 1000 parameters");
	url_param small[3];
	char scratch[64];
	size_t n;
	CHECK(!url_query_parse(GH_STR("a&b&c&d"), 0, small, 3, &n, scratch, sizeof scratch, &e));
	CHECK_CONTAINS(e.msg, "more than 3 parameters (at byte 6)");
	CHECK(url_query_parse(GH_STR("a&b&c"), 0, small, 3, &n, scratch, sizeof scratch, &e) && n == 3);
	gh_buf_free(&many);
	free(big);
	gh_arena_free(&a);
}

static bool rawurl(const char *in, const char *want, const char *errmsg)
{
	uint8_t out[256];
	size_t n;
	gh_err e = { 0 };
	bool ok = base64_decode_rawurl(gh_str_c(in), out, &n, &e);
	if (want)
		return ok && n == strlen(want) && memcmp(out, want, n) == 0;
	return !ok && strcmp(e.msg, errmsg) == 0;
}

/* Go's base64.RawURLEncoding.DecodeString, case by case. */
TEST(base64_rawurl_is_go)
{
	CHECK(rawurl("", "", NULL));
	CHECK(rawurl("YQ", "a", NULL));
	CHECK(rawurl("YWI", "ab", NULL));
	CHECK(rawurl("YWJj", "abc", NULL));
	CHECK(rawurl("_-8", "\xff\xef", NULL));
	CHECK(rawurl("YW\r\nJj\n", "abc", NULL));
	CHECK(rawurl("YR", "a", NULL)); /* non-zero trailing bits are accepted (not Strict) */
	CHECK(rawurl("YQ==", NULL, "illegal base64 data at input byte 2"));
	CHECK(rawurl("YWJjZA=", NULL, "illegal base64 data at input byte 6"));
	CHECK(rawurl("ab+c", NULL, "illegal base64 data at input byte 2"));
	CHECK(rawurl("ab/c", NULL, "illegal base64 data at input byte 2"));
	CHECK(rawurl("YWJjZ", NULL, "illegal base64 data at input byte 4"));
	CHECK(rawurl("YWJjZ\n", NULL, "illegal base64 data at input byte 5"));
	CHECK(rawurl("decodingerror", NULL, "illegal base64 data at input byte 12"));
	CHECK(rawurl("ab\x80", NULL, "illegal base64 data at input byte 2"));
	CHECK(rawurl("a b", NULL, "illegal base64 data at input byte 1"));
}

TEST(base64_std_and_roundtrip)
{
	uint8_t out[64];
	size_t n;
	gh_err e = { 0 };
	CHECK(base64_decode_std(GH_STR("YWJjZA=="), out, &n, &e) && n == 4 && memcmp(out, "abcd", 4) == 0);
	CHECK(base64_decode_std(GH_STR("+/+/"), out, &n, &e) && n == 3);
	CHECK(!base64_decode_std(GH_STR("YWJjZA"), out, &n, &e));
	CHECK_CONTAINS(e.msg, "not a multiple of 4");
	CHECK(!base64_decode_std(GH_STR("YW=j"), out, &n, &e));
	CHECK(!base64_decode_std(GH_STR("YWJjZB=="), out, &n, &e)); /* non-zero pad bits */
	CHECK_CONTAINS(e.msg, "non-zero padding bits");
	CHECK(!base64_decode_std(GH_STR("-_-_"), out, &n, &e));
	CHECK(!base64_decode_std(GH_STR("YWJj\n"), out, &n, &e));
	CHECK(base64_decode_std(GH_STR(""), out, &n, &e) && n == 0);

	/* Every length 0..40 round-trips in all four encodings. */
	uint8_t in[40];
	for (int i = 0; i < 40; i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (size_t len = 0; len <= 40; len++) {
		char enc[80];
		size_t m = base64_encode(in, len, BASE64_URL, false, enc);
		CHECK_INT_EQ(m, base64_encoded_len(len, false));
		CHECK(strchr(enc, '=') == NULL && strchr(enc, '+') == NULL && strchr(enc, '/') == NULL);
		CHECK(base64_decode_rawurl((gh_str){ enc, m }, out, &n, &e) && n == len && memcmp(out, in, len) == 0);
		m = base64_encode(in, len, BASE64_STD, true, enc);
		CHECK_INT_EQ(m, base64_encoded_len(len, true));
		CHECK(m % 4 == 0);
		CHECK(base64_decode_std((gh_str){ enc, m }, out, &n, &e) && n == len && memcmp(out, in, len) == 0);
		CHECK(base64_decoded_max(m) >= len);
	}
	char enc[16];
	base64_encode("\xfb\xff", 2, BASE64_STD, true, enc);
	CHECK_STR_EQ(enc, "+/8=");
	base64_encode("\xfb\xff", 2, BASE64_URL, false, enc);
	CHECK_STR_EQ(enc, "-_8");
	gh_buf b = { 0 };
	CHECK(base64_encode_buf("hello", 5, BASE64_STD, true, &b));
	CHECK_STR_EQ(b.p, "aGVsbG8=");
	gh_buf_free(&b);
}
