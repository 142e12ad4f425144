#include "domain/eks/access_entry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/aws/arn.h"
#include "domain/eks/cluster.h"
#include "domain/eks/eks_errors.h"

static bool invalid_param(gh_err *err, const char *fmt, ...) GH_PRINTF(2, 3);

static bool invalid_param(gh_err *err, const char *fmt, ...)
{
	if (!err)
		return false;
	char msg[GH_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER, "%s", msg);
}

static bool oom(gh_err *err)
{
	return gh_fail(err, GH_EKS_SERVER, GH_EKS_STATUS_SERVER, "out of memory");
}

/* ---- types ------------------------------------------------------------------------------- */

static const char *const type_names[GH_EKS_ENTRY_NTYPES] = {
	[GH_EKS_ENTRY_STANDARD] = "STANDARD",
	[GH_EKS_ENTRY_EC2_LINUX] = "EC2_LINUX",
	[GH_EKS_ENTRY_EC2_WINDOWS] = "EC2_WINDOWS",
	[GH_EKS_ENTRY_FARGATE_LINUX] = "FARGATE_LINUX",
	[GH_EKS_ENTRY_HYBRID_LINUX] = "HYBRID_LINUX",
	[GH_EKS_ENTRY_EC2] = "EC2",
	[GH_EKS_ENTRY_HYPERPOD_LINUX] = "HYPERPOD_LINUX",
};

const char *gh_eks_entry_type_name(gh_eks_entry_type t)
{
	return (unsigned)t < GH_EKS_ENTRY_NTYPES ? type_names[t] : "?";
}

bool gh_eks_entry_type_parse(gh_str s, gh_eks_entry_type *out, gh_err *err)
{
	for (int i = 0; i < GH_EKS_ENTRY_NTYPES; i++) {
		if (gh_str_ieq_c(s, type_names[i])) {
			*out = (gh_eks_entry_type)i;
			return true;
		}
	}
	return invalid_param(err,
			     "The access entry type " GH_STR_FMT " is invalid. Valid types are STANDARD, EC2_LINUX, "
			     "EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2, HYPERPOD_LINUX.",
			     GH_STR_ARG(s));
}

const char *gh_eks_entry_type_node_username(gh_eks_entry_type t)
{
	switch (t) {
	case GH_EKS_ENTRY_EC2_LINUX:
	case GH_EKS_ENTRY_EC2_WINDOWS:
		return "system:node:{{EC2PrivateDNSName}}";
	case GH_EKS_ENTRY_FARGATE_LINUX:
	case GH_EKS_ENTRY_HYBRID_LINUX:
	case GH_EKS_ENTRY_EC2:
	case GH_EKS_ENTRY_HYPERPOD_LINUX:
		return "system:node:{{SessionName}}";
	case GH_EKS_ENTRY_STANDARD:
		break;
	}
	return NULL;
}

static const gh_str node_groups[] = { GH_STR("system:nodes") };
static const gh_str fargate_groups[] = { GH_STR("system:node-proxier"), GH_STR("system:nodes") };

const gh_str *gh_eks_entry_type_groups(gh_eks_entry_type t, size_t *n)
{
	switch (t) {
	case GH_EKS_ENTRY_STANDARD:
		*n = 0;
		return NULL;
	case GH_EKS_ENTRY_FARGATE_LINUX:
		*n = 2;
		return fargate_groups;
	default:
		*n = 1;
		return node_groups;
	}
}

/* ---- principals ------------------------------------------------------------------------- */

static bool invalid_principal(gh_err *err)
{
	return invalid_param(err, "The specified principalArn is invalid: invalid principal.");
}

bool gh_eks_principal_parse(gh_str arn, gh_eks_principal *out, gh_err *err)
{
	arn_parts p;
	*out = (gh_eks_principal){ .arn = arn };
	arn_kind k = arn_classify(arn);
	if (k != ARN_USER && k != ARN_ROLE && k != ARN_ROOT)
		return invalid_principal(err);
	if (!arn_parse(arn, &p, NULL))
		return invalid_principal(err);
	out->partition = p.partition;
	out->account = p.account;
	if (k == ARN_ROOT) {
		out->kind = GH_EKS_PRINCIPAL_ROOT;
		out->name = p.resource;
		return true;
	}
	out->kind = k == ARN_USER ? GH_EKS_PRINCIPAL_USER : GH_EKS_PRINCIPAL_ROLE;
	out->name = arn_last_name(arn);
	size_t type_len = gh_str_find(p.resource, '/', 0); /* "user" or "role" */
	out->path = gh_str_sub(p.resource, type_len, p.resource.n - type_len - out->name.n);
	bool name_ok = k == ARN_USER ? arn_validate_user_name(out->name, NULL, NULL)
				     : arn_validate_role_name(out->name, NULL, NULL);
	if (!name_ok || !arn_validate_path(out->path, NULL, NULL))
		return invalid_principal(err);
	/* Service-linked roles live under /aws-service-role/; EKS refuses them. */
	if (k == ARN_ROLE && gh_str_has_prefix(out->path, GH_STR("/aws-service-role/")))
		return invalid_principal(err);
	return true;
}

bool gh_eks_principal_key(gh_str arn, gh_buf *out, gh_err *err)
{
	gh_eks_principal p;
	if (!gh_eks_principal_parse(arn, &p, err))
		return false;
	if (!arn_strip_path(arn, out, NULL))
		return oom(err);
	for (size_t i = 0; i < out->n; i++)
		if (out->p[i] >= 'A' && out->p[i] <= 'Z')
			out->p[i] = (char)(out->p[i] + 32);
	return true;
}

/* ---- usernames, groups, tags ------------------------------------------------------------- */

static const gh_str reserved_prefixes[] = { GH_STR("system:"), GH_STR("eks:"), GH_STR("aws:"), GH_STR("amazon:"),
					    GH_STR("iam:") };

static size_t find_sub(gh_str s, gh_str needle)
{
	for (size_t i = 0; i + needle.n <= s.n; i++)
		if (memcmp(s.p + i, needle.p, needle.n) == 0)
			return i;
	return s.n;
}

bool gh_eks_validate_username(gh_str username, gh_err *err)
{
	if (username.n == 0)
		return invalid_param(err, "The username must not be empty.");
	for (size_t i = 0; i < sizeof reserved_prefixes / sizeof *reserved_prefixes; i++)
		if (gh_str_has_prefix(username, reserved_prefixes[i]))
			return invalid_param(err, "The username must not begin with " GH_STR_FMT,
					     GH_STR_ARG(reserved_prefixes[i]));
	/* {{SessionNameRaw}} starts like {{SessionName}}: one search covers both. */
	static const gh_str session = GH_STR("{{SessionName");
	size_t at = find_sub(username, session);
	if (at < username.n && memchr(username.p, ':', at) == NULL) {
		bool raw = gh_str_has_prefix(gh_str_sub(username, at, username.n - at), GH_STR("{{SessionNameRaw}}"));
		return invalid_param(err, "The username must include a colon (:) before %s.",
				     raw ? "{{SessionNameRaw}}" : "{{SessionName}}");
	}
	return true;
}

bool gh_eks_validate_group(gh_str group, gh_err *err)
{
	if (group.n == 0)
		return invalid_param(err, "The kubernetes group name is invalid, it cannot be empty");
	if (gh_str_has_prefix(group, GH_STR("system:")))
		return invalid_param(err, "The kubernetes group name " GH_STR_FMT " is invalid, it cannot start with "
					  "system:",
				     GH_STR_ARG(group));
	return true;
}

static size_t utf8_chars(gh_str s)
{
	size_t n = 0;
	for (size_t i = 0; i < s.n; i++)
		if (((unsigned char)s.p[i] & 0xC0) != 0x80)
			n++;
	return n;
}

bool gh_eks_validate_tags(const gh_eks_tag *tags, size_t n, gh_err *err)
{
	if (n > GH_EKS_TAGS_MAX)
		return invalid_param(err, "The number of tags must not be greater than %d.", GH_EKS_TAGS_MAX);
	for (size_t i = 0; i < n; i++) {
		size_t kl = utf8_chars(tags[i].key), vl = utf8_chars(tags[i].value);
		if (kl == 0 || kl > GH_EKS_TAG_KEY_MAX)
			return invalid_param(err, "Tag keys must be between 1 and %d characters long.",
					     GH_EKS_TAG_KEY_MAX);
		if (vl > GH_EKS_TAG_VALUE_MAX)
			return invalid_param(err,
					     "The value of tag " GH_STR_FMT " must not be longer than %d characters.",
					     GH_STR_ARG(tags[i].key), GH_EKS_TAG_VALUE_MAX);
		if (tags[i].key.n >= 4 && gh_str_ieq(gh_str_sub(tags[i].key, 0, 4), GH_STR("aws:")))
			return invalid_param(err, "Tag keys starting with aws: are reserved for AWS use.");
	}
	return true;
}

bool gh_eks_default_username(gh_eks_entry_type type, const gh_eks_principal *p, gh_buf *out)
{
	gh_buf_reset(out);
	const char *node = gh_eks_entry_type_node_username(type);
	if (node)
		gh_buf_puts(out, node);
	else if (p->kind == GH_EKS_PRINCIPAL_ROLE)
		gh_buf_printf(out, "arn:" GH_STR_FMT ":sts::" GH_STR_FMT ":assumed-role/" GH_STR_FMT "/{{SessionName}}",
			      GH_STR_ARG(p->partition), GH_STR_ARG(p->account), GH_STR_ARG(p->name));
	else
		gh_buf_put_str(out, p->arn);
	return !out->oom;
}

bool gh_eks_access_entry_arn(gh_buf *out, gh_str partition, gh_str region, gh_str account, gh_str cluster,
			     const gh_eks_principal *p, const uint8_t uuid[16])
{
	char id[37];
	gh_eks_uuid_format(uuid, id);
	gh_buf_reset(out);
	gh_buf_printf(out,
		      "arn:" GH_STR_FMT ":eks:" GH_STR_FMT ":" GH_STR_FMT ":access-entry/" GH_STR_FMT "/%s/" GH_STR_FMT
		      "/" GH_STR_FMT "/%s",
		      GH_STR_ARG(partition), GH_STR_ARG(region), GH_STR_ARG(account), GH_STR_ARG(cluster),
		      p->kind == GH_EKS_PRINCIPAL_ROLE ? "role" : "user", GH_STR_ARG(p->account), GH_STR_ARG(p->name),
		      id);
	return !out->oom;
}

/* ---- building entries -------------------------------------------------------------------- */

static bool copy_str(gh_arena *a, gh_str s, gh_str *out)
{
	*out = gh_arena_str(a, s);
	return out->n == s.n && (s.n == 0 || out->p);
}

static bool copy_strs(gh_arena *a, const gh_str *v, size_t n, const gh_str **out)
{
	*out = NULL;
	if (n == 0)
		return true;
	gh_str *d = gh_arena_alloc(a, n * sizeof *d);
	if (!d)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!copy_str(a, v[i], &d[i]))
			return false;
	*out = d;
	return true;
}

static bool copy_tags(gh_arena *a, const gh_eks_tag *v, size_t n, const gh_eks_tag **out)
{
	*out = NULL;
	if (n == 0)
		return true;
	gh_eks_tag *d = gh_arena_alloc(a, n * sizeof *d);
	if (!d)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!copy_str(a, v[i].key, &d[i].key) || !copy_str(a, v[i].value, &d[i].value))
			return false;
	*out = d;
	return true;
}

static bool copy_buf(gh_arena *a, const gh_buf *b, gh_str *out)
{
	return copy_str(a, gh_buf_str(b), out);
}

static bool node_type_principal(gh_eks_entry_type type, const gh_eks_principal *p, gh_str cluster_account,
				gh_err *err)
{
	if (type == GH_EKS_ENTRY_STANDARD)
		return true;
	if (p->kind != GH_EKS_PRINCIPAL_ROLE)
		return invalid_param(err, "The specified principalArn is invalid: access entries of type %s accept "
					  "only IAM roles.",
				     gh_eks_entry_type_name(type));
	if (!gh_str_eq(p->account, cluster_account))
		return invalid_param(err, "The specified principalArn is invalid: access entries of type %s accept "
					  "only IAM roles of the cluster's account (" GH_STR_FMT ").",
				     gh_eks_entry_type_name(type), GH_STR_ARG(cluster_account));
	return true;
}

static bool check_username(gh_eks_entry_type type, gh_str username, gh_err *err)
{
	if (!gh_eks_validate_username(username, err))
		return false;
	if (type != GH_EKS_ENTRY_STANDARD)
		return invalid_param(err,
				     "The username can't be set for access entries of type %s: Amazon EKS sets it.",
				     gh_eks_entry_type_name(type));
	return true;
}

static bool check_groups(gh_eks_entry_type type, const gh_str *groups, size_t n, gh_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (!gh_eks_validate_group(groups[i], err))
			return false;
	if (type != GH_EKS_ENTRY_STANDARD && n > 0)
		return invalid_param(err, "kubernetesGroups can't be set for access entries of type %s: Amazon EKS "
					  "sets them.",
				     gh_eks_entry_type_name(type));
	return true;
}

bool gh_eks_entry_create(const gh_eks_entry_create_input *in, gh_arena *a, gh_eks_access_entry *out, gh_err *err)
{
	*out = (gh_eks_access_entry){ 0 };
	gh_eks_entry_type type = GH_EKS_ENTRY_STANDARD;
	if (in->type && !gh_eks_entry_type_parse(*in->type, &type, err))
		return false;
	gh_eks_principal p;
	if (!gh_eks_principal_parse(in->principal_arn, &p, err))
		return false;
	if (!gh_str_eq(p.partition, in->partition)) /* IAM of another partition is not reachable */
		return invalid_principal(err);
	if (!node_type_principal(type, &p, in->cluster_account, err))
		return false;
	if (in->principal_id.n == 0)
		return invalid_principal(err);
	if (in->username && !check_username(type, *in->username, err))
		return false;
	if (in->has_groups && !check_groups(type, in->groups, in->n_groups, err))
		return false;
	if (!gh_eks_validate_tags(in->tags, in->n_tags, err))
		return false;

	gh_buf b = { 0 };
	bool ok = true;
	out->type = type;
	out->principal_kind = p.kind;
	out->created_at_ms = out->modified_at_ms = in->now_ms;
	ok = ok && copy_str(a, in->cluster_name, &out->cluster_name);
	ok = ok && copy_str(a, in->principal_arn, &out->principal_arn);
	ok = ok && copy_str(a, in->principal_id, &out->principal_id);
	ok = ok && gh_eks_principal_key(in->principal_arn, &b, NULL) && copy_buf(a, &b, &out->principal_key);
	if (ok && in->username)
		ok = copy_str(a, *in->username, &out->username);
	else if (ok)
		ok = gh_eks_default_username(type, &p, &b) && copy_buf(a, &b, &out->username);
	if (type == GH_EKS_ENTRY_STANDARD) {
		out->n_groups = in->has_groups ? in->n_groups : 0;
		ok = ok && copy_strs(a, in->groups, out->n_groups, &out->groups);
	} else {
		out->groups = gh_eks_entry_type_groups(type, &out->n_groups);
	}
	ok = ok && copy_tags(a, in->tags, in->n_tags, &out->tags);
	out->n_tags = in->n_tags;
	ok = ok && gh_eks_access_entry_arn(&b, in->partition, in->region,
					   in->cluster_account, in->cluster_name, &p, in->uuid) &&
	     copy_buf(a, &b, &out->entry_arn);
	gh_buf_free(&b);
	return ok || oom(err);
}

bool gh_eks_entry_check_unique(gh_str principal_key, const gh_eks_access_entry *entries, size_t n, gh_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (gh_str_eq(entries[i].principal_key, principal_key))
			return gh_fail(err, GH_EKS_RESOURCE_IN_USE, GH_EKS_STATUS_RESOURCE_IN_USE,
				       "The specified access entry resource is already in use on this cluster.");
	return true;
}

long gh_eks_entry_find(const gh_eks_access_entry *entries, size_t n, gh_str principal_arn)
{
	gh_buf key = { 0 };
	long found = -1;
	if (gh_eks_principal_key(principal_arn, &key, NULL))
		for (size_t i = 0; i < n && found < 0; i++)
			if (gh_str_eq(entries[i].principal_key, gh_buf_str(&key)))
				found = (long)i;
	gh_buf_free(&key);
	return found;
}

bool gh_eks_fail_entry_not_found(gh_err *err)
{
	return gh_fail(err, GH_EKS_RESOURCE_NOT_FOUND, GH_EKS_STATUS_RESOURCE_NOT_FOUND,
		       "The specified principalArn could not be found. You can view your available access entries "
		       "with 'list-access-entries'.");
}

bool gh_eks_entry_update(const gh_eks_access_entry *cur, const gh_eks_entry_update_input *in, gh_arena *a,
			 gh_eks_access_entry *out, gh_err *err)
{
	*out = *cur;
	if (in->username && !check_username(cur->type, *in->username, err))
		return false;
	if (in->has_groups && !check_groups(cur->type, in->groups, in->n_groups, err))
		return false;
	bool ok = true;
	if (in->username)
		ok = copy_str(a, *in->username, &out->username);
	if (ok && in->has_groups && cur->type == GH_EKS_ENTRY_STANDARD) {
		ok = copy_strs(a, in->groups, in->n_groups, &out->groups);
		out->n_groups = in->n_groups;
	}
	out->modified_at_ms = in->now_ms;
	return ok || oom(err);
}
