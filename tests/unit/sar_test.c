#include "api/sar.h"
#include "engine/authz.h"
#include "test.h"

/* The request's views point into the document, which lives until the next call. */
static json_t *last_doc;

static bool decode(const char *body, gh_arena *a, gh_authz_req *r, char *problem)
{
	json_decref(last_doc);
	last_doc = NULL;
	return sar_decode(gh_str_c(body), a, &last_doc, r, problem, 320);
}

TEST(sar_decode_validation_messages)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_authz_req r;
	char problem[320];
	CHECK(!decode("{nope", &a, &r, problem));
	CHECK_CONTAINS(problem, "not a SubjectAccessReview");
	CHECK(!decode("{\"apiVersion\":\"authorization.k8s.io/v1\",\"spec\":{\"resourceAttributes\":{}}}", &a, &r,
		      problem));
	CHECK_STR_EQ(problem, "spec.user: Invalid value: \"\": at least one of user or group must be specified");
	CHECK(!decode("{\"apiVersion\":\"authorization.k8s.io/v1\",\"spec\":{\"user\":\"u\"}}", &a, &r, problem));
	CHECK_CONTAINS(problem, "exactly one of nonResourceAttributes or resourceAttributes must be specified");
	CHECK(!decode("{\"apiVersion\":\"authorization.k8s.io/v1\",\"spec\":{\"user\":\"u\",\"resourceAttributes\":{},"
		      "\"nonResourceAttributes\":{}}}",
		      &a, &r, problem));
	CHECK_CONTAINS(problem, "cannot be specified in combination with resourceAttributes");
	json_decref(last_doc);
	last_doc = NULL;
	gh_arena_free(&a);
}

TEST(sar_decode_fields_and_forbidden_text)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_authz_req r;
	char problem[320];
	REQUIRE(decode("{\"apiVersion\":\"authorization.k8s.io/v1beta1\",\"spec\":{\"user\":\"jane\",\"group\":[\"dev\"],"
		       "\"extra\":{\"principalId\":[\"AROAEXAMPLE:jane\"]},\"resourceAttributes\":{\"namespace\":\"prod\","
		       "\"verb\":\"get\",\"group\":\"apps\",\"resource\":\"deployments\",\"subresource\":\"scale\","
		       "\"name\":\"web\"}}}",
		       &a, &r, problem));
	CHECK(gh_str_eq_c(r.attrs.user.name, "jane"));
	CHECK_INT_EQ(r.attrs.user.ngroups, 1);
	CHECK(gh_str_eq_c(r.principal_id, "AROAEXAMPLE"));
	gh_buf msg = { 0 };
	authz_forbidden_message(&r.attrs, GH_STR(""), &msg);
	CHECK_STR_EQ(msg.p, "deployments.apps \"web\" is forbidden: User \"jane\" cannot get resource "
			    "\"deployments/scale\" in API group \"apps\" in the namespace \"prod\"");
	gh_buf_free(&msg);
	rbac_attrs cl = { .user = { .name = GH_STR("arn:aws:sts::111122223333:assumed-role/R/EKSGetTokenAuth") },
			  .resource_request = true, .verb = GH_STR("list"), .resource = GH_STR("pods") };
	authz_forbidden_message(&cl, GH_STR(""), &msg);
	CHECK_STR_EQ(msg.p, "pods is forbidden: User \"arn:aws:sts::111122223333:assumed-role/R/EKSGetTokenAuth\" "
			    "cannot list resource \"pods\" in API group \"\" at the cluster scope");
	gh_buf_free(&msg);
	rbac_attrs nr = { .user = { .name = GH_STR("bob") }, .verb = GH_STR("get"), .path = GH_STR("/metrics") };
	authz_forbidden_message(&nr, GH_STR("RBAC: role missing"), &msg);
	CHECK_STR_EQ(msg.p, "forbidden: User \"bob\" cannot get path \"/metrics\": RBAC: role missing");
	gh_buf_free(&msg);
	rbac_attrs parsed = { 0 };
	authz_parse_resource(GH_STR("deployments.apps/scale"), &parsed);
	CHECK(gh_str_eq_c(parsed.resource, "deployments") && gh_str_eq_c(parsed.api_group, "apps") &&
	      gh_str_eq_c(parsed.subresource, "scale"));
	json_decref(last_doc);
	last_doc = NULL;
	gh_arena_free(&a);
}
