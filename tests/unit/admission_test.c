/* The AdmissionReview adapter: decoding (and its 400 texts) and the encoded response. */
#include <string.h>

#include "api/admission.h"
#include "test.h"

static const char *decode_problem(const char *body)
{
	static char problem[320];
	json_t *doc = NULL;
	gh_admission_request r;
	gh_str uid;
	problem[0] = '\0';
	if (admission_decode(gh_str_c(body), &doc, &r, &uid, problem, sizeof problem))
		strcpy(problem, "ok");
	json_decref(doc);
	return problem;
}

#define REVIEW(req) "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":" req "}"
#define RES "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"}"

TEST(admission_decode_errors_name_the_problem)
{
	CHECK_CONTAINS(decode_problem("not json"), "request body is not JSON: ");
	CHECK_STR_EQ(decode_problem("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}"),
		     "request body is not an AdmissionReview of admission.k8s.io/v1 or v1beta1");
	CHECK_STR_EQ(decode_problem("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}"),
		     "AdmissionReview has no request");
	CHECK_STR_EQ(decode_problem(REVIEW("{}")), "request.uid is required");
	CHECK_STR_EQ(decode_problem(REVIEW("{\"uid\":7}")), "request.uid must be a string");
	CHECK_STR_EQ(decode_problem(REVIEW("{\"uid\":\"u\",\"operation\":\"PATCH\"}")),
		     "request.operation must be CREATE, UPDATE, DELETE or CONNECT, got \"PATCH\"");
	CHECK_STR_EQ(decode_problem(REVIEW("{\"uid\":\"u\",\"operation\":\"CREATE\"}")),
		     "request.resource must name the resource (group, version, resource)");
	CHECK_STR_EQ(decode_problem(REVIEW("{\"uid\":\"u\",\"operation\":\"CREATE\"," RES "}")),
		     "request.object is required for CREATE");
	CHECK_STR_EQ(decode_problem(REVIEW("{\"uid\":\"u\",\"operation\":\"UPDATE\"," RES ",\"object\":{}}")),
		     "request.oldObject is required for UPDATE");
	CHECK_STR_EQ(decode_problem(REVIEW("{\"uid\":\"u\",\"operation\":\"CREATE\"," RES ",\"object\":{},"
					   "\"userInfo\":{\"username\":[]}}")),
		     "request.userInfo.username must be a string");
	CHECK_STR_EQ(decode_problem(REVIEW("{\"uid\":\"u\",\"operation\":\"DELETE\"," RES "}")), "ok");
	CHECK_STR_EQ(decode_problem("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\","
				    "\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\"," RES ",\"object\":{}}}"),
		     "ok");
}

TEST(admission_encode_answers_upstream_shape)
{
	const char *warnings[] = { "would violate PodSecurity \"baseline:latest\": privileged" };
	pss_response res = { .allowed = false, .code = 403, .reason = "Forbidden", .message = "violates X",
			     .warnings = warnings, .nwarnings = 1, .naudit = 1 };
	res.audit[0] = (pss_kv){ "enforce-policy", "baseline:latest" };
	json_t *out = admission_encode("admission.k8s.io/v1", GH_STR("abc"), &res);
	char *s = json_dumps(out, JSON_COMPACT);
	CHECK_STR_EQ(s, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"abc\","
			"\"allowed\":false,\"status\":{\"metadata\":{},\"status\":\"Failure\",\"message\":\"violates X\","
			"\"reason\":\"Forbidden\",\"code\":403},\"warnings\":[\"would violate PodSecurity \\\"baseline:latest\\\": "
			"privileged\"],\"auditAnnotations\":{\"enforce-policy\":\"baseline:latest\"}}}");
	free(s);
	json_decref(out);
	pss_response ok = { .allowed = true };
	out = admission_encode("admission.k8s.io/v1beta1", GH_STR("u"), &ok);
	s = json_dumps(out, JSON_COMPACT);
	CHECK_STR_EQ(s, "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"response\":"
			"{\"uid\":\"u\",\"allowed\":true}}");
	CHECK(!strstr(s, "patch"));
	free(s);
	json_decref(out);
}
