/* pss_policy: which level-version a namespace enforces, audits and warns at, from its
 * `pod-security.kubernetes.io/` labels over the configured defaults; and the
 * PodSecurityConfiguration (defaults and exemptions) itself.
 *
 * Labels (upstream api.PolicyToEvaluate): enforce, enforce-version, audit, audit-version,
 * warn, warn-version, each overriding the default. An invalid level reads as restricted
 * for enforce and privileged for audit and warn (fail closed, fail open); an invalid
 * version reads as latest. Each invalid label is a field error
 * `metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "x": must be one of
 * privileged, baseline, restricted`. When a valid enforce label is stricter than warn and no
 * warn label is set, warn takes enforce's level (and its version, unless warn-version is
 * set), so a user sees what enforce would refuse where enforce does not apply (pod
 * controllers).
 *
 * Configuration: a PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1 or
 * v1beta1), alone or inside an AdmissionConfiguration (apiserver.config.k8s.io/v1) as the
 * `configuration` of the plugin named PodSecurity. YAML or JSON, at most
 * PSS_CONFIG_MAX_BYTES. Defaults are privileged:latest. Exemptions match exactly. */
#ifndef GH_K8S_PSS_POLICY_H
#define GH_K8S_PSS_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"
#include "domain/k8s/pss.h"

#define PSS_LABEL_PREFIX "pod-security.kubernetes.io/"
#define PSS_CONFIG_MAX_BYTES ((size_t)1 << 20)
#define PSS_CONFIG_MAX_EXEMPTIONS 10000

typedef struct pss_policy {
	pss_lv enforce, audit, warn;
} pss_policy;

/* One invalid label: label is the full key, value a view into the labels (or ""). */
typedef struct pss_label_error {
	const char *label;
	gh_str value;
	const char *detail; /* `must be one of ...` or `must be "latest" or "v1.x"` */
} pss_label_error;

typedef struct pss_label_errors {
	pss_label_error v[6];
	size_t n;
} pss_label_errors;

void pss_policy_from_labels(const json_t *labels, const pss_policy *defaults, pss_policy *out, pss_label_errors *errs);
/* "metadata.labels[<label>]" into b. */
void pss_label_error_field(gh_buf *b, const pss_label_error *e);
/* `Invalid value: "x": <detail>`: the field error's body. */
void pss_label_error_body(gh_buf *b, const pss_label_error *e);
/* The errors as apimachinery aggregates them: one as is, several as "[e1, e2]". */
void pss_label_errors_format(gh_buf *b, const pss_label_errors *errs);
bool pss_label_errors_eq(const pss_label_errors *a, const pss_label_errors *b);

typedef struct pss_config pss_config;

/* privileged:latest everywhere, no exemptions. NULL only on OOM. */
pss_config *pss_config_default(void);
/* Parses a configuration file's text. When an AdmissionConfiguration names the plugin's
 * configuration by `path` instead of inline, *path_out (if non-NULL) gets it (malloc'd, the
 * caller frees it and parses that file) and *out is NULL. */
bool pss_config_parse(gh_str text, pss_config **out, char **path_out, gh_err *err) GH_MUST_CHECK;
void pss_config_free(pss_config *c);

const pss_policy *pss_config_defaults(const pss_config *c);
bool pss_config_exempt_user(const pss_config *c, gh_str username);
bool pss_config_exempt_namespace(const pss_config *c, gh_str ns);
bool pss_config_exempt_runtime_class(const pss_config *c, gh_str rc);
/* Counts, for `pss check` and logs. */
void pss_config_counts(const pss_config *c, size_t *users, size_t *namespaces, size_t *runtime_classes);

#endif
