/* arn: Amazon Resource Names, as the identity plane needs them.
 *
 * Parsing follows the AWS SDK (prefix "arn:", six colon-separated sections, the last one
 * free to contain colons); canonicalization follows aws-iam-authenticator pkg/arn, with
 * its error messages, because those messages reach kubectl users (see
 * spec/authn-and-mapping.md section 3). Builders and validators produce the ARNs and the
 * botocore-style ValidationError messages the IAM and STS endpoints answer with.
 * Everything here is pure and never reads past the views it is given. */
#ifndef GH_AWS_ARN_H
#define GH_AWS_ARN_H

#include <stdbool.h>

#include "base/err.h"
#include "base/str.h"
#include "domain/authn/identity.h"

#define ARN_MAX_LEN 2048 /* arnType in the IAM and STS models */

typedef struct arn_parts {
	gh_str partition, service, region, account, resource;
} arn_parts;

/* What an ARN names, for the ARNs that can appear as principals. */
typedef enum arn_kind {
	ARN_OTHER,
	ARN_ROOT,	    /* arn:P:iam::A:root */
	ARN_USER,	    /* arn:P:iam::A:user[/path]/name */
	ARN_ROLE,	    /* arn:P:iam::A:role[/path]/name */
	ARN_ASSUMED_ROLE,   /* arn:P:sts::A:assumed-role/name/session */
	ARN_FEDERATED_USER, /* arn:P:sts::A:federated-user/name */
	ARN_OIDC_PROVIDER,  /* arn:P:iam::A:oidc-provider/host[/path] */
	ARN_SAML_PROVIDER,  /* arn:P:iam::A:saml-provider/name */
} arn_kind;

/* The SDK's split: "arn:" then partition, service, region, account, resource (the rest).
 * Errors (code InvalidArn) carry the SDK's text: "arn: invalid prefix",
 * "arn: not enough sections". */
bool arn_parse(gh_str s, arn_parts *out, gh_err *err) GH_MUST_CHECK;

/* aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc. */
bool arn_partition_known(gh_str partition);
bool arn_is_account_id(gh_str s); /* exactly 12 ASCII digits */

/* aws-iam-authenticator's Canonicalize: assumed-role/R/S -> arn:P:iam::A:role/R (the
 * middle parts joined, the session dropped); user, role, root, federated-user unchanged;
 * anything else fails with upstream's message. `out` is overwritten; `kind` (may be
 * NULL) gets ARN_ASSUMED_ROLE, ARN_ROLE, ARN_USER, ARN_ROOT or ARN_FEDERATED_USER. */
bool arn_canonicalize(gh_str arn, gh_buf *out, arn_kind *kind, gh_err *err) GH_MUST_CHECK;

/* role/a/b/Name -> role/Name and user/a/b/Name -> user/Name (IAM names are unique per
 * account whatever the path); any other recognized ARN is copied unchanged. Same parse
 * and partition errors as arn_canonicalize. */
bool arn_strip_path(gh_str arn, gh_buf *out, gh_err *err) GH_MUST_CHECK;

/* Strict classification: a known partition, a 12-digit account, no region, the right
 * service and a non-empty name. Anything else is ARN_OTHER. */
arn_kind arn_classify(gh_str arn);
/* The identity kind of a caller ARN (user, assumed-role, root, federated-user); a plain
 * role ARN is not a caller and gives GH_PRINCIPAL_UNKNOWN. */
enum gh_principal_kind arn_principal_kind(gh_str arn);
/* The last '/'-separated element of the resource (a user's or role's name, a session
 * name); empty when the ARN does not parse. */
gh_str arn_last_name(gh_str arn);

/* Builders. `out` is overwritten; false only when memory ran out. An empty path means
 * "/"; a path is otherwise used as given (validate it first with arn_validate_path). */
bool arn_build_user(gh_buf *out, gh_str partition, gh_str account, gh_str path, gh_str name);
bool arn_build_role(gh_buf *out, gh_str partition, gh_str account, gh_str path, gh_str name);
bool arn_build_assumed_role(gh_buf *out, gh_str partition, gh_str account, gh_str role_name,
			    gh_str session);
bool arn_build_root(gh_buf *out, gh_str partition, gh_str account);

/* Parameter validation as the IAM and STS models define it, failing with code
 * ValidationError (400) and AWS's text, e.g. "1 validation error detected: Value 'x y' at
 * 'roleName' failed to satisfy constraint: Member must satisfy regular expression
 * pattern: [\w+=,.@-]+". `member` names the parameter in the message; NULL takes the
 * default shown. Lengths count characters (UTF-8 code points). */
bool arn_validate_path(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK;	   /* "path", 1..512 */
bool arn_validate_path_prefix(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK; /* "pathPrefix", 1..512 */
bool arn_validate_role_name(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK;   /* "roleName", 1..64 */
bool arn_validate_user_name(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK;   /* "userName", 1..64 */
bool arn_validate_session_name(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK; /* "roleSessionName", 2..64 */
bool arn_validate_external_id(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK; /* "externalId", 2..1224 */
bool arn_validate_source_identity(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK; /* "sourceIdentity", 2..64 */
bool arn_validate_federation_name(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK; /* "name", 2..32 */
bool arn_validate_arn(gh_str v, const char *member, gh_err *err) GH_MUST_CHECK;	   /* "roleArn", 20..2048 */

#endif
