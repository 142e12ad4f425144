/* policy_eval: statements, principals and the decision.
 *
 * A caller is a chain of identities, most specific first: a role session is the session,
 * its role and its account; a user is the user and its account. Principal matches when
 * any identity of the chain is listed, so a role ARN covers its sessions and an account
 * covers everything in it. NotPrincipal with Deny excludes a caller only when every
 * identity of its chain is listed, which is how IAM documents it (listing a role without
 * its account still denies the role); NotPrincipal with Allow applies only when none is
 * listed. Both readings are the fail-closed ones. */
#include <stdio.h>
#include <string.h>

#include "domain/aws/arn.h"
#include "domain/aws/policy_internal.h"

typedef enum id_kind { ID_USER, ID_ROLE, ID_SESSION, ID_FEDUSER, ID_ACCOUNT, ID_SERVICE, ID_PROVIDER } id_kind;

typedef struct ident {
	id_kind kind;
	gh_str partition, account, name, session, raw;
} ident;

#define CHAIN_MAX 3

static gh_str empty(void)
{
	return (gh_str){ "", 0 };
}

/* "assumed-role/R/S" -> R and S. */
static void session_parts(gh_str resource, gh_str *role, gh_str *session)
{
	gh_str type, rest;
	*role = *session = empty();
	if (gh_str_cut(resource, '/', &type, &rest))
		gh_str_cut(rest, '/', role, session);
}

static size_t aws_chain(const policy_caller *c, ident out[CHAIN_MAX])
{
	arn_parts p;
	if (!arn_parse(c->arn, &p, NULL))
		return 0;
	gh_str account = c->account_id.n ? c->account_id : p.account;
	ident acct = { ID_ACCOUNT, p.partition, account, empty(), empty(), c->arn };
	ident self = { ID_USER, p.partition, account, arn_last_name(c->arn), empty(), c->arn };
	switch (c->kind) {
	case GH_PRINCIPAL_USER:
		out[0] = self;
		out[1] = acct;
		return 2;
	case GH_PRINCIPAL_ASSUMED_ROLE:
		self.kind = ID_SESSION;
		session_parts(p.resource, &self.name, &self.session);
		out[0] = self;
		out[1] = (ident){ ID_ROLE, p.partition, account,
				  c->role_arn.n ? arn_last_name(c->role_arn) : self.name, empty(),
				  c->role_arn };
		out[2] = acct;
		return 3;
	case GH_PRINCIPAL_ROOT:
		out[0] = acct;
		return 1;
	case GH_PRINCIPAL_FEDERATED:
		self.kind = ID_FEDUSER;
		out[0] = self;
		out[1] = acct;
		return 2;
	default:
		return 0; /* an unknown kind is listed by nothing but "*" */
	}
}

static size_t caller_chain(const policy_caller *c, ident out[CHAIN_MAX])
{
	switch (c->type) {
	case POLICY_CALLER_AWS:
		return aws_chain(c, out);
	case POLICY_CALLER_SERVICE:
		out[0] = (ident){ .kind = ID_SERVICE, .raw = c->arn };
		return c->arn.n ? 1 : 0;
	case POLICY_CALLER_FEDERATED:
		out[0] = (ident){ .kind = ID_PROVIDER, .raw = c->arn };
		return c->arn.n ? 1 : 0;
	default:
		return 0;
	}
}

static bool same_place(const pol_prin *e, const ident *id)
{
	return gh_str_eq(e->account, id->account) &&
	       (e->partition.n == 0 || gh_str_eq(e->partition, id->partition));
}

/* IAM resolves principal ARNs to unique IDs when a policy is saved, and IAM names are
 * case-insensitive, so names compare without case; session names are the caller's
 * own text and compare exactly. */
static bool aws_entry_matches(const pol_prin *e, const ident *id, const policy_caller *c)
{
	switch (e->form) {
	case PF_ANY:
		return true;
	case PF_ACCOUNT:
		return id->kind == ID_ACCOUNT && same_place(e, id);
	case PF_USER:
		return id->kind == ID_USER && same_place(e, id) && gh_str_ieq(e->name, id->name);
	case PF_ROLE:
		return id->kind == ID_ROLE && same_place(e, id) && gh_str_ieq(e->name, id->name);
	case PF_SESSION:
		return id->kind == ID_SESSION && same_place(e, id) && gh_str_ieq(e->name, id->name) &&
		       gh_str_eq(e->session, id->session);
	case PF_FEDERATED_USER:
		return id->kind == ID_FEDUSER && same_place(e, id) && gh_str_eq(e->name, id->name);
	case PF_UNIQUE_ID:
		return (id->kind == ID_USER || id->kind == ID_ROLE) && c->unique_id.n &&
		       gh_str_eq(e->raw, c->unique_id);
	case PF_NAME:
		break;
	}
	return false;
}

static bool entry_matches(const pol_prin *e, const ident *id, const policy_caller *c)
{
	switch (e->type) {
	case PT_AWS:
		return c->type == POLICY_CALLER_AWS && aws_entry_matches(e, id, c);
	case PT_SERVICE:
		return id->kind == ID_SERVICE && gh_str_ieq(e->raw, id->raw);
	case PT_FEDERATED:
		return id->kind == ID_PROVIDER && gh_str_eq(e->raw, id->raw);
	case PT_CANONICAL:
		break; /* gatehouse has no canonical users */
	}
	return false;
}

static bool principal_applies(const pol_stmt *s, const policy_caller *c)
{
	if (!s->principal.present)
		return true; /* identity policies: the principal is whoever holds the policy */
	ident chain[CHAIN_MAX];
	size_t n = caller_chain(c, chain);
	bool any = s->principal.star, all = s->principal.star;
	if (!s->principal.star) {
		all = n > 0;
		for (size_t i = 0; i < n; i++) {
			bool listed = false;
			for (size_t j = 0; j < s->principal.n && !listed; j++)
				listed = entry_matches(&s->principal.v[j], &chain[i], c);
			any |= listed;
			all &= listed;
		}
	}
	if (!s->not_principal)
		return any;
	return s->deny ? !all : !any;
}

static bool action_applies(const pol_stmt *s, gh_str action)
{
	bool listed = false;
	for (size_t i = 0; i < s->actions.n && !listed; i++)
		listed = glob_plain(s->actions.v[i], action, true);
	return s->not_action ? !listed : listed;
}

static tri resource_applies(eval_env *env, const pol_stmt *s, char *why, size_t whylen)
{
	if (!s->has_resource)
		return T_TRUE;
	tri listed = T_FALSE;
	for (size_t i = 0; i < s->resources.n && listed != T_TRUE; i++)
		listed = tri_or(listed, match_arn(env, s->resources.v[i], env->req->resource, why,
						  whylen));
	return s->not_resource ? tri_not(listed) : listed;
}

static tri conditions_apply(eval_env *env, const pol_stmt *s, char *why, size_t whylen)
{
	tri r = T_TRUE;
	char first_unknown[POLICY_WHY_MAX] = "";
	for (size_t i = 0; i < s->nconds && r != T_FALSE; i++) {
		char cw[POLICY_WHY_MAX] = "";
		tri t = cond_eval(env, &s->conds[i], cw, sizeof cw);
		if (t == T_FALSE)
			snprintf(why, whylen, "%s", cw);
		else if (t == T_UNKNOWN && first_unknown[0] == '\0')
			snprintf(first_unknown, sizeof first_unknown, "%s", cw);
		r = tri_and(r, t);
	}
	if (r == T_UNKNOWN)
		snprintf(why, whylen, "%s", first_unknown);
	return r;
}

static void explain(policy_trace *t, const char *fmt, gh_str a)
{
	snprintf(t->why, sizeof t->why, fmt, (int)(a.n > 200 ? 200 : a.n), a.p);
}

static void eval_statement(eval_env *env, const pol_stmt *s, policy_trace *t)
{
	const policy_request *r = env->req;
	char why[POLICY_WHY_MAX] = "";
	t->sid = s->sid;
	t->deny = s->deny;
	if (!action_applies(s, r->action)) {
		t->outcome = POLICY_STMT_NO_ACTION;
		explain(t, s->not_action ? "action \"%.*s\" is listed in NotAction"
					 : "action \"%.*s\" is not matched by Action", r->action);
		return;
	}
	if (!principal_applies(s, &r->caller)) {
		t->outcome = POLICY_STMT_NO_PRINCIPAL;
		explain(t, s->not_principal ? "caller \"%.*s\" is excluded by NotPrincipal"
					    : "caller \"%.*s\" is not matched by Principal",
			r->caller.arn);
		return;
	}
	tri res = resource_applies(env, s, why, sizeof why);
	if (res == T_FALSE) {
		t->outcome = POLICY_STMT_NO_RESOURCE;
		explain(t, s->not_resource ? "resource \"%.*s\" is listed in NotResource"
					   : "resource \"%.*s\" is not matched by Resource", r->resource);
		return;
	}
	tri cond = conditions_apply(env, s, why, sizeof why);
	if (cond == T_FALSE) {
		t->outcome = POLICY_STMT_NO_CONDITION;
		snprintf(t->why, sizeof t->why, "condition %.*s", (int)strlen(why), why);
		return;
	}
	if (res == T_UNKNOWN || cond == T_UNKNOWN) {
		/* Fail closed: an undecidable Allow grants nothing, an undecidable Deny denies. */
		t->outcome = POLICY_STMT_UNDETERMINED;
		t->applies = s->deny;
		snprintf(t->why, sizeof t->why, "%s could not be decided (%.*s); %s",
			 res == T_UNKNOWN ? "resource" : "condition", (int)strlen(why), why,
			 s->deny ? "Deny applied" : "Allow not applied");
		return;
	}
	t->outcome = POLICY_STMT_APPLIES;
	t->applies = true;
	snprintf(t->why, sizeof t->why, "%s statement applies", s->deny ? "Deny" : "Allow");
}

bool policy_evaluate(const policy_doc *d, const policy_request *r, gh_arena *a,
		     policy_result *out, gh_err *err)
{
	*out = (policy_result){ POLICY_IMPLICIT_DENY, NULL, 0 };
	if (!d || !r)
		return gh_fail(err, "InternalError", 500, "no policy or request to evaluate");
	out->trace = gh_arena_alloc(a, (d->n ? d->n : 1) * sizeof *out->trace);
	if (!out->trace)
		return gh_fail(err, "InternalError", 500, "out of memory while evaluating a policy");
	eval_env env = { r, a, d->variables, false };
	bool allow = false, deny = false;
	for (size_t i = 0; i < d->n; i++) {
		policy_trace *t = &out->trace[i];
		t->index = i;
		eval_statement(&env, &d->stmts[i], t);
		allow |= t->applies && !t->deny;
		deny |= t->applies && t->deny;
	}
	out->ntrace = d->n;
	if (env.oom)
		return gh_fail(err, "InternalError", 500, "out of memory while evaluating a policy");
	out->decision = deny ? POLICY_EXPLICIT_DENY : allow ? POLICY_ALLOW : POLICY_IMPLICIT_DENY;
	return true;
}

const char *policy_decision_name(policy_decision d)
{
	switch (d) {
	case POLICY_ALLOW:
		return "allow";
	case POLICY_EXPLICIT_DENY:
		return "explicit deny";
	default:
		return "implicit deny";
	}
}

const char *policy_outcome_name(policy_outcome o)
{
	static const char *const names[] = { "applies",		 "action not matched",
					     "principal not matched", "resource not matched",
					     "condition false",	 "undetermined" };
	return (size_t)o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

/* ---- context derived from the caller ------------------------------------------- */

static bool put_key(gh_arena *a, policy_ctx_key *out, size_t *n, size_t cap, const char *name,
		    gh_str value)
{
	if (*n >= cap)
		return false;
	gh_str *v = gh_arena_alloc(a, sizeof *v);
	char *copy = gh_arena_strndup(a, value.p, value.n);
	if (!v || !copy)
		return false;
	*v = (gh_str){ copy, value.n };
	out[(*n)++] = (policy_ctx_key){ gh_str_c(name), v, 1 };
	return true;
}

static bool put_joined(gh_arena *a, policy_ctx_key *out, size_t *n, size_t cap,
		       const char *name, gh_str x, gh_str y)
{
	gh_buf b = { 0 };
	gh_buf_printf(&b, GH_STR_FMT ":" GH_STR_FMT, GH_STR_ARG(x), GH_STR_ARG(y));
	bool ok = !b.oom && put_key(a, out, n, cap, name, gh_buf_str(&b));
	gh_buf_free(&b);
	return ok;
}

static bool principal_arn_key(const policy_caller *c, gh_arena *a, policy_ctx_key *out,
			      size_t *n, size_t cap)
{
	if (c->kind != GH_PRINCIPAL_ASSUMED_ROLE || c->role_arn.n)
		return put_key(a, out, n, cap, "aws:PrincipalArn",
			       c->kind == GH_PRINCIPAL_ASSUMED_ROLE ? c->role_arn : c->arn);
	gh_buf b = { 0 };
	bool ok = arn_canonicalize(c->arn, &b, NULL, NULL) &&
		  put_key(a, out, n, cap, "aws:PrincipalArn", gh_buf_str(&b));
	gh_buf_free(&b);
	return ok;
}

bool policy_caller_context(const policy_caller *c, gh_arena *a, policy_ctx_key *out,
			   size_t *n, size_t cap)
{
	if (c->type == POLICY_CALLER_ANONYMOUS)
		return put_key(a, out, n, cap, "aws:PrincipalType", GH_STR("Anonymous"));
	if (c->type != POLICY_CALLER_AWS)
		return true;
	arn_parts p;
	if (!arn_parse(c->arn, &p, NULL))
		return false;
	gh_str account = c->account_id.n ? c->account_id : p.account;
	gh_str role, session;
	session_parts(p.resource, &role, &session);
	static const char *const types[] = { [GH_PRINCIPAL_USER] = "User",
					     [GH_PRINCIPAL_ASSUMED_ROLE] = "AssumedRole",
					     [GH_PRINCIPAL_ROOT] = "Account",
					     [GH_PRINCIPAL_FEDERATED] = "FederatedUser" };
	if (c->kind == GH_PRINCIPAL_UNKNOWN || (size_t)c->kind >= sizeof(types) / sizeof(types[0]))
		return false;
	bool ok = principal_arn_key(c, a, out, n, cap) &&
		  put_key(a, out, n, cap, "aws:PrincipalAccount", account) &&
		  put_key(a, out, n, cap, "aws:PrincipalType", gh_str_c(types[c->kind]));
	switch (c->kind) {
	case GH_PRINCIPAL_USER:
		ok = ok && put_key(a, out, n, cap, "aws:username", arn_last_name(c->arn));
		if (c->unique_id.n)
			ok = ok && put_key(a, out, n, cap, "aws:userid", c->unique_id);
		break;
	case GH_PRINCIPAL_ASSUMED_ROLE:
		if (c->unique_id.n)
			ok = ok && put_joined(a, out, n, cap, "aws:userid", c->unique_id, session);
		break;
	case GH_PRINCIPAL_ROOT:
		ok = ok && put_key(a, out, n, cap, "aws:userid", account);
		break;
	default:
		ok = ok && put_joined(a, out, n, cap, "aws:userid", account, arn_last_name(c->arn));
		break;
	}
	return ok;
}
