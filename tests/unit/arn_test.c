#include "base/str.h"
#include "domain/aws/arn.h"
#include "test.h"

/* aws-iam-authenticator pkg/arn/arn_test.go, plus the error rows its code implies. */
static const struct {
	const char *in, *want, *err;
	arn_kind kind;
} canon_cases[] = {
	{ "NOT AN ARN", NULL, "arn 'NOT AN ARN' is invalid: 'arn: invalid prefix'", ARN_OTHER },
	{ "arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/Alice", NULL, ARN_USER },
	{ "arn:aws:iam::123456789012:role/Users", "arn:aws:iam::123456789012:role/Users", NULL, ARN_ROLE },
	{ "arn:aws:sts::123456789012:assumed-role/Admin/Session", "arn:aws:iam::123456789012:role/Admin",
	  NULL, ARN_ASSUMED_ROLE },
	{ "arn:aws:sts::123456789012:federated-user/Bob", "arn:aws:sts::123456789012:federated-user/Bob",
	  NULL, ARN_FEDERATED_USER },
	{ "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:root", NULL, ARN_ROOT },
	{ "arn:aws:sts::123456789012:assumed-role/Org/Team/Admin/Session",
	  "arn:aws:iam::123456789012:role/Org/Team/Admin", NULL, ARN_ASSUMED_ROLE },
	{ "arn:aws-cn:sts::123456789012:assumed-role/A/S", "arn:aws-cn:iam::123456789012:role/A", NULL,
	  ARN_ASSUMED_ROLE },
	{ "arn:aws-eusc:iam::123456789012:root", "arn:aws-eusc:iam::123456789012:root", NULL, ARN_ROOT },
	{ "arn:aws:iam::123456789012:role/path/to/R", "arn:aws:iam::123456789012:role/path/to/R", NULL,
	  ARN_ROLE },
	{ "arn:aws:iam::123", NULL, "arn 'arn:aws:iam::123' is invalid: 'arn: not enough sections'",
	  ARN_OTHER },
	{ "arn:nope:iam::123456789012:root", NULL,
	  "arn 'arn:nope:iam::123456789012:root' does not have a recognized partition", ARN_OTHER },
	{ "arn:aws:sts::123456789012:assumed-role/Admin", NULL,
	  "assumed-role arn 'arn:aws:sts::123456789012:assumed-role/Admin' does not have a role",
	  ARN_OTHER },
	{ "arn:aws:sts::123456789012:session/x", NULL, "unrecognized resource session/x for service sts",
	  ARN_OTHER },
	{ "arn:aws:iam::123456789012:group/devs", NULL,
	  "unrecognized resource group/devs for service iam", ARN_OTHER },
	{ "arn:aws:s3:::bucket", NULL,
	  "service s3 in arn arn:aws:s3:::bucket is not a valid service for identities", ARN_OTHER },
};

TEST(arn_canonicalize_table)
{
	gh_buf b = { 0 };
	for (size_t i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
		gh_err e = { 0 };
		arn_kind k = ARN_OTHER;
		bool ok = arn_canonicalize(gh_str_c(canon_cases[i].in), &b, &k, &e);
		if (canon_cases[i].want) {
			CHECK(ok);
			CHECK_STR_EQ(b.p, canon_cases[i].want);
			CHECK_INT_EQ(k, canon_cases[i].kind);
		} else {
			CHECK(!ok);
			CHECK_STR_EQ(e.msg, canon_cases[i].err);
			CHECK_STR_EQ(e.code, "InvalidArn");
		}
	}
	gh_buf_free(&b);
}

TEST(arn_parse_sections)
{
	arn_parts p;
	gh_err e = { 0 };
	REQUIRE(arn_parse(GH_STR("arn:aws:s3:us-east-1:123456789012:bucket/a:b:c"), &p, &e));
	CHECK(gh_str_eq_c(p.partition, "aws"));
	CHECK(gh_str_eq_c(p.service, "s3"));
	CHECK(gh_str_eq_c(p.region, "us-east-1"));
	CHECK(gh_str_eq_c(p.account, "123456789012"));
	CHECK(gh_str_eq_c(p.resource, "bucket/a:b:c"));
	CHECK(!arn_parse(GH_STR("ar:aws:s3:::b"), &p, &e));
	CHECK_STR_EQ(e.msg, "arn: invalid prefix");
	CHECK(!arn_parse(GH_STR("arn:aws:s3::"), &p, &e));
	CHECK_STR_EQ(e.msg, "arn: not enough sections");
	CHECK(arn_parse(GH_STR("arn:::::"), &p, &e) && p.resource.n == 0);
}

TEST(arn_partitions)
{
	const char *ok[] = { "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
			     "aws-iso-f", "aws-eusc" };
	for (size_t i = 0; i < 8; i++)
		CHECK(arn_partition_known(gh_str_c(ok[i])));
	CHECK(!arn_partition_known(GH_STR("AWS")));
	CHECK(!arn_partition_known(GH_STR("aws-iso-z")));
	CHECK(!arn_partition_known(GH_STR("")));
}

TEST(arn_strip_path)
{
	gh_buf b = { 0 };
	gh_err e = { 0 };
	CHECK(arn_strip_path(GH_STR("arn:aws:iam::123456789012:role/path/for/this-role/matt"), &b, &e));
	CHECK_STR_EQ(b.p, "arn:aws:iam::123456789012:role/matt");
	CHECK(arn_strip_path(GH_STR("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/"
				    "AWSReservedSSO_Admin_0123"), &b, &e));
	CHECK_STR_EQ(b.p, "arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_0123");
	CHECK(arn_strip_path(GH_STR("arn:aws:iam::123456789012:user/eng/alice"), &b, &e));
	CHECK_STR_EQ(b.p, "arn:aws:iam::123456789012:user/alice");
	CHECK(arn_strip_path(GH_STR("arn:aws:iam::123456789012:role/plain"), &b, &e));
	CHECK_STR_EQ(b.p, "arn:aws:iam::123456789012:role/plain");
	CHECK(arn_strip_path(GH_STR("arn:aws:sts::123456789012:assumed-role/R/S"), &b, &e));
	CHECK_STR_EQ(b.p, "arn:aws:sts::123456789012:assumed-role/R/S");
	CHECK(!arn_strip_path(GH_STR("arn:bad:iam::123456789012:role/a/b"), &b, &e));
	CHECK_CONTAINS(e.msg, "does not have a recognized partition");
	gh_buf_free(&b);
}

TEST(arn_classify_and_kind)
{
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::123456789012:root")), ARN_ROOT);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::123456789012:user/a/b")), ARN_USER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::123456789012:role/r")), ARN_ROLE);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:sts::123456789012:assumed-role/r/s")), ARN_ASSUMED_ROLE);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:sts::123456789012:assumed-role/p/r/s")), ARN_OTHER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:sts::123456789012:federated-user/bob")),
		     ARN_FEDERATED_USER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2."
					 "amazonaws.com/id/ABC")), ARN_OIDC_PROVIDER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::123456789012:saml-provider/Okta")),
		     ARN_SAML_PROVIDER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::12345678901:root")), ARN_OTHER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam:us-east-1:123456789012:root")), ARN_OTHER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::123456789012:role/")), ARN_OTHER);
	CHECK_INT_EQ(arn_classify(GH_STR("arn:aws:iam::123456789012:role//x")), ARN_OTHER);
	CHECK_INT_EQ(arn_principal_kind(GH_STR("arn:aws:iam::123456789012:user/u")), GH_PRINCIPAL_USER);
	CHECK_INT_EQ(arn_principal_kind(GH_STR("arn:aws:sts::123456789012:assumed-role/r/s")),
		     GH_PRINCIPAL_ASSUMED_ROLE);
	CHECK_INT_EQ(arn_principal_kind(GH_STR("arn:aws:iam::123456789012:root")), GH_PRINCIPAL_ROOT);
	CHECK_INT_EQ(arn_principal_kind(GH_STR("arn:aws:sts::123456789012:federated-user/f")),
		     GH_PRINCIPAL_FEDERATED);
	CHECK_INT_EQ(arn_principal_kind(GH_STR("arn:aws:iam::123456789012:role/r")), GH_PRINCIPAL_UNKNOWN);
	CHECK(gh_str_eq_c(arn_last_name(GH_STR("arn:aws:iam::123456789012:role/a/b/Name")), "Name"));
	CHECK(gh_str_eq_c(arn_last_name(GH_STR("arn:aws:sts::1:assumed-role/R/sess")), "sess"));
	CHECK(arn_last_name(GH_STR("junk")).n == 0);
}

TEST(arn_builders)
{
	gh_buf b = { 0 };
	CHECK(arn_build_user(&b, GH_STR("aws"), GH_STR("123456789012"), GH_STR("/eng/"), GH_STR("alice")));
	CHECK_STR_EQ(b.p, "arn:aws:iam::123456789012:user/eng/alice");
	CHECK(arn_build_role(&b, GH_STR("aws-cn"), GH_STR("123456789012"), GH_STR(""), GH_STR("r")));
	CHECK_STR_EQ(b.p, "arn:aws-cn:iam::123456789012:role/r");
	CHECK(arn_build_assumed_role(&b, GH_STR("aws"), GH_STR("123456789012"), GH_STR("r"), GH_STR("s")));
	CHECK_STR_EQ(b.p, "arn:aws:sts::123456789012:assumed-role/r/s");
	CHECK(arn_build_root(&b, GH_STR("aws-us-gov"), GH_STR("123456789012")));
	CHECK_STR_EQ(b.p, "arn:aws-us-gov:iam::123456789012:root");
	gh_buf_free(&b);
}

TEST(arn_validate_names)
{
	gh_err e = { 0 };
	CHECK(arn_validate_role_name(GH_STR("my-role_1+=,.@"), NULL, &e));
	CHECK(!arn_validate_role_name(GH_STR("x y"), NULL, &e));
	CHECK_STR_EQ(e.code, "ValidationError");
	CHECK_INT_EQ(e.status, 400);
	CHECK_STR_EQ(e.msg, "1 validation error detected: Value 'x y' at 'roleName' failed to satisfy "
			    "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
	char long_name[66];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	CHECK(!arn_validate_role_name(gh_str_c(long_name), NULL, &e));
	CHECK_CONTAINS(e.msg, "Member must have length less than or equal to 64");
	CHECK(arn_validate_role_name(gh_str_sub(gh_str_c(long_name), 0, 64), NULL, &e));
	CHECK(!arn_validate_user_name(GH_STR(""), NULL, &e));
	CHECK_CONTAINS(e.msg, "2 validation errors detected: Value '' at 'userName'");
	CHECK_CONTAINS(e.msg, "Member must have length greater than or equal to 1");
	CHECK(!arn_validate_user_name(GH_STR("bob!"), "UserName", &e));
	CHECK_CONTAINS(e.msg, "at 'UserName'");
	CHECK(arn_validate_session_name(GH_STR("ab"), NULL, &e));
	CHECK(!arn_validate_session_name(GH_STR("a"), NULL, &e));
	CHECK_STR_EQ(e.msg, "1 validation error detected: Value 'a' at 'roleSessionName' failed to "
			    "satisfy constraint: Member must have length greater than or equal to 2");
	CHECK(!arn_validate_session_name(GH_STR("eks:pod"), NULL, &e));
	CHECK_CONTAINS(e.msg, "[\\w+=,.@-]*");
	CHECK(arn_validate_external_id(GH_STR("us-west-2/123456789012/c/ns/sa"), NULL, &e));
	CHECK(!arn_validate_external_id(GH_STR("a b"), NULL, &e));
	CHECK(arn_validate_source_identity(GH_STR("alice@example.com"), NULL, &e));
	CHECK(!arn_validate_federation_name(GH_STR("a23456789012345678901234567890123"), NULL, &e));
	CHECK_CONTAINS(e.msg, "less than or equal to 32");
	/* Characters, not bytes: 64 two-byte characters fail the pattern only. */
	char utf[129];
	for (int i = 0; i < 64; i++) {
		utf[2 * i] = (char)0xC3;
		utf[2 * i + 1] = (char)0xA9;
	}
	utf[128] = '\0';
	CHECK(!arn_validate_role_name(gh_str_c(utf), NULL, &e));
	CHECK_CONTAINS(e.msg, "1 validation error detected");
}

TEST(arn_validate_paths)
{
	gh_err e = { 0 };
	CHECK(arn_validate_path(GH_STR("/"), NULL, &e));
	CHECK(arn_validate_path(GH_STR("/division_abc/subdivision_xyz/"), NULL, &e));
	CHECK(!arn_validate_path(GH_STR("//"), NULL, &e));
	CHECK(!arn_validate_path(GH_STR("/a"), NULL, &e));
	CHECK(!arn_validate_path(GH_STR("a/"), NULL, &e));
	CHECK(!arn_validate_path(GH_STR("/a b/"), NULL, &e));
	CHECK_STR_EQ(e.msg, "1 validation error detected: Value '/a b/' at 'path' failed to satisfy "
			    "constraint: Member must satisfy regular expression pattern: "
			    "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
	CHECK(arn_validate_path_prefix(GH_STR("/a"), NULL, &e));
	CHECK(!arn_validate_path_prefix(GH_STR("a"), NULL, &e));
	CHECK(arn_validate_arn(GH_STR("arn:aws:iam::123456789012:role/x"), NULL, &e));
	CHECK(!arn_validate_arn(GH_STR("arn:aws:iam::1:r"), NULL, &e));
	CHECK_CONTAINS(e.msg, "at 'roleArn'");
	CHECK(!arn_validate_arn(GH_STR("arn:aws:iam::123456789012:role/\x01x"), NULL, &e));
	CHECK(!arn_validate_arn(GH_STR("arn:aws:iam::123456789012:role/\xff"), NULL, &e));
	CHECK(arn_is_account_id(GH_STR("000000000000")));
	CHECK(!arn_is_account_id(GH_STR("00000000000a")));
}
