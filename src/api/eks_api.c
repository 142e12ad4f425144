#include "api/eks_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/aws_query.h"
#include "api/rest_json.h"
#include "base/log.h"
#include "codec/url.h"
#include "crypto/hash.h"
#include "engine/eks.h"
#include "engine/trail.h"

bool eks_api_claims(const gh_http_request *req)
{
	return gh_str_has_prefix(req->path, GH_STR("/clusters")) ||
	       gh_str_has_prefix(req->path, GH_STR("/access-policies")) ||
	       gh_str_has_prefix(req->path, GH_STR("/tags/"));
}

typedef struct call {
	gh_engine *e;
	const gh_http_request *req;
	gh_caller c;
	rest_match m;
	json_t *body, *out;
	gh_eks_page pg;
} call;

typedef bool (*op_fn)(call *x, gh_err *err);

static bool create_cluster(call *x, gh_err *err)
{
	return engine_eks_create_cluster(x->e, &x->c, x->body, &x->out, err);
}
static bool list_clusters(call *x, gh_err *err)
{
	return engine_eks_list_clusters(x->e, &x->c, &x->pg, &x->out, err);
}
static bool describe_cluster(call *x, gh_err *err)
{
	return engine_eks_describe_cluster(x->e, &x->c, x->m.labels[0], &x->out, err);
}
static bool delete_cluster(call *x, gh_err *err)
{
	return engine_eks_delete_cluster(x->e, &x->c, x->m.labels[0], &x->out, err);
}
static bool associate_encryption_config(call *x, gh_err *err)
{
	return engine_eks_associate_encryption_config(x->e, &x->c, x->m.labels[0], x->body, &x->out, err);
}

static bool update_cluster_config(call *x, gh_err *err)
{
	return engine_eks_update_cluster_config(x->e, &x->c, x->m.labels[0], x->body, &x->out, err);
}
static bool create_access_entry(call *x, gh_err *err)
{
	return engine_eks_create_access_entry(x->e, &x->c, x->m.labels[0], x->body, &x->out, err);
}
static bool list_access_entries(call *x, gh_err *err)
{
	return engine_eks_list_access_entries(x->e, &x->c, x->m.labels[0], &x->pg, &x->out, err);
}
static bool describe_access_entry(call *x, gh_err *err)
{
	return engine_eks_describe_access_entry(x->e, &x->c, x->m.labels[0], x->m.labels[1], &x->out, err);
}
static bool update_access_entry(call *x, gh_err *err)
{
	return engine_eks_update_access_entry(x->e, &x->c, x->m.labels[0], x->m.labels[1], x->body, &x->out, err);
}
static bool delete_access_entry(call *x, gh_err *err)
{
	x->out = json_object();
	return engine_eks_delete_access_entry(x->e, &x->c, x->m.labels[0], x->m.labels[1], err);
}
static bool associate_policy(call *x, gh_err *err)
{
	return engine_eks_associate_policy(x->e, &x->c, x->m.labels[0], x->m.labels[1], x->body, &x->out, err);
}
static bool list_associated(call *x, gh_err *err)
{
	return engine_eks_list_associated_policies(x->e, &x->c, x->m.labels[0], x->m.labels[1], &x->pg, &x->out, err);
}
static bool disassociate_policy(call *x, gh_err *err)
{
	x->out = json_object();
	return engine_eks_disassociate_policy(x->e, &x->c, x->m.labels[0], x->m.labels[1], x->m.labels[2], err);
}
static bool list_access_policies(call *x, gh_err *err)
{
	return engine_eks_list_access_policies(x->e, &x->c, &x->pg, &x->out, err);
}

static bool create_pia(call *x, gh_err *err)
{
	return engine_eks_create_pod_identity(x->e, &x->c, x->m.labels[0], x->body, &x->out, err);
}
static bool list_pias(call *x, gh_err *err)
{
	return engine_eks_list_pod_identities(x->e, &x->c, x->m.labels[0], &x->pg, &x->out, err);
}
static bool describe_pia(call *x, gh_err *err)
{
	return engine_eks_describe_pod_identity(x->e, &x->c, x->m.labels[0], x->m.labels[1], &x->out, err);
}
static bool update_pia(call *x, gh_err *err)
{
	return engine_eks_update_pod_identity(x->e, &x->c, x->m.labels[0], x->m.labels[1], x->body, &x->out, err);
}
static bool delete_pia(call *x, gh_err *err)
{
	return engine_eks_delete_pod_identity(x->e, &x->c, x->m.labels[0], x->m.labels[1], &x->out, err);
}

static bool tag_resource(call *x, gh_err *err)
{
	json_t *tags = json_object_get(x->body, "tags");
	if (!tags)
		return gh_fail(err, "BadRequestException", 400, "tags is required.");
	return engine_eks_tag(x->e, &x->c, x->m.labels[0], tags, NULL, 0, &x->out, err);
}

static bool untag_resource(call *x, gh_err *err)
{
	url_query q;
	if (!url_query_parse_arena(x->req->arena, x->req->query, URL_QUERY_FORM, &q, err))
		return false;
	gh_str *keys = gh_arena_alloc(x->req->arena, (q.n ? q.n : 1) * sizeof *keys);
	size_t n = 0;
	for (size_t i = 0; i < q.n; i++)
		if (gh_str_eq_c(q.params[i].name, "tagKeys"))
			keys[n++] = q.params[i].value;
	if (!n)
		return gh_fail(err, "BadRequestException", 400, "tagKeys is required.");
	return engine_eks_tag(x->e, &x->c, x->m.labels[0], NULL, keys, n, &x->out, err);
}

static bool list_tags(call *x, gh_err *err)
{
	return engine_eks_tag(x->e, &x->c, x->m.labels[0], NULL, NULL, 0, &x->out, err);
}

typedef struct route {
	const char *method, *pattern, *name;
	op_fn fn;
} route;

/* More specific patterns first: a label never spans a '/'. */
static const route routes[] = {
	{ "POST", "/clusters", "CreateCluster", create_cluster },
	{ "GET", "/clusters", "ListClusters", list_clusters },
	{ "GET", "/access-policies", "ListAccessPolicies", list_access_policies },
	{ "GET", "/clusters/{name}", "DescribeCluster", describe_cluster },
	{ "DELETE", "/clusters/{name}", "DeleteCluster", delete_cluster },
	{ "POST", "/clusters/{name}/update-config", "UpdateClusterConfig", update_cluster_config },
	{ "POST", "/clusters/{name}/encryption-config/associate", "AssociateEncryptionConfig",
	  associate_encryption_config },
	{ "POST", "/clusters/{name}/access-entries", "CreateAccessEntry", create_access_entry },
	{ "GET", "/clusters/{name}/access-entries", "ListAccessEntries", list_access_entries },
	{ "GET", "/clusters/{name}/access-entries/{principalArn}", "DescribeAccessEntry", describe_access_entry },
	{ "POST", "/clusters/{name}/access-entries/{principalArn}", "UpdateAccessEntry", update_access_entry },
	{ "DELETE", "/clusters/{name}/access-entries/{principalArn}", "DeleteAccessEntry", delete_access_entry },
	{ "POST", "/clusters/{name}/access-entries/{principalArn}/access-policies", "AssociateAccessPolicy",
	  associate_policy },
	{ "GET", "/clusters/{name}/access-entries/{principalArn}/access-policies", "ListAssociatedAccessPolicies",
	  list_associated },
	{ "DELETE", "/clusters/{name}/access-entries/{principalArn}/access-policies/{policyArn}",
	  "DisassociateAccessPolicy", disassociate_policy },
	{ "POST", "/clusters/{name}/pod-identity-associations", "CreatePodIdentityAssociation", create_pia },
	{ "GET", "/clusters/{name}/pod-identity-associations", "ListPodIdentityAssociations", list_pias },
	{ "GET", "/clusters/{name}/pod-identity-associations/{associationId}", "DescribePodIdentityAssociation",
	  describe_pia },
	{ "POST", "/clusters/{name}/pod-identity-associations/{associationId}", "UpdatePodIdentityAssociation",
	  update_pia },
	{ "DELETE", "/clusters/{name}/pod-identity-associations/{associationId}", "DeletePodIdentityAssociation",
	  delete_pia },
	{ "POST", "/tags/{resourceArn}", "TagResource", tag_resource },
	{ "DELETE", "/tags/{resourceArn}", "UntagResource", untag_resource },
	{ "GET", "/tags/{resourceArn}", "ListTagsForResource", list_tags },
};

static bool page_params(call *x, gh_err *err)
{
	gh_str v;
	if (rest_query_param(x->req, "maxResults", &v)) {
		int64_t n;
		if (!gh_str_to_i64(v, &n) || n < 1 || n > 100)
			return gh_fail(err, "InvalidParameterException", 400, "maxResults must be between 1 and 100");
		x->pg.max_results = (int)n;
	}
	if (rest_query_param(x->req, "nextToken", &v))
		x->pg.next_token = v;
	if (rest_query_param(x->req, "associatedPolicyArn", &v))
		x->pg.filter = v;
	if (rest_query_param(x->req, "namespace", &v))
		x->pg.ns = gh_arena_str(x->req->arena, v).p;
	if (rest_query_param(x->req, "serviceAccount", &v))
		x->pg.sa = gh_arena_str(x->req->arena, v).p;
	return true;
}

/* ---- the trail -------------------------------------------------------------------------- */

/* Body members recorded in requestParameters: what names and shapes access. Tags and
 * anything not listed stay out (engine/trail.h). */
static const char *const trail_body_fields[] = { "name",     "version", "roleArn",     "principalArn",
						 "kubernetesGroups", "username", "type", "policyArn",
						 "accessScope", "accessConfig", "namespace", "serviceAccount",
						 "targetRoleArn", "disableSessionTags", NULL };
/* Members of a write's answer recorded in responseElements: identifiers and outcomes. */
static const char *const trail_made_fields[] = { "name", "arn", "status", "clusterName", "principalArn",
						 "accessEntryArn", "username", "type", "kubernetesGroups",
						 "policyArn", "accessScope", "id", "associationId",
						 "associationArn", "namespace", "serviceAccount", "roleArn",
						 "targetRoleArn", NULL };

static void copy_fields(json_t *to, const json_t *from, const char *const *fields)
{
	for (size_t i = 0; fields[i]; i++) {
		json_t *v = json_object_get(from, fields[i]);
		if (v)
			json_object_set_new(to, fields[i], json_deep_copy(v));
	}
}

static json_t *trail_parameters(const call *x, const route *r)
{
	json_t *p = json_object();
	if (r) {
		/* The path labels, named as the pattern names them; the cluster of an access-entry
		 * operation is its clusterName, as in EKS's model. */
		bool entry_op = strstr(r->pattern, "/access-entries") != NULL ||
				strstr(r->pattern, "/pod-identity-associations") != NULL;
		const char *at = r->pattern;
		for (size_t i = 0; i < x->m.n; i++) {
			const char *open = strchr(at, '{'), *close = open ? strchr(open, '}') : NULL;
			if (!close)
				break;
			char name[32];
			snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
			json_t *v = json_stringn(x->m.labels[i].p, x->m.labels[i].n);
			if (v)
				json_object_set_new(p, entry_op && strcmp(name, "name") == 0 ? "clusterName" : name, v);
			at = close + 1;
		}
	}
	if (json_is_object(x->body))
		copy_fields(p, x->body, trail_body_fields);
	return p;
}

/* Identifiers of what a write made or changed; reads record none. */
static json_t *trail_made(const json_t *out, const char *name)
{
	if (!json_is_object(out) || trail_read_only(name))
		return NULL;
	json_t *m = json_object();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)out, k, v) {
		if (!json_is_object(v))
			continue;
		json_t *sub = json_object();
		copy_fields(sub, v, trail_made_fields);
		json_object_set_new(m, k, sub);
	}
	return m;
}

static void record(call *x, const route *r, const char *request_id, const gh_err *err)
{
	const char *akid = NULL, *service = NULL;
	if (!x->c.cred)
		api_sigv4_claims(x->req, &akid, &service);
	const char *name = r ? r->name : "Unknown";
	json_t *params = trail_parameters(x, r);
	json_t *made = err ? NULL : trail_made(x->out, name);
	gh_trail_record t = {
		.event_source = "eks.amazonaws.com",
		.event_name = name,
		.source_ip = x->req->remote_addr,
		.user_agent = api_header(x->req, "user-agent"),
		.request_id = request_id,
		.caller = x->c.cred,
		.access_key_id = akid,
		.request_parameters = params,
		.response_elements = made,
		.error_code = err ? err->code : NULL,
		.error_message = err ? err->msg : NULL,
	};
	engine_trail(x->e, &t);
	json_decref(params);
	json_decref(made);
}

void eks_api_handle(gh_engine *e, const gh_http_request *req, gh_http_response *resp)
{
	call x = { .e = e, .req = req };
	gh_err err = { 0 };
	const route *r = NULL;
	bool path_known = false;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !r; i++) {
		rest_match m;
		if (!rest_route_match(routes[i].pattern, req->path, req->arena, &m))
			continue;
		path_known = true;
		if (gh_str_eq_c(req->method, routes[i].method)) {
			r = &routes[i];
			x.m = m;
		}
	}
	bool ok = true;
	if (!r)
		ok = gh_fail(&err, path_known ? "InvalidRequestException" : "NotFoundException", path_known ? 405 : 404,
			     "No operation for " GH_STR_FMT " " GH_STR_FMT, GH_STR_ARG(req->method),
			     GH_STR_ARG(req->path));
	sigv4_request sreq;
	if (ok) {
		api_sigv4_request(req, &sreq);
		ok = engine_aws_authenticate(e, &sreq, req->arena, &x.c, &err);
		if (!ok && err.code && strcmp(err.code, "InvalidClientTokenId") == 0)
			err.code = "UnrecognizedClientException"; /* rest-json services' name for it */
	}
	ok = ok && rest_json_body(req, &x.body, &err) && page_params(&x, &err) && r->fn(&x, &err);
	const char *who = x.c.cred ? x.c.cred->arn : "";
	char request_id[GH_UUID_LEN + 1];
	if (!gh_uuid4(request_id))
		gh_log_warn("aws.request-id", "detail", "the system random number generator failed");
	record(&x, r, request_id, ok ? NULL : &err);
	if (ok) {
		rest_json_answer(resp, 200, x.out ? x.out : json_object());
		x.out = NULL;
	} else {
		rest_json_error(resp, &err);
	}
	http_response_add_header(resp, "x-amzn-RequestId", gh_str_c(request_id));
	gh_log_info("aws.call", "action", r ? r->name : "", "principal", who, "outcome", ok ? "ok" : err.code,
		    "source", req->remote_addr);
	json_decref(x.out);
	json_decref(x.body);
	if (x.c.cred)
		engine_caller_release(&x.c);
}
