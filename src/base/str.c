#include "base/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gh_str gh_str_c(const char *s)
{
	return s ? (gh_str){ s, strlen(s) } : (gh_str){ "", 0 };
}

bool gh_str_eq(gh_str a, gh_str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool gh_str_eq_c(gh_str a, const char *b)
{
	return gh_str_eq(a, gh_str_c(b));
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

bool gh_str_ieq(gh_str a, gh_str b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

bool gh_str_ieq_c(gh_str a, const char *b)
{
	return gh_str_ieq(a, gh_str_c(b));
}

bool gh_str_has_prefix(gh_str s, gh_str prefix)
{
	return s.n >= prefix.n && memcmp(s.p, prefix.p, prefix.n) == 0;
}

bool gh_str_has_suffix(gh_str s, gh_str suffix)
{
	return s.n >= suffix.n && memcmp(s.p + s.n - suffix.n, suffix.p, suffix.n) == 0;
}

gh_str gh_str_sub(gh_str s, size_t off, size_t len)
{
	if (off > s.n)
		off = s.n;
	if (len > s.n - off)
		len = s.n - off;
	return (gh_str){ s.p + off, len };
}

size_t gh_str_find(gh_str s, char c, size_t from)
{
	for (size_t i = from; i < s.n; i++)
		if (s.p[i] == c)
			return i;
	return s.n;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

gh_str gh_str_trim(gh_str s)
{
	while (s.n && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool gh_str_cut(gh_str s, char sep, gh_str *head, gh_str *tail)
{
	size_t i = gh_str_find(s, sep, 0);
	if (i == s.n) {
		*head = s;
		*tail = (gh_str){ s.p + s.n, 0 };
		return false;
	}
	*head = gh_str_sub(s, 0, i);
	*tail = gh_str_sub(s, i + 1, s.n);
	return true;
}

bool gh_str_to_i64(gh_str s, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (s.n && s.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == s.n || s.n - i > 19)
		return false;
	uint64_t v = 0;
	for (; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

char *gh_str_dup(gh_str s)
{
	char *d = malloc(s.n + 1);
	if (!d)
		return NULL;
	if (s.n)
		memcpy(d, s.p, s.n);
	d[s.n] = '\0';
	return d;
}

void gh_buf_free(gh_buf *b)
{
	free(b->p);
	*b = (gh_buf){ 0 };
}

void gh_buf_reset(gh_buf *b)
{
	b->n = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

bool gh_buf_reserve(gh_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (extra > SIZE_MAX / 2 - b->n - 1) {
		b->oom = true;
		return false;
	}
	size_t need = b->n + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

bool gh_buf_put(gh_buf *b, const void *p, size_t n)
{
	if (!gh_buf_reserve(b, n))
		return false;
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
	return true;
}

bool gh_buf_puts(gh_buf *b, const char *s)
{
	return gh_buf_put(b, s, strlen(s));
}

bool gh_buf_putc(gh_buf *b, char c)
{
	return gh_buf_put(b, &c, 1);
}

bool gh_buf_put_str(gh_buf *b, gh_str s)
{
	return gh_buf_put(b, s.p, s.n);
}

bool gh_buf_printf(gh_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !gh_buf_reserve(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
	return true;
}

gh_str gh_buf_str(const gh_buf *b)
{
	return (gh_str){ b->p ? b->p : "", b->n };
}

char *gh_buf_take(gh_buf *b)
{
	char *p = b->p;
	if (!p)
		p = gh_str_dup(GH_STR(""));
	*b = (gh_buf){ 0 };
	return p;
}

void gh_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

bool gh_hex_decode(gh_str in, uint8_t *out, size_t outlen)
{
	if (in.n != 2 * outlen)
		return false;
	for (size_t i = 0; i < outlen; i++) {
		int hi = gh_hex_digit(in.p[2 * i]), lo = gh_hex_digit(in.p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}
