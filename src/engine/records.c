/* The engine's records: the Kubernetes audit log and the AWS API trail, in the state
 * directory beside the store. Offline commands (read_only) open neither: they must not
 * create files in a directory they only read. */
#include <stdio.h>

#include "engine/audit.h"
#include "engine/engine_internal.h"
#include "engine/trail.h"

bool engine_records_open(gh_engine *e, gh_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/audit.log", e->state_dir);
	e->audit = audit_open(path, e->cfg.audit_policy_path, err);
	if (!e->audit)
		return false;
	snprintf(path, sizeof path, "%s/trail.log", e->state_dir);
	e->trail = trail_open(path, err);
	return e->trail != NULL;
}

void engine_records_close(gh_engine *e)
{
	audit_close(e->audit);
	trail_close(e->trail);
	e->audit = NULL;
	e->trail = NULL;
}

gh_audit *engine_audit(gh_engine *e)
{
	return e ? e->audit : NULL;
}

void engine_trail(gh_engine *e, const gh_trail_record *r)
{
	if (e && e->trail)
		trail_aws(e->trail, r, engine_now(e), e->cfg.region, e->account);
}
