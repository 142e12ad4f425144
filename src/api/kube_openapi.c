/* OpenAPI v3, as far as kubectl needs it. `kubectl apply` (and create/replace -f) with the
 * default --validate=strict asks /openapi/v3 whether the server takes the
 * fieldValidation query parameter on PATCH of each kind; when it does, kubectl leaves
 * validation to the server instead of downloading the whole v2 schema. So each
 * group/version document lists the PATCH operation of every served kind with its
 * x-kubernetes-group-version-kind and that parameter. Schemas are not published: kubectl
 * then computes strategic merge patches from its compiled-in types, as it does for any
 * server without them. */
#include <stdio.h>
#include <string.h>

#include "api/kube_api_internal.h"

#define OPENAPI_HASH "gatehouse-1"

static void gv_key(const k8s_group_version *gv, char *out, size_t n)
{
	if (gv->group[0])
		snprintf(out, n, "apis/%s/%s", gv->group, gv->version);
	else
		snprintf(out, n, "api/%s", gv->version);
}

static json_t *root(void)
{
	size_t n;
	const k8s_group_version *gvs = k8s_group_versions(&n);
	json_t *paths = json_object();
	for (size_t i = 0; i < n; i++) {
		char key[160], url[200];
		gv_key(&gvs[i], key, sizeof key);
		snprintf(url, sizeof url, "/openapi/v3/%s?hash=" OPENAPI_HASH, key);
		json_object_set_new(paths, key, json_pack("{s:s}", "serverRelativeURL", url));
	}
	return json_pack("{s:o}", "paths", paths);
}

static json_t *gv_doc(const k8s_group_version *gv)
{
	size_t n;
	const k8s_resource *rs = k8s_resources(&n);
	json_t *paths = json_object();
	char prefix[160];
	gv_key(gv, prefix, sizeof prefix);
	for (size_t i = 0; i < n; i++) {
		const k8s_resource *r = &rs[i];
		if (!r->stored || strcmp(r->group, gv->group) != 0 || strcmp(r->version, gv->version) != 0)
			continue;
		char path[300];
		snprintf(path, sizeof path, "/%s/%s%s/{name}", prefix, r->namespaced ? "namespaces/{namespace}/" : "",
			 r->resource);
		json_t *gvk = json_pack("{s:s, s:s, s:s}", "group", r->group, "version", r->version, "kind", r->kind);
		json_t *params = json_pack("[{s:s, s:s, s:s, s:{s:s, s:b}}, {s:s, s:s, s:{s:s, s:b}}]", "name",
					   "fieldValidation", "in", "query", "description",
					   "fieldValidation instructs the server on how to handle objects in the request "
					   "containing unknown or duplicate fields.",
					   "schema", "type", "string", "uniqueItems", 1, "name", "dryRun", "in", "query",
					   "schema", "type", "string", "uniqueItems", 1);
		json_t *op = json_pack("{s:s, s:o, s:s, s:s, s:O}", "operationId", r->kind, "parameters", params,
				       "x-kubernetes-action", "patch", "description", "partially update the object",
				       "x-kubernetes-group-version-kind", gvk);
		json_t *put = json_pack("{s:s, s:O, s:s, s:o}", "operationId", r->kind, "parameters", params,
					"x-kubernetes-action", "put", "x-kubernetes-group-version-kind", gvk);
		json_object_set_new(paths, path, json_pack("{s:o, s:o}", "patch", op, "put", put));
	}
	return json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{}}}", "openapi", "3.0.0", "info", "title", "Kubernetes",
			 "version", "v1.32.0", "paths", paths, "components", "schemas");
}

bool kube_serve_openapi(kube_req *r)
{
	gh_str p = r->path;
	if (!gh_str_eq_c(r->http->method, "GET") || !gh_str_has_prefix(p, GH_STR("/openapi/v3")))
		return false;
	if (gh_str_eq_c(p, "/openapi/v3") || gh_str_eq_c(p, "/openapi/v3/")) {
		kube_send_json(r, 200, root());
		return true;
	}
	gh_str key = gh_str_sub(p, strlen("/openapi/v3/"), p.n);
	size_t n;
	const k8s_group_version *gvs = k8s_group_versions(&n);
	for (size_t i = 0; i < n; i++) {
		char k[160];
		gv_key(&gvs[i], k, sizeof k);
		if (gh_str_eq_c(key, k)) {
			kube_send_json(r, 200, gv_doc(&gvs[i]));
			return true;
		}
	}
	return false;
}
