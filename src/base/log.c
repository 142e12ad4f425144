#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "base/timefmt.h"

static enum gh_log_level min_level = GH_LOG_INFO;
static int64_t (*clock_fn)(void);
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void gh_log_set_level(enum gh_log_level min)
{
	min_level = min;
}

void gh_log_set_clock(int64_t (*now)(void))
{
	clock_fn = now;
}

static void put_json_string(gh_buf *b, const char *s)
{
	gh_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			gh_buf_putc(b, '\\');
			gh_buf_putc(b, (char)*p);
		} else if (*p < 0x20) {
			gh_buf_printf(b, "\\u%04x", *p);
		} else {
			gh_buf_putc(b, (char)*p);
		}
	}
	gh_buf_putc(b, '"');
}

void gh_log(enum gh_log_level level, const char *event, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	if (level < min_level)
		return;
	char ts[GH_ISO8601_LEN + 1];
	gh_time_iso8601(clock_fn ? clock_fn() : (int64_t)time(NULL), ts);
	gh_buf b = { 0 };
	gh_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":", ts, names[level]);
	put_json_string(&b, event);
	va_list ap;
	va_start(ap, event);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k)
			break;
		const char *v = va_arg(ap, const char *);
		gh_buf_putc(&b, ',');
		put_json_string(&b, k);
		gh_buf_putc(&b, ':');
		put_json_string(&b, v ? v : "");
	}
	va_end(ap);
	gh_buf_puts(&b, "}\n");
	if (!b.oom) {
		pthread_mutex_lock(&log_mu);
		fwrite(b.p, 1, b.n, stderr);
		fflush(stderr);
		pthread_mutex_unlock(&log_mu);
	}
	gh_buf_free(&b);
}
