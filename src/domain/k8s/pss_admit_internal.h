/* pss_admit_internal: what the admission files share (internal to domain/k8s/pss_admit*):
 * building a response in the arena, and the namespace half of the decision. */
#ifndef GH_K8S_PSS_ADMIT_INTERNAL_H
#define GH_K8S_PSS_ADMIT_INTERNAL_H

#include "domain/k8s/pss_admit.h"

/* A copy of the buffer in the arena ("" on OOM). */
const char *pss_resp_astr(gh_arena *a, const gh_buf *b);
/* Audit annotations, kept sorted by key as a Go map is when it is encoded. */
void pss_resp_audit_add(pss_response *out, const char *key, const char *value);
void pss_resp_allow(pss_response *out);
void pss_resp_allow_exempt(pss_response *out, const char *why);
void pss_resp_deny(pss_response *out, int code, const char *reason, const char *message);
/* Appends a warning; the array (cap entries) is allocated on first use. */
void pss_resp_add_warning(pss_response *out, gh_arena *a, size_t cap, const char *w);

/* Namespaces: label validation, and warnings about existing pods when enforce tightens
 * (pss_admit_namespace.c). */
void pss_validate_namespace(const pss_config *cfg, const pss_request *r, gh_arena *a, pss_response *out);

#endif
