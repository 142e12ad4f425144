/* Internals of the compiled RBAC policy, shared by rbac_compile.c (building it),
 * rbac_eval.c (decisions), rbac_query.c, rbac_covers.c and rbac_source.c.
 *
 * A policy is a set of immutable shards: one for the cluster-scoped objects (ClusterRoles,
 * with aggregation, and ClusterRoleBindings) and one per namespace (its Roles and
 * RoleBindings). Shards are reference-counted and shared between successive policies, so
 * a RoleBinding change recompiles one namespace's shard and a ClusterRole change only the
 * cluster shard: a namespace shard never copies a ClusterRole, its RoleBindings to
 * ClusterRoles (postings with role RBAC_EXTERN) are resolved by name in the cluster shard
 * of the policy that is asked, which is why a ClusterRole change never invalidates them. */
#ifndef GH_K8S_RBAC_INTERNAL_H
#define GH_K8S_RBAC_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "domain/k8s/rbac.h"
#include "domain/k8s/rbac_util.h"

#define RBAC_NONE UINT32_MAX
/* posting.role of a namespace shard's RoleBinding to a ClusterRole: resolved by name in
 * the cluster shard at decision time */
#define RBAC_EXTERN (UINT32_MAX - 1)
#define RBAC_ANY_NAME UINT32_MAX /* atom.names_n: resourceNames empty on some rule */

/* Per-role cap of (verb, group, resource) atoms; a larger role is evaluated rule by rule. */
#define RBAC_ROLE_ATOM_CAP 16384u
#define RBAC_TOTAL_ATOM_CAP ((size_t)1 << 26)

/* Subject key classes. A user name that starts with "system:serviceaccount:" is keyed by
 * what follows (class SA), so User subjects naming such a user and ServiceAccount subjects
 * ("<ns>:<name>") share keys; any other user name is class USER; groups are class GROUP. */
enum { RBAC_KEY_USER = 0, RBAC_KEY_GROUP = 1, RBAC_KEY_SA = 2 };
#define RBAC_SA_PREFIX "system:serviceaccount:"
#define RBAC_KEY_HEAD 20

/* Atom type: (verb is "*") x (group is "*") x (resource exact | "*" | "*" + "/sub"), so
 * a role's mask tells which probes can hit at all. */
#define RBAC_ATOM_TYPE(vs, gs, rt) ((vs) * 6 + (gs) * 3 + (rt))

typedef struct prole {
	rbac_role r;	      /* the public view; rules are the effective (aggregated) ones */
	uint32_t id;	      /* ClusterRoles 0.., then Roles */
	uint16_t atom_types;  /* bit RBAC_ATOM_TYPE(...) set when the role has such an atom */
	bool unindexed;	      /* too many atoms: RuleAllows over r.rules */
	const rbac_rule **nonres; /* rules with nonResourceURLs */
	uint32_t nnonres;
} prole;

/* What a decision needs of a role, packed: roles with the same rules share an atom set. */
typedef struct rinfo {
	uint32_t aset;	     /* atom set: the key of the role's atoms */
	uint16_t atom_types; /* as prole.atom_types */
	uint8_t unindexed;
	uint8_t pad;
} rinfo;

typedef struct pbinding {
	rbac_binding b;
	const prole *role; /* NULL when the roleRef does not resolve */
	uint32_t err;	   /* 1 + index in rbac_shard.errs when unresolved, else 0 */
	uint8_t err_kind;  /* RBAC_ERR_* */
	bool ext;	   /* a ClusterRole named from a namespace shard: role is NULL, err is the
			    * "not found" message used when the cluster shard lacks it */
} pbinding;

enum { RBAC_ERR_NONE, RBAC_ERR_ROLE_NOT_FOUND, RBAC_ERR_CLUSTER_ROLE_NOT_FOUND, RBAC_ERR_UNSUPPORTED_KIND };

/* Open addressing, linear probing. A slot is (hash >> 32) << 32 | (index + 1); 0 = empty. */
typedef struct rbac_htab {
	uint64_t *slots;
	size_t mask;
} rbac_htab;

/* One binding naming a key: the role it resolves to (so a decision can skip the binding
 * itself) and the first of its subjects with this key (so the first applying subject is
 * the least over the user's keys). */
typedef struct posting {
	uint32_t binding;
	uint32_t role;	  /* prole id, or RBAC_NONE when the roleRef does not resolve */
	uint32_t subject; /* index in rbac_shard.subj (the binding's subjects are contiguous) */
} posting;

/* A subject key, kept in its hash table slot: one cache line answers a lookup for names of
 * up to RBAC_KEY_HEAD bytes. */
typedef struct skey {
	uint64_t hash; /* 0 = empty slot */
	const char *name;
	uint32_t len, cls;
	/* postings, from rbac_shard.post + crb_off: ClusterRoleBindings [0, crb_n), then
	 * RoleBindings by namespace up to n */
	uint32_t crb_off, crb_n, n;
	/* ns_n namespaces: with one, ns is its id (the common case needs no nsrange lookup);
	 * with more, ns is the offset of ns_n nsrange entries sorted by namespace id */
	uint32_t ns, ns_n;
	char head[RBAC_KEY_HEAD];
} skey;
_Static_assert(sizeof(skey) == 64, "a key is one cache line");

static inline const posting *rbac_key_postings(const posting *post, const skey *k)
{
	return post + k->crb_off;
}

typedef struct nsrange {
	uint32_t ns, off, n; /* off: from the key's first posting */
} nsrange;

typedef struct atom {
	uint32_t role, v, g, r; /* role: the atom set (rinfo.aset) */
	uint32_t names_off, names_n; /* names_n RBAC_ANY_NAME: any name */
} atom;

typedef struct rbac_shard rbac_shard;

struct rbac_shard {
	atomic_size_t refs; /* policies (and the rbac_source) holding it */
	gh_str nsname;      /* the namespace, "" for the cluster shard */
	gh_arena arena;
	prole *croles; /* ClusterRoles by name */
	size_t ncroles;
	prole *nroles; /* Roles by (namespace, name) */
	size_t nnroles;
	rinfo *rinfo; /* by role id */
	size_t nasets;
	pbinding *b; /* ClusterRoleBindings [0, ncrb) by name, then RoleBindings by (ns, name) */
	size_t nb, ncrb;
	rbac_subject *subj; /* every binding's subjects, contiguous: postings index it directly */
	size_t nsubj;

	gh_str *ns; /* namespaces with RoleBindings, sorted; RoleBindings of ns[i] are */
	uint32_t *ns_first, *ns_count; /* b[ns_first[i] .. + ns_count[i]) */
	size_t nns;

	skey *keys; /* open addressing over keys[0 .. key_mask] */
	size_t key_mask, nkeys;
	posting *post;
	size_t npost;
	nsrange *nsr;
	size_t nnsr;

	gh_str *vocab; /* every verb, group and resource string of resource rules */
	uint8_t *vocab_kind; /* 0 plain, 1 "*", 2 "*" + "/x" */
	size_t nvocab;
	uint32_t star; /* the id of "*", or RBAC_NONE */
	rbac_htab vocab_tab;
	atom *atoms;
	size_t natoms;
	rbac_htab atom_tab;
	gh_str *names;
	size_t nnames;

	gh_str *errs; /* distinct resolution error messages (authorizer wording) */
	size_t nerrs;

	gh_str *warnings;
	size_t nwarnings, capwarnings;
	size_t index_bytes;
};

/* A namespace's slot in the policy's table: what a decision needs to start on the
 * namespace's shard (its key table) is in the slot, so those loads need not wait for the
 * shard itself to arrive. */
typedef struct nsslot {
	uint64_t hash; /* 0 = empty */
	const rbac_shard *s;
	const skey *keys;
	uint32_t key_mask, len;
	const char *name;
	char head[RBAC_KEY_HEAD + 4];
} nsslot;
_Static_assert(sizeof(nsslot) == 64, "a namespace slot is one cache line");

struct rbac_policy {
	rbac_shard *cs;	     /* ClusterRoles and ClusterRoleBindings (never NULL) */
	rbac_shard **shards; /* namespace shards, sorted by namespace */
	size_t nshards;
	nsslot *nst;	     /* open addressing over nst[0 .. nst_mask] */
	size_t nst_mask;
	size_t *bfirst;	     /* global index of each shard's first binding */
	size_t nb;
	const gh_str *warnings; /* views into the shards' arenas */
	size_t nwarnings;
};

/* The shard of a namespace, or NULL; its slot. */
const rbac_shard *rbac_policy_shard(const rbac_policy *p, gh_str ns);
const nsslot *rbac_policy_ns(const rbac_policy *p, gh_str ns);
void rbac_shard_unref(rbac_shard *s);
/* Compiles one shard: ns "" takes ClusterRoles and ClusterRoleBindings, any other the
 * namespace's Roles and RoleBindings (objects of the other scope are not given). Later
 * entries win over earlier ones with the same name, as in rbac_policy_compile. */
bool rbac_shard_compile(gh_str ns, const rbac_role *const *roles, size_t nroles, const rbac_binding *const *binds,
			size_t nbinds, rbac_shard **out);
/* A policy over the given shards (sorted by namespace, references taken over). */
bool rbac_policy_assemble(rbac_shard *cs, rbac_shard **shards, size_t n, rbac_policy **out);

static inline uint64_t rbac_key_hash(uint32_t cls, gh_str name)
{
	static const uint64_t seeds[] = { 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL, 0x510e527fade682d1ULL };
	return rbac_hash(name.p, name.n, seeds[cls]);
}

/* The key a user name is looked up under. */
static inline uint32_t rbac_user_key(gh_str user, gh_str *name)
{
	size_t pl = sizeof RBAC_SA_PREFIX - 1;
	if (user.n >= pl && memcmp(user.p, RBAC_SA_PREFIX, pl) == 0) {
		*name = (gh_str){ user.p + pl, user.n - pl };
		return RBAC_KEY_SA;
	}
	*name = user;
	return RBAC_KEY_USER;
}

static inline const prole *rbac_role_by_id(const rbac_shard *p, uint32_t id)
{
	return id < p->ncroles ? &p->croles[id] : &p->nroles[id - p->ncroles];
}

static inline uint64_t rbac_atom_hash(uint32_t role, uint32_t v, uint32_t g, uint32_t r)
{
	uint64_t h = rbac_mix64(((uint64_t)role << 32 | v) ^ 0x9e3779b97f4a7c15ULL);
	h = rbac_mix64(h ^ ((uint64_t)g << 32 | r));
	return h ? h : 1;
}

/* Index of the string in the vocabulary, or RBAC_NONE. */
uint32_t rbac_vocab_find(const rbac_shard *p, const char *s, size_t n);
/* The key entry for (cls, name) with its precomputed hash, or NULL. */
const skey *rbac_key_find(const rbac_shard *p, uint32_t cls, gh_str name, uint64_t h);
static inline uint64_t rbac_ns_hash(gh_str ns)
{
	return rbac_hash(ns.p, ns.n, 0x3c6ef372fe94f82bULL);
}
const atom *rbac_atom_find(const rbac_shard *p, uint32_t role, uint32_t v, uint32_t g, uint32_t r);

/* ---- upstream's functions, used by the linear reference and the queries ---------------- */

/* appliesTo: index of the first subject of b that applies to u, or -1. `ns` is the
 * binding's namespace ("" for a ClusterRoleBinding). */
long rbac_applies_to(const rbac_user *u, const rbac_binding *b);
bool rbac_subject_applies(const rbac_user *u, const rbac_subject *s, gh_str binding_ns);
/* RuleAllows */
bool rbac_rule_allows(const rbac_attrs *a, const rbac_rule *r);
/* A role of the shard by name (ns "" for a ClusterRole of the cluster shard). */
const prole *rbac_lookup_role(const rbac_shard *p, gh_str ns, gh_str name);
/* The role a binding names, looked up by name (not through the compiled pointer): Roles in
 * the namespace's shard, ClusterRoles in the cluster shard. */
const prole *rbac_lookup_ref(const rbac_policy *p, const rbac_binding *b, uint8_t *err_kind);

/* Error message of an unresolved binding; `storage` picks the registry wording
 * (clusterroles.rbac... plural) over the lister one (clusterrole.rbac... singular). */
void rbac_ref_error(const rbac_binding *b, uint8_t err_kind, bool storage, gh_buf *out);
/* "ClusterRoleBinding \"n\" of ClusterRole \"r\" to Group \"g\"" */
void rbac_describe(const rbac_binding *b, const rbac_subject *s, gh_buf *out);
/* utilerrors.NewAggregate(...).Error() of the messages (duplicates dropped). */
void rbac_aggregate(const gh_str *msgs, size_t n, gh_buf *out);

/* Visits the bindings that apply to u: ClusterRoleBindings, then (ns non-empty) the
 * RoleBindings of ns, in order, through the subject index. fn gets the binding and its
 * resolved role (NULL and why when it does not resolve) and returns false to stop; rbac_walk returns false when fn
 * stopped it (or on OOM with more than 63 groups). */
typedef bool (*rbac_visit_fn)(void *ctx, const pbinding *pb, const prole *role, uint8_t err_kind);
bool rbac_walk(const rbac_policy *p, const rbac_user *u, gh_str ns, rbac_visit_fn fn, void *ctx);

/* Does a role allow the request (the compiled check, through the atoms)? `req` is prepared
 * once per request. */
typedef struct rbac_req {
	const rbac_attrs *a;
	bool ready;
	uint32_t ncombo;
	struct {
		uint32_t v, g, r;
		uint16_t type;
	} combo[12];
} rbac_req;
bool rbac_role_allows(const rbac_shard *p, uint32_t role_id, rbac_req *req);
/* The role of a binding of shard s: its own, or a ClusterRole from the cluster shard. */
const prole *rbac_binding_role(const rbac_policy *p, const pbinding *pb, uint8_t *err_kind);

/* RulesFor over the index; errors in the chosen wording. */
bool rbac_rules_for_impl(const rbac_policy *p, const rbac_user *u, gh_str ns, bool storage, gh_arena *a,
			 rbac_rules_result *out);

#endif
