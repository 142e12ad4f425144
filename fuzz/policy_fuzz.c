/* policy_fuzz: arbitrary bytes as a policy document (the first byte picks the policy
 * kind), parsed and, when accepted, evaluated against fixed requests from every kind of
 * caller. The same bytes also go through the ARN functions. Findings are crashes,
 * sanitizer reports, and an allow for an anonymous caller from a document that names no
 * "*" principal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "domain/aws/arn.h"
#include "domain/aws/policy.h"

#define ACCT "111122223333"
#define S(lit) { lit, sizeof(lit) - 1 }

static const gh_str tag_keys[] = { S("team"), S("env") };
static const gh_str one_ip[] = { S("203.0.113.7") };
static const gh_str now[] = { S("2025-06-01T12:00:00Z") };
static const gh_str session[] = { S("ci-run") };
static const gh_str ext[] = { S("us-west-2/" ACCT "/c/ns/sa") };
static const gh_str username[] = { S("alice") };
static const gh_str yes[] = { S("true") };
static const gh_str sub[] = { S("system:serviceaccount:ns:sa") };

static const policy_ctx_key ctx[] = {
	{ S("aws:TagKeys"), tag_keys, 2 },
	{ S("aws:SourceIp"), one_ip, 1 },
	{ S("aws:CurrentTime"), now, 1 },
	{ S("sts:RoleSessionName"), session, 1 },
	{ S("sts:ExternalId"), ext, 1 },
	{ S("aws:username"), username, 1 },
	{ S("aws:SecureTransport"), yes, 1 },
	{ S("oidc.eks.us-west-2.amazonaws.com/id/X:sub"), sub, 1 },
};

static policy_caller caller(int i)
{
	switch (i) {
	case 0:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_USER,
					GH_STR("arn:aws:iam::" ACCT ":user/eng/alice"), S(""),
					GH_STR(ACCT), GH_STR("AIDAEXAMPLEALICE00001") };
	case 1:
		return (policy_caller){ POLICY_CALLER_AWS, GH_PRINCIPAL_ASSUMED_ROLE,
					GH_STR("arn:aws:sts::" ACCT ":assumed-role/Deployer/ci-run"),
					GH_STR("arn:aws:iam::" ACCT ":role/team/Deployer"), GH_STR(ACCT),
					GH_STR("AROAEXAMPLEDEPLOY0001") };
	case 2:
		return (policy_caller){ .type = POLICY_CALLER_SERVICE,
					.arn = GH_STR("pods.eks.amazonaws.com") };
	case 3:
		return (policy_caller){ .type = POLICY_CALLER_FEDERATED,
					.arn = GH_STR("arn:aws:iam::" ACCT
						      ":oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/X") };
	default:
		return (policy_caller){ .type = POLICY_CALLER_ANONYMOUS };
	}
}

static const char *const actions[] = { "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity",
					"sts:TagSession", "sts:SetSourceIdentity" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	gh_str text = { (const char *)data + 1, size - 1 };

	gh_buf b = { 0 };
	gh_err e = { 0 };
	arn_kind k;
	if (arn_canonicalize(text, &b, &k, &e) && !memchr(b.p, '\0', b.n))
		(void)arn_classify(gh_buf_str(&b));
	if (arn_strip_path(text, &b, &e))
		(void)arn_principal_kind(gh_buf_str(&b));
	(void)arn_validate_path(text, NULL, &e);
	(void)arn_validate_session_name(text, NULL, &e);
	(void)arn_validate_arn(text, NULL, &e);
	gh_buf_free(&b);

	gh_arena a;
	gh_arena_init(&a, 0);
	const policy_doc *d = NULL;
	policy_opts o = { (policy_kind)(data[0] % 3), 0 };
	if (policy_parse(&a, text, &o, &d, &e)) {
		bool star = memchr(text.p, '*', text.n) != NULL ||
			    memmem(text.p, text.n, "NotPrincipal", 12) != NULL;
		for (int c = 0; c < 5; c++) {
			policy_caller pc = caller(c);
			policy_ctx_key keys[16];
			size_t n = sizeof(ctx) / sizeof(ctx[0]);
			memcpy(keys, ctx, sizeof ctx);
			if (!policy_caller_context(&pc, &a, keys, &n, 16))
				n = sizeof(ctx) / sizeof(ctx[0]);
			policy_request r = { gh_str_c(actions[(data[0] / 3) % 4]), pc,
					     GH_STR("arn:aws:iam::" ACCT ":role/Target"), keys, n };
			policy_result res;
			if (!policy_evaluate(d, &r, &a, &res, &e))
				continue;
			/* Anonymous callers are only ever let in by a "*" principal, a
			 * NotPrincipal, or (identity policies) by holding the policy. */
			if (c == 4 && res.decision == POLICY_ALLOW && !star && o.kind != POLICY_IDENTITY)
				abort();
			for (size_t i = 0; i < res.ntrace; i++)
				if (strnlen(res.trace[i].why, POLICY_WHY_MAX) == POLICY_WHY_MAX)
					abort();
		}
	}
	gh_arena_free(&a);
	return 0;
}
