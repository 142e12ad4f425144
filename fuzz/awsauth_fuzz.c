/* Fuzzes aws-auth parsing and mapping. The input is three sections separated by NUL bytes
 * (mapRoles, mapUsers, mapAccounts). Each is loaded on top of a known-good config and then
 * on top of its own result; identities are mapped through both. Invariants: no crash, no
 * leak, and a section kept from the previous config equals the previous one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/authn/awsauth.h"
#include "domain/authn/mapper.h"

static gh_awsauth *good;

static void load_good(void)
{
	gh_str r = GH_STR("- rolearn: arn:aws:iam::111122223333:role/Node\n"
			  "  username: system:node:{{EC2PrivateDNSName}}\n"
			  "  groups: [system:bootstrappers, system:nodes]\n");
	gh_str a = GH_STR("- \"111122223333\"\n");
	if (!gh_awsauth_load(&r, NULL, &a, NULL, &good, NULL))
		abort();
}

static void map_all(const gh_awsauth *cfg)
{
	static const gh_mapper_instance inst[] = { { GH_STR("i-0123456789abcdef0"), GH_STR("ip-10-0-0-1.ec2.internal") } };
	gh_mapper_instance_table table = { inst, 1 };
	gh_mapper_opts o = gh_mapper_opts_eks();
	o.trace = true;
	o.sso_role_match = true;
	o.ec2_lookup = gh_mapper_instance_table_lookup;
	o.ec2_ctx = &table;
	const gh_identity ids[] = {
		{ .kind = GH_PRINCIPAL_ASSUMED_ROLE, .arn = GH_STR("arn:aws:sts::111122223333:assumed-role/Node/i-0123456789abcdef0"),
		  .canonical_arn = GH_STR("arn:aws:iam::111122223333:role/Node"),
		  .path_arn = GH_STR("arn:aws:iam::111122223333:role/a/Node"), .account_id = GH_STR("111122223333"),
		  .session_name = GH_STR("i-0123456789abcdef0"), .access_key_id = GH_STR("ASIAX") },
		{ .kind = GH_PRINCIPAL_USER, .arn = GH_STR("arn:aws:iam::111122223333:user/alice"),
		  .canonical_arn = GH_STR("arn:aws:iam::111122223333:user/alice"), .account_id = GH_STR("111122223333") },
		{ .kind = GH_PRINCIPAL_ASSUMED_ROLE, .arn = GH_STR("arn:aws:sts::1:assumed-role/AWSReservedSSO_A_1/b@c"),
		  .canonical_arn = GH_STR("arn:aws:iam::1:role/AWSReservedSSO_A_1"), .account_id = GH_STR("1"),
		  .session_name = GH_STR("b@c") },
	};
	gh_arena a;
	gh_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		gh_map_result r;
		enum gh_map_status st = gh_mapper_map(cfg, &ids[i], &o, &a, &r);
		if (st != r.status || (st == GH_MAP_MAPPED) != (r.username.p != NULL))
			abort();
	}
	gh_arena_free(&a);
}

static void check_kept(const gh_awsauth *cfg, const gh_awsauth *prev)
{
	if (cfg->kept_previous[GH_AWSAUTH_MAP_ROLES] && cfg->n_roles != prev->n_roles)
		abort();
	if (cfg->kept_previous[GH_AWSAUTH_MAP_USERS] && cfg->n_users != prev->n_users)
		abort();
	if (cfg->kept_previous[GH_AWSAUTH_MAP_ACCOUNTS] && cfg->n_accounts != prev->n_accounts)
		abort();
	gh_buf b = { 0 };
	for (size_t i = 0; i < cfg->n_diags; i++)
		gh_awsauth_diag_format(cfg, &cfg->diags[i], &b);
	gh_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!good)
		load_good();
	gh_str sec[3] = { GH_STR(""), GH_STR(""), GH_STR("") };
	bool present[3] = { false, false, false };
	const char *p = (const char *)data, *end = p + size;
	for (int i = 0; i < 3 && p <= end; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *stop = nul ? nul : end;
		sec[i] = (gh_str){ p, (size_t)(stop - p) };
		present[i] = true;
		if (!nul)
			break;
		p = nul + 1;
	}
	gh_awsauth *first = NULL, *second = NULL;
	if (!gh_awsauth_load(present[0] ? &sec[0] : NULL, present[1] ? &sec[1] : NULL, present[2] ? &sec[2] : NULL,
			     good, &first, NULL))
		return 0;
	check_kept(first, good);
	map_all(first);
	if (gh_awsauth_load(present[0] ? &sec[0] : NULL, present[1] ? &sec[1] : NULL, NULL, first, &second, NULL)) {
		check_kept(second, first);
		map_all(second);
		gh_awsauth_free(second);
	}
	gh_awsauth_free(first);
	return 0;
}
