#include "domain/k8s/reqinfo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_SEGS 16

static size_t split(gh_str path, gh_str *segs, size_t cap)
{
	size_t n = 0, i = 0;
	while (i < path.n && path.p[i] == '/')
		i++;
	while (i < path.n && n < cap) {
		size_t j = gh_str_find(path, '/', i);
		segs[n++] = gh_str_sub(path, i, j - i);
		i = j + 1;
	}
	/* a trailing slash leaves one empty segment: drop it as upstream's Split+Trim does */
	if (n && !segs[n - 1].n)
		n--;
	return n;
}

static void lower_method(gh_str method, char *out, size_t n)
{
	size_t k = 0;
	for (; k < method.n && k + 1 < n; k++)
		out[k] = (char)tolower((unsigned char)method.p[k]);
	out[k] = '\0';
}

bool k8s_reqinfo_parse(gh_str method, gh_str path, bool watch, gh_str query_name, k8s_reqinfo *out)
{
	*out = (k8s_reqinfo){ .path = path };
	lower_method(method, out->verb, sizeof out->verb);
	if (path.n > K8S_MAX_PATH)
		return false;
	gh_str s[MAX_SEGS];
	size_t n = split(path, s, MAX_SEGS);
	if (n < 2 || !(gh_str_eq_c(s[0], "api") || gh_str_eq_c(s[0], "apis")))
		return true;
	size_t i = 0;
	out->api_prefix = s[i++];
	if (gh_str_eq_c(out->api_prefix, "apis")) {
		if (n < 3)
			return true; /* /apis/G is discovery: non-resource */
		out->group = s[i++];
	}
	out->version = s[i++];
	out->resource_request = true;
	gh_str *p = &s[i];
	size_t np = n - i;
	out->parts = (int)np;
	if (np == 0) {
		out->resource_request = false; /* /api/v1: the resource list */
		return true;
	}
	/* The /watch/ and /proxy/ prefixes are verbs (both deprecated, still honoured). */
	bool watch_prefix = false;
	if (gh_str_eq_c(p[0], "watch")) {
		watch_prefix = true;
		p++;
		np--;
	} else if (gh_str_eq_c(p[0], "proxy")) {
		snprintf(out->verb, sizeof out->verb, "proxy");
		p++;
		np--;
	} else if (strcmp(out->verb, "get") == 0 || strcmp(out->verb, "head") == 0) {
		snprintf(out->verb, sizeof out->verb, "get");
	} else if (strcmp(out->verb, "post") == 0) {
		snprintf(out->verb, sizeof out->verb, "create");
	} else if (strcmp(out->verb, "put") == 0) {
		snprintf(out->verb, sizeof out->verb, "update");
	}
	if (np >= 1 && gh_str_eq_c(p[0], "namespaces")) {
		if (np > 1) {
			out->namespace = p[1];
			/* /namespaces/NS/RES...: the namespace is a scope, unless what follows is
			 * one of the namespace's own subresources. */
			if (np > 2 && !gh_str_eq_c(p[2], "status") && !gh_str_eq_c(p[2], "finalize")) {
				p += 2;
				np -= 2;
			}
		}
	}
	if (np >= 1)
		out->resource = p[0];
	if (np >= 2)
		out->name = p[1];
	if (np >= 3)
		out->subresource = p[2];
	if (np > 3) {
		/* deeper paths are only meaningful for proxy-like subresources */
		out->subresource = gh_str_sub(path, (size_t)(p[2].p - path.p), path.n);
	}
	if (watch_prefix) {
		snprintf(out->verb, sizeof out->verb, "watch");
	} else if (!out->name.n && strcmp(out->verb, "get") == 0) {
		snprintf(out->verb, sizeof out->verb, "%s", watch ? "watch" : "list");
	} else if (!out->name.n && strcmp(out->verb, "delete") == 0) {
		snprintf(out->verb, sizeof out->verb, "deletecollection");
	}
	if ((strcmp(out->verb, "list") == 0 || strcmp(out->verb, "watch") == 0) && query_name.n)
		out->name = query_name;
	return true;
}
