/* IAM actions: validate, authorize, then change the store in one transaction. */
#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "domain/aws/arn.h"
#include "domain/aws/policy.h"
#include "engine/engine_internal.h"

iam_caller engine_iam_caller(const gh_caller *c)
{
	const gh_cred *cr = c->cred;
	return (iam_caller){
		.kind = cr->kind,
		.admin = cr->admin,
		.arn = gh_str_c(cr->arn),
		.user_name = gh_str_c(cr->user_name),
		.account_id = gh_str_c(cr->account),
	};
}

static bool authorize(gh_engine *e, const gh_caller *c, const char *action, gh_str user, const char *kind,
		      gh_str name, gh_err *err)
{
	iam_caller ic = engine_iam_caller(c);
	gh_buf res = { 0 };
	if (kind)
		gh_buf_printf(&res, "arn:%s:iam::%s:%s/" GH_STR_FMT, e->cfg.partition, c->cred->account, kind,
			      GH_STR_ARG(name));
	else
		gh_buf_printf(&res, "arn:%s:iam::%s:*", e->cfg.partition, c->cred->account);
	bool ok = iam_authorize(&ic, action, user, gh_buf_str(&res), err);
	gh_buf_free(&res);
	return ok;
}

/* The user an action is about: the named one, or the caller when omitted (as IAM). */
static gh_str target_user(const gh_caller *c, gh_str name)
{
	if (name.n)
		return name;
	return gh_str_c(c->cred->user_name);
}

static bool check_page(const gh_list_page *pg, int *max, gh_err *err)
{
	*max = pg->max_items ? pg->max_items : 100;
	if (*max < 1 || *max > 1000)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: "
			       "Member must have value %s",
			       *max, *max < 1 ? "greater than or equal to 1" : "less than or equal to 1000");
	if (pg->path_prefix.n && !arn_validate_path_prefix(pg->path_prefix, NULL, err))
		return false;
	return true;
}

/* --- users ----------------------------------------------------------------------- */

struct create_user_ctx {
	iam_user *u;
};

static bool create_user_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct create_user_ctx *c = ctx;
	(void)e;
	return iam_store_insert_user(db_conn(e->db), c->u, err);
}

bool engine_iam_create_user(gh_engine *e, const gh_caller *c, gh_str name, gh_str path, const iam_tag *tags,
			    size_t ntags, gh_arena *a, iam_user *out, gh_err *err)
{
	if (!path.n)
		path = GH_STR("/");
	if (!arn_validate_user_name(name, NULL, err) || !arn_validate_path(path, NULL, err) ||
	    !iam_validate_tags(tags, ntags, "tags", err) ||
	    !authorize(e, c, "iam:CreateUser", (gh_str){ 0 }, "user", name, err))
		return false;
	uint8_t rnd[17];
	if (!engine_random(rnd, sizeof rnd, err))
		return false;
	char id[IAM_ID_LEN + 1];
	iam_make_unique_id("AIDA", rnd, id);
	gh_buf arn = { 0 };
	arn_build_user(&arn, gh_str_c(e->cfg.partition), gh_str_c(e->account), path, name);
	*out = (iam_user){
		.id = gh_arena_strndup(a, id, IAM_ID_LEN),
		.account = e->account,
		.name = gh_arena_str(a, name).p,
		.path = gh_arena_str(a, path).p,
		.arn = gh_arena_str(a, gh_buf_str(&arn)).p,
		.created = engine_now(e),
		.tags = (iam_tag *)tags,
		.ntags = ntags,
	};
	gh_buf_free(&arn);
	struct create_user_ctx ctx = { out };
	return engine_tx(e, create_user_tx, &ctx, err);
}

bool engine_iam_get_user(gh_engine *e, const gh_caller *c, gh_str name, gh_arena *a, iam_user *out, gh_err *err)
{
	gh_str who = target_user(c, name);
	if (!who.n)
		return gh_fail(err, "ValidationError", 400,
			       "Must specify userName when calling with non-User credentials");
	if (!authorize(e, c, "iam:GetUser", who, "user", who, err))
		return false;
	if (!engine_read_begin(e, err))
		return false;
	bool ok = iam_store_get_user(db_conn(e->db), e->account, who, a, out, err);
	engine_read_end(e);
	return ok;
}

bool engine_iam_list_users(gh_engine *e, const gh_caller *c, const gh_list_page *pg, gh_arena *a,
			   iam_user **out, size_t *n, bool *truncated, gh_err *err)
{
	int max;
	if (!check_page(pg, &max, err) || !authorize(e, c, "iam:ListUsers", (gh_str){ 0 }, NULL, (gh_str){ 0 }, err))
		return false;
	if (!engine_read_begin(e, err))
		return false;
	bool ok = iam_store_list_users(db_conn(e->db), e->account, pg->path_prefix, pg->marker, max, a, out, n, truncated,
				       err);
	engine_read_end(e);
	return ok;
}

struct name_ctx {
	gh_str name, arg;
	const char *id;
	const iam_tag *tags;
	const gh_str *keys;
	size_t n;
};

static bool delete_user_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct name_ctx *c = ctx;
	return iam_store_delete_user(db_conn(e->db), e->account, c->name, err);
}

bool engine_iam_delete_user(gh_engine *e, const gh_caller *c, gh_str name, gh_err *err)
{
	if (!arn_validate_user_name(name, NULL, err) || !authorize(e, c, "iam:DeleteUser", name, "user", name, err))
		return false;
	if (c->cred->kind == IAM_CALLER_USER && gh_str_eq_c(name, c->cred->user_name) && c->cred->admin)
		return gh_fail(err, "DeleteConflict", 409,
			       "Cannot delete entity: gatehouse refuses to delete the administrator you are "
			       "signed in as.");
	struct name_ctx ctx = { .name = name };
	return engine_tx(e, delete_user_tx, &ctx, err);
}

/* --- access keys ----------------------------------------------------------------- */

struct create_key_ctx {
	gh_str user;
	gh_arena *a;
	gh_new_key *out;
};

static bool create_key_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct create_key_ctx *c = ctx;
	iam_user u;
	if (!iam_store_get_user(db_conn(e->db), e->account, c->user, c->a, &u, err))
		return false;
	uint8_t rnd[16 + 30];
	if (!engine_random(rnd, sizeof rnd, err))
		return false;
	char akid[IAM_AKID_LEN + 1], secret[IAM_SECRET_LEN + 1];
	iam_make_access_key_id("AKIA", rnd, akid);
	iam_make_secret(rnd + 16, secret);
	gh_secure_zero(rnd, sizeof rnd);
	gh_buf sealed = { 0 };
	bool ok = engine_seal_secret(e, akid, secret, &sealed, err);
	if (ok) {
		c->out->meta = (iam_access_key){
			.id = gh_arena_strndup(c->a, akid, IAM_AKID_LEN),
			.user_id = u.id,
			.user_name = u.name,
			.status = "Active",
			.created = engine_now(e),
			.sealed_secret = (const uint8_t *)sealed.p,
			.sealed_len = sealed.n,
		};
		ok = iam_store_insert_access_key(db_conn(e->db), &c->out->meta, err);
		c->out->secret = gh_arena_strndup(c->a, secret, IAM_SECRET_LEN);
		c->out->meta.sealed_secret = NULL;
		c->out->meta.sealed_len = 0;
	}
	gh_secure_zero(secret, sizeof secret);
	gh_buf_free(&sealed);
	return ok;
}

bool engine_iam_create_access_key(gh_engine *e, const gh_caller *c, gh_str user, gh_arena *a, gh_new_key *out,
				  gh_err *err)
{
	gh_str who = target_user(c, user);
	if (!who.n)
		return gh_fail(err, "ValidationError", 400,
			       "Must specify userName when calling with non-User credentials");
	if (!arn_validate_user_name(who, NULL, err) ||
	    !authorize(e, c, "iam:CreateAccessKey", who, "user", who, err))
		return false;
	struct create_key_ctx ctx = { who, a, out };
	return engine_tx(e, create_key_tx, &ctx, err);
}

bool engine_iam_list_access_keys(gh_engine *e, const gh_caller *c, gh_str user, gh_arena *a,
				 iam_access_key **out, size_t *n, const char **user_name, gh_err *err)
{
	gh_str who = target_user(c, user);
	if (!who.n)
		return gh_fail(err, "ValidationError", 400,
			       "Must specify userName when calling with non-User credentials");
	if (!authorize(e, c, "iam:ListAccessKeys", who, "user", who, err))
		return false;
	if (!engine_read_begin(e, err))
		return false;
	iam_user u;
	bool ok = iam_store_get_user(db_conn(e->db), e->account, who, a, &u, err) &&
		  iam_store_list_access_keys(db_conn(e->db), u.id, a, out, n, err);
	engine_read_end(e);
	if (ok)
		*user_name = u.name;
	return ok;
}

static bool delete_key_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct name_ctx *c = ctx;
	gh_arena a;
	gh_arena_init(&a, 0);
	iam_user u;
	bool ok = iam_store_get_user(db_conn(e->db), e->account, c->name, &a, &u, err) &&
		  iam_store_delete_access_key(db_conn(e->db), u.id, c->name, c->arg, err);
	gh_arena_free(&a);
	return ok;
}

bool engine_iam_delete_access_key(gh_engine *e, const gh_caller *c, gh_str user, gh_str akid, gh_err *err)
{
	gh_str who = target_user(c, user);
	if (!who.n)
		return gh_fail(err, "ValidationError", 400,
			       "Must specify userName when calling with non-User credentials");
	if (!authorize(e, c, "iam:DeleteAccessKey", who, "user", who, err))
		return false;
	struct name_ctx ctx = { .name = who, .arg = akid };
	return engine_tx(e, delete_key_tx, &ctx, err);
}

/* --- roles ----------------------------------------------------------------------- */

static bool validate_trust(gh_str doc, gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	const policy_doc *d;
	policy_opts o = { .kind = POLICY_TRUST };
	bool ok = policy_parse(&a, doc, &o, &d, err);
	gh_arena_free(&a);
	return ok;
}

struct create_role_ctx {
	iam_role *r;
};

static bool create_role_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct create_role_ctx *c = ctx;
	return iam_store_insert_role(db_conn(e->db), c->r, err);
}

bool engine_iam_create_role(gh_engine *e, const gh_caller *c, gh_str name, gh_str path, gh_str trust,
			    gh_str description, int64_t max_session, const iam_tag *tags, size_t ntags,
			    gh_arena *a, iam_role *out, gh_err *err)
{
	if (!path.n)
		path = GH_STR("/");
	if (!max_session)
		max_session = 3600;
	if (description.n > 1000)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value at 'description' failed to satisfy constraint: "
			       "Member must have length less than or equal to 1000");
	if (!arn_validate_role_name(name, NULL, err) || !arn_validate_path(path, NULL, err) ||
	    !iam_validate_max_session(max_session, err) || !iam_validate_tags(tags, ntags, "tags", err) ||
	    !authorize(e, c, "iam:CreateRole", (gh_str){ 0 }, "role", name, err) || !validate_trust(trust, err))
		return false;
	uint8_t rnd[17];
	if (!engine_random(rnd, sizeof rnd, err))
		return false;
	char id[IAM_ID_LEN + 1];
	iam_make_unique_id("AROA", rnd, id);
	gh_buf arn = { 0 };
	arn_build_role(&arn, gh_str_c(e->cfg.partition), gh_str_c(e->account), path, name);
	*out = (iam_role){
		.id = gh_arena_strndup(a, id, IAM_ID_LEN),
		.account = e->account,
		.name = gh_arena_str(a, name).p,
		.path = gh_arena_str(a, path).p,
		.arn = gh_arena_str(a, gh_buf_str(&arn)).p,
		.trust_policy = gh_arena_str(a, trust).p,
		.description = description.n ? gh_arena_str(a, description).p : NULL,
		.max_session = max_session,
		.created = engine_now(e),
		.tags = (iam_tag *)tags,
		.ntags = ntags,
	};
	gh_buf_free(&arn);
	struct create_role_ctx ctx = { out };
	return engine_tx(e, create_role_tx, &ctx, err);
}

bool engine_iam_get_role(gh_engine *e, const gh_caller *c, gh_str name, gh_arena *a, iam_role *out, gh_err *err)
{
	if (!arn_validate_role_name(name, NULL, err) || !authorize(e, c, "iam:GetRole", (gh_str){ 0 }, "role", name, err))
		return false;
	if (!engine_read_begin(e, err))
		return false;
	bool ok = iam_store_get_role(db_conn(e->db), e->account, name, a, out, err);
	engine_read_end(e);
	return ok;
}

bool engine_iam_list_roles(gh_engine *e, const gh_caller *c, const gh_list_page *pg, gh_arena *a,
			   iam_role **out, size_t *n, bool *truncated, gh_err *err)
{
	int max;
	if (!check_page(pg, &max, err) || !authorize(e, c, "iam:ListRoles", (gh_str){ 0 }, NULL, (gh_str){ 0 }, err))
		return false;
	if (!engine_read_begin(e, err))
		return false;
	bool ok = iam_store_list_roles(db_conn(e->db), e->account, pg->path_prefix, pg->marker, max, a, out, n, truncated,
				       err);
	engine_read_end(e);
	return ok;
}

static bool delete_role_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct name_ctx *c = ctx;
	return iam_store_delete_role(db_conn(e->db), e->account, c->name, err);
}

bool engine_iam_delete_role(gh_engine *e, const gh_caller *c, gh_str name, gh_err *err)
{
	if (!arn_validate_role_name(name, NULL, err) ||
	    !authorize(e, c, "iam:DeleteRole", (gh_str){ 0 }, "role", name, err))
		return false;
	struct name_ctx ctx = { .name = name };
	return engine_tx(e, delete_role_tx, &ctx, err);
}

/* Runs `op` on the role named in ctx->name, inside the transaction. */
static bool with_role(gh_engine *e, struct name_ctx *c, iam_role *r, gh_arena *a, gh_err *err)
{
	return iam_store_get_role(db_conn(e->db), e->account, c->name, a, r, err);
}

static bool update_trust_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct name_ctx *c = ctx;
	gh_arena a;
	gh_arena_init(&a, 0);
	iam_role r;
	bool ok = with_role(e, c, &r, &a, err) && iam_store_update_trust(db_conn(e->db), r.id, c->arg, err);
	gh_arena_free(&a);
	return ok;
}

bool engine_iam_update_trust(gh_engine *e, const gh_caller *c, gh_str name, gh_str policy, gh_err *err)
{
	if (!arn_validate_role_name(name, NULL, err) ||
	    !authorize(e, c, "iam:UpdateAssumeRolePolicy", (gh_str){ 0 }, "role", name, err) ||
	    !validate_trust(policy, err))
		return false;
	struct name_ctx ctx = { .name = name, .arg = policy };
	return engine_tx(e, update_trust_tx, &ctx, err);
}

static bool tag_role_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct name_ctx *c = ctx;
	gh_arena a;
	gh_arena_init(&a, 0);
	iam_role r;
	bool ok = with_role(e, c, &r, &a, err);
	if (ok) {
		/* The limit counts the tags the role would end with. */
		size_t total = r.ntags;
		for (size_t i = 0; i < c->n; i++) {
			bool existing = false;
			for (size_t j = 0; j < r.ntags; j++)
				existing |= gh_str_ieq(r.tags[j].key, c->tags[i].key);
			total += !existing;
		}
		if (total > 50)
			ok = gh_fail(err, "LimitExceeded", 409,
				     "The number of tags has reached the maximum limit of 50.");
	}
	ok = ok && iam_store_tag_role(db_conn(e->db), r.id, c->tags, c->n, err);
	gh_arena_free(&a);
	return ok;
}

bool engine_iam_tag_role(gh_engine *e, const gh_caller *c, gh_str name, const iam_tag *tags, size_t n,
			 gh_err *err)
{
	if (!arn_validate_role_name(name, NULL, err) || !iam_validate_tags(tags, n, "tags", err) ||
	    !authorize(e, c, "iam:TagRole", (gh_str){ 0 }, "role", name, err))
		return false;
	struct name_ctx ctx = { .name = name, .tags = tags, .n = n };
	return engine_tx(e, tag_role_tx, &ctx, err);
}

static bool untag_role_tx(gh_engine *e, void *ctx, gh_err *err)
{
	struct name_ctx *c = ctx;
	gh_arena a;
	gh_arena_init(&a, 0);
	iam_role r;
	bool ok = with_role(e, c, &r, &a, err) && iam_store_untag_role(db_conn(e->db), r.id, c->keys, c->n, err);
	gh_arena_free(&a);
	return ok;
}

bool engine_iam_untag_role(gh_engine *e, const gh_caller *c, gh_str name, const gh_str *keys, size_t n,
			   gh_err *err)
{
	if (!arn_validate_role_name(name, NULL, err) ||
	    !authorize(e, c, "iam:UntagRole", (gh_str){ 0 }, "role", name, err))
		return false;
	if (n > 50)
		return gh_fail(err, "ValidationError", 400,
			       "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: "
			       "Member must have length less than or equal to 50");
	struct name_ctx ctx = { .name = name, .keys = keys, .n = n };
	return engine_tx(e, untag_role_tx, &ctx, err);
}

bool engine_identity_of(gh_engine *e, gh_str arn, gh_str session, gh_arena *a, gh_identity *out, gh_err *err)
{
	arn_parts parts;
	arn_kind kind = arn_classify(arn);
	if (!arn_parse(arn, &parts, err) || (kind != ARN_USER && kind != ARN_ROLE))
		return gh_fail(err, "InvalidArn", 400, "\"" GH_STR_FMT "\" is not an IAM user or role ARN",
			       GH_STR_ARG(arn));
	if (!gh_str_eq_c(parts.account, e->account))
		return gh_fail(err, "NoSuchEntity", 404, "account " GH_STR_FMT " is not this gatehouse's (%s)",
			       GH_STR_ARG(parts.account), e->account);
	if (!engine_read_begin(e, err))
		return false;
	bool ok;
	gh_str name = arn_last_name(arn);
	gh_buf b = { 0 };
	if (kind == ARN_USER) {
		iam_user u;
		ok = iam_store_get_user(db_conn(e->db), e->account, name, a, &u, err);
		if (ok)
			*out = (gh_identity){ .kind = GH_PRINCIPAL_USER, .arn = gh_str_c(u.arn),
					      .canonical_arn = gh_str_c(u.arn), .path_arn = gh_str_c(u.arn),
					      .account_id = gh_str_c(u.account), .user_id = gh_str_c(u.id),
					      .principal_id = gh_str_c(u.id), .partition = gh_str_c(e->cfg.partition) };
	} else {
		iam_role r;
		ok = iam_store_get_role(db_conn(e->db), e->account, name, a, &r, err);
		if (ok) {
			gh_buf canon = { 0 };
			arn_build_assumed_role(&b, gh_str_c(e->cfg.partition), gh_str_c(r.account), gh_str_c(r.name), session);
			arn_build_role(&canon, gh_str_c(e->cfg.partition), gh_str_c(r.account), GH_STR("/"), gh_str_c(r.name));
			gh_buf uid = { 0 };
			gh_buf_printf(&uid, "%s:" GH_STR_FMT, r.id, GH_STR_ARG(session));
			*out = (gh_identity){ .kind = GH_PRINCIPAL_ASSUMED_ROLE, .arn = gh_arena_str(a, gh_buf_str(&b)),
					      .canonical_arn = gh_arena_str(a, gh_buf_str(&canon)),
					      .path_arn = gh_str_c(r.arn), .account_id = gh_str_c(r.account),
					      .user_id = gh_arena_str(a, gh_buf_str(&uid)), .principal_id = gh_str_c(r.id),
					      .session_name = gh_arena_str(a, session),
					      .partition = gh_str_c(e->cfg.partition) };
			gh_buf_free(&canon);
			gh_buf_free(&uid);
		}
	}
	gh_buf_free(&b);
	engine_read_end(e);
	return ok;
}
