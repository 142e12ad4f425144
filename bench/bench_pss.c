/* bench_pss: Pod Security evaluation cost on one core.
 *
 * Pods: "compliant" is a typical restricted-compliant pod (an init container and three
 * containers with probes, ports, volumes of allowed types and pod-level seccomp);
 * "failing" is the same pod with the usual sins (no container securityContext, a hostPath
 * volume, an added capability), so every restricted check has something to say.
 * Rows:
 *   decode           JSON already parsed (jansson) -> the decoded pod (pss_pod_decode)
 *   restricted:latest  every check on the decoded pod, no decoding (pss_evaluate)
 *   baseline:latest    the same at baseline
 *   admit            the whole admission decision for a pod CREATE in a namespace
 *                    labelled enforce=restricted (decode + enforce, audit, warn)
 * Each row is the best of five batches of N iterations, in ns per pod. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "domain/k8s/pss.h"
#include "domain/k8s/pss_admit.h"
#include "domain/k8s/pss_pod.h"

static const char *compliant =
	"{\"metadata\":{\"name\":\"web-7d9f\",\"namespace\":\"shop\",\"labels\":{\"app\":\"web\"},"
	"\"annotations\":{\"prometheus.io/scrape\":\"true\"},"
	"\"ownerReferences\":[{\"controller\":true,\"kind\":\"ReplicaSet\",\"name\":\"web\",\"uid\":\"1\"}]},"
	"\"spec\":{\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":1000,\"fsGroup\":2000,"
	"\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
	"\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"web\"}},{\"name\":\"tmp\",\"emptyDir\":{}},"
	"{\"name\":\"token\",\"projected\":{\"sources\":[]}}],"
	"\"initContainers\":[{\"name\":\"migrate\",\"image\":\"app:1\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
	"\"capabilities\":{\"drop\":[\"ALL\"]}}}],"
	"\"containers\":["
	"{\"name\":\"web\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":8080}],"
	"\"livenessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080}},"
	"\"readinessProbe\":{\"tcpSocket\":{\"port\":8080}},"
	"\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"],"
	"\"add\":[\"NET_BIND_SERVICE\"]},\"readOnlyRootFilesystem\":true}},"
	"{\"name\":\"sidecar\",\"image\":\"envoy:1.30\",\"ports\":[{\"containerPort\":9901}],"
	"\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}},"
	"{\"name\":\"metrics\",\"image\":\"exporter:2\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
	"\"capabilities\":{\"drop\":[\"ALL\"]}}}]}}";

static const char *failing =
	"{\"metadata\":{\"name\":\"legacy\",\"namespace\":\"shop\"},"
	"\"spec\":{\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"web\"}},{\"name\":\"logs\",\"hostPath\":{\"path\":\"/var/log\"}}],"
	"\"initContainers\":[{\"name\":\"migrate\",\"image\":\"app:1\"}],"
	"\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80,\"hostPort\":80}],"
	"\"securityContext\":{\"capabilities\":{\"add\":[\"NET_ADMIN\"]}}},"
	"{\"name\":\"sidecar\",\"image\":\"envoy:1.30\"},{\"name\":\"metrics\",\"image\":\"exporter:2\"}]}}";

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile size_t sink;

static double bench_decode(json_t *doc, int n)
{
	double best = 1e18;
	gh_arena a;
	gh_arena_init(&a, 64 * 1024);
	for (int round = 0; round < 5; round++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++) {
			pss_pod p;
			if (pss_pod_decode_object(doc, &a, &p, NULL))
				sink += p.ncontainers;
			if ((i & 63) == 63) {
				gh_arena_free(&a);
				gh_arena_init(&a, 64 * 1024);
			}
		}
		double t = (now_ns() - t0) / n;
		best = t < best ? t : best;
	}
	gh_arena_free(&a);
	return best;
}

static double bench_eval(const pss_pod *p, pss_lv lv, int n)
{
	double best = 1e18;
	pss_result r = { 0 };
	for (int round = 0; round < 5; round++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++)
			sink += pss_evaluate(p, lv, &r);
		double t = (now_ns() - t0) / n;
		best = t < best ? t : best;
	}
	pss_result_free(&r);
	return best;
}

static double bench_admit(json_t *doc, int n)
{
	pss_config *cfg = pss_config_default();
	json_t *labels = json_pack("{s:s}", "pod-security.kubernetes.io/enforce", "restricted");
	pss_request req = { .op = PSS_OP_CREATE, .resource = { GH_STR(""), GH_STR("v1"), GH_STR("pods") },
			    .name = GH_STR("p"), .namespace = GH_STR("shop"), .ns_labels = labels, .object = doc };
	double best = 1e18;
	for (int round = 0; round < 5; round++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++) {
			gh_arena a;
			gh_arena_init(&a, 0);
			pss_response res;
			pss_admit(cfg, &req, &a, &res);
			sink += res.allowed;
			gh_arena_free(&a);
		}
		double t = (now_ns() - t0) / n;
		best = t < best ? t : best;
	}
	json_decref(labels);
	pss_config_free(cfg);
	return best;
}

int main(void)
{
	const char *names[] = { "compliant", "failing" };
	const char *texts[] = { compliant, failing };
	printf("%-10s %-18s %10s\n", "pod", "what", "ns/pod");
	for (int k = 0; k < 2; k++) {
		json_t *doc = json_loads(texts[k], 0, NULL);
		gh_arena a;
		gh_arena_init(&a, 0);
		pss_pod p;
		if (!doc || !pss_pod_decode_object(doc, &a, &p, NULL)) {
			fprintf(stderr, "bench_pss: the %s pod does not decode\n", names[k]);
			return 1;
		}
		printf("%-10s %-18s %10.0f\n", names[k], "decode", bench_decode(doc, 200000));
		printf("%-10s %-18s %10.0f\n", names[k], "restricted:latest",
		       bench_eval(&p, (pss_lv){ PSS_RESTRICTED, PSS_LATEST }, 1000000));
		printf("%-10s %-18s %10.0f\n", names[k], "baseline:latest",
		       bench_eval(&p, (pss_lv){ PSS_BASELINE, PSS_LATEST }, 1000000));
		printf("%-10s %-18s %10.0f\n", names[k], "admit", bench_admit(doc, 100000));
		gh_arena_free(&a);
		json_decref(doc);
	}
	return 0;
}
