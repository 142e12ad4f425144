/* Fuzzes the node agent's request decoding and EKS Auth's request validation: the input
 * is split at the first newline into a Host header and an Authorization value.
 * Invariants: no crash or leak; a Host accepted with no extra hosts names one of the two
 * link-local addresses; a token that passes the time check has three segments; a token
 * EKS Auth's pattern accepts has exactly two dots. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/eks/eks_auth.h"
#include "domain/eks/pod_agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gh_str all = { (const char *)data, size };
	size_t nl = gh_str_find(all, '\n', 0);
	gh_str host = gh_str_sub(all, 0, nl), token = nl < size ? gh_str_sub(all, nl + 1, size) : GH_STR("");
	const char *extra[] = { "127.0.0.1", "localhost" };
	if (agent_host_ok(host, NULL, 0) &&
	    !(gh_str_has_prefix(gh_str_trim(host), GH_STR("169.254.170.23")) || gh_str_find(host, ':', 0) < host.n))
		abort();
	(void)agent_host_ok(host, extra, 2);
	gh_err err = { 0 };
	if (agent_token_check(token, 1700000000, &err)) {
		size_t dots = 0;
		for (size_t i = 0; i < token.n; i++)
			dots += token.p[i] == '.';
		if (dots != 2)
			abort();
	}
	if (eks_auth_validate(host.n ? host : GH_STR("demo"), token, &err)) {
		size_t dots = 0;
		for (size_t i = 0; i < token.n; i++)
			dots += token.p[i] == '.';
		if (dots != 2)
			abort();
	}
	return 0;
}
