/* iam_store: IAM users, roles, access keys and STS sessions in SQLite.
 *
 * Row-level operations only; the rules (validation, who may call what) live in
 * domain/aws/iam and the engine, which also wraps each change in one transaction.
 * Secrets arrive here already sealed under the KEK and leave sealed: this module never
 * sees a plaintext secret. Results are allocated from the caller's arena. */
#ifndef GH_STORE_IAM_STORE_H
#define GH_STORE_IAM_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/aws/iam.h"

typedef struct iam_user {
	const char *id, *account, *name, *path, *arn;
	int64_t created;
	bool admin;
	iam_tag *tags;
	size_t ntags;
} iam_user;

typedef struct iam_role {
	const char *id, *account, *name, *path, *arn, *trust_policy, *description;
	int64_t created, max_session;
	iam_tag *tags;
	size_t ntags;
} iam_role;

typedef struct iam_access_key {
	const char *id, *user_id, *user_name, *status;
	int64_t created;
	const uint8_t *sealed_secret;
	size_t sealed_len;
} iam_access_key;

typedef struct sts_session {
	const char *akid, *role_id, *session_name, *source_arn, *source_identity;
	const char *tags_json;	     /* [{"Key":..,"Value":..}] session tags */
	const char *transitive_json; /* ["key", ...] */
	uint8_t token_hash[32];	     /* SHA-256 of the session token; the token itself is not kept */
	const uint8_t *sealed_secret;
	size_t sealed_len;
	int64_t created, expires;
} sts_session;

/* The schema migrations of the whole gatehouse database, in order. */
extern const char *const gh_schema_migrations[];
extern const size_t gh_schema_migrations_count;

bool iam_store_put_account(sqlite3 *db, const char *account, int64_t now, gh_err *err) GH_MUST_CHECK;
/* The bootstrap account, or NULL when none exists yet. */
const char *iam_store_default_account(sqlite3 *db, gh_arena *a);
/* Persistent key/value settings (bootstrap facts, e.g. the admin's name). */
bool iam_store_set_setting(sqlite3 *db, const char *key, const char *value, gh_err *err) GH_MUST_CHECK;
const char *iam_store_get_setting(sqlite3 *db, const char *key, gh_arena *a);

bool iam_store_insert_user(sqlite3 *db, const iam_user *u, gh_err *err) GH_MUST_CHECK;
bool iam_store_get_user(sqlite3 *db, const char *account, gh_str name, gh_arena *a, iam_user *out,
			gh_err *err) GH_MUST_CHECK;
bool iam_store_get_user_by_id(sqlite3 *db, const char *id, gh_arena *a, iam_user *out, gh_err *err) GH_MUST_CHECK;
/* Lists users whose path starts with `path_prefix`, ordered by name, starting after
 * `marker` (a name; empty = from the start). *truncated tells whether more remain. */
bool iam_store_list_users(sqlite3 *db, const char *account, gh_str path_prefix, gh_str marker, int max,
			  gh_arena *a, iam_user **out, size_t *n, bool *truncated, gh_err *err) GH_MUST_CHECK;
bool iam_store_delete_user(sqlite3 *db, const char *account, gh_str name, gh_err *err) GH_MUST_CHECK;

bool iam_store_insert_access_key(sqlite3 *db, const iam_access_key *k, gh_err *err) GH_MUST_CHECK;
bool iam_store_list_access_keys(sqlite3 *db, const char *user_id, gh_arena *a, iam_access_key **out,
				size_t *n, gh_err *err) GH_MUST_CHECK;
bool iam_store_delete_access_key(sqlite3 *db, const char *user_id, gh_str user_name, gh_str akid,
				 gh_err *err) GH_MUST_CHECK;
/* Every active key with its user, for the credential snapshot. */
bool iam_store_all_access_keys(sqlite3 *db, gh_arena *a, iam_access_key **out, size_t *n,
			       gh_err *err) GH_MUST_CHECK;

bool iam_store_insert_role(sqlite3 *db, const iam_role *r, gh_err *err) GH_MUST_CHECK;
bool iam_store_get_role(sqlite3 *db, const char *account, gh_str name, gh_arena *a, iam_role *out,
			gh_err *err) GH_MUST_CHECK;
bool iam_store_get_role_by_id(sqlite3 *db, const char *id, gh_arena *a, iam_role *out, gh_err *err) GH_MUST_CHECK;
bool iam_store_list_roles(sqlite3 *db, const char *account, gh_str path_prefix, gh_str marker, int max,
			  gh_arena *a, iam_role **out, size_t *n, bool *truncated, gh_err *err) GH_MUST_CHECK;
bool iam_store_delete_role(sqlite3 *db, const char *account, gh_str name, gh_err *err) GH_MUST_CHECK;
bool iam_store_update_trust(sqlite3 *db, const char *role_id, gh_str policy, gh_err *err) GH_MUST_CHECK;
/* Adds or overwrites tags (keys compared case-insensitively, as IAM does). */
bool iam_store_tag_role(sqlite3 *db, const char *role_id, const iam_tag *tags, size_t n, gh_err *err) GH_MUST_CHECK;
bool iam_store_untag_role(sqlite3 *db, const char *role_id, const gh_str *keys, size_t n, gh_err *err) GH_MUST_CHECK;

bool iam_store_insert_session(sqlite3 *db, const sts_session *s, gh_err *err) GH_MUST_CHECK;
#define IAM_SESSION_GRACE 86400

/* Sessions not expired for more than IAM_SESSION_GRACE at `now`; older ones are deleted
 * on the way. */
bool iam_store_live_sessions(sqlite3 *db, int64_t now, gh_arena *a, sts_session **out, size_t *n,
			     gh_err *err) GH_MUST_CHECK;

#endif
