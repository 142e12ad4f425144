#include "crypto/aead.h"
#include "test.h"

static const uint8_t key1[GH_AEAD_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
					       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const uint8_t key2[GH_AEAD_KEY_LEN] = { 9 };

TEST(aead_roundtrip)
{
	gh_buf sealed = { 0 }, plain = { 0 };
	gh_err err = { 0 };
	gh_str secret = GH_STR("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
	REQUIRE(aead_seal(key1, secret, GH_STR("iam-secret:AKIA1"), &sealed, &err));
	CHECK_INT_EQ(sealed.n, secret.n + GH_AEAD_OVERHEAD);
	CHECK_INT_EQ((uint8_t)sealed.p[0], GH_AEAD_V1);
	CHECK(memmem(sealed.p, sealed.n, secret.p, secret.n) == NULL);
	REQUIRE(aead_open(key1, gh_buf_str(&sealed), GH_STR("iam-secret:AKIA1"), &plain, &err));
	CHECK(gh_str_eq(gh_buf_str(&plain), secret));
	aead_buf_wipe(&plain);
	CHECK(plain.p == NULL);

	/* Empty plaintext and binary data with NULs both survive. */
	gh_buf s2 = { 0 }, p2 = { 0 };
	REQUIRE(aead_seal(key1, (gh_str){ "", 0 }, (gh_str){ "", 0 }, &s2, &err));
	CHECK_INT_EQ(s2.n, GH_AEAD_OVERHEAD);
	REQUIRE(aead_open(key1, gh_buf_str(&s2), (gh_str){ "", 0 }, &p2, &err));
	CHECK_INT_EQ(p2.n, 0);
	gh_buf_reset(&s2);
	gh_buf_reset(&p2);
	REQUIRE(aead_seal(key1, (gh_str){ "a\0b\0", 4 }, GH_STR("x"), &s2, &err));
	REQUIRE(aead_open(key1, gh_buf_str(&s2), GH_STR("x"), &p2, &err));
	CHECK(p2.n == 4 && memcmp(p2.p, "a\0b\0", 4) == 0);
	gh_buf_free(&s2);
	aead_buf_wipe(&p2);
	gh_buf_free(&sealed);
}

TEST(aead_nonces_differ)
{
	gh_buf a = { 0 }, b = { 0 };
	REQUIRE(aead_seal(key1, GH_STR("same"), GH_STR("aad"), &a, NULL));
	REQUIRE(aead_seal(key1, GH_STR("same"), GH_STR("aad"), &b, NULL));
	CHECK(a.n == b.n);
	CHECK(memcmp(a.p + 1, b.p + 1, GH_AEAD_NONCE_LEN) != 0);
	CHECK(memcmp(a.p, b.p, a.n) != 0);
	gh_buf_free(&a);
	gh_buf_free(&b);
}

TEST(aead_appends_to_existing_buffer)
{
	gh_buf out = { 0 };
	gh_buf_puts(&out, "prefix:");
	REQUIRE(aead_seal(key1, GH_STR("v"), GH_STR("a"), &out, NULL));
	CHECK(out.n == 7 + 1 + GH_AEAD_OVERHEAD);
	CHECK(memcmp(out.p, "prefix:", 7) == 0);
	gh_buf plain = { 0 };
	gh_buf_puts(&plain, "keep");
	REQUIRE(aead_open(key1, gh_str_sub(gh_buf_str(&out), 7, out.n - 7), GH_STR("a"), &plain, NULL));
	CHECK_STR_EQ(plain.p, "keepv");
	gh_buf_free(&out);
	gh_buf_free(&plain);
}

TEST(aead_rejects_every_tamper)
{
	gh_buf sealed = { 0 };
	REQUIRE(aead_seal(key1, GH_STR("top secret value"), GH_STR("row:7"), &sealed, NULL));
	int failures = 0;
	/* Flip each bit of every byte, one at a time: version, nonce, ciphertext and tag. */
	for (size_t i = 0; i < sealed.n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			sealed.p[i] ^= (char)(1 << bit);
			gh_buf out = { 0 };
			gh_buf_puts(&out, "untouched");
			gh_err err = { 0 };
			if (!aead_open(key1, gh_buf_str(&sealed), GH_STR("row:7"), &out, &err) &&
			    strcmp(err.code, "DecryptFailed") == 0 && out.n == 9 &&
			    strcmp(out.p, "untouched") == 0)
				failures++;
			gh_buf_free(&out);
			sealed.p[i] ^= (char)(1 << bit);
		}
	}
	CHECK_INT_EQ(failures, (int)sealed.n * 8);

	gh_err err = { 0 };
	gh_buf out = { 0 };
	CHECK(!aead_open(key1, gh_buf_str(&sealed), GH_STR("row:8"), &out, &err));
	CHECK_STR_EQ(err.code, "DecryptFailed");
	CHECK(!aead_open(key2, gh_buf_str(&sealed), GH_STR("row:7"), &out, &err));
	CHECK_STR_EQ(err.code, "DecryptFailed");
	char msg_wrong_key[GH_ERR_MSG_MAX];
	strcpy(msg_wrong_key, err.msg);
	/* Truncation, at every length, is refused the same way and says the same thing. */
	for (size_t n = 0; n < sealed.n; n++) {
		gh_err e = { 0 };
		CHECK(!aead_open(key1, (gh_str){ sealed.p, n }, GH_STR("row:7"), &out, &e));
		CHECK_STR_EQ(e.msg, msg_wrong_key);
	}
	CHECK_INT_EQ(out.n, 0);
	/* An appended byte moves the tag and must fail too. */
	gh_buf_putc(&sealed, 'x');
	CHECK(!aead_open(key1, gh_buf_str(&sealed), GH_STR("row:7"), &out, &err));
	gh_buf_free(&sealed);
	gh_buf_free(&out);
}
