/* The admission decision: pods, pod controllers and namespaces, as upstream's
 * admission.Validate routes them. */
#include "domain/k8s/pss_admit.h"

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

/* ---- response building --------------------------------------------------------------- */

static const char *astr(gh_arena *a, const gh_buf *b)
{
	const char *s = gh_arena_strndup(a, b->p ? b->p : "", b->n);
	return s ? s : "";
}

static void audit_add(pss_response *out, const char *key, const char *value)
{
	if (out->naudit < sizeof out->audit / sizeof *out->audit)
		out->audit[out->naudit++] = (pss_kv){ key, value };
	/* Kept sorted by key, as a Go map is when it is encoded. */
	for (size_t i = out->naudit - 1; i > 0 && strcmp(out->audit[i - 1].key, out->audit[i].key) > 0; i--) {
		pss_kv t = out->audit[i];
		out->audit[i] = out->audit[i - 1];
		out->audit[i - 1] = t;
	}
}

static void allow(pss_response *out)
{
	*out = (pss_response){ .allowed = true };
}

static void allow_exempt(pss_response *out, const char *why)
{
	allow(out);
	audit_add(out, "exempt", why);
}

static void deny(pss_response *out, int code, const char *reason, const char *message)
{
	out->allowed = false;
	out->code = code;
	out->reason = reason;
	out->message = message;
}

static void add_warning(pss_response *out, gh_arena *a, size_t cap, const char *w)
{
	if (!out->warnings)
		out->warnings = gh_arena_alloc(a, cap * sizeof *out->warnings);
	if (out->warnings && out->nwarnings < cap)
		out->warnings[out->nwarnings++] = w;
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
	c->v[i].detail = c->v[i].allowed ? "" : astr(a, &c->r.detail);
	c->v[i].reasons = c->v[i].allowed ? "" : astr(a, &c->r.reasons);
	return i;
}

static const char *violation(gh_arena *a, const char *verb, pss_lv lv, const char *detail)
{
	char lvs[PSS_LV_MAX];
	gh_buf b = { 0 };
	gh_buf_printf(&b, "%s PodSecurity \"%s\": %s", verb, pss_lv_format(lv, lvs, sizeof lvs), detail);
	const char *s = astr(a, &b);
	gh_buf_free(&b);
	return s;
}

/* Upstream's EvaluatePod: enforce (when asked), audit, then warn unless denied. */
static void evaluate_pod(const pss_config *cfg, const pss_policy *pol, const pss_label_errors *errs,
			 const pss_pod *pod, bool enforce, gh_arena *a, pss_response *out)
{
	if (pod->runtime_class_set && pss_config_exempt_runtime_class(cfg, pod->runtime_class)) {
		allow_exempt(out, "runtimeClass");
		return;
	}
	allow(out);
	if (errs->n) {
		gh_buf b = { 0 };
		gh_buf_puts(&b, "Failed to parse policy: ");
		pss_label_errors_format(&b, errs);
		audit_add(out, "error", astr(a, &b));
		gh_buf_free(&b);
	}
	eval_cache c = { 0 };
	char lvs[PSS_LV_MAX];
	if (enforce) {
		pss_lv_format(pol->enforce, lvs, sizeof lvs);
		audit_add(out, "enforce-policy", gh_arena_strndup(a, lvs, strlen(lvs)));
		size_t i = evaluate_cached(&c, pod, pol->enforce, a);
		if (!c.v[i].allowed)
			deny(out, 403, "Forbidden", violation(a, "violates", pol->enforce, c.v[i].detail));
	}
	size_t i = evaluate_cached(&c, pod, pol->audit, a);
	if (!c.v[i].allowed)
		audit_add(out, "audit-violations", violation(a, "would violate", pol->audit, c.v[i].detail));
	if (out->allowed) {
		i = evaluate_cached(&c, pod, pol->warn, a);
		if (!c.v[i].allowed)
			add_warning(out, a, 1, violation(a, "would violate", pol->warn, c.v[i].detail));
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
	const char *s = astr(a, &b);
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
		allow_exempt(out, "namespace");
		return false;
	}
	if (pss_config_exempt_user(cfg, r->username)) {
		allow_exempt(out, "user");
		return false;
	}
	pss_policy_from_labels(r->ns_labels, pss_config_defaults(cfg), pol, errs);
	if (!errs->n && (!enforce || pol->enforce.level == PSS_PRIVILEGED) && pol->warn.level == PSS_PRIVILEGED &&
	    pol->audit.level == PSS_PRIVILEGED) {
		allow(out);
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
	allow(out);
	if (ignored_pod_subresource(r->subresource) || !create_or_update(r) ||
	    !policy_applies(cfg, r, true, &pol, &errs, out))
		return;
	pss_pod pod, old;
	gh_err e = { 0 };
	if (!pss_pod_decode_object(r->object, a, &pod, &e)) {
		allow(out);
		audit_add(out, "error", decode_problem(a, "failed to decode pod", &e));
		deny(out, 400, "BadRequest", decode_problem(a, "failed to decode pod", &e));
		return;
	}
	if (r->op == PSS_OP_UPDATE) {
		if (!pss_pod_decode_object(r->old_object, a, &old, &e)) {
			allow(out);
			audit_add(out, "error", decode_problem(a, "failed to decode old pod", &e));
			deny(out, 400, "BadRequest", decode_problem(a, "failed to decode old pod", &e));
			return;
		}
		if (!significant_update(&pod, &old)) {
			allow(out);
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
	allow(out);
	if (r->subresource.n || !create_or_update(r) || !policy_applies(cfg, r, false, &pol, &errs, out))
		return;
	const json_t *meta, *spec;
	const char *where;
	pss_pod_spec_of(r->resource.group, r->resource.resource, r->object, &meta, &spec, &where);
	if (!spec) {
		/* No template (an optional one left out): nothing to evaluate. */
		allow(out);
		return;
	}
	pss_pod pod;
	gh_err e = { 0 };
	if (!pss_pod_decode(meta, spec, where, a, &pod, &e)) {
		/* A controller is never refused for its template: say why in the audit log. */
		allow(out);
		audit_add(out, "error", decode_problem(a, "failed to decode pod template", &e));
		return;
	}
	evaluate_pod(cfg, &pol, &errs, &pod, false, a, out);
}

/* ---- namespaces ---------------------------------------------------------------------- */

static bool namespace_labels(const json_t *ns, const json_t **labels)
{
	*labels = NULL;
	if (!json_is_object(ns))
		return false;
	const json_t *meta = json_object_get(ns, "metadata");
	if (meta && !json_is_null(meta) && !json_is_object(meta))
		return false;
	const json_t *l = json_object_get(meta, "labels");
	if (l && !json_is_null(l) && !json_is_object(l))
		return false;
	*labels = json_is_object(l) ? l : NULL;
	return true;
}

/* apierrors.NewInvalid over the label errors. */
static void deny_invalid(const pss_request *r, const pss_label_errors *errs, gh_arena *a, pss_response *out)
{
	gh_buf b = { 0 };
	if (r->kind_group.n)
		gh_buf_printf(&b, GH_STR_FMT "." GH_STR_FMT, GH_STR_ARG(r->kind), GH_STR_ARG(r->kind_group));
	else
		gh_buf_put_str(&b, r->kind.n ? r->kind : GH_STR("Namespace"));
	gh_buf_puts(&b, " ");
	rbac_go_quote(&b, r->name);
	gh_buf_puts(&b, " is invalid: ");
	pss_label_errors_format(&b, errs);
	allow(out);
	deny(out, 422, "Invalid", astr(a, &b));
	pss_cause *causes = gh_arena_alloc(a, errs->n * sizeof *causes);
	for (size_t i = 0; causes && i < errs->n; i++) {
		gh_buf_reset(&b);
		pss_label_error_body(&b, &errs->v[i]);
		causes[i].reason = "FieldValueInvalid";
		causes[i].message = astr(a, &b);
		gh_buf_reset(&b);
		pss_label_error_field(&b, &errs->v[i]);
		causes[i].field = astr(a, &b);
	}
	out->causes = causes;
	out->ncauses = causes ? errs->n : 0;
	out->details_group = gh_arena_strndup(a, r->kind_group.p, r->kind_group.n);
	out->details_kind = r->kind.n ? gh_arena_strndup(a, r->kind.p, r->kind.n) : "Namespace";
	out->details_name = gh_arena_strndup(a, r->name.p, r->name.n);
	gh_buf_free(&b);
}

typedef struct pod_warning {
	const char *reasons; /* ForbiddenReason(): the key */
	gh_str first_pod;    /* lexically first pod name with it */
	size_t count;
} pod_warning;

static int cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Upstream's prioritisePods: one pod per controller first, the replicas after. */
static size_t prioritise(const pss_pod *pods, size_t n, size_t *order)
{
	size_t k = 0;
	bool *replica = calloc(n ? n : 1, sizeof *replica);
	if (!replica) {
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		gh_str uid = pods[i].controller_uid;
		for (size_t j = 0; uid.n && j < i && !replica[i]; j++)
			if (!replica[j] && gh_str_eq(pods[j].controller_uid, uid))
				replica[i] = true;
		if (!replica[i])
			order[k++] = i;
	}
	for (size_t i = 0; i < n; i++)
		if (replica[i])
			order[k++] = i;
	free(replica);
	return k;
}

/* Upstream's EvaluatePodsInNamespace, without its deadline (the caller bounds the list). */
static void warn_existing_pods(const pss_config *cfg, const pss_request *r, gh_str ns_name, pss_lv enforce,
			       gh_arena *a, pss_response *out)
{
	size_t n = r->nns_pods, checked = 0, nw = 0;
	pss_pod *pods = gh_arena_alloc(a, (n ? n : 1) * sizeof *pods);
	size_t *order = gh_arena_alloc(a, (n ? n : 1) * sizeof *order);
	bool *decoded = gh_arena_alloc(a, (n ? n : 1) * sizeof *decoded);
	pod_warning *w = gh_arena_alloc(a, (n ? n : 1) * sizeof *w);
	if (!pods || !order || !decoded || !w) {
		add_warning(out, a, 1, "failed to list pods while checking new PodSecurity enforce level");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		gh_err e = { 0 };
		decoded[i] = pss_pod_decode_object(r->ns_pods[i], a, &pods[i], &e);
		if (!decoded[i])
			pods[i] = (pss_pod){ .host_users = PSS_UNSET };
	}
	prioritise(pods, n, order);
	size_t limit = n > PSS_NAMESPACE_MAX_PODS ? PSS_NAMESPACE_MAX_PODS : n;
	pss_result res = { 0 };
	for (size_t k = 0; k < limit; k++) {
		const pss_pod *p = &pods[order[k]];
		checked = k + 1;
		if (!decoded[order[k]] ||
		    (p->runtime_class_set && pss_config_exempt_runtime_class(cfg, p->runtime_class)))
			continue;
		if (pss_evaluate(p, enforce, &res))
			continue;
		size_t j = 0;
		while (j < nw && strcmp(w[j].reasons, res.reasons.p) != 0)
			j++;
		if (j == nw) {
			w[nw++] = (pod_warning){ astr(a, &res.reasons), p->name, 0 };
		} else if (rbac_strcmp(p->name, w[j].first_pod) < 0) {
			w[j].first_pod = p->name;
		}
		w[j].count++;
	}
	pss_result_free(&res);
	size_t cap = nw + 2;
	char lvs[PSS_LV_MAX];
	gh_buf b = { 0 };
	if (checked < n) {
		gh_buf_printf(&b, "new PodSecurity enforce level only checked against the first %zu of %zu existing pods",
			      checked, n);
		add_warning(out, a, cap, astr(a, &b));
	}
	if (nw) {
		gh_buf_reset(&b);
		gh_buf_puts(&b, "existing pods in namespace ");
		rbac_go_quote(&b, ns_name);
		gh_buf_printf(&b, " violate the new PodSecurity enforce level \"%s\"",
			      pss_lv_format(enforce, lvs, sizeof lvs));
		add_warning(out, a, cap, astr(a, &b));
	}
	const char **decorated = gh_arena_alloc(a, (nw ? nw : 1) * sizeof *decorated);
	for (size_t j = 0; decorated && j < nw; j++) {
		gh_buf_reset(&b);
		gh_buf_put_str(&b, w[j].first_pod);
		if (w[j].count == 2)
			gh_buf_puts(&b, " (and 1 other pod)");
		else if (w[j].count > 2)
			gh_buf_printf(&b, " (and %zu other pods)", w[j].count - 1);
		gh_buf_printf(&b, ": %s", w[j].reasons);
		decorated[j] = astr(a, &b);
	}
	if (decorated) {
		qsort(decorated, nw, sizeof *decorated, cmp_cstr);
		for (size_t j = 0; j < nw; j++)
			add_warning(out, a, cap, decorated[j]);
	}
	gh_buf_free(&b);
}

static void validate_namespace(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out)
{
	allow(out);
	if (r->subresource.n)
		return;
	const json_t *labels, *old_labels;
	if (!namespace_labels(r->object, &labels)) {
		deny(out, 400, "BadRequest", "failed to decode namespace");
		return;
	}
	pss_policy pol, old_pol;
	pss_label_errors errs, old_errs;
	pss_policy_from_labels(labels, pss_config_defaults(cfg), &pol, &errs);
	if (r->op == PSS_OP_CREATE) {
		if (errs.n)
			deny_invalid(r, &errs, a, out);
		return;
	}
	if (r->op != PSS_OP_UPDATE)
		return;
	if (!namespace_labels(r->old_object, &old_labels)) {
		deny(out, 400, "BadRequest", "failed to decode old namespace");
		return;
	}
	pss_policy_from_labels(old_labels, pss_config_defaults(cfg), &old_pol, &old_errs);
	if (errs.n && (!old_errs.n || !pss_label_errors_eq(&errs, &old_errs))) {
		deny_invalid(r, &errs, a, out);
		return;
	}
	/* Nothing to dry-run when enforce is unchanged, privileged, or relaxed at one version. */
	if (pss_lv_eq(pol.enforce, old_pol.enforce) || pol.enforce.level == PSS_PRIVILEGED)
		return;
	if (pol.enforce.minor == old_pol.enforce.minor &&
	    pss_level_compare(pol.enforce.level, old_pol.enforce.level) < 1)
		return;
	/* A namespace's own request names it in `namespace` (kube-apiserver sets it to the
	 * name for namespaces/NAME); fall back to the name when a caller leaves it empty. */
	if (pss_config_exempt_namespace(cfg, r->namespace.n ? r->namespace : r->name)) {
		allow_exempt(out, "namespace");
		return;
	}
	const char *name = json_string_value(json_object_get(json_object_get(r->object, "metadata"), "name"));
	warn_existing_pods(cfg, r, name ? gh_str_c(name) : r->name, pol.enforce, a, out);
}

void pss_admit(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out)
{
	allow(out);
	if (gh_str_eq_c(r->resource.group, "") && gh_str_eq_c(r->resource.resource, "namespaces"))
		validate_namespace(cfg, r, a, out);
	else if (gh_str_eq_c(r->resource.group, "") && gh_str_eq_c(r->resource.resource, "pods"))
		validate_pod(cfg, r, a, out);
	else if (pss_resource_has_pod_spec(r->resource.group, r->resource.resource))
		validate_controller(cfg, r, a, out);
}
