/* Fuzz target: the SubjectAccessReview decoder and the Forbidden message built from it. */
#include <stdint.h>

#include "api/sar.h"
#include "engine/authz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	json_t *doc = NULL;
	gh_authz_req r;
	char problem[320];
	if (sar_decode((gh_str){ (const char *)data, size }, &a, &doc, &r, problem, sizeof problem)) {
		gh_buf msg = { 0 };
		authz_forbidden_message(&r.attrs, GH_STR("reason"), &msg);
		gh_buf_free(&msg);
	}
	json_decref(doc);
	gh_arena_free(&a);
	return 0;
}
