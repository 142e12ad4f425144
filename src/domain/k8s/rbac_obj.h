/* rbac_obj: the RBAC objects of rbac.authorization.k8s.io/v1 as C values, a set that owns
 * them, a loader that collects them from decoded documents, and upstream's validation.
 *
 * Values are borrowed views (gh_str, arrays with counts). A rbac_objects set owns copies of
 * everything added to it; the views it hands out live until rbac_objects_free.
 *
 * The loader takes what the codecs produce (codec/yaml.h gives a JSON array for a
 * multi-document file; a JSON file gives one object) and accepts, at any position:
 * Role, ClusterRole, RoleBinding and ClusterRoleBinding objects of apiVersion
 * rbac.authorization.k8s.io/<any version>, `List` documents (`kubectl get -o json`) and typed
 * lists (`ClusterRoleList` from the API, whose items may omit kind and apiVersion), nested
 * at most RBAC_LOAD_MAX_DEPTH deep. Other kinds are skipped and counted. Field types are
 * checked as Go's encoding/json checks them for the typed structs (null is an empty value,
 * unknown fields are ignored); an object with a type error is not added and is reported
 * with its kind, name and the offending field. Nothing in a malformed document can make the
 * loader fail as a whole except the bounds below.
 *
 * Choices:
 * - A namespaced object without metadata.namespace takes opts.default_namespace ("default"
 *   when empty), as kubectl apply does with the default context.
 * - metadata.namespace on a cluster-scoped object is dropped, as the API server drops it.
 * - Duplicates (same kind, namespace and name) are kept here; the compiled policy
 *   (rbac.h) keeps the last one, like successive `kubectl apply`s, and warns. */
#ifndef GH_K8S_RBAC_OBJ_H
#define GH_K8S_RBAC_OBJ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"

/* ---- the objects -------------------------------------------------------------------- */

typedef struct rbac_strs {
	const gh_str *v;
	size_t n;
} rbac_strs;

/* A PolicyRule. An empty list and a missing (null) list are the same thing, as they are
 * for upstream's semantic equality. */
typedef struct rbac_rule {
	rbac_strs verbs, api_groups, resources, resource_names, non_resource_urls;
} rbac_rule;

typedef struct rbac_label {
	gh_str key, value;
} rbac_label;

/* One matchExpressions entry. The operator stays text: an unknown one makes the selector
 * invalid (the aggregation controller then leaves the role alone), it is not a load error. */
typedef struct rbac_sel_expr {
	gh_str key, op;
	rbac_strs values;
} rbac_sel_expr;

/* A metav1.LabelSelector: every matchLabels pair and every expression must hold. An empty
 * selector matches every ClusterRole. */
typedef struct rbac_selector {
	const rbac_label *match_labels;
	size_t nmatch_labels;
	const rbac_sel_expr *exprs;
	size_t nexprs;
} rbac_selector;

/* A Role (cluster = false) or a ClusterRole. */
typedef struct rbac_role {
	bool cluster;
	gh_str name, namespace; /* namespace empty for a ClusterRole */
	const rbac_label *labels;
	size_t nlabels;
	const rbac_rule *rules;
	size_t nrules;
	bool has_aggregation; /* aggregationRule present (ClusterRole only) */
	const rbac_selector *selectors;
	size_t nselectors;
} rbac_role;

typedef enum rbac_subject_kind {
	RBAC_SUBJECT_OTHER, /* a kind RBAC does not know: never matches */
	RBAC_SUBJECT_USER,
	RBAC_SUBJECT_GROUP,
	RBAC_SUBJECT_SERVICE_ACCOUNT,
} rbac_subject_kind;

typedef struct rbac_subject {
	gh_str kind; /* as written; compared case-sensitively, like upstream */
	gh_str api_group, name, namespace;
} rbac_subject;

rbac_subject_kind rbac_subject_kind_of(gh_str kind);

typedef struct rbac_role_ref {
	gh_str api_group, kind, name;
} rbac_role_ref;

/* A RoleBinding (cluster = false) or a ClusterRoleBinding. */
typedef struct rbac_binding {
	bool cluster;
	gh_str name, namespace; /* namespace empty for a ClusterRoleBinding */
	rbac_role_ref role_ref;
	const rbac_subject *subjects;
	size_t nsubjects;
} rbac_binding;

/* ---- the set -------------------------------------------------------------------------- */

typedef struct rbac_objects rbac_objects;

rbac_objects *rbac_objects_new(void); /* NULL on OOM */
void rbac_objects_free(rbac_objects *s);

/* Deep copies; false only on OOM or past RBAC_MAX_OBJECTS. */
bool rbac_objects_add_role(rbac_objects *s, const rbac_role *r, gh_err *err) GH_MUST_CHECK;
bool rbac_objects_add_binding(rbac_objects *s, const rbac_binding *b, gh_err *err) GH_MUST_CHECK;

/* In the order they were added. The pointers stay valid until the next add. */
const rbac_role *rbac_objects_roles(const rbac_objects *s, size_t *n);
const rbac_binding *rbac_objects_bindings(const rbac_objects *s, size_t *n);

/* ---- the loader ----------------------------------------------------------------------- */

#define RBAC_MAX_OBJECTS ((size_t)16 << 20)   /* hard cap of a set */
#define RBAC_LOAD_MAX_DEPTH 4		      /* Lists inside Lists */
#define RBAC_DEFAULT_MAX_OBJECTS ((size_t)4 << 20)
#define RBAC_DEFAULT_MAX_LIST 10000	      /* entries of one list field */
#define RBAC_DEFAULT_MAX_STRING 4096	      /* bytes of one string */
#define RBAC_DEFAULT_MAX_DIAGS 200	      /* diagnostics recorded per set */

typedef struct rbac_load_opts {
	gh_str default_namespace; /* empty = "default" */
	size_t max_objects;	  /* RBAC objects one call may add; 0 = default */
	size_t max_list;	  /* 0 = default */
	size_t max_string;	  /* 0 = default */
	size_t max_diags;	  /* 0 = default */
	bool validate;		  /* also apply rbac_validate_*: invalid objects are reported
				   * (first field error) and not added, as the API server would
				   * refuse them */
} rbac_load_opts;

/* One object that was not loaded, and why. */
typedef struct rbac_diag {
	size_t doc;   /* 0-based document of the input */
	long item;    /* index in the (innermost) List's items; -1 for a document itself */
	gh_str kind;  /* as far as it could be read */
	gh_str name, namespace;
	gh_str field; /* "rules[2].verbs"; empty when the object as a whole is wrong */
	gh_str msg;
} rbac_diag;

typedef struct rbac_load_stats {
	size_t loaded;	      /* RBAC objects added */
	size_t skipped;	      /* documents of other kinds */
	size_t failed;	      /* RBAC objects (or unusable documents) reported */
	size_t diags_dropped; /* failures beyond max_diags, counted only */
} rbac_load_stats;

/* Adds the RBAC objects of `docs` (an array of documents, or one document) to `s`. Per-object
 * problems become diagnostics and loading goes on; the call fails (LimitExceeded, 413, or
 * InternalError on OOM) only when a bound of the whole input is exceeded, keeping what was
 * added before. opts and st may be NULL. */
bool rbac_objects_load(rbac_objects *s, const json_t *docs, const rbac_load_opts *opts,
		       rbac_load_stats *st, gh_err *err) GH_MUST_CHECK;

/* Diagnostics of every load into `s`, oldest first. */
const rbac_diag *rbac_objects_diags(const rbac_objects *s, size_t *n);
/* "document 2, item 5: ClusterRole \"x\": rules[0].verbs: expected a list of strings" */
void rbac_diag_format(const rbac_diag *d, gh_buf *out);

/* ---- validation (pkg/apis/rbac/validation, v1.32) --------------------------------------- */

/* One field.Error. `text` is upstream's Error(): "rules[0].verbs: Required value: verbs must
 * contain at least one value". */
typedef struct rbac_field_error {
	const char *type; /* "Required value", "Invalid value", "Unsupported value", "Forbidden" */
	gh_str field;
	gh_str text;
} rbac_field_error;

typedef struct rbac_field_errors {
	gh_arena arena;
	rbac_field_error *v;
	size_t n, cap;
} rbac_field_errors;

void rbac_field_errors_init(rbac_field_errors *e);
void rbac_field_errors_free(rbac_field_errors *e);

/* Each appends what is wrong to `out` and returns true when nothing was. Checked: object
 * name (path segment rules) and namespace (RFC 1123 label, required for Role/RoleBinding,
 * forbidden on cluster-scoped kinds), every rule, a ClusterRole's aggregationRule
 * selectors, roleRef (apiGroup, kind, name) and subjects (kind, apiGroup, name, SA
 * namespace). Label and annotation syntax of the object's own metadata is not checked. */
bool rbac_validate_role(const rbac_role *r, rbac_field_errors *out);
bool rbac_validate_binding(const rbac_binding *b, rbac_field_errors *out);
/* The update rules: everything above, plus "cannot change roleRef". */
bool rbac_validate_binding_update(const rbac_binding *old, const rbac_binding *b,
				  rbac_field_errors *out);
/* validatePolicyRule for one rule at `field` ("rules[3]"). */
bool rbac_validate_rule(const rbac_rule *r, bool namespaced, const char *field,
			rbac_field_errors *out);

/* The StatusError message of an invalid object:
 * `ClusterRole.rbac.authorization.k8s.io "x" is invalid: rules[0].verbs: Required value: ...`
 * (several errors are joined as "[a, b]", duplicates dropped). kind is "Role", ... */
void rbac_invalid_message(const char *kind, gh_str name, const rbac_field_errors *e, gh_buf *out);

#endif
