#include "domain/authn/awsauth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/yaml.h"
#include "domain/aws/arn.h"

static const char *const section_names[GH_AWSAUTH_NSECTIONS] = { "mapRoles", "mapUsers", "mapAccounts" };

const char *gh_awsauth_section_name(enum gh_awsauth_section s)
{
	return (unsigned)s < GH_AWSAUTH_NSECTIONS ? section_names[s] : "?";
}

/* ---- building ----------------------------------------------------------------------- */

typedef struct entry_vec {
	gh_awsauth_entry *v;
	size_t n, cap;
} entry_vec;

typedef struct builder {
	gh_awsauth *cfg;
	gh_awsauth_diag *diags;
	size_t n_diags, cap_diags;
	size_t per_section[GH_AWSAUTH_NSECTIONS];
	size_t dropped[GH_AWSAUTH_NSECTIONS], dropped_errors[GH_AWSAUTH_NSECTIONS];
	bool oom;
} builder;

static void *grow(void *v, size_t *cap, size_t n, size_t size, bool *oom)
{
	if (n < *cap)
		return v;
	size_t c = *cap ? *cap * 2 : 8;
	void *p = realloc(v, c * size);
	if (!p) {
		*oom = true;
		return NULL;
	}
	*cap = c;
	return p;
}

static gh_str keep(builder *b, const char *s, size_t n)
{
	char *d = gh_arena_strndup(&b->cfg->mem, s ? s : "", s ? n : 0);
	if (!d) {
		b->oom = true;
		return GH_STR("");
	}
	return (gh_str){ d, s ? n : 0 };
}

static void diag_vadd(builder *b, enum gh_awsauth_severity sev, enum gh_awsauth_section sec, long entry,
		      gh_yaml_mark at, const char *fmt, va_list ap)
{
	gh_awsauth_diag *v = grow(b->diags, &b->cap_diags, b->n_diags, sizeof *v, &b->oom);
	if (!v)
		return;
	b->diags = v;
	char msg[GH_ERR_MSG_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	v[b->n_diags++] = (gh_awsauth_diag){ sev, sec, entry, at.line, at.column, false, keep(b, msg, strlen(msg)) };
}

static void diag_add(builder *b, enum gh_awsauth_severity sev, enum gh_awsauth_section sec, long entry,
		     gh_yaml_mark at, const char *fmt, ...) GH_PRINTF(6, 7);
static void diag_add(builder *b, enum gh_awsauth_severity sev, enum gh_awsauth_section sec, long entry,
		     gh_yaml_mark at, const char *fmt, ...)
{
	/* A 1 MiB section can hold tens of thousands of mistakes; nobody reads past the first. */
	if (b->per_section[sec] >= GH_AWSAUTH_MAX_DIAGS_PER_SECTION) {
		b->dropped[sec]++;
		b->dropped_errors[sec] += sev == GH_AWSAUTH_ERROR;
		return;
	}
	b->per_section[sec]++;
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(b, sev, sec, entry, at, fmt, ap);
	va_end(ap);
}

static void diag_summary(builder *b, enum gh_awsauth_section sec, const char *fmt, ...) GH_PRINTF(3, 4);
static void diag_summary(builder *b, enum gh_awsauth_section sec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(b, b->dropped_errors[sec] ? GH_AWSAUTH_ERROR : GH_AWSAUTH_WARNING, sec, -1,
		  (gh_yaml_mark){ 0, 0 }, fmt, ap);
	va_end(ap);
}

/* ---- reading one entry ------------------------------------------------------------ */

typedef struct entry_ctx {
	builder *b;
	enum gh_awsauth_section sec;
	size_t index;
	const gh_yaml_marks *marks;
	const json_t *obj;
	gh_yaml_mark at; /* of the entry */
	bool bad;
} entry_ctx;

static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* The member whose key equals `name` ASCII case-insensitively. Upstream's YAML -> JSON step
 * sorts keys, and encoding/json lets the last matching key win, so among spellings the
 * bytewise greatest key wins. */
static json_t *field(const json_t *obj, const char *name, gh_str *key_out)
{
	const char *k, *best = NULL;
	size_t klen, best_len = 0;
	json_t *v, *found = NULL;
	if (!json_is_object(obj))
		return NULL;
	json_object_keylen_foreach((json_t *)obj, k, klen, v)
	{
		if (!gh_str_ieq((gh_str){ k, klen }, gh_str_c(name)))
			continue;
		if (!best || key_cmp(k, klen, best, best_len) > 0) {
			best = k;
			best_len = klen;
			found = v;
		}
	}
	if (key_out)
		*key_out = (gh_str){ best, best_len };
	return found;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static gh_yaml_mark member_mark(const entry_ctx *c, const json_t *obj, gh_str key)
{
	gh_yaml_mark m = gh_yaml_marks_member(c->marks, obj, key.p, key.n);
	return m.line ? m : c->at;
}

static void entry_error(entry_ctx *c, gh_yaml_mark at, const char *fmt, ...) GH_PRINTF(3, 4);
static void entry_error(entry_ctx *c, gh_yaml_mark at, const char *fmt, ...)
{
	char msg[GH_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_add(c->b, GH_AWSAUTH_ERROR, c->sec, (long)c->index, at, "%s", msg);
	c->bad = true;
}

/* A string field: absent or null reads as "" (encoding/json leaves the field zero). */
static gh_str get_string(entry_ctx *c, const json_t *obj, const char *name)
{
	gh_str key;
	json_t *v = field(obj, name, &key);
	if (!v || json_is_null(v))
		return GH_STR("");
	if (!json_is_string(v)) {
		entry_error(c, member_mark(c, obj, key), "field \"%.*s\" must be a string, not %s",
			    GH_STR_ARG(key), type_name(v));
		return GH_STR("");
	}
	return keep(c->b, json_string_value(v), json_string_length(v));
}

static void get_groups(entry_ctx *c, gh_awsauth_entry *e)
{
	gh_str key;
	json_t *v = field(c->obj, "groups", &key);
	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v)) {
		entry_error(c, member_mark(c, c->obj, key), "field \"%.*s\" must be a list of strings, not %s",
			    GH_STR_ARG(key), type_name(v));
		return;
	}
	size_t n = json_array_size(v);
	gh_str *g = n ? gh_arena_alloc(&c->b->cfg->mem, n * sizeof *g) : NULL;
	if (n && !g) {
		c->b->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(v, i);
		if (json_is_string(s)) {
			g[i] = keep(c->b, json_string_value(s), json_string_length(s));
		} else if (json_is_null(s)) {
			g[i] = GH_STR("");
		} else {
			gh_yaml_mark at = gh_yaml_marks_element(c->marks, v, i);
			entry_error(c, at.line ? at : member_mark(c, c->obj, key),
				    "groups[%zu] must be a string, not %s", i, type_name(s));
			g[i] = GH_STR("");
		}
	}
	e->groups = g;
	e->n_groups = n;
}

static bool all_digits(gh_str s, size_t len)
{
	if (s.n != len)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

static bool permission_set_name_ok(gh_str s)
{
	if (s.n < 1 || s.n > 32)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char ch = s.p[i];
		bool word = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
		if (!word && !strchr("+=,.@-", ch))
			return false;
	}
	return true;
}

static bool partition_ok(gh_str p)
{
	static const char *const parts[] = { "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b",
					     "aws-iso-e", "aws-iso-f", "aws-eusc", NULL };
	for (const char *const *q = parts; *q; q++)
		if (gh_str_eq_c(p, *q))
			return true;
	return false;
}

static void get_sso(entry_ctx *c, gh_awsauth_entry *e)
{
	gh_str key;
	json_t *v = field(c->obj, "sso", &key);
	if (!v || json_is_null(v))
		return;
	if (!json_is_object(v)) {
		entry_error(c, member_mark(c, c->obj, key), "field \"%.*s\" must be a mapping, not %s",
			    GH_STR_ARG(key), type_name(v));
		return;
	}
	e->has_sso = true;
	e->sso_permission_set = get_string(c, v, "permissionSetName");
	e->sso_account_id = get_string(c, v, "accountID");
	e->sso_partition = get_string(c, v, "partition");
}

/* The checks of upstream's RoleMapping.Validate / UserMapping.Validate, same wording. */
static void validate(entry_ctx *c, const gh_awsauth_entry *e)
{
	if (c->sec == GH_AWSAUTH_MAP_USERS) {
		if (e->arn.n == 0)
			entry_error(c, c->at, "value for userarn must be supplied");
		return;
	}
	if (e->arn.n == 0 && !e->has_sso) {
		entry_error(c, c->at, "one of rolearn or SSO must be supplied");
		return;
	}
	if (e->arn.n && e->has_sso) {
		entry_error(c, c->at, "only one of rolearn or SSO can be supplied");
		return;
	}
	if (!e->has_sso)
		return;
	if (!all_digits(e->sso_account_id, 12))
		entry_error(c, c->at, "AccountID '%.*s' is not a valid AWS Account ID",
			    GH_STR_ARG(e->sso_account_id));
	else if (!permission_set_name_ok(e->sso_permission_set))
		entry_error(c, c->at, "PermissionSetName '%.*s' is not a valid AWS SSO PermissionSet Name",
			    GH_STR_ARG(e->sso_permission_set));
	else if (e->sso_partition.n && !partition_ok(e->sso_partition))
		entry_error(c, c->at, "partition '%.*s' is not a valid AWS partition",
			    GH_STR_ARG(e->sso_partition));
}

/* ---- warnings: legal text that probably does not do what its author meant ----------- */

static bool has_space(gh_str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] == ' ' || s.p[i] == '\t')
			return true;
	return false;
}

static void warn_templates(builder *b, enum gh_awsauth_section sec, const gh_awsauth_entry *e,
			   gh_yaml_mark at, gh_str t)
{
	static const char *const known[] = { "AccountID", "SessionName", "SessionNameRaw", "AccessKeyID",
					     "EC2PrivateDNSName", NULL };
	for (size_t i = 0; i + 1 < t.n; i++) {
		if (t.p[i] != '{' || t.p[i + 1] != '{')
			continue;
		size_t j = i + 2;
		while (j + 1 < t.n && !(t.p[j] == '}' && t.p[j + 1] == '}'))
			j++;
		if (j + 1 >= t.n)
			return;
		gh_str name = gh_str_sub(t, i + 2, j - i - 2);
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = gh_str_eq_c(name, *k);
		if (!ok)
			diag_add(b, GH_AWSAUTH_WARNING, sec, (long)e->index, at,
				 "{{%.*s}} is not a template variable; it stays as written", GH_STR_ARG(name));
		i = j + 1;
	}
}

static bool arn_resource(gh_str arn, gh_str *resource)
{
	arn_parts p;
	if (!arn_parse(arn, &p, NULL))
		return false;
	*resource = p.resource;
	return true;
}

static bool arn_is_assumed_role(gh_str arn)
{
	gh_str r;
	return arn_resource(arn, &r) && gh_str_has_prefix(r, GH_STR("assumed-role/"));
}

static bool arn_role_has_path(gh_str arn)
{
	gh_str r;
	return arn_resource(arn, &r) && gh_str_has_prefix(r, GH_STR("role/")) && gh_str_find(r, '/', 5) < r.n;
}

static gh_str lower_copy(builder *b, gh_str s)
{
	gh_str d = keep(b, s.p, s.n);
	for (size_t i = 0; i < d.n; i++)
		if (d.p[i] >= 'A' && d.p[i] <= 'Z')
			((char *)d.p)[i] += 32;
	return d;
}

static void warn_entry(builder *b, enum gh_awsauth_section sec, const gh_awsauth_entry *e, gh_yaml_mark at)
{
	const char *field_name = sec == GH_AWSAUTH_MAP_ROLES ? "rolearn" : "userarn";
	if (arn_is_assumed_role(e->arn))
		diag_add(b, GH_AWSAUTH_WARNING, sec, (long)e->index, at,
			 "%s %.*s is an STS assumed-role ARN and never matches; write the role's IAM ARN "
			 "(arn:<partition>:iam::<account>:role/<name>)", field_name, GH_STR_ARG(e->arn));
	else if (arn_role_has_path(e->arn))
		diag_add(b, GH_AWSAUTH_WARNING, sec, (long)e->index, at,
			 "%s %.*s has an IAM path: EKS never matches it; gatehouse matches it only when "
			 "it knows the caller's role path", field_name, GH_STR_ARG(e->arn));
	if (e->username.n == 0)
		diag_add(b, GH_AWSAUTH_WARNING, sec, (long)e->index, at,
			 "username is empty; a caller mapped here gets the empty username (and its groups)");
	if (e->has_sso)
		diag_add(b, GH_AWSAUTH_WARNING, sec, (long)e->index, at,
			 "sso entries match only when SSO role matching is enabled (it is off on EKS)");
	for (size_t i = 0; i < e->n_groups; i++)
		if (has_space(e->groups[i]))
			diag_add(b, GH_AWSAUTH_WARNING, sec, (long)e->index, at,
				 "group \"%.*s\" contains a space; a stray space may have folded two list "
				 "items into one", GH_STR_ARG(e->groups[i]));
	warn_templates(b, sec, e, at, e->username);
	for (size_t i = 0; i < e->n_groups; i++)
		warn_templates(b, sec, e, at, e->groups[i]);
}

/* Reads element `index` of a mapRoles / mapUsers list. True when the entry is usable. */
static bool read_entry(builder *b, enum gh_awsauth_section sec, const json_t *list, size_t index,
		       const gh_yaml_marks *marks, gh_awsauth_entry *e)
{
	const json_t *el = json_array_get(list, index);
	entry_ctx c = { b, sec, index, marks, el, gh_yaml_marks_element(marks, list, index), false };
	*e = (gh_awsauth_entry){ .index = index, .line = c.at.line };
	/* A null element reads as an entry with no fields (encoding/json leaves it zero), which
	 * then fails validation. */
	if (!json_is_null(el) && !json_is_object(el)) {
		entry_error(&c, c.at, "entry must be a mapping, not %s", type_name(el));
		return false;
	}
	e->arn = get_string(&c, c.obj, sec == GH_AWSAUTH_MAP_ROLES ? "rolearn" : "userarn");
	e->username = get_string(&c, c.obj, "username");
	get_groups(&c, e);
	if (sec == GH_AWSAUTH_MAP_ROLES)
		get_sso(&c, e);
	(void)get_string(&c, c.obj, "userid");
	if (c.bad)
		return false;
	e->arn_lower = lower_copy(b, e->arn);
	e->arn_has_path = arn_role_has_path(e->arn);
	validate(&c, e);
	if (!c.bad)
		warn_entry(b, sec, e, c.at);
	return !c.bad;
}

/* ---- sections -------------------------------------------------------------------- */

typedef struct section_in {
	bool present;
	gh_str text;
	const char *value_type; /* the ConfigMap value is not a string but this */
	const char *data_type;	/* the ConfigMap's data is not a mapping but this */
} section_in;

typedef struct section_out {
	entry_vec entries;
	gh_str *accounts;
	size_t n_accounts, cap_accounts;
	size_t errors;
} section_out;

static bool skippable(gh_str text)
{
	gh_str t = gh_str_trim(text);
	return t.n == 0 || gh_str_eq_c(t, "\"\"") || gh_str_eq_c(t, "''") || gh_str_eq_c(t, "``");
}

/* "yaml: line 3, column 5: did not find expected key" -> "did not find expected key" */
static const char *yaml_problem(const char *msg)
{
	if (strncmp(msg, "yaml: line ", 11) == 0) {
		const char *p = strstr(msg, ": ");
		p = p ? strstr(p + 2, ": ") : NULL;
		if (p)
			return p + 2;
	}
	return strncmp(msg, "yaml: ", 6) == 0 ? msg + 6 : msg;
}

static bool parse_yaml(builder *b, enum gh_awsauth_section sec, gh_str text, bool strings, json_t **root,
		       gh_yaml_marks **marks, section_out *out)
{
	gh_yaml_opts o = { .mode = strings ? GH_YAML_STRINGS : GH_YAML_TYPED,
			   .schema = GH_YAML_SCHEMA_V11,
			   .strings_null = true,
			   .max_nodes = 250000,
			   .max_bytes = GH_AWSAUTH_MAX_SECTION_BYTES };
	gh_yaml_mark where;
	gh_err err = { 0 };
	if (gh_yaml_load_marked(text, &o, false, root, marks, &where, &err))
		return true;
	if (err.status == 500)
		b->oom = true;
	diag_add(b, GH_AWSAUTH_ERROR, sec, -1, where, "%s", yaml_problem(err.msg));
	out->errors++;
	return false;
}

static void parse_entries(builder *b, enum gh_awsauth_section sec, gh_str text, section_out *out)
{
	json_t *root;
	gh_yaml_marks *marks;
	if (!parse_yaml(b, sec, text, false, &root, &marks, out))
		return;
	if (!json_is_null(root) && !json_is_array(root)) {
		diag_add(b, GH_AWSAUTH_ERROR, sec, -1, gh_yaml_marks_node(marks, root),
			 "%s must be a list of entries, not %s", section_names[sec], type_name(root));
		out->errors++;
	}
	size_t i;
	json_t *el;
	json_array_foreach(root, i, el) {
		gh_awsauth_entry e;
		if (!read_entry(b, sec, root, i, marks, &e)) {
			out->errors++;
			continue;
		}
		entry_vec *v = &out->entries;
		gh_awsauth_entry *p = grow(v->v, &v->cap, v->n, sizeof *p, &b->oom);
		if (!p)
			break;
		v->v = p;
		v->v[v->n++] = e;
	}
	json_decref(root);
	gh_yaml_marks_free(marks);
}

static void parse_accounts(builder *b, gh_str text, section_out *out)
{
	const enum gh_awsauth_section sec = GH_AWSAUTH_MAP_ACCOUNTS;
	json_t *root;
	gh_yaml_marks *marks;
	if (!parse_yaml(b, sec, text, true, &root, &marks, out))
		return;
	if (!json_is_null(root) && !json_is_array(root)) {
		diag_add(b, GH_AWSAUTH_ERROR, sec, -1, gh_yaml_marks_node(marks, root),
			 "mapAccounts must be a list of account IDs, not %s", type_name(root));
		out->errors++;
	}
	size_t i;
	json_t *el;
	json_array_foreach(root, i, el) {
		gh_yaml_mark at = gh_yaml_marks_element(marks, root, i);
		if (json_is_null(el) || (json_is_string(el) && json_string_length(el) == 0)) {
			diag_add(b, GH_AWSAUTH_WARNING, sec, (long)i, at, "empty account ID ignored");
			continue;
		}
		if (!json_is_string(el)) {
			diag_add(b, GH_AWSAUTH_ERROR, sec, (long)i, at, "account ID must be a string, not %s",
				 type_name(el));
			out->errors++;
			continue;
		}
		gh_str *p = grow(out->accounts, &out->cap_accounts, out->n_accounts, sizeof *p, &b->oom);
		if (!p)
			break;
		out->accounts = p;
		out->accounts[out->n_accounts++] = keep(b, json_string_value(el), json_string_length(el));
	}
	json_decref(root);
	gh_yaml_marks_free(marks);
}

/* ---- duplicates ------------------------------------------------------------------- */

typedef struct dup_key {
	char *key;
	size_t index; /* into the entry array */
} dup_key;

static int dup_cmp(const void *a, const void *b)
{
	const dup_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static char *entry_key(const gh_awsauth_entry *e)
{
	gh_buf k = { 0 };
	if (e->has_sso)
		gh_buf_printf(&k, "sso:%.*s:%.*s:%.*s", GH_STR_ARG(e->sso_partition), GH_STR_ARG(e->sso_account_id),
			      GH_STR_ARG(e->sso_permission_set));
	else
		gh_buf_put_str(&k, e->arn);
	for (size_t i = 0; i < k.n; i++)
		if (k.p[i] >= 'A' && k.p[i] <= 'Z')
			k.p[i] += 32;
	if (k.oom) {
		gh_buf_free(&k);
		return NULL;
	}
	return gh_buf_take(&k);
}

static void mark_duplicates(builder *b, enum gh_awsauth_section sec, gh_awsauth_entry *v, size_t n)
{
	if (n < 2)
		return;
	dup_key *keys = calloc(n, sizeof *keys);
	if (!keys) {
		b->oom = true;
		return;
	}
	size_t k = 0;
	for (; k < n; k++) {
		keys[k] = (dup_key){ entry_key(&v[k]), k };
		if (!keys[k].key) {
			b->oom = true;
			break;
		}
	}
	if (k == n) {
		qsort(keys, n, sizeof *keys, dup_cmp);
		for (size_t i = 0; i + 1 < n; i++) {
			if (strcmp(keys[i].key, keys[i + 1].key) != 0)
				continue;
			gh_awsauth_entry *loser = &v[keys[i].index], *winner = &v[keys[i + 1].index];
			loser->shadowed = true;
			diag_add(b, GH_AWSAUTH_WARNING, sec, (long)loser->index, (gh_yaml_mark){ loser->line, 0 },
				 "%s[%zu] is overridden by %s[%zu], which has the same %s; the later entry wins",
				 section_names[sec], loser->index, section_names[sec], winner->index,
				 loser->has_sso ? "sso matcher" : sec == GH_AWSAUTH_MAP_ROLES ? "rolearn" : "userarn");
		}
	}
	for (size_t i = 0; i < k; i++)
		free(keys[i].key);
	free(keys);
}

/* ---- copying into the config --------------------------------------------------------- */

static gh_awsauth_entry *copy_entries(builder *b, const gh_awsauth_entry *src, size_t n)
{
	if (!n)
		return NULL;
	gh_awsauth_entry *d = gh_arena_alloc(&b->cfg->mem, n * sizeof *d);
	if (!d) {
		b->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		d[i] = src[i];
		d[i].arn = keep(b, src[i].arn.p, src[i].arn.n);
		d[i].arn_lower = keep(b, src[i].arn_lower.p, src[i].arn_lower.n);
		d[i].username = keep(b, src[i].username.p, src[i].username.n);
		d[i].sso_permission_set = keep(b, src[i].sso_permission_set.p, src[i].sso_permission_set.n);
		d[i].sso_account_id = keep(b, src[i].sso_account_id.p, src[i].sso_account_id.n);
		d[i].sso_partition = keep(b, src[i].sso_partition.p, src[i].sso_partition.n);
		gh_str *g = src[i].n_groups ? gh_arena_alloc(&b->cfg->mem, src[i].n_groups * sizeof *g) : NULL;
		if (src[i].n_groups && !g) {
			b->oom = true;
			d[i].n_groups = 0;
			continue;
		}
		for (size_t j = 0; j < src[i].n_groups; j++)
			g[j] = keep(b, src[i].groups[j].p, src[i].groups[j].n);
		d[i].groups = g;
	}
	return d;
}

static gh_str *copy_strs(builder *b, const gh_str *src, size_t n)
{
	if (!n)
		return NULL;
	gh_str *d = gh_arena_alloc(&b->cfg->mem, n * sizeof *d);
	if (!d) {
		b->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = keep(b, src[i].p, src[i].n);
	return d;
}

static void prev_section(const gh_awsauth *prev, enum gh_awsauth_section sec, const gh_awsauth_entry **e,
			 size_t *n)
{
	*e = sec == GH_AWSAUTH_MAP_ROLES ? prev->roles : prev->users;
	*n = sec == GH_AWSAUTH_MAP_ROLES ? prev->n_roles : prev->n_users;
}

static void build_section(builder *b, enum gh_awsauth_section sec, const section_in *in, const gh_awsauth *prev)
{
	gh_awsauth *cfg = b->cfg;
	section_out out = { 0 };
	size_t first_diag = b->n_diags;
	if (in->data_type) {
		diag_add(b, GH_AWSAUTH_ERROR, sec, -1, (gh_yaml_mark){ 0, 0 },
			 "the ConfigMap's data must be a mapping of strings, not %s", in->data_type);
		out.errors++;
	} else if (in->value_type) {
		diag_add(b, GH_AWSAUTH_ERROR, sec, -1, (gh_yaml_mark){ 0, 0 },
			 "the value of %s must be a string holding YAML (write \"%s: |\"), not %s",
			 section_names[sec], section_names[sec], in->value_type);
		out.errors++;
	} else if (in->present && !skippable(in->text)) {
		if (sec == GH_AWSAUTH_MAP_ACCOUNTS)
			parse_accounts(b, in->text, &out);
		else
			parse_entries(b, sec, in->text, &out);
	}
	if (b->dropped[sec])
		diag_summary(b, sec, "%zu more problems (%zu of them errors) are not listed", b->dropped[sec],
			     b->dropped_errors[sec]);
	bool use_prev = out.errors && prev;
	for (size_t i = first_diag; i < b->n_diags; i++)
		if (b->diags[i].severity == GH_AWSAUTH_ERROR)
			b->diags[i].kept_previous = use_prev;
	cfg->kept_previous[sec] = use_prev;
	if (sec == GH_AWSAUTH_MAP_ACCOUNTS) {
		const gh_str *src = use_prev ? prev->accounts : out.accounts;
		size_t n = use_prev ? prev->n_accounts : out.n_accounts;
		cfg->accounts = copy_strs(b, src, n);
		cfg->n_accounts = cfg->accounts ? n : 0;
	} else {
		const gh_awsauth_entry *src = out.entries.v;
		size_t n = out.entries.n;
		if (use_prev)
			prev_section(prev, sec, &src, &n);
		else
			mark_duplicates(b, sec, out.entries.v, n);
		gh_awsauth_entry *d = copy_entries(b, src, n);
		if (!d)
			n = 0;
		if (sec == GH_AWSAUTH_MAP_ROLES)
			cfg->roles = d, cfg->n_roles = n;
		else
			cfg->users = d, cfg->n_users = n;
	}
	free(out.entries.v);
	free(out.accounts);
}

static bool build(const section_in in[GH_AWSAUTH_NSECTIONS], const gh_awsauth *prev, gh_awsauth **out, gh_err *err)
{
	*out = NULL;
	gh_awsauth *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return gh_fail(err, "InternalError", 500, "aws-auth: out of memory");
	gh_arena_init(&cfg->mem, 0);
	builder b = { .cfg = cfg };
	for (int s = 0; s < GH_AWSAUTH_NSECTIONS; s++)
		build_section(&b, (enum gh_awsauth_section)s, &in[s], prev);
	if (b.n_diags) {
		/* Order of discovery: section by section, then position in the text. */
		gh_awsauth_diag *d = gh_arena_alloc(&cfg->mem, b.n_diags * sizeof *d);
		if (d) {
			memcpy(d, b.diags, b.n_diags * sizeof *d);
			cfg->diags = d;
			cfg->n_diags = b.n_diags;
		} else {
			b.oom = true;
		}
	}
	free(b.diags);
	if (b.oom) {
		gh_awsauth_free(cfg);
		return gh_fail(err, "InternalError", 500, "aws-auth: out of memory");
	}
	*out = cfg;
	return true;
}

bool gh_awsauth_load(const gh_str *map_roles, const gh_str *map_users, const gh_str *map_accounts,
		     const gh_awsauth *prev, gh_awsauth **out, gh_err *err)
{
	const gh_str *texts[GH_AWSAUTH_NSECTIONS] = { map_roles, map_users, map_accounts };
	section_in in[GH_AWSAUTH_NSECTIONS];
	for (int s = 0; s < GH_AWSAUTH_NSECTIONS; s++)
		in[s] = (section_in){ texts[s] != NULL, texts[s] ? *texts[s] : GH_STR(""), NULL, NULL };
	return build(in, prev, out, err);
}

bool gh_awsauth_load_configmap(const json_t *cm, const gh_awsauth *prev, gh_awsauth **out, gh_err *err)
{
	*out = NULL;
	if (!json_is_object(cm))
		return gh_fail(err, "InvalidInput", 400, "aws-auth: a ConfigMap must be a mapping, not %s",
			       cm ? type_name(cm) : "nothing");
	json_t *kind = json_object_get(cm, "kind");
	if (kind && !(json_is_string(kind) && strcmp(json_string_value(kind), "ConfigMap") == 0))
		return gh_fail(err, "InvalidInput", 400, "aws-auth: expected kind ConfigMap, found %s",
			       json_is_string(kind) ? json_string_value(kind) : type_name(kind));
	json_t *data = json_object_get(cm, "data");
	section_in in[GH_AWSAUTH_NSECTIONS] = { 0 };
	for (int s = 0; s < GH_AWSAUTH_NSECTIONS; s++) {
		json_t *v = json_is_object(data) ? json_object_get(data, section_names[s]) : NULL;
		if (data && !json_is_null(data) && !json_is_object(data))
			in[s] = (section_in){ true, GH_STR(""), NULL, type_name(data) };
		else if (!v)
			in[s] = (section_in){ false, GH_STR(""), NULL, NULL };
		else if (json_is_string(v))
			in[s] = (section_in){ true, { json_string_value(v), json_string_length(v) }, NULL, NULL };
		else
			in[s] = (section_in){ true, GH_STR(""), type_name(v), NULL };
	}
	return build(in, prev, out, err);
}

void gh_awsauth_free(gh_awsauth *cfg)
{
	if (!cfg)
		return;
	gh_arena_free(&cfg->mem);
	free(cfg);
}

void gh_awsauth_diag_format(const gh_awsauth *cfg, const gh_awsauth_diag *d, gh_buf *out)
{
	const char *name = gh_awsauth_section_name(d->section);
	gh_buf_puts(out, name);
	if (d->entry >= 0)
		gh_buf_printf(out, "[%ld]", d->entry);
	if (d->line && d->column)
		gh_buf_printf(out, ": line %u, column %u", d->line, d->column);
	else if (d->line)
		gh_buf_printf(out, ": line %u", d->line);
	gh_buf_printf(out, ": %s" GH_STR_FMT, d->severity == GH_AWSAUTH_WARNING ? "warning: " : "",
		      GH_STR_ARG(d->message));
	if (d->severity != GH_AWSAUTH_ERROR)
		return;
	if (d->kept_previous) {
		size_t n = !cfg ? 0
			   : d->section == GH_AWSAUTH_MAP_ROLES ? cfg->n_roles
			   : d->section == GH_AWSAUTH_MAP_USERS ? cfg->n_users
								: cfg->n_accounts;
		gh_buf_printf(out, "; the previous %s (%zu %s) stay in effect", name, n,
			      n == 1 ? "entry" : "entries");
	} else if (d->entry >= 0) {
		gh_buf_puts(out, "; this entry is skipped");
	} else {
		gh_buf_printf(out, "; %s is ignored", name);
	}
}
