/* yaml: YAML text to jansson trees, through libyaml, with hard bounds.
 *
 * Two modes. TYPED resolves plain scalars the way a schema says (null, booleans, numbers);
 * quoted and block scalars stay strings. STRINGS keeps every scalar as a string holding its
 * exact text (an empty plain scalar becomes ""), which is how yaml.v2 fills a []string:
 * mapAccounts "012345678912" keeps its leading zero.
 *
 * Schemas for TYPED mode: CORE is the YAML 1.2 core schema. V11 reproduces gopkg.in/yaml.v2,
 * which aws-iam-authenticator and sigs.k8s.io/yaml (so kubectl) use: yes/no/on/off/y/n are
 * booleans, 0777 is octal, '_' may separate digits, 08 is the float 8. Choose V11 when the
 * result must match what kubectl or the authenticator would make of the text (aws-auth
 * sections use it to raise the type errors upstream raises).
 *
 * Choices (all documented because users compare with kubectl):
 * - Duplicate mapping keys: the later value wins, in the position of the first, as yaml.v2
 *   in non-strict mode does (sigs.k8s.io/yaml.YAMLToJSON, used for ConfigMap data, is not
 *   strict). opts.strict_keys turns a duplicate into an error.
 * - Aliases are expanded into copies; every node of every expansion counts against
 *   max_nodes, so a "billion laughs" document fails after max_nodes nodes, not after
 *   exhausting memory. opts.no_aliases refuses anchors and aliases altogether.
 * - Merge keys ("<<: *base") follow the YAML merge spec: explicit keys win over merged ones,
 *   and among merged maps the earlier one wins.
 * - Mapping keys are always the scalar's text (JSON has only string keys); a mapping or
 *   sequence used as a key is an error.
 * - .inf and .nan have no JSON form and are an error in TYPED mode.
 * - gh_yaml_load reads the first document only and ignores what follows, like yaml.v2's
 *   Unmarshal; gh_yaml_load_all returns every document, skipping empty ones (no content,
 *   or a null root).
 *
 * Errors have code "InvalidYAML", status 400, and read like Go's yaml package, with a column:
 * "yaml: line 3, column 5: did not find expected key". Lines and columns are 1-based and point
 * at the problem itself; Go's yaml often names the line before it for parser errors. */
#ifndef GH_CODEC_YAML_H
#define GH_CODEC_YAML_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

#define GH_YAML_DEFAULT_MAX_BYTES ((size_t)4 << 20)
#define GH_YAML_DEFAULT_MAX_DEPTH 64u
#define GH_YAML_DEFAULT_MAX_NODES ((size_t)100000)

enum gh_yaml_mode { GH_YAML_TYPED = 0, GH_YAML_STRINGS };
enum gh_yaml_schema { GH_YAML_SCHEMA_CORE = 0, GH_YAML_SCHEMA_V11 };

typedef struct gh_yaml_opts {
	enum gh_yaml_mode mode;
	enum gh_yaml_schema schema; /* TYPED mode only */
	size_t max_bytes;	    /* input size; 0 = GH_YAML_DEFAULT_MAX_BYTES */
	unsigned max_depth;	    /* nested collections; 0 = GH_YAML_DEFAULT_MAX_DEPTH */
	size_t max_nodes;	    /* nodes built, alias expansions included; 0 = default */
	bool strict_keys;	    /* a duplicate mapping key is an error */
	bool no_aliases;	    /* an anchor or alias is an error */
	/* STRINGS mode: plain ~, null, Null, NULL and empty scalars become JSON null, which is
	 * what yaml.v2 makes of them when it fills a string (the zero value). */
	bool strings_null;
} gh_yaml_opts;

typedef struct gh_yaml_mark {
	unsigned line, column; /* 1-based; 0 when unknown */
} gh_yaml_mark;

/* Where each node of a loaded tree came from. Nodes that jansson shares (true, false,
 * null) have no mark of their own: ask for the member instead. */
typedef struct gh_yaml_marks gh_yaml_marks;

/* The first document (JSON null for an empty stream). opts may be NULL (TYPED, CORE,
 * default bounds). On success *out holds a new reference. */
bool gh_yaml_load(gh_str in, const gh_yaml_opts *opts, json_t **out, gh_err *err);

/* Every non-empty document, as a JSON array. */
bool gh_yaml_load_all(gh_str in, const gh_yaml_opts *opts, json_t **out, gh_err *err);

/* gh_yaml_load (all = false) or gh_yaml_load_all (all = true) that also returns positions:
 * *marks (if marks is non-NULL) on success, *where (if non-NULL) on failure. */
bool gh_yaml_load_marked(gh_str in, const gh_yaml_opts *opts, bool all, json_t **out,
			 gh_yaml_marks **marks, gh_yaml_mark *where, gh_err *err);

/* The position of a node (of its first character), or {0, 0}. */
gh_yaml_mark gh_yaml_marks_node(const gh_yaml_marks *m, const json_t *node);
/* The position of the key `key` in mapping `obj`, or {0, 0}. */
gh_yaml_mark gh_yaml_marks_member(const gh_yaml_marks *m, const json_t *obj, const char *key,
				  size_t key_len);
/* The position of element i of sequence `arr` (works for shared nodes too), or {0, 0}. */
gh_yaml_mark gh_yaml_marks_element(const gh_yaml_marks *m, const json_t *arr, size_t i);
void gh_yaml_marks_free(gh_yaml_marks *m);

#endif
