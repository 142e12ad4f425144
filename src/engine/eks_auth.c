/* EKS Auth AssumeRoleForPodIdentity: token, association, role, optional chain. */
#include "engine/eks_auth.h"

#include <string.h>

#include "base/log.h"
#include "crypto/hash.h"
#include "domain/aws/arn.h"
#include "engine/eks.h"
#include "engine/engine_internal.h"
#include "engine/oidc.h"

static const char *member(gh_arena *a, const json_t *doc, const char *name)
{
	const char *v = json_string_value(json_object_get(doc, name));
	return v ? gh_arena_strndup(a, v, strlen(v)) : NULL;
}

/* STS's verdicts in EKS Auth's vocabulary: a refusal stays a refusal (400 here), a bad
 * parameter a bad parameter, anything else is the service's fault. */
static bool sts_to_eks_auth(gh_err *err)
{
	if (err->code && strcmp(err->code, "AccessDenied") == 0) {
		err->code = GH_EKS_AUTH_ACCESS_DENIED;
		err->status = 400;
	} else if (err->code && (strcmp(err->code, "ValidationError") == 0 ||
				 strcmp(err->code, "InvalidParameterValue") == 0 ||
				 strcmp(err->code, "MalformedPolicyDocument") == 0)) {
		err->code = GH_EKS_AUTH_INVALID_PARAMETER;
		err->status = 400;
	} else {
		err->code = GH_EKS_AUTH_INTERNAL;
		err->status = 500;
	}
	return false;
}

/* The session of the first role assumes the target role, as that session would call
 * STS itself: role chaining, so the transitive tags come along. */
static bool chain(gh_engine *e, const char *first_akid, const char *target, const char *external_id,
		  const char *session, gh_arena *a, gh_assume_role_res *out, gh_err *err)
{
	gh_creds *snap = engine_creds_acquire(e);
	const gh_cred *cr = creds_find(snap, gh_str_c(first_akid));
	if (!cr) {
		creds_unref(snap);
		return gh_fail(err, GH_EKS_AUTH_INTERNAL, 500, "the role session to chain from was not published");
	}
	gh_caller c = { .cred = cr, .snap = snap };
	gh_assume_role_req r = { .role_arn = gh_str_c(target), .session_name = gh_str_c(session),
				 .external_id = gh_str_c(external_id ? external_id : ""),
				 .duration = GH_EKS_AUTH_TARGET_SECONDS, .secure_transport = true };
	bool ok = engine_sts_assume_role(e, &c, &r, a, out, err);
	engine_caller_release(&c);
	return ok;
}

static bool assume(gh_engine *e, const char *cluster, const gh_sa_claims *cl, const json_t *assoc, gh_arena *a,
		   gh_eks_auth_res *out, gh_err *err)
{
	const char *role = member(a, assoc, "roleArn"), *target = member(a, assoc, "targetRoleArn");
	const char *ext = member(a, assoc, "externalId");
	bool no_tags = json_is_true(json_object_get(assoc, "disableSessionTags"));
	out->association_arn = member(a, assoc, "associationArn");
	out->association_id = member(a, assoc, "associationId");
	if (!role || !out->association_arn || !out->association_id)
		return gh_fail(err, GH_EKS_AUTH_INTERNAL, 500, "the stored association is incomplete");

	char uuid[GH_UUID_LEN + 1], session[GH_EKS_AUTH_SESSION_NAME_MAX + 1];
	if (!gh_uuid4(uuid))
		return gh_fail(err, GH_EKS_AUTH_INTERNAL, 500, "the system random number generator failed");
	/* A token not bound to a pod (kubectl create token) still names its service account;
	 * the session name then carries that instead of a pod name. */
	const char *pod = cl->pod_name && cl->pod_name[0] ? cl->pod_name : cl->sa_name;
	eks_auth_session_name(cluster, pod, uuid, session, sizeof session);

	gh_buf carn = { 0 };
	gh_buf_printf(&carn, "arn:%s:eks:%s:%s:cluster/%s", e->cfg.partition, e->cfg.region, e->account, cluster);
	eks_auth_subject subj = { .cluster_arn = gh_arena_str(a, gh_buf_str(&carn)).p, .cluster = cluster,
				  .ns = cl->ns, .sa = cl->sa_name, .pod_name = cl->pod_name, .pod_uid = cl->pod_uid };
	gh_buf_free(&carn);
	iam_tag *tags = gh_arena_alloc(a, GH_EKS_AUTH_NTAGS * sizeof *tags);
	gh_str *keys = gh_arena_alloc(a, GH_EKS_AUTH_NTAGS * sizeof *keys);
	eks_auth_session_tags(&subj, tags, keys);

	gh_assume_role_req r = { .role_arn = gh_str_c(role), .session_name = gh_str_c(session),
				 .tags = no_tags ? NULL : tags, .ntags = no_tags ? 0 : GH_EKS_AUTH_NTAGS,
				 .transitive_keys = no_tags ? NULL : keys, .ntransitive = no_tags ? 0 : GH_EKS_AUTH_NTAGS,
				 .secure_transport = true };
	bool chained = target && target[0];
	gh_assume_role_res first;
	if (!sts_assume_role_as_service(e, GH_EKS_AUTH_SERVICE, &r,
					chained ? GH_EKS_AUTH_TARGET_SECONDS : GH_EKS_AUTH_SESSION_SECONDS, a, &first, err))
		return sts_to_eks_auth(err);
	if (!chained)
		out->creds = first;
	else if (!chain(e, first.akid, target, ext, session, a, &out->creds, err))
		return sts_to_eks_auth(err);
	arn_parts parts;
	gh_err ignored;
	out->account = arn_parse(gh_str_c(out->creds.arn), &parts, &ignored) ? gh_arena_str(a, parts.account).p : e->account;
	return true;
}

bool engine_eks_auth_assume(gh_engine *e, gh_str cluster, gh_str token, gh_arena *a, gh_eks_auth_res *out,
			    gh_err *err)
{
	memset(out, 0, sizeof *out);
	if (!eks_auth_validate(cluster, token, err))
		return false;
	const char *cname = gh_arena_str(a, cluster).p;
	if (!engine_cluster_exists(e, cluster))
		return gh_fail(err, GH_EKS_AUTH_NOT_FOUND, 404, "No cluster found for name: %s.", cname);
	gh_sa_claims cl;
	gh_err verr = { 0 };
	if (!engine_sa_token_verify(e, cname, token, GH_EKS_AUTH_AUDIENCE, a, &cl, &verr)) {
		bool expired = verr.code && strcmp(verr.code, "ExpiredToken") == 0;
		gh_fail(err, expired ? GH_EKS_AUTH_EXPIRED_TOKEN : GH_EKS_AUTH_INVALID_TOKEN, 400, "%s", verr.msg);
		gh_log_info("eks-auth.assume", "cluster", cname, "outcome", err->code, "detail", verr.msg);
		return false;
	}
	json_t *assoc = NULL;
	if (!engine_pod_identity_lookup(e, cname, cl.ns, cl.sa_name, a, &assoc, err))
		return gh_fail(err, GH_EKS_AUTH_INTERNAL, 500, "%s", err->msg);
	bool ok;
	if (!assoc)
		ok = gh_fail(err, GH_EKS_AUTH_NOT_FOUND, 404,
			     "No Pod Identity Association found for cluster %s, namespace %s and service account %s",
			     cname, cl.ns, cl.sa_name);
	else
		ok = assume(e, cname, &cl, assoc, a, out, err);
	json_decref(assoc);
	out->ns = cl.ns;
	out->sa = cl.sa_name;
	/* Names who and what, never the token or the credentials. */
	gh_log_info("eks-auth.assume", "cluster", cname, "namespace", cl.ns, "serviceAccount", cl.sa_name, "pod",
		    cl.pod_name ? cl.pod_name : "", "role", ok ? out->creds.arn : "", "outcome", ok ? "ok" : err->code);
	return ok;
}
