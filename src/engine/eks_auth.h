/* eks_auth: EKS Auth AssumeRoleForPodIdentity over the engine's state, the one pipeline
 * behind the rest-json endpoint (POST /clusters/NAME/assume-role-for-pod-identity) and
 * the node credential agent, which calls it in process.
 *
 * The service-account token is verified as the cluster's own (signature, time, audience
 * pods.eks.amazonaws.com); the association of its namespace and service account names
 * the role, which is assumed as the service principal pods.eks.amazonaws.com with the six
 * transitive session tags (unless the association disables them) for 6 hours; with a
 * targetRoleArn that session assumes the target (with the association's external ID) for
 * 59 minutes, and the target's credentials are the answer.
 *
 * Who may call: on EKS the node role (eks-auth:AssumeRoleForPodIdentity); in the sandbox
 * any authenticated IAM caller of the account, checked by the adapter. */
#ifndef GH_ENGINE_EKS_AUTH_H
#define GH_ENGINE_EKS_AUTH_H

#include "domain/eks/eks_auth.h"
#include "engine/engine.h"

typedef struct gh_eks_auth_res {
	const char *ns, *sa;
	const char *association_arn, *association_id;
	const char *account; /* of the assumed role */
	gh_assume_role_res creds;
} gh_eks_auth_res;

/* Strings in the arena. Errors: eks_auth.h's codes and statuses. */
bool engine_eks_auth_assume(gh_engine *e, gh_str cluster, gh_str token, gh_arena *a, gh_eks_auth_res *out,
			    gh_err *err) GH_MUST_CHECK;

#endif
