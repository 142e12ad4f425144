/* sigv4: AWS Signature Version 4, verification first (and signing, for tests, tools and
 * benchmarks).
 *
 * Flow for a server: describe the request as received (sigv4_request), sigv4_parse it
 * (header or presigned-query form), check the clock (sigv4_check_time) and the scope
 * (sigv4_check_scope), look up the secret of parsed.access_key_id, derive or fetch the
 * signing key (sigv4_signing_key, sigv4_keycache), then sigv4_verify. Error codes,
 * statuses and messages are AWS's. Pure: no clock, no I/O; the time is a parameter.
 *
 * Canonicalization is AWS's for services other than S3 unless flags say otherwise: the
 * raw path has its dot segments and duplicate slashes removed and is URI-encoded once
 * more (AWS double-encodes), the query is decoded ('+' is a space) and re-encoded, sorted
 * by encoded name then value; header names are lowercased, values trimmed with runs of
 * white space (line folds included) folded to one space, repeated headers joined with
 * ',' in arrival order; the payload hash is payload_hash when given, else SHA-256 of the
 * payload (as AWS does outside S3, an x-amz-content-sha256 header is only a signed header:
 * a caller with S3 semantics passes its value, or UNSIGNED-PAYLOAD, as payload_hash). The
 * signed headers are taken in the order the client listed them. */
#ifndef GH_DOMAIN_AWS_SIGV4_H
#define GH_DOMAIN_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "codec/url.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_KEY_LEN 32
#define SIGV4_SIG_HEX_LEN 64
#define SIGV4_SKEW_SECONDS (15 * 60)
#define SIGV4_MAX_EXPIRES 604800

/* Bounds checked by sigv4_parse and the canonical builders. */
#define SIGV4_MAX_HEADERS 128
#define SIGV4_MAX_HEADER_BYTES (32 * 1024) /* sum of all header names and values */
#define SIGV4_MAX_QUERY_BYTES (32 * 1024)
#define SIGV4_MAX_QUERY_PARAMS 512
#define SIGV4_MAX_PATH_BYTES 8192
#define SIGV4_MAX_METHOD_BYTES 32

/* sigv4_request.flags */
enum {
	SIGV4_NO_NORMALIZE = 1 << 0,	 /* keep dot segments and duplicate slashes (S3) */
	SIGV4_NO_DOUBLE_ENCODE = 1 << 1, /* use the raw path as the canonical URI (S3) */
	/* Leave X-Amz-Security-Token out of the canonical query: the session token was added
	 * to the URL after signing (the AWS IoT convention, aws-c-auth's omit_session_token).
	 * Off by default: elsewhere AWS signs the token. */
	SIGV4_UNSIGNED_TOKEN_PARAM = 1 << 2,
};

typedef struct sigv4_header {
	gh_str name;	/* any case */
	gh_str value;	/* untrimmed, as received */
} sigv4_header;

typedef struct sigv4_request {
	gh_str method;
	gh_str path;	/* raw, as on the wire (percent-encoded); empty means "/" */
	gh_str query;	/* raw, without '?' */
	const sigv4_header *headers;
	size_t n_headers; /* duplicates allowed, in arrival order */
	gh_str payload;	  /* the body bytes */
	gh_str payload_hash; /* when non-empty, used instead of hashing payload */
	unsigned flags;
} sigv4_request;

enum sigv4_form { SIGV4_FORM_HEADER = 1, SIGV4_FORM_QUERY = 2 };

typedef struct sigv4_parsed {
	enum sigv4_form form;
	gh_str credential;	/* "AKID/yyyymmdd/region/service/aws4_request" */
	gh_str access_key_id;
	gh_str scope;		/* "yyyymmdd/region/service/aws4_request" */
	gh_str scope_date, region, service, terminator;
	gh_str amz_date;	/* "YYYYMMDDTHHMMSSZ" */
	int64_t date;		/* amz_date as Unix seconds */
	gh_str signed_headers;	/* the client's ';' list */
	gh_str signature;	/* 64 lowercase hex digits */
	gh_str security_token;	/* decoded; empty when absent */
	bool has_expires;	/* query form: X-Amz-Expires was present */
	gh_str expires;		/* its raw (decoded) text; validated by sigv4_check_time */
} sigv4_parsed;

/* Detects the form and extracts the authentication parameters. Decoded values live in
 * `arena`. Codes: MissingAuthenticationToken (403), IncompleteSignature (400),
 * SignatureDoesNotMatch (403: scope date or terminator wrong, host not signed, signature
 * malformed), MalformedQueryString (404), RequestTooLarge (413). */
bool sigv4_parse(const sigv4_request *req, gh_arena *arena, sigv4_parsed *out, gh_err *err);
/* The same, for a caller that has already parsed req->query with url_query_parse_arena
 * (URL_QUERY_FORM, or URL_QUERY_GO, which gives the same pairs whenever it accepts a
 * query): same checks, order and errors, without scanning the query a second time. */
bool sigv4_parse_with_query(const sigv4_request *req, const url_query *q, gh_arena *arena,
			    sigv4_parsed *out, gh_err *err);

/* Header form: the date must be within 15 minutes of now, both ways. Query form:
 * X-Amz-Expires must be 1..604800; expired when now > date + expires (AccessDenied,
 * 403, "Request has expired", as S3 answers: STS ignores X-Amz-Expires, and S3 is the
 * one service whose documented behaviour we can reproduce); a date more than 15 minutes
 * ahead is "not yet current". */
bool sigv4_check_time(const sigv4_parsed *p, int64_t now, gh_err *err);

/* The scope must name `region` and `service` (AWS's SignatureDoesNotMatch messages). */
bool sigv4_check_scope(const sigv4_parsed *p, gh_str region, gh_str service, gh_err *err);

/* kSigning = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request". */
void sigv4_signing_key(gh_str secret, gh_str yyyymmdd, gh_str region, gh_str service,
		       uint8_t out[SIGV4_KEY_LEN]);

/* Recomputes the signature and compares it in constant time. */
bool sigv4_verify(const sigv4_request *req, const sigv4_parsed *p, const uint8_t key[SIGV4_KEY_LEN],
		  gh_err *err);

/* The intermediate texts, for tests and `explain` (appended to out). */
bool sigv4_canonical_request(const sigv4_request *req, const sigv4_parsed *p, gh_buf *out, gh_err *err);
bool sigv4_string_to_sign(const sigv4_request *req, const sigv4_parsed *p, gh_buf *out, gh_err *err);

/* --- signing --- */

typedef struct sigv4_sign_params {
	gh_str access_key_id;
	gh_str secret_access_key;
	gh_str session_token;	/* empty for long-term credentials */
	gh_str region, service;
	int64_t time;
	int64_t expires;	/* presign: X-Amz-Expires, 0 to leave it out */
	bool sign_content_sha256; /* header form: add and sign x-amz-content-sha256 */
	bool omit_session_token;  /* add the token after signing (see SIGV4_UNSIGNED_TOKEN_PARAM) */
} sigv4_sign_params;

typedef struct sigv4_signed {
	char amz_date[17];
	char content_sha256[65];  /* set when sign_content_sha256 */
	char signature[65];
	gh_buf authorization;	  /* header form: the Authorization value (caller frees) */
	gh_buf signed_headers;	  /* the ';' list that was signed (caller frees) */
} sigv4_signed;

/* Signs every header of req (except Authorization, User-Agent, X-Amzn-Trace-Id, Expect)
 * plus X-Amz-Date and, if set, X-Amz-Security-Token and x-amz-content-sha256, which the
 * caller must then add to the request with the values in `out`. */
bool sigv4_sign_headers(const sigv4_request *req, const sigv4_sign_params *sp, sigv4_signed *out,
			gh_err *err);
void sigv4_signed_free(sigv4_signed *s);

/* Presigns req (whose headers, typically host and any x-* to bind, are all signed) and
 * appends "<base><path>?<canonical query>&X-Amz-Signature=<sig>" to url; `base` is e.g.
 * "https://sts.us-west-2.amazonaws.com". signature_out (65 bytes) may be NULL. */
bool sigv4_presign_url(const sigv4_request *req, gh_str base, const sigv4_sign_params *sp,
		       gh_buf *url, char *signature_out, gh_err *err);

#endif
