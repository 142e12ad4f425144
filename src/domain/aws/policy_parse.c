/* policy_parse: from JSON text to the checked, arena-held form in policy_internal.h.
 *
 * Messages use IAM's wording where it is known from real IAM answers ("Unknown field X",
 * "Invalid principal in policy: \"AWS\":\"bob\"", "Has prohibited field Resource", "This
 * policy contains invalid Json", ...). Where IAM's text is not known the message starts
 * with IAM's generic "Syntax errors in policy" and says what was wrong. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "domain/aws/arn.h"
#include "domain/aws/policy_internal.h"

#define MALFORMED "MalformedPolicyDocument"

typedef struct pctx {
	gh_arena *a;
	policy_kind kind;
	gh_err *err;
} pctx;

static bool oom(pctx *pc)
{
	return gh_fail(pc->err, "InternalError", 500, "out of memory while parsing a policy");
}

static bool dup_str(pctx *pc, const char *s, size_t n, gh_str *out)
{
	char *d = gh_arena_strndup(pc->a, s, n);
	if (!d)
		return oom(pc);
	*out = (gh_str){ d, n };
	return true;
}

static bool dup_json_str(pctx *pc, const json_t *v, gh_str *out)
{
	return dup_str(pc, json_string_value(v), json_string_length(v), out);
}

static void *alloc_n(pctx *pc, size_t n, size_t size)
{
	if (n == 0)
		n = 1;
	return n > SIZE_MAX / size ? NULL : gh_arena_alloc(pc->a, n * size);
}

static gh_str jstr(const json_t *v)
{
	return (gh_str){ json_string_value(v), json_string_length(v) };
}

/* ---- string lists (Action, Resource, principal values) ---------------------------- */

/* A string or a non-empty array of strings, as every list element of the grammar. */
static bool parse_list(pctx *pc, const json_t *v, const char *field, pol_list *out)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	if (json_is_array(v) && n == 0)
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: %s must not be an empty list", field);
	if (!json_is_array(v) && !json_is_string(v))
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: %s must be a string or a list of strings",
			       field);
	out->v = alloc_n(pc, n, sizeof *out->v);
	if (!out->v)
		return oom(pc);
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		if (!json_is_string(e))
			return gh_fail(pc->err, MALFORMED, 400,
				       "Syntax errors in policy: %s must be a string or a list of strings",
				       field);
		if (!dup_json_str(pc, e, &out->v[i]))
			return false;
	}
	return true;
}

/* ---- actions and resources ----------------------------------------------------- */

static bool check_action(pctx *pc, gh_str a)
{
	if (gh_str_eq_c(a, "*")) {
		if (pc->kind == POLICY_TRUST)
			return gh_fail(pc->err, MALFORMED, 400,
				       "AssumeRole policy may only specify STS AssumeRole actions.");
		return true;
	}
	gh_str vendor, rest;
	if (!gh_str_cut(a, ':', &vendor, &rest))
		return gh_fail(pc->err, MALFORMED, 400,
			       "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
	if (gh_str_find(rest, ':', 0) != rest.n)
		return gh_fail(pc->err, MALFORMED, 400, "Actions/Condition can contain only one colon.");
	bool vendor_ok = vendor.n > 0;
	for (size_t i = 0; i < vendor.n; i++) {
		char c = vendor.p[i];
		vendor_ok &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '.';
	}
	if (!vendor_ok)
		return gh_fail(pc->err, MALFORMED, 400, "Vendor " GH_STR_FMT " is not valid",
			       GH_STR_ARG(vendor));
	if (pc->kind == POLICY_TRUST && !gh_str_ieq_c(vendor, "sts"))
		return gh_fail(pc->err, MALFORMED, 400,
			       "AssumeRole policy may only specify STS AssumeRole actions.");
	return true;
}

/* "*" or something ARN-shaped (six sections); wildcards and variables are checked when
 * matching. */
static bool check_resource(pctx *pc, gh_str r)
{
	if (gh_str_eq_c(r, "*"))
		return true;
	arn_parts p;
	if (!arn_parse(r, &p, NULL))
		return gh_fail(pc->err, MALFORMED, 400,
			       "Resource " GH_STR_FMT " must be in ARN format or \"*\".", GH_STR_ARG(r));
	return true;
}

/* ---- principals ------------------------------------------------------------------ */

static bool has_wildcard(gh_str s)
{
	return memchr(s.p, '*', s.n) || memchr(s.p, '?', s.n);
}

static bool is_unique_id(gh_str s)
{
	if (s.n < 12 || s.n > 128 ||
	    !(gh_str_has_prefix(s, GH_STR("AIDA")) || gh_str_has_prefix(s, GH_STR("AROA"))))
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'A' && s.p[i] <= 'Z') || (s.p[i] >= '0' && s.p[i] <= '9')))
			return false;
	return true;
}

/* Role and session ARNs have the role name in different places; keep only the name. */
static void fill_from_arn(pol_prin *p, arn_kind k)
{
	arn_parts a;
	if (!arn_parse(p->raw, &a, NULL))
		return;
	p->partition = a.partition;
	p->account = a.account;
	gh_str type, rest;
	gh_str_cut(a.resource, '/', &type, &rest);
	if (k == ARN_ASSUMED_ROLE) {
		gh_str_cut(rest, '/', &p->name, &p->session);
		return;
	}
	p->name = arn_last_name(p->raw);
}

static bool parse_aws_principal(pctx *pc, pol_prin *p)
{
	gh_str v = p->raw;
	if (gh_str_eq_c(v, "*")) {
		p->form = PF_ANY;
		return true;
	}
	if (arn_is_account_id(v)) {
		p->form = PF_ACCOUNT;
		p->account = v;
		return true;
	}
	if (is_unique_id(v)) {
		p->form = PF_UNIQUE_ID;
		return true;
	}
	arn_kind k = has_wildcard(v) ? ARN_OTHER : arn_classify(v);
	switch (k) {
	case ARN_ROOT:
		p->form = PF_ACCOUNT;
		break;
	case ARN_USER:
		p->form = PF_USER;
		break;
	case ARN_ROLE:
		p->form = PF_ROLE;
		break;
	case ARN_ASSUMED_ROLE:
		p->form = PF_SESSION;
		break;
	case ARN_FEDERATED_USER:
		p->form = PF_FEDERATED_USER;
		break;
	default:
		return gh_fail(pc->err, MALFORMED, 400,
			       "Invalid principal in policy: \"AWS\":\"" GH_STR_FMT "\"", GH_STR_ARG(v));
	}
	fill_from_arn(p, k);
	return true;
}

/* IAM checks service principals against its live catalog; without one, a lowercase
 * DNS-like name with at least one dot is the best offline approximation. */
static bool service_name_ok(gh_str s)
{
	if (s.n < 3 || s.n > 255 || s.p[0] == '.' || s.p[0] == '-' || s.p[s.n - 1] == '.')
		return false;
	bool dot = false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (c == '.')
			dot = true;
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return dot;
}

static bool federated_ok(gh_str s)
{
	static const char *const known[] = { "accounts.google.com", "graph.facebook.com",
					     "www.amazon.com", "cognito-identity.amazonaws.com" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (gh_str_eq_c(s, known[i]))
			return true;
	arn_kind k = has_wildcard(s) ? ARN_OTHER : arn_classify(s);
	return k == ARN_OIDC_PROVIDER || k == ARN_SAML_PROVIDER;
}

static bool canonical_user_ok(gh_str s)
{
	if (s.n != 64)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!((s.p[i] >= '0' && s.p[i] <= '9') || (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	return true;
}

static bool parse_prin_value(pctx *pc, prin_type t, pol_prin *p)
{
	p->type = t;
	p->form = PF_NAME;
	switch (t) {
	case PT_AWS:
		return parse_aws_principal(pc, p);
	case PT_SERVICE:
		if (!service_name_ok(p->raw))
			return gh_fail(pc->err, MALFORMED, 400,
				       "Invalid principal in policy: \"SERVICE\":\"" GH_STR_FMT "\"",
				       GH_STR_ARG(p->raw));
		return true;
	case PT_FEDERATED:
		if (!federated_ok(p->raw))
			return gh_fail(pc->err, MALFORMED, 400,
				       "Invalid principal in policy: \"FEDERATED\":\"" GH_STR_FMT "\"",
				       GH_STR_ARG(p->raw));
		return true;
	case PT_CANONICAL:
		if (!canonical_user_ok(p->raw))
			return gh_fail(pc->err, MALFORMED, 400,
				       "Invalid principal in policy: \"CANONICAL_USER\":\"" GH_STR_FMT "\"",
				       GH_STR_ARG(p->raw));
		return true;
	}
	return false;
}

static bool principal_type(pctx *pc, const char *key, prin_type *t)
{
	if (strcmp(key, "AWS") == 0)
		*t = PT_AWS;
	else if (strcmp(key, "Service") == 0)
		*t = PT_SERVICE;
	else if (strcmp(key, "Federated") == 0)
		*t = PT_FEDERATED;
	else if (strcmp(key, "CanonicalUser") == 0 && pc->kind != POLICY_TRUST)
		*t = PT_CANONICAL;
	else
		return gh_fail(pc->err, MALFORMED, 400, "Invalid principal in policy: \"%s\"", key);
	return true;
}

static bool parse_principal(pctx *pc, const json_t *v, const char *field, pol_principals *out)
{
	out->present = true;
	if (json_is_string(v)) {
		if (!gh_str_eq_c(jstr(v), "*"))
			return gh_fail(pc->err, MALFORMED, 400,
				       "Invalid principal in policy: \"" GH_STR_FMT "\"",
				       GH_STR_ARG(jstr(v)));
		out->star = true;
		return true;
	}
	if (!json_is_object(v) || json_object_size(v) == 0)
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: %s must be \"*\" or a non-empty object", field);
	size_t total = 0;
	const char *key;
	const json_t *val;
	json_object_foreach((json_t *)v, key, val)
		total += json_is_array(val) ? json_array_size(val) : 1;
	out->v = alloc_n(pc, total, sizeof *out->v);
	if (!out->v)
		return oom(pc);
	json_object_foreach((json_t *)v, key, val) {
		prin_type t = PT_AWS;
		pol_list l;
		if (!principal_type(pc, key, &t) || !parse_list(pc, val, field, &l))
			return false;
		for (size_t i = 0; i < l.n; i++) {
			pol_prin *p = &out->v[out->n++];
			p->raw = l.v[i];
			if (!parse_prin_value(pc, t, p))
				return false;
		}
	}
	return true;
}

/* ---- conditions ------------------------------------------------------------------ */

/* IAM takes JSON numbers and booleans as condition values and compares their text. */
static bool cond_value(pctx *pc, const json_t *v, gh_str *out)
{
	char buf[64];
	if (json_is_string(v))
		return dup_json_str(pc, v, out);
	if (json_is_true(v) || json_is_false(v))
		snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_integer(v))
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
	else
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: condition values must be strings, numbers or booleans");
	return dup_str(pc, buf, strlen(buf), out);
}

static bool parse_cond_values(pctx *pc, const json_t *v, pol_cond *c)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	if (n == 0)
		/* An empty list would make a negated operator true for everything. */
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: condition key " GH_STR_FMT " has no values",
			       GH_STR_ARG(c->key));
	c->values = alloc_n(pc, n, sizeof *c->values);
	if (!c->values)
		return oom(pc);
	c->n = n;
	for (size_t i = 0; i < n; i++)
		if (!cond_value(pc, json_is_array(v) ? json_array_get(v, i) : v, &c->values[i]))
			return false;
	return true;
}

static bool parse_condition(pctx *pc, const json_t *v, pol_stmt *s)
{
	if (!json_is_object(v))
		return gh_fail(pc->err, MALFORMED, 400, "Syntax errors in policy: Condition must be an object");
	size_t total = 0;
	const char *opname, *key;
	const json_t *block, *val;
	json_object_foreach((json_t *)v, opname, block) {
		if (!json_is_object(block))
			return gh_fail(pc->err, MALFORMED, 400,
				       "Syntax errors in policy: condition %s must be an object", opname);
		total += json_object_size(block);
	}
	s->conds = alloc_n(pc, total, sizeof *s->conds);
	if (!s->conds)
		return oom(pc);
	json_object_foreach((json_t *)v, opname, block) {
		const cond_op *op;
		cond_set set;
		bool if_exists;
		if (!cond_op_lookup(gh_str_c(opname), &op, &set, &if_exists))
			return gh_fail(pc->err, MALFORMED, 400, "Invalid Condition type : %s", opname);
		json_object_foreach((json_t *)block, key, val) {
			pol_cond *c = &s->conds[s->nconds++];
			*c = (pol_cond){ .op = op, .set = set, .if_exists = if_exists };
			if (!dup_str(pc, opname, strlen(opname), &c->opname) ||
			    !dup_str(pc, key, strlen(key), &c->key))
				return false;
			if (!strchr(key, ':'))
				return gh_fail(pc->err, MALFORMED, 400,
					       "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
			if (!parse_cond_values(pc, val, c))
				return false;
		}
	}
	return true;
}

/* ---- statements ------------------------------------------------------------------ */

static const char *const stmt_fields[] = { "Sid", "Effect", "Principal", "NotPrincipal",
					   "Action", "NotAction", "Resource", "NotResource",
					   "Condition" };

static bool known_field(const char *key, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, fields[i]) == 0)
			return true;
	return false;
}

static bool parse_effect(pctx *pc, const json_t *e, pol_stmt *s)
{
	if (!e)
		return gh_fail(pc->err, MALFORMED, 400, "Missing required field Effect");
	if (json_is_string(e) && strcmp(json_string_value(e), "Allow") == 0)
		s->deny = false;
	else if (json_is_string(e) && strcmp(json_string_value(e), "Deny") == 0)
		s->deny = true;
	else if (json_is_string(e))
		return gh_fail(pc->err, MALFORMED, 400, "Invalid effect: " GH_STR_FMT,
			       GH_STR_ARG(jstr(e)));
	else
		return gh_fail(pc->err, MALFORMED, 400, "Syntax errors in policy: Effect must be a string");
	return true;
}

static bool parse_stmt_principal(pctx *pc, const json_t *st, pol_stmt *s)
{
	const json_t *p = json_object_get(st, "Principal"), *np = json_object_get(st, "NotPrincipal");
	if (pc->kind == POLICY_IDENTITY) {
		if (p || np)
			return gh_fail(pc->err, MALFORMED, 400,
				       "Policy document should not specify a principal.");
		return true;
	}
	if (p && np)
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: a statement cannot have both Principal and NotPrincipal");
	if (!p && !np)
		return gh_fail(pc->err, MALFORMED, 400, "Missing required field Principal");
	s->not_principal = np != NULL;
	return parse_principal(pc, p ? p : np, p ? "Principal" : "NotPrincipal", &s->principal);
}

static bool parse_stmt_action(pctx *pc, const json_t *st, pol_stmt *s)
{
	const json_t *a = json_object_get(st, "Action"), *na = json_object_get(st, "NotAction");
	if (a && na)
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: a statement cannot have both Action and NotAction");
	if (!a && !na)
		return gh_fail(pc->err, MALFORMED, 400, "Policy statement must contain actions.");
	s->not_action = na != NULL;
	if (!parse_list(pc, a ? a : na, a ? "Action" : "NotAction", &s->actions))
		return false;
	for (size_t i = 0; i < s->actions.n; i++)
		if (!check_action(pc, s->actions.v[i]))
			return false;
	return true;
}

static bool parse_stmt_resource(pctx *pc, const json_t *st, pol_stmt *s)
{
	const json_t *r = json_object_get(st, "Resource"), *nr = json_object_get(st, "NotResource");
	if (pc->kind == POLICY_TRUST && (r || nr))
		return gh_fail(pc->err, MALFORMED, 400, "Has prohibited field %s",
			       r ? "Resource" : "NotResource");
	if (r && nr)
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: a statement cannot have both Resource and NotResource");
	if (!r && !nr) {
		if (pc->kind == POLICY_IDENTITY)
			return gh_fail(pc->err, MALFORMED, 400, "Policy statement must contain resources.");
		return true;
	}
	s->has_resource = true;
	s->not_resource = nr != NULL;
	if (!parse_list(pc, r ? r : nr, r ? "Resource" : "NotResource", &s->resources))
		return false;
	for (size_t i = 0; i < s->resources.n; i++)
		if (!check_resource(pc, s->resources.v[i]))
			return false;
	return true;
}

static bool parse_sid(pctx *pc, const json_t *sid, pol_stmt *s)
{
	if (!sid)
		return true;
	if (!json_is_string(sid))
		return gh_fail(pc->err, MALFORMED, 400, "Syntax errors in policy: Sid must be a string");
	gh_str v = jstr(sid);
	for (size_t i = 0; pc->kind == POLICY_IDENTITY && i < v.n; i++) {
		char c = v.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return gh_fail(pc->err, MALFORMED, 400,
				       "Statement IDs (SID) must be alpha-numeric. Check that your input "
				       "satisfies the regular expression [0-9A-Za-z]*");
	}
	return dup_json_str(pc, sid, &s->sid);
}

static bool parse_statement(pctx *pc, const json_t *st, pol_stmt *s)
{
	if (!json_is_object(st))
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: each statement must be an object");
	const char *key;
	const json_t *val;
	json_object_foreach((json_t *)st, key, val)
		if (!known_field(key, stmt_fields, sizeof(stmt_fields) / sizeof(stmt_fields[0])))
			return gh_fail(pc->err, MALFORMED, 400, "Unknown field %s", key);
	if (!parse_sid(pc, json_object_get(st, "Sid"), s) ||
	    !parse_effect(pc, json_object_get(st, "Effect"), s) ||
	    !parse_stmt_principal(pc, st, s) || !parse_stmt_action(pc, st, s) ||
	    !parse_stmt_resource(pc, st, s))
		return false;
	const json_t *c = json_object_get(st, "Condition");
	return !c || parse_condition(pc, c, s);
}

static bool check_sids_unique(pctx *pc, const policy_doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		for (size_t j = i + 1; d->stmts[i].sid.n && j < d->n; j++)
			if (gh_str_eq(d->stmts[i].sid, d->stmts[j].sid))
				return gh_fail(pc->err, MALFORMED, 400,
					       "Statement IDs (SID) in a single policy must be unique.");
	return true;
}

/* ---- document ------------------------------------------------------------------- */

static bool parse_version(pctx *pc, const json_t *v, policy_doc *d)
{
	if (!v)
		return true; /* IAM then applies 2008-10-17: no policy variables */
	if (!json_is_string(v) || (strcmp(json_string_value(v), "2012-10-17") != 0 &&
				   strcmp(json_string_value(v), "2008-10-17") != 0))
		return gh_fail(pc->err, MALFORMED, 400, "The policy must contain a valid version string");
	d->variables = strcmp(json_string_value(v), "2012-10-17") == 0;
	return dup_json_str(pc, v, &d->version);
}

static bool parse_statements(pctx *pc, const json_t *st, policy_doc *d)
{
	if (!st)
		return gh_fail(pc->err, MALFORMED, 400, "Missing required field Statement");
	if (!json_is_array(st) && !json_is_object(st))
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: Statement must be an object or a list");
	size_t n = json_is_array(st) ? json_array_size(st) : 1;
	if (n == 0)
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: Statement must not be empty");
	d->stmts = alloc_n(pc, n, sizeof *d->stmts);
	if (!d->stmts)
		return oom(pc);
	for (size_t i = 0; i < n; i++, d->n++)
		if (!parse_statement(pc, json_is_array(st) ? json_array_get(st, i) : st, &d->stmts[i]))
			return false;
	return check_sids_unique(pc, d);
}

static bool parse_doc(pctx *pc, const json_t *root, policy_doc *d)
{
	static const char *const top_fields[] = { "Version", "Id", "Statement" };
	if (!json_is_object(root))
		return gh_fail(pc->err, MALFORMED, 400,
			       "Syntax errors in policy: the document must be a JSON object");
	const char *key;
	const json_t *val;
	json_object_foreach((json_t *)root, key, val)
		if (!known_field(key, top_fields, 3))
			return gh_fail(pc->err, MALFORMED, 400, "Unknown field %s", key);
	const json_t *id = json_object_get(root, "Id");
	if (id && !json_is_string(id))
		return gh_fail(pc->err, MALFORMED, 400, "Syntax errors in policy: Id must be a string");
	if (id && !dup_json_str(pc, id, &d->id))
		return false;
	return parse_version(pc, json_object_get(root, "Version"), d) &&
	       parse_statements(pc, json_object_get(root, "Statement"), d);
}

/* IAM measures policies without their whitespace. */
static size_t policy_size(gh_str text)
{
	size_t n = 0;
	for (size_t i = 0; i < text.n; i++)
		n += !(text.p[i] == ' ' || text.p[i] == '\t' || text.p[i] == '\n' || text.p[i] == '\r');
	return n;
}

bool policy_parse(gh_arena *a, gh_str text, const policy_opts *opts, const policy_doc **out,
		  gh_err *err)
{
	policy_opts o = opts ? *opts : (policy_opts){ POLICY_TRUST, 0 };
	size_t max = o.max_size ? o.max_size : POLICY_DEFAULT_MAX_SIZE;
	if (policy_size(text) > max)
		return gh_fail(err, "LimitExceeded", 409, "Cannot exceed quota for %s: %zu",
			       o.kind == POLICY_TRUST ? "ACLSizePerRole" : "PolicySize", max);
	json_error_t je;
	json_t *root = json_loadb(text.p ? text.p : "", text.n, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return gh_fail(err, MALFORMED, 400,
			       "This policy contains invalid Json: %s (line %d, column %d)", je.text,
			       je.line, je.column);
	pctx pc = { a, o.kind, err };
	policy_doc *d = gh_arena_alloc(a, sizeof *d);
	bool ok = d ? parse_doc(&pc, root, d) : oom(&pc);
	json_decref(root);
	if (!ok)
		return false;
	d->kind = o.kind;
	*out = d;
	return true;
}

size_t policy_statement_count(const policy_doc *d)
{
	return d ? d->n : 0;
}
