/* The pod mutation against fixtures shaped like amazon-eks-pod-identity-webhook's
 * (pkg/handler/testdata), with the exact JSONPatch expected. */
#include <jansson.h>

#include "domain/k8s/podidentity.h"
#include "test.h"

#define ROLE "arn:aws:iam::111122223333:role/app"
#define IRSA_VOL                                                                                          \
	"{\"name\":\"aws-iam-token\",\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"audience\":" \
	"\"sts.amazonaws.com\",\"expirationSeconds\":86400,\"path\":\"token\"}}]}}"
#define IRSA_MOUNT \
	"{\"name\":\"aws-iam-token\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/eks.amazonaws.com/serviceaccount\"}"
#define IRSA_PAIR                                                                                        \
	"{\"name\":\"AWS_ROLE_ARN\",\"value\":\"" ROLE "\"},{\"name\":\"AWS_WEB_IDENTITY_TOKEN_FILE\",\"value\":" \
	"\"/var/run/secrets/eks.amazonaws.com/serviceaccount/token\"}"

typedef struct run {
	podid_result r;
	char *patch, *pod, *warnings;
	bool ok;
	gh_err err;
} run;

static void run_free(run *x)
{
	free(x->patch);
	free(x->pod);
	free(x->warnings);
	podid_result_clear(&x->r);
}

/* Mutates `pod` (JSON) for a ServiceAccount with `sa` annotations (JSON or NULL). */
static run mutate(const podid_config *cfg, const char *pod, const char *sa, podid_mode mode, uint32_t jitter)
{
	run x = { 0 };
	json_t *p = json_loads(pod, 0, NULL), *s = sa ? json_loads(sa, 0, NULL) : NULL;
	if (!p)
		test_failed(__FILE__, __LINE__, "fixture is not JSON: %s", pod);
	podid_request in = { .pod = p, .sa_annotations = s, .mode = mode, .jitter = jitter };
	x.ok = podid_mutate(cfg, &in, &x.r, &x.err);
	if (x.r.patch)
		x.patch = json_dumps(x.r.patch, JSON_COMPACT);
	if (x.r.pod)
		x.pod = json_dumps(x.r.pod, JSON_COMPACT);
	if (x.r.warnings)
		x.warnings = json_dumps(x.r.warnings, JSON_COMPACT);
	json_decref(p);
	json_decref(s);
	return x;
}

static podid_config defaults(void)
{
	podid_config c;
	podid_config_defaults(&c);
	return c;
}

TEST(podid_irsa_basic)
{
	podid_config c = defaults();
	run x = mutate(&c, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"busybox\"}]}}",
		       "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	REQUIRE(x.ok && x.r.mutated);
	CHECK_STR_EQ(x.patch, "[{\"op\":\"add\",\"path\":\"/spec/volumes\",\"value\":[" IRSA_VOL "]},"
			      "{\"op\":\"add\",\"path\":\"/spec/containers\",\"value\":[{\"name\":\"app\",\"image\":"
			      "\"busybox\",\"env\":[" IRSA_PAIR "],\"volumeMounts\":[" IRSA_MOUNT "]}]}]");
	CHECK_STR_EQ(x.pod, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":"
			    "\"busybox\",\"env\":[" IRSA_PAIR "],\"volumeMounts\":[" IRSA_MOUNT "]}],\"volumes\":["
			    IRSA_VOL "]}}");
	CHECK_STR_EQ(x.warnings, "[]");
	CHECK_INT_EQ(x.r.expiration, 86400);
	run_free(&x);
}

TEST(podid_no_role_no_mutation)
{
	podid_config c = defaults();
	const char *pod = "{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}";
	run x = mutate(&c, pod, NULL, PODID_MODE_IRSA, 0);
	CHECK(x.ok && !x.r.mutated && !x.patch);
	run_free(&x);
	x = mutate(&c, pod, "{\"eks.amazonaws.com/role-arn\":\"\"}", PODID_MODE_IRSA, 0);
	CHECK(x.ok && !x.r.mutated);
	run_free(&x);
	/* another prefix's annotation is not ours */
	x = mutate(&c, pod, "{\"example.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	CHECK(x.ok && !x.r.mutated);
	run_free(&x);
	/* the objectSelector's label, in either mode */
	x = mutate(&c, "{\"metadata\":{\"labels\":{\"eks.amazonaws.com/skip-pod-identity-webhook\":\"\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"app\"}]}}",
		   "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_POD_IDENTITY, 0);
	CHECK(x.ok && !x.r.mutated);
	run_free(&x);
	c.annotation_prefix = "example.com";
	x = mutate(&c, pod, "{\"example.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	CHECK(x.ok && x.r.mutated);
	run_free(&x);
}

/* rawPodSkip: one of the identity pair is set, so neither is added; the region and the
 * regional endpoint still are, in that order, after what was there. */
TEST(podid_one_of_pair_adds_nothing)
{
	podid_config c = defaults();
	c.region = "us-west-2";
	c.regional_sts = true;
	run x = mutate(&c, "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"AWS_ROLE_ARN\","
			   "\"value\":\"mine\"}]}]}}",
		       "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	REQUIRE(x.ok && x.r.mutated);
	CHECK_STR_EQ(x.patch, "[{\"op\":\"add\",\"path\":\"/spec/volumes\",\"value\":[" IRSA_VOL "]},"
			      "{\"op\":\"add\",\"path\":\"/spec/containers\",\"value\":[{\"name\":\"app\",\"env\":["
			      "{\"name\":\"AWS_ROLE_ARN\",\"value\":\"mine\"},"
			      "{\"name\":\"AWS_STS_REGIONAL_ENDPOINTS\",\"value\":\"regional\"},"
			      "{\"name\":\"AWS_DEFAULT_REGION\",\"value\":\"us-west-2\"},"
			      "{\"name\":\"AWS_REGION\",\"value\":\"us-west-2\"}],\"volumeMounts\":[" IRSA_MOUNT "]}]}]");
	run_free(&x);
	/* all three flags set: the container is left as it is, without the mount */
	x = mutate(&c, "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":"
		       "\"AWS_WEB_IDENTITY_TOKEN_FILE\",\"value\":\"/t\"},{\"name\":\"AWS_REGION\",\"value\":\"x\"},"
		       "{\"name\":\"AWS_STS_REGIONAL_ENDPOINTS\",\"value\":\"legacy\"}]}],\"volumes\":[]}}",
		   "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	REQUIRE(x.ok && x.r.mutated);
	CHECK_STR_EQ(x.patch, "[{\"op\":\"add\",\"path\":\"/spec/volumes/0\",\"value\":" IRSA_VOL "},"
			      "{\"op\":\"add\",\"path\":\"/spec/containers\",\"value\":[{\"name\":\"app\",\"env\":["
			      "{\"name\":\"AWS_WEB_IDENTITY_TOKEN_FILE\",\"value\":\"/t\"},{\"name\":\"AWS_REGION\","
			      "\"value\":\"x\"},{\"name\":\"AWS_STS_REGIONAL_ENDPOINTS\",\"value\":\"legacy\"}]}]}]");
	run_free(&x);
}

/* Volumes prepend, a volume of that name stays, a mount of that name stays (whatever its
 * path), initContainers come after containers, and unknown fields survive. */
TEST(podid_volumes_mounts_init_containers)
{
	podid_config c = defaults();
	run x = mutate(&c,
		       "{\"spec\":{\"initContainers\":[{\"name\":\"proxy\",\"restartPolicy\":\"Always\","
		       "\"futureField\":{\"a\":1}}],\"containers\":[{\"name\":\"app\",\"volumeMounts\":[{\"name\":"
		       "\"aws-iam-token\",\"mountPath\":\"/elsewhere\"}]}],\"volumes\":[{\"name\":\"aws-iam-token\","
		       "\"emptyDir\":{}}]}}",
		       "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	REQUIRE(x.ok && x.r.mutated);
	CHECK_STR_EQ(x.patch, "[{\"op\":\"add\",\"path\":\"/spec/containers\",\"value\":[{\"name\":\"app\","
			      "\"volumeMounts\":[{\"name\":\"aws-iam-token\",\"mountPath\":\"/elsewhere\"}],\"env\":["
			      IRSA_PAIR "]}]},{\"op\":\"add\",\"path\":\"/spec/initContainers\",\"value\":[{\"name\":"
			      "\"proxy\",\"restartPolicy\":\"Always\",\"futureField\":{\"a\":1},\"env\":[" IRSA_PAIR
			      "],\"volumeMounts\":[" IRSA_MOUNT "]}]}]");
	CHECK_CONTAINS(x.warnings, "spec.containers[0]: the mount of volume aws-iam-token at /elsewhere is kept");
	run_free(&x);
	x = mutate(&c, "{\"spec\":{\"containers\":[{\"name\":\"app\"}],\"volumes\":[{\"name\":\"data\"}]}}",
		   "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	REQUIRE(x.ok);
	CHECK_CONTAINS(x.patch, "[{\"op\":\"add\",\"path\":\"/spec/volumes/0\",\"value\":" IRSA_VOL "},");
	CHECK_CONTAINS(x.pod, "\"volumes\":[" IRSA_VOL ",{\"name\":\"data\"}]");
	run_free(&x);
}

TEST(podid_skip_containers)
{
	podid_config c = defaults();
	const char *sa = "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}";
	/* "a, b" is a and " b": b is mutated, and gatehouse says why */
	run x = mutate(&c, "{\"metadata\":{\"annotations\":{\"eks.amazonaws.com/skip-containers\":\"a, b\"}},"
			   "\"spec\":{\"initContainers\":[{\"name\":\"a\"}],\"containers\":[{\"name\":\"b\"}]}}",
		       sa, PODID_MODE_IRSA, 0);
	REQUIRE(x.ok && x.r.mutated);
	CHECK_CONTAINS(x.patch, "{\"op\":\"add\",\"path\":\"/spec/containers\",\"value\":[{\"name\":\"b\",\"env\"");
	CHECK_CONTAINS(x.patch, "{\"op\":\"add\",\"path\":\"/spec/initContainers\",\"value\":[{\"name\":\"a\"}]}");
	CHECK_STR_EQ(x.warnings, "[\"eks.amazonaws.com/skip-containers names \\\" b\\\", which is no container of "
				 "the pod\"]");
	run_free(&x);
	/* a quoted name with a comma */
	x = mutate(&c, "{\"metadata\":{\"annotations\":{\"eks.amazonaws.com/skip-containers\":\"\\\"x,y\\\",z\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"x,y\"},{\"name\":\"z\"},{\"name\":\"w\"}]}}",
		   sa, PODID_MODE_IRSA, 0);
	REQUIRE(x.ok);
	CHECK_CONTAINS(x.patch, "\"value\":[{\"name\":\"x,y\"},{\"name\":\"z\"},{\"name\":\"w\",\"env\"");
	CHECK_STR_EQ(x.warnings, "[]");
	run_free(&x);
	/* a parse error skips nothing */
	x = mutate(&c, "{\"metadata\":{\"annotations\":{\"eks.amazonaws.com/skip-containers\":\"a\\\"b\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"a\\\"b\"}]}}",
		   sa, PODID_MODE_IRSA, 0);
	REQUIRE(x.ok);
	CHECK_CONTAINS(x.patch, "\"env\"");
	CHECK_CONTAINS(x.warnings, "is not one CSV record; no container is skipped");
	run_free(&x);
}

TEST(podid_expiration_and_sa_annotations)
{
	podid_config c = defaults();
	const char *pod = "{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}";
	run x = mutate(&c, pod,
		       "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\",\"eks.amazonaws.com/token-expiration\":\"100\","
		       "\"eks.amazonaws.com/audience\":\"sandbox\",\"eks.amazonaws.com/sts-regional-endpoints\":"
		       "\"True\"}",
		       PODID_MODE_IRSA, 0);
	REQUIRE(x.ok);
	CHECK_INT_EQ(x.r.expiration, 600);
	CHECK_CONTAINS(x.patch, "{\"audience\":\"sandbox\",\"expirationSeconds\":600,\"path\":\"token\"}");
	CHECK_CONTAINS(x.patch, "\"env\":[{\"name\":\"AWS_STS_REGIONAL_ENDPOINTS\",\"value\":\"regional\"},");
	CHECK_CONTAINS(x.warnings, "raised to the minimum of 600");
	run_free(&x);
	/* the pod wins over the ServiceAccount; invalid values fall back and are reported */
	x = mutate(&c, "{\"metadata\":{\"annotations\":{\"eks.amazonaws.com/token-expiration\":\"3600\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"app\"}]}}",
		   "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\",\"eks.amazonaws.com/token-expiration\":\"7200\","
		   "\"eks.amazonaws.com/sts-regional-endpoints\":\"yes\"}",
		   PODID_MODE_IRSA, 0);
	REQUIRE(x.ok);
	CHECK_INT_EQ(x.r.expiration, 3600);
	CHECK(!strstr(x.patch, "AWS_STS_REGIONAL_ENDPOINTS"));
	CHECK_CONTAINS(x.warnings, "sts-regional-endpoints on the ServiceAccount is \\\"yes\\\", not a boolean");
	run_free(&x);
	x = mutate(&c, "{\"metadata\":{\"annotations\":{\"eks.amazonaws.com/token-expiration\":\"1h\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"app\"}]}}",
		   "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\",\"eks.amazonaws.com/token-expiration\":\"9000\"}",
		   PODID_MODE_IRSA, 0);
	REQUIRE(x.ok);
	CHECK_INT_EQ(x.r.expiration, 9000);
	CHECK_CONTAINS(x.warnings, "token-expiration on the pod is \\\"1h\\\", not an integer; ignored");
	run_free(&x);
	/* present but empty is a ParseInt error too */
	x = mutate(&c, "{\"metadata\":{\"annotations\":{\"eks.amazonaws.com/token-expiration\":\"\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"app\"}]}}",
		   "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	CHECK_INT_EQ(x.r.expiration, 86400);
	CHECK_CONTAINS(x.warnings, "token-expiration on the pod is \\\"\\\", not an integer");
	run_free(&x);
	/* no upper clamp; a bad role ARN is injected but reported */
	x = mutate(&c, pod, "{\"eks.amazonaws.com/role-arn\":\"app\",\"eks.amazonaws.com/token-expiration\":\"900000\"}",
		   PODID_MODE_IRSA, 0);
	REQUIRE(x.ok && x.r.mutated);
	CHECK_INT_EQ(x.r.expiration, 900000);
	CHECK_CONTAINS(x.patch, "{\"name\":\"AWS_ROLE_ARN\",\"value\":\"app\"}");
	CHECK_CONTAINS(x.warnings, "role-arn \\\"app\\\" is not an IAM role ARN");
	run_free(&x);
}

TEST(podid_windows_path)
{
	podid_config c = defaults();
	run x = mutate(&c, "{\"spec\":{\"nodeSelector\":{\"kubernetes.io/os\":\"windows\"},\"containers\":[{\"name\":"
			   "\"app\"}]}}",
		       "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	REQUIRE(x.ok);
	CHECK_CONTAINS(x.patch, "{\"name\":\"AWS_WEB_IDENTITY_TOKEN_FILE\",\"value\":"
				"\"C:\\\\var\\\\run\\\\secrets\\\\eks.amazonaws.com\\\\serviceaccount\\\\token\"}");
	CHECK_CONTAINS(x.patch, IRSA_MOUNT); /* the mount path is unchanged */
	run_free(&x);
	x = mutate(&c, "{\"spec\":{\"nodeSelector\":{\"beta.kubernetes.io/os\":\"windows\"},\"containers\":[{\"name\":"
		       "\"app\"}]}}",
		   "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}", PODID_MODE_IRSA, 0);
	CHECK_CONTAINS(x.patch, "\"C:\\\\var\\\\run");
	run_free(&x);
}

TEST(podid_pod_identity)
{
	podid_config c = defaults();
	/* labels absent: the whole map; the ServiceAccount's role-arn plays no part */
	run x = mutate(&c, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\"}]}}",
		       "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\",\"eks.amazonaws.com/audience\":\"x\"}",
		       PODID_MODE_POD_IDENTITY, 0);
	REQUIRE(x.ok && x.r.mutated);
	CHECK_STR_EQ(
		x.patch,
		"[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"eks.amazonaws.com/pod-identity\":\"enabled\"}},"
		"{\"op\":\"add\",\"path\":\"/spec/volumes\",\"value\":[{\"name\":\"eks-pod-identity-token\",\"projected\":"
		"{\"sources\":[{\"serviceAccountToken\":{\"audience\":\"pods.eks.amazonaws.com\",\"expirationSeconds\":"
		"79200,\"path\":\"eks-pod-identity-token\"}}]}}]},"
		"{\"op\":\"add\",\"path\":\"/spec/containers\",\"value\":[{\"name\":\"app\",\"env\":[{\"name\":"
		"\"AWS_CONTAINER_CREDENTIALS_FULL_URI\",\"value\":\"http://169.254.170.23/v1/credentials\"},{\"name\":"
		"\"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\",\"value\":\"/var/run/secrets/pods.eks.amazonaws.com/"
		"serviceaccount/eks-pod-identity-token\"}],\"volumeMounts\":[{\"name\":\"eks-pod-identity-token\","
		"\"readOnly\":true,\"mountPath\":\"/var/run/secrets/pods.eks.amazonaws.com/serviceaccount\"}]}]}]");
	CHECK_CONTAINS(x.pod, "\"labels\":{\"eks.amazonaws.com/pod-identity\":\"enabled\"}");
	run_free(&x);
	/* labels present: one key; the jitter's range is [79200,86400] */
	x = mutate(&c, "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"app\","
		       "\"env\":[{\"name\":\"AWS_ROLE_ARN\",\"value\":\"r\"}]}]}}",
		   NULL, PODID_MODE_POD_IDENTITY, 7200);
	REQUIRE(x.ok);
	CHECK_CONTAINS(x.patch, "[{\"op\":\"add\",\"path\":\"/metadata/labels/eks.amazonaws.com~1pod-identity\","
				"\"value\":\"enabled\"},");
	CHECK_INT_EQ(x.r.expiration, 86400);
	/* the IRSA pair does not count as the Pod Identity pair */
	CHECK_CONTAINS(x.patch, "{\"name\":\"AWS_ROLE_ARN\",\"value\":\"r\"},{\"name\":\"AWS_CONTAINER_CREDENTIALS_FULL_URI\"");
	run_free(&x);
	x = mutate(&c, "{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}", NULL, PODID_MODE_POD_IDENTITY, 7201);
	CHECK_INT_EQ(x.r.expiration, 79200);
	run_free(&x);
	/* not 86400: no jitter */
	x = mutate(&c, "{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}",
		   "{\"eks.amazonaws.com/token-expiration\":\"3600\"}", PODID_MODE_POD_IDENTITY, 5);
	CHECK_INT_EQ(x.r.expiration, 3600);
	run_free(&x);
}

TEST(podid_bad_pods_are_reported)
{
	podid_config c = defaults();
	const char *sa = "{\"eks.amazonaws.com/role-arn\":\"" ROLE "\"}";
	struct {
		const char *pod, *msg;
	} cases[] = {
		{ "[]", "the pod is not a JSON object" },
		{ "{\"spec\":{}}", "spec.containers: Required value" },
		{ "{\"spec\":{\"containers\":[1]}}", "spec.containers[0]: must be a container object" },
		{ "{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":{}}]}}", "spec.containers[0]: env and volumeMounts" },
		{ "{\"spec\":{\"containers\":[],\"initContainers\":{}}}", "spec.initContainers: must be a list" },
		{ "{\"spec\":{\"containers\":[],\"volumes\":3}}", "spec.volumes: must be a list" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run x = mutate(&c, cases[i].pod, sa, PODID_MODE_IRSA, 0);
		CHECK(!x.ok);
		CHECK_CONTAINS(x.err.msg, cases[i].msg);
		run_free(&x);
	}
}

static char *csv(const char *s)
{
	json_t *r = podid_csv_record(s, strlen(s));
	char *out = r ? json_dumps(r, JSON_COMPACT) : NULL;
	json_decref(r);
	return out;
}

TEST(podid_csv_as_go_reads_it)
{
	struct {
		const char *in, *want; /* want NULL: a parse error */
	} cases[] = {
		{ "a,b", "[\"a\",\"b\"]" },
		{ "a, b", "[\"a\",\" b\"]" },
		{ "a,", "[\"a\",\"\"]" },
		{ "\"\"", "[\"\"]" },
		{ "\"a\"\"b\",c", "[\"a\\\"b\",\"c\"]" },
		{ "\"a\nb\",c", "[\"a\\nb\",\"c\"]" },
		{ "\n\r\nx,y\nz", "[\"x\",\"y\"]" },
		{ "a\r\n", "[\"a\"]" },
		{ "\"a\"\n", "[\"a\"]" },
		{ "", NULL },
		{ "\n\n", NULL },
		{ "a\"b", NULL },
		{ "\"a", NULL },
		{ "\"a\"x", NULL },
		{ "a,\"b", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = csv(cases[i].in);
		if (cases[i].want)
			CHECK_STR_EQ(got, cases[i].want);
		else if (got)
			test_failed(__FILE__, __LINE__, "csv %zu: expected an error, got %s", i, got);
		free(got);
	}
}

TEST(podid_go_parsers_and_arn)
{
	int64_t v;
	bool b;
	CHECK(podid_parse_int("+5", &v) && v == 5);
	CHECK(podid_parse_int("-3", &v) && v == -3);
	CHECK(!podid_parse_int("1_000", &v) && !podid_parse_int(" 5", &v) && !podid_parse_int("", &v));
	CHECK(!podid_parse_int("99999999999999999999", &v) && !podid_parse_int("0x10", &v));
	CHECK(podid_parse_bool("T", &b) && b && podid_parse_bool("False", &b) && !b);
	CHECK(!podid_parse_bool("yes", &b) && !podid_parse_bool("tRUE", &b));
	CHECK(podid_role_arn_valid("arn:aws:iam::111122223333:role/a/b_c-d.e@f+g=h,i"));
	CHECK(podid_role_arn_valid("arn:aws-cn:iam::111122223333:role/x"));
	CHECK(!podid_role_arn_valid("arn:aws:iam::11112222333:role/x"));
	CHECK(!podid_role_arn_valid("arn:aws:iam::111122223333:user/x"));
	CHECK(!podid_role_arn_valid("arn:aws:iam::111122223333:role/"));
	CHECK(!podid_role_arn_valid("arn:aws:iam::111122223333:role/a b"));
}
