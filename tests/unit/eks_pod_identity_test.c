/* EKS Pod Identity association rules and the /mutate AdmissionReview decoding. */
#include <jansson.h>

#include "api/mutate.h"
#include "domain/eks/pod_identity.h"
#include "test.h"

static const uint8_t rnd[GH_EKS_PIA_ID_RANDOM] = { 0, 1, 2, 25, 26, 35, 36, 71, 255, 9, 10, 11, 12, 13, 14, 15, 16 };

static gh_eks_pia_create_input input(const json_t *req)
{
	return (gh_eks_pia_create_input){ .partition = "aws", .region = "us-west-2", .account = "111122223333",
					  .cluster = "demo", .req = req, .random = rnd, .now_ms = 1700000000123 };
}

TEST(pia_id_shape)
{
	char id[GH_EKS_PIA_ID_LEN + 1];
	gh_eks_pia_id(rnd, id);
	CHECK_STR_EQ(id, "a-abcz09a9djklmnopq");
	CHECK_INT_EQ(strlen(id), 19);
}

TEST(pia_create_document)
{
	json_t *req = json_pack("{s:s, s:s, s:s, s:{s:s}}", "namespace", "web", "serviceAccount", "app", "roleArn",
				"arn:aws:iam::111122223333:role/app", "tags", "team", "a");
	gh_eks_pia_create_input in = input(req);
	json_t *doc;
	gh_err err = { 0 };
	REQUIRE(gh_eks_pia_create(&in, &doc, &err));
	char *s = json_dumps(doc, JSON_COMPACT);
	CHECK_STR_EQ(s, "{\"clusterName\":\"demo\",\"namespace\":\"web\",\"serviceAccount\":\"app\",\"roleArn\":"
			"\"arn:aws:iam::111122223333:role/app\",\"associationArn\":\"arn:aws:eks:us-west-2:111122223333:"
			"podidentityassociation/demo/a-abcz09a9djklmnopq\",\"associationId\":\"a-abcz09a9djklmnopq\","
			"\"tags\":{\"team\":\"a\"},\"createdAt\":1700000000123,\"modifiedAt\":1700000000123,"
			"\"disableSessionTags\":false}");
	free(s);
	json_t *ans = gh_eks_pia_answer(doc);
	CHECK(json_real_value(json_object_get(ans, "createdAt")) == 1700000000.123);
	json_t *sum = gh_eks_pia_summary(doc);
	CHECK_INT_EQ(json_object_size(sum), 5);
	CHECK(gh_eks_pia_matches(doc, "web", NULL) && gh_eks_pia_matches(doc, NULL, "app") &&
	      !gh_eks_pia_matches(doc, "web", "other"));
	/* a target role brings the external ID; an update without it drops both */
	json_t *upd = json_pack("{s:s, s:b, s:s}", "targetRoleArn", "arn:aws:iam::444455556666:role/t",
				"disableSessionTags", 1, "policy", "{\"Version\":\"2012-10-17\"}");
	json_t *doc2;
	REQUIRE(gh_eks_pia_update(doc, upd, "us-west-2", "111122223333", 1700000001000, &doc2, &err));
	CHECK_STR_EQ(json_string_value(json_object_get(doc2, "externalId")), "us-west-2/111122223333/demo/web/app");
	CHECK_INT_EQ(json_integer_value(json_object_get(doc2, "modifiedAt")), 1700000001000);
	CHECK_INT_EQ(json_integer_value(json_object_get(doc2, "createdAt")), 1700000000123);
	json_t *clear = json_pack("{s:s, s:s}", "targetRoleArn", "", "policy", ""), *doc3;
	REQUIRE(gh_eks_pia_update(doc2, clear, "us-west-2", "111122223333", 1700000002000, &doc3, &err));
	CHECK(!json_object_get(doc3, "externalId") && !json_object_get(doc3, "targetRoleArn") &&
	      !json_object_get(doc3, "policy"));
	/* the policy needs the session tags off, in an update too */
	json_t *bad = json_pack("{s:b}", "disableSessionTags", 0), *doc4 = NULL;
	CHECK(!gh_eks_pia_update(doc2, bad, "us-west-2", "111122223333", 1, &doc4, &err));
	CHECK_STR_EQ(err.code, "InvalidParameterException");
	json_decref(bad);
	json_decref(clear);
	json_decref(doc3);
	json_decref(upd);
	json_decref(doc2);
	json_decref(sum);
	json_decref(ans);
	json_decref(doc);
	json_decref(req);
}

TEST(pia_create_errors)
{
	struct {
		const char *req, *code, *msg;
		size_t n_existing;
		const char *same;
	} cases[] = {
		{ "{\"serviceAccount\":\"a\",\"roleArn\":\"arn:aws:iam::111122223333:role/r\"}", "InvalidParameterException",
		  "namespace is required.", 0, NULL },
		{ "{\"namespace\":\"n\",\"serviceAccount\":\"a\",\"roleArn\":\"arn:aws:iam::111122223333:user/u\"}",
		  "InvalidParameterException", "is not a valid IAM role ARN", 0, NULL },
		{ "{\"namespace\":\"n\",\"serviceAccount\":\"a\",\"roleArn\":\"arn:aws:iam::111122223333:role/r\","
		  "\"policy\":\"{}\"}",
		  "InvalidParameterException", "disableSessionTags must be true when a policy is specified.", 0, NULL },
		{ "{\"namespace\":\"n\",\"serviceAccount\":\"a\",\"roleArn\":\"arn:aws:iam::111122223333:role/r\","
		  "\"policy\":\"nope\",\"disableSessionTags\":true}",
		  "InvalidParameterException", "policy is not a valid JSON policy document.", 0, NULL },
		{ "{\"namespace\":\"n\",\"serviceAccount\":\"a\",\"roleArn\":\"arn:aws:iam::111122223333:role/r\"}",
		  "ResourceInUseException", "Association already exists: a-0123456789abcdefg", 3, "a-0123456789abcdefg" },
		{ "{\"namespace\":\"n\",\"serviceAccount\":\"a\",\"roleArn\":\"arn:aws:iam::111122223333:role/r\"}",
		  "ResourceLimitExceededException", "5000", 5000, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *req = json_loads(cases[i].req, 0, NULL), *doc = NULL;
		gh_eks_pia_create_input in = input(req);
		in.n_existing = cases[i].n_existing;
		in.existing_same_sa = cases[i].same;
		gh_err err = { 0 };
		CHECK(!gh_eks_pia_create(&in, &doc, &err) && !doc);
		CHECK_STR_EQ(err.code, cases[i].code);
		CHECK_CONTAINS(err.msg, cases[i].msg);
		json_decref(req);
	}
	/* 4,999 held: one more fits */
	json_t *req = json_loads(cases[5].req, 0, NULL), *doc = NULL;
	gh_eks_pia_create_input in = input(req);
	in.n_existing = GH_EKS_PIA_MAX_PER_CLUSTER - 1;
	gh_err err = { 0 };
	CHECK(gh_eks_pia_create(&in, &doc, &err));
	json_decref(doc);
	json_decref(req);
}

static bool decode(const char *body, mutate_request *r, char *problem)
{
	json_t *doc;
	bool ok = mutate_decode(gh_str_c(body), &doc, r, problem, 320);
	json_decref(doc);
	return ok;
}

TEST(mutate_decode_reviews)
{
	mutate_request r;
	char problem[320];
	CHECK(!decode("{", &r, problem));
	CHECK_CONTAINS(problem, "is not an AdmissionReview");
	CHECK(!decode("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", &r, problem));
	CHECK_STR_EQ(problem, "bad content: the AdmissionReview has no request");
	CHECK(!decode("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}", &r, problem));
	CHECK_STR_EQ(problem, "request.uid: Required value");
	/* another resource: allowed as it is */
	CHECK(decode("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":"
		     "\"u\",\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"configmaps\"},\"operation\":"
		     "\"CREATE\",\"object\":{}}}",
		     &r, problem));
	CHECK(!r.pod);
	json_t *doc;
	CHECK(mutate_decode(GH_STR("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
				  "{\"uid\":\"u\",\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":"
				  "\"pods\"},\"operation\":\"CREATE\",\"object\":{\"metadata\":{\"namespace\":\"web\"},"
				  "\"spec\":{}}}}"),
			    &doc, &r, problem, sizeof problem));
	CHECK(r.pod != NULL);
	CHECK_STR_EQ(r.ns, "web");
	json_decref(doc);
}
