/* test: the unit-test harness.
 *
 * TEST(name) { ... } registers a test at load time; CHECK* record a failure with file and
 * line and let the test go on, REQUIRE* return from it. The runner (tests/unit/main.c)
 * prints one line per failed check and ends with "N passed, N failed". Tests that need
 * the shared conformance data call test_shared_path(). */
#ifndef GH_TEST_H
#define GH_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, const char *file, test_fn fn);
void test_failed(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "<shared>/<rel>" into a static buffer; <shared> is $GH_SHARED or ../shared. */
const char *test_shared_path(const char *rel);
/* Reads a whole file (NUL-terminated, caller frees); NULL if unreadable. */
char *test_read_file(const char *path, size_t *len);

#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	__attribute__((constructor)) static void test_reg_##name(void)    \
	{                                                                 \
		test_register(#name, __FILE__, test_##name);              \
	}                                                                 \
	static void test_##name(void)

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond))                                                     \
			test_failed(__FILE__, __LINE__, "CHECK(%s)", #cond);     \
	} while (0)

#define REQUIRE(cond)                                                            \
	do {                                                                     \
		if (!(cond)) {                                                   \
			test_failed(__FILE__, __LINE__, "REQUIRE(%s)", #cond);   \
			return;                                                  \
		}                                                                \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                                       \
	do {                                                                                     \
		const char *a_ = (a), *b_ = (b);                                                 \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                           \
			test_failed(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,    \
				    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                                        \
	do {                                                                                      \
		long long a_ = (long long)(a), b_ = (long long)(b);                               \
		if (a_ != b_)                                                                     \
			test_failed(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)

/* The haystack must contain the needle. */
#define CHECK_CONTAINS(hay, needle)                                                               \
	do {                                                                                      \
		const char *h_ = (hay), *n_ = (needle);                                           \
		if (!h_ || !strstr(h_, n_))                                                       \
			test_failed(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"",         \
				    h_ ? h_ : "(null)", n_);                                      \
	} while (0)

#endif
