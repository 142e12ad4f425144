#include "engine/podid.h"

#include <stdio.h>
#include <string.h>

#include "engine/eks.h"
#include "engine/engine_internal.h"
#include "engine/kube_cache.h"

static const char *pod_sa(const json_t *pod)
{
	const json_t *spec = json_object_get(pod, "spec");
	const char *sa = json_string_value(json_object_get(spec, "serviceAccountName"));
	if (!sa || !sa[0])
		sa = json_string_value(json_object_get(spec, "serviceAccount"));
	return sa && sa[0] ? sa : "default";
}

bool engine_pod_identity_mutate(gh_engine *e, const char *cluster, const char *ns, const json_t *pod,
				podid_result *out, bool *sa_found, char *sa_name, size_t sa_len, gh_err *err)
{
	*out = (podid_result){ 0 };
	const char *sa = pod_sa(pod);
	snprintf(sa_name, sa_len, "%s", sa);
	kobj *o = kube_cache_get(engine_kube_cache(e), cluster, "ServiceAccount", ns, sa);
	*sa_found = o != NULL || strcmp(sa, "default") == 0;
	if (!*sa_found)
		return true;
	json_t *sa_obj = o ? json_loadb(o->body, o->body_len, 0, NULL) : NULL;
	kobj_unref(o);
	gh_arena a;
	gh_arena_init(&a, 0);
	json_t *assoc = NULL;
	bool ok = engine_pod_identity_lookup(e, cluster, ns, sa, &a, &assoc, err);
	gh_arena_free(&a);
	uint8_t rnd[4] = { 0 };
	ok = ok && engine_random(rnd, sizeof rnd, err);
	if (ok) {
		podid_config cfg;
		podid_config_defaults(&cfg);
		cfg.region = engine_config(e)->region;
		cfg.regional_sts = true;
		podid_request in = {
			.pod = pod,
			.sa_annotations = json_object_get(json_object_get(sa_obj, "metadata"), "annotations"),
			.mode = assoc ? PODID_MODE_POD_IDENTITY : PODID_MODE_IRSA,
			.jitter = (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 | (uint32_t)rnd[2] << 8 | rnd[3],
		};
		ok = podid_mutate(&cfg, &in, out, err);
	}
	json_decref(assoc);
	json_decref(sa_obj);
	return ok;
}

/* The apiserver defaults a projected volume's mode after the webhooks ran. */
static void default_volume_modes(json_t *pod)
{
	json_t *vols = json_object_get(json_object_get(pod, "spec"), "volumes");
	for (size_t i = 0; i < json_array_size(vols); i++) {
		json_t *proj = json_object_get(json_array_get(vols, i), "projected");
		if (json_is_object(proj) && !json_object_get(proj, "defaultMode"))
			json_object_set_new(proj, "defaultMode", json_integer(420));
	}
}

bool kube_pod_admit(gh_engine *e, const char *cluster, const char *requested_name, json_t *pod, json_t **warnings,
		    kube_status *st)
{
	const char *ns = kube_meta_str(pod, "namespace");
	podid_result res;
	bool found;
	char sa[256];
	gh_err err = { 0 };
	if (!engine_pod_identity_mutate(e, cluster, ns, pod, &res, &found, sa, sizeof sa, &err))
		return kube_fail(st, err.status == 400 ? 400 : 500, err.status == 400 ? "BadRequest" : "InternalError",
				 "pod identity admission: %s", err.msg);
	if (!found) {
		/* ServiceAccount admission's text; a generated name is not known yet there */
		if (requested_name && requested_name[0]) {
			kube_fail(st, 403, "Forbidden",
				  "pods \"%s\" is forbidden: error looking up service account %s/%s: serviceaccount "
				  "\"%s\" not found",
				  requested_name, ns, sa, sa);
			st->details = json_pack("{s:s, s:s}", "name", requested_name, "kind", "pods");
		} else {
			kube_fail(st, 403, "Forbidden",
				  "pods is forbidden: error looking up service account %s/%s: serviceaccount \"%s\" not "
				  "found",
				  ns, sa, sa);
			st->details = json_pack("{s:s}", "kind", "pods");
		}
		return false;
	}
	if (!res.mutated)
		return true;
	json_object_clear(pod);
	json_object_update(pod, res.pod);
	default_volume_modes(pod);
	for (size_t i = 0; i < json_array_size(res.warnings); i++) {
		if (!*warnings)
			*warnings = json_array();
		json_array_append(*warnings, json_array_get(res.warnings, i));
	}
	podid_result_clear(&res);
	return true;
}
