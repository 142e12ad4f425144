/* PATCH as kube-apiserver's patch handler applies it: JSON patch, JSON merge patch or
 * strategic merge patch (the codec modules), then the result goes through the same
 * update path as a PUT. Failures are answered as upstream answers them. */
#include <stdio.h>
#include <string.h>

#include "codec/jsonpatch.h"
#include "codec/smpatch.h"
#include "engine/kube_internal.h"

json_t *kube_apply_patch(const k8s_resource *r, const json_t *current, const json_t *patch, kube_patch_type t,
			 kube_status *st)
{
	json_t *out = NULL;
	char problem[512] = "";
	bool ok;
	switch (t) {
	case KUBE_PATCH_JSON:
		if (!json_is_array(patch)) {
			kube_fail(st, 400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
			return NULL;
		}
		ok = json_patch_apply(current, patch, &out, problem, sizeof problem);
		if (!ok) {
			/* upstream: 422 with only the generic message; the detail helps more */
			kube_fail(st, 422, "Invalid", "%s: %s", JSON_PATCH_REJECTED_MESSAGE, problem);
			return NULL;
		}
		break;
	case KUBE_PATCH_MERGE:
		ok = json_merge_patch_apply(current, patch, &out, problem, sizeof problem);
		break;
	case KUBE_PATCH_STRATEGIC: {
		size_t n = 0;
		const smp_field *schema = smp_schema_for_kind(r->group, r->kind, &n);
		ok = smp_apply(current, patch, schema, n, &out, problem, sizeof problem);
		break;
	}
	default: ok = false; snprintf(problem, sizeof problem, "unsupported patch type");
	}
	if (!ok) {
		kube_fail(st, 400, "BadRequest", "%s", problem);
		return NULL;
	}
	if (!json_is_object(out)) {
		json_decref(out);
		kube_fail(st, 400, "BadRequest", "the patch did not result in an object");
		return NULL;
	}
	return out;
}
