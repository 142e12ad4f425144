#include "codec/jsonw.h"

#include <stdint.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void jsonw_string(gh_buf *b, gh_str s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s.p;
	gh_buf_reserve(b, s.n + 2);
	gh_buf_putc(b, '"');
	size_t i = 0;
	while (i < s.n) {
		size_t run = i;
		while (run < s.n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			gh_buf_put(b, p + i, run - i);
			i = run;
			continue;
		}
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			gh_buf_put(b, esc, 2);
			i++;
		} else if (c < 0x20) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			gh_buf_put(b, esc, 6);
			i++;
		} else {
			size_t l = utf8_len(p + i, s.n - i);
			if (l) {
				gh_buf_put(b, p + i, l);
				i += l;
			} else {
				gh_buf_puts(b, "\xef\xbf\xbd");
				i++;
			}
		}
	}
	gh_buf_putc(b, '"');
}

void jsonw_key(gh_buf *b, const char *k)
{
	jsonw_string(b, gh_str_c(k));
	gh_buf_putc(b, ':');
}
