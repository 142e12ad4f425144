/* Fuzzes the three PATCH algorithms. The input is "<document>\0<patch>" (no NUL: the
 * whole input is the patch, applied to {}). Both halves are parsed by jansson with a size
 * bound; then JSON Patch, merge patch and strategic merge patch (Pod schema) run on them.
 * Invariants: no crash, no leak; a failure leaves no output and has a message; a success
 * returns a tree that serializes; the inputs are never modified. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/jsonpatch.h"
#include "codec/smpatch.h"

#define MAX_HALF (64 * 1024)

static json_t *parse(const uint8_t *p, size_t n)
{
	if (n > MAX_HALF)
		return NULL;
	return json_loadb((const char *)p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

static void check(bool ok, json_t *out, const gh_err *e)
{
	if (ok) {
		char *text = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT);
		if (!text)
			abort();
		free(text);
		json_decref(out);
	} else if (out || !e->code || !e->msg[0]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	json_t *doc, *patch;
	if (nul) {
		doc = parse(data, (size_t)(nul - data));
		patch = parse(nul + 1, size - (size_t)(nul - data) - 1);
	} else {
		doc = json_object();
		patch = parse(data, size);
	}
	if (!doc || !patch) {
		json_decref(doc);
		json_decref(patch);
		return 0;
	}
	json_t *dsnap = json_deep_copy(doc), *psnap = json_deep_copy(patch);
	size_t n = 0;
	const smp_field *pod = smp_schema_for_kind("", "Pod", &n);

	json_t *out = NULL;
	gh_err e = { 0 };
	check(json_patch_apply_err(doc, patch, &out, &e), out, &e);
	e = (gh_err){ 0 };
	out = NULL;
	check(json_merge_patch_apply_err(doc, patch, &out, &e), out, &e);
	e = (gh_err){ 0 };
	out = NULL;
	check(smp_apply_err(doc, patch, pod, n, &out, &e), out, &e);
	char problem[64];
	out = NULL;
	if (smp_apply(doc, patch, pod, n, &out, problem, sizeof problem))
		json_decref(out);

	if (!json_equal(doc, dsnap) || !json_equal(patch, psnap))
		abort();
	json_decref(dsnap);
	json_decref(psnap);
	json_decref(doc);
	json_decref(patch);
	return 0;
}
