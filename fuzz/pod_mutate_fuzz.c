/* Fuzz target: the pod mutation. The first byte picks the mode and the flags, the rest is
 * "<pod JSON>\0<ServiceAccount annotations JSON>"; the same bytes also go through the CSV
 * reader of skip-containers and the AdmissionReview decoder of /mutate. A mutated pod must
 * carry the token volume. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/mutate.h"
#include "domain/k8s/podidentity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	json_t *rec = podid_csv_record(p, n);
	json_decref(rec);
	json_t *doc;
	mutate_request mr;
	char problem[320];
	(void)mutate_decode((gh_str){ p, n }, &doc, &mr, problem, sizeof problem);
	json_decref(doc);

	const char *nul = memchr(p, '\0', n);
	size_t pod_len = nul ? (size_t)(nul - p) : n;
	json_t *pod = json_loadb(p, pod_len, 0, NULL);
	json_t *sa = nul ? json_loadb(nul + 1, n - pod_len - 1, 0, NULL) : NULL;
	podid_config cfg;
	podid_config_defaults(&cfg);
	cfg.region = flags & 2 ? "us-west-2" : NULL;
	cfg.regional_sts = flags & 4;
	podid_request in = { .pod = pod,
			     .sa_annotations = sa,
			     .mode = flags & 1 ? PODID_MODE_POD_IDENTITY : PODID_MODE_IRSA,
			     .jitter = flags * 2654435761u };
	podid_result res;
	gh_err err;
	if (podid_mutate(&cfg, &in, &res, &err) && res.mutated) {
		const json_t *vols = json_object_get(json_object_get(res.pod, "spec"), "volumes");
		if (!json_is_array(vols) || json_array_size(vols) == 0 || !json_is_array(res.patch))
			abort();
		if (res.expiration < PODID_MIN_EXPIRATION)
			abort();
	}
	podid_result_clear(&res);
	json_decref(pod);
	json_decref(sa);
	return 0;
}
