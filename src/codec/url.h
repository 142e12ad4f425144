/* url: percent-decoding, AWS SigV4 URI encoding and query-string / form parsing.
 *
 * Decoding is strict: a '%' not followed by two hex digits is an error that names its
 * byte offset. Encoding follows SigV4: the unreserved bytes A-Z a-z 0-9 - . _ ~ are
 * kept, every other byte becomes %XX with uppercase hex ('/' optionally kept).
 *
 * A parsed query keeps both the decoded and the raw (as sent) name and value of every
 * pair, because SigV4 canonicalization re-encodes from the decoded form while error
 * messages and signature-free checks want the raw one. Input size and pair count are
 * bounded. Nothing here allocates unless given an arena or a gh_buf. */
#ifndef GH_CODEC_URL_H
#define GH_CODEC_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

#define URL_QUERY_MAX_BYTES (64 * 1024)
#define URL_QUERY_MAX_PARAMS 1000

/* Query parsing modes (bit flags). */
enum {
	URL_PLUS_SPACE = 1 << 0,	/* '+' decodes to ' ' (forms, AWS query strings, Go) */
	URL_REJECT_SEMICOLON = 1 << 1,	/* a raw ';' in a pair is an error (Go >= 1.17) */
};
/* Go's url.ParseQuery: '+' is a space, a raw ';' or a bad '%' is an error. */
#define URL_QUERY_GO (URL_PLUS_SPACE | URL_REJECT_SEMICOLON)
/* application/x-www-form-urlencoded and AWS query strings. */
#define URL_QUERY_FORM URL_PLUS_SPACE

typedef struct url_param {
	gh_str name;	  /* decoded */
	gh_str value;	  /* decoded; empty when the pair had no '=' */
	gh_str raw_name;  /* exactly as in the input */
	gh_str raw_value;
	size_t offset;	  /* byte offset of the pair in the input */
	bool has_eq;	  /* the pair contained '=' */
} url_param;

typedef struct url_query {
	url_param *params;
	size_t n;
} url_query;

/* Decodes %XX escapes (and '+' when plus_space). `out` must hold in.n bytes; *out_n gets
 * the decoded length. Fails on a bad escape, naming its offset. */
bool url_decode(gh_str in, bool plus_space, char *out, size_t *out_n, gh_err *err);
bool url_decode_buf(gh_str in, bool plus_space, gh_buf *out, gh_err *err);
/* Only checks that every '%' starts a valid escape (MalformedQueryString, with the offset),
 * so that later decoding of any part of `in` cannot fail. */
bool url_check_escapes(gh_str in, gh_err *err);

/* SigV4 URI encoding. url_encode_aws writes at most 3 * in.n bytes to out (no NUL) and
 * returns the length written; url_encoded_len_aws says how many it will write. */
size_t url_encode_aws(gh_str in, bool keep_slash, char *out);
size_t url_encoded_len_aws(gh_str in, bool keep_slash);
bool url_encode_aws_buf(gh_str in, bool keep_slash, gh_buf *out);

/* 1 for the unreserved bytes A-Z a-z 0-9 - . _ ~ (inline: canonicalization asks per byte). */
extern const unsigned char url_unreserved_table[256];
static inline bool url_is_unreserved(unsigned char c)
{
	return url_unreserved_table[c] != 0;
}

/* Parses a query string (without '?') or a form body. Empty pairs ("a&&b") are skipped;
 * a pair without '=' has an empty value. Up to `max_params` pairs go to `out`; decoded
 * bytes go to `scratch`, which must hold raw.n bytes. Fails when raw is larger than
 * URL_QUERY_MAX_BYTES, when there are more than max_params pairs, or on a bad escape. */
bool url_query_parse(gh_str raw, unsigned mode, url_param *out, size_t max_params, size_t *n_out,
		     char *scratch, size_t scratch_cap, gh_err *err);
/* Same, with the pair array and decoded bytes taken from an arena (URL_QUERY_MAX_PARAMS). */
bool url_query_parse_arena(gh_arena *a, gh_str raw, unsigned mode, url_query *out, gh_err *err);

/* First pair whose decoded name equals `name` exactly / ASCII case-insensitively; NULL if
 * none. url_query_count counts exact matches. */
const url_param *url_query_first(const url_query *q, gh_str name);
const url_param *url_query_ifirst(const url_query *q, gh_str name);
size_t url_query_count(const url_query *q, gh_str name);

#endif
