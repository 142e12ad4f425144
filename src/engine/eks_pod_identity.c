/* EKS Pod Identity associations over the store (rules in domain/eks/pod_identity). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/eks/eks_errors.h"
#include "domain/eks/pod_identity.h"
#include "engine/eks_internal.h"
#include "store/eks_store.h"

#define PIA_PAGE_MAX 100

typedef struct pia_list {
	eks_row *rows;
	size_t n;
} pia_list;

/* The cluster (it must exist) and its associations. */
static bool load(gh_engine *e, name_ctx *x, cluster_view *cv, pia_list *l, gh_err *err)
{
	if (!eks_load_cluster(e, x->name, &x->a, cv, err))
		return false;
	json_decref(cv->doc);
	cv->doc = NULL;
	return eks_store_list_pias(db_conn(e->db), cv->name, &x->a, &l->rows, &l->n, err);
}

static bool not_found(gh_err *err, gh_str id)
{
	return gh_fail(err, GH_EKS_RESOURCE_NOT_FOUND, GH_EKS_STATUS_RESOURCE_NOT_FOUND,
		       "No Pod Identity association found for ID: " GH_STR_FMT ".", GH_STR_ARG(id));
}

/* The document of association x->principal (the ID), parsed; NULL after not_found. */
static json_t *find(const pia_list *l, gh_str id, gh_err *err)
{
	for (size_t i = 0; i < l->n; i++)
		if (gh_str_eq_c(id, l->rows[i].key)) {
			json_t *doc = json_loads(l->rows[i].doc, 0, NULL);
			if (!doc)
				gh_fail(err, GH_EKS_SERVER, 500, "stored association %s is not JSON", l->rows[i].key);
			return doc;
		}
	not_found(err, id);
	return NULL;
}

/* The cluster and the association x->principal names (NULL after the error). */
static json_t *the_assoc(gh_engine *e, name_ctx *x, cluster_view *cv, gh_err *err)
{
	pia_list l;
	return load(e, x, cv, &l, err) ? find(&l, x->principal, err) : NULL;
}

/* {"association": ...}, the answer of every operation but List; takes `doc` over. */
static bool answer(name_ctx *x, json_t *doc, bool ok)
{
	if (ok)
		x->out = json_pack("{s:o}", "association", gh_eks_pia_answer(doc));
	json_decref(doc);
	return ok;
}

static bool put(gh_engine *e, const char *cluster, const json_t *doc, gh_err *err)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		return gh_fail(err, GH_EKS_SERVER, 500, "out of memory");
	bool ok = eks_store_put_pia(db_conn(e->db), cluster, json_string_value(json_object_get(doc, "associationId")),
				    json_string_value(json_object_get(doc, "namespace")),
				    json_string_value(json_object_get(doc, "serviceAccount")), text,
				    json_integer_value(json_object_get(doc, "createdAt")), err);
	free(text);
	return ok;
}

static bool create_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	pia_list l;
	if (!load(e, x, &cv, &l, err))
		return false;
	const char *ns = json_string_value(json_object_get(x->req, "namespace"));
	const char *sa = json_string_value(json_object_get(x->req, "serviceAccount"));
	eks_row same;
	bool found = false;
	if (ns && sa && !eks_store_get_pia_for(db_conn(e->db), cv.name, ns, sa, &x->a, &same, &found, err))
		return false;
	uint8_t rnd[GH_EKS_PIA_ID_RANDOM];
	gh_eks_pia_create_input in = { .partition = e->cfg.partition, .region = e->cfg.region, .account = e->account,
				       .cluster = cv.name, .req = x->req, .random = rnd, .now_ms = eks_now_ms(e),
				       .n_existing = l.n, .existing_same_sa = found ? same.key : NULL };
	json_t *doc;
	if (!engine_random(rnd, sizeof rnd, err) || !gh_eks_pia_create(&in, &doc, err))
		return false;
	return answer(x, doc, put(e, cv.name, doc, err));
}

bool engine_eks_create_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, json_t *req, json_t **out,
				    gh_err *err)
{
	name_ctx x = { .name = cluster, .req = req };
	return eks_run_op(e, c, "CreatePodIdentityAssociation", true, create_fn, &x, out, err);
}

static bool describe_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	json_t *doc = the_assoc(e, x, &cv, err);
	return doc && answer(x, doc, true);
}

bool engine_eks_describe_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str id, json_t **out,
				      gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = id };
	return eks_run_op(e, c, "DescribePodIdentityAssociation", false, describe_fn, &x, out, err);
}

static bool list_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	pia_list l;
	if (!load(e, x, &cv, &l, err))
		return false;
	json_t *keep = json_array();
	for (size_t i = 0; i < l.n; i++) {
		json_t *doc = json_loads(l.rows[i].doc, 0, NULL);
		if (doc && gh_eks_pia_matches(doc, x->pg->ns, x->pg->sa))
			json_array_append_new(keep, gh_eks_pia_summary(doc));
		json_decref(doc);
	}
	size_t from, to, total = json_array_size(keep);
	if (!eks_page_bounds(x->pg, PIA_PAGE_MAX, PIA_PAGE_MAX, total, &from, &to, err)) {
		json_decref(keep);
		return false;
	}
	json_t *page = json_array();
	for (size_t i = from; i < to; i++)
		json_array_append(page, json_array_get(keep, i));
	json_decref(keep);
	x->out = json_pack("{s:o}", "associations", page);
	eks_set_next(x->out, to, total);
	return true;
}

bool engine_eks_list_pod_identities(gh_engine *e, const gh_caller *c, gh_str cluster, const gh_eks_page *pg,
				    json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .pg = pg };
	return eks_run_op(e, c, "ListPodIdentityAssociations", false, list_fn, &x, out, err);
}

static bool update_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	json_t *cur = the_assoc(e, x, &cv, err), *doc;
	if (!cur)
		return false;
	bool ok = gh_eks_pia_update(cur, x->req, e->cfg.region, e->account, eks_now_ms(e), &doc, err);
	json_decref(cur);
	return ok && answer(x, doc, put(e, cv.name, doc, err));
}

bool engine_eks_update_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str id, json_t *req,
				    json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = id, .req = req };
	return eks_run_op(e, c, "UpdatePodIdentityAssociation", true, update_fn, &x, out, err);
}

static bool delete_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	json_t *doc = the_assoc(e, x, &cv, err);
	return doc && answer(x, doc, eks_store_delete_pia(db_conn(e->db), cv.name,
							  json_string_value(json_object_get(doc, "associationId")), err));
}

bool engine_eks_delete_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str id, json_t **out,
				    gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = id };
	return eks_run_op(e, c, "DeletePodIdentityAssociation", true, delete_fn, &x, out, err);
}

bool engine_pod_identity_lookup(gh_engine *e, const char *cluster, const char *ns, const char *sa, gh_arena *a,
				json_t **assoc, gh_err *err)
{
	*assoc = NULL;
	if (!engine_read_begin(e, err))
		return false;
	eks_row row;
	bool found = false;
	bool ok = eks_store_get_pia_for(db_conn(e->db), cluster, ns, sa, a, &row, &found, err);
	engine_read_end(e);
	if (!ok || !found)
		return ok;
	json_t *doc = json_loads(row.doc, 0, NULL);
	if (!doc)
		return gh_fail(err, GH_EKS_SERVER, 500, "stored association %s is not JSON", row.key);
	*assoc = gh_eks_pia_answer(doc);
	json_decref(doc);
	return true;
}
