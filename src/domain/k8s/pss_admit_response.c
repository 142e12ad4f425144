/* Admission responses built in the arena. */
#include <string.h>

#include "domain/k8s/pss_admit_internal.h"

const char *pss_resp_astr(gh_arena *a, const gh_buf *b)
{
	const char *s = gh_arena_strndup(a, b->p ? b->p : "", b->n);
	return s ? s : "";
}

void pss_resp_audit_add(pss_response *out, const char *key, const char *value)
{
	if (out->naudit < sizeof out->audit / sizeof *out->audit)
		out->audit[out->naudit++] = (pss_kv){ key, value };
	/* Kept sorted by key, as a Go map is when it is encoded. */
	for (size_t i = out->naudit - 1; i > 0 && strcmp(out->audit[i - 1].key, out->audit[i].key) > 0; i--) {
		pss_kv t = out->audit[i];
		out->audit[i] = out->audit[i - 1];
		out->audit[i - 1] = t;
	}
}

void pss_resp_allow(pss_response *out)
{
	*out = (pss_response){ .allowed = true };
}

void pss_resp_allow_exempt(pss_response *out, const char *why)
{
	pss_resp_allow(out);
	pss_resp_audit_add(out, "exempt", why);
}

void pss_resp_deny(pss_response *out, int code, const char *reason, const char *message)
{
	out->allowed = false;
	out->code = code;
	out->reason = reason;
	out->message = message;
}

void pss_resp_add_warning(pss_response *out, gh_arena *a, size_t cap, const char *w)
{
	if (!out->warnings)
		out->warnings = gh_arena_alloc(a, cap * sizeof *out->warnings);
	if (out->warnings && out->nwarnings < cap)
		out->warnings[out->nwarnings++] = w;
}
