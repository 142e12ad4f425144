/* Per-kind rules of the objects the sandbox stores: the defaults kube-apiserver's
 * registry strategies set and the validation they do, for the kinds where a client would
 * notice (Namespace, Secret, ConfigMap, Pod). Other kinds are stored as sent. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "engine/kube_internal.h"

static void keep_status(json_t *obj, const json_t *old)
{
	json_t *s = json_object_get(old, "status");
	if (s)
		json_object_set(obj, "status", s);
}

static bool prepare_namespace(json_t *obj, const json_t *old)
{
	json_t *m = kube_meta(obj);
	json_t *labels = json_object_get(m, "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(m, "labels", labels);
	}
	/* the immutable label the NamespaceDefaultLabelName feature sets on every namespace */
	json_object_set_new(labels, "kubernetes.io/metadata.name", json_string(kube_meta_str(obj, "name")));
	json_t *spec = json_object_get(obj, "spec");
	if (!json_is_object(spec)) {
		spec = json_object();
		json_object_set_new(obj, "spec", spec);
	}
	if (!json_object_get(spec, "finalizers"))
		json_object_set_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
	if (old)
		keep_status(obj, old);
	else
		json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Active"));
	return true;
}

static bool valid_data_key(const char *k)
{
	size_t n = strlen(k);
	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && k[i] != '-' && k[i] != '_' && k[i] != '.')
			return false;
	return true;
}

static bool bad_key(const k8s_resource *r, const char *name, const char *field_prefix, const char *k,
		    kube_status *st)
{
	char field[300], text[600];
	snprintf(field, sizeof field, "%s[%s]", field_prefix, k);
	snprintf(text, sizeof text,
		 "Invalid value: \"%s\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
		 "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
		 k);
	return kube_invalid(st, r, name, field, "FieldValueInvalid", text);
}

static bool prepare_secret(const k8s_resource *r, json_t *obj, const json_t *old, kube_status *st)
{
	const char *name = kube_meta_str(obj, "name");
	json_t *type = json_object_get(obj, "type");
	if (!json_is_string(type) || !json_string_length(type))
		json_object_set_new(obj, "type", json_string("Opaque"));
	const char *t = json_string_value(json_object_get(obj, "type"));
	const char *ot = old ? json_string_value(json_object_get(old, "type")) : NULL;
	if (ot && strcmp(ot, t) != 0) {
		char text[300];
		snprintf(text, sizeof text, "Invalid value: \"%s\": field is immutable", t);
		return kube_invalid(st, r, name, "type", "FieldValueInvalid", text);
	}
	json_t *data = json_object_get(obj, "data");
	if (data && !json_is_object(data) && !json_is_null(data))
		return kube_fail(st, 400, "BadRequest", "Secret in version \"v1\" cannot be handled as a Secret: "
				 "data: expected an object of base64 strings");
	if (!json_is_object(data)) {
		data = json_object();
		json_object_set_new(obj, "data", data);
	}
	const char *k;
	json_t *v;
	json_object_foreach(data, k, v) {
		if (!valid_data_key(k))
			return bad_key(r, name, "data", k, st);
		if (!json_is_string(v))
			return kube_fail(st, 400, "BadRequest",
					 "Secret in version \"v1\" cannot be handled as a Secret: data[%s]: expected a "
					 "base64 string", k);
		size_t n = json_string_length(v), out_n = 0;
		uint8_t *tmp = malloc(base64_decoded_max(n) + 1);
		gh_err err = { 0 };
		bool ok = tmp && base64_decode_std((gh_str){ json_string_value(v), n }, tmp, &out_n, &err);
		if (tmp)
			memset(tmp, 0, base64_decoded_max(n) + 1);
		free(tmp);
		if (!ok)
			return kube_fail(st, 400, "BadRequest",
					 "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data in "
					 "data[%s]", k);
	}
	/* stringData is write-only: merged into data, never stored or returned */
	json_t *sd = json_object_get(obj, "stringData");
	json_object_foreach(sd, k, v) {
		if (!valid_data_key(k))
			return bad_key(r, name, "stringData", k, st);
		if (!json_is_string(v))
			return kube_fail(st, 400, "BadRequest", "stringData[%s]: expected a string", k);
		gh_buf b = { 0 };
		base64_encode_buf(json_string_value(v), json_string_length(v), BASE64_STD, true, &b);
		json_object_set_new(data, k, json_stringn(b.p ? b.p : "", b.n));
		gh_buf_free(&b);
	}
	json_object_del(obj, "stringData");
	return true;
}

static bool prepare_configmap(const k8s_resource *r, json_t *obj, kube_status *st)
{
	const char *name = kube_meta_str(obj, "name");
	const char *fields[] = { "data", "binaryData" };
	for (int f = 0; f < 2; f++) {
		json_t *d = json_object_get(obj, fields[f]);
		if (!d || json_is_null(d))
			continue;
		if (!json_is_object(d))
			return kube_fail(st, 400, "BadRequest",
					 "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: %s: expected an "
					 "object of strings", fields[f]);
		const char *k;
		json_t *v;
		json_object_foreach(d, k, v) {
			if (!valid_data_key(k))
				return bad_key(r, name, fields[f], k, st);
			if (!json_is_string(v))
				return kube_fail(st, 400, "BadRequest",
						 "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: %s[%s]: "
						 "expected a string", fields[f], k);
		}
	}
	return true;
}

static void default_container(json_t *c)
{
	if (!json_is_object(c))
		return;
	if (!json_object_get(c, "terminationMessagePath"))
		json_object_set_new(c, "terminationMessagePath", json_string("/dev/termination-log"));
	if (!json_object_get(c, "terminationMessagePolicy"))
		json_object_set_new(c, "terminationMessagePolicy", json_string("File"));
	if (!json_object_get(c, "imagePullPolicy")) {
		const char *img = json_string_value(json_object_get(c, "image"));
		const char *slash = img ? strrchr(img, '/') : NULL, *tag = img ? strrchr(slash ? slash : img, ':') : NULL;
		bool latest = !img || strchr(img, '@') == NULL ? (!tag || strcmp(tag, ":latest") == 0) : false;
		json_object_set_new(c, "imagePullPolicy", json_string(latest ? "Always" : "IfNotPresent"));
	}
}

static bool prepare_pod(const k8s_resource *r, json_t *obj, const json_t *old, kube_status *st)
{
	const char *name = kube_meta_str(obj, "name");
	json_t *spec = json_object_get(obj, "spec");
	if (!json_is_object(spec))
		return kube_invalid(st, r, name, "spec.containers", "FieldValueRequired", "Required value");
	json_t *cs = json_object_get(spec, "containers");
	if (!json_is_array(cs) || !json_array_size(cs))
		return kube_invalid(st, r, name, "spec.containers", "FieldValueRequired", "Required value");
	const char *lists[] = { "initContainers", "containers" };
	for (int l = 0; l < 2; l++) {
		json_t *arr = json_object_get(spec, lists[l]);
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *c = json_array_get(arr, i);
			char field[64];
			if (!json_is_string(json_object_get(c, "name")) ||
			    !json_string_length(json_object_get(c, "name"))) {
				snprintf(field, sizeof field, "spec.%s[%zu].name", lists[l], i);
				return kube_invalid(st, r, name, field, "FieldValueRequired", "Required value");
			}
			if (!json_is_string(json_object_get(c, "image")) && !old) {
				snprintf(field, sizeof field, "spec.%s[%zu].image", lists[l], i);
				return kube_invalid(st, r, name, field, "FieldValueRequired", "Required value");
			}
			default_container(c);
		}
	}
	static const char *const defaults[][2] = { { "restartPolicy", "Always" },
						   { "dnsPolicy", "ClusterFirst" },
						   { "schedulerName", "default-scheduler" },
						   { "serviceAccountName", "default" } };
	/* The deprecated serviceAccount names the account when serviceAccountName does not
	 * (upstream's conversion), which ServiceAccount admission and the mutation read. */
	const char *dep = json_string_value(json_object_get(spec, "serviceAccount"));
	const char *san = json_string_value(json_object_get(spec, "serviceAccountName"));
	if ((!san || !san[0]) && dep && dep[0])
		json_object_set_new(spec, "serviceAccountName", json_string(dep));
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (!json_object_get(spec, defaults[i][0]))
			json_object_set_new(spec, defaults[i][0], json_string(defaults[i][1]));
	if (!json_object_get(spec, "serviceAccount"))
		json_object_set(spec, "serviceAccount", json_object_get(spec, "serviceAccountName"));
	if (!json_object_get(spec, "terminationGracePeriodSeconds"))
		json_object_set_new(spec, "terminationGracePeriodSeconds", json_integer(30));
	if (!json_object_get(spec, "securityContext"))
		json_object_set_new(spec, "securityContext", json_object());
	if (old)
		keep_status(obj, old);
	else
		json_object_set_new(obj, "status", json_pack("{s:s, s:s}", "phase", "Pending", "qosClass", "BestEffort"));
	return true;
}

bool kube_kind_prepare(const k8s_resource *r, json_t *obj, const json_t *old, kube_status *st)
{
	if (strcmp(r->kind, "Namespace") == 0)
		return prepare_namespace(obj, old);
	if (strcmp(r->kind, "Secret") == 0)
		return prepare_secret(r, obj, old, st);
	if (strcmp(r->kind, "ConfigMap") == 0)
		return prepare_configmap(r, obj, st);
	if (strcmp(r->kind, "Pod") == 0)
		return prepare_pod(r, obj, old, st);
	return true;
}
