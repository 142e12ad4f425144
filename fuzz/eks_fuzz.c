/* Fuzz target: the EKS rules that read caller-supplied strings (principal ARNs, access
 * scope namespaces, access entry requests). */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "domain/eks/access_entry.h"
#include "domain/eks/access_policy.h"
#include "domain/eks/policy_authz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gh_str in = { (const char *)data, size };
	gh_str a = in, b = { "", 0 };
	(void)gh_str_cut(in, '\n', &a, &b);
	gh_err err;
	gh_eks_principal p;
	(void)gh_eks_principal_parse(a, &p, &err);
	gh_buf key = { 0 };
	(void)gh_eks_principal_key(a, &key, &err);
	gh_buf_free(&key);
	(void)gh_eks_validate_scope_namespace(a, &err);
	(void)gh_eks_namespace_match(a, b);
	(void)gh_eks_validate_username(b, &err);
	(void)gh_eks_validate_group(b, &err);

	gh_arena ar;
	gh_arena_init(&ar, 0);
	uint8_t uuid[16] = { 0 };
	gh_eks_entry_create_input ci = { .cluster_name = GH_STR("c"), .partition = GH_STR("aws"),
					 .region = GH_STR("us-east-1"), .cluster_account = GH_STR("111122223333"),
					 .principal_arn = a, .username = size % 2 ? &b : NULL, .principal_id = GH_STR("AROAX"),
					 .now_ms = 1, .uuid = uuid };
	gh_eks_access_entry e;
	(void)gh_eks_entry_create(&ci, &ar, &e, &err);
	gh_arena_free(&ar);
	return 0;
}
