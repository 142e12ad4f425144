/* awsauth: the aws-auth ConfigMap (kube-system/aws-auth), parsed the way
 * aws-iam-authenticator's EKSConfigMap backend parses it, plus last-known-good.
 *
 * Upstream behaviour kept:
 * - Data keys mapRoles, mapUsers, mapAccounts are case-sensitive; other keys are ignored.
 * - Entry field names (rolearn, userarn, username, groups, sso, userid) are ASCII
 *   case-insensitive, unknown fields are ignored. When two spellings of one field appear
 *   (rolearn and RoleArn), the one whose key sorts last bytewise wins, as it does after
 *   upstream's YAML -> JSON -> struct round trip.
 * - Types are checked the way yaml.v2 + encoding/json check them: `username: yes` or
 *   `groups: system:masters` is a type error.
 * - A role needs exactly one of rolearn / sso (sso: permissionSetName, accountID of 12
 *   digits, optional partition); a user needs userarn.
 * - Sections that are empty after trimming, or are "", '' or ``, hold no entries.
 * - Duplicate ARNs (compared case-insensitively): the last entry wins; earlier ones stay in
 *   the list, marked shadowed, so explain can show them. (Upstream keys mapUsers
 *   case-sensitively and then matches case-insensitively, which picks a random winner.)
 * - mapAccounts entries are the raw scalar text (leading zeros kept), as yaml.v2 gives a
 *   []string. Empty entries are dropped with a warning (they would match an unknown
 *   account).
 * - A stray space that folds two groups into "system:bootstrappers - system:nodes" parses
 *   as upstream parses it (one odd group); gatehouse adds a warning.
 *
 * Gatehouse improvement (spec section 8 point 2): last-known-good per section. A section
 * with any error (YAML syntax, a type error, an invalid entry) keeps the previous config's
 * value of that section, and a diagnostic says where the error is and that the previous
 * mappings stay in effect. Upstream replaces the store even on error, so one typo can
 * lock every node out. With no previous config, the entries without errors are used
 * (upstream keeps partial results on type errors; gatehouse also drops an entry whose
 * fields had type errors instead of keeping it with the field zeroed).
 *
 * A gh_awsauth is immutable and owns all of its memory (one gh_awsauth_free), so it can sit
 * in a snapshot read by many threads. Entries keep the order they were written in. */
#ifndef GH_AUTHN_AWSAUTH_H
#define GH_AUTHN_AWSAUTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* Bound on each section's text; aws-auth lives in a ConfigMap, itself capped at 1 MiB. */
#define GH_AWSAUTH_MAX_SECTION_BYTES ((size_t)1 << 20)

/* Diagnostics kept per section; past this a last one says how many more there were. */
#define GH_AWSAUTH_MAX_DIAGS_PER_SECTION 50

enum gh_awsauth_section { GH_AWSAUTH_MAP_ROLES, GH_AWSAUTH_MAP_USERS, GH_AWSAUTH_MAP_ACCOUNTS };
#define GH_AWSAUTH_NSECTIONS 3

typedef struct gh_awsauth_entry {
	size_t index;	      /* position in its section as written: mapRoles[index] */
	unsigned line;	      /* line of the entry in the section's text; 0 if unknown */
	gh_str arn;	      /* rolearn or userarn as written; empty for an sso entry */
	gh_str username;      /* a template */
	const gh_str *groups; /* templates */
	size_t n_groups;
	bool has_sso;
	gh_str sso_permission_set, sso_account_id, sso_partition;
	bool shadowed; /* a later entry has the same ARN (or sso matcher) and wins */
	/* For the mapper, computed once here rather than per request: */
	gh_str arn_lower;  /* arn, ASCII-lowercased */
	bool arn_has_path; /* a role ARN with an IAM path (role/team/Name) */
} gh_awsauth_entry;

enum gh_awsauth_severity { GH_AWSAUTH_ERROR, GH_AWSAUTH_WARNING };

typedef struct gh_awsauth_diag {
	enum gh_awsauth_severity severity;
	enum gh_awsauth_section section;
	long entry;		/* entry index in the new text, or -1 for the whole section */
	unsigned line, column;	/* in the section's text, 1-based; 0 if unknown */
	bool kept_previous;	/* errors: the previous value of the section stays in effect */
	gh_str message;		/* what is wrong, without the position */
} gh_awsauth_diag;

typedef struct gh_awsauth {
	const gh_awsauth_entry *roles;
	size_t n_roles;
	const gh_awsauth_entry *users;
	size_t n_users;
	const gh_str *accounts;
	size_t n_accounts;
	/* The section had errors and carries the previous config's value (entry indexes and
	 * lines then refer to that previous text). */
	bool kept_previous[GH_AWSAUTH_NSECTIONS];
	const gh_awsauth_diag *diags; /* from the load that built this config */
	size_t n_diags;
	gh_arena mem; /* private: owns everything above */
} gh_awsauth;

/* Builds a config from the three data strings; NULL means the key is absent (an empty
 * section). prev (may be NULL) supplies last-known-good values. Returns false only when
 * memory runs out: problems in the text become diagnostics. */
bool gh_awsauth_load(const gh_str *map_roles, const gh_str *map_users, const gh_str *map_accounts,
		     const gh_awsauth *prev, gh_awsauth **out, gh_err *err);

/* The same from a v1 ConfigMap object (as stored, or read from a manifest). A data value
 * that is not a string (the "missing |" mistake) is an error for that section. Returns
 * false when cm is not an object or its kind is set and is not ConfigMap. */
bool gh_awsauth_load_configmap(const json_t *cm, const gh_awsauth *prev, gh_awsauth **out,
			       gh_err *err);

void gh_awsauth_free(gh_awsauth *cfg);

const char *gh_awsauth_section_name(enum gh_awsauth_section s); /* "mapRoles", ... */

/* "mapRoles: line 3, column 7: did not find expected key; the previous mapRoles (2
 * entries) stay in effect" into out (appended). */
void gh_awsauth_diag_format(const gh_awsauth *cfg, const gh_awsauth_diag *d, gh_buf *out);

#endif
