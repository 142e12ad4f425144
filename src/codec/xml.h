/* xml: a minimal writer for the AWS query protocol's XML answers.
 * Elements are written in order; text is escaped. No parser: gatehouse never reads XML
 * from untrusted peers except STS answers in pass-through mode, which use JSON. */
#ifndef GH_CODEC_XML_H
#define GH_CODEC_XML_H

#include "base/str.h"

void xml_open(gh_buf *b, const char *tag);
void xml_open_ns(gh_buf *b, const char *tag, const char *xmlns);
void xml_close(gh_buf *b, const char *tag);
void xml_elem(gh_buf *b, const char *tag, const char *text);	/* <tag>escaped</tag> */
void xml_elem_str(gh_buf *b, const char *tag, gh_str text);
void xml_elem_i64(gh_buf *b, const char *tag, long long v);
void xml_elem_bool(gh_buf *b, const char *tag, int v);
void xml_escape(gh_buf *b, gh_str text);

#endif
