/* mapper: a verified AWS identity through an aws-auth config to a Kubernetes username and
 * groups, the way aws-iam-authenticator's EKSConfigMap backend and server.go do it.
 *
 * Order: mapRoles, then mapUsers, then mapAccounts.
 * - An entry matches when its ARN equals the identity's canonical ARN, ASCII
 *   case-insensitively (upstream: EqualFold against the lowercased rolearn). This holds in
 *   both sections: a role ARN under mapUsers still matches, and so does a user ARN under
 *   mapRoles. Config ARNs are not canonicalized, so an assumed-role (sts) ARN never
 *   matches (upstream #328). No wildcards.
 * - Role paths (gatehouse improvement, spec section 8 point 1): STS omits a role's IAM
 *   path, so upstream never matches an entry written role/team/Name. Here such an entry
 *   matches when the identity's path_arn (the role's real ARN, known when gatehouse's own
 *   IAM store verified the token) equals it case-insensitively. When the path is not known
 *   (path_arn empty, or without a path) the entry does not match, which is upstream's
 *   result; the trace says why. Path-less entries keep upstream behaviour, so the
 *   path-less form EKS documents keeps working. If both a path-less and a path-ful entry
 *   match, the path-ful one (exact) wins. Among other ties the later entry wins.
 * - sso entries match only with opts.sso_role_match (upstream's alpha gate, off on EKS):
 *   arn:<partition or aws>:iam::<accountID>:role/AWSReservedSSO_<permissionSetName>_*,
 *   case-insensitively. (Upstream writes "arn::" when a partition is set; fixed here.)
 * - mapAccounts: the account ID in the list gives username = canonical ARN, groups = [],
 *   with no template and no reserved-prefix check (upstream).
 *
 * Templates in username and groups, substituted in one pass (a substituted value is never
 * read again as a template): {{AccountID}}, {{SessionName}} (each '@' becomes '-'),
 * {{SessionNameRaw}}, {{AccessKeyID}}, {{EC2PrivateDNSName}} (the session name must match
 * ^i-(\w{8}|\w{17})$ and the caller's lookup must know the instance). Unknown {{...}} text
 * stays as written (upstream). Gatehouse difference: a session template used for an
 * identity without a role session (an IAM user, root, a federated user) is an error rather
 * than an empty string, so IAM users never collapse into one username.
 *
 * Reserved username prefixes are checked on the rendered username, case-sensitively, as
 * upstream's ReservedPrefixExists does. Upstream's EKSConfigMap reserves nothing; the
 * gatehouse default (gh_mapper_opts_eks) reserves the EKS access-entry prefixes
 * aws:, amazon:, eks:, iam:, system: but lets through a username whose template is exactly
 * one of the two node forms EKS itself writes into aws-auth, "system:node:{{EC2PrivateDNSName}}"
 * and "system:node:{{SessionName}}" (spec section 5: those entries must keep working).
 * A static "system:node:ip-10-0-0-1..." username is rejected: it would let one role pose as
 * one fixed node. Pass n_reserved_prefixes = 0 for upstream's behaviour.
 *
 * Everything a result points to lives in the caller's arena. Pure: no I/O. */
#ifndef GH_AUTHN_MAPPER_H
#define GH_AUTHN_MAPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/str.h"
#include "domain/authn/awsauth.h"
#include "domain/authn/identity.h"

/* Instance ID -> private DNS name; false when the instance is unknown. */
typedef bool (*gh_mapper_ec2_lookup)(void *ctx, gh_str instance_id, gh_str *private_dns);

/* A ready-made lookup over a fixed table: pass gh_mapper_instance_table_lookup with a
 * gh_mapper_instance_table as ctx. */
typedef struct gh_mapper_instance {
	gh_str instance_id, private_dns;
} gh_mapper_instance;
typedef struct gh_mapper_instance_table {
	const gh_mapper_instance *v;
	size_t n;
} gh_mapper_instance_table;
bool gh_mapper_instance_table_lookup(void *table, gh_str instance_id, gh_str *private_dns);

typedef struct gh_mapper_opts {
	const gh_str *reserved_prefixes;
	size_t n_reserved_prefixes;
	bool allow_node_templates; /* the two EKS node username templates skip the check */
	bool sso_role_match;
	gh_mapper_ec2_lookup ec2_lookup; /* NULL: {{EC2PrivateDNSName}} always fails */
	void *ec2_ctx;
	bool trace; /* fill gh_map_result.trace (explain) */
} gh_mapper_opts;

extern const gh_str gh_mapper_eks_reserved_prefixes[];
extern const size_t gh_mapper_eks_reserved_count;

/* The EKS list above, node templates allowed, no sso matching, no EC2 lookup, no trace. */
gh_mapper_opts gh_mapper_opts_eks(void);

enum gh_map_status { GH_MAP_MAPPED, GH_MAP_NOT_MAPPED, GH_MAP_ERROR };

typedef struct gh_map_result {
	enum gh_map_status status;
	gh_str username;
	const gh_str *groups;
	size_t n_groups;
	/* MAPPED, and ERROR from a matched entry: "aws-auth mapRoles[2] (arn:...:role/ops)" or
	 * "aws-auth mapAccounts (111122223333)"; empty otherwise. */
	gh_str source;
	enum gh_awsauth_section section;
	long entry;	/* index in section, -1 for mapAccounts or no match */
	/* NOT_MAPPED: "identity is not mapped: <canonical ARN>"; ERROR: what failed, e.g.
	 * `error rendering username template "system:node:{{EC2PrivateDNSName}}": ...`. */
	gh_str message;
	const gh_str *trace; /* with opts.trace: one line per comparison, in order */
	size_t n_trace;
} gh_map_result;

/* Renders a username or group template for `id`, in one pass (shared with the access-entry
 * mapper). False with `why` filled when a variable cannot be had; with `why` empty and
 * *oom set when memory ran out. The result lives in `a`. */
bool gh_mapper_render(gh_str tmpl, const gh_identity *id, gh_mapper_ec2_lookup lookup, void *lookup_ctx, gh_arena *a,
		      gh_str *out, char *why, size_t why_len, bool *oom);

/* cfg may be NULL (nothing is mapped). opts NULL means gh_mapper_opts_eks(). */
enum gh_map_status gh_mapper_map(const gh_awsauth *cfg, const gh_identity *id,
				 const gh_mapper_opts *opts, gh_arena *a, gh_map_result *out);

#endif
