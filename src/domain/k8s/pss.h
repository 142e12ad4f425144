/* pss: the Pod Security Standards checks (kubernetes/pod-security-admission `policy/`), for
 * every policy version v1.0 .. v1.37 and `latest`.
 *
 * A level-version pair says which checks run: privileged runs none; baseline runs the
 * baseline checks of that version; restricted runs the restricted checks plus the baseline
 * checks no active restricted check overrides (capabilities_restricted overrides
 * capabilities_baseline, restrictedVolumes hostPathVolumes, seccompProfile_restricted
 * seccompProfile_baseline, procMount_restricted procMount). `latest` and any version newer
 * than the newest known are evaluated with the newest checks, but print as written.
 *
 * pss_evaluate is upstream's EvaluatePod + AggregateCheckResults over a decoded pod
 * (pss_pod.h): the failed checks in upstream's order (baseline IDs, then restricted IDs,
 * each in byte order), each with upstream's reason and detail text. It allocates nothing
 * while every check passes; the texts are built only for a failure, into the result's
 * buffers, which a caller reuses across calls. Pure: no I/O, no clock. */
#ifndef GH_K8S_PSS_H
#define GH_K8S_PSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

typedef struct pss_pod pss_pod;

typedef enum pss_level { PSS_PRIVILEGED = 0, PSS_BASELINE = 1, PSS_RESTRICTED = 2 } pss_level;

/* The newest policy version whose checks gatehouse knows (v1.37). */
#define PSS_MAX_MINOR 37
/* Version "latest": newer than every v1.N. */
#define PSS_LATEST INT64_MAX

typedef struct pss_lv {
	pss_level level;
	int64_t minor; /* v1.<minor>, or PSS_LATEST */
} pss_lv;

/* "privileged", "baseline", "restricted". */
const char *pss_level_name(pss_level l);
/* Upstream's ParseLevel: false for anything but the three names. */
bool pss_level_parse(gh_str s, pss_level *out);
/* Upstream's ParseVersion: "latest" or ^v1\.([0-9]|[1-9][0-9]*)$; false otherwise. */
bool pss_version_parse(gh_str s, int64_t *minor);
/* "restricted:latest", "baseline:v1.25" into buf (at least PSS_LV_MAX bytes). */
#define PSS_LV_MAX 48
const char *pss_lv_format(pss_lv lv, char *buf, size_t n);
bool pss_lv_eq(pss_lv a, pss_lv b);
/* Upstream's CompareLevels: -1, 0 or +1 by strictness. */
int pss_level_compare(pss_level a, pss_level b);

/* The aggregate of one evaluation. Buffers are owned by the result; reuse it across calls
 * (pss_result_free at the end). */
typedef struct pss_result {
	bool allowed;
	size_t nfailed;
	gh_buf reasons; /* ForbiddenReason(): "r1, r2" */
	gh_buf detail;	/* ForbiddenDetail(): "r1 (d1), r2 (d2)" */
	gh_buf scratch; /* one check's detail while it is written */
} pss_result;

void pss_result_free(pss_result *r);

/* Runs every check of `lv` over the pod. Returns r->allowed. On allocation failure the
 * texts may be cut short but the decision stays right (a buffer's oom flag is set). */
bool pss_evaluate(const pss_pod *pod, pss_lv lv, pss_result *r);

/* The check IDs run at lv, in order, for tests and `pss check --explain`-like listings;
 * returns how many were written (at most cap). */
size_t pss_checks_for(pss_lv lv, const char **ids, size_t cap);

#endif
