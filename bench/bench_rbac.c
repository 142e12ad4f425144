/* bench_rbac: RBAC decision latency, indexed evaluator vs the linear reference, as the
 * number of bindings grows; plus compile time and memory per binding. One core.
 *
 * Policy: the bootstrap roles and bindings, 20 custom ClusterRoles, one Role per namespace,
 * and N generated bindings: 30% ClusterRoleBindings, 70% RoleBindings over N/100 namespaces,
 * 1-3 subjects each, drawn from pools of users, groups and service accounts that grow with
 * N (so each subject holds a handful of bindings, as in real clusters).
 *
 * Cases, each over 4096 different requests taken from the generated bindings (so caches
 * see realistic spread, not one hot line):
 *   allow cluster    a subject of a ClusterRoleBinding asks what its role grants
 *   allow namespace  a subject of a RoleBinding asks, in that namespace
 *   deny cluster     a bound user (with groups) asks to delete nodes: every candidate fails
 *   deny namespace   the same in a namespace where the user has RoleBindings
 *   allow ns, hot    "allow namespace" from only 64 users: the index's own cost, with the
 *                    memory it touches in cache (the other rows pay for cache misses too)
 * Latency is timed per decision (clock overhead measured and subtracted); median and p99,
 * best of three runs. The linear reference is sampled fewer times as N grows. Memory is mallinfo2's in-use
 * bytes (small and mmap'd chunks) before and after compiling (the policy alone), divided by
 * the bindings. */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/k8s/rbac.h"

#define NREQ 4096
#define NCUSTOM 20

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* ---- strings that live for the whole run ------------------------------------------------------ */

static char *pool;
static size_t pool_used, pool_cap;

static gh_str keep(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static gh_str keep(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (pool_used + (size_t)n + 1 > pool_cap) {
		pool_cap = 1 << 20;
		pool = malloc(pool_cap); /* old chunks stay referenced: never freed, by design */
		pool_used = 0;
	}
	char *p = pool + pool_used;
	memcpy(p, buf, (size_t)n + 1);
	pool_used += (size_t)n + 1;
	return (gh_str){ p, (size_t)n };
}

#define S(lit) { lit, sizeof(lit) - 1 }

/* ---- the policy ------------------------------------------------------------------------------- */

typedef struct probe {
	gh_str verb, group, resource; /* what the bound role grants */
} probe;

static const probe view_probe = { S("get"), S(""), S("pods") };
static const probe edit_probe = { S("create"), S("apps"), S("deployments") };
static const probe admin_probe = { S("create"), S(RBAC_GROUP), S("roles") };
static const probe app_probe = { S("update"), S("apps"), S("deployments") };
static probe custom_probe[NCUSTOM];

typedef struct gen {
	size_t n, nns, nusers, ngroups, nsas;
	/* for each generated binding: the probe and its first subject */
	struct {
		const probe *pr;
		uint8_t kind; /* 0 user, 1 group, 2 service account */
		uint32_t who, ns;
		bool cluster;
	} *b;
} gen;

static void add_roles(rbac_objects *s)
{
	gh_err e;
	if (!rbac_objects_add_defaults(s, &e))
		abort();
	for (int i = 0; i < NCUSTOM; i++) {
		rbac_rule rules[5];
		gh_str res[5], get = GH_STR("get"), list = GH_STR("list"), grp = GH_STR("example.com");
		gh_str *verbs = malloc(2 * sizeof *verbs);
		verbs[0] = get, verbs[1] = list;
		for (int j = 0; j < 5; j++) {
			res[j] = keep("res-%d-%d", i, j);
			rules[j] = (rbac_rule){ .verbs = { verbs, 2 }, .api_groups = { &grp, 1 }, .resources = { &res[j], 1 } };
		}
		custom_probe[i] = (probe){ get, keep("example.com"), res[0] };
		rbac_role r = { .cluster = true, .name = keep("custom-%d", i), .rules = rules, .nrules = 5 };
		if (!rbac_objects_add_role(s, &r, &e))
			abort();
		free(verbs);
	}
}

static gh_str ns_name(uint32_t i)
{
	return keep("ns-%u", i);
}

static void generate(rbac_objects *s, gen *g, size_t n)
{
	g->n = n;
	g->nns = n / 100 > 10 ? n / 100 : 10;
	g->nusers = n / 4 > 100 ? n / 4 : 100;
	g->ngroups = n / 20 > 20 ? n / 20 : 20;
	g->nsas = 50;
	g->b = calloc(n, sizeof *g->b);
	gh_err e;
	gh_str *nss = malloc(g->nns * sizeof *nss);
	for (size_t i = 0; i < g->nns; i++) {
		nss[i] = ns_name((uint32_t)i);
		gh_str upd = GH_STR("update"), create = GH_STR("create"), apps = GH_STR("apps"), dep = GH_STR("deployments");
		gh_str verbs[] = { create, upd };
		rbac_rule r = { .verbs = { verbs, 2 }, .api_groups = { &apps, 1 }, .resources = { &dep, 1 } };
		rbac_role role = { .name = GH_STR("app-role"), .namespace = nss[i], .rules = &r, .nrules = 1 };
		if (!rbac_objects_add_role(s, &role, &e))
			abort();
	}
	char name[64], uname[64], ns[32];
	for (size_t i = 0; i < n; i++) {
		bool cluster = rnd(10) < 3;
		uint32_t nsi = rnd((uint32_t)g->nns);
		rbac_subject subj[3];
		size_t nsub = 1 + rnd(3);
		for (size_t k = 0; k < nsub; k++) {
			uint32_t kind = rnd(3), who;
			if (kind == 0) {
				who = rnd((uint32_t)g->nusers);
				snprintf(uname, sizeof uname, "user-%u", who);
				subj[k] = (rbac_subject){ GH_STR("User"), GH_STR(RBAC_GROUP), { NULL, 0 }, { "", 0 } };
			} else if (kind == 1) {
				who = rnd((uint32_t)g->ngroups);
				snprintf(uname, sizeof uname, "team-%u", who);
				subj[k] = (rbac_subject){ GH_STR("Group"), GH_STR(RBAC_GROUP), { NULL, 0 }, { "", 0 } };
			} else {
				who = rnd((uint32_t)g->nsas);
				snprintf(uname, sizeof uname, "sa-%u", who);
				subj[k] = (rbac_subject){ GH_STR("ServiceAccount"), { "", 0 }, { NULL, 0 }, { "", 0 } };
				/* a RoleBinding's service account lives in its namespace; a cluster one names it */
				snprintf(ns, sizeof ns, "ns-%u", nsi);
				subj[k].namespace = gh_str_c(ns);
			}
			subj[k].name = gh_str_c(uname);
			/* the names are copied by add_binding below; keep only the first subject's facts */
			if (k == 0) {
				g->b[i].kind = (uint8_t)kind;
				g->b[i].who = who;
			}
			/* each subject needs its own buffer until the binding is added */
			char *copy = strdup(uname);
			subj[k].name = gh_str_c(copy);
			if (kind == 2)
				subj[k].namespace = gh_str_c(strdup(ns));
		}
		rbac_role_ref ref;
		const probe *pr;
		uint32_t pick = rnd(10);
		if (cluster) {
			if (pick < 6) {
				uint32_t c = rnd(NCUSTOM);
				ref = (rbac_role_ref){ GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), keep("custom-%u", c) };
				pr = &custom_probe[c];
			} else {
				ref = (rbac_role_ref){ GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), GH_STR("view") };
				pr = &view_probe;
			}
			snprintf(name, sizeof name, "crb-%07zu", i);
		} else {
			if (pick < 4) {
				ref = (rbac_role_ref){ GH_STR(RBAC_GROUP), GH_STR("Role"), GH_STR("app-role") };
				pr = &app_probe;
			} else if (pick < 6) {
				ref = (rbac_role_ref){ GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), GH_STR("edit") };
				pr = &edit_probe;
			} else if (pick < 8) {
				ref = (rbac_role_ref){ GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), GH_STR("view") };
				pr = &view_probe;
			} else {
				ref = (rbac_role_ref){ GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), GH_STR("admin") };
				pr = &admin_probe;
			}
			snprintf(name, sizeof name, "rb-%07zu", i);
		}
		rbac_binding b = { .cluster = cluster, .name = gh_str_c(name), .namespace = cluster ? (gh_str){ "", 0 } : nss[nsi],
				   .role_ref = ref, .subjects = subj, .nsubjects = nsub };
		if (!rbac_objects_add_binding(s, &b, &e))
			abort();
		for (size_t k = 0; k < nsub; k++) {
			free((char *)subj[k].name.p);
			if (rbac_subject_kind_of(subj[k].kind) == RBAC_SUBJECT_SERVICE_ACCOUNT)
				free((char *)subj[k].namespace.p);
		}
		g->b[i].pr = pr;
		g->b[i].ns = nsi;
		g->b[i].cluster = cluster;
	}
	free(nss);
}

/* ---- requests --------------------------------------------------------------------------------- */

typedef struct req {
	rbac_attrs a;
	gh_str groups[4];
} req;

static void user_of(gen *g, size_t i, req *r)
{
	uint32_t who = g->b[i].who;
	r->groups[0] = GH_STR("system:authenticated");
	r->a.user.groups = r->groups;
	r->a.user.ngroups = 1;
	switch (g->b[i].kind) {
	case 0:
		r->a.user.name = keep("user-%u", who);
		r->groups[1] = keep("team-%u", rnd((uint32_t)g->ngroups));
		r->a.user.ngroups = 2;
		break;
	case 1:
		r->a.user.name = keep("member-%u", rnd(1000));
		r->groups[1] = keep("team-%u", who);
		r->a.user.ngroups = 2;
		break;
	default:
		r->a.user.name = keep("system:serviceaccount:ns-%u:sa-%u", g->b[i].ns, who);
		r->groups[1] = GH_STR("system:serviceaccounts");
		r->groups[2] = keep("system:serviceaccounts:ns-%u", g->b[i].ns);
		r->a.user.ngroups = 3;
	}
}

enum { ALLOW_CLUSTER, ALLOW_NS, DENY_CLUSTER, DENY_NS, NCASES };
static const char *const case_names[] = { "allow cluster", "allow namespace", "deny cluster", "deny namespace" };

static req *make_requests(gen *g, int kind)
{
	req *v = calloc(NREQ, sizeof *v);
	for (size_t k = 0; k < NREQ; k++) {
		size_t i;
		bool want_cluster = kind == ALLOW_CLUSTER || kind == DENY_CLUSTER;
		do
			i = rnd((uint32_t)g->n);
		while (g->b[i].cluster != want_cluster);
		req *r = &v[k];
		user_of(g, i, r);
		r->a.resource_request = true;
		if (kind == ALLOW_CLUSTER || kind == ALLOW_NS) {
			r->a.verb = g->b[i].pr->verb;
			r->a.api_group = g->b[i].pr->group;
			r->a.resource = g->b[i].pr->resource;
			r->a.name = GH_STR("x");
			r->a.namespace = kind == ALLOW_NS ? ns_name(g->b[i].ns) : (gh_str){ "", 0 };
		} else {
			r->a.verb = GH_STR("delete");
			r->a.resource = GH_STR("nodes");
			r->a.name = GH_STR("node-1");
			r->a.namespace = kind == DENY_NS ? ns_name(g->b[i].ns) : (gh_str){ "", 0 };
			if (kind == DENY_NS) {
				r->a.resource = GH_STR("secrets");
				r->a.verb = GH_STR("escalate");
			}
		}
	}
	/* the groups pointer must point into the element itself */
	for (size_t k = 0; k < NREQ; k++)
		v[k].a.user.groups = v[k].groups;
	return v;
}

/* ---- timing ----------------------------------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static double clock_overhead;

static void calibrate(void)
{
	enum { N = 100000 };
	static double t[N];
	for (int i = 0; i < N; i++) {
		double a = now_ns();
		double b = now_ns();
		t[i] = b - a;
	}
	qsort(t, N, sizeof t[0], cmp_double);
	clock_overhead = t[N / 2];
}

typedef struct stats {
	double p50, p99;
	size_t samples, allowed;
} stats;

/* Per-decision latency over `samples` decisions spread over the requests; repeated three
 * times and the run with the lowest median kept (the host is shared: the best run is the
 * one least disturbed by other work). */
static size_t nreq_used = NREQ;

static stats measure_once(const rbac_policy *p, const req *reqs, size_t samples, bool linear)
{
	double *t = malloc(samples * sizeof *t);
	stats st = { .samples = samples };
	rbac_verdict v;
	for (size_t i = 0; i < 2000 && i < samples; i++) /* warm */
		linear ? rbac_authorize_linear(p, &reqs[i % nreq_used].a, &v, NULL)
		       : rbac_authorize(p, &reqs[i % nreq_used].a, &v, NULL);
	for (size_t i = 0; i < samples; i++) {
		const rbac_attrs *a = &reqs[(i * 2654435761u) % nreq_used].a;
		double t0 = now_ns();
		rbac_decision d = linear ? rbac_authorize_linear(p, a, &v, NULL) : rbac_authorize(p, a, &v, NULL);
		double t1 = now_ns();
		t[i] = t1 - t0 - clock_overhead;
		st.allowed += d == RBAC_ALLOW;
	}
	qsort(t, samples, sizeof *t, cmp_double);
	st.p50 = t[samples / 2];
	st.p99 = t[samples * 99 / 100];
	free(t);
	return st;
}

static stats measure(const rbac_policy *p, const req *reqs, size_t samples, bool linear)
{
	stats best = { 0 };
	for (int r = 0; r < 3; r++) {
		stats s = measure_once(p, reqs, samples, linear);
		if (r == 0 || s.p50 < best.p50)
			best = s;
	}
	return best;
}

static double throughput(const rbac_policy *p, const req *reqs)
{
	rbac_verdict v;
	size_t n = 0;
	double t0 = now_ns(), t1;
	do {
		for (int i = 0; i < 4096; i++)
			rbac_authorize(p, &reqs[i].a, &v, NULL);
		n += 4096;
		t1 = now_ns();
	} while (t1 - t0 < 2e8);
	return (double)n / ((t1 - t0) / 1e9);
}

static bool skip_linear;

/* Bytes in use: small chunks plus the mmap'd large ones. */
static size_t in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void run(size_t n, size_t linear_samples)
{
	rng = 0x9e3779b97f4a7c15ULL ^ n;
	size_t m0 = in_use();
	rbac_objects *s = rbac_objects_new();
	add_roles(s);
	gen g = { 0 };
	generate(s, &g, n);
	size_t m1 = in_use();
	gh_err e;
	rbac_policy *p;
	double t0 = now_ns();
	if (!rbac_policy_compile(s, &p, &e)) {
		fprintf(stderr, "compile: %s\n", e.msg);
		exit(1);
	}
	double t1 = now_ns();
	size_t m2 = in_use();
	rbac_policy_stats ps;
	rbac_policy_stats_get(p, &ps);
	printf("\n== %zu generated bindings (%zu ClusterRoleBindings, %zu RoleBindings in %zu namespaces), "
	       "%zu roles\n",
	       n, ps.cluster_role_bindings, ps.role_bindings, ps.namespaces, ps.cluster_roles + ps.roles);
	printf("   compile %.1f ms (%.2f us/binding); policy %.1f MB = %.0f B/binding (index tables %.0f B/binding); "
	       "objects set %.0f B/binding\n",
	       (t1 - t0) / 1e6, (t1 - t0) / 1e3 / (double)n, (double)(m2 - m1) / 1e6, (double)(m2 - m1) / (double)n,
	       (double)ps.index_bytes / (double)n, (double)(m1 - m0) / (double)n);
	printf("   %zu subject keys, %zu postings, %zu rule atoms\n", ps.subject_keys, ps.postings, ps.atoms);
	printf("   %-16s %22s %26s %10s\n", "case", "indexed p50 / p99 ns", "linear p50 / p99 ns", "speedup");
	for (int c = 0; c < NCASES; c++) {
		req *r = make_requests(&g, c);
		stats a = measure(p, r, 100000, false);
		stats b = skip_linear ? (stats){ .samples = 1 } : measure(p, r, linear_samples, true);
		if (a.allowed * (size_t)b.samples != b.allowed * (size_t)a.samples && c >= DENY_CLUSTER)
			printf("   (allowed counts differ: %zu/%zu vs %zu/%zu)\n", a.allowed, a.samples, b.allowed, b.samples);
		printf("   %-16s %10.0f / %-9.0f %12.0f / %-11.0f %9.0fx   (%zu%% allowed; linear n=%zu)\n", case_names[c],
		       a.p50, a.p99, b.p50, b.p99, b.p50 / (a.p50 > 1 ? a.p50 : 1), a.allowed * 100 / a.samples, b.samples);
		if (c == ALLOW_NS) {
			nreq_used = 64;
			stats h = measure(p, r, 100000, false);
			nreq_used = NREQ;
			printf("   %-16s %10.0f / %-9.0f %26s %10s   (the same requests from 64 active users)\n",
			       "allow ns, hot", h.p50, h.p99, "", "");
			printf("   %-16s %10.2f M decisions/s (indexed, mixed namespace allows, one core)\n", "throughput",
			       throughput(p, r) / 1e6);
		}
		free(r);
	}
	/* verify: on a sample, both evaluators agree */
	for (int c = 0; c < NCASES; c++) {
		req *r = make_requests(&g, c);
		for (size_t i = 0; i < 50; i++) {
			rbac_verdict v1, v2;
			if (rbac_authorize(p, &r[i].a, &v1, NULL) != rbac_authorize_linear(p, &r[i].a, &v2, NULL) ||
			    v1.binding != v2.binding) {
				printf("MISMATCH between indexed and linear\n");
				exit(1);
			}
		}
		free(r);
	}
	rbac_policy_free(p);
	rbac_objects_free(s);
	free(g.b);
}

int main(int argc, char **argv)
{
	size_t max = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
	skip_linear = argc > 2 && strcmp(argv[2], "--no-linear") == 0;
	calibrate();
	printf("bench_rbac: RBAC decisions, indexed vs linear reference (clock overhead %.0f ns subtracted)\n",
	       clock_overhead);
	static const struct {
		size_t n, linear;
	} sizes[] = { { 1000, 10000 }, { 10000, 2000 }, { 100000, 300 }, { 1000000, 40 } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (sizes[i].n <= max)
			run(sizes[i].n, sizes[i].linear);
	return 0;
}
