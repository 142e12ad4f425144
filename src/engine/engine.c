#include "engine/engine_internal.h"
#include "engine/kube.h"
#include "engine/oidc.h"
#include "engine/webid.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "crypto/hash.h"
#include "domain/aws/arn.h"
#include "store/cluster_store.h"
#include "store/db.h"
#include "engine/pss_admit.h"

int64_t engine_now(const gh_engine *e)
{
	return (int64_t)time(NULL) + e->cfg.time_offset;
}

const gh_engine_config *engine_config(const gh_engine *e)
{
	return &e->cfg;
}

bool engine_random(void *out, size_t n, gh_err *err)
{
	if (!gh_random_bytes(out, n))
		return gh_fail(err, "ServiceFailure", 500, "the system random number generator failed");
	return true;
}

bool engine_seal_secret(gh_engine *e, const char *akid, const char *secret, gh_buf *out, gh_err *err)
{
	gh_buf aad = { 0 };
	gh_buf_printf(&aad, "iam-secret:%s", akid);
	bool ok = kek_seal(e->kek, gh_str_c(secret), gh_buf_str(&aad), out, err);
	gh_buf_free(&aad);
	return ok;
}

bool engine_read_begin(gh_engine *e, gh_err *err)
{
	return db_begin_read(e->db, err);
}

void engine_read_end(gh_engine *e)
{
	db_rollback(e->db); /* a read transaction has nothing to keep */
}

static bool publish_creds(gh_engine *e, gh_err *err)
{
	gh_creds *fresh;
	if (!db_begin(e->db, err))
		return false;
	/* A write transaction: building the snapshot also deletes expired sessions. */
	bool built = creds_build(db_conn(e->db), e->kek, e->cfg.partition, engine_now(e), &fresh, err);
	if (!built) {
		db_rollback(e->db);
		return false;
	}
	if (!db_commit(e->db, err)) {
		creds_unref(fresh);
		return false;
	}
	pthread_rwlock_wrlock(&e->snap_mu);
	gh_creds *old = e->creds;
	e->creds = fresh;
	pthread_rwlock_unlock(&e->snap_mu);
	creds_unref(old);
	return true;
}

bool engine_publish(gh_engine *e, unsigned what, gh_err *err)
{
	return (!(what & GH_PUBLISH_CREDS) || publish_creds(e, err)) &&
	       (!(what & GH_PUBLISH_MAPS) || maps_publish(e, err));
}

bool engine_tx(gh_engine *e, engine_tx_fn fn, void *ctx, gh_err *err)
{
	return engine_tx_publish(e, fn, ctx, GH_PUBLISH_CREDS, err);
}

/* Runs fn in one transaction; the caller holds write_mu. */
static bool run_tx(gh_engine *e, engine_tx_fn fn, void *ctx, gh_err *err)
{
	bool ok = db_begin(e->db, err);
	if (ok) {
		ok = fn(e, ctx, err);
		if (ok)
			ok = db_commit(e->db, err);
		else
			db_rollback(e->db);
	}
	return ok;
}

bool engine_tx_publish(gh_engine *e, engine_tx_fn fn, void *ctx, unsigned what, gh_err *err)
{
	pthread_mutex_lock(&e->write_mu);
	/* Publish even when the snapshot build fails later: the change is committed, and
	 * the caller must hear that the new state is not yet visible. */
	bool ok = run_tx(e, fn, ctx, err);
	if (ok) {
		e->writes++; /* _Atomic: readers of cached store data see the change */
		ok = engine_publish(e, what, err);
	}
	pthread_mutex_unlock(&e->write_mu);
	return ok;
}

bool engine_tx_publish_cluster(gh_engine *e, engine_tx_fn fn, void *ctx, const char *cluster, const maps_change *c,
			       size_t n, gh_err *err)
{
	pthread_mutex_lock(&e->write_mu);
	bool ok = run_tx(e, fn, ctx, err);
	if (ok) {
		e->writes++;
		ok = maps_publish_cluster(e, cluster, c, n, err);
	}
	pthread_mutex_unlock(&e->write_mu);
	return ok;
}

/* --- the --aws-auth file watcher ------------------------------------------------- */

static bool file_stamp(const char *path, struct stat *st)
{
	return stat(path, st) == 0;
}

static bool stamp_changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_size != b->st_size || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

/* Polls the file once a second: editors replace files in many ways (rename, truncate and
 * write), and a stat catches all of them without inotify's corner cases. */
static void *watch_aws_auth(void *arg)
{
	gh_engine *e = arg;
	struct stat last = { 0 };
	bool have = file_stamp(e->cfg.aws_auth_file, &last);
	pthread_mutex_lock(&e->watch_mu);
	while (!e->watch_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&e->watch_cv, &e->watch_mu, &until);
		if (e->watch_stop)
			break;
		struct stat now;
		bool exists = file_stamp(e->cfg.aws_auth_file, &now);
		if (exists == have && (!exists || !stamp_changed(&now, &last)))
			continue;
		have = exists;
		last = now;
		pthread_mutex_unlock(&e->watch_mu);
		gh_err err = { 0 };
		pthread_mutex_lock(&e->write_mu);
		if (!engine_publish(e, GH_PUBLISH_MAPS, &err))
			gh_log_warn("aws-auth.reload", "detail", err.msg);
		else
			gh_log_info("aws-auth.reloaded", "file", e->cfg.aws_auth_file);
		pthread_mutex_unlock(&e->write_mu);
		pthread_mutex_lock(&e->watch_mu);
	}
	pthread_mutex_unlock(&e->watch_mu);
	return NULL;
}

/* --- bootstrap ------------------------------------------------------------------- */

static char *keep(gh_engine *e, const char *s)
{
	for (size_t i = 0; i < sizeof e->boot_strings / sizeof e->boot_strings[0]; i++) {
		if (!e->boot_strings[i]) {
			e->boot_strings[i] = s ? strdup(s) : NULL;
			return e->boot_strings[i];
		}
	}
	return NULL;
}

static bool make_account_id(char out[13], gh_err *err)
{
	uint8_t r[12];
	if (!engine_random(r, sizeof r, err))
		return false;
	for (int i = 0; i < 12; i++)
		out[i] = (char)('0' + r[i] % 10);
	if (out[0] == '0')
		out[0] = '1';
	out[12] = '\0';
	return true;
}

static bool bootstrap_tx(gh_engine *e, void *ctx, gh_err *err)
{
	(void)ctx;
	int64_t now = engine_now(e);
	char account[13];
	if (!make_account_id(account, err))
		return false;
	memcpy(e->boot_account, account, sizeof account);
	if (!iam_store_put_account(db_conn(e->db), account, now, err))
		return false;

	uint8_t rnd[17 + 16 + 30];
	if (!engine_random(rnd, sizeof rnd, err))
		return false;
	char uid[IAM_ID_LEN + 1], akid[IAM_AKID_LEN + 1], secret[IAM_SECRET_LEN + 1];
	iam_make_unique_id("AIDA", rnd, uid);
	iam_make_access_key_id("AKIA", rnd + 17, akid);
	iam_make_secret(rnd + 33, secret);
	gh_buf arn = { 0 };
	arn_build_user(&arn, gh_str_c(e->cfg.partition), gh_str_c(account), GH_STR("/"), GH_STR("admin"));
	iam_tag admin_tag = { GH_STR(IAM_ADMIN_TAG), GH_STR("true") };
	iam_user u = { .id = uid, .account = account, .name = "admin", .path = "/", .arn = arn.p,
		       .created = now, .tags = &admin_tag, .ntags = 1 };
	gh_buf sealed = { 0 };
	bool ok = iam_store_insert_user(db_conn(e->db), &u, err) && engine_seal_secret(e, akid, secret, &sealed, err);
	if (ok) {
		iam_access_key k = { .id = akid, .user_id = uid, .status = "Active", .created = now,
				     .sealed_secret = (const uint8_t *)sealed.p, .sealed_len = sealed.n };
		ok = iam_store_insert_access_key(db_conn(e->db), &k, err);
	}
	if (ok)
		ok = iam_store_set_setting(db_conn(e->db), "admin_user", "admin", err) &&
		     cluster_store_bootstrap(db_conn(e->db), "demo", account, e->cfg.region, e->cfg.partition, arn.p, now,
					     err);
	if (ok) {
		e->boot.first_start = true;
		e->boot.admin_akid = keep(e, akid);
		e->boot.admin_secret = keep(e, secret);
	}
	gh_secure_zero(secret, sizeof secret);
	gh_secure_zero(rnd, sizeof rnd);
	gh_buf_free(&arn);
	gh_buf_free(&sealed);
	return ok;
}

/* The instance map stands in for ec2:DescribeInstances, which the sandbox cannot call. */
static bool load_instances(gh_engine *e, const char *path, gh_err *err)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(root)) {
		json_decref(root);
		return gh_fail(err, "InvalidInput", 400,
			       "%s: expected a JSON object of instance ID to private DNS name%s%s (line %d)", path,
			       root ? "" : ": ", root ? "" : je.text, je.line);
	}
	size_t n = json_object_size(root), total = 0;
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v) {
		if (!json_is_string(v)) {
			json_decref(root);
			return gh_fail(err, "InvalidInput", 400, "%s: the value of \"%s\" is not a string", path, k);
		}
		total += strlen(k) + json_string_length(v) + 2;
	}
	gh_mapper_instance *items = calloc(n ? n : 1, sizeof *items);
	char *blob = malloc(total ? total : 1), *w = blob;
	size_t i = 0;
	json_object_foreach(root, k, v) {
		size_t kl = strlen(k), vl = json_string_length(v);
		memcpy(w, k, kl + 1);
		items[i].instance_id = (gh_str){ w, kl };
		w += kl + 1;
		memcpy(w, json_string_value(v), vl + 1);
		items[i].private_dns = (gh_str){ w, vl };
		w += vl + 1;
		i++;
	}
	json_decref(root);
	e->instances = (gh_mapper_instance_table){ items, n };
	e->instances_blob = blob;
	return true;
}

static bool open_store(gh_engine *e, gh_err *err)
{
	char db_path[4096];
	snprintf(db_path, sizeof db_path, "%s/gatehouse.db", e->state_dir);
	/* Offline commands read a state directory; they never create one by mistake. */
	if (e->cfg.read_only && access(db_path, R_OK) != 0)
		return gh_fail(err, "NoState", 404,
			       "no gatehouse state in %s: start `gatehouse serve --state-dir %s` once first",
			       e->state_dir, e->state_dir);
	if (mkdir(e->state_dir, 0700) != 0 && errno != EEXIST)
		return gh_fail(err, "IOError", 500, "cannot create state directory %s: %s", e->state_dir,
			       strerror(errno));
	if (!kek_load_or_create(e->state_dir, &e->kek, err))
		return false;
	char path[4096];
	snprintf(path, sizeof path, "%s/gatehouse.db", e->state_dir);
	return db_open(path, &e->db, err) && db_migrate(e->db, gh_schema_migrations, gh_schema_migrations_count, err);
}

bool engine_open(const gh_engine_config *cfg, gh_engine **out, gh_bootstrap *boot, gh_err *err)
{
	gh_engine *e = calloc(1, sizeof *e);
	if (!e)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	e->cfg = *cfg;
	e->state_dir = strdup(cfg->state_dir);
	if (!e->cfg.region)
		e->cfg.region = "us-east-1";
	if (!e->cfg.partition)
		e->cfg.partition = "aws";
	pthread_mutex_init(&e->write_mu, NULL);
	pthread_rwlock_init(&e->snap_mu, NULL);
	pthread_mutex_init(&e->watch_mu, NULL);
	pthread_cond_init(&e->watch_cv, NULL);
	e->keycache = sigv4_keycache_new(1024);
	if (cfg->passthrough)
		e->passthrough = passthrough_new(cfg->sts_ca_file);
	bool ok = (!cfg->ec2_instances_file || load_instances(e, cfg->ec2_instances_file, err)) &&
		  engine_pss_open(cfg->pss_config_path, &e->pss, err) && open_store(e, err);
	if (ok) {
		gh_arena a;
		gh_arena_init(&a, 0);
		const char *acct = NULL;
		ok = engine_read_begin(e, err);
		if (ok) {
			acct = iam_store_default_account(db_conn(e->db), &a);
			engine_read_end(e);
		}
		if (ok && !acct && cfg->read_only)
			ok = gh_fail(err, "NoState", 404,
				     "no gatehouse state in %s: start `gatehouse serve --state-dir %s` once first",
				     cfg->state_dir, cfg->state_dir);
		else if (ok && !acct)
			ok = engine_tx_publish(e, bootstrap_tx, NULL, GH_PUBLISH_ALL, err);
		else if (ok)
			ok = engine_publish(e, GH_PUBLISH_ALL, err);
		if (ok)
			e->account = strdup(acct ? acct : e->boot_account);
		gh_arena_free(&a);
	}
	if (ok && !cfg->read_only)
		ok = engine_records_open(e, err);
	if (ok) {
		gh_buf arn = { 0 };
		arn_build_user(&arn, gh_str_c(e->cfg.partition), gh_str_c(e->account), GH_STR("/"), GH_STR("admin"));
		e->boot.account_id = e->account;
		e->boot.admin_user = "admin";
		e->boot.admin_arn = keep(e, arn.p);
		e->boot.default_cluster = "demo";
		gh_buf_free(&arn);
	}
	if (ok)
		ok = kube_open(e, err);
	if (ok)
		ok = oidc_open(e, err);
	if (ok)
		ok = webid_open(e, err);
	if (!ok) {
		engine_close(e);
		return false;
	}
	if (cfg->aws_auth_file && !cfg->read_only) {
		if (pthread_create(&e->watcher, NULL, watch_aws_auth, e) == 0)
			e->watching = true;
		else
			gh_log_warn("aws-auth.watch", "detail", "cannot start the file watcher; changes need a restart");
	}
	if (boot)
		*boot = e->boot;
	*out = e;
	return true;
}

void engine_close(gh_engine *e)
{
	if (!e)
		return;
	if (e->watching) {
		pthread_mutex_lock(&e->watch_mu);
		e->watch_stop = true;
		pthread_cond_signal(&e->watch_cv);
		pthread_mutex_unlock(&e->watch_mu);
		pthread_join(e->watcher, NULL);
	}
	webid_close(e);
	oidc_close(e);
	kube_close(e);
	engine_records_close(e);
	creds_unref(e->creds);
	maps_free(e->maps);
	maps_rbac_free(e->rbac);
	sigv4_keycache_free(e->keycache);
	passthrough_free(e->passthrough);
	free((void *)e->instances.v);
	free(e->instances_blob);
	if (e->db)
		db_close(e->db);
	kek_free(e->kek);
	engine_pss_close(e->pss);
	for (size_t i = 0; i < sizeof e->boot_strings / sizeof e->boot_strings[0]; i++) {
		if (e->boot_strings[i]) {
			gh_secure_zero(e->boot_strings[i], strlen(e->boot_strings[i]));
			free(e->boot_strings[i]);
		}
	}
	pthread_mutex_destroy(&e->write_mu);
	pthread_rwlock_destroy(&e->snap_mu);
	pthread_mutex_destroy(&e->watch_mu);
	pthread_cond_destroy(&e->watch_cv);
	free(e->account);
	free(e->state_dir);
	free(e);
}
