/* cmd: the subcommands of the gatehouse program. Each takes its own argv (argv[0] is
 * the subcommand name) and returns the process exit code. */
#ifndef GH_CMD_H
#define GH_CMD_H

#define GH_VERSION "0.1.0"

struct gh_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_serve(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_webhook_config(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_can_i(int argc, char **argv);
int cmd_who_can(int argc, char **argv);
int cmd_explain_access(int argc, char **argv);
int cmd_kubeconfig(int argc, char **argv);

#include "base/err.h"
/* Writes a kubeconfig for `cluster` of the sandbox in `state_dir` (to stdout when path is
 * NULL). Reads the endpoints from DIR/env. */
bool kubeconfig_write(const char *state_dir, const char *cluster, const char *role_arn, const char *path,
		      gh_err *err);
int cmd_logs(int argc, char **argv);
int cmd_pss(int argc, char **argv);

#endif
