/* eks_internal: what engine/eks_*.c share: reading clusters, entries and associations
 * inside a transaction, the per-operation runner, pagination, and the creator's entry. */
#ifndef GH_ENGINE_EKS_INTERNAL_H
#define GH_ENGINE_EKS_INTERNAL_H

#include <jansson.h>

#include "domain/eks/access_entry.h"
#include "domain/eks/access_policy.h"
#include "domain/eks/cluster.h"
#include "engine/eks.h"
#include "engine/engine_internal.h"

typedef struct cluster_view {
	char *name;
	json_t *doc; /* the Cluster document */
	gh_eks_auth_mode mode;
	bool bootstrap;
	const char *creator_arn;
} cluster_view;

typedef struct entry_list {
	gh_eks_access_entry *v;
	size_t n;
} entry_list;

typedef struct assoc_list {
	gh_eks_association *v;
	size_t n;
} assoc_list;

typedef struct principal_info {
	gh_str arn, id;
} principal_info;

typedef bool (*eks_fn)(gh_engine *e, void *ctx, gh_err *err);

/* The context of most operations: the cluster, the entry's principal, the policy. */
struct name_ctx {
	gh_str name, principal, policy;
	json_t *req, *out;
	const gh_eks_page *pg;
	const gh_caller *c;
	gh_arena a;
};

typedef struct name_ctx name_ctx;

int64_t eks_now_ms(gh_engine *e);
bool eks_authorize(const gh_caller *c, const char *action, gh_str resource, bool write, gh_err *err);
void eks_cluster_arn(gh_engine *e, gh_str name, gh_buf *out);
bool eks_authorize_cluster(gh_engine *e, const gh_caller *c, const char *action, gh_str name, bool write,
			   gh_err *err);
bool eks_not_found_cluster(gh_err *err, gh_str name);
void eks_read_access_config(json_t *doc, gh_eks_auth_mode *mode, bool *bootstrap);
bool eks_load_cluster(gh_engine *e, gh_str name, gh_arena *a, cluster_view *out, gh_err *err);
json_t *eks_cluster_answer(gh_engine *e, const cluster_view *cv);
bool eks_load_entries(gh_engine *e, const char *cluster, gh_arena *a, entry_list *out, gh_err *err);
bool eks_load_assocs(gh_engine *e, const char *cluster, gh_str key, gh_arena *a, assoc_list *out, gh_err *err);
bool eks_in_read(gh_engine *e, eks_fn fn, void *ctx, gh_err *err);
bool eks_in_write(gh_engine *e, eks_fn fn, void *ctx, gh_err *err);
/* One operation on a cluster: who may call, then fn in a read or write transaction. The
 * answer (x->out) is handed over on success and dropped on failure. */
bool eks_run_op(gh_engine *e, const gh_caller *c, const char *action, bool write, eks_fn fn, name_ctx *x,
		json_t **out, gh_err *err);
bool eks_page_bounds(const gh_eks_page *pg, int dflt, int maxv, size_t total, size_t *from, size_t *to,
		     gh_err *err);
void eks_set_next(json_t *out, size_t to, size_t total);
bool eks_resolve_principal(gh_engine *e, gh_str arn, gh_arena *a, principal_info *out, gh_err *err);
bool eks_put_entry(gh_engine *e, const char *cluster, const gh_eks_access_entry *en, gh_err *err);
bool eks_put_assoc(gh_engine *e, const char *cluster, gh_str key, const gh_eks_association *as, gh_err *err);
bool eks_create_creator_entry(gh_engine *e, const char *cluster, gh_str creator_arn, gh_arena *a, gh_err *err);
gh_str eks_creator_of(const gh_caller *c);

#endif
