/* jsonw: a small streaming JSON writer for hot answers (TokenReview), where building a
 * jansson tree per request costs more than the decision itself. Strings are escaped per
 * RFC 8259; invalid UTF-8 bytes are replaced by U+FFFD so the output is always valid. */
#ifndef GH_CODEC_JSONW_H
#define GH_CODEC_JSONW_H

#include "base/str.h"

void jsonw_string(gh_buf *b, gh_str s);	 /* "escaped" */
void jsonw_key(gh_buf *b, const char *k); /* "k": */

#endif
