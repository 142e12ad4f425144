/* The restricted checks (on top of the baseline ones they do not override). */
#include "domain/k8s/pss_check.h"
#include "domain/k8s/pss_text.h"

/* From v1.25 a Windows pod (spec.os.name=windows) is exempt from the Linux-only checks. */
static bool windows_exempt(const pss_pod *p, int64_t v)
{
	return v >= 25 && p->windows;
}

static bool escalation_allowed(const pss_container *c, const void *arg)
{
	return c->sc.allow_privilege_escalation != 0;
}

const char *pss_chk_allow_privilege_escalation(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (windows_exempt(p, v) ||
	    !pss_put_failing(d, p, escalation_allowed, " must set securityContext.allowPrivilegeEscalation=false"))
		return NULL;
	return "allowPrivilegeEscalation != false";
}

static bool misses_drop_all(const pss_container *c, const void *arg)
{
	if (!c->sc.caps_set)
		return true;
	for (size_t i = 0; i < c->sc.ncap_drop; i++)
		if (str_is(c->sc.cap_drop[i], "ALL"))
			return false;
	return true;
}

static bool beyond_bind(gh_str c)
{
	return !str_is(c, "NET_BIND_SERVICE");
}

const char *pss_chk_capabilities_restricted(const pss_pod *p, int64_t v, gh_buf *d)
{
	static const pss_cap_rule rule = { beyond_bind };
	if (windows_exempt(p, v))
		return NULL;
	size_t ndrop = pss_count_where(p, misses_drop_all, NULL), nadd = pss_count_where(p, pss_adds_forbidden, &rule);
	if (!ndrop && !nadd)
		return NULL;
	if (ndrop) {
		pss_put_containers(d, p, ndrop, misses_drop_all, NULL);
		gh_buf_puts(d, " must set securityContext.capabilities.drop=[\"ALL\"]");
	}
	if (ndrop && nadd)
		gh_buf_puts(d, "; ");
	if (nadd)
		pss_put_added_caps(d, p, nadd, &rule);
	return "unrestricted capabilities";
}

const char *pss_chk_restricted_volumes(const pss_pod *p, int64_t v, gh_buf *d)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nvolumes; i++)
		n += p->volumes[i].restricted_type != NULL;
	if (!n)
		return NULL;
	pss_set types = { 0 };
	pss_put_plural(d, "volume ", "volumes ", n);
	for (size_t i = 0, k = 0; i < p->nvolumes; i++) {
		if (!p->volumes[i].restricted_type)
			continue;
		pss_set_add(&types, gh_str_c(p->volumes[i].restricted_type));
		pss_put_quoted(d, &p->volumes[i].name, 1);
		if (++k < n)
			gh_buf_puts(d, ", ");
	}
	pss_set_finish(&types);
	pss_put_plural(d, " uses ", " use ", n);
	pss_put_plural(d, "restricted volume type ", "restricted volume types ", types.n);
	pss_set_put_quoted(d, &types);
	pss_set_free(&types);
	return "restricted volume types";
}

static bool non_root_false(const pss_container *c, const void *arg)
{
	return c->sc.run_as_non_root == 0;
}

static bool non_root_unset(const pss_container *c, const void *arg)
{
	return c->sc.run_as_non_root == PSS_UNSET;
}

const char *pss_chk_run_as_non_root(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (pss_user_namespaced(p, v))
		return NULL;
	bool pod_false = p->sc.run_as_non_root == 0, pod_true = p->sc.run_as_non_root == 1;
	if (pss_put_failing_setters(d, pod_false, p, non_root_false, " must not set securityContext.runAsNonRoot=false"))
		return "runAsNonRoot != true";
	size_t implicit_bad = pod_true ? 0 : pss_count_where(p, non_root_unset, NULL);
	if (!implicit_bad)
		return NULL;
	gh_buf_puts(d, "pod or ");
	pss_put_containers(d, p, implicit_bad, non_root_unset, NULL);
	gh_buf_puts(d, " must set securityContext.runAsNonRoot=true");
	return "runAsNonRoot != true";
}

static bool runs_as_root(const pss_container *c, const void *arg)
{
	return c->sc.run_as_user_set && c->sc.run_as_user == 0;
}

const char *pss_chk_run_as_user(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (pss_user_namespaced(p, v))
		return NULL;
	bool pod = p->sc.run_as_user_set && p->sc.run_as_user == 0;
	return pss_put_failing_setters(d, pod, p, runs_as_root, " must not set runAsUser=0") ? "runAsUser=0" : NULL;
}

const char *pss_chk_seccomp_restricted(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (windows_exempt(p, v))
		return NULL;
	if (pss_seccomp_explicit(p, d))
		return "seccompProfile";
	/* A valid pod-level profile covers the containers that set none. */
	if (p->sc.seccomp.set)
		return NULL;
	size_t n = pss_count_where(p, pss_unset_seccomp, NULL);
	if (!n)
		return NULL;
	gh_buf_puts(d, "pod or ");
	pss_put_containers(d, p, n, pss_unset_seccomp, NULL);
	gh_buf_puts(d, " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
	return "seccompProfile";
}

/* From v1.35, with no user-namespace relaxation: it overrides the baseline procMount. */
const char *pss_chk_proc_mount_restricted(const pss_pod *p, int64_t v, gh_buf *d)
{
	return pss_proc_mount(p, d);
}
