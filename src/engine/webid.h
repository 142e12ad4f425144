/* webid: the AWS side of workload identity. IAM's OpenID Connect providers (the trust
 * anchors a role's account registers) and STS AssumeRoleWithWebIdentity, which trades a
 * provider's JWT for a role session.
 *
 * A token of one of gatehouse's own issuers is verified against the issuer's keys
 * directly; any other issuer's keys come from its discovery document and JWKS, fetched
 * over HTTPS (TLS verified against the system's CAs or oidc_ca_file) and cached for an
 * hour, refetched early (at most once a minute) when a token names an unknown kid. */
#ifndef GH_ENGINE_WEBID_H
#define GH_ENGINE_WEBID_H

#include "engine/engine.h"

#define GH_OIDC_MAX_CLIENT_IDS 100
#define GH_OIDC_MAX_THUMBPRINTS 5
#define GH_OIDC_MAX_PROVIDERS 100
#define GH_WEBID_SKEW 300 /* STS accepts exp up to 5 minutes past */

typedef struct gh_oidc_provider {
	const char *arn, *url; /* url without "https://", as GetOpenIDConnectProvider answers */
	const char **client_ids, **thumbprints;
	size_t nclient_ids, nthumbprints;
	iam_tag *tags;
	size_t ntags;
	int64_t created;
} gh_oidc_provider;

bool engine_iam_create_oidc_provider(gh_engine *e, const gh_caller *c, gh_str url, const gh_str *client_ids,
				     size_t nclient, const gh_str *thumbprints, size_t nthumb, const iam_tag *tags,
				     size_t ntags, gh_arena *a, gh_oidc_provider *out, gh_err *err) GH_MUST_CHECK;
bool engine_iam_get_oidc_provider(gh_engine *e, const gh_caller *c, gh_str arn, gh_arena *a,
				  gh_oidc_provider *out, gh_err *err) GH_MUST_CHECK;
bool engine_iam_list_oidc_providers(gh_engine *e, const gh_caller *c, gh_arena *a, const char ***arns, size_t *n,
				    gh_err *err) GH_MUST_CHECK;
bool engine_iam_delete_oidc_provider(gh_engine *e, const gh_caller *c, gh_str arn, gh_err *err) GH_MUST_CHECK;
bool engine_iam_add_oidc_client_id(gh_engine *e, const gh_caller *c, gh_str arn, gh_str client_id,
				   gh_err *err) GH_MUST_CHECK;
bool engine_iam_update_oidc_thumbprints(gh_engine *e, const gh_caller *c, gh_str arn, const gh_str *thumbprints,
					size_t n, gh_err *err) GH_MUST_CHECK;

typedef struct gh_webid_req {
	gh_str role_arn, session_name, token, policy;
	int64_t duration; /* 0 = 3600; -1 = given as 0 */
	bool has_duration;
	gh_str source_ip;
	bool secure_transport;
} gh_webid_req;

typedef struct gh_webid_res {
	gh_assume_role_res creds;
	const char *subject, *provider, *audience, *issuer;
} gh_webid_res;

/* Unsigned: the token is the credential. Errors as STS: ValidationError,
 * InvalidIdentityToken, ExpiredTokenException, IDPCommunicationError, AccessDenied,
 * MalformedPolicyDocument. */
bool engine_sts_assume_role_with_web_identity(gh_engine *e, const gh_webid_req *r, gh_arena *a, gh_webid_res *out,
					      gh_err *err) GH_MUST_CHECK;

bool webid_open(gh_engine *e, gh_err *err) GH_MUST_CHECK;
void webid_close(gh_engine *e);

#endif
