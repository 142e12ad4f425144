/* Fuzz target: what the Kubernetes API reads from a request line before authorization:
 * the path into request info, and the labelSelector / fieldSelector query values, then
 * matching against a fixed object. Input: method NUL path NUL labelSelector NUL fieldSelector. */
#include <stdint.h>
#include <string.h>

#include "domain/k8s/reqinfo.h"
#include "domain/k8s/selector.h"

static gh_str next(const uint8_t **p, size_t *n)
{
	const uint8_t *z = memchr(*p, 0, *n);
	size_t len = z ? (size_t)(z - *p) : *n;
	gh_str s = { (const char *)*p, len };
	*p += z ? len + 1 : len;
	*n -= z ? len + 1 : len;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	gh_str method = next(&p, &n), path = next(&p, &n), ls = next(&p, &n), fs = next(&p, &n);
	k8s_reqinfo ri;
	(void)k8s_reqinfo_parse(method, path, ls.n & 1, fs, &ri);
	gh_arena a;
	gh_arena_init(&a, 0);
	k8s_selector l, f;
	char problem[300];
	static const char obj_json[] =
		"{\"metadata\":{\"name\":\"web\",\"namespace\":\"ns\",\"labels\":{\"app\":\"web\",\"tier\":\"fe\"}},"
		"\"status\":{\"phase\":\"Running\"}}";
	json_t *obj = json_loads(obj_json, 0, NULL);
	if (k8s_label_selector_parse(ls, &a, &l, problem, sizeof problem))
		(void)k8s_selector_match_labels(&l, json_object_get(json_object_get(obj, "metadata"), "labels"));
	if (k8s_field_selector_parse(fs, &a, &f, problem, sizeof problem)) {
		(void)k8s_selector_match_fields(&f, obj);
		(void)k8s_field_selector_name(&f);
	}
	json_decref(obj);
	gh_arena_free(&a);
	return 0;
}
