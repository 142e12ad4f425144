/* aws_query: the AWS query protocol (IAM 2010-05-08, STS 2011-06-15) over HTTP.
 *
 * Decodes the form (POST body or GET query), authenticates the SigV4 signature through
 * the engine, dispatches on Action, and answers in AWS XML, or in JSON for
 * GetCallerIdentity when the client asks for it (aws-iam-authenticator does). */
#include "api/aws_query.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/aws_xml.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "codec/url.h"
#include "codec/xml.h"
#include "crypto/hash.h"
#include "engine/trail.h"
#include "engine/webid.h"

typedef struct call {
	gh_engine *e;
	const gh_http_request *req;
	gh_http_response *resp;
	gh_arena *a;
	url_query q;
	gh_caller caller;
	const char *action;
	const char *xmlns;
	char request_id[GH_UUID_LEN + 1];
	gh_buf *out;
	json_t *made; /* the trail's responseElements: identifiers of what a write made */
} call;

static gh_str param(const call *c, const char *name)
{
	const url_param *p = url_query_first(&c->q, gh_str_c(name));
	return p ? p->value : (gh_str){ "", 0 };
}

static bool has_param(const call *c, const char *name)
{
	return url_query_first(&c->q, gh_str_c(name)) != NULL;
}

static bool int_param(const call *c, const char *name, int64_t *out, gh_err *err)
{
	*out = 0;
	if (!has_param(c, name))
		return true;
	if (!gh_str_to_i64(param(c, name), out))
		return gh_fail(err, "ValidationError", 400, "Invalid value for parameter %s: not an integer", name);
	return true;
}

static bool required(const call *c, const char *name, const char *member, gh_err *err)
{
	if (has_param(c, name))
		return true;
	return gh_fail(err, "ValidationError", 400,
		       "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must "
		       "not be null",
		       member);
}

/* Tags.member.N.Key / .Value, N = 1, 2, ... until a gap. */
static size_t tag_params(const call *c, const char *list, iam_tag **out)
{
	size_t cap = 64, n = 0;
	*out = gh_arena_alloc(c->a, cap * sizeof **out);
	for (size_t i = 1; i <= cap; i++) {
		char k[96], v[96];
		snprintf(k, sizeof k, "%s.member.%zu.Key", list, i);
		snprintf(v, sizeof v, "%s.member.%zu.Value", list, i);
		if (!has_param(c, k))
			break;
		(*out)[n].key = param(c, k);
		(*out)[n].value = param(c, v);
		n++;
	}
	return n;
}

static size_t list_params(const call *c, const char *list, gh_str **out)
{
	size_t cap = 64, n = 0;
	*out = gh_arena_alloc(c->a, cap * sizeof **out);
	for (size_t i = 1; i <= cap; i++) {
		char k[96];
		snprintf(k, sizeof k, "%s.member.%zu", list, i);
		if (!has_param(c, k))
			break;
		(*out)[n++] = param(c, k);
	}
	return n;
}

static void begin(call *c, bool result)
{
	aws_xml_begin(c->out, c->action, c->xmlns, result);
}

static void end(call *c, bool result)
{
	aws_xml_end(c->out, c->action, c->request_id, result);
}

/* --- IAM ------------------------------------------------------------------------- */

static bool do_create_user(call *c, gh_err *err)
{
	iam_tag *tags;
	size_t n = tag_params(c, "Tags", &tags);
	iam_user u;
	if (!required(c, "UserName", "userName", err) ||
	    !engine_iam_create_user(c->e, &c->caller, param(c, "UserName"), param(c, "Path"), tags, n, c->a, &u, err))
		return false;
	c->made = json_pack("{s:{s:s, s:s, s:s, s:s}}", "user", "userName", u.name, "userId", u.id, "arn", u.arn,
			    "path", u.path);
	begin(c, true);
	aws_xml_user(c->out, "User", &u);
	end(c, true);
	return true;
}

static bool do_get_user(call *c, gh_err *err)
{
	iam_user u;
	if (!engine_iam_get_user(c->e, &c->caller, param(c, "UserName"), c->a, &u, err))
		return false;
	begin(c, true);
	aws_xml_user(c->out, "User", &u);
	end(c, true);
	return true;
}

static bool page(call *c, gh_list_page *pg, gh_err *err)
{
	int64_t max;
	if (!int_param(c, "MaxItems", &max, err))
		return false;
	*pg = (gh_list_page){ .path_prefix = param(c, "PathPrefix"), .marker = param(c, "Marker"),
			      .max_items = (int)max };
	if (has_param(c, "MaxItems") && max == 0)
		pg->max_items = -1; /* an explicit 0 is invalid, not "default" */
	return true;
}

static void end_page(call *c, bool truncated, const char *last)
{
	xml_elem_bool(c->out, "IsTruncated", truncated);
	if (truncated && last)
		xml_elem(c->out, "Marker", last);
}

static bool do_list_users(call *c, gh_err *err)
{
	gh_list_page pg;
	iam_user *us;
	size_t n;
	bool trunc;
	if (!page(c, &pg, err) || !engine_iam_list_users(c->e, &c->caller, &pg, c->a, &us, &n, &trunc, err))
		return false;
	begin(c, true);
	xml_open(c->out, "Users");
	for (size_t i = 0; i < n; i++)
		aws_xml_user(c->out, "member", &us[i]);
	xml_close(c->out, "Users");
	end_page(c, trunc, n ? us[n - 1].name : NULL);
	end(c, true);
	return true;
}

static bool do_delete_user(call *c, gh_err *err)
{
	if (!required(c, "UserName", "userName", err) ||
	    !engine_iam_delete_user(c->e, &c->caller, param(c, "UserName"), err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

static bool do_create_access_key(call *c, gh_err *err)
{
	gh_new_key k;
	if (!engine_iam_create_access_key(c->e, &c->caller, param(c, "UserName"), c->a, &k, err))
		return false;
	/* The secret is in the answer only, never in the trail. */
	c->made = json_pack("{s:{s:s, s:s, s:s}}", "accessKey", "userName", k.meta.user_name, "accessKeyId",
			    k.meta.id, "status", k.meta.status);
	begin(c, true);
	xml_open(c->out, "AccessKey");
	xml_elem(c->out, "UserName", k.meta.user_name);
	xml_elem(c->out, "AccessKeyId", k.meta.id);
	xml_elem(c->out, "Status", k.meta.status);
	xml_elem(c->out, "SecretAccessKey", k.secret);
	aws_xml_date(c->out, "CreateDate", k.meta.created);
	xml_close(c->out, "AccessKey");
	end(c, true);
	return true;
}

static bool do_list_access_keys(call *c, gh_err *err)
{
	iam_access_key *ks;
	size_t n;
	const char *user;
	if (!engine_iam_list_access_keys(c->e, &c->caller, param(c, "UserName"), c->a, &ks, &n, &user, err))
		return false;
	begin(c, true);
	xml_open(c->out, "AccessKeyMetadata");
	for (size_t i = 0; i < n; i++) {
		xml_open(c->out, "member");
		xml_elem(c->out, "UserName", user);
		xml_elem(c->out, "AccessKeyId", ks[i].id);
		xml_elem(c->out, "Status", ks[i].status);
		aws_xml_date(c->out, "CreateDate", ks[i].created);
		xml_close(c->out, "member");
	}
	xml_close(c->out, "AccessKeyMetadata");
	xml_elem_bool(c->out, "IsTruncated", false);
	end(c, true);
	return true;
}

static bool do_delete_access_key(call *c, gh_err *err)
{
	if (!required(c, "AccessKeyId", "accessKeyId", err) ||
	    !engine_iam_delete_access_key(c->e, &c->caller, param(c, "UserName"), param(c, "AccessKeyId"), err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

static bool do_create_role(call *c, gh_err *err)
{
	iam_tag *tags;
	size_t n = tag_params(c, "Tags", &tags);
	int64_t max;
	iam_role r;
	if (!required(c, "RoleName", "roleName", err) ||
	    !required(c, "AssumeRolePolicyDocument", "assumeRolePolicyDocument", err) ||
	    !int_param(c, "MaxSessionDuration", &max, err) ||
	    !engine_iam_create_role(c->e, &c->caller, param(c, "RoleName"), param(c, "Path"),
				    param(c, "AssumeRolePolicyDocument"), param(c, "Description"), max, tags, n,
				    c->a, &r, err))
		return false;
	c->made = json_pack("{s:{s:s, s:s, s:s, s:s}}", "role", "roleName", r.name, "roleId", r.id, "arn", r.arn,
			    "path", r.path);
	begin(c, true);
	aws_xml_role(c->out, "Role", &r);
	end(c, true);
	return true;
}

static bool do_get_role(call *c, gh_err *err)
{
	iam_role r;
	if (!required(c, "RoleName", "roleName", err) ||
	    !engine_iam_get_role(c->e, &c->caller, param(c, "RoleName"), c->a, &r, err))
		return false;
	begin(c, true);
	aws_xml_role(c->out, "Role", &r);
	end(c, true);
	return true;
}

static bool do_list_roles(call *c, gh_err *err)
{
	gh_list_page pg;
	iam_role *rs;
	size_t n;
	bool trunc;
	if (!page(c, &pg, err) || !engine_iam_list_roles(c->e, &c->caller, &pg, c->a, &rs, &n, &trunc, err))
		return false;
	begin(c, true);
	xml_open(c->out, "Roles");
	for (size_t i = 0; i < n; i++)
		aws_xml_role(c->out, "member", &rs[i]);
	xml_close(c->out, "Roles");
	end_page(c, trunc, n ? rs[n - 1].name : NULL);
	end(c, true);
	return true;
}

static bool do_delete_role(call *c, gh_err *err)
{
	if (!required(c, "RoleName", "roleName", err) ||
	    !engine_iam_delete_role(c->e, &c->caller, param(c, "RoleName"), err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

static bool do_update_trust(call *c, gh_err *err)
{
	if (!required(c, "RoleName", "roleName", err) || !required(c, "PolicyDocument", "policyDocument", err) ||
	    !engine_iam_update_trust(c->e, &c->caller, param(c, "RoleName"), param(c, "PolicyDocument"), err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

static bool do_tag_role(call *c, gh_err *err)
{
	iam_tag *tags;
	size_t n = tag_params(c, "Tags", &tags);
	if (!required(c, "RoleName", "roleName", err) || !required(c, "Tags.member.1.Key", "tags", err) ||
	    !engine_iam_tag_role(c->e, &c->caller, param(c, "RoleName"), tags, n, err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

static bool do_untag_role(call *c, gh_err *err)
{
	gh_str *keys;
	size_t n = list_params(c, "TagKeys", &keys);
	if (!required(c, "RoleName", "roleName", err) || !required(c, "TagKeys.member.1", "tagKeys", err) ||
	    !engine_iam_untag_role(c->e, &c->caller, param(c, "RoleName"), keys, n, err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

/* --- IAM OpenID Connect providers ------------------------------------------------ */

static bool do_create_oidc_provider(call *c, gh_err *err)
{
	gh_str *ids, *thumbs;
	iam_tag *tags;
	size_t nids = list_params(c, "ClientIDList", &ids), nthumbs = list_params(c, "ThumbprintList", &thumbs);
	size_t ntags = tag_params(c, "Tags", &tags);
	gh_oidc_provider p;
	if (!required(c, "Url", "url", err) ||
	    !engine_iam_create_oidc_provider(c->e, &c->caller, param(c, "Url"), ids, nids, thumbs, nthumbs, tags, ntags,
					     c->a, &p, err))
		return false;
	c->made = json_pack("{s:s}", "openIDConnectProviderArn", p.arn);
	begin(c, true);
	xml_elem(c->out, "OpenIDConnectProviderArn", p.arn);
	aws_xml_tags(c->out, p.tags, p.ntags);
	end(c, true);
	return true;
}

static bool do_get_oidc_provider(call *c, gh_err *err)
{
	gh_oidc_provider p;
	if (!required(c, "OpenIDConnectProviderArn", "openIDConnectProviderArn", err) ||
	    !engine_iam_get_oidc_provider(c->e, &c->caller, param(c, "OpenIDConnectProviderArn"), c->a, &p, err))
		return false;
	begin(c, true);
	xml_elem(c->out, "Url", p.url);
	xml_open(c->out, "ClientIDList");
	for (size_t i = 0; i < p.nclient_ids; i++)
		xml_elem(c->out, "member", p.client_ids[i]);
	xml_close(c->out, "ClientIDList");
	xml_open(c->out, "ThumbprintList");
	for (size_t i = 0; i < p.nthumbprints; i++)
		xml_elem(c->out, "member", p.thumbprints[i]);
	xml_close(c->out, "ThumbprintList");
	aws_xml_date(c->out, "CreateDate", p.created);
	aws_xml_tags(c->out, p.tags, p.ntags);
	end(c, true);
	return true;
}

static bool do_list_oidc_providers(call *c, gh_err *err)
{
	const char **arns;
	size_t n;
	if (!engine_iam_list_oidc_providers(c->e, &c->caller, c->a, &arns, &n, err))
		return false;
	begin(c, true);
	xml_open(c->out, "OpenIDConnectProviderList");
	for (size_t i = 0; i < n; i++) {
		xml_open(c->out, "member");
		xml_elem(c->out, "Arn", arns[i]);
		xml_close(c->out, "member");
	}
	xml_close(c->out, "OpenIDConnectProviderList");
	end(c, true);
	return true;
}

static bool do_delete_oidc_provider(call *c, gh_err *err)
{
	if (!required(c, "OpenIDConnectProviderArn", "openIDConnectProviderArn", err) ||
	    !engine_iam_delete_oidc_provider(c->e, &c->caller, param(c, "OpenIDConnectProviderArn"), err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

static bool do_add_client_id(call *c, gh_err *err)
{
	if (!required(c, "OpenIDConnectProviderArn", "openIDConnectProviderArn", err) ||
	    !required(c, "ClientID", "clientID", err) ||
	    !engine_iam_add_oidc_client_id(c->e, &c->caller, param(c, "OpenIDConnectProviderArn"), param(c, "ClientID"),
					   err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

static bool do_update_thumbprints(call *c, gh_err *err)
{
	gh_str *thumbs;
	size_t n = list_params(c, "ThumbprintList", &thumbs);
	if (!required(c, "OpenIDConnectProviderArn", "openIDConnectProviderArn", err) ||
	    (!has_param(c, "ThumbprintList") && !required(c, "ThumbprintList.member.1", "thumbprintList", err)) ||
	    !engine_iam_update_oidc_thumbprints(c->e, &c->caller, param(c, "OpenIDConnectProviderArn"), thumbs, n, err))
		return false;
	begin(c, false);
	end(c, false);
	return true;
}

/* --- STS ------------------------------------------------------------------------- */

static bool wants_json(const gh_http_request *r)
{
	gh_str accept = { 0 };
	if (!http_request_header(r, "accept", &accept))
		return false;
	for (size_t i = 0; i + 16 <= accept.n; i++)
		if (gh_str_ieq(gh_str_sub(accept, i, 16), GH_STR("application/json")))
			return true;
	return false;
}

static bool do_get_caller_identity(call *c, gh_err *err)
{
	(void)err;
	const gh_cred *cr = c->caller.cred;
	if (wants_json(c->req)) {
		json_t *j = json_pack("{s:{s:{s:s, s:s, s:s}, s:{s:s}}}", "GetCallerIdentityResponse",
				      "GetCallerIdentityResult", "Account", cr->account, "Arn", cr->arn, "UserId",
				      cr->user_id, "ResponseMetadata", "RequestId", c->request_id);
		char *s = json_dumps(j, JSON_COMPACT);
		gh_buf_puts(c->out, s);
		free(s);
		json_decref(j);
		c->resp->content_type = "application/json";
		return true;
	}
	begin(c, true);
	xml_elem(c->out, "Arn", cr->arn);
	xml_elem(c->out, "UserId", cr->user_id);
	xml_elem(c->out, "Account", cr->account);
	end(c, true);
	return true;
}

static bool do_assume_role(call *c, gh_err *err)
{
	iam_tag *tags;
	gh_str *trans;
	size_t ntags = tag_params(c, "Tags", &tags);
	size_t ntrans = list_params(c, "TransitiveTagKeys", &trans);
	int64_t dur;
	if (!required(c, "RoleArn", "roleArn", err) || !required(c, "RoleSessionName", "roleSessionName", err) ||
	    !int_param(c, "DurationSeconds", &dur, err))
		return false;
	gh_assume_role_req r = {
		.role_arn = param(c, "RoleArn"),
		.session_name = param(c, "RoleSessionName"),
		.external_id = param(c, "ExternalId"),
		.source_identity = param(c, "SourceIdentity"),
		.policy = param(c, "Policy"),
		.duration = dur,
		.tags = tags,
		.ntags = ntags,
		.transitive_keys = trans,
		.ntransitive = ntrans,
		.source_ip = gh_str_c(c->req->remote_addr),
		.secure_transport = c->req->tls,
	};
	if (has_param(c, "DurationSeconds") && dur == 0)
		r.duration = -1;
	gh_assume_role_res res;
	if (!engine_sts_assume_role(c->e, &c->caller, &r, c->a, &res, err))
		return false;
	/* The new key ID ties the session's later calls to this one; its secret and token stay
	 * out of the trail. */
	char exp[GH_ISO8601_LEN + 1];
	gh_time_iso8601(res.expires, exp);
	c->made = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "credentials", "accessKeyId", res.akid, "expiration", exp,
			    "assumedRoleUser", "assumedRoleId", res.assumed_role_id, "arn", res.arn);
	begin(c, true);
	xml_open(c->out, "Credentials");
	xml_elem(c->out, "AccessKeyId", res.akid);
	xml_elem(c->out, "SecretAccessKey", res.secret);
	xml_elem(c->out, "SessionToken", res.session_token);
	aws_xml_date(c->out, "Expiration", res.expires);
	xml_close(c->out, "Credentials");
	xml_open(c->out, "AssumedRoleUser");
	xml_elem(c->out, "AssumedRoleId", res.assumed_role_id);
	xml_elem(c->out, "Arn", res.arn);
	xml_close(c->out, "AssumedRoleUser");
	if (res.packed_policy_size >= 0)
		xml_elem_i64(c->out, "PackedPolicySize", res.packed_policy_size);
	if (res.source_identity)
		xml_elem(c->out, "SourceIdentity", res.source_identity);
	end(c, true);
	return true;
}

static bool do_assume_role_web_identity(call *c, gh_err *err)
{
	int64_t dur;
	if (!required(c, "RoleArn", "roleArn", err) || !required(c, "RoleSessionName", "roleSessionName", err) ||
	    !required(c, "WebIdentityToken", "webIdentityToken", err) || !int_param(c, "DurationSeconds", &dur, err))
		return false;
	gh_webid_req r = {
		.role_arn = param(c, "RoleArn"),
		.session_name = param(c, "RoleSessionName"),
		.token = param(c, "WebIdentityToken"),
		.policy = param(c, "Policy"),
		.duration = dur,
		.has_duration = has_param(c, "DurationSeconds"),
		.source_ip = gh_str_c(c->req->remote_addr),
		.secure_transport = c->req->tls,
	};
	gh_webid_res res;
	if (!engine_sts_assume_role_with_web_identity(c->e, &r, c->a, &res, err))
		return false;
	char exp[GH_ISO8601_LEN + 1];
	gh_time_iso8601(res.creds.expires, exp);
	c->made = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:s}", "credentials", "accessKeyId", res.creds.akid,
			    "expiration", exp, "assumedRoleUser", "assumedRoleId", res.creds.assumed_role_id, "arn",
			    res.creds.arn, "subjectFromWebIdentityToken", res.subject, "provider", res.provider,
			    "audience", res.audience);
	begin(c, true);
	xml_open(c->out, "Credentials");
	xml_elem(c->out, "AccessKeyId", res.creds.akid);
	xml_elem(c->out, "SecretAccessKey", res.creds.secret);
	xml_elem(c->out, "SessionToken", res.creds.session_token);
	aws_xml_date(c->out, "Expiration", res.creds.expires);
	xml_close(c->out, "Credentials");
	xml_elem(c->out, "SubjectFromWebIdentityToken", res.subject);
	xml_open(c->out, "AssumedRoleUser");
	xml_elem(c->out, "AssumedRoleId", res.creds.assumed_role_id);
	xml_elem(c->out, "Arn", res.creds.arn);
	xml_close(c->out, "AssumedRoleUser");
	if (res.creds.packed_policy_size >= 0)
		xml_elem_i64(c->out, "PackedPolicySize", res.creds.packed_policy_size);
	xml_elem(c->out, "Provider", res.provider);
	xml_elem(c->out, "Audience", res.audience);
	end(c, true);
	return true;
}

/* --- dispatch -------------------------------------------------------------------- */

typedef struct op {
	const char *version, *action;
	bool (*run)(call *c, gh_err *err);
	bool unsigned_call; /* botocore's "noAuth": the request carries its own credential */
} op;

static const op ops[] = {
	{ "2010-05-08", "CreateUser", do_create_user, false },
	{ "2010-05-08", "GetUser", do_get_user, false },
	{ "2010-05-08", "ListUsers", do_list_users, false },
	{ "2010-05-08", "DeleteUser", do_delete_user, false },
	{ "2010-05-08", "CreateAccessKey", do_create_access_key, false },
	{ "2010-05-08", "ListAccessKeys", do_list_access_keys, false },
	{ "2010-05-08", "DeleteAccessKey", do_delete_access_key, false },
	{ "2010-05-08", "CreateRole", do_create_role, false },
	{ "2010-05-08", "GetRole", do_get_role, false },
	{ "2010-05-08", "ListRoles", do_list_roles, false },
	{ "2010-05-08", "DeleteRole", do_delete_role, false },
	{ "2010-05-08", "UpdateAssumeRolePolicy", do_update_trust, false },
	{ "2010-05-08", "TagRole", do_tag_role, false },
	{ "2010-05-08", "UntagRole", do_untag_role, false },
	{ "2011-06-15", "GetCallerIdentity", do_get_caller_identity, false },
	{ "2011-06-15", "AssumeRole", do_assume_role, false },
	{ "2010-05-08", "CreateOpenIDConnectProvider", do_create_oidc_provider, false },
	{ "2010-05-08", "GetOpenIDConnectProvider", do_get_oidc_provider, false },
	{ "2010-05-08", "ListOpenIDConnectProviders", do_list_oidc_providers, false },
	{ "2010-05-08", "DeleteOpenIDConnectProvider", do_delete_oidc_provider, false },
	{ "2010-05-08", "AddClientIDToOpenIDConnectProvider", do_add_client_id, false },
	{ "2010-05-08", "UpdateOpenIDConnectProviderThumbprint", do_update_thumbprints, false },
	{ "2011-06-15", "AssumeRoleWithWebIdentity", do_assume_role_web_identity, true },
};

/* A request ID is a correlation handle, not a secret: an RNG failure leaves zeros. */
static void request_id(char out[GH_UUID_LEN + 1])
{
	if (!gh_uuid4(out))
		gh_log_warn("aws.request-id", "detail", "the system random number generator failed");
}

/* The trail's requestParameters, by allow-list: what names the call's subject. Policy
 * documents, tags, external IDs and anything else stay out (see engine/trail.h). */
static const struct {
	const char *param, *field;
	bool number;
} trail_params[] = {
	{ "UserName", "userName", false },	  { "RoleName", "roleName", false },
	{ "Path", "path", false },		  { "PathPrefix", "pathPrefix", false },
	{ "AccessKeyId", "accessKeyId", false },  { "RoleArn", "roleArn", false },
	{ "RoleSessionName", "roleSessionName", false }, { "SourceIdentity", "sourceIdentity", false },
	{ "DurationSeconds", "durationSeconds", true }, { "MaxSessionDuration", "maxSessionDuration", true },
	{ "MaxItems", "maxItems", true },	  { "OpenIDConnectProviderArn", "openIDConnectProviderArn", false },
	{ "Url", "url", false },		  { "ClientID", "clientID", false },
};

static json_t *trail_parameters(const call *c)
{
	json_t *p = json_object();
	for (size_t i = 0; i < sizeof trail_params / sizeof trail_params[0]; i++) {
		if (!has_param(c, trail_params[i].param))
			continue;
		gh_str v = param(c, trail_params[i].param);
		int64_t n;
		json_t *j = trail_params[i].number && gh_str_to_i64(v, &n) ? json_integer(n) : json_stringn(v.p, v.n);
		if (j) /* a value that is not UTF-8 is left out rather than mangled */
			json_object_set_new(p, trail_params[i].field, j);
	}
	return p;
}

static void record(call *c, const op *o, const gh_err *err)
{
	const char *akid = NULL, *service = NULL;
	if (!c->caller.cred)
		api_sigv4_claims(c->req, &akid, &service);
	const char *version = o ? o->version : "";
	bool sts = strcmp(version, "2011-06-15") == 0 || (!o && service && strcmp(service, "sts") == 0);
	gh_str action = param(c, "Action");
	json_t *params = trail_parameters(c);
	gh_trail_record r = {
		.event_source = sts ? "sts.amazonaws.com" : "iam.amazonaws.com",
		.event_name = o ? o->action : gh_arena_str(c->a, action).p,
		.source_ip = c->req->remote_addr,
		.user_agent = api_header(c->req, "user-agent"),
		.request_id = c->request_id,
		.caller = c->caller.cred,
		.access_key_id = akid,
		.request_parameters = params,
		.response_elements = c->made,
		.error_code = err ? err->code : NULL,
		.error_message = err ? err->msg : NULL,
	};
	engine_trail(c->e, &r);
	json_decref(params);
}

static bool decode_params(call *c, gh_err *err)
{
	gh_str raw = c->req->query;
	if (gh_str_eq_c(c->req->method, "POST")) {
		gh_str ct = { 0 };
		if (http_request_header(c->req, "content-type", &ct) &&
		    !gh_str_has_prefix(ct, GH_STR("application/x-www-form-urlencoded")))
			return gh_fail(err, "InvalidParameterValue", 400,
				       "Content-Type must be application/x-www-form-urlencoded");
		raw = c->req->body;
		/* Presigned POSTs may also carry signing parameters in the query; the form wins
		 * for Action, the signature check reads both. */
		if (!raw.n)
			raw = c->req->query;
	} else if (!gh_str_eq_c(c->req->method, "GET")) {
		return gh_fail(err, "InvalidAction", 400, "The HTTP method " GH_STR_FMT " is not supported.",
			       GH_STR_ARG(c->req->method));
	}
	return url_query_parse_arena(c->a, raw, URL_QUERY_FORM, &c->q, err);
}

void aws_query_handle(gh_engine *e, const gh_http_request *req, gh_http_response *resp)
{
	gh_buf *out = &resp->body;
	call c = { .e = e, .req = req, .resp = resp, .a = req->arena, .out = out };
	request_id(c.request_id);
	resp->content_type = "text/xml";
	http_response_add_header(resp, "x-amzn-RequestId", gh_str_c(c.request_id));
	gh_err err = { 0 };
	bool ok = decode_params(&c, &err);
	const op *o = NULL;
	if (ok) {
		gh_str action = param(&c, "Action"), version = param(&c, "Version");
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (gh_str_eq_c(action, ops[i].action) &&
			    (gh_str_eq_c(version, ops[i].version) || !version.n))
				o = &ops[i];
		if (!action.n)
			ok = gh_fail(&err, "MissingAction", 400, "Missing Action");
		else if (!o)
			ok = gh_fail(&err, "InvalidAction", 400,
				     "Could not find operation " GH_STR_FMT " for version " GH_STR_FMT,
				     GH_STR_ARG(action), GH_STR_ARG(version));
	}
	sigv4_request sreq;
	if (ok && !o->unsigned_call) {
		api_sigv4_request(req, &sreq);
		ok = engine_aws_authenticate(e, &sreq, c.a, &c.caller, &err);
	}
	if (ok) {
		c.action = o->action;
		c.xmlns = strcmp(o->version, "2010-05-08") == 0 ? IAM_XMLNS : STS_XMLNS;
		ok = o->run(&c, &err);
	}
	const char *who = c.caller.cred ? c.caller.cred->arn : "";
	if (!ok) {
		gh_buf_reset(out);
		resp->status = err.status ? err.status : 400;
		resp->content_type = "text/xml";
		aws_xml_error(out, &err, c.request_id);
		gh_log_info("aws.call", "action", o ? o->action : "", "principal", who, "outcome", err.code,
			    "source", req->remote_addr);
	} else {
		resp->status = 200;
		gh_log_info("aws.call", "action", o->action, "principal", who, "outcome", "ok", "source",
			    req->remote_addr);
	}
	record(&c, o, ok ? NULL : &err);
	json_decref(c.made);
	if (c.caller.cred)
		engine_caller_release(&c.caller);
}
