#include "engine/trail.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "crypto/hash.h"
#include "engine/jsonl.h"

struct gh_trail {
	gh_jsonl *file;
};

gh_trail *trail_open(const char *path, gh_err *err)
{
	gh_trail *t = calloc(1, sizeof *t);
	if (!t) {
		gh_fail(err, "OutOfMemory", 500, "out of memory opening the trail");
		return NULL;
	}
	t->file = jsonl_open(path, err);
	if (!t->file) {
		free(t);
		return NULL;
	}
	return t;
}

void trail_close(gh_trail *t)
{
	if (!t)
		return;
	jsonl_close(t->file);
	free(t);
}

bool trail_read_only(const char *name)
{
	return strncmp(name, "Get", 3) == 0 || strncmp(name, "List", 4) == 0 || strncmp(name, "Describe", 8) == 0 ||
	       strcmp(name, "AssumeRole") == 0;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v && *v) {
		json_t *s = json_string(v);
		json_object_set_new(o, k, s ? s : json_string("?"));
	}
}

static json_t *session_context(const gh_cred *c)
{
	json_t *issuer = json_object();
	json_object_set_new(issuer, "type", json_string("Role"));
	set_str(issuer, "principalId", c->principal_id);
	set_str(issuer, "arn", c->role_arn);
	set_str(issuer, "accountId", c->account);
	set_str(issuer, "userName", c->role_name);
	json_t *ctx = json_object();
	json_object_set_new(ctx, "sessionIssuer", issuer);
	json_object_set_new(ctx, "attributes", json_pack("{s:s}", "mfaAuthenticated", "false"));
	set_str(ctx, "sourceIdentity", c->source_identity);
	return ctx;
}

static json_t *identity(const gh_trail_record *r)
{
	json_t *u = json_object();
	const gh_cred *c = r->caller;
	if (!c) {
		json_object_set_new(u, "type", json_string("Unknown"));
		set_str(u, "accessKeyId", r->access_key_id);
		return u;
	}
	bool session = c->kind == IAM_CALLER_ROLE_SESSION, root = c->kind == IAM_CALLER_ROOT;
	json_object_set_new(u, "type", json_string(session ? "AssumedRole" : root ? "Root" : "IAMUser"));
	/* CloudTrail's principalId: the account for root, "AROA...:session" for a session. */
	set_str(u, "principalId", root ? c->account : session ? c->user_id : c->principal_id);
	set_str(u, "arn", c->arn);
	set_str(u, "accountId", c->account);
	set_str(u, "accessKeyId", c->akid);
	if (session)
		json_object_set_new(u, "sessionContext", session_context(c));
	else if (!root)
		set_str(u, "userName", c->user_name);
	return u;
}

static json_t *or_null(const json_t *v, bool keep)
{
	return keep && v ? json_incref((json_t *)v) : json_null();
}

static json_t *build(const gh_trail_record *r, int64_t now, const char *region, const char *account,
		     bool with_bodies)
{
	char when[GH_ISO8601_LEN + 1], event_id[GH_UUID_LEN + 1];
	gh_time_iso8601(now, when);
	if (!gh_uuid4(event_id))
		gh_log_warn("trail.event-id", "detail", "the system random number generator failed");
	json_t *e = json_object();
	json_object_set_new(e, "eventVersion", json_string("1.08"));
	json_object_set_new(e, "userIdentity", identity(r));
	json_object_set_new(e, "eventTime", json_string(when));
	set_str(e, "eventSource", r->event_source);
	set_str(e, "eventName", r->event_name && *r->event_name ? r->event_name : "Unknown");
	set_str(e, "awsRegion", region);
	set_str(e, "sourceIPAddress", r->source_ip);
	set_str(e, "userAgent", r->user_agent);
	if (r->error_code) {
		set_str(e, "errorCode", r->error_code);
		set_str(e, "errorMessage", r->error_message);
	}
	json_object_set_new(e, "requestParameters", or_null(r->request_parameters, with_bodies));
	json_object_set_new(e, "responseElements", or_null(r->response_elements, with_bodies && !r->error_code));
	set_str(e, "requestID", r->request_id);
	json_object_set_new(e, "eventID", json_string(event_id));
	json_object_set_new(e, "readOnly", json_boolean(r->event_name && trail_read_only(r->event_name)));
	json_object_set_new(e, "eventType", json_string("AwsApiCall"));
	json_object_set_new(e, "managementEvent", json_true());
	set_str(e, "recipientAccountId", account);
	json_object_set_new(e, "eventCategory", json_string("Management"));
	return e;
}

void trail_aws(gh_trail *t, const gh_trail_record *r, int64_t now, const char *region, const char *account)
{
	if (!t || !r)
		return;
	json_t *e = build(r, now, region, account, true);
	gh_jsonl_result rc = jsonl_append(t->file, e);
	json_decref(e);
	if (rc == JSONL_TOO_LARGE) { /* the parameters are what can grow: keep the who and what */
		e = build(r, now, region, account, false);
		jsonl_append(t->file, e);
		json_decref(e);
	}
}
