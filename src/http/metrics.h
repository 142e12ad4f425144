/* metrics: counters, gauges and fixed-bucket histograms, rendered in the Prometheus text
 * exposition format 0.0.4.
 *
 * Families are registered by name at startup, each with up to GH_METRIC_MAX_LABELS
 * labels whose values come from a small fixed set given at registration. Every series
 * therefore exists from the start, storage is a flat array of atomics, and updating a
 * series never locks or allocates. A value outside a label's set is counted under
 * "other", which keeps the cardinality bounded whatever a client sends. Registration and
 * rendering take a mutex; updates may come from any thread. */
#ifndef GH_HTTP_METRICS_H
#define GH_HTTP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

#define GH_METRIC_MAX_LABELS 3
#define GH_METRIC_MAX_VALUES 64	   /* per label, "other" not included */
#define GH_METRIC_MAX_BUCKETS 32
#define GH_METRIC_OTHER "other"

typedef struct gh_metrics gh_metrics;
typedef struct gh_metric gh_metric;

typedef struct gh_metric_label {
	const char *name;		/* e.g. "code" */
	const char *const *values;	/* NULL-terminated, e.g. { "200", "404", NULL } */
} gh_metric_label;

gh_metrics *metrics_new(void);
void metrics_free(gh_metrics *m); /* frees every family; NULL is fine */

/* Registering a name twice with the same kind, labels and buckets returns the family
 * already there, so two listeners can share one; a different shape is an error. Names
 * and labels are copied. */
gh_metric *metrics_counter(gh_metrics *m, const char *name, const char *help,
			   const gh_metric_label *labels, size_t nlabels, gh_err *err);
gh_metric *metrics_gauge(gh_metrics *m, const char *name, const char *help,
			 const gh_metric_label *labels, size_t nlabels, gh_err *err);
/* `bounds`: strictly increasing upper bounds (seconds for latencies); +Inf is implied. */
gh_metric *metrics_histogram(gh_metrics *m, const char *name, const char *help,
			     const gh_metric_label *labels, size_t nlabels, const double *bounds,
			     size_t nbounds, gh_err *err);
gh_metric *metrics_find(gh_metrics *m, const char *name);

/* Latency buckets from 0.5 ms to 10 s. */
extern const double metrics_latency_buckets[];
extern const size_t metrics_latency_buckets_count;

/* The series for one value per label (in registration order; NULL when the family has
 * no labels). Resolve once and reuse the index on hot paths. */
size_t metric_series(const gh_metric *mt, const gh_str *values);
/* Counters ignore a negative delta; gauges take either sign. */
void metric_add(gh_metric *mt, size_t series, int64_t delta);
void metric_observe(gh_metric *mt, size_t series, double value);

/* Convenience for label values known as C strings. */
void metric_inc(gh_metric *mt, const char *const *values);

/* Current values, for tests and health output. */
int64_t metric_value(const gh_metric *mt, size_t series);
uint64_t metric_count(const gh_metric *mt, size_t series); /* histogram observations */
double metric_sum(const gh_metric *mt, size_t series);

/* Appends every family in registration order. */
bool metrics_render(gh_metrics *m, gh_buf *out) GH_MUST_CHECK;

#define GH_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
