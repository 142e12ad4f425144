/* Fuzzes the Kubernetes protobuf decoder. Input that starts with "k8s\0" is decoded as a
 * whole body, so the envelope parser is exercised; otherwise the first byte picks a kind
 * and the rest becomes that object's raw bytes inside a well-formed envelope, so most runs
 * reach the schema-driven decoder. Invariants: no crash, no leak, a failure leaves no tree
 * and says why, and every tree is a JSON object that serializes. */
#include <stdlib.h>
#include <string.h>

#include "codec/k8s_proto.h"

static const char *const kinds[][2] = {
	{ "authentication.k8s.io/v1", "SelfSubjectReview" },
	{ "authentication.k8s.io/v1", "TokenReview" },
	{ "authentication.k8s.io/v1", "TokenRequest" },
	{ "authorization.k8s.io/v1", "SelfSubjectAccessReview" },
	{ "authorization.k8s.io/v1", "SubjectAccessReview" },
	{ "authorization.k8s.io/v1", "LocalSubjectAccessReview" },
	{ "authorization.k8s.io/v1", "SelfSubjectRulesReview" },
	{ "v1", "Secret" },
	{ "v1", "ConfigMap" },
	{ "v1", "Namespace" },
	{ "v1", "ServiceAccount" },
	{ "v1", "DeleteOptions" },
	{ "v1", "Pod" },
	{ "apps/v1", "Deployment" },
	{ "rbac.authorization.k8s.io/v1", "Role" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRole" },
	{ "rbac.authorization.k8s.io/v1", "RoleBinding" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRoleBinding" },
};

/* Appends a varint; `out` has room (callers size it). */
static size_t put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	do {
		out[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

static size_t put_field(uint8_t *out, unsigned num, const void *p, size_t len)
{
	size_t n = put_varint(out, (uint64_t)num << 3 | 2);
	n += put_varint(out + n, len);
	memcpy(out + n, p, len);
	return n + len;
}

static void check(const uint8_t *p, size_t n)
{
	json_t *out = NULL;
	char problem[256];
	if (k8s_proto_decode(p, n, &out, problem, sizeof problem)) {
		if (!json_is_object(out))
			abort();
		char *text = json_dumps(out, JSON_COMPACT);
		if (!text)
			abort();
		free(text);
		json_decref(out);
	} else if (out || problem[0] == '\0') {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (k8s_proto_is_envelope(data, size)) {
		check(data, size);
		return 0;
	}
	if (size < 1 || size > (1u << 20))
		return 0;
	const char *const *k = kinds[data[0] % (sizeof kinds / sizeof kinds[0])];
	uint8_t tm[128];
	size_t tmn = put_field(tm, 1, k[0], strlen(k[0]));
	tmn += put_field(tm + tmn, 2, k[1], strlen(k[1]));
	uint8_t *body = malloc(4 + 16 + tmn + 16 + size);
	if (!body)
		return 0;
	memcpy(body, "k8s\0", 4);
	size_t n = 4 + put_field(body + 4, 1, tm, tmn);
	n += put_field(body + n, 2, data + 1, size - 1);
	check(body, n);
	free(body);
	return 0;
}
