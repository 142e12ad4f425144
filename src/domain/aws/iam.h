/* iam: the pure rules of gatehouse's IAM subset: identifiers, limits, and which caller
 * may call which IAM action.
 *
 * Who may call what (documented in docs/iam-sts.md): an administrator (the bootstrap
 * admin, or any user created with the tag gatehouse:admin=true by an administrator) may
 * call every action. Any other IAM user may manage only itself: GetUser, ListAccessKeys,
 * CreateAccessKey and DeleteAccessKey on its own name. Role sessions may call no IAM
 * action. STS GetCallerIdentity is open to every authenticated caller, as on AWS, and
 * AssumeRole is decided by the role's trust policy alone. Anything else is AccessDenied
 * with AWS's message. */
#ifndef GH_AWS_IAM_H
#define GH_AWS_IAM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

#define IAM_ID_LEN 21	      /* AIDA + 17 */
#define IAM_AKID_LEN 20	      /* AKIA/ASIA + 16 */
#define IAM_SECRET_LEN 40
#define IAM_MAX_ACCESS_KEYS 2 /* per user, as AWS */
#define IAM_ADMIN_TAG "gatehouse:admin"

/* Unique IDs from caller-supplied random bytes (the domain draws no randomness).
 * `prefix` is 4 characters (AIDA, AROA, ...); out gets prefix + 17 of [A-Z0-9]. */
void iam_make_unique_id(const char *prefix, const uint8_t rnd[17], char out[IAM_ID_LEN + 1]);
/* AKIA/ASIA + 16 of base32 [A-Z2-7]. */
void iam_make_access_key_id(const char *prefix, const uint8_t rnd[16], char out[IAM_AKID_LEN + 1]);
/* 40 characters of [A-Za-z0-9+/]. */
void iam_make_secret(const uint8_t rnd[30], char out[IAM_SECRET_LEN + 1]);

typedef enum iam_caller_kind {
	IAM_CALLER_USER,
	IAM_CALLER_ROLE_SESSION,
	IAM_CALLER_ROOT,
} iam_caller_kind;

typedef struct iam_caller {
	iam_caller_kind kind;
	bool admin;
	gh_str arn;	    /* as GetCallerIdentity reports it */
	gh_str user_name;   /* IAM users only */
	gh_str account_id;
} iam_caller;

/* May `caller` perform `action` ("iam:CreateUser") on the user `target_user` (empty when
 * the action is not about a user, or when it defaults to the caller)? `resource_arn`
 * appears in the AccessDenied message. */
bool iam_authorize(const iam_caller *caller, const char *action, gh_str target_user,
		   gh_str resource_arn, gh_err *err) GH_MUST_CHECK;

/* AWS's AccessDenied text for a denied call. */
bool iam_access_denied(gh_err *err, gh_str caller_arn, const char *action, gh_str resource_arn,
		       bool identity_based);

/* MaxSessionDuration (3600..43200) and tag limits, with botocore-style validation messages. */
bool iam_validate_max_session(int64_t v, gh_err *err) GH_MUST_CHECK;

typedef struct iam_tag {
	gh_str key, value;
} iam_tag;

/* At most 50 tags, keys 1..128 and values 0..256 of [\p{L}\p{Z}\p{N}_.:/=+\-@] (ASCII
 * letters, digits, space and those marks; other UTF-8 letters are accepted), no key
 * twice (case-insensitive), no key starting with "aws:". `what` names the parameter in
 * messages ("tags"). */
bool iam_validate_tags(const iam_tag *tags, size_t n, const char *what, gh_err *err) GH_MUST_CHECK;

#endif
