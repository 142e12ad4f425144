/* The check registry and pss_evaluate: which checks run at a level and version, in
 * upstream's order, and the aggregate of their results. */
#include "domain/k8s/pss.h"
#include "domain/k8s/pss_check.h"

/* Baseline IDs in byte order, then restricted IDs in byte order: upstream's message order.
 * `overrides` names the baseline check a restricted check replaces while it is active. */
enum {
	B_APPARMOR,
	B_CAPS,
	B_HOSTNS,
	B_HOSTPATH,
	B_HOSTPORTS,
	B_PROBES,
	B_PRIVILEGED,
	B_PROCMOUNT,
	B_SELINUX,
	B_SECCOMP,
	B_SYSCTLS,
	B_HOSTPROCESS,
	NBASELINE
};

static const struct check {
	const char *id;
	pss_level level;
	int64_t since;
	int overrides; /* -1: none */
	pss_check_fn fn;
} checks[] = {
	[B_APPARMOR] = { "appArmorProfile", PSS_BASELINE, 0, -1, pss_chk_apparmor },
	[B_CAPS] = { "capabilities_baseline", PSS_BASELINE, 0, -1, pss_chk_capabilities_baseline },
	[B_HOSTNS] = { "hostNamespaces", PSS_BASELINE, 0, -1, pss_chk_host_namespaces },
	[B_HOSTPATH] = { "hostPathVolumes", PSS_BASELINE, 0, -1, pss_chk_host_path_volumes },
	[B_HOSTPORTS] = { "hostPorts", PSS_BASELINE, 0, -1, pss_chk_host_ports },
	[B_PROBES] = { "hostProbesAndHostLifecycle", PSS_BASELINE, 34, -1, pss_chk_host_probes },
	[B_PRIVILEGED] = { "privileged", PSS_BASELINE, 0, -1, pss_chk_privileged },
	[B_PROCMOUNT] = { "procMount", PSS_BASELINE, 0, -1, pss_chk_proc_mount_baseline },
	[B_SELINUX] = { "seLinuxOptions", PSS_BASELINE, 0, -1, pss_chk_selinux },
	[B_SECCOMP] = { "seccompProfile_baseline", PSS_BASELINE, 0, -1, pss_chk_seccomp_baseline },
	[B_SYSCTLS] = { "sysctls", PSS_BASELINE, 0, -1, pss_chk_sysctls },
	[B_HOSTPROCESS] = { "windowsHostProcess", PSS_BASELINE, 0, -1, pss_chk_windows_host_process },
	{ "allowPrivilegeEscalation", PSS_RESTRICTED, 8, -1, pss_chk_allow_privilege_escalation },
	{ "capabilities_restricted", PSS_RESTRICTED, 22, B_CAPS, pss_chk_capabilities_restricted },
	{ "procMount_restricted", PSS_RESTRICTED, 35, B_PROCMOUNT, pss_chk_proc_mount_restricted },
	{ "restrictedVolumes", PSS_RESTRICTED, 0, B_HOSTPATH, pss_chk_restricted_volumes },
	{ "runAsNonRoot", PSS_RESTRICTED, 0, -1, pss_chk_run_as_non_root },
	{ "runAsUser", PSS_RESTRICTED, 23, -1, pss_chk_run_as_user },
	{ "seccompProfile_restricted", PSS_RESTRICTED, 19, B_SECCOMP, pss_chk_seccomp_restricted },
};
#define NCHECKS (sizeof checks / sizeof *checks)

static int64_t effective_minor(int64_t minor)
{
	return minor > PSS_MAX_MINOR ? PSS_MAX_MINOR : minor;
}

/* Whether check i runs at lv (v already capped). */
static bool active(size_t i, pss_level level, int64_t v)
{
	const struct check *c = &checks[i];
	if (c->level > level || v < c->since)
		return false;
	if (c->level == PSS_BASELINE && level == PSS_RESTRICTED) {
		for (size_t j = NBASELINE; j < NCHECKS; j++)
			if (checks[j].overrides == (int)i && v >= checks[j].since)
				return false;
	}
	return true;
}

size_t pss_checks_for(pss_lv lv, const char **ids, size_t cap)
{
	int64_t v = effective_minor(lv.minor);
	size_t n = 0;
	for (size_t i = 0; i < NCHECKS && n < cap; i++)
		if (lv.level != PSS_PRIVILEGED && active(i, lv.level, v))
			ids[n++] = checks[i].id;
	return n;
}

void pss_result_free(pss_result *r)
{
	gh_buf_free(&r->reasons);
	gh_buf_free(&r->detail);
	gh_buf_free(&r->scratch);
}

bool pss_evaluate(const pss_pod *pod, pss_lv lv, pss_result *r)
{
	gh_buf_reset(&r->reasons);
	gh_buf_reset(&r->detail);
	r->nfailed = 0;
	r->allowed = true;
	if (lv.level == PSS_PRIVILEGED)
		return true;
	int64_t v = effective_minor(lv.minor);
	for (size_t i = 0; i < NCHECKS; i++) {
		if (!active(i, lv.level, v))
			continue;
		gh_buf_reset(&r->scratch);
		const char *reason = checks[i].fn(pod, v, &r->scratch);
		if (!reason)
			continue;
		if (r->nfailed++) {
			gh_buf_puts(&r->reasons, ", ");
			gh_buf_puts(&r->detail, ", ");
		}
		gh_buf_puts(&r->reasons, reason);
		gh_buf_puts(&r->detail, reason);
		if (r->scratch.n) {
			gh_buf_puts(&r->detail, " (");
			gh_buf_put_str(&r->detail, gh_buf_str(&r->scratch));
			gh_buf_putc(&r->detail, ')');
		}
	}
	r->allowed = r->nfailed == 0;
	return r->allowed;
}
