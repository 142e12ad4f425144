/* audit: the Kubernetes audit log (audit.k8s.io/v1 Events as JSON lines), written by the
 * Kubernetes API endpoint for every request it serves.
 *
 * The caller describes a finished request once (gh_audit_event, with the clock readings it
 * took); audit_k8s asks the audit policy (domain/k8s/audit_policy.h) for the level and the
 * stages to leave out and writes the RequestReceived and ResponseComplete events that
 * remain, in upstream's shape, with RFC 3339 microsecond timestamps.
 *
 * What never reaches the file:
 * - bodies below their level: Metadata writes none, Request only the request body,
 *   RequestResponse both;
 * - Secret values at any level: for a request on core `secrets` the bodies keep everything
 *   but `data`, `stringData` and the kubectl last-applied-configuration annotation (which
 *   holds a copy of the data), in the object, in every `items[]` element and in a watch
 *   event's `object`; a body that is not an object (a JSON patch) is left out entirely.
 *   Objects of kind Secret nested in any other body (a v1 List) are stripped the same way.
 *   Data is dropped rather than masked: a mask of the right length would still tell the
 *   length of each value;
 * - managedFields, when the policy says omitManagedFields.
 * An event whose line would exceed GH_JSONL_MAX_LINE is written without bodies and with
 * the annotation "audit.k8s.io/truncated": "true", as kube-apiserver's truncating backend
 * does. */
#ifndef GH_ENGINE_AUDIT_H
#define GH_ENGINE_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "crypto/hash.h"

typedef struct gh_audit gh_audit;

/* Opens (creating, mode 0600) the log at `path` with the policy in `policy_path`, or the
 * built-in policy (EKS's) when it is NULL. Fails with the policy's own message when it does
 * not parse. */
gh_audit *audit_open(const char *path, const char *policy_path, gh_err *err);
void audit_close(gh_audit *au);

/* A new audit ID (a random UUID), also what the Audit-ID response header carries. */
void audit_new_id(char out[GH_UUID_LEN + 1]);

typedef struct gh_audit_event {
	const char *audit_id;	/* from audit_new_id */
	const char *request_uri, *verb, *user_agent, *source_ip;
	/* the authenticated user; username NULL for a request that failed authentication */
	const char *username, *uid;
	const char *const *groups;
	size_t ngroups;
	const json_t *extra;	/* user.extra, e.g. {"arn": ["arn:aws:..."]}; may be NULL */
	/* impersonatedUser; imp_username NULL when the request impersonates no one */
	const char *imp_username;
	const char *const *imp_groups;
	size_t nimp_groups;
	/* objectRef, for resource requests */
	bool is_resource;
	const char *resource, *subresource, *namespace_, *name, *api_group, *api_version, *object_uid,
		*object_rv;
	const char *path;	/* non-resource requests: the URL path */
	/* responseStatus */
	int code;
	const char *status_reason, *status_message;
	/* bodies, written only at the levels that include them */
	const json_t *request_object, *response_object;
	int64_t received_us, completed_us; /* Unix microseconds */
	/* authorization.k8s.io/decision ("allow", "forbid") and authorization.k8s.io/reason */
	const char *decision, *authz_reason;
	/* more annotations, e.g. pod-security.kubernetes.io/audit-violations */
	const char *const *annotation_keys, *const *annotation_values;
	size_t nannotations;
} gh_audit_event;

/* Records one request as the policy says (nothing at level None). Never fails the request:
 * a write error is reported on the server log. */
void audit_k8s(gh_audit *au, const gh_audit_event *ev);

/* engine/records.c: the engine's audit log (DIR/audit.log), NULL for offline commands. */
typedef struct gh_engine gh_engine;
gh_audit *engine_audit(gh_engine *e);

#endif
