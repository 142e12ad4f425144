#include "base/arena.h"
#include "base/str.h"
#include "domain/aws/policy.h"
#include "test.h"

/* ---- fixtures ------------------------------------------------------------------ */

enum {
	C_USER,	     /* arn:aws:iam::111122223333:user/eng/alice */
	C_SESSION,   /* a session of role/team/Deployer */
	C_ROOT,
	C_OTHER,     /* a user of another account */
	C_FEDUSER,
	C_SERVICE,   /* pods.eks.amazonaws.com */
	C_OIDC,	     /* an EKS OIDC provider */
	C_ANON,
	C_CN_USER,   /* same account id, aws-cn partition */
};

#define ACCT "111122223333"
#define OIDC "arn:aws:iam::" ACCT ":oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
#define ROLE_TARGET "arn:aws:iam::" ACCT ":role/Target"

static policy_caller caller(int which)
{
	switch (which) {
	case C_USER:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_USER,
					GH_STR("arn:aws:iam::" ACCT ":user/eng/alice"), { "", 0 },
					GH_STR(ACCT), GH_STR("AIDAEXAMPLEALICE00001") };
	case C_SESSION:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_ASSUMED_ROLE,
					GH_STR("arn:aws:sts::" ACCT ":assumed-role/Deployer/ci-run"),
					GH_STR("arn:aws:iam::" ACCT ":role/team/Deployer"), GH_STR(ACCT),
					GH_STR("AROAEXAMPLEDEPLOY0001") };
	case C_ROOT:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_ROOT,
					GH_STR("arn:aws:iam::" ACCT ":root"), { "", 0 }, GH_STR(ACCT),
					{ "", 0 } };
	case C_OTHER:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_USER,
					GH_STR("arn:aws:iam::444455556666:user/mallory"), { "", 0 },
					GH_STR("444455556666"), GH_STR("AIDAEXAMPLEMALLORY001") };
	case C_FEDUSER:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_FEDERATED,
					GH_STR("arn:aws:sts::" ACCT ":federated-user/bob"), { "", 0 },
					GH_STR(ACCT), { "", 0 } };
	case C_SERVICE:
		return (policy_caller){ .type = POLICY_CALLER_SERVICE,
					.arn = GH_STR("pods.eks.amazonaws.com") };
	case C_OIDC:
		return (policy_caller){ .type = POLICY_CALLER_FEDERATED, .arn = GH_STR(OIDC) };
	case C_CN_USER:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_USER,
					GH_STR("arn:aws-cn:iam::" ACCT ":user/alice"), { "", 0 },
					GH_STR(ACCT), { "", 0 } };
	default:
		return (policy_caller){ .type = POLICY_CALLER_ANONYMOUS };
	}
}

/* "k=v1|v2;k2=v" into context keys; "k=" is a key with no values. */
static size_t parse_ctx(gh_arena *a, const char *spec, policy_ctx_key *out, size_t cap)
{
	size_t n = 0;
	gh_str rest = gh_str_c(spec), item;
	while (rest.n && n < cap) {
		if (!gh_str_cut(rest, ';', &item, &rest))
			rest.n = 0;
		gh_str name, vals;
		gh_str_cut(item, '=', &name, &vals);
		gh_str *v = gh_arena_alloc(a, 8 * sizeof *v);
		size_t nv = 0;
		gh_str one;
		while (vals.n && nv < 8) {
			if (!gh_str_cut(vals, '|', &one, &vals))
				vals.n = 0; /* the last value: one already holds it */
			v[nv++] = one;
		}
		out[n++] = (policy_ctx_key){ name, v, nv };
	}
	return n;
}

typedef struct ecase {
	const char *name;
	policy_kind kind;
	const char *doc;
	const char *action; /* NULL = sts:AssumeRole */
	int who;
	const char *ctx;
	policy_decision want;
} ecase;

#define V12 "{\"Version\":\"2012-10-17\",\"Statement\":["
#define END "]}"
#define DOC(...) V12 __VA_ARGS__ END
#define ALLOW_P(p) "{\"Effect\":\"Allow\",\"Principal\":" p ",\"Action\":\"sts:AssumeRole\"}"
#define ALLOW_AWS(a) ALLOW_P("{\"AWS\":" a "}")
#define ALLOW_ACT(a) "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":" a "}"
#define ALLOW_ALL "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:*\"}"
#define DENY_ALL "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:*\"}"
#define COND_STMT(effect, c) \
	"{\"Effect\":\"" effect "\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Condition\":" c "}"
#define COND(c) DOC(COND_STMT("Allow", c))
#define DENY_COND(c) DOC(ALLOW_ALL "," COND_STMT("Deny", c))
#define NOTP(effect, p) \
	"{\"Effect\":\"" effect "\",\"NotPrincipal\":" p ",\"Action\":\"sts:AssumeRole\"}"

#define ALLOW POLICY_ALLOW
#define IMPLICIT POLICY_IMPLICIT_DENY
#define EXPLICIT POLICY_EXPLICIT_DENY
#define T POLICY_TRUST
#define R POLICY_RESOURCE
#define I POLICY_IDENTITY

static const ecase eval_cases[] = {
	/* principals */
	{ "star string, user", T, DOC(ALLOW_P("\"*\"")), NULL, C_USER, "", ALLOW },
	{ "star string, anonymous", T, DOC(ALLOW_P("\"*\"")), NULL, C_ANON, "", ALLOW },
	{ "AWS star, user", T, DOC(ALLOW_AWS("\"*\"")), NULL, C_USER, "", ALLOW },
	{ "AWS star, service", T, DOC(ALLOW_AWS("\"*\"")), NULL, C_SERVICE, "", IMPLICIT },
	{ "AWS star, anonymous", T, DOC(ALLOW_AWS("\"*\"")), NULL, C_ANON, "", IMPLICIT },
	{ "account id, user", T, DOC(ALLOW_AWS("\"" ACCT "\"")), NULL, C_USER, "", ALLOW },
	{ "account id, session", T, DOC(ALLOW_AWS("\"" ACCT "\"")), NULL, C_SESSION, "", ALLOW },
	{ "account id, federated user", T, DOC(ALLOW_AWS("\"" ACCT "\"")), NULL, C_FEDUSER, "", ALLOW },
	{ "account id, other account", T, DOC(ALLOW_AWS("\"" ACCT "\"")), NULL, C_OTHER, "", IMPLICIT },
	{ "account id, service", T, DOC(ALLOW_AWS("\"" ACCT "\"")), NULL, C_SERVICE, "", IMPLICIT },
	{ "root arn, user", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":root\"")), NULL, C_USER, "", ALLOW },
	{ "root arn, root", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":root\"")), NULL, C_ROOT, "", ALLOW },
	{ "root arn, other partition", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":root\"")), NULL,
	  C_CN_USER, "", IMPLICIT },
	{ "bare account id ignores partition", T, DOC(ALLOW_AWS("\"" ACCT "\"")), NULL, C_CN_USER, "",
	  ALLOW },
	{ "user arn with path", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":user/eng/alice\"")), NULL,
	  C_USER, "", ALLOW },
	{ "user arn without path", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":user/alice\"")), NULL,
	  C_USER, "", ALLOW },
	{ "user name case-insensitive", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":user/ALICE\"")), NULL,
	  C_USER, "", ALLOW },
	{ "other user", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":user/bob\"")), NULL, C_USER, "",
	  IMPLICIT },
	{ "user arn, root caller", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":user/alice\"")), NULL,
	  C_ROOT, "", IMPLICIT },
	{ "role arn, its session", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":role/team/Deployer\"")),
	  NULL, C_SESSION, "", ALLOW },
	{ "role arn without path, session", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":role/Deployer\"")),
	  NULL, C_SESSION, "", ALLOW },
	{ "other role", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":role/Other\"")), NULL, C_SESSION, "",
	  IMPLICIT },
	{ "role arn, user caller", T, DOC(ALLOW_AWS("\"arn:aws:iam::" ACCT ":role/alice\"")), NULL,
	  C_USER, "", IMPLICIT },
	{ "session arn", T,
	  DOC(ALLOW_AWS("\"arn:aws:sts::" ACCT ":assumed-role/Deployer/ci-run\"")), NULL, C_SESSION, "",
	  ALLOW },
	{ "other session name", T,
	  DOC(ALLOW_AWS("\"arn:aws:sts::" ACCT ":assumed-role/Deployer/CI-RUN\"")), NULL, C_SESSION, "",
	  IMPLICIT },
	{ "federated user arn", T, DOC(ALLOW_AWS("\"arn:aws:sts::" ACCT ":federated-user/bob\"")), NULL,
	  C_FEDUSER, "", ALLOW },
	{ "role unique id", T, DOC(ALLOW_AWS("\"AROAEXAMPLEDEPLOY0001\"")), NULL, C_SESSION, "", ALLOW },
	{ "user unique id", T, DOC(ALLOW_AWS("\"AIDAEXAMPLEALICE00001\"")), NULL, C_USER, "", ALLOW },
	{ "stale unique id", T, DOC(ALLOW_AWS("\"AROAEXAMPLEDEPLOY0002\"")), NULL, C_SESSION, "",
	  IMPLICIT },
	{ "service", T, DOC(ALLOW_P("{\"Service\":\"pods.eks.amazonaws.com\"}")), NULL, C_SERVICE, "",
	  ALLOW },
	{ "service list, tag session", T,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"ec2.amazonaws.com\","
	      "\"pods.eks.amazonaws.com\"]},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}"),
	  "sts:TagSession", C_SERVICE, "", ALLOW },
	{ "other service", T, DOC(ALLOW_P("{\"Service\":\"ec2.amazonaws.com\"}")), NULL, C_SERVICE, "",
	  IMPLICIT },
	{ "service principal, user caller", T, DOC(ALLOW_P("{\"Service\":\"pods.eks.amazonaws.com\"}")),
	  NULL, C_USER, "", IMPLICIT },
	{ "oidc provider", T,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" OIDC "\"},"
	      "\"Action\":\"sts:AssumeRoleWithWebIdentity\"}"),
	  "sts:AssumeRoleWithWebIdentity", C_OIDC, "", ALLOW },
	{ "other oidc provider", T,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::" ACCT
	      ":oidc-provider/token.actions.githubusercontent.com\"},"
	      "\"Action\":\"sts:AssumeRoleWithWebIdentity\"}"),
	  "sts:AssumeRoleWithWebIdentity", C_OIDC, "", IMPLICIT },
	{ "saml provider, oidc caller", T,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::" ACCT
	      ":saml-provider/Okta\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}"),
	  "sts:AssumeRoleWithWebIdentity", C_OIDC, "", IMPLICIT },
	{ "principal list", T,
	  DOC(ALLOW_AWS("[\"arn:aws:iam::" ACCT ":user/bob\",\"arn:aws:iam::" ACCT ":user/alice\"]")),
	  NULL, C_USER, "", ALLOW },
	{ "AWS and Service", T,
	  DOC(ALLOW_P("{\"AWS\":\"arn:aws:iam::" ACCT ":user/bob\",\"Service\":\"pods.eks.amazonaws.com\"}")),
	  NULL, C_SERVICE, "", ALLOW },
	{ "unknown caller kind", T, DOC(ALLOW_AWS("\"" ACCT "\"")), NULL, -2, "", IMPLICIT },

	/* actions */
	{ "action wildcard suffix", T, DOC(ALLOW_ACT("\"sts:AssumeRole*\"")),
	  "sts:AssumeRoleWithWebIdentity", C_OIDC, "", ALLOW },
	{ "action case-insensitive", T, DOC(ALLOW_ACT("\"STS:assumerole\"")), NULL, C_USER, "", ALLOW },
	{ "action not listed", T, DOC(ALLOW_ACT("\"sts:TagSession\"")), NULL, C_USER, "", IMPLICIT },
	{ "action list", T, DOC(ALLOW_ACT("[\"sts:AssumeRole\",\"sts:SetSourceIdentity\"]")),
	  "sts:SetSourceIdentity", C_USER, "", ALLOW },
	{ "action ?", T, DOC(ALLOW_ACT("\"sts:Assume?ole\"")), NULL, C_USER, "", ALLOW },
	{ "action sts:*", T, DOC(ALLOW_ACT("\"sts:*\"")), NULL, C_USER, "", ALLOW },
	{ "NotAction other", T,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"sts:TagSession\"}"), NULL,
	  C_USER, "", ALLOW },
	{ "NotAction same", T,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"sts:AssumeRole\"}"), NULL,
	  C_USER, "", IMPLICIT },
	{ "Deny NotAction", T,
	  DOC(ALLOW_ALL ",{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":\"sts:AssumeRole\"}"),
	  "sts:TagSession", C_USER, "", EXPLICIT },

	/* NotPrincipal */
	{ "Allow NotPrincipal, other caller", T, DOC(NOTP("Allow", "{\"AWS\":\"arn:aws:iam::" ACCT ":user/bob\"}")),
	  NULL, C_USER, "", ALLOW },
	{ "Allow NotPrincipal, listed caller", T,
	  DOC(NOTP("Allow", "{\"AWS\":\"arn:aws:iam::" ACCT ":user/alice\"}")), NULL, C_USER, "",
	  IMPLICIT },
	{ "Allow NotPrincipal, account listed", T, DOC(NOTP("Allow", "{\"AWS\":\"" ACCT "\"}")), NULL,
	  C_SESSION, "", IMPLICIT },
	{ "Deny NotPrincipal role only", T,
	  DOC(ALLOW_ALL "," NOTP("Deny", "{\"AWS\":\"arn:aws:iam::" ACCT ":role/Deployer\"}")), NULL,
	  C_SESSION, "", EXPLICIT },
	{ "Deny NotPrincipal role, session, account", T,
	  DOC(ALLOW_ALL "," NOTP("Deny", "{\"AWS\":[\"arn:aws:iam::" ACCT ":role/Deployer\","
				  "\"arn:aws:sts::" ACCT ":assumed-role/Deployer/ci-run\",\"" ACCT "\"]}")),
	  NULL, C_SESSION, "", ALLOW },
	{ "Deny NotPrincipal user and account", T,
	  DOC(ALLOW_ALL "," NOTP("Deny", "{\"AWS\":[\"arn:aws:iam::" ACCT ":user/alice\","
				  "\"arn:aws:iam::" ACCT ":root\"]}")),
	  NULL, C_USER, "", ALLOW },
	{ "Deny NotPrincipal user only", T,
	  DOC(ALLOW_ALL "," NOTP("Deny", "{\"AWS\":\"arn:aws:iam::" ACCT ":user/alice\"}")), NULL,
	  C_USER, "", EXPLICIT },
	{ "Deny NotPrincipal AWS star, service", T,
	  DOC(ALLOW_ALL "," NOTP("Deny", "{\"AWS\":\"*\"}")), NULL, C_SERVICE, "", EXPLICIT },
	{ "Deny NotPrincipal AWS star, user", T, DOC(ALLOW_ALL "," NOTP("Deny", "{\"AWS\":\"*\"}")),
	  NULL, C_USER, "", ALLOW },
	{ "Deny NotPrincipal, anonymous", T,
	  DOC(ALLOW_ALL "," NOTP("Deny", "{\"AWS\":\"" ACCT "\"}")), NULL, C_ANON, "", EXPLICIT },

	/* effects */
	{ "deny overrides allow", T, DOC(ALLOW_ALL "," DENY_ALL), NULL, C_USER, "", EXPLICIT },
	{ "deny first still wins", T, DOC(DENY_ALL "," ALLOW_ALL), NULL, C_USER, "", EXPLICIT },
	{ "deny alone", T, DOC(DENY_ALL), NULL, C_USER, "", EXPLICIT },
	{ "non-matching deny", T,
	  DOC(ALLOW_ALL ",{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"444455556666\"},\"Action\":\"sts:*\"}"),
	  NULL, C_USER, "", ALLOW },
	{ "statement as object", T,
	  "{\"Version\":\"2012-10-17\",\"Statement\":" ALLOW_P("\"*\"") "}", NULL, C_USER, "", ALLOW },
	{ "no statement applies", T, DOC(ALLOW_ACT("\"sts:TagSession\"")), NULL, C_USER, "", IMPLICIT },

	/* string operators */
	{ "StringEquals", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"abc\"}}"), NULL, C_USER,
	  "sts:ExternalId=abc", ALLOW },
	{ "StringEquals mismatch", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"abc\"}}"), NULL,
	  C_USER, "sts:ExternalId=abd", IMPLICIT },
	{ "StringEquals absent", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"abc\"}}"), NULL,
	  C_USER, "", IMPLICIT },
	{ "StringEquals empty key is absent", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"abc\"}}"),
	  NULL, C_USER, "sts:ExternalId=", IMPLICIT },
	{ "StringEquals is case-sensitive", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"ABC\"}}"),
	  NULL, C_USER, "sts:ExternalId=abc", IMPLICIT },
	{ "key names are case-insensitive", T, COND("{\"StringEquals\":{\"STS:externalid\":\"abc\"}}"),
	  NULL, C_USER, "sts:ExternalId=abc", ALLOW },
	{ "values are ORed", T, COND("{\"StringEquals\":{\"sts:ExternalId\":[\"x\",\"abc\"]}}"), NULL,
	  C_USER, "sts:ExternalId=abc", ALLOW },
	{ "keys are ANDed, one false", T,
	  COND("{\"StringEquals\":{\"sts:ExternalId\":\"abc\",\"sts:RoleSessionName\":\"s1\"}}"), NULL,
	  C_USER, "sts:ExternalId=abc;sts:RoleSessionName=s2", IMPLICIT },
	{ "keys are ANDed, both true", T,
	  COND("{\"StringEquals\":{\"sts:ExternalId\":\"abc\",\"sts:RoleSessionName\":\"s1\"}}"), NULL,
	  C_USER, "sts:ExternalId=abc;sts:RoleSessionName=s1", ALLOW },
	{ "operators are ANDed", T,
	  COND("{\"StringEquals\":{\"sts:ExternalId\":\"abc\"},\"Bool\":{\"aws:SecureTransport\":\"true\"}}"),
	  NULL, C_USER, "sts:ExternalId=abc;aws:SecureTransport=false", IMPLICIT },
	{ "StringNotEquals absent", T, COND("{\"StringNotEquals\":{\"sts:ExternalId\":\"abc\"}}"), NULL,
	  C_USER, "", ALLOW },
	{ "StringNotEquals is NOR", T, COND("{\"StringNotEquals\":{\"sts:ExternalId\":[\"x\",\"abc\"]}}"),
	  NULL, C_USER, "sts:ExternalId=abc", IMPLICIT },
	{ "StringNotEquals other", T, COND("{\"StringNotEquals\":{\"sts:ExternalId\":[\"x\",\"abc\"]}}"),
	  NULL, C_USER, "sts:ExternalId=y", ALLOW },
	{ "StringEqualsIgnoreCase", T, COND("{\"StringEqualsIgnoreCase\":{\"sts:ExternalId\":\"ABC\"}}"),
	  NULL, C_USER, "sts:ExternalId=abc", ALLOW },
	{ "StringNotEqualsIgnoreCase", T,
	  COND("{\"StringNotEqualsIgnoreCase\":{\"sts:ExternalId\":\"ABC\"}}"), NULL, C_USER,
	  "sts:ExternalId=abc", IMPLICIT },
	{ "StringLike irsa sub", T,
	  COND("{\"StringLike\":{\"oidc.eks.us-west-2.amazonaws.com/id/X:sub\":\"system:serviceaccount:ns:*\"}}"),
	  "sts:AssumeRole", C_USER, "oidc.eks.us-west-2.amazonaws.com/id/X:sub=system:serviceaccount:ns:sa",
	  ALLOW },
	{ "StringLike ?", T, COND("{\"StringLike\":{\"sts:RoleSessionName\":\"run-?\"}}"), NULL, C_USER,
	  "sts:RoleSessionName=run-7", ALLOW },
	{ "StringLike ? is one character", T, COND("{\"StringLike\":{\"sts:RoleSessionName\":\"run-?\"}}"),
	  NULL, C_USER, "sts:RoleSessionName=run-77", IMPLICIT },
	{ "StringLike mismatch", T, COND("{\"StringLike\":{\"sts:RoleSessionName\":\"ci-*\"}}"), NULL,
	  C_USER, "sts:RoleSessionName=dev-1", IMPLICIT },
	{ "StringNotLike match", T, COND("{\"StringNotLike\":{\"sts:RoleSessionName\":\"ci-*\"}}"), NULL,
	  C_USER, "sts:RoleSessionName=ci-1", IMPLICIT },
	{ "StringNotLike absent", T, COND("{\"StringNotLike\":{\"sts:RoleSessionName\":\"ci-*\"}}"), NULL,
	  C_USER, "", ALLOW },
	{ "StringEquals star is literal", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"*\"}}"), NULL,
	  C_USER, "sts:ExternalId=abc", IMPLICIT },
	{ "StringEqualsIfExists absent", T, COND("{\"StringEqualsIfExists\":{\"sts:ExternalId\":\"abc\"}}"),
	  NULL, C_USER, "", ALLOW },
	{ "StringEqualsIfExists present", T,
	  COND("{\"StringEqualsIfExists\":{\"sts:ExternalId\":\"abc\"}}"), NULL, C_USER,
	  "sts:ExternalId=zzz", IMPLICIT },
	{ "StringNotLikeIfExists absent", T,
	  COND("{\"StringNotLikeIfExists\":{\"sts:ExternalId\":\"a*\"}}"), NULL, C_USER, "", ALLOW },
	{ "operator name case-insensitive", T, COND("{\"stringequals\":{\"sts:ExternalId\":\"abc\"}}"),
	  NULL, C_USER, "sts:ExternalId=abc", ALLOW },
	{ "empty operator block", T, COND("{\"StringEquals\":{}}"), NULL, C_USER, "", ALLOW },

	/* numeric */
	{ "NumericLessThan", T, COND("{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}"), NULL,
	  C_USER, "aws:MultiFactorAuthAge=100", ALLOW },
	{ "NumericLessThan false", T, COND("{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}"),
	  NULL, C_USER, "aws:MultiFactorAuthAge=4000", IMPLICIT },
	{ "NumericGreaterThanEquals edge", T,
	  COND("{\"NumericGreaterThanEquals\":{\"aws:MultiFactorAuthAge\":\"10\"}}"), NULL, C_USER,
	  "aws:MultiFactorAuthAge=10", ALLOW },
	{ "NumericGreaterThan edge", T, COND("{\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":\"10\"}}"),
	  NULL, C_USER, "aws:MultiFactorAuthAge=10", IMPLICIT },
	{ "NumericLessThanEquals decimal", T,
	  COND("{\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":\"10.5\"}}"), NULL, C_USER,
	  "aws:MultiFactorAuthAge=10.5", ALLOW },
	{ "NumericEquals JSON number", T, COND("{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":5}}"), NULL,
	  C_USER, "aws:MultiFactorAuthAge=5.0", ALLOW },
	{ "NumericNotEquals", T, COND("{\"NumericNotEquals\":{\"aws:MultiFactorAuthAge\":5}}"), NULL,
	  C_USER, "aws:MultiFactorAuthAge=6", ALLOW },
	{ "NumericGreaterThan absent", T, COND("{\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":1}}"),
	  NULL, C_USER, "", IMPLICIT },
	{ "Numeric bad policy value allows nothing", T,
	  COND("{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"abc\"}}"), NULL, C_USER,
	  "aws:MultiFactorAuthAge=1", IMPLICIT },
	{ "Numeric bad policy value denies", T,
	  DENY_COND("{\"NumericNotEquals\":{\"aws:MultiFactorAuthAge\":\"abc\"}}"), NULL, C_USER,
	  "aws:MultiFactorAuthAge=1", EXPLICIT },
	{ "Numeric bad request value allows nothing", T,
	  COND("{\"NumericNotEquals\":{\"aws:MultiFactorAuthAge\":\"1\"}}"), NULL, C_USER,
	  "aws:MultiFactorAuthAge=1e3", IMPLICIT },

	/* dates */
	{ "DateLessThan", T, COND("{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}"),
	  NULL, C_USER, "aws:CurrentTime=2025-06-01T12:00:00Z", ALLOW },
	{ "DateGreaterThan", T, COND("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}"),
	  NULL, C_USER, "aws:CurrentTime=2025-06-01T12:00:00Z", IMPLICIT },
	{ "Date epoch policy value", T, COND("{\"DateLessThan\":{\"aws:CurrentTime\":\"1900000000\"}}"),
	  NULL, C_USER, "aws:CurrentTime=2025-06-01T12:00:00Z", ALLOW },
	{ "DateEquals bare date", T, COND("{\"DateEquals\":{\"aws:CurrentTime\":\"2025-01-01\"}}"), NULL,
	  C_USER, "aws:CurrentTime=2025-01-01T00:00:00Z", ALLOW },
	{ "DateNotEquals absent", T, COND("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2025-01-01\"}}"),
	  NULL, C_USER, "", ALLOW },
	{ "Date epoch request value", T,
	  COND("{\"DateLessThanEquals\":{\"aws:EpochTime\":\"2023-11-14T22:13:20Z\"}}"), NULL, C_USER,
	  "aws:EpochTime=1700000000", ALLOW },
	{ "Date with offset", T,
	  COND("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2025-06-01T14:00:00+02:00\"}}"), NULL,
	  C_USER, "aws:CurrentTime=2025-06-01T12:00:00Z", ALLOW },
	{ "Date unparsable", T, COND("{\"DateLessThan\":{\"aws:CurrentTime\":\"tomorrow\"}}"), NULL,
	  C_USER, "aws:CurrentTime=2025-06-01T12:00:00Z", IMPLICIT },

	/* bool, binary */
	{ "Bool JSON true", T, COND("{\"Bool\":{\"aws:SecureTransport\":true}}"), NULL, C_USER,
	  "aws:SecureTransport=true", ALLOW },
	{ "Bool mismatch", T, COND("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}"), NULL, C_USER,
	  "aws:SecureTransport=true", IMPLICIT },
	{ "Bool absent", T, COND("{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}"), NULL, C_USER, "",
	  IMPLICIT },
	{ "BoolIfExists absent", T, COND("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"true\"}}"),
	  NULL, C_USER, "", ALLOW },
	{ "BoolIfExists false", T, COND("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"true\"}}"),
	  NULL, C_USER, "aws:MultiFactorAuthPresent=false", IMPLICIT },
	{ "Bool case-insensitive", T, COND("{\"Bool\":{\"aws:SecureTransport\":\"TRUE\"}}"), NULL, C_USER,
	  "aws:SecureTransport=true", ALLOW },
	{ "BinaryEquals", T, COND("{\"BinaryEquals\":{\"x:blob\":\"QmluYXJ5VmFsdWU=\"}}"), NULL, C_USER,
	  "x:blob=QmluYXJ5VmFsdWU", ALLOW },
	{ "BinaryEquals mismatch", T, COND("{\"BinaryEquals\":{\"x:blob\":\"QmluYXJ5VmFsdWU=\"}}"), NULL,
	  C_USER, "x:blob=QmluYXJ5", IMPLICIT },

	/* IP addresses */
	{ "IpAddress v4", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}"), NULL, C_USER,
	  "aws:SourceIp=203.0.113.7", ALLOW },
	{ "IpAddress v4 outside", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}"), NULL,
	  C_USER, "aws:SourceIp=198.51.100.1", IMPLICIT },
	{ "NotIpAddress outside", T, COND("{\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}"),
	  NULL, C_USER, "aws:SourceIp=198.51.100.1", ALLOW },
	{ "NotIpAddress inside list", T,
	  COND("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"203.0.113.0/24\"]}}"), NULL, C_USER,
	  "aws:SourceIp=203.0.113.9", IMPLICIT },
	{ "IpAddress v6", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}"), NULL, C_USER,
	  "aws:SourceIp=2001:db8:1::5", ALLOW },
	{ "IpAddress v6 prefix /33", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8:8000::/33\"}}"),
	  NULL, C_USER, "aws:SourceIp=2001:db8:1::5", IMPLICIT },
	{ "IpAddress family mismatch", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}"),
	  NULL, C_USER, "aws:SourceIp=2001:db8::1", IMPLICIT },
	{ "IpAddress single address", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.7\"}}"), NULL,
	  C_USER, "aws:SourceIp=203.0.113.7", ALLOW },
	{ "IpAddress host bits set", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.77/25\"}}"),
	  NULL, C_USER, "aws:SourceIp=203.0.113.1", ALLOW },
	{ "IpAddress /0", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}"), NULL, C_USER,
	  "aws:SourceIp=8.8.8.8", ALLOW },
	{ "NotIpAddress absent", T, COND("{\"NotIpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}"), NULL,
	  C_USER, "", ALLOW },
	{ "IpAddress bad CIDR", T, COND("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}"), NULL,
	  C_USER, "aws:SourceIp=10.0.0.1", IMPLICIT },

	/* ARN operators */
	{ "ArnLike", T, COND("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::" ACCT ":role/*\"}}"),
	  NULL, C_SESSION, "aws:PrincipalArn=arn:aws:iam::" ACCT ":role/team/Deployer", ALLOW },
	{ "ArnLike wildcards per section", T,
	  COND("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::1111*:role/*Deploy?r\"}}"), NULL,
	  C_SESSION, "aws:PrincipalArn=arn:aws:iam::" ACCT ":role/team/Deployer", ALLOW },
	{ "ArnLike * stays in its section", T,
	  COND("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:*:bucket\"}}"), NULL, C_USER,
	  "aws:SourceArn=arn:aws:s3:::bucket", IMPLICIT },
	{ "ArnEquals", T, COND("{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::bucket\"}}"), NULL,
	  C_USER, "aws:SourceArn=arn:aws:s3:::bucket", ALLOW },
	{ "ArnNotEquals", T, COND("{\"ArnNotEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::bucket\"}}"), NULL,
	  C_USER, "aws:SourceArn=arn:aws:s3:::other", ALLOW },
	{ "ArnNotLike match", T, COND("{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:s3:::*\"}}"), NULL,
	  C_USER, "aws:SourceArn=arn:aws:s3:::bucket", IMPLICIT },
	{ "ArnLike resource section with colons", T,
	  COND("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:logs:*:" ACCT ":log-group:*\"}}"), NULL, C_USER,
	  "aws:SourceArn=arn:aws:logs:us-east-1:" ACCT ":log-group:/x:*", ALLOW },
	{ "ArnLike non-ARN request value", T,
	  COND("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::*\"}}"), NULL, C_USER,
	  "aws:SourceArn=bucket", IMPLICIT },

	/* Null */
	{ "Null true, absent", T, COND("{\"Null\":{\"sts:ExternalId\":\"true\"}}"), NULL, C_USER, "", ALLOW },
	{ "Null true, present", T, COND("{\"Null\":{\"sts:ExternalId\":\"true\"}}"), NULL, C_USER,
	  "sts:ExternalId=x", IMPLICIT },
	{ "Null false, present", T, COND("{\"Null\":{\"sts:ExternalId\":false}}"), NULL, C_USER,
	  "sts:ExternalId=x", ALLOW },
	{ "Null false, absent", T, COND("{\"Null\":{\"sts:ExternalId\":\"false\"}}"), NULL, C_USER, "",
	  IMPLICIT },
	{ "Null false, empty multivalued", T, COND("{\"Null\":{\"aws:TagKeys\":\"false\"}}"), NULL, C_USER,
	  "aws:TagKeys=", IMPLICIT },

	/* set operators */
	{ "ForAllValues subset", T, COND("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}"),
	  NULL, C_USER, "aws:TagKeys=a|b", ALLOW },
	{ "ForAllValues not subset", T,
	  COND("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}"), NULL, C_USER,
	  "aws:TagKeys=a|c", IMPLICIT },
	{ "ForAllValues absent", T, COND("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":\"a\"}}"), NULL,
	  C_USER, "", ALLOW },
	{ "ForAllValues empty", T, COND("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":\"a\"}}"), NULL,
	  C_USER, "aws:TagKeys=", ALLOW },
	{ "ForAnyValue one matches", T, COND("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}"),
	  NULL, C_USER, "aws:TagKeys=c|a", ALLOW },
	{ "ForAnyValue absent", T, COND("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}"), NULL,
	  C_USER, "", IMPLICIT },
	{ "ForAnyValue none", T, COND("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}"), NULL,
	  C_USER, "aws:TagKeys=c|d", IMPLICIT },
	{ "ForAnyValue:StringLike", T, COND("{\"ForAnyValue:StringLike\":{\"aws:TagKeys\":\"team-*\"}}"),
	  NULL, C_USER, "aws:TagKeys=x|team-1", ALLOW },
	{ "ForAllValues:StringNotEquals ok", T,
	  COND("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":\"secret\"}}"), NULL, C_USER,
	  "aws:TagKeys=a|b", ALLOW },
	{ "ForAllValues:StringNotEquals hit", T,
	  COND("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":\"secret\"}}"), NULL, C_USER,
	  "aws:TagKeys=a|secret", IMPLICIT },
	{ "ForAnyValue:StringNotEquals", T,
	  COND("{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":\"a\"}}"), NULL, C_USER,
	  "aws:TagKeys=a|b", ALLOW },
	{ "ForAnyValue:StringNotEquals absent", T,
	  COND("{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":\"a\"}}"), NULL, C_USER, "", IMPLICIT },
	{ "ForAnyValue IfExists absent", T,
	  COND("{\"ForAnyValue:StringEqualsIfExists\":{\"aws:TagKeys\":\"a\"}}"), NULL, C_USER, "", ALLOW },
	{ "set prefix case-insensitive", T,
	  COND("{\"forallvalues:stringequals\":{\"aws:TagKeys\":\"a\"}}"), NULL, C_USER, "aws:TagKeys=a",
	  ALLOW },
	{ "multivalued without set operator", T, COND("{\"StringEquals\":{\"aws:TagKeys\":\"a\"}}"), NULL,
	  C_USER, "aws:TagKeys=a|b", IMPLICIT },
	{ "multivalued without set operator, Deny", T,
	  DENY_COND("{\"StringEquals\":{\"aws:TagKeys\":\"z\"}}"), NULL, C_USER, "aws:TagKeys=a|b",
	  EXPLICIT },
	{ "single value with set operator", T,
	  COND("{\"ForAnyValue:StringEquals\":{\"aws:RequestTag/team\":\"a\"}}"), NULL, C_USER,
	  "aws:RequestTag/team=a", ALLOW },
	{ "cognito amr", T,
	  COND("{\"ForAnyValue:StringLike\":{\"cognito-identity.amazonaws.com:amr\":\"authenticated\"}}"),
	  NULL, C_OIDC, "cognito-identity.amazonaws.com:amr=authenticated|graph.facebook.com", ALLOW },
	{ "ForAllValues:NumericLessThan", T,
	  COND("{\"ForAllValues:NumericLessThan\":{\"x:sizes\":\"10\"}}"), NULL, C_USER, "x:sizes=1|9",
	  ALLOW },
	{ "ForAnyValue:IpAddress", T, COND("{\"ForAnyValue:IpAddress\":{\"x:ips\":\"10.0.0.0/8\"}}"), NULL,
	  C_USER, "x:ips=192.168.0.1|10.1.2.3", ALLOW },

	/* policy variables */
	{ "variable", T, COND("{\"StringEquals\":{\"sts:RoleSessionName\":\"${aws:username}\"}}"), NULL,
	  C_USER, "aws:username=alice;sts:RoleSessionName=alice", ALLOW },
	{ "variable mismatch", T, COND("{\"StringEquals\":{\"sts:RoleSessionName\":\"${aws:username}\"}}"),
	  NULL, C_USER, "aws:username=alice;sts:RoleSessionName=bob", IMPLICIT },
	{ "variable absent, Allow", T,
	  COND("{\"StringNotEquals\":{\"sts:RoleSessionName\":\"${aws:username}\"}}"), NULL, C_SESSION,
	  "sts:RoleSessionName=bob", IMPLICIT },
	{ "variable absent, Deny", T,
	  DENY_COND("{\"StringNotEquals\":{\"sts:RoleSessionName\":\"${aws:username}\"}}"), NULL,
	  C_SESSION, "sts:RoleSessionName=bob", EXPLICIT },
	{ "variable default", T,
	  COND("{\"StringEquals\":{\"sts:RoleSessionName\":\"${aws:username, 'nobody'}\"}}"), NULL,
	  C_SESSION, "sts:RoleSessionName=nobody", ALLOW },
	{ "variable default unused", T,
	  COND("{\"StringEquals\":{\"sts:RoleSessionName\":\"${ aws:username , 'nobody' }\"}}"), NULL,
	  C_USER, "aws:username=alice;sts:RoleSessionName=alice", ALLOW },
	{ "variable in the middle", T,
	  COND("{\"StringLike\":{\"sts:RoleSessionName\":\"${aws:PrincipalTag/team}-*\"}}"), NULL, C_USER,
	  "aws:PrincipalTag/team=blue;sts:RoleSessionName=blue-7", ALLOW },
	{ "substituted * is literal", T,
	  COND("{\"StringLike\":{\"sts:RoleSessionName\":\"${aws:PrincipalTag/team}-x\"}}"), NULL,
	  C_USER, "aws:PrincipalTag/team=*;sts:RoleSessionName=blue-x", IMPLICIT },
	{ "${*} is a literal star", T, COND("{\"StringLike\":{\"sts:ExternalId\":\"a${*}\"}}"), NULL,
	  C_USER, "sts:ExternalId=a*", ALLOW },
	{ "${*} does not glob", T, COND("{\"StringLike\":{\"sts:ExternalId\":\"a${*}\"}}"), NULL, C_USER,
	  "sts:ExternalId=ab", IMPLICIT },
	{ "${?} and ${$}", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"${?}${$}{x}\"}}"), NULL,
	  C_USER, "sts:ExternalId=?${x}", ALLOW },
	{ "variable name case-insensitive", T,
	  COND("{\"StringEquals\":{\"sts:RoleSessionName\":\"${AWS:USERNAME}\"}}"), NULL, C_USER,
	  "aws:username=alice;sts:RoleSessionName=alice", ALLOW },
	{ "variable in ArnLike", T,
	  COND("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::${aws:PrincipalAccount}:role/*\"}}"),
	  NULL, C_SESSION,
	  "aws:PrincipalAccount=" ACCT ";aws:PrincipalArn=arn:aws:iam::" ACCT ":role/team/Deployer", ALLOW },
	{ "multivalued variable", T, COND("{\"StringEquals\":{\"sts:ExternalId\":\"${aws:TagKeys}\"}}"),
	  NULL, C_USER, "aws:TagKeys=a|b;sts:ExternalId=a", IMPLICIT },
	{ "unterminated variable is text", T,
	  COND("{\"StringEquals\":{\"sts:ExternalId\":\"${aws:username\"}}"), NULL, C_USER,
	  "aws:username=alice;sts:ExternalId=${aws:username", ALLOW },
	{ "2008 version: variables are text", T,
	  "{\"Version\":\"2008-10-17\",\"Statement\":[" COND_STMT("Allow",
	  "{\"StringEquals\":{\"sts:ExternalId\":\"${aws:username}\"}}") "]}", NULL, C_USER,
	  "aws:username=alice;sts:ExternalId=${aws:username}", ALLOW },
	{ "no version: variables are text", T,
	  "{\"Statement\":[" COND_STMT("Allow", "{\"StringEquals\":{\"sts:ExternalId\":\"${aws:username}\"}}")
	  "]}", NULL, C_USER, "aws:username=alice;sts:ExternalId=alice", IMPLICIT },
	{ "variable in Bool", T, COND("{\"Bool\":{\"aws:SecureTransport\":\"${x:flag}\"}}"), NULL, C_USER,
	  "x:flag=true;aws:SecureTransport=true", ALLOW },

	/* resource-based and identity policies */
	{ "Resource exact", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"" ROLE_TARGET "\"}"),
	  NULL, C_USER, "", ALLOW },
	{ "Resource wildcard", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::" ACCT ":role/*\"}"),
	  NULL, C_USER, "", ALLOW },
	{ "Resource other", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::" ACCT ":role/Other\"}"),
	  NULL, C_USER, "", IMPLICIT },
	{ "NotResource listed", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"NotResource\":\"" ROLE_TARGET "\"}"),
	  NULL, C_USER, "", IMPLICIT },
	{ "NotResource other", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"NotResource\":\"arn:aws:iam::" ACCT ":role/Other\"}"),
	  NULL, C_USER, "", ALLOW },
	{ "Resource star", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}"),
	  NULL, C_USER, "", ALLOW },
	{ "Resource with variable", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::${aws:PrincipalAccount}:role/Target\"}"),
	  NULL, C_USER, "aws:PrincipalAccount=" ACCT, ALLOW },
	{ "Resource with unresolved variable", R,
	  DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::${aws:PrincipalAccount}:role/Target\"}"),
	  NULL, C_USER, "", IMPLICIT },
	{ "identity policy", I,
	  DOC("{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"" ROLE_TARGET "\"}"),
	  NULL, C_USER, "", ALLOW },
	{ "identity policy other action", I,
	  DOC("{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"}"), NULL, C_USER, "",
	  IMPLICIT },
};

static policy_decision run_case(const ecase *c, gh_arena *a, policy_result *res, bool *ok)
{
	gh_err e = { 0 };
	const policy_doc *d = NULL;
	policy_opts o = { c->kind, 0 };
	*ok = false;
	if (!policy_parse(a, gh_str_c(c->doc), &o, &d, &e)) {
		test_failed(__FILE__, __LINE__, "case \"%s\": parse failed: %s", c->name, e.msg);
		return POLICY_IMPLICIT_DENY;
	}
	policy_ctx_key ctx[8];
	policy_request r = { gh_str_c(c->action ? c->action : "sts:AssumeRole"), caller(c->who),
			     GH_STR(ROLE_TARGET), ctx, parse_ctx(a, c->ctx, ctx, 8) };
	if (c->who == -2)
		r.caller = (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_UNKNOWN,
					    GH_STR("arn:aws:iam::" ACCT ":role/x"), { "", 0 },
					    GH_STR(ACCT), { "", 0 } };
	*ok = policy_evaluate(d, &r, a, res, &e);
	return res->decision;
}

TEST(policy_eval_table)
{
	size_t n = sizeof(eval_cases) / sizeof(eval_cases[0]);
	CHECK(n >= 150);
	for (size_t i = 0; i < n; i++) {
		gh_arena a;
		gh_arena_init(&a, 0);
		policy_result res;
		bool ok;
		policy_decision got = run_case(&eval_cases[i], &a, &res, &ok);
		if (!ok || got != eval_cases[i].want)
			test_failed(__FILE__, __LINE__, "case \"%s\": got %s, want %s (%s)",
				    eval_cases[i].name, policy_decision_name(got),
				    policy_decision_name(eval_cases[i].want),
				    res.ntrace ? res.trace[res.ntrace - 1].why : "no trace");
		gh_arena_free(&a);
	}
}

/* ---- malformed documents ----------------------------------------------------------- */

typedef struct mcase {
	policy_kind kind;
	const char *doc;
	const char *msg; /* substring of the message */
} mcase;

#define ST(...) DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"" __VA_ARGS__ "}")
#define PR(p) DOC("{\"Effect\":\"Allow\",\"Principal\":" p ",\"Action\":\"sts:AssumeRole\"}")
#define AC(a) DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":" a "}")

static const mcase malformed[] = {
	{ T, "not json", "This policy contains invalid Json" },
	{ T, DOC(ALLOW_ALL) " trailing", "This policy contains invalid Json" },
	{ T, "[]", "Syntax errors in policy" },
	{ T, "{\"Version\":\"2012-10-17\",\"Statement\":[" ALLOW_ALL "],\"Foo\":1}", "Unknown field Foo" },
	{ T, "{\"Version\":\"2012-10-17\",\"statement\":[" ALLOW_ALL "]}", "Unknown field statement" },
	{ T, DOC("{\"Effect\":\"Allow\",\"Principals\":\"*\",\"Action\":\"sts:AssumeRole\"}"),
	  "Unknown field Principals" },
	{ T, "{\"Version\":\"2020-01-01\",\"Statement\":[" ALLOW_ALL "]}",
	  "The policy must contain a valid version string" },
	{ T, "{\"Version\":20121017,\"Statement\":[" ALLOW_ALL "]}",
	  "The policy must contain a valid version string" },
	{ T, "{\"Version\":\"2012-10-17\"}", "Missing required field Statement" },
	{ T, DOC(""), "Statement must not be empty" },
	{ T, DOC("1"), "each statement must be an object" },
	{ T, "{\"Id\":5,\"Statement\":[" ALLOW_ALL "]}", "Id must be a string" },
	{ T, DOC("{\"Effect\":\"allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}"),
	  "Invalid effect: allow" },
	{ T, DOC("{\"Effect\":true,\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}"),
	  "Effect must be a string" },
	{ T, DOC("{\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}"), "Missing required field Effect" },
	{ T, DOC("{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}"),
	  "Missing required field Principal" },
	{ T, PR("\"bob\""), "Invalid principal in policy: \"bob\"" },
	{ T, PR("{\"AWS\":\"bob\"}"), "Invalid principal in policy: \"AWS\":\"bob\"" },
	{ T, PR("{\"AWS\":\"arn:aws:iam::111122223333:role/*\"}"),
	  "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:role/*\"" },
	{ T, PR("{\"AWS\":\"arn:aws:iam::*:root\"}"), "Invalid principal in policy: \"AWS\"" },
	{ T, PR("{\"AWS\":\"arn:aws:iam::1234:root\"}"), "Invalid principal in policy: \"AWS\"" },
	{ T, PR("{\"AWS\":\"arn:aws:s3:::bucket\"}"), "Invalid principal in policy: \"AWS\"" },
	{ T, PR("{\"AWS\":\"arn:aws:iam::111122223333:group/devs\"}"), "Invalid principal in policy: \"AWS\"" },
	{ T, PR("{\"AWS\":\"arn:nope:iam::111122223333:root\"}"), "Invalid principal in policy: \"AWS\"" },
	{ T, PR("{\"AWS\":\"1111222233334\"}"), "Invalid principal in policy: \"AWS\"" },
	{ T, PR("{\"Service\":\"EC2\"}"), "Invalid principal in policy: \"SERVICE\":\"EC2\"" },
	{ T, PR("{\"Service\":\"*\"}"), "Invalid principal in policy: \"SERVICE\":\"*\"" },
	{ T, PR("{\"Federated\":\"example.com\"}"), "Invalid principal in policy: \"FEDERATED\":\"example.com\"" },
	{ T, PR("{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/*\"}"),
	  "Invalid principal in policy: \"FEDERATED\"" },
	{ T, PR("{\"Foo\":\"x\"}"), "Invalid principal in policy: \"Foo\"" },
	{ T, PR("{\"aws\":\"*\"}"), "Invalid principal in policy: \"aws\"" },
	{ T, PR("{\"CanonicalUser\":\"x\"}"), "Invalid principal in policy: \"CanonicalUser\"" },
	{ R, PR("{\"CanonicalUser\":\"x\"}"), "Invalid principal in policy: \"CANONICAL_USER\":\"x\"" },
	{ T, PR("{}"), "Principal must be \"*\" or a non-empty object" },
	{ T, PR("[\"*\"]"), "Principal must be \"*\" or a non-empty object" },
	{ T, PR("{\"AWS\":[]}"), "must not be an empty list" },
	{ T, PR("{\"AWS\":123456789012}"), "must be a string or a list of strings" },
	{ T, DOC("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotPrincipal\":\"*\",\"Action\":\"sts:AssumeRole\"}"),
	  "both Principal and NotPrincipal" },
	{ T, DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\"}"), "Policy statement must contain actions." },
	{ T, AC("\"s3:GetObject\""), "AssumeRole policy may only specify STS AssumeRole actions." },
	{ T, AC("\"*\""), "AssumeRole policy may only specify STS AssumeRole actions." },
	{ T, AC("\"AssumeRole\""), "Actions/Conditions must be prefaced by a vendor" },
	{ T, AC("\"sts:a:b\""), "Actions/Condition can contain only one colon." },
	{ R, AC("\"st s:x\""), "Vendor st s is not valid" },
	{ R, AC("\":x\""), "Vendor  is not valid" },
	{ T, AC("[]"), "Action must not be an empty list" },
	{ T, AC("[\"sts:AssumeRole\",7]"), "Action must be a string or a list of strings" },
	{ T, ST(",\"NotAction\":\"sts:TagSession\""), "both Action and NotAction" },
	{ T, ST(",\"Resource\":\"*\""), "Has prohibited field Resource" },
	{ T, ST(",\"NotResource\":\"*\""), "Has prohibited field NotResource" },
	{ R, ST(",\"Resource\":\"bucket\""), "Resource bucket must be in ARN format or \"*\"." },
	{ R, ST(",\"Resource\":\"*\",\"NotResource\":\"*\""), "both Resource and NotResource" },
	{ I, DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}"),
	  "Policy document should not specify a principal." },
	{ I, DOC("{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}"),
	  "Policy statement must contain resources." },
	{ I, DOC("{\"Sid\":\"has space\",\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}"),
	  "Statement IDs (SID) must be alpha-numeric." },
	{ T, DOC("{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"},"
		 "{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}"),
	  "Statement IDs (SID) in a single policy must be unique." },
	{ T, ST(",\"Sid\":1"), "Sid must be a string" },
	{ T, ST(",\"Condition\":{\"StringEqualz\":{\"sts:ExternalId\":\"x\"}}"),
	  "Invalid Condition type : StringEqualz" },
	{ T, ST(",\"Condition\":{\"ForSomeValues:StringEquals\":{\"sts:ExternalId\":\"x\"}}"),
	  "Invalid Condition type : ForSomeValues:StringEquals" },
	{ T, ST(",\"Condition\":{\"NullIfExists\":{\"sts:ExternalId\":\"true\"}}"),
	  "Invalid Condition type : NullIfExists" },
	{ T, ST(",\"Condition\":{\"ForAnyValue:Null\":{\"sts:ExternalId\":\"true\"}}"),
	  "Invalid Condition type : ForAnyValue:Null" },
	{ T, ST(",\"Condition\":{\"StringEquals\":\"x\"}"), "condition StringEquals must be an object" },
	{ T, ST(",\"Condition\":[]"), "Condition must be an object" },
	{ T, ST(",\"Condition\":{\"StringEquals\":{\"ExternalId\":\"x\"}}"),
	  "Actions/Conditions must be prefaced by a vendor" },
	{ T, ST(",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":[]}}"), "has no values" },
	{ T, ST(",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":null}}"),
	  "condition values must be strings, numbers or booleans" },
	{ T, ST(",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":{\"a\":1}}}"),
	  "condition values must be strings, numbers or booleans" },
	{ T, ST(",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":[\"a\",[\"b\"]]}}"),
	  "condition values must be strings, numbers or booleans" },
	{ T, ST(",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"a\"},\"StringEquals\":{\"sts:ExternalId\":\"b\"}}"),
	  "duplicate object key" },
	{ T, "{\"Statement\":[" ALLOW_ALL "],\"Statement\":[" DENY_ALL "]}", "duplicate object key" },
	{ T, "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\\u0000\"}]}",
	  "This policy contains invalid Json" },
};

TEST(policy_malformed_table)
{
	size_t n = sizeof(malformed) / sizeof(malformed[0]);
	CHECK(n >= 60);
	for (size_t i = 0; i < n; i++) {
		gh_arena a;
		gh_arena_init(&a, 0);
		gh_err e = { 0 };
		const policy_doc *d = NULL;
		policy_opts o = { malformed[i].kind, 0 };
		bool ok = policy_parse(&a, gh_str_c(malformed[i].doc), &o, &d, &e);
		if (ok || !e.code || strcmp(e.code, "MalformedPolicyDocument") != 0 || e.status != 400 ||
		    !strstr(e.msg, malformed[i].msg))
			test_failed(__FILE__, __LINE__, "malformed case %zu: ok=%d code=%s msg=\"%s\", want \"%s\"",
				    i, ok, e.code ? e.code : "(none)", e.msg, malformed[i].msg);
		gh_arena_free(&a);
	}
}

/* ---- the rest ---------------------------------------------------------------------- */

TEST(policy_size_limit)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_err e = { 0 };
	const policy_doc *d;
	const char *doc = DOC(ALLOW_ALL);
	size_t size = strlen(doc);
	policy_opts o = { POLICY_TRUST, size - 1 };
	CHECK(!policy_parse(&a, gh_str_c(doc), &o, &d, &e));
	CHECK_STR_EQ(e.code, "LimitExceeded");
	CHECK_INT_EQ(e.status, 409);
	char want[64];
	snprintf(want, sizeof want, "Cannot exceed quota for ACLSizePerRole: %zu", size - 1);
	CHECK_STR_EQ(e.msg, want);
	o.max_size = size;
	CHECK(policy_parse(&a, gh_str_c(doc), &o, &d, &e));
	/* Whitespace is not counted, as IAM measures it. */
	gh_buf b = { 0 };
	gh_buf_puts(&b, "{ \n\t\"Statement\" :\n [ ");
	for (int i = 0; i < 5000; i++)
		gh_buf_putc(&b, ' ');
	gh_buf_puts(&b, ALLOW_ALL " ] }");
	o.max_size = 100;
	CHECK(policy_parse(&a, gh_buf_str(&b), &o, &d, &e));
	o = (policy_opts){ POLICY_IDENTITY, 10 };
	CHECK(!policy_parse(&a, gh_str_c(doc), &o, &d, &e));
	CHECK_CONTAINS(e.msg, "PolicySize: 10");
	/* The default is 10 KiB. */
	gh_buf_reset(&b);
	gh_buf_puts(&b, "{\"Id\":\"");
	for (int i = 0; i < POLICY_DEFAULT_MAX_SIZE; i++)
		gh_buf_putc(&b, 'x');
	gh_buf_puts(&b, "\",\"Statement\":" ALLOW_ALL "}");
	CHECK(!policy_parse(&a, gh_buf_str(&b), NULL, &d, &e));
	CHECK_STR_EQ(e.code, "LimitExceeded");
	gh_buf_free(&b);
	gh_arena_free(&a);
}

TEST(policy_parse_shapes)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_err e = { 0 };
	const policy_doc *d = NULL;
	CHECK(policy_parse(&a, GH_STR(DOC(ALLOW_ALL "," DENY_ALL "," ALLOW_P("\"*\""))), NULL, &d, &e));
	CHECK_INT_EQ(policy_statement_count(d), 3);
	CHECK(policy_parse(&a, gh_str_c("{\"Id\":\"x\",\"Version\":\"2008-10-17\",\"Statement\":" ALLOW_ALL "}"),
			   NULL, &d, &e));
	CHECK_INT_EQ(policy_statement_count(d), 1);
	/* The EKS Pod Identity and IRSA trust policies, verbatim in shape. */
	CHECK(policy_parse(&a, GH_STR(DOC("{\"Sid\":\"AllowEksAuthToAssumeRoleForPodIdentity\",\"Effect\":\"Allow\","
					  "\"Principal\":{\"Service\":\"pods.eks.amazonaws.com\"},"
					  "\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}")),
			   NULL, &d, &e));
	CHECK(policy_parse(&a, GH_STR(DOC("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" OIDC "\"},"
					  "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{"
					  "\"StringEquals\":{\"oidc.eks.us-west-2.amazonaws.com/id/"
					  "EXAMPLED539D4633E53DE1B71EXAMPLE:sub\":\"system:serviceaccount:default:my-sa\","
					  "\"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud\":"
					  "\"sts.amazonaws.com\"}}}")),
			   NULL, &d, &e));
	CHECK(policy_parse(&a, GH_STR(DOC("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"accounts.google.com\"},"
					  "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{"
					  "\"StringEquals\":{\"accounts.google.com:aud\":\"123.apps.googleusercontent.com\"}}}")),
			   NULL, &d, &e));
	gh_arena_free(&a);
}

static const policy_result *eval_doc(gh_arena *a, const char *doc, const policy_request *r,
				     policy_result *res)
{
	gh_err e = { 0 };
	const policy_doc *d = NULL;
	if (!policy_parse(a, gh_str_c(doc), NULL, &d, &e) || !policy_evaluate(d, r, a, res, &e)) {
		test_failed(__FILE__, __LINE__, "eval_doc: %s", e.msg);
		return NULL;
	}
	return res;
}

TEST(policy_trace_explains)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_str ext[] = { GH_STR("wrong") }, sess[] = { GH_STR("ci-run") };
	policy_ctx_key ctx[] = { { GH_STR("sts:ExternalId"), ext, 1 },
				 { GH_STR("sts:RoleSessionName"), sess, 1 } };
	policy_request r = { GH_STR("sts:AssumeRole"), caller(C_SESSION), GH_STR(ROLE_TARGET), ctx, 2 };
	policy_result res;
	const char *doc = DOC("{\"Sid\":\"Tag\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:TagSession\"},"
			      "{\"Sid\":\"Bob\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCT ":user/bob\"},\"Action\":\"sts:AssumeRole\"},"
			      "{\"Sid\":\"Ext\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"right\"}}},"
			      "{\"Sid\":\"Var\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringNotEquals\":{\"sts:RoleSessionName\":\"${aws:username}\"}}},"
			      "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}");
	REQUIRE(eval_doc(&a, doc, &r, &res));
	REQUIRE(res.ntrace == 5);
	CHECK_INT_EQ(res.decision, POLICY_EXPLICIT_DENY);
	CHECK(gh_str_eq_c(res.trace[0].sid, "Tag"));
	CHECK_INT_EQ(res.trace[0].outcome, POLICY_STMT_NO_ACTION);
	CHECK_STR_EQ(res.trace[0].why, "action \"sts:AssumeRole\" is not matched by Action");
	CHECK_INT_EQ(res.trace[1].outcome, POLICY_STMT_NO_PRINCIPAL);
	CHECK_CONTAINS(res.trace[1].why, "assumed-role/Deployer/ci-run\" is not matched by Principal");
	CHECK_INT_EQ(res.trace[2].outcome, POLICY_STMT_NO_CONDITION);
	CHECK_STR_EQ(res.trace[2].why, "condition StringEquals on \"sts:ExternalId\": request value "
				       "\"wrong\" does not satisfy it");
	CHECK_INT_EQ(res.trace[3].outcome, POLICY_STMT_UNDETERMINED);
	CHECK(res.trace[3].applies && res.trace[3].deny);
	CHECK_CONTAINS(res.trace[3].why, "${aws:username}");
	CHECK_CONTAINS(res.trace[3].why, "Deny applied");
	CHECK_INT_EQ(res.trace[4].outcome, POLICY_STMT_APPLIES);
	CHECK(res.trace[4].applies && !res.trace[4].deny);
	CHECK_INT_EQ(res.trace[4].index, 4);
	CHECK_STR_EQ(policy_outcome_name(res.trace[3].outcome), "undetermined");
	CHECK_STR_EQ(policy_decision_name(POLICY_ALLOW), "allow");
	CHECK_STR_EQ(policy_decision_name(POLICY_IMPLICIT_DENY), "implicit deny");
	CHECK_STR_EQ(policy_decision_name(POLICY_EXPLICIT_DENY), "explicit deny");
	/* Absent keys are named as such. */
	r.nctx = 0;
	REQUIRE(eval_doc(&a, COND("{\"StringEquals\":{\"sts:ExternalId\":\"x\"}}"), &r, &res));
	CHECK_STR_EQ(res.trace[0].why,
		     "condition StringEquals on \"sts:ExternalId\": the key is absent from the request");
	gh_arena_free(&a);
}

TEST(policy_evaluation_is_deterministic)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_str ip[] = { GH_STR("203.0.113.9") };
	policy_ctx_key ctx[] = { { GH_STR("aws:SourceIp"), ip, 1 } };
	policy_request r = { GH_STR("sts:AssumeRole"), caller(C_USER), GH_STR(ROLE_TARGET), ctx, 1 };
	const char *doc = COND("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}");
	policy_result r1, r2;
	REQUIRE(eval_doc(&a, doc, &r, &r1) && eval_doc(&a, doc, &r, &r2));
	CHECK_INT_EQ(r1.decision, POLICY_ALLOW);
	CHECK_INT_EQ(r1.decision, r2.decision);
	CHECK_STR_EQ(r1.trace[0].why, r2.trace[0].why);
	gh_arena_free(&a);
}

static const policy_ctx_key *find(const policy_ctx_key *k, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (gh_str_eq_c(k[i].name, name))
			return &k[i];
	return NULL;
}

static bool key_is(const policy_ctx_key *k, size_t n, const char *name, const char *value)
{
	const policy_ctx_key *x = find(k, n, name);
	return x && x->n == 1 && gh_str_eq_c(x->values[0], value);
}

TEST(policy_caller_context_keys)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	policy_ctx_key k[16];
	size_t n = 0;
	policy_caller s = caller(C_SESSION);
	REQUIRE(policy_caller_context(&s, &a, k, &n, 16));
	CHECK(key_is(k, n, "aws:PrincipalArn", "arn:aws:iam::" ACCT ":role/team/Deployer"));
	CHECK(key_is(k, n, "aws:PrincipalAccount", ACCT));
	CHECK(key_is(k, n, "aws:PrincipalType", "AssumedRole"));
	CHECK(key_is(k, n, "aws:userid", "AROAEXAMPLEDEPLOY0001:ci-run"));
	CHECK(!find(k, n, "aws:username"));
	s.role_arn = (gh_str){ "", 0 };
	n = 0;
	REQUIRE(policy_caller_context(&s, &a, k, &n, 16));
	CHECK(key_is(k, n, "aws:PrincipalArn", "arn:aws:iam::" ACCT ":role/Deployer"));
	n = 0;
	policy_caller u = caller(C_USER);
	REQUIRE(policy_caller_context(&u, &a, k, &n, 16));
	CHECK(key_is(k, n, "aws:PrincipalType", "User"));
	CHECK(key_is(k, n, "aws:username", "alice"));
	CHECK(key_is(k, n, "aws:userid", "AIDAEXAMPLEALICE00001"));
	CHECK(key_is(k, n, "aws:PrincipalArn", "arn:aws:iam::" ACCT ":user/eng/alice"));
	n = 0;
	policy_caller root = caller(C_ROOT);
	REQUIRE(policy_caller_context(&root, &a, k, &n, 16));
	CHECK(key_is(k, n, "aws:PrincipalType", "Account"));
	CHECK(key_is(k, n, "aws:userid", ACCT));
	n = 0;
	policy_caller fed = caller(C_FEDUSER);
	REQUIRE(policy_caller_context(&fed, &a, k, &n, 16));
	CHECK(key_is(k, n, "aws:PrincipalType", "FederatedUser"));
	CHECK(key_is(k, n, "aws:userid", ACCT ":bob"));
	n = 0;
	policy_caller anon = caller(C_ANON);
	REQUIRE(policy_caller_context(&anon, &a, k, &n, 16));
	CHECK(key_is(k, n, "aws:PrincipalType", "Anonymous"));
	n = 0;
	CHECK(!policy_caller_context(&u, &a, k, &n, 2)); /* capacity runs out */
	/* The derived keys feed variables and conditions directly. */
	n = 0;
	REQUIRE(policy_caller_context(&u, &a, k, &n, 16));
	gh_str sess[] = { GH_STR("alice") };
	k[n++] = (policy_ctx_key){ GH_STR("sts:RoleSessionName"), sess, 1 };
	policy_request r = { GH_STR("sts:AssumeRole"), u, GH_STR(ROLE_TARGET), k, n };
	policy_result res;
	REQUIRE(eval_doc(&a, COND("{\"StringEquals\":{\"sts:RoleSessionName\":\"${aws:username}\","
				  "\"aws:PrincipalType\":\"User\"}}"), &r, &res));
	CHECK_INT_EQ(res.decision, POLICY_ALLOW);
	gh_arena_free(&a);
}
