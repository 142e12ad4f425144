/* gatehouse kubeconfig: a kubeconfig for one of the sandbox's clusters whose user runs
 * `aws eks get-token` against the sandbox (the exec plugin kubectl calls for every
 * request), exactly as `aws eks update-kubeconfig` writes one for EKS, with the
 * sandbox's endpoint and CA. `serve` writes DIR/kubeconfig for the demo cluster. The
 * file is JSON, which kubectl reads like YAML and which needs no quoting rules. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/files.h"
#include "cmd/statefiles.h"
#include "codec/base64.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: gatehouse kubeconfig [--state-dir DIR] [--cluster NAME] [--role-arn ARN] [-o FILE]\n\n"
		   "Prints (or writes to FILE, mode 0600) a kubeconfig for a cluster of the running sandbox:\n"
		   "its Kubernetes API endpoint and CA, and a user whose credentials come from\n"
		   "`aws eks get-token --cluster-name NAME [--role-arn ARN]` against the sandbox's STS.\n\n"
		   "options:\n"
		   "  --state-dir DIR   the sandbox's state directory (default ./var)\n"
		   "  --cluster NAME    the cluster (default demo)\n"
		   "  --role-arn ARN    assume this IAM role for the token (as update-kubeconfig --role-arn)\n"
		   "  -o, --output FILE write the file instead of printing it\n"
		   "  -h, --help        this help\n");
}

static void env_entry(json_t *env, const char *dir, const char *key)
{
	char *v = statefiles_env(dir, key);
	if (v)
		json_array_append_new(env, json_pack("{s:s, s:s}", "name", key, "value", v));
	free(v);
}

bool kubeconfig_write(const char *dir, const char *cluster, const char *role_arn, const char *out_path,
		      gh_err *err)
{
	char *base = statefiles_env(dir, "GATEHOUSE_KUBE_URL");
	char *region = statefiles_env(dir, "AWS_REGION");
	if (!base) {
		free(region);
		return gh_fail(err, "NotFound", 404, "no Kubernetes API URL in %s/env: start `gatehouse serve` first",
			       dir);
	}
	char server[4200], ca_path[4096];
	if (strcmp(cluster, "demo") == 0)
		snprintf(server, sizeof server, "%s", base);
	else
		snprintf(server, sizeof server, "%s/clusters/%s", base, cluster);
	json_t *cl = json_pack("{s:s}", "server", server);
	snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);
	char *ca = strncmp(base, "https://", 8) == 0 ? statefiles_read(ca_path) : NULL;
	if (ca) {
		gh_buf b64 = { 0 };
		base64_encode_buf(ca, strlen(ca), BASE64_STD, true, &b64);
		json_object_set_new(cl, "certificate-authority-data", json_string(b64.p ? b64.p : ""));
		gh_buf_free(&b64);
	}
	json_t *args = json_pack("[s, s, s, s, s, s]", "--region", region ? region : "us-east-1", "eks", "get-token",
				 "--cluster-name", cluster);
	if (role_arn) {
		json_array_append_new(args, json_string("--role-arn"));
		json_array_append_new(args, json_string(role_arn));
	}
	json_array_append_new(args, json_string("--output"));
	json_array_append_new(args, json_string("json"));
	json_t *env = json_array();
	const char *keys[] = { "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL_STS",
			       "AWS_CA_BUNDLE" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		env_entry(env, dir, keys[i]);
	/* one user (and context) per role, so several files merge without clashing */
	char user[300];
	const char *role_name = role_arn && strrchr(role_arn, '/') ? strrchr(role_arn, '/') + 1 : role_arn;
	if (role_name)
		snprintf(user, sizeof user, "%s-%s", cluster, role_name);
	else
		snprintf(user, sizeof user, "%s", cluster);
	json_t *doc = json_pack(
		"{s:s, s:s, s:[{s:s, s:o}], s:[{s:s, s:{s:s, s:s}}], s:s, s:{}, s:[{s:s, s:{s:{s:s, s:s, s:o, s:o, "
		"s:s, s:b}}}]}",
		"apiVersion", "v1", "kind", "Config", "clusters", "name", cluster, "cluster", cl, "contexts", "name", user,
		"context", "cluster", cluster, "user", user, "current-context", user, "preferences", "users", "name", user,
		"user", "exec", "apiVersion", "client.authentication.k8s.io/v1beta1", "command", "aws", "args", args,
		"env", env, "interactiveMode", "Never", "provideClusterInfo", 0);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	free(base);
	free(region);
	free(ca);
	if (!text)
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	bool ok = true;
	if (out_path) {
		size_t n = strlen(text);
		text[n] = '\n';
		ok = files_write_atomic(out_path, text, n + 1, 0600, err);
		text[n] = '\0';
	} else {
		printf("%s\n", text);
	}
	free(text);
	return ok;
}

int cmd_kubeconfig(int argc, char **argv)
{
	static const struct option opts[] = { { "state-dir", required_argument, 0, 's' },
					      { "cluster", required_argument, 0, 'c' },
					      { "role-arn", required_argument, 0, 'r' },
					      { "output", required_argument, 0, 'o' },
					      { "help", no_argument, 0, 'h' },
					      { 0, 0, 0, 0 } };
	const char *dir = "./var", *cluster = "demo", *role = NULL, *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'c': cluster = optarg; break;
		case 'r': role = optarg; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kubeconfig: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	gh_err err = { 0 };
	if (!kubeconfig_write(dir, cluster, role, out, &err)) {
		fprintf(stderr, "kubeconfig: %s\n", err.msg);
		return 1;
	}
	return 0;
}
