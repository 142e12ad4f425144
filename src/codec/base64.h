/* base64: RFC 4648 encoding and strict decoding, standard and URL-safe alphabets.
 *
 * Two decoders with exact, documented semantics:
 * - base64_decode_std: standard alphabet, padding required (length a multiple of 4),
 *   nothing skipped, no trailing garbage.
 * - base64_decode_rawurl: Go's base64.RawURLEncoding.DecodeString, byte for byte: URL
 *   alphabet, no padding ('=' is an error), '+' and '/' are errors, '\r' and '\n' are
 *   skipped anywhere, non-zero trailing bits accepted. Errors carry Go's text
 *   "illegal base64 data at input byte N" with Go's offset. */
#ifndef GH_CODEC_BASE64_H
#define GH_CODEC_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

enum base64_alphabet { BASE64_STD, BASE64_URL };

size_t base64_encoded_len(size_t n, bool pad);
/* Writes base64_encoded_len(n, pad) bytes plus a NUL to out; returns the length. */
size_t base64_encode(const void *in, size_t n, enum base64_alphabet alpha, bool pad, char *out);
bool base64_encode_buf(const void *in, size_t n, enum base64_alphabet alpha, bool pad, gh_buf *out);

/* An upper bound of the decoded size of an n-byte input, for sizing `out`. */
size_t base64_decoded_max(size_t n);

/* `out` must hold base64_decoded_max(in.n) bytes; *out_n gets the decoded length.
 * Error code "InvalidBase64", status 400. */
bool base64_decode_std(gh_str in, uint8_t *out, size_t *out_n, gh_err *err);
bool base64_decode_rawurl(gh_str in, uint8_t *out, size_t *out_n, gh_err *err);

#endif
