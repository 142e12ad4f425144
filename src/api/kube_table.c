/* meta.k8s.io/v1 Tables, the form `kubectl get` asks for (Accept: ...;as=Table): the
 * columns kube-apiserver's printers give each kind in 1.32, AGE as
 * duration.HumanDuration prints it, and each row's object as PartialObjectMetadata
 * (or the whole object with includeObject=Object). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/kube_api_internal.h"
#include "base/timefmt.h"

bool kube_wants_table(kube_req *r)
{
	gh_str accept;
	if (!r->http || !http_request_header(r->http, "Accept", &accept))
		return false;
	/* "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" */
	for (size_t i = 0; i + 8 <= accept.n; i++)
		if (memcmp(accept.p + i, "as=Table", 8) == 0)
			return true;
	return false;
}

/* duration.HumanDuration (apimachinery/pkg/util/duration). */
static void human_duration(int64_t s, char *out, size_t n)
{
	if (s < 0)
		s = 0;
	if (s < 60 * 2)
		snprintf(out, n, "%llds", (long long)s);
	else if (s < 60 * 10) {
		long long m = s / 60, sec = s % 60;
		if (sec == 0)
			snprintf(out, n, "%lldm", m);
		else
			snprintf(out, n, "%lldm%llds", m, sec);
	} else if (s < 3600 * 3)
		snprintf(out, n, "%lldm", (long long)(s / 60));
	else if (s < 3600 * 8) {
		long long h = s / 3600, m = (s % 3600) / 60;
		if (m == 0)
			snprintf(out, n, "%lldh", h);
		else
			snprintf(out, n, "%lldh%lldm", h, m);
	} else if (s < 3600 * 48)
		snprintf(out, n, "%lldh", (long long)(s / 3600));
	else if (s < 3600 * 24 * 8) {
		long long d = s / 86400, h = (s % 86400) / 3600;
		if (h == 0)
			snprintf(out, n, "%lldd", d);
		else
			snprintf(out, n, "%lldd%lldh", d, h);
	} else if (s < 3600 * 24 * 365 * 2)
		snprintf(out, n, "%lldd", (long long)(s / 86400));
	else if (s < 3600LL * 24 * 365 * 8) {
		long long y = s / (86400LL * 365), d = (s % (86400LL * 365)) / 86400;
		if (d == 0)
			snprintf(out, n, "%lldy", y);
		else
			snprintf(out, n, "%lldy%lldd", y, d);
	} else
		snprintf(out, n, "%lldy", (long long)(s / (86400LL * 365)));
}

static json_t *age(const json_t *obj)
{
	const char *ts = json_string_value(json_object_get(json_object_get(obj, "metadata"), "creationTimestamp"));
	int64_t t;
	if (!ts || !gh_time_parse_iso8601(gh_str_c(ts), &t))
		return json_string("<unknown>");
	char out[32];
	human_duration((int64_t)time(NULL) - t, out, sizeof out);
	return json_string(out);
}

typedef struct column {
	const char *name, *type, *format, *description;
	int priority;
} column;

#define NAME_COL { "Name", "string", "name", "Name must be unique within a namespace.", 0 }
#define AGE_COL { "Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0 }

static const column generic[] = { NAME_COL, { "Created At", "date", "", "Object creation timestamp", 0 } };
static const column c_namespaces[] = { NAME_COL, { "Status", "string", "", "The status of the namespace", 0 }, AGE_COL };
static const column c_pods[] = { NAME_COL,
				 { "Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0 },
				 { "Status", "string", "", "The aggregate status of the containers in this pod.", 0 },
				 { "Restarts", "string", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0 },
				 AGE_COL };
static const column c_configmaps[] = { NAME_COL, { "Data", "integer", "", "Data contains the configuration data.", 0 }, AGE_COL };
static const column c_secrets[] = { NAME_COL, { "Type", "string", "", "The type of the secret", 0 },
				    { "Data", "integer", "", "The number of entries in the data map", 0 }, AGE_COL };
static const column c_sas[] = { NAME_COL, { "Secrets", "integer", "", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.", 0 }, AGE_COL };
static const column c_roles[] = { NAME_COL, { "Created At", "date", "", "Time when this Role was created", 0 } };
static const column c_bindings[] = { NAME_COL, { "Role", "string", "", "Role is the name of the role this binding refers to", 0 }, AGE_COL,
				     { "Users", "string", "", "Users in the binding", 1 },
				     { "Groups", "string", "", "Groups in the binding", 1 },
				     { "ServiceAccounts", "string", "", "ServiceAccounts in the binding", 1 } };
static const column c_netpol[] = { NAME_COL, { "Pod-Selector", "string", "", "Selects the pods to which this NetworkPolicy object applies.", 0 }, AGE_COL };

static void columns_for(const k8s_resource *res, const column **cols, size_t *n)
{
#define USE(arr) (*cols = (arr), *n = sizeof(arr) / sizeof((arr)[0]))
	const char *k = res->kind;
	if (strcmp(k, "Namespace") == 0) USE(c_namespaces);
	else if (strcmp(k, "Pod") == 0) USE(c_pods);
	else if (strcmp(k, "ConfigMap") == 0) USE(c_configmaps);
	else if (strcmp(k, "Secret") == 0) USE(c_secrets);
	else if (strcmp(k, "ServiceAccount") == 0) USE(c_sas);
	else if (strcmp(k, "Role") == 0 || strcmp(k, "ClusterRole") == 0) USE(c_roles);
	else if (strcmp(k, "RoleBinding") == 0 || strcmp(k, "ClusterRoleBinding") == 0) USE(c_bindings);
	else if (strcmp(k, "NetworkPolicy") == 0) USE(c_netpol);
	else USE(generic);
#undef USE
}

static json_t *subjects_of(const json_t *obj, const char *kind)
{
	json_t *subs = json_object_get(obj, "subjects");
	char buf[1024] = "";
	size_t used = 0;
	for (size_t i = 0; i < json_array_size(subs); i++) {
		json_t *s = json_array_get(subs, i);
		if (strcmp(json_string_value(json_object_get(s, "kind")) ?: "", kind) != 0)
			continue;
		const char *ns = json_string_value(json_object_get(s, "namespace"));
		const char *name = json_string_value(json_object_get(s, "name")) ?: "";
		int k = snprintf(buf + used, sizeof buf - used, "%s%s%s%s", used ? ", " : "",
				 (strcmp(kind, "ServiceAccount") == 0 && ns) ? ns : "",
				 (strcmp(kind, "ServiceAccount") == 0 && ns) ? "/" : "", name);
		if (k < 0 || (size_t)k >= sizeof buf - used)
			break;
		used += (size_t)k;
	}
	return json_string(buf);
}

static json_t *cells_for(const k8s_resource *res, const json_t *obj)
{
	const char *k = res->kind;
	json_t *cells = json_array();
	json_array_append_new(cells, json_string(kube_meta_str(obj, "name")));
	if (strcmp(k, "Namespace") == 0) {
		const char *ph = json_string_value(json_object_get(json_object_get(obj, "status"), "phase"));
		json_array_append_new(cells, json_string(ph ? ph : ""));
		json_array_append_new(cells, age(obj));
	} else if (strcmp(k, "Pod") == 0) {
		size_t nc = json_array_size(json_object_get(json_object_get(obj, "spec"), "containers"));
		char ready[32];
		snprintf(ready, sizeof ready, "0/%zu", nc);
		const char *ph = json_string_value(json_object_get(json_object_get(obj, "status"), "phase"));
		json_array_append_new(cells, json_string(ready));
		json_array_append_new(cells, json_string(ph ? ph : "Pending"));
		json_array_append_new(cells, json_string("0"));
		json_array_append_new(cells, age(obj));
	} else if (strcmp(k, "ConfigMap") == 0) {
		json_array_append_new(cells, json_integer((json_int_t)(json_object_size(json_object_get(obj, "data")) +
								       json_object_size(json_object_get(obj, "binaryData")))));
		json_array_append_new(cells, age(obj));
	} else if (strcmp(k, "Secret") == 0) {
		const char *t = json_string_value(json_object_get(obj, "type"));
		json_array_append_new(cells, json_string(t ? t : "Opaque"));
		json_array_append_new(cells, json_integer((json_int_t)json_object_size(json_object_get(obj, "data"))));
		json_array_append_new(cells, age(obj));
	} else if (strcmp(k, "ServiceAccount") == 0) {
		json_array_append_new(cells, json_integer((json_int_t)json_array_size(json_object_get(obj, "secrets"))));
		json_array_append_new(cells, age(obj));
	} else if (strcmp(k, "Role") == 0 || strcmp(k, "ClusterRole") == 0) {
		json_array_append(cells, json_object_get(json_object_get(obj, "metadata"), "creationTimestamp"));
	} else if (strcmp(k, "RoleBinding") == 0 || strcmp(k, "ClusterRoleBinding") == 0) {
		json_t *ref = json_object_get(obj, "roleRef");
		char role[300];
		snprintf(role, sizeof role, "%s/%s", json_string_value(json_object_get(ref, "kind")) ?: "",
			 json_string_value(json_object_get(ref, "name")) ?: "");
		json_array_append_new(cells, json_string(role));
		json_array_append_new(cells, age(obj));
		json_array_append_new(cells, subjects_of(obj, "User"));
		json_array_append_new(cells, subjects_of(obj, "Group"));
		json_array_append_new(cells, subjects_of(obj, "ServiceAccount"));
	} else if (strcmp(k, "NetworkPolicy") == 0) {
		json_t *ml = json_object_get(json_object_get(json_object_get(obj, "spec"), "podSelector"), "matchLabels");
		char sel[512] = "";
		size_t used = 0;
		const char *key;
		json_t *v;
		json_object_foreach(ml, key, v) {
			int w = snprintf(sel + used, sizeof sel - used, "%s%s=%s", used ? "," : "", key,
					 json_string_value(v) ?: "");
			if (w < 0 || (size_t)w >= sizeof sel - used)
				break;
			used += (size_t)w;
		}
		json_array_append_new(cells, json_string(used ? sel : "<none>"));
		json_array_append_new(cells, age(obj));
	} else {
		json_array_append(cells, json_object_get(json_object_get(obj, "metadata"), "creationTimestamp"));
	}
	return cells;
}

json_t *kube_table(kube_req *r, const k8s_resource *res, json_t *const *objs, size_t n, const char *rv)
{
	const column *cols;
	size_t nc;
	columns_for(res, &cols, &nc);
	json_t *defs = json_array();
	for (size_t i = 0; i < nc; i++)
		json_array_append_new(defs, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", cols[i].name, "type",
						      cols[i].type, "format", cols[i].format, "description",
						      cols[i].description, "priority", cols[i].priority));
	const char *inc = r->http ? kube_query(r, "includeObject") : NULL;
	bool full = inc && strcmp(inc, "Object") == 0, none = inc && strcmp(inc, "None") == 0;
	json_t *rows = json_array();
	char av[96];
	k8s_resource_api_version(res, av, sizeof av);
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_pack("{s:o}", "cells", cells_for(res, objs[i]));
		if (full) {
			json_object_set(row, "object", objs[i]);
		} else if (!none) {
			json_object_set_new(row, "object",
					    json_pack("{s:s, s:s, s:O}", "kind", "PartialObjectMetadata", "apiVersion",
						      "meta.k8s.io/v1", "metadata", json_object_get(objs[i], "metadata")));
		}
		json_array_append_new(rows, row);
	}
	return json_pack("{s:s, s:s, s:{s:s}, s:o, s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1", "metadata",
			 "resourceVersion", rv, "columnDefinitions", defs, "rows", rows);
}
