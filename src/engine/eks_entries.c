/* EKS access entries and their access-policy associations. */
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

/* --- access entries ------------------------------------------------------------------- */

/* The cluster, checked to take access entries. */
static bool entries_cluster(gh_engine *e, name_ctx *x, cluster_view *cv, entry_list *entries, gh_err *err)
{
	if (!eks_load_cluster(e, x->name, &x->a, cv, err))
		return false;
	json_decref(cv->doc);
	cv->doc = NULL;
	return gh_eks_require_access_entries(cv->mode, err) && eks_load_entries(e, cv->name, &x->a, entries, err);
}

static bool find_entry(const entry_list *l, gh_str principal, long *idx, gh_err *err)
{
	*idx = gh_eks_entry_find(l->v, l->n, principal);
	return *idx >= 0 ? true : gh_eks_fail_entry_not_found(err);
}

/* The cluster (taking access entries), its entries, and the one named by x->principal. */
static bool the_entry(gh_engine *e, name_ctx *x, cluster_view *cv, entry_list *entries, long *i, gh_err *err)
{
	return entries_cluster(e, x, cv, entries, err) && find_entry(entries, x->principal, i, err);
}

static bool create_entry_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	if (!entries_cluster(e, x, &cv, &entries, err))
		return false;
	gh_str parn = eks_json_str(x->req, "principalArn", &x->a);
	gh_str type = eks_json_str(x->req, "type", &x->a), username = eks_json_str(x->req, "username", &x->a);
	gh_eks_entry_create_input in = { .cluster_name = gh_str_c(cv.name), .partition = gh_str_c(e->cfg.partition),
					 .region = gh_str_c(e->cfg.region), .cluster_account = gh_str_c(e->account),
					 .principal_arn = parn, .now_ms = eks_now_ms(e) };
	if (json_object_get(x->req, "type"))
		in.type = &type;
	if (json_object_get(x->req, "username"))
		in.username = &username;
	json_t *groups = json_object_get(x->req, "kubernetesGroups");
	if (groups) {
		in.has_groups = true;
		if (!eks_json_strs(groups, &x->a, &in.groups, &in.n_groups))
			return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "kubernetesGroups must be a list of strings.");
	}
	json_t *tags = json_object_get(x->req, "tags");
	size_t nt = json_object_size(tags), i = 0;
	gh_eks_tag *tv = gh_arena_alloc(&x->a, (nt ? nt : 1) * sizeof *tv);
	const char *k;
	json_t *v;
	json_object_foreach(tags, k, v) {
		tv[i].key = gh_arena_str(&x->a, gh_str_c(k));
		tv[i].value = gh_arena_str(&x->a, gh_str_c(json_string_value(v)));
		i++;
	}
	in.tags = tv;
	in.n_tags = i;
	uint8_t uuid[16];
	principal_info pi = { 0 };
	gh_err lookup = { 0 };
	/* The shape is checked first (by gh_eks_entry_create); existence second, as EKS does. */
	bool exists = eks_resolve_principal(e, parn, &x->a, &pi, &lookup);
	in.principal_id = exists ? pi.id : GH_STR("");
	in.uuid = uuid;
	gh_eks_access_entry en;
	if (!engine_random(uuid, sizeof uuid, err) || !gh_eks_entry_create(&in, &x->a, &en, err))
		return false;
	if (!exists)
		return gh_fail(err, lookup.code, lookup.status, "%s", lookup.msg);
	if (!gh_eks_entry_check_unique(en.principal_key, entries.v, entries.n, err) ||
	    !eks_put_entry(e, cv.name, &en, err))
		return false;
	x->out = json_pack("{s:o}", "accessEntry", eks_entry_to_json(&en, false));
	return true;
}

bool engine_eks_create_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, json_t *req, json_t **out,
				    gh_err *err)
{
	name_ctx x = { .name = cluster, .req = req };
	return eks_run_op(e, c, "CreateAccessEntry", true, create_entry_fn, &x, out, err);
}

static bool describe_entry_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!the_entry(e, x, &cv, &entries, &i, err))
		return false;
	x->out = json_pack("{s:o}", "accessEntry", eks_entry_to_json(&entries.v[i], false));
	return true;
}

bool engine_eks_describe_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
				      json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal };
	return eks_run_op(e, c, "DescribeAccessEntry", false, describe_entry_fn, &x, out, err);
}

static bool list_entries_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	if (!entries_cluster(e, x, &cv, &entries, err))
		return false;
	/* The filter keeps the entries associated with that policy. */
	const gh_str **keep = gh_arena_alloc(&x->a, (entries.n ? entries.n : 1) * sizeof *keep);
	size_t nk = 0;
	for (size_t i = 0; i < entries.n; i++) {
		bool match = !x->pg->filter.n;
		if (!match) {
			assoc_list as;
			if (!eks_load_assocs(e, cv.name, entries.v[i].principal_key, &x->a, &as, err))
				return false;
			match = gh_eks_association_find(as.v, as.n, x->pg->filter) >= 0;
		}
		if (match)
			keep[nk++] = &entries.v[i].principal_arn;
	}
	size_t from, to;
	if (!eks_page_bounds(x->pg, ENTRIES_PAGE_MAX, ENTRIES_PAGE_MAX, nk, &from, &to, err))
		return false;
	json_t *arr = json_array();
	for (size_t i = from; i < to; i++)
		json_array_append_new(arr, json_stringn(keep[i]->p, keep[i]->n));
	x->out = json_pack("{s:o}", "accessEntries", arr);
	eks_set_next(x->out, to, nk);
	return true;
}

bool engine_eks_list_access_entries(gh_engine *e, const gh_caller *c, gh_str cluster, const gh_eks_page *pg,
				    json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .pg = pg };
	return eks_run_op(e, c, "ListAccessEntries", false, list_entries_fn, &x, out, err);
}

static bool update_entry_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!the_entry(e, x, &cv, &entries, &i, err))
		return false;
	gh_str username = eks_json_str(x->req, "username", &x->a);
	gh_eks_entry_update_input in = { .now_ms = eks_now_ms(e) };
	if (json_object_get(x->req, "username"))
		in.username = &username;
	json_t *groups = json_object_get(x->req, "kubernetesGroups");
	if (groups) {
		in.has_groups = true;
		if (!eks_json_strs(groups, &x->a, &in.groups, &in.n_groups))
			return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "kubernetesGroups must be a list of strings.");
	}
	gh_eks_access_entry en;
	if (!gh_eks_entry_update(&entries.v[i], &in, &x->a, &en, err) || !eks_put_entry(e, cv.name, &en, err))
		return false;
	x->out = json_pack("{s:o}", "accessEntry", eks_entry_to_json(&en, false));
	return true;
}

bool engine_eks_update_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, json_t *req,
				    json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal, .req = req };
	return eks_run_op(e, c, "UpdateAccessEntry", true, update_entry_fn, &x, out, err);
}

static bool delete_entry_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!the_entry(e, x, &cv, &entries, &i, err))
		return false;
	char *key = gh_str_dup(entries.v[i].principal_key);
	bool ok = eks_store_delete_entry(db_conn(e->db), cv.name, key, err); /* associations cascade */
	free(key);
	return ok;
}

bool engine_eks_delete_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal };
	return eks_run_op(e, c, "DeleteAccessEntry", true, delete_entry_fn, &x, NULL, err);
}

/* --- access policies ------------------------------------------------------------------ */

static bool associate_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!the_entry(e, x, &cv, &entries, &i, err))
		return false;
	const gh_eks_access_entry *en = &entries.v[i];
	assoc_list have;
	if (!eks_load_assocs(e, cv.name, en->principal_key, &x->a, &have, err))
		return false;
	json_t *scope = json_object_get(x->req, "accessScope");
	gh_str stype = eks_json_str(scope, "type", &x->a);
	gh_eks_associate_input in = { .entry_type = en->type, .partition = gh_str_c(e->cfg.partition),
				      .policy_arn = eks_json_str(x->req, "policyArn", &x->a),
				      .existing = have.v, .n_existing = have.n, .now_ms = eks_now_ms(e) };
	if (json_object_get(scope, "type"))
		in.scope_type = &stype;
	if (!eks_json_strs(json_object_get(scope, "namespaces"), &x->a, &in.namespaces, &in.n_namespaces))
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "accessScope.namespaces must be a list of strings.");
	gh_eks_association as;
	long replaces;
	if (!gh_eks_associate(&in, &x->a, &as, &replaces, err) || !eks_put_assoc(e, cv.name, en->principal_key, &as, err))
		return false;
	x->out = json_pack("{s:s, s:s%, s:o}", "clusterName", cv.name, "principalArn", en->principal_arn.p,
			   en->principal_arn.n, "associatedAccessPolicy", eks_assoc_to_json(&as, false));
	return true;
}

bool engine_eks_associate_policy(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, json_t *req,
				 json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal, .req = req };
	return eks_run_op(e, c, "AssociateAccessPolicy", true, associate_fn, &x, out, err);
}

static bool disassociate_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!the_entry(e, x, &cv, &entries, &i, err))
		return false;
	assoc_list have;
	if (!eks_load_assocs(e, cv.name, entries.v[i].principal_key, &x->a, &have, err))
		return false;
	long j = gh_eks_association_find(have.v, have.n, x->policy);
	if (j < 0)
		return gh_fail(err, GH_EKS_RESOURCE_NOT_FOUND, 404,
			       "The specified policy is not associated with the access entry.");
	char *key = gh_str_dup(entries.v[i].principal_key), *arn = gh_str_dup(have.v[j].policy_arn);
	bool ok = eks_store_delete_assoc(db_conn(e->db), cv.name, key, arn, err);
	free(key);
	free(arn);
	return ok;
}

bool engine_eks_disassociate_policy(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
				    gh_str policy_arn, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal, .policy = policy_arn };
	return eks_run_op(e, c, "DisassociateAccessPolicy", true, disassociate_fn, &x, NULL, err);
}

static bool list_associated_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	assoc_list have;
	size_t from, to;
	if (!entries_cluster(e, x, &cv, &entries, err) || !find_entry(&entries, x->principal, &i, err) ||
	    !eks_load_assocs(e, cv.name, entries.v[i].principal_key, &x->a, &have, err) ||
	    !eks_page_bounds(x->pg, ENTRIES_PAGE_MAX, ENTRIES_PAGE_MAX, have.n, &from, &to, err))
		return false;
	json_t *arr = json_array();
	for (size_t k = from; k < to; k++)
		json_array_append_new(arr, eks_assoc_to_json(&have.v[k], false));
	const gh_str *parn = &entries.v[i].principal_arn;
	x->out = json_pack("{s:s, s:s%, s:o}", "clusterName", cv.name, "principalArn", parn->p, parn->n,
			   "associatedAccessPolicies", arr);
	eks_set_next(x->out, to, have.n);
	return true;
}

bool engine_eks_list_associated_policies(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
					 const gh_eks_page *pg, json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal, .pg = pg };
	return eks_run_op(e, c, "ListAssociatedAccessPolicies", false, list_associated_fn, &x, out, err);
}

bool engine_eks_list_access_policies(gh_engine *e, const gh_caller *c, const gh_eks_page *pg, json_t **out,
				     gh_err *err)
{
	(void)c;
	size_t n = gh_eks_policy_count(), from, to;
	if (!eks_page_bounds(pg, 100, 100, n, &from, &to, err))
		return false;
	json_t *arr = json_array();
	for (size_t i = from; i < to; i++) {
		const gh_eks_access_policy *p = gh_eks_policy_at(i);
		gh_buf arn = { 0 };
		gh_eks_policy_arn(&arn, gh_str_c(e->cfg.partition), p);
		json_array_append_new(arr, json_pack("{s:s%, s:s}", "name", p->name.p, p->name.n, "arn", arn.p));
		gh_buf_free(&arn);
	}
	*out = json_pack("{s:o}", "accessPolicies", arr);
	eks_set_next(*out, to, n);
	return true;
}
