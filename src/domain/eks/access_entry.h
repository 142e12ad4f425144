/* access_entry: the rules of EKS access entries (CreateAccessEntry, UpdateAccessEntry) and
 * the record the store keeps for one.
 *
 * What EKS is on record as answering (spec authn-and-mapping.md section 6):
 * - principalArn: an existing IAM user or role (or the account root), resolved in IAM. STS
 *   session ARNs, service-linked roles (role/aws-service-role/...), malformed or unknown
 *   ARNs are InvalidParameterException `The specified principalArn is invalid: invalid
 *   principal.` (terraform/CLI output; a service-linked role gets the same answer).
 *   The caller resolves the principal in its IAM store and passes the unique ID (AIDA.../
 *   AROA...; the account ID for root); an empty principal_id means "does not exist".
 * - One entry per principal: a role given with and without its path is one principal.
 *   gh_eks_principal_key gives the comparison key; a clash is ResourceInUseException (409)
 *   `The specified access entry resource is already in use on this cluster.`
 * - type: STANDARD (default), EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2 (Auto
 *   Mode), HYPERPOD_LINUX; immutable. Non-STANDARD types take only IAM roles of the
 *   cluster's account, no kubernetesGroups and no username (inf messages), and EKS sets
 *   their groups itself: DescribeAccessEntry shows kubernetesGroups ["system:nodes"] for
 *   EC2_LINUX (AWS CLI reference example, several workshops).
 * - username: `The username must not begin with system:` for the reserved prefixes system:,
 *   eks:, aws:, amazon:, iam: (aws-eks-blueprints#1920, UpdateAccessEntry output); checked
 *   first, for every type (that is how an EC2_LINUX update carrying its own
 *   system:node:... username fails). {{SessionName}} / {{SessionNameRaw}} need a ':'
 *   somewhere before them (user guide; message inf).
 * - kubernetesGroups: `The kubernetes group name system:masters is invalid, it cannot start
 *   with system:` (terraform-aws-eks#2915, karpenter#7558). Updates replace the list whole.
 * - tags: 0..50 (the TagMap shape: 1..50 when present; an empty map is accepted as "none"),
 *   keys 1..128, values 0..256 characters, keys not starting with aws: (inf messages).
 * - Default usernames: user -> its ARN; role STANDARD -> arn:P:sts::A:assumed-role/<name,
 *   path stripped>/{{SessionName}}; EC2_LINUX / EC2_WINDOWS -> system:node:{{EC2PrivateDNSName}};
 *   FARGATE_LINUX / HYBRID_LINUX -> system:node:{{SessionName}} (user guide table). EC2 and
 *   HYPERPOD_LINUX are not in the table: system:node:{{SessionName}} (inf: Auto Mode nodes are
 *   named after their instance ID, which is the node role's session name). root -> its ARN (inf).
 * - Entry ARN: arn:P:eks:<region>:<cluster account>:access-entry/<cluster>/<role|user>/
 *   <principal account>/<name>/<uuid> (terraform-aws-eks#3293, CLI examples); the name has no
 *   path; root is written user/<account>/root (inf).
 *
 * Results are built in the caller's arena; an entry holds views only. Pure. */
#ifndef GH_EKS_ACCESS_ENTRY_H
#define GH_EKS_ACCESS_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

#define GH_EKS_TAGS_MAX 50
#define GH_EKS_TAG_KEY_MAX 128
#define GH_EKS_TAG_VALUE_MAX 256

typedef enum gh_eks_entry_type {
	GH_EKS_ENTRY_STANDARD,
	GH_EKS_ENTRY_EC2_LINUX,
	GH_EKS_ENTRY_EC2_WINDOWS,
	GH_EKS_ENTRY_FARGATE_LINUX,
	GH_EKS_ENTRY_HYBRID_LINUX,
	GH_EKS_ENTRY_EC2,
	GH_EKS_ENTRY_HYPERPOD_LINUX,
} gh_eks_entry_type;
#define GH_EKS_ENTRY_NTYPES 7

const char *gh_eks_entry_type_name(gh_eks_entry_type t); /* "STANDARD", "EC2_LINUX", ... */
/* ASCII case-insensitive (the user guide itself writes EC2_Windows); InvalidParameterException
 * (inf message) otherwise. */
bool gh_eks_entry_type_parse(gh_str s, gh_eks_entry_type *out, gh_err *err) GH_MUST_CHECK;
/* The username EKS writes for a node type (NULL for STANDARD). */
const char *gh_eks_entry_type_node_username(gh_eks_entry_type t);
/* The kubernetesGroups EKS sets on a node type (count 0 for STANDARD): ["system:nodes"], and
 * for FARGATE_LINUX ["system:node-proxier", "system:nodes"] (inf: the groups EKS writes into
 * aws-auth for a Fargate profile, minus system:bootstrappers as for EC2_LINUX). */
const gh_str *gh_eks_entry_type_groups(gh_eks_entry_type t, size_t *n);

/* ---- principals ----------------------------------------------------------------------- */

typedef enum gh_eks_principal_kind {
	GH_EKS_PRINCIPAL_USER,
	GH_EKS_PRINCIPAL_ROLE,
	GH_EKS_PRINCIPAL_ROOT,
} gh_eks_principal_kind;

typedef struct gh_eks_principal {
	gh_eks_principal_kind kind;
	gh_str arn;		 /* as given */
	gh_str partition, account;
	gh_str path;		 /* "/" or "/a/b/"; "" for root */
	gh_str name;		 /* user or role name; "root" for root */
} gh_eks_principal;

/* An IAM user, role or root ARN, not a service-linked role; else the invalid-principal
 * error above. Views into `arn`. */
bool gh_eks_principal_parse(gh_str arn, gh_eks_principal *out, gh_err *err) GH_MUST_CHECK;

/* The uniqueness and lookup key: the ARN with its IAM path stripped, ASCII-lowercased (IAM
 * names are unique per account case-insensitively, whatever the path). Fails like
 * gh_eks_principal_parse. */
bool gh_eks_principal_key(gh_str arn, gh_buf *out, gh_err *err) GH_MUST_CHECK;

/* ---- the entry --------------------------------------------------------------------------- */

typedef struct gh_eks_tag {
	gh_str key, value;
} gh_eks_tag;

typedef struct gh_eks_access_entry {
	gh_str cluster_name;
	gh_str principal_arn; /* as given at create time */
	gh_str principal_key; /* gh_eks_principal_key(principal_arn): unique per cluster */
	gh_str principal_id;  /* AIDA.../AROA... captured at create time (account ID for root) */
	gh_eks_principal_kind principal_kind;
	gh_eks_entry_type type;
	gh_str username;	/* a template: the default or the custom one */
	const gh_str *groups;	/* kubernetesGroups as DescribeAccessEntry shows them */
	size_t n_groups;
	const gh_eks_tag *tags;
	size_t n_tags;
	int64_t created_at_ms;	/* Unix milliseconds (EKS timestamps carry milliseconds) */
	int64_t modified_at_ms;
	gh_str entry_arn;
} gh_eks_access_entry;

/* ---- CreateAccessEntry ----------------------------------------------------------------- */

typedef struct gh_eks_entry_create_input {
	/* The cluster the entry is for. */
	gh_str cluster_name, partition, region, cluster_account;
	/* The request. Optional members are pointers (NULL: absent from the request); a list
	 * is absent when its has_ flag is false. */
	gh_str principal_arn;
	const gh_str *type;
	const gh_str *username;
	const gh_str *groups;
	size_t n_groups;
	bool has_groups;
	const gh_eks_tag *tags;
	size_t n_tags;
	/* What the caller knows: the principal's unique ID from IAM ("" when IAM has no such
	 * principal), the time, and 16 bytes for the entry ARN's UUID (required). */
	gh_str principal_id;
	int64_t now_ms;
	const uint8_t *uuid;
} gh_eks_entry_create_input;

/* Validates in this order: type, principalArn (shape, service-linked role, STS session, the
 * cluster's partition), node-type principal constraints, principal existence, username,
 * kubernetesGroups, tags. Fills `out` (copied into `a`; a node type's groups point to static
 * data). Uniqueness is not checked here: the caller looks the key up
 * (gh_eks_entry_check_unique does it over a list). */
bool gh_eks_entry_create(const gh_eks_entry_create_input *in, gh_arena *a, gh_eks_access_entry *out,
			 gh_err *err) GH_MUST_CHECK;

/* ResourceInUseException when an entry with the same principal key is in `entries`. */
bool gh_eks_entry_check_unique(gh_str principal_key, const gh_eks_access_entry *entries, size_t n,
			       gh_err *err) GH_MUST_CHECK;

/* The index of the entry whose principal key matches `principal_arn` (path-ful or path-less,
 * any case), or -1: how DescribeAccessEntry, UpdateAccessEntry and DeleteAccessEntry find
 * their entry. An ARN that does not parse finds nothing. */
long gh_eks_entry_find(const gh_eks_access_entry *entries, size_t n, gh_str principal_arn);

/* ResourceNotFoundException `The specified principalArn could not be found. You can view
 * your available access entries with 'list-access-entries'.` (terraform output). */
bool gh_eks_fail_entry_not_found(gh_err *err);

/* ---- UpdateAccessEntry ----------------------------------------------------------------- */

typedef struct gh_eks_entry_update_input {
	const gh_str *username; /* NULL: keep */
	const gh_str *groups;	/* replaces the whole list when has_groups */
	size_t n_groups;
	bool has_groups;
	int64_t now_ms;
} gh_eks_entry_update_input;

/* `out` starts as a copy of `cur` with the changes applied and modified_at_ms = now. The
 * username is checked first (reserved prefixes for every type, then: non-STANDARD types
 * keep EKS's username), then the groups. An empty group list on a node type is accepted and
 * changes nothing (EKS owns those groups). */
bool gh_eks_entry_update(const gh_eks_access_entry *cur, const gh_eks_entry_update_input *in, gh_arena *a,
			 gh_eks_access_entry *out, gh_err *err) GH_MUST_CHECK;

/* ---- pieces, for the adapter and for explain ---------------------------------------------- */

/* The username EKS writes when the request has none. */
bool gh_eks_default_username(gh_eks_entry_type type, const gh_eks_principal *p, gh_buf *out);
bool gh_eks_validate_username(gh_str username, gh_err *err) GH_MUST_CHECK;
bool gh_eks_validate_group(gh_str group, gh_err *err) GH_MUST_CHECK;
bool gh_eks_validate_tags(const gh_eks_tag *tags, size_t n, gh_err *err) GH_MUST_CHECK;

/* arn:<partition>:eks:<region>:<account>:access-entry/<cluster>/<role|user>/<principal
 * account>/<name>/<uuid>. */
bool gh_eks_access_entry_arn(gh_buf *out, gh_str partition, gh_str region, gh_str account, gh_str cluster,
			     const gh_eks_principal *p, const uint8_t uuid[16]);

#endif
