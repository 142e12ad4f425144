#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "test.h"

typedef struct db_tmp {
	char dir[32];
	char path[64];
} db_tmp;

static bool db_tmp_make(db_tmp *t)
{
	strcpy(t->dir, "/tmp/gh-db-XXXXXX");
	if (!mkdtemp(t->dir))
		return false;
	snprintf(t->path, sizeof t->path, "%s/state.db", t->dir);
	return true;
}

static void db_tmp_remove(db_tmp *t)
{
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < 4; i++) {
		char p[80];
		snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static int64_t db_query_int(gh_db *db, const char *sql)
{
	int64_t v = -1;
	sqlite3_stmt *st;
	if (!db_begin_read(db, NULL))
		return -1;
	if (db_prepare(db, sql, &st, NULL)) {
		if (db_step(st, NULL) == GH_DB_ROW)
			v = db_col_int(st, 0);
		db_finalize(st);
	}
	db_rollback(db);
	return v;
}

static const char *const migrations_v3[] = {
	"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);",
	"CREATE TABLE keys (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
	" secret BLOB);"
	"INSERT INTO users (name) VALUES ('bootstrap');",
	"ALTER TABLE users ADD COLUMN path TEXT NOT NULL DEFAULT '/';",
};

TEST(db_opens_durable_and_private)
{
	db_tmp t;
	REQUIRE(db_tmp_make(&t));
	gh_db *db = NULL;
	gh_err err = { 0 };
	REQUIRE(db_open(t.path, &db, &err));
	struct stat st;
	REQUIRE(stat(t.path, &st) == 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	CHECK_INT_EQ(db_query_int(db, "PRAGMA synchronous"), 2); /* FULL */
	CHECK_INT_EQ(db_query_int(db, "PRAGMA foreign_keys"), 1);
	CHECK_INT_EQ(db_query_int(db, "PRAGMA busy_timeout"), GH_DB_BUSY_TIMEOUT_MS);
	REQUIRE(db_begin_read(db, &err));
	sqlite3_stmt *s;
	REQUIRE(db_prepare(db, "PRAGMA journal_mode", &s, &err));
	CHECK(db_step(s, &err) == GH_DB_ROW);
	CHECK(gh_str_eq_c(db_col_text(s, 0), "wal"));
	db_finalize(s);
	db_rollback(db);
	db_close(db);

	CHECK(!db_open("/nonexistent-dir/x.db", &db, &err));
	CHECK(db == NULL);
	CHECK_CONTAINS(err.msg, "/nonexistent-dir/x.db");
	db_tmp_remove(&t);
}

TEST(db_migrations_apply_once)
{
	db_tmp t;
	REQUIRE(db_tmp_make(&t));
	gh_db *db = NULL;
	gh_err err = { 0 };
	REQUIRE(db_open(t.path, &db, &err));
	int64_t v = -1;
	REQUIRE(db_schema_version(db, &v, &err));
	CHECK_INT_EQ(v, 0);
	REQUIRE(db_migrate(db, migrations_v3, 2, &err));
	REQUIRE(db_schema_version(db, &v, &err));
	CHECK_INT_EQ(v, 2);
	/* Running them again changes nothing: the bootstrap row is not inserted twice. */
	REQUIRE(db_migrate(db, migrations_v3, 2, &err));
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM users"), 1);
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM schema_migrations"), 2);
	db_close(db);

	/* A newer binary adds the third on the next start. */
	REQUIRE(db_open(t.path, &db, &err));
	REQUIRE(db_migrate(db, migrations_v3, 3, &err));
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM users WHERE path = '/'"), 1);
	REQUIRE(db_schema_version(db, &v, &err));
	CHECK_INT_EQ(v, 3);
	db_close(db);

	/* And an older binary refuses it instead of misreading it. */
	REQUIRE(db_open(t.path, &db, &err));
	CHECK(!db_migrate(db, migrations_v3, 2, &err));
	CHECK_STR_EQ(err.code, "SchemaTooNew");
	CHECK_CONTAINS(err.msg, "schema version 3");
	CHECK_CONTAINS(err.msg, "up to 2");
	CHECK_CONTAINS(err.msg, t.path);
	/* The refusal left the connection usable. */
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM users"), 1);
	db_close(db);
	db_tmp_remove(&t);
}

TEST(db_failed_migration_leaves_nothing)
{
	db_tmp t;
	REQUIRE(db_tmp_make(&t));
	gh_db *db = NULL;
	gh_err err = { 0 };
	REQUIRE(db_open(t.path, &db, &err));
	const char *const broken[] = {
		"CREATE TABLE a (x INTEGER);",
		"CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1); THIS IS NOT SQL;",
	};
	CHECK(!db_migrate(db, broken, 2, &err));
	CHECK_CONTAINS(err.msg, "schema migration 2");
	int64_t v;
	REQUIRE(db_schema_version(db, &v, &err));
	CHECK_INT_EQ(v, 1);
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), 0);
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM a"), 0);
	db_close(db);
	db_tmp_remove(&t);
}

static bool insert_then_fail(gh_db *db, void *ctx, gh_err *err)
{
	(void)ctx;
	return db_exec(db, "INSERT INTO users (name) VALUES ('ghost')", err) &&
	       gh_fail(err, "InvalidInput", 400, "validation failed after the insert");
}

static bool insert_user(gh_db *db, void *ctx, gh_err *err)
{
	sqlite3_stmt *st;
	if (!db_prepare(db, "INSERT INTO users (name) VALUES (?)", &st, err))
		return false;
	bool ok = db_bind_text(st, 1, gh_str_c(ctx), err) && db_step_done(st, err);
	db_finalize(st);
	return ok;
}

TEST(db_rollback_leaves_nothing)
{
	db_tmp t;
	REQUIRE(db_tmp_make(&t));
	gh_db *db = NULL;
	gh_err err = { 0 };
	REQUIRE(db_open(t.path, &db, &err));
	REQUIRE(db_migrate(db, migrations_v3, 3, &err));

	REQUIRE(db_begin(db, &err));
	REQUIRE(db_exec(db, "INSERT INTO users (name) VALUES ('alice'); INSERT INTO users (name) VALUES ('bob')",
			&err));
	CHECK_INT_EQ(db_changes(db), 1);
	db_rollback(db);
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM users"), 1);

	CHECK(!db_tx(db, insert_then_fail, NULL, &err));
	CHECK_STR_EQ(err.code, "InvalidInput");
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM users WHERE name = 'ghost'"), 0);

	REQUIRE(db_tx(db, insert_user, "carol", &err));
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM users WHERE name = 'carol'"), 1);
	/* A unique violation is a Conflict and also leaves nothing. */
	CHECK(!db_tx(db, insert_user, "carol", &err));
	CHECK_STR_EQ(err.code, "Conflict");
	CHECK_INT_EQ(err.status, 409);
	/* Foreign keys are enforced. */
	REQUIRE(db_begin(db, &err));
	CHECK(!db_exec(db, "INSERT INTO keys (id, user_id) VALUES ('AKIA1', 999)", &err));
	CHECK_STR_EQ(err.code, "Conflict");
	db_rollback(db);
	db_close(db);
	db_tmp_remove(&t);
}

TEST(db_statement_helpers)
{
	gh_db *db = NULL;
	gh_err err = { 0 };
	REQUIRE(db_open(":memory:", &db, &err));
	REQUIRE(db_migrate(db, migrations_v3, 2, &err));
	REQUIRE(db_begin(db, &err));
	sqlite3_stmt *st;
	REQUIRE(db_prepare(db, "INSERT INTO keys (id, user_id, secret) VALUES (?, ?, ?)", &st, &err));
	const char blob[] = { 1, 0, 2, 0 };
	CHECK(db_bind_text(st, 1, (gh_str){ "AKIA-xyz", 4 }, &err)); /* only the view's length */
	CHECK(db_bind_int(st, 2, 1, &err));
	CHECK(db_bind_blob(st, 3, blob, sizeof blob, &err));
	CHECK(db_step_done(st, &err));
	sqlite3_reset(st);
	CHECK(db_bind_text(st, 1, (gh_str){ NULL, 0 }, &err)); /* empty, not NULL */
	CHECK(db_bind_null(st, 3, &err));
	CHECK(db_step_done(st, &err));
	CHECK(!db_bind_int(st, 9, 1, &err));
	CHECK_STR_EQ(err.code, "StoreError");
	db_finalize(st);
	REQUIRE(db_commit(db, &err));

	gh_arena a;
	gh_arena_init(&a, 0);
	REQUIRE(db_begin_read(db, &err));
	REQUIRE(db_prepare(db, "SELECT id, user_id, secret FROM keys ORDER BY id", &st, &err));
	CHECK(db_step(st, &err) == GH_DB_ROW);
	CHECK(gh_str_eq_c(db_col_text(st, 0), ""));
	CHECK(db_col_is_null(st, 2));
	CHECK(db_col_blob(st, 2).n == 0);
	CHECK(db_step(st, &err) == GH_DB_ROW);
	const char *id = db_col_arena_text(st, 0, &a);
	CHECK_STR_EQ(id, "AKIA");
	CHECK_INT_EQ(db_col_int(st, 1), 1);
	gh_str b = db_col_blob(st, 2);
	CHECK(b.n == 4 && memcmp(b.p, blob, 4) == 0);
	CHECK(db_step(st, &err) == GH_DB_DONE);
	db_finalize(st);
	CHECK(!db_prepare(db, "SELEC nonsense", &st, &err));
	CHECK(st == NULL);
	CHECK_STR_EQ(err.code, "StoreError");
	db_rollback(db);
	gh_arena_free(&a);

	/* Outside a transaction the helpers refuse, and transactions do not nest. */
	CHECK(!db_prepare(db, "SELECT 1", &st, &err));
	CHECK_CONTAINS(err.msg, "outside a transaction");
	CHECK(!db_exec(db, "DELETE FROM keys", &err));
	CHECK(!db_commit(db, &err));
	REQUIRE(db_begin(db, &err));
	CHECK(!db_begin(db, &err));
	CHECK_CONTAINS(err.msg, "nest");
	db_rollback(db);
	db_rollback(db); /* a stray second rollback is harmless */
	CHECK_INT_EQ(db_query_int(db, "SELECT count(*) FROM keys"), 2);
	db_close(db);
}

static gh_db *shared_db;

static bool bump(gh_db *db, void *ctx, gh_err *err)
{
	(void)ctx;
	return db_exec(db, "UPDATE counter SET n = n + 1", err);
}

static void *bump_worker(void *arg)
{
	int *fails = arg;
	for (int i = 0; i < 50; i++)
		if (!db_tx(shared_db, bump, NULL, NULL))
			(*fails)++;
	return NULL;
}

TEST(db_transactions_serialize_threads)
{
	db_tmp t;
	REQUIRE(db_tmp_make(&t));
	gh_err err = { 0 };
	const char *const m[] = { "CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0);" };
	REQUIRE(db_open(t.path, &shared_db, &err));
	REQUIRE(db_migrate(shared_db, m, 1, &err));
	pthread_t th[4];
	int fails[4] = { 0 };
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, bump_worker, &fails[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CHECK_INT_EQ(fails[0] + fails[1] + fails[2] + fails[3], 0);
	CHECK_INT_EQ(db_query_int(shared_db, "SELECT n FROM counter"), 200);
	db_close(shared_db);
	db_tmp_remove(&t);
}

static const char *const crash_schema[] = { "CREATE TABLE acked (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);" };

/* The child: one transaction per row, and an id goes into the pipe only after its COMMIT
 * returned, which is exactly what "acknowledged" means. */
static void crash_child(const char *path, int wfd, int64_t first)
{
	gh_db *db;
	if (!db_open(path, &db, NULL) || !db_migrate(db, crash_schema, 1, NULL))
		_exit(2);
	for (int64_t id = first;; id++) {
		sqlite3_stmt *st;
		if (!db_begin(db, NULL) || !db_prepare(db, "INSERT INTO acked VALUES (?, ?)", &st, NULL))
			_exit(3);
		bool ok = db_bind_int(st, 1, id, NULL) &&
			  db_bind_text(st, 2, GH_STR("payload that makes the page dirty"), NULL) &&
			  db_step_done(st, NULL);
		db_finalize(st);
		if (!ok || !db_commit(db, NULL))
			_exit(4);
		if (write(wfd, &id, sizeof id) != (ssize_t)sizeof id)
			_exit(5);
	}
}

TEST(db_kill9_loses_no_acknowledged_write)
{
	db_tmp t;
	REQUIRE(db_tmp_make(&t));
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	int64_t next = 1, total_acked = 0;
	for (int round = 0; round < 6; round++) {
		int fds[2];
		REQUIRE(pipe(fds) == 0);
		pid_t pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			crash_child(t.path, fds[1], next);
		}
		close(fds[1]);
		/* Wait for a few acknowledgements, then kill at a random moment. */
		int64_t id, last = 0, acked = 0;
		int want = 1 + rand() % 20;
		while (acked < want && read(fds[0], &id, sizeof id) == (ssize_t)sizeof id) {
			last = id;
			acked++;
		}
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		while (read(fds[0], &id, sizeof id) == (ssize_t)sizeof id) {
			CHECK(id == last + 1);
			last = id;
			acked++;
		}
		close(fds[0]);
		CHECK(acked > 0);
		total_acked += acked;

		gh_db *db;
		gh_err err = { 0 };
		REQUIRE(db_open(t.path, &db, &err));
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM acked WHERE id BETWEEN %lld AND %lld",
			 (long long)next, (long long)last);
		CHECK_INT_EQ(db_query_int(db, sql), last - next + 1);
		REQUIRE(db_begin_read(db, &err));
		sqlite3_stmt *st;
		REQUIRE(db_prepare(db, "PRAGMA integrity_check", &st, &err));
		CHECK(db_step(st, &err) == GH_DB_ROW && gh_str_eq_c(db_col_text(st, 0), "ok"));
		db_finalize(st);
		db_rollback(db);
		/* A row committed but not yet reported may exist; the next child starts after it. */
		next = db_query_int(db, "SELECT max(id) FROM acked") + 1;
		CHECK(next > last);
		db_close(db);
	}
	CHECK(total_acked >= 6);
	db_tmp_remove(&t);
}
