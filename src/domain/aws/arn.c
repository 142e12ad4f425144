#include "domain/aws/arn.h"

#include <stdio.h>
#include <string.h>

static const char *const partitions[] = {
	"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
};

bool arn_partition_known(gh_str partition)
{
	for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
		if (gh_str_eq_c(partition, partitions[i]))
			return true;
	return false;
}

bool arn_is_account_id(gh_str s)
{
	if (s.n != 12)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

bool arn_parse(gh_str s, arn_parts *out, gh_err *err)
{
	if (!gh_str_has_prefix(s, GH_STR("arn:")))
		return gh_fail(err, "InvalidArn", 400, "arn: invalid prefix");
	gh_str sec[5];
	size_t at = 4;
	for (int i = 0; i < 4; i++) {
		size_t c = gh_str_find(s, ':', at);
		if (c == s.n)
			return gh_fail(err, "InvalidArn", 400, "arn: not enough sections");
		sec[i] = gh_str_sub(s, at, c - at);
		at = c + 1;
	}
	sec[4] = gh_str_sub(s, at, s.n - at);
	*out = (arn_parts){ sec[0], sec[1], sec[2], sec[3], sec[4] };
	return true;
}

/* Upstream quotes the whole ARN in its messages; long hostile input is cut by the
 * fixed-size message buffer, never read past its view. */
static bool parse_known(gh_str arn, arn_parts *p, gh_err *err)
{
	gh_err inner = { 0 };
	if (!arn_parse(arn, p, &inner))
		return gh_fail(err, "InvalidArn", 400, "arn '" GH_STR_FMT "' is invalid: '%s'",
			       GH_STR_ARG(arn), inner.msg);
	if (!arn_partition_known(p->partition))
		return gh_fail(err, "InvalidArn", 400,
			       "arn '" GH_STR_FMT "' does not have a recognized partition",
			       GH_STR_ARG(arn));
	return true;
}

static gh_str first_segment(gh_str resource)
{
	return gh_str_sub(resource, 0, gh_str_find(resource, '/', 0));
}

static size_t count_char(gh_str s, char c)
{
	size_t n = 0;
	for (size_t i = 0; i < s.n; i++)
		n += s.p[i] == c;
	return n;
}

static bool copy_into(gh_buf *out, gh_str s)
{
	gh_buf_reset(out);
	return gh_buf_put_str(out, s) && !out->oom;
}

static bool canonical_sts(gh_str arn, const arn_parts *p, gh_buf *out, arn_kind *kind,
			  gh_err *err)
{
	gh_str type = first_segment(p->resource);
	if (gh_str_eq_c(type, "federated-user")) {
		*kind = ARN_FEDERATED_USER;
		return copy_into(out, arn);
	}
	if (!gh_str_eq_c(type, "assumed-role"))
		return gh_fail(err, "InvalidArn", 400, "unrecognized resource " GH_STR_FMT
			       " for service sts", GH_STR_ARG(p->resource));
	if (count_char(p->resource, '/') < 2)
		return gh_fail(err, "InvalidArn", 400,
			       "assumed-role arn '" GH_STR_FMT "' does not have a role",
			       GH_STR_ARG(arn));
	/* Everything between "assumed-role/" and the last '/' is the role, as upstream joins
	 * parts[1:len-1]. */
	size_t last = p->resource.n;
	while (p->resource.p[last - 1] != '/')
		last--;
	gh_str role = gh_str_sub(p->resource, type.n + 1, last - 1 - (type.n + 1));
	gh_buf_reset(out);
	gh_buf_printf(out, "arn:" GH_STR_FMT ":iam::" GH_STR_FMT ":role/" GH_STR_FMT,
		      GH_STR_ARG(p->partition), GH_STR_ARG(p->account), GH_STR_ARG(role));
	*kind = ARN_ASSUMED_ROLE;
	return !out->oom || gh_fail(err, "InternalError", 500, "out of memory");
}

bool arn_canonicalize(gh_str arn, gh_buf *out, arn_kind *kind, gh_err *err)
{
	arn_parts p;
	arn_kind k = ARN_OTHER;
	if (!parse_known(arn, &p, err))
		return false;
	if (gh_str_eq_c(p.service, "sts")) {
		if (!canonical_sts(arn, &p, out, &k, err))
			return false;
	} else if (gh_str_eq_c(p.service, "iam")) {
		gh_str type = first_segment(p.resource);
		if (gh_str_eq_c(type, "role"))
			k = ARN_ROLE;
		else if (gh_str_eq_c(type, "user"))
			k = ARN_USER;
		else if (gh_str_eq_c(type, "root"))
			k = ARN_ROOT;
		else
			return gh_fail(err, "InvalidArn", 400, "unrecognized resource " GH_STR_FMT
				       " for service iam", GH_STR_ARG(p.resource));
		if (!copy_into(out, arn))
			return gh_fail(err, "InternalError", 500, "out of memory");
	} else {
		return gh_fail(err, "InvalidArn", 400,
			       "service " GH_STR_FMT " in arn " GH_STR_FMT
			       " is not a valid service for identities",
			       GH_STR_ARG(p.service), GH_STR_ARG(arn));
	}
	if (kind)
		*kind = k;
	return true;
}

bool arn_strip_path(gh_str arn, gh_buf *out, gh_err *err)
{
	arn_parts p;
	if (!parse_known(arn, &p, err))
		return false;
	gh_str type = first_segment(p.resource);
	bool pathful = gh_str_eq_c(p.service, "iam") &&
		       (gh_str_eq_c(type, "role") || gh_str_eq_c(type, "user")) &&
		       count_char(p.resource, '/') > 1;
	if (!pathful)
		return copy_into(out, arn) || gh_fail(err, "InternalError", 500, "out of memory");
	gh_buf_reset(out);
	gh_buf_printf(out, "arn:" GH_STR_FMT ":iam::" GH_STR_FMT ":" GH_STR_FMT "/" GH_STR_FMT,
		      GH_STR_ARG(p.partition), GH_STR_ARG(p.account), GH_STR_ARG(type),
		      GH_STR_ARG(arn_last_name(arn)));
	return !out->oom || gh_fail(err, "InternalError", 500, "out of memory");
}

gh_str arn_last_name(gh_str arn)
{
	arn_parts p;
	if (!arn_parse(arn, &p, NULL))
		return (gh_str){ "", 0 };
	size_t i = p.resource.n;
	while (i > 0 && p.resource.p[i - 1] != '/')
		i--;
	return gh_str_sub(p.resource, i, p.resource.n - i);
}

/* "type/..../name" with a non-empty name and no empty path segment. */
static bool well_formed_path_name(gh_str rest)
{
	if (rest.n == 0 || rest.p[rest.n - 1] == '/')
		return false;
	for (size_t i = 0; i + 1 < rest.n; i++)
		if (rest.p[i] == '/' && rest.p[i + 1] == '/')
			return false;
	return rest.p[0] != '/';
}

static arn_kind classify_iam(gh_str res)
{
	if (gh_str_eq_c(res, "root"))
		return ARN_ROOT;
	gh_str type, rest;
	if (!gh_str_cut(res, '/', &type, &rest) || !well_formed_path_name(rest))
		return ARN_OTHER;
	if (gh_str_eq_c(type, "user"))
		return ARN_USER;
	if (gh_str_eq_c(type, "role"))
		return ARN_ROLE;
	if (gh_str_eq_c(type, "oidc-provider"))
		return ARN_OIDC_PROVIDER;
	if (gh_str_eq_c(type, "saml-provider") && gh_str_find(rest, '/', 0) == rest.n)
		return ARN_SAML_PROVIDER;
	return ARN_OTHER;
}

static arn_kind classify_sts(gh_str res)
{
	gh_str type, rest, role, session;
	if (!gh_str_cut(res, '/', &type, &rest) || rest.n == 0)
		return ARN_OTHER;
	if (gh_str_eq_c(type, "federated-user"))
		return gh_str_find(rest, '/', 0) == rest.n ? ARN_FEDERATED_USER : ARN_OTHER;
	if (!gh_str_eq_c(type, "assumed-role"))
		return ARN_OTHER;
	/* STS session ARNs carry no path: exactly role/session. */
	if (!gh_str_cut(rest, '/', &role, &session) || role.n == 0 || session.n == 0 ||
	    gh_str_find(session, '/', 0) != session.n)
		return ARN_OTHER;
	return ARN_ASSUMED_ROLE;
}

arn_kind arn_classify(gh_str arn)
{
	arn_parts p;
	if (!arn_parse(arn, &p, NULL) || !arn_partition_known(p.partition) || p.region.n != 0 ||
	    !arn_is_account_id(p.account))
		return ARN_OTHER;
	if (gh_str_eq_c(p.service, "iam"))
		return classify_iam(p.resource);
	if (gh_str_eq_c(p.service, "sts"))
		return classify_sts(p.resource);
	return ARN_OTHER;
}

enum gh_principal_kind arn_principal_kind(gh_str arn)
{
	switch (arn_classify(arn)) {
	case ARN_USER:
		return GH_PRINCIPAL_USER;
	case ARN_ASSUMED_ROLE:
		return GH_PRINCIPAL_ASSUMED_ROLE;
	case ARN_ROOT:
		return GH_PRINCIPAL_ROOT;
	case ARN_FEDERATED_USER:
		return GH_PRINCIPAL_FEDERATED;
	default:
		return GH_PRINCIPAL_UNKNOWN;
	}
}

static bool build_pathful(gh_buf *out, const char *type, gh_str partition, gh_str account,
			  gh_str path, gh_str name)
{
	if (path.n == 0)
		path = GH_STR("/");
	gh_buf_reset(out);
	gh_buf_printf(out, "arn:" GH_STR_FMT ":iam::" GH_STR_FMT ":%s" GH_STR_FMT GH_STR_FMT,
		      GH_STR_ARG(partition), GH_STR_ARG(account), type, GH_STR_ARG(path),
		      GH_STR_ARG(name));
	return !out->oom;
}

bool arn_build_user(gh_buf *out, gh_str partition, gh_str account, gh_str path, gh_str name)
{
	return build_pathful(out, "user", partition, account, path, name);
}

bool arn_build_role(gh_buf *out, gh_str partition, gh_str account, gh_str path, gh_str name)
{
	return build_pathful(out, "role", partition, account, path, name);
}

bool arn_build_assumed_role(gh_buf *out, gh_str partition, gh_str account, gh_str role_name,
			    gh_str session)
{
	gh_buf_reset(out);
	gh_buf_printf(out, "arn:" GH_STR_FMT ":sts::" GH_STR_FMT ":assumed-role/" GH_STR_FMT
		      "/" GH_STR_FMT, GH_STR_ARG(partition), GH_STR_ARG(account),
		      GH_STR_ARG(role_name), GH_STR_ARG(session));
	return !out->oom;
}

bool arn_build_root(gh_buf *out, gh_str partition, gh_str account)
{
	gh_buf_reset(out);
	gh_buf_printf(out, "arn:" GH_STR_FMT ":iam::" GH_STR_FMT ":root", GH_STR_ARG(partition),
		      GH_STR_ARG(account));
	return !out->oom;
}

/* ---- parameter validation ------------------------------------------------------- */

typedef enum field_pattern {
	PAT_NAME_PLUS,	/* [\w+=,.@-]+ */
	PAT_NAME_STAR,	/* [\w+=,.@-]* */
	PAT_EXTERNAL_ID, /* [\w+=,.@:\/-]* */
	PAT_PATH,	/* (\u002F)|(\u002F[\u0021-\u007E]+\u002F) */
	PAT_PATH_PREFIX, /* \u002F[\u0021-\u007F]* */
	PAT_ARN_TEXT,	/* STS arnType: printable Unicode */
} field_pattern;

typedef struct field_spec {
	const char *member;
	size_t min, max;
	field_pattern pat;
	const char *pattern_text; /* as the model spells it, which is what AWS prints */
} field_spec;

static bool is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool all_of(gh_str v, const char *extra)
{
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (!is_word(c) && (c == 0 || !strchr(extra, c)))
			return false;
	}
	return true;
}

static bool ascii_range(gh_str v, unsigned char lo, unsigned char hi)
{
	for (size_t i = 0; i < v.n; i++)
		if ((unsigned char)v.p[i] < lo || (unsigned char)v.p[i] > hi)
			return false;
	return true;
}

/* Decodes one UTF-8 sequence at s[*i]; false on malformed, overlong or surrogate. */
static bool utf8_next(gh_str s, size_t *i, unsigned *cp)
{
	unsigned char c = (unsigned char)s.p[*i];
	size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
				  : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0 || *i + len > s.n)
		return false;
	unsigned v = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (size_t k = 1; k < len; k++) {
		unsigned char d = (unsigned char)s.p[*i + k];
		if ((d & 0xC0) != 0x80)
			return false;
		v = (v << 6) | (d & 0x3Fu);
	}
	static const unsigned min_for_len[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (v < min_for_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return false;
	*i += len;
	*cp = v;
	return true;
}

static bool arn_text_ok(gh_str v)
{
	if (v.n == 0)
		return false;
	for (size_t i = 0; i < v.n;) {
		unsigned cp;
		if (!utf8_next(v, &i, &cp))
			return false;
		bool ok = cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) ||
			  cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) ||
			  (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
		if (!ok)
			return false;
	}
	return true;
}

static bool pattern_ok(gh_str v, field_pattern pat)
{
	switch (pat) {
	case PAT_NAME_PLUS:
		return v.n > 0 && all_of(v, "+=,.@-");
	case PAT_NAME_STAR:
		return all_of(v, "+=,.@-");
	case PAT_EXTERNAL_ID:
		return all_of(v, "+=,.@:/-");
	case PAT_PATH:
		return gh_str_eq_c(v, "/") ||
		       (v.n >= 3 && v.p[0] == '/' && v.p[v.n - 1] == '/' &&
			ascii_range(v, 0x21, 0x7E));
	case PAT_PATH_PREFIX:
		return v.n > 0 && v.p[0] == '/' && ascii_range(v, 0x21, 0x7F);
	case PAT_ARN_TEXT:
		return arn_text_ok(v);
	}
	return false;
}

/* AWS counts characters, not bytes; continuation bytes are not characters. */
static size_t char_count(gh_str v)
{
	size_t n = 0;
	for (size_t i = 0; i < v.n; i++)
		n += ((unsigned char)v.p[i] & 0xC0) != 0x80;
	return n;
}

static bool validate_field(gh_str v, const field_spec *f, const char *member, gh_err *err)
{
	const char *m = member ? member : f->member;
	char why[2][160];
	int n = 0;
	if (!pattern_ok(v, f->pat))
		snprintf(why[n++], sizeof why[0],
			 "Member must satisfy regular expression pattern: %s", f->pattern_text);
	size_t len = char_count(v);
	if (len > f->max)
		snprintf(why[n++], sizeof why[0], "Member must have length less than or equal to %zu",
			 f->max);
	else if (len < f->min)
		snprintf(why[n++], sizeof why[0],
			 "Member must have length greater than or equal to %zu", f->min);
	if (n == 0)
		return true;
	if (n == 1)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value '" GH_STR_FMT
			       "' at '%s' failed to satisfy constraint: %s",
			       GH_STR_ARG(v), m, why[0]);
	return gh_fail(err, "ValidationError", 400,
		       "2 validation errors detected: Value '" GH_STR_FMT
		       "' at '%s' failed to satisfy constraint: %s; Value '" GH_STR_FMT
		       "' at '%s' failed to satisfy constraint: %s",
		       GH_STR_ARG(v), m, why[0], GH_STR_ARG(v), m, why[1]);
}

static const field_spec F_PATH = { "path", 1, 512, PAT_PATH,
				   "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)" };
static const field_spec F_PATH_PREFIX = { "pathPrefix", 1, 512, PAT_PATH_PREFIX,
					  "\\u002F[\\u0021-\\u007F]*" };
static const field_spec F_ROLE_NAME = { "roleName", 1, 64, PAT_NAME_PLUS, "[\\w+=,.@-]+" };
static const field_spec F_USER_NAME = { "userName", 1, 64, PAT_NAME_PLUS, "[\\w+=,.@-]+" };
static const field_spec F_SESSION = { "roleSessionName", 2, 64, PAT_NAME_STAR, "[\\w+=,.@-]*" };
static const field_spec F_EXTERNAL_ID = { "externalId", 2, 1224, PAT_EXTERNAL_ID,
					  "[\\w+=,.@:\\/-]*" };
static const field_spec F_SOURCE_ID = { "sourceIdentity", 2, 64, PAT_NAME_STAR, "[\\w+=,.@-]*" };
static const field_spec F_FED_NAME = { "name", 2, 32, PAT_NAME_STAR, "[\\w+=,.@-]*" };
static const field_spec F_ARN = {
	"roleArn", 20, ARN_MAX_LEN, PAT_ARN_TEXT,
	"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"
};

bool arn_validate_path(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_PATH, member, err);
}

bool arn_validate_path_prefix(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_PATH_PREFIX, member, err);
}

bool arn_validate_role_name(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_ROLE_NAME, member, err);
}

bool arn_validate_user_name(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_USER_NAME, member, err);
}

bool arn_validate_session_name(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_SESSION, member, err);
}

bool arn_validate_external_id(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_EXTERNAL_ID, member, err);
}

bool arn_validate_source_identity(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_SOURCE_ID, member, err);
}

bool arn_validate_federation_name(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_FED_NAME, member, err);
}

bool arn_validate_arn(gh_str v, const char *member, gh_err *err)
{
	return validate_field(v, &F_ARN, member, err);
}
