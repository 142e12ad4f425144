/* policy_internal: the parsed form of a policy document, shared by policy_parse.c
 * (which builds it), policy_eval.c (statements, principals, decisions) and
 * policy_cond.c (condition operators, policy variables, wildcard matching). Not part of
 * the public interface: everything outside src/domain/aws/policy_*.c uses policy.h. */
#ifndef GH_AWS_POLICY_INTERNAL_H
#define GH_AWS_POLICY_INTERNAL_H

#include <stdint.h>

#include "domain/aws/policy.h"

/* Three-valued logic: UNKNOWN is what fail-closed evaluation is built on. */
typedef enum tri { T_FALSE = 0, T_TRUE = 1, T_UNKNOWN = 2 } tri;

tri tri_not(tri a);
tri tri_or(tri a, tri b);
tri tri_and(tri a, tri b);

typedef enum cond_family {
	FAM_STRING,
	FAM_NUMERIC,
	FAM_DATE,
	FAM_BOOL,
	FAM_BINARY,
	FAM_IP,
	FAM_ARN,
	FAM_NULL,
} cond_family;

typedef enum cond_cmp {
	CMP_EQ,	   /* equality (strings: exact) */
	CMP_IEQ,   /* ASCII case-insensitive equality */
	CMP_LIKE,  /* * and ? wildcards */
	CMP_LT,
	CMP_LE,
	CMP_GT,
	CMP_GE,
} cond_cmp;

typedef struct cond_op {
	const char *name;
	cond_family family;
	cond_cmp cmp;
	bool negated; /* StringNotEquals = NOT StringEquals, per value set (NOR) */
} cond_op;

typedef enum cond_set { SET_NONE, SET_ANY, SET_ALL } cond_set;

typedef struct pol_cond {
	const cond_op *op;
	cond_set set;
	bool if_exists;
	gh_str opname; /* as written, for messages */
	gh_str key;
	gh_str *values;
	size_t n;
} pol_cond;

/* Finds the operator for a written name ("ForAnyValue:StringLikeIfExists"). */
bool cond_op_lookup(gh_str written, const cond_op **op, cond_set *set, bool *if_exists);

typedef enum prin_type { PT_AWS, PT_SERVICE, PT_FEDERATED, PT_CANONICAL } prin_type;

typedef enum prin_form {
	PF_ANY,		   /* "AWS": "*" */
	PF_ACCOUNT,	   /* 123456789012 or arn:P:iam::A:root */
	PF_USER,
	PF_ROLE,
	PF_SESSION,	   /* arn:P:sts::A:assumed-role/R/S */
	PF_FEDERATED_USER, /* arn:P:sts::A:federated-user/N */
	PF_UNIQUE_ID,	   /* AIDA... / AROA... */
	PF_NAME,	   /* service, provider or canonical user: compared whole */
} prin_form;

typedef struct pol_prin {
	prin_type type;
	prin_form form;
	gh_str raw;
	gh_str partition; /* empty for a bare account id */
	gh_str account;
	gh_str name;	  /* user/role name without path; role name for sessions */
	gh_str session;
} pol_prin;

typedef struct pol_principals {
	bool present;
	bool star; /* "Principal": "*" */
	pol_prin *v;
	size_t n;
} pol_principals;

typedef struct pol_list {
	gh_str *v;
	size_t n;
} pol_list;

typedef struct pol_stmt {
	gh_str sid;
	bool deny;
	bool not_principal;
	pol_principals principal;
	bool not_action;
	pol_list actions;
	bool has_resource, not_resource;
	pol_list resources;
	pol_cond *conds;
	size_t nconds;
} pol_stmt;

struct policy_doc {
	policy_kind kind;
	bool variables; /* Version 2012-10-17: ${...} are variables, else literal text */
	gh_str version, id;
	pol_stmt *stmts;
	size_t n;
};

/* What evaluation needs besides the statement: the request, scratch memory, whether
 * variables are live. `oom` is sticky and turns the whole decision into a deny. */
typedef struct eval_env {
	const policy_request *req;
	gh_arena *a;
	bool variables;
	bool oom;
} eval_env;

const policy_ctx_key *ctx_find(const policy_request *r, gh_str name);

/* Wildcard match of a policy value (with policy variables resolved when the document
 * has them) against a request value; ARN matching goes section by section. `why` gets
 * the reason when the answer is UNKNOWN. */
tri match_like(eval_env *env, gh_str pattern, gh_str subject, bool ignore_case,
	       char *why, size_t whylen);
tri match_arn(eval_env *env, gh_str pattern, gh_str subject, char *why, size_t whylen);
bool glob_plain(gh_str pattern, gh_str subject, bool ignore_case); /* no variables */

/* One condition (operator + key + values) against the request context. `why` explains a
 * result that is not T_TRUE. */
tri cond_eval(eval_env *env, const pol_cond *c, char *why, size_t whylen);

#endif
