#include "store/oidc_store.h"

#include <string.h>

static bool sql_fail(sqlite3 *db, gh_err *err, const char *what)
{
	return gh_fail(err, "ServiceFailure", 500, "store: %s: %s", what, sqlite3_errmsg(db));
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql, gh_err *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_fail(db, err, "prepare");
		return NULL;
	}
	return st;
}

static const char *col_text(sqlite3_stmt *st, int i, gh_arena *a)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? gh_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

static bool done(sqlite3 *db, sqlite3_stmt *st, gh_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return gh_fail(err, "EntityAlreadyExists", 409, "the row already exists");
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "write");
}

bool oidc_store_insert_key(sqlite3 *db, const oidc_key_row *k, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "INSERT INTO oidc_keys(cluster, kid, sealed_key, created) VALUES(?1, ?2, ?3, ?4)",
				err);
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, k->cluster, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, k->kid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 3, k->sealed, (int)k->sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, k->created);
	return done(db, st, err);
}

bool oidc_store_list_keys(sqlite3 *db, const char *cluster, gh_arena *a, oidc_key_row **out, size_t *n,
			  gh_err *err)
{
	sqlite3_stmt *st = prep(db, "SELECT kid, sealed_key, created FROM oidc_keys WHERE cluster = ?1 "
				    "ORDER BY created DESC, kid", err);
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_TRANSIENT);
	size_t cap = 4;
	*out = gh_arena_alloc(a, cap * sizeof **out);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			oidc_key_row *bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *out, cap * sizeof *bigger);
			*out = bigger;
			cap *= 2;
		}
		oidc_key_row *k = &(*out)[(*n)++];
		k->cluster = gh_arena_strndup(a, cluster, strlen(cluster));
		k->kid = col_text(st, 0, a);
		k->sealed_len = (size_t)sqlite3_column_bytes(st, 1);
		uint8_t *b = gh_arena_alloc(a, k->sealed_len ? k->sealed_len : 1);
		if (k->sealed_len)
			memcpy(b, sqlite3_column_blob(st, 1), k->sealed_len);
		k->sealed = b;
		k->created = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "list signing keys");
}

bool oidc_store_prune_keys(sqlite3 *db, const char *cluster, int64_t before, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "DELETE FROM oidc_keys WHERE cluster = ?1 AND created < ?2", err);
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, before);
	return done(db, st, err);
}

static void bind_provider(sqlite3_stmt *st, const oidc_provider_row *p)
{
	sqlite3_bind_text(st, 1, p->account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, p->url, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, p->arn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, p->client_ids, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, p->thumbprints, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, p->tags ? p->tags : "[]", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, p->created);
}

bool oidc_store_insert_provider(sqlite3 *db, const oidc_provider_row *p, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "INSERT INTO iam_oidc_providers(account, url, arn, client_ids, thumbprints, tags, "
				    "created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
	if (!st)
		return false;
	bind_provider(st, p);
	return done(db, st, err);
}

bool oidc_store_update_provider(sqlite3 *db, const oidc_provider_row *p, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "UPDATE iam_oidc_providers SET arn = ?3, client_ids = ?4, thumbprints = ?5, "
				    "tags = ?6, created = ?7 WHERE account = ?1 AND url = ?2", err);
	if (!st)
		return false;
	bind_provider(st, p);
	return done(db, st, err);
}

static void read_provider(sqlite3_stmt *st, gh_arena *a, oidc_provider_row *p)
{
	p->account = col_text(st, 0, a);
	p->url = col_text(st, 1, a);
	p->arn = col_text(st, 2, a);
	p->client_ids = col_text(st, 3, a);
	p->thumbprints = col_text(st, 4, a);
	p->tags = col_text(st, 5, a);
	p->created = sqlite3_column_int64(st, 6);
}

#define PROVIDER_COLS "account, url, arn, client_ids, thumbprints, tags, created"

bool oidc_store_get_provider(sqlite3 *db, const char *account, const char *url, gh_arena *a,
			     oidc_provider_row *out, bool *found, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "SELECT " PROVIDER_COLS " FROM iam_oidc_providers WHERE account = ?1 AND url = ?2",
				err);
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found)
		read_provider(st, a, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? true : sql_fail(db, err, "get provider");
}

bool oidc_store_list_providers(sqlite3 *db, const char *account, gh_arena *a, oidc_provider_row **out,
			       size_t *n, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "SELECT " PROVIDER_COLS " FROM iam_oidc_providers WHERE account = ?1 ORDER BY url",
				err);
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	size_t cap = 8;
	*out = gh_arena_alloc(a, cap * sizeof **out);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			oidc_provider_row *bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *out, cap * sizeof *bigger);
			*out = bigger;
			cap *= 2;
		}
		read_provider(st, a, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "list providers");
}

bool oidc_store_delete_provider(sqlite3 *db, const char *account, const char *url, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "DELETE FROM iam_oidc_providers WHERE account = ?1 AND url = ?2", err);
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_TRANSIENT);
	return done(db, st, err);
}
