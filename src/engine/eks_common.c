/* What the EKS operations share; see eks_internal.h. */
#include "engine/eks_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "crypto/hash.h"
#include "domain/aws/arn.h"
#include "domain/eks/access_entry.h"
#include "domain/eks/access_policy.h"
#include "domain/eks/cluster.h"
#include "domain/eks/eks_errors.h"
#include "engine/eks_json.h"
#include "engine/engine_internal.h"
#include "store/cluster_store.h"
#include "store/eks_store.h"
#include "store/iam_store.h"

#define CLUSTERS_PAGE_MAX 100
#define ENTRIES_PAGE_MAX 100

int64_t eks_now_ms(gh_engine *e)
{
	return engine_now(e) * 1000;
}

/* --- who may call ------------------------------------------------------------------- */

bool eks_authorize(const gh_caller *c, const char *action, gh_str resource, bool write, gh_err *err)
{
	if (!write || c->cred->admin)
		return true;
	return gh_fail(err, "AccessDeniedException", 403,
		       "User: %s is not authorized to perform: eks:%s on resource: " GH_STR_FMT
		       " because no identity-based policy allows the eks:%s action",
		       c->cred->arn, action, GH_STR_ARG(resource), action);
}

void eks_cluster_arn(gh_engine *e, gh_str name, gh_buf *out)
{
	gh_eks_cluster_arn(out, gh_str_c(e->cfg.partition), gh_str_c(e->cfg.region), gh_str_c(e->account), name);
}

bool eks_authorize_cluster(gh_engine *e, const gh_caller *c, const char *action, gh_str name, bool write,
			      gh_err *err)
{
	gh_buf arn = { 0 };
	eks_cluster_arn(e, name, &arn);
	bool ok = eks_authorize(c, action, gh_buf_str(&arn), write, err);
	gh_buf_free(&arn);
	return ok;
}

/* --- reading inside a transaction ---------------------------------------------------- */

bool eks_not_found_cluster(gh_err *err, gh_str name)
{
	return gh_fail(err, GH_EKS_RESOURCE_NOT_FOUND, GH_EKS_STATUS_RESOURCE_NOT_FOUND,
		       "No cluster found for name: " GH_STR_FMT ".", GH_STR_ARG(name));
}

/* The cluster's mode from its document; clusters made before the EKS API existed (the
 * first-start demo) have an empty document and are CONFIG_MAP with a bootstrapped creator. */
void eks_read_access_config(json_t *doc, gh_eks_auth_mode *mode, bool *bootstrap)
{
	json_t *ac = json_object_get(doc, "accessConfig");
	const char *m = json_string_value(json_object_get(ac, "authenticationMode"));
	*mode = GH_EKS_AUTH_CONFIG_MAP;
	if (m && !gh_eks_auth_mode_parse(gh_str_c(m), mode, NULL))
		*mode = GH_EKS_AUTH_CONFIG_MAP;
	json_t *b = json_object_get(ac, "bootstrapClusterCreatorAdminPermissions");
	*bootstrap = b ? json_is_true(b) : true;
}

bool eks_load_cluster(gh_engine *e, gh_str name, gh_arena *a, cluster_view *out, gh_err *err)
{
	eks_row row;
	bool found;
	char *n = (char *)gh_arena_str(a, name).p;
	if (!eks_store_get_cluster(db_conn(e->db), n, a, &row, &found, err))
		return false;
	if (!found)
		return eks_not_found_cluster(err, name);
	out->name = n;
	out->doc = json_loads(row.doc ? row.doc : "{}", 0, NULL);
	if (!json_is_object(out->doc)) {
		json_decref(out->doc);
		out->doc = json_object();
	}
	out->creator_arn = row.extra;
	eks_read_access_config(out->doc, &out->mode, &out->bootstrap);
	return true;
}

/* The document DescribeCluster answers: the stored one, completed for clusters that
 * predate it (the first-start demo). */
json_t *eks_cluster_answer(gh_engine *e, const cluster_view *cv)
{
	json_t *d = json_deep_copy(cv->doc);
	if (!json_object_get(d, "name")) {
		gh_buf arn = { 0 };
		eks_cluster_arn(e, gh_str_c(cv->name), &arn);
		json_object_set_new(d, "name", json_string(cv->name));
		json_object_set_new(d, "arn", json_string(arn.p));
		json_object_set_new(d, "status", json_string("ACTIVE"));
		json_object_set_new(d, "version", json_stringn(gh_eks_default_version.p, gh_eks_default_version.n));
		json_object_set_new(d, "accessConfig",
				    json_pack("{s:b, s:s}", "bootstrapClusterCreatorAdminPermissions", 1,
					      "authenticationMode", "CONFIG_MAP"));
		gh_buf_free(&arn);
	}
	return d;
}

bool eks_load_entries(gh_engine *e, const char *cluster, gh_arena *a, entry_list *out, gh_err *err)
{
	eks_row *rows;
	size_t n;
	if (!eks_store_list_entries(db_conn(e->db), cluster, a, &rows, &n, err))
		return false;
	out->v = gh_arena_alloc(a, (n ? n : 1) * sizeof *out->v);
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *doc = json_loads(rows[i].doc, 0, NULL);
		bool ok = doc && eks_entry_from_json(doc, a, &out->v[out->n]);
		json_decref(doc);
		if (ok)
			out->n++;
	}
	return true;
}

bool eks_load_assocs(gh_engine *e, const char *cluster, gh_str key, gh_arena *a, assoc_list *out, gh_err *err)
{
	eks_row *rows;
	size_t n;
	if (!eks_store_list_assocs(db_conn(e->db), cluster, gh_arena_str(a, key).p, a, &rows, &n, err))
		return false;
	out->v = gh_arena_alloc(a, (n ? n : 1) * sizeof *out->v);
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *doc = json_loads(rows[i].doc, 0, NULL);
		bool ok = doc && eks_assoc_from_json(doc, a, &out->v[out->n]);
		json_decref(doc);
		if (ok)
			out->n++;
	}
	return true;
}

bool eks_in_read(gh_engine *e, eks_fn fn, void *ctx, gh_err *err)
{
	if (!engine_read_begin(e, err))
		return false;
	bool ok = fn(e, ctx, err);
	engine_read_end(e);
	return ok;
}

bool eks_in_write(gh_engine *e, eks_fn fn, void *ctx, gh_err *err)
{
	return engine_tx_publish(e, fn, ctx, GH_PUBLISH_MAPS, err);
}

/* --- pagination -------------------------------------------------------------------- */

/* nextToken is the index to continue from, as an opaque-looking string. */
bool eks_page_bounds(const gh_eks_page *pg, int dflt, int maxv, size_t total, size_t *from, size_t *to,
			gh_err *err)
{
	int max = pg->max_results ? pg->max_results : dflt;
	if (max < 1 || max > maxv)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "maxResults must be between 1 and %d", maxv);
	*from = 0;
	if (pg->next_token.n) {
		int64_t v;
		if (!gh_str_has_prefix(pg->next_token, GH_STR("gh-")) ||
		    !gh_str_to_i64(gh_str_sub(pg->next_token, 3, pg->next_token.n), &v) || v < 0 || (size_t)v > total)
			return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "The nextToken is not valid.");
		*from = (size_t)v;
	}
	*to = *from + (size_t)max < total ? *from + (size_t)max : total;
	return true;
}

void eks_set_next(json_t *out, size_t to, size_t total)
{
	if (to < total) {
		char tok[32];
		snprintf(tok, sizeof tok, "gh-%zu", to);
		json_object_set_new(out, "nextToken", json_string(tok));
	}
}

/* --- the creator's entry ------------------------------------------------------------- */

/* The IAM principal behind `arn` in this gatehouse: its unique ID, or an error in EKS's
 * words when IAM has no such principal (EKS resolves principals in IAM). */
bool eks_resolve_principal(gh_engine *e, gh_str arn, gh_arena *a, principal_info *out, gh_err *err)
{
	gh_eks_principal p;
	if (!gh_eks_principal_parse(arn, &p, err))
		return false;
	out->arn = arn;
	gh_err lookup;
	if (p.kind == GH_EKS_PRINCIPAL_ROOT && gh_str_eq_c(p.account, e->account)) {
		out->id = p.account;
		return true;
	}
	bool ok = false;
	if (gh_str_eq_c(p.account, e->account)) {
		if (p.kind == GH_EKS_PRINCIPAL_USER) {
			iam_user u;
			ok = iam_store_get_user(db_conn(e->db), e->account, p.name, a, &u, &lookup) &&
			     gh_str_ieq(gh_str_c(u.arn), arn);
			if (ok)
				out->id = gh_str_c(u.id);
		} else {
			iam_role r;
			ok = iam_store_get_role(db_conn(e->db), e->account, p.name, a, &r, &lookup);
			/* A path-less ARN names the same role as its path-ful one, as on EKS. */
			if (ok) {
				gh_buf bare = { 0 };
				ok = arn_strip_path(gh_str_c(r.arn), &bare, NULL) &&
				     (gh_str_ieq(gh_str_c(r.arn), arn) || gh_str_ieq(gh_buf_str(&bare), arn));
				gh_buf_free(&bare);
				out->id = gh_str_c(r.id);
			}
		}
	}
	if (!ok)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400,
			       "The specified principalArn is invalid: invalid principal");
	return true;
}

bool eks_put_entry(gh_engine *e, const char *cluster, const gh_eks_access_entry *en, gh_err *err)
{
	json_t *doc = eks_entry_to_json(en, true);
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	char *key = gh_str_dup(en->principal_key);
	bool ok = s && key && eks_store_put_entry(db_conn(e->db), cluster, key, s, en->created_at_ms, err);
	free(s);
	free(key);
	return ok;
}

bool eks_put_assoc(gh_engine *e, const char *cluster, gh_str key, const gh_eks_association *as, gh_err *err)
{
	json_t *doc = eks_assoc_to_json(as, true);
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	char *k = gh_str_dup(key), *arn = gh_str_dup(as->policy_arn);
	bool ok = s && eks_store_put_assoc(db_conn(e->db), cluster, k, arn, s, err);
	free(s);
	free(k);
	free(arn);
	return ok;
}

/* A STANDARD entry with AmazonEKSClusterAdminPolicy at cluster scope for the creator, as
 * bootstrapClusterCreatorAdminPermissions makes on EKS. */
bool eks_create_creator_entry(gh_engine *e, const char *cluster, gh_str creator_arn, gh_arena *a, gh_err *err)
{
	principal_info pi;
	if (!eks_resolve_principal(e, creator_arn, a, &pi, err))
		return gh_fail_wrap(err, "the cluster creator's access entry");
	uint8_t uuid[16];
	if (!engine_random(uuid, sizeof uuid, err))
		return false;
	gh_eks_entry_create_input in = { .cluster_name = gh_str_c(cluster), .partition = gh_str_c(e->cfg.partition),
					 .region = gh_str_c(e->cfg.region), .cluster_account = gh_str_c(e->account),
					 .principal_arn = creator_arn, .principal_id = pi.id, .now_ms = eks_now_ms(e),
					 .uuid = uuid };
	gh_eks_access_entry en;
	entry_list existing;
	if (!eks_load_entries(e, cluster, a, &existing, err) || !gh_eks_entry_create(&in, a, &en, err))
		return false;
	if (gh_eks_entry_find(existing.v, existing.n, creator_arn) >= 0)
		return true; /* already there (a mode change after the creator made one) */
	gh_str scope = GH_STR("cluster");
	const gh_eks_access_policy *admin = gh_eks_policy_by_name(GH_STR("AmazonEKSClusterAdminPolicy"));
	gh_buf parn = { 0 };
	gh_eks_policy_arn(&parn, gh_str_c(e->cfg.partition), admin);
	gh_eks_associate_input ai = { .entry_type = en.type, .partition = gh_str_c(e->cfg.partition),
				      .policy_arn = gh_buf_str(&parn), .scope_type = &scope, .now_ms = eks_now_ms(e) };
	gh_eks_association as;
	long replaces;
	bool ok = gh_eks_associate(&ai, a, &as, &replaces, err) && eks_put_entry(e, cluster, &en, err) &&
		  eks_put_assoc(e, cluster, en.principal_key, &as, err);
	gh_buf_free(&parn);
	return ok;
}

/* The caller as EKS names a creator: a user's ARN, or the role (with its path) of a session. */
gh_str eks_creator_of(const gh_caller *c)
{
	return gh_str_c(c->cred->role_arn ? c->cred->role_arn : c->cred->arn);
}

bool eks_run_op(gh_engine *e, const gh_caller *c, const char *action, bool write, eks_fn fn, name_ctx *x,
		   json_t **out, gh_err *err)
{
	gh_arena_init(&x->a, 0);
	bool ok = eks_authorize_cluster(e, c, action, x->name, write, err) &&
		  (write ? eks_in_write(e, fn, x, err) : eks_in_read(e, fn, x, err));
	gh_arena_free(&x->a);
	if (!ok) {
		json_decref(x->out);
		x->out = NULL;
	}
	if (out)
		*out = x->out;
	else
		json_decref(x->out);
	return ok;
}
