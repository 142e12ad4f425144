/* eks_store: EKS clusters' documents, access entries and policy associations. Documents
 * are JSON text; engine/eks_json turns them into the domain's structs. */
#ifndef GH_STORE_EKS_STORE_H
#define GH_STORE_EKS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

typedef struct eks_row {
	const char *key;  /* cluster name, principal key, or policy ARN */
	const char *doc;  /* JSON */
	const char *extra; /* clusters: the creator ARN */
} eks_row;

/* A cluster's row; *found false when there is none. */
bool eks_store_get_cluster(sqlite3 *db, const char *name, gh_arena *a, eks_row *out, bool *found,
			   gh_err *err) GH_MUST_CHECK;
bool eks_store_list_clusters(sqlite3 *db, gh_arena *a, eks_row **out, size_t *n, gh_err *err) GH_MUST_CHECK;
bool eks_store_set_cluster_doc(sqlite3 *db, const char *name, const char *doc, gh_err *err) GH_MUST_CHECK;
bool eks_store_delete_cluster(sqlite3 *db, const char *name, gh_err *err) GH_MUST_CHECK;

bool eks_store_list_entries(sqlite3 *db, const char *cluster, gh_arena *a, eks_row **out, size_t *n,
			    gh_err *err) GH_MUST_CHECK;
bool eks_store_put_entry(sqlite3 *db, const char *cluster, const char *key, const char *doc, int64_t created,
			 gh_err *err) GH_MUST_CHECK;
bool eks_store_delete_entry(sqlite3 *db, const char *cluster, const char *key, gh_err *err) GH_MUST_CHECK;

bool eks_store_list_assocs(sqlite3 *db, const char *cluster, const char *key, gh_arena *a, eks_row **out,
			   size_t *n, gh_err *err) GH_MUST_CHECK;
bool eks_store_put_assoc(sqlite3 *db, const char *cluster, const char *key, const char *policy_arn,
			 const char *doc, gh_err *err) GH_MUST_CHECK;
bool eks_store_delete_assoc(sqlite3 *db, const char *cluster, const char *key, const char *policy_arn,
			    gh_err *err) GH_MUST_CHECK;

/* Pod Identity associations: key = association ID, doc = the stored document. */
bool eks_store_list_pias(sqlite3 *db, const char *cluster, gh_arena *a, eks_row **out, size_t *n,
			 gh_err *err) GH_MUST_CHECK;
/* The association of one namespace and service account; *found false when none. */
bool eks_store_get_pia_for(sqlite3 *db, const char *cluster, const char *ns, const char *sa, gh_arena *a,
			   eks_row *out, bool *found, gh_err *err) GH_MUST_CHECK;
bool eks_store_put_pia(sqlite3 *db, const char *cluster, const char *id, const char *ns, const char *sa,
		       const char *doc, int64_t created, gh_err *err) GH_MUST_CHECK;
bool eks_store_delete_pia(sqlite3 *db, const char *cluster, const char *id, gh_err *err) GH_MUST_CHECK;

#endif
