/* jsonpatch: RFC 6902 JSON Patch and RFC 7386 JSON merge patch over jansson trees.
 *
 * Both return a NEW document and never touch their inputs, so a patch that fails half-way
 * loses nothing: the caller still holds the stored object. The result shares no node with
 * the inputs (later edits of the result cannot reach the patch or the document).
 *
 * Messages follow what kube-apiserver's handler gets from evanphx/json-patch (v4), e.g.
 * "error in remove for path: '/a': Unable to remove nonexistent key: a: missing value".
 * kube-apiserver answers those with a 422 Status (reason Invalid) whose message is only
 * JSON_PATCH_REJECTED_MESSAGE; the detailed text is ours to show (logs, `explain`).
 * Where evanphx is looser than the RFC, gatehouse follows the RFC and says why:
 * - replace and copy of a missing key fail (evanphx adds, or copies null);
 * - array indexes are decimal without leading zeros or a sign (evanphx takes "-1", "01");
 * - "add" and "replace" at "" replace the whole document; "move" into its own child fails;
 * - a pointer must be "" or start with "/", and "~" must be followed by "0" or "1";
 * - an operation without "value" (add, replace, test) fails instead of meaning null.
 *
 * Bounds (every input comes from a request body): at most JSON_PATCH_MAX_OPS operations
 * (kube-apiserver's limit, answered 413), pointers of at most JSON_PATCH_MAX_POINTER bytes,
 * documents and patches nested at most JSON_PATCH_MAX_DEPTH levels (before and after each
 * operation), and at most JSON_PATCH_MAX_COPY_BYTES (about: 8 bytes a node plus keys and
 * strings) copied by "copy" operations in one patch (evanphx's AccumulatedCopySizeLimit),
 * which stops a patch doubling the document with every operation.
 *
 * The *_err variants use gatehouse's error convention: err->code is the Status reason
 * kube-apiserver would give (BadRequest, Invalid, RequestEntityTooLarge) and err->status
 * its HTTP code. The problem/problem_len variants copy the message into a caller buffer. */
#ifndef GH_CODEC_JSONPATCH_H
#define GH_CODEC_JSONPATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define JSON_PATCH_MAX_OPS 10000u
#define JSON_PATCH_MAX_POINTER 4096u
#define JSON_PATCH_MAX_DEPTH 100u
#define JSON_PATCH_MAX_COPY_BYTES ((size_t)4 << 20)

/* The message of kube-apiserver's 422 Status for a JSON patch that does not apply. */
#define JSON_PATCH_REJECTED_MESSAGE "the server rejected our request due to an error in our request"

/* RFC 6902: applies `patch` (an array of operations) to `doc`. On success *out holds a new
 * reference; on failure *out is NULL and `problem` (if non-NULL) says what was wrong. */
bool json_patch_apply(const json_t *doc, const json_t *patch, json_t **out, char *problem,
		      size_t problem_len);
bool json_patch_apply_err(const json_t *doc, const json_t *patch, json_t **out, gh_err *err);

/* RFC 7386: null deletes, objects merge recursively, anything else replaces. */
bool json_merge_patch_apply(const json_t *doc, const json_t *patch, json_t **out, char *problem,
			    size_t problem_len);
bool json_merge_patch_apply_err(const json_t *doc, const json_t *patch, json_t **out, gh_err *err);

/* True when `v` nests at most max_depth levels of objects and arrays ({} is 1, a scalar 0).
 * Stops looking below max_depth, so it is safe on any tree. */
bool json_patch_depth_ok(const json_t *v, unsigned max_depth);

/* Deep equality as RFC 6902 "test" defines it: numbers compare by value (1 equals 1.0),
 * objects by members regardless of order. */
bool json_patch_equal(const json_t *a, const json_t *b);

#endif
