#include "codec/yaml.h"
#include "domain/authn/awsauth.h"
#include "test.h"

/* Loads tests/unit/data/awsauth/<name> (a ConfigMap manifest) on top of prev. */
static gh_awsauth *load_fixture(const char *name, const gh_awsauth *prev)
{
	char path[256];
	snprintf(path, sizeof path, "tests/unit/data/awsauth/%s", name);
	size_t n;
	char *text = test_read_file(path, &n);
	if (!text) {
		test_failed(__FILE__, __LINE__, "cannot read %s", path);
		return NULL;
	}
	json_t *cm = NULL;
	gh_err e = { 0 };
	gh_awsauth *cfg = NULL;
	if (!gh_yaml_load((gh_str){ text, n }, NULL, &cm, &e))
		test_failed(__FILE__, __LINE__, "%s: %s", name, e.msg);
	else if (!gh_awsauth_load_configmap(cm, prev, &cfg, &e))
		test_failed(__FILE__, __LINE__, "%s: %s", name, e.msg);
	json_decref(cm);
	free(text);
	return cfg;
}

static gh_awsauth *load_text(const char *roles, const char *users, const char *accounts, const gh_awsauth *prev)
{
	gh_str r = gh_str_c(roles), u = gh_str_c(users), a = gh_str_c(accounts);
	gh_awsauth *cfg = NULL;
	gh_err e = { 0 };
	if (!gh_awsauth_load(roles ? &r : NULL, users ? &u : NULL, accounts ? &a : NULL, prev, &cfg, &e))
		test_failed(__FILE__, __LINE__, "load: %s", e.msg);
	return cfg;
}

static size_t count_diags(const gh_awsauth *cfg, enum gh_awsauth_severity sev, enum gh_awsauth_section sec)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_diags; i++)
		n += cfg->diags[i].severity == sev && cfg->diags[i].section == sec;
	return n;
}

static const gh_awsauth_diag *first_diag(const gh_awsauth *cfg, enum gh_awsauth_severity sev)
{
	for (size_t i = 0; i < cfg->n_diags; i++)
		if (cfg->diags[i].severity == sev)
			return &cfg->diags[i];
	return NULL;
}

/* Formats a diagnostic into a static buffer, for CHECK_STR_EQ. */
static const char *fmt_diag(const gh_awsauth *cfg, const gh_awsauth_diag *d)
{
	static char out[1024];
	gh_buf b = { 0 };
	gh_awsauth_diag_format(cfg, d, &b);
	snprintf(out, sizeof out, "%s", b.p ? b.p : "");
	gh_buf_free(&b);
	return out;
}

static void check_valid_shape(const gh_awsauth *cfg, const char *role_arn_suffix)
{
	REQUIRE(cfg);
	REQUIRE(cfg->n_roles >= 1);
	const gh_awsauth_entry *node = &cfg->roles[0];
	CHECK(gh_str_has_suffix(node->arn, gh_str_c(role_arn_suffix)));
	CHECK(gh_str_eq_c(node->username, "system:node:{{EC2PrivateDNSName}}"));
	REQUIRE(node->n_groups == 2);
	CHECK(gh_str_eq_c(node->groups[0], "system:bootstrappers"));
	CHECK(gh_str_eq_c(node->groups[1], "system:nodes"));
	REQUIRE(cfg->n_users == 1);
	CHECK(gh_str_eq_c(cfg->users[0].arn, "arn:aws:iam::111122223333:user/alice"));
	CHECK(gh_str_eq_c(cfg->users[0].username, "alice"));
	REQUIRE(cfg->n_users == 1 && cfg->users[0].n_groups == 1);
	CHECK(gh_str_eq_c(cfg->users[0].groups[0], "viewers"));
	REQUIRE(cfg->n_accounts >= 1);
	CHECK(gh_str_eq_c(cfg->accounts[0], "444455556666"));
	CHECK_INT_EQ(count_diags(cfg, GH_AWSAUTH_ERROR, GH_AWSAUTH_MAP_ROLES), 0);
}

TEST(awsauth_valid_configmap)
{
	gh_awsauth *cfg = load_fixture("valid.yaml", NULL);
	check_valid_shape(cfg, "role/eks-nodes-NodeInstanceRole-1A2B3C4D");
	REQUIRE(cfg);
	CHECK_INT_EQ(cfg->n_roles, 2);
	CHECK_INT_EQ(cfg->roles[1].index, 1);
	CHECK_INT_EQ(cfg->roles[0].line, 1);
	CHECK_INT_EQ(cfg->roles[1].line, 6);
	CHECK(gh_str_eq_c(cfg->roles[1].username, "ops:{{SessionName}}"));
	/* mapAccounts keeps the scalar's text: the leading zero survives. */
	CHECK_INT_EQ(cfg->n_accounts, 2);
	CHECK(gh_str_eq_c(cfg->accounts[1], "012345678912"));
	CHECK_INT_EQ(cfg->n_diags, 0);
	for (int s = 0; s < GH_AWSAUTH_NSECTIONS; s++)
		CHECK(!cfg->kept_previous[s]);
	gh_awsauth_free(cfg);
}

TEST(awsauth_entry_field_names_are_case_insensitive)
{
	gh_awsauth *cfg = load_fixture("crazy-case-keys.yaml", NULL);
	check_valid_shape(cfg, "role/eks-nodes-NodeInstanceRole-1A2B3C4D");
	gh_awsauth_free(cfg);
	cfg = load_fixture("camel-case-keys.yaml", NULL);
	check_valid_shape(cfg, "role/eks-nodes-NodeInstanceRole-1A2B3C4D");
	gh_awsauth_free(cfg);
}

TEST(awsauth_data_keys_are_case_sensitive)
{
	gh_awsauth *cfg = load_fixture("lower-case-top-keys.yaml", NULL);
	REQUIRE(cfg);
	CHECK_INT_EQ(cfg->n_roles, 0);
	CHECK_INT_EQ(cfg->n_users, 0);
	CHECK_INT_EQ(cfg->n_accounts, 0);
	CHECK_INT_EQ(cfg->n_diags, 0);
	gh_awsauth_free(cfg);
}

TEST(awsauth_stray_space_folds_groups)
{
	gh_awsauth *cfg = load_fixture("space-out-of-place.yaml", NULL);
	REQUIRE(cfg);
	REQUIRE(cfg->n_roles == 1);
	REQUIRE(cfg->roles[0].n_groups == 1);
	CHECK(gh_str_eq_c(cfg->roles[0].groups[0], "system:bootstrappers - system:nodes"));
	CHECK_INT_EQ(cfg->n_users, 1);
	/* Parsed as upstream parses it, plus a warning that names the odd group. */
	CHECK_INT_EQ(count_diags(cfg, GH_AWSAUTH_ERROR, GH_AWSAUTH_MAP_ROLES), 0);
	const gh_awsauth_diag *w = first_diag(cfg, GH_AWSAUTH_WARNING);
	REQUIRE(w);
	CHECK_STR_EQ(fmt_diag(cfg, w), "mapRoles[0]: line 1, column 3: warning: group \"system:bootstrappers - system:nodes\" "
				       "contains a space; a stray space may have folded two list items into one");
	gh_awsauth_free(cfg);
}

TEST(awsauth_missing_bar_is_a_section_error)
{
	gh_awsauth *cfg = load_fixture("missing-bar.yaml", NULL);
	REQUIRE(cfg);
	CHECK_INT_EQ(cfg->n_roles, 0);
	CHECK_INT_EQ(cfg->n_users, 1);
	CHECK_INT_EQ(count_diags(cfg, GH_AWSAUTH_ERROR, GH_AWSAUTH_MAP_ROLES), 1);
	const gh_awsauth_diag *d = first_diag(cfg, GH_AWSAUTH_ERROR);
	REQUIRE(d);
	CHECK_STR_EQ(fmt_diag(cfg, d), "mapRoles: the value of mapRoles must be a string holding YAML (write "
				       "\"mapRoles: |\"), not a list; mapRoles is ignored");

	/* With a previous good config, the node role survives the mistake. */
	gh_awsauth *good = load_fixture("valid.yaml", NULL);
	gh_awsauth *next = load_fixture("missing-bar.yaml", good);
	REQUIRE(next);
	CHECK(next->kept_previous[GH_AWSAUTH_MAP_ROLES]);
	CHECK(!next->kept_previous[GH_AWSAUTH_MAP_USERS]);
	CHECK_INT_EQ(next->n_roles, 2);
	d = first_diag(next, GH_AWSAUTH_ERROR);
	REQUIRE(d);
	CHECK(d->kept_previous);
	CHECK_CONTAINS(fmt_diag(next, d), "; the previous mapRoles (2 entries) stay in effect");
	gh_awsauth_free(cfg);
	gh_awsauth_free(next);
	gh_awsauth_free(good);
}

TEST(awsauth_syntax_error_keeps_last_known_good)
{
	gh_awsauth *good = load_fixture("valid.yaml", NULL);
	REQUIRE(good);
	gh_awsauth *next = load_fixture("syntax-error.yaml", good);
	REQUIRE(next);
	/* mapRoles failed: the previous two roles stay; mapUsers parsed: bob replaces alice;
	 * mapAccounts is absent in the new text: upstream semantics, the section is empty. */
	CHECK(next->kept_previous[GH_AWSAUTH_MAP_ROLES]);
	REQUIRE(next->n_roles == 2);
	CHECK(gh_str_eq_c(next->roles[1].arn, "arn:aws:iam::111122223333:role/Ops"));
	REQUIRE(next->n_users == 1);
	CHECK(gh_str_eq_c(next->users[0].username, "bob"));
	CHECK_INT_EQ(next->n_accounts, 0);
	const gh_awsauth_diag *d = first_diag(next, GH_AWSAUTH_ERROR);
	REQUIRE(d);
	CHECK_INT_EQ(d->section, GH_AWSAUTH_MAP_ROLES);
	CHECK_INT_EQ(d->entry, -1);
	CHECK_INT_EQ(d->line, 3);
	CHECK(d->kept_previous);
	CHECK_STR_EQ(fmt_diag(next, d), "mapRoles: line 3, column 2: did not find expected '-' indicator; "
					"the previous mapRoles (2 entries) stay in effect");

	/* Without a previous config there is nothing to keep: the section is empty. */
	gh_awsauth *alone = load_fixture("syntax-error.yaml", NULL);
	REQUIRE(alone);
	CHECK(!alone->kept_previous[GH_AWSAUTH_MAP_ROLES]);
	CHECK_INT_EQ(alone->n_roles, 0);
	CHECK_INT_EQ(alone->n_users, 1);
	d = first_diag(alone, GH_AWSAUTH_ERROR);
	REQUIRE(d);
	CHECK(!d->kept_previous);
	CHECK_CONTAINS(fmt_diag(alone, d), "; mapRoles is ignored");

	/* Fixing the typo later replaces the kept section. */
	gh_awsauth *fixed = load_text("- rolearn: arn:aws:iam::111122223333:role/New\n  username: new\n", NULL, NULL,
				      next);
	REQUIRE(fixed);
	CHECK(!fixed->kept_previous[GH_AWSAUTH_MAP_ROLES]);
	CHECK_INT_EQ(fixed->n_roles, 1);
	gh_awsauth_free(fixed);
	gh_awsauth_free(alone);
	gh_awsauth_free(next);
	gh_awsauth_free(good);
}

TEST(awsauth_type_errors)
{
	gh_awsauth *cfg = load_fixture("type-errors.yaml", NULL);
	REQUIRE(cfg);
	/* No previous config: only the well-typed entry is used. */
	REQUIRE(cfg->n_roles == 1);
	CHECK(gh_str_eq_c(cfg->roles[0].arn, "arn:aws:iam::111122223333:role/D"));
	CHECK_INT_EQ(cfg->roles[0].index, 3);
	CHECK_INT_EQ(count_diags(cfg, GH_AWSAUTH_ERROR, GH_AWSAUTH_MAP_ROLES), 3);
	CHECK_STR_EQ(fmt_diag(cfg, &cfg->diags[0]), "mapRoles[0]: line 2, column 3: field \"username\" must be a "
						     "string, not a number; this entry is skipped");
	CHECK_STR_EQ(fmt_diag(cfg, &cfg->diags[1]), "mapRoles[1]: line 4, column 3: field \"username\" must be a "
						     "string, not a boolean; this entry is skipped");
	CHECK_STR_EQ(fmt_diag(cfg, &cfg->diags[2]), "mapRoles[2]: line 7, column 3: field \"groups\" must be a "
						     "list of strings, not a string; this entry is skipped");

	gh_awsauth *good = load_fixture("valid.yaml", NULL);
	gh_awsauth *next = load_fixture("type-errors.yaml", good);
	REQUIRE(next);
	CHECK(next->kept_previous[GH_AWSAUTH_MAP_ROLES]);
	CHECK_INT_EQ(next->n_roles, 2);
	gh_awsauth_free(next);
	gh_awsauth_free(good);
	gh_awsauth_free(cfg);

	gh_awsauth *more = load_text("rolearn: x\n", "- userarn: u\n  groups: [a, [b], 3]\n", "- [1]\n", NULL);
	REQUIRE(more);
	CHECK_INT_EQ(more->n_roles, 0);
	CHECK_INT_EQ(more->n_users, 0);
	CHECK_INT_EQ(more->n_accounts, 0);
	CHECK_INT_EQ(more->n_diags, 4);
	CHECK_STR_EQ(fmt_diag(more, &more->diags[0]), "mapRoles: line 1, column 1: mapRoles must be a list of "
						       "entries, not a mapping; mapRoles is ignored");
	CHECK_STR_EQ(fmt_diag(more, &more->diags[1]), "mapUsers[0]: line 2, column 15: groups[1] must be a "
						       "string, not a list; this entry is skipped");
	CHECK_STR_EQ(fmt_diag(more, &more->diags[2]), "mapUsers[0]: line 2, column 20: groups[2] must be a "
						       "string, not a number; this entry is skipped");
	CHECK_STR_EQ(fmt_diag(more, &more->diags[3]), "mapAccounts[0]: line 1, column 3: account ID must be a "
						       "string, not a list; this entry is skipped");
	gh_awsauth_free(more);
}

TEST(awsauth_entry_validation_matches_upstream)
{
	gh_awsauth *cfg = load_text("- username: nobody\n"
				    "- rolearn: arn:aws:iam::111122223333:role/X\n  sso: {permissionSetName: Admin, "
				    "accountID: \"111122223333\"}\n"
				    "- sso: {permissionSetName: Admin, accountID: \"1234\"}\n"
				    "- sso: {permissionSetName: \"has space\", accountID: \"111122223333\"}\n"
				    "- sso: {permissionSetName: Admin, accountID: \"111122223333\", partition: aws-mars}\n"
				    "- SSO: {PermissionSetName: Admin, AccountId: \"111122223333\", partition: aws-cn}\n"
				    "- ~\n",
				    "- username: nobody\n- userarn: arn:aws:iam::111122223333:user/ok\n", NULL, NULL);
	REQUIRE(cfg);
	REQUIRE(cfg->n_roles == 1);
	CHECK(cfg->roles[0].has_sso);
	CHECK(gh_str_eq_c(cfg->roles[0].sso_partition, "aws-cn"));
	CHECK(gh_str_eq_c(cfg->roles[0].sso_permission_set, "Admin"));
	CHECK_INT_EQ(cfg->n_users, 1);
	const char *want[] = {
		"mapRoles[0]: line 1, column 3: one of rolearn or SSO must be supplied; this entry is skipped",
		"mapRoles[1]: line 2, column 3: only one of rolearn or SSO can be supplied; this entry is skipped",
		"mapRoles[2]: line 4, column 3: AccountID '1234' is not a valid AWS Account ID; this entry is skipped",
		"mapRoles[3]: line 5, column 3: PermissionSetName 'has space' is not a valid AWS SSO PermissionSet "
		"Name; this entry is skipped",
		"mapRoles[4]: line 6, column 3: partition 'aws-mars' is not a valid AWS partition; this entry is skipped",
		"mapRoles[6]: line 8, column 3: one of rolearn or SSO must be supplied; this entry is skipped",
		"mapUsers[0]: line 1, column 3: value for userarn must be supplied; this entry is skipped",
	};
	size_t k = 0;
	for (size_t i = 0; i < cfg->n_diags; i++) {
		if (cfg->diags[i].severity != GH_AWSAUTH_ERROR)
			continue;
		REQUIRE(k < sizeof want / sizeof want[0]);
		CHECK_STR_EQ(fmt_diag(cfg, &cfg->diags[i]), want[k]);
		k++;
	}
	CHECK_INT_EQ(k, sizeof want / sizeof want[0]);
	gh_awsauth_free(cfg);
}

TEST(awsauth_empty_sections)
{
	gh_awsauth *cfg = load_fixture("empty-sections.yaml", NULL);
	REQUIRE(cfg);
	CHECK_INT_EQ(cfg->n_roles + cfg->n_users + cfg->n_accounts, 0);
	CHECK_INT_EQ(cfg->n_diags, 0);
	gh_awsauth_free(cfg);
	const char *empties[] = { "", "\"\"", "''", "``", "  \n\t ", " \"\" ", "~", "null", "# just a comment\n" };
	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		cfg = load_text(empties[i], empties[i], empties[i], NULL);
		REQUIRE(cfg);
		CHECK_INT_EQ(cfg->n_roles + cfg->n_users + cfg->n_accounts, 0);
		if (cfg->n_diags)
			test_failed(__FILE__, __LINE__, "\"%s\": %s", empties[i], fmt_diag(cfg, &cfg->diags[0]));
		gh_awsauth_free(cfg);
	}
	/* An empty section in the new text is a real change, not an error: nothing is kept. */
	gh_awsauth *good = load_fixture("valid.yaml", NULL);
	cfg = load_text("''", NULL, NULL, good);
	REQUIRE(cfg);
	CHECK(!cfg->kept_previous[GH_AWSAUTH_MAP_ROLES]);
	CHECK_INT_EQ(cfg->n_roles, 0);
	gh_awsauth_free(cfg);
	gh_awsauth_free(good);
}

TEST(awsauth_duplicates_last_wins)
{
	gh_awsauth *cfg = load_text("- rolearn: arn:aws:iam::111122223333:role/Dev\n  username: first\n"
				    "- rolearn: arn:aws:iam::111122223333:role/Other\n  username: other\n"
				    "- rolearn: ARN:AWS:IAM::111122223333:ROLE/DEV\n  username: second\n",
				    "- userarn: arn:aws:iam::111122223333:user/u\n  username: a\n"
				    "- userarn: arn:aws:iam::111122223333:user/U\n  username: b\n",
				    NULL, NULL);
	REQUIRE(cfg);
	REQUIRE(cfg->n_roles == 3);
	CHECK(cfg->roles[0].shadowed);
	CHECK(!cfg->roles[1].shadowed);
	CHECK(!cfg->roles[2].shadowed);
	/* User ARNs differ only in case: still the same key, last wins. */
	REQUIRE(cfg->n_users == 2);
	CHECK(cfg->users[0].shadowed);
	CHECK(!cfg->users[1].shadowed);
	const gh_awsauth_diag *w = first_diag(cfg, GH_AWSAUTH_WARNING);
	REQUIRE(w);
	CHECK_STR_EQ(fmt_diag(cfg, w), "mapRoles[0]: line 1: warning: mapRoles[0] is overridden by mapRoles[2], "
				       "which has the same rolearn; the later entry wins");
	gh_awsauth_free(cfg);
}

TEST(awsauth_field_spelling_winner_is_bytewise_last)
{
	/* After upstream's YAML -> JSON round trip keys are sorted, "RoleArn" < "rolearn", and
	 * the last matching key wins: "rolearn" whatever the order in the text. */
	gh_awsauth *a = load_text("- rolearn: arn:aws:iam::1:role/lower\n  RoleArn: arn:aws:iam::1:role/upper\n", NULL,
				  NULL, NULL);
	gh_awsauth *b = load_text("- RoleArn: arn:aws:iam::1:role/upper\n  rolearn: arn:aws:iam::1:role/lower\n", NULL,
				  NULL, NULL);
	REQUIRE(a && b && a->n_roles == 1 && b->n_roles == 1);
	CHECK(gh_str_eq_c(a->roles[0].arn, "arn:aws:iam::1:role/lower"));
	CHECK(gh_str_eq_c(b->roles[0].arn, "arn:aws:iam::1:role/lower"));
	gh_awsauth_free(a);
	gh_awsauth_free(b);
	/* Unknown fields are ignored whatever their type; userid is type-checked like upstream. */
	gh_awsauth *c = load_text("- rolearn: arn:aws:iam::1:role/x\n  extra: {deep: [1, 2]}\n  userid: AROAEXAMPLE\n",
				  "- userarn: arn:aws:iam::1:user/y\n  userid: 12\n", NULL, NULL);
	REQUIRE(c);
	CHECK_INT_EQ(c->n_roles, 1);
	CHECK_INT_EQ(c->n_users, 0);
	gh_awsauth_free(c);
}

TEST(awsauth_accounts_are_raw_strings)
{
	gh_awsauth *cfg = load_text(NULL, NULL, "- 012345678912\n- 555555555555\n- \"000000000001\"\n-\n- ~\n- \"null\"\n", NULL);
	REQUIRE(cfg);
	REQUIRE(cfg->n_accounts == 4);
	CHECK(gh_str_eq_c(cfg->accounts[3], "null")); /* quoted: a string, as in yaml.v2 */
	CHECK(gh_str_eq_c(cfg->accounts[0], "012345678912"));
	CHECK(gh_str_eq_c(cfg->accounts[1], "555555555555"));
	CHECK(gh_str_eq_c(cfg->accounts[2], "000000000001"));
	const gh_awsauth_diag *w = first_diag(cfg, GH_AWSAUTH_WARNING);
	REQUIRE(w);
	CHECK_STR_EQ(fmt_diag(cfg, w), "mapAccounts[3]: line 4, column 2: warning: empty account ID ignored");
	gh_awsauth_free(cfg);

	/* A lone scalar is not a list (yaml.v2: cannot unmarshal into []string). */
	gh_awsauth *good = load_fixture("valid.yaml", NULL);
	cfg = load_text(NULL, NULL, "555555555555\n", good);
	REQUIRE(cfg);
	CHECK(cfg->kept_previous[GH_AWSAUTH_MAP_ACCOUNTS]);
	CHECK_INT_EQ(cfg->n_accounts, 2);
	CHECK_STR_EQ(fmt_diag(cfg, first_diag(cfg, GH_AWSAUTH_ERROR)),
		     "mapAccounts: line 1, column 1: mapAccounts must be a list of account IDs, not a string; "
		     "the previous mapAccounts (2 entries) stay in effect");
	gh_awsauth_free(cfg);
	gh_awsauth_free(good);
}

TEST(awsauth_warnings_for_arns_that_never_match)
{
	gh_awsauth *cfg = load_text("- rolearn: arn:aws:sts::111122223333:assumed-role/Dev/alice\n  username: a\n"
				    "- rolearn: arn:aws:iam::111122223333:role/team/Dev\n  username: b\n"
				    "- rolearn: arn:aws:iam::111122223333:role/Ok\n  username: \"{{SessionNam}}\"\n"
				    "- rolearn: arn:aws:iam::111122223333:role/NoName\n  groups: [system:masters]\n",
				    NULL, NULL, NULL);
	REQUIRE(cfg);
	CHECK_INT_EQ(cfg->n_roles, 4);
	REQUIRE(cfg->n_diags == 4);
	CHECK_STR_EQ(fmt_diag(cfg, &cfg->diags[3]), "mapRoles[3]: line 7, column 3: warning: username is empty; a "
						     "caller mapped here gets the empty username (and its groups)");
	CHECK_CONTAINS(fmt_diag(cfg, &cfg->diags[0]), "is an STS assumed-role ARN and never matches");
	CHECK_CONTAINS(fmt_diag(cfg, &cfg->diags[1]), "has an IAM path: EKS never matches it");
	CHECK_STR_EQ(fmt_diag(cfg, &cfg->diags[2]),
		     "mapRoles[2]: line 5, column 3: warning: {{SessionNam}} is not a template variable; it stays as written");
	gh_awsauth_free(cfg);
}

TEST(awsauth_configmap_shape_errors)
{
	gh_err e = { 0 };
	gh_awsauth *cfg = NULL;
	json_t *arr = json_array();
	CHECK(!gh_awsauth_load_configmap(arr, NULL, &cfg, &e));
	CHECK_STR_EQ(e.msg, "aws-auth: a ConfigMap must be a mapping, not a list");
	json_t *secret = json_pack("{s:s, s:{s:s}}", "kind", "Secret", "data", "mapRoles", "");
	CHECK(!gh_awsauth_load_configmap(secret, NULL, &cfg, &e));
	CHECK_STR_EQ(e.msg, "aws-auth: expected kind ConfigMap, found Secret");
	CHECK(cfg == NULL);
	/* No data at all (a ConfigMap emptied out) is an empty config. */
	json_t *bare = json_pack("{s:s}", "kind", "ConfigMap");
	REQUIRE(gh_awsauth_load_configmap(bare, NULL, &cfg, &e));
	CHECK_INT_EQ(cfg->n_roles + cfg->n_users + cfg->n_accounts + cfg->n_diags, 0);
	gh_awsauth_free(cfg);
	/* data that is not a mapping fails every section. */
	json_t *odd = json_pack("{s:s}", "data", "text");
	REQUIRE(gh_awsauth_load_configmap(odd, NULL, &cfg, &e));
	CHECK_INT_EQ(cfg->n_diags, 3);
	CHECK_STR_EQ(fmt_diag(cfg, &cfg->diags[0]),
		     "mapRoles: the ConfigMap's data must be a mapping of strings, not a string; mapRoles is ignored");
	gh_awsauth_free(cfg);
	json_decref(arr);
	json_decref(secret);
	json_decref(bare);
	json_decref(odd);
}

TEST(awsauth_config_owns_its_memory)
{
	char *roles = strdup("- rolearn: arn:aws:iam::1:role/a\n  username: a\n  groups: [g1, g2]\n");
	gh_awsauth *first = load_text(roles, NULL, "- \"1\"\n", NULL);
	REQUIRE(first);
	memset(roles, 'x', strlen(roles));
	free(roles);
	gh_awsauth *second = load_text("- [broken\n", NULL, "- {a: b}\n", first);
	gh_awsauth_free(first);
	REQUIRE(second);
	REQUIRE(second->n_roles == 1 && second->roles[0].n_groups == 2);
	CHECK(gh_str_eq_c(second->roles[0].arn, "arn:aws:iam::1:role/a"));
	CHECK(gh_str_eq_c(second->roles[0].groups[1], "g2"));
	REQUIRE(second->n_accounts == 1);
	CHECK(gh_str_eq_c(second->accounts[0], "1"));
	CHECK(second->kept_previous[GH_AWSAUTH_MAP_ROLES] && second->kept_previous[GH_AWSAUTH_MAP_ACCOUNTS]);
	gh_awsauth_free(second);
}

TEST(awsauth_section_size_is_bounded)
{
	gh_buf b = { 0 };
	gh_buf_puts(&b, "- \"");
	while (b.n < GH_AWSAUTH_MAX_SECTION_BYTES)
		gh_buf_puts(&b, "0000000000000000");
	gh_buf_puts(&b, "\"\n");
	gh_str big = gh_buf_str(&b);
	gh_awsauth *cfg = NULL;
	gh_err e = { 0 };
	REQUIRE(gh_awsauth_load(NULL, NULL, &big, NULL, &cfg, &e));
	CHECK_INT_EQ(cfg->n_accounts, 0);
	REQUIRE(cfg->n_diags == 1);
	CHECK_CONTAINS(fmt_diag(cfg, &cfg->diags[0]), "over the limit of 1048576");
	gh_awsauth_free(cfg);
	gh_buf_free(&b);
}

TEST(awsauth_diagnostics_are_capped)
{
	gh_buf b = { 0 };
	for (int i = 0; i < 200; i++)
		gh_buf_printf(&b, "- username: u%d\n", i);
	gh_buf_puts(&b, "- rolearn: arn:aws:iam::1:role/ok\n");
	gh_awsauth *cfg = load_text(b.p, NULL, NULL, NULL);
	REQUIRE(cfg);
	CHECK_INT_EQ(cfg->n_roles, 1);
	CHECK_INT_EQ(cfg->n_diags, GH_AWSAUTH_MAX_DIAGS_PER_SECTION + 1);
	const gh_awsauth_diag *last = &cfg->diags[cfg->n_diags - 1];
	CHECK_INT_EQ(last->severity, GH_AWSAUTH_ERROR);
	CHECK_STR_EQ(fmt_diag(cfg, last), "mapRoles: 151 more problems (150 of them errors) are not listed; "
					  "mapRoles is ignored");
	gh_awsauth_free(cfg);
	gh_buf_free(&b);
}
