/* Discovery, as kube-apiserver answers it to clients that do not ask for the aggregated
 * form: /version, /api (APIVersions), /apis (APIGroupList), /apis/G (APIGroup),
 * /api/v1 and /apis/G/V (APIResourceList). kubectl 1.32 asks for aggregated discovery
 * first and falls back to these when the answer is plain application/json. */
#include <stdio.h>
#include <string.h>

#include "api/kube_api_internal.h"

static json_t *group_version_entry(const char *group, const char *version)
{
	char gv[160];
	snprintf(gv, sizeof gv, "%s/%s", group, version);
	return json_pack("{s:s, s:s}", "groupVersion", gv, "version", version);
}

static json_t *api_group(const char *group)
{
	size_t n;
	const k8s_group_version *gvs = k8s_group_versions(&n);
	json_t *versions = json_array(), *preferred = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(gvs[i].group, group) != 0)
			continue;
		json_array_append_new(versions, group_version_entry(group, gvs[i].version));
		if (!preferred)
			preferred = group_version_entry(group, gvs[i].version);
	}
	if (!json_array_size(versions)) {
		json_decref(versions);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:o}", "name", group, "versions", versions, "preferredVersion", preferred);
}

static json_t *resource_list(const char *group, const char *version)
{
	size_t n;
	const k8s_resource *rs = k8s_resources(&n);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		const k8s_resource *r = &rs[i];
		if (strcmp(r->group, group) != 0 || strcmp(r->version, version) != 0)
			continue;
		const char *verbs[8];
		size_t nv = k8s_verb_names(r->verbs, verbs, 8);
		json_t *jv = json_array();
		for (size_t k = 0; k < nv; k++)
			json_array_append_new(jv, json_string(verbs[k]));
		json_t *e = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", r->resource, "singularName", r->singular,
				      "namespaced", r->namespaced, "kind", r->kind, "verbs", jv);
		const char *lists[2][2] = { { "shortNames", r->short_names }, { "categories", r->categories } };
		for (int l = 0; l < 2; l++) {
			if (!lists[l][1])
				continue;
			json_t *arr = json_array();
			char buf[128];
			snprintf(buf, sizeof buf, "%s", lists[l][1]);
			for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
				json_array_append_new(arr, json_string(t));
			json_object_set_new(e, lists[l][0], arr);
		}
		json_array_append_new(out, e);
		/* the subresources kubectl uses */
		if (strcmp(r->kind, "ServiceAccount") == 0)
			json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:[s]}", "name",
							     "serviceaccounts/token", "singularName", "", "namespaced",
							     1, "group", "authentication.k8s.io", "version", "v1", "kind",
							     "TokenRequest", "verbs", "create"));
	}
	char gv[160];
	if (group[0])
		snprintf(gv, sizeof gv, "%s/%s", group, version);
	else
		snprintf(gv, sizeof gv, "%s", version);
	return json_pack("{s:s, s:s, s:s, s:o}", "kind", "APIResourceList", "apiVersion", "v1", "groupVersion", gv,
			 "resources", out);
}

/* ---- aggregated discovery (apidiscovery.k8s.io/v2) --------------------------------------- */

#define AGGREGATED_TYPE "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

static bool wants_aggregated(kube_req *r)
{
	gh_str accept;
	if (!http_request_header(r->http, "Accept", &accept))
		return false;
	for (size_t i = 0; i + 35 <= accept.n; i++)
		if (memcmp(accept.p + i, "g=apidiscovery.k8s.io;v=v2", 26) == 0)
			return true;
	return false;
}

static json_t *strs_of(const char *spaced)
{
	json_t *arr = json_array();
	char buf[128];
	snprintf(buf, sizeof buf, "%s", spaced ? spaced : "");
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_array_append_new(arr, json_string(t));
	return arr;
}

/* One group's entry: every version with its resources (the core group when group is ""). */
static json_t *aggregated_group(const char *group)
{
	size_t nv, nr;
	const k8s_group_version *gvs = k8s_group_versions(&nv);
	const k8s_resource *rs = k8s_resources(&nr);
	json_t *versions = json_array();
	for (size_t v = 0; v < nv; v++) {
		if (strcmp(gvs[v].group, group) != 0)
			continue;
		json_t *resources = json_array();
		for (size_t i = 0; i < nr; i++) {
			const k8s_resource *r = &rs[i];
			if (strcmp(r->group, group) != 0 || strcmp(r->version, gvs[v].version) != 0)
				continue;
			const char *verbs[8];
			size_t n = k8s_verb_names(r->verbs, verbs, 8);
			json_t *jv = json_array();
			for (size_t k = 0; k < n; k++)
				json_array_append_new(jv, json_string(verbs[k]));
			json_t *e = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:o}", "resource", r->resource,
					      "responseKind", "group", r->group, "version", r->version, "kind", r->kind,
					      "scope", r->namespaced ? "Namespaced" : "Cluster", "singularResource",
					      r->singular, "verbs", jv);
			if (r->short_names)
				json_object_set_new(e, "shortNames", strs_of(r->short_names));
			if (r->categories)
				json_object_set_new(e, "categories", strs_of(r->categories));
			if (strcmp(r->kind, "ServiceAccount") == 0)
				json_object_set_new(e, "subresources",
						    json_pack("[{s:s, s:{s:s, s:s, s:s}, s:[s]}]", "subresource", "token",
							      "responseKind", "group", "authentication.k8s.io", "version",
							      "v1", "kind", "TokenRequest", "verbs", "create"));
			json_array_append_new(resources, e);
		}
		json_array_append_new(versions, json_pack("{s:s, s:o, s:s}", "version", gvs[v].version, "resources",
							  resources, "freshness", "Current"));
	}
	json_t *meta = group[0] ? json_pack("{s:s, s:n}", "name", group, "creationTimestamp")
				: json_pack("{s:n}", "creationTimestamp");
	return json_pack("{s:o, s:o}", "metadata", meta, "versions", versions);
}

static void serve_aggregated(kube_req *r, bool core)
{
	size_t n;
	const k8s_group_version *gvs = k8s_group_versions(&n);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		if (core != (gvs[i].group[0] == '\0') || (i > 0 && strcmp(gvs[i].group, gvs[i - 1].group) == 0))
			continue;
		json_array_append_new(items, aggregated_group(gvs[i].group));
	}
	kube_send_json(r, 200, json_pack("{s:s, s:s, s:{}, s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
					 "apidiscovery.k8s.io/v2", "metadata", "items", items));
	r->resp->content_type = AGGREGATED_TYPE;
}

bool kube_serve_group_discovery(kube_req *r)
{
	if (!gh_str_eq_c(r->http->method, "GET"))
		return false;
	gh_str p = r->path;
	if (p.n > 1 && p.p[p.n - 1] == '/')
		p.n--;
	if (gh_str_eq_c(p, "/api/v1")) {
		kube_send_json(r, 200, resource_list("", "v1"));
		return true;
	}
	if (!gh_str_has_prefix(p, GH_STR("/apis/")))
		return false;
	gh_str rest = gh_str_sub(p, 6, p.n), group, version;
	char g[128], v[32];
	if (gh_str_cut(rest, '/', &group, &version)) {
		if (group.n >= sizeof g || version.n >= sizeof v || gh_str_find(version, '/', 0) < version.n)
			return false;
		snprintf(g, sizeof g, "%.*s", GH_STR_ARG(group));
		snprintf(v, sizeof v, "%.*s", GH_STR_ARG(version));
		json_t *probe = api_group(g);
		if (!probe)
			return false;
		json_decref(probe);
		json_t *list = resource_list(g, v);
		if (!json_array_size(json_object_get(list, "resources"))) {
			json_decref(list);
			return false;
		}
		kube_send_json(r, 200, list);
		return true;
	}
	if (rest.n >= sizeof g)
		return false;
	snprintf(g, sizeof g, "%.*s", GH_STR_ARG(rest));
	json_t *grp = api_group(g);
	if (!grp)
		return false;
	json_object_set_new(grp, "kind", json_string("APIGroup"));
	json_object_set_new(grp, "apiVersion", json_string("v1"));
	kube_send_json(r, 200, grp);
	return true;
}

bool kube_serve_nonresource(kube_req *r)
{
	gh_str p = r->path;
	if (p.n > 1 && p.p[p.n - 1] == '/')
		p.n--;
	if (!gh_str_eq_c(r->http->method, "GET"))
		return false;
	if (gh_str_eq_c(p, "/version")) {
		kube_send_json(r, 200,
			       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "major", "1", "minor", "32",
					 "gitVersion", "v1.32.0-gatehouse", "gitCommit", "", "gitTreeState",
					 "clean", "buildDate", "", "goVersion", "", "compiler", "gc", "platform",
					 "linux/amd64"));
		return true;
	}
	if ((gh_str_eq_c(p, "/api") || gh_str_eq_c(p, "/apis")) && wants_aggregated(r)) {
		/* kubectl 1.32 asks for this first: all of discovery in two answers */
		serve_aggregated(r, gh_str_eq_c(p, "/api"));
		return true;
	}
	if (gh_str_eq_c(p, "/api")) {
		kube_send_json(r, 200,
			       json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions", "v1",
					 "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
					 r->api->base_url ? r->api->base_url : ""));
		return true;
	}
	if (gh_str_eq_c(p, "/apis")) {
		size_t n;
		const k8s_group_version *gvs = k8s_group_versions(&n);
		json_t *groups = json_array();
		for (size_t i = 0; i < n; i++) {
			if (!gvs[i].group[0] || (i > 0 && strcmp(gvs[i].group, gvs[i - 1].group) == 0))
				continue;
			json_array_append_new(groups, api_group(gvs[i].group));
		}
		kube_send_json(r, 200, json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups",
						 groups));
		return true;
	}
	return false;
}
