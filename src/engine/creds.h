/* creds: the credential snapshot, an immutable map from access key ID to what
 * gatehouse needs to verify a SigV4 signature made with it and to say who signed.
 *
 * Built from the store after every IAM or STS change and published atomically by the
 * engine; readers hold a reference and never lock. Secrets are decrypted once at build
 * time and wiped when the snapshot is released. */
#ifndef GH_ENGINE_CREDS_H
#define GH_ENGINE_CREDS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "base/err.h"
#include "domain/aws/iam.h"
#include "store/kek.h"

typedef struct gh_cred {
	char *akid;
	char *secret;		/* plaintext secret access key */
	bool is_session;	/* ASIA...: needs the session token and expires */
	uint8_t token_hash[32]; /* SHA-256 of the session token */
	int64_t expires;	/* sessions only */
	iam_caller_kind kind;
	bool admin;
	char *arn;		/* as GetCallerIdentity reports it */
	char *user_id;		/* AIDA... or AROA...:session */
	char *principal_id;	/* AIDA... or AROA... */
	char *account;
	char *partition;
	char *user_name;	/* users */
	char *role_arn;		/* sessions: the role's ARN with its path */
	char *role_name, *session_name;
	char *tags_json;	/* sessions: the session tags, [{"Key","Value"}] */
	char *transitive_json;	/* sessions: transitive tag keys */
	char *source_identity;
} gh_cred;

typedef struct gh_creds {
	atomic_int refs;
	size_t n, nbuckets;
	gh_cred *creds;
	int32_t *buckets; /* open addressing over creds; -1 = empty */
} gh_creds;

/* Loads every active access key and live session, decrypting secrets under the KEK. */
bool creds_build(sqlite3 *db, const gh_kek *kek, const char *partition, int64_t now, gh_creds **out,
		 gh_err *err) GH_MUST_CHECK;
const gh_cred *creds_find(const gh_creds *c, gh_str akid);
void creds_ref(gh_creds *c);
void creds_unref(gh_creds *c);

#endif
