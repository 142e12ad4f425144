#include "domain/aws/iam.h"
#include "test.h"

TEST(iam_identifiers_have_aws_shapes)
{
	uint8_t rnd[64];
	for (int i = 0; i < 64; i++)
		rnd[i] = (uint8_t)(i * 37 + 11);
	char id[IAM_ID_LEN + 1], akid[IAM_AKID_LEN + 1], secret[IAM_SECRET_LEN + 1];
	iam_make_unique_id("AROA", rnd, id);
	CHECK_INT_EQ(strlen(id), 21);
	CHECK(strncmp(id, "AROA", 4) == 0);
	for (int i = 4; i < 21; i++)
		CHECK((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '2' && id[i] <= '7'));
	iam_make_access_key_id("ASIA", rnd, akid);
	CHECK_INT_EQ(strlen(akid), 20);
	CHECK(strncmp(akid, "ASIA", 4) == 0);
	iam_make_secret(rnd, secret);
	CHECK_INT_EQ(strlen(secret), 40);
	for (int i = 0; i < 40; i++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", secret[i]) != NULL);
}

TEST(iam_authorize_rules)
{
	gh_err err = { 0 };
	iam_caller admin = { IAM_CALLER_USER, true, GH_STR("arn:aws:iam::111122223333:user/admin"), GH_STR("admin"),
			     GH_STR("111122223333") };
	iam_caller bob = { IAM_CALLER_USER, false, GH_STR("arn:aws:iam::111122223333:user/bob"), GH_STR("bob"),
			   GH_STR("111122223333") };
	iam_caller sess = { IAM_CALLER_ROLE_SESSION, false, GH_STR("arn:aws:sts::111122223333:assumed-role/r/s"),
			    GH_STR(""), GH_STR("111122223333") };
	gh_str res = GH_STR("arn:aws:iam::111122223333:user/alice");
	CHECK(iam_authorize(&admin, "iam:CreateUser", GH_STR("alice"), res, &err));
	CHECK(iam_authorize(&bob, "iam:CreateAccessKey", GH_STR("bob"), res, &err));
	CHECK(iam_authorize(&bob, "iam:ListAccessKeys", GH_STR(""), res, &err));
	CHECK(!iam_authorize(&bob, "iam:CreateAccessKey", GH_STR("alice"), res, &err));
	CHECK_STR_EQ(err.code, "AccessDenied");
	CHECK_INT_EQ(err.status, 403);
	CHECK_STR_EQ(err.msg, "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: "
			      "iam:CreateAccessKey on resource: arn:aws:iam::111122223333:user/alice because no "
			      "identity-based policy allows the iam:CreateAccessKey action");
	CHECK(!iam_authorize(&bob, "iam:CreateUser", GH_STR(""), res, &err));
	CHECK(!iam_authorize(&sess, "iam:GetUser", GH_STR(""), res, &err));
}

TEST(iam_validation_messages)
{
	gh_err err = { 0 };
	CHECK(iam_validate_max_session(3600, &err) && iam_validate_max_session(43200, &err));
	CHECK(!iam_validate_max_session(3599, &err));
	CHECK_CONTAINS(err.msg, "Member must have value greater than or equal to 3600");
	CHECK(!iam_validate_max_session(43201, &err));
	CHECK_CONTAINS(err.msg, "less than or equal to 43200");
	iam_tag ok[] = { { GH_STR("team"), GH_STR("a b:c/d=e+f-g@h_i.j") }, { GH_STR("empty"), GH_STR("") } };
	CHECK(iam_validate_tags(ok, 2, "tags", &err));
	iam_tag dup[] = { { GH_STR("Team"), GH_STR("a") }, { GH_STR("team"), GH_STR("b") } };
	CHECK(!iam_validate_tags(dup, 2, "tags", &err));
	CHECK_CONTAINS(err.msg, "Duplicate tag keys");
	iam_tag aws[] = { { GH_STR("aws:x"), GH_STR("a") } };
	CHECK(!iam_validate_tags(aws, 1, "tags", &err));
	CHECK_CONTAINS(err.msg, "aws:");
	iam_tag bad[] = { { GH_STR("k"), GH_STR("semi;colon") } };
	CHECK(!iam_validate_tags(bad, 1, "tags", &err));
	CHECK_STR_EQ(err.code, "ValidationError");
	CHECK_CONTAINS(err.msg, "tags.1.member.value");
	iam_tag many[51];
	for (int i = 0; i < 51; i++)
		many[i] = (iam_tag){ GH_STR("k"), GH_STR("v") };
	CHECK(!iam_validate_tags(many, 51, "tags", &err));
	CHECK_STR_EQ(err.code, "LimitExceeded");
}
