/* The token pipeline: authenticate (k8s-aws-v1 token, verified locally against the
 * credential snapshot: gatehouse is its own STS), then map the identity through the
 * cluster's aws-auth. One function serves the TokenReview webhook and `explain`. */
#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "domain/authn/mapper.h"
#include "domain/eks/entry_mapper.h"
#include "domain/authn/token.h"
#include "domain/aws/arn.h"
#include "engine/engine_internal.h"
#include "engine/maps.h"

gh_creds *engine_creds_acquire(gh_engine *e);
bool engine_check_cred(const gh_cred *cr, gh_str security_token, int64_t now, gh_err *err);
void engine_signing_key(gh_engine *e, const gh_cred *cr, const sigv4_parsed *p, uint8_t key[SIGV4_KEY_LEN]);

typedef struct tracer {
	gh_trace_fn fn;
	void *ctx;
} tracer;

static void step(const tracer *t, const char *name, bool ok, const char *detail)
{
	if (t->fn)
		t->fn(t->ctx, name, ok, detail);
}

static void token_step(void *ud, int n, const char *name, bool passed, const char *detail)
{
	(void)n;
	step(ud, name, passed, detail);
}

static void fail(gh_token_review *out, int status, const gh_err *err)
{
	out->authenticated = false;
	out->status = status;
	out->error = *err;
}

bool engine_cluster_exists(gh_engine *e, gh_str cluster)
{
	gh_cluster_maps *m = maps_acquire(e);
	bool ok = maps_find(m, cluster) != NULL;
	maps_unref(m);
	return ok;
}

static void fill_identity(const gh_cred *cr, gh_str akid, gh_arena *a, gh_identity *id)
{
	gh_buf canon = { 0 };
	arn_kind kind;
	gh_err ignored;
	if (!arn_canonicalize(gh_str_c(cr->arn), &canon, &kind, &ignored))
		gh_buf_puts(&canon, cr->arn);
	*id = (gh_identity){
		.kind = cr->kind == IAM_CALLER_ROLE_SESSION ? GH_PRINCIPAL_ASSUMED_ROLE : GH_PRINCIPAL_USER,
		.arn = gh_arena_str(a, gh_str_c(cr->arn)),
		.canonical_arn = gh_arena_str(a, gh_buf_str(&canon)),
		.path_arn = gh_arena_str(a, gh_str_c(cr->role_arn ? cr->role_arn : cr->arn)),
		.account_id = gh_arena_str(a, gh_str_c(cr->account)),
		.user_id = gh_arena_str(a, gh_str_c(cr->user_id)),
		.principal_id = gh_arena_str(a, gh_str_c(cr->principal_id)),
		.session_name = gh_arena_str(a, gh_str_c(cr->session_name)),
		.access_key_id = gh_arena_str(a, akid),
		.partition = gh_arena_str(a, gh_str_c(cr->partition)),
	};
	gh_buf_free(&canon);
}

/* Local STS: the signature is checked against our own credential snapshot. */
static bool verify_locally(gh_engine *e, const token_result *tok, const sigv4_parsed *sig, gh_str cluster,
			   gh_arena *a, const tracer *t, gh_identity *id, gh_err *err)
{
	gh_creds *snap = engine_creds_acquire(e);
	const gh_cred *cr = creds_find(snap, sig->access_key_id);
	bool ok = cr != NULL;
	char detail[512];
	if (!ok) {
		gh_fail(err, "InvalidClientTokenId", 403,
			"sts getCallerIdentity failed: the access key " GH_STR_FMT
			" is not known to this STS (InvalidClientTokenId): the key was deleted, or the token was made "
			"with credentials of another AWS account or endpoint",
			GH_STR_ARG(sig->access_key_id));
		step(t, "access key is known", false, err->msg);
	} else {
		snprintf(detail, sizeof detail, "%s belongs to %s", cr->akid, cr->arn);
		step(t, "access key is known", true, detail);
		ok = engine_check_cred(cr, sig->security_token, engine_now(e), err);
		if (cr->is_session) {
			if (!ok)
				gh_fail_wrap(err, "sts getCallerIdentity failed");
			step(t, "session token is valid and unexpired", ok, ok ? "" : err->msg);
		}
	}
	if (ok) {
		uint8_t key[SIGV4_KEY_LEN];
		engine_signing_key(e, cr, sig, key);
		ok = sigv4_verify(&tok->request, sig, key, err);
		gh_secure_zero(key, sizeof key);
		if (!ok)
			gh_fail(err, "SignatureDoesNotMatch", 403,
				"sts getCallerIdentity failed: the signature does not match (SignatureDoesNotMatch): "
				"the token was altered, or it was made for another cluster than \"" GH_STR_FMT
				"\" (the cluster name is signed into the token)",
				GH_STR_ARG(cluster));
		step(t, "signature (x-k8s-aws-id bound to this cluster)", ok, ok ? "" : err->msg);
	}
	if (ok)
		fill_identity(cr, sig->access_key_id, a, id);
	creds_unref(snap);
	return ok;
}

/* A cluster made with bootstrapClusterCreatorAdminPermissions in CONFIG_MAP mode: EKS
 * maps its creator to system:masters without any aws-auth entry (as "kubernetes-admin"). */
static bool creator_mapping(const gh_cluster_map *map, const gh_identity *id, gh_arena *a, gh_str *username,
			    const gh_str **groups, size_t *ngroups, gh_str *source)
{
	if (map->mode != GH_EKS_AUTH_CONFIG_MAP || !map->bootstrap_creator || !map->creator_arn)
		return false;
	gh_buf bare = { 0 };
	bool match = arn_strip_path(gh_str_c(map->creator_arn), &bare, NULL) &&
		     gh_str_ieq(gh_buf_str(&bare), id->canonical_arn);
	gh_buf_free(&bare);
	if (!match)
		return false;
	static const gh_str masters[] = { GH_STR("system:masters") };
	*username = GH_STR("kubernetes-admin");
	*groups = masters;
	*ngroups = 1;
	gh_buf src = { 0 };
	gh_buf_printf(&src, "the cluster creator %s (bootstrapClusterCreatorAdminPermissions)", map->creator_arn);
	*source = gh_arena_str(a, gh_buf_str(&src));
	gh_buf_free(&src);
	return true;
}

static void trace_mapping(const tracer *t, const gh_eks_authn_result *ar)
{
	char detail[768];
	if (ar->ran_entries)
		for (size_t i = 0; i < ar->entries.n_trace; i++) {
			snprintf(detail, sizeof detail, GH_STR_FMT, GH_STR_ARG(ar->entries.trace[i]));
			step(t, "access entries", true, detail);
		}
	if (ar->ran_aws_auth)
		for (size_t i = 0; i < ar->aws_auth.n_trace; i++) {
			snprintf(detail, sizeof detail, GH_STR_FMT, GH_STR_ARG(ar->aws_auth.trace[i]));
			step(t, "aws-auth", true, detail);
		}
}

/* Reception: the verified identity through the cluster's mappers (the creator rule, access
 * entries and aws-auth as the cluster's mode says), filling username, groups and uid. */
static void map_identity(gh_engine *e, const gh_cluster_map *map, gh_arena *a, const tracer *tp,
			 gh_token_review *out)
{
	tracer t = *tp;
	bool trace = t.fn != NULL;
	gh_err err = { 0 };
	char detail[768];
	if (map->load_error) {
		snprintf(detail, sizeof detail, "%s could not be loaded (%s); the last good mappings are used",
			 map->source, map->load_error);
		step(&t, "aws-auth loaded", false, detail);
	} else if (map->cfg && map->cfg->n_diags) {
		gh_buf d = { 0 };
		gh_awsauth_diag_format(map->cfg, &map->cfg->diags[0], &d);
		step(&t, "aws-auth loaded", map->cfg->diags[0].severity != GH_AWSAUTH_ERROR, d.p);
		gh_buf_free(&d);
	}
	gh_mapper_opts mo = gh_mapper_opts_eks();
	mo.trace = trace;
	mo.ec2_lookup = gh_mapper_instance_table_lookup;
	mo.ec2_ctx = &e->instances;
	gh_eks_map_opts eo = { .ec2_lookup = gh_mapper_instance_table_lookup, .ec2_ctx = &e->instances,
			       .trace = trace };
	snprintf(detail, sizeof detail, "cluster authentication mode %s", gh_eks_auth_mode_name(map->mode));
	step(&t, "mappers", true, detail);
	gh_str username, source;
	const gh_str *groups;
	size_t ngroups;
	if (creator_mapping(map, &out->identity, a, &username, &groups, &ngroups, &source)) {
		snprintf(detail, sizeof detail, GH_STR_FMT, GH_STR_ARG(source));
	} else {
		gh_eks_authn_result ar;
		gh_eks_authn_map(map->mode, map->entries, map->n_entries, map->cfg, &out->identity, &eo, &mo, a, &ar);
		trace_mapping(&t, &ar);
		if (ar.status != GH_MAP_MAPPED) {
			gh_fail(&err, ar.status == GH_MAP_NOT_MAPPED ? "NotMapped" : "MappingError", 403, GH_STR_FMT,
				GH_STR_ARG(ar.message));
			snprintf(detail, sizeof detail, "%s (%s)", err.msg,
				 gh_eks_auth_mode_has_config_map(map->mode) ? map->source : "access entries");
			step(&t, "identity is mapped", false, detail);
			fail(out, 403, &err);
			return;
		}
		username = ar.username;
		groups = ar.groups;
		ngroups = ar.n_groups;
		if (ar.from == GH_EKS_FROM_ACCESS_ENTRY) {
			snprintf(detail, sizeof detail, GH_STR_FMT, GH_STR_ARG(ar.source));
			out->entry = ar.entries.entry;
		} else {
			snprintf(detail, sizeof detail, GH_STR_FMT " from %s", GH_STR_ARG(ar.source), map->source);
		}
	}
	step(&t, "identity is mapped", true, detail);
	struct gh_map_result_compat {
		gh_str username;
		const gh_str *groups;
		size_t n_groups;
	} mr = { username, groups, ngroups };
	out->authenticated = true;
	out->username = gh_arena_str(a, mr.username).p;
	out->groups = gh_arena_alloc(a, (mr.n_groups ? mr.n_groups : 1) * sizeof *out->groups);
	for (size_t i = 0; i < mr.n_groups; i++)
		out->groups[i] = gh_arena_str(a, mr.groups[i]).p;
	out->ngroups = mr.n_groups;
	out->mapping_source = gh_arena_strndup(a, detail, strlen(detail));
	gh_buf uid = { 0 };
	gh_buf_printf(&uid, "aws-iam-authenticator:" GH_STR_FMT ":" GH_STR_FMT, GH_STR_ARG(out->identity.account_id),
		      GH_STR_ARG(out->identity.user_id));
	out->uid = gh_arena_str(a, gh_buf_str(&uid)).p;
	gh_buf_free(&uid);
}

void engine_token_review(gh_engine *e, gh_str cluster, gh_str token, gh_arena *a, gh_token_review *out,
			 gh_trace_fn trace, void *trace_ctx)
{
	*out = (gh_token_review){ .entry = -1 };
	tracer t = { trace, trace_ctx };
	gh_err err = { 0 };
	gh_cluster_maps *maps = maps_acquire(e);
	const gh_cluster_map *map = maps_find(maps, cluster);
	if (!map) {
		gh_fail(&err, "NoSuchCluster", 404, "no cluster named \"" GH_STR_FMT "\" in this gatehouse",
			GH_STR_ARG(cluster));
		step(&t, "cluster exists", false, err.msg);
		fail(out, 403, &err);
		maps_unref(maps);
		return;
	}
	token_config tc = {
		.partition = e->cfg.partition,
		.server_region = e->cfg.region,
		.cluster_id = gh_arena_str(a, cluster).p,
	};
	const char **endpoints = gh_arena_alloc(a, (e->cfg.nallowed_sts + 1) * sizeof *endpoints);
	size_t nend = 0;
	if (e->cfg.own_sts_url && !e->passthrough)
		endpoints[nend++] = e->cfg.own_sts_url;
	for (size_t i = 0; i < e->cfg.nallowed_sts; i++)
		endpoints[nend++] = e->cfg.allowed_sts[i];
	tc.extra_endpoints = endpoints;
	tc.n_extra_endpoints = nend;
	token_trace tt = { token_step, &t };
	token_result tok;
	sigv4_parsed sig;
	bool ok = token_check(&tc, token, engine_now(e), a, trace ? &tt : NULL, &tok, &err) &&
		  token_parse_signature(&tok, a, trace ? &tt : NULL, &sig, &err);
	if (!ok) {
		fail(out, 403, &err);
		maps_unref(maps);
		return;
	}
	if (e->passthrough) {
		bool cached = false;
		ok = passthrough_verify(e, cluster, token, &tok, a, &cached, &out->identity, &err);
		step(&t, cached ? "STS GetCallerIdentity (cached answer)" : "STS GetCallerIdentity (pass-through)", ok,
		     ok ? "" : err.msg);
	} else {
		ok = verify_locally(e, &tok, &sig, cluster, a, &t, &out->identity, &err);
	}
	if (!ok) {
		fail(out, err.status == 429 ? 429 : 403, &err);
		maps_unref(maps);
		return;
	}
	map_identity(e, map, a, &t, out);
	maps_unref(maps);
}

bool engine_map_principal(gh_engine *e, gh_str cluster, gh_str arn, gh_str session, gh_arena *a, gh_token_review *out,
			  gh_trace_fn trace, void *trace_ctx, gh_err *err)
{
	*out = (gh_token_review){ .entry = -1 };
	tracer t = { trace, trace_ctx };
	gh_cluster_maps *maps = maps_acquire(e);
	const gh_cluster_map *map = maps_find(maps, cluster);
	bool ok = map != NULL;
	if (!ok)
		gh_fail(err, "NoSuchCluster", 404, "no cluster named \"" GH_STR_FMT "\" in this gatehouse",
			GH_STR_ARG(cluster));
	ok = ok && engine_identity_of(e, arn, session, a, &out->identity, err);
	if (ok) {
		step(&t, "IAM principal", true, out->identity.arn.p);
		map_identity(e, map, a, &t, out);
		if (!out->authenticated)
			ok = gh_fail(err, out->error.code, out->error.status, "%s", out->error.msg);
	}
	maps_unref(maps);
	return ok;
}
