/* oidc_store: rows of workload identity, migration 5: the clusters' service-account
 * signing keys (already sealed when they arrive here: this module never sees a private
 * key) and IAM's OpenID Connect providers. Results come from the caller's arena. */
#ifndef GH_STORE_OIDC_STORE_H
#define GH_STORE_OIDC_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

typedef struct oidc_key_row {
	const char *cluster, *kid;
	const uint8_t *sealed;
	size_t sealed_len;
	int64_t created;
} oidc_key_row;

bool oidc_store_insert_key(sqlite3 *db, const oidc_key_row *k, gh_err *err) GH_MUST_CHECK;
/* The cluster's keys, newest first. */
bool oidc_store_list_keys(sqlite3 *db, const char *cluster, gh_arena *a, oidc_key_row **out, size_t *n,
			  gh_err *err) GH_MUST_CHECK;
/* Removes the cluster's keys created before `before` (retired keys no token needs). */
bool oidc_store_prune_keys(sqlite3 *db, const char *cluster, int64_t before, gh_err *err) GH_MUST_CHECK;

typedef struct oidc_provider_row {
	const char *account, *url, *arn;
	const char *client_ids, *thumbprints, *tags; /* JSON arrays */
	int64_t created;
} oidc_provider_row;

/* "EntityAlreadyExists" (409) when the account has a provider for the URL. */
bool oidc_store_insert_provider(sqlite3 *db, const oidc_provider_row *p, gh_err *err) GH_MUST_CHECK;
/* *found false (no error) when absent. */
bool oidc_store_get_provider(sqlite3 *db, const char *account, const char *url, gh_arena *a,
			     oidc_provider_row *out, bool *found, gh_err *err) GH_MUST_CHECK;
bool oidc_store_list_providers(sqlite3 *db, const char *account, gh_arena *a, oidc_provider_row **out,
			       size_t *n, gh_err *err) GH_MUST_CHECK;
bool oidc_store_update_provider(sqlite3 *db, const oidc_provider_row *p, gh_err *err) GH_MUST_CHECK;
bool oidc_store_delete_provider(sqlite3 *db, const char *account, const char *url, gh_err *err) GH_MUST_CHECK;

#endif
