/* Namespace labels to a policy, and the PodSecurityConfiguration parser. */
#include "domain/k8s/pss_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/yaml.h"
#include "domain/k8s/rbac_util.h"

#define LEVEL_DETAIL "must be one of privileged, baseline, restricted"
#define VERSION_DETAIL "must be \"latest\" or \"v1.x\""

/* The label's value: *present false when absent. A non-string value (labels are strings in
 * the API) reads as an invalid "". */
static gh_str label(const json_t *labels, const char *key, bool *present)
{
	const json_t *v = json_object_get(labels, key);
	*present = v != NULL;
	return json_is_string(v) ? (gh_str){ json_string_value(v), json_string_length(v) } : (gh_str){ "", 0 };
}

static void add_error(pss_label_errors *errs, const char *key, gh_str value, const char *detail)
{
	if (errs->n < sizeof errs->v / sizeof *errs->v)
		errs->v[errs->n++] = (pss_label_error){ key, value, detail };
}

/* Returns whether the label is present and valid. */
static bool parse_level(const json_t *labels, const char *key, pss_level *out, pss_level on_error,
			pss_label_errors *errs, bool *present)
{
	gh_str v = label(labels, key, present);
	if (*present && !pss_level_parse(v, out)) {
		*out = on_error;
		add_error(errs, key, v, LEVEL_DETAIL);
		return false;
	}
	return *present;
}

static void parse_version(const json_t *labels, const char *key, int64_t *out, pss_label_errors *errs, bool *present)
{
	gh_str v = label(labels, key, present);
	if (*present && !pss_version_parse(v, out)) {
		*out = PSS_LATEST;
		add_error(errs, key, v, VERSION_DETAIL);
	}
}

void pss_policy_from_labels(const json_t *labels, const pss_policy *defaults, pss_policy *out, pss_label_errors *errs)
{
	*out = *defaults;
	errs->n = 0;
	bool present, warn_set, warn_version_set;
	bool enforce_set = parse_level(labels, PSS_LABEL_PREFIX "enforce", &out->enforce.level, PSS_RESTRICTED, errs,
				       &present);
	parse_version(labels, PSS_LABEL_PREFIX "enforce-version", &out->enforce.minor, errs, &present);
	parse_level(labels, PSS_LABEL_PREFIX "audit", &out->audit.level, PSS_PRIVILEGED, errs, &present);
	parse_version(labels, PSS_LABEL_PREFIX "audit-version", &out->audit.minor, errs, &present);
	parse_level(labels, PSS_LABEL_PREFIX "warn", &out->warn.level, PSS_PRIVILEGED, errs, &warn_set);
	parse_version(labels, PSS_LABEL_PREFIX "warn-version", &out->warn.minor, errs, &warn_version_set);
	/* Upstream (kubernetes#113491): a valid enforce label stricter than warn, with no warn
	 * label, sets warn too; an invalid one (read as restricted) does not. */
	if (enforce_set && !warn_set && pss_level_compare(out->enforce.level, out->warn.level) > 0) {
		out->warn.level = out->enforce.level;
		if (!warn_version_set)
			out->warn.minor = out->enforce.minor;
	}
}

void pss_label_error_field(gh_buf *b, const pss_label_error *e)
{
	gh_buf_printf(b, "metadata.labels[%s]", e->label);
}

void pss_label_error_body(gh_buf *b, const pss_label_error *e)
{
	gh_buf_puts(b, "Invalid value: ");
	rbac_go_quote(b, e->value);
	gh_buf_puts(b, ": ");
	gh_buf_puts(b, e->detail);
}

void pss_label_errors_format(gh_buf *b, const pss_label_errors *errs)
{
	if (errs->n > 1)
		gh_buf_putc(b, '[');
	for (size_t i = 0; i < errs->n; i++) {
		if (i)
			gh_buf_puts(b, ", ");
		pss_label_error_field(b, &errs->v[i]);
		gh_buf_puts(b, ": ");
		pss_label_error_body(b, &errs->v[i]);
	}
	if (errs->n > 1)
		gh_buf_putc(b, ']');
}

bool pss_label_errors_eq(const pss_label_errors *a, const pss_label_errors *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].label, b->v[i].label) != 0 || !gh_str_eq(a->v[i].value, b->v[i].value) ||
		    strcmp(a->v[i].detail, b->v[i].detail) != 0)
			return false;
	return true;
}

/* ---- configuration ------------------------------------------------------------------- */

typedef struct strlist {
	char **v;
	size_t n;
} strlist;

struct pss_config {
	pss_policy defaults;
	strlist users, namespaces, runtime_classes;
};

static const pss_policy privileged_latest = {
	{ PSS_PRIVILEGED, PSS_LATEST }, { PSS_PRIVILEGED, PSS_LATEST }, { PSS_PRIVILEGED, PSS_LATEST }
};

pss_config *pss_config_default(void)
{
	pss_config *c = calloc(1, sizeof *c);
	if (c)
		c->defaults = privileged_latest;
	return c;
}

static void strlist_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void pss_config_free(pss_config *c)
{
	if (!c)
		return;
	strlist_free(&c->users);
	strlist_free(&c->namespaces);
	strlist_free(&c->runtime_classes);
	free(c);
}

const pss_policy *pss_config_defaults(const pss_config *c)
{
	return &c->defaults;
}

static bool in_list(const strlist *l, gh_str s)
{
	for (size_t i = 0; i < l->n; i++)
		if (gh_str_eq_c(s, l->v[i]))
			return true;
	return false;
}

bool pss_config_exempt_user(const pss_config *c, gh_str u)
{
	return u.n && in_list(&c->users, u);
}

bool pss_config_exempt_namespace(const pss_config *c, gh_str ns)
{
	return ns.n && in_list(&c->namespaces, ns);
}

bool pss_config_exempt_runtime_class(const pss_config *c, gh_str rc)
{
	return rc.n && in_list(&c->runtime_classes, rc);
}

void pss_config_counts(const pss_config *c, size_t *users, size_t *namespaces, size_t *runtime_classes)
{
	*users = c->users.n;
	*namespaces = c->namespaces.n;
	*runtime_classes = c->runtime_classes.n;
}

static bool cfg_fail(gh_err *err, const char *field, const char *fmt_detail, gh_str value)
{
	gh_buf b = { 0 };
	rbac_go_quote(&b, value);
	gh_fail(err, "InvalidConfiguration", 400, "%s: Invalid value: %s: %s", field, b.p ? b.p : "\"\"", fmt_detail);
	gh_buf_free(&b);
	return false;
}

static bool default_field(const json_t *defaults, const char *key, bool is_level, pss_lv *lv, gh_err *err)
{
	const json_t *v = json_object_get(defaults, key);
	if (!v || json_is_null(v))
		return true;
	char field[48];
	snprintf(field, sizeof field, "defaults.%s", key);
	if (!json_is_string(v))
		return gh_fail(err, "InvalidConfiguration", 400, "%s: must be a string", field);
	gh_str s = { json_string_value(v), json_string_length(v) };
	if (is_level && !pss_level_parse(s, &lv->level))
		return cfg_fail(err, field, LEVEL_DETAIL, s);
	if (!is_level && !pss_version_parse(s, &lv->minor))
		return cfg_fail(err, field, VERSION_DETAIL, s);
	return true;
}

static bool exemption_list(const json_t *ex, const char *key, strlist *out, gh_err *err)
{
	const json_t *arr = json_object_get(ex, key);
	if (!arr || json_is_null(arr))
		return true;
	if (!json_is_array(arr))
		return gh_fail(err, "InvalidConfiguration", 400, "exemptions.%s: must be a list of strings", key);
	size_t n = json_array_size(arr);
	if (n > PSS_CONFIG_MAX_EXEMPTIONS)
		return gh_fail(err, "InvalidConfiguration", 400, "exemptions.%s: more than %d entries", key,
			       PSS_CONFIG_MAX_EXEMPTIONS);
	out->v = calloc(n ? n : 1, sizeof *out->v);
	if (!out->v)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(arr, i);
		if (!json_is_string(s) || !json_string_length(s))
			return gh_fail(err, "InvalidConfiguration", 400, "exemptions.%s[%zu]: must be a non-empty string",
				       key, i);
		out->v[out->n] = strdup(json_string_value(s));
		if (!out->v[out->n++])
			return gh_fail(err, "ServiceFailure", 500, "out of memory");
	}
	return true;
}

static bool parse_pod_security(const json_t *doc, pss_config **out, gh_err *err)
{
	const char *api = json_string_value(json_object_get(doc, "apiVersion"));
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	if (!api || (strcmp(api, "pod-security.admission.config.k8s.io/v1") != 0 &&
		     strcmp(api, "pod-security.admission.config.k8s.io/v1beta1") != 0))
		return gh_fail(err, "InvalidConfiguration", 400,
			       "apiVersion: must be pod-security.admission.config.k8s.io/v1 or v1beta1, got \"%s\"",
			       api ? api : "");
	if (!kind || strcmp(kind, "PodSecurityConfiguration") != 0)
		return gh_fail(err, "InvalidConfiguration", 400, "kind: must be PodSecurityConfiguration, got \"%s\"",
			       kind ? kind : "");
	pss_config *c = pss_config_default();
	if (!c)
		return gh_fail(err, "ServiceFailure", 500, "out of memory");
	const json_t *def = json_object_get(doc, "defaults"), *ex = json_object_get(doc, "exemptions");
	bool ok = true;
	if (def && !json_is_null(def) && !json_is_object(def))
		ok = gh_fail(err, "InvalidConfiguration", 400, "defaults: must be an object");
	if (ok && ex && !json_is_null(ex) && !json_is_object(ex))
		ok = gh_fail(err, "InvalidConfiguration", 400, "exemptions: must be an object");
	ok = ok && default_field(def, "enforce", true, &c->defaults.enforce, err) &&
	     default_field(def, "enforce-version", false, &c->defaults.enforce, err) &&
	     default_field(def, "audit", true, &c->defaults.audit, err) &&
	     default_field(def, "audit-version", false, &c->defaults.audit, err) &&
	     default_field(def, "warn", true, &c->defaults.warn, err) &&
	     default_field(def, "warn-version", false, &c->defaults.warn, err) &&
	     exemption_list(ex, "usernames", &c->users, err) && exemption_list(ex, "namespaces", &c->namespaces, err) &&
	     exemption_list(ex, "runtimeClasses", &c->runtime_classes, err);
	if (!ok) {
		pss_config_free(c);
		return false;
	}
	*out = c;
	return true;
}

/* AdmissionConfiguration: the PodSecurity plugin's configuration, inline or by path. */
static bool parse_admission(const json_t *doc, pss_config **out, char **path_out, gh_err *err)
{
	const json_t *plugins = json_object_get(doc, "plugins");
	if (!json_is_array(plugins))
		return gh_fail(err, "InvalidConfiguration", 400, "plugins: must be a list");
	for (size_t i = 0; i < json_array_size(plugins); i++) {
		const json_t *p = json_array_get(plugins, i);
		const char *name = json_string_value(json_object_get(p, "name"));
		if (!name || strcmp(name, "PodSecurity") != 0)
			continue;
		const json_t *conf = json_object_get(p, "configuration");
		const char *path = json_string_value(json_object_get(p, "path"));
		if (json_is_object(conf)) {
			if (!parse_pod_security(conf, out, err))
				return gh_fail_wrap(err, "plugins[%zu].configuration", i);
			return true;
		}
		if (path && path_out) {
			*path_out = strdup(path);
			return *path_out ? true : gh_fail(err, "ServiceFailure", 500, "out of memory");
		}
		return gh_fail(err, "InvalidConfiguration", 400,
			       "plugins[%zu]: PodSecurity has neither a configuration nor a path", i);
	}
	return gh_fail(err, "InvalidConfiguration", 400, "plugins: no plugin named PodSecurity");
}

bool pss_config_parse(gh_str text, pss_config **out, char **path_out, gh_err *err)
{
	*out = NULL;
	if (path_out)
		*path_out = NULL;
	gh_yaml_opts yo = { .mode = GH_YAML_STRINGS, .strings_null = true, .max_bytes = PSS_CONFIG_MAX_BYTES,
			    .max_nodes = 4 * PSS_CONFIG_MAX_EXEMPTIONS };
	json_t *doc = NULL;
	if (!gh_yaml_load(text, &yo, &doc, err))
		return false;
	bool ok;
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	if (!json_is_object(doc))
		ok = gh_fail(err, "InvalidConfiguration", 400, "the configuration is not a YAML or JSON object");
	else if (kind && strcmp(kind, "AdmissionConfiguration") == 0)
		ok = parse_admission(doc, out, path_out, err);
	else
		ok = parse_pod_security(doc, out, err);
	json_decref(doc);
	return ok;
}
