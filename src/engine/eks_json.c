#include "engine/eks_json.h"

#include <stdlib.h>
#include <string.h>

json_t *eks_time(int64_t ms)
{
	return json_real((double)ms / 1000.0);
}

static json_t *strs(const gh_str *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_stringn(v[i].p, v[i].n));
	return arr;
}

gh_str eks_json_str(json_t *obj, const char *key, gh_arena *a)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return (gh_str){ "", 0 };
	return gh_arena_str(a, (gh_str){ json_string_value(v), json_string_length(v) });
}

bool eks_json_strs(json_t *arr, gh_arena *a, const gh_str **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr)
		return true;
	if (!json_is_array(arr))
		return false;
	size_t cnt = json_array_size(arr);
	gh_str *v = gh_arena_alloc(a, (cnt ? cnt : 1) * sizeof *v);
	for (size_t i = 0; i < cnt; i++) {
		json_t *s = json_array_get(arr, i);
		if (!json_is_string(s))
			return false;
		v[i] = gh_arena_str(a, (gh_str){ json_string_value(s), json_string_length(s) });
	}
	*out = v;
	*n = cnt;
	return true;
}

json_t *eks_entry_to_json(const gh_eks_access_entry *e, bool internal)
{
	json_t *tags = json_object();
	for (size_t i = 0; i < e->n_tags; i++) {
		char *k = gh_str_dup(e->tags[i].key);
		json_object_set_new(tags, k, json_stringn(e->tags[i].value.p, e->tags[i].value.n));
		free(k);
	}
	json_t *j = json_object();
	json_object_set_new(j, "clusterName", json_stringn(e->cluster_name.p, e->cluster_name.n));
	json_object_set_new(j, "principalArn", json_stringn(e->principal_arn.p, e->principal_arn.n));
	json_object_set_new(j, "kubernetesGroups", strs(e->groups, e->n_groups));
	json_object_set_new(j, "accessEntryArn", json_stringn(e->entry_arn.p, e->entry_arn.n));
	json_object_set_new(j, "createdAt", internal ? json_integer(e->created_at_ms) : eks_time(e->created_at_ms));
	json_object_set_new(j, "modifiedAt", internal ? json_integer(e->modified_at_ms) : eks_time(e->modified_at_ms));
	json_object_set_new(j, "tags", tags);
	json_object_set_new(j, "username", json_stringn(e->username.p, e->username.n));
	json_object_set_new(j, "type", json_string(gh_eks_entry_type_name(e->type)));
	if (internal) {
		json_object_set_new(j, "principalId", json_stringn(e->principal_id.p, e->principal_id.n));
		json_object_set_new(j, "principalKey", json_stringn(e->principal_key.p, e->principal_key.n));
		json_object_set_new(j, "principalKind", json_integer(e->principal_kind));
	}
	return j;
}

bool eks_entry_from_json(json_t *doc, gh_arena *a, gh_eks_access_entry *out)
{
	*out = (gh_eks_access_entry){ 0 };
	out->cluster_name = eks_json_str(doc, "clusterName", a);
	out->principal_arn = eks_json_str(doc, "principalArn", a);
	out->entry_arn = eks_json_str(doc, "accessEntryArn", a);
	out->username = eks_json_str(doc, "username", a);
	out->principal_id = eks_json_str(doc, "principalId", a);
	out->principal_key = eks_json_str(doc, "principalKey", a);
	out->principal_kind = (gh_eks_principal_kind)json_integer_value(json_object_get(doc, "principalKind"));
	out->created_at_ms = json_integer_value(json_object_get(doc, "createdAt"));
	out->modified_at_ms = json_integer_value(json_object_get(doc, "modifiedAt"));
	if (!gh_eks_entry_type_parse(eks_json_str(doc, "type", a), &out->type, NULL))
		return false;
	if (!eks_json_strs(json_object_get(doc, "kubernetesGroups"), a, &out->groups, &out->n_groups))
		return false;
	json_t *tags = json_object_get(doc, "tags");
	size_t nt = json_object_size(tags), i = 0;
	gh_eks_tag *t = gh_arena_alloc(a, (nt ? nt : 1) * sizeof *t);
	const char *k;
	json_t *v;
	json_object_foreach(tags, k, v) {
		t[i].key = gh_arena_str(a, gh_str_c(k));
		t[i].value = gh_arena_str(a, gh_str_c(json_string_value(v)));
		i++;
	}
	out->tags = t;
	out->n_tags = i;
	return true;
}

json_t *eks_assoc_to_json(const gh_eks_association *s, bool internal)
{
	json_t *scope = json_pack("{s:s}", "type", gh_eks_scope_type_name(s->scope.type));
	json_object_set_new(scope, "namespaces", strs(s->scope.namespaces, s->scope.n_namespaces));
	json_t *j = json_object();
	json_object_set_new(j, "policyArn", json_stringn(s->policy_arn.p, s->policy_arn.n));
	json_object_set_new(j, "accessScope", scope);
	json_object_set_new(j, "associatedAt",
			    internal ? json_integer(s->associated_at_ms) : eks_time(s->associated_at_ms));
	json_object_set_new(j, "modifiedAt", internal ? json_integer(s->modified_at_ms) : eks_time(s->modified_at_ms));
	return j;
}

bool eks_assoc_from_json(json_t *doc, gh_arena *a, gh_eks_association *out)
{
	*out = (gh_eks_association){ 0 };
	out->policy_arn = eks_json_str(doc, "policyArn", a);
	gh_str partition;
	out->policy = gh_eks_policy_by_arn(out->policy_arn, &partition);
	if (!out->policy)
		return false;
	json_t *scope = json_object_get(doc, "accessScope");
	gh_str type = eks_json_str(scope, "type", a);
	out->scope.type = gh_str_eq_c(type, "namespace") ? GH_EKS_SCOPE_NAMESPACE : GH_EKS_SCOPE_CLUSTER;
	if (!eks_json_strs(json_object_get(scope, "namespaces"), a, &out->scope.namespaces, &out->scope.n_namespaces))
		return false;
	out->associated_at_ms = json_integer_value(json_object_get(doc, "associatedAt"));
	out->modified_at_ms = json_integer_value(json_object_get(doc, "modifiedAt"));
	return true;
}
