/* can-i, who-can and `explain access`: authorization questions answered offline from a
 * state directory (and extra manifests), with the same pipeline the webhooks use. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "cmd/cmd.h"
#include "cmd/files.h"
#include "cmd/statefiles.h"
#include "domain/eks/policy_authz.h"
#include "engine/authz.h"
#include "engine/maps.h"

#define MAX_GROUPS 64

typedef struct access_args {
	const char *dir, *cluster, *ns, *as, *session, *manifests;
	const char *groups[MAX_GROUPS];
	size_t ngroups;
	const char *verb, *resource, *name;
	bool quiet;
} access_args;

static void usage(FILE *f, const char *cmd)
{
	fprintf(f,
		"usage: gatehouse %s VERB RESOURCE [NAME] [-n NAMESPACE] %s[options]\n\n"
		"RESOURCE is kubectl's form: pods, pods/log, deployments.apps, or a non-resource URL\n"
		"such as /healthz.%s\n\n"
		"options:\n"
		"  --state-dir DIR        the state directory of `gatehouse serve` (default ./var)\n"
		"  --cluster NAME         the cluster (default demo)\n"
		"  -n, --namespace NS     the namespace (default: cluster scope)\n"
		"  -f, --filename PATH    RBAC manifests (file or folder) to decide with, instead of serve's --rbac\n",
		cmd, strcmp(cmd, "who-can") ? "--as USER|ARN [--as-group G]... " : "",
		strcmp(cmd, "who-can") ? " --as takes a Kubernetes username (impersonation, as kubectl's\n"
					 "--as: access-policy grants do not apply) or an IAM user or role ARN of this\n"
					 "gatehouse, mapped through the cluster's access entries and aws-auth."
				       : " Lists every user, group, service account and IAM principal that may.");
	if (strcmp(cmd, "who-can"))
		fprintf(f, "  --as USER|ARN          who asks\n"
			   "  --as-group GROUP       a group of --as USER (repeatable)\n"
			   "  --session-name NAME    the role session name for a role ARN (default gatehouse)\n");
	if (strcmp(cmd, "can-i") == 0)
		fprintf(f, "  -q, --quiet            no output; the exit code answers (0 yes, 1 no)\n");
}

static int parse(int argc, char **argv, const char *cmd, access_args *x)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, 0, 's' }, { "cluster", required_argument, 0, 'c' },
		{ "namespace", required_argument, 0, 'n' }, { "as", required_argument, 0, 'a' },
		{ "as-group", required_argument, 0, 'g' },  { "session-name", required_argument, 0, 'S' },
		{ "filename", required_argument, 0, 'f' },  { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },	    { 0, 0, 0, 0 },
	};
	*x = (access_args){ .dir = "./var", .cluster = "demo", .ns = "", .session = "gatehouse" };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's': x->dir = optarg; break;
		case 'c': x->cluster = optarg; break;
		case 'n': x->ns = optarg; break;
		case 'a': x->as = optarg; break;
		case 'g':
			if (x->ngroups == MAX_GROUPS) {
				fprintf(stderr, "%s: at most %d --as-group\n", cmd, MAX_GROUPS);
				return 2;
			}
			x->groups[x->ngroups++] = optarg;
			break;
		case 'S': x->session = optarg; break;
		case 'f': x->manifests = optarg; break;
		case 'q': x->quiet = true; break;
		case 'h': usage(stdout, cmd); return 0;
		default: usage(stderr, cmd); return 2;
		}
	}
	int rest = argc - optind;
	if (rest < 2 || rest > 3) {
		usage(stderr, cmd);
		return 2;
	}
	x->verb = argv[optind];
	x->resource = argv[optind + 1];
	x->name = rest == 3 ? argv[optind + 2] : "";
	if (strcmp(cmd, "who-can") != 0 && !x->as) {
		fprintf(stderr, "%s: --as USER|ARN is required: gatehouse answers for a given identity\n", cmd);
		return 2;
	}
	return -1;
}

typedef struct session {
	gh_engine *e;
	void *settings;
	char *sts_url, *region;
	gh_arena a;
} session;

static bool open_state(const access_args *x, const char *cmd, session *s)
{
	*s = (session){ 0 };
	gh_arena_init(&s->a, 0);
	s->sts_url = statefiles_env(x->dir, "GATEHOUSE_AWS_URL");
	s->region = statefiles_env(x->dir, "AWS_DEFAULT_REGION");
	gh_engine_config cfg = { .state_dir = x->dir, .region = s->region ? s->region : "us-east-1",
				 .partition = "aws", .own_sts_url = s->sts_url, .read_only = true };
	s->settings = files_read_settings(x->dir, &cfg);
	if (x->manifests)
		cfg.rbac_path = x->manifests;
	gh_err err = { 0 };
	if (!engine_open(&cfg, &s->e, NULL, &err)) {
		fprintf(stderr, "%s: %s\n", cmd, err.msg);
		return false;
	}
	return true;
}

static void close_state(session *s)
{
	engine_close(s->e);
	files_settings_free(s->settings);
	free(s->sts_url);
	free(s->region);
	gh_arena_free(&s->a);
}

static void trace_line(void *ctx, const char *step, bool ok, const char *detail)
{
	int *n = ctx;
	printf("%2d. %-5s %s%s%s\n", ++*n, ok ? "ok" : "no", step, detail && *detail ? ": " : "", detail ? detail : "");
}

/* The request as the cluster sees it; --as ARN goes through the mappers first. */
static bool build_request(session *s, const access_args *x, const char *cmd, bool trace, int *steps,
			  gh_authz_req *r)
{
	*r = (gh_authz_req){ 0 };
	rbac_attrs *at = &r->attrs;
	at->verb = gh_str_c(x->verb);
	at->namespace = gh_str_c(x->ns);
	at->name = gh_str_c(x->name);
	authz_parse_resource(gh_str_c(x->resource), at);
	if (strncmp(x->as, "arn:", 4) == 0) {
		gh_token_review tr;
		gh_err err = { 0 };
		if (!engine_map_principal(s->e, gh_str_c(x->cluster), gh_str_c(x->as), gh_str_c(x->session), &s->a, &tr,
					  trace ? trace_line : NULL, steps, &err)) {
			fprintf(stderr, "%s: %s: %s\n", cmd, x->as, err.msg);
			return false;
		}
		at->user.name = gh_str_c(tr.username);
		gh_str *g = gh_arena_alloc(&s->a, (tr.ngroups + 1) * sizeof *g);
		for (size_t i = 0; i < tr.ngroups; i++)
			g[i] = gh_str_c(tr.groups[i]);
		g[tr.ngroups] = GH_STR("system:authenticated");
		at->user.groups = g;
		at->user.ngroups = tr.ngroups + 1;
		at->user.has_extra = true;
		r->principal_id = tr.identity.principal_id;
		return true;
	}
	/* A plain username is impersonation: kube-apiserver adds system:authenticated, and
	 * access policies do not apply (EKS's documented behaviour). */
	gh_str *g = gh_arena_alloc(&s->a, (x->ngroups + 1) * sizeof *g);
	size_t n = 0;
	bool has_auth = false;
	for (size_t i = 0; i < x->ngroups; i++) {
		g[n++] = gh_str_c(x->groups[i]);
		has_auth |= strcmp(x->groups[i], "system:authenticated") == 0 ||
			    strcmp(x->groups[i], "system:unauthenticated") == 0;
	}
	if (!has_auth)
		g[n++] = strcmp(x->as, "system:anonymous") == 0 ? GH_STR("system:unauthenticated")
								: GH_STR("system:authenticated");
	at->user = (rbac_user){ .name = gh_str_c(x->as), .groups = g, .ngroups = n };
	r->impersonated = true;
	return true;
}

int cmd_can_i(int argc, char **argv)
{
	access_args x;
	int rc = parse(argc, argv, "can-i", &x);
	if (rc >= 0)
		return rc;
	session s;
	if (!open_state(&x, "can-i", &s))
		return 1;
	gh_authz_req r;
	gh_authz_res res;
	gh_err err = { 0 };
	rc = 1;
	if (build_request(&s, &x, "can-i", false, NULL, &r)) {
		if (engine_authorize(s.e, gh_str_c(x.cluster), &r, &s.a, &res, NULL, NULL, &err)) {
			if (!x.quiet)
				printf("%s\n", res.allowed ? "yes" : "no");
			rc = res.allowed ? 0 : 1;
		} else {
			fprintf(stderr, "can-i: %s\n", err.msg);
		}
	}
	close_state(&s);
	return rc;
}

int cmd_explain_access(int argc, char **argv)
{
	access_args x;
	int rc = parse(argc, argv, "explain access", &x);
	if (rc >= 0)
		return rc;
	session s;
	if (!open_state(&x, "explain", &s))
		return 1;
	int steps = 0;
	gh_authz_req r;
	gh_authz_res res;
	gh_err err = { 0 };
	rc = 1;
	printf("%s %s%s%s in %s of cluster %s, as %s:\n", x.verb, x.resource, *x.name ? " " : "", x.name,
	       *x.ns ? x.ns : "the cluster scope", x.cluster, x.as);
	if (build_request(&s, &x, "explain", true, &steps, &r)) {
		printf("    as user \"" GH_STR_FMT "\" with groups", GH_STR_ARG(r.attrs.user.name));
		for (size_t i = 0; i < r.attrs.user.ngroups; i++)
			printf(" " GH_STR_FMT, GH_STR_ARG(r.attrs.user.groups[i]));
		printf("\n");
		if (engine_authorize(s.e, gh_str_c(x.cluster), &r, &s.a, &res, trace_line, &steps, &err)) {
			if (res.allowed) {
				printf("\nAllowed by %s: %s\n", res.decided_by, res.reason);
				rc = 0;
			} else {
				printf("\nDenied: nothing allows it.\nkubectl would print: Error from server (Forbidden): %s\n",
				       res.forbidden);
			}
		} else {
			fprintf(stderr, "explain: %s\n", err.msg);
		}
	}
	close_state(&s);
	return rc;
}

static const char *subject_kind(rbac_subject_kind k)
{
	switch (k) {
	case RBAC_SUBJECT_USER: return "User";
	case RBAC_SUBJECT_GROUP: return "Group";
	case RBAC_SUBJECT_SERVICE_ACCOUNT: return "ServiceAccount";
	default: return "Unknown";
	}
}

int cmd_who_can(int argc, char **argv)
{
	access_args x;
	int rc = parse(argc, argv, "who-can", &x);
	if (rc >= 0)
		return rc;
	session s;
	if (!open_state(&x, "who-can", &s))
		return 1;
	gh_authz_req r = { 0 };
	r.attrs.verb = gh_str_c(x.verb);
	r.attrs.namespace = gh_str_c(x.ns);
	r.attrs.name = gh_str_c(x.name);
	authz_parse_resource(gh_str_c(x.resource), &r.attrs);
	gh_cluster_maps *maps = maps_acquire(s.e);
	const gh_cluster_map *m = maps_find(maps, gh_str_c(x.cluster));
	if (!m) {
		fprintf(stderr, "who-can: no cluster named \"%s\"\n", x.cluster);
		maps_unref(maps);
		close_state(&s);
		return 1;
	}
	printf("%-60s %-16s %s\n", "SUBJECT", "KIND", "GRANTED BY");
	printf("%-60s %-16s %s\n", "system:masters", "Group", "privileged group (always allowed)");
	rbac_who_can_result wc = { 0 };
	if (m->rbac && rbac_who_can(m->rbac, &r.attrs, &s.a, &wc)) {
		for (size_t i = 0; i < wc.ngrants; i++) {
			const rbac_grant *g = &wc.grants[i];
			const rbac_binding *b = g->binding;
			char subject[600];
			if (g->namespace.n)
				snprintf(subject, sizeof subject, GH_STR_FMT "/" GH_STR_FMT, GH_STR_ARG(g->namespace),
					 GH_STR_ARG(g->name));
			else
				snprintf(subject, sizeof subject, GH_STR_FMT, GH_STR_ARG(g->name));
			printf("%-60s %-16s %s \"" GH_STR_FMT "%s" GH_STR_FMT "\" of " GH_STR_FMT " \"" GH_STR_FMT "\"\n",
			       subject, subject_kind(g->kind), b->cluster ? "ClusterRoleBinding" : "RoleBinding",
			       GH_STR_ARG(b->name), b->cluster ? "" : "/", GH_STR_ARG(b->namespace),
			       GH_STR_ARG(b->role_ref.kind), GH_STR_ARG(b->role_ref.name));
			/* IAM principals that reach this group or user through access entries. */
			for (size_t k = 0; k < m->n_entries && gh_eks_auth_mode_has_access_entries(m->mode); k++) {
				const gh_eks_access_entry *en = &m->entries[k];
				bool via = g->kind == RBAC_SUBJECT_USER && gh_str_eq(en->username, g->name);
				for (size_t j = 0; j < en->n_groups && g->kind == RBAC_SUBJECT_GROUP; j++)
					via |= gh_str_eq(en->groups[j], g->name);
				if (via)
					printf("%-60.*s %-16s access entry -> %s " GH_STR_FMT "\n", (int)en->principal_arn.n,
					       en->principal_arn.p, "IAM principal", subject_kind(g->kind),
					       GH_STR_ARG(g->name));
			}
			/* ... and through aws-auth. */
			if (m->cfg && gh_eks_auth_mode_has_config_map(m->mode)) {
				const gh_awsauth_entry *lists[2] = { m->cfg->roles, m->cfg->users };
				size_t counts[2] = { m->cfg->n_roles, m->cfg->n_users };
				for (int l = 0; l < 2; l++)
					for (size_t k = 0; k < counts[l]; k++) {
						const gh_awsauth_entry *en = &lists[l][k];
						bool via = g->kind == RBAC_SUBJECT_USER && gh_str_eq(en->username, g->name);
						for (size_t j = 0; j < en->n_groups && g->kind == RBAC_SUBJECT_GROUP; j++)
							via |= gh_str_eq(en->groups[j], g->name);
						if (via && !en->shadowed)
							printf("%-60.*s %-16s aws-auth %s[%zu] -> %s " GH_STR_FMT "\n",
							       (int)en->arn.n, en->arn.p, "IAM principal",
							       l ? "mapUsers" : "mapRoles", en->index, subject_kind(g->kind),
							       GH_STR_ARG(g->name));
					}
			}
		}
	}
	/* EKS access policies grant to access entries directly. */
	for (size_t k = 0; k < m->n_entries && gh_eks_auth_mode_has_access_entries(m->mode); k++) {
		const rbac_attrs *at = &r.attrs;
		gh_eks_authz_request q = { .resource_request = at->resource_request, .verb = at->verb, .ns = at->namespace,
					   .api_group = at->api_group, .resource = at->resource,
					   .subresource = at->subresource, .name = at->name, .path = at->path };
		gh_eks_authz_result res;
		if (gh_eks_authorize(m->assocs[k], m->n_assocs[k], &q, &s.a, &res) == GH_EKS_AUTHZ_ALLOW)
			printf("%-60.*s %-16s " GH_STR_FMT "\n", (int)m->entries[k].principal_arn.n,
			       m->entries[k].principal_arn.p, "IAM principal", GH_STR_ARG(res.reason));
	}
	if (wc.incomplete)
		printf("\n(incomplete: " GH_STR_FMT ")\n", GH_STR_ARG(wc.evaluation_error));
	maps_unref(maps);
	close_state(&s);
	return 0;
}
