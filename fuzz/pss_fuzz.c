/* Fuzzes the Pod Security path: YAML or JSON bytes -> pod decoder -> every check at a level
 * and version the first byte picks, then the whole admission decision for a pod and for a
 * Deployment wrapping it. Invariants: no crash, no leak, an allowed evaluation has no text,
 * a denied one names at least one reason and never the reason "unknown forbidden reason" (the
 * detail may quote any name the input chose). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/yaml.h"
#include "domain/k8s/pss.h"
#include "domain/k8s/pss_admit.h"
#include "domain/k8s/pss_pod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	gh_yaml_opts o = { .max_bytes = 1 << 16, .max_nodes = 20000 };
	json_t *doc = NULL;
	if (!gh_yaml_load((gh_str){ (const char *)data + 1, size - 1 }, &o, &doc, NULL))
		return 0;
	gh_arena a;
	gh_arena_init(&a, 0);
	pss_pod pod;
	pss_result r = { 0 };
	pss_lv lv = { (pss_level)(sel % 3), (sel >> 2) == 63 ? PSS_LATEST : (int64_t)(sel >> 2) };
	if (pss_pod_decode_object(doc, &a, &pod, NULL)) {
		bool allowed = pss_evaluate(&pod, lv, &r);
		if (allowed != (r.nfailed == 0) || (allowed && r.detail.n) || (!allowed && !r.reasons.n))
			abort();
		if (r.reasons.p && strstr(r.reasons.p, "unknown forbidden reason"))
			abort();
	}
	pss_config *cfg = pss_config_default();
	json_t *labels = json_pack("{s:s, s:s}", "pod-security.kubernetes.io/enforce", pss_level_name(lv.level),
				   "pod-security.kubernetes.io/warn", "restricted");
	json_t *deploy = json_pack("{s:{s:O}}", "spec", "template", doc);
	pss_request req = { .op = PSS_OP_CREATE, .resource = { GH_STR(""), GH_STR("v1"), GH_STR("pods") },
			    .namespace = GH_STR("ns"), .ns_labels = labels, .object = doc };
	pss_response res;
	pss_admit(cfg, &req, &a, &res);
	req.resource = (pss_gvr){ GH_STR("apps"), GH_STR("v1"), GH_STR("deployments") };
	req.object = deploy;
	pss_admit(cfg, &req, &a, &res);
	if (!res.allowed)
		abort(); /* controllers are never refused */
	json_decref(deploy);
	json_decref(labels);
	pss_config_free(cfg);
	pss_result_free(&r);
	gh_arena_free(&a);
	json_decref(doc);
	return 0;
}
