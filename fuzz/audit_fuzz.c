/* Fuzzes the audit policy parser and decider, and the log queries of `gatehouse logs`.
 * The input is read twice: as a Policy document (decided for a fixed set of requests) and
 * as one log line (classified, matched against every question, formatted). Invariants: no
 * crash, no leak, levels in range, a text line is exactly one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/k8s/audit_policy.h"
#include "domain/k8s/audit_query.h"

static void decide_all(const audit_policy *p)
{
	static const char *groups[] = { "system:authenticated", "system:nodes" };
	const audit_attrs at[] = {
		{ .user = "alice", .groups = groups, .ngroups = 2, .verb = "get", .is_resource = true,
		  .resource = "secrets", .namespace_ = "default", .name = "db" },
		{ .user = "kubelet", .verb = "patch", .is_resource = true, .resource = "nodes", .subresource = "status" },
		{ .user = "bob", .verb = "create", .is_resource = true, .api_group = "rbac.authorization.k8s.io",
		  .resource = "clusterrolebindings", .name = "x" },
		{ .user = "carol", .verb = "get", .path = "/healthz/etcd" },
		{ .verb = "get" },
	};
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		audit_level l;
		unsigned omit;
		bool managed;
		audit_policy_decide(p, &at[i], &l, &omit, &managed);
		if ((unsigned)l > AUDIT_LEVEL_REQUEST_RESPONSE || omit > 15)
			abort();
	}
}

static void query_line(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	audit_record r;
	if (doc && audit_query_classify(doc, &r)) {
		const audit_query qs[] = { { 0 }, { .failed = true }, { .secrets_read = true },
					   { .access_entries = true, .all_stages = true },
					   { .principal = "alice", .has_since = true, .since_us = 0 } };
		for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
			(void)audit_query_match(&qs[i], &r);
		gh_buf b = { 0 };
		audit_query_text(&r, &b);
		if (b.oom || !b.n || b.p[b.n - 1] != '\n' || memchr(b.p, '\n', b.n - 1))
			abort();
		gh_buf_free(&b);
	}
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_policy *p = NULL;
	if (audit_policy_parse((gh_str){ (const char *)data, size }, &p, NULL)) {
		decide_all(p);
		audit_policy_free(p);
	}
	query_line(data, size);
	int64_t since;
	(void)audit_query_parse_since((gh_str){ (const char *)data, size < 64 ? size : 64 }, 0, &since, NULL);
	return 0;
}
