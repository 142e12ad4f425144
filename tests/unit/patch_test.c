#include "codec/jsonpatch.h"
#include "codec/smpatch.h"
#include "test.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
	if (!v)
		fprintf(stdout, "  bad test JSON (%s): %s\n", e.text, text);
	return v;
}

/* Compares a result with the expected JSON text, printing both when they differ. */
static void check_json(const char *file, int line, const json_t *got, const char *want_text)
{
	json_t *want = J(want_text);
	if (!got || !want || !json_equal(got, want)) {
		char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		char *w = want ? json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		test_failed(file, line, "got %s, want %s", g ? g : "(null)", w ? w : "(bad)");
		free(g);
		free(w);
	}
	json_decref(want);
}
#define CHECK_JSON(got, want) check_json(__FILE__, __LINE__, (got), (want))

/* ---- RFC 6902 ---------------------------------------------------------------------------- */

static json_t *jp(const char *doc, const char *patch, char *problem, size_t n)
{
	json_t *d = J(doc), *p = J(patch), *out = NULL;
	problem[0] = '\0';
	if (d && p && !json_patch_apply(d, p, &out, problem, n))
		out = NULL;
	json_decref(d);
	json_decref(p);
	return out;
}

/* RFC 6902 appendix A: each example, its document, patch and result. */
TEST(json_patch_rfc6902_appendix_a)
{
	static const struct {
		const char *doc, *patch, *want; /* want NULL: the patch must fail */
	} cases[] = {
		{ "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
		  "{\"baz\":\"qux\",\"foo\":\"bar\"}" },
		{ "{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
		  "{\"foo\":[\"bar\",\"qux\",\"baz\"]}" },
		{ "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}" },
		{ "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
		  "{\"foo\":[\"bar\",\"baz\"]}" },
		{ "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
		  "{\"baz\":\"boo\",\"foo\":\"bar\"}" },
		{ "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
		  "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
		  "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}" },
		{ "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}", "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
		  "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}" },
		{ "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
		  "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
		  "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}" },
		{ "{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL },
		{ "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
		  "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}" },
		{ "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
		  "{\"foo\":\"bar\",\"baz\":\"qux\"}" },
		{ "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", NULL },
		{ "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]", "{\"/\":9,\"~1\":10}" },
		{ "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", NULL },
		{ "{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
		  "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char problem[512];
		json_t *out = jp(cases[i].doc, cases[i].patch, problem, sizeof problem);
		if (cases[i].want) {
			if (!out)
				test_failed(__FILE__, __LINE__, "case %zu failed: %s", i, problem);
			CHECK_JSON(out, cases[i].want);
		} else {
			CHECK(out == NULL);
			CHECK(problem[0] != '\0');
		}
		json_decref(out);
	}
}

TEST(json_patch_root_and_pointer_rules)
{
	char pr[512];
	json_t *out = jp("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1,2]}]", pr, sizeof pr);
	CHECK_JSON(out, "[1,2]");
	json_decref(out);
	out = jp("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"b\":2}}]", pr, sizeof pr);
	CHECK_JSON(out, "{\"b\":2}");
	json_decref(out);
	out = jp("{\"a\":{\"b\":1}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"},{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":{\"b\":1},\"c\":{\"b\":1.0}}}]",
		 pr, sizeof pr);
	CHECK_JSON(out, "{\"a\":{\"b\":1},\"c\":{\"b\":1}}");
	json_decref(out);
	/* Keys with escapes, an empty key, and a key that looks like an index. */
	out = jp("{\"a/b\":{\"\":{\"0\":\"x\"}}}", "[{\"op\":\"move\",\"from\":\"/a~1b//0\",\"path\":\"/m~0n\"}]", pr, sizeof pr);
	CHECK_JSON(out, "{\"a/b\":{\"\":{}},\"m~n\":\"x\"}");
	json_decref(out);
	out = jp("{\"a\":[1,2,3]}", "[{\"op\":\"move\",\"from\":\"/a/0\",\"path\":\"/a/-\"},{\"op\":\"remove\",\"path\":\"/a/0\"}]", pr,
		 sizeof pr);
	CHECK_JSON(out, "{\"a\":[3,1]}");
	json_decref(out);
}

static void expect_problem(const char *doc, const char *patch, const char *want)
{
	char pr[512];
	json_t *out = jp(doc, patch, pr, sizeof pr);
	CHECK(out == NULL);
	CHECK_STR_EQ(pr, want);
	json_decref(out);
}

TEST(json_patch_errors_read_like_evanphx)
{
	expect_problem("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]",
		       "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/x/y\"}]",
		       "remove operation does not apply: doc is missing path: \"/x/y\": missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/x/y\",\"value\":1}]",
		       "add operation does not apply: doc is missing path: \"/x/y\": missing value");
	expect_problem("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/5\",\"value\":1}]",
		       "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced");
	expect_problem("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/x\",\"value\":1}]",
		       "error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax");
	expect_problem("{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":1}]",
		       "error in add for path: '/a/01': value was not a proper array index: '01': leading zeros are not allowed");
	expect_problem("{\"a\":[1,2]}", "[{\"op\":\"remove\",\"path\":\"/a/-1\"}]",
		       "error in remove for path: '/a/-1': Unable to access invalid index: -1: invalid index referenced");
	expect_problem("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]",
		       "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced");
	expect_problem("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]",
		       "replace operation does not apply: doc is missing key: /b: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b/c\",\"value\":2}]",
		       "replace operation does not apply: doc is missing path: /b/c: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/b\",\"path\":\"/c\"}]",
		       "error in move for path: 'b': Unable to remove nonexistent key: b: missing value");
	expect_problem("{\"a\":{}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b\"}]",
		       "move operation does not apply: from path /a is a prefix of destination path /a/b");
	expect_problem("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/b\",\"path\":\"/c\"}]",
		       "error in copy for from: '/b': Unable to copy nonexistent key: b: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/x/y\"}]",
		       "copy operation does not apply: doc is missing destination path: /x/y: missing value");
	expect_problem("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
		       "testing value /baz failed: test failed");
	expect_problem("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/nope\",\"value\":\"bar\"}]",
		       "testing value /nope failed: test failed");
	expect_problem("{\"a\":1}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", "Unexpected kind: frob");
	expect_problem("{\"a\":1}", "[{\"path\":\"/a\"}]", "Unexpected kind: unknown");
	expect_problem("{\"a\":1}", "[{\"op\":\"add\",\"value\":1}]", "add operation failed to decode path: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"test\",\"value\":1}]",
		       "test operation failed to decode path: operation missing path field: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"replace\",\"path\":5,\"value\":1}]",
		       "replace operation failed to decode path: json: cannot unmarshal number into Go value of type string");
	expect_problem("{\"a\":1}", "[{\"op\":\"move\",\"path\":\"/b\"}]",
		       "move operation failed to decode from: operation, missing from field: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\"}]",
		       "add operation failed to decode value: operation, missing value field: missing value");
	expect_problem("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"b\",\"value\":1}]",
		       "invalid JSON pointer \"b\" in path: it must be empty or start with '/'");
	expect_problem("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a~2\",\"value\":1}]",
		       "invalid JSON pointer \"/a~2\" in path: '~' must be followed by '0' or '1'");
}

TEST(json_patch_statuses_match_kube_apiserver)
{
	gh_err e = { 0 };
	json_t *doc = J("{\"a\":1}"), *out = NULL;
	json_t *notarray = J("{\"op\":\"add\"}");
	CHECK(!json_patch_apply_err(doc, notarray, &out, &e));
	CHECK_STR_EQ(e.code, "BadRequest");
	CHECK_INT_EQ(e.status, 400);
	CHECK_STR_EQ(e.msg, "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
	json_decref(notarray);

	json_t *bad = J("[{\"op\":\"remove\",\"path\":\"/zz\"}]");
	CHECK(!json_patch_apply_err(doc, bad, &out, &e));
	CHECK_STR_EQ(e.code, "Invalid");
	CHECK_INT_EQ(e.status, 422);
	json_decref(bad);
	CHECK_STR_EQ(JSON_PATCH_REJECTED_MESSAGE, "the server rejected our request due to an error in our request");

	json_t *many = json_array();
	for (unsigned i = 0; i < JSON_PATCH_MAX_OPS + 1; i++)
		json_array_append_new(many, J("{\"op\":\"test\",\"path\":\"/a\",\"value\":1}"));
	CHECK(!json_patch_apply_err(doc, many, &out, &e));
	CHECK_STR_EQ(e.code, "RequestEntityTooLarge");
	CHECK_INT_EQ(e.status, 413);
	CHECK_STR_EQ(e.msg, "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001");
	/* Exactly the limit is fine. */
	json_array_remove(many, 0);
	CHECK(json_patch_apply_err(doc, many, &out, &e));
	json_decref(out);
	json_decref(many);
	json_decref(doc);
}

/* Nested `levels` arrays around 1: depth `levels`. */
static json_t *nested(unsigned levels)
{
	json_t *v = json_integer(1);
	for (unsigned i = 0; i < levels; i++) {
		json_t *a = json_array();
		json_array_append_new(a, v);
		v = a;
	}
	return v;
}

TEST(json_patch_bounds_depth_and_copies)
{
	gh_err e = { 0 };
	json_t *out = NULL, *doc = J("{\"a\":1}");
	json_t *scalar = nested(0), *one = nested(1);
	CHECK(json_patch_depth_ok(scalar, 0)); /* scalars have depth 0, [1] has 1 */
	CHECK(json_patch_depth_ok(one, 1) && !json_patch_depth_ok(one, 0));
	json_decref(scalar);
	json_decref(one);
	json_t *n100 = nested(100), *n101 = nested(101);
	CHECK(json_patch_depth_ok(n100, JSON_PATCH_MAX_DEPTH));
	CHECK(!json_patch_depth_ok(n101, JSON_PATCH_MAX_DEPTH));

	/* A deep document or patch is refused outright. */
	json_t *deep_doc = json_pack("{s:O}", "x", n101);
	json_t *noop = J("[]");
	CHECK(!json_patch_apply_err(deep_doc, noop, &out, &e));
	CHECK_CONTAINS(e.msg, "nests deeper than 100 levels");
	json_t *deep_patch = json_pack("[{s:s,s:s,s:O}]", "op", "add", "path", "/b", "value", n101);
	CHECK(!json_patch_apply_err(doc, deep_patch, &out, &e));
	CHECK_STR_EQ(e.code, "BadRequest");
	CHECK_CONTAINS(e.msg, "nests deeper than 100 levels");
	json_decref(deep_patch);

	/* A value that fits alone but not where it goes. */
	json_t *n98 = nested(98);
	json_t *deeper = json_pack("[{s:s,s:s,s:{}},{s:s,s:s,s:{}},{s:s,s:s,s:O}]", "op", "add", "path", "/b", "value", "op",
				   "add", "path", "/b/c", "value", "op", "add", "path", "/b/c/d", "value", n98);
	CHECK(!json_patch_apply_err(doc, deeper, &out, &e));
	CHECK_CONTAINS(e.msg, "would nest deeper than 100 levels");
	json_decref(deeper);

	/* Copying the root into a list inside it doubles the document each time. */
	json_t *doubling = json_array();
	for (int i = 0; i < 45; i++)
		json_array_append_new(doubling, json_pack("{s:s,s:s,s:s}", "op", "copy", "from", "", "path", "/c/-"));
	json_t *wide = J("{\"c\":[1,2,3,4,5,6,7,8]}");
	CHECK(!json_patch_apply_err(wide, doubling, &out, &e));
	CHECK(out == NULL);
	CHECK_INT_EQ(e.status, 413);
	CHECK_CONTAINS(e.msg, "accumulated size increase of copy");

	/* Few nodes but many bytes: a 1 MiB string copied five times. */
	char *big = malloc((1 << 20) + 1);
	REQUIRE(big);
	memset(big, 'x', 1 << 20);
	big[1 << 20] = '\0';
	json_t *bigdoc = json_pack("{s:s}", "s", big);
	free(big);
	json_t *copies = json_array();
	for (int i = 0; i < 5; i++)
		json_array_append_new(copies, json_pack("{s:s,s:s,s:s}", "op", "copy", "from", "/s", "path", "/t"));
	CHECK(!json_patch_apply_err(bigdoc, copies, &out, &e));
	CHECK_INT_EQ(e.status, 413);
	json_array_remove(copies, 0);
	json_array_remove(copies, 0);
	CHECK(json_patch_apply_err(bigdoc, copies, &out, &e)); /* three fit in 4 MiB */
	json_decref(out);
	json_decref(copies);
	json_decref(bigdoc);

	json_decref(wide);
	json_decref(doubling);
	json_decref(n98);
	json_decref(noop);
	json_decref(deep_doc);
	json_decref(n100);
	json_decref(n101);
	json_decref(doc);
}

TEST(json_patch_never_touches_its_inputs)
{
	json_t *doc = J("{\"a\":{\"b\":[1,2]},\"c\":\"d\"}");
	json_t *snap = json_deep_copy(doc);
	/* Three operations succeed on the working copy, then the fourth fails. */
	json_t *patch = J("[{\"op\":\"remove\",\"path\":\"/c\"},{\"op\":\"add\",\"path\":\"/a/b/-\",\"value\":3},"
			  "{\"op\":\"replace\",\"path\":\"/a/b/0\",\"value\":9},{\"op\":\"remove\",\"path\":\"/nope\"}]");
	json_t *psnap = json_deep_copy(patch);
	json_t *out = NULL;
	char pr[256];
	CHECK(!json_patch_apply(doc, patch, &out, pr, sizeof pr));
	CHECK(out == NULL);
	CHECK(json_equal(doc, snap));
	CHECK(json_equal(patch, psnap));
	json_decref(patch);
	json_decref(psnap);

	/* The result shares nothing with the patch: editing it leaves the patch alone. */
	patch = J("[{\"op\":\"add\",\"path\":\"/n\",\"value\":{\"deep\":[1]}}]");
	psnap = json_deep_copy(patch);
	REQUIRE(json_patch_apply(doc, patch, &out, pr, sizeof pr));
	json_array_append_new(json_object_get(json_object_get(out, "n"), "deep"), json_integer(2));
	json_object_set_new(json_object_get(out, "a"), "x", json_true());
	CHECK(json_equal(patch, psnap));
	CHECK(json_equal(doc, snap));
	json_decref(out);
	json_decref(patch);
	json_decref(psnap);
	json_decref(snap);
	json_decref(doc);
}

/* ---- RFC 7386 ---------------------------------------------------------------------------- */

TEST(json_merge_patch_rfc7386_appendix_a)
{
	static const char *const cases[][3] = {
		{ "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
		{ "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
		{ "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
		{ "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}" },
		{ "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
		{ "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
		{ "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
		{ "{\"a\":\"foo\"}", "null", "null" },
		{ "{\"a\":\"foo\"}", "\"bar\"", "\"bar\"" },
		{ "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
		{ "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
		{ "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *d = J(cases[i][0]), *p = J(cases[i][1]), *out = NULL;
		json_t *dsnap = json_deep_copy(d);
		char pr[256];
		if (!json_merge_patch_apply(d, p, &out, pr, sizeof pr))
			test_failed(__FILE__, __LINE__, "case %zu: %s", i, pr);
		CHECK_JSON(out, cases[i][2]);
		CHECK(json_equal(d, dsnap));
		json_decref(out);
		json_decref(dsnap);
		json_decref(d);
		json_decref(p);
	}
}

TEST(json_merge_patch_bounds)
{
	gh_err e = { 0 };
	json_t *doc = J("{}"), *out = NULL;
	json_t *deep = json_pack("{s:o}", "a", nested(101));
	CHECK(!json_merge_patch_apply_err(doc, deep, &out, &e));
	CHECK_STR_EQ(e.code, "BadRequest");
	CHECK_CONTAINS(e.msg, "nests deeper than 100 levels");
	CHECK(!json_merge_patch_apply_err(doc, NULL, &out, &e));
	json_decref(deep);
	json_decref(doc);
}

/* ---- strategic merge patch --------------------------------------------------------------- */

static json_t *sm(const char *group, const char *kind, const char *doc, const char *patch, gh_err *e)
{
	size_t n = 0;
	const smp_field *schema = smp_schema_for_kind(group, kind, &n);
	json_t *d = J(doc), *p = J(patch), *out = NULL;
	*e = (gh_err){ 0 };
	if (d && p && !smp_apply_err(d, p, schema, n, &out, e))
		out = NULL;
	json_decref(d);
	json_decref(p);
	return out;
}

/* A live Pod as the sandbox stores it (defaults filled, status, the last applied config),
 * and the patch kubectl 1.32 computes for `kubectl apply` of a manifest where container
 * "app" gained env LEVEL and a new image, container "old" was removed, "sidecar" added,
 * a label added and one removed. */
TEST(smp_kubectl_apply_pod)
{
	gh_err e;
	json_t *out = sm("", "Pod",
			 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
			 "\"uid\":\"u1\",\"labels\":{\"app\":\"web\",\"stale\":\"x\"},\"annotations\":{"
			 "\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"old\\\":1}\\n\"}},"
			 "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.25\",\"env\":[{\"name\":\"MODE\",\"value\":\"prod\"}],"
			 "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],\"terminationMessagePath\":\"/dev/termination-log\"},"
			 "{\"name\":\"old\",\"image\":\"busybox\"}],\"restartPolicy\":\"Always\",\"tolerations\":[{\"key\":\"a\",\"operator\":\"Exists\"}]},"
			 "\"status\":{\"phase\":\"Pending\"}}",
			 "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"new\\\":1}\\n\"},"
			 "\"labels\":{\"stale\":null,\"tier\":\"frontend\"}},"
			 "\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"app\"},{\"name\":\"sidecar\"}],"
			 "\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"MODE\"},{\"name\":\"LEVEL\"}],"
			 "\"env\":[{\"name\":\"LEVEL\",\"value\":\"debug\"}],\"image\":\"nginx:1.27\",\"name\":\"app\"},"
			 "{\"image\":\"busybox:1.36\",\"name\":\"sidecar\",\"command\":[\"sleep\",\"3600\"]},"
			 "{\"$patch\":\"delete\",\"name\":\"old\"}],"
			 "\"tolerations\":[{\"key\":\"b\",\"operator\":\"Exists\"}]}}",
			 &e);
	if (!out)
		test_failed(__FILE__, __LINE__, "%s", e.msg);
	CHECK_JSON(out,
		   "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
		   "\"uid\":\"u1\",\"labels\":{\"app\":\"web\",\"tier\":\"frontend\"},\"annotations\":{"
		   "\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"new\\\":1}\\n\"}},"
		   "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\",\"env\":[{\"name\":\"MODE\",\"value\":\"prod\"},"
		   "{\"name\":\"LEVEL\",\"value\":\"debug\"}],"
		   "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],\"terminationMessagePath\":\"/dev/termination-log\"},"
		   "{\"name\":\"sidecar\",\"image\":\"busybox:1.36\",\"command\":[\"sleep\",\"3600\"]}],\"restartPolicy\":\"Always\","
		   "\"tolerations\":[{\"key\":\"b\",\"operator\":\"Exists\"}]},"
		   "\"status\":{\"phase\":\"Pending\"}}");
	json_decref(out);
}

/* `kubectl patch pod web -p '{"spec":{"containers":[{"name":"app","env":[...]}]}}'`: no
 * order directive, so the named elements come first, then the stored ones. */
TEST(smp_kubectl_patch_env)
{
	gh_err e;
	const char *pod = "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
			  "{\"name\":\"B\",\"value\":\"2\"}]}]}}";
	json_t *out = sm("", "Pod", pod,
			 "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"NEW\",\"value\":\"x\"}]}]}}", &e);
	CHECK_JSON(out, "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"NEW\",\"value\":\"x\"},"
			"{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}]}}");
	json_decref(out);
	/* Changing one in place keeps its position; deleting one by key. */
	out = sm("", "Pod", pod,
		 "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"B\",\"value\":\"3\"},"
		 "{\"$patch\":\"delete\",\"name\":\"A\"}]}]}}",
		 &e);
	CHECK_JSON(out, "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"B\",\"value\":\"3\"}]}]}}");
	json_decref(out);
	/* A value deleted with null inside a merged element. */
	out = sm("", "Pod", pod, "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":null}]}]}}", &e);
	CHECK_JSON(out, "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\"},{\"name\":\"B\",\"value\":\"2\"}]}]}}");
	json_decref(out);
	/* The same schema applies inside a Deployment's pod template. */
	out = sm("apps", "Deployment",
		 "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}]}}}}",
		 "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"2\"}]}]}}}}", &e);
	CHECK_JSON(out, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"2\"}]}]}}}}");
	json_decref(out);
	out = sm("batch", "CronJob",
		 "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}]}}}}}}",
		 "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"w\",\"secret\":{\"secretName\":\"s\"}}]}}}}}}",
		 &e);
	CHECK_JSON(out, "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"w\",\"secret\":"
			"{\"secretName\":\"s\"}},{\"name\":\"v\",\"emptyDir\":{}}]}}}}}}");
	json_decref(out);
}

/* `kubectl apply` of a ServiceAccount: secrets merge by name (with the order directive
 * kubectl sends); imagePullSecrets has no strategy upstream, so it is replaced. */
TEST(smp_kubectl_apply_service_account)
{
	gh_err e;
	json_t *out = sm("", "ServiceAccount",
			 "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"ci\"},"
			 "\"secrets\":[{\"name\":\"ci-token\"}],\"imagePullSecrets\":[{\"name\":\"r1\"}]}",
			 "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\\n\"}},"
			 "\"$setElementOrder/secrets\":[{\"name\":\"ci-token\"},{\"name\":\"extra\"}],"
			 "\"secrets\":[{\"name\":\"extra\"}],\"imagePullSecrets\":[{\"name\":\"r2\"}]}",
			 &e);
	CHECK_JSON(out, "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"ci\",\"annotations\":"
			"{\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\\n\"}},"
			"\"secrets\":[{\"name\":\"ci-token\"},{\"name\":\"extra\"}],\"imagePullSecrets\":[{\"name\":\"r2\"}]}");
	json_decref(out);
}

/* `kubectl apply` of a ClusterRole whose rules changed: rules have no strategy, so the
 * patch's list replaces them; a removed label arrives as null. */
TEST(smp_kubectl_apply_cluster_role)
{
	gh_err e;
	json_t *out = sm("rbac.authorization.k8s.io", "ClusterRole",
			 "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"reader\",\"labels\":{\"team\":\"a\",\"old\":\"y\"}},"
			 "\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]},"
			 "{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}]}",
			 "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"kind\\\":\\\"ClusterRole\\\"}\\n\"},"
			 "\"labels\":{\"old\":null}},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"services\"],"
			 "\"verbs\":[\"get\",\"list\"]}]}",
			 &e);
	CHECK_JSON(out, "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"reader\",\"labels\":{\"team\":\"a\"},\"annotations\":"
			"{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"kind\\\":\\\"ClusterRole\\\"}\\n\"}},"
			"\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"services\"],\"verbs\":[\"get\",\"list\"]}]}");
	json_decref(out);
}

/* `kubectl apply` of a ConfigMap (a key changed, one removed) and `kubectl edit` of it
 * (kubectl edit sends the two-way patch of the edited object). */
TEST(smp_kubectl_apply_and_edit_config_map)
{
	gh_err e;
	const char *cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\",\"resourceVersion\":\"7\","
			 "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\\n\"}},"
			 "\"data\":{\"a\":\"1\",\"b\":\"2\"}}";
	json_t *out = sm("", "ConfigMap", cm,
			 "{\"data\":{\"a\":\"10\",\"b\":null,\"c\":\"3\"},\"metadata\":{\"annotations\":"
			 "{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"data\\\":{}}\\n\"}}}",
			 &e);
	CHECK_JSON(out, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\",\"resourceVersion\":\"7\","
			"\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"data\\\":{}}\\n\"}},"
			"\"data\":{\"a\":\"10\",\"c\":\"3\"}}");
	json_decref(out);
	out = sm("core", "ConfigMap", cm, "{\"data\":{\"b\":\"edited\"},\"metadata\":{\"labels\":{\"edited\":\"yes\"}}}", &e);
	CHECK_JSON(out, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\",\"resourceVersion\":\"7\","
			"\"labels\":{\"edited\":\"yes\"},\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\\n\"}},"
			"\"data\":{\"a\":\"1\",\"b\":\"edited\"}}");
	json_decref(out);
}

TEST(smp_primitive_lists_retain_keys_and_directives)
{
	gh_err e;
	/* finalizers: a merged list of strings, with the deletion list and order kubectl sends. */
	json_t *out = sm("", "ConfigMap", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
			 "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\"],\"$setElementOrder/finalizers\":[\"b\",\"c\"],"
			 "\"finalizers\":[\"c\"]}}",
			 &e);
	CHECK_JSON(out, "{\"metadata\":{\"finalizers\":[\"b\",\"c\"]}}");
	json_decref(out);
	/* Without an order directive: a stored value stays ahead of the patch's values that
	 * come after it in the stored list; new values follow. */
	out = sm("", "ConfigMap", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}", "{\"metadata\":{\"finalizers\":[\"b\",\"c\"]}}", &e);
	CHECK_JSON(out, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}");
	json_decref(out);
	/* ownerReferences merge by uid. */
	out = sm("", "Secret", "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"1\",\"name\":\"x\"}]}}",
		 "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"1\",\"name\":\"y\"}]}}", &e);
	CHECK_JSON(out, "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"1\",\"name\":\"y\"}]}}");
	json_decref(out);
	/* $retainKeys, as kubectl sends for Deployment.spec.strategy. */
	out = sm("apps", "Deployment", "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}}",
		 "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}", &e);
	CHECK_JSON(out, "{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}");
	json_decref(out);
	out = sm("apps", "Deployment", "{\"spec\":{\"strategy\":{}}}", "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"x\":1}}}",
		 &e);
	CHECK(out == NULL);
	CHECK_STR_EQ(e.msg, "invalid patch format of retainKeys");
	CHECK_INT_EQ(e.status, 400);
	/* A volume switched from emptyDir to a secret: kubectl sends $retainKeys in the element. */
	out = sm("apps", "Deployment",
		 "{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}},{\"name\":\"w\",\"emptyDir\":{}}]}}}}",
		 "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/volumes\":[{\"name\":\"v\"},{\"name\":\"w\"}],"
		 "\"volumes\":[{\"$retainKeys\":[\"name\",\"secret\"],\"emptyDir\":null,\"name\":\"v\",\"secret\":{\"secretName\":\"s\"}}]}}}}",
		 &e);
	CHECK_JSON(out, "{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"s\"}},"
			"{\"name\":\"w\",\"emptyDir\":{}}]}}}}");
	json_decref(out);
	/* $patch: replace in a map and in a list; $patch: delete in a map empties it. */
	out = sm("", "Pod", "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"containers\":[{\"name\":\"x\"},{\"name\":\"y\"}]}}",
		 "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"c\":\"3\"}},\"spec\":{\"containers\":[{\"$patch\":\"replace\"},"
		 "{\"name\":\"z\",\"image\":\"i\"}]}}",
		 &e);
	CHECK_JSON(out, "{\"metadata\":{\"labels\":{\"c\":\"3\"}},\"spec\":{\"containers\":[{\"name\":\"z\",\"image\":\"i\"}]}}");
	json_decref(out);
	out = sm("", "Pod", "{\"metadata\":{\"labels\":{\"a\":\"1\"}}}", "{\"metadata\":{\"labels\":{\"$patch\":\"delete\"}}}", &e);
	CHECK_JSON(out, "{\"metadata\":{\"labels\":{}}}");
	json_decref(out);
	out = sm("", "Pod", "{\"metadata\":{}}", "{\"metadata\":{\"labels\":{\"$patch\":\"delete\"},\"annotations\":{\"$patch\":\"replace\",\"a\":\"1\"}}}", &e);
	CHECK_JSON(out, "{\"metadata\":{\"annotations\":{\"a\":\"1\"}}}");
	json_decref(out);
	/* A list without a strategy is replaced; nulls in what the patch brings are dropped. */
	out = sm("", "Pod", "{\"spec\":{\"tolerations\":[{\"key\":\"a\"}]}}",
		 "{\"spec\":{\"tolerations\":[{\"key\":\"b\",\"value\":null}],\"nodeSelector\":{\"x\":\"1\",\"y\":null}}}", &e);
	CHECK_JSON(out, "{\"spec\":{\"tolerations\":[{\"key\":\"b\"}],\"nodeSelector\":{\"x\":\"1\"}}}");
	json_decref(out);
}

TEST(smp_errors_read_like_upstream)
{
	gh_err e;
	json_t *out = sm("", "Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
			 "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}", &e);
	CHECK(out == NULL);
	CHECK_STR_EQ(e.msg, "map: map[image:x] does not contain declared merge key: name");
	CHECK_STR_EQ(e.code, "Unknown");
	CHECK_INT_EQ(e.status, 500);
	out = sm("", "Pod", "{\"metadata\":{}}", "{\"metadata\":{\"labels\":{\"$patch\":\"frob\",\"a\":\"1\"}}}", &e);
	CHECK(out == NULL);
	CHECK_STR_EQ(e.msg, "unknown patch type: frob in map: map[$patch:frob a:1]");
	out = sm("", "Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"$patch\":\"merge\"}]}}", &e);
	CHECK_STR_EQ(e.msg, "merging lists cannot yet be specified in the patch");
	out = sm("", "ConfigMap", "{\"metadata\":{\"finalizers\":[]}}", "{\"metadata\":{\"finalizers\":[[\"b\"]]}}", &e);
	CHECK(out == NULL);
	CHECK_STR_EQ(e.msg, "lists of lists are not supported");
	CHECK_INT_EQ(e.status, 422);
	out = sm("", "ConfigMap", "{\"metadata\":{\"finalizers\":[\"a\"]}}", "{\"metadata\":{\"finalizers\":[[\"b\"]]}}", &e);
	CHECK(out == NULL);
	CHECK_STR_EQ(e.msg, "list element types are not identical: [[a] [[b]]]");
	out = sm("", "ConfigMap", "{}", "{\"$frob\":1}", &e);
	CHECK(out == NULL);
	CHECK_STR_EQ(e.msg, "unknown patch directive: $frob in map: map[$frob:1]");
	CHECK_INT_EQ(e.status, 400);
	out = sm("", "ConfigMap", "{}", "{\"$setElementOrderfoo\":[]}", &e);
	CHECK_STR_EQ(e.msg, "invalid patch format of setElementOrder list");
	out = sm("", "ConfigMap", "{\"metadata\":{}}", "{\"metadata\":{\"$deleteFromPrimitiveListfinalizers\":[\"a\"]}}", &e);
	CHECK_STR_EQ(e.msg, "invalid patch format of primitive list");
	out = sm("", "Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
		 "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"}],\"containers\":[{\"name\":\"b\"}]}}", &e);
	CHECK(out == NULL);
	CHECK_CONTAINS(e.msg, "doesn't match $setElementOrder list");
	out = sm("", "Pod", "[]", "{}", &e);
	CHECK_STR_EQ(e.msg, "invalid JSON document");
}

TEST(smp_bounds_and_immutability)
{
	size_t n = 0;
	const smp_field *pod = smp_schema_for_kind("", "Pod", &n);
	REQUIRE(pod && n > 10);
	CHECK(smp_schema_for_kind("core", "ConfigMap", &n) && n == 2);
	CHECK(smp_schema_for_kind("rbac.authorization.k8s.io", "RoleBinding", &n) != NULL);
	CHECK(smp_schema_for_kind("example.com", "Widget", &n) == NULL && n == 0);
	smp_schema_for_kind("", "Pod", &n);

	json_t *doc = J("{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[{\"name\":\"X\"}]}]}}");
	json_t *snap = json_deep_copy(doc);
	/* The first element merges, the second has no merge key: nothing must leak out. */
	json_t *bad = J("{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[{\"name\":\"Y\"}]},{\"image\":\"i\"}]}}");
	json_t *bsnap = json_deep_copy(bad), *out = NULL;
	char pr[512];
	CHECK(!smp_apply(doc, bad, pod, n, &out, pr, sizeof pr));
	CHECK(out == NULL);
	CHECK(json_equal(doc, snap));
	CHECK(json_equal(bad, bsnap));

	json_t *deep = json_pack("{s:o}", "x", nested(101));
	gh_err e = { 0 };
	CHECK(!smp_apply_err(doc, deep, pod, n, &out, &e));
	CHECK_CONTAINS(e.msg, "nests deeper than 100 levels");

	/* A good patch: the result is independent of both inputs. */
	json_t *good = J("{\"spec\":{\"containers\":[{\"name\":\"b\",\"args\":[\"x\"]}]}}");
	json_t *gsnap = json_deep_copy(good);
	REQUIRE(smp_apply(doc, good, pod, n, &out, pr, sizeof pr));
	json_array_append_new(json_object_get(json_array_get(json_object_get(json_object_get(out, "spec"), "containers"), 0), "args"),
			      json_string("y"));
	CHECK(json_equal(good, gsnap));
	CHECK(json_equal(doc, snap));
	json_decref(out);
	json_decref(good);
	json_decref(gsnap);
	json_decref(deep);
	json_decref(bad);
	json_decref(bsnap);
	json_decref(snap);
	json_decref(doc);
}
