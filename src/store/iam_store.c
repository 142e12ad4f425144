#include "store/iam_store.h"

#include <stdio.h>
#include <string.h>

/* --- small statement helpers ------------------------------------------------------ */

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

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_str(sqlite3_stmt *st, int i, gh_str s)
{
	sqlite3_bind_text(st, i, s.p ? s.p : "", (int)s.n, SQLITE_TRANSIENT);
}

static const char *col_text(sqlite3_stmt *st, int i, gh_arena *a)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	return gh_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

static const uint8_t *col_blob(sqlite3_stmt *st, int i, gh_arena *a, size_t *n)
{
	const void *b = sqlite3_column_blob(st, i);
	*n = (size_t)sqlite3_column_bytes(st, i);
	uint8_t *d = gh_arena_alloc(a, *n ? *n : 1);
	if (d && *n)
		memcpy(d, b, *n);
	return d;
}

/* Runs a statement that returns no rows; maps a UNIQUE violation to `dup_code`. */
static bool exec_stmt(sqlite3 *db, sqlite3_stmt *st, gh_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, err, "write");
	return true;
}

/* --- accounts and settings -------------------------------------------------------- */

bool iam_store_put_account(sqlite3 *db, const char *account, int64_t now, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "INSERT OR IGNORE INTO accounts(id, created) VALUES(?1, ?2)", err);
	if (!st)
		return false;
	bind_text(st, 1, account);
	sqlite3_bind_int64(st, 2, now);
	return exec_stmt(db, st, err);
}

const char *iam_store_default_account(sqlite3 *db, gh_arena *a)
{
	sqlite3_stmt *st = prep(db, "SELECT id FROM accounts ORDER BY created, id LIMIT 1", NULL);
	if (!st)
		return NULL;
	const char *r = sqlite3_step(st) == SQLITE_ROW ? col_text(st, 0, a) : NULL;
	sqlite3_finalize(st);
	return r;
}

bool iam_store_set_setting(sqlite3 *db, const char *key, const char *value, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "INSERT INTO settings(key, value) VALUES(?1, ?2) "
				    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", err);
	if (!st)
		return false;
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	return exec_stmt(db, st, err);
}

const char *iam_store_get_setting(sqlite3 *db, const char *key, gh_arena *a)
{
	sqlite3_stmt *st = prep(db, "SELECT value FROM settings WHERE key = ?1", NULL);
	if (!st)
		return NULL;
	bind_text(st, 1, key);
	const char *r = sqlite3_step(st) == SQLITE_ROW ? col_text(st, 0, a) : NULL;
	sqlite3_finalize(st);
	return r;
}

/* --- tags ------------------------------------------------------------------------ */

static bool put_tags(sqlite3 *db, const char *table, const char *owner_col, const char *owner,
		     const iam_tag *tags, size_t n, gh_err *err)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "INSERT INTO %s(%s, seq, key, value) VALUES(?1, "
		 "(SELECT COALESCE(MAX(seq), 0) + 1 FROM %s WHERE %s = ?1), ?2, ?3) "
		 "ON CONFLICT(%s, key) DO UPDATE SET value = excluded.value",
		 table, owner_col, table, owner_col, owner_col);
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = prep(db, sql, err);
		if (!st)
			return false;
		bind_text(st, 1, owner);
		bind_str(st, 2, tags[i].key);
		bind_str(st, 3, tags[i].value);
		if (!exec_stmt(db, st, err))
			return false;
	}
	return true;
}

static bool load_tags(sqlite3 *db, const char *table, const char *owner_col, const char *owner,
		      gh_arena *a, iam_tag **out, size_t *n, gh_err *err)
{
	char sql[192];
	snprintf(sql, sizeof sql, "SELECT key, value FROM %s WHERE %s = ?1 ORDER BY seq", table, owner_col);
	sqlite3_stmt *st = prep(db, sql, err);
	if (!st)
		return false;
	bind_text(st, 1, owner);
	size_t cap = 8;
	*n = 0;
	*out = gh_arena_alloc(a, cap * sizeof **out);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			iam_tag *bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *out, cap * sizeof *bigger);
			*out = bigger;
			cap *= 2;
		}
		(*out)[*n].key = gh_str_c(col_text(st, 0, a));
		(*out)[*n].value = gh_str_c(col_text(st, 1, a));
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "read tags");
}

static bool user_is_admin(const iam_user *u)
{
	for (size_t i = 0; i < u->ntags; i++)
		if (gh_str_eq_c(u->tags[i].key, IAM_ADMIN_TAG) && gh_str_eq_c(u->tags[i].value, "true"))
			return true;
	return false;
}

/* --- rows shared by users and roles ------------------------------------------------ */

typedef bool (*row_reader)(sqlite3 *db, sqlite3_stmt *st, gh_arena *a, void *out, gh_err *err);

/* One row by `sql` (?1 = a1, ?2 = a2 when a2.p); *found tells whether there was one. */
static bool get_one(sqlite3 *db, const char *sql, const char *a1, gh_str a2, gh_arena *a, row_reader rd, void *out,
		    bool *found, gh_err *err)
{
	sqlite3_stmt *st = prep(db, sql, err);
	if (!st)
		return false;
	bind_text(st, 1, a1);
	if (a2.p)
		bind_str(st, 2, a2);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	bool ok = true;
	if (rc == SQLITE_ROW)
		ok = rd(db, st, a, out, err);
	else if (rc != SQLITE_DONE)
		ok = sql_fail(db, err, "read");
	sqlite3_finalize(st);
	return ok;
}

/* Up to `max` rows of `elem` bytes each; *truncated when the statement had one more. */
static bool list_page(sqlite3 *db, sqlite3_stmt *st, size_t elem, row_reader rd, int max, gh_arena *a, void **out,
		      size_t *n, bool *truncated, gh_err *err)
{
	*out = gh_arena_alloc(a, (size_t)(max + 1) * elem);
	*n = 0;
	*truncated = false;
	int rc;
	bool ok = true;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == (size_t)max) {
			*truncated = true;
			break;
		}
		ok = rd(db, st, a, (char *)*out + (*n)++ * elem, err);
	}
	sqlite3_finalize(st);
	return ok;
}

/* --- users ----------------------------------------------------------------------- */

bool iam_store_insert_user(sqlite3 *db, const iam_user *u, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "INSERT INTO iam_users(id, account, name, path, arn, created) "
				    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)", err);
	if (!st)
		return false;
	bind_text(st, 1, u->id);
	bind_text(st, 2, u->account);
	bind_text(st, 3, u->name);
	bind_text(st, 4, u->path);
	bind_text(st, 5, u->arn);
	sqlite3_bind_int64(st, 6, u->created);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return gh_fail(err, "EntityAlreadyExists", 409, "User with name %s already exists.", u->name);
	if (rc != SQLITE_DONE)
		return sql_fail(db, err, "insert user");
	return put_tags(db, "iam_user_tags", "user_id", u->id, u->tags, u->ntags, err);
}

#define USER_COLS "id, account, name, path, arn, created"

static bool read_user(sqlite3 *db, sqlite3_stmt *st, gh_arena *a, void *out, gh_err *err)
{
	iam_user *u = out;
	*u = (iam_user){
		.id = col_text(st, 0, a),
		.account = col_text(st, 1, a),
		.name = col_text(st, 2, a),
		.path = col_text(st, 3, a),
		.arn = col_text(st, 4, a),
		.created = sqlite3_column_int64(st, 5),
	};
	if (!load_tags(db, "iam_user_tags", "user_id", u->id, a, &u->tags, &u->ntags, err))
		return false;
	u->admin = user_is_admin(u);
	return true;
}

bool iam_store_get_user(sqlite3 *db, const char *account, gh_str name, gh_arena *a, iam_user *out,
			gh_err *err)
{
	bool found;
	if (!get_one(db, "SELECT " USER_COLS " FROM iam_users WHERE account = ?1 AND name = ?2", account, name, a,
		     read_user, out, &found, err))
		return false;
	if (!found)
		return gh_fail(err, "NoSuchEntity", 404, "The user with name " GH_STR_FMT " cannot be found.",
			       GH_STR_ARG(name));
	return true;
}

bool iam_store_get_user_by_id(sqlite3 *db, const char *id, gh_arena *a, iam_user *out, gh_err *err)
{
	bool found;
	if (!get_one(db, "SELECT " USER_COLS " FROM iam_users WHERE id = ?1", id, (gh_str){ 0 }, a, read_user, out,
		     &found, err))
		return false;
	if (!found)
		return gh_fail(err, "NoSuchEntity", 404, "The user with id %s cannot be found.", id);
	return true;
}

/* Shared by users and roles: page through `table` ordered by name. */
static sqlite3_stmt *list_stmt(sqlite3 *db, const char *cols, const char *table, const char *account,
			       gh_str path_prefix, gh_str marker, int max, gh_err *err)
{
	char sql[320];
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM %s WHERE account = ?1 AND substr(path, 1, length(?2)) = ?2 "
		 "AND (?3 = '' OR name > ?3) ORDER BY name LIMIT ?4",
		 cols, table);
	sqlite3_stmt *st = prep(db, sql, err);
	if (!st)
		return NULL;
	bind_text(st, 1, account);
	if (path_prefix.n)
		bind_str(st, 2, path_prefix);
	else
		bind_text(st, 2, "/");
	bind_str(st, 3, marker);
	sqlite3_bind_int(st, 4, max + 1);
	return st;
}

bool iam_store_list_users(sqlite3 *db, const char *account, gh_str path_prefix, gh_str marker, int max,
			  gh_arena *a, iam_user **out, size_t *n, bool *truncated, gh_err *err)
{
	sqlite3_stmt *st = list_stmt(db, USER_COLS, "iam_users", account, path_prefix, marker, max, err);
	return st && list_page(db, st, sizeof **out, read_user, max, a, (void **)out, n, truncated, err);
}

bool iam_store_delete_user(sqlite3 *db, const char *account, gh_str name, gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	iam_user u;
	bool ok = iam_store_get_user(db, account, name, &a, &u, err);
	if (ok) {
		sqlite3_stmt *st = prep(db, "SELECT COUNT(*) FROM iam_access_keys WHERE user_id = ?1", err);
		ok = st != NULL;
		if (ok) {
			bind_text(st, 1, u.id);
			int keys = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
			sqlite3_finalize(st);
			if (keys > 0)
				ok = gh_fail(err, "DeleteConflict", 409,
					     "Cannot delete entity, must delete access keys first.");
		}
	}
	if (ok) {
		sqlite3_stmt *st = prep(db, "DELETE FROM iam_users WHERE id = ?1", err);
		ok = st != NULL;
		if (ok) {
			bind_text(st, 1, u.id);
			ok = exec_stmt(db, st, err);
		}
	}
	gh_arena_free(&a);
	return ok;
}

/* --- access keys ----------------------------------------------------------------- */

bool iam_store_insert_access_key(sqlite3 *db, const iam_access_key *k, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "SELECT COUNT(*) FROM iam_access_keys WHERE user_id = ?1", err);
	if (!st)
		return false;
	bind_text(st, 1, k->user_id);
	int have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (have >= IAM_MAX_ACCESS_KEYS)
		return gh_fail(err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: %d",
			       IAM_MAX_ACCESS_KEYS);
	st = prep(db, "INSERT INTO iam_access_keys(id, user_id, status, sealed_secret, created) "
		      "VALUES(?1, ?2, ?3, ?4, ?5)", err);
	if (!st)
		return false;
	bind_text(st, 1, k->id);
	bind_text(st, 2, k->user_id);
	bind_text(st, 3, k->status);
	sqlite3_bind_blob(st, 4, k->sealed_secret, (int)k->sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, k->created);
	return exec_stmt(db, st, err);
}

static bool list_keys(sqlite3 *db, const char *where_user, gh_arena *a, iam_access_key **out, size_t *n,
		      gh_err *err)
{
	sqlite3_stmt *st = prep(db,
				"SELECT k.id, k.user_id, u.name, k.status, k.created, k.sealed_secret "
				"FROM iam_access_keys k JOIN iam_users u ON u.id = k.user_id "
				"WHERE (?1 IS NULL AND k.status = 'Active') OR k.user_id = ?1 "
				"ORDER BY k.created, k.id",
				err);
	if (!st)
		return false;
	bind_text(st, 1, where_user);
	size_t cap = 16;
	*out = gh_arena_alloc(a, cap * sizeof **out);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			iam_access_key *bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *out, cap * sizeof *bigger);
			*out = bigger;
			cap *= 2;
		}
		iam_access_key *k = &(*out)[(*n)++];
		k->id = col_text(st, 0, a);
		k->user_id = col_text(st, 1, a);
		k->user_name = col_text(st, 2, a);
		k->status = col_text(st, 3, a);
		k->created = sqlite3_column_int64(st, 4);
		k->sealed_secret = col_blob(st, 5, a, &k->sealed_len);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "read access keys");
}

bool iam_store_list_access_keys(sqlite3 *db, const char *user_id, gh_arena *a, iam_access_key **out,
				size_t *n, gh_err *err)
{
	return list_keys(db, user_id, a, out, n, err);
}

bool iam_store_all_access_keys(sqlite3 *db, gh_arena *a, iam_access_key **out, size_t *n, gh_err *err)
{
	return list_keys(db, NULL, a, out, n, err);
}

bool iam_store_delete_access_key(sqlite3 *db, const char *user_id, gh_str user_name, gh_str akid,
				 gh_err *err)
{
	sqlite3_stmt *st = prep(db, "DELETE FROM iam_access_keys WHERE id = ?1 AND user_id = ?2", err);
	if (!st)
		return false;
	bind_str(st, 1, akid);
	bind_text(st, 2, user_id);
	if (!exec_stmt(db, st, err))
		return false;
	if (sqlite3_changes(db) == 0)
		return gh_fail(err, "NoSuchEntity", 404,
			       "The Access Key with id " GH_STR_FMT " cannot be found.", GH_STR_ARG(akid));
	(void)user_name;
	return true;
}

/* --- roles ----------------------------------------------------------------------- */

bool iam_store_insert_role(sqlite3 *db, const iam_role *r, gh_err *err)
{
	sqlite3_stmt *st = prep(db,
				"INSERT INTO iam_roles(id, account, name, path, arn, trust_policy, description, "
				"max_session, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
				err);
	if (!st)
		return false;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->account);
	bind_text(st, 3, r->name);
	bind_text(st, 4, r->path);
	bind_text(st, 5, r->arn);
	bind_text(st, 6, r->trust_policy);
	bind_text(st, 7, r->description);
	sqlite3_bind_int64(st, 8, r->max_session);
	sqlite3_bind_int64(st, 9, r->created);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return gh_fail(err, "EntityAlreadyExists", 409, "Role with name %s already exists.", r->name);
	if (rc != SQLITE_DONE)
		return sql_fail(db, err, "insert role");
	return put_tags(db, "iam_role_tags", "role_id", r->id, r->tags, r->ntags, err);
}

#define ROLE_COLS "id, account, name, path, arn, trust_policy, description, max_session, created"

static bool read_role(sqlite3 *db, sqlite3_stmt *st, gh_arena *a, void *out, gh_err *err)
{
	iam_role *r = out;
	*r = (iam_role){
		.id = col_text(st, 0, a),
		.account = col_text(st, 1, a),
		.name = col_text(st, 2, a),
		.path = col_text(st, 3, a),
		.arn = col_text(st, 4, a),
		.trust_policy = col_text(st, 5, a),
		.description = col_text(st, 6, a),
		.max_session = sqlite3_column_int64(st, 7),
		.created = sqlite3_column_int64(st, 8),
	};
	return load_tags(db, "iam_role_tags", "role_id", r->id, a, &r->tags, &r->ntags, err);
}

bool iam_store_get_role(sqlite3 *db, const char *account, gh_str name, gh_arena *a, iam_role *out,
			gh_err *err)
{
	bool found;
	if (!get_one(db, "SELECT " ROLE_COLS " FROM iam_roles WHERE account = ?1 AND name = ?2", account, name, a,
		     read_role, out, &found, err))
		return false;
	if (!found)
		return gh_fail(err, "NoSuchEntity", 404, "The role with name " GH_STR_FMT " cannot be found.",
			       GH_STR_ARG(name));
	return true;
}

bool iam_store_get_role_by_id(sqlite3 *db, const char *id, gh_arena *a, iam_role *out, gh_err *err)
{
	bool found;
	if (!get_one(db, "SELECT " ROLE_COLS " FROM iam_roles WHERE id = ?1", id, (gh_str){ 0 }, a, read_role, out,
		     &found, err))
		return false;
	if (!found)
		return gh_fail(err, "NoSuchEntity", 404, "The role with id %s cannot be found.", id);
	return true;
}

bool iam_store_list_roles(sqlite3 *db, const char *account, gh_str path_prefix, gh_str marker, int max,
			  gh_arena *a, iam_role **out, size_t *n, bool *truncated, gh_err *err)
{
	sqlite3_stmt *st = list_stmt(db, ROLE_COLS, "iam_roles", account, path_prefix, marker, max, err);
	return st && list_page(db, st, sizeof **out, read_role, max, a, (void **)out, n, truncated, err);
}

bool iam_store_delete_role(sqlite3 *db, const char *account, gh_str name, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "DELETE FROM iam_roles WHERE account = ?1 AND name = ?2", err);
	if (!st)
		return false;
	bind_text(st, 1, account);
	bind_str(st, 2, name);
	if (!exec_stmt(db, st, err))
		return false;
	if (sqlite3_changes(db) == 0)
		return gh_fail(err, "NoSuchEntity", 404, "The role with name " GH_STR_FMT " cannot be found.",
			       GH_STR_ARG(name));
	return true;
}

bool iam_store_update_trust(sqlite3 *db, const char *role_id, gh_str policy, gh_err *err)
{
	sqlite3_stmt *st = prep(db, "UPDATE iam_roles SET trust_policy = ?2 WHERE id = ?1", err);
	if (!st)
		return false;
	bind_text(st, 1, role_id);
	bind_str(st, 2, policy);
	return exec_stmt(db, st, err);
}

bool iam_store_tag_role(sqlite3 *db, const char *role_id, const iam_tag *tags, size_t n, gh_err *err)
{
	return put_tags(db, "iam_role_tags", "role_id", role_id, tags, n, err);
}

bool iam_store_untag_role(sqlite3 *db, const char *role_id, const gh_str *keys, size_t n, gh_err *err)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = prep(db, "DELETE FROM iam_role_tags WHERE role_id = ?1 AND key = ?2", err);
		if (!st)
			return false;
		bind_text(st, 1, role_id);
		bind_str(st, 2, keys[i]);
		if (!exec_stmt(db, st, err))
			return false;
	}
	return true;
}

/* --- sessions -------------------------------------------------------------------- */

bool iam_store_insert_session(sqlite3 *db, const sts_session *s, gh_err *err)
{
	sqlite3_stmt *st = prep(db,
				"INSERT INTO sts_sessions(akid, role_id, session_name, source_arn, "
				"source_identity, tags_json, transitive_json, token_hash, sealed_secret, created, "
				"expires) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
				err);
	if (!st)
		return false;
	bind_text(st, 1, s->akid);
	bind_text(st, 2, s->role_id);
	bind_text(st, 3, s->session_name);
	bind_text(st, 4, s->source_arn);
	bind_text(st, 5, s->source_identity);
	bind_text(st, 6, s->tags_json ? s->tags_json : "[]");
	bind_text(st, 7, s->transitive_json ? s->transitive_json : "[]");
	sqlite3_bind_blob(st, 8, s->token_hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 9, s->sealed_secret, (int)s->sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, s->created);
	sqlite3_bind_int64(st, 11, s->expires);
	return exec_stmt(db, st, err);
}

bool iam_store_live_sessions(sqlite3 *db, int64_t now, gh_arena *a, sts_session **out, size_t *n,
			     gh_err *err)
{
	/* Expired sessions stay a day, so their use is answered ExpiredToken (as AWS does)
	 * rather than "unknown key". */
	sqlite3_stmt *st = prep(db, "DELETE FROM sts_sessions WHERE expires <= ?1", err);
	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, now - IAM_SESSION_GRACE);
	if (!exec_stmt(db, st, err))
		return false;
	st = prep(db,
		  "SELECT akid, role_id, session_name, source_arn, source_identity, tags_json, "
		  "transitive_json, token_hash, sealed_secret, created, expires FROM sts_sessions "
		  "ORDER BY created",
		  err);
	if (!st)
		return false;
	size_t cap = 16;
	*out = gh_arena_alloc(a, cap * sizeof **out);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			sts_session *bigger = gh_arena_alloc(a, 2 * cap * sizeof *bigger);
			memcpy(bigger, *out, cap * sizeof *bigger);
			*out = bigger;
			cap *= 2;
		}
		sts_session *s = &(*out)[(*n)++];
		s->akid = col_text(st, 0, a);
		s->role_id = col_text(st, 1, a);
		s->session_name = col_text(st, 2, a);
		s->source_arn = col_text(st, 3, a);
		s->source_identity = col_text(st, 4, a);
		s->tags_json = col_text(st, 5, a);
		s->transitive_json = col_text(st, 6, a);
		size_t hl;
		const uint8_t *h = col_blob(st, 7, a, &hl);
		memset(s->token_hash, 0, 32);
		if (hl == 32)
			memcpy(s->token_hash, h, 32);
		s->sealed_secret = col_blob(st, 8, a, &s->sealed_len);
		s->created = sqlite3_column_int64(st, 9);
		s->expires = sqlite3_column_int64(st, 10);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : sql_fail(db, err, "read sessions");
}
