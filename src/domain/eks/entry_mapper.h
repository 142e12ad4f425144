/* entry_mapper: a verified AWS identity through a cluster's access entries to a Kubernetes
 * username and groups, and the authentication-mode rule that combines access entries with
 * aws-auth.
 *
 * Matching (spec section 3 and 6; aws-iam-authenticator's DynamicFile backend with
 * dynamicfileUserIDStrict, which is the access-entry backend):
 * - An entry is keyed by the principal's unique ID (AIDA.../AROA..., the account ID for
 *   root) captured when the entry was created. The caller matches when its principal ID
 *   is the entry's and it is the same kind of principal (a user entry for an IAM user, a
 *   role entry for an assumed-role session, a root entry for root). Paths do not matter:
 *   role/team/ops and an assumed-role/ops/... session are one principal when the IDs agree.
 * - The ID match is then checked against the ARN: the entry's path-stripped, lowercased ARN
 *   must equal the caller's canonical ARN treated the same way; otherwise ERROR with
 *   upstream's `ARN does not match User ID`.
 * - An IAM principal deleted and re-created under the same ARN has a new unique ID, so it
 *   does NOT match the old entry (EKS: "the access entry won't work"). Where EKS only says
 *   "identity is not mapped", the result is NOT_MAPPED with stale_entry set and a message
 *   such as: `the access entry for arn:aws:iam::111122223333:role/ops was created for
 *   principal ID AROAOLD..., but the caller is AROANEW...: the role was deleted and
 *   re-created; delete and re-create the access entry`.
 * - Templates in the username and groups are rendered as aws-auth renders them (mapper.h):
 *   {{AccountID}}, {{SessionName}} ('@' -> '-'), {{SessionNameRaw}}, {{AccessKeyID}},
 *   {{EC2PrivateDNSName}} (instance-ID session name and the caller's lookup), one pass,
 *   unknown {{...}} kept; a session template for a caller without a role session is an
 *   error. Usernames were checked when the entry was written, so no reserved-prefix check
 *   runs here (the node types' system:node:... usernames are EKS's own).
 *
 * Authentication modes (spec section 7; user guide "migrating"): CONFIG_MAP = aws-auth
 * only; API = access entries only; API_AND_CONFIG_MAP = access entries first, and an entry
 * that matches the caller wins even when rendering it fails (the principal has an entry);
 * aws-auth is consulted only when no entry matches, which includes a stale entry.
 * gh_eks_authn_map runs gh_mapper_map itself so one function holds the rule and explain sees
 * both passes.
 *
 * Everything a result points to lives in the caller's arena. Pure. */
#ifndef GH_EKS_ENTRY_MAPPER_H
#define GH_EKS_ENTRY_MAPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/str.h"
#include "domain/authn/awsauth.h"
#include "domain/authn/identity.h"
#include "domain/authn/mapper.h"
#include "domain/eks/access_entry.h"
#include "domain/eks/cluster.h"

typedef struct gh_eks_map_opts {
	gh_mapper_ec2_lookup ec2_lookup; /* NULL: {{EC2PrivateDNSName}} always fails */
	void *ec2_ctx;
	bool trace; /* fill .trace (explain) */
} gh_eks_map_opts;

typedef struct gh_eks_map_result {
	enum gh_map_status status;
	gh_str username;
	const gh_str *groups;
	size_t n_groups;
	long entry;	   /* MAPPED, or ERROR from a matched entry: its index; else -1 */
	long stale_entry;  /* NOT_MAPPED: an entry for the same ARN but an older principal ID */
	/* MAPPED / ERROR: `access entry <entry ARN> (<principal ARN>)`. */
	gh_str source;
	/* NOT_MAPPED: why (the stale-principal sentence above, or `no access entry for
	 * <canonical ARN> (principal ID AROA...)`); ERROR: what failed. */
	gh_str message;
	const gh_str *trace;
	size_t n_trace;
} gh_eks_map_result;

/* opts may be NULL (no EC2 lookup, no trace). */
enum gh_map_status gh_eks_entries_map(const gh_eks_access_entry *entries, size_t n, const gh_identity *id,
				      const gh_eks_map_opts *opts, gh_arena *a, gh_eks_map_result *out);

typedef enum gh_eks_identity_source {
	GH_EKS_FROM_NONE,
	GH_EKS_FROM_ACCESS_ENTRY,
	GH_EKS_FROM_AWS_AUTH,
} gh_eks_identity_source;

typedef struct gh_eks_authn_result {
	enum gh_map_status status;
	gh_eks_identity_source from; /* which mapper decided (NONE when neither matched) */
	gh_str username;
	const gh_str *groups;
	size_t n_groups;
	gh_str source;	/* the deciding mapper's source */
	/* NOT_MAPPED: the reasons of every pass that ran, joined with "; "; ERROR: the failing
	 * mapper's message. */
	gh_str message;
	bool ran_entries, ran_aws_auth;
	gh_eks_map_result entries; /* valid when ran_entries */
	gh_map_result aws_auth;	   /* valid when ran_aws_auth */
} gh_eks_authn_result;

/* cfg may be NULL (no aws-auth). mopts NULL means gh_mapper_opts_eks() with eopts' EC2
 * lookup and trace flag. */
enum gh_map_status gh_eks_authn_map(gh_eks_auth_mode mode, const gh_eks_access_entry *entries, size_t n,
				    const gh_awsauth *cfg, const gh_identity *id, const gh_eks_map_opts *eopts,
				    const gh_mapper_opts *mopts, gh_arena *a, gh_eks_authn_result *out);

#endif
