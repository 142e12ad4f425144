/* The Pod Security checks, one function per check ID, each taking the policy minor version
 * so that versioned behaviour (new sysctls, Windows and user-namespace exemptions) is one
 * `if` rather than a copy of the function. A check returns NULL when the pod passes, or
 * its reason with the detail written into `d`; the fast path reads the decoded pod only. */
#include <stdio.h>
#include <string.h>

#include "domain/k8s/pss.h"
#include "domain/k8s/pss_pod.h"
#include "domain/k8s/pss_text.h"
#include "domain/k8s/rbac_util.h"

typedef bool (*cpred)(const pss_container *c, const void *arg);

static size_t count_where(const pss_pod *p, cpred f, const void *arg)
{
	size_t n = 0;
	for (size_t i = 0; i < p->ncontainers; i++)
		n += f(&p->containers[i], arg);
	return n;
}

/* `container "a"` or `containers "a", "b"`: the containers f selects, in visiting order. */
static void put_containers(gh_buf *b, const pss_pod *p, size_t n, cpred f, const void *arg)
{
	pss_put_plural(b, "container ", "containers ", n);
	size_t k = 0;
	for (size_t i = 0; i < p->ncontainers; i++) {
		if (!f(&p->containers[i], arg))
			continue;
		pss_put_quoted(b, &p->containers[i].name, 1);
		if (++k < n)
			gh_buf_puts(b, ", ");
	}
}

/* `containers "a", "b"<tail>` when f selects any container; false when it selects none. */
static bool put_failing(gh_buf *d, const pss_pod *p, cpred f, const char *tail)
{
	size_t n = count_where(p, f, NULL);
	if (!n)
		return false;
	put_containers(d, p, n, f, NULL);
	gh_buf_puts(d, tail);
	return true;
}

/* "pod", `containers "a"`, or both joined with " and ": the setters of a bad value. */
static void put_setters(gh_buf *b, bool pod, const pss_pod *p, size_t n, cpred f, const void *arg)
{
	if (pod)
		gh_buf_puts(b, "pod");
	if (pod && n)
		gh_buf_puts(b, " and ");
	if (n)
		put_containers(b, p, n, f, arg);
}

static bool str_is(gh_str s, const char *lit)
{
	return gh_str_eq_c(s, lit);
}

/* ---- baseline ------------------------------------------------------------------------ */

static bool is_privileged(const pss_container *c, const void *arg)
{
	return c->sc.privileged == 1;
}

static const char *chk_privileged(const pss_pod *p, int64_t v, gh_buf *d)
{
	return put_failing(d, p, is_privileged, " must not set securityContext.privileged=true") ? "privileged" : NULL;
}

static const char *chk_host_namespaces(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (!p->host_network && !p->host_pid && !p->host_ipc)
		return NULL;
	const char *sep = "";
	if (p->host_network) {
		gh_buf_puts(d, "hostNetwork=true");
		sep = ", ";
	}
	if (p->host_pid) {
		gh_buf_puts(d, sep);
		gh_buf_puts(d, "hostPID=true");
		sep = ", ";
	}
	if (p->host_ipc) {
		gh_buf_puts(d, sep);
		gh_buf_puts(d, "hostIPC=true");
	}
	return "host namespaces";
}

static const char *chk_host_path_volumes(const pss_pod *p, int64_t v, gh_buf *d)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nvolumes; i++)
		n += p->volumes[i].host_path;
	if (!n)
		return NULL;
	pss_put_plural(d, "volume ", "volumes ", n);
	for (size_t i = 0, k = 0; i < p->nvolumes; i++) {
		if (!p->volumes[i].host_path)
			continue;
		pss_put_quoted(d, &p->volumes[i].name, 1);
		if (++k < n)
			gh_buf_puts(d, ", ");
	}
	return "hostPath volumes";
}

static bool uses_host_port(const pss_container *c, const void *arg)
{
	return c->nhost_ports > 0;
}

static const char *chk_host_ports(const pss_pod *p, int64_t v, gh_buf *d)
{
	size_t n = count_where(p, uses_host_port, NULL);
	if (!n)
		return NULL;
	pss_set ports = { 0 };
	for (size_t i = 0; i < p->ncontainers; i++) {
		for (size_t j = 0; j < p->containers[i].nhost_ports; j++) {
			char num[24];
			int w = snprintf(num, sizeof num, "%lld", (long long)p->containers[i].host_ports[j]);
			pss_set_add_copy(&ports, (gh_str){ num, (size_t)w });
		}
	}
	pss_set_finish(&ports);
	put_containers(d, p, n, uses_host_port, NULL);
	pss_put_plural(d, " uses ", " use ", n);
	pss_put_plural(d, "hostPort ", "hostPorts ", ports.n);
	pss_set_put_joined(d, &ports);
	pss_set_free(&ports);
	return "hostPort";
}

static const char *chk_host_probes(const pss_pod *p, int64_t v, gh_buf *d)
{
	pss_set names = { 0 }, hosts = { 0 };
	for (size_t i = 0; i < p->ncontainers; i++) {
		const pss_container *c = &p->containers[i];
		if (!c->nprobe_hosts)
			continue;
		pss_set_add(&names, c->name);
		for (size_t j = 0; j < c->nprobe_hosts; j++)
			pss_set_add(&hosts, c->probe_hosts[j]);
	}
	if (!names.n)
		return NULL;
	pss_set_finish(&names);
	pss_set_finish(&hosts);
	pss_put_plural(d, "container ", "containers ", names.n);
	pss_set_put_quoted(d, &names);
	pss_put_plural(d, " uses ", " use ", names.n);
	pss_put_plural(d, "probe or lifecycle host ", "probe or lifecycle hosts ", hosts.n);
	pss_set_put_quoted(d, &hosts);
	pss_set_free(&names);
	pss_set_free(&hosts);
	return "probe or lifecycle host";
}

static const char *const default_caps[] = { "AUDIT_WRITE", "CHOWN",   "DAC_OVERRIDE", "FOWNER", "FSETID",
					    "KILL",	   "MKNOD",   "NET_BIND_SERVICE", "SETFCAP", "SETGID",
					    "SETPCAP",	   "SETUID",  "SYS_CHROOT" };

static bool default_cap(gh_str c)
{
	for (size_t i = 0; i < sizeof default_caps / sizeof *default_caps; i++)
		if (str_is(c, default_caps[i]))
			return true;
	return false;
}

typedef struct cap_rule {
	bool (*forbidden)(gh_str cap);
} cap_rule;

static bool adds_forbidden(const pss_container *c, const void *arg)
{
	const cap_rule *rule = arg;
	for (size_t i = 0; i < c->sc.ncap_add; i++)
		if (rule->forbidden(c->sc.cap_add[i]))
			return true;
	return false;
}

/* `container "a" must not include "X", "Y" in securityContext.capabilities.add`: the n
 * containers adding a capability the rule forbids, and those capabilities (sorted). */
static void put_added_caps(gh_buf *d, const pss_pod *p, size_t n, const cap_rule *rule)
{
	pss_set caps = { 0 };
	for (size_t i = 0; i < p->ncontainers; i++)
		for (size_t j = 0; j < p->containers[i].sc.ncap_add; j++)
			if (rule->forbidden(p->containers[i].sc.cap_add[j]))
				pss_set_add(&caps, p->containers[i].sc.cap_add[j]);
	pss_set_finish(&caps);
	put_containers(d, p, n, adds_forbidden, rule);
	gh_buf_puts(d, " must not include ");
	pss_set_put_quoted(d, &caps);
	gh_buf_puts(d, " in securityContext.capabilities.add");
	pss_set_free(&caps);
}

static bool non_default_cap(gh_str c)
{
	return !default_cap(c);
}

static const char *chk_capabilities_baseline(const pss_pod *p, int64_t v, gh_buf *d)
{
	static const cap_rule rule = { non_default_cap };
	size_t n = count_where(p, adds_forbidden, &rule);
	if (!n)
		return NULL;
	put_added_caps(d, p, n, &rule);
	return "non-default capabilities";
}

static bool allowed_profile_type(gh_str t)
{
	return str_is(t, "RuntimeDefault") || str_is(t, "Localhost");
}

static bool bad_apparmor(const pss_container *c, const void *arg)
{
	return c->sc.apparmor.set && !allowed_profile_type(c->sc.apparmor.type);
}

#define APPARMOR_PREFIX "container.apparmor.security.beta.kubernetes.io/"

static bool bad_apparmor_annotation(const pss_annotation *an)
{
	if (!gh_str_has_prefix(an->key, GH_STR(APPARMOR_PREFIX)))
		return false;
	return !(an->value.n == 0 || str_is(an->value, "runtime/default") ||
		 gh_str_has_prefix(an->value, GH_STR("localhost/")));
}

/* `key="value"` with Go's %q for the value. */
static void add_annotation(pss_set *s, const pss_annotation *an)
{
	gh_buf b = { 0 };
	gh_buf_put_str(&b, an->key);
	gh_buf_putc(&b, '=');
	rbac_go_quote(&b, an->value);
	pss_set_add_copy(s, gh_buf_str(&b));
	gh_buf_free(&b);
}

static const char *chk_apparmor(const pss_pod *p, int64_t v, gh_buf *d)
{
	bool pod = p->sc.apparmor.set && !allowed_profile_type(p->sc.apparmor.type);
	size_t n = count_where(p, bad_apparmor, NULL), nann = 0;
	for (size_t i = 0; i < p->nannotations; i++)
		nann += bad_apparmor_annotation(&p->annotations[i]);
	if (!pod && !n && !nann)
		return NULL;
	pss_set types = { 0 }, anns = { 0 };
	if (pod)
		pss_set_add(&types, p->sc.apparmor.type);
	for (size_t i = 0; i < p->ncontainers; i++)
		if (bad_apparmor(&p->containers[i], NULL))
			pss_set_add(&types, p->containers[i].sc.apparmor.type);
	for (size_t i = 0; i < p->nannotations; i++)
		if (bad_apparmor_annotation(&p->annotations[i]))
			add_annotation(&anns, &p->annotations[i]);
	pss_set_finish(&types);
	pss_set_finish(&anns);
	put_setters(d, pod, p, n, bad_apparmor, NULL);
	if (nann) {
		if (pod || n)
			gh_buf_puts(d, " and ");
		pss_put_plural(d, "annotation", "annotations", anns.n);
	}
	gh_buf_puts(d, " must not set AppArmor profile type to ");
	pss_set_put_quoted(d, &types);
	if (types.n && anns.n)
		gh_buf_puts(d, ", ");
	pss_set_put_quoted(d, &anns);
	size_t nvalues = types.n + anns.n;
	pss_set_free(&types);
	pss_set_free(&anns);
	return nvalues == 1 ? "forbidden AppArmor profile" : "forbidden AppArmor profiles";
}

static bool bad_proc_mount(const pss_container *c, const void *arg)
{
	return c->sc.proc_mount_set && !str_is(c->sc.proc_mount, "Default");
}

static const char *proc_mount(const pss_pod *p, gh_buf *d)
{
	size_t n = count_where(p, bad_proc_mount, NULL);
	if (!n)
		return NULL;
	pss_set vals = { 0 };
	for (size_t i = 0; i < p->ncontainers; i++)
		if (bad_proc_mount(&p->containers[i], NULL))
			pss_set_add(&vals, p->containers[i].sc.proc_mount);
	pss_set_finish(&vals);
	put_containers(d, p, n, bad_proc_mount, NULL);
	gh_buf_puts(d, " must not set securityContext.procMount to ");
	pss_set_put_quoted(d, &vals);
	pss_set_free(&vals);
	return "procMount";
}

/* KEP-127: from v1.35 a pod in its own user namespace (hostUsers: false) is relaxed. */
static bool user_namespaced(const pss_pod *p, int64_t v)
{
	return v >= 35 && p->host_users == 0;
}

static const char *chk_proc_mount_baseline(const pss_pod *p, int64_t v, gh_buf *d)
{
	return user_namespaced(p, v) ? NULL : proc_mount(p, d);
}

static const char *chk_proc_mount_restricted(const pss_pod *p, int64_t v, gh_buf *d)
{
	return proc_mount(p, d);
}

typedef struct selinux_scan {
	int64_t v;
	pss_set *types; /* NULL while only deciding */
	bool user, role;
} selinux_scan;

static bool selinux_ok(const pss_selinux *o, selinux_scan *s)
{
	static const char *const allowed[] = { "", "container_t", "container_init_t", "container_kvm_t",
					       "container_engine_t" };
	size_t nallowed = s->v >= 31 ? 5 : 4;
	bool ok = true, type_ok = false;
	for (size_t i = 0; i < nallowed; i++)
		type_ok |= str_is(o->type, allowed[i]);
	if (!type_ok) {
		ok = false;
		if (s->types)
			pss_set_add(s->types, o->type);
	}
	if (o->user.n)
		ok = false, s->user = true;
	if (o->role.n)
		ok = false, s->role = true;
	return ok;
}

static bool bad_selinux(const pss_container *c, const void *arg)
{
	return c->sc.selinux.set && !selinux_ok(&c->sc.selinux, (selinux_scan *)arg);
}

static const char *chk_selinux(const pss_pod *p, int64_t v, gh_buf *d)
{
	selinux_scan probe = { .v = v };
	bool pod = p->sc.selinux.set && !selinux_ok(&p->sc.selinux, &probe);
	size_t n = count_where(p, bad_selinux, &probe);
	if (!pod && !n)
		return NULL;
	pss_set types = { 0 };
	selinux_scan s = { .v = v, .types = &types };
	if (p->sc.selinux.set)
		(void)selinux_ok(&p->sc.selinux, &s);
	for (size_t i = 0; i < p->ncontainers; i++)
		if (p->containers[i].sc.selinux.set)
			(void)selinux_ok(&p->containers[i].sc.selinux, &s);
	pss_set_finish(&types);
	put_setters(d, pod, p, n, bad_selinux, &probe);
	gh_buf_puts(d, " set forbidden securityContext.seLinuxOptions: ");
	const char *sep = "";
	if (types.n) {
		pss_put_plural(d, "type ", "types ", types.n);
		pss_set_put_quoted(d, &types);
		sep = "; ";
	}
	if (s.user) {
		gh_buf_puts(d, sep);
		gh_buf_puts(d, "user may not be set");
		sep = "; ";
	}
	if (s.role) {
		gh_buf_puts(d, sep);
		gh_buf_puts(d, "role may not be set");
	}
	pss_set_free(&types);
	return "seLinuxOptions";
}

#define SECCOMP_POD_KEY "seccomp.security.alpha.kubernetes.io/pod"
#define SECCOMP_CONTAINER_PREFIX "container.seccomp.security.alpha.kubernetes.io/"

static bool seccomp_annotation_ok(gh_str v)
{
	return str_is(v, "runtime/default") || str_is(v, "docker/default") || gh_str_has_prefix(v, GH_STR("localhost/"));
}

static const pss_annotation *annotation(const pss_pod *p, gh_str prefix, gh_str rest)
{
	for (size_t i = 0; i < p->nannotations; i++) {
		gh_str k = p->annotations[i].key;
		if (k.n == prefix.n + rest.n && gh_str_has_prefix(k, prefix) &&
		    gh_str_eq(gh_str_sub(k, prefix.n, rest.n), rest))
			return &p->annotations[i];
	}
	return NULL;
}

/* v1.0 - v1.18: the alpha annotations, for the pod and each visited container. */
static const char *seccomp_annotations(const pss_pod *p, gh_buf *d)
{
	pss_set bad = { 0 };
	const pss_annotation *an = annotation(p, GH_STR(SECCOMP_POD_KEY), GH_STR(""));
	if (an && !seccomp_annotation_ok(an->value))
		add_annotation(&bad, an);
	for (size_t i = 0; i < p->ncontainers; i++) {
		an = annotation(p, GH_STR(SECCOMP_CONTAINER_PREFIX), p->containers[i].name);
		if (an && !seccomp_annotation_ok(an->value))
			add_annotation(&bad, an);
	}
	if (!bad.n)
		return NULL;
	pss_set_finish(&bad);
	gh_buf_puts(d, "forbidden ");
	pss_put_plural(d, "annotation ", "annotations ", bad.n);
	pss_set_put_joined(d, &bad);
	pss_set_free(&bad);
	return "seccompProfile";
}

static bool bad_seccomp(const pss_container *c, const void *arg)
{
	return c->sc.seccomp.set && !allowed_profile_type(c->sc.seccomp.type);
}

static bool unset_seccomp(const pss_container *c, const void *arg)
{
	return !c->sc.seccomp.set;
}

/* The explicit bad values, shared by the baseline (v1.19+) and restricted checks; false
 * when nothing sets one. */
static bool seccomp_explicit(const pss_pod *p, gh_buf *d)
{
	bool pod = p->sc.seccomp.set && !allowed_profile_type(p->sc.seccomp.type);
	size_t n = count_where(p, bad_seccomp, NULL);
	if (!pod && !n)
		return false;
	pss_set vals = { 0 };
	if (pod)
		pss_set_add(&vals, p->sc.seccomp.type);
	for (size_t i = 0; i < p->ncontainers; i++)
		if (bad_seccomp(&p->containers[i], NULL))
			pss_set_add(&vals, p->containers[i].sc.seccomp.type);
	pss_set_finish(&vals);
	put_setters(d, pod, p, n, bad_seccomp, NULL);
	gh_buf_puts(d, " must not set securityContext.seccompProfile.type to ");
	pss_set_put_quoted(d, &vals);
	pss_set_free(&vals);
	return true;
}

static const char *chk_seccomp_baseline(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (v < 19)
		return seccomp_annotations(p, d);
	return seccomp_explicit(p, d) ? "seccompProfile" : NULL;
}

static const char *const sysctls_1_0[] = { "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
					   "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
					   "net.ipv4.ip_unprivileged_port_start" };
/* Added by later versions, each with the first version allowing it. */
static const struct {
	int64_t since;
	const char *name;
} sysctls_added[] = {
	{ 27, "net.ipv4.ip_local_reserved_ports" }, { 29, "net.ipv4.tcp_keepalive_time" },
	{ 29, "net.ipv4.tcp_fin_timeout" },	    { 29, "net.ipv4.tcp_keepalive_intvl" },
	{ 29, "net.ipv4.tcp_keepalive_probes" },    { 32, "net.ipv4.tcp_rmem" },
	{ 32, "net.ipv4.tcp_wmem" },		    { 37, "net.ipv4.tcp_slow_start_after_idle" },
	{ 37, "net.ipv4.tcp_notsent_lowat" },
};

static bool sysctl_allowed(gh_str name, int64_t v)
{
	for (size_t i = 0; i < sizeof sysctls_1_0 / sizeof *sysctls_1_0; i++)
		if (str_is(name, sysctls_1_0[i]))
			return true;
	for (size_t i = 0; i < sizeof sysctls_added / sizeof *sysctls_added; i++)
		if (v >= sysctls_added[i].since && str_is(name, sysctls_added[i].name))
			return true;
	return false;
}

static const char *chk_sysctls(const pss_pod *p, int64_t v, gh_buf *d)
{
	bool any = false;
	for (size_t i = 0; i < p->nsysctls; i++) {
		if (sysctl_allowed(p->sysctls[i], v))
			continue;
		if (any)
			gh_buf_puts(d, ", ");
		gh_buf_put_str(d, p->sysctls[i]);
		any = true;
	}
	return any ? "forbidden sysctls" : NULL;
}

static bool host_process(const pss_container *c, const void *arg)
{
	return c->sc.host_process == 1;
}

static const char *chk_windows_host_process(const pss_pod *p, int64_t v, gh_buf *d)
{
	bool pod = p->sc.host_process == 1;
	size_t n = count_where(p, host_process, NULL);
	if (!pod && !n)
		return NULL;
	put_setters(d, pod, p, n, host_process, NULL);
	gh_buf_puts(d, " must not set securityContext.windowsOptions.hostProcess=true");
	return "hostProcess";
}

/* ---- restricted ---------------------------------------------------------------------- */

/* From v1.25 a Windows pod (spec.os.name=windows) is exempt from the Linux-only checks. */
static bool windows_exempt(const pss_pod *p, int64_t v)
{
	return v >= 25 && p->windows;
}

static bool escalation_allowed(const pss_container *c, const void *arg)
{
	return c->sc.allow_privilege_escalation != 0;
}

static const char *chk_allow_privilege_escalation(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (windows_exempt(p, v) ||
	    !put_failing(d, p, escalation_allowed, " must set securityContext.allowPrivilegeEscalation=false"))
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

static const char *chk_capabilities_restricted(const pss_pod *p, int64_t v, gh_buf *d)
{
	static const cap_rule rule = { beyond_bind };
	if (windows_exempt(p, v))
		return NULL;
	size_t ndrop = count_where(p, misses_drop_all, NULL), nadd = count_where(p, adds_forbidden, &rule);
	if (!ndrop && !nadd)
		return NULL;
	if (ndrop) {
		put_containers(d, p, ndrop, misses_drop_all, NULL);
		gh_buf_puts(d, " must set securityContext.capabilities.drop=[\"ALL\"]");
	}
	if (ndrop && nadd)
		gh_buf_puts(d, "; ");
	if (nadd)
		put_added_caps(d, p, nadd, &rule);
	return "unrestricted capabilities";
}

static const char *chk_restricted_volumes(const pss_pod *p, int64_t v, gh_buf *d)
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

static const char *chk_run_as_non_root(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (user_namespaced(p, v))
		return NULL;
	bool pod_false = p->sc.run_as_non_root == 0, pod_true = p->sc.run_as_non_root == 1;
	size_t explicit_bad = count_where(p, non_root_false, NULL);
	if (pod_false || explicit_bad) {
		put_setters(d, pod_false, p, explicit_bad, non_root_false, NULL);
		gh_buf_puts(d, " must not set securityContext.runAsNonRoot=false");
		return "runAsNonRoot != true";
	}
	size_t implicit_bad = pod_true ? 0 : count_where(p, non_root_unset, NULL);
	if (!implicit_bad)
		return NULL;
	gh_buf_puts(d, "pod or ");
	put_containers(d, p, implicit_bad, non_root_unset, NULL);
	gh_buf_puts(d, " must set securityContext.runAsNonRoot=true");
	return "runAsNonRoot != true";
}

static bool runs_as_root(const pss_container *c, const void *arg)
{
	return c->sc.run_as_user_set && c->sc.run_as_user == 0;
}

static const char *chk_run_as_user(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (user_namespaced(p, v))
		return NULL;
	bool pod = p->sc.run_as_user_set && p->sc.run_as_user == 0;
	size_t n = count_where(p, runs_as_root, NULL);
	if (!pod && !n)
		return NULL;
	put_setters(d, pod, p, n, runs_as_root, NULL);
	gh_buf_puts(d, " must not set runAsUser=0");
	return "runAsUser=0";
}

static const char *chk_seccomp_restricted(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (windows_exempt(p, v))
		return NULL;
	if (seccomp_explicit(p, d))
		return "seccompProfile";
	/* A valid pod-level profile covers the containers that set none. */
	if (p->sc.seccomp.set)
		return NULL;
	size_t n = count_where(p, unset_seccomp, NULL);
	if (!n)
		return NULL;
	gh_buf_puts(d, "pod or ");
	put_containers(d, p, n, unset_seccomp, NULL);
	gh_buf_puts(d, " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
	return "seccompProfile";
}

/* ---- the registry -------------------------------------------------------------------- */

typedef const char *(*check_fn)(const pss_pod *p, int64_t v, gh_buf *d);

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
	check_fn fn;
} checks[] = {
	[B_APPARMOR] = { "appArmorProfile", PSS_BASELINE, 0, -1, chk_apparmor },
	[B_CAPS] = { "capabilities_baseline", PSS_BASELINE, 0, -1, chk_capabilities_baseline },
	[B_HOSTNS] = { "hostNamespaces", PSS_BASELINE, 0, -1, chk_host_namespaces },
	[B_HOSTPATH] = { "hostPathVolumes", PSS_BASELINE, 0, -1, chk_host_path_volumes },
	[B_HOSTPORTS] = { "hostPorts", PSS_BASELINE, 0, -1, chk_host_ports },
	[B_PROBES] = { "hostProbesAndHostLifecycle", PSS_BASELINE, 34, -1, chk_host_probes },
	[B_PRIVILEGED] = { "privileged", PSS_BASELINE, 0, -1, chk_privileged },
	[B_PROCMOUNT] = { "procMount", PSS_BASELINE, 0, -1, chk_proc_mount_baseline },
	[B_SELINUX] = { "seLinuxOptions", PSS_BASELINE, 0, -1, chk_selinux },
	[B_SECCOMP] = { "seccompProfile_baseline", PSS_BASELINE, 0, -1, chk_seccomp_baseline },
	[B_SYSCTLS] = { "sysctls", PSS_BASELINE, 0, -1, chk_sysctls },
	[B_HOSTPROCESS] = { "windowsHostProcess", PSS_BASELINE, 0, -1, chk_windows_host_process },
	{ "allowPrivilegeEscalation", PSS_RESTRICTED, 8, -1, chk_allow_privilege_escalation },
	{ "capabilities_restricted", PSS_RESTRICTED, 22, B_CAPS, chk_capabilities_restricted },
	{ "procMount_restricted", PSS_RESTRICTED, 35, B_PROCMOUNT, chk_proc_mount_restricted },
	{ "restrictedVolumes", PSS_RESTRICTED, 0, B_HOSTPATH, chk_restricted_volumes },
	{ "runAsNonRoot", PSS_RESTRICTED, 0, -1, chk_run_as_non_root },
	{ "runAsUser", PSS_RESTRICTED, 23, -1, chk_run_as_user },
	{ "seccompProfile_restricted", PSS_RESTRICTED, 19, B_SECCOMP, chk_seccomp_restricted },
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
