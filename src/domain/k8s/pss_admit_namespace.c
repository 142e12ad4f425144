/* Namespace requests: invalid labels are refused; tightening enforce answers warnings
 * naming the existing pods that would now be rejected (upstream's ValidateNamespace and
 * EvaluatePodsInNamespace). */
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/pss_admit_internal.h"
#include "domain/k8s/pss_pod.h"
#include "domain/k8s/rbac_util.h"

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
	pss_resp_allow(out);
	pss_resp_deny(out, 422, "Invalid", pss_resp_astr(a, &b));
	pss_cause *causes = gh_arena_alloc(a, errs->n * sizeof *causes);
	for (size_t i = 0; causes && i < errs->n; i++) {
		gh_buf_reset(&b);
		pss_label_error_body(&b, &errs->v[i]);
		causes[i].reason = "FieldValueInvalid";
		causes[i].message = pss_resp_astr(a, &b);
		gh_buf_reset(&b);
		pss_label_error_field(&b, &errs->v[i]);
		causes[i].field = pss_resp_astr(a, &b);
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
		pss_resp_add_warning(out, a, 1, "failed to list pods while checking new PodSecurity enforce level");
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
			w[nw++] = (pod_warning){ pss_resp_astr(a, &res.reasons), p->name, 0 };
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
		pss_resp_add_warning(out, a, cap, pss_resp_astr(a, &b));
	}
	if (nw) {
		gh_buf_reset(&b);
		gh_buf_puts(&b, "existing pods in namespace ");
		rbac_go_quote(&b, ns_name);
		gh_buf_printf(&b, " violate the new PodSecurity enforce level \"%s\"",
			      pss_lv_format(enforce, lvs, sizeof lvs));
		pss_resp_add_warning(out, a, cap, pss_resp_astr(a, &b));
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
		decorated[j] = pss_resp_astr(a, &b);
	}
	if (decorated) {
		qsort(decorated, nw, sizeof *decorated, cmp_cstr);
		for (size_t j = 0; j < nw; j++)
			pss_resp_add_warning(out, a, cap, decorated[j]);
	}
	gh_buf_free(&b);
}

void pss_validate_namespace(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out)
{
	pss_resp_allow(out);
	if (r->subresource.n)
		return;
	const json_t *labels, *old_labels;
	if (!namespace_labels(r->object, &labels)) {
		pss_resp_deny(out, 400, "BadRequest", "failed to decode namespace");
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
		pss_resp_deny(out, 400, "BadRequest", "failed to decode old namespace");
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
		pss_resp_allow_exempt(out, "namespace");
		return;
	}
	const char *name = json_string_value(json_object_get(json_object_get(r->object, "metadata"), "name"));
	warn_existing_pods(cfg, r, name ? gh_str_c(name) : r->name, pol.enforce, a, out);
}
