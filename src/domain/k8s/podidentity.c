#include "domain/k8s/podidentity.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PODID_ERR "BadRequest"

void podid_config_defaults(podid_config *c)
{
	*c = (podid_config){ .annotation_prefix = "eks.amazonaws.com",
			     .audience = "sts.amazonaws.com",
			     .region = NULL,
			     .regional_sts = false,
			     .expiration = PODID_DEFAULT_EXPIRATION,
			     .credentials_uri = PODID_PI_URI };
}

void podid_result_clear(podid_result *r)
{
	json_decref(r->pod);
	json_decref(r->patch);
	json_decref(r->warnings);
	*r = (podid_result){ 0 };
}

/* ---- Go's parsers --------------------------------------------------------------------- */

bool podid_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < 6; i++) {
		if (strcmp(s, yes[i]) == 0)
			return *out = true, true;
		if (strcmp(s, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

bool podid_parse_int(const char *s, int64_t *out)
{
	/* Base 10 allows a sign and digits only (no spaces, no underscores, no 0x). */
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno == ERANGE)
		return false;
	*out = v;
	return true;
}

bool podid_role_arn_valid(const char *arn)
{
	static const char head[] = "arn:aws";
	if (strncmp(arn, head, sizeof head - 1) != 0)
		return false;
	const char *p = arn + sizeof head - 1;
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
		p++;
	if (strncmp(p, ":iam::", 6) != 0)
		return false;
	p += 6;
	for (int i = 0; i < 12; i++, p++)
		if (*p < '0' || *p > '9')
			return false;
	if (strncmp(p, ":role/", 6) != 0)
		return false;
	p += 6;
	if (!*p)
		return false;
	for (; *p; p++) {
		char c = *p;
		bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		if (!word && !strchr("-/.@+=,", c))
			return false;
	}
	return true;
}

/* ---- Go's encoding/csv, one record ------------------------------------------------------ */

typedef struct csv_in {
	const char *p;
	size_t n, off;
} csv_in;

/* The next line, '\n' included; "\r\n" reads as "\n" and a final '\r' is dropped, as
 * csv.Reader.readLine does. Empty at the end. */
static size_t csv_line(csv_in *in, char *buf)
{
	size_t k = 0;
	while (in->off < in->n) {
		char c = in->p[in->off++];
		buf[k++] = c;
		if (c == '\n')
			break;
	}
	if (k >= 2 && buf[k - 1] == '\n' && buf[k - 2] == '\r') {
		buf[k - 2] = '\n';
		k--;
	} else if (k >= 1 && buf[k - 1] == '\r' && in->off == in->n) {
		k--;
	}
	return k;
}

static size_t nl_len(const char *l, size_t n)
{
	return n > 0 && l[n - 1] == '\n' ? 1 : 0;
}

json_t *podid_csv_record(const char *s, size_t n)
{
	csv_in in = { s, n, 0 };
	char *line = malloc(n + 1), *field = malloc(n + 1);
	json_t *rec = json_array();
	size_t ln;
	/* Blank lines before the record are skipped; nothing at all is io.EOF: an error. */
	do {
		ln = csv_line(&in, line);
	} while (ln > 0 && ln == nl_len(line, ln));
	bool ok = ln > 0;
	size_t pos = 0;
	while (ok) {
		size_t fl = 0;
		if (pos >= ln || line[pos] != '"') {
			/* unquoted: up to the comma or the line's end; a quote inside is a bare quote */
			size_t end = pos;
			while (end < ln && line[end] != ',')
				end++;
			bool comma = end < ln;
			size_t stop = comma ? end : ln - nl_len(line, ln);
			if (stop < pos)
				stop = pos;
			if (memchr(line + pos, '"', stop - pos)) {
				ok = false;
				break;
			}
			json_array_append_new(rec, json_stringn(line + pos, stop - pos));
			if (!comma)
				break;
			pos = end + 1;
			continue;
		}
		pos++; /* the opening quote */
		bool done = false, next_field = false;
		while (ok && !done) {
			const char *q = pos < ln ? memchr(line + pos, '"', ln - pos) : NULL;
			if (q) {
				size_t i = (size_t)(q - line);
				memcpy(field + fl, line + pos, i - pos);
				fl += i - pos;
				pos = i + 1;
				if (pos < ln && line[pos] == '"') {
					field[fl++] = '"';
					pos++;
				} else if (pos < ln && line[pos] == ',') {
					pos++;
					done = next_field = true;
				} else if (ln - pos == nl_len(line + pos, ln - pos)) {
					done = true;
				} else {
					ok = false; /* extraneous or missing " in quoted-field */
				}
			} else if (pos < ln) {
				/* the field goes on on the next line, newline included */
				memcpy(field + fl, line + pos, ln - pos);
				fl += ln - pos;
				ln = csv_line(&in, line);
				pos = 0;
			} else {
				ok = false; /* the input ended inside quotes */
			}
		}
		if (!ok)
			break;
		json_array_append_new(rec, json_stringn(field, fl));
		if (!next_field)
			break;
	}
	free(line);
	free(field);
	if (!ok) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* ---- the mutation ------------------------------------------------------------------------ */

typedef struct mut {
	const podid_config *cfg;
	const podid_request *in;
	json_t *warnings;
	/* the patch config */
	const char *role_arn;
	const char *audience;
	bool regional_sts;
	int64_t expiration;
	const char *volume, *mount, *token_path;
	char token_file[512];
	json_t *skip; /* array of container names, or NULL */
} mut;

static void warn(mut *m, const char *fmt, ...) GH_PRINTF(2, 3);
static void warn(mut *m, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_array_append_new(m->warnings, json_string(buf));
}

/* An annotation's string value, or NULL when absent (or not a string). */
static const char *annotation(const json_t *annotations, const char *prefix, const char *name)
{
	char key[256];
	snprintf(key, sizeof key, "%s/%s", prefix, name);
	return json_string_value(json_object_get(annotations, key));
}

static int64_t floor_expiration(mut *m, const char *where, int64_t v)
{
	if (v >= PODID_MIN_EXPIRATION)
		return v;
	warn(m, "%s/token-expiration on the %s is %lld seconds; raised to the minimum of %d",
	     m->cfg->annotation_prefix, where, (long long)v, PODID_MIN_EXPIRATION);
	return PODID_MIN_EXPIRATION;
}

/* The ServiceAccount's and then the pod's annotations, as the webhook reads them. */
static void read_annotations(mut *m, const json_t *pod_annotations)
{
	const podid_config *c = m->cfg;
	const json_t *sa = m->in->sa_annotations;
	const char *pfx = c->annotation_prefix;
	const char *v = annotation(sa, pfx, "audience");
	m->audience = m->in->mode == PODID_MODE_POD_IDENTITY ? PODID_PI_AUDIENCE : v ? v : c->audience;
	m->regional_sts = c->regional_sts;
	if ((v = annotation(sa, pfx, "sts-regional-endpoints")) && !podid_parse_bool(v, &m->regional_sts))
		warn(m, "%s/sts-regional-endpoints on the ServiceAccount is \"%s\", not a boolean; the default (%s) "
			"applies", pfx, v, c->regional_sts ? "true" : "false");
	m->expiration = c->expiration;
	int64_t n;
	if ((v = annotation(sa, pfx, "token-expiration"))) {
		if (podid_parse_int(v, &n))
			m->expiration = floor_expiration(m, "ServiceAccount", n);
		else
			warn(m, "%s/token-expiration on the ServiceAccount is \"%s\", not an integer; the default (%lld) "
				"applies", pfx, v, (long long)c->expiration);
	}
	if ((v = annotation(pod_annotations, pfx, "token-expiration"))) {
		if (podid_parse_int(v, &n))
			m->expiration = floor_expiration(m, "pod", n);
		else
			warn(m, "%s/token-expiration on the pod is \"%s\", not an integer; ignored", pfx, v);
	}
	/* Pod Identity spreads the kubelet's refreshes of day-long tokens over two hours. */
	if (m->in->mode == PODID_MODE_POD_IDENTITY && m->expiration == PODID_DEFAULT_EXPIRATION)
		m->expiration = PODID_JITTER_FLOOR + (int64_t)(m->in->jitter % (PODID_DEFAULT_EXPIRATION -
										 PODID_JITTER_FLOOR + 1));
	if ((v = annotation(pod_annotations, pfx, "skip-containers"))) {
		m->skip = podid_csv_record(v, strlen(v));
		if (!m->skip)
			warn(m, "%s/skip-containers on the pod (\"%s\") is not one CSV record; no container is skipped",
			     pfx, v);
	}
}

static bool skipped(const mut *m, const char *name)
{
	for (size_t i = 0; i < json_array_size(m->skip); i++)
		if (strcmp(json_string_value(json_array_get(m->skip, i)), name) == 0)
			return true;
	return false;
}

static bool is_windows(const json_t *spec)
{
	const json_t *sel = json_object_get(spec, "nodeSelector");
	const char *os = json_string_value(json_object_get(sel, "kubernetes.io/os"));
	const char *beta = json_string_value(json_object_get(sel, "beta.kubernetes.io/os"));
	return (os && strcmp(os, "windows") == 0) || (beta && strcmp(beta, "windows") == 0);
}

static void set_token_file(mut *m, bool windows)
{
	snprintf(m->token_file, sizeof m->token_file, "%s%s/%s", windows ? "C:" : "", m->mount, m->token_path);
	if (windows)
		for (char *p = m->token_file; *p; p++)
			if (*p == '/')
				*p = '\\';
}

static void add_env(json_t *env, const char *name, const char *value)
{
	json_array_append_new(env, json_pack("{s:s, s:s}", "name", name, "value", value));
}

/* addEnvToContainer: the env variables the container lacks, then the mount. */
static bool mutate_container(mut *m, json_t *c, const char *field)
{
	bool pi = m->in->mode == PODID_MODE_POD_IDENTITY;
	const char *id_a = pi ? "AWS_CONTAINER_CREDENTIALS_FULL_URI" : "AWS_ROLE_ARN";
	const char *id_b = pi ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" : "AWS_WEB_IDENTITY_TOKEN_FILE";
	json_t *env = json_object_get(c, "env");
	if (env && !json_is_array(env) && !json_is_null(env))
		return false;
	bool id = false, reg = false, sts = false;
	for (size_t i = 0; i < json_array_size(env); i++) {
		const char *n = json_string_value(json_object_get(json_array_get(env, i), "name"));
		if (!n)
			continue;
		id |= strcmp(n, id_a) == 0 || strcmp(n, id_b) == 0;
		reg |= strcmp(n, "AWS_REGION") == 0 || strcmp(n, "AWS_DEFAULT_REGION") == 0;
		sts |= strcmp(n, "AWS_STS_REGIONAL_ENDPOINTS") == 0;
	}
	if (id && reg && sts)
		return true; /* untouched, mount included, as upstream */
	json_t *mounts = json_object_get(c, "volumeMounts");
	if (mounts && !json_is_array(mounts) && !json_is_null(mounts))
		return false;
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(c, "env", env);
	}
	if (!sts && m->regional_sts)
		add_env(env, "AWS_STS_REGIONAL_ENDPOINTS", "regional");
	if (!reg && m->cfg->region && m->cfg->region[0]) {
		add_env(env, "AWS_DEFAULT_REGION", m->cfg->region);
		add_env(env, "AWS_REGION", m->cfg->region);
	}
	if (!id) {
		add_env(env, id_a, pi ? m->cfg->credentials_uri : m->role_arn);
		add_env(env, id_b, m->token_file);
	}
	if (json_array_size(env) == 0)
		json_object_del(c, "env"); /* nothing was there and nothing was added */
	for (size_t i = 0; i < json_array_size(mounts); i++) {
		json_t *vm = json_array_get(mounts, i);
		const char *n = json_string_value(json_object_get(vm, "name"));
		if (n && strcmp(n, m->volume) == 0) {
			const char *path = json_string_value(json_object_get(vm, "mountPath"));
			if (!path || strcmp(path, m->mount) != 0)
				warn(m, "%s: the mount of volume %s at %s is kept; the SDK reads the token at %s", field,
				     m->volume, path ? path : "(no path)", m->token_file);
			return true;
		}
	}
	if (!json_is_array(mounts)) {
		mounts = json_array();
		json_object_set_new(c, "volumeMounts", mounts);
	}
	json_array_append_new(mounts, json_pack("{s:s, s:b, s:s}", "name", m->volume, "readOnly", 1, "mountPath",
						m->mount));
	return true;
}

static bool mutate_list(mut *m, json_t *spec, const char *key, gh_err *err)
{
	json_t *list = json_object_get(spec, key);
	if (!list || json_is_null(list))
		return true;
	if (!json_is_array(list))
		return gh_fail(err, PODID_ERR, 400, "spec.%s: must be a list of containers", key);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);
		char field[64];
		snprintf(field, sizeof field, "spec.%s[%zu]", key, i);
		if (!json_is_object(c))
			return gh_fail(err, PODID_ERR, 400, "%s: must be a container object", field);
		const char *name = json_string_value(json_object_get(c, "name"));
		if (name && skipped(m, name))
			continue;
		if (!mutate_container(m, c, field))
			return gh_fail(err, PODID_ERR, 400, "%s: env and volumeMounts must be lists", field);
	}
	return true;
}

/* Names in skip-containers that are no container of the pod: usually a space after a
 * comma, which the CSV record keeps. */
static void check_skip_names(mut *m, const json_t *spec)
{
	for (size_t i = 0; i < json_array_size(m->skip); i++) {
		const char *want = json_string_value(json_array_get(m->skip, i));
		bool found = false;
		const char *keys[] = { "initContainers", "containers" };
		for (int k = 0; k < 2 && !found; k++) {
			const json_t *list = json_object_get(spec, keys[k]);
			for (size_t j = 0; j < json_array_size(list) && !found; j++) {
				const char *n = json_string_value(json_object_get(json_array_get(list, j), "name"));
				found = n && strcmp(n, want) == 0;
			}
		}
		if (!found)
			warn(m, "%s/skip-containers names \"%s\", which is no container of the pod",
			     m->cfg->annotation_prefix, want);
	}
}

static json_t *patch_op(const char *path, json_t *value)
{
	return json_pack("{s:s, s:s, s:o}", "op", "add", "path", path, "value", value);
}

static json_t *token_volume(const mut *m)
{
	return json_pack("{s:s, s:{s:[{s:{s:s, s:I, s:s}}]}}", "name", m->volume, "projected", "sources",
			 "serviceAccountToken", "audience", m->audience, "expirationSeconds",
			 (json_int_t)m->expiration, "path", m->token_path);
}

static bool mutate_pod(mut *m, json_t *pod, json_t *patch, gh_err *err)
{
	bool pi = m->in->mode == PODID_MODE_POD_IDENTITY;
	json_t *meta = json_object_get(pod, "metadata");
	json_t *spec = json_object_get(pod, "spec");
	if (!json_is_object(spec))
		return gh_fail(err, PODID_ERR, 400, "spec: Required value");
	json_t *containers = json_object_get(spec, "containers");
	if (!json_is_array(containers))
		return gh_fail(err, PODID_ERR, 400, "spec.containers: Required value");
	set_token_file(m, is_windows(spec));
	check_skip_names(m, spec);
	if (!mutate_list(m, spec, "initContainers", err) || !mutate_list(m, spec, "containers", err))
		return false;
	if (pi) {
		json_t *labels = json_object_get(meta, "labels");
		if (labels && !json_is_object(labels) && !json_is_null(labels))
			return gh_fail(err, PODID_ERR, 400, "metadata.labels: must be a map of strings");
		if (!json_is_object(labels)) {
			json_array_append_new(patch, patch_op("/metadata/labels",
							      json_pack("{s:s}", PODID_PI_LABEL, "enabled")));
			labels = json_object();
			json_object_set_new(meta, "labels", labels);
		} else {
			json_array_append_new(patch, patch_op("/metadata/labels/eks.amazonaws.com~1pod-identity",
							      json_string("enabled")));
		}
		json_object_set_new(labels, PODID_PI_LABEL, json_string("enabled"));
	}
	json_t *volumes = json_object_get(spec, "volumes");
	if (volumes && !json_is_array(volumes) && !json_is_null(volumes))
		return gh_fail(err, PODID_ERR, 400, "spec.volumes: must be a list of volumes");
	bool have = false;
	for (size_t i = 0; i < json_array_size(volumes) && !have; i++) {
		const char *n = json_string_value(json_object_get(json_array_get(volumes, i), "name"));
		have = n && strcmp(n, m->volume) == 0;
	}
	if (!have) {
		json_t *v = token_volume(m);
		if (!json_is_array(volumes)) {
			json_array_append_new(patch, patch_op("/spec/volumes", json_pack("[O]", v)));
			volumes = json_array();
			json_object_set_new(spec, "volumes", volumes);
		} else {
			json_array_append_new(patch, patch_op("/spec/volumes/0", json_deep_copy(v)));
		}
		json_array_insert_new(volumes, 0, v);
	}
	/* Always the whole arrays, as upstream, even when no container changed. */
	json_array_append_new(patch, patch_op("/spec/containers", json_deep_copy(containers)));
	json_t *init = json_object_get(spec, "initContainers");
	if (json_array_size(init) > 0)
		json_array_append_new(patch, patch_op("/spec/initContainers", json_deep_copy(init)));
	return true;
}

bool podid_mutate(const podid_config *cfg, const podid_request *in, podid_result *out, gh_err *err)
{
	*out = (podid_result){ 0 };
	if (!json_is_object(in->pod))
		return gh_fail(err, PODID_ERR, 400, "the pod is not a JSON object");
	const json_t *meta = json_object_get(in->pod, "metadata");
	if (meta && !json_is_object(meta))
		return gh_fail(err, PODID_ERR, 400, "metadata: must be an object");
	if (json_object_get(json_object_get(meta, "labels"), PODID_SKIP_LABEL))
		return true;
	mut m = { .cfg = cfg, .in = in, .warnings = json_array() };
	if (in->mode == PODID_MODE_IRSA) {
		m.role_arn = annotation(in->sa_annotations, cfg->annotation_prefix, "role-arn");
		if (!m.role_arn || !m.role_arn[0]) {
			json_decref(m.warnings);
			return true;
		}
		if (!podid_role_arn_valid(m.role_arn))
			warn(&m, "%s/role-arn \"%s\" is not an IAM role ARN; injected as it is, as the webhook does",
			     cfg->annotation_prefix, m.role_arn);
		m.volume = PODID_IRSA_VOLUME;
		m.mount = PODID_IRSA_MOUNT;
		m.token_path = PODID_IRSA_PATH;
	} else {
		m.volume = PODID_PI_VOLUME;
		m.mount = PODID_PI_MOUNT;
		m.token_path = PODID_PI_PATH;
	}
	read_annotations(&m, json_object_get(meta, "annotations"));
	json_t *pod = json_deep_copy(in->pod), *patch = json_array();
	if (!json_object_get(pod, "metadata"))
		json_object_set_new(pod, "metadata", json_object());
	bool ok = mutate_pod(&m, pod, patch, err);
	json_decref(m.skip);
	if (!ok) {
		json_decref(pod);
		json_decref(patch);
		json_decref(m.warnings);
		return false;
	}
	*out = (podid_result){ .mutated = true, .pod = pod, .patch = patch, .warnings = m.warnings,
			       .expiration = m.expiration };
	return true;
}
