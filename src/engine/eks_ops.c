/* The EKS API over the store. Each write is one transaction; clusters, entries and
 * associations change the identity mappings, so writes republish the mapping snapshot. */
#include "engine/eks.h"

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

static int64_t now_ms(gh_engine *e)
{
	return engine_now(e) * 1000;
}

/* --- who may call ------------------------------------------------------------------- */

static bool authorize(const gh_caller *c, const char *action, gh_str resource, bool write, gh_err *err)
{
	if (!write || c->cred->admin)
		return true;
	return gh_fail(err, "AccessDeniedException", 403,
		       "User: %s is not authorized to perform: eks:%s on resource: " GH_STR_FMT
		       " because no identity-based policy allows the eks:%s action",
		       c->cred->arn, action, GH_STR_ARG(resource), action);
}

static void cluster_arn(gh_engine *e, gh_str name, gh_buf *out)
{
	gh_eks_cluster_arn(out, gh_str_c(e->cfg.partition), gh_str_c(e->cfg.region), gh_str_c(e->account), name);
}

static bool authorize_cluster(gh_engine *e, const gh_caller *c, const char *action, gh_str name, bool write,
			      gh_err *err)
{
	gh_buf arn = { 0 };
	cluster_arn(e, name, &arn);
	bool ok = authorize(c, action, gh_buf_str(&arn), write, err);
	gh_buf_free(&arn);
	return ok;
}

/* --- reading inside a transaction ---------------------------------------------------- */

typedef struct cluster_view {
	char *name;
	json_t *doc; /* the Cluster document */
	gh_eks_auth_mode mode;
	bool bootstrap;
	const char *creator_arn;
} cluster_view;

static bool not_found_cluster(gh_err *err, gh_str name)
{
	return gh_fail(err, GH_EKS_RESOURCE_NOT_FOUND, GH_EKS_STATUS_RESOURCE_NOT_FOUND,
		       "No cluster found for name: " GH_STR_FMT ".", GH_STR_ARG(name));
}

/* The cluster's mode from its document; clusters made before the EKS API existed (the
 * first-start demo) have an empty document and are CONFIG_MAP with a bootstrapped creator. */
static void read_access_config(json_t *doc, gh_eks_auth_mode *mode, bool *bootstrap)
{
	json_t *ac = json_object_get(doc, "accessConfig");
	const char *m = json_string_value(json_object_get(ac, "authenticationMode"));
	*mode = GH_EKS_AUTH_CONFIG_MAP;
	if (m && !gh_eks_auth_mode_parse(gh_str_c(m), mode, NULL))
		*mode = GH_EKS_AUTH_CONFIG_MAP;
	json_t *b = json_object_get(ac, "bootstrapClusterCreatorAdminPermissions");
	*bootstrap = b ? json_is_true(b) : true;
}

static bool load_cluster(gh_engine *e, gh_str name, gh_arena *a, cluster_view *out, gh_err *err)
{
	eks_row row;
	bool found;
	char *n = (char *)gh_arena_str(a, name).p;
	if (!eks_store_get_cluster(db_conn(e->db), n, a, &row, &found, err))
		return false;
	if (!found)
		return not_found_cluster(err, name);
	out->name = n;
	out->doc = json_loads(row.doc ? row.doc : "{}", 0, NULL);
	if (!json_is_object(out->doc)) {
		json_decref(out->doc);
		out->doc = json_object();
	}
	out->creator_arn = row.extra;
	read_access_config(out->doc, &out->mode, &out->bootstrap);
	return true;
}

/* The document DescribeCluster answers: the stored one, completed for clusters that
 * predate it (the first-start demo). */
static json_t *cluster_answer(gh_engine *e, const cluster_view *cv)
{
	json_t *d = json_deep_copy(cv->doc);
	if (!json_object_get(d, "name")) {
		gh_buf arn = { 0 };
		cluster_arn(e, gh_str_c(cv->name), &arn);
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

typedef struct entry_list {
	gh_eks_access_entry *v;
	size_t n;
} entry_list;

static bool load_entries(gh_engine *e, const char *cluster, gh_arena *a, entry_list *out, gh_err *err)
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

typedef struct assoc_list {
	gh_eks_association *v;
	size_t n;
} assoc_list;

static bool load_assocs(gh_engine *e, const char *cluster, gh_str key, gh_arena *a, assoc_list *out, gh_err *err)
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

/* Runs `fn` in one read or write transaction. */
typedef bool (*eks_fn)(gh_engine *e, void *ctx, gh_err *err);

static bool in_read(gh_engine *e, eks_fn fn, void *ctx, gh_err *err)
{
	if (!engine_read_begin(e, err))
		return false;
	bool ok = fn(e, ctx, err);
	engine_read_end(e);
	return ok;
}

static bool in_write(gh_engine *e, eks_fn fn, void *ctx, gh_err *err)
{
	return engine_tx_publish(e, fn, ctx, GH_PUBLISH_MAPS, err);
}

/* One operation on a cluster: who may call, then fn in a read or write transaction. The
 * answer (x->out) is handed over on success and dropped on failure. */
typedef struct name_ctx name_ctx;
static bool run_op(gh_engine *e, const gh_caller *c, const char *action, bool write, eks_fn fn, name_ctx *x,
		   json_t **out, gh_err *err);

/* --- pagination -------------------------------------------------------------------- */

/* nextToken is the index to continue from, as an opaque-looking string. */
static bool page_bounds(const gh_eks_page *pg, int dflt, int maxv, size_t total, size_t *from, size_t *to,
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

static void set_next(json_t *out, size_t to, size_t total)
{
	if (to < total) {
		char tok[32];
		snprintf(tok, sizeof tok, "gh-%zu", to);
		json_object_set_new(out, "nextToken", json_string(tok));
	}
}

/* --- the creator's entry ------------------------------------------------------------- */

typedef struct principal_info {
	gh_str arn, id;
} principal_info;

/* The IAM principal behind `arn` in this gatehouse: its unique ID, or an error in EKS's
 * words when IAM has no such principal (EKS resolves principals in IAM). */
static bool resolve_principal(gh_engine *e, gh_str arn, gh_arena *a, principal_info *out, gh_err *err)
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

static bool put_entry(gh_engine *e, const char *cluster, const gh_eks_access_entry *en, gh_err *err)
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

static bool put_assoc(gh_engine *e, const char *cluster, gh_str key, const gh_eks_association *as, gh_err *err)
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
static bool create_creator_entry(gh_engine *e, const char *cluster, gh_str creator_arn, gh_arena *a, gh_err *err)
{
	principal_info pi;
	if (!resolve_principal(e, creator_arn, a, &pi, err))
		return gh_fail_wrap(err, "the cluster creator's access entry");
	uint8_t uuid[16];
	if (!engine_random(uuid, sizeof uuid, err))
		return false;
	gh_eks_entry_create_input in = { .cluster_name = gh_str_c(cluster), .partition = gh_str_c(e->cfg.partition),
					 .region = gh_str_c(e->cfg.region), .cluster_account = gh_str_c(e->account),
					 .principal_arn = creator_arn, .principal_id = pi.id, .now_ms = now_ms(e),
					 .uuid = uuid };
	gh_eks_access_entry en;
	entry_list existing;
	if (!load_entries(e, cluster, a, &existing, err) || !gh_eks_entry_create(&in, a, &en, err))
		return false;
	if (gh_eks_entry_find(existing.v, existing.n, creator_arn) >= 0)
		return true; /* already there (a mode change after the creator made one) */
	gh_str scope = GH_STR("cluster");
	const gh_eks_access_policy *admin = gh_eks_policy_by_name(GH_STR("AmazonEKSClusterAdminPolicy"));
	gh_buf parn = { 0 };
	gh_eks_policy_arn(&parn, gh_str_c(e->cfg.partition), admin);
	gh_eks_associate_input ai = { .entry_type = en.type, .partition = gh_str_c(e->cfg.partition),
				      .policy_arn = gh_buf_str(&parn), .scope_type = &scope, .now_ms = now_ms(e) };
	gh_eks_association as;
	long replaces;
	bool ok = gh_eks_associate(&ai, a, &as, &replaces, err) && put_entry(e, cluster, &en, err) &&
		  put_assoc(e, cluster, en.principal_key, &as, err);
	gh_buf_free(&parn);
	return ok;
}

/* The caller as EKS names a creator: a user's ARN, or the role (with its path) of a session. */
static gh_str creator_of(const gh_caller *c)
{
	return gh_str_c(c->cred->role_arn ? c->cred->role_arn : c->cred->arn);
}

/* --- clusters ------------------------------------------------------------------------ */

typedef struct create_cluster_ctx {
	const gh_caller *c;
	json_t *req, *out;
	gh_eks_cluster_settings set;
	gh_arena a;
} create_cluster_ctx;

static json_t *vpc_config(json_t *req)
{
	json_t *in = json_object_get(req, "resourcesVpcConfig");
	json_t *sub = json_object_get(in, "subnetIds"), *sg = json_object_get(in, "securityGroupIds");
	json_t *pub = json_object_get(in, "endpointPublicAccess"), *priv = json_object_get(in, "endpointPrivateAccess");
	json_t *cidrs = json_object_get(in, "publicAccessCidrs");
	return json_pack("{s:O, s:O, s:s, s:s, s:b, s:b, s:O}", "subnetIds", json_is_array(sub) ? sub : json_array(),
			 "securityGroupIds", json_is_array(sg) ? sg : json_array(), "clusterSecurityGroupId",
			 "sg-0gatehouse00000", "vpcId", "vpc-0gatehouse00000", "endpointPublicAccess",
			 pub ? json_is_true(pub) : 1, "endpointPrivateAccess", priv ? json_is_true(priv) : 0,
			 "publicAccessCidrs", json_is_array(cidrs) ? cidrs : json_pack("[s]", "0.0.0.0/0"));
}

static json_t *default_logging(void)
{
	return json_pack("{s:[{s:[s,s,s,s,s], s:b}]}", "clusterLogging", "types", "api", "audit", "authenticator",
			 "controllerManager", "scheduler", "enabled", 0);
}

static bool create_cluster_tx(gh_engine *e, void *ctx, gh_err *err)
{
	create_cluster_ctx *x = ctx;
	const char *name = gh_arena_str(&x->a, x->set.name).p;
	gh_str creator = creator_of(x->c);
	char *creator_c = gh_str_dup(creator);
	bool ok = cluster_store_create(db_conn(e->db), name, e->account, e->cfg.region, e->cfg.partition, creator_c,
				       engine_now(e), err);
	free(creator_c);
	if (ok) {
		char *doc = json_dumps(x->out, JSON_COMPACT);
		ok = doc && eks_store_set_cluster_doc(db_conn(e->db), name, doc, err);
		free(doc);
	}
	if (ok && x->set.creator_entry_now)
		ok = create_creator_entry(e, name, creator, &x->a, err);
	return ok;
}

bool engine_eks_create_cluster(gh_engine *e, const gh_caller *c, json_t *req, json_t **out, gh_err *err)
{
	create_cluster_ctx x = { .c = c, .req = req };
	gh_arena_init(&x.a, 0);
	gh_str name = eks_json_str(req, "name", &x.a);
	gh_str version = eks_json_str(req, "version", &x.a);
	json_t *ac = json_object_get(req, "accessConfig");
	gh_str mode = eks_json_str(ac, "authenticationMode", &x.a);
	json_t *bj = json_object_get(ac, "bootstrapClusterCreatorAdminPermissions");
	bool bootstrap = json_is_true(bj);
	gh_eks_create_cluster_input in = { .name = name, .version = json_object_get(req, "version") ? &version : NULL,
					   .authentication_mode = json_object_get(ac, "authenticationMode") ? &mode : NULL,
					   .bootstrap_creator_admin = bj ? &bootstrap : NULL };
	bool ok = authorize_cluster(e, c, "CreateCluster", name, true, err) &&
		  gh_eks_cluster_validate_create(&in, &x.set, err);
	if (ok && !json_is_string(json_object_get(req, "roleArn")))
		ok = gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "roleArn is required.");
	uint8_t oidc_id[16];
	ok = ok && engine_random(oidc_id, sizeof oidc_id, err);
	if (ok) {
		gh_buf arn = { 0 }, base = { 0 }, issuer = { 0 }, ep = { 0 };
		cluster_arn(e, name, &arn);
		gh_eks_oidc_issuer_base(&base, gh_str_c(e->cfg.partition), gh_str_c(e->cfg.region));
		gh_eks_oidc_issuer(&issuer, gh_buf_str(&base), oidc_id);
		gh_buf_printf(&ep, "%s", e->cfg.own_sts_url ? e->cfg.own_sts_url : "https://127.0.0.1");
		json_t *tags = json_object_get(req, "tags");
		json_t *logging = json_object_get(req, "logging");
		x.out = json_pack("{s:s%, s:s, s:f, s:s%, s:s, s:O, s:o, s:{s:s, s:s}, s:o, s:{s:{s:s}}, s:s, s:s, "
				  "s:O, s:{s:b, s:s}}",
				  "name", name.p, name.n, "arn", arn.p, "createdAt", (double)engine_now(e), "version",
				  x.set.version.p, x.set.version.n, "endpoint", ep.p, "roleArn",
				  json_object_get(req, "roleArn"), "resourcesVpcConfig", vpc_config(req),
				  "kubernetesNetworkConfig", "serviceIpv4Cidr", "10.100.0.0/16", "ipFamily", "ipv4",
				  "logging", json_is_object(logging) ? json_deep_copy(logging) : default_logging(),
				  "identity", "oidc", "issuer", issuer.p, "status", "ACTIVE", "platformVersion", "eks.1",
				  "tags", json_is_object(tags) ? tags : json_object(), "accessConfig",
				  "bootstrapClusterCreatorAdminPermissions", x.set.bootstrap_creator_admin,
				  "authenticationMode", gh_eks_auth_mode_name(x.set.mode));
		gh_buf_free(&arn);
		gh_buf_free(&base);
		gh_buf_free(&issuer);
		gh_buf_free(&ep);
		ok = x.out && in_write(e, create_cluster_tx, &x, err);
	}
	if (ok)
		*out = json_pack("{s:O}", "cluster", x.out);
	json_decref(x.out);
	gh_arena_free(&x.a);
	return ok;
}

struct name_ctx {
	gh_str name, principal, policy;
	json_t *req, *out;
	const gh_eks_page *pg;
	const gh_caller *c;
	gh_arena a;
};

static bool run_op(gh_engine *e, const gh_caller *c, const char *action, bool write, eks_fn fn, name_ctx *x,
		   json_t **out, gh_err *err)
{
	gh_arena_init(&x->a, 0);
	bool ok = authorize_cluster(e, c, action, x->name, write, err) &&
		  (write ? in_write(e, fn, x, err) : in_read(e, fn, x, err));
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

static bool describe_cluster_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	if (!load_cluster(e, x->name, &x->a, &cv, err))
		return false;
	x->out = json_pack("{s:o}", "cluster", cluster_answer(e, &cv));
	json_decref(cv.doc);
	return true;
}

bool engine_eks_describe_cluster(gh_engine *e, const gh_caller *c, gh_str name, json_t **out, gh_err *err)
{
	name_ctx x = { .name = name };
	return run_op(e, c, "DescribeCluster", false, describe_cluster_fn, &x, out, err);
}

static bool list_clusters_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	eks_row *rows;
	size_t n, from, to;
	if (!eks_store_list_clusters(db_conn(e->db), &x->a, &rows, &n, err) ||
	    !page_bounds(x->pg, CLUSTERS_PAGE_MAX, CLUSTERS_PAGE_MAX, n, &from, &to, err))
		return false;
	json_t *names = json_array();
	for (size_t i = from; i < to; i++)
		json_array_append_new(names, json_string(rows[i].key));
	x->out = json_pack("{s:o}", "clusters", names);
	set_next(x->out, to, n);
	return true;
}

bool engine_eks_list_clusters(gh_engine *e, const gh_caller *c, const gh_eks_page *pg, json_t **out, gh_err *err)
{
	name_ctx x = { .pg = pg };
	return run_op(e, c, "ListClusters", false, list_clusters_fn, &x, out, err);
}

static bool delete_cluster_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	if (!load_cluster(e, x->name, &x->a, &cv, err))
		return false;
	json_t *d = cluster_answer(e, &cv);
	json_object_set_new(d, "status", json_string("DELETING"));
	x->out = json_pack("{s:o}", "cluster", d);
	json_decref(cv.doc);
	return eks_store_delete_cluster(db_conn(e->db), cv.name, err);
}

bool engine_eks_delete_cluster(gh_engine *e, const gh_caller *c, gh_str name, json_t **out, gh_err *err)
{
	name_ctx x = { .name = name };
	return run_op(e, c, "DeleteCluster", true, delete_cluster_fn, &x, out, err);
}

static json_t *update_doc(gh_engine *e, const char *type, json_t *params)
{
	uint8_t id[16];
	char uuid[37];
	if (!gh_random_bytes(id, sizeof id))
		memset(id, 0, sizeof id);
	gh_eks_uuid_format(id, uuid);
	return json_pack("{s:{s:s, s:s, s:s, s:o, s:f, s:[]}}", "update", "id", uuid, "status", "Successful", "type",
			 type, "params", params, "createdAt", (double)engine_now(e), "errors");
}

static bool update_config_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	if (!load_cluster(e, x->name, &x->a, &cv, err))
		return false;
	json_t *doc = cluster_answer(e, &cv);
	json_decref(cv.doc);
	json_t *ac = json_object_get(x->req, "accessConfig");
	json_t *logging = json_object_get(x->req, "logging");
	json_t *vpc = json_object_get(x->req, "resourcesVpcConfig");
	int parts = (ac != NULL) + (logging != NULL) + (vpc != NULL);
	bool ok = true;
	if (parts != 1)
		ok = gh_fail(err, GH_EKS_INVALID_PARAMETER, 400,
			     parts ? "Only one type of update can be allowed." : "No changes needed for the cluster.");
	if (ok && ac) {
		gh_eks_auth_mode to;
		ok = gh_eks_auth_mode_update(cv.mode, eks_json_str(ac, "authenticationMode", &x->a), &to, err);
		if (ok) {
			gh_eks_mode_change eff = gh_eks_mode_change_effects(cv.mode, to, cv.bootstrap);
			json_object_set_new(json_object_get(doc, "accessConfig"), "authenticationMode",
					    json_string(gh_eks_auth_mode_name(to)));
			if (eff.create_creator_entry && cv.creator_arn)
				ok = create_creator_entry(e, cv.name, gh_str_c(cv.creator_arn), &x->a, err);
			x->out = update_doc(e, "AccessConfigUpdate",
					    json_pack("[{s:s, s:s}]", "type", "AuthenticationMode", "value",
						      gh_eks_auth_mode_name(to)));
		}
	} else if (ok && logging) {
		json_object_set(doc, "logging", logging);
		char *v = json_dumps(json_object_get(logging, "clusterLogging"), JSON_COMPACT);
		x->out = update_doc(e, "LoggingUpdate", json_pack("[{s:s, s:s}]", "type", "ClusterLogging", "value", v));
		free(v);
	} else if (ok && vpc) {
		json_t *cur = json_object_get(doc, "resourcesVpcConfig");
		json_t *params = json_array();
		const char *keys[] = { "endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs" };
		const char *types[] = { "EndpointPublicAccess", "EndpointPrivateAccess", "PublicAccessCidrs" };
		for (int i = 0; i < 3; i++) {
			json_t *v = json_object_get(vpc, keys[i]);
			if (!v)
				continue;
			json_object_set(cur, keys[i], v);
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			json_array_append_new(params, json_pack("{s:s, s:s}", "type", types[i], "value", s));
			free(s);
		}
		x->out = update_doc(e, "EndpointAccessUpdate", params);
	}
	if (ok) {
		char *s = json_dumps(doc, JSON_COMPACT);
		ok = s && eks_store_set_cluster_doc(db_conn(e->db), cv.name, s, err);
		free(s);
	}
	json_decref(doc);
	return ok;
}

bool engine_eks_update_cluster_config(gh_engine *e, const gh_caller *c, gh_str name, json_t *req, json_t **out,
				      gh_err *err)
{
	name_ctx x = { .name = name, .req = req };
	return run_op(e, c, "UpdateClusterConfig", true, update_config_fn, &x, out, err);
}

/* --- access entries ------------------------------------------------------------------- */

/* The cluster, checked to take access entries. */
static bool entries_cluster(gh_engine *e, name_ctx *x, cluster_view *cv, entry_list *entries, gh_err *err)
{
	if (!load_cluster(e, x->name, &x->a, cv, err))
		return false;
	json_decref(cv->doc);
	cv->doc = NULL;
	return gh_eks_require_access_entries(cv->mode, err) && load_entries(e, cv->name, &x->a, entries, err);
}

static bool find_entry(const entry_list *l, gh_str principal, long *idx, gh_err *err)
{
	*idx = gh_eks_entry_find(l->v, l->n, principal);
	return *idx >= 0 ? true : gh_eks_fail_entry_not_found(err);
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
					 .principal_arn = parn, .now_ms = now_ms(e) };
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
	bool exists = resolve_principal(e, parn, &x->a, &pi, &lookup);
	in.principal_id = exists ? pi.id : GH_STR("");
	in.uuid = uuid;
	gh_eks_access_entry en;
	if (!engine_random(uuid, sizeof uuid, err) || !gh_eks_entry_create(&in, &x->a, &en, err))
		return false;
	if (!exists)
		return gh_fail(err, lookup.code, lookup.status, "%s", lookup.msg);
	if (!gh_eks_entry_check_unique(en.principal_key, entries.v, entries.n, err) ||
	    !put_entry(e, cv.name, &en, err))
		return false;
	x->out = json_pack("{s:o}", "accessEntry", eks_entry_to_json(&en, false));
	return true;
}

bool engine_eks_create_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, json_t *req, json_t **out,
				    gh_err *err)
{
	name_ctx x = { .name = cluster, .req = req };
	return run_op(e, c, "CreateAccessEntry", true, create_entry_fn, &x, out, err);
}

static bool describe_entry_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!entries_cluster(e, x, &cv, &entries, err) || !find_entry(&entries, x->principal, &i, err))
		return false;
	x->out = json_pack("{s:o}", "accessEntry", eks_entry_to_json(&entries.v[i], false));
	return true;
}

bool engine_eks_describe_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
				      json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal };
	return run_op(e, c, "DescribeAccessEntry", false, describe_entry_fn, &x, out, err);
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
			if (!load_assocs(e, cv.name, entries.v[i].principal_key, &x->a, &as, err))
				return false;
			match = gh_eks_association_find(as.v, as.n, x->pg->filter) >= 0;
		}
		if (match)
			keep[nk++] = &entries.v[i].principal_arn;
	}
	size_t from, to;
	if (!page_bounds(x->pg, ENTRIES_PAGE_MAX, ENTRIES_PAGE_MAX, nk, &from, &to, err))
		return false;
	json_t *arr = json_array();
	for (size_t i = from; i < to; i++)
		json_array_append_new(arr, json_stringn(keep[i]->p, keep[i]->n));
	x->out = json_pack("{s:o}", "accessEntries", arr);
	set_next(x->out, to, nk);
	return true;
}

bool engine_eks_list_access_entries(gh_engine *e, const gh_caller *c, gh_str cluster, const gh_eks_page *pg,
				    json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .pg = pg };
	return run_op(e, c, "ListAccessEntries", false, list_entries_fn, &x, out, err);
}

static bool update_entry_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!entries_cluster(e, x, &cv, &entries, err) || !find_entry(&entries, x->principal, &i, err))
		return false;
	gh_str username = eks_json_str(x->req, "username", &x->a);
	gh_eks_entry_update_input in = { .now_ms = now_ms(e) };
	if (json_object_get(x->req, "username"))
		in.username = &username;
	json_t *groups = json_object_get(x->req, "kubernetesGroups");
	if (groups) {
		in.has_groups = true;
		if (!eks_json_strs(groups, &x->a, &in.groups, &in.n_groups))
			return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "kubernetesGroups must be a list of strings.");
	}
	gh_eks_access_entry en;
	if (!gh_eks_entry_update(&entries.v[i], &in, &x->a, &en, err) || !put_entry(e, cv.name, &en, err))
		return false;
	x->out = json_pack("{s:o}", "accessEntry", eks_entry_to_json(&en, false));
	return true;
}

bool engine_eks_update_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, json_t *req,
				    json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal, .req = req };
	return run_op(e, c, "UpdateAccessEntry", true, update_entry_fn, &x, out, err);
}

static bool delete_entry_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!entries_cluster(e, x, &cv, &entries, err) || !find_entry(&entries, x->principal, &i, err))
		return false;
	char *key = gh_str_dup(entries.v[i].principal_key);
	bool ok = eks_store_delete_entry(db_conn(e->db), cv.name, key, err); /* associations cascade */
	free(key);
	return ok;
}

bool engine_eks_delete_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal };
	return run_op(e, c, "DeleteAccessEntry", true, delete_entry_fn, &x, NULL, err);
}

/* --- access policies ------------------------------------------------------------------ */

static bool associate_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!entries_cluster(e, x, &cv, &entries, err) || !find_entry(&entries, x->principal, &i, err))
		return false;
	const gh_eks_access_entry *en = &entries.v[i];
	assoc_list have;
	if (!load_assocs(e, cv.name, en->principal_key, &x->a, &have, err))
		return false;
	json_t *scope = json_object_get(x->req, "accessScope");
	gh_str stype = eks_json_str(scope, "type", &x->a);
	gh_eks_associate_input in = { .entry_type = en->type, .partition = gh_str_c(e->cfg.partition),
				      .policy_arn = eks_json_str(x->req, "policyArn", &x->a),
				      .existing = have.v, .n_existing = have.n, .now_ms = now_ms(e) };
	if (json_object_get(scope, "type"))
		in.scope_type = &stype;
	if (!eks_json_strs(json_object_get(scope, "namespaces"), &x->a, &in.namespaces, &in.n_namespaces))
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "accessScope.namespaces must be a list of strings.");
	gh_eks_association as;
	long replaces;
	if (!gh_eks_associate(&in, &x->a, &as, &replaces, err) || !put_assoc(e, cv.name, en->principal_key, &as, err))
		return false;
	x->out = json_pack("{s:s, s:s%, s:o}", "clusterName", cv.name, "principalArn", en->principal_arn.p,
			   en->principal_arn.n, "associatedAccessPolicy", eks_assoc_to_json(&as, false));
	return true;
}

bool engine_eks_associate_policy(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, json_t *req,
				 json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal, .req = req };
	return run_op(e, c, "AssociateAccessPolicy", true, associate_fn, &x, out, err);
}

static bool disassociate_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	entry_list entries;
	long i;
	if (!entries_cluster(e, x, &cv, &entries, err) || !find_entry(&entries, x->principal, &i, err))
		return false;
	assoc_list have;
	if (!load_assocs(e, cv.name, entries.v[i].principal_key, &x->a, &have, err))
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
	return run_op(e, c, "DisassociateAccessPolicy", true, disassociate_fn, &x, NULL, err);
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
	    !load_assocs(e, cv.name, entries.v[i].principal_key, &x->a, &have, err) ||
	    !page_bounds(x->pg, ENTRIES_PAGE_MAX, ENTRIES_PAGE_MAX, have.n, &from, &to, err))
		return false;
	json_t *arr = json_array();
	for (size_t k = from; k < to; k++)
		json_array_append_new(arr, eks_assoc_to_json(&have.v[k], false));
	const gh_str *parn = &entries.v[i].principal_arn;
	x->out = json_pack("{s:s, s:s%, s:o}", "clusterName", cv.name, "principalArn", parn->p, parn->n,
			   "associatedAccessPolicies", arr);
	set_next(x->out, to, have.n);
	return true;
}

bool engine_eks_list_associated_policies(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
					 const gh_eks_page *pg, json_t **out, gh_err *err)
{
	name_ctx x = { .name = cluster, .principal = principal, .pg = pg };
	return run_op(e, c, "ListAssociatedAccessPolicies", false, list_associated_fn, &x, out, err);
}

bool engine_eks_list_access_policies(gh_engine *e, const gh_caller *c, const gh_eks_page *pg, json_t **out,
				     gh_err *err)
{
	(void)c;
	size_t n = gh_eks_policy_count(), from, to;
	if (!page_bounds(pg, 100, 100, n, &from, &to, err))
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
	set_next(*out, to, n);
	return true;
}

/* --- tags ----------------------------------------------------------------------------- */

typedef struct tag_ctx {
	gh_str arn;
	json_t *tags;	     /* TagResource */
	const gh_str *keys;  /* UntagResource */
	size_t nkeys;
	json_t *out;	     /* ListTagsForResource */
	gh_arena a;
} tag_ctx;

/* The tagged document of `arn`: a cluster's or an access entry's. *entry_key is set for
 * an access entry. */
static bool tagged_doc(gh_engine *e, tag_ctx *x, const char **cluster, const char **entry_key, json_t **doc,
		       gh_err *err)
{
	arn_parts p;
	*entry_key = NULL;
	if (!arn_parse(x->arn, &p, NULL) || !gh_str_eq_c(p.service, "eks"))
		return gh_fail(err, "BadRequestException", 400, "Invalid resource ARN: " GH_STR_FMT, GH_STR_ARG(x->arn));
	gh_str kind, rest, name, tail;
	(void)gh_str_cut(p.resource, '/', &kind, &rest);
	(void)gh_str_cut(rest, '/', &name, &tail);
	eks_row row;
	bool found = false;
	if ((gh_str_eq_c(kind, "cluster") || gh_str_eq_c(kind, "access-entry")) &&
	    !eks_store_get_cluster(db_conn(e->db), gh_arena_str(&x->a, name).p, &x->a, &row, &found, err))
		return false;
	if (found && gh_str_eq_c(kind, "cluster")) {
		*cluster = row.key;
		*doc = json_loads(row.doc, 0, NULL);
		/* Clusters made before the EKS API carry no ARN in their document. */
		gh_buf arn = { 0 };
		cluster_arn(e, gh_str_c(row.key), &arn);
		found = *doc && gh_str_eq(gh_buf_str(&arn), x->arn);
		gh_buf_free(&arn);
		if (found)
			return true;
		json_decref(*doc);
	} else if (found) {
		eks_row *rows;
		size_t n;
		if (!eks_store_list_entries(db_conn(e->db), row.key, &x->a, &rows, &n, err))
			return false;
		for (size_t i = 0; i < n; i++) {
			json_t *d = json_loads(rows[i].doc, 0, NULL);
			if (d && gh_str_eq_c(x->arn, json_string_value(json_object_get(d, "accessEntryArn")))) {
				*cluster = row.key;
				*entry_key = rows[i].key;
				*doc = d;
				return true;
			}
			json_decref(d);
		}
	}
	return gh_fail(err, "NotFoundException", 404, "Resource " GH_STR_FMT " was not found.", GH_STR_ARG(x->arn));
}

static bool save_tagged(gh_engine *e, const char *cluster, const char *entry_key, json_t *doc, gh_err *err)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	bool ok = s && (entry_key ? eks_store_put_entry(db_conn(e->db), cluster, entry_key, s,
							json_integer_value(json_object_get(doc, "createdAt")), err)
				  : eks_store_set_cluster_doc(db_conn(e->db), cluster, s, err));
	free(s);
	return ok;
}

static bool tag_fn(gh_engine *e, void *ctx, gh_err *err)
{
	tag_ctx *x = ctx;
	const char *cluster = NULL, *key = NULL;
	json_t *doc = NULL;
	if (!tagged_doc(e, x, &cluster, &key, &doc, err))
		return false;
	json_t *tags = json_object_get(doc, "tags");
	if (!json_is_object(tags)) {
		tags = json_object();
		json_object_set_new(doc, "tags", tags);
	}
	bool ok = true;
	if (x->tags) {
		json_object_update(tags, x->tags);
		if (json_object_size(tags) > GH_EKS_TAGS_MAX)
			ok = gh_fail(err, "BadRequestException", 400, "The resource can have at most %d tags.",
				     GH_EKS_TAGS_MAX);
	}
	for (size_t i = 0; i < x->nkeys; i++) {
		char *k = gh_str_dup(x->keys[i]);
		json_object_del(tags, k);
		free(k);
	}
	if (ok && (x->tags || x->nkeys))
		ok = save_tagged(e, cluster, key, doc, err);
	if (ok && !x->tags && !x->nkeys)
		x->out = json_pack("{s:O}", "tags", tags);
	json_decref(doc);
	return ok;
}

static bool check_tags(json_t *tags, gh_err *err)
{
	if (!json_is_object(tags) || json_object_size(tags) < 1)
		return gh_fail(err, "BadRequestException", 400, "tags must be a map of 1 to %d entries.", GH_EKS_TAGS_MAX);
	const char *k;
	json_t *v;
	json_object_foreach(tags, k, v) {
		size_t kl = strlen(k);
		if (kl < 1 || kl > GH_EKS_TAG_KEY_MAX || !json_is_string(v) || json_string_length(v) > GH_EKS_TAG_VALUE_MAX)
			return gh_fail(err, "BadRequestException", 400,
				       "Tag keys must be 1 to %d characters and values at most %d.", GH_EKS_TAG_KEY_MAX,
				       GH_EKS_TAG_VALUE_MAX);
		if (strncmp(k, "aws:", 4) == 0)
			return gh_fail(err, "BadRequestException", 400, "Tag keys cannot start with aws:");
	}
	return true;
}

bool engine_eks_tag(gh_engine *e, const gh_caller *c, gh_str arn, json_t *tags, const gh_str *keys, size_t nkeys,
		    json_t **out, gh_err *err)
{
	tag_ctx x = { .arn = arn, .tags = tags, .keys = keys, .nkeys = nkeys };
	gh_arena_init(&x.a, 0);
	bool write = tags || nkeys;
	const char *action = tags ? "TagResource" : nkeys ? "UntagResource" : "ListTagsForResource";
	bool ok = authorize(c, action, arn, write, err) && (!tags || check_tags(tags, err)) &&
		  (write ? engine_tx(e, tag_fn, &x, err) : in_read(e, tag_fn, &x, err));
	gh_arena_free(&x.a);
	*out = ok ? (x.out ? x.out : json_object()) : NULL;
	if (!ok)
		json_decref(x.out);
	return ok;
}
