/* identity: who a verified AWS caller is, as STS GetCallerIdentity would say, plus what
 * gatehouse knows beyond STS (the IAM path of a role, the principal's unique ID).
 *
 * Produced by the token verifier (local or pass-through) and consumed by the mappers.
 * All fields are views into memory owned by whoever filled the struct (usually a
 * request arena). Empty views mean "unknown". */
#ifndef GH_AUTHN_IDENTITY_H
#define GH_AUTHN_IDENTITY_H

#include "base/str.h"

enum gh_principal_kind {
	GH_PRINCIPAL_UNKNOWN,
	GH_PRINCIPAL_USER,	   /* arn:P:iam::A:user/path/name */
	GH_PRINCIPAL_ASSUMED_ROLE, /* arn:P:sts::A:assumed-role/name/session */
	GH_PRINCIPAL_ROOT,	   /* arn:P:iam::A:root */
	GH_PRINCIPAL_FEDERATED,	   /* arn:P:sts::A:federated-user/name */
};

typedef struct gh_identity {
	enum gh_principal_kind kind;
	gh_str arn;	      /* as STS returns it (assumed-role ARNs carry no path) */
	gh_str canonical_arn; /* assumed-role -> arn:P:iam::A:role/name; others unchanged */
	gh_str path_arn;      /* the IAM ARN with its path (role/path/name) when known, else = canonical */
	gh_str account_id;
	gh_str user_id;	      /* STS UserId: AIDA... or AROA...:session */
	gh_str principal_id;  /* AIDA... / AROA... (the part of user_id before ':') */
	gh_str session_name;  /* assumed roles only, raw */
	gh_str access_key_id;
	gh_str partition;
} gh_identity;

#endif
