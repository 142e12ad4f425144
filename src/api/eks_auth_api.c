#include "api/eks_auth_api.h"

#include <string.h>

#include "api/aws_query.h"
#include "api/rest_json.h"
#include "base/log.h"
#include "crypto/hash.h"
#include "engine/trail.h"

#define PATTERN "/clusters/{clusterName}/assume-role-for-pod-identity"

bool eks_auth_api_claims(const gh_http_request *req)
{
	return gh_str_has_prefix(req->path, GH_STR("/clusters/")) &&
	       gh_str_has_suffix(req->path, GH_STR("/assume-role-for-pod-identity"));
}

json_t *eks_auth_api_answer(const gh_eks_auth_res *r)
{
	return json_pack("{s:{s:s, s:s}, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:I}}", "subject",
			 "namespace", r->ns, "serviceAccount", r->sa, "audience", GH_EKS_AUTH_AUDIENCE,
			 "podIdentityAssociation", "associationArn", r->association_arn, "associationId",
			 r->association_id, "assumedRoleUser", "arn", r->creds.arn, "assumeRoleId",
			 r->creds.assumed_role_id, "credentials", "sessionToken", r->creds.session_token,
			 "secretAccessKey", r->creds.secret, "accessKeyId", r->creds.akid, "expiration",
			 (json_int_t)r->creds.expires);
}

void eks_auth_api_trail(gh_engine *e, const gh_http_request *req, const gh_cred *caller, const char *akid,
			gh_str cluster, const gh_eks_auth_res *res, const gh_err *err, const char *request_id)
{
	/* The trail names the cluster and what was assumed; the token and the credentials it
	 * bought stay out. */
	json_t *params = json_object();
	if (cluster.n)
		json_object_set_new(params, "clusterName", json_stringn(cluster.p, cluster.n));
	json_t *made = res ? json_pack("{s:{s:s}, s:{s:s, s:s}}", "assumedRoleUser", "arn", res->creds.arn, "subject",
				       "namespace", res->ns, "serviceAccount", res->sa)
			   : NULL;
	const char *ua = api_header(req, "user-agent");
	gh_trail_record t = { .event_source = "eks-auth.amazonaws.com", .event_name = "AssumeRoleForPodIdentity",
			      .source_ip = req->remote_addr, .user_agent = ua ? ua : "",
			      .request_id = request_id, .caller = caller, .access_key_id = akid,
			      .request_parameters = params, .response_elements = made,
			      .error_code = res ? NULL : err->code, .error_message = res ? NULL : err->msg };
	engine_trail(e, &t);
	json_decref(params);
	json_decref(made);
}

void eks_auth_api_handle(gh_engine *e, const gh_http_request *req, gh_http_response *resp)
{
	gh_err err = { 0 };
	gh_caller c = { 0 };
	json_t *body = NULL, *out = NULL;
	rest_match m = { 0 };
	gh_eks_auth_res res;
	bool ok = true;
	if (!rest_route_match(PATTERN, req->path, req->arena, &m))
		ok = gh_fail(&err, "ResourceNotFoundException", 404, "No operation for " GH_STR_FMT, GH_STR_ARG(req->path));
	else if (!gh_str_eq_c(req->method, "POST"))
		ok = gh_fail(&err, "InvalidRequestException", 405, "No operation for " GH_STR_FMT " " GH_STR_FMT,
			     GH_STR_ARG(req->method), GH_STR_ARG(req->path));
	if (ok) {
		sigv4_request sreq;
		api_sigv4_request(req, &sreq);
		ok = engine_aws_authenticate(e, &sreq, req->arena, &c, &err);
		if (!ok && err.code && strcmp(err.code, "InvalidClientTokenId") == 0)
			err.code = "UnrecognizedClientException";
	}
	if (ok && (ok = rest_json_body(req, &body, &err))) {
		const json_t *t = json_object_get(body, "token");
		if (!json_is_string(t))
			ok = gh_fail(&err, GH_EKS_AUTH_INVALID_REQUEST, 400, "token is required.");
		else
			ok = engine_eks_auth_assume(e, m.labels[0], gh_str_c(json_string_value(t)), req->arena, &res,
						    &err);
	}
	if (ok && !(out = eks_auth_api_answer(&res)))
		ok = gh_fail(&err, GH_EKS_AUTH_INTERNAL, 500, "out of memory");
	char request_id[GH_UUID_LEN + 1];
	if (!gh_uuid4(request_id))
		gh_log_warn("aws.request-id", "detail", "the system random number generator failed");
	const char *akid = NULL, *service = NULL;
	if (!c.cred)
		api_sigv4_claims(req, &akid, &service);
	eks_auth_api_trail(e, req, c.cred, akid, m.n ? m.labels[0] : GH_STR(""), ok ? &res : NULL, &err, request_id);
	if (ok)
		rest_json_answer(resp, 200, out);
	else
		rest_json_error(resp, &err);
	http_response_add_header(resp, "x-amzn-RequestId", gh_str_c(request_id));
	gh_log_info("aws.call", "action", "AssumeRoleForPodIdentity", "principal", c.cred ? c.cred->arn : "", "outcome",
		    ok ? "ok" : err.code, "source", req->remote_addr);
	json_decref(body);
	if (c.cred)
		engine_caller_release(&c);
}
