#include "codec/base64.h"

static const char STD_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char URL_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64_encoded_len(size_t n, bool pad)
{
	return pad ? (n + 2) / 3 * 4 : (n * 8 + 5) / 6;
}

size_t base64_encode(const void *in, size_t n, enum base64_alphabet alpha, bool pad, char *out)
{
	const char *tab = alpha == BASE64_URL ? URL_CHARS : STD_CHARS;
	const uint8_t *s = in;
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

bool base64_encode_buf(const void *in, size_t n, enum base64_alphabet alpha, bool pad, gh_buf *out)
{
	size_t need = base64_encoded_len(n, pad);
	if (!gh_buf_reserve(out, need + 1))
		return false;
	out->n += base64_encode(in, n, alpha, pad, out->p + out->n);
	return true;
}

size_t base64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

/* URL-alphabet value + 1 (0: not in the alphabet), for the token decoder's per-byte lookup. */
static const unsigned char URL_VALUES1[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23,
	['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44,
	['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58,
	['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['-'] = 63, ['_'] = 64,
};

static int sextet(unsigned char c, enum base64_alphabet alpha)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (alpha == BASE64_URL)
		return c == '-' ? 62 : c == '_' ? 63 : -1;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static bool corrupt(gh_err *err, size_t at)
{
	return gh_fail(err, "InvalidBase64", 400, "illegal base64 data at input byte %zu", at);
}

/* Decodes one quantum of four alphabet bytes, the overwhelmingly common case: false (and
 * nothing written) when any of the four is outside the alphabet, so that the caller can
 * take the exact byte-at-a-time path for newlines, errors and the tail. */
static bool quantum_fast(const unsigned char *s, uint8_t *out)
{
	int a = URL_VALUES1[s[0]] - 1, b = URL_VALUES1[s[1]] - 1;
	int c = URL_VALUES1[s[2]] - 1, d = URL_VALUES1[s[3]] - 1;
	if ((a | b | c | d) < 0)
		return false;
	uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
	out[0] = (uint8_t)(v >> 16);
	out[1] = (uint8_t)(v >> 8);
	out[2] = (uint8_t)v;
	return true;
}

/* Mirrors Go's decodeQuantum for NoPadding: newlines are skipped inside a quantum, a
 * lone trailing sextet reports the offset Go reports, and anything outside the URL
 * alphabet (including '=') fails at its own offset. */
bool base64_decode_rawurl(gh_str in, uint8_t *out, size_t *out_n, gh_err *err)
{
	const unsigned char *s = (const unsigned char *)in.p;
	size_t si = 0, o = 0;
	for (;;) {
		while (in.n - si >= 4 && quantum_fast(s + si, out + o)) {
			si += 4;
			o += 3;
		}
		/* One quantum the slow way: it may skip newlines, fail, or end the input. */
		int q[4] = { 0, 0, 0, 0 };
		int j = 0;
		while (j < 4) {
			if (si == in.n)
				break;
			unsigned char c = s[si++];
			int v = URL_VALUES1[c] - 1;
			if (v >= 0) {
				q[j++] = v;
				continue;
			}
			if (c == '\n' || c == '\r')
				continue;
			return corrupt(err, si - 1);
		}
		if (j == 0)
			break;
		if (j == 1)
			return corrupt(err, si - 1);
		uint32_t v = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12 | (uint32_t)q[2] << 6 | (uint32_t)q[3];
		out[o++] = (uint8_t)(v >> 16);
		if (j >= 3)
			out[o++] = (uint8_t)(v >> 8);
		if (j == 4)
			out[o++] = (uint8_t)v;
		if (j < 4)
			break;
	}
	*out_n = o;
	return true;
}

bool base64_decode_std(gh_str in, uint8_t *out, size_t *out_n, gh_err *err)
{
	const unsigned char *s = (const unsigned char *)in.p;
	if (in.n % 4 != 0)
		return gh_fail(err, "InvalidBase64", 400,
			       "base64 input length %zu is not a multiple of 4", in.n);
	size_t o = 0;
	for (size_t i = 0; i < in.n; i += 4) {
		bool last = i + 4 == in.n;
		int q[4];
		int pads = 0;
		for (int j = 0; j < 4; j++) {
			unsigned char c = s[i + j];
			if (c == '=' && last && j >= 2) {
				pads++;
				q[j] = 0;
				continue;
			}
			if (pads > 0 || (q[j] = sextet(c, BASE64_STD)) < 0)
				return gh_fail(err, "InvalidBase64", 400,
					       "illegal base64 data at input byte %zu", i + (size_t)j);
		}
		uint32_t v = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12 | (uint32_t)q[2] << 6 | (uint32_t)q[3];
		/* Strict: the bits dropped by padding must be zero, so one string has one meaning. */
		if ((pads == 1 && (v & 0xff)) || (pads == 2 && (v & 0xffff)))
			return gh_fail(err, "InvalidBase64", 400,
				       "illegal base64 data at input byte %zu (non-zero padding bits)",
				       i + 3 - (size_t)pads);
		out[o++] = (uint8_t)(v >> 16);
		if (pads < 2)
			out[o++] = (uint8_t)(v >> 8);
		if (pads < 1)
			out[o++] = (uint8_t)v;
	}
	*out_n = o;
	return true;
}
