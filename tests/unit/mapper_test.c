#include "domain/authn/mapper.h"
#include "test.h"

static gh_awsauth *cfg_of(const char *roles, const char *users, const char *accounts)
{
	gh_str r = gh_str_c(roles), u = gh_str_c(users), a = gh_str_c(accounts);
	gh_awsauth *cfg = NULL;
	gh_err e = { 0 };
	if (!gh_awsauth_load(roles ? &r : NULL, users ? &u : NULL, accounts ? &a : NULL, NULL, &cfg, &e))
		test_failed(__FILE__, __LINE__, "load: %s", e.msg);
	return cfg;
}

/* An assumed-role caller: arn:aws:sts::A:assumed-role/<role>/<session>. */
static gh_identity role_caller(gh_arena *a, const char *account, const char *role, const char *session)
{
	gh_buf b = { 0 };
	gh_identity id = { .kind = GH_PRINCIPAL_ASSUMED_ROLE, .partition = GH_STR("aws") };
	gh_buf_printf(&b, "arn:aws:sts::%s:assumed-role/%s/%s", account, role, session);
	id.arn = gh_arena_str(a, gh_buf_str(&b));
	gh_buf_reset(&b);
	gh_buf_printf(&b, "arn:aws:iam::%s:role/%s", account, role);
	id.canonical_arn = gh_arena_str(a, gh_buf_str(&b));
	id.path_arn = id.canonical_arn;
	id.account_id = gh_arena_str(a, gh_str_c(account));
	id.session_name = gh_arena_str(a, gh_str_c(session));
	id.access_key_id = GH_STR("ASIAEXAMPLEEXAMPLE01");
	id.principal_id = GH_STR("AROAEXAMPLEEXAMPLE01");
	gh_buf_free(&b);
	return id;
}

static gh_identity user_caller(gh_arena *a, const char *account, const char *user)
{
	gh_buf b = { 0 };
	gh_buf_printf(&b, "arn:aws:iam::%s:user/%s", account, user);
	gh_str arn = gh_arena_str(a, gh_buf_str(&b));
	gh_buf_free(&b);
	return (gh_identity){ .kind = GH_PRINCIPAL_USER, .arn = arn, .canonical_arn = arn, .path_arn = arn,
			      .account_id = gh_arena_str(a, gh_str_c(account)),
			      .access_key_id = GH_STR("AKIAEXAMPLEEXAMPLE01"), .partition = GH_STR("aws") };
}

static char *s(gh_str v)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%.*s", (int)v.n, v.p);
	return buf[k];
}

static const gh_mapper_instance instances[] = {
	{ GH_STR("i-0123456789abcdef0"), GH_STR("ip-10-0-0-1.ec2.internal") },
	{ GH_STR("i-01234567"), GH_STR("ip-10-0-0-2.ec2.internal") },
};
static gh_mapper_instance_table instance_table = { instances, 2 };

static gh_mapper_opts eks_with_ec2(void)
{
	gh_mapper_opts o = gh_mapper_opts_eks();
	o.ec2_lookup = gh_mapper_instance_table_lookup;
	o.ec2_ctx = &instance_table;
	return o;
}

static const char node_roles[] =
	"- rolearn: arn:aws:iam::111122223333:role/eks-nodes-NodeInstanceRole-1A2B3C4D\n"
	"  username: system:node:{{EC2PrivateDNSName}}\n"
	"  groups: [system:bootstrappers, system:nodes]\n"
	"- rolearn: arn:aws:iam::111122223333:role/Fargate\n"
	"  username: system:node:{{SessionName}}\n"
	"  groups: [system:bootstrappers, system:nodes, system:node-proxier]\n";

TEST(mapper_node_role_with_ec2_private_dns)
{
	gh_awsauth *cfg = cfg_of(node_roles, NULL, NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_mapper_opts o = eks_with_ec2();
	/* Case differs from the config: upstream compares with EqualFold. */
	gh_identity id = role_caller(&a, "111122223333", "EKS-Nodes-NodeInstanceRole-1a2b3c4d", "i-0123456789abcdef0");
	gh_map_result r;
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "system:node:ip-10-0-0-1.ec2.internal");
	REQUIRE(r.n_groups == 2);
	CHECK_STR_EQ(s(r.groups[0]), "system:bootstrappers");
	CHECK_STR_EQ(s(r.groups[1]), "system:nodes");
	CHECK_STR_EQ(s(r.source), "aws-auth mapRoles[0] (arn:aws:iam::111122223333:role/eks-nodes-NodeInstanceRole-1A2B3C4D)");
	CHECK_INT_EQ(r.section, GH_AWSAUTH_MAP_ROLES);
	CHECK_INT_EQ(r.entry, 0);

	/* The 8-character instance ID form works too. */
	id = role_caller(&a, "111122223333", "eks-nodes-NodeInstanceRole-1A2B3C4D", "i-01234567");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "system:node:ip-10-0-0-2.ec2.internal");

	/* Fargate's template is allowed past the system: reservation too. */
	id = role_caller(&a, "111122223333", "Fargate", "fargate-ip-192-168-1-1.ec2.internal");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "system:node:fargate-ip-192-168-1-1.ec2.internal");
	CHECK_INT_EQ(r.n_groups, 3);
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_ec2_private_dns_errors)
{
	gh_awsauth *cfg = cfg_of(node_roles, NULL, NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_mapper_opts o = eks_with_ec2();
	gh_map_result r;
	const char *role = "eks-nodes-NodeInstanceRole-1A2B3C4D";
	gh_identity id = role_caller(&a, "111122223333", role, "i-0123");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_ERROR);
	CHECK_STR_EQ(s(r.message), "error rendering username template \"system:node:{{EC2PrivateDNSName}}\": "
				   "SessionName did not contain an instance id");
	/* A matched entry that fails is an error with its source, never a fall-through. */
	CHECK_INT_EQ(r.entry, 0);
	CHECK(r.source.n > 0);
	id = role_caller(&a, "111122223333", role, "i-0123456789abcdef-");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_ERROR);
	id = role_caller(&a, "111122223333", role, "i-0fffffffffffffff0");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_ERROR);
	CHECK_CONTAINS(s(r.message), "no private DNS name is known for instance i-0fffffffffffffff0");
	gh_mapper_opts no_ec2 = gh_mapper_opts_eks();
	id = role_caller(&a, "111122223333", role, "i-0123456789abcdef0");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &no_ec2, &a, &r), GH_MAP_ERROR);
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_session_and_account_templates)
{
	gh_awsauth *cfg = cfg_of("- rolearn: arn:aws:iam::111122223333:role/Dev\n"
				 "  username: dev:{{SessionName}}:{{AccountID}}\n"
				 "  groups: ['raw-{{SessionNameRaw}}', 'key-{{AccessKeyID}}', '{{Unknown}}', '{{SessionName']\n",
				 NULL, NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_identity id = role_caller(&a, "111122223333", "Dev", "alice@example.com");
	gh_map_result r;
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "dev:alice-example.com:111122223333");
	REQUIRE(r.n_groups == 4);
	CHECK_STR_EQ(s(r.groups[0]), "raw-alice@example.com");
	CHECK_STR_EQ(s(r.groups[1]), "key-ASIAEXAMPLEEXAMPLE01");
	CHECK_STR_EQ(s(r.groups[2]), "{{Unknown}}");
	CHECK_STR_EQ(s(r.groups[3]), "{{SessionName");
	/* One pass: a value that looks like a template is not expanded again. */
	id.access_key_id = GH_STR("{{AccountID}}");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	REQUIRE(r.n_groups == 4);
	CHECK_STR_EQ(s(r.groups[1]), "key-{{AccountID}}");
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_session_templates_need_a_session)
{
	gh_awsauth *cfg = cfg_of(NULL,
				 "- userarn: arn:aws:iam::111122223333:user/alice\n  username: u-{{SessionName}}\n"
				 "- userarn: arn:aws:iam::111122223333:user/bob\n  username: bob\n"
				 "  groups: ['acct-{{AccountID}}', 'k-{{AccessKeyID}}', 's-{{SessionNameRaw}}']\n",
				 NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_identity id = user_caller(&a, "111122223333", "alice");
	gh_map_result r;
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_ERROR);
	CHECK_STR_EQ(s(r.message), "error rendering username template \"u-{{SessionName}}\": {{SessionName}} needs a role "
				   "session, and arn:aws:iam::111122223333:user/alice is not an assumed role");
	id = user_caller(&a, "111122223333", "bob");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_ERROR);
	CHECK_CONTAINS(s(r.message), "error rendering group template \"s-{{SessionNameRaw}}\"");
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_users_roles_and_order)
{
	gh_awsauth *cfg = cfg_of("- rolearn: arn:aws:iam::111122223333:role/Both\n  username: from-roles\n",
				 "- userarn: arn:aws:iam::111122223333:role/Both\n  username: from-users\n"
				 "- userarn: arn:aws:iam::111122223333:role/OnlyInUsers\n  username: role-in-users\n"
				 "- userarn: arn:aws:iam::111122223333:user/ALICE\n  username: alice\n  groups: [devs]\n",
				 NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_map_result r;
	/* Roles are matched before users. */
	gh_identity id = role_caller(&a, "111122223333", "Both", "s1");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "from-roles");
	/* A role ARN under mapUsers still matches (upstream quirk). */
	id = role_caller(&a, "111122223333", "OnlyInUsers", "s1");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "role-in-users");
	CHECK_STR_EQ(s(r.source), "aws-auth mapUsers[1] (arn:aws:iam::111122223333:role/OnlyInUsers)");
	id = user_caller(&a, "111122223333", "alice");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "alice");
	REQUIRE(r.n_groups == 1);
	CHECK_STR_EQ(s(r.groups[0]), "devs");
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_accounts_and_not_mapped)
{
	gh_awsauth *cfg = cfg_of("- rolearn: arn:aws:iam::111122223333:role/Ops\n  username: ops\n", NULL,
				 "- 012345678912\n- \"444455556666\"\n");
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_map_result r;
	gh_identity id = role_caller(&a, "012345678912", "Anything", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "arn:aws:iam::012345678912:role/Anything");
	CHECK_INT_EQ(r.n_groups, 0);
	CHECK_INT_EQ(r.section, GH_AWSAUTH_MAP_ACCOUNTS);
	CHECK_INT_EQ(r.entry, -1);
	CHECK_STR_EQ(s(r.source), "aws-auth mapAccounts (012345678912)");
	/* The raw string is compared: 12345678912 is not 012345678912. */
	id = role_caller(&a, "12345678912", "Anything", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_NOT_MAPPED);
	id = role_caller(&a, "999999999999", "Ops", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_NOT_MAPPED);
	CHECK_STR_EQ(s(r.message), "identity is not mapped: arn:aws:iam::999999999999:role/Ops");
	CHECK_INT_EQ(r.n_groups, 0);
	CHECK_INT_EQ(r.username.n, 0);
	/* No config at all maps nobody. */
	CHECK_INT_EQ(gh_mapper_map(NULL, &id, NULL, &a, &r), GH_MAP_NOT_MAPPED);
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_reserved_prefixes)
{
	gh_awsauth *cfg = cfg_of("- rolearn: arn:aws:iam::111122223333:role/Sys\n  username: system:admin\n"
				 "- rolearn: arn:aws:iam::111122223333:role/Aws\n  username: 'aws:{{SessionName}}'\n"
				 "- rolearn: arn:aws:iam::111122223333:role/StaticNode\n"
				 "  username: system:node:ip-10-0-0-9.ec2.internal\n"
				 "- rolearn: arn:aws:iam::111122223333:role/Fine\n  username: System:admin\n"
				 "  groups: [system:masters]\n",
				 NULL, "- \"111122223333\"\n");
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_map_result r;
	gh_identity id = role_caller(&a, "111122223333", "Sys", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_ERROR);
	CHECK_STR_EQ(s(r.message), "invalid username \"system:admin\" from aws-auth mapRoles[0] "
				   "(arn:aws:iam::111122223333:role/Sys): username must not begin with the reserved prefix "
				   "\"system:\"");
	/* The check is on the rendered name, and a rejection is not rescued by mapAccounts. */
	id = role_caller(&a, "111122223333", "Aws", "bob");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_ERROR);
	CHECK_CONTAINS(s(r.message), "invalid username \"aws:bob\"");
	CHECK_CONTAINS(s(r.message), "reserved prefix \"aws:\"");
	/* Only the two EKS node templates are exempt, not any system:node: name. */
	id = role_caller(&a, "111122223333", "StaticNode", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_ERROR);
	/* Case-sensitive, like upstream; groups are never checked. */
	id = role_caller(&a, "111122223333", "Fine", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	/* Upstream's EKSConfigMap reserves nothing. */
	gh_mapper_opts upstream = gh_mapper_opts_eks();
	upstream.n_reserved_prefixes = 0;
	id = role_caller(&a, "111122223333", "Sys", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &upstream, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "system:admin");
	/* A custom list. */
	const gh_str mine[] = { GH_STR("corp:") };
	gh_mapper_opts custom = { .reserved_prefixes = mine, .n_reserved_prefixes = 1 };
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &custom, &a, &r), GH_MAP_MAPPED);
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_role_paths)
{
	gh_awsauth *cfg = cfg_of("- rolearn: arn:aws:iam::111122223333:role/team-a/Deploy\n  username: team-a-deploy\n"
				 "- rolearn: arn:aws:iam::111122223333:role/Plain\n  username: plain\n"
				 "- rolearn: arn:aws:iam::111122223333:role/Both\n  username: both-pathless\n"
				 "- rolearn: arn:aws:iam::111122223333:role/x/Both\n  username: both-path\n"
				 "- rolearn: arn:aws:iam::111122223333:role/y/Both\n  username: both-other-path\n",
				 NULL, NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_map_result r;
	gh_mapper_opts o = gh_mapper_opts_eks();
	o.trace = true;

	/* Path known (local verification): the path-ful entry matches. */
	gh_identity id = role_caller(&a, "111122223333", "Deploy", "s");
	id.path_arn = GH_STR("arn:aws:iam::111122223333:role/Team-A/Deploy");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "team-a-deploy");

	/* Path known and different: no match. */
	id.path_arn = GH_STR("arn:aws:iam::111122223333:role/team-b/Deploy");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_NOT_MAPPED);
	CHECK_STR_EQ(s(r.trace[0]), "mapRoles[0] arn:aws:iam::111122223333:role/team-a/Deploy: no match (the caller's "
				    "role is arn:aws:iam::111122223333:role/team-b/Deploy)");

	/* Path unknown (STS pass-through): upstream's answer, no match, and the trace says why. */
	id.path_arn = id.canonical_arn;
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_NOT_MAPPED);
	CHECK_CONTAINS(s(r.trace[0]), "the caller's role path is unknown (STS ARNs omit paths)");
	id.path_arn = GH_STR("");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_NOT_MAPPED);

	/* Path-less entries match whatever the role's path (EKS's documented form). */
	id = role_caller(&a, "111122223333", "Plain", "s");
	id.path_arn = GH_STR("arn:aws:iam::111122223333:role/some/path/Plain");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "plain");

	/* Both forms match: the exact path-ful one wins. */
	id = role_caller(&a, "111122223333", "Both", "s");
	id.path_arn = GH_STR("arn:aws:iam::111122223333:role/x/Both");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "both-path");
	id.path_arn = id.canonical_arn;
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "both-pathless");
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_never_matches_assumed_role_entries)
{
	gh_awsauth *cfg = cfg_of("- rolearn: arn:aws:sts::111122223333:assumed-role/Dev/alice\n  username: dev\n", NULL, NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_map_result r;
	gh_identity id = role_caller(&a, "111122223333", "Dev", "alice");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_NOT_MAPPED);
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_duplicates_trace_and_last_good_source)
{
	gh_awsauth *cfg = cfg_of("- rolearn: arn:aws:iam::111122223333:role/Dev\n  username: old\n"
				 "- rolearn: arn:aws:iam::111122223333:role/dev\n  username: new\n",
				 NULL, NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_map_result r;
	gh_mapper_opts o = gh_mapper_opts_eks();
	o.trace = true;
	gh_identity id = role_caller(&a, "111122223333", "Dev", "s");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "new");
	CHECK_INT_EQ(r.entry, 1);
	REQUIRE(r.n_trace == 2);
	CHECK_STR_EQ(s(r.trace[0]), "mapRoles[0] arn:aws:iam::111122223333:role/Dev: skipped, a later entry has the same ARN");
	CHECK_STR_EQ(s(r.trace[1]), "mapRoles[1] arn:aws:iam::111122223333:role/dev: matched the canonical ARN "
				    "arn:aws:iam::111122223333:role/Dev");
	/* Without o.trace nothing is recorded. */
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_INT_EQ(r.n_trace, 0);

	/* A mapping served from a kept section says so. */
	gh_str broken = GH_STR("- rolearn: [\n");
	gh_awsauth *next = NULL;
	gh_err e = { 0 };
	REQUIRE(gh_awsauth_load(&broken, NULL, NULL, cfg, &next, &e));
	CHECK_INT_EQ(gh_mapper_map(next, &id, NULL, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.source), "aws-auth mapRoles[1] (arn:aws:iam::111122223333:role/dev) from the last good mapRoles");
	gh_awsauth_free(next);
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_sso_entries_behind_the_gate)
{
	gh_awsauth *cfg = cfg_of("- sso: {permissionSetName: Admin, accountID: \"111122223333\"}\n  username: sso-admin\n",
				 NULL, NULL);
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_map_result r;
	gh_identity id = role_caller(&a, "111122223333", "AWSReservedSSO_Admin_0123456789abcdef", "alice");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, NULL, &a, &r), GH_MAP_NOT_MAPPED);
	gh_mapper_opts o = gh_mapper_opts_eks();
	o.sso_role_match = true;
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_MAPPED);
	CHECK_STR_EQ(s(r.username), "sso-admin");
	CHECK_STR_EQ(s(r.source), "aws-auth mapRoles[0] (sso 111122223333 Admin)");
	/* Another permission set, or another account, does not match. */
	id = role_caller(&a, "111122223333", "AWSReservedSSO_AdminX_0123456789abcdef", "alice");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_NOT_MAPPED);
	id = role_caller(&a, "444455556666", "AWSReservedSSO_Admin_0123456789abcdef", "alice");
	CHECK_INT_EQ(gh_mapper_map(cfg, &id, &o, &a, &r), GH_MAP_NOT_MAPPED);
	gh_arena_free(&a);
	gh_awsauth_free(cfg);
}

TEST(mapper_instance_table_lookup)
{
	gh_str dns = GH_STR("");
	CHECK(gh_mapper_instance_table_lookup(&instance_table, GH_STR("i-01234567"), &dns));
	CHECK_STR_EQ(s(dns), "ip-10-0-0-2.ec2.internal");
	CHECK(!gh_mapper_instance_table_lookup(&instance_table, GH_STR("i-0123456"), &dns));
	CHECK(!gh_mapper_instance_table_lookup(NULL, GH_STR("i-01234567"), &dns));
}
