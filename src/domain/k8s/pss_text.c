#include "domain/k8s/pss_text.h"

#include <stdlib.h>
#include <string.h>

#include "domain/k8s/rbac_util.h"

void pss_put_quoted(gh_buf *b, const gh_str *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		gh_buf_puts(b, i ? ", \"" : "\"");
		gh_buf_put_str(b, v[i]);
		gh_buf_putc(b, '"');
	}
}

void pss_put_plural(gh_buf *b, const char *singular, const char *plural, size_t n)
{
	gh_buf_puts(b, n == 1 ? singular : plural);
}

static bool grow(pss_set *s)
{
	if (s->n < s->cap)
		return true;
	size_t cap = s->cap ? s->cap * 2 : 8;
	pss_set_item *v = realloc(s->v, cap * sizeof *v);
	if (!v)
		return false;
	s->v = v;
	s->cap = cap;
	return true;
}

void pss_set_add(pss_set *s, gh_str x)
{
	if (grow(s))
		s->v[s->n++] = (pss_set_item){ x, false };
}

void pss_set_add_copy(pss_set *s, gh_str x)
{
	char *c = gh_str_dup(x);
	if (!c || !grow(s)) {
		free(c);
		return;
	}
	s->v[s->n++] = (pss_set_item){ { c, x.n }, true };
}

static int cmp(const void *a, const void *b)
{
	return rbac_strcmp(((const pss_set_item *)a)->s, ((const pss_set_item *)b)->s);
}

void pss_set_finish(pss_set *s)
{
	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof *s->v, cmp);
	size_t k = 1;
	for (size_t i = 1; i < s->n; i++) {
		if (cmp(&s->v[i], &s->v[k - 1]) == 0) {
			if (s->v[i].owned)
				free((char *)s->v[i].s.p);
			continue;
		}
		s->v[k++] = s->v[i];
	}
	s->n = k;
}

void pss_set_free(pss_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].owned)
			free((char *)s->v[i].s.p);
	free(s->v);
	*s = (pss_set){ 0 };
}

void pss_set_put_quoted(gh_buf *b, const pss_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		gh_buf_puts(b, i ? ", \"" : "\"");
		gh_buf_put_str(b, s->v[i].s);
		gh_buf_putc(b, '"');
	}
}

void pss_set_put_joined(gh_buf *b, const pss_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			gh_buf_puts(b, ", ");
		gh_buf_put_str(b, s->v[i].s);
	}
}
