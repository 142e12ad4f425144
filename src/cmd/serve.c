/* gatehouse serve: the sandbox. Opens the state directory (bootstrapping it on first
 * start), starts the AWS and webhook listeners, writes the client files, and runs until
 * SIGINT/SIGTERM, then drains in-flight requests and stops. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/kube_api.h"
#include "api/admission.h"
#include "api/router.h"
#include "api/pod_agent.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/files.h"
#include "cmd/tls.h"
#include "engine/engine.h"
#include "http/server.h"

#define MAX_SANS 32

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gatehouse serve [options]\n\n"
		"Runs the sandbox: AWS endpoints (IAM, STS) and the webhooks (TokenReview at\n"
		"/authenticate and /clusters/NAME/authenticate). On first start it creates the state\n"
		"directory with an account, an admin IAM user and access key, a cluster named demo that\n"
		"maps the admin to system:masters, a CA and a serving certificate. On every start it\n"
		"writes DIR/env (source it), DIR/aws-config and, the first time, DIR/aws-credentials.\n\n"
		"options:\n"
		"  --state-dir DIR         state directory (default ./var)\n"
		"  --listen-aws ADDR:PORT  AWS API listener (default 127.0.0.1:9443; port 0 = any free)\n"
		"  --listen-webhook ADDR:PORT  webhook listener (default 127.0.0.1:9444)\n"
		"  --listen-kube ADDR:PORT Kubernetes API listener for kubectl (default 127.0.0.1:9445);\n"
		"                          DIR/kubeconfig points kubectl at it\n"
		"  --listen-agent ADDR:PORT  the node credential agent, plain HTTP (default 127.0.0.1:9446;\n"
		"                          on a node 169.254.170.23:80); loopback or the agent's link-local\n"
		"                          addresses only\n"
		"  --agent-cluster NAME    the cluster the agent asks EKS Auth for (default demo)\n"
		"  --agent-rate-limit QPS  the agent's requests per second, burst half of it (default\n"
		"                          1000, the real agent's; benchmarks raise it)\n"
		"  --region REGION         the sandbox's region (default us-east-1)\n"
		"  --tls-san NAME          extra DNS name or IP for the serving certificate (repeatable)\n"
		"  --plain-http            serve plain HTTP (refused unless every listener is on loopback)\n"
		"  --aws-auth FILE         read the aws-auth ConfigMap from FILE (YAML) for every cluster\n"
		"                          instead of the stored one; re-read within a second of a change\n"
		"  --sts-passthrough       verify tokens by calling the STS they name (real AWS, as\n"
		"                          aws-iam-authenticator does) instead of the sandbox's own IAM store\n"
		"  --allow-sts-endpoint URL  another STS base URL tokens may name, e.g. a second gatehouse\n"
		"                          (repeatable)\n"
		"  --sts-ca-file FILE      CA bundle for pass-through calls (default: the system's)\n"
		"  --rbac FILE|DIR         Kubernetes RBAC manifests (YAML or JSON, multi-document files,\n"
		"                          `kubectl get -o json` Lists) loaded into every cluster\n"
		"  --pss-config FILE       Pod Security configuration for /validate: a PodSecurityConfiguration\n"
		"                          or an AdmissionConfiguration (default: privileged:latest)\n"
		"  --ec2-instances FILE    JSON object of EC2 instance ID to private DNS name, for the\n"
		"                          {{EC2PrivateDNSName}} template (the sandbox cannot ask EC2)\n"
		"  --audit-policy FILE     audit.k8s.io/v1 Policy (YAML or JSON) for the Kubernetes audit\n"
		"                          log DIR/audit.log (default: the policy EKS runs); AWS calls\n"
		"                          are recorded in DIR/trail.log. Read them with `gatehouse logs`\n"
		"  --oidc-rotation SECONDS how often each cluster's service-account signing key is\n"
		"                          replaced (default 604800, 7 days, as EKS)\n"
		"  --oidc-issuer-base URL  issuer URL base for clusters without one (default EKS's\n"
		"                          https://oidc.eks.REGION.amazonaws.com; /id/HEX is appended)\n"
		"  --oidc-ca-file FILE     CA bundle for other OIDC issuers' discovery (AssumeRoleWith-\n"
		"                          WebIdentity; default: the system's)\n"
		"  --oidc-connect-to H:P:A:P  fetch issuer H:P from A:P instead (tests: a second\n"
		"                          gatehouse as an external issuer; TLS still checks H)\n"
		"  --time-offset SECONDS   shift the server's clock (tests only)\n"
		"  --http-threads N        worker threads per listener (default: one per CPU)\n"
		"  --log-level LEVEL       debug, info (default), warn, error\n"
		"  -h, --help              this help\n");
}

static bool split_addr(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return false;
	size_t hl = (size_t)(colon - s);
	if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl >= hostlen)
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535)
		return false;
	*port = (int)p;
	return true;
}

static bool is_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0;
}

static void url_of(char *out, size_t n, bool tls, const char *host, int port)
{
	/* a wildcard listener is reached through loopback by the clients on this machine */
	if (strcmp(host, "0.0.0.0") == 0)
		host = "127.0.0.1";
	else if (strcmp(host, "::") == 0)
		host = "::1";
	bool v6 = strchr(host, ':') != NULL;
	snprintf(out, n, "%s://%s%s%s:%d", tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* A numeric flag within [lo, hi]; says which flag and range when not. */
static bool int_opt(const char *name, const char *arg, long lo, long hi, long *out)
{
	char *end;
	*out = strtol(arg, &end, 10);
	if (*end || *out < lo || *out > hi) {
		fprintf(stderr, "serve: --%s takes %ld to %ld\n", name, lo, hi);
		return false;
	}
	return true;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, 0, 's' },   { "listen-aws", required_argument, 0, 'a' },
		{ "listen-webhook", required_argument, 0, 'w' }, { "region", required_argument, 0, 'r' },
		{ "tls-san", required_argument, 0, 'n' },     { "plain-http", no_argument, 0, 'p' },
		{ "aws-auth", required_argument, 0, 'm' },    { "sts-passthrough", no_argument, 0, 'P' },
		{ "time-offset", required_argument, 0, 't' }, { "log-level", required_argument, 0, 'l' },
		{ "ec2-instances", required_argument, 0, 'I' }, { "http-threads", required_argument, 0, 'T' },
		{ "rbac", required_argument, 0, 'R' }, { "allow-sts-endpoint", required_argument, 0, 'E' }, { "sts-ca-file", required_argument, 0, 'C' },
		{ "listen-kube", required_argument, 0, 'k' },
		{ "listen-agent", required_argument, 0, 'G' }, { "agent-cluster", required_argument, 0, 'K' },
		{ "agent-rate-limit", required_argument, 0, 'L' },
		{ "audit-policy", required_argument, 0, 'A' },
		{ "pss-config", required_argument, 0, 'Q' },
		{ "oidc-rotation", required_argument, 0, 'O' }, { "oidc-issuer-base", required_argument, 0, 'B' },
		{ "oidc-ca-file", required_argument, 0, 'F' }, { "oidc-connect-to", required_argument, 0, 'X' },
		{ "help", no_argument, 0, 'h' },	      { 0, 0, 0, 0 },
	};
	const char *pss_config = NULL;
	const char *state_dir = "./var", *listen_aws = "127.0.0.1:9443", *listen_wh = "127.0.0.1:9444";
	const char *listen_kube = "127.0.0.1:9445";
	const char *listen_agent = "127.0.0.1:9446", *agent_cluster = "demo";
	long agent_rate = 0;
	const char *region = "us-east-1", *aws_auth = NULL;
	const char *sans[MAX_SANS];
	size_t nsans = 0;
	const char *allowed[MAX_SANS];
	size_t nallowed = 0;
	const char *sts_ca = NULL, *instances = NULL, *rbac = NULL, *audit_policy = NULL;
	bool plain = false, passthrough = false;
	long threads = 0;
	long offset = 0, rotation = 0;
	const char *issuer_base = NULL, *oidc_ca = NULL, *connect_to = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': state_dir = optarg; break;
		case 'a': listen_aws = optarg; break;
		case 'w': listen_wh = optarg; break;
		case 'k': listen_kube = optarg; break;
		case 'G': listen_agent = optarg; break;
		case 'K': agent_cluster = optarg; break;
		case 'L':
			if (!int_opt("agent-rate-limit", optarg, 2, 100000000, &agent_rate))
				return 2;
			break;
		case 'r': region = optarg; break;
		case 'n':
			if (nsans == MAX_SANS) {
				fprintf(stderr, "serve: at most %d --tls-san\n", MAX_SANS);
				return 2;
			}
			sans[nsans++] = optarg;
			break;
		case 'p': plain = true; break;
		case 'm': aws_auth = optarg; break;
		case 'P': passthrough = true; break;
		case 'E':
			if (nallowed == MAX_SANS) {
				fprintf(stderr, "serve: at most %d --allow-sts-endpoint\n", MAX_SANS);
				return 2;
			}
			allowed[nallowed++] = optarg;
			break;
		case 'C': sts_ca = optarg; break;
		case 'I': instances = optarg; break;
		case 'R': rbac = optarg; break;
		case 'A': audit_policy = optarg; break;
		case 'Q': pss_config = optarg; break;
		case 'T':
			if (!int_opt("http-threads", optarg, 1, 256, &threads))
				return 2;
			break;
		case 't': offset = strtol(optarg, NULL, 10); break;
		case 'O':
			rotation = strtol(optarg, NULL, 10);
			if (rotation < 60) {
				fprintf(stderr, "serve: --oidc-rotation takes at least 60 seconds\n");
				return 2;
			}
			break;
		case 'B':
			if (strncmp(optarg, "https://", 8) != 0) {
				fprintf(stderr, "serve: --oidc-issuer-base must be an https:// URL\n");
				return 2;
			}
			issuer_base = optarg;
			break;
		case 'F': oidc_ca = optarg; break;
		case 'X': connect_to = optarg; break;
		case 'l':
			gh_log_set_level(strcmp(optarg, "debug") == 0 ? GH_LOG_DEBUG
					 : strcmp(optarg, "warn") == 0 ? GH_LOG_WARN
					 : strcmp(optarg, "error") == 0 ? GH_LOG_ERROR
									: GH_LOG_INFO);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "serve: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	char aws_host[256], wh_host[256], kube_host[256], agent_host[256];
	int aws_port, wh_port, kube_port, agent_port;
	if (!split_addr(listen_aws, aws_host, sizeof aws_host, &aws_port) ||
	    !split_addr(listen_wh, wh_host, sizeof wh_host, &wh_port) ||
	    !split_addr(listen_kube, kube_host, sizeof kube_host, &kube_port) ||
	    !split_addr(listen_agent, agent_host, sizeof agent_host, &agent_port)) {
		fprintf(stderr, "serve: a listen address must be HOST:PORT (e.g. 127.0.0.1:0)\n");
		return 2;
	}
	/* The agent speaks plain HTTP, as SDKs' container providers expect: only where no one
	 * off the node can listen in. */
	if (!is_loopback(agent_host) && strcmp(agent_host, "169.254.170.23") != 0 &&
	    strcmp(agent_host, "fd00:ec2::23") != 0) {
		fprintf(stderr, "serve: --listen-agent must be a loopback address, 169.254.170.23 or fd00:ec2::23\n");
		return 2;
	}
	if (plain && (!is_loopback(aws_host) || !is_loopback(wh_host) || !is_loopback(kube_host))) {
		fprintf(stderr, "serve: --plain-http is allowed only when every listener is on loopback\n");
		return 2;
	}

	gh_err err = { 0 };
	/* TLS material first: the STS URL (which tokens may name) depends on the scheme. */
	gh_tls_files tls = { 0 };
	if (!plain && !tls_ensure(state_dir, sans, nsans, &tls, &err)) {
		fprintf(stderr, "serve: %s\n", err.msg);
		return 1;
	}
	gh_engine_config cfg = { .state_dir = state_dir, .region = region, .partition = "aws",
				 .aws_auth_file = aws_auth, .time_offset = offset,
				 .passthrough = passthrough, .sts_ca_file = sts_ca, .allowed_sts = allowed,
				 .nallowed_sts = nallowed, .ec2_instances_file = instances, .rbac_path = rbac,
				 .audit_policy_path = audit_policy, .pss_config_path = pss_config, .oidc_rotation = rotation,
				 .oidc_issuer_base = issuer_base, .oidc_ca_file = oidc_ca, .oidc_connect_to = connect_to };
	gh_metrics *metrics = metrics_new();
	gh_http_config hc = { .bind_addr = aws_host, .port = (uint16_t)aws_port, .tls_cert_pem = tls.cert_pem,
			      .tls_key_pem = tls.key_pem, .metrics = metrics, .threads = (unsigned)threads };
	gh_router router = { .metrics = metrics };
	gh_http_server *aws = http_server_start(&hc, router_aws, &router, &err);
	if (!aws) {
		fprintf(stderr, "serve: AWS listener on %s: %s\n", listen_aws, err.msg);
		tls_files_free(&tls);
		return 1;
	}
	char aws_url[300], wh_url[300];
	url_of(aws_url, sizeof aws_url, !plain, aws_host, http_server_port(aws));
	cfg.own_sts_url = aws_url;
	gh_engine *e;
	gh_bootstrap boot;
	if (!engine_open(&cfg, &e, &boot, &err)) {
		fprintf(stderr, "serve: %s\n", err.msg);
		http_server_stop(aws);
		tls_files_free(&tls);
		return 1;
	}
	atomic_store(&router.engine, e);
	hc.bind_addr = wh_host;
	hc.port = (uint16_t)wh_port;
	hc.max_body_bytes = ADMISSION_LISTENER_MAX_BODY; /* AdmissionReviews carry two objects */
	gh_http_server *wh = http_server_start(&hc, router_webhook, &router, &err);
	if (!wh) {
		fprintf(stderr, "serve: webhook listener on %s: %s\n", listen_wh, err.msg);
		http_server_stop(aws);
		engine_close(e);
		tls_files_free(&tls);
		return 1;
	}
	url_of(wh_url, sizeof wh_url, !plain, wh_host, http_server_port(wh));
	router.webhook_url = wh_url;
	/* The Kubernetes API: one thread per connection, since watches block while they wait. */
	gh_kube_api kapi = { 0 };
	atomic_store(&kapi.engine, e);
	gh_http_config kc = hc;
	kc.bind_addr = kube_host;
	kc.port = (uint16_t)kube_port;
	kc.thread_per_connection = true;
	kc.max_body_bytes = 3 * 1024 * 1024;
	kc.timeout_seconds = 120;
	gh_http_server *kube = http_server_start(&kc, kube_api_handle, &kapi, &err);
	if (!kube) {
		fprintf(stderr, "serve: Kubernetes API listener on %s: %s\n", listen_kube, err.msg);
		http_server_stop(wh);
		http_server_stop(aws);
		engine_close(e);
		tls_files_free(&tls);
		return 1;
	}
	char kube_url[300];
	url_of(kube_url, sizeof kube_url, !plain, kube_host, http_server_port(kube));
	kapi.base_url = kube_url;
	/* The agent answers to its link-local names and, in the sandbox, to the loopback name
	 * it is bound to (botocore's container provider allows plain HTTP to loopback only). */
	const char *agent_hosts[2] = { agent_host, "localhost" };
	gh_pod_agent *agent = pod_agent_new(agent_cluster, agent_hosts, is_loopback(agent_host) ? 2 : 1,
						    (double)agent_rate);
	gh_http_server *agent_srv = NULL;
	if (agent) {
		pod_agent_set_engine(agent, e);
		gh_http_config ac = { .bind_addr = agent_host, .port = (uint16_t)agent_port, .metrics = metrics,
				      .threads = (unsigned)threads, .max_body_bytes = 64 * 1024 };
		agent_srv = http_server_start(&ac, pod_agent_handle, agent, &err);
	} else {
		gh_fail(&err, "OutOfMemory", 500, "out of memory");
	}
	if (!agent_srv) {
		fprintf(stderr, "serve: agent listener on %s: %s\n", listen_agent, err.msg);
		pod_agent_free(agent);
		atomic_store(&kapi.stopping, true);
		http_server_stop(kube);
		http_server_stop(wh);
		http_server_stop(aws);
		engine_close(e);
		tls_files_free(&tls);
		return 1;
	}
	char agent_url[300];
	url_of(agent_url, sizeof agent_url, false, agent_host, http_server_port(agent_srv));
	gh_listener_url listeners[] = { { "AWS", aws_url }, { "WEBHOOK", wh_url }, { "KUBE", kube_url },
					{ "AGENT", agent_url } };
	gh_client_files files = { .state_dir = state_dir, .region = region, .aws_url = aws_url,
				  .ca_file = plain ? NULL : tls.ca_path, .admin_akid = boot.admin_akid,
				  .admin_secret = boot.admin_secret, .listeners = listeners, .nlisteners = 4 };
	char abs_dir[4096], kubeconfig[4200];
	if (realpath(state_dir, abs_dir))
		files.state_dir = abs_dir;
	snprintf(kubeconfig, sizeof kubeconfig, "%s/kubeconfig", files.state_dir);
	files.kubeconfig = kubeconfig;
	if (!files_write_client(&files, &err) || !files_write_settings(state_dir, &cfg, &err) ||
	    !kubeconfig_write(files.state_dir, "demo", NULL, kubeconfig, &err)) {
		fprintf(stderr, "serve: %s\n", err.msg);
		atomic_store(&kapi.stopping, true);
		http_server_stop(agent_srv);
		pod_agent_free(agent);
		http_server_stop(kube);
		http_server_stop(wh);
		http_server_stop(aws);
		engine_close(e);
		tls_files_free(&tls);
		return 1;
	}
	printf("gatehouse %s serving\n", GH_VERSION);
	if (boot.first_start)
		printf("  first start: created account %s, IAM user %s (administrator) with an access key,\n"
		       "  and cluster %s mapping the administrator to system:masters\n",
		       boot.account_id, boot.admin_arn, boot.default_cluster);
	printf("  AWS (IAM, STS):  %s\n  webhooks:        %s/authenticate\n", aws_url, wh_url);
	printf("  Kubernetes API:  %s (kubeconfig: %s)\n", kube_url, kubeconfig);
	printf("  node agent:      %s/v1/credentials (cluster %s)\n", agent_url, agent_cluster);
	printf("  use it:          source %s/env && aws sts get-caller-identity\n", files.state_dir);
	fflush(stdout);
	gh_log_info("serve.ready", "aws", aws_url, "webhook", wh_url, "kube", kube_url, "agent", agent_url);

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!stop_requested)
		pause();
	gh_log_info("serve.stopping");
	atomic_store(&kapi.stopping, true);
	http_server_stop(agent_srv);
	pod_agent_free(agent);
	http_server_stop(kube);
	http_server_stop(wh);
	http_server_stop(aws);
	engine_close(e);
	tls_files_free(&tls);
	metrics_free(metrics);
	gh_log_info("serve.stopped");
	return 0;
}
