/* engine: gatehouse's state and pipeline behind every wire adapter.
 *
 * It owns the store (SQLite under the state directory), the key-encryption key and the
 * published snapshots (credentials, per-cluster identity mappings). Every change is one
 * transaction followed by a snapshot rebuild; every read works on a snapshot. The wire
 * adapters (api/) decode a protocol into calls here and encode the answers; the domain
 * (domain/) decides. The clock is read here and passed down. */
#ifndef GH_ENGINE_ENGINE_H
#define GH_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/authn/identity.h"
#include "domain/aws/iam.h"
#include "domain/aws/sigv4.h"
#include "engine/creds.h"
#include "store/iam_store.h"

typedef struct gh_engine gh_engine;

typedef struct gh_engine_config {
	const char *state_dir;
	const char *region;	      /* the sandbox's region, e.g. us-east-1 */
	const char *partition;	      /* aws */
	const char *own_sts_url;      /* base URL of our STS listener, allowed as a token host */
	const char *aws_auth_file;    /* optional: aws-auth ConfigMap manifest overriding the store */
	int64_t time_offset;	      /* testing only: shifts the engine's clock */
	bool passthrough;	      /* verify tokens by calling the STS they name */
	const char *sts_ca_file;      /* pass-through: CA bundle for STS (NULL = system) */
	const char *const *allowed_sts; /* more STS base URLs tokens may name (another gatehouse) */
	size_t nallowed_sts;
	const char *rbac_path;	      /* RBAC manifests (file or folder) loaded into every cluster */
	const char *ec2_instances_file; /* JSON {"i-...": "ip-....internal"} for {{EC2PrivateDNSName}} */
	bool read_only;		      /* offline commands: never bootstrap an empty directory */
	const char *audit_policy_path; /* audit.k8s.io/v1 Policy for DIR/audit.log (NULL = EKS's) */
	const char *pss_config_path;  /* Pod Security configuration file; NULL = privileged:latest */
	int64_t oidc_rotation;	      /* signing-key rotation period in seconds (0 = 7 days) */
	const char *oidc_issuer_base; /* issuer URL base of new clusters (NULL = EKS's oidc.eks.REGION...) */
	const char *oidc_ca_file;     /* CA bundle for external issuers' discovery (NULL = system) */
	const char *oidc_connect_to;  /* testing: curl CONNECT_TO "HOST:PORT:ADDR:PORT" for issuers */
} gh_engine_config;

/* What the first start created, for the files `serve` writes. Strings owned by engine. */
typedef struct gh_bootstrap {
	bool first_start;
	const char *account_id;
	const char *admin_user, *admin_arn;
	const char *admin_akid, *admin_secret; /* only on first start; NULL later */
	const char *default_cluster;
} gh_bootstrap;

bool engine_open(const gh_engine_config *cfg, gh_engine **out, gh_bootstrap *boot, gh_err *err) GH_MUST_CHECK;
void engine_close(gh_engine *e);
int64_t engine_now(const gh_engine *e);
const gh_engine_config *engine_config(const gh_engine *e);

/* An authenticated AWS caller. Strings point into the credential snapshot the caller
 * holds a reference to (released by engine_caller_release). */
typedef struct gh_caller {
	const gh_cred *cred;
	gh_creds *snap;
} gh_caller;

/* Verifies a SigV4-signed request (header or presigned form) against the credential
 * snapshot: key lookup, session token and expiry, clock skew, signature. */
bool engine_aws_authenticate(gh_engine *e, const sigv4_request *req, gh_arena *a, gh_caller *out,
			     gh_err *err) GH_MUST_CHECK;
void engine_caller_release(gh_caller *c);
iam_caller engine_iam_caller(const gh_caller *c);

/* IAM. Outputs are allocated from the arena. */
typedef struct gh_list_page {
	gh_str path_prefix, marker;
	int max_items; /* 0 = default 100 */
} gh_list_page;

bool engine_iam_create_user(gh_engine *e, const gh_caller *c, gh_str name, gh_str path, const iam_tag *tags,
			    size_t ntags, gh_arena *a, iam_user *out, gh_err *err) GH_MUST_CHECK;
bool engine_iam_get_user(gh_engine *e, const gh_caller *c, gh_str name, gh_arena *a, iam_user *out,
			 gh_err *err) GH_MUST_CHECK;
bool engine_iam_list_users(gh_engine *e, const gh_caller *c, const gh_list_page *pg, gh_arena *a,
			   iam_user **out, size_t *n, bool *truncated, gh_err *err) GH_MUST_CHECK;
bool engine_iam_delete_user(gh_engine *e, const gh_caller *c, gh_str name, gh_err *err) GH_MUST_CHECK;
/* out->secret holds the plaintext secret (in the arena) for the one answer that shows it. */
typedef struct gh_new_key {
	iam_access_key meta;
	const char *secret;
} gh_new_key;
bool engine_iam_create_access_key(gh_engine *e, const gh_caller *c, gh_str user, gh_arena *a, gh_new_key *out,
				  gh_err *err) GH_MUST_CHECK;
bool engine_iam_list_access_keys(gh_engine *e, const gh_caller *c, gh_str user, gh_arena *a,
				 iam_access_key **out, size_t *n, const char **user_name, gh_err *err) GH_MUST_CHECK;
bool engine_iam_delete_access_key(gh_engine *e, const gh_caller *c, gh_str user, gh_str akid,
				  gh_err *err) GH_MUST_CHECK;
bool engine_iam_create_role(gh_engine *e, const gh_caller *c, gh_str name, gh_str path, gh_str trust,
			    gh_str description, int64_t max_session, const iam_tag *tags, size_t ntags,
			    gh_arena *a, iam_role *out, gh_err *err) GH_MUST_CHECK;
bool engine_iam_get_role(gh_engine *e, const gh_caller *c, gh_str name, gh_arena *a, iam_role *out,
			 gh_err *err) GH_MUST_CHECK;
bool engine_iam_list_roles(gh_engine *e, const gh_caller *c, const gh_list_page *pg, gh_arena *a,
			   iam_role **out, size_t *n, bool *truncated, gh_err *err) GH_MUST_CHECK;
bool engine_iam_delete_role(gh_engine *e, const gh_caller *c, gh_str name, gh_err *err) GH_MUST_CHECK;
bool engine_iam_update_trust(gh_engine *e, const gh_caller *c, gh_str name, gh_str policy, gh_err *err) GH_MUST_CHECK;
bool engine_iam_tag_role(gh_engine *e, const gh_caller *c, gh_str name, const iam_tag *tags, size_t n,
			 gh_err *err) GH_MUST_CHECK;
bool engine_iam_untag_role(gh_engine *e, const gh_caller *c, gh_str name, const gh_str *keys, size_t n,
			   gh_err *err) GH_MUST_CHECK;

/* STS AssumeRole. */
typedef struct gh_assume_role_req {
	gh_str role_arn, session_name, external_id, source_identity, policy;
	int64_t duration; /* 0 = default 3600 */
	const iam_tag *tags;
	size_t ntags;
	const gh_str *transitive_keys;
	size_t ntransitive;
	gh_str source_ip;
	bool secure_transport;
} gh_assume_role_req;

typedef struct gh_assume_role_res {
	const char *akid, *secret, *session_token;
	int64_t expires;
	const char *assumed_role_id, *arn, *source_identity;
	int packed_policy_size;
} gh_assume_role_res;

bool engine_sts_assume_role(gh_engine *e, const gh_caller *c, const gh_assume_role_req *req, gh_arena *a,
			    gh_assume_role_res *out, gh_err *err) GH_MUST_CHECK;

/* Token authentication (TokenReview): the gate and reception of the pipeline. */
typedef struct gh_token_review {
	bool authenticated;
	const char *username, *uid;
	const char **groups;
	size_t ngroups;
	gh_identity identity;	/* when the token verified */
	const char *mapping_source; /* which mapping entry matched */
	long entry;		/* the matching access entry of the cluster, or -1 */
	int status;		/* HTTP status for a failure: 401/403/429 */
	gh_err error;		/* why not, when !authenticated */
} gh_token_review;

/* Trace callback for `explain`: every check in order. */
typedef void (*gh_trace_fn)(void *ctx, const char *step, bool ok, const char *detail);

bool engine_cluster_exists(gh_engine *e, gh_str cluster);

/* The identity an IAM user or role ARN of this gatehouse would present (a role as a
 * session named `session`), from the IAM store: for can-i and who-can. */
bool engine_identity_of(gh_engine *e, gh_str arn, gh_str session, gh_arena *a, gh_identity *out,
			gh_err *err) GH_MUST_CHECK;
/* That identity through the cluster's mappers, as a token of it would be. */
bool engine_map_principal(gh_engine *e, gh_str cluster, gh_str arn, gh_str session, gh_arena *a,
			  gh_token_review *out, gh_trace_fn trace, void *trace_ctx, gh_err *err) GH_MUST_CHECK;
void engine_token_review(gh_engine *e, gh_str cluster, gh_str token, gh_arena *a, gh_token_review *out,
			 gh_trace_fn trace, void *trace_ctx);

#endif
