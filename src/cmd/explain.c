/* gatehouse explain token TOKEN: every check of the token pipeline in order with its
 * verdict, then the identity, the mapping source and the username and groups; or the
 * first failure in words a person can act on. Reads the state directory directly, so it
 * works beside a running sandbox or on a copy of its state. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "cmd/cmd.h"
#include "cmd/files.h"
#include "cmd/statefiles.h"
#include "engine/authz.h"
#include "engine/engine.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: gatehouse explain token [--state-dir DIR] [--cluster NAME] TOKEN|-\n"
		   "           [--verb VERB --resource RESOURCE [--name NAME] [-n NS]]\n"
		   "       gatehouse explain access VERB RESOURCE [NAME] [-n NS] --as USER|ARN (see --help)\n\n"
		   "Explains how gatehouse authenticates a k8s-aws-v1. token (from `aws eks get-token`):\n"
		   "each check in order, then who the token proves, which mapping applies, and the\n"
		   "Kubernetes username and groups. `-` reads the token (or the ExecCredential JSON that\n"
		   "aws eks get-token prints) from standard input.\n\n"
		   "options:\n"
		   "  --state-dir DIR  the state directory of `gatehouse serve` (default ./var)\n"
		   "  --cluster NAME   the cluster the token is presented to (default demo)\n"
		   "  --verb, --resource, --name, -n\n"
		   "                   then decide that request for the token's user: the whole chain\n"
		   "                   token, identity, mapping, groups, decision\n");
}

static void print_step(void *ctx, const char *step, bool ok, const char *detail)
{
	int *n = ctx;
	printf("%2d. %-5s %s%s%s\n", ++*n, ok ? "ok" : "FAIL", step, detail && *detail ? ": " : "",
	       detail ? detail : "");
}

/* Accepts the bare token or aws eks get-token's ExecCredential JSON. */
static char *read_token(const char *arg)
{
	gh_buf b = { 0 };
	if (strcmp(arg, "-") == 0) {
		char chunk[4096];
		size_t r;
		while ((r = fread(chunk, 1, sizeof chunk, stdin)) > 0 && b.n < (1u << 20))
			gh_buf_put(&b, chunk, r);
	} else {
		gh_buf_puts(&b, arg);
	}
	char *text = gh_buf_take(&b);
	char *tok = strstr(text, "k8s-aws-v1.");
	if (tok && tok != text && strchr(text, '{')) {
		char *end = strchr(tok, '"');
		if (end)
			*end = '\0';
		char *copy = strdup(tok);
		free(text);
		return copy;
	}
	gh_str t = gh_str_trim(gh_str_c(text));
	char *copy = gh_str_dup(t);
	free(text);
	return copy;
}

/* The rest of the chain for a token: the decision on one request, as kube-apiserver with
 * gatehouse's webhooks would take it (the authenticated groups plus system:authenticated). */
static int explain_decision(gh_engine *e, const char *cluster, const gh_token_review *r, const char *verb,
			    const char *resource, const char *name, const char *ns, gh_arena *a, int *n)
{
	gh_str *groups = gh_arena_alloc(a, (r->ngroups + 1) * sizeof *groups);
	for (size_t i = 0; i < r->ngroups; i++)
		groups[i] = gh_str_c(r->groups[i]);
	groups[r->ngroups] = GH_STR("system:authenticated");
	gh_authz_req q = { .attrs = { .user = { .name = gh_str_c(r->username), .groups = groups,
						.ngroups = r->ngroups + 1, .has_extra = true },
				      .verb = gh_str_c(verb), .namespace = gh_str_c(ns), .name = gh_str_c(name) },
			   .principal_id = r->identity.principal_id };
	authz_parse_resource(gh_str_c(resource), &q.attrs);
	printf("\n%s %s%s%s in %s:\n", verb, resource, *name ? " " : "", name, *ns ? ns : "the cluster scope");
	gh_authz_res res;
	gh_err err = { 0 };
	if (!engine_authorize(e, gh_str_c(cluster), &q, a, &res, print_step, n, &err)) {
		printf("cannot decide: %s\n", err.msg);
		return 1;
	}
	if (res.allowed) {
		printf("\nAllowed by %s: %s\n", res.decided_by, res.reason);
		return 0;
	}
	printf("\nDenied: nothing allows it.\nkubectl would print: Error from server (Forbidden): %s\n", res.forbidden);
	return 1;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = { { "state-dir", required_argument, 0, 's' },
					      { "cluster", required_argument, 0, 'c' },
					      { "verb", required_argument, 0, 'v' },
					      { "resource", required_argument, 0, 'r' },
					      { "name", required_argument, 0, 'N' },
					      { "namespace", required_argument, 0, 'n' },
					      { "help", no_argument, 0, 'h' },
					      { 0, 0, 0, 0 } };
	if (argc > 1 && strcmp(argv[1], "access") == 0)
		return cmd_explain_access(argc - 1, argv + 1);
	const char *dir = "./var", *cluster = "demo", *verb = NULL, *resource = NULL, *name = "", *ns = "";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'c': cluster = optarg; break;
		case 'v': verb = optarg; break;
		case 'r': resource = optarg; break;
		case 'N': name = optarg; break;
		case 'n': ns = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "token") != 0) {
		usage(stderr);
		return 2;
	}
	char *token = read_token(argv[optind + 1]);
	char *sts_url = statefiles_env(dir, "GATEHOUSE_AWS_URL");
	char *region = statefiles_env(dir, "AWS_DEFAULT_REGION");
	gh_engine_config cfg = { .state_dir = dir, .region = region ? region : "us-east-1", .partition = "aws",
				 .own_sts_url = sts_url, .read_only = true };
	/* Decide with the settings the server runs with (aws-auth file, instance map, STS). */
	void *settings = files_read_settings(dir, &cfg);
	gh_engine *e;
	gh_err err = { 0 };
	if (!engine_open(&cfg, &e, NULL, &err)) {
		fprintf(stderr, "explain: %s\n", err.msg);
		files_settings_free(settings);
		free(token);
		free(sts_url);
		free(region);
		return 1;
	}
	printf("Token presented to cluster %s:\n", cluster);
	int n = 0;
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_token_review r;
	engine_token_review(e, gh_str_c(cluster), gh_str_c(token), &a, &r, print_step, &n);
	int rc = 0;
	if (r.authenticated) {
		printf("\nAuthenticated.\n  AWS identity: " GH_STR_FMT "\n  canonical:    " GH_STR_FMT "\n",
		       GH_STR_ARG(r.identity.arn), GH_STR_ARG(r.identity.canonical_arn));
		printf("  mapped by:    %s\n  username:     %s\n  uid:          %s\n  groups:      ",
		       r.mapping_source ? r.mapping_source : "-", r.username, r.uid);
		for (size_t i = 0; i < r.ngroups; i++)
			printf(" %s", r.groups[i]);
		printf("%s\n", r.ngroups ? "" : " (none)");
		if (verb && resource)
			rc = explain_decision(e, cluster, &r, verb, resource, name, ns, &a, &n);
	} else {
		printf("\nNot authenticated (HTTP %d): %s\n", r.status, r.error.msg);
		printf("kubectl would print: error: You must be logged in to the server (Unauthorized)\n");
		rc = 1;
	}
	gh_arena_free(&a);
	engine_close(e);
	files_settings_free(settings);
	free(token);
	free(sts_url);
	free(region);
	return rc;
}
