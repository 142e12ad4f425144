/* The schema of the gatehouse database: one migration per entry, applied in order
 * and never edited once released (add a new entry instead). */
#include "store/iam_store.h"

const char *const gh_schema_migrations[] = {
	/* 1: accounts, IAM and STS */
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE accounts(id TEXT PRIMARY KEY, created INTEGER NOT NULL);"
	"CREATE TABLE iam_users(id TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, arn TEXT NOT NULL,"
	"  created INTEGER NOT NULL, UNIQUE(account, name));"
	"CREATE TABLE iam_user_tags(user_id TEXT NOT NULL REFERENCES iam_users(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL, key TEXT NOT NULL COLLATE NOCASE, value TEXT NOT NULL,"
	"  PRIMARY KEY(user_id, key));"
	"CREATE TABLE iam_roles(id TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, arn TEXT NOT NULL,"
	"  trust_policy TEXT NOT NULL, description TEXT, max_session INTEGER NOT NULL,"
	"  created INTEGER NOT NULL, UNIQUE(account, name));"
	"CREATE TABLE iam_role_tags(role_id TEXT NOT NULL REFERENCES iam_roles(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL, key TEXT NOT NULL COLLATE NOCASE, value TEXT NOT NULL,"
	"  PRIMARY KEY(role_id, key));"
	"CREATE TABLE iam_access_keys(id TEXT PRIMARY KEY,"
	"  user_id TEXT NOT NULL REFERENCES iam_users(id), status TEXT NOT NULL,"
	"  sealed_secret BLOB NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE sts_sessions(akid TEXT PRIMARY KEY, role_id TEXT NOT NULL, session_name TEXT NOT NULL,"
	"  source_arn TEXT NOT NULL, source_identity TEXT, tags_json TEXT NOT NULL,"
	"  transitive_json TEXT NOT NULL, token_hash BLOB NOT NULL, sealed_secret BLOB NOT NULL,"
	"  created INTEGER NOT NULL, expires INTEGER NOT NULL);"
	"CREATE INDEX sts_sessions_expires ON sts_sessions(expires);",
	/* 2: clusters and their Kubernetes objects (aws-auth first; the API issue adds more) */
	"CREATE TABLE clusters(name TEXT PRIMARY KEY, account TEXT NOT NULL, arn TEXT NOT NULL,"
	"  region TEXT NOT NULL, creator_arn TEXT, created INTEGER NOT NULL);"
	"CREATE TABLE k8s_objects(cluster TEXT NOT NULL REFERENCES clusters(name) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,"
	"  resource_version INTEGER NOT NULL, PRIMARY KEY(cluster, kind, namespace, name));"
	"CREATE TABLE k8s_rv(id INTEGER PRIMARY KEY CHECK (id = 1), rv INTEGER NOT NULL);"
	"INSERT INTO k8s_rv(id, rv) VALUES(1, 0);",
	/* 3: the last aws-auth section texts that parsed cleanly, per cluster: a typo, even
	 * across a restart, falls back to them instead of locking anyone out */
	"CREATE TABLE aws_auth_good(cluster TEXT NOT NULL, section TEXT NOT NULL, body TEXT,"
	"  PRIMARY KEY(cluster, section));",
	/* 4: the EKS API: each cluster's settings as the Cluster document DescribeCluster
	 * answers, access entries and their policy associations (JSON documents keyed as EKS
	 * keys them) */
	"ALTER TABLE clusters ADD COLUMN doc TEXT NOT NULL DEFAULT '{}';"
	"CREATE TABLE eks_access_entries(cluster TEXT NOT NULL REFERENCES clusters(name) ON DELETE CASCADE,"
	"  principal_key TEXT NOT NULL, doc TEXT NOT NULL, created INTEGER NOT NULL,"
	"  PRIMARY KEY(cluster, principal_key));"
	"CREATE TABLE eks_associations(cluster TEXT NOT NULL, principal_key TEXT NOT NULL,"
	"  policy_arn TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(cluster, principal_key, policy_arn),"
	"  FOREIGN KEY(cluster, principal_key) REFERENCES eks_access_entries(cluster, principal_key)"
	"  ON DELETE CASCADE);",
	/* 5: EKS Pod Identity
	 * associations, one per (cluster, namespace, service account) as EKS allows */
	"CREATE TABLE eks_pod_identity_associations(cluster TEXT NOT NULL REFERENCES clusters(name)"
	"  ON DELETE CASCADE, id TEXT NOT NULL, namespace TEXT NOT NULL, service_account TEXT NOT NULL,"
	"  doc TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY(cluster, id),"
	"  UNIQUE(cluster, namespace, service_account));",
	/* 6: workload identity. Each cluster's service-account signing keys (PKCS#8 PEM sealed
	 * under the KEK; the newest signs, older ones stay published until the tokens they
	 * signed expire), and IAM's OpenID Connect providers (client IDs and thumbprints as
	 * JSON arrays, in the order they were added, as IAM lists them). */
	"CREATE TABLE oidc_keys(cluster TEXT NOT NULL, kid TEXT NOT NULL, sealed_key BLOB NOT NULL,"
	"  created INTEGER NOT NULL, PRIMARY KEY(cluster, kid));"
	"CREATE TABLE iam_oidc_providers(account TEXT NOT NULL REFERENCES accounts(id), url TEXT NOT NULL,"
	"  arn TEXT NOT NULL, client_ids TEXT NOT NULL, thumbprints TEXT NOT NULL, tags TEXT NOT NULL,"
	"  created INTEGER NOT NULL, PRIMARY KEY(account, url));",
};
const size_t gh_schema_migrations_count = sizeof gh_schema_migrations / sizeof gh_schema_migrations[0];

