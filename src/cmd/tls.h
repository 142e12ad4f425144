/* tls: the sandbox's CA and serving certificate in the state directory, created on
 * first start and re-issued when the requested names change or expiry nears. */
#ifndef GH_CMD_TLS_H
#define GH_CMD_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

typedef struct gh_tls_files {
	char *cert_pem, *key_pem; /* the serving pair, in memory for the listeners */
	char *ca_pem;
	char ca_path[4096];	  /* DIR/ca.pem: what clients trust (AWS_CA_BUNDLE) */
} gh_tls_files;

bool tls_ensure(const char *state_dir, const char *const *extra_sans, size_t nextra, gh_tls_files *out,
		gh_err *err) GH_MUST_CHECK;
void tls_files_free(gh_tls_files *t);

#endif
