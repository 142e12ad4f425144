/* selector: label selectors (`app=web,tier!=db,env in (a,b),!legacy`) and field
 * selectors (`metadata.name=x,status.phase!=Running`) as kube-apiserver parses and
 * matches them (apimachinery pkg/labels, pkg/fields). Pure; bounded. */
#ifndef GH_DOMAIN_K8S_SELECTOR_H
#define GH_DOMAIN_K8S_SELECTOR_H

#include <jansson.h>
#include <stdbool.h>

#include "base/arena.h"
#include "base/str.h"

#define K8S_SELECTOR_MAX_BYTES 8192
#define K8S_SELECTOR_MAX_REQS 64
#define K8S_SELECTOR_MAX_VALUES 64

typedef enum k8s_sel_op { SEL_EQ, SEL_NEQ, SEL_IN, SEL_NOTIN, SEL_EXISTS, SEL_NOT_EXISTS } k8s_sel_op;

typedef struct k8s_sel_req {
	gh_str key;
	k8s_sel_op op;
	gh_str *values;
	size_t nvalues;
} k8s_sel_req;

typedef struct k8s_selector {
	k8s_sel_req *reqs;
	size_t n;
} k8s_selector;

/* Parses a label selector; false with upstream-style text in problem. */
bool k8s_label_selector_parse(gh_str s, gh_arena *a, k8s_selector *out, char *problem, size_t plen);
/* Parses a field selector (only =, ==, !=). */
bool k8s_field_selector_parse(gh_str s, gh_arena *a, k8s_selector *out, char *problem, size_t plen);
/* Does the labels object (a JSON object of strings, or NULL) satisfy every requirement? */
bool k8s_selector_match_labels(const k8s_selector *sel, const json_t *labels);
/* Field selector match against an object: each key is a dotted path into the object. */
bool k8s_selector_match_fields(const k8s_selector *sel, const json_t *obj);
/* The value of `metadata.name=` (or ==) in a field selector, or empty: upstream uses it
 * as the request's name for authorization. */
gh_str k8s_field_selector_name(const k8s_selector *sel);

#endif
