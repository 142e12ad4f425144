#include "codec/yaml.h"
#include "test.h"

static json_t *load(const char *text, const gh_yaml_opts *o, gh_err *e)
{
	json_t *v = NULL;
	if (!gh_yaml_load(gh_str_c(text), o, &v, e))
		return NULL;
	return v;
}

static const char *s_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

TEST(yaml_core_schema_resolves_plain_scalars_only)
{
	gh_err e = { 0 };
	json_t *v = load("i: 12\nneg: -7\nhex: 0x1F\noct: 0o17\nf: 1.5\nexp: 1e3\nt: true\nT: True\n"
			 "n: ~\nnull2: null\nempty:\nq: '12'\nd: \"true\"\nyes: yes\non: on\n"
			 "lit: |\n  12\nzero: 0777\nbig: 123456789012345678901234\n",
			 NULL, &e);
	REQUIRE(v);
	CHECK(json_integer_value(json_object_get(v, "i")) == 12);
	CHECK(json_integer_value(json_object_get(v, "neg")) == -7);
	CHECK(json_integer_value(json_object_get(v, "hex")) == 31);
	CHECK(json_integer_value(json_object_get(v, "oct")) == 15);
	CHECK(json_is_real(json_object_get(v, "f")) && json_real_value(json_object_get(v, "f")) == 1.5);
	CHECK(json_real_value(json_object_get(v, "exp")) == 1000.0);
	CHECK(json_is_true(json_object_get(v, "t")));
	CHECK(json_is_true(json_object_get(v, "T")));
	CHECK(json_is_null(json_object_get(v, "n")));
	CHECK(json_is_null(json_object_get(v, "null2")));
	CHECK(json_is_null(json_object_get(v, "empty")));
	CHECK_STR_EQ(s_at(v, "q"), "12");
	CHECK_STR_EQ(s_at(v, "d"), "true");
	/* YAML 1.2: yes/on are strings; 0777 is a decimal integer. */
	CHECK_STR_EQ(s_at(v, "yes"), "yes");
	CHECK_STR_EQ(s_at(v, "on"), "on");
	CHECK_STR_EQ(s_at(v, "lit"), "12\n");
	CHECK(json_integer_value(json_object_get(v, "zero")) == 777);
	CHECK(json_is_real(json_object_get(v, "big")));
	json_decref(v);
}

TEST(yaml_v11_schema_matches_yaml_v2)
{
	gh_yaml_opts o = { .schema = GH_YAML_SCHEMA_V11 };
	gh_err e = { 0 };
	json_t *v = load("a: yes\nb: Off\nc: y\nd: 0777\ne: 1_000\nf: 0b101\ng: 08\nh: -0x10\ni: NO\nj: nope\n"
			 "k: 012345678912\n",
			 &o, &e);
	REQUIRE(v);
	CHECK(json_is_true(json_object_get(v, "a")));
	CHECK(json_is_false(json_object_get(v, "b")));
	CHECK(json_is_true(json_object_get(v, "c")));
	CHECK(json_integer_value(json_object_get(v, "d")) == 0777);
	CHECK(json_integer_value(json_object_get(v, "e")) == 1000);
	CHECK(json_integer_value(json_object_get(v, "f")) == 5);
	/* Not octal, so Go's ParseInt fails and the float form takes it. */
	CHECK(json_is_real(json_object_get(v, "g")) && json_real_value(json_object_get(v, "g")) == 8.0);
	CHECK(json_integer_value(json_object_get(v, "h")) == -16);
	CHECK(json_is_false(json_object_get(v, "i")));
	CHECK_STR_EQ(s_at(v, "j"), "nope");
	CHECK(json_is_real(json_object_get(v, "k")));
	json_decref(v);
}

TEST(yaml_strings_mode_keeps_exact_text)
{
	gh_yaml_opts o = { .mode = GH_YAML_STRINGS };
	gh_err e = { 0 };
	json_t *v = load("- 012345678912\n- 555555555555\n- true\n- ~\n- \"quoted\"\n- 1.50\n-\n", &o, &e);
	REQUIRE(v);
	REQUIRE(json_array_size(v) == 7);
	CHECK_STR_EQ(json_string_value(json_array_get(v, 0)), "012345678912");
	CHECK_STR_EQ(json_string_value(json_array_get(v, 1)), "555555555555");
	CHECK_STR_EQ(json_string_value(json_array_get(v, 2)), "true");
	CHECK_STR_EQ(json_string_value(json_array_get(v, 3)), "~");
	CHECK_STR_EQ(json_string_value(json_array_get(v, 4)), "quoted");
	CHECK_STR_EQ(json_string_value(json_array_get(v, 5)), "1.50");
	CHECK_STR_EQ(json_string_value(json_array_get(v, 6)), "");
	json_decref(v);
}

TEST(yaml_multi_document_skips_empty)
{
	gh_err e = { 0 };
	json_t *docs = NULL;
	REQUIRE(gh_yaml_load_all(GH_STR("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n---\n~\n"), NULL,
				 &docs, &e));
	REQUIRE(json_is_array(docs));
	CHECK_INT_EQ(json_array_size(docs), 2);
	CHECK(json_integer_value(json_object_get(json_array_get(docs, 0), "a")) == 1);
	CHECK(json_integer_value(json_object_get(json_array_get(docs, 1), "b")) == 2);
	json_decref(docs);

	/* The single-document loader takes the first and leaves the rest unread. */
	json_t *one = load("a: 1\n---\nb: [unclosed\n", NULL, &e);
	REQUIRE(one);
	CHECK(json_integer_value(json_object_get(one, "a")) == 1);
	json_decref(one);

	json_t *none = load("", NULL, &e);
	CHECK(none && json_is_null(none));
	REQUIRE(gh_yaml_load_all(GH_STR(""), NULL, &docs, &e));
	CHECK_INT_EQ(json_array_size(docs), 0);
	json_decref(docs);
}

TEST(yaml_syntax_errors_carry_line_and_column)
{
	gh_err e = { 0 };
	json_t *v = NULL;
	gh_yaml_mark at;
	CHECK(!gh_yaml_load_marked(GH_STR("a: 1\nb:\n  - x\n  c: 2\n"), NULL, false, &v, NULL, &at, &e));
	CHECK(v == NULL);
	CHECK_STR_EQ(e.code, "InvalidYAML");
	CHECK_INT_EQ(e.status, 400);
	CHECK_STR_EQ(e.msg, "yaml: line 4, column 3: did not find expected '-' indicator");
	CHECK_INT_EQ(at.line, 4);
	CHECK_INT_EQ(at.column, 3);

	CHECK(!gh_yaml_load(GH_STR("key: value\n  bad: x\n"), NULL, &v, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 2, column 6: mapping values are not allowed in this context");

	CHECK(!gh_yaml_load(GH_STR("- rolearn: x\n  username: y\n groups: z\n"), NULL, &v, &e));
	CHECK_CONTAINS(e.msg, "yaml: line 3, column 2: ");

	CHECK(!gh_yaml_load(GH_STR("a: \"unterminated\n"), NULL, &v, &e));
	CHECK_CONTAINS(e.msg, "found unexpected end of stream");

	CHECK(!gh_yaml_load(GH_STR("a: b\n\tc: d\n"), NULL, &v, &e));
	CHECK_CONTAINS(e.msg, "yaml: line 2, column 1: ");
	CHECK_CONTAINS(e.msg, "tab");

	CHECK(!gh_yaml_load((gh_str){ "a: \xff\n", 6 }, NULL, &v, &e));
	CHECK_CONTAINS(e.msg, "yaml: line 1, column 4: ");
}

static char *nested(int depth, const char *open, const char *close)
{
	gh_buf b = { 0 };
	for (int i = 0; i < depth; i++)
		gh_buf_puts(&b, open);
	for (int i = 0; i < depth; i++)
		gh_buf_puts(&b, close);
	return gh_buf_take(&b);
}

TEST(yaml_depth_is_bounded)
{
	gh_err e = { 0 };
	json_t *v = NULL;
	char *ok = nested(64, "[", "]");
	CHECK(gh_yaml_load(gh_str_c(ok), NULL, &v, &e));
	json_decref(v);
	free(ok);
	char *deep = nested(65, "[", "]");
	CHECK(!gh_yaml_load(gh_str_c(deep), NULL, &v, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 1, column 65: exceeded max depth of 64");
	free(deep);
	/* A very deep block structure fails the same way, long before libyaml's stacks matter. */
	gh_buf b = { 0 };
	for (int i = 0; i < 200; i++) {
		for (int j = 0; j < i; j++)
			gh_buf_putc(&b, ' ');
		gh_buf_puts(&b, "k:\n");
	}
	CHECK(!gh_yaml_load(gh_buf_str(&b), NULL, &v, &e));
	CHECK_CONTAINS(e.msg, "exceeded max depth of 64");
	gh_buf_free(&b);
	gh_yaml_opts o = { .max_depth = 3 };
	CHECK(!gh_yaml_load(GH_STR("a: {b: {c: [1]}}"), &o, &v, &e));
	CHECK_CONTAINS(e.msg, "exceeded max depth of 3");
}

TEST(yaml_alias_bomb_fails_cleanly)
{
	static const char bomb[] = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
				   "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
				   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
				   "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
				   "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
				   "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
				   "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
				   "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
				   "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	gh_err e = { 0 };
	json_t *v = NULL;
	CHECK(!gh_yaml_load(GH_STR(bomb), NULL, &v, &e));
	CHECK(v == NULL);
	CHECK_CONTAINS(e.msg, "document contains excessive aliasing (more than 100000 nodes)");
	CHECK_CONTAINS(e.msg, "yaml: line 6, column ");
}

TEST(yaml_aliases_expand_or_are_refused)
{
	gh_err e = { 0 };
	json_t *v = load("base: &b {k: 1, l: [x]}\ncopy: *b\nname: &n hello\nagain: *n\n", NULL, &e);
	REQUIRE(v);
	json_t *copy = json_object_get(v, "copy");
	CHECK(json_integer_value(json_object_get(copy, "k")) == 1);
	CHECK(copy != json_object_get(v, "base")); /* a copy, never a shared node */
	CHECK_STR_EQ(s_at(v, "again"), "hello");
	json_decref(v);

	gh_yaml_opts strict = { .no_aliases = true };
	json_t *w = NULL;
	CHECK(!gh_yaml_load(GH_STR("a: &x 1\nb: *x\n"), &strict, &w, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 1, column 4: anchors and aliases are not allowed here");

	CHECK(!gh_yaml_load(GH_STR("a: *nope\n"), NULL, &w, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 1, column 4: unknown anchor 'nope' referenced");
	CHECK(!gh_yaml_load(GH_STR("a: &x [1, *x]\n"), NULL, &w, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 1, column 11: anchor 'x' value contains itself");
}

TEST(yaml_size_and_node_limits)
{
	gh_err e = { 0 };
	json_t *v = NULL;
	gh_yaml_opts o = { .max_bytes = 10 };
	CHECK(!gh_yaml_load(GH_STR("a: 12345678"), &o, &v, &e));
	CHECK_STR_EQ(e.msg, "yaml: input is 11 bytes, over the limit of 10");
	CHECK(gh_yaml_load(GH_STR("a: 1234567"), &o, &v, &e));
	json_decref(v);

	gh_yaml_opts few = { .max_nodes = 5 };
	CHECK(!gh_yaml_load(GH_STR("[1, 2, 3, 4, 5]"), &few, &v, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 1, column 14: document has more than 5 nodes");
	CHECK(gh_yaml_load(GH_STR("[1, 2, 3, 4]"), &few, &v, &e));
	json_decref(v);
}

TEST(yaml_duplicate_keys_later_wins_or_strict)
{
	gh_err e = { 0 };
	json_t *v = load("a: 1\nb: 2\na: 3\n", NULL, &e);
	REQUIRE(v);
	CHECK(json_integer_value(json_object_get(v, "a")) == 3);
	/* The replaced key keeps its place. */
	CHECK_STR_EQ(json_object_iter_key(json_object_iter(v)), "a");
	json_decref(v);
	gh_yaml_opts o = { .strict_keys = true };
	CHECK(!load("a: 1\nb: 2\na: 3\n", &o, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 3, column 1: key \"a\" already set in map");
}

TEST(yaml_merge_keys_explicit_keys_win)
{
	gh_err e = { 0 };
	json_t *v = load("base: &b {x: 1, y: 2}\nother: &o {z: 9, x: 7}\n"
			 "d:\n  y: 3\n  <<: [*b, *o]\n",
			 NULL, &e);
	REQUIRE(v);
	json_t *d = json_object_get(v, "d");
	CHECK(json_integer_value(json_object_get(d, "x")) == 1);
	CHECK(json_integer_value(json_object_get(d, "y")) == 3);
	CHECK(json_integer_value(json_object_get(d, "z")) == 9);
	CHECK(!json_object_get(d, "<<"));
	json_decref(v);
	CHECK(!load("d:\n  <<: 5\n", NULL, &e));
	CHECK_CONTAINS(e.msg, "map merge requires map or sequence of maps");
	/* A quoted "<<" is an ordinary key. */
	v = load("'<<': 5\n", NULL, &e);
	REQUIRE(v);
	CHECK(json_integer_value(json_object_get(v, "<<")) == 5);
	json_decref(v);
}

TEST(yaml_tags_keys_and_unrepresentable_values)
{
	gh_err e = { 0 };
	json_t *v = load("a: !!str 123\nb: !!int \"42\"\nc: !!float 3\n1: one\ntrue: t\nd: ! 12\n", NULL, &e);
	REQUIRE(v);
	CHECK_STR_EQ(s_at(v, "a"), "123");
	CHECK(json_integer_value(json_object_get(v, "b")) == 42);
	CHECK(json_is_real(json_object_get(v, "c")));
	CHECK_STR_EQ(s_at(v, "1"), "one");
	CHECK_STR_EQ(s_at(v, "true"), "t");
	CHECK_STR_EQ(s_at(v, "d"), "12");
	json_decref(v);
	CHECK(!load("a: !!int abc\n", NULL, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 1, column 4: cannot decode !!str `abc` as a !!int");
	CHECK(!load("a: .inf\n", NULL, &e));
	CHECK_STR_EQ(e.msg, "yaml: line 1, column 4: .inf has no JSON representation");
	CHECK(!load("? [a, b]\n: c\n", NULL, &e));
	CHECK_CONTAINS(e.msg, "invalid map key: a sequence cannot be a key");
	/* In STRINGS mode .inf is just text. */
	gh_yaml_opts o = { .mode = GH_YAML_STRINGS };
	v = load("a: .inf\n", &o, &e);
	REQUIRE(v);
	CHECK_STR_EQ(s_at(v, "a"), ".inf");
	json_decref(v);
}

TEST(yaml_marks_point_at_nodes_and_keys)
{
	gh_err e = { 0 };
	json_t *v = NULL;
	gh_yaml_marks *m = NULL;
	REQUIRE(gh_yaml_load_marked(GH_STR("- rolearn: x\n  groups:\n    - a\n    - b\n  flag: true\n"), NULL,
				    false, &v, &m, NULL, &e));
	json_t *entry = json_array_get(v, 0);
	gh_yaml_mark at = gh_yaml_marks_node(m, entry);
	CHECK_INT_EQ(at.line, 1);
	CHECK_INT_EQ(at.column, 3);
	at = gh_yaml_marks_node(m, json_array_get(json_object_get(entry, "groups"), 1));
	CHECK_INT_EQ(at.line, 4);
	CHECK_INT_EQ(at.column, 7);
	at = gh_yaml_marks_member(m, entry, "flag", 4);
	CHECK_INT_EQ(at.line, 5);
	CHECK_INT_EQ(at.column, 3);
	at = gh_yaml_marks_member(m, entry, "nope", 4);
	CHECK_INT_EQ(at.line, 0);
	gh_yaml_marks_free(m);
	json_decref(v);
}
