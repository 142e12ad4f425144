#include "api/router.h"

#include <stdatomic.h>
#include <string.h>

#include "api/admission.h"
#include "api/aws_query.h"
#include "api/eks_api.h"
#include "api/eks_auth_api.h"
#include "api/mutate.h"
#include "api/sar.h"
#include "api/tokenreview.h"
#include "engine/oidc.h"

void api_sigv4_request(const gh_http_request *req, sigv4_request *out)
{
	/* gh_http_header and sigv4_header have the same layout by design. */
	_Static_assert(sizeof(gh_http_header) == sizeof(sigv4_header), "header layouts differ");
	*out = (sigv4_request){
		.method = req->method,
		.path = req->path,
		.query = req->query,
		.headers = (const sigv4_header *)req->headers,
		.n_headers = req->nheaders,
		.payload = req->body,
	};
}

void api_sigv4_claims(const gh_http_request *req, const char **akid, const char **service)
{
	sigv4_request sreq;
	sigv4_parsed p;
	*akid = *service = NULL;
	api_sigv4_request(req, &sreq);
	if (!sigv4_parse(&sreq, req->arena, &p, NULL))
		return;
	if (p.access_key_id.n)
		*akid = gh_arena_str(req->arena, p.access_key_id).p;
	if (p.service.n)
		*service = gh_arena_str(req->arena, p.service).p;
}

const char *api_header(const gh_http_request *req, const char *name)
{
	gh_str v;
	if (!http_request_header(req, name, &v))
		return NULL;
	return gh_arena_str(req->arena, v).p;
}

/* Shared by both listeners; true when the path was one of them. */
static bool common(gh_router *r, const gh_http_request *req, gh_http_response *resp)
{
	if (gh_str_eq_c(req->path, "/healthz")) {
		http_response_set(resp, 200, "text/plain", GH_STR("ok\n"));
		return true;
	}
	if (gh_str_eq_c(req->path, "/readyz")) {
		gh_engine *e = atomic_load(&r->engine);
		if (e)
			http_response_set(resp, 200, "text/plain", GH_STR("ok\n"));
		else
			http_response_set(resp, 503, "text/plain", GH_STR("starting\n"));
		return true;
	}
	if (gh_str_eq_c(req->path, "/metrics")) {
		if (r->metrics && metrics_render(r->metrics, &resp->body)) {
			resp->status = 200;
			resp->content_type = GH_METRICS_CONTENT_TYPE;
		} else {
			http_response_set(resp, 500, "text/plain", GH_STR("metrics unavailable\n"));
		}
		return true;
	}
	return false;
}

/* The engine for a request that is not a common path, or NULL once the answer is set. */
static gh_engine *engine_for(gh_router *r, const gh_http_request *req, gh_http_response *resp)
{
	if (common(r, req, resp))
		return NULL;
	gh_engine *e = atomic_load(&r->engine);
	if (!e)
		http_response_set(resp, 503, "text/plain", GH_STR("starting\n"));
	return e;
}

/* EKS's issuer documents live at https://oidc.eks.REGION.amazonaws.com/id/HEX/...; the
 * sandbox serves them on its AWS listener under the same paths. Unauthenticated, as
 * every OIDC relying party (STS, IAM, other clusters) fetches them without credentials. */
static bool serve_oidc(gh_engine *e, const gh_http_request *req, gh_http_response *resp)
{
	if (!gh_str_has_prefix(req->path, GH_STR("/id/")))
		return false;
	gh_str rest = gh_str_sub(req->path, 4, req->path.n);
	size_t slash = gh_str_find(rest, '/', 0);
	gh_str hex = gh_str_sub(rest, 0, slash), doc = gh_str_sub(rest, slash, rest.n);
	bool disc = gh_str_eq_c(doc, "/.well-known/openid-configuration"), keys = gh_str_eq_c(doc, "/keys");
	if (!disc && !keys)
		return false;
	const char *cluster;
	if (!gh_str_eq_c(req->method, "GET") && !gh_str_eq_c(req->method, "HEAD")) {
		http_response_set(resp, 405, "text/plain", GH_STR("method not allowed\n"));
		return true;
	}
	if (hex.n != 32 || !engine_oidc_cluster_by_id(e, hex, req->arena, &cluster)) {
		http_response_set(resp, 404, "text/plain", GH_STR("not found\n"));
		return true;
	}
	gh_err err = { 0 };
	bool ok = disc ? engine_oidc_discovery(e, cluster, &resp->body, &err) : engine_oidc_jwks(e, cluster, &resp->body, &err);
	if (!ok) {
		gh_buf_reset(&resp->body);
		http_response_set(resp, err.status ? err.status : 500, "text/plain", gh_str_c(err.msg));
		return true;
	}
	resp->status = 200;
	resp->content_type = disc ? "application/json" : "application/jwk-set+json";
	http_response_add_header(resp, "Cache-Control", GH_STR("public, max-age=3600"));
	return true;
}

void router_aws(void *ctx, const gh_http_request *req, gh_http_response *resp)
{
	gh_engine *e = engine_for(ctx, req, resp);
	if (e && serve_oidc(e, req, resp))
		return;
	if (e && eks_auth_api_claims(req))
		eks_auth_api_handle(e, req, resp);
	else if (e && eks_api_claims(req))
		eks_api_handle(e, req, resp);
	else if (e)
		aws_query_handle(e, req, resp);
}

void router_webhook(void *ctx, const gh_http_request *req, gh_http_response *resp)
{
	gh_engine *e = engine_for(ctx, req, resp);
	if (!e)
		return;
	/* /authenticate, /authorize, /validate and /mutate for the demo cluster; /clusters/NAME/...
	 * for any. */
	gh_str cluster = GH_STR("demo"), op = req->path;
	if (gh_str_has_prefix(req->path, GH_STR("/clusters/"))) {
		gh_str rest = gh_str_sub(req->path, 10, req->path.n);
		size_t slash = gh_str_find(rest, '/', 0);
		cluster = gh_str_sub(rest, 0, slash);
		op = gh_str_sub(rest, slash, rest.n);
	}
	if (gh_str_eq_c(op, "/authenticate") && cluster.n) {
		tokenreview_handle(e, cluster, req, resp);
	} else if (gh_str_eq_c(op, "/authorize") && cluster.n) {
		sar_handle(e, cluster, req, resp);
	} else if (gh_str_eq_c(op, "/validate") && cluster.n) {
		admission_handle(e, cluster, req, resp);
	} else if (gh_str_eq_c(op, "/mutate") && cluster.n) {
		mutate_handle(e, cluster, req, resp);
	} else {
		http_response_set(resp, 404, "application/json",
				  GH_STR("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
					 "\"message\":\"the server could not find the requested resource\","
					 "\"reason\":\"NotFound\",\"code\":404}"));
	}
}
