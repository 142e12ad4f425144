/* maps: the published per-cluster identity mappings (aws-auth today; access entries
 * join them with the EKS API). Readers take a reference and never lock. */
#ifndef GH_ENGINE_MAPS_H
#define GH_ENGINE_MAPS_H

#include <stdatomic.h>

#include "codec/yaml.h"
#include "domain/authn/awsauth.h"
#include "domain/eks/access_entry.h"
#include "domain/eks/access_policy.h"
#include "domain/eks/cluster.h"
#include "engine/engine.h"

typedef struct gh_cluster_maps gh_cluster_maps;

/* One cluster's entry. Entries are reference-counted: a change to one cluster publishes a
 * new snapshot holding a new entry for it and the same entries for every other cluster. */
typedef struct gh_cluster_map {
	atomic_int refs;
	char *cluster;
	gh_awsauth *cfg;	 /* NULL when nothing could ever be loaded */
	char *source;		 /* where the mapping came from, for explain */
	char *load_error;	 /* the whole ConfigMap failed to load: the previous mapping stays */
	struct gh_cluster_map *borrowed_from; /* cfg belongs to this older entry (a reference) */
	/* The EKS side: mode, creator, access entries and each entry's associations. */
	gh_eks_auth_mode mode;
	bool bootstrap_creator;
	char *creator_arn;
	gh_eks_access_entry *entries;
	size_t n_entries;
	gh_eks_association **assocs; /* per entry */
	size_t *n_assocs;
	gh_arena *mem;		     /* owns the EKS side */
	/* resourcesVpcConfig: who may reach the cluster's Kubernetes API */
	bool public_access;
	const char **public_cidrs;
	size_t n_public_cidrs;
	/* Kubernetes RBAC: the defaults, the stored objects and the --rbac manifests. */
	struct rbac_policy *rbac;
	char *rbac_error;	     /* the manifests could not be read: defaults and store only */
} gh_cluster_map;

struct gh_cluster_maps {
	atomic_int refs;
	size_t n;
	gh_cluster_map **items; /* each holds a reference */
};

gh_cluster_maps *maps_acquire(gh_engine *e);
const gh_cluster_map *maps_find(const gh_cluster_maps *m, gh_str cluster);
void maps_unref(gh_cluster_maps *m);

#endif
