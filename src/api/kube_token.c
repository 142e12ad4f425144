/* The TokenRequest subresource (POST .../serviceaccounts/NAME/token): what
 * `kubectl create token` and the kubelet's projected volumes ask for. Validation and
 * defaults are kube-apiserver's (pkg/registry/core/serviceaccount/storage/token.go). */
#include <stdio.h>
#include <string.h>

#include "api/kube_api_internal.h"
#include "base/timefmt.h"
#include "engine/oidc.h"

#define TOKEN_DEFAULT_SECONDS 3600
#define TOKEN_MAX_REQUESTABLE (1LL << 32)

static void invalid(kube_req *r, const char *name, const char *field, const char *detail)
{
	kube_status st = { .code = 422, .reason = "Invalid" };
	if (asprintf(&st.message, "TokenRequest.authentication.k8s.io \"%s\" is invalid: %s: %s", name, field, detail) < 0)
		st.message = NULL;
	st.details = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s}]}", "name", name, "group", "authentication.k8s.io",
			       "kind", "TokenRequest", "causes", "reason", "FieldValueInvalid", "message", detail, "field",
			       field);
	kube_send_status(r, &st);
	kube_status_clear(&st);
}

const char *kube_object_uid(kube_req *r, const char *kind, const char *ns, const char *name)
{
	kobj *o = kube_cache_get(engine_kube_cache(r->e), r->cluster, kind, ns, name);
	if (!o)
		return NULL;
	json_t *doc = json_loadb(o->body, o->body_len, 0, NULL);
	const char *uid = kube_meta_str(doc, "uid");
	const char *out = gh_arena_strndup(r->a, uid, strlen(uid));
	json_decref(doc);
	kobj_unref(o);
	return out;
}

void kube_serve_token_request(kube_req *r, const k8s_resource *sa_res)
{
	if (strcmp(r->info.verb, "create") != 0) {
		kube_send_error(r, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
		return;
	}
	const char *ns = gh_arena_strndup(r->a, r->info.namespace.p, r->info.namespace.n);
	const char *name = gh_arena_strndup(r->a, r->info.name.p, r->info.name.n);
	json_t *body = kube_body_json(r);
	if (!body)
		return;
	json_t *spec = json_object_get(body, "spec");
	json_t *exp_j = json_object_get(spec, "expirationSeconds");
	int64_t seconds = json_is_integer(exp_j) ? (int64_t)json_integer_value(exp_j) : TOKEN_DEFAULT_SECONDS;
	char detail[160];
	if (seconds < GH_OIDC_MIN_TOKEN_SECONDS) {
		snprintf(detail, sizeof detail, "Invalid value: %lld: may not specify a duration less than 10 minutes",
			 (long long)seconds);
		invalid(r, name, "spec.expirationSeconds", detail);
		return;
	}
	if (seconds > TOKEN_MAX_REQUESTABLE) {
		snprintf(detail, sizeof detail, "Invalid value: %lld: may not specify a duration larger than 2^32 seconds",
			 (long long)seconds);
		invalid(r, name, "spec.expirationSeconds", detail);
		return;
	}
	/* --service-account-max-token-expiration: longer requests are shortened, not refused */
	if (seconds > GH_OIDC_MAX_TOKEN_SECONDS)
		seconds = GH_OIDC_MAX_TOKEN_SECONDS;
	const char *sa_uid = kube_object_uid(r, "ServiceAccount", ns, name);
	if (!sa_uid) {
		kube_status st = { 0 };
		kube_not_found(&st, sa_res, name);
		kube_send_status(r, &st);
		kube_status_clear(&st);
		return;
	}
	const char *iss;
	gh_err err = { 0 };
	if (!engine_oidc_issuer(r->e, r->cluster, r->a, &iss, &err)) {
		kube_send_error(r, 500, "InternalError", "%s", err.msg);
		return;
	}
	/* audiences default to the API audiences (the issuer), as --api-audiences does */
	json_t *auds = json_object_get(spec, "audiences");
	size_t naud = json_array_size(auds);
	const char **aud = gh_arena_alloc(r->a, (naud ? naud : 1) * sizeof *aud);
	for (size_t i = 0; i < naud; i++) {
		aud[i] = json_string_value(json_array_get(auds, i));
		if (!aud[i] || !aud[i][0]) {
			invalid(r, name, "spec.audiences", "Invalid value: \"\": audiences must be non-empty strings");
			return;
		}
	}
	if (!naud)
		aud[naud++] = iss;
	const char *pod_name = NULL, *pod_uid = NULL;
	json_t *bound = json_object_get(spec, "boundObjectRef");
	if (json_is_object(bound)) {
		const char *kind = json_string_value(json_object_get(bound, "kind"));
		const char *bname = json_string_value(json_object_get(bound, "name"));
		const char *buid = json_string_value(json_object_get(bound, "uid"));
		if (!kind || strcmp(kind, "Pod") != 0) {
			kube_send_error(r, 400, "BadRequest", "cannot bind token for object of kind %s: only Pod is supported",
					kind ? kind : "\"\"");
			return;
		}
		pod_uid = bname ? kube_object_uid(r, "Pod", ns, bname) : NULL;
		if (!pod_uid) {
			kube_send_error(r, 404, "NotFound", "pods \"%s\" not found", bname ? bname : "");
			return;
		}
		if (buid && buid[0] && strcmp(buid, pod_uid) != 0) {
			kube_send_error(r, 409, "Conflict", "the UID in the bound object reference (%s) does not match the "
					"UID in record. The object might have been deleted and then recreated", buid);
			return;
		}
		pod_name = bname;
	}
	const char *token;
	int64_t exp;
	if (!engine_sa_token_issue(r->e, r->cluster, ns, name, sa_uid, aud, naud, seconds, pod_name, pod_uid, r->a, &token,
				   &exp, &err)) {
		kube_send_error(r, 500, "InternalError", "%s", err.msg);
		return;
	}
	json_t *jauds = json_array();
	for (size_t i = 0; i < naud; i++)
		json_array_append_new(jauds, json_string(aud[i]));
	char ts[GH_ISO8601_LEN + 1];
	gh_time_iso8601(exp, ts);
	json_t *out = json_pack("{s:s, s:s, s:{s:s, s:s, s:n}, s:{s:o, s:I, s:O?}, s:{s:s, s:s}}", "kind", "TokenRequest",
				"apiVersion", "authentication.k8s.io/v1", "metadata", "name", name, "namespace", ns,
				"creationTimestamp", "spec", "audiences", jauds, "expirationSeconds", (json_int_t)seconds,
				"boundObjectRef", json_is_object(bound) ? bound : NULL, "status", "token", token,
				"expirationTimestamp", ts);
	if (!out) {
		kube_send_error(r, 500, "InternalError", "out of memory");
		return;
	}
	kube_send_json(r, 201, out);
	/* The audit event records the answer without the token: it is a credential. */
	json_t *redacted = json_deep_copy(out);
	json_object_del(json_object_get(redacted, "status"), "token");
	json_decref(r->response_object);
	r->response_object = redacted;
}
