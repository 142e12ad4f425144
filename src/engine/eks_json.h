/* eks_json: the EKS domain's access entries and associations to and from the JSON
 * documents the store keeps (the API's shapes, plus the principal ID and key that EKS
 * keeps to itself). Timestamps are stored as Unix milliseconds and answered as seconds. */
#ifndef GH_ENGINE_EKS_JSON_H
#define GH_ENGINE_EKS_JSON_H

#include <jansson.h>

#include "domain/eks/access_entry.h"
#include "domain/eks/access_policy.h"

/* The stored document (`internal`) or the API's AccessEntry shape. */
json_t *eks_entry_to_json(const gh_eks_access_entry *e, bool internal);
bool eks_entry_from_json(json_t *doc, gh_arena *a, gh_eks_access_entry *out);
json_t *eks_assoc_to_json(const gh_eks_association *s, bool internal);
bool eks_assoc_from_json(json_t *doc, gh_arena *a, gh_eks_association *out);
/* A JSON array of strings as views in the arena; false if it is not one. */
bool eks_json_strs(json_t *arr, gh_arena *a, const gh_str **out, size_t *n);
gh_str eks_json_str(json_t *obj, const char *key, gh_arena *a); /* empty when absent */
json_t *eks_time(int64_t ms); /* seconds, as rest-json timestamps are numbers */

#endif
