#include "base/str.h"
#include "codec/k8s_proto.h"
#include "test.h"

/* A tiny protobuf writer, enough to build the bodies client-go sends. Expected JSON is
 * what Go's encoding/json writes for the same Go object (zero values and all). */

enum { VARINT = 0, LEN = 2 };

static void w_varint(gh_buf *b, uint64_t v)
{
	do {
		uint8_t c = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			c |= 0x80;
		gh_buf_put(b, &c, 1);
	} while (v);
}

static void w_tag(gh_buf *b, uint32_t num, unsigned wire)
{
	w_varint(b, (uint64_t)num << 3 | wire);
}

static void w_bytes(gh_buf *b, uint32_t num, const void *p, size_t n)
{
	w_tag(b, num, LEN);
	w_varint(b, n);
	gh_buf_put(b, p, n);
}

static void w_str(gh_buf *b, uint32_t num, const char *s)
{
	w_bytes(b, num, s, strlen(s));
}

static void w_uint(gh_buf *b, uint32_t num, uint64_t v)
{
	w_tag(b, num, VARINT);
	w_varint(b, v);
}

/* Writes the message `m` as field `num` and frees it. */
static void w_msg(gh_buf *b, uint32_t num, gh_buf *m)
{
	w_bytes(b, num, m->p ? m->p : "", m->n);
	gh_buf_free(m);
}

static void w_map(gh_buf *b, uint32_t num, const char *k, const void *v, size_t vn)
{
	gh_buf e = { 0 };
	w_str(&e, 1, k);
	w_bytes(&e, 2, v, vn);
	w_msg(b, num, &e);
}

/* "k8s\0" + runtime.Unknown{typeMeta, raw}; frees raw. */
static void w_envelope(gh_buf *out, const char *api_version, const char *kind, gh_buf *raw)
{
	gh_buf tm = { 0 };
	w_str(&tm, 1, api_version);
	w_str(&tm, 2, kind);
	gh_buf_put(out, "k8s\0", 4);
	w_msg(out, 1, &tm);
	w_msg(out, 2, raw);
	w_str(out, 4, K8S_PROTO_CONTENT_TYPE);
}

/* ObjectMeta as gogo writes a create request: creationTimestamp always, as empty bytes. */
static void w_meta(gh_buf *b, const char *name, const char *ns)
{
	gh_buf m = { 0 };
	if (name)
		w_str(&m, 1, name);
	if (ns)
		w_str(&m, 3, ns);
	w_bytes(&m, 8, "", 0);
	w_msg(b, 1, &m);
}

static json_t *decode_buf(const gh_buf *b, char *problem, size_t len)
{
	json_t *out = NULL;
	if (!k8s_proto_decode((const uint8_t *)b->p, b->n, &out, problem, len))
		return NULL;
	return out;
}

/* Decodes and compares with the expected JSON text; frees the body. */
#define expect_json(body, want) expect_json_at(__LINE__, body, want)
static void expect_json_at(int line, gh_buf *body, const char *want_text)
{
	char problem[256];
	json_t *got = decode_buf(body, problem, sizeof problem);
	gh_buf_free(body);
	json_error_t je;
	json_t *want = json_loads(want_text, 0, &je);
	if (!want)
		test_failed(__FILE__, line, "bad expected JSON: %s", je.text);
	if (!got)
		test_failed(__FILE__, line, "decode failed: %s", problem);
	if (got && want && !json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
		char *w = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
		test_failed(__FILE__, line, "got %s\nwant %s", g, w);
		free(g);
		free(w);
	}
	json_decref(got);
	json_decref(want);
}

/* Decoding must fail with a message containing `needle`; frees the body. */
#define expect_error(body, needle) expect_error_at(__LINE__, body, needle)
static void expect_error_at(int line, gh_buf *body, const char *needle)
{
	char problem[256] = "unset";
	json_t *got = decode_buf(body, problem, sizeof problem);
	gh_buf_free(body);
	if (got) {
		test_failed(__FILE__, line, "decoded where an error containing \"%s\" was expected", needle);
		json_decref(got);
		return;
	}
	if (!strstr(problem, needle))
		test_failed(__FILE__, line, "\"%s\" does not contain \"%s\"", problem, needle);
}

TEST(k8s_proto_self_subject_review_empty)
{
	/* kubectl auth whoami: metadata and status are struct values, so both are on the wire. */
	gh_buf raw = { 0 }, status = { 0 }, body = { 0 };
	w_meta(&raw, NULL, NULL);
	w_bytes(&status, 1, "", 0);
	w_msg(&raw, 2, &status);
	w_envelope(&body, "authentication.k8s.io/v1", "SelfSubjectReview", &raw);
	expect_json(&body, "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
			   "\"metadata\":{\"creationTimestamp\":null},\"status\":{\"userInfo\":{}}}");

	/* An object with no bytes at all still gets Go's zero-value shape. */
	gh_buf empty = { 0 };
	w_envelope(&body, "authentication.k8s.io/v1", "SelfSubjectReview", &empty);
	expect_json(&body, "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
			   "\"metadata\":{\"creationTimestamp\":null},\"status\":{\"userInfo\":{}}}");
}

TEST(k8s_proto_self_subject_access_review)
{
	gh_buf raw = { 0 }, spec = { 0 }, ra = { 0 }, st = { 0 }, body = { 0 };
	w_str(&ra, 1, "default");
	w_str(&ra, 2, "get");
	w_str(&ra, 3, "");	/* gogo writes empty strings; omitempty drops them */
	w_str(&ra, 4, "");
	w_str(&ra, 5, "pods");
	w_str(&ra, 6, "");
	w_str(&ra, 7, "");
	w_msg(&spec, 1, &ra);
	w_meta(&raw, NULL, NULL);
	w_msg(&raw, 2, &spec);
	w_uint(&st, 1, 0);
	w_str(&st, 2, "");
	w_str(&st, 3, "");
	w_uint(&st, 4, 0);
	w_msg(&raw, 3, &st);
	w_envelope(&body, "authorization.k8s.io/v1", "SelfSubjectAccessReview", &raw);
	expect_json(&body, "{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
			   "\"metadata\":{\"creationTimestamp\":null},"
			   "\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"get\","
			   "\"resource\":\"pods\"}},\"status\":{\"allowed\":false}}");
}

TEST(k8s_proto_subject_access_review_with_selectors_and_extra)
{
	gh_buf raw = { 0 }, spec = { 0 }, ra = { 0 }, fs = { 0 }, req = { 0 }, ls = { 0 },
	       items = { 0 }, nra = { 0 }, body = { 0 };
	w_str(&ra, 2, "list");
	w_str(&ra, 5, "pods");
	w_str(&fs, 1, "spec.nodeName=n1");
	w_msg(&ra, 8, &fs);
	w_str(&req, 1, "app");
	w_str(&req, 2, "In");
	w_str(&req, 3, "web");
	w_str(&req, 3, "api");
	w_msg(&ls, 2, &req);
	w_msg(&ra, 9, &ls);
	w_msg(&spec, 1, &ra);
	w_str(&spec, 3, "alice");
	w_str(&spec, 4, "devs");
	w_str(&spec, 4, "system:authenticated");
	w_str(&items, 1, "arn:aws:iam::111122223333:role/dev");
	gh_buf entry = { 0 };
	w_str(&entry, 1, "arn");
	w_msg(&entry, 2, &items);
	w_msg(&spec, 5, &entry);
	gh_buf empty_entry = { 0 };
	w_str(&empty_entry, 1, "scopes"); /* an ExtraValue with no items is an empty slice */
	w_msg(&spec, 5, &empty_entry);
	w_str(&spec, 6, "uid-1");
	w_msg(&raw, 2, &spec);
	w_envelope(&body, "authorization.k8s.io/v1", "SubjectAccessReview", &raw);
	expect_json(&body, "{\"kind\":\"SubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
			   "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"resourceAttributes\":{"
			   "\"verb\":\"list\",\"resource\":\"pods\",\"fieldSelector\":{\"rawSelector\":"
			   "\"spec.nodeName=n1\"},\"labelSelector\":{\"requirements\":[{\"key\":\"app\","
			   "\"operator\":\"In\",\"values\":[\"web\",\"api\"]}]}},\"user\":\"alice\","
			   "\"groups\":[\"devs\",\"system:authenticated\"],\"extra\":{\"arn\":"
			   "[\"arn:aws:iam::111122223333:role/dev\"],\"scopes\":[]},\"uid\":\"uid-1\"},"
			   "\"status\":{\"allowed\":false}}");

	/* Local SAR and a non-resource SAR share the spec. */
	gh_buf raw2 = { 0 }, spec2 = { 0 };
	w_str(&nra, 1, "/healthz");
	w_str(&nra, 2, "get");
	w_msg(&spec2, 2, &nra);
	w_str(&spec2, 3, "bob");
	w_msg(&raw2, 2, &spec2);
	w_envelope(&body, "authorization.k8s.io/v1", "LocalSubjectAccessReview", &raw2);
	expect_json(&body, "{\"kind\":\"LocalSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
			   "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"nonResourceAttributes\":"
			   "{\"path\":\"/healthz\",\"verb\":\"get\"},\"user\":\"bob\"},"
			   "\"status\":{\"allowed\":false}}");
}

TEST(k8s_proto_self_subject_rules_review)
{
	gh_buf raw = { 0 }, spec = { 0 }, body = { 0 };
	w_meta(&raw, NULL, NULL);
	w_str(&spec, 1, "kube-system");
	w_msg(&raw, 2, &spec);
	w_envelope(&body, "authorization.k8s.io/v1", "SelfSubjectRulesReview", &raw);
	expect_json(&body, "{\"kind\":\"SelfSubjectRulesReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
			   "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"namespace\":\"kube-system\"},"
			   "\"status\":{\"resourceRules\":null,\"nonResourceRules\":null,\"incomplete\":false}}");
}

TEST(k8s_proto_token_request_and_review)
{
	gh_buf raw = { 0 }, spec = { 0 }, ref = { 0 }, body = { 0 };
	w_meta(&raw, "builder", "ci");
	w_str(&spec, 1, "https://kubernetes.default.svc");
	w_str(&ref, 1, "Pod");
	w_str(&ref, 2, "v1");
	w_str(&ref, 3, "runner-0");
	w_str(&ref, 4, "1234-abcd");
	w_msg(&spec, 3, &ref);
	w_uint(&spec, 4, 3600);
	w_msg(&raw, 2, &spec);
	w_envelope(&body, "authentication.k8s.io/v1", "TokenRequest", &raw);
	expect_json(&body, "{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\","
			   "\"metadata\":{\"name\":\"builder\",\"namespace\":\"ci\",\"creationTimestamp\":null},"
			   "\"spec\":{\"audiences\":[\"https://kubernetes.default.svc\"],\"boundObjectRef\":"
			   "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"runner-0\",\"uid\":\"1234-abcd\"},"
			   "\"expirationSeconds\":3600},\"status\":{\"token\":\"\",\"expirationTimestamp\":null}}");

	/* kubectl create token with no --audience: audiences is a nil slice, written as null. */
	gh_buf raw2 = { 0 };
	w_meta(&raw2, "builder", NULL);
	w_envelope(&body, "authentication.k8s.io/v1", "TokenRequest", &raw2);
	expect_json(&body, "{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\","
			   "\"metadata\":{\"name\":\"builder\",\"creationTimestamp\":null},"
			   "\"spec\":{\"audiences\":null},\"status\":{\"token\":\"\",\"expirationTimestamp\":null}}");

	gh_buf raw3 = { 0 }, spec3 = { 0 };
	w_str(&spec3, 1, "k8s-aws-v1.abc");
	w_str(&spec3, 2, "sts.amazonaws.com");
	w_msg(&raw3, 2, &spec3);
	w_envelope(&body, "authentication.k8s.io/v1", "TokenReview", &raw3);
	expect_json(&body, "{\"kind\":\"TokenReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
			   "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"token\":\"k8s-aws-v1.abc\","
			   "\"audiences\":[\"sts.amazonaws.com\"]},\"status\":{\"user\":{}}}");
}

TEST(k8s_proto_secret_binary_data_is_base64)
{
	gh_buf raw = { 0 }, body = { 0 };
	w_meta(&raw, "creds", "default");
	w_map(&raw, 2, "key", "\x00\xff\x10", 3);
	w_map(&raw, 2, "empty", "", 0);
	w_str(&raw, 3, "Opaque");
	w_map(&raw, 4, "plain", "text", 4);
	w_uint(&raw, 5, 0); /* *bool: present false is written */
	w_envelope(&body, "v1", "Secret", &raw);
	expect_json(&body, "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"creds\","
			   "\"namespace\":\"default\",\"creationTimestamp\":null},\"data\":{\"key\":\"AP8Q\","
			   "\"empty\":\"\"},\"type\":\"Opaque\",\"stringData\":{\"plain\":\"text\"},"
			   "\"immutable\":false}");
}

TEST(k8s_proto_config_map_namespace_service_account)
{
	gh_buf raw = { 0 }, body = { 0 };
	w_meta(&raw, "cfg", "default");
	w_map(&raw, 2, "a", "1", 1);
	w_map(&raw, 3, "bin", "hi", 2);
	w_envelope(&body, "v1", "ConfigMap", &raw);
	expect_json(&body, "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"cfg\","
			   "\"namespace\":\"default\",\"creationTimestamp\":null},\"data\":{\"a\":\"1\"},"
			   "\"binaryData\":{\"bin\":\"aGk=\"}}");

	gh_buf ns = { 0 }, spec = { 0 }, status = { 0 };
	w_meta(&ns, "team-a", NULL);
	w_msg(&ns, 2, &spec);
	w_msg(&ns, 3, &status);
	w_envelope(&body, "v1", "Namespace", &ns);
	expect_json(&body, "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"team-a\","
			   "\"creationTimestamp\":null},\"spec\":{},\"status\":{}}");

	gh_buf sa = { 0 }, sec = { 0 }, pull = { 0 };
	w_meta(&sa, "deployer", "ci");
	w_str(&sec, 3, "deployer-token");
	w_str(&sec, 2, "ci");
	w_msg(&sa, 2, &sec);
	w_str(&pull, 1, "registry");
	w_msg(&sa, 3, &pull);
	w_uint(&sa, 4, 1);
	w_envelope(&body, "v1", "ServiceAccount", &sa);
	expect_json(&body, "{\"kind\":\"ServiceAccount\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
			   "\"deployer\",\"namespace\":\"ci\",\"creationTimestamp\":null},\"secrets\":[{\"name\":"
			   "\"deployer-token\",\"namespace\":\"ci\"}],\"imagePullSecrets\":[{\"name\":\"registry\"}],"
			   "\"automountServiceAccountToken\":true}");
}

TEST(k8s_proto_role_binding_with_subjects)
{
	gh_buf raw = { 0 }, meta = { 0 }, s1 = { 0 }, s2 = { 0 }, ref = { 0 }, body = { 0 };
	w_str(&meta, 1, "read-pods");
	w_str(&meta, 3, "dev");
	w_map(&meta, 11, "team", "a", 1);
	w_bytes(&meta, 8, "", 0);
	w_msg(&raw, 1, &meta);
	w_str(&s1, 1, "User");
	w_str(&s1, 2, "rbac.authorization.k8s.io");
	w_str(&s1, 3, "alice");
	w_str(&s1, 4, "");
	w_msg(&raw, 2, &s1);
	w_str(&s2, 1, "ServiceAccount");
	w_str(&s2, 2, "");
	w_str(&s2, 3, "builder");
	w_str(&s2, 4, "ci");
	w_msg(&raw, 2, &s2);
	w_str(&ref, 1, "rbac.authorization.k8s.io");
	w_str(&ref, 2, "ClusterRole");
	w_str(&ref, 3, "view");
	w_msg(&raw, 3, &ref);
	w_envelope(&body, "rbac.authorization.k8s.io/v1", "RoleBinding", &raw);
	expect_json(&body, "{\"kind\":\"RoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
			   "\"metadata\":{\"name\":\"read-pods\",\"namespace\":\"dev\",\"labels\":{\"team\":\"a\"},"
			   "\"creationTimestamp\":null},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":"
			   "\"rbac.authorization.k8s.io\",\"name\":\"alice\"},{\"kind\":\"ServiceAccount\","
			   "\"name\":\"builder\",\"namespace\":\"ci\"}],\"roleRef\":{\"apiGroup\":"
			   "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"view\"}}");

	/* Without a roleRef on the wire Go still writes the struct with its empty strings. */
	gh_buf raw2 = { 0 };
	w_meta(&raw2, "crb", NULL);
	w_envelope(&body, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", &raw2);
	expect_json(&body, "{\"kind\":\"ClusterRoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
			   "\"metadata\":{\"name\":\"crb\",\"creationTimestamp\":null},"
			   "\"roleRef\":{\"apiGroup\":\"\",\"kind\":\"\",\"name\":\"\"}}");
}

TEST(k8s_proto_cluster_role_with_rules_and_aggregation)
{
	gh_buf raw = { 0 }, r1 = { 0 }, r2 = { 0 }, agg = { 0 }, sel = { 0 }, req = { 0 }, body = { 0 };
	w_meta(&raw, "monitoring", NULL);
	w_str(&r1, 1, "get");
	w_str(&r1, 1, "list");
	w_str(&r1, 2, "");
	w_str(&r1, 3, "pods");
	w_str(&r1, 4, "web-0");
	w_msg(&raw, 2, &r1);
	w_str(&r2, 1, "get");
	w_str(&r2, 5, "/metrics");
	w_msg(&raw, 2, &r2);
	w_map(&sel, 1, "rbac.example.com/aggregate-to-monitoring", "true", 4);
	w_str(&req, 1, "tier");
	w_str(&req, 2, "Exists");
	w_msg(&sel, 2, &req);
	w_msg(&agg, 1, &sel);
	w_msg(&raw, 3, &agg);
	w_envelope(&body, "rbac.authorization.k8s.io/v1", "ClusterRole", &raw);
	expect_json(&body, "{\"kind\":\"ClusterRole\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
			   "\"metadata\":{\"name\":\"monitoring\",\"creationTimestamp\":null},\"rules\":["
			   "{\"verbs\":[\"get\",\"list\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
			   "\"resourceNames\":[\"web-0\"]},{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/metrics\"]}],"
			   "\"aggregationRule\":{\"clusterRoleSelectors\":[{\"matchLabels\":"
			   "{\"rbac.example.com/aggregate-to-monitoring\":\"true\"},\"matchExpressions\":"
			   "[{\"key\":\"tier\",\"operator\":\"Exists\"}]}]}}");

	/* A Role with no rules: rules has no omitempty, so Go writes null. */
	gh_buf role = { 0 };
	w_meta(&role, "empty", "dev");
	w_envelope(&body, "rbac.authorization.k8s.io/v1", "Role", &role);
	expect_json(&body, "{\"kind\":\"Role\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
			   "\"metadata\":{\"name\":\"empty\",\"namespace\":\"dev\",\"creationTimestamp\":null},"
			   "\"rules\":null}");
}

TEST(k8s_proto_object_meta_times_owners_and_merging)
{
	gh_buf raw = { 0 }, meta = { 0 }, ts = { 0 }, del = { 0 }, own = { 0 }, body = { 0 };
	w_str(&meta, 1, "first");
	w_str(&meta, 1, "cm"); /* the later value wins */
	w_str(&meta, 2, "cm-");
	w_uint(&meta, 7, 3);
	w_uint(&ts, 1, 1700000000);
	w_uint(&ts, 2, 999); /* upstream drops nanos */
	w_msg(&meta, 8, &ts);
	w_uint(&del, 1, (uint64_t)INT64_C(-86400)); /* before 1970 works too */
	w_msg(&meta, 9, &del);
	w_uint(&meta, 10, 30);
	w_map(&meta, 12, "note", "x", 1);
	w_str(&own, 1, "Deployment");
	w_str(&own, 3, "web");
	w_str(&own, 4, "u-1");
	w_str(&own, 5, "apps/v1");
	w_uint(&own, 6, 1);
	w_msg(&meta, 13, &own);
	w_str(&meta, 14, "example.com/cleanup");
	w_msg(&raw, 1, &meta);
	/* A second metadata field merges into the first, as protobuf requires. */
	gh_buf meta2 = { 0 };
	w_str(&meta2, 3, "apps");
	w_msg(&raw, 1, &meta2);
	w_map(&raw, 2, "k", "v", 1);
	w_envelope(&body, "v1", "ConfigMap", &raw);
	expect_json(&body, "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"cm\","
			   "\"generateName\":\"cm-\",\"namespace\":\"apps\",\"generation\":3,"
			   "\"creationTimestamp\":\"2023-11-14T22:13:20Z\",\"deletionTimestamp\":"
			   "\"1969-12-31T00:00:00Z\",\"deletionGracePeriodSeconds\":30,\"annotations\":"
			   "{\"note\":\"x\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":"
			   "\"Deployment\",\"name\":\"web\",\"uid\":\"u-1\",\"controller\":true}],"
			   "\"finalizers\":[\"example.com/cleanup\"]},\"data\":{\"k\":\"v\"}}");
}

TEST(k8s_proto_delete_options_in_any_served_group)
{
	gh_buf raw = { 0 }, pre = { 0 }, body = { 0 };
	w_uint(&raw, 1, 0);
	w_str(&pre, 1, "u-1");
	w_msg(&raw, 2, &pre);
	w_str(&raw, 4, "Foreground");
	w_str(&raw, 5, "All");
	w_envelope(&body, "rbac.authorization.k8s.io/v1", "DeleteOptions", &raw);
	expect_json(&body, "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
			   "\"gracePeriodSeconds\":0,\"preconditions\":{\"uid\":\"u-1\"},"
			   "\"propagationPolicy\":\"Foreground\",\"dryRun\":[\"All\"]}");
}

TEST(k8s_proto_invalid_utf8_and_unknown_fields)
{
	gh_buf raw = { 0 }, meta = { 0 }, body = { 0 };
	w_bytes(&meta, 1, "a\xff" "b\xed\xa0\x80", 6); /* a stray byte and a surrogate */
	w_uint(&meta, 15, 7);			    /* clusterName, long gone upstream */
	w_tag(&meta, 16, 1);
	gh_buf_put(&meta, "12345678", 8);
	w_tag(&meta, 18, 5);
	gh_buf_put(&meta, "1234", 4);
	w_bytes(&meta, 17, "\x0a\x01x", 3); /* managedFields is skipped */
	w_msg(&raw, 1, &meta);
	w_envelope(&body, "v1", "Namespace", &raw);
	expect_json(&body, "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
			   "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\",\"creationTimestamp\":null},"
			   "\"spec\":{},\"status\":{}}");
}

TEST(k8s_proto_deep_unknown_nesting_is_skipped_flat)
{
	/* 5000 levels of length-delimited bytes inside an unknown field: skipped in one step. */
	gh_buf inner = { 0 };
	for (int i = 0; i < 5000; i++) {
		gh_buf outer = { 0 };
		w_msg(&outer, 1, &inner);
		inner = outer;
	}
	gh_buf raw = { 0 }, body = { 0 };
	w_msg(&raw, 99, &inner);
	w_envelope(&body, "v1", "ConfigMap", &raw);
	expect_json(&body, "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
			   "\"metadata\":{\"creationTimestamp\":null}}");
}

TEST(k8s_proto_rejects_what_is_not_an_envelope)
{
	json_t *out = (json_t *)1;
	char problem[128];
	const char *js = "{\"kind\":\"Secret\"}";
	CHECK(!k8s_proto_is_envelope((const uint8_t *)js, strlen(js)));
	CHECK(k8s_proto_is_envelope((const uint8_t *)"k8s\0", 4));
	CHECK(!k8s_proto_is_envelope((const uint8_t *)"k8s", 3));
	CHECK(!k8s_proto_decode((const uint8_t *)js, strlen(js), &out, problem, sizeof problem));
	CHECK(out == NULL);
	CHECK_CONTAINS(problem, "not a Kubernetes protobuf body");
	CHECK(!k8s_proto_decode(NULL, 0, &out, NULL, 0)); /* no buffer for the message is fine */

	gh_buf raw = { 0 }, body = { 0 };
	w_envelope(&body, "v1", "Service", &raw);
	expect_error(&body, "no protobuf schema for v1, Kind=Service");

	gh_buf raw2 = { 0 };
	w_envelope(&body, "rbac.authorization.k8s.io/v1beta1", "Role", &raw2);
	expect_error(&body, "no protobuf schema for rbac.authorization.k8s.io/v1beta1, Kind=Role");

	gh_buf raw3 = { 0 };
	w_envelope(&body, "v1", "Secret", &raw3);
	w_str(&body, 3, "gzip");
	expect_error(&body, "unsupported protobuf contentEncoding \"gzip\"");

	gh_buf big = { 0 };
	gh_buf_put(&big, "k8s\0", 4);
	gh_buf_reserve(&big, K8S_PROTO_MAX_BYTES);
	memset(big.p + 4, 0, K8S_PROTO_MAX_BYTES - 3);
	big.n = K8S_PROTO_MAX_BYTES + 1;
	expect_error(&big, "exceeds the 3145728-byte limit");
}

TEST(k8s_proto_malformed_bytes_name_the_field)
{
	/* A declared length past the end of the enclosing message. */
	gh_buf ra = { 0 }, spec = { 0 }, raw = { 0 }, body = { 0 };
	w_tag(&ra, 2, LEN);
	w_varint(&ra, 10);
	gh_buf_put(&ra, "get", 3);
	w_msg(&spec, 1, &ra);
	w_msg(&raw, 2, &spec);
	w_envelope(&body, "authorization.k8s.io/v1", "SelfSubjectAccessReview", &raw);
	expect_error(&body, "SelfSubjectAccessReview.spec.resourceAttributes.verb: truncated string "
			    "(10 bytes declared, 3 left)");

	/* The wrong wire type for a known field. */
	gh_buf ra2 = { 0 }, spec2 = { 0 }, raw2 = { 0 };
	w_uint(&ra2, 2, 5);
	w_msg(&spec2, 1, &ra2);
	w_msg(&raw2, 2, &spec2);
	w_envelope(&body, "authorization.k8s.io/v1", "SelfSubjectAccessReview", &raw2);
	expect_error(&body, "SelfSubjectAccessReview.spec.resourceAttributes.verb: wrong wire type 0 "
			    "for a string (expected 2)");

	/* A varint cut off at the end of the body. */
	gh_buf raw3 = { 0 };
	w_tag(&raw3, 5, VARINT);
	gh_buf_put(&raw3, "\x80\x80", 2);
	w_envelope(&body, "v1", "Secret", &raw3);
	expect_error(&body, "Secret.immutable: truncated bool");

	/* A tag cut off after a complete field. */
	gh_buf raw4 = { 0 };
	w_str(&raw4, 3, "Opaque");
	gh_buf_put(&raw4, "\x82", 1);
	w_envelope(&body, "v1", "Secret", &raw4);
	expect_error(&body, "Secret: truncated field tag");

	/* Eleven continuation bytes. */
	gh_buf raw5 = { 0 };
	w_tag(&raw5, 7, VARINT);
	gh_buf_put(&raw5, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
	gh_buf meta5 = { 0 };
	gh_buf_put(&meta5, raw5.p, raw5.n);
	gh_buf_free(&raw5);
	gh_buf wrap5 = { 0 };
	w_msg(&wrap5, 1, &meta5);
	w_envelope(&body, "v1", "Secret", &wrap5);
	expect_error(&body, "Secret.metadata.generation: integer: varint longer than 10 bytes");

	/* Field number 0 and group wire types. */
	gh_buf raw6 = { 0 };
	gh_buf_put(&raw6, "\x02\x00", 2);
	w_envelope(&body, "v1", "Secret", &raw6);
	expect_error(&body, "Secret: invalid field number 0");
	gh_buf raw7 = { 0 };
	w_tag(&raw7, 40, 3);
	w_envelope(&body, "v1", "Secret", &raw7);
	expect_error(&body, "Secret[field 40]: group wire type 3");

	/* A map entry whose value is a varint. */
	gh_buf raw8 = { 0 }, entry = { 0 };
	w_str(&entry, 1, "k");
	w_uint(&entry, 2, 1);
	w_msg(&raw8, 2, &entry);
	w_envelope(&body, "v1", "ConfigMap", &raw8);
	expect_error(&body, "ConfigMap.data.value: wrong wire type 0 for a string (expected 2)");

	/* A time beyond year 9999, which Go's Time.MarshalJSON refuses. */
	gh_buf raw9 = { 0 }, meta9 = { 0 }, ts = { 0 };
	w_uint(&ts, 1, (uint64_t)INT64_C(253402300800));
	w_msg(&meta9, 8, &ts);
	w_msg(&raw9, 1, &meta9);
	w_envelope(&body, "v1", "Secret", &raw9);
	expect_error(&body, "Secret.metadata.creationTimestamp: time 253402300800 seconds is outside");

	/* A truncated envelope. */
	gh_buf env = { 0 };
	gh_buf_put(&env, "k8s\0\x0a\x05\x0a", 7);
	expect_error(&env, "Unknown.typeMeta: truncated message (5 bytes declared, 1 left)");
}

TEST(k8s_proto_pod_spec_subset)
{
	gh_buf raw = { 0 }, spec = { 0 }, body = { 0 };
	w_meta(&raw, "web", "dev");

	gh_buf v1 = { 0 }, hp = { 0 };
	w_str(&v1, 1, "host");
	w_str(&hp, 1, "/var/run");
	w_str(&hp, 2, "Directory");
	gh_buf vs1 = { 0 };
	w_msg(&vs1, 1, &hp);
	w_msg(&v1, 2, &vs1); /* VolumeSource is inline: its fields join the Volume */
	w_msg(&spec, 1, &v1);
	gh_buf v2 = { 0 }, vs2 = { 0 }, cm = { 0 }, lor = { 0 };
	w_str(&v2, 1, "cfg");
	w_str(&lor, 1, "app-config");
	w_msg(&cm, 1, &lor);
	w_uint(&cm, 3, 420);
	w_msg(&vs2, 19, &cm);
	w_msg(&v2, 2, &vs2);
	w_msg(&spec, 1, &v2);
	gh_buf v3 = { 0 }, vs3 = { 0 }, proj = { 0 }, src = { 0 }, sat = { 0 };
	w_str(&v3, 1, "tok");
	w_str(&sat, 1, "sts.amazonaws.com");
	w_uint(&sat, 2, 86400);
	w_str(&sat, 3, "token");
	w_msg(&src, 4, &sat);
	w_msg(&proj, 1, &src);
	w_msg(&vs3, 26, &proj);
	w_msg(&v3, 2, &vs3);
	w_msg(&spec, 1, &v3);

	gh_buf c = { 0 }, port = { 0 }, e1 = { 0 }, e2 = { 0 }, from = { 0 }, skr = { 0 }, skl = { 0 },
	       res = { 0 }, qty = { 0 }, vm = { 0 }, sc = { 0 }, caps = { 0 };
	w_str(&c, 1, "web");
	w_str(&c, 2, "nginx:1.27");
	w_str(&c, 3, "nginx");
	w_str(&c, 4, "-g");
	w_str(&c, 4, "daemon off;");
	w_uint(&port, 3, 80);
	w_str(&port, 4, "TCP");
	w_msg(&c, 6, &port);
	w_str(&e1, 1, "A");
	w_str(&e1, 2, "1");
	w_msg(&c, 7, &e1);
	w_str(&e2, 1, "PW");
	w_str(&skl, 1, "db");
	w_msg(&skr, 1, &skl);
	w_str(&skr, 2, "password");
	w_msg(&from, 4, &skr);
	w_msg(&e2, 3, &from);
	w_msg(&c, 7, &e2);
	w_str(&qty, 1, "500m");
	gh_buf entry = { 0 };
	w_str(&entry, 1, "cpu");
	w_msg(&entry, 2, &qty);
	w_msg(&res, 1, &entry);
	w_msg(&c, 8, &res);
	w_str(&vm, 1, "host");
	w_uint(&vm, 2, 1);
	w_str(&vm, 3, "/host");
	w_msg(&c, 9, &vm);
	w_str(&caps, 1, "NET_ADMIN");
	w_msg(&sc, 1, &caps);
	w_uint(&sc, 2, 1);
	w_uint(&sc, 5, 0); /* *bool false is kept */
	w_uint(&sc, 7, 1);
	w_msg(&c, 15, &sc);
	w_msg(&spec, 2, &c);

	w_map(&spec, 7, "disk", "ssd", 3);
	w_str(&spec, 8, "builder");
	w_uint(&spec, 11, 1);
	w_uint(&spec, 12, 1);
	w_uint(&spec, 13, 0);
	gh_buf psc = { 0 }, packed = { 0 }, sp = { 0 };
	w_uint(&psc, 2, 1000);
	w_varint(&packed, 1);
	w_varint(&packed, 2);
	w_msg(&psc, 4, &packed); /* supplementalGroups packed, then one more unpacked */
	w_uint(&psc, 4, 3);
	w_str(&sp, 1, "RuntimeDefault");
	w_msg(&psc, 10, &sp);
	w_msg(&spec, 14, &psc);
	w_msg(&raw, 2, &spec);
	w_envelope(&body, "v1", "Pod", &raw);
	expect_json(&body, "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web\","
			   "\"namespace\":\"dev\",\"creationTimestamp\":null},\"spec\":{\"volumes\":["
			   "{\"name\":\"host\",\"hostPath\":{\"path\":\"/var/run\",\"type\":\"Directory\"}},"
			   "{\"name\":\"cfg\",\"configMap\":{\"name\":\"app-config\",\"defaultMode\":420}},"
			   "{\"name\":\"tok\",\"projected\":{\"sources\":[{\"serviceAccountToken\":{"
			   "\"audience\":\"sts.amazonaws.com\",\"expirationSeconds\":86400,\"path\":\"token\"}}]}}],"
			   "\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"command\":[\"nginx\"],"
			   "\"args\":[\"-g\",\"daemon off;\"],\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
			   "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"PW\",\"valueFrom\":{"
			   "\"secretKeyRef\":{\"name\":\"db\",\"key\":\"password\"}}}],\"resources\":{\"limits\":"
			   "{\"cpu\":\"500m\"}},\"volumeMounts\":[{\"name\":\"host\",\"readOnly\":true,"
			   "\"mountPath\":\"/host\"}],\"securityContext\":{\"capabilities\":{\"add\":[\"NET_ADMIN\"]},"
			   "\"privileged\":true,\"runAsNonRoot\":false,\"allowPrivilegeEscalation\":true}}],"
			   "\"nodeSelector\":{\"disk\":\"ssd\"},\"serviceAccountName\":\"builder\","
			   "\"hostNetwork\":true,\"hostPID\":true,\"securityContext\":{\"runAsUser\":1000,"
			   "\"supplementalGroups\":[1,2,3],\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}},"
			   "\"status\":{}}");

	/* No containers: the field has no omitempty, so a nil slice is written as null. */
	gh_buf bare = { 0 };
	w_meta(&bare, "bare", NULL);
	w_envelope(&body, "v1", "Pod", &bare);
	expect_json(&body, "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"bare\","
			   "\"creationTimestamp\":null},\"spec\":{\"containers\":null},\"status\":{}}");
}

TEST(k8s_proto_deployment_like_kubectl_create)
{
	gh_buf raw = { 0 }, meta = { 0 }, spec = { 0 }, sel = { 0 }, tmpl = { 0 }, tmeta = { 0 },
	       pspec = { 0 }, c = { 0 }, strat = { 0 }, ru = { 0 }, mu = { 0 }, ms = { 0 }, body = { 0 };
	w_str(&meta, 1, "web");
	w_map(&meta, 11, "app", "web", 3);
	w_bytes(&meta, 8, "", 0);
	w_msg(&raw, 1, &meta);
	w_uint(&spec, 1, 2);
	w_map(&sel, 1, "app", "web", 3);
	w_msg(&spec, 2, &sel);
	w_map(&tmeta, 11, "app", "web", 3);
	w_bytes(&tmeta, 8, "", 0);
	w_msg(&tmpl, 1, &tmeta);
	w_str(&c, 1, "nginx");
	w_str(&c, 2, "nginx");
	w_bytes(&c, 8, "", 0);
	w_msg(&pspec, 2, &c);
	w_msg(&tmpl, 2, &pspec);
	w_msg(&spec, 3, &tmpl);
	w_str(&strat, 1, "RollingUpdate");
	w_uint(&mu, 1, 0);
	w_uint(&mu, 2, 1);
	w_msg(&ru, 1, &mu);
	w_uint(&ms, 1, 1);
	w_str(&ms, 3, "25%");
	w_msg(&ru, 2, &ms);
	w_msg(&strat, 2, &ru);
	w_msg(&spec, 4, &strat);
	w_msg(&raw, 2, &spec);
	w_envelope(&body, "apps/v1", "Deployment", &raw);
	expect_json(&body, "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{"
			   "\"name\":\"web\",\"labels\":{\"app\":\"web\"},\"creationTimestamp\":null},"
			   "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
			   "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"},\"creationTimestamp\":null},"
			   "\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\",\"resources\":{}}]}},"
			   "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":1,"
			   "\"maxSurge\":\"25%\"}}},\"status\":{}}");

	/* An IntOrString whose intVal arrives as a string is malformed. */
	gh_buf raw2 = { 0 }, spec2 = { 0 }, strat2 = { 0 }, ru2 = { 0 }, bad = { 0 };
	w_str(&bad, 2, "1");
	w_msg(&ru2, 2, &bad);
	w_msg(&strat2, 2, &ru2);
	w_msg(&spec2, 4, &strat2);
	w_msg(&raw2, 2, &spec2);
	w_envelope(&body, "apps/v1", "Deployment", &raw2);
	expect_error(&body, "Deployment.spec.strategy.rollingUpdate.maxSurge.intVal: wrong wire type 2 "
			    "(expected 0)");
}

TEST(k8s_proto_bounds_repeated_counts)
{
	/* 100001 verbs of one byte each: every element costs JSON memory, so the count is capped. */
	gh_buf rule = { 0 }, raw = { 0 }, body = { 0 };
	for (size_t i = 0; i <= K8S_PROTO_MAX_ELEMENTS; i++)
		w_str(&rule, 1, "x");
	w_msg(&raw, 2, &rule);
	w_envelope(&body, "rbac.authorization.k8s.io/v1", "ClusterRole", &raw);
	expect_error(&body, "ClusterRole.rules[0].verbs: more than 100000 values in one body");

	/* The same for map entries. */
	gh_buf cm = { 0 };
	for (size_t i = 0; i <= K8S_PROTO_MAX_ELEMENTS; i++)
		w_map(&cm, 2, "k", "v", 1);
	w_envelope(&body, "v1", "ConfigMap", &cm);
	expect_error(&body, "ConfigMap.data: more than 100000 values in one body");
}
