/* pss_admit (engine): Pod Security admission with the state behind it. It holds the
 * configuration (`serve --pss-config FILE`, privileged:latest defaults without one), looks
 * up the namespace's labels in the cluster's stored objects (absent namespace: defaults),
 * lists the namespace's stored pods when a namespace update tightens enforce, and hands
 * everything to the pure decision (domain/k8s/pss_admit.h).
 *
 * Namespace labels are cached per (cluster, namespace) and the cache is dropped by every
 * committed write of the engine (a generation counter), so a label change is seen by the
 * next request, and a review costs no database read while nothing changes.
 *
 * Two callers: the AdmissionReview webhook (api/admission.c) with decoded JSON from the
 * review, and an API server admitting its own writes, which may pass the labels and pods
 * it already holds (set labels_known / pods_known) so nothing is read twice. */
#ifndef GH_ENGINE_PSS_ADMIT_H
#define GH_ENGINE_PSS_ADMIT_H

#include "base/arena.h"
#include "base/err.h"
#include "domain/k8s/pss_admit.h"
#include "engine/engine.h"

typedef struct gh_admission_request {
	pss_request req;   /* the object, old object, operation, resource, user, namespace */
	bool labels_known; /* req.ns_labels is the namespace's labels (NULL: none) */
	bool pods_known;   /* req.ns_pods holds the namespace's pods (namespace updates) */
} gh_admission_request;

/* Loads the configuration file at `path` (a PodSecurityConfiguration or an
 * AdmissionConfiguration, whose `path` is read relative to it), or the defaults for NULL. */
bool engine_pss_load(const char *path, pss_config **out, gh_err *err) GH_MUST_CHECK;

/* The engine's Pod Security state: the configuration and the namespace cache. */
typedef struct gh_pss_state gh_pss_state;
bool engine_pss_open(const char *config_path, gh_pss_state **out, gh_err *err) GH_MUST_CHECK;
void engine_pss_close(gh_pss_state *s);

/* The decision; every string of *out lives in the arena. A store failure answers 500
 * InternalError ("failed to lookup namespace NS"), as upstream does when it cannot read
 * the namespace. */
void engine_pss_admit(gh_engine *e, gh_str cluster, const gh_admission_request *r, gh_arena *a, pss_response *out);

/* The configuration in force (for `pss check` and logs). */
const pss_config *engine_pss_config(const gh_engine *e);

#endif
