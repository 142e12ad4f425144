/* The RBAC authorizer: a table of decisions over the bootstrap policy plus
 * tests/unit/data/rbac/policy.yaml, every one checked on the indexed evaluator and on the
 * linear reference (same decision, same reason); then a randomized comparison of the two. */
#include <stdint.h>

#include "codec/yaml.h"
#include "domain/k8s/rbac.h"
#include "test.h"

/* Shared with the other rbac*_test.c files (they declare these themselves). */
rbac_policy *rbac_test_fixture(void);
size_t rbac_test_groups(const char *csv, gh_str *out, size_t cap);
rbac_decision rbac_test_decide(const rbac_policy *p, const rbac_attrs *a, gh_buf *reason, const char *file, int line);

rbac_policy *rbac_test_fixture(void)
{
	size_t n;
	char *text = test_read_file("tests/unit/data/rbac/policy.yaml", &n);
	if (!text) {
		test_failed(__FILE__, __LINE__, "cannot read tests/unit/data/rbac/policy.yaml");
		return NULL;
	}
	json_t *docs = NULL;
	gh_err e = { 0 };
	rbac_objects *s = rbac_objects_new();
	rbac_policy *p = NULL;
	rbac_load_stats st;
	if (!gh_yaml_load_all((gh_str){ text, n }, NULL, &docs, &e))
		test_failed(__FILE__, __LINE__, "yaml: %s", e.msg);
	else if (!rbac_objects_add_defaults(s, &e) || !rbac_objects_load(s, docs, NULL, &st, &e))
		test_failed(__FILE__, __LINE__, "load: %s", e.msg);
	else if (st.failed)
		test_failed(__FILE__, __LINE__, "fixture: %zu objects failed to load", st.failed);
	else if (!rbac_policy_compile(s, &p, &e))
		test_failed(__FILE__, __LINE__, "compile: %s", e.msg);
	json_decref(docs);
	rbac_objects_free(s);
	free(text);
	return p;
}

/* Splits "a,b,c" into views of a static buffer. */
size_t rbac_test_groups(const char *csv, gh_str *out, size_t cap)
{
	size_t n = 0;
	if (!csv || !*csv)
		return 0;
	gh_str s = gh_str_c(csv), head, tail;
	while (n < cap) {
		bool more = gh_str_cut(s, ',', &head, &tail);
		out[n++] = head;
		if (!more)
			break;
		s = tail;
	}
	return n;
}

/* Both evaluators; a mismatch is a failure. Returns the decision, reason in *reason. */
rbac_decision rbac_test_decide(const rbac_policy *p, const rbac_attrs *a, gh_buf *reason, const char *file,
			       int line)
{
	gh_buf r1 = { 0 }, r2 = { 0 };
	rbac_verdict v1, v2, v3;
	rbac_decision d1 = rbac_authorize(p, a, &v1, &r1);
	rbac_decision d2 = rbac_authorize_linear(p, a, &v2, &r2);
	rbac_decision d3 = rbac_authorize(p, a, &v3, NULL);
	if (d1 != d2 || d1 != d3 || !gh_str_eq(gh_buf_str(&r1), gh_buf_str(&r2)) || v1.binding != v2.binding ||
	    v1.subject != v2.subject || v1.nerrors != v2.nerrors || v3.binding != v1.binding)
		test_failed(file, line, "indexed and linear differ: %d \"%s\" vs %d \"%s\"", d1, r1.p ? r1.p : "", d2,
			    r2.p ? r2.p : "");
	gh_buf_put_str(reason, gh_buf_str(&r1));
	gh_buf_free(&r1);
	gh_buf_free(&r2);
	return d1;
}

typedef struct dcase {
	int line;
	const char *user, *groups;
	const char *verb, *ns;
	const char *group, *resource, *sub, *name; /* resource request when resource is set */
	const char *path;			   /* else a non-resource request */
	int allow;
	const char *reason; /* exact; NULL = not checked */
} dcase;

#define R(u, g, verb, ns, grp, res, sub, name, allow, reason) \
	{ __LINE__, u, g, verb, ns, grp, res, sub, name, NULL, allow, reason }
#define U(u, g, verb, path, allow, reason) { __LINE__, u, g, verb, "", NULL, NULL, NULL, NULL, path, allow, reason }

#define AUTHN "system:authenticated"
#define SAG(ns) "system:serviceaccounts,system:serviceaccounts:" ns "," AUTHN
#define BY "RBAC: allowed by "
#define CRB(n, r, sk, s) BY "ClusterRoleBinding \"" n "\" of ClusterRole \"" r "\" to " sk " \"" s "\""
#define RB(n, ns, rk, r, sk, s) BY "RoleBinding \"" n "/" ns "\" of " rk " \"" r "\" to " sk " \"" s "\""
#define DISCOVERY CRB("system:discovery", "system:discovery", "Group", AUTHN)
#define PUBLIC_UNAUTH CRB("system:public-info-viewer", "system:public-info-viewer", "Group", "system:unauthenticated")
#define BASIC CRB("system:basic-user", "system:basic-user", "Group", AUTHN)
#define ALICE CRB("alice-pod-reader", "pod-reader", "User", "alice")
#define EDITOR RB("editors", "dev", "ClusterRole", "edit", "User", "editor")
#define NSADMIN RB("admins", "dev", "ClusterRole", "admin", "User", "nsadmin")
#define VIEWER RB("viewers", "dev", "ClusterRole", "view", "User", "viewer")
#define NOPE "RBAC: role.rbac.authorization.k8s.io \"nope\" not found"

static const dcase cases[] = {
	/* defaults: discovery and public info */
	U("carol", AUTHN, "get", "/version", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/version/", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/versions", 0, ""),
	U("carol", AUTHN, "get", "/healthz", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/livez", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/readyz", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/api", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/api/v1", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/apis", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/apis/apps/v1", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/openapi/v2", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/openapi", 1, DISCOVERY),
	U("carol", AUTHN, "get", "/metrics", 0, ""),
	U("carol", AUTHN, "post", "/version", 0, ""),
	U("carol", AUTHN, "get", "/healthz/etcd", 0, ""),
	U("carol", AUTHN, "get", "/.well-known/openid-configuration", 0, ""),
	U("system:anonymous", "system:unauthenticated", "get", "/version", 1, PUBLIC_UNAUTH),
	U("system:anonymous", "system:unauthenticated", "get", "/healthz", 1, PUBLIC_UNAUTH),
	U("system:anonymous", "system:unauthenticated", "get", "/readyz", 1, PUBLIC_UNAUTH),
	U("system:anonymous", "system:unauthenticated", "get", "/api", 0, ""),
	U("system:anonymous", "system:unauthenticated", "get", "/apis", 0, ""),
	U("system:anonymous", "", "get", "/version", 0, ""),
	/* defaults: basic user */
	R("carol", AUTHN, "create", "", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", 1, BASIC),
	R("carol", AUTHN, "create", "", "authorization.k8s.io", "selfsubjectrulesreviews", "", "", 1, BASIC),
	R("carol", AUTHN, "create", "", "authentication.k8s.io", "selfsubjectreviews", "", "", 1, BASIC),
	R("carol", AUTHN, "create", "ns1", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", 1, BASIC),
	R("carol", AUTHN, "create", "", "authorization.k8s.io", "subjectaccessreviews", "", "", 0, ""),
	R("carol", AUTHN, "get", "", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", 0, ""),
	R("carol", AUTHN, "create", "", "", "selfsubjectaccessreviews", "", "", 0, ""),
	R("carol", AUTHN, "list", "default", "", "pods", "", "", 0, ""),
	/* defaults: system:masters through RBAC's own cluster-admin binding */
	R("root", "system:masters", "delete", "kube-system", "", "secrets", "", "x", 1,
	  CRB("cluster-admin", "cluster-admin", "Group", "system:masters")),
	R("root", "system:masters," AUTHN, "escalate", "", "rbac.authorization.k8s.io", "clusterroles", "", "", 1,
	  CRB("cluster-admin", "cluster-admin", "Group", "system:masters")),
	U("root", "system:masters", "delete", "/anything/at/all", 1,
	  CRB("cluster-admin", "cluster-admin", "Group", "system:masters")),
	/* defaults: monitoring and service-account issuer discovery */
	U("prom", "system:monitoring", "get", "/metrics", 1,
	  CRB("system:monitoring", "system:monitoring", "Group", "system:monitoring")),
	U("prom", "system:monitoring", "get", "/metrics/slis", 1,
	  CRB("system:monitoring", "system:monitoring", "Group", "system:monitoring")),
	U("prom", "system:monitoring", "get", "/readyz/ping", 1,
	  CRB("system:monitoring", "system:monitoring", "Group", "system:monitoring")),
	U("prom", "system:monitoring", "get", "/metrics/other", 0, ""),
	U("system:serviceaccount:ci:x", SAG("ci"), "get", "/openid/v1/jwks", 1,
	  CRB("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", "Group",
	      "system:serviceaccounts")),
	U("system:serviceaccount:ci:x", SAG("ci"), "get", "/.well-known/openid-configuration", 1,
	  CRB("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", "Group",
	      "system:serviceaccounts")),
	/* verbs, groups, resources */
	R("alice", "", "get", "ns1", "", "pods", "", "p", 1, ALICE),
	R("alice", "", "list", "", "", "pods", "", "", 1, ALICE),
	R("alice", "", "watch", "ns1", "", "pods", "", "", 1, ALICE),
	R("alice", "", "delete", "ns1", "", "pods", "", "p", 0, ""),
	R("alice", "", "get", "ns1", "", "pods", "log", "p", 0, ""),
	R("alice", "", "get", "ns1", "apps", "pods", "", "p", 0, ""),
	R("alice", "", "GET", "ns1", "", "pods", "", "p", 0, ""),
	R("Alice", "", "get", "ns1", "", "pods", "", "p", 0, ""),
	R("alice", "", "delete", "", "", "nodes", "", "n1", 0, ""),
	R("dev1", "devs", "delete", "ns1", "", "configmaps", "", "c", 1, CRB("devs-wild", "wild-verbs", "Group", "devs")),
	R("dev1", "devs", "escalate", "ns1", "", "configmaps", "", "c", 1,
	  CRB("devs-wild", "wild-verbs", "Group", "devs")),
	R("dev1", "x,devs,y", "deletecollection", "", "", "configmaps", "", "", 1,
	  CRB("devs-wild", "wild-verbs", "Group", "devs")),
	R("dev1", "devs", "get", "ns1", "", "secrets", "", "c", 0, ""),
	R("dev1", "devs", "get", "ns1", "apps", "configmaps", "", "c", 0, ""),
	R("dev1", "devs", "get", "ns1", "", "configmaps", "status", "c", 0, ""),
	R("op", "ops", "get", "ns1", "apps", "deployments", "", "d", 1, CRB("ops-all", "all-resources", "Group", "ops")),
	R("op", "ops", "get", "ns1", "apps", "deployments", "scale", "d", 1,
	  CRB("ops-all", "all-resources", "Group", "ops")),
	R("op", "ops", "get", "", "apps", "anything", "at-all", "", 1, CRB("ops-all", "all-resources", "Group", "ops")),
	R("op", "ops", "get", "ns1", "", "pods", "", "p", 0, ""),
	R("op", "ops", "list", "ns1", "apps", "deployments", "", "", 0, ""),
	R("op", "ops", "get", "ns1", "example.com", "widgets", "", "w", 1,
	  CRB("ops-wild-groups", "wild-groups", "Group", "ops")),
	R("op", "ops", "get", "ns1", "", "widgets", "", "w", 1, CRB("ops-wild-groups", "wild-groups", "Group", "ops")),
	R("op", "ops", "get", "ns1", "example.com", "widgets", "status", "w", 0, ""),
	R("op", "ops", "list", "ns1", "example.com", "widgets", "", "", 0, ""),
	/* subresources: "*" + "/status", and "pods/" + "*" as a literal */
	R("st", "status", "get", "ns1", "", "pods", "status", "p", 1,
	  CRB("status-readers", "star-status", "Group", "status")),
	R("st", "status", "get", "ns1", "", "services", "status", "s", 1,
	  CRB("status-readers", "star-status", "Group", "status")),
	R("st", "status", "get", "ns1", "", "pods", "", "p", 0, ""),
	R("st", "status", "get", "ns1", "", "pods", "statuses", "p", 0, ""),
	R("st", "status", "get", "ns1", "", "pods", "tatus", "p", 0, ""),
	R("st", "status", "update", "ns1", "", "pods", "status", "p", 0, ""),
	R("st", "status", "get", "ns1", "apps", "deployments", "status", "d", 0, ""),
	R("lit", "", "get", "ns1", "", "pods", "log", "p", 0, ""),
	R("lit", "", "get", "ns1", "", "pods", "", "p", 0, ""),
	R("lit", "", "get", "ns1", "", "pods", "*", "p", 1, CRB("literal", "pods-star-literal", "User", "lit")),
	/* resourceNames */
	R("nina", "", "get", "ns1", "", "secrets", "", "db-password", 1, CRB("named", "named-secret", "User", "nina")),
	R("nina", "", "update", "ns1", "", "secrets", "", "db-password", 1, CRB("named", "named-secret", "User", "nina")),
	R("nina", "", "get", "ns1", "", "secrets", "", "other", 0, ""),
	R("nina", "", "list", "ns1", "", "secrets", "", "", 0, ""),
	R("nina", "", "create", "ns1", "", "secrets", "", "", 0, ""),
	R("nina", "", "delete", "ns1", "", "secrets", "", "db-password", 0, ""),
	R("ed", "", "list", "ns1", "", "configmaps", "", "", 1, CRB("empty-name", "empty-name", "User", "ed")),
	R("ed", "", "list", "ns1", "", "configmaps", "", "x", 0, ""),
	/* non-resource URLs */
	U("urluser", "", "get", "/api", 1, CRB("urls", "url-prefix", "User", "urluser")),
	U("urluser", "", "get", "/apis", 1, CRB("urls", "url-prefix", "User", "urluser")),
	U("urluser", "", "get", "/apifoo/bar", 1, CRB("urls", "url-prefix", "User", "urluser")),
	U("urluser", "", "get", "/ap", 0, ""),
	U("urluser", "", "get", "/logs/", 1, CRB("urls", "url-prefix", "User", "urluser")),
	U("urluser", "", "get", "/logs/kube-apiserver.log", 1, CRB("urls", "url-prefix", "User", "urluser")),
	U("urluser", "", "get", "/logs", 0, ""),
	U("urluser", "", "get", "/exact", 1, CRB("urls", "url-prefix", "User", "urluser")),
	U("urluser", "", "get", "/exact/", 0, ""),
	U("urluser", "", "post", "/apis", 0, ""),
	U("star", "", "get", "/whatever", 1, CRB("url-star", "url-star", "User", "star")),
	U("star", "", "get", "", 1, CRB("url-star", "url-star", "User", "star")),
	U("star", "", "put", "/whatever", 0, ""),
	R("star", "", "get", "", "", "pods", "", "", 0, ""),
	R("urluser", "", "get", "", "", "api", "", "", 0, ""),
	/* service accounts */
	R("system:serviceaccount:ci:builder", SAG("ci"), "get", "ns1", "", "pods", "", "p", 1,
	  CRB("crb-sa", "pod-reader", "ServiceAccount", "builder/ci")),
	R("system:serviceaccount:ci:builder", SAG("ci"), "get", "", "", "nodes", "", "n", 0, ""),
	R("system:serviceaccount:ci:builder2", SAG("ci"), "get", "ns1", "", "pods", "", "p", 0, ""),
	R("system:serviceaccount:ci", SAG("ci"), "get", "ns1", "", "pods", "", "p", 0, ""),
	R("system:serviceaccount:a:b:c", "", "get", "ns1", "", "pods", "", "p", 1,
	  CRB("colon-sa", "pod-reader", "ServiceAccount", "c/a:b")),
	R("system:serviceaccount:team-a:robot", SAG("team-a"), "get", "team-a", "", "serviceaccounts", "", "x", 1,
	  RB("sa-local", "team-a", "Role", "sa-reader", "ServiceAccount", "robot/team-a")),
	R("system:serviceaccount:team-a:robot", SAG("team-a"), "get", "team-b", "", "serviceaccounts", "", "x", 0, ""),
	R("system:serviceaccount:team-a:robot", SAG("team-a"), "get", "", "", "serviceaccounts", "", "x", 0, ""),
	R("system:serviceaccount:team-b:robot", SAG("team-b"), "get", "team-a", "", "serviceaccounts", "", "x", 0, ""),
	R("system:serviceaccount:team-b:robot", SAG("team-b"), "create", "team-a", "apps", "deployments", "", "", 1,
	  RB("sa-other-ns", "team-a", "Role", "deployer", "ServiceAccount", "robot/team-b")),
	R("system:serviceaccount:ci:other", SAG("ci"), "list", "ns1", "", "configmaps", "", "", 1,
	  CRB("ci-sas", "configmap-reader", "Group", "system:serviceaccounts:ci")),
	R("system:serviceaccount:cd:other", SAG("cd"), "list", "ns1", "", "configmaps", "", "", 0, ""),
	R("system:serviceaccount:cd:other", SAG("cd"), "get", "ns1", "coordination.k8s.io", "leases", "", "l", 1,
	  CRB("all-sas", "lease-reader", "Group", "system:serviceaccounts")),
	R("someone", AUTHN, "get", "ns1", "coordination.k8s.io", "leases", "", "l", 0, ""),
	/* RoleBinding to a ClusterRole: only in the binding's namespace */
	R("r", "readers", "get", "team-a", "", "pods", "", "p", 1,
	  RB("cr-in-ns", "team-a", "ClusterRole", "pod-reader", "Group", "readers")),
	R("r", "readers", "list", "team-a", "", "pods", "", "", 1,
	  RB("cr-in-ns", "team-a", "ClusterRole", "pod-reader", "Group", "readers")),
	R("r", "readers", "get", "team-b", "", "pods", "", "p", 0, ""),
	R("r", "readers", "get", "", "", "pods", "", "p", 0, ""),
	R("r", "readers", "delete", "team-a", "", "pods", "", "p", 0, ""),
	/* Roles: per namespace, missing ones reported when nothing allows */
	R("bob", "", "create", "team-a", "apps", "deployments", "", "", 1,
	  RB("deployers", "team-a", "Role", "deployer", "User", "bob")),
	R("bob", "", "patch", "team-a", "apps", "deployments", "", "d", 1,
	  RB("deployers", "team-a", "Role", "deployer", "User", "bob")),
	R("bob", "", "delete", "team-a", "apps", "deployments", "", "d", 0, NOPE),
	R("bob", "", "get", "team-a", "", "configmaps", "", "c", 0, NOPE),
	R("bob", "", "get", "team-b", "", "configmaps", "", "c", 1,
	  RB("deployers", "team-b", "Role", "deployer", "User", "bob")),
	R("bob", "", "create", "team-b", "apps", "deployments", "", "", 0, ""),
	R("bob", "", "create", "", "apps", "deployments", "", "", 0, ""),
	R("bob", "", "create", "zzz", "apps", "deployments", "", "", 0, ""),
	R("bob", AUTHN, "get", "team-a", "", "pods", "", "", 0, NOPE),
	U("bob", AUTHN, "get", "/version", 1, DISCOVERY),
	/* resolution errors */
	R("ghost", "", "get", "ns1", "", "pods", "", "p", 0,
	  "RBAC: clusterrole.rbac.authorization.k8s.io \"does-not-exist\" not found"),
	R("ghost2", "", "get", "ns1", "", "pods", "", "p", 0, "RBAC: role.rbac.authorization.k8s.io \"deployer\" not found"),
	R("ghost3", "", "get", "ns1", "", "pods", "", "p", 0, "RBAC: unsupported role reference kind: \"Fancy\""),
	R("h", "haunted", "get", "ns1", "", "pods", "", "p", 0,
	  "RBAC: [clusterrole.rbac.authorization.k8s.io \"x\" not found, role.rbac.authorization.k8s.io \"y\" not found, "
	  "unsupported role reference kind: \"Fancy\"]"),
	R("ghost", "haunted", "get", "", "", "pods", "", "p", 0,
	  "RBAC: [clusterrole.rbac.authorization.k8s.io \"x\" not found, role.rbac.authorization.k8s.io \"y\" not found, "
	  "unsupported role reference kind: \"Fancy\", clusterrole.rbac.authorization.k8s.io \"does-not-exist\" not found]"),
	U("ghost", AUTHN, "get", "/version", 1, DISCOVERY),
	/* aggregation by label selector, chains, expressions, an invalid selector */
	R("aggie", "", "get", "ns1", "example.com", "apples", "", "a", 1, CRB("agg", "agg-grand", "User", "aggie")),
	R("aggie", "", "get", "ns1", "example.com", "bananas", "", "a", 1, CRB("agg", "agg-grand", "User", "aggie")),
	R("aggie", "", "get", "ns1", "", "shared", "", "a", 1, CRB("agg", "agg-grand", "User", "aggie")),
	R("aggie", "", "get", "ns1", "example.com", "cherries", "", "a", 0, ""),
	R("expr", "", "get", "ns1", "example.com", "gold", "", "g", 1, CRB("expr", "expr-agg", "User", "expr")),
	R("expr", "", "get", "ns1", "example.com", "old-gold", "", "g", 0, ""),
	R("expr", "", "get", "ns1", "example.com", "silver", "", "g", 0, ""),
	R("expr", "", "get", "ns1", "example.com", "extra", "", "g", 1, CRB("expr", "expr-agg", "User", "expr")),
	R("bad", "", "get", "ns1", "coordination.k8s.io", "leases", "", "l", 1, CRB("bad", "bad-agg", "User", "bad")),
	R("bad", "", "get", "ns1", "example.com", "gold", "", "g", 0, ""),
	/* the default admin/edit/view, through the aggregation chain view -> edit -> admin */
	R("editor", "", "create", "dev", "apps", "deployments", "", "", 1, EDITOR),
	R("editor", "", "get", "dev", "", "pods", "", "p", 1, EDITOR),
	R("editor", "", "get", "dev", "", "secrets", "", "s", 1, EDITOR),
	R("editor", "", "create", "dev", "", "pods", "exec", "p", 1, EDITOR),
	R("editor", "", "impersonate", "dev", "", "serviceaccounts", "", "default", 1, EDITOR),
	R("editor", "", "deletecollection", "dev", "coordination.k8s.io", "leases", "", "", 1, EDITOR),
	R("editor", "", "create", "dev", "", "serviceaccounts", "token", "default", 1, EDITOR),
	R("editor", "", "create", "dev", "rbac.authorization.k8s.io", "roles", "", "", 0, ""),
	R("editor", "", "create", "dev", "authorization.k8s.io", "localsubjectaccessreviews", "", "", 0, ""),
	R("editor", "", "get", "prod", "", "pods", "", "p", 0, ""),
	R("editor", "", "get", "", "", "namespaces", "", "dev", 0, ""),
	R("nsadmin", "", "create", "dev", "rbac.authorization.k8s.io", "roles", "", "", 1, NSADMIN),
	R("nsadmin", "", "delete", "dev", "rbac.authorization.k8s.io", "rolebindings", "", "rb", 1, NSADMIN),
	R("nsadmin", "", "bind", "dev", "rbac.authorization.k8s.io", "clusterroles", "", "edit", 0, ""),
	R("nsadmin", "", "escalate", "dev", "rbac.authorization.k8s.io", "roles", "", "r", 0, ""),
	R("nsadmin", "", "create", "dev", "authorization.k8s.io", "localsubjectaccessreviews", "", "", 1, NSADMIN),
	R("nsadmin", "", "get", "dev", "", "pods", "log", "p", 1, NSADMIN),
	R("nsadmin", "", "update", "dev", "apps", "deployments", "scale", "d", 1, NSADMIN),
	R("viewer", "", "get", "dev", "", "pods", "log", "p", 1, VIEWER),
	R("viewer", "", "list", "dev", "apps", "deployments", "", "", 1, VIEWER),
	R("viewer", "", "watch", "dev", "batch", "jobs", "", "", 1, VIEWER),
	R("viewer", "", "get", "dev", "", "pods", "exec", "p", 0, ""),
	R("viewer", "", "get", "dev", "", "secrets", "", "s", 0, ""),
	R("viewer", "", "create", "dev", "", "pods", "", "", 0, ""),
	R("viewer", "", "get", "dev", "discovery.k8s.io", "endpointslices", "", "e", 1, VIEWER),
	R("viewer", "", "get", "dev", "networking.k8s.io", "networkpolicies", "", "n", 1, VIEWER),
	/* order: ClusterRoleBindings by name, before RoleBindings; first applying subject */
	R("ordy", "", "get", "", "", "nodes", "", "n", 1, CRB("a-first", "node-reader", "User", "ordy")),
	R("both", "", "get", "team-a", "", "pods", "", "p", 1, CRB("z-crb", "pod-reader", "User", "both")),
	R("m2", "mg", "get", "", "", "nodes", "", "n", 1, CRB("multi", "node-reader", "Group", "mg")),
	R("m1", "mg", "get", "", "", "nodes", "", "n", 1, CRB("multi", "node-reader", "User", "m1")),
	R("m2", "", "get", "", "", "nodes", "", "n", 1, CRB("multi", "node-reader", "User", "m2")),
	/* subject kinds are case-sensitive; unknown kinds never match; apiGroup is not checked */
	R("alice", "", "delete", "ns1", "", "secrets", "", "s", 0, ""),
	R("noapi", "", "get", "ns1", "", "pods", "", "p", 1, CRB("no-apigroup", "pod-reader", "User", "noapi")),
	/* duplicates: the last definition wins */
	R("dup-user", "", "get", "", "", "nodes", "", "n", 1, CRB("dup", "node-reader", "User", "dup-user")),
	R("dup-user", "", "get", "ns1", "", "pods", "", "p", 0, ""),
	/* nobody */
	R("nobody", "", "get", "ns1", "", "pods", "", "p", 0, ""),
	U("nobody", "", "get", "/version", 0, ""),
	R("", "", "get", "", "", "", "", "", 0, ""),
};

TEST(rbac_decision_table)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	size_t n = sizeof cases / sizeof cases[0];
	CHECK(n >= 120);
	for (size_t i = 0; i < n; i++) {
		const dcase *c = &cases[i];
		gh_str groups[16];
		rbac_attrs a = { .user = { .name = gh_str_c(c->user), .groups = groups, .ngroups = rbac_test_groups(c->groups, groups, 16) },
				 .verb = gh_str_c(c->verb), .namespace = gh_str_c(c->ns) };
		if (c->path) {
			a.path = gh_str_c(c->path);
		} else {
			a.resource_request = true;
			a.api_group = gh_str_c(c->group);
			a.resource = gh_str_c(c->resource);
			a.subresource = gh_str_c(c->sub);
			a.name = gh_str_c(c->name);
		}
		gh_buf reason = { 0 };
		rbac_decision d = rbac_test_decide(p, &a, &reason, __FILE__, c->line);
		if ((d == RBAC_ALLOW) != (c->allow != 0))
			test_failed(__FILE__, c->line, "expected %s, got %s (%s)", c->allow ? "allow" : "no opinion",
				    d == RBAC_ALLOW ? "allow" : "no opinion", reason.p ? reason.p : "");
		if (c->reason && strcmp(reason.p ? reason.p : "", c->reason) != 0)
			test_failed(__FILE__, c->line, "reason \"%s\", expected \"%s\"", reason.p ? reason.p : "",
				    c->reason);
		gh_buf_free(&reason);
	}
	printf("  rbac: %zu decisions, each on both evaluators\n", n);
	rbac_policy_free(p);
}

TEST(rbac_verdict_points_at_binding)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	gh_str g[] = { GH_STR("mg") };
	rbac_attrs a = { .user = { .name = GH_STR("m2"), .groups = g, .ngroups = 1 }, .resource_request = true, .verb = GH_STR("get"),
			 .resource = GH_STR("nodes") };
	rbac_verdict v;
	CHECK(rbac_authorize(p, &a, &v, NULL) == RBAC_ALLOW);
	REQUIRE(v.binding && v.subject);
	CHECK(gh_str_eq_c(v.binding->name, "multi"));
	CHECK(gh_str_eq_c(v.subject->kind, "Group"));
	CHECK(gh_str_eq_c(v.subject->name, "mg"));
	/* no opinion with errors counts them; the reason appends to what the buffer holds */
	rbac_attrs b = { .user = { .name = GH_STR("h"), .groups = (gh_str[]){ GH_STR("haunted") }, .ngroups = 1 }, .resource_request = true,
			 .verb = GH_STR("get"), .resource = GH_STR("pods") };
	gh_buf r = { 0 };
	gh_buf_puts(&r, "prefix|");
	CHECK(rbac_authorize(p, &b, &v, &r) == RBAC_NO_OPINION);
	CHECK_INT_EQ(v.nerrors, 4);
	CHECK(v.binding == NULL);
	CHECK(gh_str_has_prefix(gh_buf_str(&r), GH_STR("prefix|RBAC: [")));
	gh_buf_free(&r);
	rbac_policy_free(p);
}

TEST(rbac_privileged_groups)
{
	static const char *const masters[] = { RBAC_SYSTEM_MASTERS };
	gh_str g1[] = { GH_STR("system:authenticated"), GH_STR("system:masters") };
	gh_str g2[] = { GH_STR("system:authenticated"), GH_STR("System:Masters") };
	rbac_user u1 = { .name = GH_STR("root"), .groups = g1, .ngroups = 2 };
	rbac_user u2 = { .name = GH_STR("system:masters"), .groups = g2, .ngroups = 2 };
	rbac_user u3 = { .name = GH_STR("x") };
	CHECK(rbac_privileged_allows(&u1, masters, 1));
	CHECK(!rbac_privileged_allows(&u2, masters, 1));
	CHECK(!rbac_privileged_allows(&u3, masters, 1));
	CHECK(!rbac_privileged_allows(&u1, NULL, 0));
}

TEST(rbac_aggregated_rules)
{
	rbac_policy *p = rbac_test_fixture();
	REQUIRE(p);
	/* child-a and child-b both have the "shared" rule: aggregated once, in name order */
	const rbac_role *parent = rbac_policy_role(p, GH_STR(""), GH_STR("agg-parent"));
	const rbac_role *grand = rbac_policy_role(p, GH_STR(""), GH_STR("agg-grand"));
	REQUIRE(parent && grand);
	CHECK_INT_EQ(parent->nrules, 3);
	CHECK_INT_EQ(grand->nrules, 3);
	if (parent->nrules == 3) {
		CHECK(gh_str_eq_c(parent->rules[0].resources.v[0], "apples"));
		CHECK(gh_str_eq_c(parent->rules[1].resources.v[0], "shared"));
		CHECK(gh_str_eq_c(parent->rules[2].resources.v[0], "bananas"));
	}
	/* view -> edit -> admin: every view rule is in edit, every edit rule in admin */
	const rbac_role *view = rbac_policy_role(p, GH_STR(""), GH_STR("view"));
	const rbac_role *edit = rbac_policy_role(p, GH_STR(""), GH_STR("edit"));
	const rbac_role *admin = rbac_policy_role(p, GH_STR(""), GH_STR("admin"));
	const rbac_role *to_view = rbac_policy_role(p, GH_STR(""), GH_STR("system:aggregate-to-view"));
	const rbac_role *to_edit = rbac_policy_role(p, GH_STR(""), GH_STR("system:aggregate-to-edit"));
	const rbac_role *to_admin = rbac_policy_role(p, GH_STR(""), GH_STR("system:aggregate-to-admin"));
	REQUIRE(view && edit && admin && to_view && to_edit && to_admin);
	CHECK_INT_EQ(view->nrules, to_view->nrules);
	/* edit = aggregate-to-edit then view (names sorted: system:aggregate-to-edit < view) */
	CHECK_INT_EQ(edit->nrules, to_edit->nrules + to_view->nrules);
	/* admin = edit then aggregate-to-admin ("edit" < "system:aggregate-to-admin") */
	CHECK_INT_EQ(admin->nrules, edit->nrules + to_admin->nrules);
	/* the invalid selector keeps the role's own rules */
	const rbac_role *bad = rbac_policy_role(p, GH_STR(""), GH_STR("bad-agg"));
	REQUIRE(bad);
	CHECK_INT_EQ(bad->nrules, 1);
	size_t nw;
	const gh_str *w = rbac_policy_warnings(p, &nw);
	bool saw_bad = false, saw_dup = false;
	for (size_t i = 0; i < nw; i++) {
		saw_bad |= gh_str_has_prefix(w[i], GH_STR("ClusterRole \"bad-agg\": aggregationRule.clusterRoleSelectors[0]: "
							 "\"Maybe\" is not a valid label selector operator"));
		saw_dup |= gh_str_eq_c(w[i], "ClusterRoleBinding \"dup\" is defined more than once; the last definition "
					     "is used");
	}
	CHECK(saw_bad);
	CHECK(saw_dup);
	rbac_policy_free(p);
}

TEST(rbac_aggregation_cycle_settles)
{
	/* a selects b's label, b selects a's: both end up with c's rules */
	rbac_objects *s = rbac_objects_new();
	REQUIRE(s);
	rbac_label la = { GH_STR("l"), GH_STR("a") }, lb = { GH_STR("l"), GH_STR("b") };
	rbac_selector sa = { &lb, 1, NULL, 0 }, sb = { &la, 1, NULL, 0 };
	gh_str get = GH_STR("get"), core = GH_STR(""), pods = GH_STR("pods");
	rbac_rule r = { .verbs = { &get, 1 }, .api_groups = { &core, 1 }, .resources = { &pods, 1 } };
	rbac_role a = { .cluster = true, .name = GH_STR("a"), .labels = &la, .nlabels = 1, .has_aggregation = true,
			.selectors = &sa, .nselectors = 1 };
	rbac_role b = { .cluster = true, .name = GH_STR("b"), .labels = &lb, .nlabels = 1, .has_aggregation = true,
			.selectors = &sb, .nselectors = 1 };
	rbac_role c = { .cluster = true, .name = GH_STR("c"), .labels = &la, .nlabels = 1, .rules = &r, .nrules = 1 };
	gh_err e;
	REQUIRE(rbac_objects_add_role(s, &a, &e) && rbac_objects_add_role(s, &b, &e) && rbac_objects_add_role(s, &c, &e));
	rbac_policy *p;
	REQUIRE(rbac_policy_compile(s, &p, &e));
	CHECK_INT_EQ(rbac_policy_role(p, GH_STR(""), GH_STR("a"))->nrules, 1);
	CHECK_INT_EQ(rbac_policy_role(p, GH_STR(""), GH_STR("b"))->nrules, 1);
	rbac_policy_free(p);
	rbac_objects_free(s);
}

/* ---- randomized: the index against the reference -------------------------------------------- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((rng_state >> 33) % n);
}

static const gh_str verbs[] = { GH_STR("get"), GH_STR("list"), GH_STR("*"), GH_STR("delete") };
static const gh_str groups_v[] = { GH_STR(""), GH_STR("apps"), GH_STR("*") };
static const gh_str resources[] = { GH_STR("pods"), GH_STR("pods/log"), GH_STR("*"), GH_STR("*/log"),
				    GH_STR("pods/*"), GH_STR("secrets"), GH_STR("*/status") };
static const gh_str names[] = { GH_STR("a"), GH_STR(""), GH_STR("b") };
static const gh_str urls[] = { GH_STR("/api"), GH_STR("/api*"), GH_STR("/api/*"), GH_STR("*"), GH_STR("/x") };
static const gh_str people[] = { GH_STR("u0"), GH_STR("u1"), GH_STR("system:serviceaccount:n0:s0"),
				 GH_STR("system:serviceaccount:n1:s0") };
static const gh_str teams[] = { GH_STR("g0"), GH_STR("g1"), GH_STR("g2") };
static const gh_str nss[] = { GH_STR("n0"), GH_STR("n1"), GH_STR("") };
static const gh_str kinds[] = { GH_STR("User"), GH_STR("Group"), GH_STR("ServiceAccount"), GH_STR("Bot") };
static const gh_str refkinds[] = { GH_STR("ClusterRole"), GH_STR("Role"), GH_STR("Odd") };
static const gh_str rolenames[] = { GH_STR("r0"), GH_STR("r1"), GH_STR("r2"), GH_STR("r3") };

static rbac_strs pick(const gh_str *pool, size_t n, gh_str *buf, size_t max)
{
	size_t k = 1 + rnd((uint32_t)max);
	for (size_t i = 0; i < k; i++)
		buf[i] = pool[rnd((uint32_t)n)];
	return (rbac_strs){ buf, k };
}

#define NPOOL(a) (sizeof(a) / sizeof((a)[0]))

static rbac_policy *random_policy(void)
{
	rbac_objects *s = rbac_objects_new();
	gh_err e;
	for (size_t i = 0; i < 10; i++) {
		gh_str store[3][5][4];
		rbac_rule rules[3];
		size_t nr = rnd(4);
		for (size_t k = 0; k < nr; k++)
			rules[k] = (rbac_rule){
				.verbs = pick(verbs, NPOOL(verbs), store[k][0], 2),
				.api_groups = pick(groups_v, NPOOL(groups_v), store[k][1], 2),
				.resources = pick(resources, NPOOL(resources), store[k][2], 3),
				.resource_names = rnd(3) ? (rbac_strs){ 0 } : pick(names, NPOOL(names), store[k][3], 2),
				.non_resource_urls = rnd(2) ? (rbac_strs){ 0 } : pick(urls, NPOOL(urls), store[k][4], 2) };
		rbac_role r = { .cluster = rnd(2), .name = rolenames[rnd(4)], .namespace = nss[rnd(2)], .rules = rules,
				.nrules = nr };
		if (!rbac_objects_add_role(s, &r, &e))
			test_failed(__FILE__, __LINE__, "%s", e.msg);
	}
	for (size_t i = 0; i < 24; i++) {
		rbac_subject subj[3];
		size_t ns = 1 + rnd(3);
		for (size_t k = 0; k < ns; k++) {
			uint32_t kind = rnd(4);
			subj[k] = (rbac_subject){ .kind = kinds[kind], .name = kind == 1 ? teams[rnd(3)] : people[rnd(4)],
						  .namespace = rnd(2) ? nss[rnd(3)] : GH_STR("") };
			if (kind == 2)
				subj[k].name = GH_STR("s0");
		}
		char name[16];
		snprintf(name, sizeof name, "b%u", rnd(10));
		rbac_binding b = { .cluster = rnd(2), .name = gh_str_c(name), .namespace = nss[rnd(2)],
				   .role_ref = { GH_STR(RBAC_GROUP), refkinds[rnd(5) % 3], rolenames[rnd(4)] },
				   .subjects = subj, .nsubjects = ns };
		if (!rbac_objects_add_binding(s, &b, &e))
			test_failed(__FILE__, __LINE__, "%s", e.msg);
	}
	rbac_policy *p = NULL;
	if (!rbac_policy_compile(s, &p, &e))
		test_failed(__FILE__, __LINE__, "%s", e.msg);
	rbac_objects_free(s);
	return p;
}

TEST(rbac_random_index_matches_linear)
{
	static const gh_str req_verbs[] = { GH_STR("get"), GH_STR("list"), GH_STR("delete"), GH_STR("*") };
	static const gh_str req_groups[] = { GH_STR(""), GH_STR("apps"), GH_STR("*") };
	static const gh_str req_res[] = { GH_STR("pods"), GH_STR("secrets"), GH_STR("*"), GH_STR("nodes") };
	static const gh_str req_sub[] = { GH_STR(""), GH_STR("log"), GH_STR("status"), GH_STR("*") };
	static const gh_str req_paths[] = { GH_STR("/api"), GH_STR("/apis"), GH_STR("/api/v1"), GH_STR("/x"), GH_STR("/") };
	rng_state = 0x853c49e6748fea9bULL;
	size_t decisions = 0, allows = 0;
	for (int round = 0; round < 300; round++) {
		rbac_policy *p = random_policy();
		REQUIRE(p);
		for (int q = 0; q < 60; q++) {
			gh_str g[3];
			size_t ng = rnd(4);
			for (size_t k = 0; k < ng; k++)
				g[k] = teams[rnd(3)];
			rbac_attrs a = { .user = { .name = people[rnd(4)], .groups = g, .ngroups = ng }, .resource_request = rnd(5) != 0,
					 .verb = req_verbs[rnd(4)], .namespace = nss[rnd(3)] };
			if (a.resource_request) {
				a.api_group = req_groups[rnd(3)];
				a.resource = req_res[rnd(4)];
				a.subresource = req_sub[rnd(4)];
				a.name = names[rnd(3)];
			} else {
				a.path = req_paths[rnd(5)];
			}
			gh_buf r = { 0 };
			allows += rbac_test_decide(p, &a, &r, __FILE__, __LINE__) == RBAC_ALLOW;
			gh_buf_free(&r);
			decisions++;
		}
		rbac_policy_free(p);
	}
	CHECK(allows > decisions / 10);
	CHECK(allows < decisions - decisions / 20);
	printf("  rbac: %zu random decisions (%zu allowed), indexed == linear\n", decisions, allows);
}

TEST(rbac_many_resolution_errors)
{
	/* 40 bindings of one group to 20 missing roles (each twice): one message per role, in
	 * the order first met, on both evaluators */
	rbac_objects *s = rbac_objects_new();
	REQUIRE(s);
	gh_err e;
	rbac_subject subj = { .kind = GH_STR("Group"), .api_group = GH_STR(RBAC_GROUP), .name = GH_STR("g") };
	for (int i = 0; i < 40; i++) {
		char name[16], role[16];
		snprintf(name, sizeof name, "b%02d", i);
		snprintf(role, sizeof role, "m%02d", i % 20);
		rbac_binding b = { .cluster = true, .name = gh_str_c(name),
				   .role_ref = { GH_STR(RBAC_GROUP), GH_STR("ClusterRole"), gh_str_c(role) },
				   .subjects = &subj, .nsubjects = 1 };
		REQUIRE(rbac_objects_add_binding(s, &b, &e));
	}
	rbac_policy *p;
	REQUIRE(rbac_policy_compile(s, &p, &e));
	gh_str g = GH_STR("g");
	rbac_attrs a = { .user = { .name = GH_STR("u"), .groups = &g, .ngroups = 1 }, .resource_request = true,
			 .verb = GH_STR("get"), .resource = GH_STR("pods") };
	gh_buf r = { 0 };
	CHECK(rbac_test_decide(p, &a, &r, __FILE__, __LINE__) == RBAC_NO_OPINION);
	CHECK(gh_str_has_prefix(gh_buf_str(&r), GH_STR("RBAC: [clusterrole.rbac.authorization.k8s.io \"m00\" not found, "
							 "clusterrole.rbac.authorization.k8s.io \"m01\" not found, ")));
	CHECK(gh_str_has_suffix(gh_buf_str(&r), GH_STR(", clusterrole.rbac.authorization.k8s.io \"m19\" not found]")));
	size_t count = 0;
	for (size_t i = 0; i + 9 <= r.n; i++)
		count += memcmp(r.p + i, "not found", 9) == 0;
	CHECK_INT_EQ(count, 20);
	gh_buf_free(&r);
	rbac_policy_free(p);
	rbac_objects_free(s);
}
