#include <jansson.h>

#include "codec/jsonw.h"
#include "test.h"

static char *w(gh_str s)
{
	gh_buf b = { 0 };
	jsonw_string(&b, s);
	return gh_buf_take(&b);
}

TEST(jsonw_escapes_and_stays_valid)
{
	char *s = w(GH_STR("a\"b\\c\n\x01"));
	CHECK_STR_EQ(s, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	free(s);
	s = w(GH_STR("caf\xc3\xa9 \xe2\x82\xac"));
	CHECK_STR_EQ(s, "\"caf\xc3\xa9 \xe2\x82\xac\"");
	free(s);
	/* Invalid UTF-8 (a lone continuation byte, a truncated sequence, an overlong form,
	 * a surrogate) becomes U+FFFD: the output always parses. */
	const char *bad[] = { "\x80", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "ok\xff" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		s = w(gh_str_c(bad[i]));
		json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
		CHECK(json_is_string(j));
		CHECK_CONTAINS(s, "\xef\xbf\xbd");
		json_decref(j);
		free(s);
	}
	/* An embedded NUL is escaped, not a terminator. */
	s = w((gh_str){ "a\0b", 3 });
	CHECK_STR_EQ(s, "\"a\\u0000b\"");
	free(s);
}
