/* The RBAC registry's storage rules (K pkg/registry/rbac): validation as in
 * pkg/apis/rbac/validation, roleRef immutability, then escalation prevention against the
 * cluster's published policy, asking the whole authorizer chain for `escalate` and
 * `bind` as upstream does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac.h"
#include "domain/k8s/rbac_obj.h"
#include "engine/kube_internal.h"
#include "engine/maps.h"

typedef struct ask_ctx {
	gh_engine *e;
	const char *cluster;
	const kube_user *u;
	gh_arena *a;
} ask_ctx;

static rbac_decision ask_chain(void *vctx, const rbac_attrs *attrs)
{
	ask_ctx *c = vctx;
	gh_authz_res res;
	if (!engine_kube_authorize(c->e, c->cluster, c->u, attrs, c->a, &res))
		return RBAC_NO_OPINION;
	return res.allowed ? RBAC_ALLOW : RBAC_NO_OPINION;
}

/* One object as a set of one; NULL (status set) when it cannot be read as its kind. */
static rbac_objects *load_one(const k8s_resource *r, const json_t *obj, kube_status *st)
{
	rbac_objects *s = rbac_objects_new();
	if (!s) {
		kube_fail(st, 500, "InternalError", "out of memory");
		return NULL;
	}
	rbac_load_stats ls;
	gh_err err = { 0 };
	size_t nr = 0, nb = 0;
	bool ok = rbac_objects_load(s, obj, NULL, &ls, &err);
	rbac_objects_roles(s, &nr);
	rbac_objects_bindings(s, &nb);
	if (!ok || nr + nb != 1) {
		size_t nd;
		const rbac_diag *d = rbac_objects_diags(s, &nd);
		gh_buf b = { 0 };
		if (nd)
			gh_buf_put_str(&b, d[0].field.n ? d[0].field : GH_STR("object")), gh_buf_puts(&b, ": "),
				gh_buf_put_str(&b, d[0].msg);
		kube_fail(st, 400, "BadRequest", "%s in version \"v1\" cannot be handled as a %s: %s", r->kind, r->kind,
			  b.p ? b.p : (ok ? "not readable" : err.msg));
		gh_buf_free(&b);
		rbac_objects_free(s);
		return NULL;
	}
	return s;
}

static bool invalid(const k8s_resource *r, const char *name, const rbac_field_errors *fe, kube_status *st)
{
	gh_buf msg = { 0 };
	rbac_invalid_message(r->kind, gh_str_c(name), fe, &msg);
	kube_fail(st, 422, "Invalid", "%s", msg.p ? msg.p : "invalid");
	gh_buf_free(&msg);
	json_t *causes = json_array();
	for (size_t i = 0; i < fe->n; i++) {
		/* text is "field: Type: detail"; a cause carries "Type: detail" and the field */
		gh_str t = fe->v[i].text;
		if (fe->v[i].field.n + 2 <= t.n && memcmp(t.p, fe->v[i].field.p, fe->v[i].field.n) == 0)
			t = gh_str_sub(t, fe->v[i].field.n + 2, t.n);
		const char *reason = strcmp(fe->v[i].type, "Required value") == 0	 ? "FieldValueRequired"
				     : strcmp(fe->v[i].type, "Unsupported value") == 0 ? "FieldValueNotSupported"
				     : strcmp(fe->v[i].type, "Forbidden") == 0	 ? "FieldValueForbidden"
											 : "FieldValueInvalid";
		json_array_append_new(causes, json_pack("{s:s, s:s%, s:s%}", "reason", reason, "message", t.p, t.n,
							"field", fe->v[i].field.p, fe->v[i].field.n));
	}
	st->details = json_pack("{s:s, s:s, s:s, s:o}", "name", name, "group", RBAC_GROUP, "kind", r->kind, "causes",
				causes);
	return false;
}

bool kube_rbac_admit(gh_engine *e, const char *cluster, const k8s_resource *r, const json_t *obj,
		     const json_t *old, const kube_user *u, kube_status *st)
{
	const char *name = kube_meta_str(obj, "name");
	rbac_objects *s = load_one(r, obj, st);
	if (!s)
		return false;
	rbac_objects *os = old ? load_one(r, old, st) : NULL;
	if (old && !os) {
		rbac_objects_free(s);
		return false;
	}
	size_t nr, nb;
	const rbac_role *role = rbac_objects_roles(s, &nr);
	const rbac_binding *bind = rbac_objects_bindings(s, &nb);
	const rbac_role *orole = NULL;
	const rbac_binding *obind = NULL;
	if (os) {
		size_t x;
		orole = rbac_objects_roles(os, &x);
		if (!x)
			orole = NULL;
		obind = rbac_objects_bindings(os, &x);
		if (!x)
			obind = NULL;
	}
	rbac_field_errors fe;
	rbac_field_errors_init(&fe);
	bool ok;
	if (nr)
		ok = rbac_validate_role(role, &fe);
	else if (obind)
		ok = rbac_validate_binding_update(obind, bind, &fe);
	else
		ok = rbac_validate_binding(bind, &fe);
	if (!ok) {
		invalid(r, name, &fe, st);
		rbac_field_errors_free(&fe);
		rbac_objects_free(s);
		rbac_objects_free(os);
		return false;
	}
	rbac_field_errors_free(&fe);

	gh_cluster_maps *m = maps_acquire(e);
	const gh_cluster_map *cm = maps_find(m, gh_str_c(cluster));
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_str *groups = gh_arena_alloc(&a, (u->ngroups ? u->ngroups : 1) * sizeof *groups);
	for (size_t i = 0; i < u->ngroups; i++)
		groups[i] = gh_str_c(u->groups[i]);
	rbac_user ru = { .name = gh_str_c(u->name), .groups = groups, .ngroups = u->ngroups,
			 .has_extra = json_object_size(u->extra) > 0 };
	ask_ctx ac = { e, cluster, u, &a };
	rbac_write_check c = { .allowed = true };
	if (cm && cm->rbac) {
		if (nr)
			rbac_check_role_write(cm->rbac, &ru, role, orole, ask_chain, &ac, &c);
		else
			rbac_check_binding_write(cm->rbac, &ru, bind, ask_chain, &ac, &c);
	} else {
		c.allowed = false;
		c.status = 500;
		gh_buf_puts(&c.msg, "the cluster's RBAC policy is not available");
	}
	ok = c.allowed;
	if (!ok) {
		char gr[160];
		snprintf(gr, sizeof gr, "%s.%s", r->resource, r->group);
		if (c.status == 403) {
			kube_fail(st, 403, "Forbidden", "%s \"%s\" is forbidden: %s", gr, name, c.msg.p ? c.msg.p : "");
			st->details = json_pack("{s:s, s:s, s:s}", "name", name, "group", r->group, "kind", r->resource);
		} else if (c.status == 404) {
			kube_fail(st, 404, "NotFound", "%s", c.msg.p ? c.msg.p : "not found");
		} else {
			kube_fail(st, 500, "InternalError", "%s", c.msg.p ? c.msg.p : "internal error");
		}
	}
	gh_buf_free(&c.msg);
	gh_arena_free(&a);
	maps_unref(m);
	rbac_objects_free(s);
	rbac_objects_free(os);
	return ok;
}
