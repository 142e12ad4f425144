/* Shared by the kube_api*.c adapter files. */
#ifndef GH_API_KUBE_API_INTERNAL_H
#define GH_API_KUBE_API_INTERNAL_H

#include <jansson.h>

#include "api/kube_api.h"
#include "domain/k8s/reqinfo.h"
#include "domain/k8s/resources.h"
#include "engine/kube.h"

#define KUBE_MAX_BODY (3 * 1024 * 1024) /* kube-apiserver's request body limit */

/* One request being served. */
typedef struct kube_req {
	gh_kube_api *api;
	gh_engine *e;
	const gh_http_request *http;
	gh_http_response *resp;
	gh_arena *a;
	const char *cluster;
	gh_str path;		/* the path below the cluster prefix */
	k8s_reqinfo info;
	kube_user user;		/* the effective user (after impersonation) */
	kube_user authn_user;	/* who authenticated */
	bool anonymous;
	int64_t received_us;
	char audit_id[37];
	/* audit */
	json_t *request_object, *response_object; /* borrowed for the audit writer */
	const char *authz_decision, *authz_reason;
	json_t *audit_annotations;
	const char *status_reason, *status_message; /* of a failure, for the audit event */
} kube_req;

/* Answers. */
void kube_send_json(kube_req *r, int code, json_t *doc); /* consumes doc */
void kube_send_status(kube_req *r, const kube_status *st);
void kube_send_error(kube_req *r, int code, const char *reason, const char *fmt, ...) GH_PRINTF(4, 5);
/* The query parameter `name` (decoded), or NULL. */
const char *kube_query(kube_req *r, const char *name);
/* The request body as a JSON object (YAML is not accepted here, as upstream without the
 * YAML serializer on write); NULL after answering 400/415. */
json_t *kube_body_json(kube_req *r);

/* discovery and other non-resource paths; false when the path is not one of them */
bool kube_serve_nonresource(kube_req *r);
/* /openapi/v3 and its group/version documents */
bool kube_serve_openapi(kube_req *r);
/* discovery documents for /apis/G and /apis/G/V, /api/v1 */
bool kube_serve_group_discovery(kube_req *r);

/* stored resources */
void kube_serve_resource(kube_req *r, const k8s_resource *res);
/* POST serviceaccounts/NAME/token (api/kube_token.c) */
void kube_serve_token_request(kube_req *r, const k8s_resource *sa_res);
/* metadata.uid of a cached object of the request's cluster, in the arena; NULL when it
 * does not exist (service-account tokens are only as good as their objects). */
const char *kube_object_uid(kube_req *r, const char *kind, const char *ns, const char *name);
/* reviews (create-only resources) */
void kube_serve_review(kube_req *r, const k8s_resource *res);

/* Tables for `kubectl get`. */
bool kube_wants_table(kube_req *r);
json_t *kube_table(kube_req *r, const k8s_resource *res, json_t *const *objs, size_t n, const char *rv);

/* The user as JSON userInfo {username, uid, groups, extra}. */
json_t *kube_user_info(const kube_user *u);

#endif
