#include "domain/authn/sts_answer.h"

#include <jansson.h>
#include <string.h>

#include "domain/aws/arn.h"

static bool contains(gh_str hay, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= hay.n; i++)
		if (memcmp(hay.p + i, needle, n) == 0)
			return true;
	return false;
}

static gh_str field(json_t *obj, const char *name, gh_arena *a)
{
	json_t *v = json_object_get(obj, name);
	if (!json_is_string(v))
		return (gh_str){ "", 0 };
	return gh_arena_str(a, (gh_str){ json_string_value(v), json_string_length(v) });
}

bool sts_answer_parse(int status, gh_str body, gh_str akid, gh_arena *a, gh_identity *out, gh_err *err)
{
	if (status != 200) {
		if (contains(body, "Throttling"))
			return gh_fail(err, "Throttling", 429,
				       "sts getCallerIdentity failed: error from AWS (expected 200, got %d): throttled; "
				       "retry later",
				       status);
		return gh_fail(err, "STSError", 403,
			       "sts getCallerIdentity failed: error from AWS (expected 200, got %d). Body: %.*s", status,
			       (int)(body.n > 300 ? 300 : body.n), body.p);
	}
	if (body.n > STS_ANSWER_MAX_BYTES)
		return gh_fail(err, "STSError", 403, "sts getCallerIdentity failed: answer larger than %d bytes",
			       STS_ANSWER_MAX_BYTES);
	json_error_t je;
	json_t *root = json_loadb(body.p, body.n, 0, &je);
	json_t *res = json_object_get(json_object_get(root, "GetCallerIdentityResponse"), "GetCallerIdentityResult");
	if (!json_is_object(res)) {
		json_decref(root);
		return gh_fail(err, "STSError", 403,
			       "sts getCallerIdentity failed: the answer is not a GetCallerIdentity JSON document%s%s",
			       root ? "" : ": ", root ? "" : je.text);
	}
	gh_identity id = { .account_id = field(res, "Account", a), .arn = field(res, "Arn", a),
			   .user_id = field(res, "UserId", a), .access_key_id = gh_arena_str(a, akid) };
	json_decref(root);

	gh_buf canon = { 0 };
	arn_kind kind;
	if (!arn_canonicalize(id.arn, &canon, &kind, err)) {
		gh_buf_free(&canon);
		return gh_fail_wrap(err, "sts getCallerIdentity answered an unusable ARN");
	}
	id.canonical_arn = gh_arena_str(a, gh_buf_str(&canon));
	id.path_arn = id.canonical_arn; /* real STS does not tell the role's path */
	gh_buf_free(&canon);
	arn_parts parts;
	if (arn_parse(id.arn, &parts, NULL))
		id.partition = parts.partition;
	switch (kind) {
	case ARN_USER: id.kind = GH_PRINCIPAL_USER; break;
	case ARN_ROOT: id.kind = GH_PRINCIPAL_ROOT; break;
	case ARN_FEDERATED_USER: id.kind = GH_PRINCIPAL_FEDERATED; break;
	default: id.kind = GH_PRINCIPAL_ASSUMED_ROLE; break;
	}
	if (id.kind == GH_PRINCIPAL_ASSUMED_ROLE) {
		gh_str role_id, session;
		if (!gh_str_cut(id.user_id, ':', &role_id, &session) || gh_str_find(session, ':', 0) != session.n)
			return gh_fail(err, "STSError", 403, "malformed UserID " GH_STR_FMT, GH_STR_ARG(id.user_id));
		id.principal_id = role_id;
		id.session_name = session;
	} else {
		id.principal_id = id.user_id;
	}
	*out = id;
	return true;
}
