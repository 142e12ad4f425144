/* pss_pod: the part of a Pod the Pod Security checks read, decoded once from JSON.
 *
 * The decoder takes a pod's (or a pod template's) metadata and spec as jansson values and
 * keeps only what the checks look at: security contexts, capabilities, volume sources,
 * host ports, probe and lifecycle hosts, sysctls, the AppArmor and seccomp annotations,
 * os.name, hostUsers, runtimeClassName, owner references. Strings are views into the
 * JSON, which must outlive the pod; arrays come from the arena.
 *
 * The input is hostile: counts are bounded (PSS_MAX_*), and a field of the wrong JSON type
 * is an error naming the field ("spec.containers[1].securityContext.privileged: expected
 * a boolean, got string"), code "InvalidPod", status 400. JSON null reads as absent, as
 * Go's decoder makes it nil. Fields the checks never read are not validated. */
#ifndef GH_K8S_PSS_POD_H
#define GH_K8S_PSS_POD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

typedef struct pss_pod pss_pod;

#define PSS_MAX_CONTAINERS 512	 /* init + regular + ephemeral */
#define PSS_MAX_VOLUMES 1024
#define PSS_MAX_PORTS 1024	 /* per container */
#define PSS_MAX_CAPABILITIES 256 /* per list */
#define PSS_MAX_SYSCTLS 256
#define PSS_MAX_ANNOTATIONS 4096 /* scanned; only the AppArmor and seccomp ones are kept */
#define PSS_MAX_OWNERS 64

/* A *bool: unset, false or true. */
typedef int8_t pss_tri;
#define PSS_UNSET ((pss_tri)-1)

typedef struct pss_profile {
	bool set;
	gh_str type;
} pss_profile;

typedef struct pss_selinux {
	bool set;
	gh_str type, user, role;
} pss_selinux;

/* A container's securityContext, or (with the container-only fields unset) the pod's. */
typedef struct pss_sc {
	bool set;
	pss_tri privileged, allow_privilege_escalation, run_as_non_root, host_process;
	bool run_as_user_set, proc_mount_set, caps_set;
	int64_t run_as_user;
	gh_str proc_mount;
	const gh_str *cap_add, *cap_drop;
	uint16_t ncap_add, ncap_drop;
	pss_selinux selinux;
	pss_profile seccomp, apparmor;
} pss_sc;

enum pss_container_kind { PSS_INIT = 0, PSS_REGULAR = 1, PSS_EPHEMERAL = 2 };

typedef struct pss_container {
	gh_str name, image;
	uint8_t kind;
	pss_sc sc;
	const int64_t *host_ports; /* the non-zero hostPorts, in order */
	const gh_str *probe_hosts; /* non-empty hosts of probes and lifecycle handlers */
	uint16_t nhost_ports, nprobe_hosts;
} pss_container;

typedef struct pss_volume {
	gh_str name;
	/* NULL for an allowed source (configMap, csi, downwardAPI, emptyDir, ephemeral, image,
	 * persistentVolumeClaim, projected, secret); otherwise the restricted type upstream
	 * names ("hostPath", "nfs", ... or "unknown"). */
	const char *restricted_type;
	bool host_path;
} pss_volume;

typedef struct pss_annotation {
	gh_str key, value;
} pss_annotation;

struct pss_pod {
	gh_str name;
	gh_str controller_uid; /* the controller owner reference's uid; empty when none */
	const pss_annotation *annotations; /* container.apparmor... and *seccomp... keys only */
	size_t nannotations;
	bool host_network, host_pid, host_ipc, windows;
	pss_tri host_users;
	bool runtime_class_set;
	gh_str runtime_class;
	pss_sc sc; /* spec.securityContext */
	const gh_str *sysctls;
	size_t nsysctls;
	const pss_container *containers; /* init, then regular, then ephemeral: the visiting order */
	size_t ncontainers;
	const pss_volume *volumes;
	size_t nvolumes;
};

/* A pod from its metadata (may be NULL) and spec. `where` prefixes field names in errors:
 * "" for a Pod ("spec.containers[0]..."), "spec.template." for a Deployment. */
bool pss_pod_decode(const json_t *metadata, const json_t *spec, const char *where, gh_arena *a, pss_pod *out,
		    gh_err *err) GH_MUST_CHECK;
/* A whole Pod object: {metadata, spec}. */
bool pss_pod_decode_object(const json_t *pod, gh_arena *a, pss_pod *out, gh_err *err) GH_MUST_CHECK;

#endif
