#include "engine/audit.h"

#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "domain/k8s/audit_policy.h"
#include "engine/jsonl.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
/* Deeper bodies cannot be scrubbed with confidence, so they are left out. */
#define MAX_BODY_DEPTH 64

struct gh_audit {
	gh_jsonl *file;
	audit_policy *policy;
};

gh_audit *audit_open(const char *path, const char *policy_path, gh_err *err)
{
	audit_policy *pol = NULL;
	if (policy_path) {
		gh_buf text = { 0 };
		bool ok = gh_file_read(policy_path, AUDIT_POLICY_MAX_BYTES, &text, err) &&
			  audit_policy_parse(gh_buf_str(&text), &pol, err);
		gh_buf_free(&text);
		if (!ok) {
			gh_fail_wrap(err, "%s", policy_path);
			return NULL;
		}
	} else if (!audit_policy_default(&pol, err)) {
		return NULL;
	}
	gh_audit *au = calloc(1, sizeof *au);
	if (!au) {
		audit_policy_free(pol);
		gh_fail(err, "OutOfMemory", 500, "out of memory opening the audit log");
		return NULL;
	}
	au->policy = pol;
	au->file = jsonl_open(path, err);
	if (!au->file) {
		audit_close(au);
		return NULL;
	}
	return au;
}

void audit_close(gh_audit *au)
{
	if (!au)
		return;
	jsonl_close(au->file);
	audit_policy_free(au->policy);
	free(au);
}

void audit_new_id(char out[GH_UUID_LEN + 1])
{
	/* An audit ID correlates lines; it guards nothing, so an RNG failure is only reported. */
	if (!gh_uuid4(out))
		gh_log_warn("audit.id", "detail", "the system random number generator failed");
}

/* ---- building the event ------------------------------------------------------------ */

/* A JSON string of s; bytes that are not UTF-8 become '?' rather than losing the field. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (j)
		return j;
	char *c = strdup(s);
	if (!c)
		return NULL;
	for (unsigned char *p = (unsigned char *)c; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	j = json_string(c);
	free(c);
	return j;
}

static void set_str(json_t *obj, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(obj, key, jstr(v));
}

static json_t *str_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		if (v[i])
			json_array_append_new(a, jstr(v[i]));
	return a;
}

static json_t *user_info(const char *name, const char *uid, const char *const *groups, size_t ngroups,
			 const json_t *extra)
{
	json_t *u = json_object();
	set_str(u, "username", name);
	set_str(u, "uid", uid);
	if (ngroups)
		json_object_set_new(u, "groups", str_array(groups, ngroups));
	if (json_is_object(extra) && json_object_size(extra))
		json_object_set_new(u, "extra", json_deep_copy(extra));
	return u;
}

static json_t *object_ref(const gh_audit_event *ev)
{
	json_t *o = json_object();
	set_str(o, "resource", ev->resource);
	set_str(o, "namespace", ev->namespace_);
	set_str(o, "name", ev->name);
	set_str(o, "uid", ev->object_uid);
	set_str(o, "apiGroup", ev->api_group);
	set_str(o, "apiVersion", ev->api_version);
	set_str(o, "resourceVersion", ev->object_rv);
	set_str(o, "subresource", ev->subresource);
	return o;
}

static json_t *response_status(const gh_audit_event *ev)
{
	json_t *s = json_object();
	json_object_set_new(s, "metadata", json_object());
	if (ev->code >= 400)
		json_object_set_new(s, "status", json_string("Failure"));
	set_str(s, "message", ev->status_message);
	set_str(s, "reason", ev->status_reason);
	json_object_set_new(s, "code", json_integer(ev->code));
	return s;
}

static bool is_secret_ref(const gh_audit_event *ev)
{
	return ev->is_resource && ev->resource && strcmp(ev->resource, "secrets") == 0 &&
	       (!ev->api_group || !*ev->api_group);
}

static void strip_secret(json_t *obj)
{
	json_object_del(obj, "data");
	json_object_del(obj, "stringData");
	json_t *ann = json_object_get(json_object_get(obj, "metadata"), "annotations");
	if (json_is_object(ann))
		json_object_del(ann, LAST_APPLIED);
}

/* Removes secret values (and managedFields when asked) from a copy of a body. `forced`:
 * the value is a Secret whatever its kind says (the request was on secrets, where list
 * items and patches carry no kind). False when the body is too deep to be sure. */
static bool scrub(json_t *v, bool forced, bool omit_managed, int depth)
{
	if (depth > MAX_BODY_DEPTH)
		return false;
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (!scrub(x, false, omit_managed, depth + 1))
				return false;
		}
		return true;
	}
	if (!json_is_object(v))
		return true;
	const char *kind = json_string_value(json_object_get(v, "kind"));
	if (forced || (kind && strcmp(kind, "Secret") == 0))
		strip_secret(v);
	if (omit_managed) {
		json_t *md = json_object_get(v, "metadata");
		if (json_is_object(md))
			json_object_del(md, "managedFields");
	}
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x) {
		/* A SecretList's items and a watch event's object are Secrets too. */
		bool child_forced = forced && (strcmp(k, "items") == 0 || strcmp(k, "object") == 0);
		if (child_forced && json_is_array(x)) {
			size_t i;
			json_t *item;
			json_array_foreach(x, i, item) {
				if (!scrub(item, true, omit_managed, depth + 2))
					return false;
			}
		} else if (!scrub(x, child_forced, omit_managed, depth + 1)) {
			return false;
		}
	}
	return true;
}

/* A scrubbed copy of a body, or NULL when it is absent or cannot be made safe. */
static json_t *safe_body(const json_t *body, bool secret, bool omit_managed)
{
	if (!body || json_is_null(body))
		return NULL;
	if (secret && !json_is_object(body))
		return NULL; /* a JSON patch of a Secret holds values in "value" members */
	json_t *c = json_deep_copy(body);
	if (c && !scrub(c, secret, omit_managed, 0)) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static json_t *annotations(const gh_audit_event *ev, bool truncated)
{
	json_t *a = json_object();
	set_str(a, "authorization.k8s.io/decision", ev->decision);
	if (ev->decision)
		json_object_set_new(a, "authorization.k8s.io/reason", jstr(ev->authz_reason ? ev->authz_reason : ""));
	for (size_t i = 0; i < ev->nannotations; i++)
		if (ev->annotation_keys[i] && ev->annotation_values[i])
			json_object_set_new(a, ev->annotation_keys[i], jstr(ev->annotation_values[i]));
	if (truncated)
		json_object_set_new(a, "audit.k8s.io/truncated", json_string("true"));
	return a;
}

typedef struct stage_opts {
	audit_level level;
	unsigned stage;
	bool omit_managed;
	bool truncated; /* bodies left out for size */
} stage_opts;

static json_t *build(const gh_audit_event *ev, const stage_opts *o, const char *audit_id)
{
	char received[GH_RFC3339_MICRO_LEN + 1], at[GH_RFC3339_MICRO_LEN + 1];
	bool complete = o->stage != AUDIT_STAGE_REQUEST_RECEIVED;
	gh_time_rfc3339_micro(ev->received_us, received);
	gh_time_rfc3339_micro(complete ? ev->completed_us : ev->received_us, at);
	json_t *e = json_object();
	json_object_set_new(e, "kind", json_string("Event"));
	json_object_set_new(e, "apiVersion", json_string("audit.k8s.io/v1"));
	json_object_set_new(e, "level", json_string(audit_level_name(o->level)));
	json_object_set_new(e, "auditID", jstr(audit_id));
	json_object_set_new(e, "stage", json_string(audit_stage_name(o->stage)));
	json_object_set_new(e, "requestURI", jstr(ev->request_uri ? ev->request_uri : ev->path));
	json_object_set_new(e, "verb", jstr(ev->verb));
	json_object_set_new(e, "user", user_info(ev->username, ev->uid, ev->groups, ev->ngroups, ev->extra));
	if (ev->imp_username)
		json_object_set_new(e, "impersonatedUser",
				    user_info(ev->imp_username, NULL, ev->imp_groups, ev->nimp_groups, NULL));
	if (ev->source_ip && *ev->source_ip)
		json_object_set_new(e, "sourceIPs", str_array(&ev->source_ip, 1));
	set_str(e, "userAgent", ev->user_agent);
	if (ev->is_resource)
		json_object_set_new(e, "objectRef", object_ref(ev));
	if (complete) {
		json_object_set_new(e, "responseStatus", response_status(ev));
		bool secret = is_secret_ref(ev);
		json_t *req = NULL, *resp = NULL;
		if (!o->truncated && o->level >= AUDIT_LEVEL_REQUEST)
			req = safe_body(ev->request_object, secret, o->omit_managed);
		if (!o->truncated && o->level >= AUDIT_LEVEL_REQUEST_RESPONSE)
			resp = safe_body(ev->response_object, secret, o->omit_managed);
		if (req)
			json_object_set_new(e, "requestObject", req);
		if (resp)
			json_object_set_new(e, "responseObject", resp);
	}
	json_object_set_new(e, "requestReceivedTimestamp", json_string(received));
	json_object_set_new(e, "stageTimestamp", json_string(at));
	if (complete)
		json_object_set_new(e, "annotations", annotations(ev, o->truncated));
	return e;
}

static void write_stage(gh_audit *au, const gh_audit_event *ev, stage_opts o, const char *audit_id)
{
	json_t *e = build(ev, &o, audit_id);
	gh_jsonl_result rc = jsonl_append(au->file, e);
	json_decref(e);
	if (rc == JSONL_TOO_LARGE) {
		o.truncated = true;
		e = build(ev, &o, audit_id);
		rc = jsonl_append(au->file, e);
		json_decref(e);
	}
	if (rc == JSONL_TOO_LARGE)
		gh_log_warn("audit.skipped", "auditID", audit_id, "detail", "the event is too large even without bodies");
}

void audit_k8s(gh_audit *au, const gh_audit_event *ev)
{
	if (!au || !ev)
		return;
	audit_attrs at = { .user = ev->username, .groups = ev->groups, .ngroups = ev->ngroups, .verb = ev->verb,
			   .is_resource = ev->is_resource, .api_group = ev->api_group,
			   .api_version = ev->api_version, .resource = ev->resource,
			   .subresource = ev->subresource, .namespace_ = ev->namespace_, .name = ev->name,
			   .path = ev->path };
	audit_level level;
	unsigned omit;
	bool omit_managed;
	audit_policy_decide(au->policy, &at, &level, &omit, &omit_managed);
	if (level == AUDIT_LEVEL_NONE)
		return;
	char id[GH_UUID_LEN + 1];
	const char *audit_id = ev->audit_id;
	if (!audit_id || !*audit_id) {
		audit_new_id(id);
		audit_id = id;
	}
	stage_opts o = { .level = level, .omit_managed = omit_managed };
	if (!(omit & AUDIT_STAGE_REQUEST_RECEIVED)) {
		o.stage = AUDIT_STAGE_REQUEST_RECEIVED;
		write_stage(au, ev, o, audit_id);
	}
	if (!(omit & AUDIT_STAGE_RESPONSE_COMPLETE)) {
		o.stage = AUDIT_STAGE_RESPONSE_COMPLETE;
		write_stage(au, ev, o, audit_id);
	}
}
