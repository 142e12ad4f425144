/* k8s_proto_schema: the tables k8s_proto decodes with (internal to src/codec).
 *
 * One table per protobuf message: field number, JSON name, how the value is encoded, and
 * how Go's encoding/json treats the Go field (omitempty, pointer, or always written). The
 * numbers are those of upstream's generated.proto files (k8s.io/api, k8s.io/apimachinery);
 * the JSON names and flags those of the Go struct tags in the matching types.go. */
#ifndef GH_CODEC_K8S_PROTO_SCHEMA_H
#define GH_CODEC_K8S_PROTO_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

enum pb_kind {
	PB_STRING,	/* wire 2, UTF-8 text */
	PB_INT64,	/* wire 0; repeated ones also packed */
	PB_INT32,	/* wire 0, truncated to 32 bits as Go's generated decoder does */
	PB_BOOL,	/* wire 0 */
	PB_MESSAGE,	/* wire 2, decoded with `sub` */
	PB_TIME,	/* wire 2, meta.v1.Time {1 seconds, 2 nanos} -> RFC 3339 or null */
	PB_QUANTITY,	/* wire 2, resource.Quantity {1 string} -> its string */
	PB_INT_OR_STRING, /* wire 2, intstr.IntOrString {1 type, 2 intVal, 3 strVal} -> number or string */
	PB_MAP_STRING,	/* wire 2 entries {1 key, 2 string value} -> object of strings */
	PB_MAP_BYTES,	/* wire 2 entries {1 key, 2 bytes value} -> object of base64 strings */
	PB_MAP_EXTRA,	/* wire 2 entries {1 key, 2 ExtraValue {1 repeated items}} -> object of arrays */
	PB_MAP_QUANTITY, /* wire 2 entries {1 key, 2 Quantity} -> object of strings */
};

enum {
	PB_REPEATED = 1, /* a JSON array of the kind */
	PB_POINTER = 2,	 /* Go pointer: written whenever present on the wire, even when zero */
	PB_ALWAYS = 4,	 /* no omitempty (or a struct value): written even when absent */
	PB_INLINE = 8,	 /* an embedded struct (`json:",inline"`): its fields join the parent's */
};

typedef struct pb_msg pb_msg;

typedef struct pb_field {
	uint32_t num;
	const char *json;
	uint8_t kind;
	uint8_t flags;
	const pb_msg *sub; /* PB_MESSAGE only */
} pb_field;

struct pb_msg {
	const char *name; /* the Go type name, which starts error paths */
	const pb_field *fields;
	size_t nfields;
};

/* The message for a top-level apiVersion and kind, or NULL. */
const pb_msg *k8s_proto_schema_find(const char *api_version, size_t av_len, const char *kind,
				    size_t kind_len);

#endif
