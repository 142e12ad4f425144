/* podidentity: the pod mutation of amazon-eks-pod-identity-webhook (IRSA) and of EKS Pod
 * Identity, as a pure function: a pod and its ServiceAccount in, the mutated pod and the
 * webhook's JSONPatch out. It reproduces the webhook's rules (annotations, precedence,
 * the per-container env rule, the volume, the Windows path, the patch order) with two
 * deliberate differences: the pod is edited as JSON, so fields the webhook's compiled
 * types do not know (a sidecar's restartPolicy on old builds) survive, and values the
 * webhook ignores silently come back as warnings. No I/O, no clock, no randomness: the
 * Pod Identity expiration jitter is an input. */
#ifndef GH_DOMAIN_K8S_PODIDENTITY_H
#define GH_DOMAIN_K8S_PODIDENTITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define PODID_MIN_EXPIRATION 600
#define PODID_DEFAULT_EXPIRATION 86400
#define PODID_JITTER_FLOOR 79200 /* Pod Identity: 86400 becomes a value in [79200,86400] */

#define PODID_IRSA_VOLUME "aws-iam-token"
#define PODID_IRSA_MOUNT "/var/run/secrets/eks.amazonaws.com/serviceaccount"
#define PODID_IRSA_PATH "token"
#define PODID_PI_VOLUME "eks-pod-identity-token"
#define PODID_PI_MOUNT "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"
#define PODID_PI_PATH "eks-pod-identity-token"
#define PODID_PI_AUDIENCE "pods.eks.amazonaws.com"
#define PODID_PI_URI "http://169.254.170.23/v1/credentials"
#define PODID_PI_LABEL "eks.amazonaws.com/pod-identity"
/* Pods carrying this label key are left alone (the webhook's objectSelector). */
#define PODID_SKIP_LABEL "eks.amazonaws.com/skip-pod-identity-webhook"

typedef enum podid_mode {
	PODID_MODE_IRSA,	 /* the ServiceAccount's role-arn annotation */
	PODID_MODE_POD_IDENTITY, /* an EKS Pod Identity association names the ServiceAccount */
} podid_mode;

/* The webhook's flags. */
typedef struct podid_config {
	const char *annotation_prefix; /* --annotation-prefix: eks.amazonaws.com */
	const char *audience;	       /* --token-audience: sts.amazonaws.com */
	const char *region;	       /* --aws-default-region: NULL or "" injects no region */
	bool regional_sts;	       /* --sts-regional-endpoint */
	int64_t expiration;	       /* --token-expiration: 86400 */
	const char *credentials_uri;   /* Pod Identity agent: http://169.254.170.23/v1/credentials */
} podid_config;

void podid_config_defaults(podid_config *c);

typedef struct podid_request {
	const json_t *pod;	      /* the Pod as created (not modified) */
	const json_t *sa_annotations; /* the ServiceAccount's metadata.annotations, or NULL */
	podid_mode mode;
	uint32_t jitter;	      /* any random value; only Pod Identity mode uses it */
} podid_request;

typedef struct podid_result {
	bool mutated;	  /* false: no role for this pod (or the skip label): allow unchanged */
	json_t *pod;	  /* the mutated pod (NULL when !mutated) */
	json_t *patch;	  /* the JSONPatch array, upstream's operations in upstream's order */
	json_t *warnings; /* array of strings: what the webhook would have ignored without a word */
	int64_t expiration; /* the token's expirationSeconds */
} podid_result;

/* Mutates a copy of the pod. Fails (naming the field) when the pod is not shaped like a
 * Pod where the mutation must read or write it. */
bool podid_mutate(const podid_config *cfg, const podid_request *in, podid_result *out, gh_err *err) GH_MUST_CHECK;
void podid_result_clear(podid_result *r);

/* The first record of `s` as Go's encoding/csv reads it (no trimming, quotes, skipped
 * blank lines); NULL on any parse error, as the webhook then skips nothing. */
json_t *podid_csv_record(const char *s, size_t n);
/* Go's strconv.ParseBool and ParseInt(s, 10, 64). */
bool podid_parse_bool(const char *s, bool *out);
bool podid_parse_int(const char *s, int64_t *out);
/* The webhook's (warning-only) check of a role ARN:
 * ^arn:aws[a-z0-9-]*:iam::\d{12}:role\/[\w-\/.@+=,]+$ */
bool podid_role_arn_valid(const char *arn);

#endif
