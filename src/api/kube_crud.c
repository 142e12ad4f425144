/* The verbs of stored resources: get, list (label and field selectors, limit/continue),
 * watch (streamed JSON events), create, update, patch, delete, deletecollection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/kube_api_internal.h"
#include "codec/base64.h"
#include "domain/k8s/selector.h"

#define WATCH_BATCH 64

static char *ns_cstr(kube_req *r)
{
	return gh_arena_strndup(r->a, r->info.namespace.p, r->info.namespace.n);
}

static void send_raw(kube_req *r, int code, const char *body, size_t n)
{
	http_response_set(r->resp, code, "application/json", (gh_str){ body, n });
	http_response_add_header(r->resp, "Audit-Id", gh_str_c(r->audit_id));
	http_response_add_header(r->resp, "Cache-Control", GH_STR("no-cache, private"));
}

static void list_kind(const k8s_resource *res, char *out, size_t n)
{
	snprintf(out, n, "%sList", res->kind);
}

typedef struct selectors {
	k8s_selector labels, fields;
	bool any;
} selectors;

static bool parse_selectors(kube_req *r, selectors *s)
{
	*s = (selectors){ 0 };
	char problem[400];
	const char *ls = kube_query(r, "labelSelector"), *fs = kube_query(r, "fieldSelector");
	if (ls && !k8s_label_selector_parse(gh_str_c(ls), r->a, &s->labels, problem, sizeof problem)) {
		kube_send_error(r, 400, "BadRequest", "unable to parse requirement: %s", problem);
		return false;
	}
	if (fs && !k8s_field_selector_parse(gh_str_c(fs), r->a, &s->fields, problem, sizeof problem)) {
		kube_send_error(r, 400, "BadRequest", "%s", problem);
		return false;
	}
	s->any = s->labels.n || s->fields.n;
	return true;
}

static bool matches(const selectors *s, const json_t *obj)
{
	if (!s->any)
		return true;
	json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
	return k8s_selector_match_labels(&s->labels, labels) && k8s_selector_match_fields(&s->fields, obj);
}

/* ---- get and list ----------------------------------------------------------------- */

/* The cached objects of the resource in the request's namespace (all namespaces when it
 * names none); false after answering 500. */
static bool list_scope(kube_req *r, const k8s_resource *res, kobj ***objs, size_t *n, int64_t *rv)
{
	const char *ns = r->info.namespace.n ? ns_cstr(r) : NULL;
	if (kube_cache_list(engine_kube_cache(r->e), r->cluster, res->kind, ns, objs, n, rv))
		return true;
	kube_send_error(r, 500, "InternalError", "out of memory");
	return false;
}

/* The continue token after `last`: its namespace/name, base64url. */
static void continue_token(const kobj *last, char tok[900])
{
	char key[600];
	int kl = snprintf(key, sizeof key, "%s/%s", last->ns, last->name);
	if (kl < 0 || (size_t)kl >= sizeof key)
		kl = (int)sizeof key - 1;
	base64_encode(key, (size_t)kl, BASE64_URL, false, tok);
}

static void serve_get(kube_req *r, const k8s_resource *res)
{
	char *name = gh_arena_strndup(r->a, r->info.name.p, r->info.name.n);
	kobj *o = kube_cache_get(engine_kube_cache(r->e), r->cluster, res->kind, ns_cstr(r), name);
	if (!o) {
		kube_status st = { 0 };
		kube_not_found(&st, res, name);
		kube_send_status(r, &st);
		kube_status_clear(&st);
		return;
	}
	if (kube_wants_table(r)) {
		json_t *obj = json_loadb(o->body, o->body_len, 0, NULL);
		char rv[24];
		snprintf(rv, sizeof rv, "%lld", (long long)o->rv);
		kube_send_json(r, 200, kube_table(r, res, &obj, obj ? 1 : 0, rv));
		json_decref(obj);
	} else {
		send_raw(r, 200, o->body, o->body_len);
	}
	kobj_unref(o);
}

/* The continue token: the namespace/name of the last item sent, base64url. */
static bool after_token(kube_req *r, const char *tok, gh_buf *key)
{
	size_t n = strlen(tok), out_n = 0;
	uint8_t *buf = gh_arena_alloc(r->a, base64_decoded_max(n) + 1);
	gh_err err;
	if (!buf || !base64_decode_rawurl(gh_str_c(tok), buf, &out_n, &err))
		return false;
	gh_buf_put(key, buf, out_n);
	return true;
}

static int cmp_key(const kobj *o, gh_str key)
{
	gh_str ns, name;
	if (!gh_str_cut(key, '/', &ns, &name))
		return 1;
	size_t ln = strlen(o->ns);
	int c = strncmp(o->ns, ns.p, ln < ns.n ? ln : ns.n);
	if (!c && ln != ns.n)
		c = ln < ns.n ? -1 : 1;
	if (c)
		return c;
	size_t lm = strlen(o->name);
	c = strncmp(o->name, name.p, lm < name.n ? lm : name.n);
	if (!c && lm != name.n)
		c = lm < name.n ? -1 : 1;
	return c;
}

static void serve_list(kube_req *r, const k8s_resource *res)
{
	selectors sel;
	if (!parse_selectors(r, &sel))
		return;
	const char *lim = kube_query(r, "limit"), *cont = kube_query(r, "continue");
	long limit = lim ? strtol(lim, NULL, 10) : 0;
	gh_buf after = { 0 };
	if (cont && cont[0] && !after_token(r, cont, &after)) {
		gh_buf_free(&after);
		kube_send_error(r, 400, "BadRequest", "continue key is not valid: illegal base64 data");
		return;
	}
	kobj **objs;
	size_t n;
	int64_t rv;
	if (!list_scope(r, res, &objs, &n, &rv)) {
		gh_buf_free(&after);
		return;
	}
	char rvs[24], lk[96], av[96];
	snprintf(rvs, sizeof rvs, "%lld", (long long)rv);
	list_kind(res, lk, sizeof lk);
	k8s_resource_api_version(res, av, sizeof av);
	bool table = kube_wants_table(r);
	json_t **picked = malloc((n ? n : 1) * sizeof *picked);
	size_t np = 0, start = 0;
	if (after.n)
		while (start < n && cmp_key(objs[start], gh_buf_str(&after)) <= 0)
			start++;
	gh_buf_free(&after);
	const kobj *last = NULL;
	bool more = false;
	/* Without selectors or a table the stored bodies go out as they are. */
	bool raw = !sel.any && !table;
	gh_buf body = { 0 };
	if (raw) {
		gh_buf_printf(&body, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%s\"",
			      lk, av, rvs);
		size_t mark = body.n;
		gh_buf_puts(&body, "},\"items\":[");
		for (size_t i = start; i < n; i++) {
			if (limit > 0 && np == (size_t)limit) {
				more = true;
				break;
			}
			if (np)
				gh_buf_putc(&body, ',');
			gh_buf_put(&body, objs[i]->body, objs[i]->body_len);
			last = objs[i];
			np++;
		}
		gh_buf_puts(&body, "]}");
		if (more && last && !body.oom) {
			char tok[900];
			continue_token(last, tok);
			gh_buf ins = { 0 };
			gh_buf_printf(&ins, ",\"continue\":\"%s\"", tok);
			gh_buf_reserve(&body, ins.n);
			if (!body.oom) {
				memmove(body.p + mark + ins.n, body.p + mark, body.n - mark + 1);
				memcpy(body.p + mark, ins.p, ins.n);
				body.n += ins.n;
			}
			gh_buf_free(&ins);
		}
		http_response_set(r->resp, 200, "application/json", gh_buf_str(&body));
		http_response_add_header(r->resp, "Audit-Id", gh_str_c(r->audit_id));
		gh_buf_free(&body);
		free(picked);
		kube_cache_list_free(objs, n);
		return;
	}
	for (size_t i = start; i < n; i++) {
		json_t *obj = json_loadb(objs[i]->body, objs[i]->body_len, 0, NULL);
		if (!obj || !matches(&sel, obj)) {
			json_decref(obj);
			continue;
		}
		if (limit > 0 && np == (size_t)limit) {
			json_decref(obj);
			more = true;
			break;
		}
		picked[np++] = obj;
		last = objs[i];
	}
	json_t *doc;
	if (table) {
		doc = kube_table(r, res, picked, np, rvs);
	} else {
		json_t *items = json_array();
		for (size_t i = 0; i < np; i++)
			json_array_append(items, picked[i]);
		doc = json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", lk, "apiVersion", av, "metadata", "resourceVersion",
				rvs, "items", items);
	}
	if (more && last) {
		char tok[900];
		continue_token(last, tok);
		json_object_set_new(json_object_get(doc, "metadata"), "continue", json_string(tok));
	}
	for (size_t i = 0; i < np; i++)
		json_decref(picked[i]);
	free(picked);
	kube_cache_list_free(objs, n);
	kube_send_json(r, 200, doc);
}

/* ---- watch -------------------------------------------------------------------------- */

typedef struct watch_stream {
	gh_kube_api *api;
	kube_cache *cache;
	char *cluster, *kind, *ns; /* ns NULL = all */
	int64_t since;
	selectors sel;
	gh_arena arena;		/* owns the selectors */
	bool table;
	const k8s_resource *res;
	gh_buf pending;		/* encoded events not yet sent */
	size_t sent;
	kobj **initial;		/* synthetic ADDED events for a watch from "now" */
	size_t ninitial, next_initial;
	int64_t deadline_ms;	/* timeoutSeconds */
	int64_t started_ms;
	bool gone;
} watch_stream;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void encode_event(watch_stream *w, const char *type, const kobj *o)
{
	json_t *obj = json_loadb(o->body, o->body_len, 0, NULL);
	if (!obj)
		return;
	if (w->sel.any && !matches(&w->sel, obj)) {
		json_decref(obj);
		return;
	}
	if (w->table) {
		/* kubectl get -w decodes each event's object as a Table of one row */
		kube_req fake = { .a = &w->arena };
		char rv[24];
		snprintf(rv, sizeof rv, "%lld", (long long)o->rv);
		json_t *t = kube_table(&fake, w->res, &obj, 1, rv);
		json_decref(obj);
		obj = t;
	}
	gh_buf_printf(&w->pending, "{\"type\":\"%s\",\"object\":", type);
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	gh_buf_puts(&w->pending, s ? s : "{}");
	free(s);
	gh_buf_puts(&w->pending, "}\n");
}

static long watch_read(void *ctx, char *buf, size_t max)
{
	watch_stream *w = ctx;
	for (;;) {
		if (w->sent < w->pending.n) {
			size_t k = w->pending.n - w->sent < max ? w->pending.n - w->sent : max;
			memcpy(buf, w->pending.p + w->sent, k);
			w->sent += k;
			return (long)k;
		}
		gh_buf_reset(&w->pending);
		w->sent = 0;
		if (w->gone || atomic_load(&w->api->stopping))
			return -1;
		if (w->next_initial < w->ninitial) {
			for (; w->next_initial < w->ninitial && w->pending.n < 64 * 1024; w->next_initial++)
				encode_event(w, "ADDED", w->initial[w->next_initial]);
			continue;
		}
		int64_t now = mono_ms();
		if (w->deadline_ms && now >= w->deadline_ms)
			return -1;
		int wait = 1000;
		if (w->deadline_ms && w->deadline_ms - now < wait)
			wait = (int)(w->deadline_ms - now);
		kube_event ev[WATCH_BATCH];
		int k = kube_cache_watch(w->cache, w->cluster, w->kind, w->ns, &w->since, ev, WATCH_BATCH, wait);
		if (k < 0) {
			/* upstream ends the watch with an ERROR event carrying 410 Gone */
			gh_buf_printf(&w->pending,
				      "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
				      "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version\","
				      "\"reason\":\"Expired\",\"code\":410}}\n");
			w->gone = true;
			continue;
		}
		for (int i = 0; i < k; i++) {
			static const char *const names[] = { "ADDED", "MODIFIED", "DELETED" };
			encode_event(w, names[ev[i].type], ev[i].obj);
			kobj_unref(ev[i].obj);
		}
		if (!k && mono_ms() - w->started_ms > 0) {
			/* nothing happened: a newline keeps proxies and the idle timeout quiet and is
			 * whitespace to the client's JSON stream decoder */
			buf[0] = '\n';
			return 1;
		}
	}
}

static void watch_free(void *ctx)
{
	watch_stream *w = ctx;
	kube_cache_list_free(w->initial, w->ninitial);
	gh_buf_free(&w->pending);
	gh_arena_free(&w->arena);
	free(w->cluster);
	free(w->kind);
	free(w->ns);
	free(w);
}

static void serve_watch(kube_req *r, const k8s_resource *res)
{
	watch_stream *w = calloc(1, sizeof *w);
	if (!w) {
		kube_send_error(r, 500, "InternalError", "out of memory");
		return;
	}
	gh_arena_init(&w->arena, 0);
	kube_req sub = *r;
	sub.a = &w->arena; /* the selectors must outlive the request */
	if (!parse_selectors(&sub, &w->sel)) {
		gh_arena_free(&w->arena);
		free(w);
		return;
	}
	w->api = r->api;
	w->cache = engine_kube_cache(r->e);
	w->cluster = strdup(r->cluster);
	w->kind = strdup(res->kind);
	w->ns = r->info.namespace.n ? strndup(r->info.namespace.p, r->info.namespace.n) : NULL;
	w->res = res;
	w->table = kube_wants_table(r);
	w->started_ms = mono_ms();
	const char *to = kube_query(r, "timeoutSeconds");
	long tsec = to ? strtol(to, NULL, 10) : 1800;
	if (tsec <= 0 || tsec > 3600)
		tsec = 1800;
	w->deadline_ms = w->started_ms + tsec * 1000;
	const char *rv = kube_query(r, "resourceVersion");
	if (rv && rv[0] && strcmp(rv, "0") != 0) {
		char *end;
		w->since = strtoll(rv, &end, 10);
		if (*end || w->since < 0) {
			watch_free(w);
			kube_send_error(r, 400, "BadRequest", "invalid resource version: %s", rv);
			return;
		}
	} else {
		/* no version: the current state as ADDED events, then changes */
		if (!kube_cache_list(w->cache, w->cluster, w->kind, w->ns, &w->initial, &w->ninitial, &w->since)) {
			watch_free(w);
			kube_send_error(r, 500, "InternalError", "out of memory");
			return;
		}
	}
	r->resp->status = 200;
	r->resp->content_type = "application/json";
	r->resp->stream = watch_read;
	r->resp->stream_ctx = w;
	r->resp->stream_free = watch_free;
	http_response_add_header(r->resp, "Audit-Id", gh_str_c(r->audit_id));
}

/* ---- writes ------------------------------------------------------------------------- */

static void add_warnings(kube_req *r, const json_t *warnings)
{
	for (size_t i = 0; i < json_array_size(warnings); i++) {
		const char *w = json_string_value(json_array_get(warnings, i));
		if (!w)
			continue;
		/* RFC 7234 warn-text: a quoted string, quotes and backslashes escaped */
		gh_buf b = { 0 };
		gh_buf_puts(&b, "299 - \"");
		for (const char *p = w; *p; p++) {
			if (*p == '"' || *p == '\\')
				gh_buf_putc(&b, '\\');
			if (*p != '\r' && *p != '\n')
				gh_buf_putc(&b, *p);
		}
		gh_buf_putc(&b, '"');
		http_response_add_header(r->resp, "Warning", gh_buf_str(&b));
		gh_buf_free(&b);
	}
}

static bool dry_run(kube_req *r)
{
	const char *d = kube_query(r, "dryRun");
	return d && strcmp(d, "All") == 0;
}

static void do_write(kube_req *r, kube_write *w)
{
	w->ns = ns_cstr(r);
	w->name = gh_arena_strndup(r->a, r->info.name.p, r->info.name.n);
	w->user = &r->user;
	w->dry_run = w->dry_run || dry_run(r);
	kube_write_result out;
	kube_status st;
	if (!engine_kube_write(r->e, r->cluster, w, &out, &st)) {
		kube_send_status(r, &st);
		kube_status_clear(&st);
		return;
	}
	add_warnings(r, out.warnings);
	if (out.audit_annotations) {
		r->audit_annotations = out.audit_annotations;
		out.audit_annotations = NULL;
	}
	kube_send_json(r, out.code, json_incref(out.object));
	kube_write_result_clear(&out);
}

static bool patch_type(kube_req *r, kube_patch_type *t)
{
	gh_str ct;
	http_request_header(r->http, "Content-Type", &ct);
	gh_str base = ct, params;
	(void)gh_str_cut(ct, ';', &base, &params);
	base = gh_str_trim(base);
	if (gh_str_eq_c(base, "application/json-patch+json"))
		*t = KUBE_PATCH_JSON;
	else if (gh_str_eq_c(base, "application/merge-patch+json"))
		*t = KUBE_PATCH_MERGE;
	else if (gh_str_eq_c(base, "application/strategic-merge-patch+json"))
		*t = KUBE_PATCH_STRATEGIC;
	else {
		kube_send_error(r, 415, "UnsupportedMediaType",
				"the body of the request was in an unknown format - accepted media types include: "
				"application/json-patch+json, application/merge-patch+json, "
				"application/strategic-merge-patch+json");
		return false;
	}
	return true;
}

static void serve_deletecollection(kube_req *r, const k8s_resource *res)
{
	selectors sel;
	if (!parse_selectors(r, &sel))
		return;
	kobj **objs;
	size_t n;
	int64_t rv;
	if (!list_scope(r, res, &objs, &n, &rv))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *obj = json_loadb(objs[i]->body, objs[i]->body_len, 0, NULL);
		bool hit = obj && matches(&sel, obj);
		json_decref(obj);
		if (!hit)
			continue;
		kube_write w = { .op = KUBE_DELETE, .res = res, .ns = objs[i]->ns, .name = objs[i]->name,
				 .user = &r->user, .dry_run = dry_run(r) };
		kube_write_result out;
		kube_status st;
		if (engine_kube_write(r->e, r->cluster, &w, &out, &st))
			json_array_append(items, out.object);
		kube_write_result_clear(&out);
		kube_status_clear(&st);
	}
	kube_cache_list_free(objs, n);
	char lk[96], av[96], rvs[24];
	list_kind(res, lk, sizeof lk);
	k8s_resource_api_version(res, av, sizeof av);
	snprintf(rvs, sizeof rvs, "%lld", (long long)kube_cache_rv(engine_kube_cache(r->e)));
	kube_send_json(r, 200, json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", lk, "apiVersion", av, "metadata",
					 "resourceVersion", rvs, "items", items));
}

void kube_serve_resource(kube_req *r, const k8s_resource *res)
{
	const char *verb = r->info.verb;
	if (gh_str_eq_c(r->info.subresource, "token") && strcmp(res->resource, "serviceaccounts") == 0 &&
	    r->info.name.n) {
		kube_serve_token_request(r, res);
		return;
	}
	if (r->info.subresource.n) {
		kube_send_error(r, 404, "NotFound", "the server could not find the requested resource");
		return;
	}
	if (strcmp(verb, "get") == 0)
		serve_get(r, res);
	else if (strcmp(verb, "list") == 0)
		serve_list(r, res);
	else if (strcmp(verb, "watch") == 0)
		serve_watch(r, res);
	else if (strcmp(verb, "deletecollection") == 0)
		serve_deletecollection(r, res);
	else if (strcmp(verb, "create") == 0 || strcmp(verb, "update") == 0 || strcmp(verb, "patch") == 0) {
		if (strcmp(verb, "create") == 0 && r->info.name.n) {
			kube_send_error(r, 405, "MethodNotAllowed", "the server does not allow this method on the "
					"requested resource");
			return;
		}
		kube_write w = { .res = res };
		if (strcmp(verb, "patch") == 0 && !patch_type(r, &w.patch_type))
			return;
		json_t *body = kube_body_json(r);
		if (!body)
			return;
		w.op = strcmp(verb, "create") == 0 ? KUBE_CREATE : strcmp(verb, "update") == 0 ? KUBE_UPDATE : KUBE_PATCH;
		w.body = body;
		do_write(r, &w);
	} else if (strcmp(verb, "delete") == 0) {
		kube_write w = { .op = KUBE_DELETE, .res = res };
		if (r->http->body.n) {
			json_t *opts = kube_body_json(r);
			if (!opts)
				return;
			json_t *pre = json_object_get(opts, "preconditions");
			w.precondition_uid = json_string_value(json_object_get(pre, "uid"));
			w.precondition_rv = json_string_value(json_object_get(pre, "resourceVersion"));
			const char *dr = json_string_value(json_array_get(json_object_get(opts, "dryRun"), 0));
			if (dr && strcmp(dr, "All") == 0)
				w.dry_run = true;
		}
		do_write(r, &w);
	} else {
		kube_send_error(r, 405, "MethodNotAllowed", "the server does not allow this method on the requested "
				"resource");
	}
}
