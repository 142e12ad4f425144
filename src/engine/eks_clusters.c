/* EKS clusters and tags. Each write is one transaction and republishes the mappings. */
#include "engine/eks_internal.h"
#include "engine/kube.h"
#include "engine/oidc.h"
#include "store/oidc_store.h"

#include <stdint.h>
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
	return json_pack("{s:o, s:o, s:s, s:s, s:b, s:b, s:o}", "subnetIds",
			 json_is_array(sub) ? json_incref(sub) : json_array(), "securityGroupIds",
			 json_is_array(sg) ? json_incref(sg) : json_array(), "clusterSecurityGroupId",
			 "sg-0gatehouse00000", "vpcId", "vpc-0gatehouse00000", "endpointPublicAccess",
			 pub ? json_is_true(pub) : 1, "endpointPrivateAccess", priv ? json_is_true(priv) : 0,
			 "publicAccessCidrs", json_is_array(cidrs) ? json_incref(cidrs) : json_pack("[s]", "0.0.0.0/0"));
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
	gh_str creator = eks_creator_of(x->c);
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
		ok = eks_create_creator_entry(e, name, creator, &x->a, err);
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
	bool ok = eks_authorize_cluster(e, c, "CreateCluster", name, true, err) &&
		  gh_eks_cluster_validate_create(&in, &x.set, err);
	if (ok && !json_is_string(json_object_get(req, "roleArn")))
		ok = gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "roleArn is required.");
	uint8_t oidc_id[16];
	ok = ok && engine_random(oidc_id, sizeof oidc_id, err);
	if (ok) {
		gh_buf arn = { 0 }, base = { 0 }, issuer = { 0 }, ep = { 0 };
		eks_cluster_arn(e, name, &arn);
		gh_eks_oidc_issuer_base(&base, gh_str_c(e->cfg.partition), gh_str_c(e->cfg.region));
		gh_eks_oidc_issuer(&issuer, gh_buf_str(&base), oidc_id);
		gh_buf_printf(&ep, "%s", e->cfg.own_sts_url ? e->cfg.own_sts_url : "https://127.0.0.1");
		json_t *tags = json_object_get(req, "tags");
		json_t *logging = json_object_get(req, "logging");
		x.out = json_pack("{s:s%, s:s, s:f, s:s%, s:s, s:O, s:o, s:{s:s, s:s}, s:o, s:{s:{s:s}}, s:s, s:s, "
				  "s:o, s:{s:b, s:s}}",
				  "name", name.p, name.n, "arn", arn.p, "createdAt", (double)engine_now(e), "version",
				  x.set.version.p, x.set.version.n, "endpoint", ep.p, "roleArn",
				  json_object_get(req, "roleArn"), "resourcesVpcConfig", vpc_config(req),
				  "kubernetesNetworkConfig", "serviceIpv4Cidr", "10.100.0.0/16", "ipFamily", "ipv4",
				  "logging", json_is_object(logging) ? json_deep_copy(logging) : default_logging(),
				  "identity", "oidc", "issuer", issuer.p, "status", "ACTIVE", "platformVersion", "eks.1",
				  "tags", json_is_object(tags) ? json_incref(tags) : json_object(), "accessConfig",
				  "bootstrapClusterCreatorAdminPermissions", x.set.bootstrap_creator_admin,
				  "authenticationMode", gh_eks_auth_mode_name(x.set.mode));
		gh_buf_free(&arn);
		gh_buf_free(&base);
		gh_buf_free(&issuer);
		gh_buf_free(&ep);
		ok = x.out && eks_in_write(e, create_cluster_tx, &x, err);
	}
	/* the Kubernetes side: default namespaces, as a new EKS cluster has them */
	if (ok) {
		char *cname = gh_str_dup(name);
		ok = cname && kube_cluster_created(e, cname, err);
		free(cname);
	}
	if (ok)
		*out = json_pack("{s:O}", "cluster", x.out);
	json_decref(x.out);
	gh_arena_free(&x.a);
	return ok;
}

static bool describe_cluster_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	if (!eks_load_cluster(e, x->name, &x->a, &cv, err))
		return false;
	x->out = json_pack("{s:o}", "cluster", eks_cluster_answer(e, &cv));
	json_decref(cv.doc);
	return true;
}

bool engine_eks_describe_cluster(gh_engine *e, const gh_caller *c, gh_str name, json_t **out, gh_err *err)
{
	name_ctx x = { .name = name };
	return eks_run_op(e, c, "DescribeCluster", false, describe_cluster_fn, &x, out, err);
}

static bool list_clusters_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	eks_row *rows;
	size_t n, from, to;
	if (!eks_store_list_clusters(db_conn(e->db), &x->a, &rows, &n, err) ||
	    !eks_page_bounds(x->pg, CLUSTERS_PAGE_MAX, CLUSTERS_PAGE_MAX, n, &from, &to, err))
		return false;
	json_t *names = json_array();
	for (size_t i = from; i < to; i++)
		json_array_append_new(names, json_string(rows[i].key));
	x->out = json_pack("{s:o}", "clusters", names);
	eks_set_next(x->out, to, n);
	return true;
}

bool engine_eks_list_clusters(gh_engine *e, const gh_caller *c, const gh_eks_page *pg, json_t **out, gh_err *err)
{
	name_ctx x = { .pg = pg };
	return eks_run_op(e, c, "ListClusters", false, list_clusters_fn, &x, out, err);
}

static bool delete_cluster_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	if (!eks_load_cluster(e, x->name, &x->a, &cv, err))
		return false;
	json_t *d = eks_cluster_answer(e, &cv);
	json_object_set_new(d, "status", json_string("DELETING"));
	x->out = json_pack("{s:o}", "cluster", d);
	json_decref(cv.doc);
	/* the signing keys go too: a cluster re-created under the name gets a new issuer */
	return eks_store_delete_cluster(db_conn(e->db), cv.name, err) &&
	       oidc_store_prune_keys(db_conn(e->db), cv.name, INT64_MAX, err);
}

bool engine_eks_delete_cluster(gh_engine *e, const gh_caller *c, gh_str name, json_t **out, gh_err *err)
{
	name_ctx x = { .name = name };
	if (!eks_run_op(e, c, "DeleteCluster", true, delete_cluster_fn, &x, out, err))
		return false;
	char *cname = gh_str_dup(name);
	if (cname) {
		kube_cluster_deleted(e, cname); /* the store rows went with the cluster (ON DELETE CASCADE) */
		oidc_cluster_deleted(e, cname);
	}
	free(cname);
	return true;
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
	if (!eks_load_cluster(e, x->name, &x->a, &cv, err))
		return false;
	json_t *doc = eks_cluster_answer(e, &cv);
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
				ok = eks_create_creator_entry(e, cv.name, gh_str_c(cv.creator_arn), &x->a, err);
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
		if (!json_is_object(cur)) {
			/* the first-start demo cluster has no VPC document yet: EKS's defaults */
			cur = vpc_config(NULL);
			json_object_set_new(doc, "resourcesVpcConfig", cur);
		}
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

/* AssociateEncryptionConfig: records the KMS key that envelope-encrypts the cluster's
 * Secrets. The sandbox has no KMS: every Secret is already sealed under a data key of its
 * own wrapped by the KEK; the provider is recorded and answered as EKS does, and a second
 * association is refused as EKS refuses it. */
static bool associate_encryption_fn(gh_engine *e, void *ctx, gh_err *err)
{
	name_ctx *x = ctx;
	cluster_view cv;
	if (!eks_load_cluster(e, x->name, &x->a, &cv, err))
		return false;
	json_t *doc = eks_cluster_answer(e, &cv);
	json_decref(cv.doc);
	json_t *cfg = json_object_get(x->req, "encryptionConfig");
	bool ok = true;
	if (json_array_size(json_object_get(doc, "encryptionConfig")))
		ok = gh_fail(err, "InvalidRequestException", 400, "Encryption is already enabled on the cluster");
	else if (json_array_size(cfg) != 1)
		ok = gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "encryptionConfig must hold exactly one entry.");
	json_t *entry = json_array_get(cfg, 0);
	json_t *res = json_object_get(entry, "resources");
	const char *key = json_string_value(json_object_get(json_object_get(entry, "provider"), "keyArn"));
	if (ok && (json_array_size(res) != 1 || !json_is_string(json_array_get(res, 0)) ||
		   strcmp(json_string_value(json_array_get(res, 0)), "secrets") != 0))
		ok = gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "Only secrets can be encrypted: resources must be [\"secrets\"].");
	if (ok && (!key || strncmp(key, "arn:", 4) != 0 || !strstr(key, ":kms:")))
		ok = gh_fail(err, GH_EKS_INVALID_PARAMETER, 400, "provider.keyArn must be the ARN of a KMS key.");
	if (ok) {
		json_t *stored = json_pack("[{s:[s], s:{s:s}}]", "resources", "secrets", "provider", "keyArn", key);
		char *v = json_dumps(stored, JSON_COMPACT);
		json_object_set_new(doc, "encryptionConfig", stored);
		x->out = update_doc(e, "AssociateEncryptionConfig",
				    json_pack("[{s:s, s:s}]", "type", "EncryptionConfig", "value", v ? v : "[]"));
		free(v);
		char *s = json_dumps(doc, JSON_COMPACT);
		ok = s && eks_store_set_cluster_doc(db_conn(e->db), cv.name, s, err);
		free(s);
	}
	json_decref(doc);
	return ok;
}

bool engine_eks_associate_encryption_config(gh_engine *e, const gh_caller *c, gh_str name, json_t *req,
					     json_t **out, gh_err *err)
{
	name_ctx x = { .name = name, .req = req };
	return eks_run_op(e, c, "AssociateEncryptionConfig", true, associate_encryption_fn, &x, out, err);
}

bool engine_eks_update_cluster_config(gh_engine *e, const gh_caller *c, gh_str name, json_t *req, json_t **out,
				      gh_err *err)
{
	name_ctx x = { .name = name, .req = req };
	return eks_run_op(e, c, "UpdateClusterConfig", true, update_config_fn, &x, out, err);
}

/* --- tags ----------------------------------------------------------------------------- */

typedef struct tag_ctx {
	gh_str arn;
	json_t *tags;	     /* TagResource */
	const gh_str *keys;  /* UntagResource */
	size_t nkeys;
	json_t *out;	     /* ListTagsForResource */
	bool pia;	     /* the ARN is a Pod Identity association's */
	gh_arena a;
} tag_ctx;

/* The tagged document of `arn`: a cluster's, an access entry's or a Pod Identity
 * association's. *entry_key is set for an access entry, x->pia for an association. */
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
	if ((gh_str_eq_c(kind, "cluster") || gh_str_eq_c(kind, "access-entry") ||
	     gh_str_eq_c(kind, "podidentityassociation")) &&
	    !eks_store_get_cluster(db_conn(e->db), gh_arena_str(&x->a, name).p, &x->a, &row, &found, err))
		return false;
	if (found && gh_str_eq_c(kind, "cluster")) {
		*cluster = row.key;
		*doc = json_loads(row.doc, 0, NULL);
		/* Clusters made before the EKS API carry no ARN in their document. */
		gh_buf arn = { 0 };
		eks_cluster_arn(e, gh_str_c(row.key), &arn);
		found = *doc && gh_str_eq(gh_buf_str(&arn), x->arn);
		gh_buf_free(&arn);
		if (found)
			return true;
		json_decref(*doc);
	} else if (found && gh_str_eq_c(kind, "podidentityassociation")) {
		eks_row *rows;
		size_t n;
		if (!eks_store_list_pias(db_conn(e->db), row.key, &x->a, &rows, &n, err))
			return false;
		for (size_t i = 0; i < n; i++) {
			json_t *d = json_loads(rows[i].doc, 0, NULL);
			if (d && gh_str_eq_c(x->arn, json_string_value(json_object_get(d, "associationArn")))) {
				*cluster = row.key;
				x->pia = true;
				*doc = d;
				return true;
			}
			json_decref(d);
		}
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

static bool save_tagged(gh_engine *e, const tag_ctx *x, const char *cluster, const char *entry_key, json_t *doc,
			gh_err *err)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	if (s && x->pia) {
		bool ok = eks_store_put_pia(db_conn(e->db), cluster, json_string_value(json_object_get(doc, "associationId")),
					    json_string_value(json_object_get(doc, "namespace")),
					    json_string_value(json_object_get(doc, "serviceAccount")), s,
					    json_integer_value(json_object_get(doc, "createdAt")), err);
		free(s);
		return ok;
	}
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
		ok = save_tagged(e, x, cluster, key, doc, err);
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
	bool ok = eks_authorize(c, action, arn, write, err) && (!tags || check_tags(tags, err)) &&
		  (write ? engine_tx(e, tag_fn, &x, err) : eks_in_read(e, tag_fn, &x, err));
	gh_arena_free(&x.a);
	*out = ok ? (x.out ? x.out : json_object()) : NULL;
	if (!ok)
		json_decref(x.out);
	return ok;
}
