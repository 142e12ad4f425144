/* gatehouse webhook-config: the kubeconfig-format file kube-apiserver's
 * --authentication-token-webhook-config-file takes, pointing at this gatehouse; or, with
 * --validate, the ValidatingWebhookConfiguration that sends Pod Security reviews here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "cmd/cmd.h"
#include "cmd/statefiles.h"
#include "codec/base64.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: gatehouse webhook-config [--state-dir DIR] [--cluster NAME] [--url URL]\n"
		   "                              [--authorize | --validate | --mutate]\n\n"
		   "Prints the authentication webhook configuration for kube-apiserver\n"
		   "(--authentication-token-webhook-config-file), or with --authorize the authorization\n"
		   "webhook's (--authorization-webhook-config-file, with --authorization-mode=Node,RBAC,Webhook\n"
		   "as EKS runs it). The URL defaults to the webhook listener recorded in DIR/env and the\n"
		   "CA to DIR/ca.pem. With --validate it prints a ValidatingWebhookConfiguration to apply\n"
		   "with kubectl: pods and namespaces go to /validate with failurePolicy Fail, pod controllers\n"
		   "with failurePolicy Ignore (they are only warned about), as upstream's webhook installs.\n\n"
		   "options:\n"
		   "  --state-dir DIR  the state directory of `gatehouse serve` (default ./var)\n"
		   "  --cluster NAME   the cluster whose mappings apply (default demo)\n"
		   "  --url URL        the webhook base URL, when gatehouse runs elsewhere\n"
		   "  --authorize      the SubjectAccessReview webhook instead of TokenReview\n"
		   "  --validate       the Pod Security admission webhook (AdmissionReview)\n"
		   "  --mutate         a MutatingWebhookConfiguration (kubectl apply -f) for the IRSA and\n"
		   "                   Pod Identity pod mutation\n");
}

/* One webhook entry of the ValidatingWebhookConfiguration. */
static void print_webhook(const char *name, const char *failure, const char *url, const char *ca_b64,
			  const char *const *rules)
{
	printf("  - name: %s\n    admissionReviewVersions: [v1, v1beta1]\n    sideEffects: None\n"
	       "    failurePolicy: %s\n    timeoutSeconds: 10\n    clientConfig:\n      url: %s\n",
	       name, failure, url);
	if (ca_b64)
		printf("      caBundle: %s\n", ca_b64);
	printf("    rules:\n");
	for (size_t i = 0; rules[i]; i += 2)
		printf("      - apiGroups: [\"%s\"]\n        apiVersions: [\"*\"]\n        operations: [CREATE, UPDATE]\n"
		       "        resources: [%s]\n",
		       rules[i], rules[i + 1]);
}

static void print_validating(const char *base, const char *cluster, const char *ca)
{
	char url[1024];
	if (cluster)
		snprintf(url, sizeof url, "%s/clusters/%s/validate", base, cluster);
	else
		snprintf(url, sizeof url, "%s/validate", base);
	gh_buf b64 = { 0 };
	if (ca)
		base64_encode_buf(ca, strlen(ca), BASE64_STD, true, &b64);
	static const char *const pods[] = { "", "namespaces, pods, pods/ephemeralcontainers",
					    NULL };
	static const char *const controllers[] = { "", "replicationcontrollers, podtemplates", "apps",
						   "replicasets, deployments, statefulsets, daemonsets", "batch",
						   "jobs, cronjobs", NULL };
	printf("# kubectl apply -f <this file>: Pod Security admission by gatehouse\n"
	       "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
	       "metadata:\n  name: pod-security.gatehouse.dev\nwebhooks:\n");
	print_webhook("pod-security-webhook.gatehouse.dev", "Fail", url, b64.p, pods);
	print_webhook("pod-security-controllers.gatehouse.dev", "Ignore", url, b64.p, controllers);
	gh_buf_free(&b64);
}

/* The webhook's manifest as upstream deploys it (CREATE of pods, the skip label as an
 * objectSelector, failurePolicy Ignore so pods are still created while gatehouse is
 * down), with both AdmissionReview versions gatehouse answers. */
static void print_mutating(const char *base, const char *cluster, const char *ca)
{
	printf("# kubectl apply -f <this file>\n"
	       "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n"
	       "  name: gatehouse-pod-identity-webhook\nwebhooks:\n"
	       "  - name: pod-identity-webhook.gatehouse.local\n"
	       "    admissionReviewVersions: [\"v1\", \"v1beta1\"]\n    sideEffects: None\n"
	       "    failurePolicy: Ignore\n    clientConfig:\n");
	if (cluster)
		printf("      url: %s/clusters/%s/mutate\n", base, cluster);
	else
		printf("      url: %s/mutate\n", base);
	if (ca) {
		gh_buf b64 = { 0 };
		base64_encode_buf(ca, strlen(ca), BASE64_STD, true, &b64);
		printf("      caBundle: %s\n", b64.p);
		gh_buf_free(&b64);
	}
	printf("    rules:\n      - operations: [\"CREATE\"]\n        apiGroups: [\"\"]\n        apiVersions: [\"v1\"]\n"
	       "        resources: [\"pods\"]\n    objectSelector:\n      matchExpressions:\n"
	       "        - key: eks.amazonaws.com/skip-pod-identity-webhook\n          operator: DoesNotExist\n");
}

int cmd_webhook_config(int argc, char **argv)
{
	static const struct option opts[] = { { "state-dir", required_argument, 0, 's' },
					      { "cluster", required_argument, 0, 'c' },
					      { "url", required_argument, 0, 'u' },
					      { "authorize", no_argument, 0, 'z' },
					      { "validate", no_argument, 0, 'v' },
					      { "mutate", no_argument, 0, 'm' },
					      { "help", no_argument, 0, 'h' },
					      { 0, 0, 0, 0 } };
	const char *dir = "./var", *cluster = NULL, *url = NULL, *op = "authenticate";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'c': cluster = optarg; break;
		case 'u': url = optarg; break;
		case 'z': op = "authorize"; break;
		case 'v': op = "validate"; break;
		case 'm': op = "mutate"; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	char *base = url ? strdup(url) : statefiles_env(dir, "GATEHOUSE_WEBHOOK_URL");
	if (!base) {
		fprintf(stderr, "webhook-config: no webhook URL: start `gatehouse serve --state-dir %s` once, or pass --url\n",
			dir);
		return 1;
	}
	char ca_path[4096];
	snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);
	char *ca = strncmp(base, "https://", 8) == 0 ? statefiles_read(ca_path) : NULL;
	if (strcmp(op, "validate") == 0 || strcmp(op, "mutate") == 0) {
		if (strcmp(op, "validate") == 0)
			print_validating(base, cluster, ca);
		else
			print_mutating(base, cluster, ca);
		free(base);
		free(ca);
		return 0;
	}
	printf("# kube-apiserver --%s=<this file>\n",
	       strcmp(op, "authorize") == 0 ? "authorization-webhook-config-file"
					    : "authentication-token-webhook-config-file");
	printf(
	       "apiVersion: v1\nkind: Config\nclusters:\n  - name: gatehouse\n    cluster:\n");
	if (ca) {
		gh_buf b64 = { 0 };
		base64_encode_buf(ca, strlen(ca), BASE64_STD, true, &b64);
		printf("      certificate-authority-data: %s\n", b64.p);
		gh_buf_free(&b64);
	}
	if (cluster)
		printf("      server: %s/clusters/%s/%s\n", base, cluster, op);
	else
		printf("      server: %s/%s\n", base, op);
	printf("users:\n  - name: kube-apiserver\n    user: {}\n"
	       "contexts:\n  - name: gatehouse\n    context:\n      cluster: gatehouse\n      user: kube-apiserver\n"
	       "current-context: gatehouse\n");
	free(base);
	free(ca);
	return 0;
}
