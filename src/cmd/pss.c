/* `gatehouse pss check`: Pod Security over manifests, offline. For each namespace, which
 * workloads (pods and pod-controller templates) fail baseline and restricted, and whether
 * enforcing each level is safe: the plan for a warn -> audit -> enforce migration. The
 * checks are the admission webhook's own (domain/k8s/pss*). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "cmd/cmd.h"
#include "domain/k8s/pss.h"
#include "domain/k8s/pss_admit.h"
#include "domain/k8s/pss_pod.h"
#include "domain/k8s/pss_policy.h"
#include "engine/manifests.h"
#include "engine/pss_admit.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gatehouse pss check -f FILE|DIR [options]\n\n"
		"Evaluates the Pod Security Standards over manifests (YAML or JSON, multi-document files,\n"
		"`kubectl get -A -o json` Lists): every Pod and the pod template of every ReplicationController,\n"
		"PodTemplate, ReplicaSet, Deployment, StatefulSet, DaemonSet, Job and CronJob. Namespace objects\n"
		"in the manifests give each namespace its pod-security.kubernetes.io labels.\n\n"
		"It prints the workloads that fail, one row per level:\n"
		"  NAMESPACE  LEVEL  WORKLOAD  VIOLATIONS\n"
		"then a line per namespace saying whether enforcing each level is safe.\n\n"
		"options:\n"
		"  -f, --filename PATH   the manifests (a file, or every *.yaml, *.yml, *.json of a folder)\n"
		"  --level LEVEL         check only this level (baseline or restricted); exit 1 if any\n"
		"                        workload fails it. Without --level both levels are listed and the\n"
		"                        exit status says whether any workload fails its namespace's enforce\n"
		"                        (a Namespace with invalid pod-security labels fails either way)\n"
		"  --version V           the policy version to check at (v1.0 .. v1.37 or latest; default latest)\n"
		"  --pss-config FILE     a PodSecurityConfiguration (or AdmissionConfiguration) for the\n"
		"                        defaults of unlabelled namespaces and the exemptions\n"
		"  -o, --output FORMAT   table (default) or json\n\n"
		"exit status: 0 nothing fails, 1 something fails, 2 usage or input error\n");
}

typedef struct workload {
	const char *ns, *kind, *name;
	pss_pod pod;
	bool exempt; /* runtimeClass exemption */
	/* per level (baseline, restricted): NULL when allowed */
	const char *reasons[2], *detail[2];
	const char *enforce_detail; /* failure at the namespace's enforce, or NULL */
} workload;

typedef struct nsinfo {
	const char *name;
	const json_t *labels;
	pss_policy pol;
	pss_label_errors errs;
	bool exempt;
	size_t nworkloads, failing[2], rejected;
} nsinfo;

typedef struct check_args {
	const char *path, *config;
	bool json;
	bool have_level;
	pss_level level;
	int64_t minor;
} check_args;

static int parse_args(int argc, char **argv, check_args *x)
{
	static const struct option opts[] = {
		{ "filename", required_argument, 0, 'f' }, { "level", required_argument, 0, 'L' },
		{ "version", required_argument, 0, 'V' },  { "pss-config", required_argument, 0, 'C' },
		{ "output", required_argument, 0, 'o' },   { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	*x = (check_args){ .minor = PSS_LATEST };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': x->path = optarg; break;
		case 'C': x->config = optarg; break;
		case 'L':
			if (!pss_level_parse(gh_str_c(optarg), &x->level) || x->level == PSS_PRIVILEGED) {
				fprintf(stderr, "pss check: --level must be baseline or restricted, got \"%s\"\n", optarg);
				return 2;
			}
			x->have_level = true;
			break;
		case 'V':
			if (!pss_version_parse(gh_str_c(optarg), &x->minor)) {
				fprintf(stderr, "pss check: --version must be \"latest\" or \"v1.x\", got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'o':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
				fprintf(stderr, "pss check: -o must be table or json, got \"%s\"\n", optarg);
				return 2;
			}
			x->json = strcmp(optarg, "json") == 0;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pss check: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (!x->path) {
		fprintf(stderr, "pss check: -f FILE|DIR is required\n");
		return 2;
	}
	return -1;
}

static const char *sget(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static nsinfo *ns_find(nsinfo *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static int cmp_ns(const void *a, const void *b)
{
	return strcmp(((const nsinfo *)a)->name, ((const nsinfo *)b)->name);
}

typedef struct plan {
	gh_arena a;
	pss_config *cfg;
	nsinfo *ns;
	size_t nns;
	workload *w;
	size_t nw;
} plan;

/* Namespaces (from Namespace objects and from workloads), then every workload decoded. */
static bool build_plan(const check_args *x, const json_t *docs, plan *p)
{
	size_t n = json_array_size(docs);
	p->ns = calloc(2 * n + 1, sizeof *p->ns);
	p->w = calloc(n + 1, sizeof *p->w);
	if (!p->ns || !p->w)
		return false;
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_array_get(docs, i);
		if (strcmp(sget(d, "kind"), "Namespace") != 0)
			continue;
		const json_t *meta = json_object_get(d, "metadata");
		const char *name = sget(meta, "name");
		nsinfo *ns = ns_find(p->ns, p->nns, name);
		if (!ns)
			ns = &p->ns[p->nns++];
		ns->name = name;
		ns->labels = json_object_get(meta, "labels");
	}
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_array_get(docs, i);
		gh_str group, resource;
		if (!pss_kind_resource(gh_str_c(sget(d, "kind")), &group, &resource))
			continue;
		const json_t *meta, *spec;
		const char *where;
		pss_pod_spec_of(group, resource, d, &meta, &spec, &where);
		workload *w = &p->w[p->nw];
		const json_t *dmeta = json_object_get(d, "metadata");
		*w = (workload){ .ns = sget(dmeta, "namespace"), .kind = sget(d, "kind"), .name = sget(dmeta, "name") };
		if (!*w->ns)
			w->ns = "default";
		if (!spec)
			continue; /* a controller without a template: nothing to run */
		gh_err err = { 0 };
		if (!pss_pod_decode(meta, spec, where, &p->a, &w->pod, &err)) {
			fprintf(stderr, "pss check: %s %s/%s: %s\n", w->kind, w->ns, w->name, err.msg);
			ok = false;
			continue;
		}
		w->exempt = w->pod.runtime_class_set && pss_config_exempt_runtime_class(p->cfg, w->pod.runtime_class);
		p->nw++;
		if (!ns_find(p->ns, p->nns, w->ns))
			p->ns[p->nns++] = (nsinfo){ .name = w->ns };
	}
	qsort(p->ns, p->nns, sizeof *p->ns, cmp_ns);
	for (size_t i = 0; i < p->nns; i++) {
		nsinfo *ns = &p->ns[i];
		pss_policy_from_labels(json_is_object(ns->labels) ? ns->labels : NULL, pss_config_defaults(p->cfg),
				       &ns->pol, &ns->errs);
		ns->exempt = pss_config_exempt_namespace(p->cfg, gh_str_c(ns->name));
	}
	return ok;
}

static const char *keep(gh_arena *a, const gh_buf *b)
{
	return gh_arena_strndup(a, b->p ? b->p : "", b->n);
}

static void evaluate_plan(const check_args *x, plan *p)
{
	pss_result r = { 0 };
	for (size_t i = 0; i < p->nw; i++) {
		workload *w = &p->w[i];
		nsinfo *ns = ns_find(p->ns, p->nns, w->ns);
		ns->nworkloads++;
		if (w->exempt || ns->exempt)
			continue;
		for (int l = 0; l < 2; l++) {
			pss_lv lv = { l ? PSS_RESTRICTED : PSS_BASELINE, x->minor };
			if (pss_evaluate(&w->pod, lv, &r))
				continue;
			w->reasons[l] = keep(&p->a, &r.reasons);
			w->detail[l] = keep(&p->a, &r.detail);
			ns->failing[l]++;
		}
		if (!pss_evaluate(&w->pod, ns->pol.enforce, &r)) {
			w->enforce_detail = keep(&p->a, &r.detail);
			ns->rejected++;
		}
	}
	pss_result_free(&r);
}

static bool level_selected(const check_args *x, int l)
{
	return !x->have_level || (int)x->level == (l ? PSS_RESTRICTED : PSS_BASELINE);
}

static void print_table(const check_args *x, const plan *p)
{
	size_t wns = 9, wlevel = 5, wwl = 8;
	char lvs[PSS_LV_MAX];
	for (size_t i = 0; i < p->nw; i++) {
		const workload *w = &p->w[i];
		size_t wl = strlen(w->kind) + 1 + strlen(w->name);
		for (int l = 0; l < 2; l++) {
			if (!w->reasons[l] || !level_selected(x, l))
				continue;
			wns = strlen(w->ns) > wns ? strlen(w->ns) : wns;
			wwl = wl > wwl ? wl : wwl;
			size_t ll = strlen(pss_lv_format((pss_lv){ l ? PSS_RESTRICTED : PSS_BASELINE, x->minor }, lvs, sizeof lvs));
			wlevel = ll > wlevel ? ll : wlevel;
		}
	}
	printf("%-*s  %-*s  %-*s  %s\n", (int)wns, "NAMESPACE", (int)wlevel, "LEVEL", (int)wwl, "WORKLOAD", "VIOLATIONS");
	for (size_t n = 0; n < p->nns; n++) {
		for (int l = 0; l < 2; l++) {
			if (!level_selected(x, l))
				continue;
			for (size_t i = 0; i < p->nw; i++) {
				const workload *w = &p->w[i];
				if (strcmp(w->ns, p->ns[n].name) != 0 || !w->reasons[l])
					continue;
				char wl[512];
				snprintf(wl, sizeof wl, "%s/%s", w->kind, w->name);
				printf("%-*s  %-*s  %-*s  %s\n", (int)wns, w->ns, (int)wlevel,
				       pss_lv_format((pss_lv){ l ? PSS_RESTRICTED : PSS_BASELINE, x->minor }, lvs, sizeof lvs),
				       (int)wwl, wl, w->reasons[l]);
			}
		}
	}
	printf("\n");
	for (size_t n = 0; n < p->nns; n++) {
		const nsinfo *ns = &p->ns[n];
		char e[PSS_LV_MAX], a[PSS_LV_MAX], w[PSS_LV_MAX];
		printf("namespace %s: enforce=%s audit=%s warn=%s, %zu workload%s", ns->name,
		       pss_lv_format(ns->pol.enforce, e, sizeof e), pss_lv_format(ns->pol.audit, a, sizeof a),
		       pss_lv_format(ns->pol.warn, w, sizeof w), ns->nworkloads, ns->nworkloads == 1 ? "" : "s");
		if (ns->exempt) {
			printf(": exempt\n");
			continue;
		}
		for (int l = 0; l < 2; l++) {
			if (!level_selected(x, l))
				continue;
			const char *name = l ? "restricted" : "baseline";
			if (ns->failing[l])
				printf("; %s: %zu failing, not safe to enforce", name, ns->failing[l]);
			else
				printf("; %s: safe to enforce", name);
		}
		if (ns->rejected)
			printf("; %zu rejected by the current enforce", ns->rejected);
		if (ns->errs.n) {
			gh_buf b = { 0 };
			pss_label_errors_format(&b, &ns->errs);
			printf("; invalid labels: %s", b.p ? b.p : "");
			gh_buf_free(&b);
		}
		printf("\n");
	}
}

static void print_json(const check_args *x, const plan *p)
{
	char lvs[PSS_LV_MAX];
	json_t *out = json_object(), *nss = json_array(), *viol = json_array();
	for (size_t n = 0; n < p->nns; n++) {
		const nsinfo *ns = &p->ns[n];
		json_t *levels = json_object();
		for (int l = 0; l < 2; l++)
			if (level_selected(x, l))
				json_object_set_new(levels, l ? "restricted" : "baseline",
						    json_pack("{s:i, s:b}", "failing", (json_int_t)ns->failing[l],
							      "safeToEnforce", !ns->failing[l]));
		json_t *o = json_pack("{s:s, s:{s:s, s:s, s:s}, s:b, s:i, s:i, s:o}", "name", ns->name, "policy",
				      "enforce", pss_lv_format(ns->pol.enforce, lvs, sizeof lvs), "audit", "", "warn", "",
				      "exempt", ns->exempt, "workloads", (json_int_t)ns->nworkloads, "rejectedByEnforce",
				      (json_int_t)ns->rejected, "levels", levels);
		json_t *pol = json_object_get(o, "policy");
		json_object_set_new(pol, "audit", json_string(pss_lv_format(ns->pol.audit, lvs, sizeof lvs)));
		json_object_set_new(pol, "warn", json_string(pss_lv_format(ns->pol.warn, lvs, sizeof lvs)));
		json_array_append_new(nss, o);
	}
	for (size_t i = 0; i < p->nw; i++) {
		const workload *w = &p->w[i];
		for (int l = 0; l < 2; l++) {
			if (!w->reasons[l] || !level_selected(x, l))
				continue;
			json_array_append_new(viol, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "namespace", w->ns, "level",
							      pss_lv_format((pss_lv){ l ? PSS_RESTRICTED : PSS_BASELINE,
										      x->minor },
									    lvs, sizeof lvs),
							      "kind", w->kind, "name", w->name, "reasons", w->reasons[l],
							      "detail", w->detail[l]));
		}
	}
	json_object_set_new(out, "namespaces", nss);
	json_object_set_new(out, "violations", viol);
	char *s = json_dumps(out, JSON_INDENT(2));
	printf("%s\n", s ? s : "{}");
	free(s);
	json_decref(out);
}

/* `kubectl get -o json` dumps are a List (kind "List" or "<Kind>List") of items: the
 * objects are the items. */
static json_t *flatten_lists(const json_t *docs)
{
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(docs); i++) {
		const json_t *d = json_array_get(docs, i);
		const char *kind = sget(d, "kind");
		size_t kl = strlen(kind);
		const json_t *items = json_object_get(d, "items");
		if (kl >= 4 && strcmp(kind + kl - 4, "List") == 0 && json_is_array(items))
			json_array_extend(out, (json_t *)items);
		else
			json_array_append(out, (json_t *)d);
	}
	return out;
}

static int check(int argc, char **argv)
{
	check_args x;
	int rc = parse_args(argc, argv, &x);
	if (rc >= 0)
		return rc;
	plan p = { 0 };
	gh_arena_init(&p.a, 0);
	gh_err err = { 0 };
	json_t *docs = json_array();
	rc = 2;
	if (!engine_pss_load(x.config, &p.cfg, &err) || !manifests_load(x.path, docs, &err)) {
		fprintf(stderr, "pss check: %s\n", err.msg);
	} else {
		json_t *flat = flatten_lists(docs);
		json_decref(docs);
		docs = flat;
	}
	if (rc == 2 && !err.code && build_plan(&x, docs, &p)) {
		evaluate_plan(&x, &p);
		if (x.json)
			print_json(&x, &p);
		else
			print_table(&x, &p);
		rc = 0;
		for (size_t n = 0; n < p.nns; n++) {
			for (int l = 0; l < 2; l++)
				if (x.have_level && level_selected(&x, l) && p.ns[n].failing[l])
					rc = 1;
			/* Invalid labels fail too: the namespace itself would be refused. */
			if ((!x.have_level && p.ns[n].rejected) || p.ns[n].errs.n)
				rc = 1;
		}
	}
	json_decref(docs);
	free(p.ns);
	free(p.w);
	pss_config_free(p.cfg);
	gh_arena_free(&p.a);
	return rc;
}

int cmd_pss(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return check(argc - 1, argv + 1);
	fprintf(stderr, "pss: unknown subcommand \"%s\" (try `gatehouse pss check --help`)\n", argv[1]);
	return 2;
}
