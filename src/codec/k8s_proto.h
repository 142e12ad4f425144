/* k8s_proto: Kubernetes protobuf request bodies to the JSON a JSON client would have sent.
 *
 * Since client-go 1.31, kubectl's typed clients send built-in types as
 * `application/vnd.kubernetes.protobuf`: the magic bytes "k8s\0", then a runtime.Unknown
 * message whose typeMeta names the apiVersion and kind and whose raw bytes hold the object.
 * This module decodes that envelope and the object, through static schema tables, into a
 * jansson tree shaped like Go's encoding/json output of the same API type, so everything
 * past the wire adapter sees one representation. Decode only: answers stay JSON.
 *
 * JSON shape (Go's encoding/json over the k8s.io/api types):
 * - "kind" and "apiVersion" come from the envelope and lead the object.
 * - omitempty fields are left out when zero (a string "", integer 0, bool false, an empty
 *   list or map); pointer fields (immutable, automountServiceAccountToken, expirationSeconds,
 *   resourceAttributes...) appear whenever the wire carries them, even when zero.
 * - Fields without omitempty appear even when absent from the wire, with Go's zero value:
 *   "" for strings, false, 0, null for nil lists and for a zero metav1.Time. Embedded structs
 *   always appear (Go cannot omit a struct), so "metadata":{"creationTimestamp":null}.
 * - metav1.Time {seconds, nanos} becomes RFC 3339 in UTC to the second, as upstream's
 *   Time.MarshalJSON writes it (nanos are dropped by upstream's Unmarshal as well).
 * - bytes (Secret.data, ConfigMap.binaryData) become standard padded base64;
 *   resource.Quantity its canonical string; intstr.IntOrString a number or a string.
 * - Embedded structs (`json:",inline"`, e.g. Volume's VolumeSource) flatten into the parent.
 * - Strings that are not valid UTF-8 get U+FFFD per bad byte, as encoding/json does.
 * - A repeated singular field: the last occurrence wins; a repeated message field merges,
 *   as protobuf requires.
 * - Fields the tables do not know (managedFields, newer alpha fields) are skipped.
 *
 * Bounds: input K8S_PROTO_MAX_BYTES; message nesting K8S_PROTO_MAX_DEPTH (the tables are
 * not recursive and unknown fields are skipped without descending, so this is a guard);
 * at most K8S_PROTO_MAX_ELEMENTS JSON values per body, which bounds repeated fields and map
 * entries together. Groups (wire types 3 and 4) are refused: no Kubernetes type uses them.
 * A non-empty contentEncoding in the envelope is refused; client-go never sets one.
 *
 * Types: authentication/v1 SelfSubjectReview (also v1beta1), TokenReview, TokenRequest;
 * authorization/v1 SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview,
 * SelfSubjectRulesReview; v1 Secret, ConfigMap, Namespace, ServiceAccount, Pod (the spec
 * fields admission looks at); apps/v1 Deployment; rbac/v1 Role, ClusterRole, RoleBinding,
 * ClusterRoleBinding; DeleteOptions in each of those group versions.
 *
 * Errors name the field path and what was wrong:
 *   "SelfSubjectAccessReview.spec.resourceAttributes.verb: truncated string". */
#ifndef GH_CODEC_K8S_PROTO_H
#define GH_CODEC_K8S_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define K8S_PROTO_CONTENT_TYPE "application/vnd.kubernetes.protobuf"
#define K8S_PROTO_MAX_BYTES ((size_t)3 << 20)
#define K8S_PROTO_MAX_DEPTH 32u
#define K8S_PROTO_MAX_ELEMENTS ((size_t)100000)

/* True when the body starts with the "k8s\0" magic. */
bool k8s_proto_is_envelope(const uint8_t *p, size_t n);

/* Decodes an enveloped body. On success *out holds a new reference to a JSON object. On
 * failure *out is NULL and `problem` (if non-NULL, always NUL-terminated) says why: not
 * the envelope, too large, malformed bytes, or "no protobuf schema for <apiVersion>,
 * Kind=<kind>" for a type the tables do not cover. */
bool k8s_proto_decode(const uint8_t *p, size_t n, json_t **out, char *problem,
		      size_t problem_len) GH_MUST_CHECK;

#endif
