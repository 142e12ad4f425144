#include "codec/k8s_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "codec/base64.h"
#include "codec/k8s_proto_schema.h"

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_SGROUP = 3, WIRE_EGROUP = 4, WIRE_I32 = 5 };

/* Go's zero time.Time as Unix seconds: upstream's Time marshals it as JSON null. */
#define GO_ZERO_TIME_UNIX INT64_C(-62135596800)
/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: outside, Go's Time.MarshalJSON fails. */
#define RFC3339_MIN_UNIX INT64_C(-62167219200)
#define RFC3339_MAX_UNIX INT64_C(253402300799)

typedef struct dec {
	char path[256];	   /* "SelfSubjectAccessReview.spec.resourceAttributes" */
	size_t plen;
	char *problem;
	size_t problem_len;
	size_t budget;	   /* JSON values still allowed */
	unsigned depth;
} dec;

/* A borrowed view of the bytes still to read. */
typedef struct rd {
	const uint8_t *p;
	size_t n, off;
} rd;

static bool fail(dec *d, const char *fmt, ...) GH_PRINTF(2, 3);

static bool fail(dec *d, const char *fmt, ...)
{
	if (!d->problem || d->problem_len == 0)
		return false;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (d->plen)
		snprintf(d->problem, d->problem_len, "%s: %s", d->path, msg);
	else
		snprintf(d->problem, d->problem_len, "%s", msg);
	return false;
}

/* Appends a path segment and returns the length to restore. A path too long for the
 * buffer is cut with "..." rather than failing: it only serves messages. */
static size_t path_push(dec *d, const char *fmt, ...) GH_PRINTF(2, 3);

static size_t path_push(dec *d, const char *fmt, ...)
{
	size_t mark = d->plen;
	size_t room = sizeof d->path - d->plen;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(d->path + d->plen, room, fmt, ap);
	va_end(ap);
	if (w < 0) {
		d->path[d->plen] = '\0';
	} else if ((size_t)w >= room) {
		memcpy(d->path + sizeof d->path - 4, "...", 4);
		d->plen = sizeof d->path - 1;
	} else {
		d->plen += (size_t)w;
	}
	return mark;
}

static void path_pop(dec *d, size_t mark)
{
	d->plen = mark;
	d->path[mark] = '\0';
}

static bool spend(dec *d)
{
	if (d->budget == 0)
		return fail(d, "more than %zu values in one body", K8S_PROTO_MAX_ELEMENTS);
	d->budget--;
	return true;
}

/* ---- wire primitives ----------------------------------------------------------------- */

/* Go's generated decoders stop at shift 64: ten bytes at most, excess high bits dropped. */
static bool read_varint(dec *d, rd *r, uint64_t *v, const char *what)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (r->off >= r->n)
			return fail(d, "truncated %s", what);
		uint8_t b = r->p[r->off++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return fail(d, "%s: varint longer than 10 bytes", what);
}

/* A length-delimited payload, checked against what remains. */
static bool read_len(dec *d, rd *r, rd *out, const char *what)
{
	uint64_t len;
	if (!read_varint(d, r, &len, what))
		return false;
	if (len > r->n - r->off)
		return fail(d, "truncated %s (%llu bytes declared, %zu left)", what,
			    (unsigned long long)len, r->n - r->off);
	*out = (rd){ r->p + r->off, (size_t)len, 0 };
	r->off += (size_t)len;
	return true;
}

static bool read_tag(dec *d, rd *r, uint32_t *num, unsigned *wire)
{
	uint64_t key = 0;
	*num = 0;
	*wire = 0;
	if (!read_varint(d, r, &key, "field tag"))
		return false;
	uint64_t field = key >> 3;
	if (field == 0 || field > 0x1fffffff)
		return fail(d, "invalid field number %llu", (unsigned long long)field);
	*num = (uint32_t)field;
	*wire = (unsigned)(key & 7);
	return true;
}

/* Skips a field the tables do not know. Never recurses, so nesting inside unknown bytes
 * costs nothing. */
static bool skip_field(dec *d, rd *r, uint32_t num, unsigned wire)
{
	uint64_t v;
	rd sub;
	size_t mark = path_push(d, "[field %u]", num);
	bool ok;
	switch (wire) {
	case WIRE_VARINT:
		ok = read_varint(d, r, &v, "varint");
		break;
	case WIRE_I64:
	case WIRE_I32: {
		size_t w = wire == WIRE_I64 ? 8 : 4;
		ok = r->n - r->off >= w ? (r->off += w, true) : fail(d, "truncated fixed%zu", w * 8);
		break;
	}
	case WIRE_LEN:
		ok = read_len(d, r, &sub, "bytes");
		break;
	case WIRE_SGROUP:
	case WIRE_EGROUP:
		ok = fail(d, "group wire type %u is not used by Kubernetes types", wire);
		break;
	default:
		ok = fail(d, "invalid wire type %u", wire);
	}
	path_pop(d, mark);
	return ok;
}

/* ---- values -------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (Go's utf8.DecodeRune rules: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when s starts an invalid one. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* A JSON string of the bytes, each invalid byte replaced by U+FFFD as encoding/json does. */
static json_t *text_value(const uint8_t *s, size_t n)
{
	size_t i = 0, k;
	while (i < n && (k = utf8_seq(s + i, n - i)) != 0)
		i += k;
	if (i == n)
		return json_stringn((const char *)s, n);
	gh_buf b = { 0 };
	gh_buf_put(&b, s, i);
	while (i < n) {
		k = utf8_seq(s + i, n - i);
		if (k) {
			gh_buf_put(&b, s + i, k);
			i += k;
		} else {
			gh_buf_put(&b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	json_t *v = b.oom ? NULL : json_stringn(b.p ? b.p : "", b.n);
	gh_buf_free(&b);
	return v;
}

static json_t *base64_value(const uint8_t *s, size_t n)
{
	gh_buf b = { 0 };
	json_t *v = NULL;
	if (base64_encode_buf(s, n, BASE64_STD, true, &b))
		v = json_stringn(b.p ? b.p : "", b.n);
	gh_buf_free(&b);
	return v;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days),
 * so years 0..9999 work without depending on the C library's time_t range. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* meta.v1.Time: empty bytes are the zero time (null); otherwise seconds to RFC 3339. */
static bool time_value(dec *d, rd *r, json_t **out)
{
	int64_t secs = 0;
	*out = NULL;
	while (r->off < r->n) {
		uint32_t num;
		unsigned wire;
		uint64_t v;
		if (!read_tag(d, r, &num, &wire))
			return false;
		if ((num == 1 || num == 2) && wire != WIRE_VARINT)
			return fail(d, "%s: wrong wire type %u (expected 0)", num == 1 ? "seconds" : "nanos", wire);
		if (num == 1) {
			if (!read_varint(d, r, &v, "seconds"))
				return false;
			secs = (int64_t)v;
		} else if (num == 2) {
			/* Upstream's Time.Unmarshal drops nanos: JSON clients send whole seconds. */
			if (!read_varint(d, r, &v, "nanos"))
				return false;
		} else if (!skip_field(d, r, num, wire)) {
			return false;
		}
	}
	if (r->n == 0 || secs == GO_ZERO_TIME_UNIX) {
		*out = json_null();
		return true;
	}
	if (secs < RFC3339_MIN_UNIX || secs > RFC3339_MAX_UNIX)
		return fail(d, "time %lld seconds is outside years 0-9999", (long long)secs);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	unsigned mo, dd;
	civil_from_days(days, &y, &mo, &dd);
	char buf[32];
	snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, mo, dd,
		 (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
	*out = json_string(buf);
	return *out != NULL || fail(d, "out of memory");
}

/* ---- messages ------------------------------------------------------------------------ */

static bool decode_message(dec *d, rd r, const pb_msg *m, json_t *obj);

static unsigned wire_of(uint8_t kind)
{
	switch (kind) {
	case PB_INT64:
	case PB_INT32:
	case PB_BOOL:
		return WIRE_VARINT;
	default:
		return WIRE_LEN;
	}
}

static const char *kind_word(uint8_t kind)
{
	switch (kind) {
	case PB_STRING:
		return "string";
	case PB_INT64:
	case PB_INT32:
		return "integer";
	case PB_QUANTITY:
		return "quantity";
	case PB_INT_OR_STRING:
		return "int-or-string";
	case PB_BOOL:
		return "bool";
	case PB_TIME:
		return "time";
	case PB_MESSAGE:
		return "message";
	default:
		return "map entry";
	}
}

/* Sets obj[name] = v (stealing v), or fails for a NULL v (allocation failure). */
static bool put(dec *d, json_t *obj, const char *name, json_t *v)
{
	if (!v || json_object_set_new(obj, name, v) != 0)
		return fail(d, "out of memory");
	return true;
}

static bool append(dec *d, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v) != 0)
		return fail(d, "out of memory");
	return true;
}

/* The container a repeated or map field accumulates into, created on first use. */
static json_t *container(dec *d, json_t *obj, const char *name, bool array)
{
	json_t *c = json_object_get(obj, name);
	if (array ? json_is_array(c) : json_is_object(c))
		return c;
	c = array ? json_array() : json_object();
	if (!put(d, obj, name, c))
		return NULL;
	return c;
}

/* Reads a message made of two length-delimited fields, 1 and 2 (a map entry, TypeMeta),
 * into views; other fields are skipped, field 2 too when `two` is NULL. `seen2` (if
 * non-NULL) tells whether field 2 was there. */
static bool read_pair(dec *d, rd r, const char *name1, rd *one, const char *name2, rd *two,
		      bool *seen2)
{
	while (r.off < r.n) {
		uint32_t num;
		unsigned wire;
		if (!read_tag(d, &r, &num, &wire))
			return false;
		if (num != 1 && (num != 2 || !two)) {
			if (!skip_field(d, &r, num, wire))
				return false;
			continue;
		}
		size_t mark = path_push(d, ".%s", num == 1 ? name1 : name2);
		bool ok = wire == WIRE_LEN ? read_len(d, &r, num == 1 ? one : two, "string")
					   : fail(d, "wrong wire type %u for a string (expected 2)", wire);
		path_pop(d, mark);
		if (!ok)
			return false;
		if (num == 2 && seen2)
			*seen2 = true;
	}
	return true;
}

/* resource.Quantity {1 string}: both encodings carry the same canonical text. */
static bool quantity_value(dec *d, rd r, json_t **out)
{
	rd text = { (const uint8_t *)"", 0, 0 };
	*out = NULL;
	if (!read_pair(d, r, "string", &text, NULL, NULL, NULL))
		return false;
	*out = text_value(text.p, text.n);
	return *out != NULL || fail(d, "out of memory");
}

/* One map entry {1 key, 2 value}. Missing parts are Go's zero values: "" for a key or a
 * string, [] for an ExtraValue (its generated decoder starts from an empty slice). */
static bool decode_map_entry(dec *d, rd r, const pb_field *f, json_t *map)
{
	rd key = { (const uint8_t *)"", 0, 0 }, val = { (const uint8_t *)"", 0, 0 };
	bool have_val = false;
	if (!read_pair(d, r, "key", &key, "value", &val, &have_val))
		return false;
	json_t *v;
	if (f->kind == PB_MAP_BYTES) {
		v = base64_value(val.p, val.n);
	} else if (f->kind == PB_MAP_STRING) {
		v = text_value(val.p, val.n);
	} else if (f->kind == PB_MAP_QUANTITY) {
		size_t mark = path_push(d, ".value");
		bool ok = quantity_value(d, val, &v);
		path_pop(d, mark);
		if (!ok)
			return false;
	} else {
		v = json_array();
		while (v && have_val && val.off < val.n) {
			uint32_t num;
			unsigned wire;
			rd item;
			if (!read_tag(d, &val, &num, &wire)) {
				json_decref(v);
				return false;
			}
			bool ok;
			if (num != 1)
				ok = skip_field(d, &val, num, wire);
			else if (wire != WIRE_LEN)
				ok = fail(d, "items: wrong wire type %u (expected 2)", wire);
			else
				ok = read_len(d, &val, &item, "string") && spend(d) &&
				     append(d, v, text_value(item.p, item.n));
			if (!ok) {
				json_decref(v);
				return false;
			}
		}
	}
	json_t *k = text_value(key.p, key.n);
	bool ok = v && k && json_object_setn_new(map, json_string_value(k), json_string_length(k), v) == 0;
	json_decref(k);
	return ok || fail(d, "out of memory");
}

/* intstr.IntOrString {1 type, 2 intVal, 3 strVal}: type 1 is a string, else a number,
 * as its MarshalJSON writes it. */
static bool int_or_string_value(dec *d, rd r, json_t **out)
{
	uint64_t type = 0, ival = 0;
	rd sval = { (const uint8_t *)"", 0, 0 };
	*out = NULL;
	while (r.off < r.n) {
		uint32_t num;
		unsigned wire;
		if (!read_tag(d, &r, &num, &wire))
			return false;
		static const char *const names[] = { "", "type", "intVal", "strVal" };
		if (num < 1 || num > 3) {
			if (!skip_field(d, &r, num, wire))
				return false;
			continue;
		}
		unsigned want = num == 3 ? WIRE_LEN : WIRE_VARINT;
		size_t mark = path_push(d, ".%s", names[num]);
		bool ok = wire != want	? fail(d, "wrong wire type %u (expected %u)", wire, want)
			  : num == 3	? read_len(d, &r, &sval, "string")
					: read_varint(d, &r, num == 1 ? &type : &ival, "integer");
		path_pop(d, mark);
		if (!ok)
			return false;
	}
	*out = type == 1 ? text_value(sval.p, sval.n) : json_integer((int32_t)(uint32_t)ival);
	return *out != NULL || fail(d, "out of memory");
}

static bool scalar_is_zero(uint8_t kind, uint64_t v)
{
	return kind == PB_INT32 ? (uint32_t)v == 0 : v == 0;
}

static json_t *scalar_value(uint8_t kind, uint64_t v)
{
	if (kind == PB_BOOL)
		return json_boolean(v != 0);
	if (kind == PB_INT32)
		return json_integer((int32_t)(uint32_t)v);
	return json_integer((json_int_t)(int64_t)v);
}

/* Stores one decoded value: appended for a repeated field; for a singular one set, or
 * removed when it is an omitempty zero (a later zero overrides an earlier value). */
static bool store(dec *d, const pb_field *f, json_t *obj, json_t *v, bool zero)
{
	if (f->flags & PB_REPEATED) {
		json_t *arr = container(d, obj, f->json, true);
		if (!arr) {
			json_decref(v);
			return false;
		}
		return append(d, arr, v);
	}
	if (zero && !(f->flags & (PB_POINTER | PB_ALWAYS))) {
		json_decref(v);
		json_object_del(obj, f->json);
		return true;
	}
	return put(d, obj, f->json, v);
}

static bool decode_field(dec *d, rd *r, const pb_field *f, unsigned wire, json_t *obj)
{
	if (!spend(d))
		return false;
	rd sub;
	if (wire_of(f->kind) == WIRE_VARINT) {
		uint64_t v;
		if (wire == WIRE_VARINT)
			return read_varint(d, r, &v, kind_word(f->kind)) &&
			       store(d, f, obj, scalar_value(f->kind, v), scalar_is_zero(f->kind, v));
		/* A packed repeated scalar: one length, then the varints back to back. */
		if (!read_len(d, r, &sub, "packed list"))
			return false;
		while (sub.off < sub.n)
			if (!read_varint(d, &sub, &v, kind_word(f->kind)) || !spend(d) ||
			    !store(d, f, obj, scalar_value(f->kind, v), false))
				return false;
		return true;
	}

	if (!read_len(d, r, &sub, kind_word(f->kind)))
		return false;
	json_t *v = NULL;
	switch (f->kind) {
	case PB_STRING:
		return store(d, f, obj, text_value(sub.p, sub.n), sub.n == 0);
	case PB_TIME:
		return time_value(d, &sub, &v) && store(d, f, obj, v, false);
	case PB_QUANTITY:
		return quantity_value(d, sub, &v) && store(d, f, obj, v, false);
	case PB_INT_OR_STRING:
		return int_or_string_value(d, sub, &v) && store(d, f, obj, v, false);
	case PB_MESSAGE: {
		json_t *target;
		size_t mark = d->plen;
		if (f->flags & PB_REPEATED) {
			json_t *arr = container(d, obj, f->json, true);
			if (!arr || !append(d, arr, json_object()))
				return false;
			mark = path_push(d, "[%zu]", json_array_size(arr) - 1);
			target = json_array_get(arr, json_array_size(arr) - 1);
		} else if (f->flags & PB_INLINE) {
			target = obj;
		} else {
			/* A message field seen twice merges, as protobuf decoding does. */
			target = container(d, obj, f->json, false);
			if (!target)
				return false;
		}
		bool ok = decode_message(d, sub, f->sub, target);
		path_pop(d, mark);
		return ok;
	}
	default: {
		json_t *map = container(d, obj, f->json, false);
		return map && decode_map_entry(d, sub, f, map);
	}
	}
}

/* Go writes fields without omitempty (and struct values) even when the wire lacked them. */
static bool fill_defaults(dec *d, const pb_msg *m, json_t *obj)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const pb_field *f = &m->fields[i];
		if (f->flags & PB_INLINE) {
			/* The embedded struct's own always-written fields land in this object. */
			if (!decode_message(d, (rd){ NULL, 0, 0 }, f->sub, obj))
				return false;
			continue;
		}
		if (!(f->flags & PB_ALWAYS) || json_object_get(obj, f->json))
			continue;
		json_t *v;
		if (f->flags & PB_REPEATED)
			v = json_null(); /* a nil slice */
		else if (f->kind == PB_STRING)
			v = json_string("");
		else if (f->kind == PB_BOOL)
			v = json_false();
		else if (f->kind == PB_INT64 || f->kind == PB_INT32)
			v = json_integer(0);
		else if (f->kind == PB_TIME)
			v = json_null();
		else if (f->kind == PB_MESSAGE) {
			v = json_object();
			size_t mark = path_push(d, ".%s", f->json);
			bool ok = v && decode_message(d, (rd){ NULL, 0, 0 }, f->sub, v);
			path_pop(d, mark);
			if (!ok) {
				json_decref(v);
				return false;
			}
		} else
			v = json_null(); /* a nil map */
		if (!put(d, obj, f->json, v))
			return false;
	}
	return true;
}

static const pb_field *find_field(const pb_msg *m, uint32_t num)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].num == num)
			return &m->fields[i];
	return NULL;
}

static bool decode_message(dec *d, rd r, const pb_msg *m, json_t *obj)
{
	if (d->depth >= K8S_PROTO_MAX_DEPTH)
		return fail(d, "messages nested deeper than %u", K8S_PROTO_MAX_DEPTH);
	d->depth++;
	bool ok = true;
	while (ok && r.off < r.n) {
		uint32_t num;
		unsigned wire;
		if (!read_tag(d, &r, &num, &wire)) {
			ok = false;
			break;
		}
		const pb_field *f = find_field(m, num);
		if (!f) {
			ok = skip_field(d, &r, num, wire);
			continue;
		}
		size_t mark = path_push(d, ".%s", f->json);
		bool packed = (f->flags & PB_REPEATED) && wire_of(f->kind) == WIRE_VARINT && wire == WIRE_LEN;
		if (wire != wire_of(f->kind) && !packed)
			ok = fail(d, "wrong wire type %u for a %s (expected %u)", wire, kind_word(f->kind),
				  wire_of(f->kind));
		else
			ok = decode_field(d, &r, f, wire, obj);
		path_pop(d, mark);
	}
	ok = ok && fill_defaults(d, m, obj);
	d->depth--;
	return ok;
}

/* ---- the envelope --------------------------------------------------------------------- */

bool k8s_proto_is_envelope(const uint8_t *p, size_t n)
{
	return p && n >= 4 && memcmp(p, "k8s\0", 4) == 0;
}

/* runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}. */
typedef struct envelope {
	rd api_version, kind, raw, encoding;
} envelope;

static bool decode_envelope(dec *d, rd r, envelope *e)
{
	static const rd empty = { (const uint8_t *)"", 0, 0 };
	*e = (envelope){ empty, empty, empty, empty };
	while (r.off < r.n) {
		uint32_t num;
		unsigned wire;
		if (!read_tag(d, &r, &num, &wire))
			return false;
		if (num < 1 || num > 3) { /* contentType (4) is informational; proto is implied */
			if (!skip_field(d, &r, num, wire))
				return false;
			continue;
		}
		static const char *const names[] = { "", "typeMeta", "raw", "contentEncoding" };
		size_t mark = path_push(d, ".%s", names[num]);
		bool ok;
		rd sub;
		if (wire != WIRE_LEN)
			ok = fail(d, "wrong wire type %u (expected 2)", wire);
		else if (num == 1)
			ok = read_len(d, &r, &sub, "message") &&
			     read_pair(d, sub, "apiVersion", &e->api_version, "kind", &e->kind, NULL);
		else
			ok = read_len(d, &r, num == 2 ? &e->raw : &e->encoding, num == 2 ? "bytes" : "string");
		path_pop(d, mark);
		if (!ok)
			return false;
	}
	return true;
}

/* Text from the wire for an error message: at most 64 bytes, non-printables as '?'. */
static void printable(rd s, char *out, size_t cap)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++)
		out[i] = (s.p[i] >= 0x20 && s.p[i] < 0x7f) ? (char)s.p[i] : '?';
	out[n] = '\0';
}

bool k8s_proto_decode(const uint8_t *p, size_t n, json_t **out, char *problem, size_t problem_len)
{
	dec d = { .problem = problem, .problem_len = problem_len, .budget = K8S_PROTO_MAX_ELEMENTS };
	if (problem && problem_len)
		problem[0] = '\0';
	*out = NULL;
	if (!k8s_proto_is_envelope(p, n))
		return fail(&d, "not a Kubernetes protobuf body (no k8s\\0 prefix)");
	if (n > K8S_PROTO_MAX_BYTES)
		return fail(&d, "protobuf body of %zu bytes exceeds the %zu-byte limit", n, K8S_PROTO_MAX_BYTES);

	envelope e;
	path_push(&d, "Unknown");
	if (!decode_envelope(&d, (rd){ p + 4, n - 4, 0 }, &e))
		return false;
	path_pop(&d, 0);
	if (e.encoding.n) {
		char enc[72];
		printable(e.encoding, enc, sizeof enc);
		return fail(&d, "unsupported protobuf contentEncoding \"%s\"", enc);
	}
	const pb_msg *m = k8s_proto_schema_find((const char *)e.api_version.p, e.api_version.n,
						(const char *)e.kind.p, e.kind.n);
	if (!m) {
		char av[72], kind[72];
		printable(e.api_version, av, sizeof av);
		printable(e.kind, kind, sizeof kind);
		return fail(&d, "no protobuf schema for %s, Kind=%s", av, kind);
	}

	json_t *obj = json_object();
	/* The registry matched these bytes exactly, so they are plain ASCII. */
	if (!obj || json_object_set_new(obj, "kind", json_stringn((const char *)e.kind.p, e.kind.n)) ||
	    json_object_set_new(obj, "apiVersion",
				json_stringn((const char *)e.api_version.p, e.api_version.n))) {
		json_decref(obj);
		return fail(&d, "out of memory");
	}
	path_push(&d, "%s", m->name);
	if (!decode_message(&d, e.raw, m, obj)) {
		json_decref(obj);
		return false;
	}
	*out = obj;
	return true;
}
