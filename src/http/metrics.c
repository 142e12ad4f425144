#include "http/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };
static const char *const metric_kind_names[] = { "counter", "gauge", "histogram" };

struct gh_metric {
	gh_metric *next;
	enum metric_kind kind;
	char *name, *help;
	size_t nlabels;
	char *label_names[GH_METRIC_MAX_LABELS];
	char **label_values[GH_METRIC_MAX_LABELS];
	size_t nvalues[GH_METRIC_MAX_LABELS]; /* without the trailing "other" slot */
	size_t nseries;
	double bounds[GH_METRIC_MAX_BUCKETS];
	size_t nbounds;
	_Atomic int64_t *values;   /* counters and gauges: one per series */
	_Atomic uint64_t *buckets; /* histograms: (nbounds + 1) per series, not cumulative */
	_Atomic uint64_t *sums;	   /* histograms: bit patterns of double sums */
};

struct gh_metrics {
	pthread_mutex_t mu;
	gh_metric *head, *tail;
};

const double metrics_latency_buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
					   0.1,	   0.25,  0.5,	  1,	 2.5,  5,     10 };
const size_t metrics_latency_buckets_count =
	sizeof metrics_latency_buckets / sizeof metrics_latency_buckets[0];

gh_metrics *metrics_new(void)
{
	gh_metrics *m = calloc(1, sizeof *m);
	if (m)
		pthread_mutex_init(&m->mu, NULL);
	return m;
}

static void metric_free(gh_metric *mt)
{
	free(mt->name);
	free(mt->help);
	for (size_t i = 0; i < mt->nlabels; i++) {
		free(mt->label_names[i]);
		for (size_t j = 0; mt->label_values[i] && j < mt->nvalues[i]; j++)
			free(mt->label_values[i][j]);
		free(mt->label_values[i]);
	}
	free(mt->values);
	free(mt->buckets);
	free(mt->sums);
	free(mt);
}

void metrics_free(gh_metrics *m)
{
	if (!m)
		return;
	for (gh_metric *mt = m->head, *next; mt; mt = next) {
		next = mt->next;
		metric_free(mt);
	}
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static bool metric_name_ok(const char *s, bool colon)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++) {
		bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
			     (colon && *p == ':');
		if (!alpha && !(p > s && *p >= '0' && *p <= '9'))
			return false;
	}
	return true;
}

static size_t metric_count_values(const char *const *values)
{
	size_t n = 0;
	while (values && values[n])
		n++;
	return n;
}

/* Same kind, labels, values and buckets: registering again is then harmless. */
static bool metric_same_shape(const gh_metric *mt, enum metric_kind kind,
			      const gh_metric_label *labels, size_t nlabels, const double *bounds,
			      size_t nbounds)
{
	if (mt->kind != kind || mt->nlabels != nlabels || mt->nbounds != nbounds)
		return false;
	for (size_t i = 0; i < nlabels; i++) {
		if (strcmp(mt->label_names[i], labels[i].name) != 0 ||
		    mt->nvalues[i] != metric_count_values(labels[i].values))
			return false;
		for (size_t j = 0; j < mt->nvalues[i]; j++)
			if (strcmp(mt->label_values[i][j], labels[i].values[j]) != 0)
				return false;
	}
	for (size_t i = 0; i < nbounds; i++)
		if (mt->bounds[i] != bounds[i])
			return false;
	return true;
}

static gh_metric *metric_build(enum metric_kind kind, const char *name, const char *help,
			       const gh_metric_label *labels, size_t nlabels, const double *bounds,
			       size_t nbounds, gh_err *err)
{
	gh_metric *mt = calloc(1, sizeof *mt);
	if (!mt)
		return NULL;
	mt->kind = kind;
	mt->name = strdup(name);
	mt->help = strdup(help ? help : "");
	mt->nlabels = nlabels;
	mt->nseries = 1;
	bool ok = mt->name && mt->help;
	for (size_t i = 0; ok && i < nlabels; i++) {
		const char *ln = labels[i].name;
		size_t nv = metric_count_values(labels[i].values);
		if (!metric_name_ok(ln, false) || strncmp(ln, "__", 2) == 0 ||
		    (kind == METRIC_HISTOGRAM && strcmp(ln, "le") == 0) || nv > GH_METRIC_MAX_VALUES) {
			gh_fail(err, "InvalidInput", 500, "metric %s: bad label \"%s\"", name,
				ln ? ln : "");
			metric_free(mt);
			return NULL;
		}
		mt->label_names[i] = strdup(ln);
		mt->label_values[i] = calloc(nv ? nv : 1, sizeof(char *));
		ok = mt->label_names[i] && mt->label_values[i];
		for (size_t j = 0; ok && j < nv; j++) {
			mt->label_values[i][j] = strdup(labels[i].values[j]);
			ok = mt->label_values[i][j] != NULL;
			mt->nvalues[i] = j + 1;
		}
		mt->nseries *= nv + 1;
	}
	if (nbounds)
		memcpy(mt->bounds, bounds, nbounds * sizeof *bounds);
	mt->nbounds = nbounds;
	if (ok && kind == METRIC_HISTOGRAM) {
		mt->buckets = calloc(mt->nseries * (nbounds + 1), sizeof *mt->buckets);
		mt->sums = calloc(mt->nseries, sizeof *mt->sums);
		ok = mt->buckets && mt->sums;
	} else if (ok) {
		mt->values = calloc(mt->nseries, sizeof *mt->values);
		ok = mt->values != NULL;
	}
	if (!ok) {
		gh_fail(err, "OutOfMemory", 500, "out of memory registering metric %s", name);
		metric_free(mt);
		return NULL;
	}
	return mt;
}

static gh_metric *metrics_register(gh_metrics *m, enum metric_kind kind, const char *name,
				   const char *help, const gh_metric_label *labels, size_t nlabels,
				   const double *bounds, size_t nbounds, gh_err *err)
{
	if (!metric_name_ok(name, true)) {
		gh_fail(err, "InvalidInput", 500, "bad metric name \"%s\"", name ? name : "");
		return NULL;
	}
	if (nlabels > GH_METRIC_MAX_LABELS || nbounds > GH_METRIC_MAX_BUCKETS) {
		gh_fail(err, "InvalidInput", 500, "metric %s: too many labels or buckets", name);
		return NULL;
	}
	for (size_t i = 0; i < nbounds; i++) {
		if (!isfinite(bounds[i]) || (i && bounds[i] <= bounds[i - 1])) {
			gh_fail(err, "InvalidInput", 500, "metric %s: buckets must increase", name);
			return NULL;
		}
	}
	pthread_mutex_lock(&m->mu);
	gh_metric *mt;
	for (mt = m->head; mt; mt = mt->next)
		if (strcmp(mt->name, name) == 0)
			break;
	if (mt) {
		if (!metric_same_shape(mt, kind, labels, nlabels, bounds, nbounds)) {
			gh_fail(err, "MetricConflict", 500,
				"metric %s is already registered with another kind or labels", name);
			mt = NULL;
		}
	} else if ((mt = metric_build(kind, name, help, labels, nlabels, bounds, nbounds, err))) {
		if (m->tail)
			m->tail->next = mt;
		else
			m->head = mt;
		m->tail = mt;
	}
	pthread_mutex_unlock(&m->mu);
	return mt;
}

gh_metric *metrics_counter(gh_metrics *m, const char *name, const char *help,
			   const gh_metric_label *labels, size_t nlabels, gh_err *err)
{
	return metrics_register(m, METRIC_COUNTER, name, help, labels, nlabels, NULL, 0, err);
}

gh_metric *metrics_gauge(gh_metrics *m, const char *name, const char *help,
			 const gh_metric_label *labels, size_t nlabels, gh_err *err)
{
	return metrics_register(m, METRIC_GAUGE, name, help, labels, nlabels, NULL, 0, err);
}

gh_metric *metrics_histogram(gh_metrics *m, const char *name, const char *help,
			     const gh_metric_label *labels, size_t nlabels, const double *bounds,
			     size_t nbounds, gh_err *err)
{
	return metrics_register(m, METRIC_HISTOGRAM, name, help, labels, nlabels, bounds, nbounds,
				err);
}

gh_metric *metrics_find(gh_metrics *m, const char *name)
{
	pthread_mutex_lock(&m->mu);
	gh_metric *mt;
	for (mt = m->head; mt; mt = mt->next)
		if (strcmp(mt->name, name) == 0)
			break;
	pthread_mutex_unlock(&m->mu);
	return mt;
}

size_t metric_series(const gh_metric *mt, const gh_str *values)
{
	size_t idx = 0;
	for (size_t i = 0; i < mt->nlabels; i++) {
		size_t v = mt->nvalues[i]; /* "other" until found */
		for (size_t j = 0; values && j < mt->nvalues[i]; j++) {
			if (gh_str_eq_c(values[i], mt->label_values[i][j])) {
				v = j;
				break;
			}
		}
		idx = idx * (mt->nvalues[i] + 1) + v;
	}
	return idx;
}

void metric_add(gh_metric *mt, size_t series, int64_t delta)
{
	if (!mt || series >= mt->nseries || mt->kind == METRIC_HISTOGRAM)
		return;
	if (mt->kind == METRIC_COUNTER && delta < 0)
		return;
	atomic_fetch_add_explicit(&mt->values[series], delta, memory_order_relaxed);
}

static uint64_t metric_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static double metric_double(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

void metric_observe(gh_metric *mt, size_t series, double value)
{
	if (!mt || series >= mt->nseries || mt->kind != METRIC_HISTOGRAM || isnan(value))
		return;
	size_t b = 0;
	while (b < mt->nbounds && value > mt->bounds[b])
		b++;
	atomic_fetch_add_explicit(&mt->buckets[series * (mt->nbounds + 1) + b], 1, memory_order_relaxed);
	uint64_t old = atomic_load_explicit(&mt->sums[series], memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&mt->sums[series], &old,
						      metric_bits(metric_double(old) + value),
						      memory_order_relaxed, memory_order_relaxed))
		;
}

void metric_inc(gh_metric *mt, const char *const *values)
{
	if (!mt)
		return;
	gh_str v[GH_METRIC_MAX_LABELS];
	for (size_t i = 0; values && i < mt->nlabels; i++)
		v[i] = gh_str_c(values[i]);
	metric_add(mt, metric_series(mt, values ? v : NULL), 1);
}

int64_t metric_value(const gh_metric *mt, size_t series)
{
	if (!mt || series >= mt->nseries || !mt->values)
		return 0;
	return atomic_load_explicit(&mt->values[series], memory_order_relaxed);
}

uint64_t metric_count(const gh_metric *mt, size_t series)
{
	if (!mt || series >= mt->nseries || !mt->buckets)
		return 0;
	uint64_t n = 0;
	for (size_t b = 0; b <= mt->nbounds; b++)
		n += atomic_load_explicit(&mt->buckets[series * (mt->nbounds + 1) + b],
					  memory_order_relaxed);
	return n;
}

double metric_sum(const gh_metric *mt, size_t series)
{
	if (!mt || series >= mt->nseries || !mt->sums)
		return 0;
	return metric_double(atomic_load_explicit(&mt->sums[series], memory_order_relaxed));
}

/* The shortest decimal that reads back as the same double. */
static void metrics_put_double(gh_buf *out, double d)
{
	if (isinf(d)) {
		gh_buf_puts(out, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (isnan(d)) {
		gh_buf_puts(out, "NaN");
		return;
	}
	char tmp[32];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	gh_buf_puts(out, tmp);
}

static void metrics_put_escaped(gh_buf *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			gh_buf_puts(out, "\\\\");
		else if (*s == '\n')
			gh_buf_puts(out, "\\n");
		else if (*s == '"' && quote)
			gh_buf_puts(out, "\\\"");
		else
			gh_buf_putc(out, *s);
	}
}

/* `{a="x",b="y"` plus the `le` label when given, then `}`; nothing without labels. */
static void metrics_put_labels(gh_buf *out, const gh_metric *mt, const size_t *vidx, const char *le)
{
	if (mt->nlabels == 0 && !le)
		return;
	gh_buf_putc(out, '{');
	for (size_t i = 0; i < mt->nlabels; i++) {
		gh_buf_printf(out, "%s%s=\"", i ? "," : "", mt->label_names[i]);
		metrics_put_escaped(out,
				    vidx[i] < mt->nvalues[i] ? mt->label_values[i][vidx[i]] : GH_METRIC_OTHER,
				    true);
		gh_buf_putc(out, '"');
	}
	if (le)
		gh_buf_printf(out, "%sle=\"%s\"", mt->nlabels ? "," : "", le);
	gh_buf_putc(out, '}');
}

static void metrics_render_series(gh_buf *out, const gh_metric *mt, size_t series, const size_t *vidx,
				  bool has_other)
{
	if (mt->kind != METRIC_HISTOGRAM) {
		int64_t v = metric_value(mt, series);
		if (has_other && v == 0)
			return;
		gh_buf_puts(out, mt->name);
		metrics_put_labels(out, mt, vidx, NULL);
		gh_buf_printf(out, " %lld\n", (long long)v);
		return;
	}
	const _Atomic uint64_t *b = &mt->buckets[series * (mt->nbounds + 1)];
	uint64_t counts[GH_METRIC_MAX_BUCKETS + 1], total = 0;
	for (size_t i = 0; i <= mt->nbounds; i++)
		counts[i] = atomic_load_explicit(&b[i], memory_order_relaxed);
	for (size_t i = 0; i <= mt->nbounds; i++)
		total += counts[i];
	if (has_other && total == 0)
		return;
	uint64_t cum = 0;
	for (size_t i = 0; i <= mt->nbounds; i++) {
		cum += counts[i];
		gh_buf le = { 0 };
		if (i < mt->nbounds)
			metrics_put_double(&le, mt->bounds[i]);
		gh_buf_printf(out, "%s_bucket", mt->name);
		metrics_put_labels(out, mt, vidx, i < mt->nbounds ? (le.p ? le.p : "") : "+Inf");
		gh_buf_printf(out, " %llu\n", (unsigned long long)cum);
		gh_buf_free(&le);
	}
	gh_buf_printf(out, "%s_sum", mt->name);
	metrics_put_labels(out, mt, vidx, NULL);
	gh_buf_putc(out, ' ');
	metrics_put_double(out, metric_sum(mt, series));
	gh_buf_printf(out, "\n%s_count", mt->name);
	metrics_put_labels(out, mt, vidx, NULL);
	/* The +Inf bucket, not a separate counter, so a scrape is self-consistent. */
	gh_buf_printf(out, " %llu\n", (unsigned long long)total);
}

bool metrics_render(gh_metrics *m, gh_buf *out)
{
	pthread_mutex_lock(&m->mu);
	for (const gh_metric *mt = m->head; mt; mt = mt->next) {
		gh_buf_printf(out, "# HELP %s ", mt->name);
		metrics_put_escaped(out, mt->help, false);
		gh_buf_printf(out, "\n# TYPE %s %s\n", mt->name, metric_kind_names[mt->kind]);
		for (size_t s = 0; s < mt->nseries; s++) {
			/* Decode the mixed-radix index back into one value per label. */
			size_t vidx[GH_METRIC_MAX_LABELS] = { 0 }, rest = s;
			bool has_other = false;
			for (size_t i = mt->nlabels; i-- > 0;) {
				vidx[i] = rest % (mt->nvalues[i] + 1);
				rest /= mt->nvalues[i] + 1;
				has_other = has_other || vidx[i] == mt->nvalues[i];
			}
			metrics_render_series(out, mt, s, vidx, has_other);
		}
	}
	pthread_mutex_unlock(&m->mu);
	return !out->oom;
}
