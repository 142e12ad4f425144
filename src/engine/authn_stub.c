/* Temporary until the token verifier lands: every token is refused. */
#include "engine/engine_internal.h"
#include "engine/maps.h"

bool engine_cluster_exists(gh_engine *e, gh_str cluster)
{
	gh_cluster_maps *m = maps_acquire(e);
	bool ok = maps_find(m, cluster) != NULL;
	maps_unref(m);
	return ok;
}

void engine_token_review(gh_engine *e, gh_str cluster, gh_str token, gh_arena *a, gh_token_review *out,
			 gh_trace_fn trace, void *trace_ctx)
{
	(void)e; (void)cluster; (void)token; (void)a; (void)trace; (void)trace_ctx;
	*out = (gh_token_review){ .status = 403 };
	gh_fail(&out->error, "NotBuilt", 403, "token verification is not built yet");
}
