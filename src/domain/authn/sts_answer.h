/* sts_answer: turning a real STS GetCallerIdentity answer into a gh_identity, with
 * aws-iam-authenticator's rules (spec section 2, "STS call"): the JSON shape
 * GetCallerIdentityResponse.GetCallerIdentityResult.{Account,Arn,UserId}; for a user,
 * root or federated user the UserId is the principal ID; otherwise it must be
 * "<roleId>:<session>" or the answer is refused ("malformed UserID"). */
#ifndef GH_AUTHN_STS_ANSWER_H
#define GH_AUTHN_STS_ANSWER_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/authn/identity.h"

#define STS_ANSWER_MAX_BYTES (64 * 1024)

/* `status` is the HTTP status STS answered with. Non-200 answers become errors: 429 when
 * the body mentions Throttling, else 403 with upstream's text. `akid` is the token's
 * access key ID, carried into the identity. */
bool sts_answer_parse(int status, gh_str body, gh_str akid, gh_arena *a, gh_identity *out, gh_err *err) GH_MUST_CHECK;

#endif
