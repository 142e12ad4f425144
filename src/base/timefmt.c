#include "base/timefmt.h"

#include <string.h>

/* Howard Hinnant's days-from-civil algorithm: proleptic Gregorian, no libc time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t gh_time_from_civil(int y, int mon, int d, int h, int mi, int s)
{
	return days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + s;
}

static void split(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t rem = t - days * 86400;
	civil_from_days(days, y, mo, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem / 60 % 60);
	*s = (int)(rem % 60);
}

/* Writes v as exactly `width` decimal digits (years outside 0..9999 wrap). */
static char *put_digits(char *p, int v, int width)
{
	if (v < 0)
		v = 0;
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static void format(int64_t t, char *out, bool dashes)
{
	int y, mo, d, h, mi, s;
	split(t, &y, &mo, &d, &h, &mi, &s);
	char *p = put_digits(out, y, 4);
	if (dashes)
		*p++ = '-';
	p = put_digits(p, mo, 2);
	if (dashes)
		*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, h, 2);
	if (dashes)
		*p++ = ':';
	p = put_digits(p, mi, 2);
	if (dashes)
		*p++ = ':';
	p = put_digits(p, s, 2);
	*p++ = 'Z';
	*p = '\0';
}

void gh_time_amzdate(int64_t t, char out[GH_AMZDATE_LEN + 1])
{
	format(t, out, false);
}

void gh_time_iso8601(int64_t t, char out[GH_ISO8601_LEN + 1])
{
	format(t, out, true);
}

void gh_time_rfc3339_micro(int64_t us, char out[GH_RFC3339_MICRO_LEN + 1])
{
	int64_t t = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
	int frac = (int)(us - t * 1000000);
	char base[GH_ISO8601_LEN + 1];
	format(t, base, true);
	memcpy(out, base, 19);
	out[19] = '.';
	put_digits(out + 20, frac, 6);
	out[26] = 'Z';
	out[27] = '\0';
}

void gh_time_yyyymmdd(int64_t t, char out[9])
{
	char full[GH_AMZDATE_LEN + 1];
	format(t, full, false);
	memcpy(out, full, 8);
	out[8] = '\0';
}

static bool digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

static bool valid(int y, int mo, int d, int h, int mi, int s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(mo == 2 && d == 29 && !leap);
}

bool gh_time_parse_amzdate(gh_str str, int64_t *t)
{
	const char *p = str.p;
	int y, mo, d, h, mi, s;
	if (str.n != GH_AMZDATE_LEN || p[8] != 'T' || p[15] != 'Z')
		return false;
	if (!digits(p, 4, &y) || !digits(p + 4, 2, &mo) || !digits(p + 6, 2, &d) ||
	    !digits(p + 9, 2, &h) || !digits(p + 11, 2, &mi) || !digits(p + 13, 2, &s))
		return false;
	if (!valid(y, mo, d, h, mi, s))
		return false;
	*t = gh_time_from_civil(y, mo, d, h, mi, s);
	return true;
}

bool gh_time_parse_iso8601_us(gh_str str, int64_t *us)
{
	const char *p = str.p;
	int y, mo, d, h, mi, s;
	if (str.n < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't') || p[13] != ':' ||
	    p[16] != ':')
		return false;
	if (!digits(p, 4, &y) || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
	    !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) || !digits(p + 17, 2, &s))
		return false;
	if (!valid(y, mo, d, h, mi, s))
		return false;
	size_t i = 19;
	int64_t frac = 0;
	if (i < str.n && p[i] == '.') {
		i++;
		size_t start = i;
		while (i < str.n && p[i] >= '0' && p[i] <= '9') {
			if (i - start < 6)
				frac = frac * 10 + (p[i] - '0');
			i++;
		}
		if (i == start)
			return false;
		for (size_t k = i - start; k < 6; k++)
			frac *= 10;
	}
	int64_t off = 0;
	if (i < str.n && (p[i] == 'Z' || p[i] == 'z')) {
		i++;
	} else if (i + 6 == str.n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':') {
		int oh, om;
		if (!digits(p + i + 1, 2, &oh) || !digits(p + i + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		off = (oh * 3600 + om * 60) * (p[i] == '+' ? 1 : -1);
		i += 6;
	} else {
		return false;
	}
	if (i != str.n)
		return false;
	*us = (gh_time_from_civil(y, mo, d, h, mi, s) - off) * 1000000 + frac;
	return true;
}

bool gh_time_parse_iso8601(gh_str str, int64_t *t)
{
	int64_t us;
	if (!gh_time_parse_iso8601_us(str, &us))
		return false;
	/* The fraction never crosses a second: floor division gives the whole seconds. */
	*t = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
	return true;
}

bool gh_time_parse_http(gh_str str, int64_t *t)
{
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	const char *p = str.p;
	int y, mo = 0, d, h, mi, s;
	if (str.n != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' || p[11] != ' ' || p[16] != ' ' ||
	    p[19] != ':' || p[22] != ':' || memcmp(p + 25, " GMT", 4) != 0)
		return false;
	for (int i = 0; i < 12; i++)
		if (memcmp(p + 8, months[i], 3) == 0)
			mo = i + 1;
	if (!mo || !digits(p + 5, 2, &d) || !digits(p + 12, 4, &y) || !digits(p + 17, 2, &h) ||
	    !digits(p + 20, 2, &mi) || !digits(p + 23, 2, &s) || !valid(y, mo, d, h, mi, s))
		return false;
	*t = gh_time_from_civil(y, mo, d, h, mi, s);
	return true;
}
