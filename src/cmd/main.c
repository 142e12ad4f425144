/* gatehouse: the program and its subcommands. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static const struct gh_command commands[] = {
	{ "serve", "run the sandbox: AWS endpoints (IAM, STS) and the webhooks", cmd_serve },
	{ "explain", "explain a decision: `explain token TOKEN`, `explain access VERB RESOURCE --as ...`",
	  cmd_explain },
	{ "can-i", "may an identity do this? (kubectl auth can-i, offline)", cmd_can_i },
	{ "who-can", "every identity that may do this, and what grants it", cmd_who_can },
	{ "kubeconfig", "print a kubeconfig for a sandbox cluster (aws eks get-token as the exec plugin)",
	  cmd_kubeconfig },
	{ "logs", "query the audit log and the AWS API trail: --failed, --principal, --secrets-read, ...",
	  cmd_logs },
	{ "pss", "Pod Security Standards over manifests: `pss check -f FILE|DIR`", cmd_pss },
	{ "webhook-config", "print kube-apiserver's authentication webhook config", cmd_webhook_config },
	{ "version", "print the version", cmd_version },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: gatehouse <command> [options]\n\n"
		   "gatehouse is a self-hostable EKS identity and access-control plane.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun `gatehouse <command> --help` for a command's options.\n");
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: gatehouse version\n\nPrints the version of gatehouse.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "version: unexpected argument \"%s\"\n", argv[1]);
		return 2;
	}
	printf("gatehouse %s\n", GH_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "gatehouse: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
