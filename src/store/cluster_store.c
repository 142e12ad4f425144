#include "store/cluster_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sql_fail(sqlite3 *db, gh_err *err, const char *what)
{
	return gh_fail(err, "ServiceFailure", 500, "store: %s: %s", what, sqlite3_errmsg(db));
}

bool cluster_store_create(sqlite3 *db, const char *name, const char *account, const char *region,
			  const char *partition, const char *creator_arn, int64_t now, gh_err *err)
{
	char arn[512];
	snprintf(arn, sizeof arn, "arn:%s:eks:%s:%s:cluster/%s", partition, region, account, name);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO clusters(name, account, arn, region, creator_arn, created) "
			       "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, arn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, region, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, creator_arn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return gh_fail(err, "ResourceInUseException", 409, "Cluster already exists with name: %s", name);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "insert cluster");
}

bool cluster_store_bootstrap(sqlite3 *db, const char *name, const char *account, const char *region,
			     const char *partition, const char *admin_arn, int64_t now, gh_err *err)
{
	if (!cluster_store_create(db, name, account, region, partition, admin_arn, now, err))
		return false;
	/* The creator needs no aws-auth entry: in CONFIG_MAP mode EKS maps the cluster's
	 * creator to system:masters by itself (engine/authn.c), and so does gatehouse. */
	json_t *cm = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
			       "ConfigMap", "metadata", "name", "aws-auth", "namespace", "kube-system", "data",
			       "mapRoles", "", "mapUsers", "");
	char *body = json_dumps(cm, JSON_COMPACT);
	bool ok = cluster_store_put_object(db, name, "ConfigMap", "kube-system", "aws-auth", body, err);
	free(body);
	json_decref(cm);
	return ok;
}

bool cluster_store_list(sqlite3 *db, gh_arena *a, const char ***names, size_t *n, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT name FROM clusters ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	size_t cap = 8;
	*names = gh_arena_alloc(a, cap * sizeof **names);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			const char **bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *names, cap * sizeof *bigger);
			*names = bigger;
			cap *= 2;
		}
		(*names)[(*n)++] = gh_arena_strndup(a, (const char *)sqlite3_column_text(st, 0),
						    (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "list clusters");
}

bool cluster_store_get_object(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
			      const char *name, gh_arena *a, const char **body, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT body FROM k8s_objects WHERE cluster = ?1 AND kind = ?2 AND namespace = ?3 "
			       "AND name = ?4",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, ns, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	*body = NULL;
	if (rc == SQLITE_ROW)
		*body = gh_arena_strndup(a, (const char *)sqlite3_column_text(st, 0),
					 (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? true : sql_fail(db, err, "read object");
}

bool cluster_store_put_object(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
			      const char *name, const char *body, gh_err *err)
{
	int64_t rv;
	return cluster_store_next_rv(db, &rv, err) &&
	       cluster_store_put_object_rv(db, cluster, kind, ns, name, body, rv, err);
}

bool cluster_store_get_good_section(sqlite3 *db, const char *cluster, const char *section, gh_arena *a,
				    const char **body, bool *found, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT body FROM aws_auth_good WHERE cluster = ?1 AND section = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, section, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	*body = NULL;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*body = gh_arena_strndup(a, (const char *)sqlite3_column_text(st, 0),
					 (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? true : sql_fail(db, err, "read aws-auth section");
}

bool cluster_store_put_good_section(sqlite3 *db, const char *cluster, const char *section, const char *body,
				    gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO aws_auth_good(cluster, section, body) VALUES(?1, ?2, ?3) "
			       "ON CONFLICT(cluster, section) DO UPDATE SET body = excluded.body",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, section, -1, SQLITE_TRANSIENT);
	if (body)
		sqlite3_bind_text(st, 3, body, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 3);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "write aws-auth section");
}

bool cluster_store_list_objects(sqlite3 *db, const char *cluster, const char *kind, gh_arena *a,
				const char ***bodies, size_t *n, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT body FROM k8s_objects WHERE cluster = ?1 AND kind = ?2 ORDER BY namespace, name",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	size_t cap = 16;
	*bodies = gh_arena_alloc(a, cap * sizeof **bodies);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			const char **bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *bodies, cap * sizeof *bigger);
			*bodies = bigger;
			cap *= 2;
		}
		(*bodies)[(*n)++] = gh_arena_strndup(a, (const char *)sqlite3_column_text(st, 0),
						     (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "list objects");
}

bool cluster_store_next_rv(sqlite3 *db, int64_t *rv, gh_err *err)
{
	if (sqlite3_exec(db, "UPDATE k8s_rv SET rv = rv + 1 WHERE id = 1", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(db, err, "bump resourceVersion");
	return cluster_store_current_rv(db, rv, err);
}

bool cluster_store_current_rv(sqlite3 *db, int64_t *rv, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT rv FROM k8s_rv WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	int rc = sqlite3_step(st);
	*rv = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? true : sql_fail(db, err, "read resourceVersion");
}

bool cluster_store_put_object_rv(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
				 const char *name, const char *body, int64_t rv, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO k8s_objects(cluster, kind, namespace, name, body, resource_version) "
			       "VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
			       "ON CONFLICT(cluster, kind, namespace, name) DO UPDATE SET body = excluded.body, "
			       "resource_version = excluded.resource_version",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, rv);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "write object");
}

bool cluster_store_delete_object(sqlite3 *db, const char *cluster, const char *kind, const char *ns,
				 const char *name, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "DELETE FROM k8s_objects WHERE cluster = ?1 AND kind = ?2 AND namespace = ?3 AND name = ?4",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "delete object");
}

bool cluster_store_each_object(sqlite3 *db, cluster_store_object_fn fn, void *ctx, gh_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT cluster, kind, namespace, name, body, resource_version FROM k8s_objects",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, err, "prepare");
	int rc;
	bool ok = true;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ok = fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4), (size_t)sqlite3_column_bytes(st, 4),
			sqlite3_column_int64(st, 5));
	sqlite3_finalize(st);
	if (!ok)
		return gh_fail(err, "ServiceFailure", 500, "store: loading Kubernetes objects failed");
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "list objects");
}
