#include "domain/aws/iam.h"

#include <string.h>

void iam_make_unique_id(const char *prefix, const uint8_t rnd[17], char out[IAM_ID_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; /* AWS IDs look base32 */
	memcpy(out, prefix, 4);
	for (int i = 0; i < 17; i++)
		out[4 + i] = alphabet[rnd[i] & 31];
	out[IAM_ID_LEN] = '\0';
}

void iam_make_access_key_id(const char *prefix, const uint8_t rnd[16], char out[IAM_AKID_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	memcpy(out, prefix, 4);
	for (int i = 0; i < 16; i++)
		out[4 + i] = alphabet[rnd[i] & 31];
	out[IAM_AKID_LEN] = '\0';
}

void iam_make_secret(const uint8_t rnd[30], char out[IAM_SECRET_LEN + 1])
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	/* 30 bytes = 240 bits = 40 base64 digits, no padding. */
	for (int i = 0; i < 10; i++) {
		uint32_t v = (uint32_t)rnd[3 * i] << 16 | (uint32_t)rnd[3 * i + 1] << 8 | rnd[3 * i + 2];
		out[4 * i] = alphabet[(v >> 18) & 63];
		out[4 * i + 1] = alphabet[(v >> 12) & 63];
		out[4 * i + 2] = alphabet[(v >> 6) & 63];
		out[4 * i + 3] = alphabet[v & 63];
	}
	out[IAM_SECRET_LEN] = '\0';
}

bool iam_access_denied(gh_err *err, gh_str caller_arn, const char *action, gh_str resource_arn,
		       bool identity_based)
{
	if (identity_based)
		return gh_fail(err, "AccessDenied", 403,
			       "User: " GH_STR_FMT " is not authorized to perform: %s on resource: " GH_STR_FMT
			       " because no identity-based policy allows the %s action",
			       GH_STR_ARG(caller_arn), action, GH_STR_ARG(resource_arn), action);
	return gh_fail(err, "AccessDenied", 403,
		       "User: " GH_STR_FMT " is not authorized to perform: %s on resource: " GH_STR_FMT,
		       GH_STR_ARG(caller_arn), action, GH_STR_ARG(resource_arn));
}

static bool is_self_service(const char *action)
{
	static const char *const self[] = { "iam:GetUser", "iam:ListAccessKeys", "iam:CreateAccessKey",
					    "iam:DeleteAccessKey" };
	for (size_t i = 0; i < sizeof self / sizeof self[0]; i++)
		if (strcmp(action, self[i]) == 0)
			return true;
	return false;
}

bool iam_authorize(const iam_caller *caller, const char *action, gh_str target_user,
		   gh_str resource_arn, gh_err *err)
{
	if (caller->admin || caller->kind == IAM_CALLER_ROOT)
		return true;
	if (caller->kind == IAM_CALLER_USER && is_self_service(action) &&
	    (target_user.n == 0 || gh_str_eq(target_user, caller->user_name)))
		return true;
	return iam_access_denied(err, caller->arn, action, resource_arn, true);
}

bool iam_validate_max_session(int64_t v, gh_err *err)
{
	if (v < 3600 || v > 43200)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value '%lld' at 'maxSessionDuration' failed to "
			       "satisfy constraint: Member must have value %s to %d",
			       (long long)v, v < 3600 ? "greater than or equal" : "less than or equal",
			       v < 3600 ? 3600 : 43200);
	return true;
}

static bool tag_char_ok(unsigned char c)
{
	/* Bytes >= 0x80 belong to UTF-8 sequences; AWS accepts Unicode letters there. */
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr(" _.:/=+-@", c) != NULL;
}

static bool tag_text_ok(gh_str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!tag_char_ok((unsigned char)s.p[i]))
			return false;
	return true;
}

bool iam_validate_tags(const iam_tag *tags, size_t n, const char *what, gh_err *err)
{
	if (n > 50)
		return gh_fail(err, "LimitExceeded", 409,
			       "The number of tags has reached the maximum limit of 50.");
	for (size_t i = 0; i < n; i++) {
		gh_str k = tags[i].key, v = tags[i].value;
		if (k.n < 1 || k.n > 128 || !tag_text_ok(k))
			return gh_fail(err, "ValidationError", 400,
				       "1 validation error detected: Value '" GH_STR_FMT "' at '%s.%zu.member.key' "
				       "failed to satisfy constraint: Member must have length between 1 and 128 "
				       "and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
				       GH_STR_ARG(k), what, i + 1);
		if (v.n > 256 || !tag_text_ok(v))
			return gh_fail(err, "ValidationError", 400,
				       "1 validation error detected: Value '" GH_STR_FMT "' at '%s.%zu.member.value' "
				       "failed to satisfy constraint: Member must have length less than or equal to "
				       "256 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
				       GH_STR_ARG(v), what, i + 1);
		if (k.n >= 4 && gh_str_ieq(gh_str_sub(k, 0, 4), GH_STR("aws:")))
			return gh_fail(err, "InvalidInput", 400,
				       "User-defined tags cannot begin with the 'aws:' prefix.");
		for (size_t j = 0; j < i; j++)
			if (gh_str_ieq(tags[j].key, k))
				return gh_fail(err, "InvalidInput", 400,
					       "Duplicate tag keys found. Please note that Tag keys are "
					       "case insensitive.");
	}
	return true;
}
