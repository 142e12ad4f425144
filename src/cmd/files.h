/* files: the client files `serve` writes into the state directory so that the aws CLI,
 * boto3 and a shell talk to the sandbox with nothing else changed. */
#ifndef GH_CMD_FILES_H
#define GH_CMD_FILES_H

#include <stdbool.h>

#include "base/err.h"

typedef struct gh_listener_url {
	const char *name; /* AWS, WEBHOOK, ... -> GATEHOUSE_<NAME>_URL */
	const char *url;
} gh_listener_url;

typedef struct gh_client_files {
	const char *state_dir;
	const char *region;
	const char *aws_url;  /* endpoint_url of every AWS service */
	const char *ca_file;  /* PEM of the CA that signed our serving certificate, or NULL */
	const char *admin_akid, *admin_secret; /* NULL after the first start: credentials stay */
	const gh_listener_url *listeners;
	int nlisteners;
	const char *kubeconfig; /* exported as KUBECONFIG when set */
} gh_client_files;

/* Writes DIR/aws-config, DIR/aws-credentials (first start only, mode 0600) and DIR/env,
 * each atomically (temporary file, fsync, rename). */
bool files_write_client(const gh_client_files *f, gh_err *err) GH_MUST_CHECK;

/* DIR/serve.json: the settings `serve` decides with (aws-auth file, instance map, STS
 * endpoints), so that `explain` reproduces the server's decisions. Paths are stored
 * absolute. */
struct gh_engine_config;
bool files_write_settings(const char *state_dir, const struct gh_engine_config *cfg, gh_err *err) GH_MUST_CHECK;
/* Fills cfg from DIR/serve.json (strings owned by the returned handle, freed by
 * files_settings_free); a missing file leaves cfg as it was. */
void *files_read_settings(const char *state_dir, struct gh_engine_config *cfg);
void files_settings_free(void *handle);

/* Writes `data` to `path` atomically with the given mode. */
bool files_write_atomic(const char *path, const char *data, size_t n, int mode, gh_err *err) GH_MUST_CHECK;

#endif
