#include "domain/eks/access_entry.h"
#include "domain/eks/eks_errors.h"
#include "domain/eks/entry_mapper.h"
#include "test.h"

#define ACCT "111122223333"
#define OTHER "444455556666"

static const uint8_t uuid[16] = { 0x02, 0xca, 0x11, 0x57, 0x63, 0xa8, 0x1f, 0x13,
				  0x97, 0x04, 0xb9, 0x10, 0xaa, 0x6d, 0xe6, 0xc1 };

static const char invalid_principal[] = "The specified principalArn is invalid: invalid principal.";

static char *s(gh_str v)
{
	static char buf[8][1024];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%.*s", (int)v.n, v.p ? v.p : "");
	return buf[k];
}

static gh_eks_entry_create_input input(const char *arn, const char *principal_id)
{
	return (gh_eks_entry_create_input){
		.cluster_name = GH_STR("prod"),
		.partition = GH_STR("aws"),
		.region = GH_STR("us-west-2"),
		.cluster_account = GH_STR(ACCT),
		.principal_arn = gh_str_c(arn),
		.principal_id = gh_str_c(principal_id),
		.now_ms = 1700000000123,
		.uuid = uuid,
	};
}

/* Creates an entry or records why not; the entry lives in `a`. */
static bool create(gh_arena *a, const gh_eks_entry_create_input *in, gh_eks_access_entry *e, gh_err *err)
{
	gh_err_clear(err);
	return gh_eks_entry_create(in, a, e, err);
}

/* ---- types and principals ------------------------------------------------------------------ */

TEST(eks_entry_types)
{
	static const char *names[] = { "STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "EC2",
				       "HYPERPOD_LINUX" };
	for (int i = 0; i < GH_EKS_ENTRY_NTYPES; i++) {
		gh_eks_entry_type t;
		gh_err e = { 0 };
		REQUIRE(gh_eks_entry_type_parse(gh_str_c(names[i]), &t, &e));
		CHECK_INT_EQ(t, i);
		CHECK_STR_EQ(gh_eks_entry_type_name(t), names[i]);
	}
	gh_eks_entry_type t;
	gh_err e = { 0 };
	CHECK(gh_eks_entry_type_parse(GH_STR("EC2_Windows"), &t, &e)); /* as the user guide spells it */
	CHECK_INT_EQ(t, GH_EKS_ENTRY_EC2_WINDOWS);
	CHECK(!gh_eks_entry_type_parse(GH_STR("NODE"), &t, &e));
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
	CHECK_STR_EQ(e.msg, "The access entry type NODE is invalid. Valid types are STANDARD, EC2_LINUX, EC2_WINDOWS, "
			    "FARGATE_LINUX, HYBRID_LINUX, EC2, HYPERPOD_LINUX.");
}

TEST(eks_entry_principal_parse)
{
	gh_eks_principal p;
	gh_err e = { 0 };
	REQUIRE(gh_eks_principal_parse(GH_STR("arn:aws:iam::" ACCT ":role/team/apps/Ops"), &p, &e));
	CHECK_INT_EQ(p.kind, GH_EKS_PRINCIPAL_ROLE);
	CHECK_STR_EQ(s(p.path), "/team/apps/");
	CHECK_STR_EQ(s(p.name), "Ops");
	CHECK_STR_EQ(s(p.account), ACCT);
	REQUIRE(gh_eks_principal_parse(GH_STR("arn:aws:iam::" ACCT ":user/alice"), &p, &e));
	CHECK_INT_EQ(p.kind, GH_EKS_PRINCIPAL_USER);
	CHECK_STR_EQ(s(p.path), "/");
	CHECK_STR_EQ(s(p.name), "alice");
	REQUIRE(gh_eks_principal_parse(GH_STR("arn:aws:iam::" ACCT ":root"), &p, &e));
	CHECK_INT_EQ(p.kind, GH_EKS_PRINCIPAL_ROOT);
	REQUIRE(gh_eks_principal_parse(
		GH_STR("arn:aws:iam::" ACCT ":role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123abcd"),
		&p, &e));
	CHECK_STR_EQ(s(p.name), "AWSReservedSSO_Admin_0123abcd");
	REQUIRE(gh_eks_principal_parse(GH_STR("arn:aws-cn:iam::" ACCT ":role/ops"), &p, &e));
	CHECK_STR_EQ(s(p.partition), "aws-cn");

	const char *bad[] = {
		"arn:aws:sts::" ACCT ":assumed-role/ops/session",     /* STS session */
		"arn:aws:sts::" ACCT ":federated-user/bob",
		"arn:aws:iam::" ACCT ":role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS",
		"arn:aws:iam::" ACCT ":group/admins",
		"arn:aws:iam::" ACCT ":policy/p",
		"arn:aws:iam::" ACCT ":role/",
		"arn:aws:iam::12345:role/ops",
		"arn:aws:iam:us-east-1:" ACCT ":role/ops",
		"arn:aws-foo:iam::" ACCT ":role/ops",
		"arn:aws:eks:us-west-2:" ACCT ":cluster/prod",
		"arn:aws:iam::" ACCT ":role/has space",
		"role/ops",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		gh_err_clear(&e);
		if (gh_eks_principal_parse(gh_str_c(bad[i]), &p, &e)) {
			test_failed(__FILE__, __LINE__, "accepted %s", bad[i]);
			continue;
		}
		CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
		CHECK_INT_EQ(e.status, 400);
		CHECK_STR_EQ(e.msg, invalid_principal);
	}
}

TEST(eks_entry_principal_key)
{
	gh_buf a = { 0 }, b = { 0 };
	gh_err e = { 0 };
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" ACCT ":role/team/Ops"), &a, &e));
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" ACCT ":role/ops"), &b, &e));
	CHECK_STR_EQ(a.p, "arn:aws:iam::" ACCT ":role/ops");
	CHECK_STR_EQ(a.p, b.p);
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" ACCT ":user/x/Alice"), &a, &e));
	CHECK_STR_EQ(a.p, "arn:aws:iam::" ACCT ":user/alice");
	/* A user and a role of the same name are different principals. */
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" ACCT ":role/alice"), &b, &e));
	CHECK(strcmp(a.p, b.p) != 0);
	CHECK(!gh_eks_principal_key(GH_STR("arn:aws:sts::" ACCT ":assumed-role/ops/s"), &a, &e));
	CHECK_STR_EQ(e.msg, invalid_principal);
	gh_buf_free(&a);
	gh_buf_free(&b);
}

/* ---- default usernames: every type x principal kind ---------------------------------------- */

TEST(eks_entry_default_usernames)
{
	static const struct {
		const char *type, *arn, *username; /* username NULL: the combination is refused */
		const char *error;
	} cases[] = {
		{ "STANDARD", "arn:aws:iam::" ACCT ":user/alice", "arn:aws:iam::" ACCT ":user/alice", NULL },
		{ "STANDARD", "arn:aws:iam::" ACCT ":user/dev/alice", "arn:aws:iam::" ACCT ":user/dev/alice", NULL },
		{ "STANDARD", "arn:aws:iam::" ACCT ":role/ops", "arn:aws:sts::" ACCT ":assumed-role/ops/{{SessionName}}", NULL },
		{ "STANDARD", "arn:aws:iam::" ACCT ":role/team/apps/ops",
		  "arn:aws:sts::" ACCT ":assumed-role/ops/{{SessionName}}", NULL },
		{ "STANDARD", "arn:aws:iam::" OTHER ":role/partner",
		  "arn:aws:sts::" OTHER ":assumed-role/partner/{{SessionName}}", NULL },
		{ "STANDARD", "arn:aws:iam::" ACCT ":root", "arn:aws:iam::" ACCT ":root", NULL },
		{ "EC2_LINUX", "arn:aws:iam::" ACCT ":role/nodes", "system:node:{{EC2PrivateDNSName}}", NULL },
		{ "EC2_WINDOWS", "arn:aws:iam::" ACCT ":role/nodes", "system:node:{{EC2PrivateDNSName}}", NULL },
		{ "FARGATE_LINUX", "arn:aws:iam::" ACCT ":role/pods", "system:node:{{SessionName}}", NULL },
		{ "HYBRID_LINUX", "arn:aws:iam::" ACCT ":role/hybrid", "system:node:{{SessionName}}", NULL },
		{ "EC2", "arn:aws:iam::" ACCT ":role/auto", "system:node:{{SessionName}}", NULL },
		{ "HYPERPOD_LINUX", "arn:aws:iam::" ACCT ":role/hp", "system:node:{{SessionName}}", NULL },
		/* Node types take only roles of the cluster's account. */
		{ "EC2_LINUX", "arn:aws:iam::" ACCT ":user/alice", NULL,
		  "The specified principalArn is invalid: access entries of type EC2_LINUX accept only IAM roles." },
		{ "FARGATE_LINUX", "arn:aws:iam::" ACCT ":root", NULL,
		  "The specified principalArn is invalid: access entries of type FARGATE_LINUX accept only IAM roles." },
		{ "HYBRID_LINUX", "arn:aws:iam::" OTHER ":role/hybrid", NULL,
		  "The specified principalArn is invalid: access entries of type HYBRID_LINUX accept only IAM roles of "
		  "the cluster's account (" ACCT ")." },
		{ "EC2", "arn:aws:iam::" OTHER ":role/auto", NULL,
		  "The specified principalArn is invalid: access entries of type EC2 accept only IAM roles of the "
		  "cluster's account (" ACCT ")." },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		gh_arena a;
		gh_arena_init(&a, 0);
		gh_str type = gh_str_c(cases[i].type);
		gh_eks_entry_create_input in = input(cases[i].arn, "AROAEXAMPLE000000001");
		in.type = &type;
		gh_eks_access_entry e;
		gh_err err = { 0 };
		bool ok = create(&a, &in, &e, &err);
		if (cases[i].username) {
			if (!ok)
				test_failed(__FILE__, __LINE__, "%s %s: %s", cases[i].type, cases[i].arn, err.msg);
			else
				CHECK_STR_EQ(s(e.username), cases[i].username);
		} else {
			CHECK(!ok);
			CHECK_STR_EQ(err.code, GH_EKS_INVALID_PARAMETER);
			CHECK_STR_EQ(err.msg, cases[i].error);
		}
		gh_arena_free(&a);
	}
}

/* ---- CreateAccessEntry ----------------------------------------------------------------------- */

TEST(eks_entry_create_standard_role)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/team/Ops", "AROAOPS0000000000001");
	gh_eks_access_entry e;
	gh_err err = { 0 };
	REQUIRE(create(&a, &in, &e, &err));
	CHECK_INT_EQ(e.type, GH_EKS_ENTRY_STANDARD); /* the default */
	CHECK_INT_EQ(e.principal_kind, GH_EKS_PRINCIPAL_ROLE);
	CHECK_STR_EQ(s(e.principal_arn), "arn:aws:iam::" ACCT ":role/team/Ops"); /* as given */
	CHECK_STR_EQ(s(e.principal_key), "arn:aws:iam::" ACCT ":role/ops");
	CHECK_STR_EQ(s(e.principal_id), "AROAOPS0000000000001");
	CHECK_STR_EQ(s(e.username), "arn:aws:sts::" ACCT ":assumed-role/Ops/{{SessionName}}");
	CHECK_INT_EQ(e.n_groups, 0);
	CHECK_INT_EQ(e.n_tags, 0);
	CHECK_INT_EQ(e.created_at_ms, 1700000000123);
	CHECK_INT_EQ(e.modified_at_ms, 1700000000123);
	CHECK_STR_EQ(s(e.cluster_name), "prod");
	CHECK_STR_EQ(s(e.entry_arn), "arn:aws:eks:us-west-2:" ACCT ":access-entry/prod/role/" ACCT
				     "/Ops/02ca1157-63a8-1f13-9704-b910aa6de6c1");

	/* Users, cross-account principals and root are STANDARD principals too. */
	in = input("arn:aws:iam::" OTHER ":user/dev/bob", "AIDABOB0000000000001");
	REQUIRE(create(&a, &in, &e, &err));
	CHECK_STR_EQ(s(e.entry_arn), "arn:aws:eks:us-west-2:" ACCT ":access-entry/prod/user/" OTHER
				     "/bob/02ca1157-63a8-1f13-9704-b910aa6de6c1");
	in = input("arn:aws:iam::" ACCT ":root", ACCT);
	REQUIRE(create(&a, &in, &e, &err));
	CHECK_STR_EQ(s(e.entry_arn), "arn:aws:eks:us-west-2:" ACCT ":access-entry/prod/user/" ACCT
				     "/root/02ca1157-63a8-1f13-9704-b910aa6de6c1");
	gh_arena_free(&a);
}

TEST(eks_entry_create_principal_errors)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_access_entry e;
	gh_err err = { 0 };
	const char *refused[] = {
		"arn:aws:sts::" ACCT ":assumed-role/ops/alice",
		"arn:aws:iam::" ACCT ":role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS",
		"not-an-arn",
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		gh_eks_entry_create_input in = input(refused[i], "AROAX");
		CHECK(!create(&a, &in, &e, &err));
		CHECK_STR_EQ(err.code, GH_EKS_INVALID_PARAMETER);
		CHECK_STR_EQ(err.msg, invalid_principal);
	}
	/* Another partition's IAM is out of reach. */
	gh_eks_entry_create_input cn = input("arn:aws-cn:iam::" ACCT ":role/ops", "AROAX");
	CHECK(!create(&a, &cn, &e, &err));
	CHECK_STR_EQ(err.msg, invalid_principal);
	/* IAM does not know the principal: EKS resolves it, and says the same. */
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/ghost", "");
	CHECK(!create(&a, &in, &e, &err));
	CHECK_STR_EQ(err.msg, invalid_principal);
	/* The type is checked before the principal. */
	gh_str type = GH_STR("WINDOWS");
	in = input("arn:aws:sts::" ACCT ":assumed-role/ops/alice", "AROAX");
	in.type = &type;
	CHECK(!create(&a, &in, &e, &err));
	CHECK_CONTAINS(err.msg, "The access entry type WINDOWS is invalid.");
	gh_arena_free(&a);
}

TEST(eks_entry_custom_usernames)
{
	static const struct {
		const char *username, *error;
	} cases[] = {
		{ "ops-admin", NULL },
		{ "jo:hn{{SessionName}}", NULL },
		{ ":john{{SessionName}}", NULL },
		{ "team:{{SessionNameRaw}}", NULL },
		{ "arn:aws:sts::" ACCT ":assumed-role/ops/{{SessionName}}", NULL },
		{ "{{AccountID}}-ops", NULL },
		{ "System:ops", NULL }, /* the check is case-sensitive */
		{ "system:admin", "The username must not begin with system:" },
		{ "system:node:{{EC2PrivateDNSName}}", "The username must not begin with system:" },
		{ "eks:ops", "The username must not begin with eks:" },
		{ "aws:ops", "The username must not begin with aws:" },
		{ "amazon:ops", "The username must not begin with amazon:" },
		{ "iam:ops", "The username must not begin with iam:" },
		{ "john{{SessionName}}", "The username must include a colon (:) before {{SessionName}}." },
		{ "{{SessionName}}", "The username must include a colon (:) before {{SessionName}}." },
		{ "john{{SessionNameRaw}}:x", "The username must include a colon (:) before {{SessionNameRaw}}." },
		{ "", "The username must not be empty." },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		gh_arena a;
		gh_arena_init(&a, 0);
		gh_str u = gh_str_c(cases[i].username);
		gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/ops", "AROAOPS0000000000001");
		in.username = &u;
		gh_eks_access_entry e;
		gh_err err = { 0 };
		bool ok = create(&a, &in, &e, &err);
		if (!cases[i].error) {
			if (!ok)
				test_failed(__FILE__, __LINE__, "\"%s\" refused: %s", cases[i].username, err.msg);
			else
				CHECK_STR_EQ(s(e.username), cases[i].username);
		} else if (ok) {
			test_failed(__FILE__, __LINE__, "\"%s\" accepted", cases[i].username);
		} else {
			CHECK_STR_EQ(err.code, GH_EKS_INVALID_PARAMETER);
			CHECK_STR_EQ(err.msg, cases[i].error);
		}
		gh_arena_free(&a);
	}
}

TEST(eks_entry_groups)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_access_entry e;
	gh_err err = { 0 };
	const gh_str ok_groups[] = { GH_STR("viewers"), GH_STR("eks:team"), GH_STR("sys:x") };
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/ops", "AROAOPS0000000000001");
	in.groups = ok_groups;
	in.n_groups = 3;
	in.has_groups = true;
	REQUIRE(create(&a, &in, &e, &err));
	REQUIRE(e.n_groups == 3);
	CHECK_STR_EQ(s(e.groups[0]), "viewers");
	CHECK_STR_EQ(s(e.groups[2]), "sys:x");

	const gh_str masters[] = { GH_STR("viewers"), GH_STR("system:masters") };
	in.groups = masters;
	in.n_groups = 2;
	CHECK(!create(&a, &in, &e, &err));
	CHECK_STR_EQ(err.code, GH_EKS_INVALID_PARAMETER);
	CHECK_STR_EQ(err.msg, "The kubernetes group name system:masters is invalid, it cannot start with system:");
	const gh_str boot[] = { GH_STR("system:bootstrappers") };
	in.groups = boot;
	in.n_groups = 1;
	CHECK(!create(&a, &in, &e, &err));
	CHECK_STR_EQ(err.msg, "The kubernetes group name system:bootstrappers is invalid, it cannot start with system:");
	const gh_str empty[] = { GH_STR("") };
	in.groups = empty;
	CHECK(!create(&a, &in, &e, &err));
	CHECK_STR_EQ(err.msg, "The kubernetes group name is invalid, it cannot be empty");
	/* The username is checked before the groups. */
	gh_str u = GH_STR("system:x");
	in.groups = masters;
	in.n_groups = 2;
	in.username = &u;
	CHECK(!create(&a, &in, &e, &err));
	CHECK_STR_EQ(err.msg, "The username must not begin with system:");
	gh_arena_free(&a);
}

TEST(eks_entry_node_types)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_access_entry e;
	gh_err err = { 0 };
	for (int t = GH_EKS_ENTRY_EC2_LINUX; t < GH_EKS_ENTRY_NTYPES; t++) {
		gh_str type = gh_str_c(gh_eks_entry_type_name((gh_eks_entry_type)t));
		gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/nodes", "AROANODES00000000001");
		in.type = &type;
		REQUIRE(create(&a, &in, &e, &err));
		CHECK_INT_EQ(e.type, t);
		size_t n;
		const gh_str *g = gh_eks_entry_type_groups((gh_eks_entry_type)t, &n);
		REQUIRE(e.n_groups == n && n >= 1);
		CHECK_STR_EQ(s(e.groups[n - 1]), "system:nodes");
		(void)g;
		/* An empty list is "nothing to add"; any group is refused. */
		in.has_groups = true;
		REQUIRE(create(&a, &in, &e, &err));
		const gh_str groups[] = { GH_STR("ops") };
		in.groups = groups;
		in.n_groups = 1;
		CHECK(!create(&a, &in, &e, &err));
		char want[160];
		snprintf(want, sizeof want, "kubernetesGroups can't be set for access entries of type %s: Amazon EKS sets them.",
			 gh_eks_entry_type_name((gh_eks_entry_type)t));
		CHECK_STR_EQ(err.msg, want);
		const gh_str nodes[] = { GH_STR("system:nodes") };
		in.groups = nodes;
		CHECK(!create(&a, &in, &e, &err));
		CHECK_STR_EQ(err.msg, "The kubernetes group name system:nodes is invalid, it cannot start with system:");
		/* EKS writes the username; passing EKS's own one hits the reserved prefix first. */
		in.has_groups = false;
		gh_str own = gh_str_c(gh_eks_entry_type_node_username((gh_eks_entry_type)t));
		in.username = &own;
		CHECK(!create(&a, &in, &e, &err));
		CHECK_STR_EQ(err.msg, "The username must not begin with system:");
		gh_str custom = GH_STR("node-{{SessionName}}:x");
		in.username = &custom;
		CHECK(!create(&a, &in, &e, &err));
		CHECK_CONTAINS(err.msg, "The username must include a colon");
		gh_str plain = GH_STR("nodes");
		in.username = &plain;
		CHECK(!create(&a, &in, &e, &err));
		snprintf(want, sizeof want, "The username can't be set for access entries of type %s: Amazon EKS sets it.",
			 gh_eks_entry_type_name((gh_eks_entry_type)t));
		CHECK_STR_EQ(err.msg, want);
	}
	size_t n;
	const gh_str *g = gh_eks_entry_type_groups(GH_EKS_ENTRY_FARGATE_LINUX, &n);
	REQUIRE(n == 2);
	CHECK_STR_EQ(s(g[0]), "system:node-proxier");
	g = gh_eks_entry_type_groups(GH_EKS_ENTRY_EC2_LINUX, &n);
	REQUIRE(n == 1);
	CHECK_STR_EQ(s(g[0]), "system:nodes");
	CHECK(gh_eks_entry_type_groups(GH_EKS_ENTRY_STANDARD, &n) == NULL && n == 0);
	gh_arena_free(&a);
}

TEST(eks_entry_tags)
{
	gh_eks_tag tags[51];
	char keys[51][16];
	for (int i = 0; i < 51; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		tags[i] = (gh_eks_tag){ gh_str_c(keys[i]), GH_STR("v") };
	}
	gh_err e = { 0 };
	CHECK(gh_eks_validate_tags(tags, 0, &e));
	CHECK(gh_eks_validate_tags(tags, 50, &e));
	CHECK(!gh_eks_validate_tags(tags, 51, &e));
	CHECK_STR_EQ(e.code, GH_EKS_INVALID_PARAMETER);
	CHECK_STR_EQ(e.msg, "The number of tags must not be greater than 50.");

	char k128[129], k129[130], v256[257], v257[258];
	memset(k128, 'k', 128);
	k128[128] = '\0';
	memset(k129, 'k', 129);
	k129[129] = '\0';
	memset(v256, 'v', 256);
	v256[256] = '\0';
	memset(v257, 'v', 257);
	v257[257] = '\0';
	gh_eks_tag t = { gh_str_c(k128), gh_str_c(v256) };
	CHECK(gh_eks_validate_tags(&t, 1, &e));
	t.value = GH_STR("");
	CHECK(gh_eks_validate_tags(&t, 1, &e)); /* values may be empty */
	t.key = gh_str_c(k129);
	CHECK(!gh_eks_validate_tags(&t, 1, &e));
	CHECK_STR_EQ(e.msg, "Tag keys must be between 1 and 128 characters long.");
	t.key = GH_STR("");
	CHECK(!gh_eks_validate_tags(&t, 1, &e));
	t = (gh_eks_tag){ GH_STR("team"), gh_str_c(v257) };
	CHECK(!gh_eks_validate_tags(&t, 1, &e));
	CHECK_STR_EQ(e.msg, "The value of tag team must not be longer than 256 characters.");
	t = (gh_eks_tag){ GH_STR("AWS:cloudformation"), GH_STR("x") };
	CHECK(!gh_eks_validate_tags(&t, 1, &e));
	CHECK_STR_EQ(e.msg, "Tag keys starting with aws: are reserved for AWS use.");
	/* Characters, not bytes: 128 two-byte characters fit. */
	char wide[257];
	for (int i = 0; i < 128; i++)
		memcpy(wide + 2 * i, "\xc3\xa9", 2);
	wide[256] = '\0';
	t = (gh_eks_tag){ gh_str_c(wide), GH_STR("x") };
	CHECK(gh_eks_validate_tags(&t, 1, &e));

	/* Create keeps them. */
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/ops", "AROAOPS0000000000001");
	in.tags = tags;
	in.n_tags = 2;
	gh_eks_access_entry en;
	REQUIRE(create(&a, &in, &en, &e));
	REQUIRE(en.n_tags == 2);
	CHECK_STR_EQ(s(en.tags[1].key), "k1");
	in.n_tags = 51;
	CHECK(!create(&a, &in, &en, &e));
	gh_arena_free(&a);
}

TEST(eks_entry_uniqueness_and_lookup)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_eks_access_entry entries[2];
	gh_err err = { 0 };
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/team/ops", "AROAOPS0000000000001");
	REQUIRE(create(&a, &in, &entries[0], &err));
	in = input("arn:aws:iam::" ACCT ":user/alice", "AIDAALICE00000000001");
	REQUIRE(create(&a, &in, &entries[1], &err));

	/* The path-less form of the same role collides, whatever the case. */
	gh_buf key = { 0 };
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" ACCT ":role/OPS"), &key, &err));
	CHECK(!gh_eks_entry_check_unique(gh_buf_str(&key), entries, 2, &err));
	CHECK_STR_EQ(err.code, GH_EKS_RESOURCE_IN_USE);
	CHECK_INT_EQ(err.status, 409);
	CHECK_STR_EQ(err.msg, "The specified access entry resource is already in use on this cluster.");
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" ACCT ":role/other/path/ops"), &key, &err));
	CHECK(!gh_eks_entry_check_unique(gh_buf_str(&key), entries, 2, &err));
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" ACCT ":role/ops2"), &key, &err));
	CHECK(gh_eks_entry_check_unique(gh_buf_str(&key), entries, 2, &err));
	/* Another account's role of the same name is another principal. */
	REQUIRE(gh_eks_principal_key(GH_STR("arn:aws:iam::" OTHER ":role/ops"), &key, &err));
	CHECK(gh_eks_entry_check_unique(gh_buf_str(&key), entries, 2, &err));
	gh_buf_free(&key);

	CHECK_INT_EQ(gh_eks_entry_find(entries, 2, GH_STR("arn:aws:iam::" ACCT ":role/team/ops")), 0);
	CHECK_INT_EQ(gh_eks_entry_find(entries, 2, GH_STR("arn:aws:iam::" ACCT ":role/ops")), 0);
	CHECK_INT_EQ(gh_eks_entry_find(entries, 2, GH_STR("arn:aws:iam::" ACCT ":user/Alice")), 1);
	CHECK_INT_EQ(gh_eks_entry_find(entries, 2, GH_STR("arn:aws:iam::" ACCT ":role/alice")), -1);
	CHECK_INT_EQ(gh_eks_entry_find(entries, 2, GH_STR("garbage")), -1);

	CHECK(!gh_eks_fail_entry_not_found(&err));
	CHECK_STR_EQ(err.code, GH_EKS_RESOURCE_NOT_FOUND);
	CHECK_INT_EQ(err.status, 404);
	CHECK_STR_EQ(err.msg, "The specified principalArn could not be found. You can view your available access "
			      "entries with 'list-access-entries'.");
	gh_arena_free(&a);
}

/* ---- UpdateAccessEntry ------------------------------------------------------------------------- */

TEST(eks_entry_update)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_err err = { 0 };
	const gh_str g1[] = { GH_STR("viewers"), GH_STR("devs") };
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/ops", "AROAOPS0000000000001");
	in.groups = g1;
	in.n_groups = 2;
	in.has_groups = true;
	gh_eks_access_entry cur, next;
	REQUIRE(create(&a, &in, &cur, &err));

	/* Groups are replaced whole; the username stays when absent. */
	const gh_str g2[] = { GH_STR("admins") };
	gh_eks_entry_update_input up = { .groups = g2, .n_groups = 1, .has_groups = true, .now_ms = 1800000000000 };
	REQUIRE(gh_eks_entry_update(&cur, &up, &a, &next, &err));
	REQUIRE(next.n_groups == 1);
	CHECK_STR_EQ(s(next.groups[0]), "admins");
	CHECK_STR_EQ(s(next.username), s(cur.username));
	CHECK_INT_EQ(next.created_at_ms, 1700000000123);
	CHECK_INT_EQ(next.modified_at_ms, 1800000000000);
	CHECK_INT_EQ(next.type, GH_EKS_ENTRY_STANDARD);
	CHECK_STR_EQ(s(next.principal_id), "AROAOPS0000000000001");
	CHECK_INT_EQ(cur.n_groups, 2); /* the old record is untouched */

	/* An empty list clears them. */
	up = (gh_eks_entry_update_input){ .has_groups = true, .now_ms = 1800000000001 };
	REQUIRE(gh_eks_entry_update(&cur, &up, &a, &next, &err));
	CHECK_INT_EQ(next.n_groups, 0);

	gh_str u = GH_STR("ops:{{SessionName}}");
	up = (gh_eks_entry_update_input){ .username = &u, .now_ms = 1800000000002 };
	REQUIRE(gh_eks_entry_update(&cur, &up, &a, &next, &err));
	CHECK_STR_EQ(s(next.username), "ops:{{SessionName}}");
	CHECK_INT_EQ(next.n_groups, 2);

	gh_str bad = GH_STR("eks:ops");
	up.username = &bad;
	CHECK(!gh_eks_entry_update(&cur, &up, &a, &next, &err));
	CHECK_STR_EQ(err.msg, "The username must not begin with eks:");
	const gh_str g3[] = { GH_STR("system:masters") };
	up = (gh_eks_entry_update_input){ .groups = g3, .n_groups = 1, .has_groups = true };
	CHECK(!gh_eks_entry_update(&cur, &up, &a, &next, &err));
	CHECK_STR_EQ(err.msg, "The kubernetes group name system:masters is invalid, it cannot start with system:");
	gh_arena_free(&a);
}

TEST(eks_entry_update_node_type)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_err err = { 0 };
	gh_str type = GH_STR("EC2_LINUX");
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/nodes", "AROANODES00000000001");
	in.type = &type;
	gh_eks_access_entry cur, next;
	REQUIRE(create(&a, &in, &cur, &err));
	/* What terraform sends back (its own username, an empty group list): EKS refuses the
	 * username before looking at the groups (aws-eks-blueprints#1920). */
	gh_str own = GH_STR("system:node:{{EC2PrivateDNSName}}");
	gh_eks_entry_update_input up = { .username = &own, .has_groups = true, .now_ms = 2 };
	CHECK(!gh_eks_entry_update(&cur, &up, &a, &next, &err));
	CHECK_STR_EQ(err.code, GH_EKS_INVALID_PARAMETER);
	CHECK_STR_EQ(err.msg, "The username must not begin with system:");
	/* Without the username, an empty list leaves EKS's groups in place. */
	up.username = NULL;
	REQUIRE(gh_eks_entry_update(&cur, &up, &a, &next, &err));
	REQUIRE(next.n_groups == 1);
	CHECK_STR_EQ(s(next.groups[0]), "system:nodes");
	CHECK_STR_EQ(s(next.username), "system:node:{{EC2PrivateDNSName}}");
	const gh_str g[] = { GH_STR("ops") };
	up.groups = g;
	up.n_groups = 1;
	CHECK(!gh_eks_entry_update(&cur, &up, &a, &next, &err));
	CHECK_STR_EQ(err.msg, "kubernetesGroups can't be set for access entries of type EC2_LINUX: Amazon EKS sets them.");
	gh_arena_free(&a);
}

/* ---- mapping ------------------------------------------------------------------------------------- */

static gh_identity role_caller(const char *account, const char *role, const char *session, const char *role_id)
{
	static char arns[8][256], canon[8][256], sess[8][128], acct[8][16], rid[8][64], uid[8][200];
	static int k;
	k = (k + 1) % 8;
	snprintf(arns[k], sizeof arns[k], "arn:aws:sts::%s:assumed-role/%s/%s", account, role, session);
	snprintf(canon[k], sizeof canon[k], "arn:aws:iam::%s:role/%s", account, role);
	snprintf(sess[k], sizeof sess[k], "%s", session);
	snprintf(acct[k], sizeof acct[k], "%s", account);
	snprintf(rid[k], sizeof rid[k], "%s", role_id);
	snprintf(uid[k], sizeof uid[k], "%s:%s", role_id, session);
	return (gh_identity){ .kind = GH_PRINCIPAL_ASSUMED_ROLE, .arn = gh_str_c(arns[k]), .canonical_arn = gh_str_c(canon[k]),
			      .path_arn = gh_str_c(canon[k]), .account_id = gh_str_c(acct[k]),
			      .user_id = gh_str_c(uid[k]), .principal_id = gh_str_c(rid[k]),
			      .session_name = gh_str_c(sess[k]), .access_key_id = GH_STR("ASIAEXAMPLEEXAMPLE01"),
			      .partition = GH_STR("aws") };
}

static gh_identity user_caller(const char *arn, const char *user_id)
{
	return (gh_identity){ .kind = GH_PRINCIPAL_USER, .arn = gh_str_c(arn), .canonical_arn = gh_str_c(arn),
			      .path_arn = gh_str_c(arn), .account_id = GH_STR(ACCT), .user_id = gh_str_c(user_id),
			      .principal_id = gh_str_c(user_id), .access_key_id = GH_STR("AKIAEXAMPLEEXAMPLE01"),
			      .partition = GH_STR("aws") };
}

static const gh_mapper_instance instances[] = {
	{ GH_STR("i-0123456789abcdef0"), GH_STR("ip-10-0-0-1.us-west-2.compute.internal") },
};
static gh_mapper_instance_table instance_table = { instances, 1 };

/* A small cluster: a path-ful role, a user, an EC2_LINUX node role and a Fargate role. */
typedef struct fixture {
	gh_arena a;
	gh_eks_access_entry e[4];
} fixture;

static bool fixture_init(fixture *f)
{
	gh_arena_init(&f->a, 0);
	gh_err err = { 0 };
	const gh_str groups[] = { GH_STR("ops-{{AccountID}}"), GH_STR("viewers") };
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/team/ops", "AROAOPSOLD0000000001");
	in.groups = groups;
	in.n_groups = 2;
	in.has_groups = true;
	if (!create(&f->a, &in, &f->e[0], &err))
		return false;
	in = input("arn:aws:iam::" ACCT ":user/alice", "AIDAALICE00000000001");
	if (!create(&f->a, &in, &f->e[1], &err))
		return false;
	gh_str ec2 = GH_STR("EC2_LINUX"), fargate = GH_STR("FARGATE_LINUX");
	in = input("arn:aws:iam::" ACCT ":role/nodes", "AROANODES00000000001");
	in.type = &ec2;
	if (!create(&f->a, &in, &f->e[2], &err))
		return false;
	in = input("arn:aws:iam::" ACCT ":role/fargate-pods", "AROAFARGATE000000001");
	in.type = &fargate;
	return create(&f->a, &in, &f->e[3], &err);
}

TEST(eks_map_role_entry_with_path)
{
	fixture f;
	REQUIRE(fixture_init(&f));
	gh_eks_map_result r;
	/* STS drops the path; the principal ID says it is the same role. */
	gh_identity id = role_caller(ACCT, "ops", "alice@example.com", "AROAOPSOLD0000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, NULL, &f.a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "arn:aws:sts::" ACCT ":assumed-role/ops/alice-example.com");
	REQUIRE(r.n_groups == 2);
	CHECK_STR_EQ(s(r.groups[0]), "ops-" ACCT);
	CHECK_INT_EQ(r.entry, 0);
	CHECK_STR_EQ(s(r.source), "access entry arn:aws:eks:us-west-2:" ACCT ":access-entry/prod/role/" ACCT
				  "/ops/02ca1157-63a8-1f13-9704-b910aa6de6c1 (arn:aws:iam::" ACCT ":role/team/ops)");
	gh_arena_free(&f.a);
}

TEST(eks_map_recreated_principal)
{
	fixture f;
	REQUIRE(fixture_init(&f));
	gh_eks_map_opts o = { .trace = true };
	gh_eks_map_result r;
	/* Same ARN, new unique ID: the role was deleted and re-created. */
	gh_identity id = role_caller(ACCT, "ops", "alice", "AROAOPSNEW0000000002");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, &o, &f.a, &r), GH_MAP_NOT_MAPPED);
	CHECK_INT_EQ(r.entry, -1);
	CHECK_INT_EQ(r.stale_entry, 0);
	CHECK_STR_EQ(s(r.message), "the access entry for arn:aws:iam::" ACCT ":role/team/ops was created for principal ID "
				   "AROAOPSOLD0000000001, but the caller is AROAOPSNEW0000000002: the role was deleted "
				   "and re-created; delete and re-create the access entry");
	REQUIRE(r.n_trace >= 1);
	CHECK_CONTAINS(s(r.trace[0]), "matched the caller's ARN, not its principal ID");

	/* The same for a user. */
	id = user_caller("arn:aws:iam::" ACCT ":user/alice", "AIDAALICE00000000002");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, NULL, &f.a, &r), GH_MAP_NOT_MAPPED);
	CHECK_INT_EQ(r.stale_entry, 1);
	CHECK_CONTAINS(s(r.message), "the user was deleted and re-created");
	gh_arena_free(&f.a);
}

TEST(eks_map_user_and_unknown)
{
	fixture f;
	REQUIRE(fixture_init(&f));
	gh_eks_map_result r;
	gh_identity id = user_caller("arn:aws:iam::" ACCT ":user/alice", "AIDAALICE00000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, NULL, &f.a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "arn:aws:iam::" ACCT ":user/alice");
	CHECK_INT_EQ(r.n_groups, 0);
	CHECK_INT_EQ(r.entry, 1);

	id = user_caller("arn:aws:iam::" ACCT ":user/bob", "AIDABOB0000000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, NULL, &f.a, &r), GH_MAP_NOT_MAPPED);
	CHECK_INT_EQ(r.stale_entry, -1);
	CHECK_STR_EQ(s(r.message), "no access entry for arn:aws:iam::" ACCT ":user/bob (principal ID AIDABOB0000000000001)");

	/* A federated user whose principal ID happened to equal a role's is still not that role. */
	gh_identity fed = { .kind = GH_PRINCIPAL_FEDERATED, .arn = GH_STR("arn:aws:sts::" ACCT ":federated-user/ops"),
			    .canonical_arn = GH_STR("arn:aws:sts::" ACCT ":federated-user/ops"),
			    .principal_id = GH_STR("AROAOPSOLD0000000001"), .account_id = GH_STR(ACCT) };
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &fed, NULL, &f.a, &r), GH_MAP_NOT_MAPPED);
	gh_arena_free(&f.a);
}

TEST(eks_map_id_with_other_arn)
{
	fixture f;
	REQUIRE(fixture_init(&f));
	gh_eks_map_result r;
	/* The stored principal ID belongs to a caller whose ARN is another: refused loudly. */
	gh_identity id = role_caller(ACCT, "impostor", "s", "AROAOPSOLD0000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, NULL, &f.a, &r), GH_MAP_ERROR);
	CHECK_INT_EQ(r.entry, 0);
	CHECK_CONTAINS(s(r.message), "ARN does not match User ID");
	gh_arena_free(&f.a);
}

TEST(eks_map_node_entries)
{
	fixture f;
	REQUIRE(fixture_init(&f));
	gh_eks_map_opts o = { .ec2_lookup = gh_mapper_instance_table_lookup, .ec2_ctx = &instance_table };
	gh_eks_map_result r;
	gh_identity id = role_caller(ACCT, "nodes", "i-0123456789abcdef0", "AROANODES00000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, &o, &f.a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "system:node:ip-10-0-0-1.us-west-2.compute.internal");
	REQUIRE(r.n_groups == 1);
	CHECK_STR_EQ(s(r.groups[0]), "system:nodes");

	/* Unknown instance: the matched entry fails, it does not fall through. */
	id = role_caller(ACCT, "nodes", "i-0fffffffffffffff0", "AROANODES00000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, &o, &f.a, &r), GH_MAP_ERROR);
	CHECK_INT_EQ(r.entry, 2);
	CHECK_STR_EQ(s(r.message), "error rendering username template \"system:node:{{EC2PrivateDNSName}}\": no private "
				   "DNS name is known for instance i-0fffffffffffffff0");
	id = role_caller(ACCT, "nodes", "not-an-instance", "AROANODES00000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, &o, &f.a, &r), GH_MAP_ERROR);
	CHECK_CONTAINS(s(r.message), "SessionName did not contain an instance id");

	id = role_caller(ACCT, "fargate-pods", "fargate-ip-192-168-1-1.us-west-2.compute.internal", "AROAFARGATE000000001");
	CHECK_INT_EQ(gh_eks_entries_map(f.e, 4, &id, &o, &f.a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "system:node:fargate-ip-192-168-1-1.us-west-2.compute.internal");
	REQUIRE(r.n_groups == 2);
	CHECK_STR_EQ(s(r.groups[0]), "system:node-proxier");
	CHECK_STR_EQ(s(r.groups[1]), "system:nodes");
	gh_arena_free(&f.a);
}

TEST(eks_map_templates)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_err err = { 0 };
	gh_str u = GH_STR("x:{{SessionName}}/{{SessionNameRaw}}/{{AccountID}}/{{AccessKeyID}}/{{Unknown}}");
	gh_eks_entry_create_input in = input("arn:aws:iam::" ACCT ":role/ops", "AROAOPS0000000000001");
	in.username = &u;
	gh_eks_access_entry e[2];
	REQUIRE(create(&a, &in, &e[0], &err));
	gh_identity id = role_caller(ACCT, "ops", "a@b", "AROAOPS0000000000001");
	gh_eks_map_result r;
	CHECK_INT_EQ(gh_eks_entries_map(e, 1, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "x:a-b/a@b/" ACCT "/ASIAEXAMPLEEXAMPLE01/{{Unknown}}");

	/* A session template on an IAM user entry cannot render. */
	gh_str uu = GH_STR("user:{{SessionName}}");
	in = input("arn:aws:iam::" ACCT ":user/alice", "AIDAALICE00000000001");
	in.username = &uu;
	REQUIRE(create(&a, &in, &e[1], &err));
	id = user_caller("arn:aws:iam::" ACCT ":user/alice", "AIDAALICE00000000001");
	CHECK_INT_EQ(gh_eks_entries_map(e, 2, &id, NULL, &a, &r), GH_MAP_ERROR);
	CHECK_STR_EQ(s(r.message), "error rendering username template \"user:{{SessionName}}\": {{SessionName}} needs a "
				   "role session, and arn:aws:iam::" ACCT ":user/alice is not an assumed role");
	gh_arena_free(&a);
}

/* ---- authentication modes ------------------------------------------------------------------------ */

static gh_awsauth *aws_auth(void)
{
	gh_str roles = GH_STR("- rolearn: arn:aws:iam::" ACCT ":role/ops\n"
			      "  username: from-aws-auth:{{SessionName}}\n"
			      "  groups: [system:masters]\n"
			      "- rolearn: arn:aws:iam::" ACCT ":role/legacy\n"
			      "  username: legacy:{{SessionName}}\n"
			      "  groups: [legacy]\n");
	gh_awsauth *cfg = NULL;
	gh_err e = { 0 };
	if (!gh_awsauth_load(&roles, NULL, NULL, NULL, &cfg, &e))
		test_failed(__FILE__, __LINE__, "aws-auth: %s", e.msg);
	return cfg;
}

TEST(eks_authn_modes)
{
	fixture f;
	REQUIRE(fixture_init(&f));
	gh_awsauth *cfg = aws_auth();
	REQUIRE(cfg);
	gh_eks_authn_result r;
	gh_identity ops = role_caller(ACCT, "ops", "alice", "AROAOPSOLD0000000001");
	gh_identity legacy = role_caller(ACCT, "legacy", "bob", "AROALEGACY0000000001");

	/* CONFIG_MAP: aws-auth only, entries are not looked at. */
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_CONFIG_MAP, f.e, 4, cfg, &ops, NULL, NULL, &f.a, &r), GH_MAP_MAPPED);
	CHECK_INT_EQ(r.from, GH_EKS_FROM_AWS_AUTH);
	CHECK_STR_EQ(s(r.username), "from-aws-auth:alice");
	CHECK(!r.ran_entries && r.ran_aws_auth);

	/* API_AND_CONFIG_MAP: the access entry wins for the same principal. */
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API_AND_CONFIG_MAP, f.e, 4, cfg, &ops, NULL, NULL, &f.a, &r),
		     GH_MAP_MAPPED);
	CHECK_INT_EQ(r.from, GH_EKS_FROM_ACCESS_ENTRY);
	CHECK_STR_EQ(s(r.username), "arn:aws:sts::" ACCT ":assumed-role/ops/alice");
	CHECK(r.ran_entries && !r.ran_aws_auth);
	CHECK_CONTAINS(s(r.source), "access entry arn:aws:eks:");
	/* ... and aws-auth answers for principals without an entry. */
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API_AND_CONFIG_MAP, f.e, 4, cfg, &legacy, NULL, NULL, &f.a, &r),
		     GH_MAP_MAPPED);
	CHECK_INT_EQ(r.from, GH_EKS_FROM_AWS_AUTH);
	CHECK_STR_EQ(s(r.username), "legacy:bob");
	CHECK(r.ran_entries && r.ran_aws_auth);

	/* API: aws-auth is ignored. */
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API, f.e, 4, cfg, &legacy, NULL, NULL, &f.a, &r), GH_MAP_NOT_MAPPED);
	CHECK_INT_EQ(r.from, GH_EKS_FROM_NONE);
	CHECK(!r.ran_aws_auth);
	CHECK_STR_EQ(s(r.message), "no access entry for arn:aws:iam::" ACCT ":role/legacy (principal ID AROALEGACY0000000001)");
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API, f.e, 4, cfg, &ops, NULL, NULL, &f.a, &r), GH_MAP_MAPPED);
	CHECK_INT_EQ(r.from, GH_EKS_FROM_ACCESS_ENTRY);

	/* A stale entry does not match, so API_AND_CONFIG_MAP falls back to aws-auth; explain
	 * still sees why the entry was passed over. */
	gh_identity reborn = role_caller(ACCT, "ops", "alice", "AROAOPSNEW0000000002");
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API_AND_CONFIG_MAP, f.e, 4, cfg, &reborn, NULL, NULL, &f.a, &r),
		     GH_MAP_MAPPED);
	CHECK_INT_EQ(r.from, GH_EKS_FROM_AWS_AUTH);
	CHECK_STR_EQ(s(r.username), "from-aws-auth:alice");
	CHECK_INT_EQ(r.entries.stale_entry, 0);
	/* In API mode the stale entry is the whole story. */
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API, f.e, 4, cfg, &reborn, NULL, NULL, &f.a, &r), GH_MAP_NOT_MAPPED);
	CHECK_CONTAINS(s(r.message), "was created for principal ID AROAOPSOLD0000000001, but the caller is "
				     "AROAOPSNEW0000000002");

	/* Nobody knows this one: both reasons are reported. */
	gh_identity stranger = role_caller(ACCT, "stranger", "x", "AROASTRANGER00000001");
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API_AND_CONFIG_MAP, f.e, 4, cfg, &stranger, NULL, NULL, &f.a, &r),
		     GH_MAP_NOT_MAPPED);
	CHECK_STR_EQ(s(r.message), "no access entry for arn:aws:iam::" ACCT ":role/stranger (principal ID "
				   "AROASTRANGER00000001); identity is not mapped: arn:aws:iam::" ACCT ":role/stranger");

	/* A matched entry that fails to render is final: no fallback to aws-auth. */
	gh_identity node = role_caller(ACCT, "nodes", "i-0fffffffffffffff0", "AROANODES00000000001");
	gh_eks_map_opts o = { .ec2_lookup = gh_mapper_instance_table_lookup, .ec2_ctx = &instance_table };
	CHECK_INT_EQ(gh_eks_authn_map(GH_EKS_AUTH_API_AND_CONFIG_MAP, f.e, 4, cfg, &node, &o, NULL, &f.a, &r), GH_MAP_ERROR);
	CHECK_INT_EQ(r.from, GH_EKS_FROM_ACCESS_ENTRY);
	CHECK(!r.ran_aws_auth);
	gh_awsauth_free(cfg);
	gh_arena_free(&f.a);
}
