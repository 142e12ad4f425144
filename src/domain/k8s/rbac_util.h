/* rbac_util: small helpers shared by the RBAC files: hashing, Go's string ordering and %q
 * quoting (upstream messages are built with it), label syntax and label selectors. Not a
 * public interface of the engine. */
#ifndef GH_K8S_RBAC_UTIL_H
#define GH_K8S_RBAC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/str.h"
#include "domain/k8s/rbac_obj.h"

/* A fast 64-bit hash for table lookups (not keyed: the tables hold policy strings, and
 * requests only look up). Never returns 0. */
uint64_t rbac_hash(const void *p, size_t n, uint64_t seed);

static inline uint64_t rbac_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline bool rbac_eq(gh_str a, gh_str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Go's string comparison: bytewise, then by length. */
int rbac_strcmp(gh_str a, gh_str b);

/* strconv.Quote / fmt %q of one string. Printable runes are kept; C0/C1 controls, DEL,
 * invalid UTF-8 and the non-printing runes Go escapes (spaces other than ' ', format
 * characters, private use, noncharacters) are escaped as Go escapes them. Unassigned code
 * points are kept (Go would escape them: its tables are not reproduced). */
void rbac_go_quote(gh_buf *b, gh_str s);
/* fmt %q of a []string: ["a" "b"]; an empty list is []. */
void rbac_go_quote_list(gh_buf *b, const gh_str *v, size_t n);

/* ---- label syntax (apimachinery util/validation) -------------------------------------- */

/* Append each problem as upstream words it, one per line (a '\n' between two; callers use
 * them as field error details). True when valid. */
bool rbac_check_qualified_name(gh_str s, gh_buf *why);
bool rbac_check_label_value(gh_str s, gh_buf *why);
/* RFC 1123 label (namespaces) and subdomain (service account names). */
bool rbac_check_dns_label(gh_str s, gh_buf *why);
bool rbac_check_dns_subdomain(gh_str s, gh_buf *why);
/* path.IsValidPathSegmentName, the name rule of every RBAC object. */
bool rbac_check_path_segment(gh_str s, gh_buf *why);

/* ---- label selectors ---------------------------------------------------------------- */

/* metav1.LabelSelectorAsSelector's checks: operator known, In/NotIn with values,
 * Exists/DoesNotExist without, keys and values of valid syntax. `why` (may be NULL) gets
 * the first problem. */
bool rbac_selector_valid(const rbac_selector *s, gh_buf *why);
/* Whether a valid selector selects an object with these labels. */
bool rbac_selector_matches(const rbac_selector *s, const rbac_label *labels, size_t n);

#endif
