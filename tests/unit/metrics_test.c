#include <pthread.h>

#include "http/metrics.h"
#include "test.h"

static const char *const codes[] = { "200", "404", NULL };
static const char *const methods[] = { "GET", "POST", NULL };

TEST(metrics_counter_renders_prometheus_text)
{
	gh_metrics *m = metrics_new();
	REQUIRE(m);
	gh_err err = { 0 };
	gh_metric_label labels[] = { { "method", methods }, { "code", codes } };
	gh_metric *c = metrics_counter(m, "gatehouse_requests_total", "Requests by method\\code.\nDone",
				       labels, 2, &err);
	REQUIRE(c);
	metric_inc(c, (const char *[]){ "GET", "200" });
	metric_inc(c, (const char *[]){ "GET", "200" });
	metric_inc(c, (const char *[]){ "POST", "404" });
	metric_inc(c, (const char *[]){ "BREW", "418" }); /* outside the sets */
	metric_add(c, metric_series(c, (gh_str[]){ GH_STR("GET"), GH_STR("404") }), 5);
	metric_add(c, 0, -3);				   /* counters never go down */
	gh_metric *plain = metrics_counter(m, "gatehouse_up", "Always 1.", NULL, 0, &err);
	REQUIRE(plain);
	metric_inc(plain, NULL);

	gh_buf out = { 0 };
	REQUIRE(metrics_render(m, &out));
	const char *want =
		"# HELP gatehouse_requests_total Requests by method\\\\code.\\nDone\n"
		"# TYPE gatehouse_requests_total counter\n"
		"gatehouse_requests_total{method=\"GET\",code=\"200\"} 2\n"
		"gatehouse_requests_total{method=\"GET\",code=\"404\"} 5\n"
		"gatehouse_requests_total{method=\"POST\",code=\"200\"} 0\n"
		"gatehouse_requests_total{method=\"POST\",code=\"404\"} 1\n"
		"gatehouse_requests_total{method=\"other\",code=\"other\"} 1\n"
		"# HELP gatehouse_up Always 1.\n"
		"# TYPE gatehouse_up counter\n"
		"gatehouse_up 1\n";
	CHECK_STR_EQ(out.p, want);
	gh_buf_free(&out);
	CHECK(metrics_find(m, "gatehouse_up") == plain);
	CHECK(metrics_find(m, "nope") == NULL);
	metrics_free(m);
}

TEST(metrics_histogram_buckets_are_cumulative)
{
	gh_metrics *m = metrics_new();
	gh_err err = { 0 };
	const double bounds[] = { 0.01, 0.1, 1 };
	gh_metric_label l[] = { { "method", methods } };
	gh_metric *h = metrics_histogram(m, "lat_seconds", "Latency.", l, 1, bounds, 3, &err);
	REQUIRE(h);
	size_t get = metric_series(h, (gh_str[]){ GH_STR("GET") });
	metric_observe(h, get, 0.005);
	metric_observe(h, get, 0.01); /* on the bound: le is inclusive */
	metric_observe(h, get, 0.5);
	metric_observe(h, get, 7.25);
	CHECK_INT_EQ(metric_count(h, get), 4);
	CHECK(metric_sum(h, get) > 7.764 && metric_sum(h, get) < 7.766);
	gh_buf out = { 0 };
	REQUIRE(metrics_render(m, &out));
	CHECK_CONTAINS(out.p, "# TYPE lat_seconds histogram\n");
	CHECK_CONTAINS(out.p, "lat_seconds_bucket{method=\"GET\",le=\"0.01\"} 2\n"
			      "lat_seconds_bucket{method=\"GET\",le=\"0.1\"} 2\n"
			      "lat_seconds_bucket{method=\"GET\",le=\"1\"} 3\n"
			      "lat_seconds_bucket{method=\"GET\",le=\"+Inf\"} 4\n"
			      "lat_seconds_sum{method=\"GET\"} 7.765\n"
			      "lat_seconds_count{method=\"GET\"} 4\n");
	CHECK_CONTAINS(out.p, "lat_seconds_count{method=\"POST\"} 0\n");
	CHECK(!strstr(out.p, "other")); /* empty "other" series are left out */
	gh_buf_free(&out);
	metrics_free(m);
}

TEST(metrics_registration_rules)
{
	gh_metrics *m = metrics_new();
	gh_err err = { 0 };
	gh_metric_label l[] = { { "code", codes } };
	gh_metric *a = metrics_counter(m, "x_total", "X.", l, 1, &err);
	REQUIRE(a);
	CHECK(metrics_counter(m, "x_total", "X again.", l, 1, &err) == a);
	CHECK(metrics_gauge(m, "x_total", "X.", l, 1, &err) == NULL);
	CHECK_STR_EQ(err.code, "MetricConflict");
	gh_metric_label other[] = { { "code", methods } };
	CHECK(metrics_counter(m, "x_total", "X.", other, 1, &err) == NULL);
	CHECK(metrics_counter(m, "9bad", "", NULL, 0, &err) == NULL);
	CHECK(metrics_counter(m, "bad-name", "", NULL, 0, &err) == NULL);
	gh_metric_label reserved[] = { { "__name", codes } };
	CHECK(metrics_counter(m, "y_total", "", reserved, 1, &err) == NULL);
	gh_metric_label le[] = { { "le", codes } };
	const double b[] = { 1, 2 }, unsorted[] = { 2, 1 };
	CHECK(metrics_histogram(m, "h", "", le, 1, b, 2, &err) == NULL);
	CHECK(metrics_histogram(m, "h", "", NULL, 0, unsorted, 2, &err) == NULL);
	CHECK(metrics_counter(m, "ns:sub_total", "", NULL, 0, &err) != NULL);

	gh_metric *g = metrics_gauge(m, "inflight", "In flight.", NULL, 0, &err);
	REQUIRE(g);
	metric_add(g, 0, 3);
	metric_add(g, 0, -2);
	CHECK_INT_EQ(metric_value(g, 0), 1);
	metric_add(g, 99, 1); /* out-of-range series is ignored */
	metric_add(NULL, 0, 1);
	metrics_free(m);
}

static gh_metric *race_counter, *race_hist;

static void *race_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		metric_inc(race_counter, (const char *[]){ "200" });
		metric_observe(race_hist, 0, 0.5);
	}
	return NULL;
}

TEST(metrics_updates_are_thread_safe)
{
	gh_metrics *m = metrics_new();
	gh_metric_label l[] = { { "code", codes } };
	race_counter = metrics_counter(m, "r_total", "", l, 1, NULL);
	const double b[] = { 1 };
	race_hist = metrics_histogram(m, "r_seconds", "", NULL, 0, b, 1, NULL);
	REQUIRE(race_counter && race_hist);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, race_worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_INT_EQ(metric_value(race_counter, metric_series(race_counter, (gh_str[]){ GH_STR("200") })),
		     80000);
	CHECK_INT_EQ(metric_count(race_hist, 0), 80000);
	CHECK(metric_sum(race_hist, 0) == 40000.0);
	metrics_free(m);
}
