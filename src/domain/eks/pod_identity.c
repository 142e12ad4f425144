#include "domain/eks/pod_identity.h"

#include <stdio.h>
#include <string.h>

#include "domain/aws/arn.h"
#include "domain/eks/eks_errors.h"

void gh_eks_pia_id(const uint8_t *random, char out[GH_EKS_PIA_ID_LEN + 1])
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	out[0] = 'a';
	out[1] = '-';
	for (int i = 0; i < GH_EKS_PIA_ID_RANDOM; i++)
		out[2 + i] = alnum[random[i] % (sizeof alnum - 1)];
	out[GH_EKS_PIA_ID_LEN] = '\0';
}

static bool invalid(gh_err *err, const char *msg)
{
	return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER, "%s", msg);
}

/* An IAM role ARN: arn:PARTITION:iam::ACCOUNT:role/[path/]name. */
static bool role_arn_ok(const char *s)
{
	arn_parts p;
	return arn_parse(gh_str_c(s), &p, NULL) && gh_str_eq_c(p.service, "iam") && p.region.n == 0 &&
	       arn_is_account_id(p.account) && gh_str_has_prefix(p.resource, GH_STR("role/")) && p.resource.n > 5 &&
	       !gh_str_has_suffix(p.resource, GH_STR("/"));
}

/* A member that must be a non-empty string when required, or a string when present. */
static bool member_str(const json_t *req, const char *key, bool required, const char **out, gh_err *err)
{
	const json_t *v = json_object_get(req, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "%s is required.", key);
		return true;
	}
	if (!json_is_string(v) || (required && !json_string_length(v)))
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "%s must be a non-empty string.", key);
	*out = json_string_value(v);
	return true;
}

static bool check_role(const char *key, const char *arn, gh_err *err)
{
	if (arn && arn[0] && !role_arn_ok(arn))
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "%s %s is not a valid IAM role ARN.", key, arn);
	return true;
}

/* The confused-deputy guard for a target role: one value per association. */
static void set_external_id(json_t *doc, const char *region, const char *account)
{
	const char *target = json_string_value(json_object_get(doc, "targetRoleArn"));
	if (!target || !target[0]) {
		json_object_del(doc, "targetRoleArn");
		json_object_del(doc, "externalId");
		return;
	}
	char ext[1024];
	snprintf(ext, sizeof ext, "%s/%s/%s/%s/%s", region, account,
		 json_string_value(json_object_get(doc, "clusterName")),
		 json_string_value(json_object_get(doc, "namespace")),
		 json_string_value(json_object_get(doc, "serviceAccount")));
	json_object_set_new(doc, "externalId", json_string(ext));
}

/* policy needs the session tags off, and must be JSON. */
static bool check_policy(const json_t *doc, gh_err *err)
{
	const char *policy = json_string_value(json_object_get(doc, "policy"));
	if (!policy || !policy[0])
		return true;
	if (!json_is_true(json_object_get(doc, "disableSessionTags")))
		return invalid(err, "disableSessionTags must be true when a policy is specified.");
	if (strlen(policy) > 2048)
		return invalid(err, "policy must be at most 2048 characters.");
	json_t *p = json_loads(policy, JSON_REJECT_DUPLICATES, NULL);
	bool ok = json_is_object(p);
	json_decref(p);
	return ok ? true : invalid(err, "policy is not a valid JSON policy document.");
}

static bool check_tags(const json_t *tags, gh_err *err)
{
	if (!tags || json_is_null(tags))
		return true;
	if (!json_is_object(tags))
		return invalid(err, "tags must be a map of strings.");
	if (json_object_size(tags) > 50)
		return invalid(err, "A resource can have at most 50 tags.");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)tags, k, v) {
		if (!json_is_string(v) || !k[0] || strlen(k) > 128 || json_string_length(v) > 256)
			return invalid(err, "Tag keys must be 1 to 128 characters and values strings of at most 256.");
	}
	return true;
}

bool gh_eks_pia_create(const gh_eks_pia_create_input *in, json_t **doc, gh_err *err)
{
	*doc = NULL;
	const char *ns, *sa, *role, *target, *policy;
	const json_t *req = in->req;
	if (!member_str(req, "namespace", true, &ns, err) || !member_str(req, "serviceAccount", true, &sa, err) ||
	    !member_str(req, "roleArn", true, &role, err) || !member_str(req, "targetRoleArn", false, &target, err) ||
	    !member_str(req, "policy", false, &policy, err) || !check_role("roleArn", role, err) ||
	    !check_role("targetRoleArn", target, err) || !check_tags(json_object_get(req, "tags"), err))
		return false;
	const json_t *dst = json_object_get(req, "disableSessionTags");
	if (dst && !json_is_boolean(dst) && !json_is_null(dst))
		return invalid(err, "disableSessionTags must be a boolean.");
	if (strlen(ns) > 253 || strlen(sa) > 253)
		return invalid(err, "namespace and serviceAccount must be at most 253 characters.");
	char id[GH_EKS_PIA_ID_LEN + 1], arn[1024];
	gh_eks_pia_id(in->random, id);
	snprintf(arn, sizeof arn, "arn:%s:eks:%s:%s:podidentityassociation/%s/%s", in->partition, in->region,
		 in->account, in->cluster, id);
	const json_t *tags = json_object_get(req, "tags");
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:b}", "clusterName", in->cluster,
			      "namespace", ns, "serviceAccount", sa, "roleArn", role, "associationArn", arn,
			      "associationId", id, "tags",
			      json_is_object(tags) ? json_deep_copy(tags) : json_object(),
			      "createdAt", (json_int_t)in->now_ms, "modifiedAt", (json_int_t)in->now_ms,
			      "disableSessionTags", json_is_true(dst));
	if (!d)
		return gh_fail(err, GH_EKS_SERVER, 500, "out of memory");
	if (target && target[0])
		json_object_set_new(d, "targetRoleArn", json_string(target));
	if (policy && policy[0])
		json_object_set_new(d, "policy", json_string(policy));
	set_external_id(d, in->region, in->account);
	bool ok = check_policy(d, err);
	/* The shape first, then the cluster's state, as EKS answers a bad request the same
	 * whatever the cluster holds. */
	if (ok && in->existing_same_sa)
		ok = gh_fail(err, GH_EKS_RESOURCE_IN_USE, GH_EKS_STATUS_RESOURCE_IN_USE, "Association already exists: %s",
			     in->existing_same_sa);
	if (ok && in->n_existing >= GH_EKS_PIA_MAX_PER_CLUSTER)
		ok = gh_fail(err, GH_EKS_LIMIT_EXCEEDED, 400,
			     "Cluster %s already has %d Pod Identity associations, the limit per cluster.", in->cluster,
			     GH_EKS_PIA_MAX_PER_CLUSTER);
	if (!ok) {
		json_decref(d);
		return false;
	}
	*doc = d;
	return true;
}

bool gh_eks_pia_update(const json_t *cur, const json_t *req, const char *region, const char *account,
		       int64_t now_ms, json_t **doc, gh_err *err)
{
	*doc = NULL;
	const char *role, *target, *policy;
	if (!member_str(req, "roleArn", false, &role, err) || !member_str(req, "targetRoleArn", false, &target, err) ||
	    !member_str(req, "policy", false, &policy, err) || !check_role("roleArn", role, err) ||
	    !check_role("targetRoleArn", target, err))
		return false;
	if (role && !role[0])
		return invalid(err, "roleArn must be a non-empty string.");
	const json_t *dst = json_object_get(req, "disableSessionTags");
	if (dst && !json_is_boolean(dst) && !json_is_null(dst))
		return invalid(err, "disableSessionTags must be a boolean.");
	json_t *d = json_deep_copy(cur);
	if (role)
		json_object_set_new(d, "roleArn", json_string(role));
	if (target)
		json_object_set_new(d, "targetRoleArn", json_string(target)); /* "" removes it below */
	if (policy && policy[0])
		json_object_set_new(d, "policy", json_string(policy));
	else if (policy)
		json_object_del(d, "policy");
	if (json_is_boolean(dst))
		json_object_set_new(d, "disableSessionTags", json_boolean(json_is_true(dst)));
	set_external_id(d, region, account);
	if (!check_policy(d, err)) {
		json_decref(d);
		return false;
	}
	json_object_set_new(d, "modifiedAt", json_integer(now_ms));
	*doc = d;
	return true;
}

static json_t *seconds(const json_t *ms)
{
	return json_real((double)json_integer_value(ms) / 1000.0);
}

json_t *gh_eks_pia_answer(const json_t *doc)
{
	json_t *out = json_deep_copy(doc);
	json_object_set_new(out, "createdAt", seconds(json_object_get(doc, "createdAt")));
	json_object_set_new(out, "modifiedAt", seconds(json_object_get(doc, "modifiedAt")));
	return out;
}

json_t *gh_eks_pia_summary(const json_t *doc)
{
	static const char *const keys[] = { "clusterName", "namespace", "serviceAccount", "associationArn",
					    "associationId", "ownerArn" };
	json_t *out = json_object();
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(doc, keys[i]);
		if (v)
			json_object_set(out, keys[i], v);
	}
	return out;
}

bool gh_eks_pia_matches(const json_t *doc, const char *ns, const char *sa)
{
	const char *dns = json_string_value(json_object_get(doc, "namespace"));
	const char *dsa = json_string_value(json_object_get(doc, "serviceAccount"));
	return (!ns || (dns && strcmp(ns, dns) == 0)) && (!sa || (dsa && strcmp(sa, dsa) == 0));
}
