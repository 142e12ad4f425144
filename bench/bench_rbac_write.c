/* bench_rbac_write: from an RBAC write through the Kubernetes API to a decision that
 * reflects it, with 100k RBAC objects in one cluster. The real path: engine_kube_write as a
 * system:masters user (admission, the SQLite transaction, the snapshot publish), then
 * engine_authorize (as the SubjectAccessReview webhook asks), timed until the new
 * permission is there.
 *
 * State (seeded straight into the store, then loaded by engine_open as at a restart):
 * 500 namespaces, each with NROLE Roles and NRB RoleBindings (50k + 50k), plus 200
 * ClusterRoles and 200 ClusterRoleBindings, in the default cluster "demo", and a second
 * cluster "other" whose entry a write to "demo" must reuse, not rebuild.
 *
 * Cases, each the median of 7 writes (every run a new object or a new rule):
 *   (a) RoleBinding create      the new subject may get pods in that namespace
 *   (b) Role update             a user bound to the Role may get a resource just added
 *   (c) ClusterRole update      a user bound to it by a RoleBinding may get a new resource
 *   (d) ClusterRoleBinding create  the new subject may list nodes
 * and, for comparison, the whole rebuild (read every RBAC row, parse, compile: what every
 * write cost before) and its median. Memory: mallinfo2's in-use bytes of the cluster's
 * RBAC source and policy per object.
 *
 * Usage: bench_rbac_write [namespaces (500)] [runs (7)] [ClusterRoleBindings (200)]: a
 * ClusterRole or ClusterRoleBinding write recompiles the cluster shard, whose cost grows
 * with the cluster-scoped objects. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "domain/k8s/rbac.h"
#include "domain/k8s/resources.h"
#include "engine/authz.h"
#include "engine/engine_internal.h"
#include "engine/kube.h"
#include "engine/maps.h"
#include "store/cluster_store.h"

#define NROLE 100
#define NRB 100
static int ncr = 200, ncrb = 200; /* ClusterRoles, ClusterRoleBindings */
#define MAXRUNS 31

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static size_t in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_rbac_write: %s: %s\n", what, detail);
	exit(1);
}

static void put(gh_engine *e, const char *kind, const char *ns, const char *name, const char *body)
{
	gh_err err;
	int64_t rv;
	if (!cluster_store_next_rv(db_conn(e->db), &rv, &err) ||
	    !cluster_store_put_object_rv(db_conn(e->db), "demo", kind, ns, name, body, rv, &err))
		die("seed", err.msg);
}

static void seed(gh_engine *e, int nns)
{
	gh_err err;
	char name[64], ns[32], body[1024];
	if (!db_begin(e->db, &err))
		die("seed", err.msg);
	for (int i = 0; i < ncr; i++) {
		snprintf(name, sizeof name, "bench-cr-%d", i);
		snprintf(body, sizeof body,
			 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":"
			 "\"%s\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\",\"cr%d\"],\"verbs\":"
			 "[\"get\",\"list\"]}]}",
			 name, i);
		put(e, "ClusterRole", "", name, body);
	}
	for (int i = 0; i < ncrb; i++) {
		snprintf(name, sizeof name, "bench-crb-%d", i);
		snprintf(body, sizeof body,
			 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\",\"metadata\":"
			 "{\"name\":\"%s\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":"
			 "\"ClusterRole\",\"name\":\"bench-cr-%d\"},\"subjects\":[{\"kind\":\"Group\",\"name\":"
			 "\"team-%d\"}]}",
			 name, i % ncr, i % 50);
		put(e, "ClusterRoleBinding", "", name, body);
	}
	for (int n = 0; n < nns; n++) {
		snprintf(ns, sizeof ns, "ns-%d", n);
		snprintf(body, sizeof body, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}", ns);
		put(e, "Namespace", "", ns, body);
		for (int i = 0; i < NROLE; i++) {
			snprintf(name, sizeof name, "role-%d", i);
			snprintf(body, sizeof body,
				 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":"
				 "\"%s\",\"namespace\":\"%s\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\","
				 "\"r%d\"],\"verbs\":[\"get\"]}]}",
				 name, ns, i);
			put(e, "Role", ns, name, body);
		}
		for (int i = 0; i < NRB; i++) {
			snprintf(name, sizeof name, "rb-%d", i);
			/* one in ten binds a ClusterRole, as namespaces grant view/edit */
			bool cr = i % 10 == 0;
			snprintf(body, sizeof body,
				 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":"
				 "{\"name\":\"%s\",\"namespace\":\"%s\"},\"roleRef\":{\"apiGroup\":"
				 "\"rbac.authorization.k8s.io\",\"kind\":\"%s\",\"name\":\"%s%d\"},\"subjects\":[{\"kind\":"
				 "\"User\",\"name\":\"user-%d-%d\"},{\"kind\":\"ServiceAccount\",\"name\":\"sa-%d\","
				 "\"namespace\":\"%s\"}]}",
				 name, ns, cr ? "ClusterRole" : "Role", cr ? "bench-cr-" : "role-", cr ? i / 10 : i, n, i,
				 i, ns);
			put(e, "RoleBinding", ns, name, body);
		}
	}
	if (!db_commit(e->db, &err))
		die("seed", err.msg);
}

static const k8s_resource *res(const char *kind)
{
	const k8s_resource *r = k8s_resource_by_kind(GH_STR(RBAC_GROUP), gh_str_c(kind));
	if (!r)
		die("resource", kind);
	return r;
}

static const char *const masters[] = { "system:masters", "system:authenticated" };
static const kube_user admin = { .name = "bench-admin", .groups = masters, .ngroups = 2 };

static void write_obj(gh_engine *e, int op, const char *kind, const char *ns, const char *name, const char *json)
{
	json_error_t je;
	json_t *body = json_loads(json, 0, &je);
	if (!body)
		die("json", je.text);
	kube_write w = { .op = op, .res = res(kind), .ns = ns, .name = op == KUBE_CREATE ? "" : name, .body = body,
			 .user = &admin };
	kube_write_result out;
	kube_status st;
	if (!engine_kube_write(e, "demo", &w, &out, &st))
		die("write", st.message ? st.message : kind);
	kube_write_result_clear(&out);
	json_decref(body);
}

/* Does the authorizer allow the request? engine_authorize is what the SubjectAccessReview
 * webhook and the Kubernetes API ask: privileged groups, then the published RBAC. */
static bool allowed(gh_engine *e, const char *user, const char *ns, const char *verb, const char *resource)
{
	gh_authz_req r = { .attrs = { .user = { .name = gh_str_c(user) }, .resource_request = true,
				      .verb = gh_str_c(verb), .namespace = gh_str_c(ns), .resource = gh_str_c(resource) } };
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_authz_res out;
	gh_err err;
	bool ok = engine_authorize(e, GH_STR("demo"), &r, &a, &out, NULL, NULL, &err) && out.allowed;
	gh_arena_free(&a);
	return ok;
}

static void must(bool ok, const char *what)
{
	if (!ok)
		die("the decision does not reflect the write", what);
}

int main(int argc, char **argv)
{
	int nns = argc > 1 ? atoi(argv[1]) : 500;
	int runs = argc > 2 ? atoi(argv[2]) : 7;
	if (argc > 3)
		ncrb = atoi(argv[3]);
	if (nns < 1 || runs < 1 || runs > MAXRUNS || ncrb < 1)
		die("usage", "bench_rbac_write [namespaces] [runs <= 31] [ClusterRoleBindings]");
	char dir[] = "/tmp/gh-bench-rbac-XXXXXX";
	if (!mkdtemp(dir))
		die("mkdtemp", dir);
	gh_log_set_level(GH_LOG_ERROR);
	gh_engine_config cfg = { .state_dir = dir, .region = "us-east-1", .partition = "aws" };
	gh_engine *e;
	gh_err err;
	if (!engine_open(&cfg, &e, NULL, &err))
		die("engine_open", err.msg);
	if (!db_begin(e->db, &err) ||
	    !cluster_store_create(db_conn(e->db), "other", e->account, "us-east-1", "aws", NULL, engine_now(e), &err) ||
	    !db_commit(e->db, &err))
		die("second cluster", err.msg);
	double t0 = now_ms();
	seed(e, nns);
	double t_seed = now_ms() - t0;
	engine_close(e);

	t0 = now_ms();
	if (!engine_open(&cfg, &e, NULL, &err))
		die("engine_open", err.msg);
	double t_open = now_ms() - t0;
	size_t objects = (size_t)nns * (NROLE + NRB) + (size_t)ncr + (size_t)ncrb;
	gh_cluster_maps *m = maps_acquire(e);
	rbac_policy_stats ps;
	rbac_policy_stats_get(maps_find(m, GH_STR("demo"))->rbac, &ps);
	maps_unref(m);
	printf("== %zu RBAC objects in cluster demo (%d namespaces x (%d Roles + %d RoleBindings), %d ClusterRoles, "
	       "%d ClusterRoleBindings; plus the bootstrap policy), cluster other beside it\n",
	       objects, nns, NROLE, NRB, ncr, ncrb);
	printf("   seeded in %.0f ms; engine_open (kube cache and every snapshot) %.0f ms\n", t_seed, t_open);

	/* memory: the sources, then the published snapshot, dropped one after the other */
	pthread_mutex_lock(&e->write_mu);
	size_t m1 = in_use();
	maps_rbac_free(e->rbac);
	e->rbac = NULL;
	size_t m2 = in_use();
	pthread_rwlock_wrlock(&e->snap_mu);
	gh_cluster_maps *snap = e->maps;
	e->maps = NULL;
	pthread_rwlock_unlock(&e->snap_mu);
	maps_unref(snap);
	size_t m3 = in_use();
	pthread_mutex_unlock(&e->write_mu);

	/* the whole rebuild, as every RBAC write did before: read, parse, compile */
	double full[MAXRUNS];
	for (int r = 0; r < runs && r < 3; r++) {
		pthread_mutex_lock(&e->write_mu);
		maps_rbac_free(e->rbac);
		e->rbac = NULL;
		t0 = now_ms();
		bool ok = maps_publish(e, &err);
		full[r] = now_ms() - t0;
		pthread_mutex_unlock(&e->write_mu);
		if (!ok)
			die("maps_publish", err.msg);
	}
	double t_full = median(full, runs < 3 ? runs : 3);
	m = maps_acquire(e);
	const gh_cluster_map *other0 = maps_find(m, GH_STR("other"));
	maps_unref(m);

	double ta[MAXRUNS], tb[MAXRUNS], tc[MAXRUNS], td[MAXRUNS];
	char json[1024], name[64], user[64], ns[32], resource[32];
	for (int r = 0; r < runs; r++) {
		/* (a) RoleBinding create */
		snprintf(ns, sizeof ns, "ns-%d", (r * 37) % nns);
		snprintf(name, sizeof name, "new-rb-%d", r);
		snprintf(user, sizeof user, "new-user-%d", r);
		snprintf(json, sizeof json,
			 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":"
			 "\"%s\",\"namespace\":\"%s\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":"
			 "\"Role\",\"name\":\"role-3\"},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"%s\"}]}",
			 name, ns, user);
		must(!allowed(e, user, ns, "get", "pods"), "(a) before");
		t0 = now_ms();
		write_obj(e, KUBE_CREATE, "RoleBinding", ns, name, json);
		must(allowed(e, user, ns, "get", "pods"), "(a)");
		ta[r] = now_ms() - t0;

		/* (b) Role update: role-5 of the namespace gets a new resource; user-<n>-5 holds it */
		int n = (r * 53 + 11) % nns;
		snprintf(ns, sizeof ns, "ns-%d", n);
		snprintf(resource, sizeof resource, "widgets%d", r);
		snprintf(user, sizeof user, "user-%d-5", n);
		snprintf(json, sizeof json,
			 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":"
			 "\"role-5\",\"namespace\":\"%s\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"r5\","
			 "\"%s\"],\"verbs\":[\"get\"]}]}",
			 ns, resource);
		must(!allowed(e, user, ns, "get", resource), "(b) before");
		t0 = now_ms();
		write_obj(e, KUBE_UPDATE, "Role", ns, "role-5", json);
		must(allowed(e, user, ns, "get", resource), "(b)");
		tb[r] = now_ms() - t0;

		/* (c) ClusterRole update: bench-cr-2, bound by rb-20 of every namespace */
		n = (r * 29 + 7) % nns;
		snprintf(ns, sizeof ns, "ns-%d", n);
		snprintf(resource, sizeof resource, "gadgets%d", r);
		snprintf(user, sizeof user, "user-%d-20", n);
		snprintf(json, sizeof json,
			 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":"
			 "\"bench-cr-2\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\",\"cr2\",\"%s\"],"
			 "\"verbs\":[\"get\",\"list\"]}]}",
			 resource);
		must(!allowed(e, user, ns, "list", resource), "(c) before");
		t0 = now_ms();
		write_obj(e, KUBE_UPDATE, "ClusterRole", "", "bench-cr-2", json);
		must(allowed(e, user, ns, "list", resource), "(c)");
		tc[r] = now_ms() - t0;

		/* (d) ClusterRoleBinding create */
		snprintf(name, sizeof name, "new-crb-%d", r);
		snprintf(user, sizeof user, "new-crb-user-%d", r);
		snprintf(json, sizeof json,
			 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\",\"metadata\":"
			 "{\"name\":\"%s\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
			 "\"name\":\"system:node-reader-%d\"},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"%s\"}]}",
			 name, r, user);
		/* a ClusterRole that grants node listing, created first (not timed) */
		char cr[512], crname[64];
		snprintf(crname, sizeof crname, "system:node-reader-%d", r);
		snprintf(cr, sizeof cr,
			 "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":"
			 "\"%s\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"nodes\"],\"verbs\":[\"list\"]}]}",
			 crname);
		write_obj(e, KUBE_CREATE, "ClusterRole", "", crname, cr);
		must(!allowed(e, user, "", "list", "nodes"), "(d) before");
		t0 = now_ms();
		write_obj(e, KUBE_CREATE, "ClusterRoleBinding", "", name, json);
		must(allowed(e, user, "", "list", "nodes"), "(d)");
		td[r] = now_ms() - t0;
	}
	m = maps_acquire(e);
	bool reused = maps_find(m, GH_STR("other")) == other0;
	maps_unref(m);
	printf("   policy: %zu roles, %zu bindings, %zu namespaces with RoleBindings, %zu subject keys\n",
	       ps.cluster_roles + ps.roles, ps.cluster_role_bindings + ps.role_bindings, ps.namespaces, ps.subject_keys);
	printf("   memory (malloc's in-use bytes): RBAC source %.1f MB = %.0f B/object; published snapshot (policy) "
	       "%.1f MB = %.0f B/object\n",
	       (double)(m1 - m2) / 1e6, (double)(m1 - m2) / (double)objects, (double)(m2 - m3) / 1e6,
	       (double)(m2 - m3) / (double)objects);
	printf("   write -> decision reflecting it, median of %d (ms):\n", runs);
	printf("     (a) RoleBinding create           %8.2f\n", median(ta, runs));
	printf("     (b) Role update                  %8.2f\n", median(tb, runs));
	printf("     (c) ClusterRole update           %8.2f\n", median(tc, runs));
	printf("     (d) ClusterRoleBinding create    %8.2f\n", median(td, runs));
	printf("     whole rebuild (read, parse, compile every object) %8.2f\n", t_full);
	printf("   cluster other's entry %s by the writes to demo\n", reused ? "reused" : "REBUILT");
	engine_close(e);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_rbac_write: could not remove %s\n", dir);
	return reused ? 0 : 1;
}
