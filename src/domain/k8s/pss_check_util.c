/* The phrase writers the checks share. */
#include "domain/k8s/pss_check.h"

#include "domain/k8s/pss_text.h"

size_t pss_count_where(const pss_pod *p, pss_cpred f, const void *arg)
{
	size_t n = 0;
	for (size_t i = 0; i < p->ncontainers; i++)
		n += f(&p->containers[i], arg);
	return n;
}

/* `container "a"` or `containers "a", "b"`: the containers f selects, in visiting order. */
void pss_put_containers(gh_buf *b, const pss_pod *p, size_t n, pss_cpred f, const void *arg)
{
	pss_put_plural(b, "container ", "containers ", n);
	size_t k = 0;
	for (size_t i = 0; i < p->ncontainers; i++) {
		if (!f(&p->containers[i], arg))
			continue;
		pss_put_quoted(b, &p->containers[i].name, 1);
		if (++k < n)
			gh_buf_puts(b, ", ");
	}
}

/* `containers "a", "b"<tail>` when f selects any container; false when it selects none. */
bool pss_put_failing(gh_buf *d, const pss_pod *p, pss_cpred f, const char *tail)
{
	size_t n = pss_count_where(p, f, NULL);
	if (!n)
		return false;
	pss_put_containers(d, p, n, f, NULL);
	gh_buf_puts(d, tail);
	return true;
}

/* "pod", `containers "a"`, or both joined with " and ": the setters of a bad value. */
void pss_put_setters(gh_buf *b, bool pod, const pss_pod *p, size_t n, pss_cpred f, const void *arg)
{
	if (pod)
		gh_buf_puts(b, "pod");
	if (pod && n)
		gh_buf_puts(b, " and ");
	if (n)
		pss_put_containers(b, p, n, f, arg);
}

bool pss_put_failing_setters(gh_buf *d, bool pod_bad, const pss_pod *p, pss_cpred f, const char *tail)
{
	size_t n = pss_count_where(p, f, NULL);
	if (!pod_bad && !n)
		return false;
	pss_put_setters(d, pod_bad, p, n, f, NULL);
	gh_buf_puts(d, tail);
	return true;
}
