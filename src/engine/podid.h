/* podid: the IRSA / Pod Identity pod mutation over the engine's state, for the sandbox
 * API's Pod CREATE and for the /mutate admission webhook. The ServiceAccount is read
 * live from the object cache (so one created just before the pod is always seen, unlike
 * the webhook's informer) and a Pod Identity association, when the service account has
 * one, wins over the role-arn annotation as on EKS. The flags are EKS's: the cluster's
 * region and regional STS endpoints are injected. */
#ifndef GH_ENGINE_PODID_H
#define GH_ENGINE_PODID_H

#include <jansson.h>

#include "domain/k8s/podidentity.h"
#include "engine/engine.h"
#include "engine/kube.h"

/* Mutates `pod` of namespace `ns`. *sa_found is false when the pod's ServiceAccount does
 * not exist (then nothing is mutated); "default", which the sandbox does not create,
 * counts as an existing ServiceAccount without annotations. The service account's name
 * goes to sa_name (at least 254 bytes). */
bool engine_pod_identity_mutate(gh_engine *e, const char *cluster, const char *ns, const json_t *pod,
				podid_result *out, bool *sa_found, char *sa_name, size_t sa_len,
				gh_err *err) GH_MUST_CHECK;

/* The sandbox's admission of a pod being created (called with the kube write lock held):
 * kube-apiserver's ServiceAccount admission (a missing ServiceAccount is Forbidden, with
 * upstream's text), then the mutation, applied to `pod` in place with the defaults the
 * apiserver would add. Warnings are appended to *warnings (created on demand). */
bool kube_pod_admit(gh_engine *e, const char *cluster, const char *requested_name, json_t *pod, json_t **warnings,
		    kube_status *st);

#endif
