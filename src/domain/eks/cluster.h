/* cluster: the pure rules of EKS clusters that matter to identity and access: CreateCluster
 * input validation (name, version, accessConfig), the authentication modes and their one-way
 * transitions, and the ARNs and OIDC issuer URL a cluster is known by.
 *
 * Errors carry EKS's exception type as gh_err.code (see eks_errors.h) and EKS's message
 * where one is on record. Evidence, in the order the rules appear:
 * - Name: botocore ClusterName, pattern ^[0-9A-Za-z][A-Za-z0-9\-_]*, 1..100. Message as EKS
 *   answers it (kubectl-eks#72, ListNodegroups; undistro#129, CreateCluster):
 *   `The name parameter contains invalid characters. It should conform to the regular
 *   expression "^[0-9A-Za-z][A-Za-z0-9-_]*"In other words, it should start with a number or
 *   letter, and can contain numbers, letters, dashes, and underscores.` (sic: no space after
 *   the quote). The length message (over 100 characters) is not on record (inf).
 * - Version: `unsupported Kubernetes version 1.24` (InvalidParameterException; older EKS
 *   omitted the version). EKS answers the same for a malformed version ("abc", rancher#27777).
 *   Version updates: `Unsupported Kubernetes minor version update from 1.18 to 1.20`.
 * - accessConfig: authenticationMode defaults to CONFIG_MAP through the API (botocore doc);
 *   bootstrapClusterCreatorAdminPermissions defaults to true; false with CONFIG_MAP is
 *   `bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is
 *   set to CONFIG_MAP` (InvalidParameterException, terraform output in several repos).
 * - Mode transitions (UpdateClusterConfig): only CONFIG_MAP -> API_AND_CONFIG_MAP and
 *   API_AND_CONFIG_MAP -> API. Everything else, the same mode included, is
 *   InvalidParameterException `Unsupported authentication mode update from X to Y`. That
 *   includes CONFIG_MAP -> API: the EKS security workshop records real CLI output
 *   `Unsupported authentication mode update from CONFIG_MAP to API`, and aws-cdk's cluster
 *   handler refuses it ("CONFIG_MAP ... can only change to API_AND_CONFIG_MAP") and skips
 *   same-mode updates because "update-authmode will fail if we try to update to the same
 *   mode". (The spec's "or CONFIG_MAP -> API" does not match what EKS answers.)
 * - Access-entry operations on a CONFIG_MAP cluster: InvalidRequestException `The cluster's
 *   authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this
 *   operation.` (workshop CLI output, ListAccessEntries).
 * (inf) marks a message of our own where AWS's is not on record.
 *
 * Pure: no clock, no randomness; IDs come in as bytes. */
#ifndef GH_EKS_CLUSTER_H
#define GH_EKS_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

#define GH_EKS_CLUSTER_NAME_MAX 100

/* ---- authentication modes ----------------------------------------------------------- */

typedef enum gh_eks_auth_mode {
	GH_EKS_AUTH_CONFIG_MAP,		/* aws-auth only (the API default) */
	GH_EKS_AUTH_API_AND_CONFIG_MAP, /* access entries first, then aws-auth */
	GH_EKS_AUTH_API,		/* access entries only */
} gh_eks_auth_mode;

const char *gh_eks_auth_mode_name(gh_eks_auth_mode m); /* "CONFIG_MAP", ... */
/* Exact, case-sensitive enum value. InvalidParameterException (inf message):
 * `Invalid authentication mode FOO. Valid values are: API, API_AND_CONFIG_MAP, CONFIG_MAP`. */
bool gh_eks_auth_mode_parse(gh_str s, gh_eks_auth_mode *out, gh_err *err) GH_MUST_CHECK;
bool gh_eks_auth_mode_has_access_entries(gh_eks_auth_mode m); /* API, API_AND_CONFIG_MAP */
bool gh_eks_auth_mode_has_config_map(gh_eks_auth_mode m);     /* CONFIG_MAP, API_AND_CONFIG_MAP */

/* UpdateClusterConfig accessConfig.authenticationMode: `to` parsed and checked against the
 * one-way rule above. On success *out is the new mode, which always differs from `from`. */
bool gh_eks_auth_mode_update(gh_eks_auth_mode from, gh_str to, gh_eks_auth_mode *out, gh_err *err) GH_MUST_CHECK;

/* The guard of every access-entry and access-policy-association operation. */
bool gh_eks_require_access_entries(gh_eks_auth_mode m, gh_err *err) GH_MUST_CHECK;

/* ---- CreateCluster ------------------------------------------------------------------- */

/* `member` names the parameter in the message ("name" for CreateCluster, "clusterName" for
 * the access-entry operations); NULL means "name". */
bool gh_eks_validate_cluster_name(gh_str name, const char *member, gh_err *err) GH_MUST_CHECK;

/* The versions a new cluster may ask for, oldest first, and the one EKS picks when the
 * request has none. Product data: update it as EKS releases and retires versions. */
extern const gh_str gh_eks_supported_versions[];
extern const size_t gh_eks_supported_versions_count;
extern const gh_str gh_eks_default_version;

/* "MAJOR.MINOR" and listed in `supported` (NULL: gh_eks_supported_versions). */
bool gh_eks_validate_version(gh_str version, const gh_str *supported, size_t n_supported,
			     gh_err *err) GH_MUST_CHECK;
/* UpdateClusterVersion: exactly one minor version up, and supported. */
bool gh_eks_validate_version_update(gh_str from, gh_str to, const gh_str *supported, size_t n_supported,
				    gh_err *err) GH_MUST_CHECK;

/* What CreateCluster carries that this module rules on. Optional members are pointers:
 * NULL means the member was absent from the request. */
typedef struct gh_eks_create_cluster_input {
	gh_str name;
	const gh_str *version;
	const gh_str *authentication_mode;	      /* accessConfig.authenticationMode */
	const bool *bootstrap_creator_admin;	      /* accessConfig.bootstrapClusterCreatorAdminPermissions */
	const gh_str *supported_versions;	      /* NULL: gh_eks_supported_versions */
	size_t n_supported_versions;
	const gh_str *default_version;		      /* NULL: gh_eks_default_version */
} gh_eks_create_cluster_input;

typedef struct gh_eks_cluster_settings {
	gh_str name;	/* view of the input */
	gh_str version; /* the input's, or the default */
	gh_eks_auth_mode mode;
	bool bootstrap_creator_admin;
	/* The creator gets a STANDARD access entry with AmazonEKSClusterAdminPolicy at cluster
	 * scope now (bootstrap and a mode with access entries). With CONFIG_MAP and bootstrap,
	 * the creator is instead an implicit system:masters until the cluster moves to
	 * API_AND_CONFIG_MAP, when EKS creates that entry (see gh_eks_mode_change). */
	bool creator_entry_now;
} gh_eks_cluster_settings;

/* Checks in this order: name, version, authenticationMode, the bootstrap rule. */
bool gh_eks_cluster_validate_create(const gh_eks_create_cluster_input *in, gh_eks_cluster_settings *out,
				    gh_err *err) GH_MUST_CHECK;

/* Side effects EKS performs when a mode change takes effect, for the engine to carry out. */
typedef struct gh_eks_mode_change {
	/* Leaving CONFIG_MAP with bootstrapClusterCreatorAdminPermissions true: EKS adds the
	 * creator's access entry (ClusterAdmin, cluster scope), as the workshop output shows. */
	bool create_creator_entry;
	/* Leaving CONFIG_MAP: aws-auth stops being read only when the mode becomes API. */
	bool config_map_ignored;
} gh_eks_mode_change;
gh_eks_mode_change gh_eks_mode_change_effects(gh_eks_auth_mode from, gh_eks_auth_mode to, bool bootstrap_creator_admin);

/* ---- ARNs and the OIDC issuer --------------------------------------------------------- */

/* arn:<partition>:eks:<region>:<account>:cluster/<name>. False only when memory ran out. */
bool gh_eks_cluster_arn(gh_buf *out, gh_str partition, gh_str region, gh_str account, gh_str name);

/* 16 bytes as lowercase 8-4-4-4-12 hex, bytes used as given (EKS's own entry IDs show
 * version nibbles 1 and 5, so the caller chooses the scheme). out must hold 37 bytes. */
void gh_eks_uuid_format(const uint8_t id[16], char out[37]);

/* https://oidc.eks.<region>.<domain> (amazonaws.com, or amazonaws.com.cn for aws-cn):
 * the base gh_eks_oidc_issuer takes when gatehouse imitates EKS's own URLs. */
bool gh_eks_oidc_issuer_base(gh_buf *out, gh_str partition, gh_str region);
/* <base>/id/<32 uppercase hex of the 16 id bytes>; a trailing '/' on base is dropped. The
 * sandbox passes its own issuer base. `base` must not point into `out`. */
bool gh_eks_oidc_issuer(gh_buf *out, gh_str base, const uint8_t id[16]);

#endif
