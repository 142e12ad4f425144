/* Fuzzes the YAML loader: every mode and option, single and multi-document, with marks.
 * The first byte picks the options; the rest is the document. Invariants: no crash, no
 * leak, and every tree the loader returns serializes as JSON. */
#include <stdint.h>
#include <stdlib.h>

#include "codec/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	gh_yaml_opts o = {
		.mode = (flags & 1) ? GH_YAML_STRINGS : GH_YAML_TYPED,
		.schema = (flags & 2) ? GH_YAML_SCHEMA_V11 : GH_YAML_SCHEMA_CORE,
		.strict_keys = flags & 4,
		.no_aliases = flags & 8,
		.strings_null = flags & 16,
		.max_nodes = 20000,
		.max_bytes = 1 << 16,
	};
	bool all = flags & 32;
	gh_str in = { (const char *)data + 1, size - 1 };
	json_t *out = NULL;
	gh_yaml_marks *marks = NULL;
	gh_yaml_mark where;
	gh_err err = { 0 };
	if (gh_yaml_load_marked(in, &o, all, &out, (flags & 64) ? &marks : NULL, &where, &err)) {
		char *text = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT);
		if (!text)
			abort();
		free(text);
		(void)gh_yaml_marks_node(marks, out);
		if (json_is_object(out)) {
			const char *k;
			size_t klen;
			json_t *v;
			json_object_keylen_foreach(out, k, klen, v)
				(void)gh_yaml_marks_member(marks, out, k, klen);
		} else if (json_is_array(out)) {
			for (size_t i = 0; i < json_array_size(out); i++)
				(void)gh_yaml_marks_element(marks, out, i);
		}
		json_decref(out);
		gh_yaml_marks_free(marks);
	} else if (out || marks || !err.code) {
		abort();
	}
	return 0;
}
