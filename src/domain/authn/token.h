/* token: the checks of a `k8s-aws-v1.` token (a base64url presigned STS
 * GetCallerIdentity URL), in the order and with the messages of aws-iam-authenticator's
 * Verify (spec/authn-and-mapping.md section 2), before any signature work.
 *
 * Steps (first failure wins; codes are stable, status 401):
 *   1 size        TokenTooLarge           "token is too large" (limit 16384, not 4096)
 *   2 prefix      TokenPrefix
 *   3 base64      TokenBase64             Go's RawURLEncoding errors
 *   4 scheme      TokenURL | TokenScheme  Go's url.Parse errors, then https only
 *   5 host        TokenHost               partition table, fips, dual-stack, no port;
 *                                         userinfo refused (gatehouse)
 *   6 path        TokenPath | TokenFragment  "/" only; a fragment refused (gatehouse)
 *   7 query       TokenQuery              Go's url.ParseQuery
 *   8 duplicates  TokenDuplicateParam     names equal ignoring case
 *   9 allowlist   TokenParamNotAllowed | TokenMultipleValues
 *  10 action      TokenAction
 *  11 cluster id  TokenUnsignedClusterId  x-k8s-aws-id in X-Amz-SignedHeaders
 *  12 expires     TokenExpiresParam       0..900
 *  13 date        TokenDate               Go's time.Parse("20060102T150405Z")
 *  14 expiry      TokenExpired            now > date + 15 min
 *  15 future      TokenFuture             date > now + max_future_skew (gatehouse)
 *  16 signature   sigv4 codes             token_parse_signature: SigV4 form and scope
 *
 * Messages carry upstream's "input token was not properly formatted: " prefix. Where an
 * upstream message would echo the whole URL (url.Parse errors) it is replaced by
 * <pre-signed URL>: the URL carries the signature and the session token. Echoed values
 * are ASCII-escaped and cut. Where upstream depends on Go's map order (which of two
 * duplicate names is named, which failing key is reported first) we report the first in
 * query order. Keys are compared with ASCII case folding only.
 *
 * Pure: the time is a parameter; no I/O; all memory from the caller's arena. */
#ifndef GH_DOMAIN_AUTHN_TOKEN_H
#define GH_DOMAIN_AUTHN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "codec/url.h"
#include "domain/aws/sigv4.h"

#define TOKEN_PREFIX "k8s-aws-v1."
#define TOKEN_DEFAULT_MAX_LEN 16384	  /* upstream: 4096, too small for long session tokens */
#define TOKEN_LIFETIME_SECONDS (15 * 60)  /* STS honours a presigned GetCallerIdentity this long */
#define TOKEN_DEFAULT_MAX_FUTURE (5 * 60)
#define TOKEN_CLUSTER_ID_HEADER "x-k8s-aws-id"
#define TOKEN_STEPS 16

typedef struct token_config {
	const char *partition;	   /* NULL: "aws" */
	const char *server_region; /* upstream's fallback region (from IMDS); NULL: none */
	const char *cluster_id;	   /* bound into the verified request as x-k8s-aws-id */
	size_t max_token_len;	   /* 0: TOKEN_DEFAULT_MAX_LEN */
	int64_t max_future_skew;   /* seconds; 0: TOKEN_DEFAULT_MAX_FUTURE; < 0: no bound */
	/* Extra STS endpoints given as base URLs ("http://127.0.0.1:43121"): a token for
	 * exactly that scheme and host:port passes steps 4 and 5 (the sandbox's own STS). */
	const char *const *extra_endpoints;
	size_t n_extra_endpoints;
} token_config;

/* Unknown partition, malformed extra endpoint: say which. */
bool token_config_validate(const token_config *cfg, gh_err *err);

/* Receives every step in order: its number (1..16), short name, outcome and a detail
 * (on failure, the error message). Called at most once per step; steps after the first
 * failure are not reported. */
typedef void (*token_trace_fn)(void *ud, int step, const char *name, bool passed, const char *detail);
typedef struct token_trace {
	token_trace_fn fn;
	void *ud;
} token_trace;

typedef struct token_result {
	gh_str url;		/* the decoded pre-signed URL */
	gh_str scheme;		/* lowercased */
	gh_str host;		/* as in the URL, with a port if any */
	gh_str raw_query;
	url_query query;	/* decoded, in order */
	gh_str access_key_id;	/* X-Amz-Credential up to the first '/' */
	gh_str scope_date, region, service; /* further credential parts (empty if absent) */
	gh_str amz_date;
	int64_t date;		/* X-Amz-Date, Unix seconds (fraction dropped) */
	int64_t expires_at;	/* date + 15 min: when the token stops being accepted */
	int64_t expires_param;	/* X-Amz-Expires (ignored by STS) */
	gh_str security_token;	/* decoded X-Amz-Security-Token, empty if absent */
	bool extra_endpoint;	/* matched one of cfg->extra_endpoints */
	gh_str expected_region; /* the region a signature must be scoped to; empty: any */
	/* Ready for sigv4_parse/sigv4_verify: GET / with the raw query and the headers
	 * host=<url host> and x-k8s-aws-id=<cfg->cluster_id>, which binds the token to this
	 * cluster. request.headers points into this struct: do not copy the struct. */
	sigv4_header headers[2];
	sigv4_request request;
} token_result;

/* Steps 1..15. */
bool token_check(const token_config *cfg, gh_str token, int64_t now, gh_arena *arena,
		 const token_trace *trace, token_result *out, gh_err *err);

/* Step 16: sigv4_parse of tok->request (query form), the scope must be
 * <expected region>/sts. No clock check: X-Amz-Expires is legacy and ignored, the
 * 15-minute rule of step 14 is the token's. The caller then looks up the secret of
 * out->access_key_id and calls sigv4_verify(&tok->request, out, key, err). */
bool token_parse_signature(const token_result *tok, gh_arena *arena, const token_trace *trace,
			   sigv4_parsed *out, gh_err *err);

/* Step 5 alone (partition rules only, no extra endpoints), for tests and explain. */
bool token_check_host(const token_config *cfg, gh_str host, gh_err *err);

#endif
