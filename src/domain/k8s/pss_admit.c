/* The admission decision: pods, pod controllers and namespaces, as upstream's
 * admission.Validate routes them. */
#include "domain/k8s/pss_admit.h"
#include "domain/k8s/pss_admit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/pss_pod.h"
#include "domain/k8s/rbac_util.h"

bool pss_op_parse(gh_str s, pss_op *out)
{
	static const char *const names[] = { "CREATE", "UPDATE", "DELETE", "CONNECT" };
	for (int i = 0; i < 4; i++) {
		if (gh_str_eq_c(s, names[i])) {
			*out = (pss_op)i;
			return true;
		}
	}
	return false;
}

/* ---- where the pod spec is ----------------------------------------------------------- */

enum template_at { AT_POD, AT_TEMPLATE, AT_SPEC_TEMPLATE, AT_JOB_TEMPLATE };

static const struct pod_resource {
	const char *group, *resource, *kind;
	enum template_at at;
} pod_resources[] = {
	{ "", "pods", "Pod", AT_POD },
	{ "", "replicationcontrollers", "ReplicationController", AT_SPEC_TEMPLATE },
	{ "", "podtemplates", "PodTemplate", AT_TEMPLATE },
	{ "apps", "replicasets", "ReplicaSet", AT_SPEC_TEMPLATE },
	{ "apps", "deployments", "Deployment", AT_SPEC_TEMPLATE },
	{ "apps", "statefulsets", "StatefulSet", AT_SPEC_TEMPLATE },
	{ "apps", "daemonsets", "DaemonSet", AT_SPEC_TEMPLATE },
	{ "batch", "jobs", "Job", AT_SPEC_TEMPLATE },
	{ "batch", "cronjobs", "CronJob", AT_JOB_TEMPLATE },
};
#define NPOD_RESOURCES (sizeof pod_resources / sizeof *pod_resources)

static const struct pod_resource *find_resource(gh_str group, gh_str resource)
{
	for (size_t i = 0; i < NPOD_RESOURCES; i++)
		if (gh_str_eq_c(group, pod_resources[i].group) && gh_str_eq_c(resource, pod_resources[i].resource))
			return &pod_resources[i];
	return NULL;
}

bool pss_resource_has_pod_spec(gh_str group, gh_str resource)
{
	return find_resource(group, resource) != NULL;
}

bool pss_kind_resource(gh_str kind, gh_str *group, gh_str *resource)
{
	for (size_t i = 0; i < NPOD_RESOURCES; i++) {
		if (gh_str_eq_c(kind, pod_resources[i].kind)) {
			*group = gh_str_c(pod_resources[i].group);
			*resource = gh_str_c(pod_resources[i].resource);
			return true;
		}
	}
	return false;
}

void pss_pod_spec_of(gh_str group, gh_str resource, const json_t *obj, const json_t **meta, const json_t **spec,
		     const char **where)
{
	const struct pod_resource *r = find_resource(group, resource);
	const json_t *tpl = NULL;
	*meta = *spec = NULL;
	*where = "";
	if (!r || !json_is_object(obj))
		return;
	switch (r->at) {
	case AT_POD:
		*meta = json_object_get(obj, "metadata");
		*spec = json_object_get(obj, "spec");
		return;
	case AT_TEMPLATE:
		tpl = json_object_get(obj, "template");
		*where = "template.";
		break;
	case AT_SPEC_TEMPLATE:
		tpl = json_object_get(json_object_get(obj, "spec"), "template");
		*where = "spec.template.";
		break;
	case AT_JOB_TEMPLATE:
		tpl = json_object_get(json_object_get(json_object_get(json_object_get(obj, "spec"), "jobTemplate"), "spec"),
				      "template");
		*where = "spec.jobTemplate.spec.template.";
		break;
	}
	if (json_is_null(tpl))
		tpl = NULL;
	if (tpl) {
		/* A template that is not an object still "has" a spec, so the decoder names it. */
		*meta = json_is_object(tpl) ? json_object_get(tpl, "metadata") : tpl;
		*spec = json_is_object(tpl) ? json_object_get(tpl, "spec") : tpl;
	}
}

/* ---- evaluation with reuse across enforce, audit and warn ------------------------------ */

typedef struct eval_cache {
	size_t n;
	struct {
		pss_lv lv;
		bool allowed;
		const char *detail, *reasons;
	} v[3];
	pss_result r;
} eval_cache;

static size_t evaluate_cached(eval_cache *c, const pss_pod *pod, pss_lv lv, gh_arena *a)
{
	for (size_t i = 0; i < c->n; i++)
		if (pss_lv_eq(c->v[i].lv, lv))
			return i;
	size_t i = c->n < 3 ? c->n++ : 2;
	c->v[i].lv = lv;
	c->v[i].allowed = pss_evaluate(pod, lv, &c->r);
	c->v[i].detail = c->v[i].allowed ? "" : pss_resp_astr(a, &c->r.detail);
	c->v[i].reasons = c->v[i].allowed ? "" : pss_resp_astr(a, &c->r.reasons);
	return i;
}

static const char *violation(gh_arena *a, const char *verb, pss_lv lv, const char *detail)
{
	char lvs[PSS_LV_MAX];
	gh_buf b = { 0 };
	gh_buf_printf(&b, "%s PodSecurity \"%s\": %s", verb, pss_lv_format(lv, lvs, sizeof lvs), detail);
	const char *s = pss_resp_astr(a, &b);
	gh_buf_free(&b);
	return s;
}

/* Upstream's EvaluatePod: enforce (when asked), audit, then warn unless denied. */
static void evaluate_pod(const pss_config *cfg, const pss_policy *pol, const pss_label_errors *errs,
			 const pss_pod *pod, bool enforce, gh_arena *a, pss_response *out)
{
	if (pod->runtime_class_set && pss_config_exempt_runtime_class(cfg, pod->runtime_class)) {
		pss_resp_allow_exempt(out, "runtimeClass");
		return;
	}
	pss_resp_allow(out);
	if (errs->n) {
		gh_buf b = { 0 };
		gh_buf_puts(&b, "Failed to parse policy: ");
		pss_label_errors_format(&b, errs);
		pss_resp_audit_add(out, "error", pss_resp_astr(a, &b));
		gh_buf_free(&b);
	}
	eval_cache c = { 0 };
	char lvs[PSS_LV_MAX];
	if (enforce) {
		pss_lv_format(pol->enforce, lvs, sizeof lvs);
		pss_resp_audit_add(out, "enforce-policy", gh_arena_strndup(a, lvs, strlen(lvs)));
		size_t i = evaluate_cached(&c, pod, pol->enforce, a);
		if (!c.v[i].allowed)
			pss_resp_deny(out, 403, "Forbidden", violation(a, "violates", pol->enforce, c.v[i].detail));
	}
	size_t i = evaluate_cached(&c, pod, pol->audit, a);
	if (!c.v[i].allowed)
		pss_resp_audit_add(out, "audit-violations", violation(a, "would violate", pol->audit, c.v[i].detail));
	if (out->allowed) {
		i = evaluate_cached(&c, pod, pol->warn, a);
		if (!c.v[i].allowed)
			pss_resp_add_warning(out, a, 1, violation(a, "would violate", pol->warn, c.v[i].detail));
	}
	pss_result_free(&c.r);
}

/* ---- pods ---------------------------------------------------------------------------- */

static bool ignored_pod_subresource(gh_str sub)
{
	static const char *const ignored[] = { "exec", "attach", "binding", "eviction", "log", "portforward", "proxy",
					       "status" };
	for (size_t i = 0; i < sizeof ignored / sizeof *ignored; i++)
		if (gh_str_eq_c(sub, ignored[i]))
			return true;
	return false;
}

static gh_str annotation_value(const pss_pod *p, gh_str key)
{
	for (size_t i = 0; i < p->nannotations; i++)
		if (gh_str_eq(p->annotations[i].key, key))
			return p->annotations[i].value;
	return (gh_str){ "", 0 };
}

static bool container_changed(const pss_pod *p, const pss_container *c, const pss_pod *o, const pss_container *oc)
{
	if (!gh_str_eq(c->image, oc->image))
		return true;
	char key[320];
	int w = snprintf(key, sizeof key, "container.seccomp.security.alpha.kubernetes.io/%.*s", GH_STR_ARG(c->name));
	gh_str k = { key, w > 0 && (size_t)w < sizeof key ? (size_t)w : sizeof key - 1 };
	return !gh_str_eq(annotation_value(p, k), annotation_value(o, k));
}

static size_t count_kind(const pss_pod *p, int kind, size_t *first)
{
	size_t n = 0;
	*first = p->ncontainers;
	for (size_t i = 0; i < p->ncontainers; i++) {
		if (p->containers[i].kind != kind)
			continue;
		if (!n)
			*first = i;
		n++;
	}
	return n;
}

/* Upstream's isSignificantPodUpdate: only images, seccomp annotations and ephemeral
 * containers can change in a running pod's spec in ways the checks care about. */
static bool significant_update(const pss_pod *p, const pss_pod *o)
{
	if (!gh_str_eq(annotation_value(p, GH_STR("seccomp.security.alpha.kubernetes.io/pod")),
		       annotation_value(o, GH_STR("seccomp.security.alpha.kubernetes.io/pod"))))
		return true;
	for (int kind = PSS_INIT; kind <= PSS_REGULAR; kind++) {
		size_t pf, of;
		size_t n = count_kind(p, kind, &pf);
		if (n != count_kind(o, kind, &of))
			return true;
		for (size_t i = 0; i < n; i++)
			if (container_changed(p, &p->containers[pf + i], o, &o->containers[of + i]))
				return true;
	}
	for (size_t i = 0; i < p->ncontainers; i++) {
		const pss_container *c = &p->containers[i];
		if (c->kind != PSS_EPHEMERAL)
			continue;
		const pss_container *old = NULL;
		for (size_t j = 0; j < o->ncontainers && !old; j++)
			if (o->containers[j].kind == PSS_EPHEMERAL && gh_str_eq(o->containers[j].name, c->name))
				old = &o->containers[j];
		if (!old || container_changed(p, c, o, old))
			return true;
	}
	return false;
}

static const char *decode_problem(gh_arena *a, const char *what, const gh_err *e)
{
	gh_buf b = { 0 };
	gh_buf_printf(&b, "%s: %s", what, e->msg);
	const char *s = pss_resp_astr(a, &b);
	gh_buf_free(&b);
	return s;
}

/* What ValidatePod and ValidatePodController share: the exempt namespace and user, then
 * the namespace's policy. False when that already answers: exempt, or nothing that applies
 * (enforce only for pods) is stricter than privileged. */
static bool policy_applies(const pss_config *cfg, const pss_request *r, bool enforce, pss_policy *pol,
			   pss_label_errors *errs, pss_response *out)
{
	if (pss_config_exempt_namespace(cfg, r->namespace)) {
		pss_resp_allow_exempt(out, "namespace");
		return false;
	}
	if (pss_config_exempt_user(cfg, r->username)) {
		pss_resp_allow_exempt(out, "user");
		return false;
	}
	pss_policy_from_labels(r->ns_labels, pss_config_defaults(cfg), pol, errs);
	if (!errs->n && (!enforce || pol->enforce.level == PSS_PRIVILEGED) && pol->warn.level == PSS_PRIVILEGED &&
	    pol->audit.level == PSS_PRIVILEGED) {
		pss_resp_allow(out);
		return false;
	}
	return true;
}

static bool create_or_update(const pss_request *r)
{
	return r->op == PSS_OP_CREATE || r->op == PSS_OP_UPDATE;
}

static void validate_pod(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out)
{
	pss_policy pol;
	pss_label_errors errs;
	pss_resp_allow(out);
	if (ignored_pod_subresource(r->subresource) || !create_or_update(r) ||
	    !policy_applies(cfg, r, true, &pol, &errs, out))
		return;
	pss_pod pod, old;
	gh_err e = { 0 };
	if (!pss_pod_decode_object(r->object, a, &pod, &e)) {
		pss_resp_allow(out);
		pss_resp_audit_add(out, "error", decode_problem(a, "failed to decode pod", &e));
		pss_resp_deny(out, 400, "BadRequest", decode_problem(a, "failed to decode pod", &e));
		return;
	}
	if (r->op == PSS_OP_UPDATE) {
		if (!pss_pod_decode_object(r->old_object, a, &old, &e)) {
			pss_resp_allow(out);
			pss_resp_audit_add(out, "error", decode_problem(a, "failed to decode old pod", &e));
			pss_resp_deny(out, 400, "BadRequest", decode_problem(a, "failed to decode old pod", &e));
			return;
		}
		if (!significant_update(&pod, &old)) {
			pss_resp_allow(out);
			return;
		}
	}
	evaluate_pod(cfg, &pol, &errs, &pod, true, a, out);
}

/* ---- pod controllers ----------------------------------------------------------------- */

static void validate_controller(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out)
{
	pss_policy pol;
	pss_label_errors errs;
	pss_resp_allow(out);
	if (r->subresource.n || !create_or_update(r) || !policy_applies(cfg, r, false, &pol, &errs, out))
		return;
	const json_t *meta, *spec;
	const char *where;
	pss_pod_spec_of(r->resource.group, r->resource.resource, r->object, &meta, &spec, &where);
	if (!spec) {
		/* No template (an optional one left out): nothing to evaluate. */
		pss_resp_allow(out);
		return;
	}
	pss_pod pod;
	gh_err e = { 0 };
	if (!pss_pod_decode(meta, spec, where, a, &pod, &e)) {
		/* A controller is never refused for its template: say why in the audit log. */
		pss_resp_allow(out);
		pss_resp_audit_add(out, "error", decode_problem(a, "failed to decode pod template", &e));
		return;
	}
	evaluate_pod(cfg, &pol, &errs, &pod, false, a, out);
}

void pss_admit(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out)
{
	pss_resp_allow(out);
	if (gh_str_eq_c(r->resource.group, "") && gh_str_eq_c(r->resource.resource, "namespaces"))
		pss_validate_namespace(cfg, r, a, out);
	else if (gh_str_eq_c(r->resource.group, "") && gh_str_eq_c(r->resource.resource, "pods"))
		validate_pod(cfg, r, a, out);
	else if (pss_resource_has_pod_spec(r->resource.group, r->resource.resource))
		validate_controller(cfg, r, a, out);
}
