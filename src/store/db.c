#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct gh_db {
	sqlite3 *conn;
	pthread_mutex_t mu;
	char *path;
};

/* The database whose transaction this thread is inside, if any. Thread-local, so the
 * checks below never race with another thread's transaction. */
static _Thread_local const gh_db *db_held;

static bool db_fail_detail(int rc, const char *what, const char *detail, gh_err *err)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return gh_fail(err, "Conflict", 409, "%s: %s", what, detail);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return gh_fail(err, "StoreBusy", 503, "%s: database is busy: %s", what, detail);
	default:
		return gh_fail(err, "StoreError", 500, "%s: %s", what, detail);
	}
}

bool db_fail(sqlite3 *conn, int rc, const char *what, gh_err *err)
{
	return db_fail_detail(rc, what, conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc), err);
}

static bool db_in_tx(const gh_db *db, const char *what, gh_err *err)
{
	if (db_held == db)
		return true;
	return gh_fail(err, "InternalError", 500, "%s outside a transaction", what);
}

static bool db_exec_raw(gh_db *db, const char *sql, gh_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return true;
	db_fail_detail(rc, db->path, msg ? msg : sqlite3_errstr(rc), err);
	sqlite3_free(msg);
	return false;
}

/* Creates the file ourselves so it is 0600 from the first byte: it holds sealed secrets,
 * and SQLite gives its -wal and -shm files the same mode. */
static bool db_precreate(const char *path, gh_err *err)
{
	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return true;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return gh_fail(err, "StoreError", 500, "cannot open database %s: %s", path, strerror(errno));
	close(fd);
	return true;
}

static bool db_pragma_text(gh_db *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	bool ok = sqlite3_step(st) == SQLITE_ROW;
	if (ok) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(out, n, "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return ok;
}

bool db_open(const char *path, gh_db **out, gh_err *err)
{
	*out = NULL;
	if (!db_precreate(path, err))
		return false;
	gh_db *db = calloc(1, sizeof *db);
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	}
	pthread_mutex_init(&db->mu, NULL);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX |
		    SQLITE_OPEN_EXRESCODE | (strncmp(path, "file:", 5) == 0 ? SQLITE_OPEN_URI : 0);
	int rc = sqlite3_open_v2(path, &db->conn, flags, NULL);
	if (rc != SQLITE_OK) {
		gh_fail(err, "StoreError", 500, "cannot open database %s: %s", path,
			db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
		db_close(db);
		return false;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	sqlite3_busy_timeout(db->conn, GH_DB_BUSY_TIMEOUT_MS);
	char mode[16] = "";
	bool ok = db_pragma_text(db, "PRAGMA journal_mode=WAL", mode, sizeof mode);
	if (ok && strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0) {
		gh_fail(err, "StoreError", 500,
			"database %s cannot use WAL (journal mode is \"%s\"); put it on a local file system",
			path, mode);
		db_close(db);
		return false;
	}
	/* FULL: in WAL mode, NORMAL could lose the last commits on power loss. trusted_schema
	 * off: the schema is ours, never run functions a tampered file names. */
	ok = ok && db_exec_raw(db,
			       "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
			       "PRAGMA trusted_schema=OFF;",
			       err);
	char fk[4] = "";
	if (ok && (!db_pragma_text(db, "PRAGMA foreign_keys", fk, sizeof fk) || strcmp(fk, "1") != 0))
		ok = gh_fail(err, "StoreError", 500, "this SQLite cannot enforce foreign keys");
	if (!ok) {
		if (err && !err->code)
			db_fail(db->conn, sqlite3_errcode(db->conn), path, err);
		db_close(db);
		return false;
	}
	*out = db;
	return true;
}

void db_close(gh_db *db)
{
	if (!db)
		return;
	sqlite3_close_v2(db->conn);
	pthread_mutex_destroy(&db->mu);
	free(db->path);
	free(db);
}

static bool db_start(gh_db *db, const char *sql, gh_err *err)
{
	if (db_held == db)
		return gh_fail(err, "InternalError", 500, "transactions do not nest");
	pthread_mutex_lock(&db->mu);
	db_held = db;
	if (db_exec_raw(db, sql, err))
		return true;
	db_held = NULL;
	pthread_mutex_unlock(&db->mu);
	return false;
}

bool db_begin(gh_db *db, gh_err *err)
{
	return db_start(db, "BEGIN IMMEDIATE", err);
}

bool db_begin_read(gh_db *db, gh_err *err)
{
	return db_start(db, "BEGIN DEFERRED", err);
}

static void db_end(gh_db *db)
{
	db_held = NULL;
	pthread_mutex_unlock(&db->mu);
}

bool db_commit(gh_db *db, gh_err *err)
{
	if (!db_in_tx(db, "commit", err))
		return false;
	bool ok = db_exec_raw(db, "COMMIT", err);
	/* A failed COMMIT may leave the transaction open; end it so the next one starts clean. */
	if (!ok && !sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
	db_end(db);
	return ok;
}

void db_rollback(gh_db *db)
{
	if (db_held != db)
		return;
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
	db_end(db);
}

bool db_tx(gh_db *db, gh_db_tx_fn fn, void *ctx, gh_err *err)
{
	if (!db_begin(db, err))
		return false;
	if (!fn(db, ctx, err)) {
		db_rollback(db);
		return false;
	}
	return db_commit(db, err);
}

sqlite3 *db_conn(gh_db *db)
{
	return db->conn;
}

bool db_exec(gh_db *db, const char *sql, gh_err *err)
{
	return db_in_tx(db, "db_exec", err) && db_exec_raw(db, sql, err);
}

bool db_schema_version(gh_db *db, int64_t *version, gh_err *err)
{
	*version = 0;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->conn, "SELECT coalesce(max(version), 0) FROM schema_migrations",
				    -1, &st, NULL);
	if (rc != SQLITE_OK) {
		bool missing = strstr(sqlite3_errmsg(db->conn), "no such table") != NULL;
		sqlite3_finalize(st);
		return missing ? true : db_fail(db->conn, rc, "reading the schema version", err);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? true : db_fail(db->conn, rc, "reading the schema version", err);
}

static bool db_apply(gh_db *db, const char *script, int64_t version, gh_err *err)
{
	if (!db_exec_raw(db, script, err))
		return gh_fail_wrap(err, "schema migration %lld", (long long)version);
	sqlite3_stmt *st;
	if (!db_prepare(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", &st, err))
		return false;
	bool ok = db_bind_int(st, 1, version, err) && db_bind_int(st, 2, (int64_t)time(NULL), err) &&
		  db_step_done(st, err);
	db_finalize(st);
	return ok;
}

bool db_migrate(gh_db *db, const char *const *scripts, size_t n, gh_err *err)
{
	if (!db_begin(db, err))
		return false;
	if (!db_exec(db,
		     "CREATE TABLE IF NOT EXISTS schema_migrations ("
		     " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
		     err)) {
		db_rollback(db);
		return false;
	}
	if (!db_commit(db, err))
		return false;
	for (size_t i = 0;; i++) {
		/* Each migration re-reads the version inside its own write transaction, so two
		 * processes starting together never apply one twice. */
		if (!db_begin(db, err))
			return false;
		int64_t have;
		if (!db_schema_version(db, &have, err)) {
			db_rollback(db);
			return false;
		}
		if (have > (int64_t)n) {
			db_rollback(db);
			return gh_fail(err, "SchemaTooNew", 500,
				       "database %s has schema version %lld but this gatehouse knows only "
				       "versions up to %zu: run a newer gatehouse, or restore a backup "
				       "taken before the upgrade",
				       db->path, (long long)have, n);
		}
		if (have == (int64_t)n) {
			db_rollback(db);
			return true;
		}
		if (!db_apply(db, scripts[have], have + 1, err)) {
			db_rollback(db);
			return false;
		}
		if (!db_commit(db, err))
			return false;
		(void)i;
	}
}

bool db_prepare(gh_db *db, const char *sql, sqlite3_stmt **out, gh_err *err)
{
	*out = NULL;
	if (!db_in_tx(db, "db_prepare", err))
		return false;
	int rc = sqlite3_prepare_v2(db->conn, sql, -1, out, NULL);
	if (rc == SQLITE_OK)
		return true;
	sqlite3_finalize(*out);
	*out = NULL;
	return db_fail(db->conn, rc, "preparing a statement", err);
}

static bool db_bind_rc(sqlite3_stmt *st, int rc, int idx, gh_err *err)
{
	if (rc == SQLITE_OK)
		return true;
	char what[48];
	snprintf(what, sizeof what, "binding parameter %d", idx);
	return db_fail(sqlite3_db_handle(st), rc, what, err);
}

bool db_bind_text(sqlite3_stmt *st, int idx, gh_str v, gh_err *err)
{
	/* A NULL pointer would bind SQL NULL: an empty view is the empty string. */
	return db_bind_rc(st, sqlite3_bind_text64(st, idx, v.p ? v.p : "", v.n, SQLITE_TRANSIENT, SQLITE_UTF8),
			  idx, err);
}

bool db_bind_int(sqlite3_stmt *st, int idx, int64_t v, gh_err *err)
{
	return db_bind_rc(st, sqlite3_bind_int64(st, idx, v), idx, err);
}

bool db_bind_blob(sqlite3_stmt *st, int idx, const void *p, size_t n, gh_err *err)
{
	return db_bind_rc(st, sqlite3_bind_blob64(st, idx, p ? p : "", n, SQLITE_TRANSIENT), idx, err);
}

bool db_bind_null(sqlite3_stmt *st, int idx, gh_err *err)
{
	return db_bind_rc(st, sqlite3_bind_null(st, idx), idx, err);
}

enum gh_db_step db_step(sqlite3_stmt *st, gh_err *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return GH_DB_ROW;
	if (rc == SQLITE_DONE)
		return GH_DB_DONE;
	db_fail(sqlite3_db_handle(st), rc, "executing a statement", err);
	return GH_DB_ERROR;
}

bool db_step_done(sqlite3_stmt *st, gh_err *err)
{
	enum gh_db_step rc;
	while ((rc = db_step(st, err)) == GH_DB_ROW)
		;
	return rc == GH_DB_DONE;
}

void db_finalize(sqlite3_stmt *st)
{
	sqlite3_finalize(st);
}

gh_str db_col_text(sqlite3_stmt *st, int col)
{
	const char *p = (const char *)sqlite3_column_text(st, col);
	if (!p)
		return (gh_str){ "", 0 };
	return (gh_str){ p, (size_t)sqlite3_column_bytes(st, col) };
}

gh_str db_col_blob(sqlite3_stmt *st, int col)
{
	const char *p = sqlite3_column_blob(st, col);
	if (!p)
		return (gh_str){ "", 0 };
	return (gh_str){ p, (size_t)sqlite3_column_bytes(st, col) };
}

int64_t db_col_int(sqlite3_stmt *st, int col)
{
	return sqlite3_column_int64(st, col);
}

bool db_col_is_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

const char *db_col_arena_text(sqlite3_stmt *st, int col, gh_arena *a)
{
	if (db_col_is_null(st, col))
		return NULL;
	gh_str s = db_col_text(st, col);
	return gh_arena_strndup(a, s.p, s.n);
}

int64_t db_changes(gh_db *db)
{
	return sqlite3_changes64(db->conn);
}

int64_t db_last_insert_id(gh_db *db)
{
	return sqlite3_last_insert_rowid(db->conn);
}
