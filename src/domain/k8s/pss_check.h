/* pss_check: what the Pod Security check files share (internal to domain/k8s/pss*).
 *
 * A check is `const char *pss_chk_x(pod, v, d)`: NULL when the pod passes at policy minor
 * version v (already capped at PSS_MAX_MINOR), else its reason with the detail written
 * into d. The helpers write upstream's phrases: `containers "a", "b"`, "pod and
 * container ...", and the lists the checks share. */
#ifndef GH_K8S_PSS_CHECK_H
#define GH_K8S_PSS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "domain/k8s/pss_pod.h"

typedef const char *(*pss_check_fn)(const pss_pod *p, int64_t v, gh_buf *d);

/* Selects containers; arg is the predicate's own. */
typedef bool (*pss_cpred)(const pss_container *c, const void *arg);

static inline bool str_is(gh_str s, const char *lit)
{
	return gh_str_eq_c(s, lit);
}

size_t pss_count_where(const pss_pod *p, pss_cpred f, const void *arg);
/* `container "a"` or `containers "a", "b"`: the n containers f selects, in visiting order. */
void pss_put_containers(gh_buf *b, const pss_pod *p, size_t n, pss_cpred f, const void *arg);
/* `containers "a", "b"<tail>` when f selects any container; false when it selects none. */
bool pss_put_failing(gh_buf *d, const pss_pod *p, pss_cpred f, const char *tail);
/* "pod", `containers "a"`, or both joined with " and ": the setters of a bad value. */
void pss_put_setters(gh_buf *b, bool pod, const pss_pod *p, size_t n, pss_cpred f, const void *arg);
/* The setters (the pod when pod_bad, the containers f selects) followed by tail; false when
 * there are none. */
bool pss_put_failing_setters(gh_buf *d, bool pod_bad, const pss_pod *p, pss_cpred f, const char *tail);

/* Shared by a baseline check and its restricted successor. */
typedef struct pss_cap_rule {
	bool (*forbidden)(gh_str cap);
} pss_cap_rule;
bool pss_adds_forbidden(const pss_container *c, const void *arg); /* arg: a pss_cap_rule */
void pss_put_added_caps(gh_buf *d, const pss_pod *p, size_t n, const pss_cap_rule *rule);
bool pss_allowed_profile_type(gh_str t); /* RuntimeDefault or Localhost */
bool pss_unset_seccomp(const pss_container *c, const void *arg);
bool pss_seccomp_explicit(const pss_pod *p, gh_buf *d);
const char *pss_proc_mount(const pss_pod *p, gh_buf *d);
bool pss_user_namespaced(const pss_pod *p, int64_t v);

/* Baseline (pss_baseline.c). */
const char *pss_chk_privileged(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_host_namespaces(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_host_path_volumes(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_host_ports(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_host_probes(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_capabilities_baseline(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_apparmor(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_proc_mount_baseline(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_selinux(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_seccomp_baseline(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_sysctls(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_windows_host_process(const pss_pod *p, int64_t v, gh_buf *d);

/* Restricted (pss_restricted.c). */
const char *pss_chk_proc_mount_restricted(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_allow_privilege_escalation(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_capabilities_restricted(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_restricted_volumes(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_run_as_non_root(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_run_as_user(const pss_pod *p, int64_t v, gh_buf *d);
const char *pss_chk_seccomp_restricted(const pss_pod *p, int64_t v, gh_buf *d);

#endif
