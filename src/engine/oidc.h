/* oidc: every cluster's service-account token issuer, as EKS runs one per cluster.
 *
 * Each cluster has an issuer URL (DescribeCluster's identity.oidc.issuer,
 * https://oidc.eks.REGION.amazonaws.com/id/HEX) and RSA-2048 signing keys sealed under the
 * KEK in the store. The newest key signs; a new one is made once the newest is older than
 * the rotation period (7 days, as EKS; engine config oidc_rotation for tests), and a
 * retired key stays in the JWKS for GH_OIDC_MAX_TOKEN_SECONDS after its successor was
 * made, so every token it signed still verifies until it expires. Keys are made at start
 * for every cluster and lazily for clusters created later.
 *
 * The discovery document and the JWKS are served by the Kubernetes API
 * (/.well-known/openid-configuration, /openid/v1/jwks) and by the AWS listener
 * (/id/HEX/.well-known/openid-configuration, /id/HEX/keys), which is where STS clients
 * and IAM look for them. */
#ifndef GH_ENGINE_OIDC_H
#define GH_ENGINE_OIDC_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "engine/engine.h"

#define GH_OIDC_ROTATION_DEFAULT (7 * 86400)
/* The longest token gatehouse issues (TokenRequest caps expirationSeconds at it, as
 * kube-apiserver's --service-account-max-token-expiration does). */
#define GH_OIDC_MAX_TOKEN_SECONDS 86400
#define GH_OIDC_MIN_TOKEN_SECONDS 600
/* go-jose's default leeway, which kube-apiserver's service-account authenticator uses. */
#define GH_OIDC_LEEWAY 60

typedef struct gh_sa_claims {
	const char *iss, *sub, *ns, *sa_name, *sa_uid, *pod_name, *pod_uid, *jti;
	const char *const *aud;
	size_t naud;
	int64_t exp, nbf, iat;
	const char *cluster;
} gh_sa_claims;

/* A service-account token of one of gatehouse's own issuers: signature, exp/nbf/iat (no
 * skew beyond upstream's), and `audience` (NULL = any). Codes: "InvalidToken" (malformed,
 * not ours, wrong audience, bad signature) and "ExpiredToken", status 401. */
bool engine_sa_token_verify(gh_engine *e, const char *cluster /* NULL: any own issuer */, gh_str token,
			    const char *audience, gh_arena *a, gh_sa_claims *out, gh_err *err) GH_MUST_CHECK;
/* Issues a token for ns/sa (uid sa_uid), valid `seconds` from now, optionally bound to a
 * pod. *token and *exp in the arena. */
bool engine_sa_token_issue(gh_engine *e, const char *cluster, const char *ns, const char *sa, const char *sa_uid,
			   const char *const *aud, size_t naud, int64_t seconds, const char *pod_name,
			   const char *pod_uid, gh_arena *a, const char **token, int64_t *exp,
			   gh_err *err) GH_MUST_CHECK;

/* The same verification with another allowed clock skew (STS allows 5 minutes). */
bool oidc_verify_own(gh_engine *e, const char *cluster, gh_str token, const char *audience, int64_t leeway,
		     gh_arena *a, gh_sa_claims *out, gh_err *err) GH_MUST_CHECK;
/* True when `issuer` is one of gatehouse's own (then *cluster names the cluster). */
bool oidc_is_own_issuer(gh_engine *e, const char *issuer, gh_arena *a, const char **cluster);

/* The cluster's issuer URL, in the arena. "NotFound" 404 for an unknown cluster. */
bool engine_oidc_issuer(gh_engine *e, const char *cluster, gh_arena *a, const char **issuer,
			gh_err *err) GH_MUST_CHECK;
/* The cluster whose issuer ends in /id/<hex> (case-insensitive hex), or false. */
bool engine_oidc_cluster_by_id(gh_engine *e, gh_str hex, gh_arena *a, const char **cluster);
/* The discovery document and the JWKS of a cluster's issuer, as JSON text. */
bool engine_oidc_discovery(gh_engine *e, const char *cluster, gh_buf *out, gh_err *err) GH_MUST_CHECK;
bool engine_oidc_jwks(gh_engine *e, const char *cluster, gh_buf *out, gh_err *err) GH_MUST_CHECK;

/* Engine life cycle (engine.c): every cluster gets its issuer and a current key. */
bool oidc_open(gh_engine *e, gh_err *err) GH_MUST_CHECK;
/* Forgets a deleted cluster's issuer (its tokens stop verifying at once). */
void oidc_cluster_deleted(gh_engine *e, const char *cluster);
void oidc_close(gh_engine *e);

#endif
