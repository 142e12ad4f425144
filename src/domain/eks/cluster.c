#include "domain/eks/cluster.h"

#include <string.h>

#include "domain/eks/eks_errors.h"

/* ---- authentication modes ----------------------------------------------------------- */

static const char *const mode_names[] = {
	[GH_EKS_AUTH_CONFIG_MAP] = "CONFIG_MAP",
	[GH_EKS_AUTH_API_AND_CONFIG_MAP] = "API_AND_CONFIG_MAP",
	[GH_EKS_AUTH_API] = "API",
};

const char *gh_eks_auth_mode_name(gh_eks_auth_mode m)
{
	return (unsigned)m < sizeof mode_names / sizeof *mode_names ? mode_names[m] : "?";
}

bool gh_eks_auth_mode_parse(gh_str s, gh_eks_auth_mode *out, gh_err *err)
{
	for (size_t i = 0; i < sizeof mode_names / sizeof *mode_names; i++) {
		if (gh_str_eq_c(s, mode_names[i])) {
			*out = (gh_eks_auth_mode)i;
			return true;
		}
	}
	return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
		       "Invalid authentication mode " GH_STR_FMT ". Valid values are: API, API_AND_CONFIG_MAP, "
		       "CONFIG_MAP",
		       GH_STR_ARG(s));
}

bool gh_eks_auth_mode_has_access_entries(gh_eks_auth_mode m)
{
	return m == GH_EKS_AUTH_API || m == GH_EKS_AUTH_API_AND_CONFIG_MAP;
}

bool gh_eks_auth_mode_has_config_map(gh_eks_auth_mode m)
{
	return m == GH_EKS_AUTH_CONFIG_MAP || m == GH_EKS_AUTH_API_AND_CONFIG_MAP;
}

bool gh_eks_auth_mode_update(gh_eks_auth_mode from, gh_str to, gh_eks_auth_mode *out, gh_err *err)
{
	gh_eks_auth_mode m;
	if (!gh_eks_auth_mode_parse(to, &m, err))
		return false;
	/* One step along CONFIG_MAP -> API_AND_CONFIG_MAP -> API, nothing else. */
	bool ok = (from == GH_EKS_AUTH_CONFIG_MAP && m == GH_EKS_AUTH_API_AND_CONFIG_MAP) ||
		  (from == GH_EKS_AUTH_API_AND_CONFIG_MAP && m == GH_EKS_AUTH_API);
	if (!ok)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "Unsupported authentication mode update from %s to %s", gh_eks_auth_mode_name(from),
			       gh_eks_auth_mode_name(m));
	*out = m;
	return true;
}

bool gh_eks_require_access_entries(gh_eks_auth_mode m, gh_err *err)
{
	if (gh_eks_auth_mode_has_access_entries(m))
		return true;
	return gh_fail(err, GH_EKS_INVALID_REQUEST, GH_EKS_STATUS_INVALID_REQUEST,
		       "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to "
		       "perform this operation.");
}

gh_eks_mode_change gh_eks_mode_change_effects(gh_eks_auth_mode from, gh_eks_auth_mode to, bool bootstrap_creator_admin)
{
	return (gh_eks_mode_change){
		.create_creator_entry = from == GH_EKS_AUTH_CONFIG_MAP && gh_eks_auth_mode_has_access_entries(to) &&
					bootstrap_creator_admin,
		.config_map_ignored = gh_eks_auth_mode_has_config_map(from) && !gh_eks_auth_mode_has_config_map(to),
	};
}

/* ---- CreateCluster ------------------------------------------------------------------- */

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool gh_eks_validate_cluster_name(gh_str name, const char *member, gh_err *err)
{
	const char *m = member ? member : "name";
	bool ok = name.n > 0 && is_alnum(name.p[0]);
	for (size_t i = 1; ok && i < name.n; i++)
		ok = is_alnum(name.p[i]) || name.p[i] == '-' || name.p[i] == '_';
	if (!ok)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "The %s parameter contains invalid characters. It should conform to the regular "
			       "expression \"^[0-9A-Za-z][A-Za-z0-9-_]*\"In other words, it should start with a "
			       "number or letter, and can contain numbers, letters, dashes, and underscores.",
			       m);
	if (name.n > GH_EKS_CLUSTER_NAME_MAX)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "The %s parameter must be 100 characters or fewer.", m);
	return true;
}

const gh_str gh_eks_supported_versions[] = {
	GH_STR("1.28"), GH_STR("1.29"), GH_STR("1.30"), GH_STR("1.31"),
	GH_STR("1.32"), GH_STR("1.33"), GH_STR("1.34"), GH_STR("1.35"),
};
const size_t gh_eks_supported_versions_count = sizeof gh_eks_supported_versions / sizeof(gh_str);
const gh_str gh_eks_default_version = GH_STR("1.33");

/* MAJOR.MINOR, each a decimal number without a sign or leading zero, at most 4 digits. */
static bool parse_version(gh_str v, int *major, int *minor)
{
	gh_str a, b;
	if (!gh_str_cut(v, '.', &a, &b))
		return false;
	gh_str parts[2] = { a, b };
	int vals[2];
	for (int k = 0; k < 2; k++) {
		gh_str s = parts[k];
		if (s.n == 0 || s.n > 4 || (s.n > 1 && s.p[0] == '0'))
			return false;
		vals[k] = 0;
		for (size_t i = 0; i < s.n; i++) {
			if (s.p[i] < '0' || s.p[i] > '9')
				return false;
			vals[k] = vals[k] * 10 + (s.p[i] - '0');
		}
	}
	*major = vals[0];
	*minor = vals[1];
	return true;
}

static bool version_listed(gh_str v, const gh_str *supported, size_t n)
{
	if (!supported) {
		supported = gh_eks_supported_versions;
		n = gh_eks_supported_versions_count;
	}
	for (size_t i = 0; i < n; i++)
		if (gh_str_eq(v, supported[i]))
			return true;
	return false;
}

bool gh_eks_validate_version(gh_str version, const gh_str *supported, size_t n_supported, gh_err *err)
{
	int major, minor;
	if (!parse_version(version, &major, &minor) || !version_listed(version, supported, n_supported))
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "unsupported Kubernetes version " GH_STR_FMT, GH_STR_ARG(version));
	return true;
}

bool gh_eks_validate_version_update(gh_str from, gh_str to, const gh_str *supported, size_t n_supported,
				    gh_err *err)
{
	int fmaj, fmin, tmaj, tmin;
	if (!parse_version(to, &tmaj, &tmin))
		return gh_eks_validate_version(to, supported, n_supported, err);
	if (!parse_version(from, &fmaj, &fmin) || tmaj != fmaj || tmin != fmin + 1)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "Unsupported Kubernetes minor version update from " GH_STR_FMT " to " GH_STR_FMT,
			       GH_STR_ARG(from), GH_STR_ARG(to));
	return gh_eks_validate_version(to, supported, n_supported, err);
}

bool gh_eks_cluster_validate_create(const gh_eks_create_cluster_input *in, gh_eks_cluster_settings *out,
				    gh_err *err)
{
	*out = (gh_eks_cluster_settings){ .name = in->name };
	if (!gh_eks_validate_cluster_name(in->name, "name", err))
		return false;
	if (in->version) {
		if (!gh_eks_validate_version(*in->version, in->supported_versions, in->n_supported_versions, err))
			return false;
		out->version = *in->version;
	} else {
		out->version = in->default_version ? *in->default_version : gh_eks_default_version;
	}
	out->mode = GH_EKS_AUTH_CONFIG_MAP;
	if (in->authentication_mode && !gh_eks_auth_mode_parse(*in->authentication_mode, &out->mode, err))
		return false;
	out->bootstrap_creator_admin = in->bootstrap_creator_admin ? *in->bootstrap_creator_admin : true;
	if (!out->bootstrap_creator_admin && out->mode == GH_EKS_AUTH_CONFIG_MAP)
		return gh_fail(err, GH_EKS_INVALID_PARAMETER, GH_EKS_STATUS_INVALID_PARAMETER,
			       "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode "
			       "is set to CONFIG_MAP");
	out->creator_entry_now = out->bootstrap_creator_admin && gh_eks_auth_mode_has_access_entries(out->mode);
	return true;
}

/* ---- ARNs and the OIDC issuer --------------------------------------------------------- */

bool gh_eks_cluster_arn(gh_buf *out, gh_str partition, gh_str region, gh_str account, gh_str name)
{
	gh_buf_reset(out);
	return gh_buf_printf(out, "arn:" GH_STR_FMT ":eks:" GH_STR_FMT ":" GH_STR_FMT ":cluster/" GH_STR_FMT,
			     GH_STR_ARG(partition), GH_STR_ARG(region), GH_STR_ARG(account), GH_STR_ARG(name)) &&
	       !out->oom;
}

void gh_eks_uuid_format(const uint8_t id[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	out[o] = '\0';
}

bool gh_eks_oidc_issuer_base(gh_buf *out, gh_str partition, gh_str region)
{
	const char *domain = gh_str_eq_c(partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
	gh_buf_reset(out);
	return gh_buf_printf(out, "https://oidc.eks." GH_STR_FMT ".%s", GH_STR_ARG(region), domain) && !out->oom;
}

bool gh_eks_oidc_issuer(gh_buf *out, gh_str base, const uint8_t id[16])
{
	static const char hex[] = "0123456789ABCDEF";
	char h[33];
	for (size_t i = 0; i < 16; i++) {
		h[2 * i] = hex[id[i] >> 4];
		h[2 * i + 1] = hex[id[i] & 15];
	}
	h[32] = '\0';
	while (base.n && base.p[base.n - 1] == '/')
		base.n--;
	gh_buf_reset(out);
	return gh_buf_printf(out, GH_STR_FMT "/id/%s", GH_STR_ARG(base), h) && !out->oom;
}
