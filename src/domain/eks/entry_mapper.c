#include "domain/eks/entry_mapper.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/aws/arn.h"

/* ---- one mapping request ------------------------------------------------------------------ */

typedef struct ectx {
	const gh_identity *id;
	const gh_eks_map_opts *o;
	gh_arena *a;
	gh_eks_map_result *r;
	gh_str *trace;
	size_t n_trace, cap_trace;
	bool oom;
} ectx;

static gh_str aprintf(ectx *m, const char *fmt, ...) GH_PRINTF(2, 3);
static gh_str aprintf(ectx *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = n >= 0 ? gh_arena_alloc(m->a, (size_t)n + 1) : NULL;
	if (!p) {
		m->oom = true;
		return GH_STR("");
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return (gh_str){ p, (size_t)n };
}

static void trace_add(ectx *m, gh_str line)
{
	if (m->oom)
		return;
	if (m->n_trace == m->cap_trace) {
		size_t cap = m->cap_trace ? m->cap_trace * 2 : 8;
		gh_str *v = gh_arena_alloc(m->a, cap * sizeof *v);
		if (!v) {
			m->oom = true;
			return;
		}
		if (m->n_trace)
			memcpy(v, m->trace, m->n_trace * sizeof *v);
		m->trace = v;
		m->cap_trace = cap;
	}
	m->trace[m->n_trace++] = line;
}

/* The arguments are only evaluated for explain. */
#define trace(m, ...)                                         \
	do {                                                  \
		if ((m)->o->trace)                            \
			trace_add((m), aprintf((m), __VA_ARGS__)); \
	} while (0)

/* ---- matching ------------------------------------------------------------------------------ */

/* lower(strip_path(arn)), the form access entries are keyed by. */
static bool arn_key(gh_str arn, gh_buf *out)
{
	if (!arn_strip_path(arn, out, NULL))
		return false;
	for (size_t i = 0; i < out->n; i++)
		if (out->p[i] >= 'A' && out->p[i] <= 'Z')
			out->p[i] = (char)(out->p[i] + 32);
	return true;
}

static bool kind_fits(gh_eks_principal_kind entry, enum gh_principal_kind caller)
{
	switch (entry) {
	case GH_EKS_PRINCIPAL_USER:
		return caller == GH_PRINCIPAL_USER;
	case GH_EKS_PRINCIPAL_ROLE:
		return caller == GH_PRINCIPAL_ASSUMED_ROLE;
	case GH_EKS_PRINCIPAL_ROOT:
		return caller == GH_PRINCIPAL_ROOT;
	}
	return false;
}

static const char *kind_word(gh_eks_principal_kind k)
{
	return k == GH_EKS_PRINCIPAL_ROLE ? "role" : k == GH_EKS_PRINCIPAL_USER ? "user" : "principal";
}

/* ---- templates (the aws-auth semantics of mapper.h) ----------------------------------------- */

static bool render(ectx *m, gh_str t, const char *what, gh_str *out)
{
	char why[512];
	if (gh_mapper_render(t, m->id, m->o->ec2_lookup, m->o->ec2_ctx, m->a, out, why, sizeof why, &m->oom))
		return true;
	if (why[0])
		m->r->message = aprintf(m, "error rendering %s template \"%.*s\": %s", what, GH_STR_ARG(t), why);
	return false;
}

/* ---- results ------------------------------------------------------------------------------- */

static enum gh_map_status finish(ectx *m, enum gh_map_status st)
{
	if (m->oom) {
		st = GH_MAP_ERROR;
		m->r->message = GH_STR("out of memory while mapping the identity");
	}
	m->r->status = st;
	m->r->trace = m->trace;
	m->r->n_trace = m->n_trace;
	return st;
}

static enum gh_map_status map_entry(ectx *m, const gh_eks_access_entry *e, long index)
{
	gh_eks_map_result *r = m->r;
	r->entry = index;
	r->source = aprintf(m, "access entry %.*s (%.*s)", GH_STR_ARG(e->entry_arn), GH_STR_ARG(e->principal_arn));
	gh_str user;
	if (!render(m, e->username, "username", &user))
		return finish(m, GH_MAP_ERROR);
	gh_str *groups = e->n_groups ? gh_arena_alloc(m->a, e->n_groups * sizeof *groups) : NULL;
	if (e->n_groups && !groups)
		return m->oom = true, finish(m, GH_MAP_ERROR);
	for (size_t i = 0; i < e->n_groups; i++)
		if (!render(m, e->groups[i], "group", &groups[i]))
			return finish(m, GH_MAP_ERROR);
	r->username = user;
	r->groups = groups;
	r->n_groups = e->n_groups;
	return finish(m, GH_MAP_MAPPED);
}

enum gh_map_status gh_eks_entries_map(const gh_eks_access_entry *entries, size_t n, const gh_identity *id,
				      const gh_eks_map_opts *opts, gh_arena *a, gh_eks_map_result *out)
{
	static const gh_eks_map_opts none = { 0 };
	ectx m = { .id = id, .o = opts ? opts : &none, .a = a, .r = out };
	*out = (gh_eks_map_result){ .status = GH_MAP_NOT_MAPPED, .entry = -1, .stale_entry = -1 };
	gh_buf caller_key = { 0 };
	bool have_key = id->canonical_arn.n && arn_key(id->canonical_arn, &caller_key);
	gh_str ck = gh_buf_str(&caller_key);

	long by_id = -1, by_arn = -1;
	bool by_id_arn_ok = false;
	for (size_t i = 0; i < n; i++) {
		const gh_eks_access_entry *e = &entries[i];
		bool id_hit = id->principal_id.n && gh_str_eq(e->principal_id, id->principal_id) &&
			      kind_fits(e->principal_kind, id->kind);
		bool arn_hit = have_key && gh_str_eq(e->principal_key, ck);
		if (id_hit && by_id < 0) {
			by_id = (long)i;
			by_id_arn_ok = arn_hit;
		}
		if (arn_hit && by_arn < 0)
			by_arn = (long)i;
		if (id_hit || arn_hit)
			trace(&m, "access entry[%zu] %.*s (principal ID %.*s): %s", i, GH_STR_ARG(e->principal_arn),
			      GH_STR_ARG(e->principal_id),
			      id_hit && arn_hit ? "matched the caller's principal ID and ARN"
			      : id_hit		? "matched the caller's principal ID, not its ARN"
						: "matched the caller's ARN, not its principal ID");
	}
	gh_buf_free(&caller_key);

	if (by_id >= 0) {
		const gh_eks_access_entry *e = &entries[by_id];
		if (!by_id_arn_ok) {
			out->entry = by_id;
			out->source = aprintf(&m, "access entry %.*s (%.*s)", GH_STR_ARG(e->entry_arn),
					      GH_STR_ARG(e->principal_arn));
			out->message = aprintf(&m,
					       "ARN does not match User ID: the access entry for %.*s has principal "
					       "ID %.*s, which is the caller %.*s",
					       GH_STR_ARG(e->principal_arn), GH_STR_ARG(e->principal_id),
					       GH_STR_ARG(id->arn));
			return finish(&m, GH_MAP_ERROR);
		}
		return map_entry(&m, e, by_id);
	}
	if (by_arn >= 0) {
		const gh_eks_access_entry *e = &entries[by_arn];
		out->stale_entry = by_arn;
		if (id->principal_id.n && kind_fits(e->principal_kind, id->kind))
			out->message = aprintf(&m,
					       "the access entry for %.*s was created for principal ID %.*s, but the "
					       "caller is %.*s: the %s was deleted and re-created; delete and "
					       "re-create the access entry",
					       GH_STR_ARG(e->principal_arn), GH_STR_ARG(e->principal_id),
					       GH_STR_ARG(id->principal_id), kind_word(e->principal_kind));
		else if (!id->principal_id.n)
			out->message = aprintf(&m, "the access entry for %.*s is bound to principal ID %.*s and the "
						   "caller's principal ID is unknown",
					       GH_STR_ARG(e->principal_arn), GH_STR_ARG(e->principal_id));
		else
			out->message = aprintf(&m, "the access entry for %.*s is for an IAM %s, and the caller %.*s is "
						   "not one",
					       GH_STR_ARG(e->principal_arn), kind_word(e->principal_kind),
					       GH_STR_ARG(id->arn));
		return finish(&m, GH_MAP_NOT_MAPPED);
	}
	out->message = aprintf(&m, "no access entry for %.*s (principal ID %.*s)", GH_STR_ARG(id->canonical_arn),
			       GH_STR_ARG(id->principal_id));
	trace(&m, "%.*s", GH_STR_ARG(out->message));
	return finish(&m, GH_MAP_NOT_MAPPED);
}

/* ---- authentication modes ------------------------------------------------------------------- */

static gh_str join2(gh_arena *a, gh_str x, gh_str y)
{
	if (!x.n)
		return y;
	if (!y.n)
		return x;
	char *p = gh_arena_alloc(a, x.n + y.n + 3);
	if (!p)
		return x;
	memcpy(p, x.p, x.n);
	memcpy(p + x.n, "; ", 2);
	memcpy(p + x.n + 2, y.p, y.n);
	return (gh_str){ p, x.n + y.n + 2 };
}

static enum gh_map_status take_entries(gh_eks_authn_result *out)
{
	out->status = out->entries.status;
	out->from = out->entries.status == GH_MAP_NOT_MAPPED ? GH_EKS_FROM_NONE : GH_EKS_FROM_ACCESS_ENTRY;
	out->username = out->entries.username;
	out->groups = out->entries.groups;
	out->n_groups = out->entries.n_groups;
	out->source = out->entries.source;
	out->message = out->entries.message;
	return out->status;
}

enum gh_map_status gh_eks_authn_map(gh_eks_auth_mode mode, const gh_eks_access_entry *entries, size_t n,
				    const gh_awsauth *cfg, const gh_identity *id, const gh_eks_map_opts *eopts,
				    const gh_mapper_opts *mopts, gh_arena *a, gh_eks_authn_result *out)
{
	*out = (gh_eks_authn_result){ .status = GH_MAP_NOT_MAPPED };
	if (gh_eks_auth_mode_has_access_entries(mode)) {
		out->ran_entries = true;
		gh_eks_entries_map(entries, n, id, eopts, a, &out->entries);
		if (out->entries.status != GH_MAP_NOT_MAPPED || !gh_eks_auth_mode_has_config_map(mode))
			return take_entries(out);
	}
	gh_mapper_opts mo;
	if (mopts) {
		mo = *mopts;
	} else {
		mo = gh_mapper_opts_eks();
		if (eopts) {
			mo.ec2_lookup = eopts->ec2_lookup;
			mo.ec2_ctx = eopts->ec2_ctx;
			mo.trace = eopts->trace;
		}
	}
	out->ran_aws_auth = true;
	gh_mapper_map(cfg, id, &mo, a, &out->aws_auth);
	out->status = out->aws_auth.status;
	out->from = out->status == GH_MAP_NOT_MAPPED ? GH_EKS_FROM_NONE : GH_EKS_FROM_AWS_AUTH;
	out->username = out->aws_auth.username;
	out->groups = out->aws_auth.groups;
	out->n_groups = out->aws_auth.n_groups;
	out->source = out->aws_auth.source;
	out->message = out->aws_auth.message;
	if (out->status == GH_MAP_NOT_MAPPED && out->ran_entries)
		out->message = join2(a, out->entries.message, out->aws_auth.message);
	return out->status;
}
