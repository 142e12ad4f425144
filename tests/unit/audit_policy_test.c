#include "domain/k8s/audit_policy.h"
#include "test.h"

static audit_policy *parse(const char *text, gh_err *e)
{
	audit_policy *p = NULL;
	if (!audit_policy_parse(gh_str_c(text), &p, e))
		return NULL;
	return p;
}

#define HEAD "apiVersion: audit.k8s.io/v1\nkind: Policy\n"

/* The level the policy gives a resource request. */
static audit_level res_level(const audit_policy *p, const char *user, const char *verb, const char *group,
			     const char *resource, const char *sub, const char *ns, const char *name)
{
	const char *groups[] = { "system:authenticated", "team-a" };
	audit_attrs at = { .user = user, .groups = groups, .ngroups = 2, .verb = verb, .is_resource = true,
			   .api_group = group, .resource = resource, .subresource = sub, .namespace_ = ns,
			   .name = name };
	audit_level l;
	unsigned omit;
	bool managed;
	audit_policy_decide(p, &at, &l, &omit, &managed);
	return l;
}

static audit_level url_level(const audit_policy *p, const char *path)
{
	audit_attrs at = { .user = "alice", .verb = "get", .path = path };
	audit_level l;
	unsigned omit;
	bool managed;
	audit_policy_decide(p, &at, &l, &omit, &managed);
	return l;
}

static void check_error(const char *text, const char *want, int line)
{
	gh_err e = { 0 };
	audit_policy *p = parse(text, &e);
	if (p) {
		test_failed(__FILE__, line, "accepted, wanted \"%s\"", want);
		audit_policy_free(p);
		return;
	}
	if (!strstr(e.msg, want))
		test_failed(__FILE__, line, "\"%s\" does not contain \"%s\"", e.msg, want);
}

TEST(audit_policy_errors_name_the_field)
{
	check_error(HEAD "rules:\n- level: Metadata\n- level: Metadata\n- level: Verbose\n",
		    "rules[2].level: must be one of None, Metadata, Request, RequestResponse", __LINE__);
	check_error(HEAD "rules:\n- verbs: [get]\n", "rules[0].level: required: must be one of", __LINE__);
	check_error(HEAD "rules: []\n", "rules: a policy needs at least one rule", __LINE__);
	check_error(HEAD "omitStages: [RequestReceived]\n", "rules: a policy needs at least one rule", __LINE__);
	check_error("apiVersion: v1\nkind: Policy\nrules: [{level: None}]\n", "apiVersion: must be audit.k8s.io/v1",
		    __LINE__);
	check_error("apiVersion: audit.k8s.io/v1\nkind: ConfigMap\nrules: [{level: None}]\n",
		    "kind: must be Policy, not \"ConfigMap\"", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  resource: [{group: ''}]\n", "rules[0].resource: unknown field",
		    __LINE__);
	check_error(HEAD "rules:\n- level: None\n  verbs: get\n", "rules[0].verbs: must be a list of strings",
		    __LINE__);
	check_error(HEAD "rules:\n- level: None\n  users: [bob, {a: b}]\n", "rules[0].users[1]: must be a string",
		    __LINE__);
	check_error(HEAD "rules:\n- level: None\n  omitStages: [Done]\n",
		    "rules[0].omitStages[0]: must be one of RequestReceived", __LINE__);
	check_error(HEAD "omitStages: [Later]\nrules:\n- level: None\n", "omitStages[0]: must be one of", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  nonResourceURLs: [healthz]\n",
		    "rules[0].nonResourceURLs[0]: non-resource URL rules must begin with a '/' character", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  nonResourceURLs: ['/a*b']\n",
		    "wildcards '*' must be the final character", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  nonResourceURLs: ['/x']\n  namespaces: [a]\n",
		    "rules[0]: rules cannot apply to both regular resources and non-resource URLs", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  resources: [{group: rbac.authorization.k8s.io/v1}]\n",
		    "rules[0].resources[0].group: \"rbac.authorization.k8s.io/v1\" is not a valid API group", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  resources: [{group: '', resourceNames: [x]}]\n",
		    "rules[0].resources[0].resourceNames: using resourceNames requires at least one resource", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  omitManagedFields: sometimes\n",
		    "rules[0].omitManagedFields: must be true or false", __LINE__);
	check_error(HEAD "rules:\n- level: None\n  verbs: [get\n", "audit policy: yaml: line", __LINE__);
	check_error("", "the document must be a Policy object", __LINE__);
	/* Every error is the policy's, with a code the caller can tell apart. */
	gh_err e = { 0 };
	CHECK(!parse(HEAD "rules: [{level: Loud}]\n", &e));
	CHECK_STR_EQ(e.code, "InvalidAuditPolicy");
}

TEST(audit_policy_size_bound)
{
	size_t n = AUDIT_POLICY_MAX_BYTES + 10;
	char *big = malloc(n + 1);
	REQUIRE(big);
	memset(big, ' ', n);
	big[n] = '\0';
	memcpy(big, HEAD "rules: [{level: None}]\n", sizeof(HEAD "rules: [{level: None}]\n") - 1);
	gh_err e = { 0 };
	audit_policy *p = NULL;
	CHECK(!audit_policy_parse((gh_str){ big, n }, &p, &e));
	CHECK_CONTAINS(e.msg, "larger than");
	free(big);
}

TEST(audit_policy_json_and_v1beta1_accepted)
{
	gh_err e = { 0 };
	audit_policy *p = parse("{\"apiVersion\":\"audit.k8s.io/v1beta1\",\"kind\":\"Policy\","
				"\"rules\":[{\"level\":\"Request\",\"verbs\":[\"create\"]}]}",
				&e);
	REQUIRE(p);
	CHECK_INT_EQ(res_level(p, "u", "create", "", "pods", NULL, "default", "x"), AUDIT_LEVEL_REQUEST);
	CHECK_INT_EQ(res_level(p, "u", "get", "", "pods", NULL, "default", "x"), AUDIT_LEVEL_NONE);
	audit_policy_free(p);
}

TEST(audit_policy_first_match_wins_and_no_match_is_none)
{
	gh_err e = { 0 };
	audit_policy *p = parse(HEAD "rules:\n"
				     "- level: RequestResponse\n  users: [alice]\n"
				     "- level: Metadata\n  users: [alice, bob]\n",
				&e);
	REQUIRE(p);
	CHECK_INT_EQ(res_level(p, "alice", "get", "", "pods", NULL, "d", "x"), AUDIT_LEVEL_REQUEST_RESPONSE);
	CHECK_INT_EQ(res_level(p, "bob", "get", "", "pods", NULL, "d", "x"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "carol", "get", "", "pods", NULL, "d", "x"), AUDIT_LEVEL_NONE);
	/* users apply to non-resource requests too. */
	CHECK_INT_EQ(url_level(p, "/healthz"), AUDIT_LEVEL_REQUEST_RESPONSE);
	audit_policy_free(p);
}

TEST(audit_policy_user_groups_and_verbs)
{
	gh_err e = { 0 };
	audit_policy *p = parse(HEAD "rules:\n"
				     "- level: Request\n  userGroups: [team-a]\n  verbs: [delete]\n"
				     "- level: Metadata\n  userGroups: [team-b]\n",
				&e);
	REQUIRE(p);
	CHECK_INT_EQ(res_level(p, "x", "delete", "", "pods", NULL, "d", "n"), AUDIT_LEVEL_REQUEST);
	CHECK_INT_EQ(res_level(p, "x", "get", "", "pods", NULL, "d", "n"), AUDIT_LEVEL_NONE);
	const char *g[] = { "team-b" };
	audit_attrs at = { .user = "y", .groups = g, .ngroups = 1, .verb = "delete", .is_resource = true,
			   .resource = "pods" };
	audit_level l;
	unsigned omit;
	bool managed;
	audit_policy_decide(p, &at, &l, &omit, &managed);
	CHECK_INT_EQ(l, AUDIT_LEVEL_METADATA);
	at.ngroups = 0; /* no groups match no userGroups rule */
	audit_policy_decide(p, &at, &l, &omit, &managed);
	CHECK_INT_EQ(l, AUDIT_LEVEL_NONE);
	audit_policy_free(p);
}

TEST(audit_policy_resource_patterns)
{
	gh_err e = { 0 };
	audit_policy *p = parse(HEAD "rules:\n"
				     "- level: RequestResponse\n  resources: [{group: '', resources: [pods/exec]}]\n"
				     "- level: Request\n  resources: [{group: '', resources: ['*/status']}]\n"
				     "- level: Metadata\n  resources: [{group: apps, resources: ['deployments/*']}]\n"
				     "- level: None\n  resources: [{group: '', resources: [configmaps], "
				     "resourceNames: [leader]}]\n"
				     "- level: Request\n  resources: [{group: '', resources: [configmaps, pods]}]\n"
				     "- level: Metadata\n  resources: [{group: '*', resources: [widgets]}]\n"
				     "- level: RequestResponse\n  resources: [{group: batch}]\n"
				     "- level: Metadata\n  resources: [{group: '', resources: ['*']}]\n",
				&e);
	REQUIRE(p);
	/* res/sub matches that subresource only; res alone does not match its subresources. */
	CHECK_INT_EQ(res_level(p, "u", "create", "", "pods", "exec", "d", "x"), AUDIT_LEVEL_REQUEST_RESPONSE);
	CHECK_INT_EQ(res_level(p, "u", "get", "", "pods", "log", "d", "x"), AUDIT_LEVEL_METADATA);
	/* the star then /sub: that subresource of anything in the group. */
	CHECK_INT_EQ(res_level(p, "u", "update", "", "nodes", "status", "", "x"), AUDIT_LEVEL_REQUEST);
	CHECK_INT_EQ(res_level(p, "u", "update", "apps", "deployments", "status", "d", "x"), AUDIT_LEVEL_METADATA);
	/* res/ then a star: the resource and all its subresources. */
	CHECK_INT_EQ(res_level(p, "u", "get", "apps", "deployments", NULL, "d", "x"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "u", "get", "apps", "deployments", "scale", "d", "x"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "u", "get", "apps", "replicasets", NULL, "d", "x"), AUDIT_LEVEL_NONE);
	/* resourceNames narrow the rule; other names fall through. */
	CHECK_INT_EQ(res_level(p, "u", "update", "", "configmaps", NULL, "d", "leader"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(res_level(p, "u", "update", "", "configmaps", NULL, "d", "other"), AUDIT_LEVEL_REQUEST);
	CHECK_INT_EQ(res_level(p, "u", "get", "", "pods", NULL, "d", "x"), AUDIT_LEVEL_REQUEST);
	/* group * matches any group; a group without resources matches all of it. */
	CHECK_INT_EQ(res_level(p, "u", "get", "example.com", "widgets", NULL, "d", "x"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "u", "create", "batch", "jobs", NULL, "d", "x"), AUDIT_LEVEL_REQUEST_RESPONSE);
	CHECK_INT_EQ(res_level(p, "u", "get", "", "services", NULL, "d", "x"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "u", "get", "policy", "poddisruptionbudgets", NULL, "d", "x"), AUDIT_LEVEL_NONE);
	/* A resource rule never matches a non-resource request. */
	CHECK_INT_EQ(url_level(p, "/api"), AUDIT_LEVEL_NONE);
	audit_policy_free(p);
}

TEST(audit_policy_namespaces)
{
	gh_err e = { 0 };
	audit_policy *p = parse(HEAD "rules:\n"
				     "- level: Request\n  namespaces: [kube-system]\n"
				     "- level: Metadata\n  namespaces: ['']\n",
				&e);
	REQUIRE(p);
	CHECK_INT_EQ(res_level(p, "u", "get", "", "pods", NULL, "kube-system", "x"), AUDIT_LEVEL_REQUEST);
	/* "" is a cluster-scoped request. */
	CHECK_INT_EQ(res_level(p, "u", "get", "", "nodes", NULL, "", "x"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "u", "get", "", "nodes", NULL, NULL, "x"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "u", "get", "", "pods", NULL, "default", "x"), AUDIT_LEVEL_NONE);
	/* namespaces make it a resource rule. */
	CHECK_INT_EQ(url_level(p, "/version"), AUDIT_LEVEL_NONE);
	audit_policy_free(p);
}

TEST(audit_policy_non_resource_urls)
{
	gh_err e = { 0 };
	audit_policy *p = parse(HEAD "rules:\n"
				     "- level: None\n  nonResourceURLs: [/healthz*, /version]\n"
				     "- level: Request\n  nonResourceURLs: ['/apis/*']\n"
				     "- level: Metadata\n  nonResourceURLs: ['*']\n",
				&e);
	REQUIRE(p);
	CHECK_INT_EQ(url_level(p, "/healthz"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(url_level(p, "/healthz/etcd"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(url_level(p, "/version"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(url_level(p, "/version/x"), AUDIT_LEVEL_METADATA); /* exact means exact */
	CHECK_INT_EQ(url_level(p, "/apis/apps"), AUDIT_LEVEL_REQUEST);
	CHECK_INT_EQ(url_level(p, "/apis"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(url_level(p, "/metrics"), AUDIT_LEVEL_METADATA);
	/* A non-resource rule never matches a resource request. */
	CHECK_INT_EQ(res_level(p, "u", "get", "", "pods", NULL, "d", "x"), AUDIT_LEVEL_NONE);
	audit_policy_free(p);
}

TEST(audit_policy_omit_stages_union_and_managed_fields)
{
	gh_err e = { 0 };
	audit_policy *p = parse(HEAD "omitStages: [RequestReceived]\nomitManagedFields: true\nrules:\n"
				     "- level: Metadata\n  verbs: [get]\n  omitStages: [ResponseComplete]\n"
				     "- level: Request\n  verbs: [list]\n  omitManagedFields: false\n",
				&e);
	REQUIRE(p);
	audit_attrs at = { .user = "u", .verb = "get", .is_resource = true, .resource = "pods" };
	audit_level l;
	unsigned omit;
	bool managed;
	audit_policy_decide(p, &at, &l, &omit, &managed);
	CHECK_INT_EQ(l, AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(omit, AUDIT_STAGE_REQUEST_RECEIVED | AUDIT_STAGE_RESPONSE_COMPLETE);
	CHECK(managed);
	at.verb = "list";
	audit_policy_decide(p, &at, &l, &omit, &managed);
	CHECK_INT_EQ(omit, AUDIT_STAGE_REQUEST_RECEIVED);
	CHECK(!managed);
	at.verb = "watch"; /* no rule: None, with the policy's own settings */
	audit_policy_decide(p, &at, &l, &omit, &managed);
	CHECK_INT_EQ(l, AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(omit, AUDIT_STAGE_REQUEST_RECEIVED);
	CHECK(managed);
	audit_policy_free(p);
	CHECK_STR_EQ(audit_stage_name(AUDIT_STAGE_PANIC), "Panic");
	CHECK(audit_stage_name(3) == NULL);
	CHECK_STR_EQ(audit_level_name(AUDIT_LEVEL_REQUEST_RESPONSE), "RequestResponse");
}

TEST(audit_policy_default_is_eks)
{
	gh_err e = { 0 };
	audit_policy *p = NULL;
	REQUIRE(audit_policy_default(&p, &e));
	/* aws-auth changes: both bodies. */
	CHECK_INT_EQ(res_level(p, "admin", "patch", "", "configmaps", NULL, "kube-system", "aws-auth"),
		     AUDIT_LEVEL_REQUEST_RESPONSE);
	/* Secrets, ConfigMaps, TokenReviews, token requests: metadata only, whatever the verb. */
	CHECK_INT_EQ(res_level(p, "admin", "get", "", "secrets", NULL, "default", "db"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "admin", "create", "", "secrets", NULL, "default", "db"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "admin", "create", "", "configmaps", NULL, "default", "c"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "admin", "create", "authentication.k8s.io", "tokenreviews", NULL, "", ""),
		     AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "admin", "create", "", "serviceaccounts", "token", "d", "sa"), AUDIT_LEVEL_METADATA);
	/* RBAC writes: both bodies; reads: the request. */
	CHECK_INT_EQ(res_level(p, "admin", "create", "rbac.authorization.k8s.io", "clusterrolebindings", NULL, "", "x"),
		     AUDIT_LEVEL_REQUEST_RESPONSE);
	CHECK_INT_EQ(res_level(p, "admin", "list", "rbac.authorization.k8s.io", "roles", NULL, "d", ""),
		     AUDIT_LEVEL_REQUEST);
	/* Health, events: nothing. Unknown groups: metadata. */
	CHECK_INT_EQ(url_level(p, "/readyz"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(url_level(p, "/healthz"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(url_level(p, "/livez"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(url_level(p, "/apis"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "admin", "create", "", "events", NULL, "d", "e"), AUDIT_LEVEL_NONE);
	CHECK_INT_EQ(res_level(p, "admin", "create", "example.com", "widgets", NULL, "d", "w"), AUDIT_LEVEL_METADATA);
	CHECK_INT_EQ(res_level(p, "system:kube-proxy", "watch", "", "endpoints", NULL, "d", ""), AUDIT_LEVEL_NONE);
	/* RequestReceived is left out everywhere. */
	audit_attrs at = { .user = "admin", .verb = "get", .is_resource = true, .resource = "pods", .namespace_ = "d" };
	audit_level l;
	unsigned omit;
	bool managed;
	audit_policy_decide(p, &at, &l, &omit, &managed);
	CHECK(omit & AUDIT_STAGE_REQUEST_RECEIVED);
	audit_policy_free(p);
	CHECK_CONTAINS(audit_policy_default_text(), "aws-auth");
}
