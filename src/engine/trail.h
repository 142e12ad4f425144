/* trail: the sandbox's CloudTrail, one CloudTrail-shaped JSON line per AWS API call
 * (IAM, STS, EKS), success or failure, authentication failures included.
 *
 * Lines follow CloudTrail's record format (eventVersion 1.08): userIdentity (IAMUser,
 * AssumedRole with its sessionContext, Root, or Unknown with only the access key ID a
 * request named when it failed authentication), eventTime, eventSource, eventName,
 * awsRegion, sourceIPAddress, userAgent, errorCode and errorMessage on failure,
 * requestParameters, responseElements, requestID, eventID, readOnly, eventType AwsApiCall,
 * managementEvent, recipientAccountId.
 *
 * What is recorded of a request is chosen by the adapters, by allow-list: names, ARNs,
 * paths, access key IDs, durations. Never secret keys, session tokens, passwords, tags or
 * policy documents (CloudTrail logs policies; a trust policy can carry an sts:ExternalId,
 * so gatehouse errs on the side of leaving them out). responseElements is null for reads
 * and holds identifiers only for writes. */
#ifndef GH_ENGINE_TRAIL_H
#define GH_ENGINE_TRAIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "engine/creds.h"

typedef struct gh_trail gh_trail;

gh_trail *trail_open(const char *path, gh_err *err); /* created 0600, appended */
void trail_close(gh_trail *t);

typedef struct gh_trail_record {
	const char *event_source;	/* iam.amazonaws.com, sts.amazonaws.com, eks.amazonaws.com */
	const char *event_name;		/* the action: CreateAccessEntry */
	const char *source_ip, *user_agent;
	const char *request_id;		/* the x-amzn-RequestId the caller was given */
	const gh_cred *caller;		/* the authenticated caller; NULL when authentication failed */
	const char *access_key_id;	/* the key a request named when it failed authentication */
	const json_t *request_parameters; /* the safe subset; NULL writes null */
	const json_t *response_elements;  /* identifiers of what a write made; NULL writes null */
	const char *error_code, *error_message; /* NULL on success */
} gh_trail_record;

/* Writes one record at Unix time `now` for the sandbox's region and account. */
void trail_aws(gh_trail *t, const gh_trail_record *r, int64_t now, const char *region,
	       const char *recipient_account);

/* CloudTrail's readOnly: Get*, List*, Describe*, and AssumeRole (it changes nothing). */
bool trail_read_only(const char *event_name);

/* engine/records.c: trail_aws on the engine's trail (DIR/trail.log) with its clock, region
 * and account; nothing for offline commands. */
typedef struct gh_engine gh_engine;
void engine_trail(gh_engine *e, const gh_trail_record *r);

#endif
