/* Per-cluster identity mappings: the aws-auth ConfigMap of every cluster, parsed into an
 * immutable gh_awsauth and published with the other snapshots. A section with an error
 * keeps the previous cluster snapshot's value (last-known-good) and the error is logged
 * and kept for `explain`. Each cluster's entry is reference-counted: maps_publish builds
 * every entry again, maps_publish_cluster only the one a Kubernetes API write touched
 * (its RBAC updated incrementally, maps_rbac.c) and shares the rest. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "base/log.h"
#include "engine/engine_internal.h"
#include "engine/maps.h"
#include "domain/k8s/rbac.h"
#include "engine/eks_json.h"
#include "store/cluster_store.h"
#include "store/eks_store.h"

/* Reads the aws-auth ConfigMap of `cluster` from the --aws-auth file or the store. */
static json_t *load_configmap(gh_engine *e, const char *cluster, gh_arena *a, char *source, size_t srclen,
			      gh_err *err)
{
	if (e->cfg.aws_auth_file) {
		snprintf(source, srclen, "file %s", e->cfg.aws_auth_file);
		gh_buf b = { 0 };
		if (!gh_file_read(e->cfg.aws_auth_file, (size_t)2 << 20, &b, err)) {
			gh_buf_free(&b);
			return NULL;
		}
		gh_yaml_opts yo = { .max_bytes = (size_t)2 << 20, .mode = GH_YAML_STRINGS };
		json_t *docs = NULL;
		bool ok = gh_yaml_load_all(gh_buf_str(&b), &yo, &docs, err);
		gh_buf_free(&b);
		if (!ok)
			return NULL;
		json_t *cm = json_incref(json_array_get(docs, 0));
		json_decref(docs);
		if (!cm)
			gh_fail(err, "InvalidInput", 400, "%s holds no document", e->cfg.aws_auth_file);
		return cm;
	}
	snprintf(source, srclen, "ConfigMap kube-system/aws-auth of cluster %s", cluster);
	const char *body = NULL;
	if (!engine_read_begin(e, err))
		return NULL;
	bool ok = cluster_store_get_object(db_conn(e->db), cluster, "ConfigMap", "kube-system", "aws-auth", a,
					   &body, err);
	engine_read_end(e);
	if (!ok)
		return NULL;
	if (!body)
		return json_object(); /* no aws-auth: nothing mapped */
	json_error_t je;
	json_t *cm = json_loads(body, 0, &je);
	if (!cm)
		gh_fail(err, "InvalidInput", 400, "stored aws-auth is not JSON: %s", je.text);
	return cm;
}

static const char *const sections[GH_AWSAUTH_NSECTIONS] = { "mapRoles", "mapUsers", "mapAccounts" };

/* The last sections that parsed cleanly, from the store: the fallback when this process
 * has no previous mapping of its own (a restart with a broken aws-auth). */
static gh_awsauth *stored_good(gh_engine *e, const char *cluster, gh_arena *a)
{
	const char *body[GH_AWSAUTH_NSECTIONS] = { 0 };
	bool found[GH_AWSAUTH_NSECTIONS] = { 0 }, any = false;
	gh_err err;
	if (!engine_read_begin(e, &err))
		return NULL;
	for (int i = 0; i < GH_AWSAUTH_NSECTIONS; i++) {
		if (!cluster_store_get_good_section(db_conn(e->db), cluster, sections[i], a, &body[i], &found[i], &err))
			found[i] = false;
		any |= found[i];
	}
	engine_read_end(e);
	if (!any)
		return NULL;
	gh_str v[GH_AWSAUTH_NSECTIONS];
	for (int i = 0; i < GH_AWSAUTH_NSECTIONS; i++)
		v[i] = gh_str_c(body[i]);
	gh_awsauth *cfg = NULL;
	if (!gh_awsauth_load(body[0] ? &v[0] : NULL, body[1] ? &v[1] : NULL, body[2] ? &v[2] : NULL, NULL, &cfg,
			     &err))
		return NULL;
	return cfg;
}

static bool section_clean(const gh_awsauth *cfg, int s)
{
	if (cfg->kept_previous[s])
		return false;
	for (size_t i = 0; i < cfg->n_diags; i++)
		if (cfg->diags[i].severity == GH_AWSAUTH_ERROR && (int)cfg->diags[i].section == s)
			return false;
	return true;
}

/* Records the sections that parsed cleanly as the new last-known-good. */
static void save_good(gh_engine *e, const char *cluster, json_t *cm, const gh_awsauth *cfg, gh_arena *a)
{
	if (e->cfg.read_only)
		return;
	json_t *data = json_object_get(cm, "data");
	gh_err err;
	if (!db_begin(e->db, &err))
		return;
	bool ok = true;
	for (int i = 0; i < GH_AWSAUTH_NSECTIONS && ok; i++) {
		if (!section_clean(cfg, i))
			continue;
		const char *body = json_string_value(json_object_get(data, sections[i]));
		const char *old = NULL;
		bool found = false;
		ok = cluster_store_get_good_section(db_conn(e->db), cluster, sections[i], a, &old, &found, &err);
		if (ok && (!found || (old == NULL) != (body == NULL) || (old && body && strcmp(old, body) != 0)))
			ok = cluster_store_put_good_section(db_conn(e->db), cluster, sections[i], body, &err);
	}
	if (ok)
		ok = db_commit(e->db, &err);
	else
		db_rollback(e->db);
	if (!ok)
		gh_log_warn("aws-auth.save", "cluster", cluster, "detail", err.msg);
}

static void log_diags(const char *cluster, const gh_awsauth *cfg)
{
	for (size_t i = 0; i < cfg->n_diags; i++) {
		gh_buf b = { 0 };
		gh_awsauth_diag_format(cfg, &cfg->diags[i], &b);
		if (cfg->diags[i].severity == GH_AWSAUTH_ERROR)
			gh_log_warn("aws-auth.error", "cluster", cluster, "detail", b.p);
		else
			gh_log_info("aws-auth.warning", "cluster", cluster, "detail", b.p);
		gh_buf_free(&b);
	}
}

/* The EKS side of a cluster: its mode and access entries with their associations. */
static void load_eks(gh_engine *e, gh_cluster_map *it)
{
	it->mem = calloc(1, sizeof *it->mem);
	gh_arena_init(it->mem, 0);
	gh_arena *a = it->mem;
	gh_err err;
	eks_row row;
	bool found = false;
	it->mode = GH_EKS_AUTH_CONFIG_MAP;
	it->bootstrap_creator = true;
	it->public_access = true;
	static const char *const everyone[] = { "0.0.0.0/0", "::/0" };
	it->public_cidrs = (const char **)everyone;
	it->n_public_cidrs = 2;
	if (!engine_read_begin(e, &err))
		return;
	if (eks_store_get_cluster(db_conn(e->db), it->cluster, a, &row, &found, &err) && found) {
		it->creator_arn = row.extra ? strdup(row.extra) : NULL;
		json_t *doc = json_loads(row.doc ? row.doc : "{}", 0, NULL);
		json_t *ac = json_object_get(doc, "accessConfig");
		const char *m = json_string_value(json_object_get(ac, "authenticationMode"));
		if (m && !gh_eks_auth_mode_parse(gh_str_c(m), &it->mode, NULL))
			it->mode = GH_EKS_AUTH_CONFIG_MAP;
		json_t *b = json_object_get(ac, "bootstrapClusterCreatorAdminPermissions");
		it->bootstrap_creator = b ? json_is_true(b) : true;
		json_t *vpc = json_object_get(doc, "resourcesVpcConfig");
		json_t *pub = json_object_get(vpc, "endpointPublicAccess");
		it->public_access = pub ? json_is_true(pub) : true;
		json_t *cidrs = json_object_get(vpc, "publicAccessCidrs");
		if (json_array_size(cidrs)) {
			it->public_cidrs = gh_arena_alloc(a, json_array_size(cidrs) * sizeof *it->public_cidrs);
			it->n_public_cidrs = 0;
			for (size_t i = 0; i < json_array_size(cidrs); i++) {
				const char *c = json_string_value(json_array_get(cidrs, i));
				if (c)
					it->public_cidrs[it->n_public_cidrs++] = gh_arena_strndup(a, c, strlen(c));
			}
		}
		json_decref(doc);
	}
	eks_row *rows;
	size_t n;
	if (found && eks_store_list_entries(db_conn(e->db), it->cluster, a, &rows, &n, &err)) {
		it->entries = gh_arena_alloc(a, (n ? n : 1) * sizeof *it->entries);
		it->assocs = gh_arena_alloc(a, (n ? n : 1) * sizeof *it->assocs);
		it->n_assocs = gh_arena_alloc(a, (n ? n : 1) * sizeof *it->n_assocs);
		for (size_t i = 0; i < n; i++) {
			json_t *doc = json_loads(rows[i].doc, 0, NULL);
			bool ok = doc && eks_entry_from_json(doc, a, &it->entries[it->n_entries]);
			json_decref(doc);
			if (!ok)
				continue;
			size_t k = it->n_entries++;
			eks_row *ar;
			size_t na;
			it->n_assocs[k] = 0;
			if (!eks_store_list_assocs(db_conn(e->db), it->cluster, rows[i].key, a, &ar, &na, &err))
				continue;
			it->assocs[k] = gh_arena_alloc(a, (na ? na : 1) * sizeof **it->assocs);
			for (size_t j = 0; j < na; j++) {
				json_t *ad = json_loads(ar[j].doc, 0, NULL);
				if (ad && eks_assoc_from_json(ad, a, &it->assocs[k][it->n_assocs[k]]))
					it->n_assocs[k]++;
				json_decref(ad);
			}
		}
	}
	engine_read_end(e);
}

static void entry_unref(gh_cluster_map *it)
{
	if (!it || atomic_fetch_sub(&it->refs, 1) != 1)
		return;
	if (it->borrowed_from)
		entry_unref(it->borrowed_from);
	else
		gh_awsauth_free(it->cfg);
	free(it->cluster);
	free(it->source);
	free(it->load_error);
	free(it->creator_arn);
	rbac_policy_free(it->rbac);
	free(it->rbac_error);
	if (it->mem) {
		gh_arena_free(it->mem);
		free(it->mem);
	}
	free(it);
}

/* A new entry for one cluster: the EKS side and aws-auth read again (aws-auth keeping the
 * previous entry's mapping where its sections fail: last-known-good), RBAC from the
 * cluster's source after `changes`. */
static gh_cluster_map *build_entry(gh_engine *e, const char *name, gh_cluster_map *prev, const maps_change *changes,
				   size_t nchanges, gh_arena *a)
{
	gh_cluster_map *it = calloc(1, sizeof *it);
	if (!it)
		return NULL;
	atomic_init(&it->refs, 1);
	it->cluster = strdup(name);
	load_eks(e, it);
	maps_rbac_load(e, it, changes, nchanges);
	gh_err lerr = { 0 };
	char source[512];
	json_t *cm = load_configmap(e, name, a, source, sizeof source, &lerr);
	it->source = strdup(source);
	gh_awsauth *fallback = (prev && prev->cfg) ? NULL : stored_good(e, name, a);
	const gh_awsauth *base = prev && prev->cfg ? prev->cfg : fallback;
	if (cm && gh_awsauth_load_configmap(cm, base, &it->cfg, &lerr)) {
		log_diags(name, it->cfg);
		save_good(e, name, cm, it->cfg, a);
		gh_awsauth_free(fallback);
	} else if (fallback) {
		gh_log_warn("aws-auth.error", "cluster", name, "detail", lerr.msg);
		it->load_error = strdup(lerr.msg);
		it->cfg = fallback;
	} else {
		/* The whole ConfigMap is unreadable: keep every previous mapping. It is borrowed
		 * from the entry that owns it, so a run of failures holds one old entry, not a
		 * chain of them. */
		gh_log_warn("aws-auth.error", "cluster", name, "detail", lerr.msg);
		it->load_error = strdup(lerr.msg);
		if (prev && prev->cfg) {
			gh_cluster_map *owner = prev->borrowed_from ? prev->borrowed_from : prev;
			it->cfg = prev->cfg;
			atomic_fetch_add(&owner->refs, 1);
			it->borrowed_from = owner;
		}
	}
	json_decref(cm);
	return it;
}

static gh_cluster_map *find(gh_cluster_maps *m, const char *cluster)
{
	for (size_t i = 0; m && i < m->n; i++)
		if (strcmp(m->items[i]->cluster, cluster) == 0)
			return m->items[i];
	return NULL;
}

static gh_cluster_maps *maps_new(size_t n)
{
	gh_cluster_maps *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->items = calloc(n ? n : 1, sizeof *m->items);
	if (!m->items) {
		free(m);
		return NULL;
	}
	atomic_init(&m->refs, 1);
	return m;
}

/* Swaps in the new snapshot; readers holding the old one keep it until they let go. */
static void maps_swap(gh_engine *e, gh_cluster_maps *fresh)
{
	pthread_rwlock_wrlock(&e->snap_mu);
	gh_cluster_maps *replaced = e->maps;
	e->maps = fresh;
	pthread_rwlock_unlock(&e->snap_mu);
	maps_unref(replaced);
}

bool maps_publish(gh_engine *e, gh_err *err)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	const char **names;
	size_t n;
	bool ok = engine_read_begin(e, err);
	if (ok) {
		ok = cluster_store_list(db_conn(e->db), &a, &names, &n, err);
		engine_read_end(e);
	}
	gh_cluster_maps *fresh = ok ? maps_new(n) : NULL;
	if (!fresh) {
		gh_arena_free(&a);
		return ok ? gh_fail(err, "InternalError", 500, "out of memory") : false;
	}
	maps_rbac_prune(e, names, n);
	/* only the writer (holding write_mu) replaces e->maps: no reference needed to read it */
	gh_cluster_maps *old = e->maps;
	for (size_t i = 0; i < n; i++) {
		gh_cluster_map *it = build_entry(e, names[i], find(old, names[i]), NULL, 0, &a);
		if (it)
			fresh->items[fresh->n++] = it;
	}
	maps_swap(e, fresh);
	gh_arena_free(&a);
	return true;
}

bool maps_publish_cluster(gh_engine *e, const char *cluster, const maps_change *c, size_t n, gh_err *err)
{
	gh_cluster_maps *old = e->maps;
	gh_cluster_map *prev = find(old, cluster);
	if (!prev) {
		/* a cluster the snapshot does not know: publish them all, its RBAC loaded whole */
		maps_rbac_drop(e, cluster);
		return maps_publish(e, err);
	}
	gh_cluster_maps *fresh = maps_new(old->n);
	if (!fresh)
		return gh_fail(err, "InternalError", 500, "out of memory");
	gh_arena a;
	gh_arena_init(&a, 0);
	for (size_t i = 0; i < old->n; i++) {
		gh_cluster_map *it = old->items[i];
		if (it == prev) {
			it = build_entry(e, cluster, prev, c, n, &a);
			if (!it)
				continue;
		} else {
			atomic_fetch_add(&it->refs, 1);
		}
		fresh->items[fresh->n++] = it;
	}
	maps_swap(e, fresh);
	gh_arena_free(&a);
	return true;
}

gh_cluster_maps *maps_acquire(gh_engine *e)
{
	pthread_rwlock_rdlock(&e->snap_mu);
	gh_cluster_maps *m = e->maps;
	if (m)
		atomic_fetch_add(&m->refs, 1);
	pthread_rwlock_unlock(&e->snap_mu);
	return m;
}

const gh_cluster_map *maps_find(const gh_cluster_maps *m, gh_str cluster)
{
	if (!m)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (gh_str_eq_c(cluster, m->items[i]->cluster))
			return m->items[i];
	return NULL;
}

void maps_unref(gh_cluster_maps *m)
{
	if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	for (size_t i = 0; i < m->n; i++)
		entry_unref(m->items[i]);
	free(m->items);
	free(m);
}

void maps_free(gh_cluster_maps *m)
{
	maps_unref(m);
}
