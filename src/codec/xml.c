#include "codec/xml.h"

void xml_escape(gh_buf *b, gh_str t)
{
	for (size_t i = 0; i < t.n; i++) {
		switch (t.p[i]) {
		case '<': gh_buf_puts(b, "&lt;"); break;
		case '>': gh_buf_puts(b, "&gt;"); break;
		case '&': gh_buf_puts(b, "&amp;"); break;
		case '"': gh_buf_puts(b, "&quot;"); break;
		case '\'': gh_buf_puts(b, "&apos;"); break;
		case '\r': gh_buf_puts(b, "&#xD;"); break;
		default:
			/* Control characters other than tab and newline are not legal XML 1.0. */
			if ((unsigned char)t.p[i] < 0x20 && t.p[i] != '\t' && t.p[i] != '\n')
				gh_buf_printf(b, "&#x%X;", (unsigned char)t.p[i]);
			else
				gh_buf_putc(b, t.p[i]);
		}
	}
}

void xml_open(gh_buf *b, const char *tag)
{
	gh_buf_printf(b, "<%s>", tag);
}

void xml_open_ns(gh_buf *b, const char *tag, const char *xmlns)
{
	gh_buf_printf(b, "<%s xmlns=\"%s\">", tag, xmlns);
}

void xml_close(gh_buf *b, const char *tag)
{
	gh_buf_printf(b, "</%s>", tag);
}

void xml_elem_str(gh_buf *b, const char *tag, gh_str text)
{
	xml_open(b, tag);
	xml_escape(b, text);
	xml_close(b, tag);
}

void xml_elem(gh_buf *b, const char *tag, const char *text)
{
	xml_elem_str(b, tag, gh_str_c(text));
}

void xml_elem_i64(gh_buf *b, const char *tag, long long v)
{
	gh_buf_printf(b, "<%s>%lld</%s>", tag, v, tag);
}

void xml_elem_bool(gh_buf *b, const char *tag, int v)
{
	gh_buf_printf(b, "<%s>%s</%s>", tag, v ? "true" : "false", tag);
}
