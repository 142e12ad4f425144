/* Internals of the RBAC object set, shared by rbac_obj.c, rbac_load.c and the compiler. */
#ifndef GH_K8S_RBAC_OBJ_INTERNAL_H
#define GH_K8S_RBAC_OBJ_INTERNAL_H

#include "domain/k8s/rbac_obj.h"

struct rbac_objects {
	gh_arena arena;
	rbac_role *roles;
	size_t nroles, caproles;
	rbac_binding *bindings;
	size_t nbindings, capbindings;
	rbac_diag *diags;
	size_t ndiags, capdiags;
};

/* Grows *p (elements of `size` bytes) to hold `need`; false on OOM. */
bool rbac_grow(void **p, size_t *cap, size_t need, size_t size);

bool rbac_copy_str(gh_arena *a, gh_str in, gh_str *out);
bool rbac_copy_strs(gh_arena *a, rbac_strs in, rbac_strs *out);
bool rbac_copy_rule(gh_arena *a, const rbac_rule *in, rbac_rule *out);
bool rbac_copy_role(gh_arena *a, const rbac_role *in, rbac_role *out);
bool rbac_copy_binding(gh_arena *a, const rbac_binding *in, rbac_binding *out);

#endif
