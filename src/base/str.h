/* str: length-carrying strings.
 *
 * gh_str is a borrowed view (pointer + length, not NUL-terminated, never freed through
 * the view). gh_buf is an owned, growable byte buffer that always keeps a NUL after its
 * contents so it can be handed to C APIs. Parsers take views and never read past n. */
#ifndef GH_BASE_STR_H
#define GH_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct gh_str {
	const char *p;
	size_t n;
} gh_str;

#define GH_STR(lit) ((gh_str){ (lit), sizeof(lit) - 1 })
#define GH_STR_FMT "%.*s"
#define GH_STR_ARG(s) (int)(s).n, (s).p

gh_str gh_str_c(const char *s);		/* view of a C string; NULL gives the empty view */
bool gh_str_eq(gh_str a, gh_str b);
bool gh_str_eq_c(gh_str a, const char *b);
bool gh_str_ieq(gh_str a, gh_str b);	/* ASCII case-insensitive */
bool gh_str_ieq_c(gh_str a, const char *b);
bool gh_str_has_prefix(gh_str s, gh_str prefix);
bool gh_str_has_suffix(gh_str s, gh_str suffix);
gh_str gh_str_sub(gh_str s, size_t off, size_t len); /* clamped to s */
/* Index of the first c at or after `from`, or s.n when absent. */
size_t gh_str_find(gh_str s, char c, size_t from);
gh_str gh_str_trim(gh_str s);		/* ASCII whitespace both ends */
/* Splits at the first `sep`: *head gets what precedes it, *tail what follows. Returns
 * false (head = s, tail empty) when sep is absent. */
bool gh_str_cut(gh_str s, char sep, gh_str *head, gh_str *tail);
/* Parses a whole decimal integer (optional leading '-'); false on anything else. */
bool gh_str_to_i64(gh_str s, int64_t *out);
/* strndup of the view; NULL only on allocation failure. */
char *gh_str_dup(gh_str s);

typedef struct gh_buf {
	char *p;	/* NULL until the first write; always NUL-terminated after one */
	size_t n;
	size_t cap;
	bool oom;	/* sticky: set when an allocation failed; later writes are dropped */
} gh_buf;

void gh_buf_free(gh_buf *b);
void gh_buf_reset(gh_buf *b);		/* n = 0, keeps capacity */
bool gh_buf_reserve(gh_buf *b, size_t extra);
bool gh_buf_put(gh_buf *b, const void *p, size_t n);
bool gh_buf_puts(gh_buf *b, const char *s);
bool gh_buf_putc(gh_buf *b, char c);
bool gh_buf_put_str(gh_buf *b, gh_str s);
bool gh_buf_printf(gh_buf *b, const char *fmt, ...) GH_PRINTF(2, 3);
gh_str gh_buf_str(const gh_buf *b);
/* Hands the contents over (NUL-terminated, caller frees) and resets the buffer. */
char *gh_buf_take(gh_buf *b);

/* The value of one hex digit (either case), or -1. Inline: decoders call it per byte. */
static inline int gh_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
/* Hex of bytes, lowercase; out must hold 2*n+1. */
void gh_hex_encode(const uint8_t *in, size_t n, char *out);
/* Strict lowercase-or-uppercase hex decode of exactly 2*outlen chars. */
bool gh_hex_decode(gh_str in, uint8_t *out, size_t outlen);

#endif
