/* audit_query: the questions people ask of audit logs, over the two records gatehouse
 * writes: Kubernetes audit events (audit.k8s.io/v1 Event) and AWS API trail records
 * (CloudTrail's format). `gatehouse logs` reads the files; this decides, per record,
 * whether it answers the question and how it reads as one line of text.
 *
 * The questions (combined with AND):
 * - failed: Kubernetes responseStatus.code >= 400 (401 and 403 among them), AWS errorCode;
 * - since: the record's time (stageTimestamp, eventTime) at or after a moment;
 * - principal: an IAM ARN, a username or an access key ID: the Kubernetes user.username or
 *   the user.extra values EKS tokens carry (arn, canonicalArn, accessKeyId), the trail's
 *   userIdentity arn, accessKeyId, userName, or the role behind an assumed-role session;
 * - secrets_read: get, list or watch on core secrets;
 * - access_entries: EKS access entries and policy associations created, changed or deleted,
 *   authentication-mode changes, and writes to the aws-auth ConfigMap in kube-system.
 * Kubernetes events of the RequestReceived and ResponseStarted stages carry no outcome and
 * are left out unless all_stages is set.
 *
 * Pure: the caller reads the clock and the files. */
#ifndef GH_K8S_AUDIT_QUERY_H
#define GH_K8S_AUDIT_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

enum { AUDIT_SOURCE_K8S = 1, AUDIT_SOURCE_AWS = 2 };

typedef struct audit_query {
	unsigned sources;	/* AUDIT_SOURCE_* bits; 0 = both */
	bool failed, secrets_read, access_entries, all_stages;
	bool has_since;
	int64_t since_us;	/* Unix microseconds */
	const char *principal;	/* NULL = anyone */
} audit_query;

typedef struct audit_record {
	unsigned source;	/* AUDIT_SOURCE_K8S or AUDIT_SOURCE_AWS */
	int64_t time_us;
	const json_t *doc;	/* borrowed */
} audit_record;

/* Recognizes a decoded line; false when it is neither an audit Event nor a trail record
 * (or has no readable time). */
bool audit_query_classify(const json_t *doc, audit_record *out);
bool audit_query_match(const audit_query *q, const audit_record *r);
/* One line: TIME SOURCE WHO WHAT OUTCOME, ending with '\n'. */
void audit_query_text(const audit_record *r, gh_buf *out);
/* "30m", "1h", "2d", "1h30m", "90s", or an RFC 3339 time; now_us is the caller's clock. */
bool audit_query_parse_since(gh_str s, int64_t now_us, int64_t *since_us, gh_err *err) GH_MUST_CHECK;

#endif
