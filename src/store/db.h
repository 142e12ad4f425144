/* db: the SQLite connection every store module shares.
 *
 * Durability: WAL journal with synchronous=FULL, so a change is on disk when COMMIT
 * returns; a change counts as acknowledged only then, and a kill -9 or power cut at any
 * later moment keeps it. Every change is one transaction: db_begin ... db_commit (or
 * db_rollback), or db_tx around a function.
 *
 * Threads: one connection behind one mutex. db_begin / db_begin_read take the mutex and
 * db_commit / db_rollback release it, so a transaction owns the connection for its
 * length and writers never interleave. Readers go through the same mutex for now; the
 * hot paths read published snapshots, not the database. Transactions do not nest, and
 * the statement helpers refuse to run outside one.
 *
 * Migrations: an ordered array of SQL scripts; script i is schema version i + 1, recorded
 * in schema_migrations, each applied in its own transaction. A database written by a
 * newer gatehouse (a version beyond the array) is refused rather than misread. */
#ifndef GH_STORE_DB_H
#define GH_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

typedef struct gh_db gh_db;

#define GH_DB_BUSY_TIMEOUT_MS 5000

/* Opens (creating when absent, mode 0600) the database at `path` with WAL,
 * synchronous=FULL, foreign_keys=ON and a busy timeout. ":memory:" works for tests. */
bool db_open(const char *path, gh_db **out, gh_err *err) GH_MUST_CHECK;
void db_close(gh_db *db); /* NULL is fine; must not be inside a transaction */

/* Applies the scripts not yet recorded. Fails with "SchemaTooNew" when the database
 * already has a version above n. */
bool db_migrate(gh_db *db, const char *const *scripts, size_t n, gh_err *err) GH_MUST_CHECK;
/* The highest applied version, 0 for a fresh database. */
bool db_schema_version(gh_db *db, int64_t *version, gh_err *err) GH_MUST_CHECK;

/* BEGIN IMMEDIATE: takes the write lock up front, so a transaction never fails half-way
 * because another process started writing. */
bool db_begin(gh_db *db, gh_err *err) GH_MUST_CHECK;
/* BEGIN DEFERRED: a consistent read across several statements. */
bool db_begin_read(gh_db *db, gh_err *err) GH_MUST_CHECK;
/* On failure the transaction is rolled back; either way the transaction is over. */
bool db_commit(gh_db *db, gh_err *err) GH_MUST_CHECK;
void db_rollback(gh_db *db);

/* Runs fn in one write transaction: commit when it returns true, roll back otherwise. */
typedef bool (*gh_db_tx_fn)(gh_db *db, void *ctx, gh_err *err);
bool db_tx(gh_db *db, gh_db_tx_fn fn, void *ctx, gh_err *err) GH_MUST_CHECK;

/* The raw connection, for store modules written against sqlite3 directly. Use it only
 * inside a transaction of this module. */
sqlite3 *db_conn(gh_db *db);

/* Runs one or more statements without results (inside a transaction). */
bool db_exec(gh_db *db, const char *sql, gh_err *err) GH_MUST_CHECK;

/* Statement helpers. Indexes are SQLite's: binds from 1, columns from 0. Errors map
 * SQLite's codes: a constraint violation is "Conflict" (409), a busy database
 * "StoreBusy" (503), anything else "StoreError" (500). */
bool db_prepare(gh_db *db, const char *sql, sqlite3_stmt **out, gh_err *err) GH_MUST_CHECK;
bool db_bind_text(sqlite3_stmt *st, int idx, gh_str v, gh_err *err) GH_MUST_CHECK;
bool db_bind_int(sqlite3_stmt *st, int idx, int64_t v, gh_err *err) GH_MUST_CHECK;
bool db_bind_blob(sqlite3_stmt *st, int idx, const void *p, size_t n, gh_err *err) GH_MUST_CHECK;
bool db_bind_null(sqlite3_stmt *st, int idx, gh_err *err) GH_MUST_CHECK;

enum gh_db_step { GH_DB_ERROR = -1, GH_DB_DONE = 0, GH_DB_ROW = 1 };
/* `while ((rc = db_step(st, err)) == GH_DB_ROW) ...; if (rc == GH_DB_ERROR) ...` */
enum gh_db_step db_step(sqlite3_stmt *st, gh_err *err);
/* Steps a statement that returns no row (INSERT, UPDATE, DELETE) to completion. */
bool db_step_done(sqlite3_stmt *st, gh_err *err) GH_MUST_CHECK;
void db_finalize(sqlite3_stmt *st); /* NULL is fine */

/* Views into the current row: valid until the next step or finalize. */
gh_str db_col_text(sqlite3_stmt *st, int col);
gh_str db_col_blob(sqlite3_stmt *st, int col);
int64_t db_col_int(sqlite3_stmt *st, int col);
bool db_col_is_null(sqlite3_stmt *st, int col);
/* A NUL-terminated copy in `a`; NULL for SQL NULL (or when out of memory). */
const char *db_col_arena_text(sqlite3_stmt *st, int col, gh_arena *a);

/* Rows changed by the last statement, and the rowid of the last INSERT. */
int64_t db_changes(gh_db *db);
int64_t db_last_insert_id(gh_db *db);

/* Fills `err` from a SQLite result code and the connection's message. */
bool db_fail(sqlite3 *conn, int rc, const char *what, gh_err *err);

#endif
