/* The baseline checks, one function per check ID, each taking the policy minor version so
 * that versioned behaviour (new sysctls, SELinux types, the user-namespace relaxation) is
 * one `if` rather than a copy of the function. The fast path reads the decoded pod only;
 * texts are written only for a failure. */
#include <stdio.h>
#include <string.h>

#include "domain/k8s/pss_check.h"
#include "domain/k8s/pss_text.h"
#include "domain/k8s/rbac_util.h"

static bool is_privileged(const pss_container *c, const void *arg)
{
	return c->sc.privileged == 1;
}

const char *pss_chk_privileged(const pss_pod *p, int64_t v, gh_buf *d)
{
	return pss_put_failing(d, p, is_privileged, " must not set securityContext.privileged=true") ? "privileged" : NULL;
}

const char *pss_chk_host_namespaces(const pss_pod *p, int64_t v, gh_buf *d)
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

const char *pss_chk_host_path_volumes(const pss_pod *p, int64_t v, gh_buf *d)
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

const char *pss_chk_host_ports(const pss_pod *p, int64_t v, gh_buf *d)
{
	size_t n = pss_count_where(p, uses_host_port, NULL);
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
	pss_put_containers(d, p, n, uses_host_port, NULL);
	pss_put_plural(d, " uses ", " use ", n);
	pss_put_plural(d, "hostPort ", "hostPorts ", ports.n);
	pss_set_put_joined(d, &ports);
	pss_set_free(&ports);
	return "hostPort";
}

const char *pss_chk_host_probes(const pss_pod *p, int64_t v, gh_buf *d)
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

bool pss_adds_forbidden(const pss_container *c, const void *arg)
{
	const pss_cap_rule *rule = arg;
	for (size_t i = 0; i < c->sc.ncap_add; i++)
		if (rule->forbidden(c->sc.cap_add[i]))
			return true;
	return false;
}

/* `container "a" must not include "X", "Y" in securityContext.capabilities.add`: the n
 * containers adding a capability the rule forbids, and those capabilities (sorted). */
void pss_put_added_caps(gh_buf *d, const pss_pod *p, size_t n, const pss_cap_rule *rule)
{
	pss_set caps = { 0 };
	for (size_t i = 0; i < p->ncontainers; i++)
		for (size_t j = 0; j < p->containers[i].sc.ncap_add; j++)
			if (rule->forbidden(p->containers[i].sc.cap_add[j]))
				pss_set_add(&caps, p->containers[i].sc.cap_add[j]);
	pss_set_finish(&caps);
	pss_put_containers(d, p, n, pss_adds_forbidden, rule);
	gh_buf_puts(d, " must not include ");
	pss_set_put_quoted(d, &caps);
	gh_buf_puts(d, " in securityContext.capabilities.add");
	pss_set_free(&caps);
}

static bool non_default_cap(gh_str c)
{
	return !default_cap(c);
}

const char *pss_chk_capabilities_baseline(const pss_pod *p, int64_t v, gh_buf *d)
{
	static const pss_cap_rule rule = { non_default_cap };
	size_t n = pss_count_where(p, pss_adds_forbidden, &rule);
	if (!n)
		return NULL;
	pss_put_added_caps(d, p, n, &rule);
	return "non-default capabilities";
}

bool pss_allowed_profile_type(gh_str t)
{
	return str_is(t, "RuntimeDefault") || str_is(t, "Localhost");
}

static bool bad_apparmor(const pss_container *c, const void *arg)
{
	return c->sc.apparmor.set && !pss_allowed_profile_type(c->sc.apparmor.type);
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

const char *pss_chk_apparmor(const pss_pod *p, int64_t v, gh_buf *d)
{
	bool pod = p->sc.apparmor.set && !pss_allowed_profile_type(p->sc.apparmor.type);
	size_t n = pss_count_where(p, bad_apparmor, NULL), nann = 0;
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
	pss_put_setters(d, pod, p, n, bad_apparmor, NULL);
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

const char *pss_proc_mount(const pss_pod *p, gh_buf *d)
{
	size_t n = pss_count_where(p, bad_proc_mount, NULL);
	if (!n)
		return NULL;
	pss_set vals = { 0 };
	for (size_t i = 0; i < p->ncontainers; i++)
		if (bad_proc_mount(&p->containers[i], NULL))
			pss_set_add(&vals, p->containers[i].sc.proc_mount);
	pss_set_finish(&vals);
	pss_put_containers(d, p, n, bad_proc_mount, NULL);
	gh_buf_puts(d, " must not set securityContext.procMount to ");
	pss_set_put_quoted(d, &vals);
	pss_set_free(&vals);
	return "procMount";
}

/* KEP-127: from v1.35 a pod in its own user namespace (hostUsers: false) is relaxed. */
bool pss_user_namespaced(const pss_pod *p, int64_t v)
{
	return v >= 35 && p->host_users == 0;
}

const char *pss_chk_proc_mount_baseline(const pss_pod *p, int64_t v, gh_buf *d)
{
	return pss_user_namespaced(p, v) ? NULL : pss_proc_mount(p, d);
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

const char *pss_chk_selinux(const pss_pod *p, int64_t v, gh_buf *d)
{
	selinux_scan probe = { .v = v };
	bool pod = p->sc.selinux.set && !selinux_ok(&p->sc.selinux, &probe);
	size_t n = pss_count_where(p, bad_selinux, &probe);
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
	pss_put_setters(d, pod, p, n, bad_selinux, &probe);
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
	return c->sc.seccomp.set && !pss_allowed_profile_type(c->sc.seccomp.type);
}

bool pss_unset_seccomp(const pss_container *c, const void *arg)
{
	return !c->sc.seccomp.set;
}

/* The explicit bad values, shared by the baseline (v1.19+) and restricted checks; false
 * when nothing sets one. */
bool pss_seccomp_explicit(const pss_pod *p, gh_buf *d)
{
	bool pod = p->sc.seccomp.set && !pss_allowed_profile_type(p->sc.seccomp.type);
	size_t n = pss_count_where(p, bad_seccomp, NULL);
	if (!pod && !n)
		return false;
	pss_set vals = { 0 };
	if (pod)
		pss_set_add(&vals, p->sc.seccomp.type);
	for (size_t i = 0; i < p->ncontainers; i++)
		if (bad_seccomp(&p->containers[i], NULL))
			pss_set_add(&vals, p->containers[i].sc.seccomp.type);
	pss_set_finish(&vals);
	pss_put_setters(d, pod, p, n, bad_seccomp, NULL);
	gh_buf_puts(d, " must not set securityContext.seccompProfile.type to ");
	pss_set_put_quoted(d, &vals);
	pss_set_free(&vals);
	return true;
}

const char *pss_chk_seccomp_baseline(const pss_pod *p, int64_t v, gh_buf *d)
{
	if (v < 19)
		return seccomp_annotations(p, d);
	return pss_seccomp_explicit(p, d) ? "seccompProfile" : NULL;
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

const char *pss_chk_sysctls(const pss_pod *p, int64_t v, gh_buf *d)
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

const char *pss_chk_windows_host_process(const pss_pod *p, int64_t v, gh_buf *d)
{
	return pss_put_failing_setters(d, p->sc.host_process == 1, p, host_process,
				       " must not set securityContext.windowsOptions.hostProcess=true")
		       ? "hostProcess"
		       : NULL;
}
