#include "domain/eks/cluster.h"
#include "domain/eks/eks_errors.h"
#include "test.h"

static const char name_msg[] =
	"The name parameter contains invalid characters. It should conform to the regular expression "
	"\"^[0-9A-Za-z][A-Za-z0-9-_]*\"In other words, it should start with a number or letter, and can contain "
	"numbers, letters, dashes, and underscores.";

static char *repeat(char c, size_t n)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	memset(buf[k], c, n);
	buf[k][n] = '\0';
	return buf[k];
}

TEST(eks_cluster_name_valid)
{
	const char *ok[] = { "a", "0", "my-cluster", "my_cluster", "Prod-EKS_01", "a-", "a_" };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		gh_err e = { 0 };
		if (!gh_eks_validate_cluster_name(gh_str_c(ok[i]), NULL, &e))
			test_failed(__FILE__, __LINE__, "%s refused: %s", ok[i], e.msg);
	}
	gh_err e = { 0 };
	CHECK(gh_eks_validate_cluster_name(gh_str_c(repeat('a', 100)), NULL, &e));
}

TEST(eks_cluster_name_invalid)
{
	const char *bad[] = { "", "-a", "_a", "a.b", "a b", "a/b", "caf\xc3\xa9", "a:b" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		gh_err e = { 0 };
		if (gh_eks_validate_cluster_name(gh_str_c(bad[i]), NULL, &e)) {
			test_failed(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
			continue;
		}
		CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
		CHECK_INT_EQ(e.status, 400);
		CHECK_STR_EQ(e.msg, name_msg);
	}
	gh_err e = { 0 };
	CHECK(!gh_eks_validate_cluster_name(gh_str_c(repeat('a', 101)), NULL, &e));
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
	CHECK_STR_EQ(e.msg, "The name parameter must be 100 characters or fewer.");
	/* The access-entry operations name the member clusterName. */
	CHECK(!gh_eks_validate_cluster_name(GH_STR("bad.name"), "clusterName", &e));
	CHECK_CONTAINS(e.msg, "The clusterName parameter contains invalid characters.");
}

TEST(eks_cluster_version)
{
	gh_err e = { 0 };
	CHECK(gh_eks_validate_version(GH_STR("1.33"), NULL, 0, &e));
	CHECK(gh_eks_validate_version(GH_STR("1.28"), NULL, 0, &e));
	const char *bad[] = { "1.15", "1.24", "abc", "1", "1.", ".30", "1.30.0", "01.30", "1.030", "v1.30", "", "1.3x" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		gh_err e2 = { 0 };
		if (gh_eks_validate_version(gh_str_c(bad[i]), NULL, 0, &e2)) {
			test_failed(__FILE__, __LINE__, "version \"%s\" accepted", bad[i]);
			continue;
		}
		CHECK_STR_EQ(e2.code, GH_EKS_INVALID_PARAMETER);
		char want[64];
		snprintf(want, sizeof want, "unsupported Kubernetes version %s", bad[i]);
		CHECK_STR_EQ(e2.msg, want);
	}
	/* The list is the caller's to give. */
	const gh_str mine[] = { GH_STR("1.40") };
	CHECK(gh_eks_validate_version(GH_STR("1.40"), mine, 1, &e));
	CHECK(!gh_eks_validate_version(GH_STR("1.33"), mine, 1, &e));
	CHECK(gh_eks_validate_version(gh_eks_default_version, NULL, 0, &e));
}

TEST(eks_cluster_version_update)
{
	gh_err e = { 0 };
	CHECK(gh_eks_validate_version_update(GH_STR("1.32"), GH_STR("1.33"), NULL, 0, &e));
	CHECK(!gh_eks_validate_version_update(GH_STR("1.31"), GH_STR("1.33"), NULL, 0, &e));
	CHECK_STR_EQ(e.msg, "Unsupported Kubernetes minor version update from 1.31 to 1.33");
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
	CHECK(!gh_eks_validate_version_update(GH_STR("1.33"), GH_STR("1.32"), NULL, 0, &e));
	CHECK_STR_EQ(e.msg, "Unsupported Kubernetes minor version update from 1.33 to 1.32");
	CHECK(!gh_eks_validate_version_update(GH_STR("1.33"), GH_STR("1.33"), NULL, 0, &e));
	CHECK(!gh_eks_validate_version_update(GH_STR("1.35"), GH_STR("1.36"), NULL, 0, &e));
	CHECK_STR_EQ(e.msg, "unsupported Kubernetes version 1.36");
	CHECK(!gh_eks_validate_version_update(GH_STR("1.33"), GH_STR("x"), NULL, 0, &e));
	CHECK_STR_EQ(e.msg, "unsupported Kubernetes version x");
}

TEST(eks_cluster_create_defaults)
{
	gh_eks_create_cluster_input in = { .name = GH_STR("prod") };
	gh_eks_cluster_settings s;
	gh_err e = { 0 };
	REQUIRE(gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_INT_EQ(s.mode, GH_EKS_AUTH_CONFIG_MAP); /* the API default */
	CHECK(s.bootstrap_creator_admin);
	CHECK(!s.creator_entry_now);
	CHECK(gh_str_eq(s.version, gh_eks_default_version));
	CHECK(gh_str_eq_c(s.name, "prod"));

	gh_str api = GH_STR("API"), v = GH_STR("1.31");
	in.authentication_mode = &api;
	in.version = &v;
	REQUIRE(gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_INT_EQ(s.mode, GH_EKS_AUTH_API);
	CHECK(s.creator_entry_now);
	CHECK(gh_str_eq_c(s.version, "1.31"));

	bool no = false;
	in.bootstrap_creator_admin = &no;
	REQUIRE(gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK(!s.bootstrap_creator_admin);
	CHECK(!s.creator_entry_now);

	gh_str both = GH_STR("API_AND_CONFIG_MAP");
	in.authentication_mode = &both;
	REQUIRE(gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_INT_EQ(s.mode, GH_EKS_AUTH_API_AND_CONFIG_MAP);

	gh_str dv = GH_STR("1.30");
	in = (gh_eks_create_cluster_input){ .name = GH_STR("x"), .default_version = &dv };
	REQUIRE(gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK(gh_str_eq_c(s.version, "1.30"));
}

TEST(eks_cluster_create_bootstrap_rule)
{
	static const char msg[] =
		"bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP";
	bool no = false;
	gh_str cm = GH_STR("CONFIG_MAP");
	gh_eks_cluster_settings s;
	/* Explicit CONFIG_MAP and the default one both refuse it. */
	gh_eks_create_cluster_input in = { .name = GH_STR("prod"), .bootstrap_creator_admin = &no, .authentication_mode = &cm };
	gh_err e = { 0 };
	CHECK(!gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
	CHECK_INT_EQ(e.status, 400);
	CHECK_STR_EQ(e.msg, msg);
	in.authentication_mode = NULL;
	gh_err_clear(&e);
	CHECK(!gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_STR_EQ(e.msg, msg);
}

TEST(eks_cluster_create_order_and_mode_errors)
{
	gh_str bad_mode = GH_STR("config_map"), bad_v = GH_STR("1.10");
	gh_eks_cluster_settings s;
	gh_err e = { 0 };
	gh_eks_create_cluster_input in = { .name = GH_STR("-x"), .version = &bad_v, .authentication_mode = &bad_mode };
	CHECK(!gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_STR_EQ(e.msg, name_msg); /* the name first */
	in.name = GH_STR("x");
	CHECK(!gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_STR_EQ(e.msg, "unsupported Kubernetes version 1.10"); /* then the version */
	in.version = NULL;
	CHECK(!gh_eks_cluster_validate_create(&in, &s, &e));
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER); /* the enum is case-sensitive */
	CHECK_STR_EQ(e.msg, "Invalid authentication mode config_map. Valid values are: API, API_AND_CONFIG_MAP, CONFIG_MAP");
}

TEST(eks_cluster_mode_transitions_all_pairs)
{
	static const struct {
		gh_eks_auth_mode from;
		const char *to;
		bool ok;
	} cases[] = {
		{ GH_EKS_AUTH_CONFIG_MAP, "CONFIG_MAP", false },
		{ GH_EKS_AUTH_CONFIG_MAP, "API_AND_CONFIG_MAP", true },
		{ GH_EKS_AUTH_CONFIG_MAP, "API", false },
		{ GH_EKS_AUTH_API_AND_CONFIG_MAP, "CONFIG_MAP", false },
		{ GH_EKS_AUTH_API_AND_CONFIG_MAP, "API_AND_CONFIG_MAP", false },
		{ GH_EKS_AUTH_API_AND_CONFIG_MAP, "API", true },
		{ GH_EKS_AUTH_API, "CONFIG_MAP", false },
		{ GH_EKS_AUTH_API, "API_AND_CONFIG_MAP", false },
		{ GH_EKS_AUTH_API, "API", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		gh_err e = { 0 };
		gh_eks_auth_mode to = (gh_eks_auth_mode)99;
		bool ok = gh_eks_auth_mode_update(cases[i].from, gh_str_c(cases[i].to), &to, &e);
		if (ok != cases[i].ok) {
			test_failed(__FILE__, __LINE__, "%s -> %s: got %d", gh_eks_auth_mode_name(cases[i].from), cases[i].to,
				    ok);
			continue;
		}
		if (ok) {
			CHECK_STR_EQ(gh_eks_auth_mode_name(to), cases[i].to);
			continue;
		}
		char want[128];
		snprintf(want, sizeof want, "Unsupported authentication mode update from %s to %s",
			 gh_eks_auth_mode_name(cases[i].from), cases[i].to);
		CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
		CHECK_INT_EQ(e.status, 400);
		CHECK_STR_EQ(e.msg, want);
		CHECK_INT_EQ(to, 99); /* untouched on refusal */
	}
	gh_err e = { 0 };
	gh_eks_auth_mode to;
	CHECK(!gh_eks_auth_mode_update(GH_EKS_AUTH_CONFIG_MAP, GH_STR("BOTH"), &to, &e));
	CHECK_STR_EQ(e.msg, "Invalid authentication mode BOTH. Valid values are: API, API_AND_CONFIG_MAP, CONFIG_MAP");
}

TEST(eks_cluster_mode_helpers)
{
	CHECK(!gh_eks_auth_mode_has_access_entries(GH_EKS_AUTH_CONFIG_MAP));
	CHECK(gh_eks_auth_mode_has_access_entries(GH_EKS_AUTH_API_AND_CONFIG_MAP));
	CHECK(gh_eks_auth_mode_has_access_entries(GH_EKS_AUTH_API));
	CHECK(gh_eks_auth_mode_has_config_map(GH_EKS_AUTH_CONFIG_MAP));
	CHECK(gh_eks_auth_mode_has_config_map(GH_EKS_AUTH_API_AND_CONFIG_MAP));
	CHECK(!gh_eks_auth_mode_has_config_map(GH_EKS_AUTH_API));

	gh_err e = { 0 };
	CHECK(!gh_eks_require_access_entries(GH_EKS_AUTH_CONFIG_MAP, &e));
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_REQUEST);
	CHECK_INT_EQ(e.status, 400);
	CHECK_STR_EQ(e.msg, "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to "
			    "perform this operation.");
	CHECK(gh_eks_require_access_entries(GH_EKS_AUTH_API, &e));
	CHECK(gh_eks_require_access_entries(GH_EKS_AUTH_API_AND_CONFIG_MAP, &e));

	gh_eks_mode_change c = gh_eks_mode_change_effects(GH_EKS_AUTH_CONFIG_MAP, GH_EKS_AUTH_API_AND_CONFIG_MAP, true);
	CHECK(c.create_creator_entry);
	CHECK(!c.config_map_ignored);
	c = gh_eks_mode_change_effects(GH_EKS_AUTH_CONFIG_MAP, GH_EKS_AUTH_API_AND_CONFIG_MAP, false);
	CHECK(!c.create_creator_entry);
	c = gh_eks_mode_change_effects(GH_EKS_AUTH_API_AND_CONFIG_MAP, GH_EKS_AUTH_API, true);
	CHECK(!c.create_creator_entry); /* the entry exists already */
	CHECK(c.config_map_ignored);
}

TEST(eks_cluster_arns_and_issuer)
{
	gh_buf b = { 0 };
	REQUIRE(gh_eks_cluster_arn(&b, GH_STR("aws"), GH_STR("us-west-2"), GH_STR("111122223333"), GH_STR("prod")));
	CHECK_STR_EQ(b.p, "arn:aws:eks:us-west-2:111122223333:cluster/prod");

	const uint8_t id[16] = { 0xdc, 0xc7, 0x95, 0x7b, 0xb3, 0x33, 0x5c, 0x6b,
				 0xf4, 0x87, 0xf7, 0x53, 0x80, 0x85, 0xd7, 0x99 };
	char u[37];
	gh_eks_uuid_format(id, u);
	CHECK_STR_EQ(u, "dcc7957b-b333-5c6b-f487-f7538085d799");

	gh_buf base = { 0 };
	REQUIRE(gh_eks_oidc_issuer_base(&base, GH_STR("aws"), GH_STR("us-west-2")));
	CHECK_STR_EQ(base.p, "https://oidc.eks.us-west-2.amazonaws.com");
	REQUIRE(gh_eks_oidc_issuer(&b, gh_buf_str(&base), id));
	CHECK_STR_EQ(b.p, "https://oidc.eks.us-west-2.amazonaws.com/id/DCC7957BB3335C6BF487F7538085D799");
	gh_buf_free(&base);
	REQUIRE(gh_eks_oidc_issuer_base(&b, GH_STR("aws-cn"), GH_STR("cn-north-1")));
	CHECK_STR_EQ(b.p, "https://oidc.eks.cn-north-1.amazonaws.com.cn");
	/* The sandbox brings its own base; a trailing slash is not doubled. */
	REQUIRE(gh_eks_oidc_issuer(&b, GH_STR("https://127.0.0.1:8443/oidc/prod/"), id));
	CHECK_STR_EQ(b.p, "https://127.0.0.1:8443/oidc/prod/id/DCC7957BB3335C6BF487F7538085D799");
	gh_buf_free(&b);
}
