#include "domain/authn/token.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "codec/base64.h"

#define FMT_PREFIX "input token was not properly formatted: "
#define DATE_LAYOUT "20060102T150405Z"
#define ECHO_MAX 100 /* bytes of an untrusted value a message may echo */

/* ---------- messages ---------- */

/* Go's %q, restricted to ASCII: bytes outside printable ASCII are \x escaped (Go keeps
 * valid UTF-8 as is; we keep messages plain ASCII for logs). Long values are cut. */
static const char *go_quote(gh_str s, char *out, size_t cap)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < s.n; i++) {
		if (i == ECHO_MAX || o + 8 >= cap) {
			o += (size_t)snprintf(out + o, cap - o, "...");
			break;
		}
		unsigned char c = (unsigned char)s.p[i];
		const char *esc = NULL;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\a': esc = "\\a"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\v': esc = "\\v"; break;
		default: break;
		}
		if (esc)
			o += (size_t)snprintf(out + o, cap - o, "%s", esc);
		else if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
	}
	if (o + 2 > cap)
		o = cap - 2;
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* A value echoed unquoted (Go's %s): the same escaping without the quotes. */
static const char *go_plain(gh_str s, char *out, size_t cap)
{
	char tmp[4 * ECHO_MAX + 16];
	go_quote(s, tmp, sizeof tmp);
	size_t n = strlen(tmp);
	snprintf(out, cap, "%.*s", (int)(n - 2), tmp + 1);
	return out;
}

/* The allowlist of step 9, lowercase. Step 9 records which parameter carries each name
 * (after step 8 and 9 a name has one spelling and one value), so steps 10..16 read it
 * there instead of searching the query again. */
enum { P_ACTION, P_VERSION, P_ALGORITHM, P_CREDENTIAL, P_DATE, P_EXPIRES, P_SECURITY_TOKEN, P_SIGNATURE,
       P_SIGNED_HEADERS, N_ALLOWED };
#define LIT(s) { (s), sizeof(s) - 1 }
static const gh_str ALLOWED[N_ALLOWED] = {
	LIT("action"),	      LIT("version"),		   LIT("x-amz-algorithm"),
	LIT("x-amz-credential"), LIT("x-amz-date"),	   LIT("x-amz-expires"),
	LIT("x-amz-security-token"), LIT("x-amz-signature"), LIT("x-amz-signedheaders"),
};

typedef struct tk {
	const token_trace *trace;
	gh_err e;
	const url_param *param[N_ALLOWED]; /* filled by step 9 */
} tk;

static const char *const STEP_NAMES[TOKEN_STEPS + 1] = {
	"",	  "size",     "prefix",	    "base64", "scheme", "host",	  "path",   "query", "duplicates",
	"allowlist", "action", "cluster-id", "expires", "date", "expiry", "future", "signature",
};

/* Every failure writes the whole error; the 512-byte message is not cleared on the
 * success path, which runs per request. */
static void tk_init(tk *t, const token_trace *trace)
{
	t->trace = trace;
	t->e.code = NULL;
	t->e.status = 0;
	t->e.msg[0] = '\0';
	memset(t->param, 0, sizeof t->param);
}

static bool tracing(const tk *t)
{
	return t->trace && t->trace->fn;
}

static void pass(tk *t, int step, const char *fmt, ...) GH_PRINTF(3, 4);
static void pass(tk *t, int step, const char *fmt, ...)
{
	if (!t->trace || !t->trace->fn)
		return;
	char detail[GH_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	t->trace->fn(t->trace->ud, step, STEP_NAMES[step], true, detail);
}

static bool fail(tk *t, int step, const char *code, const char *fmt, ...) GH_PRINTF(4, 5);
static bool fail(tk *t, int step, const char *code, const char *fmt, ...)
{
	t->e.code = code;
	t->e.status = 401;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->e.msg, sizeof t->e.msg, fmt, ap);
	va_end(ap);
	if (t->trace && t->trace->fn)
		t->trace->fn(t->trace->ud, step, STEP_NAMES[step], false, t->e.msg);
	return false;
}

/* Reports a failure already described in t->e (from a helper). */
static bool fail_with(tk *t, int step)
{
	if (t->trace && t->trace->fn)
		t->trace->fn(t->trace->ud, step, STEP_NAMES[step], false, t->e.msg);
	return false;
}

/* ---------- comparisons and searches inlined here: they run per byte or per pair ---------- */

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool str_is(gh_str s, gh_str lit)
{
	return s.n == lit.n && (lit.n == 0 || memcmp(s.p, lit.p, lit.n) == 0);
}

static bool same_folded(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* ASCII case folding only, as upstream compares parameter names. Inline so that the
 * length test, which settles most comparisons, costs no call. */
static inline bool str_ieq(gh_str a, gh_str b)
{
	return a.n == b.n && same_folded(a.p, b.p, a.n);
}

/* gh_str_find, inlined: the fields searched here (host, credential, header lists) are
 * a few dozen bytes, too short for memchr's call to pay off. */
static inline size_t find_byte(gh_str s, char c, size_t from)
{
	for (size_t i = from; i < s.n; i++)
		if (s.p[i] == c)
			return i;
	return s.n;
}

/* ---------- partitions (botocore/SDK v2 partitions.json, authenticator's domain table) ---------- */

typedef struct partition {
	const char *id;
	const char *dns, *dual; /* SDK resolver suffixes */
	const char *domain, *dual_domain; /* authenticator's accepted domains ("" = none) */
	const gh_str *regions; /* explicitly listed regions that no pattern covers; ends with an empty one */
} partition;

static const gh_str AWS_REGIONS[] = { LIT("aws-global"), { NULL, 0 } };
static const gh_str CN_REGIONS[] = { LIT("aws-cn-global"), { NULL, 0 } };
static const gh_str GOV_REGIONS[] = { LIT("aws-us-gov-global"), { NULL, 0 } };
static const gh_str ISO_REGIONS[] = { LIT("aws-iso-global"), { NULL, 0 } };
static const gh_str ISOB_REGIONS[] = { LIT("aws-iso-b-global"), { NULL, 0 } };
static const gh_str ISOE_REGIONS[] = { LIT("aws-iso-e-global"), { NULL, 0 } };
static const gh_str ISOF_REGIONS[] = { LIT("aws-iso-f-global"), { NULL, 0 } };
static const gh_str NO_REGIONS[] = { { NULL, 0 } };

/* Order matters: the first partition whose pattern matches a region owns it, and an
 * unknown region falls back to "aws", as the SDK's aws.partition function does. */
static const partition PARTITIONS[] = {
	{ "aws", "amazonaws.com", "api.aws", "amazonaws.com", "api.aws", AWS_REGIONS },
	{ "aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", "amazonaws.com.cn",
	  "api.amazonwebservices.com.cn", CN_REGIONS },
	{ "aws-us-gov", "amazonaws.com", "api.aws", "amazonaws.com", "api.aws", GOV_REGIONS },
	{ "aws-iso", "c2s.ic.gov", "api.aws.ic.gov", "c2s.ic.gov", "", ISO_REGIONS },
	{ "aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", "sc2s.sgov.gov", "", ISOB_REGIONS },
	{ "aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", "cloud.adc-e.uk", "", ISOE_REGIONS },
	{ "aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", "csp.hci.ic.gov", "", ISOF_REGIONS },
	{ "aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", "amazonaws.eu",
	  "api.amazonwebservices.eu", NO_REGIONS },
};
#define N_PARTITIONS (sizeof PARTITIONS / sizeof PARTITIONS[0])

static const partition *partition_by_id(const char *id)
{
	for (size_t i = 0; i < N_PARTITIONS; i++)
		if (strcmp(PARTITIONS[i].id, id) == 0)
			return &PARTITIONS[i];
	return NULL;
}

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Matches ^<prefix>-\w+-\d+$ for one of the '|'-separated prefixes. */
static bool region_pattern(gh_str r, const char *prefixes)
{
	const char *p = prefixes;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (r.n > n + 1 && memcmp(r.p, p, n) == 0 && r.p[n] == '-') {
			gh_str rest = gh_str_sub(r, n + 1, r.n);
			size_t i = 0;
			while (i < rest.n && is_word(rest.p[i]))
				i++;
			/* \w+ then -\d+: \w excludes '-', so the split is at the first '-'. */
			if (i > 0 && i < rest.n && rest.p[i] == '-') {
				size_t j = i + 1;
				while (j < rest.n && rest.p[j] >= '0' && rest.p[j] <= '9')
					j++;
				if (j > i + 1 && j == rest.n)
					return true;
			}
		}
		p += n + (bar ? 1 : 0);
	}
	return false;
}

static const partition *partition_of_region(gh_str r)
{
	static const char *const patterns[N_PARTITIONS] = {
		"us|eu|ap|sa|ca|me|af|il|mx", "cn", "us-gov", "us-iso", "us-isob", "eu-isoe", "us-isof", "eusc-de",
	};
	for (size_t i = 0; i < N_PARTITIONS; i++)
		for (const gh_str *x = PARTITIONS[i].regions; x->n; x++)
			if (str_is(r, *x))
				return &PARTITIONS[i];
	for (size_t i = 0; i < N_PARTITIONS; i++)
		if (region_pattern(r, patterns[i]))
			return &PARTITIONS[i];
	return &PARTITIONS[0];
}

/* ^[[:alnum:]]([[:alnum:]-]*[[:alnum:]])?$ */
static bool valid_region(gh_str r)
{
	if (r.n == 0 || !is_alnum(r.p[0]) || !is_alnum(r.p[r.n - 1]))
		return false;
	for (size_t i = 0; i < r.n; i++)
		if (!is_alnum(r.p[i]) && r.p[i] != '-')
			return false;
	return true;
}

/* host == a "." region "." b */
static bool host_is(gh_str host, const char *a, gh_str region, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (host.n != na + 1 + region.n + 1 + nb)
		return false;
	const char *p = host.p;
	return memcmp(p, a, na) == 0 && p[na] == '.' && (region.n == 0 || memcmp(p + na + 1, region.p, region.n) == 0) &&
	       p[na + 1 + region.n] == '.' && memcmp(p + na + 2 + region.n, b, nb) == 0;
}

/* The four hosts the SDK v2 STS resolver gives for a region (UseGlobalEndpoint off). */
static bool resolves_to(gh_str host, gh_str region)
{
	const partition *p = partition_of_region(region);
	if (host_is(host, "sts-fips", region, p->dual))
		return true;
	if (strcmp(p->id, "aws-us-gov") == 0 ? host_is(host, "sts", region, "amazonaws.com")
					     : host_is(host, "sts-fips", region, p->dns))
		return true;
	if (host_is(host, "sts", region, p->dual))
		return true;
	if (str_is(region, GH_STR("aws-global")))
		return str_is(host, GH_STR("sts.amazonaws.com"));
	return host_is(host, "sts", region, p->dns);
}

static bool host_fail(tk *t, const char *fmt, ...) GH_PRINTF(2, 3);
static bool host_fail(tk *t, const char *fmt, ...)
{
	t->e.code = "TokenHost";
	t->e.status = 401;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->e.msg, sizeof t->e.msg, fmt, ap);
	va_end(ap);
	return false;
}

/* upstream verifySTSHostnameFormat; writes the failure to t->e without tracing. */
static bool check_host(const token_config *cfg, gh_str host, tk *t)
{
	const char *pid = cfg->partition ? cfg->partition : "aws";
	char h[4 * ECHO_MAX + 16];
	if (host.n == 0)
		return host_fail(t, FMT_PREFIX "could not parse region for pre-signed URL , host is empty");
	size_t dots = 0;
	for (size_t i = 0; i < host.n; i++)
		dots += host.p[i] == '.';
	if (dots < 2) {
		go_plain(host, h, sizeof h);
		return host_fail(t, FMT_PREFIX "could not parse region for pre-signed URL %s, invalid host format: %s",
				 h, h);
	}
	if (str_is(host, GH_STR("sts.amazonaws.com"))) {
		if (strcmp(pid, "aws") == 0)
			return true;
		return host_fail(t, FMT_PREFIX "global endpoint unsupported in partition %s", pid);
	}
	size_t d1 = find_byte(host, '.', 0);
	size_t d2 = find_byte(host, '.', d1 + 1);
	gh_str region = gh_str_sub(host, d1 + 1, d2 - d1 - 1);
	if (!valid_region(region)) {
		char r[4 * ECHO_MAX + 16];
		return host_fail(t, FMT_PREFIX "invalid region identifier format provided: %s",
				 go_plain(region, r, sizeof r));
	}
	const partition *part = partition_by_id(pid);
	char q[4 * ECHO_MAX + 16];
	if (!resolves_to(host, region)) {
		/* Fallback for regions newer than the SDK: sts.<server region>.<domain>. */
		gh_str sr = gh_str_c(cfg->server_region);
		if (part && valid_region(sr) &&
		    (host_is(host, "sts", sr, part->domain) ||
		     (part->dual_domain[0] && host_is(host, "sts", sr, part->dual_domain))))
			return true;
		return host_fail(t, FMT_PREFIX "unexpected hostname %s in pre-signed URL", go_quote(host, q, sizeof q));
	}
	if (!part) /* upstream returns this one without the FormatError prefix */
		return host_fail(t, "partition %s not valid", pid);
	gh_str domain = gh_str_sub(host, d2 + 1, host.n);
	if (!gh_str_eq_c(domain, part->domain) && !(part->dual_domain[0] && gh_str_eq_c(domain, part->dual_domain)))
		return host_fail(t, FMT_PREFIX "partition {%s} does not support hostname %s", pid,
				 go_plain(host, h, sizeof h));
	return true;
}

bool token_check_host(const token_config *cfg, gh_str host, gh_err *err)
{
	tk t;
	tk_init(&t, NULL);
	if (check_host(cfg, host, &t))
		return true;
	if (err)
		*err = t.e;
	return false;
}

/* ---------- extra endpoints ---------- */

typedef struct endpoint {
	gh_str scheme, host;
} endpoint;

static bool parse_endpoint(const char *s, endpoint *ep)
{
	gh_str u = gh_str_c(s);
	size_t colon = gh_str_find(u, ':', 0);
	if (colon == 0 || colon + 3 > u.n || u.p[colon + 1] != '/' || u.p[colon + 2] != '/')
		return false;
	ep->scheme = gh_str_sub(u, 0, colon);
	gh_str rest = gh_str_sub(u, colon + 3, u.n);
	size_t slash = gh_str_find(rest, '/', 0);
	ep->host = gh_str_sub(rest, 0, slash);
	gh_str tail = gh_str_sub(rest, slash, rest.n);
	if (ep->host.n == 0 || !(tail.n == 0 || gh_str_eq_c(tail, "/")))
		return false;
	for (size_t i = 0; i < ep->host.n; i++)
		if (ep->host.p[i] == '@' || ep->host.p[i] == '?' || ep->host.p[i] == '#')
			return false;
	return gh_str_ieq_c(ep->scheme, "http") || gh_str_ieq_c(ep->scheme, "https");
}

static bool match_extra(const token_config *cfg, gh_str scheme, gh_str host, endpoint *which)
{
	for (size_t i = 0; i < cfg->n_extra_endpoints; i++) {
		endpoint ep;
		if (parse_endpoint(cfg->extra_endpoints[i], &ep) && gh_str_ieq(ep.scheme, scheme) &&
		    gh_str_ieq(ep.host, host)) {
			*which = ep;
			return true;
		}
	}
	return false;
}

bool token_config_validate(const token_config *cfg, gh_err *err)
{
	const char *pid = cfg->partition ? cfg->partition : "aws";
	if (!partition_by_id(pid))
		return gh_fail(err, "InvalidConfiguration", 400,
			       "partition %s not valid (known: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, "
			       "aws-iso-e, aws-iso-f, aws-eusc)",
			       pid);
	if (cfg->server_region && cfg->server_region[0] && !valid_region(gh_str_c(cfg->server_region)))
		return gh_fail(err, "InvalidConfiguration", 400, "server region \"%s\" is not a region name",
			       cfg->server_region);
	for (size_t i = 0; i < cfg->n_extra_endpoints; i++) {
		endpoint ep;
		if (!parse_endpoint(cfg->extra_endpoints[i], &ep))
			return gh_fail(err, "InvalidConfiguration", 400,
				       "extra STS endpoint \"%s\" must be a base URL like "
				       "https://host:port (http or https, no path)",
				       cfg->extra_endpoints[i]);
	}
	if (!cfg->cluster_id || !cfg->cluster_id[0])
		return gh_fail(err, "InvalidConfiguration", 400, "the cluster id is required");
	return true;
}

/* ---------- Go's url.Parse ---------- */

typedef struct go_url {
	gh_str scheme; /* lowercased */
	gh_str opaque;
	bool has_user;
	gh_str host;   /* unescaped */
	gh_str path;   /* unescaped */
	gh_str raw_query;
	bool has_fragment;
} go_url;

enum go_mode { GO_PATH, GO_HOST, GO_USER, GO_FRAGMENT };

/* Characters Go allows unescaped in a host (shouldEscape(c, encodeHost) == false). */
static bool host_char_ok(unsigned char c)
{
	if (c >= 0x80 || is_alnum((char)c))
		return true;
	switch (c) {
	case '-': case '_': case '.': case '~': case '!': case '$': case '&': case '\'': case '(':
	case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '[': case ']':
	case '<': case '>': case '"':
		return true;
	default:
		return false;
	}
}

/* Go's unescape: '%' needs two hex digits; in a host only %8X..%FX and %25 decode, and
 * other bytes must be allowed host characters. Writes the tail of Go's error to msg. */
static bool go_unescape(gh_str s, enum go_mode mode, gh_arena *a, gh_str *out, char *msg, size_t cap)
{
	char *o = gh_arena_alloc(a, s.n + 1);
	if (!o) {
		snprintf(msg, cap, "out of memory");
		return false;
	}
	size_t n = 0;
	char q[64];
	for (size_t i = 0; i < s.n;) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '%') {
			if (i + 2 >= s.n || gh_hex_digit(s.p[i + 1]) < 0 || gh_hex_digit(s.p[i + 2]) < 0) {
				gh_str bad = gh_str_sub(s, i, 3);
				snprintf(msg, cap, "invalid URL escape %s", go_quote(bad, q, sizeof q));
				return false;
			}
			if (mode == GO_HOST && gh_hex_digit(s.p[i + 1]) < 8 && !(s.p[i + 1] == '2' && s.p[i + 2] == '5')) {
				snprintf(msg, cap, "invalid URL escape %s", go_quote(gh_str_sub(s, i, 3), q, sizeof q));
				return false;
			}
			o[n++] = (char)(gh_hex_digit(s.p[i + 1]) << 4 | gh_hex_digit(s.p[i + 2]));
			i += 3;
			continue;
		}
		if (mode == GO_HOST && !host_char_ok(c)) {
			snprintf(msg, cap, "invalid character %s in host name", go_quote(gh_str_sub(s, i, 1), q, sizeof q));
			return false;
		}
		o[n++] = (char)c;
		i++;
	}
	*out = (gh_str){ o, n };
	return true;
}

static bool valid_port(gh_str p)
{
	if (p.n == 0)
		return true;
	if (p.p[0] != ':')
		return false;
	for (size_t i = 1; i < p.n; i++)
		if (p.p[i] < '0' || p.p[i] > '9')
			return false;
	return true;
}

static size_t last_index(gh_str s, char c)
{
	for (size_t i = s.n; i > 0; i--)
		if (s.p[i - 1] == c)
			return i - 1;
	return s.n;
}

static bool go_parse_host(gh_str host, gh_arena *a, gh_str *out, char *msg, size_t cap)
{
	char q[64];
	if (host.n && host.p[0] == '[') {
		size_t rb = last_index(host, ']');
		if (rb == host.n) {
			snprintf(msg, cap, "missing ']' in host");
			return false;
		}
		gh_str port = gh_str_sub(host, rb + 1, host.n);
		if (!valid_port(port)) {
			snprintf(msg, cap, "invalid port %s after host", go_quote(port, q, sizeof q));
			return false;
		}
	} else {
		size_t colon = last_index(host, ':');
		if (colon < host.n && !valid_port(gh_str_sub(host, colon, host.n))) {
			snprintf(msg, cap, "invalid port %s after host",
				 go_quote(gh_str_sub(host, colon, host.n), q, sizeof q));
			return false;
		}
	}
	return go_unescape(host, GO_HOST, a, out, msg, cap);
}

static bool valid_userinfo(gh_str u)
{
	for (size_t i = 0; i < u.n; i++) {
		char c = u.p[i];
		if (is_alnum(c) || (c && strchr("-._:~!$&'()*+,;=%@", c)))
			continue;
		return false;
	}
	return true;
}

static unsigned char is_ctl(unsigned char c)
{
	return (unsigned char)((c < 0x20) | (c == 0x7f));
}

/* Go's stringContainsCTLByte, over the whole URL on every request. The message names no
 * position, so there is no early exit, and whole blocks of a fixed size let the compiler
 * use vector compares (GCC does at -O2); the tail goes byte by byte. */
static bool has_ctl_byte(gh_str s)
{
	enum { BLOCK = 32 };
	const unsigned char *p = (const unsigned char *)s.p;
	unsigned char ctl = 0;
	size_t i = 0;
	for (; s.n - i >= BLOCK; i += BLOCK)
		for (int k = 0; k < BLOCK; k++)
			ctl |= is_ctl(p[i + k]);
	for (; i < s.n; i++)
		ctl |= is_ctl(p[i]);
	return ctl != 0;
}

static bool go_url_parse(gh_str raw, gh_arena *a, go_url *u, char *msg, size_t cap)
{
	memset(u, 0, sizeof *u);
	const char *h = memchr(raw.p, '#', raw.n);
	size_t hash = h ? (size_t)(h - raw.p) : raw.n;
	gh_str rest = gh_str_sub(raw, 0, hash);
	gh_str frag = gh_str_sub(raw, hash + 1, raw.n);
	u->has_fragment = hash < raw.n;
	if (has_ctl_byte(rest)) {
		snprintf(msg, cap, "net/url: invalid control character in URL");
		return false;
	}
	if (str_is(rest, GH_STR("*"))) {
		u->path = rest;
		return true;
	}
	/* getScheme */
	for (size_t i = 0; i < rest.n; i++) {
		char c = rest.p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (i == 0) {
				snprintf(msg, cap, "missing protocol scheme");
				return false;
			}
			char *s = gh_arena_alloc(a, i + 1);
			if (!s) {
				snprintf(msg, cap, "out of memory");
				return false;
			}
			for (size_t k = 0; k < i; k++)
				s[k] = (rest.p[k] >= 'A' && rest.p[k] <= 'Z') ? (char)(rest.p[k] + 32) : rest.p[k];
			u->scheme = (gh_str){ s, i };
			rest = gh_str_sub(rest, i + 1, rest.n);
		}
		break;
	}
	size_t qm = find_byte(rest, '?', 0);
	u->raw_query = qm < rest.n ? gh_str_sub(rest, qm + 1, rest.n) : (gh_str){ "", 0 };
	rest = gh_str_sub(rest, 0, qm);
	if (!(rest.n && rest.p[0] == '/')) {
		if (u->scheme.n) {
			u->opaque = rest;
			return true;
		}
		gh_str seg = gh_str_sub(rest, 0, find_byte(rest, '/', 0));
		if (find_byte(seg, ':', 0) < seg.n) {
			snprintf(msg, cap, "first path segment in URL cannot contain colon");
			return false;
		}
	}
	bool triple = rest.n >= 3 && memcmp(rest.p, "///", 3) == 0;
	if ((u->scheme.n || !triple) && rest.n >= 2 && rest.p[0] == '/' && rest.p[1] == '/') {
		gh_str auth = gh_str_sub(rest, 2, rest.n);
		size_t slash = find_byte(auth, '/', 0);
		rest = gh_str_sub(auth, slash, auth.n);
		auth = gh_str_sub(auth, 0, slash);
		size_t at = last_index(auth, '@');
		gh_str hostpart = at < auth.n ? gh_str_sub(auth, at + 1, auth.n) : auth;
		if (!go_parse_host(hostpart, a, &u->host, msg, cap))
			return false;
		if (at < auth.n) {
			gh_str ui = gh_str_sub(auth, 0, at), tmp;
			if (!valid_userinfo(ui)) {
				snprintf(msg, cap, "net/url: invalid userinfo");
				return false;
			}
			size_t c = find_byte(ui, ':', 0);
			if (!go_unescape(gh_str_sub(ui, 0, c), GO_USER, a, &tmp, msg, cap))
				return false;
			if (c < ui.n && !go_unescape(gh_str_sub(ui, c + 1, ui.n), GO_USER, a, &tmp, msg, cap))
				return false;
			u->has_user = true;
		}
	}
	if (!go_unescape(rest, GO_PATH, a, &u->path, msg, cap))
		return false;
	gh_str f;
	return !u->has_fragment || go_unescape(frag, GO_FRAGMENT, a, &f, msg, cap);
}

/* ---------- Go's strconv.Atoi and time.Parse(DATE_LAYOUT) ---------- */

/* Returns Go's (value, ok): 0 on a syntax error; on overflow the clamped value, at the
 * first digit that overflows (later bytes are not examined, as in ParseUint). */
static bool go_atoi(gh_str s, int64_t *v)
{
	*v = 0;
	size_t i = 0;
	bool neg = false;
	if (s.n && (s.p[0] == '-' || s.p[0] == '+')) {
		neg = s.p[0] == '-';
		i = 1;
	}
	if (i == s.n)
		return false;
	uint64_t acc = 0;
	for (; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		uint64_t d = (uint64_t)(s.p[i] - '0');
		if (acc >= UINT64_MAX / 10 + 1 || acc * 10 + d < acc * 10) {
			*v = neg ? INT64_MIN : INT64_MAX;
			return false;
		}
		acc = acc * 10 + d;
	}
	if (!neg && acc > (uint64_t)INT64_MAX) {
		*v = INT64_MAX;
		return false;
	}
	if (neg && acc > (uint64_t)INT64_MAX + 1) {
		*v = INT64_MIN;
		return false;
	}
	*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return true;
}

typedef struct go_time {
	int year, month, day, hour, min, sec;
	long nsec;
} go_time;

static bool isdig(gh_str s, size_t i)
{
	return i < s.n && s.p[i] >= '0' && s.p[i] <= '9';
}

/* getnum: one or two digits (exactly two when fixed). */
static bool getnum(gh_str *s, bool fixed, int *out)
{
	if (!isdig(*s, 0))
		return false;
	if (!isdig(*s, 1)) {
		if (fixed)
			return false;
		*out = s->p[0] - '0';
		*s = gh_str_sub(*s, 1, s->n);
		return true;
	}
	*out = (s->p[0] - '0') * 10 + (s->p[1] - '0');
	*s = gh_str_sub(*s, 2, s->n);
	return true;
}

static int days_in(int month, int year)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : d[month - 1];
}

static void parse_error(gh_str value, gh_str elem, const char *layout_elem, char *msg, size_t cap)
{
	char a[4 * ECHO_MAX + 16], b[4 * ECHO_MAX + 16];
	snprintf(msg, cap, "parsing time %s as \"" DATE_LAYOUT "\": cannot parse %s as \"%s\"",
		 go_quote(value, a, sizeof a), go_quote(elem, b, sizeof b), layout_elem);
}

static void range_error(gh_str value, const char *what, char *msg, size_t cap)
{
	char a[4 * ECHO_MAX + 16];
	snprintf(msg, cap, "parsing time %s: %s out of range", go_quote(value, a, sizeof a), what);
}

static bool literal(gh_str value, gh_str *v, char c, const char *elem, char *msg, size_t cap)
{
	if (v->n == 0 || v->p[0] != c) {
		parse_error(value, *v, elem, msg, cap);
		return false;
	}
	*v = gh_str_sub(*v, 1, v->n);
	return true;
}

/* time.Parse("20060102T150405Z", value) with Go's error texts. */
static bool go_parse_date(gh_str value, go_time *t, char *msg, size_t cap)
{
	memset(t, 0, sizeof *t);
	gh_str v = value;
	if (v.n < 4 || !isdig(v, 0) || !isdig(v, 1) || !isdig(v, 2) || !isdig(v, 3)) {
		parse_error(value, v, "2006", msg, cap);
		return false;
	}
	t->year = (v.p[0] - '0') * 1000 + (v.p[1] - '0') * 100 + (v.p[2] - '0') * 10 + (v.p[3] - '0');
	v = gh_str_sub(v, 4, v.n);
	gh_str hold = v;
	if (!getnum(&v, true, &t->month)) {
		parse_error(value, hold, "01", msg, cap);
		return false;
	}
	if (t->month < 1 || t->month > 12) {
		range_error(value, "month", msg, cap);
		return false;
	}
	hold = v;
	if (!getnum(&v, true, &t->day)) {
		parse_error(value, hold, "02", msg, cap);
		return false;
	}
	if (!literal(value, &v, 'T', "T", msg, cap))
		return false;
	hold = v;
	if (!getnum(&v, false, &t->hour)) {
		parse_error(value, hold, "15", msg, cap);
		return false;
	}
	if (t->hour >= 24) {
		range_error(value, "hour", msg, cap);
		return false;
	}
	hold = v;
	if (!getnum(&v, true, &t->min)) {
		parse_error(value, hold, "04", msg, cap);
		return false;
	}
	if (t->min >= 60) {
		range_error(value, "minute", msg, cap);
		return false;
	}
	hold = v;
	if (!getnum(&v, true, &t->sec)) {
		parse_error(value, hold, "05", msg, cap);
		return false;
	}
	if (t->sec >= 60) {
		range_error(value, "second", msg, cap);
		return false;
	}
	/* A fraction the layout does not name is still consumed (Go does so after "05"). */
	if (v.n >= 2 && (v.p[0] == '.' || v.p[0] == ',') && isdig(v, 1)) {
		size_t n = 2;
		while (isdig(v, n))
			n++;
		long ns = 0;
		size_t digits = n - 1 > 9 ? 9 : n - 1;
		for (size_t i = 1; i <= digits; i++)
			ns = ns * 10 + (v.p[i] - '0');
		for (size_t i = digits; i < 9; i++)
			ns *= 10;
		t->nsec = ns;
		v = gh_str_sub(v, n, v.n);
	}
	if (!literal(value, &v, 'Z', "Z", msg, cap))
		return false;
	if (v.n) {
		char a[4 * ECHO_MAX + 16], b[4 * ECHO_MAX + 16];
		snprintf(msg, cap, "parsing time %s: extra text: %s", go_quote(value, a, sizeof a),
			 go_quote(v, b, sizeof b));
		return false;
	}
	if (t->day < 1 || t->day > days_in(t->month, t->year)) {
		range_error(value, "day", msg, cap);
		return false;
	}
	return true;
}

/* Go's Time.String() for a UTC time: "2006-01-02 15:04:05.999999999 +0000 UTC". */
static void go_time_string(const go_time *t, char *out, size_t cap)
{
	char frac[16] = "";
	if (t->nsec) {
		snprintf(frac, sizeof frac, ".%09ld", t->nsec);
		size_t n = strlen(frac);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d%s +0000 UTC", t->year, t->month, t->day, t->hour,
		 t->min, t->sec, frac);
}

/* ---------- the checks ---------- */

/* name folded to lowercase equals lit, which is lowercase already. */
static bool folds_to(gh_str name, gh_str lit)
{
	if (name.n != lit.n)
		return false;
	for (size_t i = 0; i < lit.n; i++)
		if (lower(name.p[i]) != lit.p[i])
			return false;
	return true;
}

static int allowed_index(gh_str name)
{
	for (int k = 0; k < N_ALLOWED; k++)
		if (folds_to(name, ALLOWED[k]))
			return k;
	return -1;
}

/* The value of an allowlisted parameter, empty when absent (valid after step 9). */
static gh_str param(const tk *t, int k)
{
	return t->param[k] ? t->param[k]->value : (gh_str){ "", 0 };
}

static bool first_of_name(const url_query *q, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (str_is(q->params[j].name, q->params[i].name))
			return false;
	return true;
}

/* An earlier name equal to params[i]'s ignoring case only. */
static bool case_variant_before(const url_query *q, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!str_is(q->params[j].name, q->params[i].name) && str_ieq(q->params[j].name, q->params[i].name))
			return true;
	return false;
}

static bool repeated_after(const url_query *q, size_t i)
{
	for (size_t j = i + 1; j < q->n; j++)
		if (str_is(q->params[j].name, q->params[i].name))
			return true;
	return false;
}

static bool step_query(tk *t, token_result *out, gh_arena *arena)
{
	/* Upstream's message is generic: the parser's own is not needed. */
	if (!url_query_parse_arena(arena, out->raw_query, URL_QUERY_GO, &out->query, NULL))
		return fail(t, 7, "TokenQuery", FMT_PREFIX "malformed query parameter");
	pass(t, 7, "%zu parameters", out->query.n);

	const url_query *q = &out->query;
	char k[4 * ECHO_MAX + 16];
	for (size_t i = 0; i < q->n; i++)
		if (first_of_name(q, i) && case_variant_before(q, i))
			return fail(t, 8, "TokenDuplicateParam", FMT_PREFIX "duplicate query parameter found: %s",
				    go_quote(q->params[i].name, k, sizeof k));
	pass(t, 8, "no name repeated with a different case");

	/* Every i reached here is the first of its name: a repeated name fails at its first
	 * occurrence, either as not allowed or as having more than one value. */
	for (size_t i = 0; i < q->n; i++) {
		int a = allowed_index(q->params[i].name);
		if (a < 0)
			return fail(t, 9, "TokenParamNotAllowed", FMT_PREFIX "non-whitelisted query parameter %s",
				    go_quote(q->params[i].name, k, sizeof k));
		if (repeated_after(q, i))
			return fail(t, 9, "TokenMultipleValues",
				    FMT_PREFIX "query parameter with multiple values not supported");
		t->param[a] = &q->params[i];
	}
	pass(t, 9, "every parameter allowed, one value each");
	return true;
}

static bool signed_cluster_id(gh_str list)
{
	size_t pos = 0;
	while (pos <= list.n) {
		size_t semi = find_byte(list, ';', pos);
		if (folds_to((gh_str){ list.p + pos, semi - pos }, GH_STR(TOKEN_CLUSTER_ID_HEADER)))
			return true;
		pos = semi + 1;
	}
	return false;
}

static void split_credential(token_result *out, gh_str cred)
{
	gh_str part[4] = { { "", 0 }, { "", 0 }, { "", 0 }, { "", 0 } };
	size_t pos = 0;
	for (int i = 0; i < 4 && pos <= cred.n; i++) {
		size_t slash = find_byte(cred, '/', pos);
		part[i] = (gh_str){ cred.p + pos, slash - pos };
		pos = slash + 1;
	}
	out->access_key_id = part[0];
	out->scope_date = part[1];
	out->region = part[2];
	out->service = part[3];
}

static bool step_params(tk *t, const token_config *cfg, token_result *out, int64_t now)
{
	char q[4 * ECHO_MAX + 16], w[128];
	if (!str_is(param(t, P_ACTION), GH_STR("GetCallerIdentity")))
		return fail(t, 10, "TokenAction", FMT_PREFIX "unexpected action parameter in pre-signed URL");
	pass(t, 10, "GetCallerIdentity");

	gh_str sh = param(t, P_SIGNED_HEADERS);
	if (!signed_cluster_id(sh))
		return fail(t, 11, "TokenUnsignedClusterId",
			    FMT_PREFIX "client did not sign the " TOKEN_CLUSTER_ID_HEADER " header in the pre-signed URL");
	if (tracing(t))
		pass(t, 11, "signed headers %s", go_plain(sh, q, sizeof q));

	int64_t exp;
	bool ok = go_atoi(param(t, P_EXPIRES), &exp);
	if (!ok || exp < 0 || exp > 900)
		return fail(t, 12, "TokenExpiresParam", FMT_PREFIX "invalid X-Amz-Expires parameter in pre-signed URL: %lld",
			    (long long)exp);
	out->expires_param = exp;
	pass(t, 12, "%lld seconds (legacy, STS ignores it)", (long long)exp);

	gh_str date = param(t, P_DATE);
	if (date.n == 0)
		return fail(t, 13, "TokenDate", FMT_PREFIX "X-Amz-Date parameter must be present in pre-signed URL");
	split_credential(out, param(t, P_CREDENTIAL));
	go_time gt;
	char msg[GH_ERR_MSG_MAX];
	if (!go_parse_date(date, &gt, msg, sizeof msg))
		return fail(t, 13, "TokenDate", FMT_PREFIX "error parsing X-Amz-Date parameter %s into format " DATE_LAYOUT ": %s",
			    go_plain(date, q, sizeof q), msg);
	out->amz_date = date;
	out->date = gh_time_from_civil(gt.year, gt.month, gt.day, gt.hour, gt.min, gt.sec);
	out->expires_at = out->date + TOKEN_LIFETIME_SECONDS;
	if (tracing(t))
		pass(t, 13, "%s", go_plain(date, q, sizeof q));

	/* Upstream compares with nanoseconds: with a fraction, the last whole second is over. */
	bool expired = gt.nsec ? now >= out->expires_at + 1 : now > out->expires_at;
	if (expired) {
		go_time_string(&gt, w, sizeof w);
		return fail(t, 14, "TokenExpired", FMT_PREFIX "X-Amz-Date parameter is expired (15 minute expiration) %s", w);
	}
	if (tracing(t)) {
		char until[GH_ISO8601_LEN + 1];
		gh_time_iso8601(out->expires_at, until);
		pass(t, 14, "valid until %s", until);
	}

	int64_t skew = cfg->max_future_skew == 0 ? TOKEN_DEFAULT_MAX_FUTURE : cfg->max_future_skew;
	if (skew >= 0 && out->date > now + skew) {
		go_time_string(&gt, w, sizeof w);
		return fail(t, 15, "TokenFuture",
			    FMT_PREFIX "X-Amz-Date parameter is in the future (more than %lld seconds ahead of the server clock) %s",
			    (long long)skew, w);
	}
	pass(t, 15, skew >= 0 ? "not more than %lld seconds ahead" : "no bound (%lld)", (long long)skew);
	return true;
}

static bool step_url(tk *t, const token_config *cfg, token_result *out, gh_arena *arena)
{
	go_url u;
	char msg[GH_ERR_MSG_MAX], q[4 * ECHO_MAX + 16];
	if (!go_url_parse(out->url, arena, &u, msg, sizeof msg))
		return fail(t, 4, "TokenURL", FMT_PREFIX "parse <pre-signed URL>: %s", msg);
	out->scheme = u.scheme;
	out->host = u.host;
	out->raw_query = u.raw_query;
	endpoint ep;
	out->extra_endpoint = match_extra(cfg, u.scheme, u.host, &ep);
	if (!str_is(u.scheme, GH_STR("https")) && !out->extra_endpoint)
		return fail(t, 4, "TokenScheme", FMT_PREFIX "unexpected scheme %s in pre-signed URL",
			    go_quote(u.scheme, q, sizeof q));
	pass(t, 4, "%s", out->extra_endpoint ? "allowed extra endpoint" : "https");

	if (u.has_user)
		return fail(t, 5, "TokenHost", FMT_PREFIX "unexpected userinfo in pre-signed URL");
	if (!out->extra_endpoint && !check_host(cfg, u.host, t))
		return fail_with(t, 5);
	if (tracing(t))
		pass(t, 5, "%s%s", go_plain(u.host, q, sizeof q), out->extra_endpoint ? " (extra endpoint)" : "");

	if (u.opaque.n || !str_is(u.path, GH_STR("/")))
		return fail(t, 6, "TokenPath", FMT_PREFIX "unexpected path in pre-signed URL");
	if (u.has_fragment)
		return fail(t, 6, "TokenFragment", FMT_PREFIX "unexpected fragment in pre-signed URL");
	pass(t, 6, "/");
	return true;
}

static void build_request(const tk *t, const token_config *cfg, token_result *out)
{
	out->headers[0] = (sigv4_header){ GH_STR("host"), out->host };
	out->headers[1] = (sigv4_header){ GH_STR(TOKEN_CLUSTER_ID_HEADER), gh_str_c(cfg->cluster_id) };
	memset(&out->request, 0, sizeof out->request);
	out->request.method = GH_STR("GET");
	out->request.path = GH_STR("/");
	out->request.query = out->raw_query;
	out->request.headers = out->headers;
	out->request.n_headers = 2;
	out->security_token = param(t, P_SECURITY_TOKEN);
	if (out->extra_endpoint) {
		out->expected_region = (gh_str){ "", 0 };
	} else if (str_is(out->host, GH_STR("sts.amazonaws.com"))) {
		out->expected_region = GH_STR("us-east-1");
	} else {
		size_t d1 = find_byte(out->host, '.', 0);
		size_t d2 = find_byte(out->host, '.', d1 + 1);
		out->expected_region = gh_str_sub(out->host, d1 + 1, d2 - d1 - 1);
	}
}

bool token_check(const token_config *cfg, gh_str token, int64_t now, gh_arena *arena,
		 const token_trace *trace, token_result *out, gh_err *err)
{
	memset(out, 0, sizeof *out);
	tk t;
	tk_init(&t, trace);
	size_t max = cfg->max_token_len ? cfg->max_token_len : TOKEN_DEFAULT_MAX_LEN;
	bool ok = false;
	if (token.n > max) {
		fail(&t, 1, "TokenTooLarge", FMT_PREFIX "token is too large");
		goto done;
	}
	pass(&t, 1, "%zu bytes (limit %zu)", token.n, max);

	if (!gh_str_has_prefix(token, GH_STR(TOKEN_PREFIX))) {
		fail(&t, 2, "TokenPrefix", FMT_PREFIX "token is missing expected \"" TOKEN_PREFIX "\" prefix");
		goto done;
	}
	pass(&t, 2, TOKEN_PREFIX);

	gh_str b64 = gh_str_sub(token, sizeof TOKEN_PREFIX - 1, token.n);
	uint8_t *buf = gh_arena_alloc(arena, base64_decoded_max(b64.n) + 1);
	size_t n;
	gh_err e; /* filled by the decoder when it fails, read only then */
	if (!buf) {
		fail(&t, 3, "OutOfMemory", "out of memory decoding the token");
		goto done;
	}
	if (!base64_decode_rawurl(b64, buf, &n, &e)) {
		fail(&t, 3, "TokenBase64", FMT_PREFIX "%s", e.msg);
		goto done;
	}
	out->url = (gh_str){ (const char *)buf, n };
	pass(&t, 3, "%zu bytes of URL", n);

	if (!step_url(&t, cfg, out, arena) || !step_query(&t, out, arena) || !step_params(&t, cfg, out, now))
		goto done;
	build_request(&t, cfg, out);
	ok = true;
done:
	if (!ok && err)
		*err = t.e;
	return ok;
}

bool token_parse_signature(const token_result *tok, gh_arena *arena, const token_trace *trace,
			   sigv4_parsed *out, gh_err *err)
{
	tk t;
	tk_init(&t, trace);
	/* Step 7 parsed this very query already (Go mode: the same pairs as SigV4's form
	 * mode, as it accepted the query). A request edited since gets parsed afresh. */
	bool parsed = tok->request.query.p == tok->raw_query.p && tok->request.query.n == tok->raw_query.n;
	bool ok = parsed ? sigv4_parse_with_query(&tok->request, &tok->query, arena, out, &t.e)
			 : sigv4_parse(&tok->request, arena, out, &t.e);
	if (!ok)
		goto fail;
	if (out->form != SIGV4_FORM_QUERY) {
		gh_fail(&t.e, "IncompleteSignature", 400, "a token must carry a presigned (query) signature");
		goto fail;
	}
	gh_str region = tok->expected_region.n ? tok->expected_region : out->region;
	if (!sigv4_check_scope(out, region, GH_STR("sts"), &t.e))
		goto fail;
	char scope[4 * ECHO_MAX + 16];
	if (tracing(&t))
		pass(&t, 16, "%s", go_plain(out->scope, scope, sizeof scope));
	return true;
fail:
	fail_with(&t, 16);
	if (err)
		*err = t.e;
	return false;
}
