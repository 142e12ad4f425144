/* Fuzzes the query/form decoder and the base64 decoders. The first byte picks the mode.
 * Invariants: no crash; every pair's raw slices lie inside the input; a decoded part
 * SigV4-encodes and decodes back to itself; the escape check agrees with the parser;
 * base64 output re-encodes to text that decodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "codec/base64.h"
#include "codec/url.h"

static void check_roundtrip(gh_str decoded)
{
	char *enc = malloc(3 * decoded.n + 1), *back = malloc(3 * decoded.n + 1);
	size_t n = url_encode_aws(decoded, false, enc), m;
	if (n != url_encoded_len_aws(decoded, false))
		abort();
	if (!url_decode((gh_str){ enc, n }, false, back, &m, NULL) || m != decoded.n ||
	    (m && memcmp(back, decoded.p, m) != 0))
		abort();
	free(enc);
	free(back);
}

static bool inside(gh_str s, gh_str in)
{
	return s.n == 0 || (s.p >= in.p && s.p + s.n <= in.p + in.n);
}

static void fuzz_base64(gh_str in)
{
	uint8_t *out = malloc(base64_decoded_max(in.n) + 1);
	size_t n;
	if (base64_decode_rawurl(in, out, &n, NULL)) {
		char *enc = malloc(base64_encoded_len(n, false) + 1);
		size_t m = base64_encode(out, n, BASE64_URL, false, enc);
		uint8_t *again = malloc(base64_decoded_max(m) + 1);
		size_t k;
		if (!base64_decode_rawurl((gh_str){ enc, m }, again, &k, NULL) || k != n || (n && memcmp(again, out, n)))
			abort();
		free(again);
		free(enc);
	}
	if (base64_decode_std(in, out, &n, NULL)) {
		char *enc = malloc(base64_encoded_len(n, true) + 1);
		size_t m = base64_encode(out, n, BASE64_STD, true, enc);
		/* Strict decoding means one text per byte string. */
		if (m != in.n || memcmp(enc, in.p, m) != 0)
			abort();
		free(enc);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0] & 3;
	gh_str in = { (const char *)data + 1, size - 1 };
	gh_arena a;
	gh_arena_init(&a, 0);
	url_query q;
	bool ok = url_query_parse_arena(&a, in, mode, &q, NULL);
	if (ok) {
		for (size_t i = 0; i < q.n; i++) {
			const url_param *p = &q.params[i];
			if (!inside(p->raw_name, in) || !inside(p->raw_value, in) || p->name.n > p->raw_name.n ||
			    p->value.n > p->raw_value.n || p->offset >= in.n)
				abort();
			check_roundtrip(p->name);
			check_roundtrip(p->value);
			if (url_query_first(&q, p->name) == NULL || url_query_count(&q, p->name) == 0 ||
			    url_query_ifirst(&q, p->name) == NULL)
				abort();
		}
	}
	/* Without the ';' rule and within the bounds, parsing fails exactly on a bad escape. */
	size_t segs = 1;
	for (size_t i = 0; i < in.n; i++)
		segs += in.p[i] == '&';
	if (!(mode & URL_REJECT_SEMICOLON) && in.n <= URL_QUERY_MAX_BYTES && segs <= URL_QUERY_MAX_PARAMS &&
	    ok != url_check_escapes(in, NULL))
		abort();
	gh_buf b = { 0 };
	if (url_decode_buf(in, mode & 1, &b, NULL) != url_check_escapes(in, NULL))
		abort();
	gh_buf_free(&b);
	gh_arena_free(&a);
	fuzz_base64(in);
	return 0;
}
