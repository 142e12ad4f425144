/* policy: the IAM policy language, parsed once and evaluated per request.
 *
 * Today it decides role trust policies (the resource-based policy on a role) for
 * sts:AssumeRole, sts:AssumeRoleWithWebIdentity, sts:TagSession and sts:SetSourceIdentity;
 * the grammar and the evaluator are the general ones, so identity and other resource
 * policies can reuse them by choosing another policy_kind.
 *
 * Parsing rejects what IAM rejects (code MalformedPolicyDocument, HTTP 400, with IAM's
 * wording where it is known) and everything the evaluator would not understand, so a
 * stored policy is always one the evaluator can decide. Evaluation is pure, uses
 * explicit deny > allow > implicit deny, and fails closed: a comparison it cannot make
 * (an unresolvable policy variable, an unparsable number or date, a multivalued key used
 * without ForAnyValue/ForAllValues) is "undetermined", which never lets an Allow apply
 * and always lets a Deny apply. Every evaluation can return a per-statement trace for
 * `gatehouse explain`. */
#ifndef GH_AWS_POLICY_H
#define GH_AWS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "domain/authn/identity.h"

#define POLICY_DEFAULT_MAX_SIZE 10240 /* characters, whitespace not counted (as IAM) */

typedef enum policy_kind {
	POLICY_TRUST,	 /* role trust policy: Principal required, sts: actions only, no Resource */
	POLICY_RESOURCE, /* other resource-based policies: Principal required, Resource optional */
	POLICY_IDENTITY, /* identity policies: no Principal, Resource required */
} policy_kind;

typedef struct policy_opts {
	policy_kind kind;
	size_t max_size; /* 0 = POLICY_DEFAULT_MAX_SIZE */
} policy_opts;

/* A parsed document; every byte of it lives in the arena given to policy_parse. */
typedef struct policy_doc policy_doc;

/* Parses `text` (at most opts->max_size non-whitespace characters, else LimitExceeded
 * 409 "Cannot exceed quota for ACLSizePerRole: N" / "...PolicySize: N"). opts NULL means
 * a trust policy with the default limit. */
bool policy_parse(gh_arena *a, gh_str text, const policy_opts *opts, const policy_doc **out,
		  gh_err *err) GH_MUST_CHECK;
size_t policy_statement_count(const policy_doc *d);

/* ---- requests ------------------------------------------------------------------ */

typedef enum policy_caller_type {
	POLICY_CALLER_ANONYMOUS,
	POLICY_CALLER_AWS,	 /* an IAM user, role session, root or federated user */
	POLICY_CALLER_SERVICE,	 /* an AWS service principal, e.g. pods.eks.amazonaws.com */
	POLICY_CALLER_FEDERATED, /* a web identity or SAML caller, named by its provider */
} policy_caller_type;

typedef struct policy_caller {
	policy_caller_type type;
	enum gh_principal_kind kind; /* POLICY_CALLER_AWS only */
	/* AWS: the ARN as presented (the session ARN for an assumed role). SERVICE: the
	 * service principal. FEDERATED: the provider, as an oidc-provider or saml-provider
	 * ARN or a well-known IdP name (accounts.google.com, ...). */
	gh_str arn;
	gh_str role_arn;   /* assumed roles: arn:P:iam::A:role[/path]/name */
	gh_str account_id; /* AWS callers */
	gh_str unique_id;  /* AIDA... / AROA... (without ":session"), when known */
} policy_caller;

/* One condition context key with its values. Names compare case-insensitively. A key
 * with no values is treated as absent. */
typedef struct policy_ctx_key {
	gh_str name;
	const gh_str *values;
	size_t n;
} policy_ctx_key;

typedef struct policy_request {
	gh_str action;	 /* "sts:AssumeRole" */
	policy_caller caller;
	gh_str resource; /* the resource ARN (the role, for trust policies) */
	const policy_ctx_key *ctx;
	size_t nctx;
} policy_request;

/* Appends the global keys AWS derives from the caller (aws:PrincipalArn,
 * aws:PrincipalAccount, aws:PrincipalType, aws:userid, aws:username) to out[*n..cap),
 * with values allocated in `a`. False when `cap` or memory ran out. */
bool policy_caller_context(const policy_caller *c, gh_arena *a, policy_ctx_key *out,
			   size_t *n, size_t cap) GH_MUST_CHECK;

/* ---- decisions ----------------------------------------------------------------- */

typedef enum policy_decision {
	POLICY_IMPLICIT_DENY,
	POLICY_ALLOW,
	POLICY_EXPLICIT_DENY,
} policy_decision;

/* Why a statement did or did not apply: the first element that failed, in the order
 * action, principal, resource, condition. */
typedef enum policy_outcome {
	POLICY_STMT_APPLIES,
	POLICY_STMT_NO_ACTION,	  /* Action / NotAction did not match */
	POLICY_STMT_NO_PRINCIPAL, /* Principal / NotPrincipal did not match */
	POLICY_STMT_NO_RESOURCE,  /* Resource / NotResource did not match */
	POLICY_STMT_NO_CONDITION, /* a condition was false */
	POLICY_STMT_UNDETERMINED, /* a condition or resource could not be decided */
} policy_outcome;

#define POLICY_WHY_MAX 320

typedef struct policy_trace {
	size_t index;	/* 0-based position in the document */
	gh_str sid;	/* empty when the statement has none */
	bool deny;	/* Effect */
	bool applies;	/* counted in the decision (an undetermined Deny applies) */
	policy_outcome outcome;
	char why[POLICY_WHY_MAX];
} policy_trace;

typedef struct policy_result {
	policy_decision decision;
	policy_trace *trace; /* one entry per statement, in the arena */
	size_t ntrace;
} policy_result;

/* Decides `r` against `d`. `a` holds scratch memory and the trace. False only when
 * memory ran out; the decision is then POLICY_IMPLICIT_DENY. */
bool policy_evaluate(const policy_doc *d, const policy_request *r, gh_arena *a,
		     policy_result *out, gh_err *err) GH_MUST_CHECK;

const char *policy_decision_name(policy_decision d); /* "allow", "explicit deny", ... */
const char *policy_outcome_name(policy_outcome o);

#endif
