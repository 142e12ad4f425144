/* RBAC objects: the loader (documents, Lists, per-object errors, bounds), upstream's
 * validation messages, and the compiled-in bootstrap policy against the reference files. */
#include "codec/yaml.h"
#include "domain/k8s/rbac.h"
#include "test.h"

static json_t *yaml(const char *text)
{
	json_t *docs = NULL;
	gh_err e = { 0 };
	if (!gh_yaml_load_all(gh_str_c(text), NULL, &docs, &e))
		test_failed(__FILE__, __LINE__, "yaml: %s", e.msg);
	return docs;
}

/* Loads YAML text into a new set; *st gets the stats. */
static rbac_objects *load(const char *text, const rbac_load_opts *o, rbac_load_stats *st, bool expect_ok)
{
	rbac_objects *s = rbac_objects_new();
	json_t *docs = yaml(text);
	gh_err e = { 0 };
	bool ok = rbac_objects_load(s, docs, o, st, &e);
	if (ok != expect_ok)
		test_failed(__FILE__, __LINE__, "load returned %d: %s", ok, e.msg);
	json_decref(docs);
	return s;
}

static char *diag_text(const rbac_diag *d)
{
	static char buf[1024];
	gh_buf b = { 0 };
	rbac_diag_format(d, &b);
	snprintf(buf, sizeof buf, "%s", b.p ? b.p : "");
	gh_buf_free(&b);
	return buf;
}

#define RBAC_V1 "apiVersion: rbac.authorization.k8s.io/v1\n"

TEST(rbac_load_kinds_and_lists)
{
	rbac_load_stats st;
	rbac_objects *s = load(RBAC_V1 "kind: ClusterRole\nmetadata: {name: a}\nrules: [{verbs: [get], apiGroups: [''], "
					"resources: [pods]}]\n"
				"---\n" RBAC_V1 "kind: Role\nmetadata: {name: r}\nrules: []\n"
				"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
				"---\napiVersion: other.example.com/v1\nkind: Role\nmetadata: {name: crd}\n"
				"---\napiVersion: v1\nkind: List\nitems:\n"
				"- " RBAC_V1 "  kind: ClusterRoleBinding\n  metadata: {name: b}\n"
				"  roleRef: {kind: ClusterRole, name: a}\n  subjects: [{kind: User, name: u}]\n"
				"- apiVersion: v1\n  kind: List\n  items:\n"
				"  - " RBAC_V1 "    kind: RoleBinding\n    metadata: {name: nested, namespace: n}\n"
				"---\n" RBAC_V1 "kind: ClusterRoleList\nitems:\n- metadata: {name: typed}\n"
				"  aggregationRule: {clusterRoleSelectors: [{matchLabels: {k: v}}]}\n"
				"---\n" RBAC_V1 "kind: ClusterRoleBindingList\nitems: null\n",
				NULL, &st, true);
	CHECK_INT_EQ(st.loaded, 5);
	CHECK_INT_EQ(st.skipped, 2);
	CHECK_INT_EQ(st.failed, 0);
	size_t nr, nb;
	const rbac_role *r = rbac_objects_roles(s, &nr);
	const rbac_binding *b = rbac_objects_bindings(s, &nb);
	REQUIRE(nr == 3 && nb == 2);
	CHECK(r[0].cluster && gh_str_eq_c(r[0].name, "a") && r[0].nrules == 1);
	CHECK(gh_str_eq_c(r[0].rules[0].api_groups.v[0], ""));
	CHECK(!r[1].cluster && gh_str_eq_c(r[1].namespace, "default")); /* defaulted */
	CHECK(r[2].cluster && r[2].has_aggregation && r[2].nselectors == 1);
	CHECK(gh_str_eq_c(r[2].selectors[0].match_labels[0].key, "k"));
	CHECK(b[0].cluster && gh_str_eq_c(b[0].role_ref.name, "a") && b[0].nsubjects == 1);
	CHECK(gh_str_eq_c(b[0].subjects[0].kind, "User"));
	CHECK(!b[1].cluster && gh_str_eq_c(b[1].namespace, "n") && gh_str_eq_c(b[1].name, "nested"));
	rbac_objects_free(s);

	/* a JSON object (one document), and a JSON List as kubectl prints it */
	json_error_t je;
	json_t *one = json_loads("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\","
				 "\"metadata\":{\"name\":\"j\",\"namespace\":\"ignored\"},\"rules\":[null,{\"verbs\":[null]}]}",
				 0, &je);
	REQUIRE(one);
	s = rbac_objects_new();
	gh_err e;
	CHECK(rbac_objects_load(s, one, NULL, &st, &e));
	r = rbac_objects_roles(s, &nr);
	REQUIRE(nr == 1);
	CHECK_INT_EQ(r[0].namespace.n, 0);
	CHECK_INT_EQ(r[0].nrules, 2);
	CHECK_INT_EQ(r[0].rules[0].verbs.n, 0);
	CHECK(r[0].rules[1].verbs.n == 1 && r[0].rules[1].verbs.v[0].n == 0);
	json_decref(one);
	rbac_objects_free(s);
}

typedef struct bad_case {
	const char *yaml, *kind, *name, *field, *msg;
} bad_case;

static const bad_case bad[] = {
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: r1}\nrules: [{verbs: get}]\n", "ClusterRole", "r1",
	  "rules[0].verbs", "expected a list of strings, found a string" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: r2}\nrules: {verbs: [get]}\n", "ClusterRole", "r2", "rules",
	  "expected a list, found an object" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: r3}\nrules: [{verbs: [get, [x]]}]\n", "ClusterRole", "r3",
	  "rules[0].verbs[1]", "expected a string, found a list" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: r4}\nrules: [5]\n", "ClusterRole", "r4", "rules[0]",
	  "expected an object, found a number" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {labels: {a: b}}\n", "ClusterRole", "", "metadata.name",
	  "name is required" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: 7}\n", "ClusterRole", "", "metadata.name",
	  "expected a string, found a number" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: l, labels: {x: 1}}\n", "ClusterRole", "l", "metadata.labels.x",
	  "expected a string, found a number" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: l2, labels: [x]}\n", "ClusterRole", "l2", "metadata.labels",
	  "expected a map of strings, found a list" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: g}\naggregationRule: {clusterRoleSelectors: "
		  "[{matchExpressions: [{key: k, operator: In, values: x}]}]}\n",
	  "ClusterRole", "g", "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values",
	  "expected a list of strings, found a string" },
	{ RBAC_V1 "kind: ClusterRole\nmetadata: {name: g2}\naggregationRule: true\n", "ClusterRole", "g2",
	  "aggregationRule", "expected an object, found a boolean" },
	{ RBAC_V1 "kind: RoleBinding\nmetadata: {name: rb, namespace: n}\nroleRef: x\n", "RoleBinding", "rb", "roleRef",
	  "expected an object, found a string" },
	{ RBAC_V1 "kind: RoleBinding\nmetadata: {name: rb2, namespace: n}\nsubjects: [{kind: User, name: u}, 5]\n",
	  "RoleBinding", "rb2", "subjects[1]", "expected an object, found a number" },
	{ RBAC_V1 "kind: ClusterRoleBinding\nmetadata: {name: crb}\nsubjects: [{kind: User, name: {a: b}}]\n",
	  "ClusterRoleBinding", "crb", "subjects[0].name", "expected a string, found an object" },
	{ "kind: Role\nmetadata: {name: noapi}\n", "Role", "", "apiVersion", "apiVersion is required" },
	{ "- just\n- a list\n", "", "", "", "a document must be an object, found a list" },
	{ "apiVersion: v1\nkind: List\nitems: {a: b}\n", "List", "", "items", "expected a list, found an object" },
	{ "apiVersion: v1\nkind: 5\n", "", "", "kind", "expected a string" },
};

TEST(rbac_load_reports_bad_objects)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rbac_load_stats st;
		/* every bad document comes between two good ones, which still load */
		gh_buf text = { 0 };
		gh_buf_printf(&text, RBAC_V1 "kind: ClusterRole\nmetadata: {name: before}\n---\n%s---\n" RBAC_V1
					     "kind: ClusterRole\nmetadata: {name: after}\n",
			      bad[i].yaml);
		rbac_objects *s = load(text.p, NULL, &st, true);
		size_t nd, nr;
		const rbac_diag *d = rbac_objects_diags(s, &nd);
		(void)rbac_objects_roles(s, &nr);
		CHECK_INT_EQ(st.failed, 1);
		CHECK_INT_EQ(nr, 2);
		if (nd != 1) {
			test_failed(__FILE__, __LINE__, "case %zu: %zu diagnostics", i, nd);
		} else {
			if (!gh_str_eq_c(d->kind, bad[i].kind) || !gh_str_eq_c(d->name, bad[i].name) ||
			    !gh_str_eq_c(d->field, bad[i].field) || !gh_str_eq_c(d->msg, bad[i].msg))
				test_failed(__FILE__, __LINE__, "case %zu: %s", i, diag_text(d));
			CHECK_INT_EQ(d->doc, 1);
		}
		gh_buf_free(&text);
		rbac_objects_free(s);
	}
}

TEST(rbac_load_diag_format_and_bounds)
{
	rbac_load_stats st;
	rbac_objects *s = load("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: x/v1, kind: Other}\n- " RBAC_V1
			       "  kind: Role\n  metadata: {name: r, namespace: ns}\n  rules: [{verbs: 1}]\n",
			       NULL, &st, true);
	size_t nd;
	const rbac_diag *d = rbac_objects_diags(s, &nd);
	REQUIRE(nd == 1);
	CHECK_STR_EQ(diag_text(d), "document 1, item 1: Role \"ns/r\": rules[0].verbs: expected a list of strings, "
				   "found a number");
	rbac_objects_free(s);

	/* strings and lists are bounded */
	rbac_load_opts o = { .max_string = 8, .max_list = 3 };
	s = load(RBAC_V1 "kind: ClusterRole\nmetadata: {name: short}\nrules: [{verbs: [a, b, c, d]}]\n---\n" RBAC_V1
			 "kind: ClusterRole\nmetadata: {name: much-too-long}\n",
		 &o, &st, true);
	d = rbac_objects_diags(s, &nd);
	REQUIRE(nd == 2);
	CHECK_STR_EQ(diag_text(&d[0]), "document 1: ClusterRole \"short\": rules[0].verbs: more than 3 entries");
	CHECK_STR_EQ(diag_text(&d[1]), "document 2: ClusterRole: metadata.name: longer than 8 bytes");
	rbac_objects_free(s);

	/* the object count is bounded for the whole call; what came before stays */
	rbac_load_opts few = { .max_objects = 2 };
	s = load(RBAC_V1 "kind: ClusterRole\nmetadata: {name: a}\n---\n" RBAC_V1 "kind: ClusterRole\nmetadata: {name: b}\n"
			 "---\n" RBAC_V1 "kind: ClusterRole\nmetadata: {name: c}\n",
		 &few, &st, false);
	CHECK_INT_EQ(st.loaded, 2);
	rbac_objects_free(s);

	/* diagnostics are bounded per set; the rest are counted */
	rbac_load_opts quiet = { .max_diags = 2 };
	s = load("[1]\n---\n[2]\n---\n[3]\n---\n[4]\n", &quiet, &st, true);
	d = rbac_objects_diags(s, &nd);
	CHECK_INT_EQ(nd, 2);
	CHECK_INT_EQ(st.failed, 4);
	CHECK_INT_EQ(st.diags_dropped, 2);
	rbac_objects_free(s);

	/* Lists nested too deep */
	s = load("kind: List\nitems:\n- kind: List\n  items:\n  - kind: List\n    items:\n    - kind: List\n      items:\n"
		 "      - kind: List\n        items: [{kind: Role}]\n",
		 NULL, &st, true);
	d = rbac_objects_diags(s, &nd);
	REQUIRE(nd == 1);
	CHECK(gh_str_eq_c(d->msg, "Lists nested too deep"));
	rbac_objects_free(s);

	/* with validate, objects the API server would refuse are reported */
	rbac_load_opts strict = { .validate = true };
	s = load(RBAC_V1 "kind: ClusterRole\nmetadata: {name: v}\nrules: [{apiGroups: [''], resources: [pods]}]\n---\n" RBAC_V1
			 "kind: ClusterRoleBinding\nmetadata: {name: w}\nroleRef: {apiGroup: rbac.authorization.k8s.io, "
			 "kind: ClusterRole, name: v}\nsubjects: [{kind: ServiceAccount, name: s}]\n",
		 &strict, &st, true);
	d = rbac_objects_diags(s, &nd);
	REQUIRE(nd == 2);
	CHECK_STR_EQ(diag_text(&d[0]),
		     "document 1: ClusterRole \"v\": rules[0].verbs: Required value: verbs must contain at least one value");
	CHECK_STR_EQ(diag_text(&d[1]), "document 2: ClusterRoleBinding \"w\": subjects[0].namespace: Required value");
	CHECK_INT_EQ(st.loaded, 0);
	rbac_objects_free(s);
}

/* ---- validation -------------------------------------------------------------------------------- */

static void check_errors(const rbac_field_errors *e, const char *const *want, size_t n, int line)
{
	if (e->n != n)
		test_failed(__FILE__, line, "%zu errors, expected %zu", e->n, n);
	for (size_t i = 0; i < e->n && i < n; i++)
		if (!gh_str_eq_c(e->v[i].text, want[i]))
			test_failed(__FILE__, line, "error %zu: \"%.*s\"\n    expected \"%s\"", i, GH_STR_ARG(e->v[i].text),
				    want[i]);
}

#define WANT(...) (const char *const[]){ __VA_ARGS__ }, sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *)

TEST(rbac_validate_messages)
{
	gh_str get = GH_STR("get"), core = GH_STR(""), pods = GH_STR("pods"), foo = GH_STR("/foo");
	rbac_rule url = { .verbs = { &get, 1 }, .non_resource_urls = { &foo, 1 } };
	rbac_rule both = { .verbs = { &get, 1 }, .api_groups = { &core, 1 }, .non_resource_urls = { &foo, 1 } };
	rbac_rule empty = { 0 };
	rbac_rule ok = { .verbs = { &get, 1 }, .api_groups = { &core, 1 }, .resources = { &pods, 1 } };
	rbac_field_errors e;

	rbac_role role = { .name = GH_STR("r"), .namespace = GH_STR("ns"), .rules = &url, .nrules = 1 };
	rbac_field_errors_init(&e);
	CHECK(!rbac_validate_role(&role, &e));
	check_errors(&e, WANT("rules[0].nonResourceURLs: Invalid value: []string{\"/foo\"}: namespaced rules cannot "
			      "apply to non-resource URLs"), __LINE__);
	rbac_field_errors_free(&e);

	rbac_role cr = { .cluster = true, .name = GH_STR("c"), .rules = (rbac_rule[]){ both, empty, ok }, .nrules = 3 };
	rbac_field_errors_init(&e);
	CHECK(!rbac_validate_role(&cr, &e));
	check_errors(&e, WANT("rules[0].nonResourceURLs: Invalid value: []string{\"/foo\"}: rules cannot apply to both "
			      "regular resources and non-resource URLs",
			      "rules[1].verbs: Required value: verbs must contain at least one value",
			      "rules[1].apiGroups: Required value: resource rules must supply at least one api group",
			      "rules[1].resources: Required value: resource rules must supply at least one resource"),
		     __LINE__);
	gh_buf m = { 0 };
	rbac_invalid_message("ClusterRole", cr.name, &e, &m);
	CHECK(gh_str_has_prefix(gh_buf_str(&m), GH_STR("ClusterRole.rbac.authorization.k8s.io \"c\" is invalid: "
						       "[rules[0].nonResourceURLs: Invalid value: ")));
	CHECK(gh_str_has_suffix(gh_buf_str(&m), GH_STR("must supply at least one resource]")));
	rbac_field_errors_free(&e);

	rbac_field_errors_init(&e);
	gh_buf_reset(&m);
	rbac_role named = { .cluster = true, .name = GH_STR("a/b%"), .namespace = GH_STR("x"), .rules = &ok, .nrules = 1 };
	CHECK(!rbac_validate_role(&named, &e));
	check_errors(&e, WANT("metadata.name: Invalid value: \"a/b%\": may not contain '/'",
			      "metadata.name: Invalid value: \"a/b%\": may not contain '%'",
			      "metadata.namespace: Forbidden: not allowed on this type"),
		     __LINE__);
	rbac_field_errors_free(&e);

	rbac_field_errors_init(&e);
	rbac_role nameless = { .name = GH_STR(""), .namespace = GH_STR("Bad_NS") };
	CHECK(!rbac_validate_role(&nameless, &e));
	check_errors(&e, WANT("metadata.name: Required value: name or generateName is required",
			      "metadata.namespace: Invalid value: \"Bad_NS\": a lowercase RFC 1123 label must consist of "
			      "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
			      "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
			      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
		     __LINE__);
	rbac_field_errors_free(&e);

	/* aggregation rules */
	rbac_sel_expr bad_op = { GH_STR("tier"), GH_STR("Maybe"), { &get, 1 } };
	rbac_sel_expr no_vals = { GH_STR("tier"), GH_STR("In"), { 0 } };
	rbac_selector sels[] = { { .exprs = &bad_op, .nexprs = 1 }, { .exprs = &no_vals, .nexprs = 1 } };
	rbac_role agg = { .cluster = true, .name = GH_STR("agg"), .has_aggregation = true, .selectors = sels,
			  .nselectors = 2 };
	rbac_field_errors_init(&e);
	CHECK(!rbac_validate_role(&agg, &e));
	check_errors(&e, WANT("aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "
			      "\"Maybe\": not a valid selector operator",
			      "aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.",
			      "aggregationRule.clusterRoleSelectors[1].matchExpressions[0].values: Required value: must be "
			      "specified when `operator` is 'In' or 'NotIn'",
			      "aggregationRule.clusterRoleSelectors[1]: Invalid value: null: invalid label selector."),
		     __LINE__);
	rbac_field_errors_free(&e);
	agg.nselectors = 0;
	rbac_field_errors_init(&e);
	CHECK(!rbac_validate_role(&agg, &e));
	check_errors(&e, WANT("aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector "
			      "required if aggregationRule is non-nil"),
		     __LINE__);
	rbac_field_errors_free(&e);

	/* bindings */
	rbac_subject subs[] = {
		{ .kind = GH_STR("ServiceAccount"), .api_group = GH_STR(RBAC_GROUP), .name = GH_STR("Bad_Name") },
		{ .kind = GH_STR("User"), .name = GH_STR("u") },
		{ .kind = GH_STR("Bot"), .name = GH_STR("b") },
		{ .kind = GH_STR("Group"), .api_group = GH_STR(RBAC_GROUP) },
	};
	rbac_binding crb = { .cluster = true, .name = GH_STR("crb"), .role_ref = { GH_STR(""), GH_STR("Role"), GH_STR("") },
			     .subjects = subs, .nsubjects = 4 };
	rbac_field_errors_init(&e);
	CHECK(!rbac_validate_binding(&crb, &e));
	check_errors(&e, WANT("roleRef.apiGroup: Unsupported value: \"\": supported values: \"rbac.authorization.k8s.io\"",
			      "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
			      "roleRef.name: Required value",
			      "subjects[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of "
			      "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
			      "character (e.g. 'example.com', regex used for validation is "
			      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
			      "subjects[0].apiGroup: Unsupported value: \"rbac.authorization.k8s.io\": supported values: \"\"",
			      "subjects[0].namespace: Required value",
			      "subjects[1].apiGroup: Unsupported value: \"\": supported values: \"rbac.authorization.k8s.io\"",
			      "subjects[2].kind: Unsupported value: \"Bot\": supported values: \"ServiceAccount\", \"User\", "
			      "\"Group\"",
			      "subjects[3].name: Required value"),
		     __LINE__);
	rbac_field_errors_free(&e);

	rbac_binding rb = { .name = GH_STR("rb"), .namespace = GH_STR("ns"),
			    .role_ref = { GH_STR(RBAC_GROUP), GH_STR("Fancy"), GH_STR("x") },
			    .subjects = (rbac_subject[]){ { .kind = GH_STR("ServiceAccount"), .name = GH_STR("s") } },
			    .nsubjects = 1 };
	rbac_field_errors_init(&e);
	CHECK(!rbac_validate_binding(&rb, &e));
	check_errors(&e, WANT("roleRef.kind: Unsupported value: \"Fancy\": supported values: \"Role\", \"ClusterRole\""),
		     __LINE__);
	rbac_field_errors_free(&e);

	rbac_binding old = rb, upd = rb;
	old.role_ref.kind = upd.role_ref.kind = GH_STR("ClusterRole");
	upd.role_ref.name = GH_STR("b");
	rbac_field_errors_init(&e);
	CHECK(rbac_validate_binding_update(&old, &old, &e));
	CHECK(!rbac_validate_binding_update(&old, &upd, &e));
	check_errors(&e, WANT("roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", "
			      "Kind:\"ClusterRole\", Name:\"b\"}: cannot change roleRef"),
		     __LINE__);
	gh_buf_reset(&m);
	rbac_invalid_message("RoleBinding", upd.name, &e, &m);
	CHECK_STR_EQ(m.p, "RoleBinding.rbac.authorization.k8s.io \"rb\" is invalid: roleRef: Invalid value: "
			  "rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"b\"}: cannot "
			  "change roleRef");
	rbac_field_errors_free(&e);
	gh_buf_free(&m);
}

/* ---- the bootstrap policy against ../shared/reference/kubernetes ------------------------------- */

static bool strs_eq(rbac_strs a, rbac_strs b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (!gh_str_eq(a.v[i], b.v[i]))
			return false;
	return true;
}

static bool labels_eq(const rbac_label *a, size_t na, const rbac_label *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t j = 0; j < nb && !found; j++)
			found = gh_str_eq(a[i].key, b[j].key) && gh_str_eq(a[i].value, b[j].value);
		if (!found)
			return false;
	}
	return true;
}

static rbac_objects *load_shared(const char *rel)
{
	size_t n;
	char *text = test_read_file(test_shared_path(rel), &n);
	if (!text) {
		test_failed(__FILE__, __LINE__, "cannot read %s", test_shared_path(rel));
		return NULL;
	}
	rbac_load_stats st;
	rbac_objects *s = load(text, NULL, &st, true);
	CHECK_INT_EQ(st.failed, 0);
	free(text);
	return s;
}

TEST(rbac_defaults_match_reference)
{
	rbac_objects *ref = load_shared("reference/kubernetes/default-cluster-roles.yaml");
	REQUIRE(ref);
	size_t nref, ndef;
	const rbac_role *r = rbac_objects_roles(ref, &nref);
	const rbac_role *d = rbac_default_cluster_roles(&ndef);
	CHECK_INT_EQ(nref, ndef);
	CHECK(nref >= 13);
	for (size_t i = 0; i < nref; i++) {
		const rbac_role *m = NULL;
		for (size_t j = 0; j < ndef && !m; j++)
			if (gh_str_eq(d[j].name, r[i].name))
				m = &d[j];
		if (!m) {
			test_failed(__FILE__, __LINE__, "default ClusterRole %.*s missing", GH_STR_ARG(r[i].name));
			continue;
		}
		if (!m->cluster || !labels_eq(m->labels, m->nlabels, r[i].labels, r[i].nlabels))
			test_failed(__FILE__, __LINE__, "%.*s: labels differ", GH_STR_ARG(r[i].name));
		if (m->nrules != r[i].nrules) {
			test_failed(__FILE__, __LINE__, "%.*s: %zu rules, reference has %zu", GH_STR_ARG(r[i].name),
				    m->nrules, r[i].nrules);
			continue;
		}
		for (size_t k = 0; k < m->nrules; k++) {
			const rbac_rule *x = &m->rules[k], *y = &r[i].rules[k];
			if (!strs_eq(x->verbs, y->verbs) || !strs_eq(x->api_groups, y->api_groups) ||
			    !strs_eq(x->resources, y->resources) || !strs_eq(x->resource_names, y->resource_names) ||
			    !strs_eq(x->non_resource_urls, y->non_resource_urls))
				test_failed(__FILE__, __LINE__, "%.*s: rule %zu differs", GH_STR_ARG(r[i].name), k);
		}
		if (m->has_aggregation != r[i].has_aggregation || m->nselectors != r[i].nselectors) {
			test_failed(__FILE__, __LINE__, "%.*s: aggregation differs", GH_STR_ARG(r[i].name));
			continue;
		}
		for (size_t k = 0; k < m->nselectors; k++) {
			const rbac_selector *x = &m->selectors[k], *y = &r[i].selectors[k];
			if (!labels_eq(x->match_labels, x->nmatch_labels, y->match_labels, y->nmatch_labels) ||
			    x->nexprs != y->nexprs)
				test_failed(__FILE__, __LINE__, "%.*s: selector %zu differs", GH_STR_ARG(r[i].name), k);
		}
	}
	rbac_objects_free(ref);

	ref = load_shared("reference/kubernetes/default-cluster-role-bindings.yaml");
	REQUIRE(ref);
	const rbac_binding *b = rbac_objects_bindings(ref, &nref);
	const rbac_binding *db = rbac_default_cluster_role_bindings(&ndef);
	CHECK_INT_EQ(nref, ndef);
	for (size_t i = 0; i < nref; i++) {
		const rbac_binding *m = NULL;
		for (size_t j = 0; j < ndef && !m; j++)
			if (gh_str_eq(db[j].name, b[i].name))
				m = &db[j];
		if (!m) {
			test_failed(__FILE__, __LINE__, "default ClusterRoleBinding %.*s missing", GH_STR_ARG(b[i].name));
			continue;
		}
		bool same = m->cluster && gh_str_eq(m->role_ref.api_group, b[i].role_ref.api_group) &&
			    gh_str_eq(m->role_ref.kind, b[i].role_ref.kind) && gh_str_eq(m->role_ref.name, b[i].role_ref.name) &&
			    m->nsubjects == b[i].nsubjects;
		for (size_t k = 0; same && k < m->nsubjects; k++)
			same = gh_str_eq(m->subjects[k].kind, b[i].subjects[k].kind) &&
			       gh_str_eq(m->subjects[k].api_group, b[i].subjects[k].api_group) &&
			       gh_str_eq(m->subjects[k].name, b[i].subjects[k].name) &&
			       gh_str_eq(m->subjects[k].namespace, b[i].subjects[k].namespace);
		if (!same)
			test_failed(__FILE__, __LINE__, "%.*s: binding differs", GH_STR_ARG(b[i].name));
	}
	rbac_objects_free(ref);

	/* every default passes upstream's validation */
	rbac_field_errors e;
	rbac_field_errors_init(&e);
	for (size_t i = 0; i < ndef; i++)
		CHECK(rbac_validate_binding(&db[i], &e));
	const rbac_role *dr = rbac_default_cluster_roles(&ndef);
	for (size_t i = 0; i < ndef; i++)
		CHECK(rbac_validate_role(&dr[i], &e));
	CHECK_INT_EQ(e.n, 0);
	rbac_field_errors_free(&e);
}
