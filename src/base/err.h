/* err: the one error convention of gatehouse.
 *
 * A fallible function returns bool (true = success) and takes a `gh_err *` as its
 * last argument. On failure it fills the error with a stable machine code (a static
 * string such as "SignatureDoesNotMatch" or "InvalidInput"), a message a person can act
 * on, and an HTTP status hint for the wire adapters. `err` may be NULL when the caller
 * does not care why. */
#ifndef GH_BASE_ERR_H
#define GH_BASE_ERR_H

#include <stdbool.h>
#include <stddef.h>

#define GH_ERR_MSG_MAX 512

typedef struct gh_err {
	const char *code;	/* static, never freed; NULL while no error */
	int status;		/* HTTP status hint, 0 if none */
	char msg[GH_ERR_MSG_MAX];
} gh_err;

#define GH_MUST_CHECK __attribute__((warn_unused_result))
#define GH_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Fills `err` (if non-NULL) and returns false, so a failure path reads
 * `return gh_fail(err, "Code", 400, "what was wrong: %s", x);`. */
bool gh_fail(gh_err *err, const char *code, int status, const char *fmt, ...) GH_PRINTF(4, 5);

/* Prefixes the message already in `err` with more context ("loading aws-auth: ..."). */
bool gh_fail_wrap(gh_err *err, const char *fmt, ...) GH_PRINTF(2, 3);

void gh_err_clear(gh_err *err);

#endif
