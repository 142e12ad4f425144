/* The audit policy: parsing with upstream's validation, then upstream's matching. */
#include "domain/k8s/audit_policy.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "codec/yaml.h"

typedef struct strs {
	const char **v;
	size_t n;
} strs;

typedef struct group_res {
	const char *group;
	strs resources, names;
} group_res;

typedef struct rule {
	audit_level level;
	strs users, groups, verbs, namespaces, urls;
	group_res *res;
	size_t nres;
	unsigned omit;
	int omit_managed; /* -1: not set, take the policy's */
} rule;

struct audit_policy {
	json_t *doc;	/* owns every string the rules point at */
	gh_arena a;	/* the rule arrays */
	rule *rules;
	size_t n;
	unsigned omit;
	bool omit_managed;
};

static const char *const level_names[] = { "None", "Metadata", "Request", "RequestResponse" };
static const char *const stage_names[] = { "RequestReceived", "ResponseStarted", "ResponseComplete", "Panic" };

const char *audit_level_name(audit_level l)
{
	return (unsigned)l < 4 ? level_names[l] : "None";
}

const char *audit_stage_name(unsigned bit)
{
	for (unsigned i = 0; i < 4; i++)
		if (bit == 1u << i)
			return stage_names[i];
	return NULL;
}

/* ---- parsing -------------------------------------------------------------------------- */

typedef struct parser {
	audit_policy *p;
	gh_err *err;
	char path[160];
	size_t plen;
} parser;

static size_t push(parser *P, const char *fmt, ...) GH_PRINTF(2, 3);
static size_t push(parser *P, const char *fmt, ...)
{
	size_t old = P->plen;
	char seg[64];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(seg, sizeof seg, fmt, ap);
	va_end(ap);
	if (k < 0)
		k = 0;
	if ((size_t)k >= sizeof seg)
		k = sizeof seg - 1;
	bool dot = P->plen > 0 && seg[0] != '[';
	if (P->plen + (size_t)k + 2 < sizeof P->path) {
		if (dot)
			P->path[P->plen++] = '.';
		memcpy(P->path + P->plen, seg, (size_t)k);
		P->plen += (size_t)k;
	}
	P->path[P->plen] = '\0';
	return old;
}

static void pop(parser *P, size_t old)
{
	P->plen = old;
	P->path[old] = '\0';
}

static bool bad(parser *P, const char *fmt, ...) GH_PRINTF(2, 3);
static bool bad(parser *P, const char *fmt, ...)
{
	char msg[GH_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return gh_fail(P->err, "InvalidAuditPolicy", 400, "audit policy: %s%s%s", P->path, P->plen ? ": " : "",
		       msg);
}

/* Members of obj must all be in `known` (NULL-terminated). */
static bool only_known(parser *P, const json_t *obj, const char *const *known)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strcmp(k, known[i]) == 0;
		if (!ok) {
			size_t old = push(P, "%s", k);
			bad(P, "unknown field");
			pop(P, old);
			return false;
		}
	}
	return true;
}

/* A list of strings; absent or null is the empty list, as Go decodes it. */
static bool str_list(parser *P, const json_t *obj, const char *key, strs *out)
{
	*out = (strs){ 0 };
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return true;
	size_t old = push(P, "%s", key);
	if (!json_is_array(v)) {
		bad(P, "must be a list of strings");
		return false;
	}
	size_t n = json_array_size(v);
	out->v = gh_arena_alloc(&P->p->a, (n ? n : 1) * sizeof *out->v);
	if (!out->v)
		return gh_fail(P->err, "OutOfMemory", 500, "out of memory reading the audit policy");
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(v, i);
		if (!json_is_string(s)) {
			push(P, "[%zu]", i);
			bad(P, "must be a string");
			pop(P, old);
			return false;
		}
		out->v[out->n++] = json_string_value(s);
	}
	pop(P, old);
	return true;
}

static bool stages(parser *P, const json_t *obj, unsigned *out)
{
	strs s;
	*out = 0;
	if (!str_list(P, obj, "omitStages", &s))
		return false;
	for (size_t i = 0; i < s.n; i++) {
		unsigned bit = 0;
		for (unsigned k = 0; k < 4; k++)
			if (strcmp(s.v[i], stage_names[k]) == 0)
				bit = 1u << k;
		if (!bit) {
			size_t old = push(P, "omitStages[%zu]", i);
			bad(P, "must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic, not \"%s\"",
			    s.v[i]);
			pop(P, old);
			return false;
		}
		*out |= bit;
	}
	return true;
}

/* omitManagedFields: -1 when absent or null. */
static bool tristate(parser *P, const json_t *obj, int *out)
{
	*out = -1;
	const json_t *v = json_object_get(obj, "omitManagedFields");
	if (!v || json_is_null(v))
		return true;
	if (!json_is_boolean(v)) {
		size_t old = push(P, "omitManagedFields");
		bad(P, "must be true or false");
		pop(P, old);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

/* Lower-case RFC 1123 subdomain, as upstream requires of a group name; `*` is any group. */
static bool valid_group(const char *g)
{
	size_t n = strlen(g);
	if (strcmp(g, "*") == 0)
		return true;
	if (n > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		char c = g[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (c == '.') {
			if (label == 0 || g[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!alnum && c != '-')
			return false;
		if (label == 0 && c == '-')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && g[n - 1] != '-';
}

static bool group_resources(parser *P, const json_t *v, group_res *out)
{
	static const char *const known[] = { "group", "resources", "resourceNames", NULL };
	if (!json_is_object(v))
		return bad(P, "must be an object with group, resources and resourceNames");
	if (!only_known(P, v, known))
		return false;
	const json_t *g = json_object_get(v, "group");
	out->group = "";
	if (g && !json_is_null(g)) {
		if (!json_is_string(g)) {
			size_t old = push(P, "group");
			bad(P, "must be a string");
			pop(P, old);
			return false;
		}
		out->group = json_string_value(g);
	}
	if (*out->group && !valid_group(out->group)) {
		size_t old = push(P, "group");
		bad(P, "\"%s\" is not a valid API group: a lower-case DNS subdomain (a group name has no version)",
		    out->group);
		pop(P, old);
		return false;
	}
	if (!str_list(P, v, "resources", &out->resources) || !str_list(P, v, "resourceNames", &out->names))
		return false;
	if (out->names.n && !out->resources.n) {
		size_t old = push(P, "resourceNames");
		bad(P, "using resourceNames requires at least one resource");
		pop(P, old);
		return false;
	}
	return true;
}

static bool url_spec_ok(parser *P, const strs *urls)
{
	for (size_t i = 0; i < urls->n; i++) {
		const char *u = urls->v[i];
		size_t n = strlen(u);
		const char *why = NULL;
		if (strcmp(u, "*") == 0)
			continue;
		if (n == 0 || u[0] != '/')
			why = "non-resource URL rules must begin with a '/' character";
		else if (memchr(u, '*', n - 1))
			why = "non-resource URL wildcards '*' must be the final character of the rule";
		if (why) {
			size_t old = push(P, "nonResourceURLs[%zu]", i);
			bad(P, "%s", why);
			pop(P, old);
			return false;
		}
	}
	return true;
}

static bool parse_rule(parser *P, const json_t *v, rule *r)
{
	static const char *const known[] = { "level", "users", "userGroups", "verbs", "resources", "namespaces",
					     "nonResourceURLs", "omitStages", "omitManagedFields", NULL };
	if (!json_is_object(v))
		return bad(P, "must be an object");
	if (!only_known(P, v, known))
		return false;
	const json_t *lv = json_object_get(v, "level");
	bool found = false;
	for (int i = 0; i < 4 && json_is_string(lv); i++)
		if (strcmp(json_string_value(lv), level_names[i]) == 0) {
			r->level = (audit_level)i;
			found = true;
		}
	if (!found) {
		size_t old = push(P, "level");
		bad(P, "%smust be one of None, Metadata, Request, RequestResponse",
		    lv && !json_is_null(lv) ? "" : "required: ");
		pop(P, old);
		return false;
	}
	if (!str_list(P, v, "users", &r->users) || !str_list(P, v, "userGroups", &r->groups) ||
	    !str_list(P, v, "verbs", &r->verbs) || !str_list(P, v, "namespaces", &r->namespaces) ||
	    !str_list(P, v, "nonResourceURLs", &r->urls) || !url_spec_ok(P, &r->urls) ||
	    !stages(P, v, &r->omit) || !tristate(P, v, &r->omit_managed))
		return false;
	const json_t *res = json_object_get(v, "resources");
	if (res && !json_is_null(res)) {
		if (!json_is_array(res)) {
			size_t old = push(P, "resources");
			bad(P, "must be a list of {group, resources, resourceNames}");
			pop(P, old);
			return false;
		}
		r->nres = json_array_size(res);
		r->res = gh_arena_alloc(&P->p->a, (r->nres ? r->nres : 1) * sizeof *r->res);
		if (!r->res)
			return gh_fail(P->err, "OutOfMemory", 500, "out of memory reading the audit policy");
		for (size_t i = 0; i < r->nres; i++) {
			size_t old = push(P, "resources[%zu]", i);
			bool ok = group_resources(P, json_array_get(res, i), &r->res[i]);
			pop(P, old);
			if (!ok)
				return false;
		}
	}
	if (r->urls.n && (r->nres || r->namespaces.n))
		return bad(P, "rules cannot apply to both regular resources and non-resource URLs");
	return true;
}

static bool parse_doc(parser *P, const json_t *doc)
{
	static const char *const known[] = { "apiVersion", "kind", "metadata", "rules", "omitStages",
					     "omitManagedFields", NULL };
	audit_policy *p = P->p;
	if (!json_is_object(doc))
		return bad(P, "the document must be a Policy object (kind: Policy, apiVersion: audit.k8s.io/v1)");
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	const char *api = json_string_value(json_object_get(doc, "apiVersion"));
	if (!kind || strcmp(kind, "Policy") != 0)
		return bad(P, "kind: must be Policy, not \"%s\"", kind ? kind : "");
	if (!api || (strcmp(api, "audit.k8s.io/v1") != 0 && strcmp(api, "audit.k8s.io/v1beta1") != 0))
		return bad(P, "apiVersion: must be audit.k8s.io/v1 (or audit.k8s.io/v1beta1), not \"%s\"",
			   api ? api : "");
	int managed;
	if (!only_known(P, doc, known) || !stages(P, doc, &p->omit) || !tristate(P, doc, &managed))
		return false;
	p->omit_managed = managed == 1;
	const json_t *rules = json_object_get(doc, "rules");
	if (rules && !json_is_null(rules) && !json_is_array(rules))
		return bad(P, "rules: must be a list of rules");
	p->n = json_array_size(rules);
	if (!p->n)
		return bad(P, "rules: a policy needs at least one rule (with none, nothing would be audited)");
	p->rules = gh_arena_alloc(&p->a, p->n * sizeof *p->rules);
	if (!p->rules)
		return gh_fail(P->err, "OutOfMemory", 500, "out of memory reading the audit policy");
	for (size_t i = 0; i < p->n; i++) {
		size_t old = push(P, "rules[%zu]", i);
		bool ok = parse_rule(P, json_array_get(rules, i), &p->rules[i]);
		pop(P, old);
		if (!ok)
			return false;
		/* Upstream unions the policy's stages into each rule once, at load. */
		p->rules[i].omit |= p->omit;
	}
	return true;
}

bool audit_policy_parse(gh_str text, audit_policy **out, gh_err *err)
{
	*out = NULL;
	if (text.n > AUDIT_POLICY_MAX_BYTES)
		return gh_fail(err, "InvalidAuditPolicy", 400, "audit policy: larger than %zu bytes",
			       AUDIT_POLICY_MAX_BYTES);
	gh_yaml_opts o = { .max_bytes = AUDIT_POLICY_MAX_BYTES };
	json_t *doc = NULL;
	if (!gh_yaml_load(text, &o, &doc, err))
		return gh_fail_wrap(err, "audit policy");
	audit_policy *p = calloc(1, sizeof *p);
	if (!p) {
		json_decref(doc);
		return gh_fail(err, "OutOfMemory", 500, "out of memory reading the audit policy");
	}
	p->doc = doc;
	gh_arena_init(&p->a, 0);
	parser P = { .p = p, .err = err };
	if (!parse_doc(&P, doc)) {
		audit_policy_free(p);
		return false;
	}
	*out = p;
	return true;
}

void audit_policy_free(audit_policy *p)
{
	if (!p)
		return;
	gh_arena_free(&p->a);
	json_decref(p->doc);
	free(p);
}

/* ---- matching (checker.go) -------------------------------------------------------------- */

static const char *nz(const char *s)
{
	return s ? s : "";
}

static bool has(const strs *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static bool path_matches(const char *path, const char *spec)
{
	size_t n = strlen(spec);
	if (strcmp(spec, "*") == 0 || strcmp(spec, path) == 0)
		return true;
	/* strings.TrimRight(spec, "*"): every trailing star goes. */
	if (n && spec[n - 1] == '*') {
		while (n && spec[n - 1] == '*')
			n--;
		return strncmp(path, spec, n) == 0;
	}
	return false;
}

/* Go's strings.TrimLeft / TrimRight with a cutset of '*' and '/'. */
static gh_str trim_left_star_slash(const char *s)
{
	while (*s == '*' || *s == '/')
		s++;
	return gh_str_c(s);
}

static gh_str trim_right_star_slash(const char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '*' || s[n - 1] == '/'))
		n--;
	return (gh_str){ s, n };
}

/* res == resource, or resource + "/" + sub when there is a subresource. */
static bool is_combined(const char *res, const char *resource, const char *sub)
{
	size_t rl = strlen(resource);
	if (!*sub)
		return strcmp(res, resource) == 0;
	return strncmp(res, resource, rl) == 0 && res[rl] == '/' && strcmp(res + rl + 1, sub) == 0;
}

static bool resource_matches(const group_res *gr, const audit_attrs *at)
{
	const char *resource = nz(at->resource), *sub = nz(at->subresource);
	if (gr->names.n && !has(&gr->names, nz(at->name)))
		return false;
	for (size_t i = 0; i < gr->resources.n; i++) {
		const char *res = gr->resources.v[i];
		size_t n = strlen(res);
		if (is_combined(res, resource, sub) || strcmp(res, "*") == 0)
			return true;
		if (*sub && n >= 2 && res[0] == '*' && res[1] == '/' && gh_str_eq_c(trim_left_star_slash(res), sub))
			return true;
		if (n >= 2 && res[n - 2] == '/' && res[n - 1] == '*' && gh_str_eq_c(trim_right_star_slash(res), resource))
			return true;
	}
	return false;
}

static bool rule_matches_resource(const rule *r, const audit_attrs *at)
{
	if (!at->is_resource)
		return false;
	if (r->namespaces.n && !has(&r->namespaces, nz(at->namespace_)))
		return false; /* cluster-scoped requests have the namespace "" */
	if (!r->nres)
		return true;
	for (size_t i = 0; i < r->nres; i++) {
		const group_res *gr = &r->res[i];
		if (strcmp(gr->group, nz(at->api_group)) != 0 && strcmp(gr->group, "*") != 0)
			continue;
		if (!gr->resources.n || resource_matches(gr, at))
			return true;
	}
	return false;
}

static bool rule_matches(const rule *r, const audit_attrs *at)
{
	if (r->users.n && !has(&r->users, nz(at->user)))
		return false;
	if (r->groups.n) {
		bool any = false;
		for (size_t i = 0; i < at->ngroups && !any; i++)
			any = at->groups[i] && has(&r->groups, at->groups[i]);
		if (!any)
			return false;
	}
	if (r->verbs.n && !has(&r->verbs, nz(at->verb)))
		return false;
	if (r->namespaces.n || r->nres)
		return rule_matches_resource(r, at);
	if (r->urls.n) {
		if (at->is_resource)
			return false;
		for (size_t i = 0; i < r->urls.n; i++)
			if (path_matches(nz(at->path), r->urls.v[i]))
				return true;
		return false;
	}
	return true;
}

void audit_policy_decide(const audit_policy *p, const audit_attrs *at, audit_level *level, unsigned *omit_stages,
			 bool *omit_managed_fields)
{
	for (size_t i = 0; i < p->n; i++) {
		const rule *r = &p->rules[i];
		if (!rule_matches(r, at))
			continue;
		*level = r->level;
		*omit_stages = r->omit;
		*omit_managed_fields = r->omit_managed < 0 ? p->omit_managed : r->omit_managed == 1;
		return;
	}
	*level = AUDIT_LEVEL_NONE;
	*omit_stages = p->omit;
	*omit_managed_fields = p->omit_managed;
}
