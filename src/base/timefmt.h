/* timefmt: pure conversions between Unix seconds and the textual forms AWS and
 * Kubernetes use. No clock is read here: the current time is always passed in. */
#ifndef GH_BASE_TIMEFMT_H
#define GH_BASE_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"

#define GH_AMZDATE_LEN 16  /* 20060102T150405Z */
#define GH_ISO8601_LEN 20  /* 2006-01-02T15:04:05Z */

void gh_time_amzdate(int64_t t, char out[GH_AMZDATE_LEN + 1]);
void gh_time_iso8601(int64_t t, char out[GH_ISO8601_LEN + 1]);
#define GH_RFC3339_MICRO_LEN 27 /* 2006-01-02T15:04:05.000000Z */
/* Unix microseconds as Kubernetes audit timestamps write them (metav1.MicroTime). */
void gh_time_rfc3339_micro(int64_t us, char out[GH_RFC3339_MICRO_LEN + 1]);
void gh_time_yyyymmdd(int64_t t, char out[9]);
/* Exactly "YYYYMMDDTHHMMSSZ". */
bool gh_time_parse_amzdate(gh_str s, int64_t *t);
/* "YYYY-MM-DDTHH:MM:SS" with optional fraction, then "Z" or "+hh:mm"/"-hh:mm". */
bool gh_time_parse_iso8601(gh_str s, int64_t *t);
/* The same, in Unix microseconds (digits beyond the sixth are dropped). */
bool gh_time_parse_iso8601_us(gh_str s, int64_t *us);
/* RFC 1123 "Mon, 02 Jan 2006 15:04:05 GMT" (the HTTP Date header). */
bool gh_time_parse_http(gh_str s, int64_t *t);
int64_t gh_time_from_civil(int y, int mon, int d, int h, int mi, int s);

#endif
