/* The audit log writer, the AWS API trail writer and the queries of `gatehouse logs`. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/k8s/audit_query.h"
#include "engine/audit.h"
#include "engine/jsonl.h"
#include "engine/trail.h"
#include "test.h"

typedef struct tmp {
	char dir[64];
	char log[128], policy[128];
} tmp;

static bool tmp_make(tmp *t, const char *policy_text)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/gh-audit-XXXXXX");
	if (!mkdtemp(t->dir))
		return false;
	snprintf(t->log, sizeof t->log, "%s/audit.log", t->dir);
	snprintf(t->policy, sizeof t->policy, "%s/policy.yaml", t->dir);
	if (policy_text) {
		FILE *f = fopen(t->policy, "w");
		if (!f)
			return false;
		fputs(policy_text, f);
		fclose(f);
	}
	return true;
}

static void tmp_rm(tmp *t)
{
	unlink(t->log);
	unlink(t->policy);
	rmdir(t->dir);
}

/* Every line of the file, decoded, as a JSON array (a line that is not JSON fails the test). */
static json_t *lines(const char *path)
{
	json_t *out = json_array();
	size_t len;
	char *text = test_read_file(path, &len);
	if (!text)
		return out;
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl) {
			test_failed(__FILE__, __LINE__, "last line has no newline: %s", line);
			break;
		}
		json_t *j = json_loadb(line, (size_t)(nl - line), 0, NULL);
		if (!j)
			test_failed(__FILE__, __LINE__, "not JSON: %.*s", (int)(nl - line), line);
		else
			json_array_append_new(out, j);
	}
	free(text);
	return out;
}

static const char *s_at(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

#define POLICY                                                                                     \
	"apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n"                                      \
	"- level: None\n  nonResourceURLs: [/healthz]\n"                                           \
	"- level: Metadata\n  verbs: [get]\n"                                                      \
	"- level: Request\n  verbs: [list]\n"                                                      \
	"- level: RequestResponse\n  verbs: [create, update, patch]\n"                            \
	"- level: RequestResponse\n  verbs: [delete]\n  omitStages: [RequestReceived]\n"          \
	"  omitManagedFields: true\n"

static gh_audit_event base_event(const char *verb, const json_t *req, const json_t *resp)
{
	static const char *groups[] = { "system:authenticated", "eks:admins" };
	gh_audit_event ev = {
		.audit_id = "5b0a8ee4-6f3c-4b8e-9a3e-3d1a6a2f9c11",
		.request_uri = "/api/v1/namespaces/default/configmaps/app",
		.verb = verb,
		.user_agent = "kubectl/v1.32.0",
		.source_ip = "192.0.2.7",
		.username = "arn:aws:iam::111122223333:user/alice",
		.uid = "aws-iam-authenticator:111122223333:AIDAEXAMPLE",
		.groups = groups,
		.ngroups = 2,
		.is_resource = true,
		.resource = "configmaps",
		.namespace_ = "default",
		.name = "app",
		.api_version = "v1",
		.code = 200,
		.request_object = req,
		.response_object = resp,
		.received_us = 1767323045123456,
		.completed_us = 1767323045223456,
		.decision = "allow",
		.authz_reason = "RBAC: allowed by ClusterRoleBinding \"admins\"",
	};
	return ev;
}

TEST(audit_levels_decide_the_bodies)
{
	tmp t;
	REQUIRE(tmp_make(&t, POLICY));
	gh_err e = { 0 };
	gh_audit *au = audit_open(t.log, t.policy, &e);
	REQUIRE(au);
	json_t *req = json_pack("{s:s, s:{s:s}}", "kind", "ConfigMap", "data", "k", "request-value");
	json_t *resp = json_pack("{s:s, s:{s:s}}", "kind", "ConfigMap", "data", "k", "response-value");
	gh_audit_event ev = base_event("get", req, resp);
	audit_k8s(au, &ev); /* Metadata: no bodies */
	ev = base_event("list", req, resp);
	audit_k8s(au, &ev); /* Request: the request only */
	ev = base_event("update", req, resp);
	audit_k8s(au, &ev); /* RequestResponse: both */
	ev = base_event("get", NULL, NULL);
	ev.is_resource = false;
	ev.path = ev.request_uri = "/healthz";
	audit_k8s(au, &ev); /* None: nothing */
	ev = base_event("watch", req, resp);
	audit_k8s(au, &ev); /* no rule: None */
	audit_close(au);

	json_t *all = lines(t.log);
	REQUIRE(json_array_size(all) == 6); /* two stages for each of three requests */
	const json_t *rr = json_array_get(all, 0), *meta = json_array_get(all, 1);
	CHECK_STR_EQ(s_at(rr, "stage"), "RequestReceived");
	CHECK(!json_object_get(rr, "responseStatus"));
	CHECK(!json_object_get(rr, "annotations"));
	CHECK_STR_EQ(s_at(rr, "stageTimestamp"), "2026-01-02T03:04:05.123456Z");
	CHECK_STR_EQ(s_at(meta, "stage"), "ResponseComplete");
	CHECK_STR_EQ(s_at(meta, "kind"), "Event");
	CHECK_STR_EQ(s_at(meta, "apiVersion"), "audit.k8s.io/v1");
	CHECK_STR_EQ(s_at(meta, "level"), "Metadata");
	CHECK_STR_EQ(s_at(meta, "auditID"), "5b0a8ee4-6f3c-4b8e-9a3e-3d1a6a2f9c11");
	CHECK_STR_EQ(s_at(meta, "requestReceivedTimestamp"), "2026-01-02T03:04:05.123456Z");
	CHECK_STR_EQ(s_at(meta, "stageTimestamp"), "2026-01-02T03:04:05.223456Z");
	CHECK_STR_EQ(s_at(json_object_get(meta, "user"), "username"), "arn:aws:iam::111122223333:user/alice");
	CHECK_INT_EQ(json_array_size(json_object_get(json_object_get(meta, "user"), "groups")), 2);
	CHECK_STR_EQ(json_string_value(json_array_get(json_object_get(meta, "sourceIPs"), 0)), "192.0.2.7");
	const json_t *ref = json_object_get(meta, "objectRef");
	CHECK_STR_EQ(s_at(ref, "resource"), "configmaps");
	CHECK_STR_EQ(s_at(ref, "namespace"), "default");
	CHECK_STR_EQ(s_at(ref, "name"), "app");
	CHECK(!json_object_get(ref, "apiGroup")); /* empty fields are omitted, as upstream's omitempty */
	CHECK_INT_EQ(json_integer_value(json_object_get(json_object_get(meta, "responseStatus"), "code")), 200);
	const json_t *ann = json_object_get(meta, "annotations");
	CHECK_STR_EQ(s_at(ann, "authorization.k8s.io/decision"), "allow");
	CHECK_CONTAINS(s_at(ann, "authorization.k8s.io/reason"), "ClusterRoleBinding");
	CHECK(!json_object_get(meta, "requestObject"));
	CHECK(!json_object_get(meta, "responseObject"));

	const json_t *request = json_array_get(all, 3);
	CHECK_STR_EQ(s_at(request, "level"), "Request");
	CHECK(json_object_get(request, "requestObject"));
	CHECK(!json_object_get(request, "responseObject"));

	const json_t *both = json_array_get(all, 5);
	CHECK_STR_EQ(s_at(both, "level"), "RequestResponse");
	CHECK_STR_EQ(s_at(json_object_get(json_object_get(both, "requestObject"), "data"), "k"), "request-value");
	CHECK_STR_EQ(s_at(json_object_get(json_object_get(both, "responseObject"), "data"), "k"), "response-value");

	struct stat st;
	REQUIRE(stat(t.log, &st) == 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	json_decref(all);
	json_decref(req);
	json_decref(resp);
	tmp_rm(&t);
}

TEST(audit_omit_stages_managed_fields_and_failures)
{
	tmp t;
	REQUIRE(tmp_make(&t, POLICY));
	gh_err e = { 0 };
	gh_audit *au = audit_open(t.log, t.policy, &e);
	REQUIRE(au);
	json_t *req = json_pack("{s:s, s:{s:s, s:[{s:s}]}}", "kind", "Pod", "metadata", "name", "p", "managedFields",
				"manager", "kubectl");
	gh_audit_event ev = base_event("delete", req, NULL);
	ev.resource = "pods";
	ev.code = 403;
	ev.status_reason = "Forbidden";
	ev.status_message = "pods \"p\" is forbidden: User \"alice\" cannot delete resource \"pods\"";
	ev.decision = "forbid";
	ev.authz_reason = "";
	ev.imp_username = "bob";
	const char *anns_k[] = { "pod-security.kubernetes.io/enforce-policy" };
	const char *anns_v[] = { "restricted:latest" };
	ev.annotation_keys = anns_k;
	ev.annotation_values = anns_v;
	ev.nannotations = 1;
	ev.audit_id = NULL; /* one is made */
	audit_k8s(au, &ev);
	audit_close(au);
	json_t *all = lines(t.log);
	REQUIRE(json_array_size(all) == 1); /* RequestReceived omitted */
	const json_t *x = json_array_get(all, 0);
	CHECK_STR_EQ(s_at(x, "stage"), "ResponseComplete");
	CHECK_INT_EQ(strlen(s_at(x, "auditID")), 36);
	const json_t *st = json_object_get(x, "responseStatus");
	CHECK_INT_EQ(json_integer_value(json_object_get(st, "code")), 403);
	CHECK_STR_EQ(s_at(st, "status"), "Failure");
	CHECK_STR_EQ(s_at(st, "reason"), "Forbidden");
	CHECK_STR_EQ(s_at(json_object_get(x, "impersonatedUser"), "username"), "bob");
	const json_t *ann = json_object_get(x, "annotations");
	CHECK_STR_EQ(s_at(ann, "authorization.k8s.io/decision"), "forbid");
	CHECK_STR_EQ(s_at(ann, "pod-security.kubernetes.io/enforce-policy"), "restricted:latest");
	const json_t *body = json_object_get(x, "requestObject");
	CHECK_STR_EQ(s_at(json_object_get(body, "metadata"), "name"), "p");
	CHECK(!json_object_get(json_object_get(body, "metadata"), "managedFields"));
	/* The caller's object is untouched. */
	CHECK(json_object_get(json_object_get(req, "metadata"), "managedFields"));
	json_decref(all);
	json_decref(req);
	tmp_rm(&t);
}

TEST(audit_secret_values_never_written)
{
	tmp t;
	REQUIRE(tmp_make(&t, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n"));
	gh_err e = { 0 };
	gh_audit *au = audit_open(t.log, t.policy, &e);
	REQUIRE(au);
	json_t *secret = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:s}, s:{s:s}, s:s}", "kind", "Secret",
				   "apiVersion", "v1", "metadata", "name", "db", "annotations",
				   "kubectl.kubernetes.io/last-applied-configuration",
				   "{\"data\":{\"password\":\"czNjcjN0LWxhc3QtYXBwbGllZA==\"}}", "data", "password",
				   "czNjcjN0LWRhdGE=", "stringData", "token", "s3cr3t-stringdata", "type", "Opaque");
	/* A list answer: items carry no kind. */
	json_t *list = json_pack("{s:s, s:[{s:{s:s}, s:{s:s}}]}", "kind", "SecretList", "items", "metadata", "name",
				 "db", "data", "password", "czNjcjN0LWxpc3Q=");
	json_t *patch = json_pack("[{s:s, s:s, s:s}]", "op", "replace", "path", "/data/password", "value",
				  "czNjcjN0LXBhdGNo");
	json_t *merge = json_pack("{s:{s:s}}", "data", "password", "czNjcjN0LW1lcmdl");
	/* A Secret inside a v1 List sent to another resource is found by its kind. */
	json_t *nested = json_pack("{s:s, s:[O]}", "kind", "List", "items", secret);
	gh_audit_event ev = base_event("create", secret, secret);
	ev.resource = "secrets";
	ev.name = "db";
	audit_k8s(au, &ev);
	ev = base_event("list", NULL, list);
	ev.resource = "secrets";
	audit_k8s(au, &ev);
	ev = base_event("patch", patch, secret);
	ev.resource = "secrets";
	audit_k8s(au, &ev);
	ev = base_event("patch", merge, secret);
	ev.resource = "secrets";
	audit_k8s(au, &ev);
	ev = base_event("create", nested, nested);
	ev.resource = "widgets";
	ev.api_group = "example.com";
	audit_k8s(au, &ev);
	audit_close(au);

	size_t len;
	char *text = test_read_file(t.log, &len);
	REQUIRE(text);
	const char *leaks[] = { "czNjcjN0", "s3cr3t", "last-applied-configuration", "stringData", "\"data\"" };
	for (size_t i = 0; i < sizeof leaks / sizeof *leaks; i++)
		if (strstr(text, leaks[i]))
			test_failed(__FILE__, __LINE__, "the log contains %s", leaks[i]);
	free(text);
	json_t *all = lines(t.log);
	REQUIRE(json_array_size(all) == 10);
	/* What is not secret stays: the name, the type. */
	const json_t *created = json_array_get(all, 1);
	CHECK_STR_EQ(s_at(json_object_get(json_object_get(created, "requestObject"), "metadata"), "name"), "db");
	CHECK_STR_EQ(s_at(json_object_get(created, "responseObject"), "type"), "Opaque");
	/* The JSON patch of a Secret is left out whole. */
	CHECK(!json_object_get(json_array_get(all, 5), "requestObject"));
	json_decref(all);
	json_decref(secret);
	json_decref(list);
	json_decref(patch);
	json_decref(merge);
	json_decref(nested);
	tmp_rm(&t);
}

TEST(audit_oversized_event_is_truncated)
{
	tmp t;
	REQUIRE(tmp_make(&t, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n"
			     "  omitStages: [RequestReceived]\n"));
	gh_err e = { 0 };
	gh_audit *au = audit_open(t.log, t.policy, &e);
	REQUIRE(au);
	size_t n = GH_JSONL_MAX_LINE;
	char *big = malloc(n + 1);
	REQUIRE(big);
	memset(big, 'a', n);
	big[n] = '\0';
	json_t *req = json_pack("{s:s, s:{s:s}}", "kind", "ConfigMap", "data", "k", big);
	gh_audit_event ev = base_event("create", req, NULL);
	audit_k8s(au, &ev);
	audit_close(au);
	json_t *all = lines(t.log);
	REQUIRE(json_array_size(all) == 1);
	const json_t *x = json_array_get(all, 0);
	CHECK(!json_object_get(x, "requestObject"));
	CHECK_STR_EQ(s_at(json_object_get(x, "annotations"), "audit.k8s.io/truncated"), "true");
	json_decref(all);
	json_decref(req);
	free(big);
	tmp_rm(&t);
}

TEST(audit_open_reports_policy_errors_and_uses_default)
{
	tmp t;
	REQUIRE(tmp_make(&t, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n"));
	gh_err e = { 0 };
	CHECK(!audit_open(t.log, t.policy, &e));
	CHECK_CONTAINS(e.msg, "policy.yaml");
	CHECK_CONTAINS(e.msg, "rules[0].level: must be one of None, Metadata, Request, RequestResponse");
	unlink(t.policy);
	CHECK(!audit_open(t.log, t.policy, &e));
	CHECK_CONTAINS(e.msg, "cannot read");
	/* The default policy: a secret read is Metadata, its RequestReceived stage omitted. */
	gh_audit *au = audit_open(t.log, NULL, &e);
	REQUIRE(au);
	json_t *secret = json_pack("{s:s, s:{s:s}}", "kind", "Secret", "data", "k", "czNjcjN0");
	gh_audit_event ev = base_event("get", NULL, secret);
	ev.resource = "secrets";
	audit_k8s(au, &ev);
	audit_close(au);
	json_t *all = lines(t.log);
	REQUIRE(json_array_size(all) == 1);
	CHECK_STR_EQ(s_at(json_array_get(all, 0), "level"), "Metadata");
	CHECK(!json_object_get(json_array_get(all, 0), "responseObject"));
	json_decref(all);
	json_decref(secret);
	tmp_rm(&t);
}

/* ---- the trail ------------------------------------------------------------------------- */

TEST(trail_records_callers_failures_and_safe_parameters)
{
	tmp t;
	REQUIRE(tmp_make(&t, NULL));
	gh_err e = { 0 };
	gh_trail *tr = trail_open(t.log, &e);
	REQUIRE(tr);
	gh_cred user = { .akid = "AKIAEXAMPLEEXAMPLE01", .secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
			 .kind = IAM_CALLER_USER, .arn = "arn:aws:iam::111122223333:user/alice",
			 .user_id = "AIDAEXAMPLE", .principal_id = "AIDAEXAMPLE", .account = "111122223333",
			 .user_name = "alice" };
	gh_cred session = { .akid = "ASIAEXAMPLEEXAMPLE02", .secret = "session-secret-never-logged",
			    .is_session = true, .kind = IAM_CALLER_ROLE_SESSION,
			    .arn = "arn:aws:sts::111122223333:assumed-role/Dev/ci", .user_id = "AROAEXAMPLE:ci",
			    .principal_id = "AROAEXAMPLE", .account = "111122223333",
			    .role_arn = "arn:aws:iam::111122223333:role/Dev", .role_name = "Dev",
			    .session_name = "ci" };
	json_t *params = json_pack("{s:s, s:s}", "clusterName", "prod", "principalArn",
				   "arn:aws:iam::111122223333:role/Dev");
	json_t *made = json_pack("{s:{s:s}}", "accessEntry", "accessEntryArn", "arn:aws:eks:...");
	gh_trail_record r = { .event_source = "eks.amazonaws.com", .event_name = "CreateAccessEntry",
			      .source_ip = "127.0.0.1", .user_agent = "aws-cli/2", .request_id = "req-1",
			      .caller = &user, .request_parameters = params, .response_elements = made };
	trail_aws(tr, &r, 1767323045, "us-east-1", "111122223333");
	r = (gh_trail_record){ .event_source = "iam.amazonaws.com", .event_name = "ListUsers", .caller = &session,
			       .response_elements = made, .request_id = "req-2" };
	trail_aws(tr, &r, 1767323046, "us-east-1", "111122223333");
	r = (gh_trail_record){ .event_source = "sts.amazonaws.com", .event_name = "GetCallerIdentity",
			       .access_key_id = "AKIAUNKNOWNKEY000000", .error_code = "InvalidClientTokenId",
			       .error_message = "The security token included in the request is invalid.",
			       .request_id = "req-3" };
	trail_aws(tr, &r, 1767323047, "us-east-1", "111122223333");
	trail_close(tr);

	size_t len;
	char *text = test_read_file(t.log, &len);
	REQUIRE(text);
	CHECK(!strstr(text, "wJalrXUtnFEMI"));
	CHECK(!strstr(text, "session-secret"));
	free(text);
	json_t *all = lines(t.log);
	REQUIRE(json_array_size(all) == 3);
	const json_t *a = json_array_get(all, 0);
	CHECK_STR_EQ(s_at(a, "eventVersion"), "1.08");
	CHECK_STR_EQ(s_at(a, "eventTime"), "2026-01-02T03:04:05Z");
	CHECK_STR_EQ(s_at(a, "eventSource"), "eks.amazonaws.com");
	CHECK_STR_EQ(s_at(a, "eventName"), "CreateAccessEntry");
	CHECK_STR_EQ(s_at(a, "awsRegion"), "us-east-1");
	CHECK_STR_EQ(s_at(a, "eventType"), "AwsApiCall");
	CHECK_STR_EQ(s_at(a, "recipientAccountId"), "111122223333");
	CHECK_STR_EQ(s_at(a, "requestID"), "req-1");
	CHECK_INT_EQ(strlen(s_at(a, "eventID")), 36);
	CHECK(json_is_false(json_object_get(a, "readOnly")));
	CHECK(json_is_true(json_object_get(a, "managementEvent")));
	CHECK(!json_object_get(a, "errorCode"));
	const json_t *id = json_object_get(a, "userIdentity");
	CHECK_STR_EQ(s_at(id, "type"), "IAMUser");
	CHECK_STR_EQ(s_at(id, "userName"), "alice");
	CHECK_STR_EQ(s_at(id, "accessKeyId"), "AKIAEXAMPLEEXAMPLE01");
	CHECK_STR_EQ(s_at(json_object_get(a, "requestParameters"), "clusterName"), "prod");
	CHECK(json_is_object(json_object_get(a, "responseElements")));

	const json_t *b = json_array_get(all, 1);
	CHECK(json_is_true(json_object_get(b, "readOnly")));
	CHECK(json_is_null(json_object_get(b, "requestParameters")));
	id = json_object_get(b, "userIdentity");
	CHECK_STR_EQ(s_at(id, "type"), "AssumedRole");
	CHECK_STR_EQ(s_at(id, "principalId"), "AROAEXAMPLE:ci");
	const json_t *issuer = json_object_get(json_object_get(id, "sessionContext"), "sessionIssuer");
	CHECK_STR_EQ(s_at(issuer, "arn"), "arn:aws:iam::111122223333:role/Dev");
	CHECK_STR_EQ(s_at(issuer, "userName"), "Dev");

	const json_t *c = json_array_get(all, 2);
	id = json_object_get(c, "userIdentity");
	CHECK_STR_EQ(s_at(id, "type"), "Unknown");
	CHECK_STR_EQ(s_at(id, "accessKeyId"), "AKIAUNKNOWNKEY000000");
	CHECK(!json_object_get(id, "arn"));
	CHECK_STR_EQ(s_at(c, "errorCode"), "InvalidClientTokenId");
	CHECK_CONTAINS(s_at(c, "errorMessage"), "security token");
	CHECK(json_is_null(json_object_get(c, "responseElements")));
	CHECK(trail_read_only("DescribeCluster") && trail_read_only("AssumeRole") && !trail_read_only("DeleteRole"));
	json_decref(all);
	json_decref(params);
	json_decref(made);
	tmp_rm(&t);
}

/* ---- the queries ------------------------------------------------------------------------- */

static bool answers(const audit_query *q, const char *line)
{
	json_t *d = json_loads(line, 0, NULL);
	audit_record r;
	bool ok = d && audit_query_classify(d, &r) && audit_query_match(q, &r);
	json_decref(d);
	return ok;
}

static char *text_of(const char *line)
{
	json_t *d = json_loads(line, 0, NULL);
	audit_record r;
	gh_buf b = { 0 };
	if (d && audit_query_classify(d, &r))
		audit_query_text(&r, &b);
	json_decref(d);
	return gh_buf_take(&b);
}

static const char k8s_secret_get[] =
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"stage\":\"ResponseComplete\","
	"\"verb\":\"get\",\"user\":{\"username\":\"alice\",\"extra\":{\"arn\":[\"arn:aws:sts::1:assumed-role/Dev/s\"],"
	"\"canonicalArn\":[\"arn:aws:iam::1:role/Dev\"],\"accessKeyId\":[\"ASIAKEY\"]}},"
	"\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"prod\",\"name\":\"db\"},"
	"\"responseStatus\":{\"metadata\":{},\"code\":403,\"reason\":\"Forbidden\"},"
	"\"stageTimestamp\":\"2026-01-02T03:04:05.500000Z\"}";
static const char k8s_received[] =
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"RequestReceived\",\"verb\":\"get\","
	"\"user\":{\"username\":\"alice\"},\"objectRef\":{\"resource\":\"secrets\"},"
	"\"stageTimestamp\":\"2026-01-02T03:04:05.000000Z\"}";
static const char k8s_aws_auth[] =
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"ResponseComplete\",\"verb\":\"patch\","
	"\"user\":{\"username\":\"kubernetes-admin\"},\"objectRef\":{\"resource\":\"configmaps\","
	"\"namespace\":\"kube-system\",\"name\":\"aws-auth\"},\"responseStatus\":{\"code\":200},"
	"\"stageTimestamp\":\"2026-01-02T04:00:00.000000Z\"}";
static const char aws_entry[] =
	"{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::1:user/admin\","
	"\"accessKeyId\":\"AKIAADMIN\",\"userName\":\"admin\"},\"eventTime\":\"2026-01-02T05:00:00Z\","
	"\"eventSource\":\"eks.amazonaws.com\",\"eventName\":\"CreateAccessEntry\",\"requestParameters\":"
	"{\"clusterName\":\"prod\",\"principalArn\":\"arn:aws:iam::1:role/Dev\"}}";
static const char aws_failed[] =
	"{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"Unknown\",\"accessKeyId\":\"AKIABAD\"},"
	"\"eventTime\":\"2026-01-02T06:00:00Z\",\"eventSource\":\"sts.amazonaws.com\",\"eventName\":"
	"\"GetCallerIdentity\",\"errorCode\":\"InvalidClientTokenId\",\"requestParameters\":{}}";
static const char aws_mode[] =
	"{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/Dev/s\","
	"\"sessionContext\":{\"sessionIssuer\":{\"arn\":\"arn:aws:iam::1:role/Dev\"}}},"
	"\"eventTime\":\"2026-01-02T07:00:00Z\",\"eventSource\":\"eks.amazonaws.com\",\"eventName\":"
	"\"UpdateClusterConfig\",\"requestParameters\":{\"name\":\"prod\",\"accessConfig\":{\"authenticationMode\":\"API\"}}}";

TEST(audit_query_filters)
{
	audit_query all = { 0 };
	CHECK(answers(&all, k8s_secret_get) && answers(&all, aws_entry));
	CHECK(!answers(&all, k8s_received)); /* no outcome yet */
	audit_query stages = { .all_stages = true };
	CHECK(answers(&stages, k8s_received));
	CHECK(!answers(&all, "{\"kind\":\"Event\"}") && !answers(&all, "[1]") && !answers(&all, "{\"eventVersion\":1}"));

	audit_query failed = { .failed = true };
	CHECK(answers(&failed, k8s_secret_get) && answers(&failed, aws_failed));
	CHECK(!answers(&failed, k8s_aws_auth) && !answers(&failed, aws_entry));

	audit_query secrets = { .secrets_read = true };
	CHECK(answers(&secrets, k8s_secret_get));
	CHECK(!answers(&secrets, k8s_aws_auth) && !answers(&secrets, aws_entry));

	audit_query access = { .access_entries = true };
	CHECK(answers(&access, k8s_aws_auth) && answers(&access, aws_entry) && answers(&access, aws_mode));
	CHECK(!answers(&access, k8s_secret_get) && !answers(&access, aws_failed));

	const char *who[] = { "alice", "arn:aws:sts::1:assumed-role/Dev/s", "arn:aws:iam::1:role/Dev", "ASIAKEY" };
	for (size_t i = 0; i < 4; i++) {
		audit_query p = { .principal = who[i] };
		if (!answers(&p, k8s_secret_get))
			test_failed(__FILE__, __LINE__, "--principal %s missed the Kubernetes event", who[i]);
	}
	audit_query admin = { .principal = "admin" }, key = { .principal = "AKIABAD" },
		    role = { .principal = "arn:aws:iam::1:role/Dev" };
	CHECK(answers(&admin, aws_entry) && !answers(&admin, k8s_secret_get));
	CHECK(answers(&key, aws_failed) && !answers(&key, aws_entry));
	CHECK(answers(&role, aws_mode) && !answers(&role, aws_entry)); /* the entry names Dev; Dev did not call */

	audit_query k8s = { .sources = AUDIT_SOURCE_K8S }, aws = { .sources = AUDIT_SOURCE_AWS };
	CHECK(answers(&k8s, k8s_aws_auth) && !answers(&k8s, aws_entry));
	CHECK(answers(&aws, aws_entry) && !answers(&aws, k8s_aws_auth));

	/* AND: failed secret reads of one principal after a moment. */
	audit_query both = { .failed = true, .secrets_read = true, .principal = "alice", .has_since = true };
	gh_err e = { 0 };
	REQUIRE(audit_query_parse_since(GH_STR("2026-01-02T03:04:05Z"), 0, &both.since_us, &e));
	CHECK(answers(&both, k8s_secret_get));
	REQUIRE(audit_query_parse_since(GH_STR("2026-01-02T03:04:06Z"), 0, &both.since_us, &e));
	CHECK(!answers(&both, k8s_secret_get));
}

TEST(audit_query_since_durations)
{
	gh_err e = { 0 };
	int64_t now = (int64_t)1767323045 * 1000000, t;
	REQUIRE(audit_query_parse_since(GH_STR("1h"), now, &t, &e));
	CHECK(t == now - (int64_t)3600 * 1000000);
	REQUIRE(audit_query_parse_since(GH_STR("30m"), now, &t, &e));
	CHECK(t == now - (int64_t)1800 * 1000000);
	REQUIRE(audit_query_parse_since(GH_STR("2d"), now, &t, &e));
	CHECK(t == now - (int64_t)172800 * 1000000);
	REQUIRE(audit_query_parse_since(GH_STR("1h30m"), now, &t, &e));
	CHECK(t == now - (int64_t)5400 * 1000000);
	REQUIRE(audit_query_parse_since(GH_STR("2026-01-02T03:04:05.25+01:00"), now, &t, &e));
	CHECK(t == (int64_t)(1767323045 - 3600) * 1000000 + 250000);
	const char *bad[] = { "", "h", "1", "1y", "-1h", "1h ", "9999999999d", "99999d99999d99999d" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (audit_query_parse_since(gh_str_c(bad[i]), now, &t, &e))
			test_failed(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
	CHECK_CONTAINS(e.msg, "--since");
}

TEST(audit_query_text_lines)
{
	char *s = text_of(k8s_secret_get);
	CHECK_STR_EQ(s, "2026-01-02T03:04:05Z k8s alice[arn:aws:sts::1:assumed-role/Dev/s] get secrets prod/db 403 "
			"Forbidden\n");
	free(s);
	s = text_of(aws_entry);
	CHECK_STR_EQ(s, "2026-01-02T05:00:00Z aws arn:aws:iam::1:user/admin eks:CreateAccessEntry "
			"clusterName=prod,principalArn=arn:aws:iam::1:role/Dev ok\n");
	free(s);
	s = text_of(aws_failed);
	CHECK_STR_EQ(s, "2026-01-02T06:00:00Z aws key:AKIABAD sts:GetCallerIdentity InvalidClientTokenId\n");
	free(s);
	/* A value cannot forge a line of the report. */
	s = text_of("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"ResponseComplete\","
		    "\"verb\":\"get\",\"user\":{\"username\":\"eve\\n2026-01-01T00:00:00Z aws admin\"},"
		    "\"requestURI\":\"/x\",\"stageTimestamp\":\"2026-01-02T03:04:05Z\"}");
	REQUIRE(s);
	CHECK(strchr(s, '\n') == s + strlen(s) - 1);
	free(s);
}
