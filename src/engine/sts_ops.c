/* STS AssumeRole: the trust policy decides, then a session is issued and stored. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "codec/base64.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "domain/aws/arn.h"
#include "domain/aws/policy.h"
#include "engine/engine_internal.h"

#define MAX_CTX 256

typedef struct ctx_builder {
	policy_ctx_key keys[MAX_CTX];
	size_t n;
	gh_arena *a;
} ctx_builder;

static void ctx_add(ctx_builder *b, gh_str name, const gh_str *values, size_t n)
{
	if (b->n == MAX_CTX || n == 0)
		return;
	gh_str *copy = gh_arena_alloc(b->a, n * sizeof *copy);
	memcpy(copy, values, n * sizeof *copy);
	b->keys[b->n++] = (policy_ctx_key){ name, copy, n };
}

static void ctx_add1(ctx_builder *b, const char *name, gh_str value)
{
	if (value.n)
		ctx_add(b, gh_str_c(name), &value, 1);
}

static gh_str prefixed(gh_arena *a, const char *prefix, gh_str key)
{
	size_t pl = strlen(prefix);
	char *p = gh_arena_alloc(a, pl + key.n + 1);
	memcpy(p, prefix, pl);
	memcpy(p + pl, key.p, key.n);
	return (gh_str){ p, pl + key.n };
}

/* The session tags a caller carries (sessions) as a tag list in the arena. */
static size_t caller_tags(const gh_cred *cr, gh_arena *a, iam_tag **out, bool transitive_only)
{
	*out = NULL;
	if (!cr->tags_json)
		return 0;
	json_t *tags = json_loads(cr->tags_json, 0, NULL);
	json_t *trans = json_loads(cr->transitive_json ? cr->transitive_json : "[]", 0, NULL);
	size_t n = json_array_size(tags), k = 0;
	*out = gh_arena_alloc(a, (n ? n : 1) * sizeof **out);
	for (size_t i = 0; i < n; i++) {
		const char *key = json_string_value(json_object_get(json_array_get(tags, i), "Key"));
		const char *val = json_string_value(json_object_get(json_array_get(tags, i), "Value"));
		if (!key || !val)
			continue;
		bool is_trans = false;
		for (size_t j = 0; j < json_array_size(trans); j++) {
			const char *t = json_string_value(json_array_get(trans, j));
			is_trans |= t && strcasecmp(t, key) == 0;
		}
		if (transitive_only && !is_trans)
			continue;
		(*out)[k].key = gh_arena_str(a, gh_str_c(key));
		(*out)[k].value = gh_arena_str(a, gh_str_c(val));
		k++;
	}
	json_decref(tags);
	json_decref(trans);
	return k;
}

bool sts_check_session_policy(gh_str policy, gh_err *err)
{
	if (!policy.n)
		return true;
	gh_arena a;
	gh_arena_init(&a, 0);
	const policy_doc *d;
	policy_opts o = { .kind = POLICY_IDENTITY, .max_size = 2048 };
	bool ok = policy_parse(&a, policy, &o, &d, err);
	gh_arena_free(&a);
	return ok;
}

static bool validate_request(const gh_assume_role_req *r, gh_err *err)
{
	if (!arn_validate_arn(r->role_arn, NULL, err) || !arn_validate_session_name(r->session_name, NULL, err))
		return false;
	if (r->duration && (r->duration < 900 || r->duration > 43200))
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value '%lld' at 'durationSeconds' failed to satisfy "
			       "constraint: Member must have value %s",
			       (long long)r->duration,
			       r->duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200");
	if (r->external_id.n && !arn_validate_external_id(r->external_id, NULL, err))
		return false;
	if (r->source_identity.n && !arn_validate_source_identity(r->source_identity, NULL, err))
		return false;
	if (r->ntags > 50)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
			       "Member must have length less than or equal to 50");
	if (!iam_validate_tags(r->tags, r->ntags, "tags", err))
		return false;
	for (size_t i = 0; i < r->ntransitive; i++) {
		bool found = false;
		for (size_t j = 0; j < r->ntags; j++)
			found |= gh_str_ieq(r->transitive_keys[i], r->tags[j].key);
		if (!found)
			return gh_fail(err, "InvalidParameterValue", 400,
				       "The specified transitive tag key must be included in the requested tags.");
	}
	return sts_check_session_policy(r->policy, err);
}

static bool denied(gh_err *err, const gh_cred *cr, const char *action, gh_str role_arn)
{
	return gh_fail(err, "AccessDenied", 403,
		       "User: %s is not authorized to perform: %s on resource: " GH_STR_FMT, cr->arn, action,
		       GH_STR_ARG(role_arn));
}

/* Builds the request context every trust-policy evaluation of this call shares. */
static void build_context(gh_engine *e, const gh_cred *cr /* NULL: a service */, const gh_assume_role_req *r,
			  const iam_tag *tags, size_t ntags, const policy_caller *pc, ctx_builder *b)
{
	gh_arena *a = b->a;
	if (!policy_caller_context(pc, a, b->keys, &b->n, MAX_CTX))
		b->n = 0;
	ctx_add1(b, "sts:RoleSessionName", r->session_name);
	ctx_add1(b, "sts:ExternalId", r->external_id);
	ctx_add1(b, "sts:SourceIdentity", r->source_identity);
	ctx_add1(b, "aws:SourceIp", r->source_ip);
	ctx_add1(b, "aws:SecureTransport", r->secure_transport ? GH_STR("true") : GH_STR("false"));
	ctx_add1(b, "aws:MultiFactorAuthPresent", GH_STR("false"));
	char iso[GH_ISO8601_LEN + 1], epoch[24];
	gh_time_iso8601(engine_now(e), iso);
	snprintf(epoch, sizeof epoch, "%lld", (long long)engine_now(e));
	ctx_add1(b, "aws:CurrentTime", gh_arena_str(a, gh_str_c(iso)));
	ctx_add1(b, "aws:EpochTime", gh_arena_str(a, gh_str_c(epoch)));
	if (ntags) {
		gh_str *keys = gh_arena_alloc(a, ntags * sizeof *keys);
		for (size_t i = 0; i < ntags; i++) {
			keys[i] = tags[i].key;
			ctx_add(b, prefixed(a, "aws:RequestTag/", tags[i].key), &tags[i].value, 1);
		}
		ctx_add(b, GH_STR("aws:TagKeys"), keys, ntags);
	}
	if (r->ntransitive)
		ctx_add(b, GH_STR("sts:TransitiveTagKeys"), r->transitive_keys, r->ntransitive);
	if (!cr)
		return;
	iam_tag *ptags;
	size_t np = caller_tags(cr, a, &ptags, false);
	for (size_t i = 0; i < np; i++)
		ctx_add(b, prefixed(a, "aws:PrincipalTag/", ptags[i].key), &ptags[i].value, 1);
}

static bool decide(const policy_doc *d, const char *action, const policy_caller *pc, gh_str role_arn,
		   ctx_builder *b, gh_err *err, bool *allowed)
{
	policy_request pr = { .action = gh_str_c(action), .caller = *pc, .resource = role_arn, .ctx = b->keys,
			      .nctx = b->n };
	policy_result res;
	if (!policy_evaluate(d, &pr, b->a, &res, err))
		return false;
	*allowed = res.decision == POLICY_ALLOW;
	return true;
}

struct session_ctx {
	sts_session s;
};

static bool insert_session_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct session_ctx *c = ctx;
	return iam_store_insert_session(db_conn(e->db), &c->s, err);
}

char *sts_tags_json(const iam_tag *tags, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s%, s:s%}", "Key", tags[i].key.p, tags[i].key.n, "Value",
						     tags[i].value.p, tags[i].value.n));
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static char *keys_to_json(const gh_str *keys, size_t n, const iam_tag *inherited, size_t ninh)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_stringn(keys[i].p, keys[i].n));
	for (size_t i = 0; i < ninh; i++)
		json_array_append_new(arr, json_stringn(inherited[i].key.p, inherited[i].key.n));
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

bool sts_issue_session(gh_engine *e, const iam_role *role, const gh_assume_role_req *r, const char *source_arn,
		       const char *source_identity, const iam_tag *tags, size_t ntags, const iam_tag *inherited,
		       size_t ninh, int64_t duration, gh_arena *a, gh_assume_role_res *out, gh_err *err)
{
	uint8_t rnd[16 + 30 + 64];
	if (!engine_random(rnd, sizeof rnd, err))
		return false;
	char akid[IAM_AKID_LEN + 1], secret[IAM_SECRET_LEN + 1];
	iam_make_access_key_id("ASIA", rnd, akid);
	iam_make_secret(rnd + 16, secret);
	gh_buf token = { 0 };
	gh_buf_puts(&token, "GHST");
	base64_encode_buf(rnd + 46, 64, BASE64_STD, true, &token);
	gh_secure_zero(rnd, sizeof rnd);

	struct session_ctx ctx = { 0 };
	gh_sha256(token.p, token.n, ctx.s.token_hash);
	gh_buf sealed = { 0 };
	char *tags_json = sts_tags_json(tags, ntags);
	char *trans_json = keys_to_json(r->transitive_keys, r->ntransitive, inherited, ninh);
	int64_t now = engine_now(e);
	bool ok = engine_seal_secret(e, akid, secret, &sealed, err);
	if (ok) {
		ctx.s.akid = akid;
		ctx.s.role_id = role->id;
		ctx.s.session_name = gh_arena_str(a, r->session_name).p;
		ctx.s.source_arn = source_arn;
		ctx.s.source_identity = r->source_identity.n ? gh_arena_str(a, r->source_identity).p
							     : source_identity;
		ctx.s.tags_json = tags_json;
		ctx.s.transitive_json = trans_json;
		ctx.s.sealed_secret = (const uint8_t *)sealed.p;
		ctx.s.sealed_len = sealed.n;
		ctx.s.created = now;
		ctx.s.expires = now + duration;
		ok = engine_tx(e, insert_session_tx, &ctx, err);
	}
	if (ok) {
		gh_buf arn = { 0 }, rid = { 0 };
		arn_build_assumed_role(&arn, gh_str_c(e->cfg.partition), gh_str_c(role->account), gh_str_c(role->name),
				       r->session_name);
		gh_buf_printf(&rid, "%s:" GH_STR_FMT, role->id, GH_STR_ARG(r->session_name));
		out->akid = gh_arena_strndup(a, akid, IAM_AKID_LEN);
		out->secret = gh_arena_strndup(a, secret, IAM_SECRET_LEN);
		out->session_token = gh_arena_str(a, gh_buf_str(&token)).p;
		out->expires = ctx.s.expires;
		out->arn = gh_arena_str(a, gh_buf_str(&arn)).p;
		out->assumed_role_id = gh_arena_str(a, gh_buf_str(&rid)).p;
		out->source_identity = ctx.s.source_identity;
		/* AWS reports how full the packed policy and tags are, in percent. */
		out->packed_policy_size = (ntags || r->policy.n) ? (int)((strlen(tags_json) + r->policy.n) * 100 / 2048) + 1
								 : -1;
		gh_buf_free(&arn);
		gh_buf_free(&rid);
	}
	gh_secure_zero(secret, sizeof secret);
	free(tags_json);
	free(trans_json);
	gh_buf_free(&sealed);
	aead_buf_wipe(&token);
	return ok;
}

/* The request's shape, then the role it names: *found is false when the role is not this
 * account's or its path differs, which the callers refuse exactly as a trust policy's "no". */
static bool validate_and_find_role(gh_engine *e, const gh_assume_role_req *r, gh_arena *a, iam_role *role,
				   bool *found, gh_err *err)
{
	if (!validate_request(r, err))
		return false;
	gh_str role_arn = r->role_arn;
	arn_parts parts;
	if (!arn_parse(role_arn, &parts, err) || arn_classify(role_arn) != ARN_ROLE)
		return gh_fail(err, "ValidationError", 400, "Invalid ARN: " GH_STR_FMT " is not a role ARN.",
			       GH_STR_ARG(role_arn));
	gh_err lookup;
	if (!engine_read_begin(e, err))
		return false;
	*found = gh_str_eq_c(parts.account, e->account) &&
		 iam_store_get_role(db_conn(e->db), e->account, arn_last_name(role_arn), a, role, &lookup) &&
		 gh_str_eq_c(role_arn, role->arn);
	engine_read_end(e);
	return true;
}

bool engine_sts_assume_role(gh_engine *e, const gh_caller *c, const gh_assume_role_req *r, gh_arena *a,
			    gh_assume_role_res *out, gh_err *err)
{
	const gh_cred *cr = c->cred;
	iam_role role;
	bool found;
	if (!validate_and_find_role(e, r, a, &role, &found, err))
		return false;
	/* A role that does not exist (or whose path differs) is indistinguishable from one
	 * that does not trust the caller, as on AWS. */
	if (!found)
		return denied(err, cr, "sts:AssumeRole", r->role_arn);

	int64_t duration = r->duration ? r->duration : 3600;
	if (cr->kind == IAM_CALLER_ROLE_SESSION && duration > 3600)
		return gh_fail(err, "ValidationError", 400,
			       "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
			       "role chaining.");
	if (duration > role.max_session)
		return gh_fail(err, "ValidationError", 400,
			       "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

	/* Transitive tags of a chained caller come along and cannot be overridden. */
	iam_tag *inherited;
	size_t ninh = caller_tags(cr, a, &inherited, true);
	for (size_t i = 0; i < ninh; i++)
		for (size_t j = 0; j < r->ntags; j++)
			if (gh_str_ieq(inherited[i].key, r->tags[j].key))
				return gh_fail(err, "InvalidParameterValue", 400,
					       "One of the specified session tags conflicts with a transitive tag "
					       "from the calling session.");
	size_t ntags = r->ntags + ninh;
	iam_tag *tags = gh_arena_alloc(a, (ntags ? ntags : 1) * sizeof *tags);
	if (r->ntags)
		memcpy(tags, r->tags, r->ntags * sizeof *tags);
	if (ninh)
		memcpy(tags + r->ntags, inherited, ninh * sizeof *tags);

	const policy_doc *doc;
	if (!policy_parse(a, gh_str_c(role.trust_policy), NULL, &doc, err))
		return gh_fail_wrap(err, "the stored trust policy of %s", role.arn);
	policy_caller pc = {
		.type = POLICY_CALLER_AWS,
		.kind = cr->kind == IAM_CALLER_ROLE_SESSION ? GH_PRINCIPAL_ASSUMED_ROLE
			: cr->kind == IAM_CALLER_ROOT	   ? GH_PRINCIPAL_ROOT
							   : GH_PRINCIPAL_USER,
		.arn = gh_str_c(cr->arn),
		.role_arn = gh_str_c(cr->role_arn),
		.account_id = gh_str_c(cr->account),
		.unique_id = gh_str_c(cr->principal_id),
	};
	ctx_builder b = { .a = a };
	build_context(e, cr, r, tags, ntags, &pc, &b);
	bool allowed;
	if (!decide(doc, "sts:AssumeRole", &pc, r->role_arn, &b, err, &allowed))
		return false;
	if (!allowed)
		return denied(err, cr, "sts:AssumeRole", r->role_arn);
	if (ntags) {
		if (!decide(doc, "sts:TagSession", &pc, r->role_arn, &b, err, &allowed))
			return false;
		if (!allowed)
			return denied(err, cr, "sts:TagSession", r->role_arn);
	}
	if (r->source_identity.n) {
		if (!decide(doc, "sts:SetSourceIdentity", &pc, r->role_arn, &b, err, &allowed))
			return false;
		if (!allowed)
			return denied(err, cr, "sts:SetSourceIdentity", r->role_arn);
	}
	return sts_issue_session(e, &role, r, cr->arn, cr->source_identity, tags, ntags, inherited, ninh, duration, a,
				 out, err);
}

bool sts_assume_role_as_service(gh_engine *e, const char *service, const gh_assume_role_req *r, int64_t duration,
				gh_arena *a, gh_assume_role_res *out, gh_err *err)
{
	iam_role role;
	bool found;
	if (!validate_and_find_role(e, r, a, &role, &found, err))
		return false;
	const char *denied_fmt = "Service %s is not authorized to perform: %s on resource: " GH_STR_FMT;
	if (!found)
		return gh_fail(err, "AccessDenied", 403, denied_fmt, service, "sts:AssumeRole", GH_STR_ARG(r->role_arn));
	const policy_doc *doc;
	if (!policy_parse(a, gh_str_c(role.trust_policy), NULL, &doc, err))
		return gh_fail_wrap(err, "the stored trust policy of %s", role.arn);
	/* The service asks on the pod's behalf: its principal is what the trust policy names,
	 * and the request's tags are what conditions on aws:RequestTag see. */
	policy_caller pc = { .type = POLICY_CALLER_SERVICE, .arn = gh_str_c(service) };
	ctx_builder b = { .a = a };
	build_context(e, NULL, r, r->tags, r->ntags, &pc, &b);
	bool allowed;
	if (!decide(doc, "sts:AssumeRole", &pc, r->role_arn, &b, err, &allowed))
		return false;
	if (!allowed)
		return gh_fail(err, "AccessDenied", 403, denied_fmt, service, "sts:AssumeRole", GH_STR_ARG(r->role_arn));
	if (r->ntags) {
		if (!decide(doc, "sts:TagSession", &pc, r->role_arn, &b, err, &allowed))
			return false;
		if (!allowed)
			return gh_fail(err, "AccessDenied", 403, denied_fmt, service, "sts:TagSession",
				       GH_STR_ARG(r->role_arn));
	}
	return sts_issue_session(e, &role, r, service, NULL, r->tags, r->ntags, NULL, 0, duration, a, out, err);
}
