/* The Kubernetes API's request pipeline: cluster, endpoint access, authentication,
 * impersonation, authorization, then discovery, resources or reviews. */
#include "api/kube_api.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/kube_api_internal.h"
#include "codec/jsonw.h"
#include "codec/k8s_proto.h"
#include "codec/url.h"
#include "engine/audit.h"
#include "engine/authz.h"
#include "engine/maps.h"
#include "engine/oidc.h"

/* ---- answers ------------------------------------------------------------------------ */

static void common_headers(kube_req *r)
{
	http_response_add_header(r->resp, "Audit-Id", gh_str_c(r->audit_id));
	http_response_add_header(r->resp, "Cache-Control", GH_STR("no-cache, private"));
}

void kube_send_json(kube_req *r, int code, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (code < 300)
		r->response_object = doc; /* kept for the audit event; freed by the caller */
	else
		json_decref(doc);
	http_response_set(r->resp, code, "application/json", gh_str_c(s ? s : "{}"));
	free(s);
	common_headers(r);
}

void kube_send_status(kube_req *r, const kube_status *st)
{
	json_t *doc = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s}", "kind", "Status", "apiVersion", "v1", "metadata",
				"status", "Failure", "message", st->message ? st->message : "", "reason",
				st->reason ? st->reason : "InternalError");
	if (st->details)
		json_object_set(doc, "details", st->details);
	json_object_set_new(doc, "code", json_integer(st->code));
	if (st->code == 403 || st->code == 401)
		http_response_add_header(r->resp, "X-Content-Type-Options", GH_STR("nosniff"));
	r->status_reason = st->reason;
	r->status_message = st->message ? gh_arena_strndup(r->a, st->message, strlen(st->message)) : NULL;
	kube_send_json(r, st->code, doc);
}

void kube_send_error(kube_req *r, int code, const char *reason, const char *fmt, ...)
{
	kube_status st = { .code = code, .reason = reason };
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&st.message, fmt, ap) < 0)
		st.message = NULL;
	va_end(ap);
	kube_send_status(r, &st);
	kube_status_clear(&st);
}

const char *kube_query(kube_req *r, const char *name)
{
	gh_str q = r->http->query;
	size_t nl = strlen(name);
	while (q.n) {
		gh_str pair, rest;
		if (!gh_str_cut(q, '&', &pair, &rest))
			pair = q, rest = (gh_str){ "", 0 };
		q = rest;
		gh_str k, v;
		if (!gh_str_cut(pair, '=', &k, &v))
			k = pair, v = (gh_str){ "", 0 };
		if (k.n == nl && memcmp(k.p, name, nl) == 0) {
			gh_buf b = { 0 };
			gh_err err;
			if (!url_decode_buf(v, true, &b, &err)) {
				gh_buf_free(&b);
				return NULL;
			}
			const char *out = gh_arena_strndup(r->a, b.p ? b.p : "", b.n);
			gh_buf_free(&b);
			return out;
		}
	}
	return NULL;
}

json_t *kube_body_json(kube_req *r)
{
	if (r->http->body.n > KUBE_MAX_BODY) {
		kube_send_error(r, 413, "RequestEntityTooLarge", "Request entity too large: limit is %d",
				KUBE_MAX_BODY);
		return NULL;
	}
	gh_str ct = { 0 };
	(void)http_request_header(r->http, "Content-Type", &ct);
	json_error_t je;
	json_t *doc;
	if (gh_str_has_prefix(ct, GH_STR(K8S_PROTO_CONTENT_TYPE))) {
		/* client-go's typed clients (kubectl auth, create secret, ...) send built-in
		 * types as protobuf; they accept JSON answers */
		char problem[400];
		if (!k8s_proto_decode((const uint8_t *)r->http->body.p, r->http->body.n, &doc, problem,
				      sizeof problem)) {
			kube_send_error(r, 400, "BadRequest", "the body of the request could not be decoded as "
					"protobuf: %s", problem);
			return NULL;
		}
	} else if (ct.n && !gh_str_has_prefix(ct, GH_STR("application/json")) &&
		   !gh_str_has_prefix(ct, GH_STR("application/merge-patch+json")) &&
		   !gh_str_has_prefix(ct, GH_STR("application/strategic-merge-patch+json")) &&
		   !gh_str_has_prefix(ct, GH_STR("application/json-patch+json"))) {
		kube_send_error(r, 415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
				"accepted media types include: application/json, %s", K8S_PROTO_CONTENT_TYPE);
		return NULL;
	} else if (!(doc = json_loadb(r->http->body.p, r->http->body.n, JSON_REJECT_DUPLICATES, &je))) {
		kube_send_error(r, 400, "BadRequest", "the body of the request could not be decoded as JSON: %s at "
				"line %d column %d", je.text, je.line, je.column);
		return NULL;
	}
	r->request_object = doc;
	return doc;
}

json_t *kube_user_info(const kube_user *u)
{
	json_t *groups = json_array();
	for (size_t i = 0; i < u->ngroups; i++)
		json_array_append_new(groups, json_string(u->groups[i]));
	json_t *ui = json_pack("{s:s, s:s, s:o}", "username", u->name, "uid", u->uid ? u->uid : "", "groups", groups);
	if (!u->uid || !u->uid[0])
		json_object_del(ui, "uid");
	if (json_object_size(u->extra))
		json_object_set(ui, "extra", u->extra);
	return ui;
}

/* ---- authentication ----------------------------------------------------------------- */

static const char *const anon_groups[] = { "system:unauthenticated" };

static void add_extra(json_t *extra, const char *key, gh_str v)
{
	if (v.n)
		json_object_set_new(extra, key, json_pack("[s%]", v.p, v.n));
}

/* A service-account JWT of this cluster's issuer, as kube-apiserver's service-account
 * authenticator decides it: signature, times, the API audience (the issuer URL), then
 * the service account (and the pod a bound token names) must still exist with the uid in
 * the token, so deleting either revokes its tokens at once. */
static bool authenticate_sa(kube_req *r, gh_str token, gh_err *err)
{
	const char *iss;
	gh_sa_claims cl;
	if (!engine_oidc_issuer(r->e, r->cluster, r->a, &iss, err) ||
	    !engine_sa_token_verify(r->e, r->cluster, token, iss, r->a, &cl, err))
		return false;
	const char *uid = kube_object_uid(r, "ServiceAccount", cl.ns, cl.sa_name);
	if (!uid || strcmp(uid, cl.sa_uid) != 0)
		return gh_fail(err, "InvalidToken", 401, "service account %s/%s %s", cl.ns, cl.sa_name,
			       uid ? "was re-created since the token was issued" : "does not exist");
	if (cl.pod_name) {
		const char *puid = kube_object_uid(r, "Pod", cl.ns, cl.pod_name);
		if (!puid || !cl.pod_uid || strcmp(puid, cl.pod_uid) != 0)
			return gh_fail(err, "InvalidToken", 401, "the pod %s/%s the token is bound to %s", cl.ns,
				       cl.pod_name, puid ? "was re-created" : "no longer exists");
	}
	const char **groups = gh_arena_alloc(r->a, 3 * sizeof *groups);
	size_t nl = strlen(cl.ns) + 32;
	char *nsgroup = gh_arena_alloc(r->a, nl);
	snprintf(nsgroup, nl, "system:serviceaccounts:%s", cl.ns);
	groups[0] = "system:serviceaccounts";
	groups[1] = nsgroup;
	groups[2] = "system:authenticated";
	json_t *extra = json_object();
	if (cl.pod_name) {
		add_extra(extra, "authentication.kubernetes.io/pod-name", gh_str_c(cl.pod_name));
		add_extra(extra, "authentication.kubernetes.io/pod-uid", gh_str_c(cl.pod_uid));
	}
	if (cl.jti) {
		size_t jl = strlen(cl.jti) + 8;
		char *cid = gh_arena_alloc(r->a, jl);
		snprintf(cid, jl, "JTI=%s", cl.jti);
		add_extra(extra, "authentication.kubernetes.io/credential-id", gh_str_c(cid));
	}
	char *name = gh_arena_alloc(r->a, strlen(cl.sub) + 1);
	memcpy(name, cl.sub, strlen(cl.sub) + 1);
	r->authn_user = (kube_user){ .name = name, .uid = uid, .groups = groups, .ngroups = 3, .extra = extra };
	return true;
}

/* A bearer token through the gate (a k8s-aws-v1 token, or a service-account JWT); false
 * after answering 401 (or 429). */
static bool authenticate(kube_req *r)
{
	gh_str auth;
	if (!http_request_header(r->http, "Authorization", &auth) || !auth.n) {
		r->anonymous = true;
		r->authn_user = (kube_user){ .name = "system:anonymous", .groups = anon_groups, .ngroups = 1 };
		return true;
	}
	gh_str scheme, token;
	if (!gh_str_cut(auth, ' ', &scheme, &token) || !gh_str_ieq_c(scheme, "Bearer")) {
		kube_send_error(r, 401, "Unauthorized", "Unauthorized");
		return false;
	}
	token = gh_str_trim(token);
	if (!gh_str_has_prefix(token, GH_STR("k8s-aws-v1.")) && gh_str_find(token, '.', 0) < token.n) {
		gh_err err = { 0 };
		if (authenticate_sa(r, token, &err))
			return true;
		kube_send_error(r, 401, "Unauthorized", "Unauthorized");
		r->authz_reason = gh_arena_strndup(r->a, err.msg, strlen(err.msg));
		return false;
	}
	gh_token_review tr;
	engine_token_review(r->e, gh_str_c(r->cluster), token, r->a, &tr, NULL, NULL);
	if (!tr.authenticated) {
		if (tr.status == 429) {
			kube_send_error(r, 429, "TooManyRequests", "%s", tr.error.msg);
			return false;
		}
		/* upstream says only "Unauthorized"; the reason goes to the log, never the token */
		kube_send_error(r, 401, "Unauthorized", "Unauthorized");
		r->authz_reason = gh_arena_strndup(r->a, tr.error.msg, strlen(tr.error.msg));
		return false;
	}
	bool has_auth = false;
	for (size_t i = 0; i < tr.ngroups; i++)
		has_auth |= strcmp(tr.groups[i], "system:authenticated") == 0;
	const char **groups = gh_arena_alloc(r->a, (tr.ngroups + 1) * sizeof *groups);
	for (size_t i = 0; i < tr.ngroups; i++)
		groups[i] = tr.groups[i];
	size_t ng = tr.ngroups;
	if (!has_auth)
		groups[ng++] = "system:authenticated";
	json_t *extra = json_object();
	const gh_identity *id = &tr.identity;
	add_extra(extra, "accessKeyId", id->access_key_id);
	add_extra(extra, "arn", id->arn);
	add_extra(extra, "canonicalArn", id->canonical_arn);
	add_extra(extra, "principalId", id->user_id);
	add_extra(extra, "sessionName", id->session_name);
	add_extra(extra, "sigs.k8s.io/aws-iam-authenticator/principalId", id->user_id);
	r->authn_user = (kube_user){ .name = tr.username, .uid = tr.uid, .groups = groups, .ngroups = ng,
				     .extra = extra, .principal_id = id->principal_id };
	return true;
}

/* ---- impersonation (AS pkg/endpoints/filters/impersonation.go) ----------------------- */

static bool allowed_to(kube_req *r, const rbac_attrs *attrs)
{
	gh_authz_res res;
	if (!engine_kube_authorize(r->e, r->cluster, &r->authn_user, attrs, r->a, &res) || !res.allowed) {
		kube_send_error(r, 403, "Forbidden", "%s", res.forbidden ? res.forbidden : "forbidden");
		return false;
	}
	return true;
}

static bool impersonate(kube_req *r)
{
	const gh_http_request *h = r->http;
	const char *user = NULL, *uid = NULL;
	size_t ngroups = 0, nextra = 0;
	const char **groups = gh_arena_alloc(r->a, (h->nheaders + 2) * sizeof *groups);
	json_t *extra = NULL;
	for (size_t i = 0; i < h->nheaders; i++) {
		gh_str n = h->headers[i].name, v = h->headers[i].value;
		const char *val = gh_arena_strndup(r->a, v.p, v.n);
		if (gh_str_ieq_c(n, "Impersonate-User"))
			user = val;
		else if (gh_str_ieq_c(n, "Impersonate-Uid"))
			uid = val;
		else if (gh_str_ieq_c(n, "Impersonate-Group"))
			groups[ngroups++] = val;
		else if (n.n > 18 && gh_str_ieq(gh_str_sub(n, 0, 18), GH_STR("Impersonate-Extra-"))) {
			gh_buf key = { 0 };
			gh_str raw = gh_str_sub(n, 18, n.n);
			gh_err err;
			if (!url_decode_buf(raw, false, &key, &err)) {
				gh_buf_reset(&key);
				gh_buf_put_str(&key, raw);
			}
			for (size_t k = 0; k < key.n; k++)
				key.p[k] = (char)((key.p[k] >= 'A' && key.p[k] <= 'Z') ? key.p[k] + 32 : key.p[k]);
			if (!extra)
				extra = json_object();
			json_t *arr = json_object_get(extra, key.p ? key.p : "");
			if (!arr)
				json_object_set_new(extra, key.p ? key.p : "", arr = json_array());
			json_array_append_new(arr, json_string(val));
			gh_buf_free(&key);
			nextra++;
		}
	}
	if (!user && !uid && !ngroups && !nextra)
		return true;
	if (!user) {
		json_decref(extra);
		kube_send_error(r, 400, "BadRequest", "requested %s without impersonating a user",
				ngroups ? "groups" : nextra ? "extra" : "uid");
		return false;
	}
	rbac_attrs at = { .resource_request = true, .verb = GH_STR("impersonate") };
	bool sa = strncmp(user, "system:serviceaccount:", 22) == 0;
	gh_str sans = { 0 }, saname = { 0 };
	if (sa) {
		gh_str rest = gh_str_c(user + 22);
		if (gh_str_cut(rest, ':', &sans, &saname)) {
			at.resource = GH_STR("serviceaccounts");
			at.namespace = sans;
			at.name = saname;
		} else {
			sa = false;
		}
	}
	if (!sa) {
		at.resource = GH_STR("users");
		at.name = gh_str_c(user);
	}
	bool ok = allowed_to(r, &at);
	for (size_t i = 0; ok && i < ngroups; i++) {
		rbac_attrs g = { .resource_request = true, .verb = GH_STR("impersonate"), .resource = GH_STR("groups"),
				 .name = gh_str_c(groups[i]) };
		ok = allowed_to(r, &g);
	}
	const char *k;
	json_t *vals;
	json_object_foreach(extra, k, vals) {
		for (size_t i = 0; ok && i < json_array_size(vals); i++) {
			rbac_attrs x = { .resource_request = true, .verb = GH_STR("impersonate"),
					 .api_group = GH_STR("authentication.k8s.io"), .resource = GH_STR("userextras"),
					 .subresource = gh_str_c(k),
					 .name = gh_str_c(json_string_value(json_array_get(vals, i))) };
			ok = allowed_to(r, &x);
		}
	}
	if (ok && uid) {
		rbac_attrs u = { .resource_request = true, .verb = GH_STR("impersonate"),
				 .api_group = GH_STR("authentication.k8s.io"), .resource = GH_STR("uids"),
				 .name = gh_str_c(uid) };
		ok = allowed_to(r, &u);
	}
	if (!ok) {
		json_decref(extra);
		return false;
	}
	if (sa && !ngroups) {
		char *g = gh_arena_alloc(r->a, sans.n + 32);
		snprintf(g, sans.n + 32, "system:serviceaccounts:%.*s", GH_STR_ARG(sans));
		groups[ngroups++] = "system:serviceaccounts";
		groups[ngroups++] = g;
	}
	bool has = false;
	for (size_t i = 0; i < ngroups; i++)
		has |= strcmp(groups[i], "system:authenticated") == 0 || strcmp(groups[i], "system:unauthenticated") == 0;
	if (!has) {
		const char **more = gh_arena_alloc(r->a, (ngroups + 1) * sizeof *more);
		memcpy(more, groups, ngroups * sizeof *groups);
		more[ngroups++] = strcmp(user, "system:anonymous") == 0 ? "system:unauthenticated" : "system:authenticated";
		groups = more;
	}
	r->user = (kube_user){ .name = user, .uid = uid, .groups = groups, .ngroups = ngroups, .extra = extra,
			       .impersonated = true };
	return true;
}

/* ---- endpoint access -------------------------------------------------------------- */

static bool cidr_contains(const char *cidr, const char *addr)
{
	char net[64];
	const char *slash = strchr(cidr, '/');
	size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
	if (n >= sizeof net)
		return false;
	memcpy(net, cidr, n);
	net[n] = '\0';
	uint8_t a[16], b[16];
	int fam = strchr(net, ':') ? AF_INET6 : AF_INET, len = fam == AF_INET ? 4 : 16;
	if (inet_pton(fam, net, a) != 1 || inet_pton(fam, addr, b) != 1)
		return false;
	int bits = slash ? atoi(slash + 1) : len * 8;
	if (bits < 0 || bits > len * 8)
		return false;
	for (int i = 0; i < len && bits > 0; i++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		if ((a[i] & mask) != (b[i] & mask))
			return false;
	}
	return true;
}

static bool is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 || strncmp(addr, "::ffff:127.", 11) == 0;
}

/* EKS's endpoint settings: loopback is the "private" path; anyone else needs public
 * access on and an address inside publicAccessCidrs. */
static bool endpoint_allows(kube_req *r, const gh_cluster_map *m)
{
	const char *addr = r->http->remote_addr;
	if (!m || is_loopback(addr))
		return true;
	if (!m->public_access) {
		kube_send_error(r, 403, "Forbidden",
				"the API server endpoint of cluster %s has public access disabled", r->cluster);
		return false;
	}
	const char *a4 = strncmp(addr, "::ffff:", 7) == 0 ? addr + 7 : addr;
	for (size_t i = 0; i < m->n_public_cidrs; i++)
		if (cidr_contains(m->public_cidrs[i], a4))
			return true;
	kube_send_error(r, 403, "Forbidden", "source address %s is not in the public access CIDRs of cluster %s",
			addr, r->cluster);
	return false;
}

/* ---- dispatch ----------------------------------------------------------------------- */

static bool authorize(kube_req *r)
{
	rbac_attrs at = { .resource_request = r->info.resource_request, .verb = gh_str_c(r->info.verb) };
	if (r->info.resource_request) {
		at.namespace = r->info.namespace;
		at.api_group = r->info.group;
		at.resource = r->info.resource;
		at.subresource = r->info.subresource;
		at.name = r->info.name;
	} else {
		at.path = r->path;
	}
	gh_authz_res res;
	bool ok = engine_kube_authorize(r->e, r->cluster, &r->user, &at, r->a, &res);
	r->authz_decision = ok && res.allowed ? "allow" : "forbid";
	r->authz_reason = res.reason;
	if (ok && res.allowed)
		return true;
	kube_status st = { .code = 403, .reason = "Forbidden" };
	st.message = strdup(res.forbidden ? res.forbidden : "forbidden");
	if (r->info.resource_request) {
		st.details = json_pack("{s:s%}", "kind", r->info.resource.p, r->info.resource.n);
		if (r->info.name.n)
			json_object_set_new(st.details, "name", json_stringn(r->info.name.p, r->info.name.n));
		if (r->info.group.n)
			json_object_set_new(st.details, "group", json_stringn(r->info.group.p, r->info.group.n));
	}
	kube_send_status(r, &st);
	kube_status_clear(&st);
	return false;
}

static void dispatch(kube_req *r)
{
	if (!r->info.resource_request) {
		if (kube_serve_group_discovery(r) || kube_serve_nonresource(r) || kube_serve_openapi(r))
			return;
		kube_send_error(r, 404, "NotFound", "the server could not find the requested resource");
		return;
	}
	const k8s_resource *res = k8s_resource_find(r->info.group, r->info.version, r->info.resource);
	if (!res) {
		kube_send_error(r, 404, "NotFound", "the server could not find the requested resource");
		return;
	}
	/* a cluster-scoped resource under /namespaces/NS/ does not exist */
	if (!res->namespaced && r->info.namespace.n && strcmp(res->resource, "namespaces") != 0) {
		kube_send_error(r, 404, "NotFound", "the server could not find the requested resource");
		return;
	}
	/* /api/v1/namespaces/NAME names the namespace NAME; the object itself has none */
	if (!res->namespaced)
		r->info.namespace = (gh_str){ "", 0 };
	if (res->stored)
		kube_serve_resource(r, res);
	else
		kube_serve_review(r, res);
}

static gh_str cluster_of(gh_str path, gh_str *rest)
{
	if (gh_str_has_prefix(path, GH_STR("/clusters/"))) {
		gh_str tail = gh_str_sub(path, 10, path.n);
		size_t slash = gh_str_find(tail, '/', 0);
		*rest = slash < tail.n ? gh_str_sub(tail, slash, tail.n) : GH_STR("/");
		return gh_str_sub(tail, 0, slash);
	}
	*rest = path;
	return GH_STR("demo");
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One audit event per request (the policy decides the level and stages). A watch is
 * recorded when its stream starts. */
static void audit(kube_req *r)
{
	gh_audit *au = engine_audit(r->e);
	if (!au)
		return;
	const kube_user *who = r->user.name ? &r->user : &r->authn_user;
	bool imp = r->user.impersonated;
	char *uri = gh_arena_strndup(r->a, r->http->target.p, r->http->target.n);
	gh_str ua = { 0 };
	(void)http_request_header(r->http, "User-Agent", &ua);
	const char **keys = NULL, **vals = NULL;
	size_t nann = 0;
	if (json_object_size(r->audit_annotations)) {
		size_t n = json_object_size(r->audit_annotations);
		keys = gh_arena_alloc(r->a, n * sizeof *keys);
		vals = gh_arena_alloc(r->a, n * sizeof *vals);
		const char *k;
		json_t *v;
		json_object_foreach(r->audit_annotations, k, v) {
			if (json_is_string(v)) {
				keys[nann] = k;
				vals[nann++] = json_string_value(v);
			}
		}
	}
	const kube_user *authn = r->authn_user.name ? &r->authn_user : who;
	gh_audit_event ev = {
		.audit_id = r->audit_id,
		.request_uri = uri,
		.verb = r->info.verb,
		.user_agent = gh_arena_strndup(r->a, ua.p ? ua.p : "", ua.n),
		.source_ip = r->http->remote_addr,
		.username = authn->name ? authn->name : "",
		.uid = authn->uid,
		.groups = authn->groups,
		.ngroups = authn->ngroups,
		.extra = authn->extra,
		.imp_username = imp ? r->user.name : NULL,
		.imp_groups = imp ? r->user.groups : NULL,
		.nimp_groups = imp ? r->user.ngroups : 0,
		.is_resource = r->info.resource_request,
		.resource = gh_arena_strndup(r->a, r->info.resource.p, r->info.resource.n),
		.subresource = gh_arena_strndup(r->a, r->info.subresource.p, r->info.subresource.n),
		.namespace_ = gh_arena_strndup(r->a, r->info.namespace.p, r->info.namespace.n),
		.name = gh_arena_strndup(r->a, r->info.name.p, r->info.name.n),
		.api_group = gh_arena_strndup(r->a, r->info.group.p, r->info.group.n),
		.api_version = gh_arena_strndup(r->a, r->info.version.p, r->info.version.n),
		.path = gh_arena_strndup(r->a, r->path.p, r->path.n),
		.code = r->resp->status,
		.request_object = r->request_object,
		.response_object = r->response_object,
		.received_us = r->received_us,
		.completed_us = now_us(),
		.decision = r->authz_decision,
		.authz_reason = r->authz_reason,
		.annotation_keys = keys,
		.annotation_values = vals,
		.nannotations = nann,
	};
	if (ev.response_object && json_is_object(ev.response_object)) {
		json_t *md = json_object_get(ev.response_object, "metadata");
		ev.object_uid = json_string_value(json_object_get(md, "uid"));
		ev.object_rv = json_string_value(json_object_get(md, "resourceVersion"));
	}
	if (r->status_message)
		ev.status_message = r->status_message;
	if (r->status_reason)
		ev.status_reason = r->status_reason;
	audit_k8s(au, &ev);
}

/* The issuer's discovery document and keys, which kube-apiserver serves to anyone who
 * may reach it (system:service-account-issuer-discovery), so relying parties can verify
 * service-account tokens. */
static bool serve_issuer_documents(kube_req *r)
{
	bool disc = gh_str_eq_c(r->path, "/.well-known/openid-configuration");
	if (!disc && !gh_str_eq_c(r->path, "/openid/v1/jwks"))
		return false;
	if (!gh_str_eq_c(r->http->method, "GET")) {
		kube_send_error(r, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
		return true;
	}
	gh_buf body = { 0 };
	gh_err err = { 0 };
	bool ok = disc ? engine_oidc_discovery(r->e, r->cluster, &body, &err) : engine_oidc_jwks(r->e, r->cluster, &body, &err);
	if (ok) {
		http_response_set(r->resp, 200, disc ? "application/json" : "application/jwk-set+json", gh_buf_str(&body));
		http_response_add_header(r->resp, "Cache-Control", GH_STR("public, max-age=3600"));
		http_response_add_header(r->resp, "Audit-Id", gh_str_c(r->audit_id));
	} else {
		kube_send_error(r, 500, "InternalError", "%s", err.msg);
	}
	gh_buf_free(&body);
	return true;
}

void kube_api_handle(void *ctx, const gh_http_request *req, gh_http_response *resp)
{
	gh_kube_api *api = ctx;
	kube_req r = { .api = api, .http = req, .resp = resp, .a = req->arena, .received_us = now_us() };
	if (!engine_uuid(r.audit_id))
		snprintf(r.audit_id, sizeof r.audit_id, "00000000-0000-4000-8000-000000000000");
	r.e = atomic_load(&api->engine);
	if (!r.e) {
		kube_send_error(&r, 503, "ServiceUnavailable", "the server is starting");
		return;
	}
	if (gh_str_eq_c(req->path, "/healthz") || gh_str_eq_c(req->path, "/livez") ||
	    gh_str_eq_c(req->path, "/readyz")) {
		http_response_set(resp, 200, "text/plain; charset=utf-8", GH_STR("ok"));
		return;
	}
	gh_str cluster = cluster_of(req->path, &r.path);
	r.cluster = gh_arena_strndup(r.a, cluster.p, cluster.n);
	gh_cluster_maps *maps = maps_acquire(r.e);
	const gh_cluster_map *m = maps_find(maps, cluster);
	bool exists = m != NULL;
	bool reachable = exists && endpoint_allows(&r, m);
	maps_unref(maps);
	if (!exists) {
		kube_send_error(&r, 404, "NotFound", "cluster \"%s\" not found", r.cluster);
		return;
	}
	if (!reachable)
		return;
	const char *watch = kube_query(&r, "watch");
	const char *fs = kube_query(&r, "fieldSelector");
	gh_str qname = { 0 };
	if (fs) {
		/* metadata.name=x on a list or watch authorizes as a request for x */
		gh_str s = gh_str_c(fs), term, rest;
		while (s.n) {
			if (!gh_str_cut(s, ',', &term, &rest))
				term = s, rest = (gh_str){ "", 0 };
			s = rest;
			if (gh_str_has_prefix(term, GH_STR("metadata.name=")) && !gh_str_has_prefix(term, GH_STR("metadata.name==")))
				qname = gh_str_sub(term, 14, term.n);
			else if (gh_str_has_prefix(term, GH_STR("metadata.name==")))
				qname = gh_str_sub(term, 15, term.n);
		}
	}
	bool is_watch = watch && (strcmp(watch, "true") == 0 || strcmp(watch, "1") == 0);
	if (!k8s_reqinfo_parse(req->method, r.path, is_watch, qname, &r.info)) {
		kube_send_error(&r, 414, "RequestURITooLong", "the request path is too long");
		return;
	}
	if (serve_issuer_documents(&r))
		return;
	if (authenticate(&r)) {
		r.user = r.authn_user;
		if (impersonate(&r) && authorize(&r))
			dispatch(&r);
	}
	audit(&r);
	json_decref(r.request_object);
	json_decref(r.response_object);
	if (r.user.extra != r.authn_user.extra)
		json_decref(r.user.extra);
	json_decref(r.authn_user.extra);
	json_decref(r.audit_annotations);
}
