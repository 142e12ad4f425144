#include "domain/authn/sts_answer.h"
#include "test.h"

static const char *answer(const char *arn, const char *uid)
{
	static char buf[512];
	snprintf(buf, sizeof buf,
		 "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":\"111122223333\","
		 "\"Arn\":\"%s\",\"UserId\":\"%s\"},\"ResponseMetadata\":{\"RequestId\":\"x\"}}}",
		 arn, uid);
	return buf;
}

TEST(sts_answer_kinds)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_identity id;
	gh_err err;
	REQUIRE(sts_answer_parse(200, gh_str_c(answer("arn:aws:iam::111122223333:user/team/bob", "AIDAEXAMPLE")),
				 GH_STR("AKIAX"), &a, &id, &err));
	CHECK(id.kind == GH_PRINCIPAL_USER);
	CHECK(gh_str_eq_c(id.principal_id, "AIDAEXAMPLE"));
	CHECK(gh_str_eq_c(id.canonical_arn, "arn:aws:iam::111122223333:user/team/bob"));
	CHECK(gh_str_eq_c(id.access_key_id, "AKIAX"));

	REQUIRE(sts_answer_parse(200,
				 gh_str_c(answer("arn:aws:sts::111122223333:assumed-role/ops/jane", "AROAEXAMPLE:jane")),
				 GH_STR("ASIAX"), &a, &id, &err));
	CHECK(id.kind == GH_PRINCIPAL_ASSUMED_ROLE);
	CHECK(gh_str_eq_c(id.canonical_arn, "arn:aws:iam::111122223333:role/ops"));
	CHECK(gh_str_eq_c(id.principal_id, "AROAEXAMPLE"));
	CHECK(gh_str_eq_c(id.session_name, "jane"));
	CHECK(gh_str_eq_c(id.partition, "aws"));

	REQUIRE(sts_answer_parse(200, gh_str_c(answer("arn:aws:iam::111122223333:root", "111122223333")), GH_STR("A"),
				 &a, &id, &err));
	CHECK(id.kind == GH_PRINCIPAL_ROOT);
	REQUIRE(sts_answer_parse(200, gh_str_c(answer("arn:aws:sts::111122223333:federated-user/fed", "111122223333:fed")),
				 GH_STR("A"), &a, &id, &err));
	CHECK(id.kind == GH_PRINCIPAL_FEDERATED);
	gh_arena_free(&a);
}

TEST(sts_answer_refusals)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_identity id;
	gh_err err = { 0 };
	CHECK(!sts_answer_parse(200, gh_str_c(answer("arn:aws:sts::111122223333:assumed-role/ops/jane", "AROANOSESSION")),
				GH_STR("A"), &a, &id, &err));
	CHECK_CONTAINS(err.msg, "malformed UserID");
	CHECK(!sts_answer_parse(200, gh_str_c(answer("arn:aws:sts::111122223333:assumed-role/ops/j", "AROA:a:b")),
				GH_STR("A"), &a, &id, &err));
	CHECK_CONTAINS(err.msg, "malformed UserID");
	CHECK(!sts_answer_parse(400, GH_STR("<Error><Code>Throttling</Code></Error>"), GH_STR("A"), &a, &id, &err));
	CHECK_INT_EQ(err.status, 429);
	CHECK(!sts_answer_parse(403, GH_STR("<Error><Code>InvalidClientTokenId</Code></Error>"), GH_STR("A"), &a, &id,
				&err));
	CHECK_INT_EQ(err.status, 403);
	CHECK_CONTAINS(err.msg, "sts getCallerIdentity failed: error from AWS (expected 200, got 403)");
	CHECK(!sts_answer_parse(200, GH_STR("{nope"), GH_STR("A"), &a, &id, &err));
	CHECK_CONTAINS(err.msg, "not a GetCallerIdentity JSON document");
	CHECK(!sts_answer_parse(200, gh_str_c(answer("arn:aws:s3:::bucket", "X")), GH_STR("A"), &a, &id, &err));
	CHECK_CONTAINS(err.msg, "unusable ARN");
	gh_arena_free(&a);
}
