/* smpatch: Kubernetes strategic merge patch (application/strategic-merge-patch+json), the
 * body `kubectl apply` (client-side), `kubectl edit` and `kubectl patch` send by default.
 *
 * It follows k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch, as the
 * server applies it:
 * - maps merge recursively; a null value deletes the key;
 * - a list field with strategy "merge" and a merge key merges elements by that key (a
 *   patch element without the key is an error); `{"$patch": "delete", key: v}` deletes the
 *   element, `{"$patch": "replace"}` makes the patch's elements the whole list;
 *   `$setElementOrder/<field>` orders the result; without it, upstream's mergeSortedSlice
 *   interleaves the patch's elements (in patch order) with the other stored ones (in stored
 *   order): a stored element stays ahead only of patch elements that follow it in the
 *   stored list, so `kubectl patch` puts a new env var before the existing ones;
 * - a list of primitives with strategy "merge" is a union; `$deleteFromPrimitiveList/<f>`
 *   removes values from it;
 * - any other list (no strategy, or "replace") is replaced wholesale;
 * - `$retainKeys: [..]` keeps only the listed keys of the map it sits in (and every other
 *   key of the patch must be listed);
 * - `$patch: replace` in a map makes the patch the whole map; `$patch: delete` makes it
 *   empty ({}), which is what upstream stores (a key the object lacks is not added).
 * Deliberate differences: a value the stored object lacks is merged into an empty value
 * instead of being stored verbatim, so directives and nulls never reach the store; other
 * `$`-prefixed keys are rejected instead of being stored as fields.
 *
 * Errors carry upstream's text where upstream has one ("map: map[image:x] does not contain
 * declared merge key: name", "unknown patch type: foo in map: map[$patch:foo]", "invalid
 * patch format of retainKeys") and upstream's status: 400 BadRequest for the format errors
 * kube-apiserver maps to it, 422 Invalid for lists of lists, and 500 with reason Unknown
 * for the plain errors kube-apiserver passes through. Bounds as in jsonpatch.h (depth), and
 * at most SMP_MAX_LIST elements in a list that is merged (merging is quadratic). */
#ifndef GH_CODEC_SMPATCH_H
#define GH_CODEC_SMPATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define SMP_MAX_LIST 4096u

/* One field's patch metadata, as Go struct tags give it. `path` is a dotted path of field
 * names from the object root, "[]" marking list elements: "spec.containers[].env".
 * `strategy` is "merge", "replace" or NULL (replace), possibly combined with retainKeys
 * ("merge,retainKeys"); `merge_key` names the key of a list of maps. */
typedef struct smp_field {
	const char *path;
	const char *strategy;
	const char *merge_key;
} smp_field;

/* The schema for a kind the sandbox stores (group "" or "core" for the core group): Pod,
 * pod templates of Deployment, ReplicaSet, StatefulSet, DaemonSet, Job and CronJob,
 * ServiceAccount, Service, ConfigMap, Secret, Namespace and the RBAC kinds; ObjectMeta's
 * fields for every one. NULL (and *n = 0) for other kinds: kube-apiserver refuses strategic
 * merge patches for kinds without Go types (415), and so should the caller. */
const smp_field *smp_schema_for_kind(const char *group, const char *kind, size_t *n);

/* Applies `patch` (an object) to `doc` (an object) under `schema`. On success *out holds a
 * new document sharing no node with the inputs; on failure *out is NULL and `problem` (if
 * non-NULL) holds the message. */
bool smp_apply(const json_t *doc, const json_t *patch, const smp_field *schema, size_t nschema, json_t **out,
	       char *problem, size_t problem_len);
bool smp_apply_err(const json_t *doc, const json_t *patch, const smp_field *schema, size_t nschema,
		   json_t **out, gh_err *err);

#endif
