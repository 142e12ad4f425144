/* The pod decoder. The field path is kept in a small buffer while descending, so an error
 * names the exact field without building strings on the happy path beyond a few bytes. */
#include "domain/k8s/pss_pod.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The path to the current field, kept as frames and only rendered for an error: the happy
 * path stores two words per level. */
typedef struct frame {
	const char *name;
	long index; /* -1: no [i] */
	bool dot;   /* a '.' follows */
} frame;

typedef struct dec {
	gh_arena *a;
	gh_err *err;
	size_t depth;
	frame f[16];
	char path[256]; /* rendered on error */
} dec;

static size_t push_frame(dec *d, const char *name, long index, bool dot)
{
	size_t old = d->depth;
	if (d->depth < sizeof d->f / sizeof *d->f)
		d->f[d->depth++] = (frame){ name, index, dot };
	return old;
}

/* "name." */
static size_t push(dec *d, const char *name)
{
	return push_frame(d, name, -1, true);
}

/* "name[i]" and, with dot, "name[i]." */
static size_t push_idx(dec *d, const char *name, size_t i, bool dot)
{
	return push_frame(d, name, (long)i, dot);
}

/* "name" as is (a prefix such as "spec.template.", or a last segment). */
static size_t push_raw(dec *d, const char *name)
{
	return push_frame(d, name, -1, false);
}

static void pop(dec *d, size_t old)
{
	d->depth = old;
}

static const char *path(dec *d)
{
	gh_buf b = { 0 };
	for (size_t i = 0; i < d->depth; i++) {
		gh_buf_puts(&b, d->f[i].name);
		if (d->f[i].index >= 0)
			gh_buf_printf(&b, "[%ld]", d->f[i].index);
		if (d->f[i].dot)
			gh_buf_putc(&b, '.');
	}
	snprintf(d->path, sizeof d->path, "%s", b.p ? b.p : "");
	gh_buf_free(&b);
	return d->path;
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

static bool bad_type(dec *d, const char *key, const char *want, const json_t *v)
{
	return gh_fail(d->err, "InvalidPod", 400, "%s%s: expected %s, got %s", path(d), key, want, json_kind(v));
}

static bool too_many(dec *d, const char *key, size_t max)
{
	return gh_fail(d->err, "InvalidPod", 400, "%s%s: more than %zu entries", path(d), key, max);
}

static void *dalloc(dec *d, size_t n)
{
	void *v = gh_arena_alloc(d->a, n);
	if (!v)
		gh_fail(d->err, "ServiceFailure", 500, "out of memory");
	return v;
}

/* Absent and null are both "not set" (nil in Go). */
static const json_t *member(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

static bool get_tri(dec *d, const json_t *obj, const char *key, pss_tri *out)
{
	const json_t *v = member(obj, key);
	*out = PSS_UNSET;
	if (!v)
		return true;
	if (!json_is_boolean(v))
		return bad_type(d, key, "a boolean", v);
	*out = json_is_true(v) ? 1 : 0;
	return true;
}

static bool get_str(dec *d, const json_t *obj, const char *key, gh_str *out, bool *set)
{
	const json_t *v = member(obj, key);
	*out = (gh_str){ "", 0 };
	if (set)
		*set = v != NULL;
	if (!v)
		return true;
	if (!json_is_string(v))
		return bad_type(d, key, "a string", v);
	*out = (gh_str){ json_string_value(v), json_string_length(v) };
	return true;
}

static bool get_int(dec *d, const json_t *obj, const char *key, int64_t lo, int64_t hi, int64_t *out, bool *set)
{
	const json_t *v = member(obj, key);
	*set = v != NULL;
	*out = 0;
	if (!v)
		return true;
	if (!json_is_integer(v))
		return bad_type(d, key, "an integer", v);
	json_int_t x = json_integer_value(v);
	if (x < lo || x > hi)
		return gh_fail(d->err, "InvalidPod", 400, "%s%s: %lld is out of range", path(d), key, (long long)x);
	*out = (int64_t)x;
	return true;
}

/* An object member: *out NULL when absent. */
static bool get_obj(dec *d, const json_t *obj, const char *key, const json_t **out)
{
	const json_t *v = member(obj, key);
	*out = NULL;
	if (v && !json_is_object(v))
		return bad_type(d, key, "an object", v);
	*out = v;
	return true;
}

static bool get_arr(dec *d, const json_t *obj, const char *key, size_t max, const json_t **out)
{
	const json_t *v = member(obj, key);
	*out = NULL;
	if (v && !json_is_array(v))
		return bad_type(d, key, "an array", v);
	if (v && json_array_size(v) > max)
		return too_many(d, key, max);
	*out = v;
	return true;
}

/* A []string such as capabilities.add. */
static bool get_str_list(dec *d, const json_t *obj, const char *key, const gh_str **out, uint16_t *n)
{
	const json_t *arr;
	*out = NULL;
	*n = 0;
	if (!get_arr(d, obj, key, PSS_MAX_CAPABILITIES, &arr))
		return false;
	if (!arr || !json_array_size(arr))
		return true;
	size_t cnt = json_array_size(arr);
	gh_str *v = dalloc(d, cnt * sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < cnt; i++) {
		const json_t *e = json_array_get(arr, i);
		if (!json_is_string(e)) {
			char k[64];
			snprintf(k, sizeof k, "%s[%zu]", key, i);
			return bad_type(d, k, "a string", e);
		}
		v[i] = (gh_str){ json_string_value(e), json_string_length(e) };
	}
	*out = v;
	*n = (uint16_t)cnt;
	return true;
}

static bool get_profile(dec *d, const json_t *sc, const char *key, pss_profile *out)
{
	const json_t *p;
	if (!get_obj(d, sc, key, &p))
		return false;
	out->set = p != NULL;
	if (!p)
		return true;
	size_t old = push(d, key);
	bool ok = get_str(d, p, "type", &out->type, NULL);
	pop(d, old);
	return ok;
}

static bool get_selinux(dec *d, const json_t *sc, pss_selinux *out)
{
	const json_t *o;
	if (!get_obj(d, sc, "seLinuxOptions", &o))
		return false;
	out->set = o != NULL;
	if (!o)
		return true;
	size_t old = push(d, "seLinuxOptions");
	bool ok = get_str(d, o, "type", &out->type, NULL) && get_str(d, o, "user", &out->user, NULL) &&
		  get_str(d, o, "role", &out->role, NULL);
	pop(d, old);
	return ok;
}

static bool get_host_process(dec *d, const json_t *sc, pss_tri *out)
{
	const json_t *w;
	*out = PSS_UNSET;
	if (!get_obj(d, sc, "windowsOptions", &w))
		return false;
	if (!w)
		return true;
	size_t old = push(d, "windowsOptions");
	bool ok = get_tri(d, w, "hostProcess", out);
	pop(d, old);
	return ok;
}

/* The fields a pod-level and a container-level securityContext share. */
static bool decode_sc_common(dec *d, const json_t *sc, pss_sc *out)
{
	return get_tri(d, sc, "runAsNonRoot", &out->run_as_non_root) &&
	       get_int(d, sc, "runAsUser", INT64_MIN, INT64_MAX, &out->run_as_user, &out->run_as_user_set) &&
	       get_selinux(d, sc, &out->selinux) && get_profile(d, sc, "seccompProfile", &out->seccomp) &&
	       get_profile(d, sc, "appArmorProfile", &out->apparmor) && get_host_process(d, sc, &out->host_process);
}

static bool decode_container_sc(dec *d, const json_t *c, pss_sc *out)
{
	const json_t *sc, *caps;
	*out = (pss_sc){ .privileged = PSS_UNSET, .allow_privilege_escalation = PSS_UNSET,
			 .run_as_non_root = PSS_UNSET, .host_process = PSS_UNSET };
	if (!get_obj(d, c, "securityContext", &sc))
		return false;
	if (!sc)
		return true;
	out->set = true;
	size_t old = push(d, "securityContext");
	bool ok = get_tri(d, sc, "privileged", &out->privileged) &&
		  get_tri(d, sc, "allowPrivilegeEscalation", &out->allow_privilege_escalation) &&
		  get_str(d, sc, "procMount", &out->proc_mount, &out->proc_mount_set) && decode_sc_common(d, sc, out) &&
		  get_obj(d, sc, "capabilities", &caps);
	if (ok && caps) {
		out->caps_set = true;
		size_t o2 = push(d, "capabilities");
		ok = get_str_list(d, caps, "add", &out->cap_add, &out->ncap_add) &&
		     get_str_list(d, caps, "drop", &out->cap_drop, &out->ncap_drop);
		pop(d, o2);
	}
	pop(d, old);
	return ok;
}

/* httpGet.host and tcpSocket.host of one probe or lifecycle handler, appended to hosts. */
static bool handler_hosts(dec *d, const json_t *h, gh_str *hosts, uint16_t *n)
{
	static const char *const kinds[] = { "httpGet", "tcpSocket" };
	for (size_t k = 0; k < 2; k++) {
		const json_t *o;
		gh_str host;
		if (!get_obj(d, h, kinds[k], &o))
			return false;
		if (!o)
			continue;
		size_t old = push(d, kinds[k]);
		bool ok = get_str(d, o, "host", &host, NULL);
		pop(d, old);
		if (!ok)
			return false;
		if (host.n)
			hosts[(*n)++] = host;
	}
	return true;
}

/* livenessProbe, readinessProbe, startupProbe, then lifecycle.postStart and preStop: at
 * most two hosts each, so ten in all. */
static bool decode_probe_hosts(dec *d, const json_t *c, pss_container *out)
{
	static const char *const probes[] = { "livenessProbe", "readinessProbe", "startupProbe" };
	static const char *const hooks[] = { "postStart", "preStop" };
	gh_str hosts[10];
	uint16_t n = 0;
	for (size_t i = 0; i < 3; i++) {
		const json_t *p;
		if (!get_obj(d, c, probes[i], &p))
			return false;
		if (!p)
			continue;
		size_t old = push(d, probes[i]);
		bool ok = handler_hosts(d, p, hosts, &n);
		pop(d, old);
		if (!ok)
			return false;
	}
	const json_t *lc;
	if (!get_obj(d, c, "lifecycle", &lc))
		return false;
	for (size_t i = 0; lc && i < 2; i++) {
		const json_t *h;
		size_t old = push(d, "lifecycle");
		bool ok = get_obj(d, lc, hooks[i], &h);
		if (ok && h) {
			push(d, hooks[i]);
			ok = handler_hosts(d, h, hosts, &n);
		}
		pop(d, old);
		if (!ok)
			return false;
	}
	if (n) {
		gh_str *v = dalloc(d, n * sizeof *v);
		if (!v)
			return false;
		memcpy(v, hosts, n * sizeof *v);
		out->probe_hosts = v;
		out->nprobe_hosts = n;
	}
	return true;
}

static bool decode_ports(dec *d, const json_t *c, pss_container *out)
{
	const json_t *ports;
	if (!get_arr(d, c, "ports", PSS_MAX_PORTS, &ports))
		return false;
	size_t n = json_array_size(ports), k = 0;
	if (!n)
		return true;
	int64_t *v = dalloc(d, n * sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < n; i++) {
		const json_t *p = json_array_get(ports, i);
		size_t old = push_idx(d, "ports", i, false);
		bool ok = json_is_object(p) || bad_type(d, "", "an object", p);
		pop(d, old);
		if (!ok)
			return false;
		int64_t hp;
		bool set;
		old = push_idx(d, "ports", i, true);
		ok = get_int(d, p, "hostPort", INT32_MIN, INT32_MAX, &hp, &set);
		pop(d, old);
		if (!ok)
			return false;
		if (hp != 0)
			v[k++] = hp;
	}
	out->host_ports = v;
	out->nhost_ports = (uint16_t)k;
	return true;
}

static bool decode_container(dec *d, const json_t *c, uint8_t kind, pss_container *out)
{
	if (!json_is_object(c))
		return bad_type(d, "", "an object", c);
	*out = (pss_container){ .kind = kind };
	return get_str(d, c, "name", &out->name, NULL) && get_str(d, c, "image", &out->image, NULL) &&
	       decode_container_sc(d, c, &out->sc) && decode_ports(d, c, out) && decode_probe_hosts(d, c, out);
}

/* Volume sources in the order upstream's restrictedVolumes names the first one set. */
static const char *const restricted_sources[] = {
	"hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs",
	"rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte",
	"azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
};
static const char *const allowed_sources[] = {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
};

static int source_index(const char *key, const char *const *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, table[i]) == 0)
			return (int)i;
	return -1;
}

/* One pass over the volume's members (a volume has two or three; looking up each of the
 * thirty sources by name would cost ten times more). */
static bool decode_volume(dec *d, const json_t *v, pss_volume *out)
{
	if (!json_is_object(v))
		return bad_type(d, "", "an object", v);
	*out = (pss_volume){ 0 };
	if (!get_str(d, v, "name", &out->name, NULL))
		return false;
	const size_t nallowed = sizeof allowed_sources / sizeof *allowed_sources;
	const size_t nrestricted = sizeof restricted_sources / sizeof *restricted_sources;
	bool allowed = false, other = false;
	int first = -1;
	const char *k;
	json_t *val;
	json_object_foreach((json_t *)v, k, val) {
		if (json_is_null(val) || strcmp(k, "name") == 0)
			continue;
		int ai = source_index(k, allowed_sources, nallowed);
		int ri = ai < 0 ? source_index(k, restricted_sources, nrestricted) : -1;
		if ((ai >= 0 || ri >= 0) && !json_is_object(val))
			return bad_type(d, k, "an object", val);
		allowed |= ai >= 0;
		other |= ai < 0 && ri < 0;
		if (ri >= 0 && (first < 0 || ri < first))
			first = ri;
	}
	out->host_path = first == 0;
	/* The API server defaults a volume with no source to emptyDir; a source gatehouse does
	 * not know (any other member) is "unknown", as upstream names one it does not list. */
	if (allowed || (first < 0 && !other))
		out->restricted_type = NULL;
	else
		out->restricted_type = first >= 0 ? restricted_sources[first] : "unknown";
	return true;
}

static bool decode_volumes(dec *d, const json_t *spec, pss_pod *out)
{
	const json_t *vols;
	if (!get_arr(d, spec, "volumes", PSS_MAX_VOLUMES, &vols))
		return false;
	size_t n = json_array_size(vols);
	if (!n)
		return true;
	pss_volume *v = dalloc(d, n * sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t old = push_idx(d, "volumes", i, true);
		bool ok = decode_volume(d, json_array_get(vols, i), &v[i]);
		pop(d, old);
		if (!ok)
			return false;
	}
	out->volumes = v;
	out->nvolumes = n;
	return true;
}

static bool decode_containers(dec *d, const json_t *spec, pss_pod *out)
{
	static const char *const keys[] = { "initContainers", "containers", "ephemeralContainers" };
	const json_t *lists[3];
	size_t total = 0;
	for (size_t k = 0; k < 3; k++) {
		if (!get_arr(d, spec, keys[k], PSS_MAX_CONTAINERS, &lists[k]))
			return false;
		total += json_array_size(lists[k]);
	}
	if (total > PSS_MAX_CONTAINERS)
		return gh_fail(d->err, "InvalidPod", 400, "%scontainers: more than %d containers in all", path(d),
			       PSS_MAX_CONTAINERS);
	if (!total)
		return true;
	pss_container *c = dalloc(d, total * sizeof *c);
	if (!c)
		return false;
	size_t j = 0;
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < json_array_size(lists[k]); i++) {
			size_t old = push_idx(d, keys[k], i, true);
			bool ok = decode_container(d, json_array_get(lists[k], i), (uint8_t)k, &c[j++]);
			pop(d, old);
			if (!ok)
				return false;
		}
	}
	out->containers = c;
	out->ncontainers = total;
	return true;
}

static bool decode_pod_sc(dec *d, const json_t *spec, pss_pod *out)
{
	const json_t *sc, *sysctls;
	out->sc = (pss_sc){ .privileged = PSS_UNSET, .allow_privilege_escalation = PSS_UNSET,
			    .run_as_non_root = PSS_UNSET, .host_process = PSS_UNSET };
	if (!get_obj(d, spec, "securityContext", &sc))
		return false;
	if (!sc)
		return true;
	out->sc.set = true;
	size_t old = push(d, "securityContext");
	bool ok = decode_sc_common(d, sc, &out->sc) && get_arr(d, sc, "sysctls", PSS_MAX_SYSCTLS, &sysctls);
	size_t n = ok ? json_array_size(sysctls) : 0;
	gh_str *v = n ? dalloc(d, n * sizeof *v) : NULL;
	ok = ok && (!n || v);
	for (size_t i = 0; ok && i < n; i++) {
		const json_t *s = json_array_get(sysctls, i);
		size_t o2 = push_idx(d, "sysctls", i, false);
		ok = json_is_object(s) || bad_type(d, "", "an object", s);
		pop(d, o2);
		o2 = push_idx(d, "sysctls", i, true);
		ok = ok && get_str(d, s, "name", &v[i], NULL);
		pop(d, o2);
	}
	out->sysctls = v;
	out->nsysctls = n;
	pop(d, old);
	return ok;
}

static bool decode_spec(dec *d, const json_t *spec, pss_pod *out)
{
	pss_tri hn, hp, hi;
	const json_t *os;
	gh_str os_name;
	size_t old = push(d, "spec");
	bool ok = get_tri(d, spec, "hostNetwork", &hn) && get_tri(d, spec, "hostPID", &hp) &&
		  get_tri(d, spec, "hostIPC", &hi) && get_tri(d, spec, "hostUsers", &out->host_users) &&
		  get_str(d, spec, "runtimeClassName", &out->runtime_class, &out->runtime_class_set) &&
		  get_obj(d, spec, "os", &os);
	if (ok && os) {
		size_t o2 = push(d, "os");
		ok = get_str(d, os, "name", &os_name, NULL);
		pop(d, o2);
		out->windows = ok && gh_str_eq_c(os_name, "windows");
	}
	out->host_network = hn == 1;
	out->host_pid = hp == 1;
	out->host_ipc = hi == 1;
	ok = ok && decode_pod_sc(d, spec, out) && decode_volumes(d, spec, out) && decode_containers(d, spec, out);
	pop(d, old);
	return ok;
}

static bool kept_annotation(const char *k, size_t n)
{
	static const char apparmor[] = "container.apparmor.security.beta.kubernetes.io/";
	static const char seccomp_c[] = "container.seccomp.security.alpha.kubernetes.io/";
	static const char seccomp_p[] = "seccomp.security.alpha.kubernetes.io/pod";
	return (n >= sizeof apparmor - 1 && memcmp(k, apparmor, sizeof apparmor - 1) == 0) ||
	       (n >= sizeof seccomp_c - 1 && memcmp(k, seccomp_c, sizeof seccomp_c - 1) == 0) ||
	       (n == sizeof seccomp_p - 1 && memcmp(k, seccomp_p, n) == 0);
}

static bool decode_annotations(dec *d, const json_t *meta, pss_pod *out)
{
	const json_t *ann;
	if (!get_obj(d, meta, "annotations", &ann))
		return false;
	if (!ann)
		return true;
	if (json_object_size(ann) > PSS_MAX_ANNOTATIONS)
		return too_many(d, "annotations", PSS_MAX_ANNOTATIONS);
	const char *k;
	size_t klen, kept = 0;
	json_t *v;
	json_object_keylen_foreach((json_t *)ann, k, klen, v) {
		if (!json_is_string(v)) {
			return gh_fail(d->err, "InvalidPod", 400, "%sannotations[%.*s]: expected a string, got %s", path(d),
				       (int)(klen > 100 ? 100 : klen), k, json_kind(v));
		}
		kept += kept_annotation(k, klen);
	}
	if (!kept)
		return true;
	pss_annotation *a = dalloc(d, kept * sizeof *a);
	if (!a)
		return false;
	size_t i = 0;
	json_object_keylen_foreach((json_t *)ann, k, klen, v) {
		if (kept_annotation(k, klen))
			a[i++] = (pss_annotation){ { k, klen }, { json_string_value(v), json_string_length(v) } };
	}
	out->annotations = a;
	out->nannotations = kept;
	return true;
}

/* metav1.GetControllerOf: the first owner reference with controller=true. */
static bool decode_owner(dec *d, const json_t *meta, pss_pod *out)
{
	const json_t *owners;
	if (!get_arr(d, meta, "ownerReferences", PSS_MAX_OWNERS, &owners))
		return false;
	for (size_t i = 0; i < json_array_size(owners); i++) {
		const json_t *o = json_array_get(owners, i);
		pss_tri ctl;
		gh_str uid;
		size_t old = push_idx(d, "ownerReferences", i, true);
		bool ok = (json_is_object(o) || bad_type(d, "", "an object", o)) && get_tri(d, o, "controller", &ctl) &&
			  get_str(d, o, "uid", &uid, NULL);
		pop(d, old);
		if (!ok)
			return false;
		if (ctl == 1 && !out->controller_uid.n)
			out->controller_uid = uid;
	}
	return true;
}

bool pss_pod_decode(const json_t *metadata, const json_t *spec, const char *where, gh_arena *a, pss_pod *out,
		    gh_err *err)
{
	dec d = { .a = a, .err = err };
	gh_err local = { 0 };
	if (!d.err)
		d.err = &local;
	*out = (pss_pod){ .host_users = PSS_UNSET };
	push_raw(&d, where ? where : "");
	if (metadata && !json_is_null(metadata)) {
		size_t old = push_raw(&d, "metadata");
		bool ok = json_is_object(metadata) || bad_type(&d, "", "an object", metadata);
		pop(&d, old);
		if (!ok)
			return false;
		old = push(&d, "metadata");
		ok = get_str(&d, metadata, "name", &out->name, NULL) && decode_annotations(&d, metadata, out) &&
		     decode_owner(&d, metadata, out);
		pop(&d, old);
		if (!ok)
			return false;
	}
	if (!spec || !json_is_object(spec)) {
		size_t old = push_raw(&d, "spec");
		if (spec)
			bad_type(&d, "", "an object", spec);
		else
			gh_fail(d.err, "InvalidPod", 400, "%s: required", path(&d));
		pop(&d, old);
		return false;
	}
	return decode_spec(&d, spec, out);
}

bool pss_pod_decode_object(const json_t *pod, gh_arena *a, pss_pod *out, gh_err *err)
{
	if (!json_is_object(pod))
		return gh_fail(err, "InvalidPod", 400, "the pod is not a JSON object");
	return pss_pod_decode(json_object_get(pod, "metadata"), json_object_get(pod, "spec"), "", a, out, err);
}
