/* pss_text: the small text helpers the Pod Security checks share to write upstream's
 * details: joinQuote, pluralize, and sorted string sets (Go's sets.String.List()). Only
 * failure paths use them. Internal to domain/k8s/pss*. */
#ifndef GH_K8S_PSS_TEXT_H
#define GH_K8S_PSS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

/* `"a", "b"` (joinQuote). */
void pss_put_quoted(gh_buf *b, const gh_str *v, size_t n);
/* singular when n == 1, plural otherwise (pluralize). */
void pss_put_plural(gh_buf *b, const char *singular, const char *plural, size_t n);

/* A set of strings, listed sorted in byte order without duplicates. Strings added with
 * pss_set_add are borrowed; pss_set_add_copy copies them (they are freed with the set). */
typedef struct pss_set_item {
	gh_str s;
	bool owned;
} pss_set_item;

typedef struct pss_set {
	pss_set_item *v;
	size_t n, cap;
} pss_set;

void pss_set_add(pss_set *s, gh_str x);
void pss_set_add_copy(pss_set *s, gh_str x);
/* Sorts and drops duplicates; afterwards v[0..n).s is the list. */
void pss_set_finish(pss_set *s);
void pss_set_free(pss_set *s);
/* `"a", "b"` of a finished set. */
void pss_set_put_quoted(gh_buf *b, const pss_set *s);
/* `a, b` of a finished set. */
void pss_set_put_joined(gh_buf *b, const pss_set *s);

#endif
