#include "api/rest_json.h"
#include "test.h"

TEST(rest_route_match_labels)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	rest_match m;
	CHECK(rest_route_match("/clusters/{name}/access-entries/{principalArn}",
			       GH_STR("/clusters/prod/access-entries/arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fteam%2Fops"),
			       &a, &m));
	CHECK_INT_EQ(m.n, 2);
	CHECK(gh_str_eq_c(m.labels[0], "prod"));
	CHECK(gh_str_eq_c(m.labels[1], "arn:aws:iam::111122223333:role/team/ops"));
	/* A label is one segment; an empty one, a trailing part or a bad escape never match. */
	CHECK(!rest_route_match("/clusters/{name}", GH_STR("/clusters/a/b"), &a, &m));
	CHECK(!rest_route_match("/clusters/{name}", GH_STR("/clusters/"), &a, &m));
	CHECK(!rest_route_match("/clusters/{name}", GH_STR("/clusters/%zz"), &a, &m));
	CHECK(!rest_route_match("/clusters", GH_STR("/clusters/x"), &a, &m));
	CHECK(rest_route_match("/clusters", GH_STR("/clusters"), &a, &m) && m.n == 0);
	gh_arena_free(&a);
}

TEST(rest_json_body_bounds_and_errors)
{
	gh_arena a;
	gh_arena_init(&a, 0);
	gh_http_request req = { .method = GH_STR("POST"), .arena = &a };
	json_t *j = NULL;
	gh_err err = { 0 };
	req.body = GH_STR("   ");
	CHECK(rest_json_body(&req, &j, &err) && json_is_object(j) && json_object_size(j) == 0);
	json_decref(j);
	req.body = GH_STR("{\"name\":\"x\"}");
	CHECK(rest_json_body(&req, &j, &err) && json_is_object(j));
	json_decref(j);
	req.body = GH_STR("[1,2]");
	CHECK(!rest_json_body(&req, &j, &err));
	CHECK_STR_EQ(err.code, "BadRequestException");
	req.body = GH_STR("{\"a\":1,\"a\":2}");
	CHECK(!rest_json_body(&req, &j, &err));
	CHECK_CONTAINS(err.msg, "not a JSON object");
	char *big = malloc(REST_JSON_MAX_BODY + 2);
	memset(big, ' ', REST_JSON_MAX_BODY + 1);
	big[REST_JSON_MAX_BODY + 1] = '\0';
	req.body = gh_str_c(big);
	CHECK(!rest_json_body(&req, &j, &err));
	CHECK_CONTAINS(err.msg, "larger than");
	free(big);
	gh_arena_free(&a);
}

TEST(rest_json_error_shape)
{
	gh_http_response resp = { 0 };
	gh_arena a;
	gh_arena_init(&a, 0);
	resp.arena = &a;
	gh_err err = { 0 };
	gh_fail(&err, "ResourceNotFoundException", 404, "No cluster found for name: x.");
	rest_json_error(&resp, &err);
	CHECK_INT_EQ(resp.status, 404);
	CHECK_STR_EQ(resp.body.p, "{\"message\":\"No cluster found for name: x.\"}");
	bool found = false;
	for (size_t i = 0; i < resp.nheaders; i++)
		found |= gh_str_eq_c(resp.headers[i].name, "x-amzn-ErrorType") &&
			 gh_str_eq_c(resp.headers[i].value, "ResourceNotFoundException");
	CHECK(found);
	gh_buf_free(&resp.body);
	gh_arena_free(&a);
}
