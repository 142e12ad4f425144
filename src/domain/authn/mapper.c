#include "domain/authn/mapper.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/aws/arn.h"

const gh_str gh_mapper_eks_reserved_prefixes[] = { GH_STR("aws:"), GH_STR("amazon:"), GH_STR("eks:"),
						   GH_STR("iam:"), GH_STR("system:") };
const size_t gh_mapper_eks_reserved_count = sizeof gh_mapper_eks_reserved_prefixes / sizeof(gh_str);

gh_mapper_opts gh_mapper_opts_eks(void)
{
	return (gh_mapper_opts){
		.reserved_prefixes = gh_mapper_eks_reserved_prefixes,
		.n_reserved_prefixes = gh_mapper_eks_reserved_count,
		.allow_node_templates = true,
	};
}

bool gh_mapper_instance_table_lookup(void *table, gh_str instance_id, gh_str *private_dns)
{
	const gh_mapper_instance_table *t = table;
	for (size_t i = 0; t && i < t->n; i++) {
		if (gh_str_eq(t->v[i].instance_id, instance_id)) {
			*private_dns = t->v[i].private_dns;
			return true;
		}
	}
	return false;
}

/* ---- one mapping request ----------------------------------------------------------- */

typedef struct mctx {
	const gh_awsauth *cfg;
	const gh_identity *id;
	const gh_mapper_opts *o;
	gh_arena *a;
	gh_map_result *r;
	gh_str *trace;
	size_t n_trace, cap_trace;
	bool path_known; /* id->path_arn carries the role's IAM path */
	gh_str canonical_lower, path_lower;
	bool oom;
} mctx;

static gh_str arena_printf(mctx *m, const char *fmt, ...) GH_PRINTF(2, 3);
static gh_str arena_printf(mctx *m, const char *fmt, ...)
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

static void trace_add(mctx *m, const char *fmt, ...) GH_PRINTF(2, 3);
static void trace_add(mctx *m, const char *fmt, ...)
{
	if (m->oom)
		return;
	char line[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (m->n_trace == m->cap_trace) {
		size_t cap = m->cap_trace ? m->cap_trace * 2 : 16;
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
	m->trace[m->n_trace++] = arena_printf(m, "%s", line);
}

/* The arguments are only evaluated for explain: mapping itself stays a tight loop. */
#define trace(m, ...)                              \
	do {                                       \
		if ((m)->o->trace)                 \
			trace_add((m), __VA_ARGS__); \
	} while (0)

/* ---- matching ----------------------------------------------------------------------- */

/* Better matches rank higher; a path-ful entry equal to the real role ARN is the most exact. */
enum match { M_NONE, M_SSO, M_CANONICAL, M_PATH };

static bool role_has_path(gh_str arn)
{
	arn_parts p;
	if (!arn_parse(arn, &p, NULL))
		return false;
	return gh_str_has_prefix(p.resource, GH_STR("role/")) && gh_str_find(p.resource, '/', 5) < p.resource.n;
}

static gh_str lower(mctx *m, gh_str s)
{
	char *d = gh_arena_strndup(m->a, s.p ? s.p : "", s.n);
	if (!d) {
		m->oom = true;
		return GH_STR("");
	}
	for (size_t i = 0; i < s.n; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] += 32;
	return (gh_str){ d, s.n };
}

static bool prefix_ieq(gh_str s, gh_str prefix)
{
	return s.n >= prefix.n && gh_str_ieq(gh_str_sub(s, 0, prefix.n), prefix);
}

static enum match match_sso(mctx *m, const char *sec, const gh_awsauth_entry *e)
{
	if (!m->o->sso_role_match) {
		trace(m, "%s[%zu] sso %.*s/%.*s: skipped, SSO role matching is off", sec, e->index,
		      GH_STR_ARG(e->sso_account_id), GH_STR_ARG(e->sso_permission_set));
		return M_NONE;
	}
	gh_str part = e->sso_partition.n ? e->sso_partition : GH_STR("aws");
	char pat[256];
	int n = snprintf(pat, sizeof pat, "arn:%.*s:iam::%.*s:role/AWSReservedSSO_%.*s_", GH_STR_ARG(part),
			 GH_STR_ARG(e->sso_account_id), GH_STR_ARG(e->sso_permission_set));
	bool ok = n > 0 && (size_t)n < sizeof pat && prefix_ieq(m->id->canonical_arn, (gh_str){ pat, (size_t)n }) &&
		  gh_str_find(m->id->canonical_arn, '/', (size_t)n) == m->id->canonical_arn.n;
	trace(m, "%s[%zu] sso %s*: %s", sec, e->index, pat, ok ? "matched the canonical ARN" : "no match");
	return ok ? M_SSO : M_NONE;
}

static enum match match_entry(mctx *m, enum gh_awsauth_section s, const gh_awsauth_entry *e)
{
	const char *sec = gh_awsauth_section_name(s);
	if (e->shadowed) {
		trace(m, "%s[%zu] %.*s: skipped, a later entry has the same ARN", sec, e->index,
		      GH_STR_ARG(e->arn));
		return M_NONE;
	}
	if (e->has_sso)
		return match_sso(m, sec, e);
	const gh_identity *id = m->id;
	if (e->arn_has_path) {
		bool known = m->path_known;
		bool ok = known && gh_str_eq(e->arn_lower, m->path_lower);
		if (ok)
			trace(m, "%s[%zu] %.*s: matched the caller's role ARN with its path", sec, e->index,
			      GH_STR_ARG(e->arn));
		else if (known)
			trace(m, "%s[%zu] %.*s: no match (the caller's role is %.*s)", sec, e->index,
			      GH_STR_ARG(e->arn), GH_STR_ARG(id->path_arn));
		else
			trace(m, "%s[%zu] %.*s: no match; the entry has an IAM path and the caller's role "
				 "path is unknown (STS ARNs omit paths)", sec, e->index, GH_STR_ARG(e->arn));
		return ok ? M_PATH : M_NONE;
	}
	bool ok = id->canonical_arn.n && gh_str_eq(e->arn_lower, m->canonical_lower);
	trace(m, "%s[%zu] %.*s: %s %.*s", sec, e->index, GH_STR_ARG(e->arn),
	      ok ? "matched the canonical ARN" : "no match with the canonical ARN", GH_STR_ARG(id->canonical_arn));
	return ok ? M_CANONICAL : M_NONE;
}

static const gh_awsauth_entry *find_entry(mctx *m, enum gh_awsauth_section s)
{
	const gh_awsauth_entry *v = s == GH_AWSAUTH_MAP_ROLES ? m->cfg->roles : m->cfg->users;
	size_t n = s == GH_AWSAUTH_MAP_ROLES ? m->cfg->n_roles : m->cfg->n_users;
	const gh_awsauth_entry *best = NULL;
	enum match best_rank = M_NONE;
	for (size_t i = 0; i < n; i++) {
		enum match r = match_entry(m, s, &v[i]);
		if (r != M_NONE && r >= best_rank) {
			best = &v[i];
			best_rank = r;
		}
	}
	return best;
}

/* ---- templates ---------------------------------------------------------------------- */

enum var { V_ACCOUNT, V_SESSION, V_SESSION_RAW, V_AKID, V_EC2DNS, V_NVARS };
static const gh_str var_names[V_NVARS] = { GH_STR("{{AccountID}}"), GH_STR("{{SessionName}}"),
					   GH_STR("{{SessionNameRaw}}"), GH_STR("{{AccessKeyID}}"),
					   GH_STR("{{EC2PrivateDNSName}}") };

static bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool instance_id_ok(gh_str s)
{
	if (!(s.n == 10 || s.n == 19) || s.p[0] != 'i' || s.p[1] != '-')
		return false;
	for (size_t i = 2; i < s.n; i++)
		if (!is_word(s.p[i]))
			return false;
	return true;
}

static bool uses_var(gh_str t, enum var v)
{
	gh_str name = var_names[v];
	for (size_t i = 0; i + name.n <= t.n; i++)
		if (memcmp(t.p + i, name.p, name.n) == 0)
			return true;
	return false;
}

/* Resolves the variables a template needs; false with `why` filled when one cannot be had
 * (why stays empty when memory ran out, and *oom is set). */
static bool template_values(gh_str t, const gh_identity *id, gh_mapper_ec2_lookup lookup, void *lookup_ctx,
			    gh_arena *a, gh_str vals[V_NVARS], char *why, size_t why_len, bool *oom)
{
	bool session = id->kind == GH_PRINCIPAL_ASSUMED_ROLE && id->session_name.n;
	vals[V_ACCOUNT] = id->account_id;
	vals[V_AKID] = id->access_key_id;
	vals[V_SESSION_RAW] = id->session_name;
	vals[V_SESSION] = id->session_name;
	vals[V_EC2DNS] = GH_STR("");
	for (enum var v = V_SESSION; v <= V_EC2DNS; v++) {
		if (v != V_AKID && !session && uses_var(t, v)) {
			snprintf(why, why_len, "%.*s needs a role session, and %.*s is not an assumed role",
				 GH_STR_ARG(var_names[v]), GH_STR_ARG(id->arn));
			return false;
		}
	}
	if (uses_var(t, V_SESSION) && id->session_name.n && memchr(id->session_name.p, '@', id->session_name.n)) {
		char *p = gh_arena_strndup(a, id->session_name.p, id->session_name.n);
		if (!p)
			return *oom = true, false;
		for (char *q = p; *q; q++)
			if (*q == '@')
				*q = '-';
		vals[V_SESSION] = (gh_str){ p, id->session_name.n };
	}
	if (uses_var(t, V_EC2DNS)) {
		if (!instance_id_ok(id->session_name)) {
			snprintf(why, why_len, "SessionName did not contain an instance id");
			return false;
		}
		if (!lookup || !lookup(lookup_ctx, id->session_name, &vals[V_EC2DNS])) {
			snprintf(why, why_len, "no private DNS name is known for instance %.*s",
				 GH_STR_ARG(id->session_name));
			return false;
		}
	}
	return true;
}

bool gh_mapper_render(gh_str t, const gh_identity *id, gh_mapper_ec2_lookup lookup, void *lookup_ctx, gh_arena *a,
		      gh_str *out, char *why, size_t why_len, bool *oom)
{
	gh_str vals[V_NVARS];
	why[0] = '\0';
	if (!template_values(t, id, lookup, lookup_ctx, a, vals, why, why_len, oom))
		return false;
	/* One pass, so a substituted value is never read again as a template. */
	gh_buf b = { 0 };
	for (size_t i = 0; i < t.n;) {
		enum var v = V_NVARS;
		if (t.p[i] == '{')
			for (enum var k = 0; k < V_NVARS && v == V_NVARS; k++)
				if (gh_str_has_prefix(gh_str_sub(t, i, t.n - i), var_names[k]))
					v = k;
		if (v == V_NVARS) {
			gh_buf_putc(&b, t.p[i++]);
			continue;
		}
		gh_buf_put_str(&b, vals[v]);
		i += var_names[v].n;
	}
	*out = b.oom ? GH_STR("") : gh_arena_str(a, gh_buf_str(&b));
	if (b.oom || (b.n && out->n != b.n))
		*oom = true;
	gh_buf_free(&b);
	return !*oom;
}

static bool render(mctx *m, gh_str t, const char *what, gh_str *out)
{
	char why[512];
	if (gh_mapper_render(t, m->id, m->o->ec2_lookup, m->o->ec2_ctx, m->a, out, why, sizeof why, &m->oom))
		return true;
	if (why[0])
		m->r->message = arena_printf(m, "error rendering %s template \"%.*s\": %s", what, GH_STR_ARG(t), why);
	return false;
}

/* ---- reserved prefixes ------------------------------------------------------------- */

static bool node_template(gh_str t)
{
	return gh_str_eq_c(t, "system:node:{{EC2PrivateDNSName}}") || gh_str_eq_c(t, "system:node:{{SessionName}}");
}

static const gh_str *reserved_prefix(const gh_mapper_opts *o, gh_str tpl, gh_str username)
{
	if (o->allow_node_templates && node_template(tpl))
		return NULL;
	for (size_t i = 0; i < o->n_reserved_prefixes; i++) {
		const gh_str *p = &o->reserved_prefixes[i];
		if (p->n && gh_str_has_prefix(username, *p))
			return p;
	}
	return NULL;
}

/* ---- results ------------------------------------------------------------------------- */

static enum gh_map_status finish(mctx *m, enum gh_map_status st)
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

static enum gh_map_status map_entry(mctx *m, enum gh_awsauth_section s, const gh_awsauth_entry *e)
{
	gh_map_result *r = m->r;
	const char *sec = gh_awsauth_section_name(s);
	r->section = s;
	r->entry = (long)e->index;
	const char *stale = m->cfg->kept_previous[s] ? " from the last good " : "";
	const char *stale_sec = m->cfg->kept_previous[s] ? sec : "";
	if (e->has_sso)
		r->source = arena_printf(m, "aws-auth %s[%zu] (sso %.*s %.*s)%s%s", sec, e->index,
					 GH_STR_ARG(e->sso_account_id), GH_STR_ARG(e->sso_permission_set), stale,
					 stale_sec);
	else
		r->source = arena_printf(m, "aws-auth %s[%zu] (%.*s)%s%s", sec, e->index, GH_STR_ARG(e->arn), stale,
					 stale_sec);
	gh_str user;
	if (!render(m, e->username, "username", &user))
		return finish(m, GH_MAP_ERROR);
	gh_str *groups = e->n_groups ? gh_arena_alloc(m->a, e->n_groups * sizeof *groups) : NULL;
	if (e->n_groups && !groups)
		return m->oom = true, finish(m, GH_MAP_ERROR);
	for (size_t i = 0; i < e->n_groups; i++)
		if (!render(m, e->groups[i], "group", &groups[i]))
			return finish(m, GH_MAP_ERROR);
	const gh_str *p = reserved_prefix(m->o, e->username, user);
	if (p) {
		r->message = arena_printf(m, "invalid username \"%.*s\" from %.*s: username must not begin with the "
					     "reserved prefix \"%.*s\"", GH_STR_ARG(user), GH_STR_ARG(r->source),
					  GH_STR_ARG(*p));
		trace(m, "%.*s", GH_STR_ARG(r->message));
		return finish(m, GH_MAP_ERROR);
	}
	r->username = user;
	r->groups = groups;
	r->n_groups = e->n_groups;
	return finish(m, GH_MAP_MAPPED);
}

static bool account_listed(mctx *m)
{
	for (size_t i = 0; i < m->cfg->n_accounts; i++)
		if (m->id->account_id.n && gh_str_eq(m->cfg->accounts[i], m->id->account_id))
			return true;
	return false;
}

enum gh_map_status gh_mapper_map(const gh_awsauth *cfg, const gh_identity *id, const gh_mapper_opts *opts,
				 gh_arena *a, gh_map_result *out)
{
	gh_mapper_opts eks = gh_mapper_opts_eks();
	mctx m = { .cfg = cfg, .id = id, .o = opts ? opts : &eks, .a = a, .r = out };
	*out = (gh_map_result){ .status = GH_MAP_NOT_MAPPED, .entry = -1 };
	m.path_known = id->path_arn.n && role_has_path(id->path_arn);
	m.canonical_lower = lower(&m, id->canonical_arn);
	m.path_lower = m.path_known ? lower(&m, id->path_arn) : GH_STR("");
	if (cfg) {
		for (enum gh_awsauth_section s = GH_AWSAUTH_MAP_ROLES; s <= GH_AWSAUTH_MAP_USERS; s++) {
			const gh_awsauth_entry *e = find_entry(&m, s);
			if (e)
				return map_entry(&m, s, e);
		}
		if (account_listed(&m)) {
			trace(&m, "mapAccounts: account %.*s is listed", GH_STR_ARG(id->account_id));
			out->section = GH_AWSAUTH_MAP_ACCOUNTS;
			out->source = arena_printf(&m, "aws-auth mapAccounts (%.*s)%s", GH_STR_ARG(id->account_id),
						   cfg->kept_previous[GH_AWSAUTH_MAP_ACCOUNTS]
							   ? " from the last good mapAccounts"
							   : "");
			out->username = gh_arena_str(a, id->canonical_arn);
			return finish(&m, GH_MAP_MAPPED);
		}
		trace(&m, "mapAccounts: account %.*s is not listed", GH_STR_ARG(id->account_id));
	}
	out->message = arena_printf(&m, "identity is not mapped: %.*s", GH_STR_ARG(id->canonical_arn));
	return finish(&m, GH_MAP_NOT_MAPPED);
}
