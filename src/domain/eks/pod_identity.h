/* pod_identity: EKS Pod Identity associations (botocore eks 2017-11-01,
 * *PodIdentityAssociation): the rules of Create and Update, the identifiers, and the
 * answer shapes. An association is kept as the API's PodIdentityAssociation document,
 * with createdAt/modifiedAt in Unix milliseconds; gh_eks_pia_answer turns it into the
 * API's shape (seconds). Pure: the caller passes the time, the random bytes of the ID
 * and what the cluster already holds.
 *
 * Errors, as EKS answers them: a second association for the same namespace and service
 * account is ResourceInUseException (409) "Association already exists: a-...", the
 * message EKS gives (seen in eksctl, crossplane and eks-hybrid reports); the 5,000th+1 is
 * ResourceLimitExceededException (400); malformed input is InvalidParameterException. */
#ifndef GH_DOMAIN_EKS_POD_IDENTITY_H
#define GH_DOMAIN_EKS_POD_IDENTITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define GH_EKS_PIA_MAX_PER_CLUSTER 5000
#define GH_EKS_PIA_ID_RANDOM 17 /* "a-" + 17 lowercase alphanumerics */
#define GH_EKS_PIA_ID_LEN (2 + GH_EKS_PIA_ID_RANDOM)
#define GH_EKS_LIMIT_EXCEEDED "ResourceLimitExceededException" /* 400 */

typedef struct gh_eks_pia_create_input {
	const char *partition, *region, *account, *cluster;
	const json_t *req;	       /* the CreatePodIdentityAssociation body */
	const uint8_t *random;	       /* GH_EKS_PIA_ID_RANDOM bytes for the ID */
	int64_t now_ms;
	size_t n_existing;	       /* associations the cluster holds */
	const char *existing_same_sa;  /* the ID of the association for this namespace/SA, or NULL */
} gh_eks_pia_create_input;

/* "a-" + 17 characters of [a-z0-9] from the random bytes. */
void gh_eks_pia_id(const uint8_t *random, char out[GH_EKS_PIA_ID_LEN + 1]);
/* The stored document of a new association. */
bool gh_eks_pia_create(const gh_eks_pia_create_input *in, json_t **doc, gh_err *err) GH_MUST_CHECK;
/* The document after an UpdatePodIdentityAssociation body; `cur` is not modified.
 * targetRoleArn "" and policy "" remove them. */
bool gh_eks_pia_update(const json_t *cur, const json_t *req, const char *region, const char *account,
		       int64_t now_ms, json_t **doc, gh_err *err) GH_MUST_CHECK;
/* The API's PodIdentityAssociation and PodIdentityAssociationSummary. */
json_t *gh_eks_pia_answer(const json_t *doc);
json_t *gh_eks_pia_summary(const json_t *doc);
/* Does the document match ListPodIdentityAssociations' filters (NULL = any)? */
bool gh_eks_pia_matches(const json_t *doc, const char *ns, const char *sa);

#endif
