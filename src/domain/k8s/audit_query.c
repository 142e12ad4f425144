#include "domain/k8s/audit_query.h"

#include <string.h>

#include "base/timefmt.h"

/* ---- field access ------------------------------------------------------------------------ */

static const char *s_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* user.extra values are lists of strings (Kubernetes' ExtraValue). */
static bool extra_has(const json_t *extra, const char *key, const char *want)
{
	const json_t *v = json_object_get(extra, key);
	if (json_is_string(v))
		return eq(json_string_value(v), want);
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (eq(json_string_value(x), want))
			return true;
	}
	return false;
}

static const char *extra_first(const json_t *extra, const char *key)
{
	const json_t *v = json_object_get(extra, key);
	return json_is_string(v) ? json_string_value(v) : json_string_value(json_array_get(v, 0));
}

/* ---- classification ---------------------------------------------------------------------- */

static bool is_k8s(const json_t *d)
{
	return eq(s_at(d, "kind"), "Event") && s_at(d, "apiVersion") &&
	       strncmp(s_at(d, "apiVersion"), "audit.k8s.io/", 13) == 0;
}

bool audit_query_classify(const json_t *doc, audit_record *out)
{
	if (!json_is_object(doc))
		return false;
	const char *t;
	if (is_k8s(doc)) {
		out->source = AUDIT_SOURCE_K8S;
		t = s_at(doc, "stageTimestamp");
	} else if (s_at(doc, "eventVersion") && s_at(doc, "eventName")) {
		out->source = AUDIT_SOURCE_AWS;
		t = s_at(doc, "eventTime");
	} else {
		return false;
	}
	out->doc = doc;
	return t && gh_time_parse_iso8601_us(gh_str_c(t), &out->time_us);
}

/* ---- the questions ----------------------------------------------------------------------- */

static int k8s_code(const json_t *d)
{
	return (int)json_integer_value(json_object_get(json_object_get(d, "responseStatus"), "code"));
}

static bool failed(const audit_record *r)
{
	if (r->source == AUDIT_SOURCE_AWS)
		return s_at(r->doc, "errorCode") != NULL;
	return k8s_code(r->doc) >= 400;
}

static bool principal_is(const audit_record *r, const char *p)
{
	if (r->source == AUDIT_SOURCE_K8S) {
		const json_t *user = json_object_get(r->doc, "user");
		const json_t *extra = json_object_get(user, "extra");
		return eq(s_at(user, "username"), p) || extra_has(extra, "arn", p) ||
		       extra_has(extra, "canonicalArn", p) || extra_has(extra, "accessKeyId", p);
	}
	const json_t *id = json_object_get(r->doc, "userIdentity");
	const json_t *issuer = json_object_get(json_object_get(id, "sessionContext"), "sessionIssuer");
	return eq(s_at(id, "arn"), p) || eq(s_at(id, "accessKeyId"), p) || eq(s_at(id, "userName"), p) ||
	       eq(s_at(issuer, "arn"), p);
}

static bool core_resource(const json_t *ref, const char *resource)
{
	const char *group = s_at(ref, "apiGroup");
	return eq(s_at(ref, "resource"), resource) && (!group || !*group);
}

static bool secrets_read(const audit_record *r)
{
	static const char *const reads[] = { "get", "list", "watch", NULL };
	return r->source == AUDIT_SOURCE_K8S && core_resource(json_object_get(r->doc, "objectRef"), "secrets") &&
	       one_of(s_at(r->doc, "verb"), reads);
}

static bool access_change(const audit_record *r)
{
	if (r->source == AUDIT_SOURCE_AWS) {
		static const char *const entry_ops[] = { "CreateAccessEntry", "UpdateAccessEntry", "DeleteAccessEntry",
							 "AssociateAccessPolicy", "DisassociateAccessPolicy", NULL };
		static const char *const cluster_ops[] = { "CreateCluster", "UpdateClusterConfig", NULL };
		if (!eq(s_at(r->doc, "eventSource"), "eks.amazonaws.com"))
			return false;
		const char *name = s_at(r->doc, "eventName");
		/* A cluster call changes access when it sets the authentication mode. */
		return one_of(name, entry_ops) ||
		       (one_of(name, cluster_ops) &&
			json_object_get(json_object_get(r->doc, "requestParameters"), "accessConfig"));
	}
	static const char *const writes[] = { "create", "update", "patch", "delete", NULL };
	const json_t *ref = json_object_get(r->doc, "objectRef");
	if (!core_resource(ref, "configmaps") || !eq(s_at(ref, "namespace"), "kube-system"))
		return false;
	const char *verb = s_at(r->doc, "verb");
	/* deletecollection names no object, and may take aws-auth with the rest. */
	return (eq(s_at(ref, "name"), "aws-auth") && one_of(verb, writes)) || eq(verb, "deletecollection");
}

bool audit_query_match(const audit_query *q, const audit_record *r)
{
	unsigned sources = q->sources ? q->sources : AUDIT_SOURCE_K8S | AUDIT_SOURCE_AWS;
	if (!(sources & r->source))
		return false;
	if (r->source == AUDIT_SOURCE_K8S && !q->all_stages) {
		const char *stage = s_at(r->doc, "stage");
		if (!eq(stage, "ResponseComplete") && !eq(stage, "Panic"))
			return false;
	}
	if (q->has_since && r->time_us < q->since_us)
		return false;
	if (q->failed && !failed(r))
		return false;
	if (q->principal && !principal_is(r, q->principal))
		return false;
	if (q->secrets_read && !secrets_read(r))
		return false;
	if (q->access_entries && !access_change(r))
		return false;
	return true;
}

/* ---- text -------------------------------------------------------------------------------- */

/* Control characters would let a logged value forge lines of the report. */
static void put_clean(gh_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		gh_buf_putc(b, *p < 0x20 || *p == 0x7f ? '?' : (char)*p);
}

static void k8s_text(const json_t *d, gh_buf *b)
{
	const json_t *user = json_object_get(d, "user");
	const char *name = s_at(user, "username");
	const char *arn = extra_first(json_object_get(user, "extra"), "arn");
	put_clean(b, name && *name ? name : "-");
	if (arn && !eq(arn, name)) {
		gh_buf_putc(b, '[');
		put_clean(b, arn);
		gh_buf_putc(b, ']');
	}
	const json_t *imp = json_object_get(d, "impersonatedUser");
	if (s_at(imp, "username")) {
		gh_buf_puts(b, " as ");
		put_clean(b, s_at(imp, "username"));
	}
	gh_buf_putc(b, ' ');
	put_clean(b, s_at(d, "verb") ? s_at(d, "verb") : "-");
	gh_buf_putc(b, ' ');
	const json_t *ref = json_object_get(d, "objectRef");
	if (ref) {
		const char *group = s_at(ref, "apiGroup"), *sub = s_at(ref, "subresource");
		const char *ns = s_at(ref, "namespace"), *obj = s_at(ref, "name");
		put_clean(b, s_at(ref, "resource") ? s_at(ref, "resource") : "-");
		if (group && *group) {
			gh_buf_putc(b, '.');
			put_clean(b, group);
		}
		if (sub && *sub) {
			gh_buf_putc(b, '/');
			put_clean(b, sub);
		}
		if (ns || obj)
			gh_buf_putc(b, ' ');
		if (ns) {
			put_clean(b, ns);
			gh_buf_putc(b, '/');
		}
		if (obj)
			put_clean(b, obj);
	} else {
		put_clean(b, s_at(d, "requestURI") ? s_at(d, "requestURI") : "-");
	}
	const json_t *st = json_object_get(d, "responseStatus");
	if (st) {
		gh_buf_printf(b, " %d", k8s_code(d));
		if (s_at(st, "reason")) {
			gh_buf_putc(b, ' ');
			put_clean(b, s_at(st, "reason"));
		}
	} else {
		gh_buf_puts(b, " -");
	}
}

static void aws_text(const json_t *d, gh_buf *b)
{
	const json_t *id = json_object_get(d, "userIdentity");
	const char *arn = s_at(id, "arn"), *key = s_at(id, "accessKeyId");
	if (arn) {
		put_clean(b, arn);
	} else if (key) {
		gh_buf_puts(b, "key:");
		put_clean(b, key);
	} else {
		gh_buf_putc(b, '-');
	}
	gh_buf_putc(b, ' ');
	const char *src = s_at(d, "eventSource");
	const char *dot = src ? strchr(src, '.') : NULL;
	if (dot)
		gh_buf_printf(b, "%.*s:", (int)(dot - src), src);
	put_clean(b, s_at(d, "eventName") ? s_at(d, "eventName") : "-");
	/* The parameters that name the subject, in the order they were recorded. */
	const json_t *params = json_object_get(d, "requestParameters");
	const char *k;
	json_t *v;
	bool first = true;
	json_object_foreach((json_t *)params, k, v) {
		if (!json_is_string(v))
			continue;
		gh_buf_puts(b, first ? " " : ",");
		first = false;
		put_clean(b, k);
		gh_buf_putc(b, '=');
		put_clean(b, json_string_value(v));
	}
	gh_buf_putc(b, ' ');
	put_clean(b, s_at(d, "errorCode") ? s_at(d, "errorCode") : "ok");
}

void audit_query_text(const audit_record *r, gh_buf *out)
{
	char when[GH_ISO8601_LEN + 1];
	int64_t t = r->time_us >= 0 ? r->time_us / 1000000 : (r->time_us - 999999) / 1000000;
	gh_time_iso8601(t, when);
	gh_buf_printf(out, "%s %s ", when, r->source == AUDIT_SOURCE_K8S ? "k8s" : "aws");
	if (r->source == AUDIT_SOURCE_K8S)
		k8s_text(r->doc, out);
	else
		aws_text(r->doc, out);
	gh_buf_putc(out, '\n');
}

/* ---- --since ----------------------------------------------------------------------------- */

#define MAX_SINCE_SECONDS ((int64_t)100 * 366 * 86400)

bool audit_query_parse_since(gh_str s, int64_t now_us, int64_t *since_us, gh_err *err)
{
	if (gh_time_parse_iso8601_us(s, since_us))
		return true;
	/* A Go-style duration of whole units: 90s, 30m, 1h30m, 2d. */
	int64_t total = 0;
	size_t i = 0;
	bool any = false;
	while (i < s.n) {
		int64_t v = 0;
		size_t start = i;
		while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && i - start < 6)
			v = v * 10 + (s.p[i++] - '0');
		if (i == start || i >= s.n)
			break;
		int64_t unit = s.p[i] == 's' ? 1 : s.p[i] == 'm' ? 60 : s.p[i] == 'h' ? 3600 : s.p[i] == 'd' ? 86400 : 0;
		if (!unit)
			break;
		i++;
		total += v * unit;
		any = true;
		if (total > MAX_SINCE_SECONDS) /* and no overflow below */
			break;
	}
	if (!any || i != s.n || total > MAX_SINCE_SECONDS)
		return gh_fail(err, "InvalidArgument", 400,
			       "--since: \"" GH_STR_FMT "\" is neither a duration (30m, 1h, 2d, 1h30m) nor an RFC 3339 "
			       "time (2026-01-02T15:04:05Z)",
			       GH_STR_ARG(s));
	*since_us = now_us - total * 1000000;
	return true;
}
