/* Levels and versions as the namespace labels and the configuration spell them. */
#include <stdio.h>

#include "domain/k8s/pss.h"

static const char *const level_names[] = { "privileged", "baseline", "restricted" };

const char *pss_level_name(pss_level l)
{
	return l <= PSS_RESTRICTED ? level_names[l] : "unknown";
}

bool pss_level_parse(gh_str s, pss_level *out)
{
	for (int i = 0; i <= PSS_RESTRICTED; i++) {
		if (gh_str_eq_c(s, level_names[i])) {
			*out = (pss_level)i;
			return true;
		}
	}
	return false;
}

bool pss_version_parse(gh_str s, int64_t *minor)
{
	if (gh_str_eq_c(s, "latest")) {
		*minor = PSS_LATEST;
		return true;
	}
	/* ^v1\.([0-9]|[1-9][0-9]*)$; Go's Atoi then fails past int64, so do we. */
	if (s.n < 4 || s.p[0] != 'v' || s.p[1] != '1' || s.p[2] != '.')
		return false;
	gh_str num = gh_str_sub(s, 3, s.n - 3);
	if (num.n > 1 && num.p[0] == '0')
		return false;
	int64_t v;
	if (!gh_str_to_i64(num, &v) || v < 0 || num.p[0] == '-')
		return false;
	*minor = v;
	return true;
}

const char *pss_lv_format(pss_lv lv, char *buf, size_t n)
{
	if (lv.minor == PSS_LATEST)
		snprintf(buf, n, "%s:latest", pss_level_name(lv.level));
	else
		snprintf(buf, n, "%s:v1.%lld", pss_level_name(lv.level), (long long)lv.minor);
	return buf;
}

bool pss_lv_eq(pss_lv a, pss_lv b)
{
	return a.level == b.level && a.minor == b.minor;
}

int pss_level_compare(pss_level a, pss_level b)
{
	return a == b ? 0 : a < b ? -1 : 1;
}
