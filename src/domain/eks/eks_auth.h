/* eks_auth: the pure rules of EKS Auth AssumeRoleForPodIdentity (botocore eks-auth
 * 2023-11-26): request validation as the model's constraints state it, the role session
 * name EKS gives a pod, and the six session tags it attaches. The engine verifies the
 * token, finds the association and assumes the role; nothing here reads a clock or I/O.
 *
 * Errors are the model's exception shapes with their statuses; note AccessDenied is 400
 * in this service, not 403. */
#ifndef GH_DOMAIN_EKS_EKS_AUTH_H
#define GH_DOMAIN_EKS_EKS_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"
#include "domain/aws/iam.h"

#define GH_EKS_AUTH_ACCESS_DENIED "AccessDeniedException"	  /* 400 */
#define GH_EKS_AUTH_INVALID_TOKEN "InvalidTokenException"	  /* 400 */
#define GH_EKS_AUTH_EXPIRED_TOKEN "ExpiredTokenException"	  /* 400 */
#define GH_EKS_AUTH_INVALID_PARAMETER "InvalidParameterException" /* 400 */
#define GH_EKS_AUTH_INVALID_REQUEST "InvalidRequestException"	  /* 400 */
#define GH_EKS_AUTH_NOT_FOUND "ResourceNotFoundException"	  /* 404 */
#define GH_EKS_AUTH_INTERNAL "InternalServerException"		  /* 500 */

#define GH_EKS_AUTH_AUDIENCE "pods.eks.amazonaws.com"
#define GH_EKS_AUTH_SERVICE GH_EKS_AUTH_AUDIENCE /* the trust policy's Service principal */
#define GH_EKS_AUTH_SESSION_SECONDS (6 * 3600)	 /* a pod's role session */
#define GH_EKS_AUTH_TARGET_SECONDS (59 * 60)	 /* the chained target-role session */
#define GH_EKS_AUTH_NTAGS 6
#define GH_EKS_AUTH_SESSION_NAME_MAX 64

/* clusterName: 1..100 of [0-9A-Za-z][A-Za-z0-9\-_]*; token: three segments of
 * [A-Za-z0-9-_=]+ joined by '.'. InvalidParameterException naming the member. */
bool eks_auth_validate(gh_str cluster, gh_str token, gh_err *err) GH_MUST_CHECK;

/* "eks-<cluster>-<pod>-<uuid>" cut to 64 characters as EKS cuts it (the tail of the uuid
 * goes first), into out (at least 65 bytes). Characters outside the session-name set
 * ([\w+=,.@-]) become '-', so any pod name gives a valid name. */
void eks_auth_session_name(const char *cluster, const char *pod, const char *uuid, char *out, size_t n);

typedef struct eks_auth_subject {
	const char *cluster_arn, *cluster, *ns, *sa, *pod_name, *pod_uid; /* "" when unknown */
} eks_auth_subject;

/* The six session tags, in EKS's order, pointing into `s`; tags must hold
 * GH_EKS_AUTH_NTAGS and keys the same number (every one is transitive). */
void eks_auth_session_tags(const eks_auth_subject *s, iam_tag *tags, gh_str *keys);

#endif
