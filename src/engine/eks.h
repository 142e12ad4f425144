/* eks: the EKS API's operations over the store, for the rest-json adapter. Inputs and
 * answers are the API's JSON shapes (botocore eks 2017-11-01); the rules come from
 * domain/eks. Who may call: administrators may call everything; any other caller of the
 * account may call the read operations (Describe*, List*), as with AWS's read-only policy. */
#ifndef GH_ENGINE_EKS_H
#define GH_ENGINE_EKS_H

#include <jansson.h>

#include "engine/engine.h"

typedef struct gh_eks_page {
	int max_results; /* 0: the operation's default */
	gh_str next_token;
	gh_str filter;	 /* ListAccessEntries: associatedPolicyArn */
	const char *ns, *sa; /* ListPodIdentityAssociations: namespace, serviceAccount (NULL = any) */
} gh_eks_page;

bool engine_eks_create_cluster(gh_engine *e, const gh_caller *c, json_t *req, json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_describe_cluster(gh_engine *e, const gh_caller *c, gh_str name, json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_list_clusters(gh_engine *e, const gh_caller *c, const gh_eks_page *pg, json_t **out,
			      gh_err *err) GH_MUST_CHECK;
bool engine_eks_delete_cluster(gh_engine *e, const gh_caller *c, gh_str name, json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_associate_encryption_config(gh_engine *e, const gh_caller *c, gh_str name, json_t *req,
					     json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_update_cluster_config(gh_engine *e, const gh_caller *c, gh_str name, json_t *req, json_t **out,
				      gh_err *err) GH_MUST_CHECK;

bool engine_eks_create_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, json_t *req, json_t **out,
				    gh_err *err) GH_MUST_CHECK;
bool engine_eks_describe_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
				      json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_list_access_entries(gh_engine *e, const gh_caller *c, gh_str cluster, const gh_eks_page *pg,
				    json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_update_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, json_t *req,
				    json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_delete_access_entry(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
				    gh_err *err) GH_MUST_CHECK;
bool engine_eks_associate_policy(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal, json_t *req,
				 json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_disassociate_policy(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
				    gh_str policy_arn, gh_err *err) GH_MUST_CHECK;
bool engine_eks_list_associated_policies(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str principal,
					 const gh_eks_page *pg, json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_list_access_policies(gh_engine *e, const gh_caller *c, const gh_eks_page *pg, json_t **out,
				     gh_err *err) GH_MUST_CHECK;

/* EKS Pod Identity associations (engine/eks_pod_identity.c). */
bool engine_eks_create_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, json_t *req, json_t **out,
				    gh_err *err) GH_MUST_CHECK;
bool engine_eks_describe_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str id, json_t **out,
				      gh_err *err) GH_MUST_CHECK;
bool engine_eks_list_pod_identities(gh_engine *e, const gh_caller *c, gh_str cluster, const gh_eks_page *pg,
				    json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_update_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str id, json_t *req,
				    json_t **out, gh_err *err) GH_MUST_CHECK;
bool engine_eks_delete_pod_identity(gh_engine *e, const gh_caller *c, gh_str cluster, gh_str id, json_t **out,
				    gh_err *err) GH_MUST_CHECK;

/* The Pod Identity association of a service account, for the pod mutation and EKS Auth:
 * *assoc is the API's PodIdentityAssociation (a new reference the caller drops with
 * json_decref), NULL when there is none. `a` holds the lookup's temporaries. False only
 * when the store fails; an unknown cluster has no associations. */
bool engine_pod_identity_lookup(gh_engine *e, const char *cluster, const char *ns, const char *sa, gh_arena *a,
				json_t **assoc, gh_err *err) GH_MUST_CHECK;

/* TagResource (tags), UntagResource (keys) or ListTagsForResource (neither) on a cluster
 * or access entry ARN. */
bool engine_eks_tag(gh_engine *e, const gh_caller *c, gh_str arn, json_t *tags, const gh_str *keys, size_t nkeys,
		    json_t **out, gh_err *err) GH_MUST_CHECK;

#endif
