#include "store/eks_store.h"

#include <string.h>

static bool sql_fail(sqlite3 *db, gh_err *err, const char *what)
{
	return gh_fail(err, "ServerException", 500, "store: %s: %s", what, sqlite3_errmsg(db));
}

/* Prepares `sql` and binds the C strings in args (NULL ends the list). */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, const char *const *args, gh_err *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_fail(db, err, "prepare");
		return NULL;
	}
	for (int i = 0; args && args[i]; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
	return st;
}

static const char *col(sqlite3_stmt *st, int i, gh_arena *a)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? gh_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/* Runs a query of rows (key, doc[, extra]) into an arena array. */
static bool rows(sqlite3 *db, sqlite3_stmt *st, int ncols, gh_arena *a, eks_row **out, size_t *n, gh_err *err)
{
	size_t cap = 16;
	*out = gh_arena_alloc(a, cap * sizeof **out);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			eks_row *bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *out, cap * sizeof *bigger);
			*out = bigger;
			cap *= 2;
		}
		eks_row *r = &(*out)[(*n)++];
		r->key = col(st, 0, a);
		r->doc = col(st, 1, a);
		r->extra = ncols > 2 ? col(st, 2, a) : NULL;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "read");
}

static bool exec(sqlite3 *db, sqlite3_stmt *st, gh_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "write");
}

bool eks_store_get_cluster(sqlite3 *db, const char *name, gh_arena *a, eks_row *out, bool *found, gh_err *err)
{
	const char *args[] = { name, NULL };
	sqlite3_stmt *st = prep(db, "SELECT name, doc, creator_arn FROM clusters WHERE name = ?1", args, err);
	eks_row *r;
	size_t n;
	if (!st || !rows(db, st, 3, a, &r, &n, err))
		return false;
	*found = n == 1;
	if (n == 1)
		*out = r[0];
	return true;
}

bool eks_store_list_clusters(sqlite3 *db, gh_arena *a, eks_row **out, size_t *n, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "SELECT name, doc, creator_arn FROM clusters ORDER BY name", NULL, err);
	return st && rows(db, st, 3, a, out, n, err);
}

bool eks_store_set_cluster_doc(sqlite3 *db, const char *name, const char *doc, gh_err *err)
{
	const char *args[] = { name, doc, NULL };
	sqlite3_stmt *st = prep(db, "UPDATE clusters SET doc = ?2 WHERE name = ?1", args, err);
	return st && exec(db, st, err);
}

bool eks_store_delete_cluster(sqlite3 *db, const char *name, gh_err *err)
{
	const char *args[] = { name, NULL };
	sqlite3_stmt *st = prep(db, "DELETE FROM clusters WHERE name = ?1", args, err);
	return st && exec(db, st, err);
}

bool eks_store_list_entries(sqlite3 *db, const char *cluster, gh_arena *a, eks_row **out, size_t *n, gh_err *err)
{
	const char *args[] = { cluster, NULL };
	sqlite3_stmt *st = prep(db,
				"SELECT principal_key, doc FROM eks_access_entries WHERE cluster = ?1 "
				"ORDER BY created, principal_key",
				args, err);
	return st && rows(db, st, 2, a, out, n, err);
}

bool eks_store_put_entry(sqlite3 *db, const char *cluster, const char *key, const char *doc, int64_t created,
			 gh_err *err)
{
	const char *args[] = { cluster, key, doc, NULL };
	sqlite3_stmt *st = prep(db,
				"INSERT INTO eks_access_entries(cluster, principal_key, doc, created) "
				"VALUES(?1, ?2, ?3, ?4) ON CONFLICT(cluster, principal_key) DO UPDATE SET doc = "
				"excluded.doc",
				args, err);
	if (!st)
		return false;
	sqlite3_bind_int64(st, 4, created);
	return exec(db, st, err);
}

bool eks_store_delete_entry(sqlite3 *db, const char *cluster, const char *key, gh_err *err)
{
	const char *args[] = { cluster, key, NULL };
	sqlite3_stmt *st = prep(db, "DELETE FROM eks_access_entries WHERE cluster = ?1 AND principal_key = ?2", args,
				err);
	return st && exec(db, st, err);
}

bool eks_store_list_assocs(sqlite3 *db, const char *cluster, const char *key, gh_arena *a, eks_row **out,
			   size_t *n, gh_err *err)
{
	const char *args[] = { cluster, key, NULL };
	sqlite3_stmt *st = prep(db,
				"SELECT policy_arn, doc FROM eks_associations WHERE cluster = ?1 AND principal_key = ?2 "
				"ORDER BY policy_arn",
				args, err);
	return st && rows(db, st, 2, a, out, n, err);
}

bool eks_store_put_assoc(sqlite3 *db, const char *cluster, const char *key, const char *policy_arn, const char *doc,
			 gh_err *err)
{
	const char *args[] = { cluster, key, policy_arn, doc, NULL };
	sqlite3_stmt *st = prep(db,
				"INSERT INTO eks_associations(cluster, principal_key, policy_arn, doc) VALUES(?1, ?2, ?3, ?4) "
				"ON CONFLICT(cluster, principal_key, policy_arn) DO UPDATE SET doc = excluded.doc",
				args, err);
	return st && exec(db, st, err);
}

bool eks_store_delete_assoc(sqlite3 *db, const char *cluster, const char *key, const char *policy_arn, gh_err *err)
{
	const char *args[] = { cluster, key, policy_arn, NULL };
	sqlite3_stmt *st = prep(db,
				"DELETE FROM eks_associations WHERE cluster = ?1 AND principal_key = ?2 AND policy_arn = ?3",
				args, err);
	return st && exec(db, st, err);
}

bool eks_store_list_pias(sqlite3 *db, const char *cluster, gh_arena *a, eks_row **out, size_t *n, gh_err *err)
{
	const char *args[] = { cluster, NULL };
	sqlite3_stmt *st = prep(db,
				"SELECT id, doc FROM eks_pod_identity_associations WHERE cluster = ?1 "
				"ORDER BY created, id",
				args, err);
	return st && rows(db, st, 2, a, out, n, err);
}

bool eks_store_get_pia_for(sqlite3 *db, const char *cluster, const char *ns, const char *sa, gh_arena *a,
			   eks_row *out, bool *found, gh_err *err)
{
	const char *args[] = { cluster, ns, sa, NULL };
	sqlite3_stmt *st = prep(db,
				"SELECT id, doc FROM eks_pod_identity_associations WHERE cluster = ?1 AND "
				"namespace = ?2 AND service_account = ?3",
				args, err);
	eks_row *r;
	size_t n;
	if (!st || !rows(db, st, 2, a, &r, &n, err))
		return false;
	*found = n == 1;
	if (n == 1)
		*out = r[0];
	return true;
}

bool eks_store_put_pia(sqlite3 *db, const char *cluster, const char *id, const char *ns, const char *sa,
		       const char *doc, int64_t created, gh_err *err)
{
	const char *args[] = { cluster, id, ns, sa, doc, NULL };
	sqlite3_stmt *st = prep(db,
				"INSERT INTO eks_pod_identity_associations(cluster, id, namespace, service_account, doc, "
				"created) VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(cluster, id) DO UPDATE SET doc = "
				"excluded.doc",
				args, err);
	if (!st)
		return false;
	sqlite3_bind_int64(st, 6, created);
	return exec(db, st, err);
}

bool eks_store_delete_pia(sqlite3 *db, const char *cluster, const char *id, gh_err *err)
{
	const char *args[] = { cluster, id, NULL };
	sqlite3_stmt *st = prep(db, "DELETE FROM eks_pod_identity_associations WHERE cluster = ?1 AND id = ?2", args,
				err);
	return st && exec(db, st, err);
}
