/* Shared between the engine's files; not for the wire adapters. */
#ifndef GH_ENGINE_INTERNAL_H
#define GH_ENGINE_INTERNAL_H

#include <pthread.h>

#include "domain/authn/mapper.h"
#include "domain/aws/sigv4_keycache.h"
#include "engine/engine.h"
#include "store/db.h"
#include "store/kek.h"

struct gh_cluster_maps;
struct maps_rbac;
typedef struct gh_passthrough gh_passthrough;
struct gh_audit;
struct gh_trail;

struct gh_engine {
	gh_engine_config cfg;
	char *state_dir;
	char *account;		/* the bootstrap account */
	gh_db *db;
	char boot_account[13];
	gh_kek *kek;
	pthread_mutex_t write_mu;	/* one writer at a time; readers use snapshots */
	pthread_rwlock_t snap_mu;	/* guards only the swap of the snapshot pointers */
	gh_creds *creds;
	struct gh_cluster_maps *maps;	/* per-cluster identity mappings */
	struct maps_rbac *rbac;		/* per-cluster RBAC sources, under write_mu (engine/maps.c) */
	struct kube_state *kube;	/* the Kubernetes API's objects (engine/kube.c) */
	sigv4_keycache *keycache;
	gh_passthrough *passthrough; /* NULL: tokens are verified locally */
	gh_mapper_instance_table instances; /* {{EC2PrivateDNSName}} lookups */
	char *instances_blob;
	pthread_t watcher;		/* re-reads cfg.aws_auth_file when it changes */
	bool watching, watch_stop;
	pthread_mutex_t watch_mu;
	pthread_cond_t watch_cv;
	gh_bootstrap boot;
	char *boot_strings[8];
	struct gh_audit *audit;		/* DIR/audit.log; NULL for offline commands */
	struct gh_trail *trail;		/* DIR/trail.log; NULL for offline commands */
	struct gh_pss_state *pss;	/* Pod Security config and namespace cache (engine/pss_admit.c) */
	_Atomic uint64_t writes;	/* committed write transactions: invalidates read caches */
	struct gh_oidc *oidc;		/* service-account issuers (engine/oidc.c) */
	struct gh_webid *webid;		/* external issuers' JWKS cache (engine/webid.c) */
};

/* Which snapshots a change invalidates. */
enum { GH_PUBLISH_CREDS = 1, GH_PUBLISH_MAPS = 2, GH_PUBLISH_ALL = 3 };

/* Runs `fn` inside one transaction under the write lock, then republishes the snapshots
 * named by `what` (engine_tx: the credentials, which every IAM and STS change touches). */
typedef bool (*engine_tx_fn)(gh_engine *e, void *ctx, gh_err *err);
bool engine_tx(gh_engine *e, engine_tx_fn fn, void *ctx, gh_err *err) GH_MUST_CHECK;
bool engine_tx_publish(gh_engine *e, engine_tx_fn fn, void *ctx, unsigned what, gh_err *err) GH_MUST_CHECK;
/* Caller holds write_mu. */
bool engine_publish(gh_engine *e, unsigned what, gh_err *err) GH_MUST_CHECK;
/* A consistent read of the store (iam_store_* on db_conn(e->db)) between these two. */
bool engine_read_begin(gh_engine *e, gh_err *err) GH_MUST_CHECK;
void engine_read_end(gh_engine *e);

/* Random helpers that fail loudly: an RNG failure is never papered over. */
bool engine_random(void *out, size_t n, gh_err *err) GH_MUST_CHECK;
bool engine_seal_secret(gh_engine *e, const char *akid, const char *secret, gh_buf *out, gh_err *err) GH_MUST_CHECK;

/* Issues temporary credentials for `role` (engine/sts_ops.c): ASIA key, sealed secret,
 * session token hash, all in one transaction. `source_arn` is who asked (a caller ARN, or
 * an OIDC provider ARN for web identity). */
bool sts_issue_session(gh_engine *e, const iam_role *role, const gh_assume_role_req *r, const char *source_arn,
		       const char *source_identity, const iam_tag *tags, size_t ntags, const iam_tag *inherited,
		       size_t ninh, int64_t duration, gh_arena *a, gh_assume_role_res *out, gh_err *err) GH_MUST_CHECK;

/* AssumeRole by an AWS service principal (`service`, e.g. pods.eks.amazonaws.com) for
 * `duration` seconds, which the service chooses (not bound by the role's
 * MaxSessionDuration). The trust policy must allow sts:AssumeRole, and sts:TagSession when
 * r carries tags. "AccessDenied" 403 otherwise. */
bool sts_assume_role_as_service(gh_engine *e, const char *service, const gh_assume_role_req *r, int64_t duration,
				gh_arena *a, gh_assume_role_res *out, gh_err *err) GH_MUST_CHECK;
/* The credential snapshot, referenced (engine/auth.c); creds_unref when done. */
gh_creds *engine_creds_acquire(gh_engine *e);

/* A session policy (Policy parameter of the AssumeRole calls): an identity policy of at
 * most 2048 characters; empty is fine. */
bool sts_check_session_policy(gh_str policy, gh_err *err) GH_MUST_CHECK;
/* Tags as the JSON text [{"Key":..,"Value":..}] the store keeps (malloc'd; NULL on OOM). */
char *sts_tags_json(const iam_tag *tags, size_t n);

/* Pass-through to a real STS, engine/passthrough.c. */
#include "domain/authn/token.h"
gh_passthrough *passthrough_new(const char *ca_file);
void passthrough_free(gh_passthrough *p);
bool passthrough_verify(gh_engine *e, gh_str cluster, gh_str token, const token_result *tok, gh_arena *a,
			bool *cached, gh_identity *out, gh_err *err) GH_MUST_CHECK;

/* The audit log and the AWS API trail, engine/records.c. */
bool engine_records_open(gh_engine *e, gh_err *err) GH_MUST_CHECK;
void engine_records_close(gh_engine *e);

/* Identity mappings, engine/maps.c. */
bool maps_publish(gh_engine *e, gh_err *err) GH_MUST_CHECK;
void maps_free(struct gh_cluster_maps *m);

/* One object the maps depend on (an RBAC object, or kube-system/aws-auth), written or
 * deleted through the Kubernetes API. */
typedef struct maps_change {
	const char *kind, *ns, *name;
	const char *body; /* the JSON as stored; NULL for a delete */
} maps_change;
/* Caller holds write_mu, the change committed: republishes the cluster's entry, with its
 * RBAC updated by these objects alone (one shard recompiled per object), and shares every
 * other cluster's entry with the previous snapshot. */
bool maps_publish_cluster(gh_engine *e, const char *cluster, const maps_change *c, size_t n,
			  gh_err *err) GH_MUST_CHECK;
/* engine/maps_rbac.c, under write_mu: the cluster's published policy (it->rbac, and
 * it->rbac_error) from its source after `c`, the source loaded whole when there is none;
 * sources of clusters not in names[0..n) forgotten; one cluster's source forgotten. */
struct gh_cluster_map;
void maps_rbac_load(gh_engine *e, struct gh_cluster_map *it, const maps_change *c, size_t n);
void maps_rbac_prune(gh_engine *e, const char **names, size_t n);
void maps_rbac_drop(gh_engine *e, const char *cluster);
void maps_rbac_free(struct maps_rbac *r);
/* engine_tx_publish for such changes: `fn` may fill in c[i].body (it runs first). */
bool engine_tx_publish_cluster(gh_engine *e, engine_tx_fn fn, void *ctx, const char *cluster, const maps_change *c,
			       size_t n, gh_err *err) GH_MUST_CHECK;

#endif
